//! Stage 4 (render): the validated model → every output page.
//!
//! Builds one template context per output page and renders them in parallel (rayon). No disk
//! I/O happens here; the result is a sorted map from output path to bytes, which the output
//! stage writes atomically (or the preview server serves from memory).
//!
//! Where things are: `jobs` lists the pages and their paths (from [`crate::paths`]);
//! `vdata` computes what a version's pages share; `layout` is the context every page
//! shares; one module per page family builds its pages (`requirements`, `references`,
//! `changes`, `site`, `guide`); [`affected`] predicts which pages an edit changes.

pub mod affected;
mod changes;
mod compare;
pub mod feeds;
mod guide;
pub mod i18n;
mod jobs;
mod layout;
mod links;
pub mod markdown;
mod print;
mod references;
mod requirements;
mod site;
pub mod theme;
pub mod urls;
mod vdata;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde_json::Value;

use crate::config::{Language, RawHtml, VersionStatus};
use crate::diag::{Diagnostic, Loc};
use crate::model::Site;
use crate::paths;
use crate::versions::Versions;

pub use changes::change_anchor;
pub use jobs::page_paths;
use jobs::{Job, job_path, jobs};
pub use site::sitemap;
use vdata::{VersionData, version_data};

/// Rendered output: site-relative path → bytes, sorted (deterministic).
pub type Files = BTreeMap<String, Vec<u8>>;

/// What the page builders share while rendering one site.
struct Ctx<'a> {
    site: &'a Site,
    hist: &'a Versions,
    theme: &'a theme::Theme,
    lang: Language,
    t: Value,
    raw: RawHtml,
    vdata: Vec<VersionData<'a>>,
    current: usize,
}

/// Where rendered files go as soon as each is ready: the staging folder of `normbok build`
/// ([`crate::output::Staging`]), or memory for `compile` and the preview server. Called from
/// many threads at once; paths arrive in no particular order, each exactly once.
pub trait Sink: Sync {
    /// Takes one output file.
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), Diagnostic>;
}

/// A sink that keeps everything in a [`Files`] map.
#[derive(Default)]
pub struct MemorySink(pub std::sync::Mutex<Files>);

