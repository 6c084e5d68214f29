// Search timings in Debian chromium from file:// (issue 14 item 7; a benchmark, never a test).
//
// usage: node benches/search-scale.mjs <built-site> <version> [runs=5] [query …]
//
// For each run, a fresh browser context opens <site>/<version>/index.html from disk, focuses
// the search box (which starts loading engine.js and <version>/search/index.js lazily) and
// measures the time until the first query's answer, then the time of each later query.
// Prints the medians as JSON. Uses playwright-core from tests/browser/node_modules and the
// flags of tests/browser/run.mjs; never downloads a browser.
import { createRequire } from "node:module";
import { execSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../tests/browser/package.json"));
const { chromium } = require("playwright-core");

const [siteDir, version, runsArg, ...queries] = process.argv.slice(2);
if (!siteDir || !version) {
  console.error("usage: node benches/search-scale.mjs <built-site> <version> [runs] [query …]");
  process.exit(2);
}
const runs = Number(runsArg || 5);
const first = queries[0] || "tilgangsstyring";
const later = queries.length > 1 ? queries.slice(1) : ["leverandøren", "risikovurdering", "logg", "databehandleravtale", "leverandorene", "informasjonsikkerhet", "sletting av opplysninger", "tilgang"];
const executablePath = process.env.CHROMIUM || execSync("command -v chromium", { encoding: "utf8" }).trim();
const browser = await chromium.launch({
  executablePath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const firsts = [];
const laters = [];
const maxLater = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(pathToFileURL(path.resolve(siteDir)).href + `/${version}/index.html`);
    const t = await page.evaluate(async ({ first, later }) => {
      const box = document.getElementById("nb-q");
      const t0 = performance.now();
      box.focus();
      // eslint-disable-next-line no-undef
      const r = await normbokSearch.query(first, {});
      const t1 = performance.now();
      const times = [];
      for (const q of later) {
        const a = performance.now();
        // eslint-disable-next-line no-undef
        await normbokSearch.query(q, {});
        times.push(performance.now() - a);
      }
      return { first: t1 - t0, total: r.total, times };
    }, { first, later });
    if (!t.total) throw new Error(`no hits for ${first}`);
    firsts.push(t.first);
    laters.push(median(t.times));
    maxLater.push(Math.max(...t.times));
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({
  runs,
  first_query_ms: { median: Math.round(median(firsts)), all: firsts.map(Math.round) },
  later_query_ms: { median_of_medians: Math.round(median(laters) * 10) / 10, median_of_max: Math.round(median(maxLater) * 10) / 10 },
}, null, 2));
