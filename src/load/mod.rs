//! Stage 1 (load): filesystem → decoded source files, grouped by version.
//!
//! Reads `normbok.toml`, then every file under `content/<version>/` and the site's theme
//! folder. Produces text (UTF-8, NFC, `\n`) for sources and bytes for assets; every problem
//! (size, encoding, names, symlinks, I/O) is a located diagnostic. No parsing of records here
//! beyond the configuration, which decides what to read.

pub mod frontmatter;
pub mod records;
pub mod walk;
pub mod yaml;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{self, CONFIG_FILE, SiteConfig};
use crate::diag::{Diagnostic, Diagnostics, Loc};
pub use walk::{Found, TextFile};

/// A binary file carried into the output unchanged (page assets, theme static files).
#[derive(Debug, Clone)]
pub struct Asset {
    /// Path relative to its source folder (`pages/` or the theme's `static/`), with `/`.
    pub rel: String,
    /// Site-relative source path, for diagnostics.
    pub src: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// The sources of one version.
#[derive(Debug, Clone, Default)]
pub struct VersionSources {
    /// Version id.
    pub id: String,
    /// `requirements/*.yaml`.
    pub requirement_files: Vec<TextFile>,
    /// `references/*.yaml`.
    pub reference_files: Vec<TextFile>,
    /// `pages/**/*.md`.
    pub pages: Vec<TextFile>,
    /// Other files under `pages/` (images, PDFs), copied as they are.
    pub assets: Vec<Asset>,
}

/// A site's theme overrides (the embedded default theme fills the rest).
#[derive(Debug, Clone, Default)]
pub struct ThemeSources {
    /// Template name → source.
    pub templates: Vec<TextFile>,
    /// Static files.
    pub statics: Vec<Asset>,
}

/// Everything read from disk.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Canonical site root.
    pub root: PathBuf,
    /// Parsed configuration.
    pub config: SiteConfig,
    /// Source text of `normbok.toml` (for later edits such as `version new`).
    pub config_text: String,
    /// One entry per `[[versions]]`, in configuration order.
    pub versions: Vec<VersionSources>,
    /// The site's own theme files, if it has any.
    pub theme: ThemeSources,
    /// Warnings found while reading (ignored files, undeclared version folders). They travel
    /// with the sources so that later stages report them and `--strict` can fail on them.
    pub warnings: Vec<Diagnostic>,
}

/// Loads the configuration only.
pub fn load_config(root: &Path) -> Result<(SiteConfig, String), Diagnostics> {
    let path = root.join(CONFIG_FILE);
    let found = Found { rel: CONFIG_FILE.to_string(), abs: path.clone() };
    if let Ok(canonical_root) = std::fs::canonicalize(root)
        && let Err(d) = walk::check_inside(&canonical_root, &path)
    {
        let mut ds = Diagnostics::new();
        ds.push(d);
        return Err(ds);
    }
    if !path.exists() {
        let mut d = Diagnostics::new();
        d.push(
            // No location: the file does not exist, so `normbok.toml:1:1` would point nowhere.
            Diagnostic::global("E-CONFIG", format!("no {CONFIG_FILE} in {}: this is not a normbok site", root.display()))
                .help("run normbok in the site folder or pass --root DIR")
                .help("to start a new site, run `normbok init DIR`"),
        );
        return Err(d);
    }
    let text = walk::read_text(&found, config::DEFAULT_MAX_FILE_SIZE).map_err(|d| {
        let mut ds = Diagnostics::new();
        ds.push(d);
        ds
    })?;
    let cfg = config::parse(&text.text, CONFIG_FILE)?;
    Ok((cfg, text.text))
}

/// Loads the whole site below `root`.
pub fn load(root: &Path) -> Result<Loaded, Diagnostics> {
    let root = std::fs::canonicalize(root).map_err(|e| {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::global("E-IO", format!("cannot open site root {}: {e}", root.display())));
        d
    })?;
    let (config, config_text) = load_config(&root)?;
    let mut diags: Vec<Diagnostic> = Vec::new();
    let max = config.limits.max_file_size;

    let content = root.join("content");
    let mut versions = Vec::new();
    if let Err(d) = walk::check_inside(&root, &content) {
        // A `content` symlink to somewhere else: nothing below it is read or listed.
        let mut all = Diagnostics::new();
        all.push(d);
        return Err(all);
    }
    for v in &config.versions {
        let id = v.id.get_ref();
        let dir = content.join(id);
        if !dir.is_dir() {
            diags.push(
                Diagnostic::error("E-VERSION", Loc::file(CONFIG_FILE), format!("version `{id}` has no folder content/{id}/"))
                    .help(format!("create content/{id}/pages/index.md, or remove the [[versions]] entry")),
            );
            continue;
        }
        versions.push(load_version(&root, &dir, id, max, &mut diags));
    }
    if let Ok(rd) = std::fs::read_dir(&content) {
        let mut undeclared: Vec<String> = rd
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !config.versions.iter().any(|v| v.id.get_ref() == n))
            .collect();
        undeclared.sort();
        let mut loose: Vec<String> = std::fs::read_dir(&content)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| !e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !is_hidden(n))
                    .collect()
            })
            .unwrap_or_default();
        loose.sort();
        for n in loose {
            diags.push(
                Diagnostic::warning("W-IGNORED-FILE", Loc::file(format!("content/{n}")), "file is not part of the site and is ignored")
                    .help("content/ holds one folder per version declared in [[versions]]"),
            );
        }
        for n in undeclared {
            diags.push(Diagnostic::warning(
                "W-UNDECLARED-VERSION",
                Loc::file(format!("content/{n}")),
                format!("content/{n}/ is not declared in [[versions]] and is not built"),
            ));
        }
    }

    let theme_dir = root.join("themes").join(&config.theme);
    let theme = if theme_dir.is_dir() {
        load_theme(&root, &theme_dir, max, &mut diags)
    } else {
        if config.theme != "default" {
            diags.push(
                Diagnostic::error("E-CONFIG", Loc::file(CONFIG_FILE), format!("theme `{}` not found in themes/", config.theme))
                    .help("use theme = \"default\" (embedded) or create themes/<name>/templates/"),
            );
        }
        ThemeSources::default()
    };

    if diags.iter().any(Diagnostic::is_error) {
        let mut all = Diagnostics::new();
        all.extend(diags);
        return Err(all);
    }
    Ok(Loaded { root, config, config_text, versions, theme, warnings: diags })
}