impl MemorySink {
    /// The collected files.
    pub fn into_files(self) -> Files {
        self.0.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Sink for MemorySink {
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(path, bytes);
        Ok(())
    }
}

/// What [`render_pages`] did.
#[derive(Debug, Default, Clone, Copy)]
pub struct RenderStats {
    /// Pages rendered (and handed to the sink).
    pub pages: usize,
    /// Bytes of pages rendered but not yet taken by the sink, at most at any time: with
    /// streaming this is bounded by the rendering threads × the largest page, not by the site.
    pub peak_held_bytes: usize,
    /// Bytes of all pages rendered.
    pub total_bytes: usize,
}

/// Renders the whole site into memory: every page, the theme's static files, the page assets
/// and the sitemap (no exports or search bundles: [`crate::assemble`] adds those).
pub fn render(site: &Site, hist: &Versions) -> Result<Files, Vec<Diagnostic>> {
    let theme = theme::load(&site.theme, &site.config.theme)?;
    let sink = MemorySink::default();
    render_pages(site, hist, &theme, &|_| true, &sink)?;
    copies(site, &theme, &sink)?;
    let mut files = sink.into_files();
    if !site.config.base_url.is_empty() {
        let xml = sitemap(site, files.keys().map(String::as_str));
        files.insert(paths::SITEMAP.into(), xml.into_bytes());
        files.extend(feeds::files(site, hist));
    }
    Ok(files)
}

/// The theme's static files and the page assets (plain copies), into `sink`.
pub fn copies(site: &Site, theme: &theme::Theme, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
    for (name, bytes) in &theme.statics {
        sink.put(paths::static_file(name), bytes.clone()).map_err(|d| vec![d])?;
    }
    for v in &site.versions {
        for a in &v.assets {
            sink.put(paths::page(&v.id, &a.rel), a.bytes.clone()).map_err(|d| vec![d])?;
        }
    }
    Ok(())
}

/// Output paths of the copies [`copies`] writes.
pub fn copy_paths(site: &Site, theme: &theme::Theme) -> Vec<String> {
    let statics = theme.statics.keys().map(|n| paths::static_file(n));
    statics.chain(site.versions.iter().flat_map(|v| v.assets.iter().map(|a| paths::page(&v.id, &a.rel)))).collect()
}

/// Renders the pages whose output path `want` accepts, in parallel, handing each to `sink`
/// as soon as it is rendered. The preview server uses `want` to re-render just what an edit
/// can change. On template errors every error is returned (sorted, deduplicated); pages
/// rendered before may already be in the sink, which the caller then discards.
pub fn render_pages(
    site: &Site,
    hist: &Versions,
    theme: &theme::Theme,
    want: &(dyn Fn(&str) -> bool + Sync),
    sink: &dyn Sink,
) -> Result<RenderStats, Vec<Diagnostic>> {
    let logo = &site.config.logo;
    if !logo.is_empty() && !theme.statics.contains_key(logo) {
        return Err(vec![
            Diagnostic::error("E-CONFIG", Loc::file("normbok.toml"), format!("logo `{logo}` is not a file of the theme's static folder"))
                .help(format!("put the image at themes/{}/static/{logo}, or remove the `logo` key", site.config.theme)),
        ]);
    }
    let lang = site.config.language;
    let raw = site.config.markdown.raw_html;
    let jobs: Vec<Job<'_>> = jobs(site, hist).into_iter().filter(|j| want(&job_path(site, *j))).collect();
    // Per-version data only where some page of it is rendered, and the requirements' HTML
    // only for those shown: all of them when a list page of the version is rendered.
    let mut needed: Vec<Option<Option<BTreeSet<usize>>>> = vec![None; site.versions.len()];
    for j in &jobs {
        let Some(vi) = j.version() else { continue };
        let n = needed[vi].get_or_insert_with(|| Some(BTreeSet::new()));
        match (j, n) {
            (Job::Req(_, ri), Some(set)) => {
                set.insert(*ri);
            }
            (Job::Page(..) | Job::Changes(_) | Job::ChangesFrom(..) | Job::Search(_) | Job::Contents(_) | Job::Toc(_), _) => {}
            (_, n) => *n = None,
        }
    }
    let current = site.versions.iter().position(|v| v.status == VersionStatus::Current).unwrap_or(0);
    let t = i18n::strings(lang);
    let held = AtomicUsize::new(0);
    let peak = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let mut errors: Vec<Diagnostic> = Vec::new();
    // One version at a time: its data (requirement HTML, back-links, CSV rows) is built,
    // its pages rendered in parallel and streamed out, and the data dropped before the next
    // version's, so memory holds the model and one version's data, not all of them. Pages
    // read other versions only through the model (ids, titles). Site-level pages first.
    let groups = std::iter::once(None).chain((0..site.versions.len()).map(Some));
    for group in groups {
        let group_jobs: Vec<Job<'_>> = jobs.iter().copied().filter(|j| j.version() == group).collect();
        if group_jobs.is_empty() {
            continue;
        }
        let mut vdata: Vec<VersionData<'_>> = site.versions.iter().map(|_| VersionData::default()).collect();
        if let Some(vi) = group
            && let Some(only) = &needed[vi]
        {
            vdata[vi] = version_data(site, &site.versions[vi], raw, only.as_ref());
        }
        let ctx = Ctx { site, hist, theme, lang, t: t.clone(), raw, vdata, current };
        errors.extend(
            group_jobs
                .par_iter()
                .filter_map(|j| {
                    let (path, html) = match ctx.run(*j) {
                        Ok(x) => x,
                        Err(d) => return Some(d),
                    };
                    debug_assert_eq!(path, job_path(site, *j), "job_path must name what the job renders");
                    let n = html.len();
                    peak.fetch_max(held.fetch_add(n, Ordering::Relaxed) + n, Ordering::Relaxed);
                    total.fetch_add(n, Ordering::Relaxed);
                    let r = sink.put(path, html.into_bytes());
                    held.fetch_sub(n, Ordering::Relaxed);
                    r.err()
                })
                .collect::<Vec<_>>(),
        );
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.message.cmp(&b.message));
        errors.dedup_by(|a, b| a.message == b.message);
        return Err(errors);
    }
    Ok(RenderStats { pages: jobs.len(), peak_held_bytes: peak.into_inner(), total_bytes: total.into_inner() })
}
