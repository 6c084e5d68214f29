// Browser checks of the reader-facing layout (issue 15) and the per-version navigation
// (issue 12 item 5), imported by run.mjs. Expected values come from the sources (YAML,
// normbok.toml) or from geometry, not from normbok's output; the spreadsheets are read with
// openpyxl (check_xlsx.py), a reader independent of both of normbok's xlsx writers.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));

// [[target_groups]] and [[obligations]] of normbok.toml: id → label, in order.
function tomlLabels(rootDir, table) {
  const text = fs.readFileSync(path.join(rootDir, "normbok.toml"), "utf8");
  const out = [];
  for (const block of text.split(/^\[\[/m).slice(1)) {
    if (!block.startsWith(table + "]]")) continue;
    const id = /^id\s*=\s*"([^"]*)"/m.exec(block);
    const label = /^label\s*=\s*"([^"]*)"/m.exec(block);
    if (id && label) out.push([id[1], label[1]]);
  }
  return out;
}

const siteTitle = (rootDir) => /^title\s*=\s*"([^"]*)"/m.exec(fs.readFileSync(path.join(rootDir, "normbok.toml"), "utf8"))[1];

function inside(box, width) {
  return box && box.x >= 0 && box.x + box.width <= width + 0.5;
}

/** Layout checks; `url(p)` gives the address of site path `p`. */
export async function readersLayout({ browser, check, eq, url, mode, siteDir, rootDir, VERSION, reqs }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));

  // 1. The header's search dropdown stays inside the viewport (1024 and 1280 px).
  for (const width of [1024, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(url(`${VERSION}/index.html`));
    await page.fill("#nb-q", "leverandøren");
    await page.waitForSelector(".nb-search-list:not([hidden]) .nb-hit");
    const geo = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
      list: document.querySelector(".nb-search-list").getBoundingClientRect().toJSON(),
      hits: [...document.querySelectorAll(".nb-search-list .nb-hit, .nb-search-more:not([hidden])")].map((e) => e.getBoundingClientRect().toJSON()),
    }));
    if (width === 1024) {
      const metas = await page.$$eval(".nb-search-list .nb-hit-meta", (es) => es.map((e) => e.textContent));
      const ids = tomlLabels(rootDir, "obligations").filter(([id, label]) => id !== label);
      const shown = metas.filter((m) => ids.some(([id]) => m.split(" · ").includes(id)));
      check(metas.length > 0 && shown.length === 0, `${mode}: the header dropdown shows obligation labels, not ids: ${shown.slice(0, 2).join(" | ")}`);
    }
    check(geo.scroll <= geo.inner, `${mode} ${width} px: the open search dropdown adds no horizontal scroll (scrollWidth ${geo.scroll})`);
    check(inside(geo.list, geo.inner) && geo.hits.length > 0 && geo.hits.every((b) => inside(b, geo.inner)), `${mode} ${width} px: dropdown and every hit inside the viewport: ${JSON.stringify(geo.list)}`);
  }

  // 2. On search.html#q=… nothing covers the version switcher.
  for (const width of [1024, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(url(`${VERSION}/search.html#q=` + encodeURIComponent("leverandøren")));
    await page.waitForFunction(() => /\d/.test(document.querySelector(".nb-search-page-status")?.textContent || ""));
    const cover = await page.evaluate(() => {
      const sw = document.querySelector(".version-switcher");
      const r = sw.getBoundingClientRect();
      const hits = [];
      // Sample points across the switcher: each must hit the switcher itself.
      for (const fx of [0.1, 0.3, 0.5, 0.7, 0.9]) {
        for (const fy of [0.3, 0.7]) {
          const e = document.elementFromPoint(r.x + r.width * fx, r.y + r.height * fy);
          if (e && !sw.contains(e)) hits.push(e.id || e.className || e.tagName);
        }
      }
      return { hits, live: document.getElementById("nb-search-results").getBoundingClientRect().height };
    });
    eq(cover.hits, [], `${mode} ${width} px: search page with a query leaves the version switcher uncovered`);
    check(cover.live <= 1, `${mode} ${width} px: the live region is not drawn as a box (${cover.live} px high)`);
  }

  // 3. changes.html: replaced words keep a space between <del> and <ins>; no extra field line.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(url(`${VERSION}/changes.html`));
  const diff = await page.evaluate(() => {
    const visible = (n) => {
      const c = n.cloneNode(true);
      c.querySelectorAll(".visually-hidden").forEach((x) => x.remove());
      return c.textContent;
    };
    const glued = [];
    let pairs = 0;
    for (const del of document.querySelectorAll(".diff del")) {
      let between = "";
      let n = del.nextSibling;
      while (n && n.nodeType === 3) { between += n.textContent; n = n.nextSibling; }
      if (!n || n.tagName !== "INS") continue;
      pairs++;
      const d = visible(del), i = visible(n);
      if (!/\s$/.test(d) && !/\s/.test(between) && !/^\s/.test(i)) glued.push(d.slice(-12) + "|" + i.slice(0, 12));
    }
    const extra = [...document.querySelectorAll(".change")].flatMap((c) => [...c.querySelectorAll(":scope > p")].filter((p) => !p.classList.contains("compare-links")).map((p) => p.textContent.trim()));
    const text = [...document.querySelectorAll(".diff")].map(visible).join("\n");
    return { glued, pairs, extra, text };
  });
  check(diff.pairs > 0, `${mode}: changes.html has replaced words (del followed by ins)`);
  eq(diff.glued, [], `${mode}: every <del> and following <ins> are separated by whitespace`);
  check(!/nårvurderingen|ut\.DPIA-09\./.test(diff.text), `${mode}: the reported glued words are gone`);
  eq(diff.extra, [], `${mode}: a change shows no extra line listing its fields (each field is named once)`);

  // 4. Root title names the site once.
  // (Read from the file: the root page forwards to the current version at once.)
  const title = /<title>([^<]*)<\/title>/.exec(fs.readFileSync(path.join(siteDir, "index.html"), "utf8"))[1].replace(/&amp;/g, "&");
  const st = siteTitle(rootDir);
  eq(title.split(st).length - 1, 1, `${mode}: root <title> has the site title once: ${title}`);

  // 5. "In other versions" names what each status is about.
  const older = fs.readdirSync(path.join(rootDir, "content")).filter((d) => d !== VERSION && fs.existsSync(path.join(rootDir, "content", d, "requirements")));
  const olderIds = new Set(older.flatMap((d) => {
    const dir = path.join(rootDir, "content", d, "requirements");
    return fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).flatMap((f) => YAML.parse(fs.readFileSync(path.join(dir, f), "utf8")).requirements.map((r) => r.id));
  }));
  const both = reqs.find((r) => olderIds.has(r.id));
  check(!!both, `${mode}: a requirement of ${VERSION} is in an older version too`);
  await page.goto(url(`${VERSION}/requirements/${both.id}.html`));
  const other = await page.evaluate(() => {
    const t = document.querySelector("table.other-versions");
    if (!t) return null;
    return {
      head: [...t.querySelectorAll("thead th")].map((th) => th.textContent.trim()),
      rows: [...t.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent.trim())),
      text: t.closest("section").textContent,
    };
  });
  check(other && other.head.length === 3 && other.head.every(Boolean) && other.rows.length > 0 && other.rows.every((r) => r.length === 3 && r.every(Boolean)), `${mode}: other versions as a table with version, version status and requirement status: ${JSON.stringify(other)}`);
  check(other && !/\([^)]*;[^)]*\)/.test(other.text), `${mode}: no "(status; status)" pairs left`);

  // 6. Print header of the checklist names the filter by labels, not ids.
  const groups = tomlLabels(rootDir, "target_groups");
  const obligations = tomlLabels(rootDir, "obligations");
  const gLabel = groups.find(([id]) => id === "leverandor")[1];
  const oLabel = obligations.find(([id]) => id === "skal")[1];
  await page.goto(url(`${VERSION}/requirements/index.html#g=leverandor&o=skal`));
  await page.emulateMedia({ media: "print" });
  const printed = await page.textContent(".print-header");
  await page.emulateMedia({ media: "screen" });
  check(printed.includes(gLabel) && printed.includes(oLabel) && !/\bleverandor\b/.test(printed), `${mode}: print header uses labels (${gLabel}, ${oLabel}): ${printed}`);

  // 7. At 390 px: content first, the navigation behind a menu button (keyboard, ARIA).
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(url(`${VERSION}/requirements/${reqs[0].id}.html`));
  const phone = await page.evaluate(() => {
    const b = document.getElementById("nb-menu-button");
    const side = document.querySelector(".sidebar");
    const links = side.querySelectorAll("#nb-toc a").length;
    return {
      button: b && getComputedStyle(b).display !== "none" && !b.hidden,
      name: b && b.textContent.trim(),
      expanded: b && b.getAttribute("aria-expanded"),
      controls: b ? (b.getAttribute("aria-controls") || "").split(/\s+/).every((id) => id && document.getElementById(id)) : false,
      sideShown: getComputedStyle(side).display !== "none",
      h1Top: document.querySelector("main h1").getBoundingClientRect().top,
      links,
      scroll: document.documentElement.scrollWidth,
    };
  });
  check(phone.button && phone.name && phone.expanded === "false" && phone.controls, `${mode} 390 px: a named menu button, collapsed, controlling existing elements: ${JSON.stringify(phone)}`);
  check(!phone.sideShown && phone.h1Top < 450, `${mode} 390 px: navigation hidden and the heading near the top (${Math.round(phone.h1Top)} px)`);
  check(phone.links > 10, `${mode} 390 px: the menu holds the version's navigation (${phone.links} links)`);
  check(phone.scroll <= 390, `${mode} 390 px: no horizontal scroll (${phone.scroll})`);
  await page.focus("#nb-menu-button");
  await page.keyboard.press("Enter");
  const open = await page.evaluate(() => ({
    expanded: document.getElementById("nb-menu-button").getAttribute("aria-expanded"),
    sideShown: getComputedStyle(document.querySelector(".sidebar")).display !== "none",
    topShown: getComputedStyle(document.getElementById("nb-top-links")).display !== "none",
  }));
  eq(open, { expanded: "true", sideShown: true, topShown: true }, `${mode} 390 px: Enter on the menu button opens the navigation`);
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => {
    const a = document.activeElement;
    return !!a && (!!a.closest(".sidebar") || !!a.closest(".top-nav") || !!a.closest(".nb-search"));
  });
  check(focused, `${mode} 390 px: Tab moves from the open menu button into the header or navigation`);
  await page.keyboard.press("Escape");
  const closed = await page.evaluate(() => ({
    expanded: document.getElementById("nb-menu-button").getAttribute("aria-expanded"),
    focus: document.activeElement && document.activeElement.id,
    sideShown: getComputedStyle(document.querySelector(".sidebar")).display !== "none",
  }));
  eq(closed, { expanded: "false", focus: "nb-menu-button", sideShown: false }, `${mode} 390 px: Escape closes the menu and returns focus to its button`);
  await page.focus("#nb-menu-button");
  await page.keyboard.press("Space");
  eq(await page.getAttribute("#nb-menu-button", "aria-expanded"), "true", `${mode} 390 px: Space toggles the menu too`);
  await context.close();

  // 8. Navigation once per version: every page loads the same toc.js; marks the current page;
  //    without JavaScript each page links the contents page, which lists everything.
  const ctx2 = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p2 = await ctx2.newPage();
  const tocRequests = [];
  p2.on("request", (r) => r.url().endsWith("/toc.js") && tocRequests.push(r.url()));
  await p2.goto(url(`${VERSION}/innledning.html`));
  const nav = await p2.evaluate(() => ({
    current: [...document.querySelectorAll("#nb-toc a[aria-current=page]")].map((a) => a.getAttribute("href")),
    hrefs: [...document.querySelectorAll("#nb-toc a")].map((a) => a.href),
  }));
  eq(nav.current, ["innledning.html"], `${mode}: the drawn navigation marks the current page`);
  await p2.goto(url(`${VERSION}/requirements/${reqs[0].id}.html`));
  const nav2 = await p2.evaluate(() => [...document.querySelectorAll("#nb-toc a")].map((a) => a.href));
  eq(nav2, nav.hrefs, `${mode}: pages in different folders draw the same navigation (same targets)`);
  check(tocRequests.length === 2 && new Set(tocRequests).size === 1, `${mode}: both pages load the one ${VERSION}/toc.js (${tocRequests.join(", ")})`);
  await ctx2.close();
  const nojs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 800 } });
  const np = await nojs.newPage();
  await np.goto(url(`${VERSION}/requirements/${reqs[0].id}.html`));
  const link = await np.$eval(".sidebar .contents-link a", (a) => ({ href: a.getAttribute("href"), shown: a.getBoundingClientRect().height > 0 }));
  check(link.shown && link.href === "../contents.html", `${mode} no JavaScript: the contents page is linked and visible at 390 px: ${JSON.stringify(link)}`);
  await np.goto(url(`${VERSION}/contents.html`));
  const listed = await np.$$eval("main a", (as) => as.map((a) => a.href));
  check(nav.hrefs.length > 10 && nav.hrefs.every((h) => listed.includes(h)), `${mode} no JavaScript: contents.html links every page of the navigation (${nav.hrefs.length})`);
  await nojs.close();
  eq(errors, [], `${mode}: no script errors in the layout checks`);
}

