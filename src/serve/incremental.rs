//! Preview server, build side: keeps the last good build in memory and rebuilds after source
//! changes, re-rendering only the outputs an edit can change.
//!
//! Every rebuild loads the whole site, re-parses only files whose text changed (a
//! [`crate::model::ParseCache`]), validates everything (validation is global: a file's
//! diagnostics depend on others) and recomputes the version diffs. It then compares
//! the new model with the previous one. Edits to requirement records and page bodies are
//! rendered selectively (see [`crate::render::affected`]); anything that reaches every page — `normbok.toml`,
//! the theme, chapters, references, page titles or order, requirement order — renders the
//! whole site. Either way the result is exactly what [`crate::compile`] would produce (the
//! `serve_incremental_*` test checks it byte for byte after a sequence of edits).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use axum::body::Bytes;

use crate::assemble::{self, Selection};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Site;
pub use crate::render::affected::{Plan, plan};
use crate::versions::Versions;
use crate::{paths, render, versions};

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

/// The preview's sink: the served map, filled from many threads.
struct ServedSink(std::sync::Mutex<Served>);

impl render::Sink for ServedSink {
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(path, Bytes::from(bytes));
        Ok(())
    }
}

/// Assembles `sel` over `files` (the previous build's outputs that still hold).
fn assemble_over(
    site: &Site,
    hist: &Versions,
    sel: &Selection<'_>,
    files: Served,
    warnings: &mut BundleWarnings,
) -> Result<(Served, usize), Vec<Diagnostic>> {
    let sink = ServedSink(std::sync::Mutex::new(files));
    let a = assemble::assemble(site, hist, sel, &sink)?;
    for (vi, w) in a.bundle_warnings {
        warnings[vi] = w;
    }
    Ok((sink.0.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner), a.files))
}

/// Everything, as [`crate::compile`] does it.
fn full_build(site: &Site, hist: &Versions) -> Result<(Served, BundleWarnings), Vec<Diagnostic>> {
    let mut warnings = vec![None; site.versions.len()];
    let (files, _) = assemble_over(site, hist, &Selection::everything(site), Served::new(), &mut warnings)?;
    Ok((files, warnings))
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
            files.remove(&paths::page(&v.id, &a.rel));
        }
    }
    let missing: BTreeSet<&String> = new_pages.iter().filter(|p| !files.contains_key(*p)).collect();
    let want = |p: &str| plan.pages.contains(p) || missing.contains(&p.to_string());
    let sel = Selection { pages: Some(&want), exports: plan.exports.iter().copied().collect(), bundles: plan.bundles.iter().copied().collect() };
    let mut warnings = last.bundle_warnings.clone();
    let (files, n) = assemble_over(site, hist, &sel, files, &mut warnings)?;
    Ok((files, warnings, n))
}
