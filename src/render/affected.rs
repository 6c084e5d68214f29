//! Stage 4 (render): which pages an edit can change. The preview server compares the new model
//! with the previous one and re-renders only the pages, exports and search bundles that
//! [`plan`] names; the `serve_incremental_*` test checks the result against a full build.
//!
//! The comparison works on typed projections (`ReqView`, `VersionShape`): the fields of the
//! model that reach an output, borrowed, compared with `==`. Source locations are left out,
//! so moving a record inside its file re-renders nothing.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::VersionStatus;
use crate::model::markdown::Target;
use crate::model::{Md, ReqStatus, Requirement, Site, Version};
use crate::paths;

/// What to redo after an edit that leaves the site's structure alone.
#[derive(Debug, Default)]
pub struct Plan {
    /// Output paths of pages to render again.
    pub pages: BTreeSet<String>,
    /// Versions whose exports are recomputed.
    pub exports: BTreeSet<usize>,
    /// Versions whose search bundle is rebuilt.
    pub bundles: BTreeSet<usize>,
}

/// The fields of a requirement that reach any output (its source location does not).
#[derive(PartialEq)]
struct ReqView<'a> {
    id: &'a str,
    chapter: &'a str,
    title: &'a str,
    obligation: &'a str,
    target_groups: Vec<&'a str>,
    statement: &'a str,
    guidance: Option<&'a str>,
    items: Vec<&'a str>,
    status: ReqStatus,
    applies_from: Option<&'a str>,
    changed: Option<&'a str>,
    references: Vec<&'a str>,
    related: Vec<&'a str>,
    source: Option<&'a str>,
}

fn values(v: &[crate::model::At<String>]) -> Vec<&str> {
    v.iter().map(|x| x.value.as_str()).collect()
}

impl<'a> ReqView<'a> {
    fn of(r: &'a Requirement) -> Self {
        ReqView {
            id: &r.id.value,
            chapter: &r.chapter,
            title: &r.title,
            obligation: &r.obligation.value,
            target_groups: values(&r.target_groups),
            statement: &r.statement.text,
            guidance: r.guidance.as_ref().map(|g| g.text.as_str()),
            items: r.items.iter().map(|i| i.text.as_str()).collect(),
            status: r.status,
            applies_from: r.applies_from.as_ref().map(|a| a.value.as_str()),
            changed: r.changed.as_ref().map(|a| a.value.as_str()),
            references: values(&r.references),
            related: values(&r.related),
            source: r.source.as_deref(),
        }
    }
}

/// A chapter: id, title, order, intro, file.
type ChapterView<'a> = (&'a str, &'a str, i64, Option<&'a str>, &'a str);
/// A reference: id, kind, title, designation, url.
type RefView<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);
/// A guide page without its body: src, out, file, title, order, summary, target groups.
type PageView<'a> = (&'a str, &'a str, &'a str, &'a str, i64, Option<&'a str>, Vec<&'a str>);
/// Theme overrides: templates (path, text) and static files (path, bytes).
type ThemeView<'a> = (Vec<(&'a str, &'a str)>, Vec<(&'a str, &'a [u8])>);

/// Everything of a version except its requirement records and page bodies: when any of it
/// changes, every page of the site may change (navigation, switchers, lists).
#[derive(PartialEq)]
struct VersionShape<'a> {
    id: &'a str,
    status: VersionStatus,
    label: &'a str,
    chapters: Vec<ChapterView<'a>>,
    references: Vec<RefView<'a>>,
    pages: Vec<PageView<'a>>,
    assets: Vec<&'a str>,
    /// Whether any record gives `changed`: every requirement page then shows the row.
    any_changed: bool,
}