/** The pick list as a spreadsheet: static export and the browser's filtered selection. */
export async function readersXlsx({ browser, check, eq, url, mode, siteDir, rootDir, artifacts, VERSION, reqs, expectedIds }) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url(`${VERSION}/requirements/index.html#g=leverandor&o=skal`));
  const want = expectedIds(["leverandor"], ["skal"]);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#nb-filter-xlsx")]);
  const selPath = path.join(artifacts, `selection-${mode}.xlsx`);
  await download.saveAs(selPath);
  const staticPath = path.join(siteDir, VERSION, "export/requirements.xlsx");
  const out = JSON.parse(execFileSync("python3", [path.join(here, "check_xlsx.py"), staticPath, selPath], { encoding: "utf8" }));
  const st = out[staticPath], sel = out[selPath];
  const groups = tomlLabels(rootDir, "target_groups");
  const obligations = Object.fromEntries(tomlLabels(rootDir, "obligations"));
  const n = reqs.length;
  const lastCol = String.fromCharCode(65 + 7 + groups.length - 1 + 0); // A + 7 fixed columns + groups - 1
  for (const [name, x, rows] of [["static", st, n], ["selection", sel, want.length]]) {
    eq(x.freeze, "A2", `${mode} ${name} xlsx: header row frozen`);
    eq(x.autofilter, `A1:${lastCol}${rows + 1}`, `${mode} ${name} xlsx: autofilter over the header and all rows`);
    eq(x.header.slice(4, 4 + groups.length), groups.map(([, l]) => l), `${mode} ${name} xlsx: one column per target group, by label`);
    check(x.wrap, `${mode} ${name} xlsx: statements wrap`);
  }
  eq(st.rows.map((r) => r[0]), reqs.map((r) => r.id), `static xlsx (${mode}): one row per requirement, in order`);
  // Cells against the YAML: obligation label and group marks.
  const byId = Object.fromEntries(reqs.map((r) => [r.id, r]));
  const bad = st.rows.filter((r) => {
    const y = byId[r[0]];
    return r[2] !== y.title || r[3] !== obligations[y.obligation] || groups.some(([g], i) => (r[4 + i] !== "") !== y.target_groups.includes(g));
  });
  eq(bad.map((r) => r[0]), [], `static xlsx (${mode}): title, obligation label and group marks match the YAML`);
  eq(st.links.map((l) => l && l.replace(/^.*?(requirements\/)/, "$1")), reqs.map((r) => `requirements/${r.id}.html`), `static xlsx (${mode}): each ID links to its permalink`);
  check(st.links.every((l) => l && l.startsWith("../../requirements/")), `static xlsx (${mode}): links are relative to the file (no base_url): ${st.links[0]}`);
  // The browser's selection: exactly the static rows of the same filter, same header.
  eq(sel.header, st.header, `${mode}: selection xlsx has the static header`);
  eq(sel.rows, st.rows.filter((r) => want.includes(r[0])), `${mode}: selection xlsx rows = static xlsx rows of the same filter`);
  const linked = sel.links.map((l, i) => l && new URL(l).pathname.endsWith(`/requirements/${sel.rows[i][0]}.html`));
  check(linked.length === want.length && linked.every(Boolean), `${mode}: selection xlsx links each ID to its permalink: ${sel.links[0]}`);
  const target = sel.links[0] && (mode === "file" ? fs.existsSync(new URL(sel.links[0])) : sel.links[0].startsWith("http://127.0.0.1"));
  check(target, `${mode}: the selection's links open the site the reader downloaded from: ${sel.links[0]}`);
  eq(errors, [], `${mode}: no script errors in the spreadsheet download`);
  await context.close();
}
