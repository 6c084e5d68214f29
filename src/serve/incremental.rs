//! Preview server, build side: keeps the last good build in memory and rebuilds after source
//! changes, re-rendering only the outputs an edit can change.
//!
//! Every rebuild loads the whole site, re-parses only files whose text changed (a
//! [`crate::model::ParseCache`]), validates everything (validation is global: a file's
//! diagnostics depend on others) and recomputes the version diffs. It then compares
//! the new model with the previous one. Edits to requirement records and page bodies are
//! rendered selectively (see [`plan`]); anything that reaches every page — `normbok.toml`,
//! the theme, chapters, references, page titles or order, requirement order — renders the
//! whole site. Either way the result is exactly what [`crate::compile`] would produce (the
//! `serve_incremental_*` test checks it byte for byte after a sequence of edits).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use axum::body::Bytes;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::markdown::Target;
use crate::model::{Md, Requirement, Site, Version};
use crate::versions::Versions;
use crate::{export, render, search, versions};

/// The served site: output path → bytes (cheap to clone: the bytes are shared).
pub type Served = BTreeMap<String, Bytes>;

/// What a successful build produced.
pub struct Built {
    /// The site.
    pub files: Served,
    /// Warnings.
    pub warnings: Diagnostics,
    /// How many outputs were rendered or recomputed (all of them for a full build).
    pub rendered: usize,
    /// Whether the whole site was rendered.
    pub full: bool,
}

/// The last good build and what it was built from.
struct Last {
    site: Site,
    hist: Versions,
    files: Served,
    /// Search-bundle warnings per version (kept for versions not rebuilt).
    bundle_warnings: Vec<Option<Diagnostic>>,
}

/// Rebuilds the site of one root.
pub struct Rebuilder {
    root: PathBuf,
    last: Option<Last>,
    /// Parsed files by path and text: only changed files are parsed again.
    cache: crate::model::ParseCache,
}

impl Rebuilder {
    /// A rebuilder with nothing built yet.
    pub fn new(root: &Path) -> Self {
        Rebuilder { root: root.to_path_buf(), last: None, cache: crate::model::ParseCache::default() }
    }

    /// The current site, if a build succeeded.
    pub fn files(&self) -> Option<&Served> {
        self.last.as_ref().map(|l| &l.files)
    }

    /// Builds after `changed` paths changed. The model comparison, not the list of paths,
    /// decides what is re-rendered (a missed event cannot leave a page stale); a changed
    /// `normbok.toml` or theme file always means a full render. On failure the previous
    /// build stays the current one.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Built, Diagnostics> {
        let timings = std::env::var_os("NORMBOK_TIMINGS").is_some();
        let t = std::time::Instant::now();
        let lap = |what: &str| {
            if timings {
                eprintln!("timing: rebuild {what} done at {} ms", t.elapsed().as_millis());
            }
        };
        let (site, mut diags) = crate::check_with(&self.root, Some(&mut self.cache))?;
        lap("load+model+validate");
        let hist = versions::analyse(&site);
        lap("versions");
        let config_or_theme = changed.iter().any(|p| {
            let rel = p.strip_prefix(&self.root).unwrap_or(p);
            rel == Path::new(crate::config::CONFIG_FILE) || rel.starts_with("themes")
        });
        let plan = match &self.last {
            Some(last) if !config_or_theme => plan(&last.site, &site),
            _ => None,
        };
        let (files, bundle_warnings, rendered, full) = match (plan, self.last.as_ref()) {
            (Some(p), Some(last)) => {
                let (files, warnings, n) = apply(last, &site, &hist, &p).map_err(|e| with(&diags, e))?;
                (files, warnings, n, false)
            }
            _ => {
                let (files, warnings) = full_build(&site, &hist).map_err(|e| with(&diags, e))?;
                let n = files.len();
                (files, warnings, n, true)
            }
        };
        lap(if full { "full render" } else { "partial render" });
        diags.extend(bundle_warnings.iter().flatten().cloned());
        let built = Built { files: files.clone(), warnings: diags, rendered, full };
        self.last = Some(Last { site, hist, files, bundle_warnings });
        Ok(built)
    }
}

