// Real-browser tests of a built normbok site: Debian's chromium driven by playwright-core,
// accessibility by axe-core. The same checks run twice: the site opened from disk (file://)
// and served over http from 127.0.0.1. Expected values come from the YAML sources (parsed
// here with the `yaml` package), not from normbok's own output.
//
// Usage: node run.mjs <built-site-dir> <site-root-with-content>
// Env:   CHROMIUM (default: `command -v chromium`), ARTIFACTS (default: ./artifacts)

import { chromium } from "playwright-core";
import { execFileSync, execSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import YAML from "yaml";
import { readersLayout, readersXlsx } from "./readers.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const siteDir = path.resolve(process.argv[2] || path.join(here, "../../target/browser-site"));
const rootDir = path.resolve(process.argv[3] || path.join(here, "../.."));
const artifacts = path.resolve(process.env.ARTIFACTS || path.join(here, "artifacts"));
fs.mkdirSync(artifacts, { recursive: true });
const VERSION = "2025.2";

const failures = [];
let checks = 0;
function check(cond, msg) {
  checks++;
  if (!cond) {
    failures.push(msg);
    console.log("  FAIL " + msg);
  }
}
function eq(a, b, msg) {
  const ja = JSON.stringify(a), jb = JSON.stringify(b);
  check(ja === jb, `${msg}\n    got:      ${ja.slice(0, 400)}\n    expected: ${jb.slice(0, 400)}`);
}

// ---- expectations from the YAML sources ----
function requirements(version) {
  const dir = path.join(rootDir, "content", version, "requirements");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  const chapters = files.map((f) => YAML.parse(fs.readFileSync(path.join(dir, f), "utf8")));
  chapters.sort((a, b) => (a.chapter.order ?? 0) - (b.chapter.order ?? 0) || a.chapter.id.localeCompare(b.chapter.id));
  return chapters.flatMap((c) => c.requirements.map((r) => ({ ...r, chapter: c.chapter.id, status: r.status || "in-force" })));
}
const reqs = requirements(VERSION);
const expectedIds = (groups, obligations) =>
  reqs.filter((r) => (!groups.length || r.target_groups.some((g) => groups.includes(g))) && (!obligations.length || obligations.includes(r.obligation))).map((r) => r.id);

// ---- a static server on loopback ----
const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".csv": "text/csv", ".xml": "application/xml", ".txt": "text/plain" };
const server = http.createServer((req, res) => {
  const p = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const file = path.join(siteDir, path.normalize(p).replace(/^([/\\])+/, ""));
  if (!file.startsWith(siteDir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    res.writeHead(404);
    res.end("not found");
    return;
  }
  res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const httpBase = `http://127.0.0.1:${server.address().port}`;

const executablePath = process.env.CHROMIUM || execSync("command -v chromium", { shell: "/bin/sh" }).toString().trim();
const browser = await chromium.launch({
  executablePath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
const axeSource = fs.readFileSync(path.join(here, "node_modules/axe-core/axe.min.js"), "utf8");

async function axe(page, label) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { preload: false, runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  const v = result.violations.map((x) => `${x.id} (${x.nodes.length}): ${x.nodes.slice(0, 2).map((n) => n.target.join(" ")).join(" | ")}`);
  check(v.length === 0, `axe ${label}: ${v.join("; ")}`);
}

async function visibleIds(page) {
  return page.$$eval("#nb-req-list .req", (els) => els.filter((e) => !e.hidden && e.offsetParent !== null).map((e) => e.dataset.id));
}

async function runMode(mode) {
  const base = mode === "file" ? pathToFileURL(siteDir).href : httpBase;
  const url = (p) => `${base}/${p}`;
  console.log(`== ${mode}: ${base}`);
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  // Filter: target groups (any of) × obligation, operated with the keyboard.
  await page.goto(url(`${VERSION}/requirements/index.html`));
  check(await page.isVisible("#nb-filter"), "filter is shown when JavaScript runs");
  eq((await visibleIds(page)).length, reqs.length, "without a filter everything is listed");
  await page.focus('#nb-filter input[name=g][value=leverandor]');
  await page.keyboard.press("Space");
  await page.focus('#nb-filter input[name=o][value=skal]');
  await page.keyboard.press("Space");
  const want = expectedIds(["leverandor"], ["skal"]);
  check(want.length > 5, "the bundled site has leverandor+skal requirements");
  eq(await visibleIds(page), want, "leverandor + skal lists exactly the YAML selection");
  const hash = new URL(page.url()).hash;
  eq(hash, "#g=leverandor&o=skal", "the filter state is in the URL fragment");
  const status = await page.textContent("#nb-filter-status");
  check(status.includes(String(want.length)) && (await page.getAttribute("#nb-filter-status", "aria-live")) === "polite", `result count announced: ${status}`);
  await axe(page, `${mode} requirement index (filtered)`);

  // Download the selection as CSV: the static export's lines for exactly these IDs.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#nb-filter-csv")]);
  const csvPath = path.join(artifacts, `selection-${mode}.csv`);
  await download.saveAs(csvPath);
  const csv = fs.readFileSync(csvPath);
  check(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf, "CSV starts with a UTF-8 BOM");
  const staticCsv = fs.readFileSync(path.join(siteDir, VERSION, "export/requirements.csv"), "utf8").replace(/^\ufeff/, "");
  const lines = staticCsv.split("\r\n");
  const selected = [lines[0], ...lines.slice(1).filter((l) => want.includes(l.split(",")[0]))];
  eq(csv.toString("utf8").replace(/^\ufeff/, ""), selected.join("\r\n") + "\r\n", "downloaded CSV = static export filtered to the selection");
  eq(csv.toString("utf8").replace(/^\ufeff/, "").split("\r\n")[0], "id,chapter,title,obligation,target_groups,status,applies_from,statement", "CSV columns");

  // Reload with the fragment: same state.
  await page.goto(url(`${VERSION}/requirements/index.html#g=leverandor&o=skal`));
  await page.reload();
  eq(await visibleIds(page), want, "reloading the shared URL restores the selection");
  check(await page.isChecked("#nb-filter input[name=g][value=leverandor]"), "checkbox state restored");

  // Several groups are "any of".
  await page.goto(url(`${VERSION}/requirements/index.html#g=kommune,anskaffer`));
  eq(await visibleIds(page), expectedIds(["kommune", "anskaffer"], []), "groups combine as any-of");

  // Print: a checklist without navigation chrome.
  await page.goto(url(`${VERSION}/requirements/index.html#g=leverandor&o=skal`));
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => ({
    header: getComputedStyle(document.querySelector(".site-header")).display,
    sidebar: getComputedStyle(document.querySelector(".sidebar")).display,
    filter: getComputedStyle(document.querySelector("#nb-filter")).display,
    box: getComputedStyle(document.querySelector(".req:not([hidden])"), "::before").borderTopStyle,
    hidden: [...document.querySelectorAll(".req[hidden]")].every((e) => getComputedStyle(e).display === "none"),
    title: document.querySelector(".print-header").textContent,
  }));
  eq([printed.header, printed.sidebar, printed.filter], ["none", "none", "none"], "print hides navigation and the filter");
  check(printed.box === "solid", "print shows a tick box per requirement");
  check(printed.hidden, "print leaves out filtered-away requirements");
  // Labels, not ids (issue 15): "Leverandører · Skal"; readers.mjs checks the labels.
  check(printed.title.includes(VERSION) && !/\bleverandor\b/.test(printed.title) && printed.title.includes(" · "), `print header names version and filter: ${printed.title}`);
  if (mode === "file") await page.pdf({ path: path.join(artifacts, "checklist-leverandor-skal.pdf") });
  await page.emulateMedia({ media: "screen" });

  // Accessibility of the other listed pages, light and dark.
  const pages = {
    home: `${VERSION}/index.html`,
    guide: `${VERSION}/innledning.html`,
    requirement: `${VERSION}/requirements/${want[0]}.html`,
    group: `${VERSION}/groups/leverandor.html`,
    search: `${VERSION}/search.html`,
    changes: `${VERSION}/changes.html`,
  };
  for (const [name, p] of Object.entries(pages)) {
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(url(p));
      await axe(page, `${mode} ${name} (${scheme})`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });

  // Without JavaScript the list shows everything and links to the group pages.
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const np = await nojs.newPage();
  await np.goto(url(`${VERSION}/requirements/index.html#g=leverandor`));
  eq((await np.$$eval("#nb-req-list .req", (els) => els.length)), reqs.length, "no JavaScript: every requirement listed");
  check(await np.isHidden("#nb-filter"), "no JavaScript: the filter form stays hidden");
  check((await np.$$eval(".no-js-groups a", (as) => as.map((a) => a.getAttribute("href")))).includes("../groups/leverandor.html"), "no JavaScript: links to group pages");
  await nojs.close();

  // Layout at 360 px: nothing wider than the screen.
  if (mode === "file") {
    for (const [name, p] of Object.entries({ home: pages.home, requirements: `${VERSION}/requirements/index.html`, requirement: pages.requirement })) {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(url(p));
      await page.screenshot({ path: path.join(artifacts, `${name}-desktop.png`) });
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(url(p));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      check(overflow <= 360, `${name} fits 360 px (scrollWidth ${overflow})`);
      await page.screenshot({ path: path.join(artifacts, `${name}-360.png`), fullPage: false });
    }
  }
  eq(errors, [], `${mode}: no script errors`);
  await context.close();
}

// ---- search: the browser gives the CLI's hits, offline, and never builds markup from data ----
const normbokBin = process.env.NORMBOK_BIN || path.join(rootDir, "target/debug/normbok");
function cliSearch(query, groups) {
  const args = ["search", query, "--site", siteDir, "--version", VERSION, "--limit", "10", "--format", "json", ...groups.flatMap((g) => ["--group", g])];
  return JSON.parse(execFileSync(normbokBin, args, { encoding: "utf8" }));
}
const searchQueries = [
  ["databehandleravtale", []],
  ["leverandøren", []],
  ["leverandøren", ["kommune"]],
  ['"risikovurdering av"', []],
  ["tilgangsstyring logg", []],
  ["AVT-0", []],
  ["Får", ["leverandor"]],
];
const budgets = {};

async function searchMode(mode) {
  const base = mode === "file" ? pathToFileURL(siteDir).href : httpBase;
  const url = (p) => `${base}/${p}`;
  console.log(`== search ${mode}: ${base}`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Networking disabled: only the site itself may be read.
  const foreign = [];
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith(base + "/") || (mode === "file" && u.startsWith("file://"))) return route.continue();
    foreign.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const requested = [];
  page.on("request", (r) => requested.push(r.url()));

  // Lazy loading: nothing of the engine or the index is read before the box is used.
  await page.goto(url(`${VERSION}/index.html`));
  check(!requested.some((u) => u.includes("/search/engine.js") || u.includes("/search/index.js")), `${mode}: engine and index load lazily`);

  // Budget: first answer within 300 ms of focusing the box; later ones < 20 ms.
  const timing = await page.evaluate(async () => {
    const box = document.getElementById("nb-q");
    const t0 = performance.now();
    box.focus();
    // eslint-disable-next-line no-undef
    const first = await normbokSearch.query("databehandleravtale", {});
    const t1 = performance.now();
    const later = [];
    for (const q of ["leverandøren", "tilgang", "risikovurdering", "logg", "sky", "databehandler", "taushetsplikt", "sletting"]) {
      const a = performance.now();
      // eslint-disable-next-line no-undef
      await normbokSearch.query(q, {});
      later.push(performance.now() - a);
    }
    return { first: t1 - t0, firstTotal: first.total, later };
  });
  check(timing.firstTotal > 0, `${mode}: first query answered`);
  budgets[mode] = { first_ms: Math.round(timing.first), later_max_ms: Math.round(Math.max(...timing.later) * 10) / 10 };
  console.log(`  search timing (${mode}): first query ${timing.first.toFixed(1)} ms after focus; later queries max ${Math.max(...timing.later).toFixed(2)} ms`);

  // The search page gives the same top 10 as `normbok search`, in the same order.
  for (const [q, groups] of searchQueries) {
    const frag = "#q=" + encodeURIComponent(q) + (groups.length ? "&g=" + groups.join(",") : "");
    await page.goto(url(`${VERSION}/search.html${frag}`));
    await page.waitForFunction(() => /\d/.test(document.querySelector(".nb-search-page-status")?.textContent || ""));
    const got = (await page.$$eval("#nb-search-page a.nb-hit-title", (as) => as.map((a) => a.getAttribute("href")))).slice(0, 10);
    const cli = cliSearch(q, groups);
    check(cli.hits.length > 0, `CLI finds something for ${q} ${groups}`);
    eq(got, cli.hits.map((h) => "../" + h.url), `${mode}: browser top 10 = normbok search for ${q} [${groups}]`);
  }

  // A query made of markup is text, never elements.
  const evil = '<img src=x onerror="window.__nbxss=1"><b id=nbbold>x</b>';
  await page.goto(url(`${VERSION}/search.html#q=` + encodeURIComponent(evil)));
  await page.waitForTimeout(300);
  await page.goto(url(`${VERSION}/index.html`));
  await page.fill("#nb-q", evil);
  await page.waitForTimeout(400);
  const injected = await page.evaluate(() => ({ xss: window.__nbxss, bold: !!document.getElementById("nbbold"), imgs: document.querySelectorAll("#nb-search-results img, #nb-search-page img").length }));
  eq(injected, { bold: false, imgs: 0 }, `${mode}: a query with markup creates no elements`);
  eq(foreign, [], `${mode}: no request leaves the site`);
  eq(errors, [], `${mode}: no script errors during search`);
  await context.close();
}

// ---- search (issue 14): partial matches, other spellings, typos, suggestions, unknown g= ----
// The browser gives exactly the CLI's hits for the issue's queries; a query without hits
// offers the CLI's suggestions as links; an unknown group in the fragment is ignored, visibly.
const issue14Queries = [
  ["sletting av helseopplysninger", []],
  ["databehandleravtale sky", []],
  ["leverandorene", []],
  ["informasjonsikkerhet", []],
  ["haandhevingen av rettigheter", []],
  ["SLE-09 databehandleravtlae", []],
  ["leverandorene", ["kommune"]],
];

async function searchIssue14Mode(mode) {
  const base = mode === "file" ? pathToFileURL(siteDir).href : httpBase;
  const url = (p) => `${base}/${p}`;
  console.log(`== search (partial, spellings, typos, suggestions) ${mode}`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  for (const [q, groups] of issue14Queries) {
    const frag = "#q=" + encodeURIComponent(q) + (groups.length ? "&g=" + groups.join(",") : "");
    await page.goto(url(`${VERSION}/search.html${frag}`));
    await page.waitForFunction(() => /\d/.test(document.querySelector(".nb-search-page-status")?.textContent || ""));
    const got = (await page.$$eval("#nb-search-page a.nb-hit-title", (as) => as.map((a) => a.getAttribute("href")))).slice(0, 10);
    const cli = cliSearch(q, groups);
    check(cli.hits.length > 0, `CLI finds something for ${q} ${groups}`);
    eq(got, cli.hits.map((h) => "../" + h.url), `${mode}: browser top 10 = normbok search for ${q} [${groups}]`);
  }

  // No hit at all: "Mente du …?" with the CLI's suggestions, as links that run the search.
  const miss = "persnvernkonsekvnsvurderng";
  const cli = cliSearch(miss, []);
  check(cli.total === 0 && cli.suggestions.length > 0, `CLI suggests something for ${miss}`);
  await page.goto(url(`${VERSION}/search.html#q=` + encodeURIComponent(miss)));
  await page.waitForSelector("#nb-search-page a.nb-search-suggestion");
  const offered = await page.$$eval("#nb-search-page a.nb-search-suggestion", (as) => as.map((a) => a.textContent));
  eq(offered, cli.suggestions, `${mode}: browser suggestions = normbok search suggestions`);
  await page.click("#nb-search-page a.nb-search-suggestion");
  await page.waitForSelector("#nb-search-page a.nb-hit-title");
  eq(await page.inputValue("#nb-q"), cli.suggestions[0], `${mode}: clicking a suggestion searches for it`);
  check((await page.evaluate(() => location.hash)).includes(encodeURIComponent(cli.suggestions[0])), `${mode}: the suggestion is in the URL`);
  // The dropdown offers them too.
  await page.goto(url(`${VERSION}/index.html`));
  await page.fill("#nb-q", miss);
  await page.waitForSelector("#nb-search-list a.nb-search-suggestion");
  eq(await page.$$eval("#nb-search-list a.nb-search-suggestion", (as) => as.map((a) => a.textContent)), cli.suggestions, `${mode}: dropdown suggestions`);

  // An unknown g= is ignored (results as without it) with a visible note.
  await page.goto(url(`${VERSION}/search.html#q=leverand%C3%B8ren&g=leverand%C3%B8r`));
  await page.waitForFunction(() => /\d/.test(document.querySelector(".nb-search-page-status")?.textContent || ""));
  const note = await page.$eval("#nb-search-page .nb-search-note", (n) => ({ text: n.textContent, visible: !n.hidden && n.offsetHeight > 0 }));
  check(note.visible && note.text.includes("leverandør"), `${mode}: unknown group noted: ${JSON.stringify(note)}`);
  const got = (await page.$$eval("#nb-search-page a.nb-hit-title", (as) => as.map((a) => a.getAttribute("href")))).slice(0, 10);
  eq(got, cliSearch("leverandøren", []).hits.map((h) => "../" + h.url), `${mode}: unknown group ignored`);
  eq(errors, [], `${mode}: no script errors (issue 14 checks)`);
  await context.close();
}

try {
  await runMode("file");
  await runMode("http");
  for (const mode of ["file", "http"]) {
    const base = mode === "file" ? pathToFileURL(siteDir).href : httpBase;
    const ctx = { browser, check, eq, url: (p) => `${base}/${p}`, mode, siteDir, rootDir, artifacts, VERSION, reqs, expectedIds };
    console.log(`== readers ${mode}: ${base}`);
    if (mode === "file") await readersLayout(ctx);
    await readersXlsx(ctx);
  }
  await searchMode("file");
  await searchMode("http");
  await searchIssue14Mode("file");
  await searchIssue14Mode("http");
  fs.writeFileSync(path.join(artifacts, "search-budgets.json"), JSON.stringify(budgets, null, 2) + "\n");
} finally {
  await browser.close();
  server.close();
}
console.log(`${checks - failures.length}/${checks} browser checks passed; artifacts in ${artifacts}`);
process.exit(failures.length ? 1 : 0);
