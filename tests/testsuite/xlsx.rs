//! `<v>/export/requirements.xlsx` (SPEC §6), read back as what it is: a zip of OOXML parts.
//! The browser tests read the same files with openpyxl; this checks the parts themselves
//! against the fixture's YAML (labels, one marked column per group, filter, frozen header,
//! wrapped statements, links to permalinks), and that `base_url` makes the links absolute.

use std::io::Read;

use crate::support::{copy_dir, repo};

fn xlsx_parts(site: &std::path::Path) -> (String, String, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(site, tmp.path());
    let c = match normbok::compile(tmp.path()) {
        Ok(c) => c,
        Err(d) => panic!("{}", d.render()),
    };
    let bytes = c.files.get("1/export/requirements.xlsx").expect("xlsx written").clone();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut part = |name: &str| {
        let mut s = String::new();
        z.by_name(name).unwrap_or_else(|_| panic!("part {name}")).read_to_string(&mut s).expect("utf-8");
        s
    };
    let sheet = part("xl/worksheets/sheet1.xml");
    let rels = part("xl/worksheets/_rels/sheet1.xml.rels");
    let strings = part("xl/sharedStrings.xml");
    (sheet, rels, strings)
}

#[test]
fn xlsx_pick_list_has_labels_group_columns_filter_frozen_header_and_links() {
    let (sheet, rels, strings) = xlsx_parts(&repo().join("tests/fixtures/base/minimal"));
    // Header labels in the site language (nb), groups by label, in normbok.toml's order.
    let header = ["ID", "Kapittel", "Tittel", "Forpliktelse", "Kommuner", "Leverandører", "Dataansvarlige", "Status", "Gjelder fra", "Kravtekst"];
    for h in header {
        assert!(strings.contains(&format!(">{h}</t>")), "header {h} missing from {strings}");
    }
    // Labels, not ids: obligation "Skal"/"Bør", chapter title, status "Gjeldende".
    for label in [
        "Skal",
        "Bør",
        "Risikovurdering",
        "Gjeldende",
        "Risikovurdering før endringer",
        "Virksomheten skal gjennomføre en risikovurdering før endringer.",
    ] {
        assert!(strings.contains(&format!(">{label}</t>")), "{label} missing");
    }
    assert!(!strings.contains(">skal</t>") && !strings.contains(">in-force</t>"), "ids instead of labels: {strings}");
    // 3 requirements + header over 10 columns (A..J).
    assert!(sheet.contains(r#"<autoFilter ref="A1:J4"/>"#), "autofilter: {sheet}");
    assert!(sheet.contains(r#"ySplit="1""#) && sheet.contains(r#"state="frozen""#), "frozen header: {sheet}");
    assert!(sheet.contains(r#"<dimension ref="A1:J4"/>"#));
    // RISK-01 is for dataansvarlig and leverandor: columns G and F of row 2 carry a mark,
    // E (kommune) none; RISK-02 only kommune (E3).
    for cell in ["F2", "G2", "E3", "F4"] {
        assert!(sheet.contains(&format!(r#"<c r="{cell}""#)), "mark in {cell}");
    }
    for cell in ["E2", "F3", "G3", "E4", "G4"] {
        assert!(!sheet.contains(&format!(r#"<c r="{cell}""#)), "no mark in {cell}");
    }
    // Each ID links to its permalink, relative to the file (no base_url).
    for (row, id) in [(2, "RISK-01"), (3, "RISK-02"), (4, "RISK-03")] {
        assert!(sheet.contains(&format!(r#"<hyperlink ref="A{row}""#)), "link on A{row}");
        assert!(rels.contains(&format!(r#"Target="../../requirements/{id}.html""#)), "{id} link target: {rels}");
    }
}

#[test]
fn xlsx_links_are_absolute_with_base_url_and_statements_wrap() {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(&repo().join("tests/fixtures/base/minimal"), tmp.path());
    let toml = std::fs::read_to_string(tmp.path().join("normbok.toml")).expect("toml");
    std::fs::write(
        tmp.path().join("normbok.toml"),
        toml.replacen("language = \"nb\"", "language = \"nb\"\nbase_url = \"https://example.org/norm/\"", 1),
    )
    .expect("write");
    let (_, rels, _) = xlsx_parts(tmp.path());
    assert!(rels.contains(r#"Target="https://example.org/norm/requirements/RISK-01.html""#), "{rels}");

    let bytes = {
        let c = normbok::compile(tmp.path()).unwrap_or_else(|d| panic!("{}", d.render()));
        c.files.get("1/export/requirements.xlsx").expect("xlsx").clone()
    };
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut styles = String::new();
    z.by_name("xl/styles.xml").expect("styles").read_to_string(&mut styles).expect("utf-8");
    assert!(styles.contains(r#"wrapText="1""#), "a wrapping cell format: {styles}");
}