fn with(diags: &Diagnostics, errors: Vec<Diagnostic>) -> Diagnostics {
    let mut d = diags.clone();
    d.extend(errors);
    d
}

type BundleWarnings = Vec<Option<Diagnostic>>;

/// Everything, as [`crate::compile`] does it.
fn full_build(site: &Site, hist: &Versions) -> Result<(Served, BundleWarnings), Vec<Diagnostic>> {
    let files = render::render(site, hist)?;
    let mut files: Served = files.into_iter().map(|(k, v)| (k, Bytes::from(v))).collect();
    let all: Vec<usize> = (0..site.versions.len()).collect();
    let mut warnings = vec![None; site.versions.len()];
    version_outputs(site, hist, &all, &all, &mut files, &mut warnings)?;
    files.insert(search::ENGINE_PATH.to_string(), Bytes::from(search::engine_file()));
    Ok((files, warnings))
}

/// The per-version outputs `compile` adds beside rendering: exports of `exports`, search
/// bundles of `bundles`.
fn version_outputs(
    site: &Site,
    hist: &Versions,
    exports: &[usize],
    bundles: &[usize],
    files: &mut Served,
    warnings: &mut BundleWarnings,
) -> Result<(), Vec<Diagnostic>> {
    for &vi in exports {
        files.extend(export::files(site, hist, vi).map(|(path, bytes)| (path, Bytes::from(bytes))));
    }
    for b in search::bundle_files(site, bundles)? {
        files.insert(b.path, Bytes::from(b.bytes));
        warnings[b.version] = b.warning;
    }
    Ok(())
}

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
fn req_key(r: &Requirement) -> String {
    let vals = |v: &[crate::model::At<String>]| v.iter().map(|x| x.value.as_str()).collect::<Vec<_>>().join("\u{1f}");
    format!(
        "{}\u{1e}{}\u{1e}{}\u{1e}{}\u{1e}{}\u{1e}{}\u{1e}{:?}\u{1e}{:?}\u{1e}{:?}\u{1e}{:?}\u{1e}{:?}\u{1e}{}\u{1e}{}\u{1e}{:?}",
        r.id.value,
        r.chapter,
        r.title,
        r.obligation.value,
        vals(&r.target_groups),
        r.statement.text,
        r.guidance.as_ref().map(|g| &g.text),
        r.items.iter().map(|i| &i.text).collect::<Vec<_>>(),
        r.status,
        r.applies_from.as_ref().map(|a| &a.value),
        r.changed.as_ref().map(|a| &a.value),
        vals(&r.references),
        vals(&r.related),
        r.source,
    )
}