impl<'a> VersionShape<'a> {
    fn of(v: &'a Version) -> Self {
        VersionShape {
            id: &v.id,
            status: v.status,
            label: &v.label,
            chapters: v
                .chapters
                .iter()
                .map(|c| (c.id.value.as_str(), c.title.as_str(), c.order, c.intro.as_ref().map(|m| m.text.as_str()), c.file.as_str()))
                .collect(),
            references: v
                .references
                .iter()
                .map(|r| {
                    (r.id.value.as_str(), r.kind.value.as_str(), r.title.as_str(), r.designation.as_deref(), r.url.as_ref().map(|u| u.value.as_str()))
                })
                .collect(),
            pages: v
                .pages
                .iter()
                .map(|p| (p.src.as_str(), p.out.as_str(), p.file.as_str(), p.title.as_str(), p.order, p.summary.as_deref(), values(&p.target_groups)))
                .collect(),
            assets: v.assets.iter().map(|a| a.rel.as_str()).collect(),
            any_changed: v.requirements.iter().any(|r| r.changed.is_some()),
        }
    }
}

/// The theme overrides as (path, content) pairs.
fn theme_view(site: &Site) -> ThemeView<'_> {
    (
        site.theme.templates.iter().map(|t| (t.rel.as_str(), t.text.as_str())).collect(),
        site.theme.statics.iter().map(|a| (a.rel.as_str(), a.bytes.as_slice())).collect(),
    )
}

/// Requirement targets of a Markdown text's links and shortcodes: (version if given, id).
fn req_links(m: &Md) -> impl Iterator<Item = (Option<&str>, &str)> {
    m.scan.links.iter().filter_map(|l| match &l.target {
        Target::Req { version, id } => Some((version.as_deref(), id.as_str())),
        _ => None,
    })
}

fn ref_links(m: &Md) -> impl Iterator<Item = &str> {
    m.scan.links.iter().filter_map(|l| if let Target::Ref(id) = &l.target { Some(id.as_str()) } else { None })
}

fn req_texts(r: &Requirement) -> impl Iterator<Item = &Md> {
    std::iter::once(&r.statement).chain(r.guidance.iter()).chain(r.items.iter())
}

/// Requirements of a version by id, with their projections.
type Views<'a> = BTreeMap<&'a str, (ReqView<'a>, &'a Requirement)>;

