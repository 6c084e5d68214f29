// Real-browser test of the preview's error overlay (`normbok serve`): its text must meet WCAG
// AA contrast (≥ 4.5:1) over the default theme, and it must say the right thing when no good
// build exists yet. Debian's chromium driven by playwright-core; the site is a fresh
// `normbok init` in a temporary folder, served by the real binary on 127.0.0.1.
//
// Usage: NORMBOK_BIN=path/to/normbok node overlay.mjs
// Env:   CHROMIUM (default: `command -v chromium`)
//
// Kept apart from run.mjs (which tests a built site): this one drives the preview server.

import { chromium } from "playwright-core";
import { execFileSync, execSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const bin = process.env.NORMBOK_BIN || "normbok";
const failures = [];
function check(cond, msg) {
  if (!cond) {
    failures.push(msg);
    console.log("  FAIL " + msg);
  }
}

// ---- a site, broken and served ----
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "normbok-overlay-"));
const root = path.join(tmp, "site");
execFileSync(bin, ["init", root], { stdio: "ignore" });
const reqFile = path.join(root, "content/1.0/requirements/eksempel.yaml");
const good = fs.readFileSync(reqFile, "utf8");
const broken = good.replace("obligation: skal", "obligation: <b>skall</b>");

/** Starts `normbok serve` and resolves with its base URL; lines of stderr go to `lines`. */
function serve(lines) {
  const child = spawn(bin, ["serve", "--root", root, "--port", "0"], { stdio: ["ignore", "ignore", "pipe"] });
  let buf = "";
  const url = new Promise((resolve, reject) => {
    child.stderr.on("data", (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        const m = line.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
        if (m) resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`normbok serve exited with ${code}: ${lines.join("\n")}`)));
  });
  return { child, url };
}

async function waitFor(cond, what, ms = 60000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out waiting for " + what);
}

// ---- WCAG 2.1 contrast of every text element of the overlay, computed in the page ----
async function overlayReport(page) {
  return page.evaluate(() => {
    const host = document.getElementById("normbok-overlay");
    if (!host) return null;
    const rootNode = host.shadowRoot || host;
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const over = (top, below) => ({
      r: top.r * top.a + below.r * (1 - top.a),
      g: top.g * top.a + below.g * (1 - top.a),
      b: top.b * top.a + below.b * (1 - top.a),
      a: 1,
    });
    // The background actually behind an element: its own and its ancestors' (across the
    // shadow boundary), composited over the page's body and finally white.
    const backdrop = (el) => {
      const layers = [];
      for (let n = el; n; n = n.parentElement || (n.getRootNode() instanceof ShadowRoot ? n.getRootNode().host : null)) {
        const bg = parse(getComputedStyle(n).backgroundColor);
        if (bg && bg.a > 0) layers.push(bg);
        if (bg && bg.a === 1) break;
      }
      let c = { r: 255, g: 255, b: 255, a: 1 };
      const body = parse(getComputedStyle(document.body).backgroundColor);
      if (body && body.a > 0) c = over(body, c);
      for (const l of layers.reverse()) c = over(l, c);
      return c;
    };
    const items = [...rootNode.querySelectorAll("p, pre")].map((el) => {
      const fg = parse(getComputedStyle(el).color);
      const bg = backdrop(el);
      const [l1, l2] = [lum(over(fg, bg)), lum(bg)].sort((a, b) => b - a);
      return { tag: el.tagName, text: el.textContent, ratio: (l1 + 0.05) / (l2 + 0.05), visible: el.getClientRects().length > 0 };
    });
    return { shadow: !!host.shadowRoot, items, html: document.documentElement.innerHTML.length };
  });
}

const executablePath = process.env.CHROMIUM || execSync("command -v chromium", { shell: "/bin/sh" }).toString().trim();
const browser = await chromium.launch({
  executablePath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});

try {
  // 1. A good build, then a broken file: the overlay over the themed home page.
  {
    const lines = [];
    const { child, url } = serve(lines);
    const base = await url;
    await waitFor(() => lines.some((l) => l.startsWith("built ")), "the first build");
    const page = await browser.newPage();
    await page.goto(base + "1.0/index.html");
    const themed = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    check(await page.evaluate(() => !!document.querySelector("link[rel=stylesheet]")), "the page is styled by the default theme");
    fs.writeFileSync(reqFile, broken);
    await waitFor(() => lines.some((l) => l.includes("still serving the last good build")), "the failed build");
    await page.reload();
    const r = await overlayReport(page);
    check(r !== null, "overlay shown after a failed build");
    if (r) {
      check(r.shadow, "overlay in its own shadow root");
      check(r.items.length >= 2, `overlay has a heading and the report (${r.items.length} items)`);
      for (const it of r.items) {
        check(it.visible, `${it.tag} is visible`);
        check(it.ratio >= 4.5, `${it.tag} contrast ${it.ratio.toFixed(2)} ≥ 4.5 over the default theme (${themed})`);
        console.log(`  overlay ${it.tag}: contrast ${it.ratio.toFixed(2)}`);
      }
      check(r.items.some((it) => it.text.includes("Showing the last good build")), "says the last good build is shown");
      check(r.items.some((it) => it.text.includes("E-OBLIGATION") && it.text.includes("<b>skall</b>")), "lists the diagnostic, escaped");
    }
    await page.close();
    child.kill();
  }

  // 2. A site that has never built: the overlay must not claim a last good build.
  {
    const lines = [];
    const { child, url } = serve(lines);
    const base = await url;
    await waitFor(() => lines.some((l) => l.includes("build failed")), "the failed first build");
    const page = await browser.newPage();
    await page.goto(base + "1.0/index.html");
    const r = await overlayReport(page);
    check(r !== null, "overlay shown when nothing ever built");
    if (r) {
      check(!r.items.some((it) => it.text.includes("last good build")), "no mention of a last good build when there is none");
      check(r.items.some((it) => it.text.includes("does not build yet")), "says the site does not build yet");
      for (const it of r.items) check(it.ratio >= 4.5, `${it.tag} contrast ${it.ratio.toFixed(2)} ≥ 4.5 on the empty page`);
    }
    await page.close();
    child.kill();
  }
} finally {
  await browser.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (failures.length) {
  console.log(`overlay: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log("overlay: ok");
