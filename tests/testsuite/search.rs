//! Search on the bundled site through `normbok search`, checked against the YAML sources:
//! the data-processing-agreement requirements, inflected forms, phrases, the target-group
//! filter, the size budgets of the bundle and engine, and clear failures on bad bundles.
//! (The browser's equality with the CLI is checked in `tests/browser/run.mjs`.)

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::{code, normbok, repo, stderr};

const V: &str = "2025.2";

/// Requirement texts of the version, lowercased: `(id, groups, text)`.
fn yaml_texts(version: &str) -> Vec<(String, Vec<String>, String)> {
    let mut out = Vec::new();
    let dir = repo().join("content").join(version).join("requirements");
    for e in std::fs::read_dir(dir).expect("dir") {
        let text = std::fs::read_to_string(e.expect("entry").path()).expect("read");
        let v: Value = serde_saphyr::from_str(&text).expect("yaml");
        for r in v["requirements"].as_array().expect("list") {
            let mut t = String::new();
            for key in ["title", "statement", "guidance"] {
                t.push_str(r[key].as_str().unwrap_or(""));
                t.push('\n');
            }
            for item in r["items"].as_array().into_iter().flatten() {
                t.push_str(item.as_str().unwrap_or(""));
                t.push('\n');
            }
            let groups = r["target_groups"].as_array().expect("groups").iter().map(|g| g.as_str().expect("str").to_string()).collect();
            out.push((r["id"].as_str().expect("id").to_string(), groups, t.to_lowercase()));
        }
    }
    out
}

fn search(site: &Path, args: &[&str]) -> Value {
    let mut all = vec!["search", args[0], "--site", site.to_str().expect("utf-8 path"), "--format", "json", "--limit", "1000"];
    all.extend_from_slice(&args[1..]);
    let o = normbok(&repo(), &all);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("json")
}

fn requirement_ids(r: &Value) -> BTreeSet<String> {
    r["hits"].as_array().expect("hits").iter().filter(|h| h["kind"] == "requirement").map(|h| h["id"].as_str().expect("id").to_string()).collect()
}

