//! Following a norm over time (issue 17, SPEC §5): the last substantive change, changes
//! between any two versions, Atom feeds and the printable document, over the three-version
//! fixture with publication dates and a base URL (`tests/fixtures/ok/versions-three-feeds`).
//! Expected values are computed here from the YAML sources, independently of normbok.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::bundled::{normalized, yaml_requirements};
use crate::support::{code, normbok, repo, stderr, tree};

const FIXTURE: &str = "tests/fixtures/ok/versions-three-feeds";
/// Version ids, newest first, with their publication dates (as in the fixture's normbok.toml).
const VERSIONS: [(&str, &str); 3] = [("3", "2025-10-01"), ("2", "2025-04-01"), ("1", "2024-10-01")];

fn build(root: &Path) -> (BTreeMap<String, Vec<u8>>, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = normbok(tmp.path(), &["build", "--root", &root.display().to_string(), "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (tree(&tmp.path().join("out")), stderr(&o))
}

/// Per version (newest first): requirement id → its record, from the YAML.
fn sources() -> Vec<BTreeMap<String, Value>> {
    VERSIONS.iter().map(|(v, _)| yaml_requirements(&repo().join(FIXTURE).join("content").join(v))).collect()
}

#[test]
fn last_changed_is_the_version_of_the_last_real_change() {
    let (files, _) = build(&repo().join(FIXTURE));
    let src = sources();
    // Independently: walk from the oldest version; an ID keeps its version until its
    // normalized record differs from the previous version's (or it is new there).
    let mut last: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen_changed_and_unchanged = (false, false);
    for i in (0..VERSIONS.len()).rev() {
        let json: Value = serde_json::from_slice(&files[&format!("{}/export/requirements.json", VERSIONS[i].0)]).expect("json");
        for (id, rec) in &src[i] {
            let prev = src.get(i + 1).and_then(|p| p.get(id));
            let at = match prev {
                Some(p) if normalized(p) == normalized(rec) => last[id],
                _ => i,
            };
            last.insert(id.clone(), at);
            if i < VERSIONS.len() - 1 {
                if at == i {
                    seen_changed_and_unchanged.0 = true;
                } else {
                    seen_changed_and_unchanged.1 = true;
                }
            }
            let r = json["requirements"].as_array().expect("list").iter().find(|r| r["id"] == id.as_str()).expect("req");
            assert_eq!(
                r["last_changed"],
                serde_json::json!({"version": VERSIONS[at].0, "date": VERSIONS[at].1, "source": "history"}),
                "{id} in version {}",
                VERSIONS[i].0
            );
        }
    }
    assert_eq!(seen_changed_and_unchanged, (true, true), "the fixture covers changed and unchanged requirements");
    // A re-wrapped statement is not a change; a removed and re-added ID (C-1) is new again.
    assert_eq!(last["A-3"], 2);
    assert_eq!(last["C-1"], 0);
}

/// Requirement IDs in the `<section>` that starts at the element with id `heading`.
fn section_ids(html: &str, heading: &str) -> Vec<String> {
    let start = html.find(&format!("id=\"{heading}\"")).unwrap_or_else(|| panic!("section {heading}"));
    let rest = &html[start..];
    let end = rest[1..].find("<section").map_or(rest.len(), |i| i + 1);
    let mut out = Vec::new();
    let mut s = &rest[..end];
    while let Some(i) = s.find("<span class=\"req-id\">") {
        s = &s[i + 21..];
        out.push(s[..s.find('<').unwrap_or(0)].to_string());
    }
    out.sort();
    out
}

/// The versions (indices, oldest first) after `older` up to `newer` in which `id` is new or
/// differs from the version before, from the YAML.
fn steps(src: &[BTreeMap<String, Value>], id: &str, newer: usize, older: usize) -> Vec<usize> {
    (newer..older)
        .rev()
        .filter(|&i| match (src[i + 1].get(id), src[i].get(id)) {
            (Some(o), Some(n)) => normalized(o) != normalized(n),
            (None, None) => false,
            _ => true,
        })
        .collect()
}

#[test]
fn every_pair_of_versions_has_a_changes_page_with_the_direct_diff() {
    let (files, _) = build(&repo().join(FIXTURE));
    let src = sources();
    let mut multi_step = false;
    for newer in 0..VERSIONS.len() {
        let own = String::from_utf8_lossy(&files[&format!("{}/changes.html", VERSIONS[newer].0)]).into_owned();
        for older in newer + 1..VERSIONS.len() {
            let (v, o) = (VERSIONS[newer].0, VERSIONS[older].0);
            let html = String::from_utf8_lossy(files.get(&format!("{v}/changes/{o}.html")).unwrap_or_else(|| panic!("{v}/changes/{o}.html"))).into_owned();
            let (n, ol) = (&src[newer], &src[older]);
            let added: Vec<String> = n.keys().filter(|k| !ol.contains_key(*k)).cloned().collect();
            let removed: Vec<String> = ol.keys().filter(|k| !n.contains_key(*k)).cloned().collect();
            let changed: Vec<String> = n.keys().filter(|k| ol.get(*k).is_some_and(|x| normalized(x) != normalized(&n[*k]))).cloned().collect();
            assert_eq!(section_ids(&html, "added-heading"), added, "{v} vs {o}");
            assert_eq!(section_ids(&html, "removed-heading"), removed, "{v} vs {o}");
            assert_eq!(section_ids(&html, "changed-heading"), changed, "{v} vs {o}");
            let unchanged = n.len() - added.len() - changed.len();
            assert!(html.contains(&format!(", {unchanged} uendrede krav")), "{v} vs {o}: unchanged {unchanged}");
            // Every changed requirement lists the versions in which it changed on the way.
            for id in &changed {
                let expect = steps(&src, id, newer, older);
                multi_step |= expect.len() > 1;
                let links: Vec<String> = expect
                    .iter()
                    .map(|&i| {
                        let to = if i == newer { "../changes.html".to_string() } else { format!("../../{}/changes.html", VERSIONS[i].0) };
                        format!("<a href=\"{to}#krav-{id}\">Versjon {}</a>", VERSIONS[i].0)
                    })
                    .collect();
                let art = &html[html.find(&format!("id=\"krav-{id}\"")).expect("entry")..];
                let p = &art[art.find("<p class=\"changed-in\">").expect("changed-in")..];
                let p = &p[..p.find("</p>").expect("end")];
                let found: Vec<&str> = p.match_indices("<a href=").map(|(i, _)| &p[i..i + p[i..].find("</a>").expect("a") + 4]).collect();
                assert_eq!(found, links, "{v} vs {o}: steps of {id}");
            }
            // changes.html links every older version, without JavaScript.
            assert!(own.contains(&format!("<a href=\"changes/{o}.html\">Versjon {o}</a>")), "{v}/changes.html links {o}");
        }
    }
    assert!(multi_step, "the fixture has a requirement changed in two steps (A-4)");
    // One combined diff: A-4's obligation and statement changed in different versions.
    let h = String::from_utf8_lossy(&files["3/changes/1.html"]).into_owned();
    let a4 = &h[h.find("id=\"krav-A-4\"").expect("A-4")..];
    let a4 = &a4[..a4.find("</article>").expect("end")];
    assert!(a4.contains("<del>Kan</del> → <ins>Bør</ins>") && a4.matches("class=\"text-diff\"").count() == 1, "{a4}");
}
