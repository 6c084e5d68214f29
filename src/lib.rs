//! normbok: compiles normative guidance — requirement records in YAML and guide pages in
//! Markdown — into a versioned static website.
//!
//! The pipeline flows one way: [`load`] (files → text) → [`model`] (typed records) →
//! [`validate`] (cross-references) → [`versions`] (diffs) → [`render`] (in-memory files) →
//! [`output`] (atomic write). [`compile`] runs everything up to rendering; [`build`] also writes.
//! `linkcheck` (feature `linkcheck`) checks external links after validation, never in `build`.

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
pub mod render;
pub mod search;
#[cfg(feature = "serve")]
pub mod serve;
pub mod validate;
pub mod versions;

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

/// Runs the pipeline up to rendering (nothing is written).
pub fn compile(root: &Path) -> Result<Compiled, Diagnostics> {
    let t = Timer::new();
    let (site, mut diags) = check(root)?;
    t.lap("load+model+validate");
    let hist = versions::analyse(&site);
    t.lap("versions");
    let mut files = match render::render(&site, &hist) {
        Ok(f) => f,
        Err(errs) => {
            diags.extend(errs);
            return Err(diags);
        }
    };
    for vi in 0..site.versions.len() {
        files.extend(export::files(&site, &hist, vi));
    }
    t.lap("render+export");
    let all: Vec<usize> = (0..site.versions.len()).collect();
    match search::bundle_files(&site, &all) {
        Ok(bundles) => {
            for b in bundles {
                files.insert(b.path, b.bytes);
                diags.extend(b.warning);
            }
        }
        Err(errors) => {
            diags.extend(errors);
            return Err(diags);
        }
    }
    files.insert(search::ENGINE_PATH.to_string(), search::engine_file());
    t.lap("search");
    Ok(Compiled { site, versions: hist, files, diagnostics: diags })
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
    if let Some(z) = &opts.zip
        && let Err(e) = output::check_out_path(&opts.root, z)
    {
        return Outcome::one(Exit::Usage, e.diagnostic().clone());
    }
    let started = std::time::Instant::now();
    let compiled = match compile(&opts.root) {
        Ok(c) => c,
        Err(d) => return Outcome::fail(Exit::Invalid, d),
    };
    if strict_failed(opts.strict, &compiled.diagnostics) {
        let mut d = compiled.diagnostics;
        d.push(Diagnostic::global("E-STRICT", "warnings are errors with --strict"));
        return Outcome::fail(Exit::Invalid, d);
    }
    let preserve = &compiled.site.config.output.preserve;
    let t = Timer::new();
    let written = output::write_site(&out, &compiled.files, preserve);
    t.lap("write");
    if let Err(e) = written {
        let exit = match e {
            output::OutputError::Locked(_) => Exit::Locked,
            output::OutputError::Refused(_) => Exit::Usage,
            output::OutputError::Io(_) => Exit::Invalid,
        };
        let mut d = compiled.diagnostics;
        d.push(e.diagnostic().clone());
        return Outcome::fail(exit, d);
    }
    if let Some(z) = &opts.zip
        && let Err(e) = output::write_zip(z, &compiled.files)
    {
        let mut d = compiled.diagnostics;
        d.push(e.diagnostic().clone());
        return Outcome::fail(Exit::Invalid, d);
    }
    let reqs: usize = compiled.site.versions.iter().map(|v| v.requirements.len()).sum();
    let built = format!(
        "built {} files ({} versions, {} requirements) into {} in {} ms",
        compiled.files.len(),
        compiled.site.versions.len(),
        reqs,
        opts.out.display(),
        started.elapsed().as_millis()
    );
    // Said once per build, on stderr with the summary: not a warning, so --strict passes.
    let summary = match render::feeds::note(&compiled.site) {
        Some(note) => format!("{note}\n{built}"),
        None => built,
    };
    Outcome { exit: Exit::Success, diagnostics: compiled.diagnostics, summary: Some(summary) }
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
            Outcome { exit: Exit::Success, diagnostics: d, summary: Some(format!("ok: {} versions, {reqs} requirements", site.versions.len())) }
        }
        Err(d) => Outcome::fail(Exit::Invalid, d),
    }
}
