// Real-browser check of themes/default/static/search/search.js, opened from file:// (the
// hard case: no fetch, only <script> tags). Driven by playwright-core with Debian's chromium.
//
// usage: node browser.mjs <site-dir>
//   <site-dir> is a minimal site that follows the DOM contract of search.js (written by
//   tests/browser_ui.rs), plus <site-dir>/expected.json with native results.
// env: PLAYWRIGHT_CORE  path to playwright-core's index.mjs (default: the copy installed by
//                       tests/browser/, the builder's browser tests)
//      CHROMIUM         chromium binary (default: `command -v chromium`)
// Prints "N passed, M failed" and exits non-zero on failure.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const siteDir = path.resolve(process.argv[2]);
const playwrightPath = process.env.PLAYWRIGHT_CORE ||
  path.join(here, '../../../tests/browser/node_modules/playwright-core/index.mjs');
const axePath = path.join(path.dirname(playwrightPath), '../axe-core/axe.min.js');
const { chromium } = await import(pathToFileURL(playwrightPath).href);
const expected = JSON.parse(fs.readFileSync(path.join(siteDir, 'expected.json'), 'utf8'));

let passed = 0;
const failures = [];
function check(cond, msg) {
  if (cond) passed++;
  else { failures.push(msg); console.log('  FAIL ' + msg); }
}
// Key order differs between serde_json::Value (sorted) and the engine (struct order).
const canon = (v) => JSON.stringify(v, (k, x) => (x && typeof x === 'object' && !Array.isArray(x)
  ? Object.fromEntries(Object.keys(x).sort().map((key) => [key, x[key]])) : x));
const shots = process.env.SCREENSHOTS;
const shot = async (p, name) => { if (shots) await p.screenshot({ path: path.join(shots, name + '.png') }); };
const url = (rel) => {
  const [file, fragment] = rel.split('#');
  return pathToFileURL(path.join(siteDir, file)).href + (fragment === undefined ? '' : '#' + fragment);
};

const executablePath = process.env.CHROMIUM ||
  execSync('command -v chromium', { shell: '/bin/sh' }).toString().trim();
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

// 1. The box on a nested page: lazy load, search as you type, DOM-only rendering.
await page.goto(url('2025.2/requirements/AVT-01.html'));
check(await page.evaluate(() => !window.normbokSearch.wasm), 'engine is not loaded before first use');
await page.focus('#nb-q');
await page.keyboard.type('leveran');
await page.waitForSelector('.nb-search-list .nb-hit', { timeout: 10000 });
const want = expected.leveran;
// Typing sends a query per pause; with typo tolerance "levera" and "leveran" differ, so wait
// until the list shows the answer to the whole word (the live region announces its count).
await page.waitForFunction((n) => document.getElementById('nb-search-results').textContent === `${n} treff`,
  want.total, { timeout: 10000 }).catch(() => {});
const box = await page.evaluate(() => ({
  ids: Array.from(document.querySelectorAll('.nb-search-list .nb-hit')).map((li) =>
    li.querySelector('.nb-hit-id') ? li.querySelector('.nb-hit-id').textContent : null),
  titles: Array.from(document.querySelectorAll('.nb-search-list .nb-hit-title')).map((a) => a.textContent),
  hrefs: Array.from(document.querySelectorAll('.nb-search-list a.nb-hit-title')).map((a) => a.href),
  marks: Array.from(document.querySelectorAll('.nb-search-list mark')).map((m) => m.textContent),
  live: document.getElementById('nb-search-results').textContent,
  scripts: Array.from(document.scripts).map((s) => s.getAttribute('src')),
  more: document.querySelector('.nb-search-more').hidden,
}));
check(box.titles.length === Math.min(8, want.total), `box shows ${box.titles.length} hits, expected ${Math.min(8, want.total)}`);
check(JSON.stringify(box.titles) === JSON.stringify(want.hits.slice(0, 8).map((h) => h.title)),
  `box titles ${JSON.stringify(box.titles)} vs native ${JSON.stringify(want.hits.slice(0, 8).map((h) => h.title))}`);
check(box.live === `${want.total} treff`, `live region says "${box.live}"`);
// Marks are exactly the native highlights (prefix, other-spelling and typo matches alike).
const slice = (text, [a, b]) => Array.from(text).slice(a, b).join('');
const wantMarks = want.hits.slice(0, 8).flatMap((h) => [...h.title_highlights.map((r) => slice(h.title, r)), ...h.highlights.map((r) => slice(h.excerpt, r))]);
check(box.marks.length > 0 && box.marks.some((m) => m.toLowerCase().startsWith('leveran')) &&
  JSON.stringify(box.marks) === JSON.stringify(wantMarks), `marks ${JSON.stringify(box.marks)} vs native ${JSON.stringify(wantMarks)}`);
check(box.hrefs.every((h) => h.startsWith('file://') && fs.existsSync(fileURLToPath(h.split('#')[0]))),
  `result links resolve to files: ${box.hrefs.join(' ')}`);
check(box.scripts.includes('../../static/search/engine.js') && box.scripts.includes('../../2025.2/search/index.js'),
  `loaded by script tags: ${box.scripts.join(', ')}`);
check(box.more === (want.total <= 8), 'the "show all" link appears only when there are more hits');

await shot(page, 'box');

