//! Stages 4–5b together: every output file of a validated site — rendered pages, copies,
//! exports, search bundles, the sitemap — handed to a [`Sink`] as each is produced.
//!
//! One function for all callers: [`crate::compile`] assembles everything into memory,
//! `normbok build` streams everything into the staging folder ([`crate::output::Staging`]),
//! and the preview server assembles the part an edit changes ([`Selection`]) over its last
//! build.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diag::Diagnostic;
use crate::model::Site;
use crate::render::{self, RenderStats, Sink};
use crate::versions::Versions;
use crate::{export, paths, search};

/// What to produce.
pub struct Selection<'a> {
    /// Pages (by output path) to render; `None` for all.
    pub pages: Option<&'a (dyn Fn(&str) -> bool + Sync)>,
    /// Versions whose exports are written.
    pub exports: Vec<usize>,
    /// Versions whose search bundle is built.
    pub bundles: Vec<usize>,
}

impl Selection<'_> {
    /// Every output of the site (a full build).
    pub fn everything(site: &Site) -> Self {
        let all: Vec<usize> = (0..site.versions.len()).collect();
        Selection { pages: None, exports: all.clone(), bundles: all }
    }
}

/// What [`assemble`] produced besides the files.
#[derive(Debug, Default)]
pub struct Assembled {
    /// Per built search bundle: its version and its size warning.
    pub bundle_warnings: Vec<(usize, Option<Diagnostic>)>,
    /// Outputs produced (pages, copies, exports, bundles, engine, sitemap).
    pub files: usize,
    /// The page rendering's figures.
    pub render: RenderStats,
}

/// Counts what passes through to the real sink.
struct Counted<'a> {
    inner: &'a dyn Sink,
    n: AtomicUsize,
}

impl Sink for Counted<'_> {
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.n.fetch_add(1, Ordering::Relaxed);
        self.inner.put(path, bytes)
    }
}

/// Produces the selected outputs of `site` into `sink`. The theme's static files, the page
/// assets, the search engine and the sitemap (when `base_url` is set) are always written.
pub fn assemble(site: &Site, hist: &Versions, sel: &Selection<'_>, sink: &dyn Sink) -> Result<Assembled, Vec<Diagnostic>> {
    let t = crate::Timer::new();
    let counted = Counted { inner: sink, n: AtomicUsize::new(0) };
    let sink = &counted;
    let theme = render::theme::load(&site.theme, &site.config.theme)?;
    let stats = render::render_pages(site, hist, &theme, sel.pages.unwrap_or(&|_| true), sink)?;
    render::copies(site, &theme, sink)?;
    let one = |d: Diagnostic| vec![d];
    for &vi in &sel.exports {
        for (path, bytes) in export::files(site, hist, vi) {
            sink.put(path, bytes).map_err(one)?;
        }
    }
    t.lap("render+export");
    let mut out = Assembled { render: stats, ..Assembled::default() };
    // One version at a time, each bundle handed over before the next is built: building
    // them side by side held several index writers and document sets in memory at once,
    // so peak memory grew with the number of versions (issue 12).
    for &vi in &sel.bundles {
        for b in search::bundle_files(site, &[vi])? {
            sink.put(b.path, b.bytes).map_err(one)?;
            out.bundle_warnings.push((b.version, b.warning));
        }
    }
    sink.put(paths::SEARCH_ENGINE.to_string(), search::engine_file()).map_err(one)?;
    t.lap("search");
    if !site.config.base_url.is_empty() {
        // From the site's output paths, not from what was just produced: a partial rebuild
        // still lists every page.
        let xml = render::sitemap(site, output_paths(site, hist, &theme).iter().map(String::as_str));
        sink.put(paths::SITEMAP.to_string(), xml.into_bytes()).map_err(one)?;
        // Feeds read every version's diff; they cost little next to one page.
        for (path, bytes) in render::feeds::files(site, hist) {
            sink.put(path, bytes).map_err(one)?;
        }
    }
    out.files = counted.n.load(Ordering::Relaxed);
    Ok(out)
}

/// Every output path of a full build except the sitemap, without rendering anything.
fn output_paths(site: &Site, hist: &Versions, theme: &render::theme::Theme) -> Vec<String> {
    let mut all = render::page_paths(site, hist);
    all.extend(render::copy_paths(site, theme));
    for (vi, v) in site.versions.iter().enumerate() {
        all.extend(export::output_paths(site, vi));
        all.push(paths::search_bundle(&v.id));
    }
    all.push(paths::SEARCH_ENGINE.to_string());
    all
}