/// Decides what an edit can change, or `None` when the whole site must be rendered.
///
/// A changed requirement (added, removed, renamed or edited) of version `v` changes: its own
/// page and permalink, the page of the same ID in every other version ("in other versions",
/// history, switcher), pages that link to it or list it as related (labels carry its title),
/// the chapters and references that list it or a linking requirement, the version's list
/// pages (requirements, groups, references, search filters), the changes pages of `v` and
/// of the next newer version, the version home (counts), the exports of `v` and newer versions (histories) and the
/// search bundle of `v`. A changed page body changes that page, the version's reference
/// pages (back-links) and its search bundle.
pub fn plan(old: &Site, new: &Site) -> Option<Plan> {
    if old.config != new.config || theme_view(old) != theme_view(new) {
        return None;
    }
    if old.versions.len() != new.versions.len() {
        return None;
    }
    let mut plan = Plan::default();
    for p in [paths::ROOT_INDEX, paths::VERSIONS, paths::NOT_FOUND] {
        plan.pages.insert(p.into());
    }
    for (vi, (ov, nv)) in old.versions.iter().zip(&new.versions).enumerate() {
        if VersionShape::of(ov) != VersionShape::of(nv) {
            return None;
        }
        let vid = nv.id.as_str();
        // Page bodies.
        let mut bodies_changed = false;
        for (op, np) in ov.pages.iter().zip(&nv.pages) {
            if op.body.text != np.body.text {
                bodies_changed = true;
                plan.pages.insert(paths::page(vid, &np.out));
            }
        }
        if bodies_changed {
            plan.pages.insert(paths::references_index(vid));
            plan.pages.extend(nv.references.iter().map(|r| paths::reference(vid, &r.id.value)));
            plan.bundles.insert(vi);
        }
        // Requirements.
        let old_keys: Views<'_> = ov.requirements.iter().map(|r| (r.id.value.as_str(), (ReqView::of(r), r))).collect();
        let new_keys: Views<'_> = nv.requirements.iter().map(|r| (r.id.value.as_str(), (ReqView::of(r), r))).collect();
        let changed: BTreeSet<&str> =
            old_keys.keys().chain(new_keys.keys()).copied().filter(|id| old_keys.get(id).map(|x| &x.0) != new_keys.get(id).map(|x| &x.0)).collect();
        // Lists show requirements in model order; a pure reordering changes every list.
        let common = |keys: &Views<'_>, v: &'_ Version, other: &Views<'_>| -> Vec<String> {
            v.requirements.iter().map(|r| r.id.value.clone()).filter(|id| keys.contains_key(id.as_str()) && other.contains_key(id.as_str())).collect()
        };
        if common(&old_keys, ov, &new_keys) != common(&new_keys, nv, &old_keys) {
            return None;
        }
        if changed.is_empty() {
            continue;
        }
        let links_changed = |m: &Md, own: bool| req_links(m).any(|(ver, id)| changed.contains(id) && (ver == Some(vid) || (ver.is_none() && own)));
        // A qualified link from another version to a changed requirement puts that
        // requirement's summary (shown on many pages of its version) out of date.
        for (vj, other) in new.versions.iter().enumerate() {
            if vj != vi
                && (other.requirements.iter().any(|r| req_texts(r).any(|m| links_changed(m, false)))
                    || other.chapters.iter().any(|c| c.intro.as_ref().is_some_and(|m| links_changed(m, false))))
            {
                return None;
            }
            for p in &other.pages {
                if links_changed(&p.body, vj == vi) {
                    plan.pages.insert(paths::page(&other.id, &p.out));
                }
            }
        }
        // Requirements whose own rendering (summary) changes: the changed ones and those
        // whose texts link to them.
        let mut summaries: Vec<&Requirement> = Vec::new();
        for id in &changed {
            summaries.extend(old_keys.get(id).map(|x| x.1));
            summaries.extend(new_keys.get(id).map(|x| x.1));
            for v in &new.versions {
                plan.pages.insert(paths::requirement(&v.id, id));
            }
            plan.pages.insert(paths::permalink(id));
        }
        for r in &nv.requirements {
            if req_texts(r).any(|m| links_changed(m, true)) {
                summaries.push(r);
            }
            if r.related.iter().any(|x| changed.contains(x.value.as_str())) {
                plan.pages.insert(paths::requirement(vid, &r.id.value));
            }
        }
        for r in &summaries {
            plan.pages.insert(paths::requirement(vid, &r.id.value));
            plan.pages.insert(paths::chapter(vid, &r.chapter));
            for x in &r.references {
                plan.pages.insert(paths::reference(vid, &x.value));
            }
            for m in req_texts(r) {
                plan.pages.extend(ref_links(m).map(|x| paths::reference(vid, x)));
            }
        }
        for c in &nv.chapters {
            if c.intro.as_ref().is_some_and(|m| links_changed(m, true)) {
                plan.pages.insert(paths::chapter(vid, &c.id.value));
            }
        }
        for p in [paths::requirements_index, paths::references_index, paths::changes, paths::search_page] {
            plan.pages.insert(p(vid));
        }
        // The version home counts requirements per chapter, obligation and group.
        plan.pages.extend(nv.pages.iter().filter(|p| p.src == "index.md").map(|p| paths::page(vid, &p.out)));
        plan.pages.extend(new.config.target_groups.iter().map(|g| paths::group(vid, g.id.get_ref())));
        if vi > 0 {
            plan.pages.insert(paths::changes(&new.versions[vi - 1].id));
        }
        // `<a>/changes/<b>.html` compares a with b and lists the steps between: every pair
        // that spans `vi` (a newer or equal, b older or equal).
        for a in 0..=vi {
            for b in (a + 1).max(vi)..new.versions.len() {
                plan.pages.insert(paths::changes_from(&new.versions[a].id, &new.versions[b].id));
            }
        }
        plan.exports.extend(0..=vi);
        plan.bundles.insert(vi);
    }
    // `<v>/print.html` holds every page and requirement of `v`: it changes with any of them.
    for v in &new.versions {
        let prefix = format!("{}/", v.id);
        if plan.pages.iter().any(|p| p.starts_with(&prefix)) {
            plan.pages.insert(paths::print(&v.id));
        }
    }
    Some(plan)
}
