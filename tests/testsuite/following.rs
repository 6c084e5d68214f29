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
