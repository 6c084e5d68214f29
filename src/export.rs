//! Stage 4 (render, data side): the machine-readable exports of each version (SPEC §6):
//! `export/requirements.csv` (a procurement pick list), `export/requirements.json`, and
//! `export/requirements.xlsx` (the pick list for people, see [`crate::xlsx`]).
//!
//! The JSON carries the same change information as `changes.html`, so other tools can
//! follow a norm between versions without scraping HTML.

use serde_json::{Value, json};

use crate::model::{Requirement, Site, Version};
use crate::paths;
use crate::versions::Versions;

/// Columns of `requirements.csv` (SPEC §6).
pub const CSV_COLUMNS: [&str; 8] = ["id", "chapter", "title", "obligation", "target_groups", "status", "applies_from", "statement"];

/// The CSV export: UTF-8 with BOM (so spreadsheet programs show æøå), CRLF line ends,
/// `;`-joined groups, statement as plain text.
pub fn csv(v: &Version) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    out.extend_from_slice(csv_line(CSV_COLUMNS).as_bytes());
    for r in &v.requirements {
        out.extend_from_slice(csv_row(r).as_bytes());
    }
    out
}

/// One requirement as a CSV line (with CRLF). The requirement list embeds these lines so
/// the reader's "download selection" is exactly the static export, filtered.
pub fn csv_row(r: &Requirement) -> String {
    let groups: Vec<&str> = r.target_groups.iter().map(|g| g.value.as_str()).collect();
    csv_line([
        r.id.value.as_str(),
        r.chapter.as_str(),
        r.title.as_str(),
        r.obligation.value.as_str(),
        &groups.join(";"),
        r.status.as_str(),
        r.applies_from.as_ref().map_or("", |a| a.value.as_str()),
        r.statement.plain(),
    ])
}

/// The header line of the CSV export (with CRLF).
pub fn csv_header() -> String {
    csv_line(CSV_COLUMNS)
}

fn csv_line<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_record(fields);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Both exports of version `vi` with their output paths: what `compile` and the preview
/// server's partial rebuilds add beside the rendered pages.
pub fn files(site: &Site, hist: &Versions, vi: usize) -> [(String, Vec<u8>); 3] {
    let v = &site.versions[vi];
    [
        (paths::export_csv(&v.id), csv(v)),
        (paths::export_json(&v.id), json(site, hist, vi)),
        (paths::export_xlsx(&v.id), crate::xlsx::workbook(site, v)),
    ]
}

/// Output paths of [`files`].
pub fn output_paths(site: &Site, vi: usize) -> [String; 3] {
    let v = &site.versions[vi];
    [paths::export_csv(&v.id), paths::export_json(&v.id), paths::export_xlsx(&v.id)]
}

/// The JSON export of version `vi`.
pub fn json(site: &Site, hist: &Versions, vi: usize) -> Vec<u8> {
    let v = &site.versions[vi];
    let reqs: Vec<Value> = v
        .requirements
        .iter()
        .enumerate()
        .map(|(ri, r)| {
            let id = r.id.value.as_str();
            // History up to and including this version.
            let pos_of = |ver: &str| site.versions.iter().position(|x| x.id == ver).unwrap_or(usize::MAX);
            let steps: Vec<&crate::versions::HistoryStep> =
                hist.history.get(id).map(|h| h.iter().filter(|s| pos_of(&s.version) >= vi).collect()).unwrap_or_default();
            let introduced = steps.iter().rev().find(|s| s.event == "added").map(|s| s.version.clone());
            let changed: Vec<&str> = steps.iter().filter(|s| s.event == "changed" || s.event == "withdrawn").map(|s| s.version.as_str()).collect();
            json!({
                "id": id,
                "chapter": r.chapter,
                "chapter_title": v.chapter(&r.chapter).map(|c| c.title.clone()),
                "title": r.title,
                "obligation": r.obligation.value,
                "target_groups": r.target_groups.iter().map(|g| g.value.as_str()).collect::<Vec<_>>(),
                "status": r.status.as_str(),
                "applies_from": r.applies_from.as_ref().map(|a| a.value.clone()),
                "changed": r.changed.as_ref().map(|a| a.value.clone()),
                "last_changed": hist.last_changed(site, vi, ri),
                "statement": r.statement.text,
                "statement_text": r.statement.plain(),
                "guidance": r.guidance.as_ref().map(|g| g.text.clone()),
                "items": r.items.iter().map(|i| i.text.as_str()).collect::<Vec<_>>(),
                "references": r.references.iter().map(|x| x.value.as_str()).collect::<Vec<_>>(),
                "related": r.related.iter().map(|x| x.value.as_str()).collect::<Vec<_>>(),
                "source": r.source,
                "url": paths::requirement(&v.id, id),
                "introduced_in": introduced,
                "changed_in": changed,
            })
        })
        .collect();
    let changes = hist.diffs.get(vi).and_then(Option::as_ref).map(|d| serde_json::to_value(d).unwrap_or(Value::Null));
    let doc = json!({
        "format": "normbok-requirements",
        "format_version": 1,
        "site": site.config.title,
        "version": {"id": v.id, "label": v.label, "status": v.status.as_str(), "published": v.published},
        "obligations": site.config.obligations.iter().map(|o| json!({"id": o.id.get_ref(), "label": o.label})).collect::<Vec<_>>(),
        "target_groups": site.config.target_groups.iter().map(|g| json!({"id": g.id.get_ref(), "label": g.label})).collect::<Vec<_>>(),
        "chapters": v.chapters.iter().map(|c| json!({"id": c.id.value, "title": c.title, "order": c.order})).collect::<Vec<_>>(),
        "requirements": reqs,
        "changes": changes,
    });
    // Compact, not pretty-printed: the indentation only added bytes (issue 12 measured a 64 MB
    // pretty export at 10,000 requirements).
    let mut out = serde_json::to_vec(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}
