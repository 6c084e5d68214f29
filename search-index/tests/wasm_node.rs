//! Native vs browser: builds the search engine for wasm32 (the same nested cargo command as
//! the root build.rs, so it shares `<target>/search-wasm` and is a no-op when warm), runs
//! `tests/js/compare.mjs` in node through `themes/default/static/search/search.js`, and
//! requires responses identical to native ones.
//!
//! Skipped (with a message) when `node` is not installed. Set
//! `NORMBOK_SEARCH_WASM=/path/to/search_index.wasm` to test a prebuilt module.
//! Manual run: `cargo test -p search-index --test wasm_node -- --nocapture`.
#![allow(clippy::unwrap_used)]

mod common;

use common::wasm::{build_wasm, node_available, workspace_root};

use std::path::Path;
use std::process::Command;

use search_index::{Language, SearchDoc, SearchIndex, SearchRequest, build_bundle, to_js, wasm_to_js};
use serde_json::{Value, json};

fn older_version_docs() -> Vec<SearchDoc> {
    common::corpus()
        .into_iter()
        .filter(|d| !d.id.starts_with("TIL"))
        .map(|mut d| {
            d.version = "2025.1".into();
            d.url = d.url.replace("2025.2/", "2025.1/");
            d
        })
        .collect()
}

/// JSON.parse/stringify turns `1001.0` into `1001`; compare numbers by value.
fn numbers_as_f64(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(items) => Value::Array(items.iter().map(numbers_as_f64).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), numbers_as_f64(v))).collect()),
        other => other.clone(),
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn wasm_results_are_identical_to_native() {
    if !node_available() {
        assert!(std::env::var_os("NORMBOK_REQUIRE_BROWSER").is_none(), "NORMBOK_REQUIRE_BROWSER is set but `node` is not installed");
        println!("SKIPPED wasm_results_are_identical_to_native: `node` is not installed");
        return;
    }
    let wasm_path = build_wasm();
    let wasm = std::fs::read(&wasm_path).unwrap();
    println!("search engine: {} ({} bytes)", wasm_path.display(), wasm.len());

    let current = build_bundle(&common::corpus(), Language::Nb, common::VERSION).unwrap();
    let older = build_bundle(&older_version_docs(), Language::Nb, "2025.1").unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "engine.js", &wasm_to_js(&wasm));
    write(dir.path(), "index-2025.2.js", &to_js(&current, common::VERSION));
    write(dir.path(), "index-2025.1.js", &to_js(&older, "2025.1"));
    // A bundle from a future normbok, and one that is damaged.
    let mut future = current.clone();
    future[8..12].copy_from_slice(&(search_index::FORMAT_VERSION + 1).to_le_bytes());
    write(dir.path(), "index-future.js", &to_js(&future, "future"));
    let mut damaged = current.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    write(dir.path(), "index-damaged.js", &to_js(&damaged, "damaged"));

    let cases: Vec<(String, Value)> = vec![
        ("leverandøren".into(), json!({})),
        ("leverandøren ".into(), json!({})),
        ("leveran".into(), json!({})),
        ("Leverandørenes plikter ".into(), json!({})),
        ("sikkerhete".into(), json!({})),
        ("\"offentlig forvaltning\"".into(), json!({})),
        ("«offentlig forv".into(), json!({})),
        ("AVT-01".into(), json!({})),
        ("avt-0".into(), json!({})),
        ("§ 3-1".into(), json!({})),
        ("Bla\u{030A}bærsyltetøy".into(), json!({})),
        ("risiko".into(), json!({"groups": ["kommune"]})),
        ("virksomheten".into(), json!({"obligations": ["bor", "kan"], "limit": 2})),
        ("virksomheten".into(), json!({"kinds": ["page"]})),
        ("title:( AND * \"".into(), json!({})),
        ("".into(), json!({})),
        ("logging".into(), json!({"version": "2025.1"})),
        ("avt".into(), json!({"version": "2025.1"})),
        ("leverandøren".into(), json!({"version": "future"})),
        ("leverandøren".into(), json!({"version": "damaged"})),
        ("leverandøren".into(), json!({"version": "missing"})),
    ];
    let requests: Vec<Value> = cases
        .iter()
        .map(|(q, opts)| {
            let mut opts = opts.clone();
            if opts.get("version").is_none() {
                opts["version"] = json!(common::VERSION);
            }
            opts["root"] = json!("");
            json!({"query": q, "opts": opts})
        })
        .collect();
    write(dir.path(), "requests.json", &serde_json::to_string(&requests).unwrap());

    let search_js = workspace_root().join("themes/default/static/search/search.js");
    let output =
        Command::new("node").arg(workspace_root().join("search-index/tests/js/compare.mjs")).arg(dir.path()).arg(&search_js).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "node failed:\n{stderr}");
    println!("node: {}", stderr.trim());
    let results: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(results.len(), requests.len());

    let indexes = [(common::VERSION, SearchIndex::decode(&current).unwrap()), ("2025.1", SearchIndex::decode(&older).unwrap())];
    for (request, result) in requests.iter().zip(&results) {
        let version = request["opts"]["version"].as_str().unwrap();
        let Some((_, index)) = indexes.iter().find(|(v, _)| *v == version) else {
            let code = result["error"]["code"].as_str().unwrap_or("");
            let expected = match version {
                "future" => "incompatible-format",
                "damaged" => "corrupt",
                _ => "load-failed",
            };
            assert_eq!(code, expected, "{request}: {result}");
            continue;
        };
        let opts = &request["opts"];
        let native = SearchRequest {
            query: request["query"].as_str().unwrap().to_string(),
            groups: serde_json::from_value(opts.get("groups").cloned().unwrap_or(json!([]))).unwrap(),
            obligations: serde_json::from_value(opts.get("obligations").cloned().unwrap_or(json!([]))).unwrap(),
            kinds: serde_json::from_value(opts.get("kinds").cloned().unwrap_or(json!([]))).unwrap(),
            limit: opts.get("limit").and_then(Value::as_u64).map(|l| l as usize),
            version: None,
        };
        let expected = serde_json::to_value(index.search(&native).unwrap()).unwrap();
        assert_eq!(numbers_as_f64(&result["ok"]), numbers_as_f64(&expected), "request {request}");
    }
    // The corpus must actually exercise something.
    assert!(results.iter().filter(|r| r["ok"]["total"].as_u64().unwrap_or(0) > 0).count() >= 12);
}
