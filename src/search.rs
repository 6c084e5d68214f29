//! Stage 5b (model → search bundle, beside render): turns each version into the documents of
//! its search index, packs them with the `search-index` crate into `<v>/search/index.js`, and
//! ships the browser engine (the same crate compiled to wasm32) as `static/search/engine.js`.
//! `normbok search` reads those very files back, so the CLI and the browser agree (SPEC §7).

use std::path::{Path, PathBuf};

use search_index::{Kind, MAX_EXCERPT_CHARS, SearchDoc, SearchIndex, SearchRequest, SearchResponse, make_excerpt};

use crate::diag::{Diagnostic, Exit, Loc};
use crate::model::markdown::plain_sections;
use crate::model::{Page, Site, Version};
use crate::render::urls;

/// The browser engine, built from `search-index` by `build.rs`.
const ENGINE_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/search_index.wasm"));

/// Output path of a version's bundle.
pub fn bundle_path(version: &str) -> String {
    crate::paths::search_bundle(version)
}

/// Output path of the engine.
pub const ENGINE_PATH: &str = crate::paths::SEARCH_ENGINE;

/// `static/search/engine.js`: the wasm module as a script that works from `file://`.
pub fn engine_file() -> Vec<u8> {
    search_index::wasm_to_js(ENGINE_WASM).into_bytes()
}

/// The searchable documents of one version: requirements (ID, title, statement, guidance,
/// checklist), guide pages split into sections at level-1/2 headings, and references.
///
/// Guide pages and references that name no target group are general: they carry every
/// group, so that a reader who filters by their group still finds the general guidance.
pub fn docs(site: &Site, v: &Version) -> Vec<SearchDoc> {
    let all_groups: Vec<String> = site.config.target_groups.iter().map(|g| g.id.get_ref().clone()).collect();
    let mut docs = Vec::with_capacity(v.requirements.len() + v.references.len() + v.pages.len() * 4);
    for r in &v.requirements {
        let statement = r.statement.plain().to_string();
        let mut body = statement.clone();
        if let Some(g) = &r.guidance {
            body.push('\n');
            body.push_str(g.plain());
        }
        for item in &r.items {
            body.push('\n');
            body.push_str(item.plain());
        }
        docs.push(SearchDoc {
            id: r.id.value.clone(),
            kind: Kind::Requirement,
            title: r.title.clone(),
            body,
            url: crate::paths::requirement(&v.id, &urls::encode(&r.id.value)),
            excerpt: make_excerpt(&statement, MAX_EXCERPT_CHARS),
            target_groups: r.target_groups.iter().map(|g| g.value.clone()).collect(),
            obligation: Some(r.obligation.value.clone()),
            version: v.id.clone(),
        });
    }
    for p in &v.pages {
        page_docs(v, p, &all_groups, &mut docs);
    }
    for r in &v.references {
        let mut body = r.title.clone();
        if let Some(d) = &r.designation {
            body.push('\n');
            body.push_str(d);
        }
        docs.push(SearchDoc {
            id: r.id.value.clone(),
            kind: Kind::Reference,
            title: r.title.clone(),
            excerpt: make_excerpt(r.designation.as_deref().unwrap_or(&r.title), MAX_EXCERPT_CHARS),
            body,
            url: crate::paths::reference(&v.id, &urls::encode(&r.id.value)),
            target_groups: all_groups.clone(),
            obligation: None,
            version: v.id.clone(),
        });
    }
    docs
}

fn page_docs(v: &Version, p: &Page, all_groups: &[String], docs: &mut Vec<SearchDoc>) {
    let groups: Vec<String> =
        if p.target_groups.is_empty() { all_groups.to_vec() } else { p.target_groups.iter().map(|g| g.value.clone()).collect() };
    let path = p.src.strip_suffix(".md").unwrap_or(&p.src);
    let url = crate::paths::page(&v.id, &p.out.split('/').map(urls::encode).collect::<Vec<_>>().join("/"));
    let headings = &p.body.scan.headings;
    let before = docs.len();
    for s in plain_sections(&p.body.text) {
        let heading = s.heading.and_then(|h| headings.get(h));
        let (id, title, url) = match heading {
            None => (path.to_string(), p.title.clone(), url.clone()),
            // An H1 that repeats the page title adds nothing to the hit's title.
            Some(h) if h.text == p.title => (format!("{path}#{}", h.anchor), p.title.clone(), format!("{url}#{}", h.anchor)),
            Some(h) => (format!("{path}#{}", h.anchor), format!("{} – {}", p.title, h.text), format!("{url}#{}", h.anchor)),
        };
        let excerpt_src = match (heading, p.summary.as_deref()) {
            (None, Some(summary)) => summary.to_string(),
            // The section text starts with its heading; the excerpt should show what follows.
            (Some(h), _) => s.text.strip_prefix(h.text.as_str()).unwrap_or(&s.text).trim().to_string(),
            (None, None) => s.text.clone(),
        };
        let mut body = s.text;
        if heading.is_none() {
            body = format!("{}\n{}", p.title, body);
        }
        docs.push(SearchDoc {
            id,
            kind: Kind::Page,
            title,
            excerpt: make_excerpt(&excerpt_src, MAX_EXCERPT_CHARS),
            body,
            url,
            target_groups: groups.clone(),
            obligation: None,
            version: v.id.clone(),
        });
    }
    if docs.len() == before {
        // An empty page is still findable by its title.
        docs.push(SearchDoc {
            id: path.to_string(),
            kind: Kind::Page,
            title: p.title.clone(),
            excerpt: make_excerpt(p.summary.as_deref().unwrap_or(""), MAX_EXCERPT_CHARS),
            body: p.title.clone(),
            url,
            target_groups: groups,
            obligation: None,
            version: v.id.clone(),
        });
    }
}