/// Everything of a version except its requirement records and page bodies: when any of it
/// changes, every page of the site may change (navigation, switchers, lists).
fn shape_key(v: &Version) -> String {
    let chapters: Vec<String> = v
        .chapters
        .iter()
        .map(|c| format!("{}\u{1f}{}\u{1f}{}\u{1f}{:?}\u{1f}{}", c.id.value, c.title, c.order, c.intro.as_ref().map(|m| &m.text), c.file))
        .collect();
    let refs: Vec<String> = v
        .references
        .iter()
        .map(|r| {
            format!("{}\u{1f}{}\u{1f}{}\u{1f}{:?}\u{1f}{:?}", r.id.value, r.kind.value, r.title, r.designation, r.url.as_ref().map(|u| &u.value))
        })
        .collect();
    let pages: Vec<String> = v
        .pages
        .iter()
        .map(|p| {
            let groups: Vec<&str> = p.target_groups.iter().map(|g| g.value.as_str()).collect();
            format!("{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{:?}\u{1f}{:?}", p.src, p.out, p.file, p.title, p.order, p.summary, groups)
        })
        .collect();
    let assets: Vec<&str> = v.assets.iter().map(|a| a.rel.as_str()).collect();
    format!("{}\u{1e}{:?}\u{1e}{:?}\u{1e}{:?}\u{1e}{:?}\u{1e}{:?}\u{1e}{:?}", v.id, v.status, v.label, chapters, refs, pages, assets)
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

/// Decides what an edit can change, or `None` when the whole site must be rendered.
///
/// A changed requirement (added, removed, renamed or edited) of version `v` changes: its own
/// page and permalink, the page of the same ID in every other version ("in other versions",
/// history, switcher), pages that link to it or list it as related (labels carry its title),
/// the chapters and references that list it or a linking requirement, the version's list
/// pages (requirements, groups, references, search filters), the changes pages of `v` and
/// of the next newer version, every `changes/<older>.html` page whose pair spans `v`, the version home (counts), the exports of `v` and newer versions (histories) and the
/// search bundle of `v`. A changed page body changes that page, the version's reference
/// pages (back-links) and its search bundle.
pub fn plan(old: &Site, new: &Site) -> Option<Plan> {
    if format!("{:?}", old.config) != format!("{:?}", new.config) || format!("{:?}", old.theme) != format!("{:?}", new.theme) {
        return None;
    }
    if old.versions.len() != new.versions.len() {
        return None;
    }
    let mut plan = Plan::default();
    for p in ["index.html", "versions.html", "404.html"] {
        plan.pages.insert(p.into());
    }
    for (vi, (ov, nv)) in old.versions.iter().zip(&new.versions).enumerate() {
        if shape_key(ov) != shape_key(nv) {
            return None;
        }
        let vid = nv.id.as_str();
        // Page bodies.
        let mut bodies_changed = false;
        for (op, np) in ov.pages.iter().zip(&nv.pages) {
            if op.body.text != np.body.text {
                bodies_changed = true;
                plan.pages.insert(format!("{vid}/{}", np.out));
            }
        }
        if bodies_changed {
            plan.pages.insert(format!("{vid}/references/index.html"));
            plan.pages.extend(nv.references.iter().map(|r| format!("{vid}/references/{}.html", r.id.value)));
            plan.bundles.insert(vi);
        }
        // Requirements.
        let old_keys: BTreeMap<&str, (String, &Requirement)> = ov.requirements.iter().map(|r| (r.id.value.as_str(), (req_key(r), r))).collect();
        let new_keys: BTreeMap<&str, (String, &Requirement)> = nv.requirements.iter().map(|r| (r.id.value.as_str(), (req_key(r), r))).collect();
        let changed: BTreeSet<&str> =
            old_keys.keys().chain(new_keys.keys()).copied().filter(|id| old_keys.get(id).map(|x| &x.0) != new_keys.get(id).map(|x| &x.0)).collect();
        // Lists show requirements in model order; a pure reordering changes every list.
        let common = |keys: &BTreeMap<&str, (String, &Requirement)>, v: &Version, other: &BTreeMap<&str, (String, &Requirement)>| -> Vec<String> {
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
                    plan.pages.insert(format!("{}/{}", other.id, p.out));
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
                plan.pages.insert(format!("{}/requirements/{id}.html", v.id));
            }
            plan.pages.insert(format!("requirements/{id}.html"));
        }
        for r in &nv.requirements {
            if req_texts(r).any(|m| links_changed(m, true)) {
                summaries.push(r);
            }
            if r.related.iter().any(|x| changed.contains(x.value.as_str())) {
                plan.pages.insert(format!("{vid}/requirements/{}.html", r.id.value));
            }
        }
        for r in &summaries {
            plan.pages.insert(format!("{vid}/requirements/{}.html", r.id.value));
            plan.pages.insert(format!("{vid}/chapters/{}.html", r.chapter));
            for x in &r.references {
                plan.pages.insert(format!("{vid}/references/{}.html", x.value));
            }
            for m in req_texts(r) {
                plan.pages.extend(ref_links(m).map(|x| format!("{vid}/references/{x}.html")));
            }
        }
        for c in &nv.chapters {
            if c.intro.as_ref().is_some_and(|m| links_changed(m, true)) {
                plan.pages.insert(format!("{vid}/chapters/{}.html", c.id.value));
            }
        }
        for p in ["requirements/index.html", "references/index.html", "changes.html", "search.html"] {
            plan.pages.insert(format!("{vid}/{p}"));
        }
        // The version home counts requirements per chapter, obligation and group.
        plan.pages.extend(nv.pages.iter().filter(|p| p.src == "index.md").map(|p| format!("{vid}/{}", p.out)));
        plan.pages.extend(new.config.target_groups.iter().map(|g| format!("{vid}/groups/{}.html", g.id.get_ref())));
        if vi > 0 {
            plan.pages.insert(format!("{}/changes.html", new.versions[vi - 1].id));
        }
        // `<a>/changes/<b>.html` compares a with b and lists the steps between: every pair
        // that spans `vi` (a newer or equal, b older or equal).
        for a in 0..=vi {
            for b in (a + 1).max(vi)..new.versions.len() {
                plan.pages.insert(format!("{}/changes/{}.html", new.versions[a].id, new.versions[b].id));
            }
        }
        plan.exports.extend(0..=vi);
        plan.bundles.insert(vi);
    }
    // `<v>/print.html` holds every page and requirement of `v`: it changes with any of them.
    for v in &new.versions {
        let prefix = format!("{}/", v.id);
        if plan.pages.iter().any(|p| p.starts_with(&prefix)) {
            plan.pages.insert(format!("{prefix}print.html"));
        }
    }
    Some(plan)
}

