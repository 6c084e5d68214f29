//! normbok: compiles normative guidance — requirement records in YAML and guide pages in
//! Markdown — into a versioned static website.
//!
//! The pipeline flows one way: [`load`] (files → text) → [`model`] (typed records) →
//! [`validate`] (cross-references) → [`versions`] (diffs) → [`render`] (pages) → [`output`]
//! (atomic write); [`assemble`] hands every output to a sink as it is produced. [`compile`]
//! assembles into memory; [`build`] streams into the staging folder and swaps it in.
//! `linkcheck` (feature `linkcheck`) checks external links after validation, never in `build`.

pub mod assemble;
pub mod cli;
pub mod config;
pub mod diag;
pub mod export;
pub mod init;
#[cfg(feature = "linkcheck")]
pub mod linkcheck;
pub mod load;
pub mod model;
pub mod newversion;
pub mod output;
pub mod paths;
pub mod render;
pub mod schema;
pub mod search;
#[cfg(feature = "serve")]
pub mod serve;
pub mod validate;
pub mod versions;
pub mod xlsx;

use std::path::{Path, PathBuf};

use diag::{Diagnostic, Diagnostics, Exit};
use render::Files;

/// A compiled site: the model, its version history and every output file.
pub struct Compiled {
    /// The validated model.
    pub site: model::Site,
    /// Diffs and histories.
    pub versions: versions::Versions,
    /// Output files (path → bytes).
    pub files: Files,
    /// Warnings (no errors).
    pub diagnostics: Diagnostics,
}

/// Loads, models and validates a site. Returns every diagnostic on failure.
pub fn check(root: &Path) -> Result<(model::Site, Diagnostics), Diagnostics> {
    check_with(root, None)
}

/// [`check`] with a parse cache kept between runs (the preview server's rebuilds).
pub fn check_with(root: &Path, cache: Option<&mut model::ParseCache>) -> Result<(model::Site, Diagnostics), Diagnostics> {
    let loaded = load::load(root)?;
    let (site, mut diags) = model::build_with(loaded, cache);
    diags.extend(validate::validate(&site).items().iter().cloned());
    if diags.has_errors() { Err(diags) } else { Ok((site, diags)) }
}

/// Runs the pipeline up to rendering (nothing is written): every output file in memory.
pub fn compile(root: &Path) -> Result<Compiled, Diagnostics> {
    compile_with(root, None)
}

/// [`compile`] with `base_url` replaced (`build --base-url`).
pub fn compile_with(root: &Path, base_url: Option<&str>) -> Result<Compiled, Diagnostics> {
    let t = Timer::new();
    let (mut site, mut diags) = check(root)?;
    if let Some(url) = base_url {
        site.config.base_url = url.to_string();
    }
    t.lap("load+model+validate");
    let hist = versions::analyse(&site);
    t.lap("versions");
    let sink = render::MemorySink::default();
    match assemble::assemble(&site, &hist, &assemble::Selection::everything(&site), &sink) {
        Ok(a) => diags.extend(a.bundle_warnings.into_iter().filter_map(|(_, w)| w)),
        Err(errors) => {
            diags.extend(errors);
            return Err(diags);
        }
    }
    Ok(Compiled { site, versions: hist, files: sink.into_files(), diagnostics: diags })
}

/// Stage timings on stderr when `NORMBOK_TIMINGS` is set (for profiling, not for tests).
struct Timer {
    start: std::time::Instant,
    on: bool,
}

impl Timer {
    fn new() -> Self {
        Timer { start: std::time::Instant::now(), on: std::env::var_os("NORMBOK_TIMINGS").is_some() }
    }

    fn lap(&self, what: &str) {
        if self.on {
            eprintln!("timing: {what} done at {} ms", self.start.elapsed().as_millis());
        }
    }
}

/// Options of `normbok build`.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Site root.
    pub root: PathBuf,
    /// Output folder.
    pub out: PathBuf,
    /// Warnings are errors.
    pub strict: bool,
    /// Also write a zip.
    pub zip: Option<PathBuf>,
    /// `--base-url`: overrides `base_url` of normbok.toml.
    pub base_url: Option<String>,
}

/// The result of a command: what to print and how to exit.
#[derive(Debug)]
pub struct Outcome {
    /// Exit code.
    pub exit: Exit,
    /// Diagnostics to print on stderr.
    pub diagnostics: Diagnostics,
    /// A summary line for stderr on success.
    pub summary: Option<String>,
}

impl Outcome {
    fn fail(exit: Exit, diagnostics: Diagnostics) -> Self {
        Outcome { exit, diagnostics, summary: None }
    }

    fn one(exit: Exit, d: Diagnostic) -> Self {
        let mut ds = Diagnostics::new();
        ds.push(d);
        Self::fail(exit, ds)
    }
}

fn strict_failed(strict: bool, diags: &Diagnostics) -> bool {
    strict && diags.warning_count() > 0
}