/// `<v>/search/index.js` for one version, with a warning when the bundle is larger than
/// `[limits] search_bundle_warn`; an error above `search_bundle_max`.
pub fn bundle_file(site: &Site, v: &Version) -> Result<(Vec<u8>, Option<Diagnostic>), Diagnostic> {
    let language = search_index::Language::from_code(site.config.language.tag()).unwrap_or(search_index::Language::Nb);
    let docs = docs(site, v);
    let bytes = search_index::build_bundle(&docs, language, &v.id).map_err(|e| {
        Diagnostic::global("E-SEARCH-INDEX", format!("could not build the search index of version `{}`: {e}", v.id))
            .help("this is a bug in normbok; please report it with the site that triggers it")
    })?;
    let limits = &site.config.limits;
    let size = bytes.len() as u64;
    let what = |limit: u64| format!("the search index of version `{}` is {size} bytes ({} documents), over {limit} bytes", v.id, docs.len());
    let loc = Loc::file("normbok.toml");
    if size > limits.search_bundle_max {
        return Err(Diagnostic::error("E-SEARCH-SIZE", loc, what(limits.search_bundle_max))
            .help("readers download the whole index on their first search; raise `[limits] search_bundle_max` if this is intended"));
    }
    let warning = (size > limits.search_bundle_warn).then(|| {
        Diagnostic::warning("W-SEARCH-SIZE", loc, what(limits.search_bundle_warn))
            .help("readers download the whole index on their first search; raise `[limits] search_bundle_warn` to silence this")
    });
    Ok((search_index::to_js(&bytes, &v.id).into_bytes(), warning))
}

/// One built bundle.
#[derive(Debug)]
pub struct BuiltBundle {
    /// Index into `site.versions`.
    pub version: usize,
    /// Output path (`<v>/search/index.js`).
    pub path: String,
    /// The file.
    pub bytes: Vec<u8>,
    /// Over `[limits] search_bundle_warn`.
    pub warning: Option<Diagnostic>,
}