// Keyboard: ArrowDown into the list, Escape back to the box.
await page.keyboard.press('ArrowDown');
check(await page.evaluate(() => document.activeElement.classList.contains('nb-hit-title')), 'ArrowDown focuses the first hit');
await page.keyboard.press('ArrowDown');
await page.keyboard.press('ArrowUp');
await page.keyboard.press('ArrowUp');
check(await page.evaluate(() => document.activeElement.id === 'nb-q'), 'ArrowUp from the first hit returns to the box');
await page.keyboard.press('ArrowDown');
await page.keyboard.press('Escape');
check(await page.evaluate(() => document.activeElement.id === 'nb-q' &&
  document.querySelector('.nb-search-list').hidden), 'Escape closes the list and returns focus');

// The test hook gives exactly the native response.
for (const [q, opts, key] of [['AVT-01', {}, 'avt01'], ['sikkerhete', {}, 'sikkerhete'], ['risiko', { groups: ['kommune'] }, 'risiko_kommune']]) {
  const got = await page.evaluate(([q, opts]) => window.normbokSearch.query(q, opts), [q, opts]);
  check(canon(got) === canon(expected[key]), `normbokSearch.query(${q}) equals native`);
}

// Hostile text in the data is shown as text, never parsed as HTML.
await page.fill('#nb-q', 'script');
await page.waitForFunction(() => Array.from(document.querySelectorAll('.nb-search-list .nb-hit-id'))
  .some((e) => e.textContent === 'XSS-01'));
const hostile = await page.evaluate(() => ({
  injected: !!document.querySelector('.nb-search-list img, .nb-search-list b, .nb-search-list script'),
  text: Array.from(document.querySelectorAll('.nb-search-list .nb-hit-title')).map((a) => a.textContent).join(' | '),
  alerted: !!window.__pwned,
}));
check(!hostile.injected && !hostile.alerted && /<img/.test(hostile.text || ''), `markup in titles stays text: ${JSON.stringify(hostile)}`);

// Enter goes to the search page with the query in the fragment.
await page.fill('#nb-q', 'leverandøren');
await page.keyboard.press('Enter');
await page.waitForURL(/search\.html#q=/);
check(page.url().endsWith('2025.2/search.html#q=leverand%C3%B8ren'), `submit goes to ${page.url()}`);

// 2. The search page: fragment state, group filters, full list.
await page.goto(url('2025.2/search.html#q=risiko&g=kommune'));
await page.waitForSelector('.nb-search-page-results .nb-hit', { timeout: 10000 });
const full = await page.evaluate(() => ({
  value: document.getElementById('nb-q').value,
  checked: Array.from(document.querySelectorAll('.nb-search-filters input:checked')).map((c) => c.value),
  boxes: document.querySelectorAll('.nb-search-filters input[type=checkbox]').length,
  titles: Array.from(document.querySelectorAll('.nb-search-page-results .nb-hit-title')).map((a) => a.textContent),
  status: document.querySelector('.nb-search-page-status').textContent,
}));
check(full.value === 'risiko', `query restored from the fragment: ${full.value}`);
check(JSON.stringify(full.checked) === '["kommune"]' && full.boxes === 3, `group boxes ${JSON.stringify(full)}`);
check(JSON.stringify(full.titles) === JSON.stringify(expected.risiko_kommune.hits.map((h) => h.title)), `page hits ${JSON.stringify(full.titles)}`);
await shot(page, 'search-page');
await page.uncheck('.nb-search-filters input[value=kommune]');
await page.waitForFunction((n) => document.querySelectorAll('.nb-search-page-results .nb-hit').length === n, expected.risiko.total);
check(page.url().endsWith('#q=risiko'), `fragment after unchecking: ${page.url()}`);
if (fs.existsSync(axePath)) {
  await page.addScriptTag({ content: fs.readFileSync(axePath, 'utf8') });
  const violations = await page.evaluate(async () => (await window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`));
  check(violations.length === 0, `axe on the search page: ${violations.join('; ')}`);
}

// 3. Broken setups show a message, never silently nothing.
for (const [version, text] of [['future', 'Søkeindeksen er fra en annen versjon av normbok'], ['missing', 'Søket kunne ikke lastes']]) {
  const p = await browser.newPage();
  await p.goto(url(`${version}/index.html`));
  await p.focus('#nb-q');
  await p.keyboard.type('leverandøren');
  await p.waitForFunction(() => document.getElementById('nb-search-results').textContent.length > 0
    && !/Laster/.test(document.getElementById('nb-search-results').textContent), null, { timeout: 10000 });
  await shot(p, 'broken-' + version);
  const live = await p.evaluate(() => document.getElementById('nb-search-results').textContent);
  check(live.includes(text), `${version}: live region says "${live}"`);
  await p.close();
}

// 4. Other languages.
const en = await browser.newPage();
await en.goto(url('en/index.html'));
await en.focus('#nb-q');
await en.keyboard.type('supplier');
await en.waitForSelector('.nb-search-list .nb-hit');
const enLive = await en.evaluate(() => document.getElementById('nb-search-results').textContent);
check(/^\d+ results?$/.test(enLive), `English count: "${enLive}"`);
await en.close();

// Expected noise: our own reports of the broken setups above, the missing index file, and
// axe-core reading stylesheets with XHR (not allowed from file://).
const unexpected = errors.filter((e) => !/normbok search:|Failed to load resource|net::ERR_FILE_NOT_FOUND|XMLHttpRequest at '[^']*\.css'/.test(e));
check(unexpected.length === 0, `no page errors: ${unexpected.join(' | ')}`);
await browser.close();
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