/// Applies a plan to the last build: drops outputs that no longer exist, renders the
/// planned pages (and any page that is new), recomputes exports and bundles.
fn apply(last: &Last, site: &Site, hist: &Versions, plan: &Plan) -> Result<(Served, BundleWarnings, usize), Vec<Diagnostic>> {
    let mut files = last.files.clone();
    let old_pages: BTreeSet<String> = render::page_paths(&last.site, &last.hist).into_iter().collect();
    let new_pages: BTreeSet<String> = render::page_paths(site, hist).into_iter().collect();
    for gone in old_pages.difference(&new_pages) {
        files.remove(gone);
    }
    for v in &last.site.versions {
        for a in &v.assets {
            files.remove(&format!("{}/{}", v.id, a.rel));
        }
    }
    let want = |p: &str| plan.pages.contains(p) || (new_pages.contains(p) && !files.contains_key(p));
    let rendered = render::render_only(site, hist, &want)?;
    let n = rendered.len();
    for (k, v) in rendered {
        files.insert(k, Bytes::from(v));
    }
    let mut warnings = last.bundle_warnings.clone();
    let exports: Vec<usize> = plan.exports.iter().copied().collect();
    let bundles: Vec<usize> = plan.bundles.iter().copied().collect();
    version_outputs(site, hist, &exports, &bundles, &mut files, &mut warnings)?;
    if !site.config.base_url.is_empty() {
        // The sitemap only reads the paths of HTML files.
        let html: render::Files = files.keys().filter(|k| k.ends_with(".html")).map(|k| (k.clone(), Vec::new())).collect();
        files.insert("sitemap.xml".into(), Bytes::from(render::sitemap(site, &html).into_bytes()));
        // Feeds read every version's diff; they cost little next to one page.
        files.extend(render::feeds::files(site, hist).into_iter().map(|(p, b)| (p, Bytes::from(b))));
    }
    Ok((files, warnings, n + exports.len() * 2 + bundles.len()))
}
