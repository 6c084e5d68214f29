//! Stage 4 (render): per-version data. What every page of a version shares and is computed once:
//! requirement HTML, citation back-links, chapter intros, the navigation order, the id index
//! and the CSV rows the lists embed.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::config::RawHtml;
use crate::model::markdown::Target;
use crate::model::{Md, Page, Requirement, Site, Version};
use crate::paths;

use super::links::LinkCtx;
use super::{Ctx, markdown};

/// Everything computed once per version and shared by its pages.
#[derive(Default)]
pub(super) struct VersionData<'a> {
    /// Per requirement: statement, guidance and items HTML, valid for files one folder below
    /// the version folder (requirements/, chapters/, groups/, references/).
    pub(super) req_html: Vec<(String, Option<String>, Vec<String>)>,
    /// Reference id → indices of citing requirements.
    pub(super) ref_cited_by: BTreeMap<&'a str, Vec<usize>>,
    /// Reference id → indices of citing pages.
    pub(super) ref_pages: BTreeMap<&'a str, Vec<usize>>,
    /// Chapter id → intro HTML.
    pub(super) chapter_intro: BTreeMap<&'a str, String>,
    /// Nav entries: (depth, page index).
    pub(super) nav: Vec<(usize, usize)>,
    /// Per requirement: its CSV row without CRLF. Every list entry carries one, and a
    /// requirement is listed 3–5 times per version (index, chapter, groups, references).
    pub(super) csv_rows: Vec<String>,
    /// Some record of the version gives `changed`: then every requirement page of the
    /// version shows "Siste faglige endring" (with "ikke oppgitt" where a record has none).
    pub(super) any_changed: bool,
}

/// `only`: the requirements whose HTML is needed (all when `None`); the others get empty
/// HTML, which no rendered page reads.
pub(super) fn version_data<'a>(site: &'a Site, v: &'a Version, raw: RawHtml, only: Option<&BTreeSet<usize>>) -> VersionData<'a> {
    let from = paths::requirement(&v.id, "x");
    let links = LinkCtx { site, version: v, from: &from, page_src: None };
    let req_html = v
        .requirements
        .par_iter()
        .enumerate()
        .map(|(ri, r)| {
            if only.is_some_and(|o| !o.contains(&ri)) {
                return (String::new(), None, Vec::new());
            }
            (
                markdown::to_html(&r.statement.text, &r.statement.scan.headings, &links, raw),
                r.guidance.as_ref().map(|g| markdown::to_html(&g.text, &g.scan.headings, &links, raw)),
                r.items.iter().map(|i| markdown::to_inline_html(&i.text, &links, raw)).collect(),
            )
        })
        .collect();
    let mut ref_cited_by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (ri, r) in v.requirements.iter().enumerate() {
        let mut ids: BTreeSet<&str> = r.references.iter().map(|x| x.value.as_str()).collect();
        for m in std::iter::once(&r.statement).chain(r.guidance.iter()).chain(r.items.iter()) {
            ids.extend(md_refs(m));
        }
        for id in ids {
            ref_cited_by.entry(id).or_default().push(ri);
        }
    }
    let mut ref_pages: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (pi, p) in v.pages.iter().enumerate() {
        for id in md_refs(&p.body).into_iter().collect::<BTreeSet<_>>() {
            ref_pages.entry(id).or_default().push(pi);
        }
    }
    let chapter_intro = v
        .chapters
        .iter()
        .filter_map(|c| c.intro.as_ref().map(|m| (c.id.value.as_str(), markdown::to_html(&m.text, &m.scan.headings, &links, raw))))
        .collect();
    // Without its CRLF: HTML parsers turn CR LF in attributes into LF; the script adds them back.
    let csv_rows = v.requirements.iter().map(|r| crate::export::csv_row(r).trim_end_matches("\r\n").to_string()).collect();
    let any_changed = v.requirements.iter().any(|r| r.changed.is_some());
    VersionData { req_html, ref_cited_by, ref_pages, chapter_intro, nav: nav_order(&v.pages), csv_rows, any_changed }
}

fn md_refs(m: &Md) -> Vec<&str> {
    m.scan.links.iter().filter_map(|l| if let Target::Ref(id) = &l.target { Some(id.as_str()) } else { None }).collect()
}

/// Guide pages in reading order with their depth: folders after the pages of their parent,
/// siblings by `order`, then title; a folder's `index.md` stands for the folder.
fn nav_order(pages: &[Page]) -> Vec<(usize, usize)> {
    fn walk(pages: &[Page], dir: &str, depth: usize, out: &mut Vec<(usize, usize)>) {
        // (order, title, page index or None, subdir)
        let mut items: Vec<(i64, String, Option<usize>, Option<String>)> = Vec::new();
        let mut subdirs: BTreeSet<String> = BTreeSet::new();
        for (i, p) in pages.iter().enumerate() {
            let Some(rest) = p.src.strip_prefix(dir) else { continue };
            match rest.split_once('/') {
                None if rest == "index.md" => {}
                None => items.push((p.order, p.title.clone(), Some(i), None)),
                Some((sub, _)) => {
                    subdirs.insert(sub.to_string());
                }
            }
        }
        for sub in subdirs {
            let idx = format!("{dir}{sub}/index.md");
            // A folder without its own index.md sorts by its first page, so its pages follow
            // the page they belong to (e.g. `ikt/*` with orders 61–63 after a page with 60).
            let prefix = format!("{dir}{sub}/");
            let (order, title, pi) = match pages.iter().position(|p| p.src == idx) {
                Some(i) => (pages[i].order, pages[i].title.clone(), Some(i)),
                None => (pages.iter().filter(|p| p.src.starts_with(&prefix)).map(|p| p.order).min().unwrap_or(i64::MAX), sub.clone(), None),
            };
            items.push((order, title, pi, Some(sub)));
        }
        items.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        for (_, _, pi, sub) in items {
            if let Some(pi) = pi {
                out.push((depth, pi));
            }
            if let Some(sub) = sub {
                walk(pages, &format!("{dir}{sub}/"), depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(i) = pages.iter().position(|p| p.src == "index.md") {
        out.push((0, i));
    }
    walk(pages, "", 0, &mut out);
    out
}

impl<'a> Ctx<'a> {
    /// Requirement `id` of version `vi` (exact), in constant time (the model's id index, so
    /// it works for versions whose data is not loaded).
    pub(super) fn req_of(&self, vi: usize, id: &str) -> Option<&'a Requirement> {
        let site: &'a Site = self.site;
        site.versions[vi].requirement(id)
    }
}
