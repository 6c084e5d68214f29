// Screenshots of five page types at three widths, for reviewing the theme by eye (not a test:
// nothing is asserted). Same browser setup as run.mjs.
//
// Usage: node screens.mjs <built-site-dir> <out-dir> [version]
// Env:   CHROMIUM (default: `command -v chromium`), SCHEME (light | dark, default light)

import { chromium } from "playwright-core";
import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const siteDir = path.resolve(process.argv[2]);
const outDir = path.resolve(process.argv[3]);
const version = process.argv[4] || "2025.2";
const scheme = process.env.SCHEME || "light";
fs.mkdirSync(outDir, { recursive: true });

const executablePath = process.env.CHROMIUM || execSync("command -v chromium", { shell: "/bin/sh" }).toString().trim();
const browser = await chromium.launch({
  executablePath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
const base = pathToFileURL(siteDir).href;
const firstReq = fs.readdirSync(path.join(siteDir, version, "requirements")).filter((f) => f !== "index.html" && f.endsWith(".html")).sort()[0];
const pages = {
  guide: `${version}/index.html`,
  list: `${version}/requirements/index.html`,
  requirement: `${version}/requirements/${firstReq}`,
  changes: `${version}/changes.html`,
  search: `${version}/search.html#q=leverand%C3%B8ren`,
};
try {
  for (const width of [390, 1024, 1440]) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
    const page = await context.newPage();
    for (const [name, p] of Object.entries(pages)) {
      await page.goto(`${base}/${p}`);
      await page.waitForTimeout(name === "search" ? 800 : 100);
      await page.screenshot({ path: path.join(outDir, `${name}-${width}.png`) });
    }
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(`screenshots in ${outDir}`);
