// Runs search requests through the browser code path in node: the generated engine.js and
// index*.js files plus themes/default/static/search/search.js, exactly as a page loads them
// (minus the <script> tags), then plain WebAssembly.instantiate of the engine.
//
// usage: node compare.mjs <dir> <search.js>
//   <dir>/engine.js        normbokSearch.wasm (from search_index::wasm_to_js)
//   <dir>/index-*.js       normbokSearch.bundles[...] (from search_index::to_js)
//   <dir>/requests.json    [{"query": "...", "opts": {"version": "...", "groups": [...], ...}}, ...]
// prints a JSON array: one {"ok": response} or {"error": {"code", "message"}} per request.
// Timings go to stderr.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const [dir, searchJs] = process.argv.slice(2);
if (!dir || !searchJs) {
  console.error('usage: node compare.mjs <dir> <search.js>');
  process.exit(2);
}
const run = (file) => vm.runInThisContext(fs.readFileSync(file, 'utf8'), { filename: file });

run(path.join(dir, 'engine.js'));
for (const name of fs.readdirSync(dir).sort()) {
  if (/^index.*\.js$/.test(name)) run(path.join(dir, name));
}
run(searchJs);

const ns = globalThis.normbokSearch;
const requests = JSON.parse(fs.readFileSync(path.join(dir, 'requests.json'), 'utf8'));
const out = [];
const t0 = performance.now();
for (const r of requests) {
  try {
    out.push({ ok: await ns.query(r.query, r.opts) });
  } catch (e) {
    out.push({ error: { code: e.code || 'exception', message: String(e.message) } });
  }
}
const t1 = performance.now();

// Timing of a warm engine: repeat the ok requests.
const ok = requests.filter((r, i) => out[i].ok);
const rounds = 20;
const t2 = performance.now();
for (let i = 0; i < rounds; i++) {
  for (const r of ok) await ns.query(r.query, r.opts);
}
const t3 = performance.now();
console.error(
  `first pass (incl. instantiate + load): ${(t1 - t0).toFixed(1)} ms for ${requests.length} requests; ` +
  `warm: ${((t3 - t2) / (rounds * Math.max(ok.length, 1))).toFixed(3)} ms per query`
);
process.stdout.write(JSON.stringify(out));
