//! The browser UI (themes/default/static/search/search.js) in a real Chromium, from
//! `file://`: writes a minimal site that follows the DOM contract, with the wasm engine and
//! bundles wrapped as scripts, and runs `tests/js/browser.mjs` (playwright-core).
//!
//! Skipped with a message unless `node`, `chromium` and playwright-core are available
//! (playwright-core is taken from `tests/browser/node_modules`, installed by the builder's
//! browser tests, or from `PLAYWRIGHT_CORE`). With `NORMBOK_REQUIRE_BROWSER` set (as `.ci/run`
//! does) a missing prerequisite fails the test instead.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::wasm::{build_wasm, node_available, workspace_root};
use search_index::{Kind, Language, SearchDoc, SearchIndex, SearchRequest, build_bundle, to_js, wasm_to_js};
use serde_json::json;

fn playwright_core() -> PathBuf {
    std::env::var_os("PLAYWRIGHT_CORE").map_or_else(|| workspace_root().join("tests/browser/node_modules/playwright-core/index.mjs"), PathBuf::from)
}

fn chromium_available() -> bool {
    std::env::var_os("CHROMIUM").is_some() || Command::new("sh").args(["-c", "command -v chromium"]).output().is_ok_and(|o| o.status.success())
}

/// A page that follows the DOM contract documented at the top of search.js.
fn html(rel_path: &str, version: &str, lang: &str, title: &str, main: &str) -> String {
    let depth = rel_path.matches('/').count();
    let root = "../".repeat(depth);
    format!(
        r#"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width">
<script src="{root}static/search/search.js" defer></script></head>
<body data-root="{root}" data-version="{version}" data-lang="{lang}">
<header><form class="nb-search" role="search" action="{root}{version}/search.html">
<label for="nb-q">Søk</label>
<input type="search" id="nb-q" name="q" autocomplete="off">
<div id="nb-search-results" aria-live="polite"></div>
</form></header>
<main><h1>{title}</h1>{main}</main>
</body></html>
"#
    )
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn search_ui_works_from_file_urls_in_chromium() {
    let playwright = playwright_core();
    let missing = [
        (!node_available(), "`node` is not installed"),
        (!chromium_available(), "`chromium` is not installed"),
        (!playwright.is_file(), "playwright-core is not installed (npm ci in tests/browser)"),
    ];
    if let Some((_, why)) = missing.iter().find(|(m, _)| *m) {
        // CI installs all three first and sets NORMBOK_REQUIRE_BROWSER, so there a missing
        // prerequisite is a failure, never a silent skip.
        assert!(std::env::var_os("NORMBOK_REQUIRE_BROWSER").is_none(), "NORMBOK_REQUIRE_BROWSER is set but {why}");
        println!("SKIPPED search_ui_works_from_file_urls_in_chromium: {why}");
        return;
    }
    let wasm = std::fs::read(build_wasm()).unwrap();
    let site = tempfile::tempdir().unwrap();
    let root = site.path();

    let mut docs = common::corpus();
    docs.push(SearchDoc {
        id: "XSS-01".into(),
        kind: Kind::Requirement,
        title: "<img src=x onerror=\"window.__pwned=1\"> script-tittel".into(),
        body: "script <b>fet</b>".into(),
        url: "2025.2/requirements/XSS-01.html".into(),
        excerpt: "<script>window.__pwned=1</script> script".into(),
        target_groups: vec!["kommune".into()],
        obligation: Some("kan".into()),
        version: "2025.2".into(),
    });
    let bundle = build_bundle(&docs, Language::Nb, "2025.2").unwrap();
    let mut future = bundle.clone();
    future[8..12].copy_from_slice(&(search_index::FORMAT_VERSION + 1).to_le_bytes());
    let english = vec![SearchDoc {
        id: "SUP-01".into(),
        kind: Kind::Requirement,
        title: "Supplier agreements".into(),
        body: "Suppliers shall sign a data processing agreement.".into(),
        url: "en/requirements/SUP-01.html".into(),
        excerpt: "Suppliers shall sign a data processing agreement.".into(),
        target_groups: vec![],
        obligation: Some("shall".into()),
        version: "en".into(),
    }];
    let english = build_bundle(&english, Language::En, "en").unwrap();

    let theme = workspace_root().join("themes/default/static/search");
    for file in ["search.js", "search.css"] {
        std::fs::create_dir_all(root.join("static/search")).unwrap();
        std::fs::copy(theme.join(file), root.join("static/search").join(file)).unwrap();
    }
    write(root, "static/search/engine.js", &wasm_to_js(&wasm));
    write(root, "2025.2/search/index.js", &to_js(&bundle, "2025.2"));
    write(root, "future/search/index.js", &to_js(&future, "future"));
    write(root, "en/search/index.js", &to_js(&english, "en"));
    for doc in &docs {
        let rel = doc.url.split('#').next().unwrap();
        write(root, rel, &html(rel, "2025.2", "nb", &doc.id, "<p>Innhold.</p>"));
    }
    let groups = json!([
        {"id": "leverandor", "label": "Leverandører"},
        {"id": "kommune", "label": "Kommuner"},
        {"id": "helsevirksomhet", "label": "Helsevirksomheter"},
    ]);
    let search_main =
        format!("<div id=\"nb-search-page\" data-groups='{}' data-obligations='[{{\"id\":\"skal\",\"label\":\"Skal\"}}]'></div>", groups);
    write(root, "2025.2/search.html", &html("2025.2/search.html", "2025.2", "nb", "Søk", &search_main));
    for (version, lang) in [("future", "nb"), ("missing", "nb"), ("en", "en")] {
        let rel = format!("{version}/index.html");
        write(root, &rel, &html(&rel, version, lang, "Forside", "<p>Forside.</p>"));
    }

    let index = SearchIndex::decode(&bundle).unwrap();
    let native = |query: &str, groups: &[&str]| {
        let mut request = SearchRequest::new(query);
        request.groups = groups.iter().map(|g| g.to_string()).collect();
        serde_json::to_value(index.search(&request).unwrap()).unwrap()
    };
    let expected = json!({
        "leveran": native("leveran", &[]),
        "avt01": native("AVT-01", &[]),
        "sikkerhete": native("sikkerhete", &[]),
        "risiko": native("risiko", &[]),
        "risiko_kommune": native("risiko", &["kommune"]),
    });
    write(root, "expected.json", &expected.to_string());

    let output = Command::new("node")
        .arg(workspace_root().join("search-index/tests/js/browser.mjs"))
        .arg(root)
        .env("PLAYWRIGHT_CORE", &playwright)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "browser check failed:\n{stdout}\n{stderr}");
}
