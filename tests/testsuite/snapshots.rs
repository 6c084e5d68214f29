//! Snapshots of rendered HTML fragments (insta). The `<main>` element of a page is what the
//! content decides; the chrome around it is covered by the fixture and browser tests.

use std::path::Path;

use crate::support::{copy_dir, repo};

fn compiled(fixture: &Path) -> normbok::Compiled {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(fixture, tmp.path());
    match normbok::compile(tmp.path()) {
        Ok(c) => c,
        Err(d) => panic!("{}", d.render()),
    }
}

fn main_of(c: &normbok::Compiled, path: &str) -> String {
    let html = String::from_utf8_lossy(c.files.get(path).unwrap_or_else(|| panic!("no {path}"))).into_owned();
    let start = html.find("<main").expect("main");
    let end = html.find("</main>").expect("/main") + "</main>".len();
    // Blank lines come from template control flow; they carry no meaning.
    html[start..end].lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join("\n")
}

#[test]
fn requirement_page() {
    let c = compiled(&repo().join("tests/fixtures/base/minimal"));
    insta::assert_snapshot!("minimal_requirement_RISK-01", main_of(&c, "1/requirements/RISK-01.html"));
}

#[test]
fn group_page() {
    let c = compiled(&repo().join("tests/fixtures/base/minimal"));
    insta::assert_snapshot!("minimal_group_leverandor", main_of(&c, "1/groups/leverandor.html"));
}

#[test]
fn guide_page_with_links() {
    let c = compiled(&repo().join("tests/fixtures/base/minimal"));
    insta::assert_snapshot!("minimal_page_veiledning", main_of(&c, "1/veiledning.html"));
}

#[test]
fn changes_page() {
    let c = compiled(&repo().join("tests/fixtures/ok/versions-three"));
    insta::assert_snapshot!("three_changes_v2", main_of(&c, "2/changes.html"));
}