fn build(out: &Path) {
    let o = normbok(&repo(), &["build", "--out", out.to_str().expect("utf-8 path")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn bundled_search_finds_agreements_inflections_phrases_and_filters() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    build(&site);
    let reqs = yaml_texts(V);

    // The requirements about data-processing agreements, first; shape as in SPEC §4.
    let r = search(&site, &["databehandleravtale", "--version", V]);
    for key in ["query", "version", "total", "hits"] {
        assert!(r.get(key).is_some(), "{key} missing");
    }
    for key in ["id", "kind", "title", "url", "score", "excerpt"] {
        assert!(r["hits"][0].get(key).is_some(), "hit.{key} missing");
    }
    assert_eq!(r["version"], V);
    let want: BTreeSet<String> = reqs.iter().filter(|(_, _, t)| t.contains("databehandleravtal")).map(|(id, _, _)| id.clone()).collect();
    assert!(want.len() >= 4, "the bundled site has DPA requirements: {want:?}");
    let got = requirement_ids(&r);
    assert!(want.is_subset(&got), "missing DPA requirements: {:?}", want.difference(&got).collect::<Vec<_>>());
    assert_eq!(r["hits"][0]["kind"], "requirement");
    assert!(want.contains(r["hits"][0]["id"].as_str().expect("id")), "best hit {} is about DPAs", r["hits"][0]["id"]);
    // Without --version the current version is searched.
    assert_eq!(search(&site, &["databehandleravtale"])["version"], V);

    // Inflected forms find each other: "leverandøren" finds texts that only say "leverandører".
    let has_word = |t: &str, w: &str| t.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
    let only_plural: BTreeSet<String> =
        reqs.iter().filter(|(_, _, t)| has_word(t, "leverandører") && !has_word(t, "leverandøren")).map(|(id, _, _)| id.clone()).collect();
    assert!(!only_plural.is_empty(), "bundled site has requirements that only use the plural");
    let got = requirement_ids(&search(&site, &["leverandøren", "--version", V]));
    assert!(only_plural.is_subset(&got), "not found via the singular: {:?}", only_plural.difference(&got).collect::<Vec<_>>());

    // A quoted phrase is narrower than its words and finds every literal occurrence.
    let words = search(&site, &["databehandleravtale med", "--version", V]);
    let phrase = search(&site, &["\"databehandleravtale med\"", "--version", V]);
    let literal: BTreeSet<String> = reqs.iter().filter(|(_, _, t)| t.contains("databehandleravtale med")).map(|(id, _, _)| id.clone()).collect();
    assert!(!literal.is_empty());
    let (w, p) = (requirement_ids(&words), requirement_ids(&phrase));
    assert!(literal.is_subset(&p), "phrase misses {:?}", literal.difference(&p).collect::<Vec<_>>());
    assert!(p.is_subset(&w), "phrase hits are a subset of word hits");
    assert!(phrase["total"].as_u64() < words["total"].as_u64(), "phrase {} vs words {}", phrase["total"], words["total"]);

    // The target-group filter narrows: only requirements for that group remain.
    let all = search(&site, &["leverandøren", "--version", V]);
    let kommune = search(&site, &["leverandøren", "--version", V, "--group", "kommune"]);
    assert!(kommune["total"].as_u64() < all["total"].as_u64(), "filter narrows");
    for id in requirement_ids(&kommune) {
        let groups = &reqs.iter().find(|(i, _, _)| *i == id).expect("known id").1;
        assert!(groups.iter().any(|g| g == "kommune"), "{id} is not for kommune: {groups:?}");
    }
    assert!(!requirement_ids(&kommune).is_empty());

    // The text report names the hits too.
    let o = normbok(&repo(), &["search", "databehandleravtale", "--site", site.to_str().expect("path"), "--limit", "3"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with(&format!("{} hits for \"databehandleravtale\" in version {V}", r["total"])), "{text}");
    assert_eq!(text.lines().filter(|l| l.contains(". requirement ") || l.contains(". page ") || l.contains(". reference ")).count(), 3, "{text}");
}

#[test]
fn bundle_and_engine_stay_within_budget_and_failures_are_clear() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    build(&site);

    // Budgets (SPEC §7 / issue 5): wasm ≤ 2.5 MB; bundle ≤ 400 kB per 1,000 documents.
    let wasm: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/search_index.wasm"));
    assert!(wasm.len() <= 2_500_000, "engine is {} bytes", wasm.len());
    let engine = std::fs::read_to_string(site.join("static/search/engine.js")).expect("engine.js");
    assert_eq!(engine, search_index::wasm_to_js(wasm), "engine.js is the built module");
    for v in ["2025.1", "2025.2"] {
        let js = std::fs::read_to_string(site.join(v).join("search/index.js")).expect("index.js");
        let (id, bytes) = search_index::from_js(&js).expect("bundle");
        assert_eq!(id, v);
        let index = search_index::SearchIndex::decode(&bytes).expect("decodes");
        let per_thousand = bytes.len() as f64 * 1000.0 / index.num_docs() as f64;
        println!("{v}: {} docs, {} bytes, {per_thousand:.0} bytes per 1,000 docs; engine {} bytes", index.num_docs(), bytes.len(), wasm.len());
        assert!(per_thousand <= 400_000.0, "{v}: {per_thousand} bytes per 1,000 docs");
        assert!(index.num_docs() > 130, "{v}: requirements, page sections and references are indexed");
    }

    // Usage errors: no site, unknown version.
    let o = normbok(&repo(), &["search", "x", "--site", tmp.path().join("nothing").to_str().expect("path")]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("error[E-SEARCH-SITE]"), "{}", stderr(&o));
    let o = normbok(&repo(), &["search", "x", "--site", site.to_str().expect("path"), "--version", "1999.1"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("error[E-SEARCH-VERSION]") && stderr(&o).contains("2025.1, 2025.2"), "{}", stderr(&o));

    // A bundle of another format version, and a damaged one: exit 1 with a reason, no panic.
    let file = site.join(V).join("search/index.js");
    let (_, mut bytes) = search_index::from_js(&std::fs::read_to_string(&file).expect("read")).expect("bundle");
    bytes[8..12].copy_from_slice(&99u32.to_le_bytes());
    std::fs::write(&file, search_index::to_js(&bytes, V)).expect("write");
    let o = normbok(&repo(), &["search", "x", "--site", site.to_str().expect("path")]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("error[E-SEARCH-BUNDLE]") && stderr(&o).contains("99"), "{}", stderr(&o));
    std::fs::write(&file, "(function(g){})(globalThis);").expect("write");
    let o = normbok(&repo(), &["search", "x", "--site", site.to_str().expect("path")]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[E-SEARCH-BUNDLE]") && !stderr(&o).contains("panicked"), "{}", stderr(&o));
}
