//! Versions (SPEC §5): change lists in HTML and JSON for a three-version fixture that covers
//! reordering, whitespace-only edits, obligation and group changes, a renamed chapter, a
//! withdrawal, and an ID removed and re-added; plus `normbok version new`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::{code, copy_dir, normbok, repo, stderr, tree};

fn build_three() -> BTreeMap<String, Vec<u8>> {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = normbok(tmp.path(), &["build", "--root", &repo().join("tests/fixtures/ok/versions-three").display().to_string(), "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    tree(&tmp.path().join("out"))
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array().expect("array").iter().map(|e| e["id"].as_str().unwrap_or("").to_string()).collect()
}

#[test]
fn three_versions_report_exactly_the_real_changes() {
    let files = build_three();
    let json = |v: &str| -> Value { serde_json::from_slice(&files[&format!("{v}/export/requirements.json")]).expect("json") };

    let v2 = json("2");
    let c = &v2["changes"];
    assert_eq!(c["from"], "1");
    assert_eq!(ids(&c["added"]), Vec::<String>::new());
    assert_eq!(ids(&c["removed"]), ["C-1"]);
    assert_eq!(ids(&c["withdrawn"]), ["B-2"]);
    // Reordered, re-wrapped A-3 and the renamed chapter are not changes.
    assert_eq!(ids(&c["changed"]), ["A-4", "B-1", "B-2"]);
    assert_eq!(c["unchanged"], 3);
    let changed: BTreeMap<String, &Value> =
        c["changed"].as_array().expect("a").iter().map(|e| (e["id"].as_str().unwrap_or("").to_string(), e)).collect();
    assert_eq!(changed["A-4"]["fields"], serde_json::json!(["obligation"]));
    assert_eq!(changed["A-4"]["obligation"], serde_json::json!({"old": "kan", "new": "bor"}));
    assert_eq!(changed["B-1"]["target_groups"], serde_json::json!({"added": ["leverandor"], "removed": []}));
    assert_eq!(changed["B-2"]["status"], serde_json::json!({"old": "in-force", "new": "withdrawn"}));

    let v3 = json("3");
    assert_eq!(ids(&v3["changes"]["added"]), ["C-1"], "a removed ID that comes back is added again");
    assert_eq!(ids(&v3["changes"]["changed"]), Vec::<String>::new());
    assert_eq!(v3["changes"]["unchanged"], 6);
    let req = |v: &Value, id: &str| v["requirements"].as_array().expect("a").iter().find(|r| r["id"] == id).cloned().expect("req");
    assert_eq!(req(&v3, "C-1")["introduced_in"], "3");
    assert_eq!(req(&v3, "A-4")["introduced_in"], "1");
    assert_eq!(req(&v3, "A-4")["changed_in"], serde_json::json!(["2"]));
    assert_eq!(req(&v3, "A-3")["changed_in"], serde_json::json!([]));
    assert!(json("1")["changes"].is_null());

    let html = |p: &str| String::from_utf8_lossy(&files[p]).into_owned();
    let h2 = html("2/changes.html");
    assert!(h2.contains("0 nye krav, 3 endrede krav, 1 fjernede krav, 3 uendrede krav"), "{h2}");
    assert!(h2.contains("<del>Kan</del> → <ins>Bør</ins>"));
    assert!(h2.contains("<ins>+ Leverandører</ins>"));
    assert!(!h2.contains(">A-3<") && !h2.contains(">A-1<"), "unchanged requirements are counted, not listed");
    // History on the requirement page: introduced in 1, changed in 2, linking to the entry.
    let a4 = html("3/requirements/A-4.html");
    assert!(a4.contains("<a href=\"../../2/changes.html#krav-A-4\">Versjon 2</a>: Endret (forpliktelse)"), "{a4}");
    assert!(h2.contains("id=\"krav-A-4\""));
    // Permalinks: C-1 lives in 3 again; B-2 is a tombstone since 2, last in force in 1.
    let b2 = html("requirements/B-2.html");
    assert!(b2.contains("trukket tilbake fra og med <a href=\"../2/requirements/B-2.html\">Versjon 2</a>"), "{b2}");
    assert!(b2.contains("<a href=\"../1/requirements/B-2.html\">Versjon 1</a>"));
}

#[test]
fn version_new_copies_the_newest_version_as_a_draft() {
    let tmp = tempfile::tempdir().expect("tmp");
    let site = tmp.path().join("site");
    copy_dir(&repo().join("tests/fixtures/ok/versions-three"), &site);
    std::fs::remove_file(site.join("case.toml")).expect("rm");
    let before = std::fs::read_to_string(site.join("normbok.toml")).expect("toml");

    let o = normbok(tmp.path(), &["version", "new", "4", "--root", "site"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let after = std::fs::read_to_string(site.join("normbok.toml")).expect("toml");
    assert_eq!(
        after,
        before.replace("[[versions]]\nid = \"3\"", "[[versions]]\nid = \"4\"\nlabel = \"Versjon 4\"\nstatus = \"draft\"\n\n[[versions]]\nid = \"3\"")
    );
    assert!(after.contains("# Versjonene, nyeste først."), "comments survive");
    assert!(tree(&site.join("content/4")) == tree(&site.join("content/3")));

    let o = normbok(tmp.path(), &["version", "new", "5", "--from", "1", "--root", "site"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(tree(&site.join("content/5")) == tree(&site.join("content/1")));

    for (args, what) in [
        (vec!["version", "new", "4", "--root", "site"], "existing id"),
        (vec!["version", "new", "x/y", "--root", "site"], "bad id"),
        (vec!["version", "new", "6", "--from", "9", "--root", "site"], "unknown --from"),
    ] {
        let o = normbok(tmp.path(), &args);
        assert_eq!(code(&o), 2, "{what} is a usage error: {}", stderr(&o));
    }
    // The drafts build; a draft carries its banner and is never a permalink target.
    let o = normbok(tmp.path(), &["build", "--root", "site", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let draft = std::fs::read_to_string(tmp.path().join("out/4/index.html")).expect("page");
    assert!(draft.contains("class=\"banner banner-draft\""));
    let perma = std::fs::read_to_string(tmp.path().join("out/requirements/A-1.html")).expect("page");
    assert!(perma.contains("url=../3/requirements/A-1.html"), "{perma}");
}