/// The bundles of `versions` (indexes into `site.versions`), built in parallel; every error
/// if any failed. `compile` builds all of them, the preview server those an edit touched.
pub fn bundle_files(site: &Site, versions: &[usize]) -> Result<Vec<BuiltBundle>, Vec<Diagnostic>> {
    use rayon::prelude::*;
    let built: Vec<_> = versions.par_iter().map(|&vi| (vi, bundle_file(site, &site.versions[vi]))).collect();
    let mut ok = Vec::with_capacity(built.len());
    let mut errors = Vec::new();
    for (vi, b) in built {
        match b {
            Ok((bytes, warning)) => ok.push(BuiltBundle { version: vi, path: bundle_path(&site.versions[vi].id), bytes, warning }),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() { Ok(ok) } else { Err(errors) }
}

/// Options of `normbok search`.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// The built site.
    pub site: PathBuf,
    /// Version id (default: the version the site's `index.html` points to).
    pub version: Option<String>,
    /// Target groups (any of).
    pub groups: Vec<String>,
    /// Maximum number of hits.
    pub limit: Option<usize>,
    /// The query.
    pub query: String,
}

/// A failed `normbok search`: the exit code and the one diagnostic that says why.
#[derive(Debug)]
pub struct SearchFailure {
    /// Exit code.
    pub exit: Exit,
    /// Why.
    pub diagnostic: Diagnostic,
}

fn fail(exit: Exit, code: &'static str, message: String, help: &str) -> SearchFailure {
    SearchFailure { exit, diagnostic: Diagnostic::global(code, message).help(help) }
}

/// `normbok search`: loads `<site>/<v>/search/index.js` and runs the query exactly as the
/// browser does.
pub fn run(opts: &SearchOptions) -> Result<SearchResponse, SearchFailure> {
    let site = &opts.site;
    if !site.join(crate::paths::ROOT_INDEX).is_file() {
        return Err(fail(
            Exit::Usage,
            "E-SEARCH-SITE",
            format!("`{}` is not a built normbok site (no index.html)", site.display()),
            "build it first with `normbok build`, or name the output folder with `--site DIR`",
        ));
    }
    let available = versions_with_bundles(site);
    let version = match &opts.version {
        Some(v) => v.clone(),
        None => match current_version(site).filter(|v| available.contains(v)).or_else(|| (available.len() == 1).then(|| available[0].clone())) {
            Some(v) => v,
            None => {
                return Err(fail(
                    Exit::Usage,
                    "E-SEARCH-VERSION",
                    "cannot tell which version to search".into(),
                    &format!("pass --version; built versions: {}", available.join(", ")),
                ));
            }
        },
    };
    if !available.contains(&version) {
        return Err(fail(
            Exit::Usage,
            "E-SEARCH-VERSION",
            format!("no search index for version `{version}` in `{}`", site.display()),
            &format!("built versions: {}", if available.is_empty() { "none".to_string() } else { available.join(", ") }),
        ));
    }
    let file = site.join(bundle_path(&version));
    let js = std::fs::read_to_string(&file)
        .map_err(|e| fail(Exit::Invalid, "E-SEARCH-BUNDLE", format!("cannot read `{}`: {e}", file.display()), "rebuild the site"))?;
    let decoded = search_index::from_js(&js).and_then(|(_, bytes)| SearchIndex::decode(&bytes));
    let index = decoded.map_err(|e| {
        fail(Exit::Invalid, "E-SEARCH-BUNDLE", format!("`{}`: {e} [{}]", file.display(), e.code()), "rebuild the site with this version of normbok")
    })?;
    let known = index.target_groups();
    let unknown: Vec<&str> = opts.groups.iter().filter(|g| !known.contains(g)).map(String::as_str).collect();
    if !unknown.is_empty() {
        return Err(fail(
            Exit::Usage,
            "E-SEARCH-GROUP",
            format!("unknown target group{} `{}` in version `{version}`", if unknown.len() == 1 { "" } else { "s" }, unknown.join("`, `")),
            &format!("known target groups: {}", if known.is_empty() { "none".to_string() } else { known.join(", ") }),
        ));
    }
    let request = SearchRequest { query: opts.query.clone(), groups: opts.groups.clone(), limit: opts.limit, ..SearchRequest::default() };
    index.search(&request).map_err(|e| fail(Exit::Invalid, "E-SEARCH-BUNDLE", e.to_string(), "rebuild the site with this version of normbok"))
}

/// Version folders of a built site that hold a search bundle, sorted.
fn versions_with_bundles(site: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(site)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| site.join(bundle_path(name)).is_file())
        .collect();
    out.sort();
    out
}

/// The version the root `index.html` forwards to (`<meta http-equiv="refresh" … url=V/index.html">`).
fn current_version(site: &Path) -> Option<String> {
    let html = std::fs::read_to_string(site.join(crate::paths::ROOT_INDEX)).ok()?;
    let at = html.find("http-equiv=\"refresh\"")?;
    let rest = &html[at..];
    let url = &rest[rest.find("url=")? + 4..];
    let end = url.find(['"', '/'])?;
    Some(url[..end].to_string())
}

/// The text report of `normbok search`: one block per hit, best first, and "did you mean"
/// suggestions when nothing matched. Every piece of content goes through [`terminal_safe`].
pub fn render_text(r: &SearchResponse) -> String {
    use std::fmt::Write as _;
    let t = terminal_safe;
    let mut out = String::new();
    let _ = writeln!(out, "{} hit{} for \"{}\" in version {}", r.total, if r.total == 1 { "" } else { "s" }, t(&r.query), t(&r.version));
    if !r.suggestions.is_empty() {
        let list: Vec<String> = r.suggestions.iter().map(|s| format!("\"{}\"", t(s))).collect();
        let _ = writeln!(out, "did you mean {}?", list.join(" or "));
    }
    for (i, h) in r.hits.iter().enumerate() {
        let obligation = h.obligation.as_deref().map(|o| format!(" [{}]", t(o))).unwrap_or_default();
        let _ = writeln!(out, "{:>3}. {} {} – {}{obligation}", i + 1, h.kind, t(&h.id), t(&h.title));
        let _ = writeln!(out, "     {}", t(&h.url));
        if !h.excerpt.is_empty() {
            let _ = writeln!(out, "     {}", t(&h.excerpt));
        }
    }
    out
}

/// Text from content (or the query) made safe for a terminal: control characters (C0, DEL,
/// C1, so also ESC of terminal escape sequences) and bidirectional overrides are shown as
/// `\u{…}` instead of being sent to the terminal.
pub fn terminal_safe(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}