/// `normbok build`.
pub fn build(opts: &BuildOptions) -> Outcome {
    let out = match output::check_out_path(&opts.root, &opts.out) {
        Ok(o) => o,
        Err(e) => return Outcome::one(Exit::Usage, e.diagnostic().clone()),
    };
    let zip = match opts.zip.as_deref().map(|z| output::check_zip_path(&opts.root, z, &out)).transpose() {
        Ok(z) => z,
        Err(e) => return Outcome::one(Exit::Usage, e.diagnostic().clone()),
    };
    // Refuse a foreign output folder before the work of compiling; `write_site` checks
    // again under the lock. A configuration that does not parse fails in `compile` anyway.
    if let Some(cfg) = std::fs::read_to_string(opts.root.join(config::CONFIG_FILE)).ok().and_then(|t| config::parse(&t, config::CONFIG_FILE).ok())
        && let Err(e) = output::check_out_contents(&out, &cfg.output.preserve)
    {
        return Outcome::one(Exit::Usage, e.diagnostic().clone());
    }
    if let Some(url) = &opts.base_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        let d = Diagnostic::global("E-URL-SCHEME", format!("--base-url `{url}` must start with https:// or http://"))
            .help("give the absolute address the site is published at, e.g. --base-url https://example.org/guide/");
        return Outcome::one(Exit::Usage, d);
    }
    let started = std::time::Instant::now();
    let t = Timer::new();
    let (mut site, mut diags) = match check(&opts.root) {
        Ok(x) => x,
        Err(d) => return Outcome::fail(Exit::Invalid, d),
    };
    if let Some(url) = &opts.base_url {
        site.config.base_url = url.clone();
    }
    t.lap("load+model+validate");
    let hist = versions::analyse(&site);
    t.lap("versions");
    // Files go to the staging folder as they are rendered; until `commit` the previous
    // output is untouched, and any early return drops (removes) the staging folder.
    let staging = match output::Staging::begin(&out, &site.config.output.preserve) {
        Ok(s) => s,
        Err(e) => return output_failed(&site, diags, e),
    };
    let sink = NamedSink { staging: &staging, site: &site };
    match assemble::assemble(&site, &hist, &assemble::Selection::everything(&site), &sink) {
        Ok(a) => diags.extend(a.bundle_warnings.into_iter().filter_map(|(_, w)| w)),
        Err(errors) => {
            diags.extend(errors);
            return Outcome::fail(Exit::Invalid, diags);
        }
    }
    if strict_failed(opts.strict, &diags) {
        diags.push(Diagnostic::global("E-STRICT", "warnings are errors with --strict"));
        return Outcome::fail(Exit::Invalid, diags);
    }
    let written = staging.commit(zip.as_deref());
    t.lap("write");
    let written = match written {
        Ok(w) => w,
        Err(e) => return output_failed(&site, diags, e),
    };
    let reqs: usize = site.versions.iter().map(|v| v.requirements.len()).sum();
    let built = format!(
        "built {} ({}, {}) into {} in {} ms",
        count(written.len(), "file", "files"),
        count(site.versions.len(), "version", "versions"),
        count(reqs, "requirement", "requirements"),
        opts.out.display(),
        started.elapsed().as_millis()
    );
    // Said once per build, on stderr with the summary: not a warning, so --strict passes.
    let summary = match render::feeds::note(&site) {
        Some(note) => format!("{note}\n{built}"),
        None => built,
    };
    Outcome { exit: Exit::Success, diagnostics: diags, summary: Some(summary) }
}

/// The staging folder as the renderer's sink, naming the source of a file that cannot be
/// written (`E-OUTPUT` with "this file is generated from …").
struct NamedSink<'a> {
    staging: &'a output::Staging,
    site: &'a model::Site,
}

impl render::Sink for NamedSink<'_> {
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.staging.write(&path, &bytes).map_err(|e| {
            let d = e.diagnostic().clone();
            match source_of(self.site, &path) {
                Some(src) => d.help(format!("this file is generated from {src}")),
                None => d,
            }
        })
    }
}

/// An output failure as an outcome: the exit code of its kind, and for a file that could
/// not be written the source it is generated from.
fn output_failed(site: &model::Site, mut diags: Diagnostics, e: output::OutputError) -> Outcome {
    let exit = match e {
        output::OutputError::Locked(_) => Exit::Locked,
        output::OutputError::Refused(_) => Exit::Usage,
        output::OutputError::Io(_) | output::OutputError::IoFile(_) => Exit::Invalid,
    };
    let mut diag = e.diagnostic().clone();
    if let output::OutputError::IoFile(b) = &e
        && let Some(src) = source_of(site, &b.1)
    {
        diag = diag.help(format!("this file is generated from {src}"));
    }
    diags.push(diag);
    Outcome::fail(exit, diags)
}

/// The source file an output file is generated from, when there is one (guide pages, page
/// assets, requirement and chapter pages), for `E-OUTPUT` diagnostics.
fn source_of(site: &model::Site, rel: &str) -> Option<String> {
    let (vid, rest) = rel.split_once('/')?;
    let v = site.versions.iter().find(|v| v.id == vid)?;
    if let Some(p) = v.pages.iter().find(|p| p.out == rest) {
        return Some(p.file.clone());
    }
    if let Some(a) = v.assets.iter().find(|a| a.rel == rest) {
        return Some(a.src.clone());
    }
    if let Some(id) = rest.strip_prefix("requirements/").and_then(|r| r.strip_suffix(".html")) {
        return v.requirement(id).map(|r| r.id.loc.path.clone());
    }
    let id = rest.strip_prefix("chapters/").and_then(|r| r.strip_suffix(".html"))?;
    v.chapter(id).map(|c| c.file.clone())
}

/// `1 version`, `2 versions`: a count with the right form of the noun.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `normbok check` (content only).
pub fn check_command(root: &Path, strict: bool) -> Outcome {
    match check(root) {
        Ok((site, d)) => {
            if strict_failed(strict, &d) {
                let mut d = d;
                d.push(Diagnostic::global("E-STRICT", "warnings are errors with --strict"));
                return Outcome::fail(Exit::Invalid, d);
            }
            let reqs: usize = site.versions.iter().map(|v| v.requirements.len()).sum();
            Outcome {
                exit: Exit::Success,
                diagnostics: d,
                summary: Some(format!("ok: {}, {}", count(site.versions.len(), "version", "versions"), count(reqs, "requirement", "requirements"))),
            }
        }
        Err(d) => Outcome::fail(Exit::Invalid, d),
    }
}