fn load_version(root: &Path, dir: &Path, id: &str, max: u64, diags: &mut Vec<Diagnostic>) -> VersionSources {
    let files = walk::list_files(root, dir, diags);
    let prefix = format!("content/{id}/");
    let mut texts: Vec<(u8, Found)> = Vec::new();
    let mut assets: Vec<Found> = Vec::new();
    for f in files {
        let inner = f.rel.strip_prefix(&prefix).unwrap_or(&f.rel).to_string();
        let is_yaml = inner.ends_with(".yaml") || inner.ends_with(".yml");
        // Dotfiles and editor leftovers (`.#risiko.yaml` lock files, `x.md~`, `#x.md#`) are
        // never content, whatever their extension: an editor must not break the build.
        if is_hidden(&inner) {
            continue;
        }
        if let Some(rest) = inner.strip_prefix("pages/") {
            if rest.ends_with(".md") {
                texts.push((2, f));
            } else {
                assets.push(f);
            }
        } else if inner.starts_with("requirements/") && is_yaml && !inner["requirements/".len()..].contains('/') {
            texts.push((0, f));
        } else if inner.starts_with("references/") && is_yaml && !inner["references/".len()..].contains('/') {
            texts.push((1, f));
        } else {
            diags.push(
                Diagnostic::warning("W-IGNORED-FILE", Loc::file(f.rel.clone()), "file is not part of the site and is ignored")
                    .help("pages go in pages/**/*.md, records in requirements/*.yaml and references/*.yaml"),
            );
        }
    }
    let found: Vec<Found> = texts.iter().map(|(_, f)| f.clone()).collect();
    let read = walk::read_all(&found, max);
    let mut v = VersionSources { id: id.to_string(), ..Default::default() };
    for ((kind, _), r) in texts.iter().zip(read) {
        match r {
            Ok(t) => match kind {
                0 => v.requirement_files.push(t),
                1 => v.reference_files.push(t),
                _ => v.pages.push(t),
            },
            Err(d) => diags.push(d),
        }
    }
    let pages_prefix = format!("{prefix}pages/");
    v.assets = read_assets(&assets, &pages_prefix, max, diags);
    v
}

fn is_hidden(rel: &str) -> bool {
    rel.split('/').any(|s| s.starts_with('.') || s.ends_with('~') || s.starts_with('#'))
}

fn read_assets(files: &[Found], prefix: &str, max: u64, diags: &mut Vec<Diagnostic>) -> Vec<Asset> {
    let results: Vec<Result<Asset, Diagnostic>> = files
        .par_iter()
        .map(|f| {
            let bytes = walk::read_bounded(&f.rel, &f.abs, max)?;
            Ok(Asset { rel: f.rel.strip_prefix(prefix).unwrap_or(&f.rel).to_string(), src: f.rel.clone(), bytes })
        })
        .collect();
    let mut out = Vec::new();
    for r in results {
        match r {
            Ok(a) => out.push(a),
            Err(d) => diags.push(d),
        }
    }
    out
}

fn load_theme(root: &Path, dir: &Path, max: u64, diags: &mut Vec<Diagnostic>) -> ThemeSources {
    let files = walk::list_files(root, dir, diags);
    let base = walk::rel_display(root, dir);
    let tpl_prefix = format!("{base}/templates/");
    let static_prefix = format!("{base}/static/");
    let (tpls, rest): (Vec<Found>, Vec<Found>) = files.into_iter().partition(|f| f.rel.starts_with(&tpl_prefix));
    let statics: Vec<Found> = rest.into_iter().filter(|f| f.rel.starts_with(&static_prefix) && !is_hidden(&f.rel[static_prefix.len()..])).collect();
    let mut templates = Vec::new();
    for r in walk::read_all(&tpls, max) {
        match r {
            Ok(mut t) => {
                t.rel = t.rel[tpl_prefix.len()..].to_string();
                templates.push(t);
            }
            Err(d) => diags.push(d),
        }
    }
    ThemeSources { templates, statics: read_assets(&statics, &static_prefix, max, diags) }
}
