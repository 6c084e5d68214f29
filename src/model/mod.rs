//! Stage 2 (model): decoded sources → typed records of every version.
//!
//! Parses requirement, reference and page files (through the one YAML adapter), keeps the
//! location of everything a later diagnostic may point at, and reads each Markdown text's
//! structure once. Cross-references are not checked here; that is the validator's job.

pub mod markdown;
pub mod slug;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde_saphyr::Spanned;

use crate::config::{SiteConfig, VersionStatus};
use crate::diag::{Diagnostic, Diagnostics, Loc, to_u32};
use crate::load::records::{FrontMatter, ReferenceFile, RequirementFile};
use crate::load::{Asset, Loaded, TextFile, ThemeSources, frontmatter, yaml};

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub loc: Loc,
}

/// Markdown text from a page body or a YAML field, with what is needed to locate offsets.
#[derive(Debug, Clone)]
pub struct Md {
    /// The Markdown.
    pub text: String,
    /// Its structure.
    pub scan: markdown::Scan,
    origin: Origin,
    /// [`Md::plain`], computed on first use: export, search and the version diffs all read
    /// it, and each used to parse the Markdown again (issue 12 item 2).
    plain: std::sync::OnceLock<String>,
}

#[derive(Debug, Clone)]
struct Origin {
    path: String,
    line: u32,
    col: u32,
    /// Block scalars (`|`, `>`): every content line has this indentation.
    block_indent: Option<u32>,
    quoted: bool,
}

impl Md {
    fn new(text: String, origin: Origin) -> Self {
        Md { scan: markdown::scan(&text), text, origin, plain: std::sync::OnceLock::new() }
    }

    /// The text without Markdown ([`markdown::plain_text`]), parsed once per field.
    pub fn plain(&self) -> &str {
        self.plain.get_or_init(|| markdown::plain_text(&self.text))
    }

    /// The file location of byte `offset` in [`Md::text`].
    pub fn locate(&self, offset: usize) -> Loc {
        let offset = offset.min(self.text.len());
        let (l, c) = crate::diag::line_col(&self.text, offset);
        let o = &self.origin;
        match o.block_indent {
            Some(indent) => Loc::new(o.path.clone(), o.line + l - 1, indent + c),
            None if l == 1 => Loc::new(o.path.clone(), o.line, o.col + c - 1 + u32::from(o.quoted)),
            None => Loc::new(o.path.clone(), o.line + l - 1, c),
        }
    }

    /// The site-relative file the text comes from.
    pub fn path(&self) -> &str {
        &self.origin.path
    }
}

/// Requirement status (SPEC §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReqStatus {
    /// Not yet in force.
    Draft,
    /// In force (default).
    InForce,
    /// In force from `applies_from`.
    Upcoming,
    /// Withdrawn; kept for history.
    Withdrawn,
}

impl ReqStatus {
    /// All values with their names.
    pub const ALL: [(&'static str, ReqStatus); 4] =
        [("draft", ReqStatus::Draft), ("in-force", ReqStatus::InForce), ("upcoming", ReqStatus::Upcoming), ("withdrawn", ReqStatus::Withdrawn)];

    /// The name as written in records.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(_, s)| *s == self).map_or("in-force", |(n, _)| n)
    }
}

/// A chapter (one requirement file).
#[derive(Debug, Clone)]
pub struct Chapter {
    /// Id, unique within the version.
    pub id: At<String>,
    /// Title.
    pub title: String,
    /// Sort key.
    pub order: i64,
    /// Introduction.
    pub intro: Option<Md>,
    /// Site-relative source file.
    pub file: String,
}

/// A requirement.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// Stable ID.
    pub id: At<String>,
    /// Chapter id.
    pub chapter: String,
    /// Title.
    pub title: String,
    /// Obligation id.
    pub obligation: At<String>,
    /// Target group ids.
    pub target_groups: Vec<At<String>>,
    /// Normative text.
    pub statement: Md,
    /// Explanation.
    pub guidance: Option<Md>,
    /// Checklist items.
    pub items: Vec<Md>,
    /// Status.
    pub status: ReqStatus,
    /// Where the status was written (or the record, if defaulted).
    pub status_loc: Loc,
    /// Date it applies from.
    pub applies_from: Option<At<String>>,
    /// Reference ids.
    pub references: Vec<At<String>>,
    /// Related requirement ids.
    pub related: Vec<At<String>>,
    /// Source note.
    pub source: Option<String>,
    /// Date of the last substantive change, as written in the record (`YYYY-MM-DD`).
    pub changed: Option<At<String>>,
}

/// A reference (law, standard, …).
#[derive(Debug, Clone)]
pub struct Reference {
    /// Slug id.
    pub id: At<String>,
    /// Kind.
    pub kind: At<String>,
    /// Title.
    pub title: String,
    /// Designation.
    pub designation: Option<String>,
    /// URL.
    pub url: Option<At<String>>,
}

/// A guide page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path below `pages/`, e.g. `anskaffelse/krav.md`.
    pub src: String,
    /// Output path below the version folder, e.g. `anskaffelse/krav.html`.
    pub out: String,
    /// Site-relative source file.
    pub file: String,
    /// Title.
    pub title: String,
    /// Sort key.
    pub order: i64,
    /// Summary.
    pub summary: Option<String>,
    /// Target groups.
    pub target_groups: Vec<At<String>>,
    /// Body.
    pub body: Md,
}

/// One version of the guidance.
#[derive(Debug, Clone)]
pub struct Version {
    /// Id (folder and URL segment).
    pub id: String,
    /// Label.
    pub label: String,
    /// Status.
    pub status: VersionStatus,
    /// Publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Note from `[[versions]]`, shown on `versions.html`.
    pub note: Option<String>,
    /// Chapters sorted by order, then id.
    pub chapters: Vec<Chapter>,
    /// Requirements in chapter order, then file order.
    pub requirements: Vec<Requirement>,
    /// References sorted by id.
    pub references: Vec<Reference>,
    /// Pages sorted by path.
    pub pages: Vec<Page>,
    /// Files under `pages/` that are not Markdown.
    pub assets: Vec<Asset>,
    /// Id lookups, built once per version on first use.
    index: VersionIndex,
    /// What failed to load: references to it are not reported again as missing.
    pub unloaded: Unloaded,
}

/// Id → position tables of a version, built on first lookup (the model is not changed after
/// [`build`]). Rendering looks requirements up by id for every link label, switcher and
/// "in other versions" entry; a linear scan made that quadratic in the site size.
#[derive(Debug, Clone, Default)]
struct VersionIndex {
    requirements: std::sync::OnceLock<HashMap<String, usize>>,
    chapters: std::sync::OnceLock<HashMap<String, usize>>,
    pages: std::sync::OnceLock<HashMap<String, usize>>,
}

/// Position of the first item of each key (duplicates are validation errors; the first wins,
/// as a linear search would).
fn first_positions<K: AsRef<str>>(keys: impl Iterator<Item = K>) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for (i, k) in keys.enumerate() {
        m.entry(k.as_ref().to_string()).or_insert(i);
    }
    m
}

/// Records and pages of a version that failed to parse. Their errors are reported where
/// they are; a link to them is not also an "unknown requirement" or "missing page" (the
/// follow-on errors that used to come first and bury the cause).
#[derive(Debug, Clone, Default)]
pub struct Unloaded {
    /// IDs (uppercased) of requirement records that failed to load.
    pub requirements: BTreeSet<String>,
    /// Reference ids of records that failed to load.
    pub references: BTreeSet<String>,
    /// Source paths below `pages/` of pages that failed to parse.
    pub pages: BTreeSet<String>,
    /// A requirement file failed as a whole (YAML syntax): any requirement ID may be in it.
    pub any_requirement: bool,
    /// A reference file failed as a whole.
    pub any_reference: bool,
}

impl Unloaded {
    /// Whether requirement `id` may exist but failed to load.
    pub fn may_have_requirement(&self, id: &str) -> bool {
        self.any_requirement || self.requirements.contains(&id.to_ascii_uppercase())
    }

    /// Whether reference `id` may exist but failed to load.
    pub fn may_have_reference(&self, id: &str) -> bool {
        self.any_reference || self.references.contains(id)
    }
}

impl Version {
    /// Requirement by ID, ignoring ASCII case (IDs are unique per version case-insensitively,
    /// so `[[risk-01]]` means `RISK-01`).
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        let ix = self.index.requirements.get_or_init(|| first_positions(self.requirements.iter().map(|r| r.id.value.to_ascii_uppercase())));
        ix.get(&id.to_ascii_uppercase()).map(|&i| &self.requirements[i])
    }

    /// Page by source path.
    pub fn page(&self, src: &str) -> Option<&Page> {
        let ix = self.index.pages.get_or_init(|| first_positions(self.pages.iter().map(|p| p.src.as_str())));
        ix.get(src).map(|&i| &self.pages[i])
    }

    /// Chapter by id.
    pub fn chapter(&self, id: &str) -> Option<&Chapter> {
        let ix = self.index.chapters.get_or_init(|| first_positions(self.chapters.iter().map(|c| c.id.value.as_str())));
        ix.get(id).map(|&i| &self.chapters[i])
    }
}

/// The whole site model.
#[derive(Debug, Clone)]
pub struct Site {
    /// Configuration.
    pub config: SiteConfig,
    /// Versions in configuration order (newest first).
    pub versions: Vec<Version>,
    /// The site's own theme files.
    pub theme: ThemeSources,
}

fn at(path: &str, s: Spanned<String>, line_offset: u32) -> At<String> {
    At { loc: loc_of(path, &s, line_offset), value: s.value }
}

fn loc_of<T>(path: &str, s: &Spanned<T>, line_offset: u32) -> Loc {
    Loc::new(path, to_u32(s.referenced.line() as usize) + line_offset, to_u32(s.referenced.column() as usize))
}

fn md(path: &str, source: &str, s: Spanned<String>, line_offset: u32) -> Md {
    let line = to_u32(s.referenced.line() as usize) + line_offset;
    let col = to_u32(s.referenced.column() as usize);
    let byte = s.referenced.span().byte_offset().map(|b| b as usize);
    // serde-saphyr points at the content: the quote of a quoted scalar, the first content
    // line of a block scalar (`|`, `>`), whose later lines share its indentation.
    let first = byte.and_then(|b| source.get(b..)).and_then(|r| r.chars().next());
    let quoted = matches!(first, Some('"' | '\''));
    let line_start = byte.map_or(0, |b| source[..b.min(source.len())].rfind('\n').map_or(0, |i| i + 1));
    let own_line = byte.is_some_and(|b| source[line_start..b.min(source.len())].trim().is_empty());
    let block_indent = (own_line && !quoted).then(|| col.saturating_sub(1));
    Md::new(s.value, Origin { path: path.to_string(), line, col, block_indent, quoted })
}

/// Builds the model from loaded sources. Returns the site even when some files failed to
/// parse (they are skipped), so the validator can still report everything else.
pub fn build(loaded: Loaded) -> (Site, Diagnostics) {
    build_with(loaded, None)
}

/// Parse results of an earlier build, reused for files whose path and text are unchanged
/// (the preview server re-parses only what an edit touched). Parsing depends on nothing but
/// a file's path and text, so a reused result equals a fresh one, locations included.
#[derive(Default)]
pub struct ParseCache {
    chapters: Cached<ParsedChapter>,
    pages: Cached<Page>,
}

/// Site-relative path → (text, parse result).
type Cached<T> = BTreeMap<String, (String, Result<T, Diagnostic>)>;

/// [`build`], reusing and then refreshing `cache` when given (entries of files that are gone
/// are dropped).
pub fn build_with(loaded: Loaded, cache: Option<&mut ParseCache>) -> (Site, Diagnostics) {
    let mut diags = Diagnostics::new();
    diags.extend(loaded.warnings);
    let config = loaded.config;
    let mut versions = Vec::new();
    let mut next = cache.is_some().then(ParseCache::default);
    for (vc, src) in config.versions.iter().zip(loaded.versions) {
        debug_assert_eq!(vc.id.get_ref(), &src.id);
        let (v, d) = build_version(vc, src, cache.as_deref(), next.as_mut());
        diags.extend(d);
        versions.push(v);
    }
    if let (Some(c), Some(n)) = (cache, next) {
        *c = n;
    }
    (Site { config, versions, theme: loaded.theme }, diags)
}

/// Parses `files` with `parse`, taking unchanged files from `old` and recording all in `next`.
fn parse_cached<T: Clone + Send>(
    files: &[TextFile],
    parse: impl Fn(&TextFile) -> Result<T, Diagnostic> + Sync,
    old: Option<&Cached<T>>,
    next: Option<&mut Cached<T>>,
) -> Vec<Result<T, Diagnostic>>
where
    Result<T, Diagnostic>: Sync,
{
    let results: Vec<Result<T, Diagnostic>> = files
        .par_iter()
        .map(|f| match old.and_then(|o| o.get(&f.rel)).filter(|(text, _)| *text == f.text) {
            Some((_, r)) => r.clone(),
            None => parse(f),
        })
        .collect();
    if let Some(next) = next {
        for (f, r) in files.iter().zip(&results) {
            next.insert(f.rel.clone(), (f.text.clone(), r.clone()));
        }
    }
    results
}

fn build_version(
    vc: &crate::config::VersionConfig,
    src: crate::load::VersionSources,
    old: Option<&ParseCache>,
    mut next: Option<&mut ParseCache>,
) -> (Version, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut unloaded = Unloaded::default();

    let req_results =
        parse_cached(&src.requirement_files, parse_requirement_file, old.map(|c| &c.chapters), next.as_deref_mut().map(|c| &mut c.chapters));
    let mut chapters = Vec::new();
    let mut per_chapter: Vec<(i64, String, Vec<Requirement>)> = Vec::new();
    for r in req_results {
        match r {
            Ok(parsed) => {
                diags.extend(parsed.diags);
                unloaded.requirements.extend(parsed.failed);
                match parsed.chapter {
                    Some(ch) => {
                        per_chapter.push((ch.order, ch.id.value.clone(), parsed.reqs));
                        chapters.push(ch);
                    }
                    // The chapter's own fields failed: its records were checked, but without
                    // a chapter they cannot be placed; they count as not loaded.
                    None => unloaded.requirements.extend(parsed.reqs.iter().map(|r| r.id.value.to_ascii_uppercase())),
                }
            }
            Err(d) => {
                unloaded.any_requirement = true;
                diags.push(d);
            }
        }
    }
    chapters.sort_by(|a, b| (a.order, &a.id.value).cmp(&(b.order, &b.id.value)));
    per_chapter.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let requirements: Vec<Requirement> = per_chapter.into_iter().flat_map(|(_, _, r)| r).collect();

    let mut references = Vec::new();
    for f in &src.reference_files {
        match parse_reference_file(f) {
            Ok((refs, d, failed)) => {
                references.extend(refs);
                diags.extend(d);
                unloaded.references.extend(failed);
            }
            Err(d) => {
                unloaded.any_reference = true;
                diags.push(d);
            }
        }
    }
    references.sort_by(|a, b| a.id.value.cmp(&b.id.value));

    let page_results = parse_cached(&src.pages, |f| parse_page(&src.id, f), old.map(|c| &c.pages), next.map(|c| &mut c.pages));
    let mut pages = Vec::new();
    for (f, r) in src.pages.iter().zip(page_results) {
        match r {
            Ok(p) => pages.push(p),
            Err(d) => {
                unloaded.pages.insert(f.rel.strip_prefix(&format!("content/{}/pages/", src.id)).unwrap_or(&f.rel).to_string());
                diags.push(d);
            }
        }
    }
    pages.sort_by(|a, b| a.src.cmp(&b.src));

    let published = vc.published.as_ref().map(|d| d.get_ref().to_string());
    (
        Version {
            id: vc.id.get_ref().clone(),
            label: vc.label.clone(),
            status: vc.status,
            published,
            note: vc.note.clone(),
            chapters,
            requirements,
            references,
            pages,
            assets: src.assets,
            index: VersionIndex::default(),
            unloaded,
        },
        diags,
    )
}

/// A parsed requirement file: its chapter (when that part parsed), records, problems, and
/// the IDs of records that failed to load.
#[derive(Debug, Clone)]
struct ParsedChapter {
    chapter: Option<Chapter>,
    reqs: Vec<Requirement>,
    diags: Vec<Diagnostic>,
    failed: Vec<String>,
}

/// Just enough of a record to know its id when the record itself did not load.
#[derive(serde::Deserialize)]
struct LooseId {
    #[serde(default)]
    id: Option<String>,
}

/// A requirement file's chapter alone (the records are checked one by one).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ChapterPart {
    chapter: crate::load::records::ChapterRaw,
    #[serde(default)]
    #[allow(dead_code)]
    requirements: serde::de::IgnoredAny,
}

/// A reference file without its records (for unknown top-level keys).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferencePart {
    #[serde(default)]
    #[allow(dead_code)]
    references: serde::de::IgnoredAny,
}

/// Records that loaded (each with the text it was cut from), the problems of all records,
/// and the ids of the records that failed.
type Items<R> = (Vec<(Spanned<R>, yaml::ItemText)>, Vec<Diagnostic>, Vec<String>);

/// References of one file, their problems and the ids of records that failed.
type ParsedReferences = (Vec<Reference>, Vec<Diagnostic>, Vec<String>);

/// Parses the items of list `key` one by one: the records that load, every record's error,
/// and the ids of the records that failed. `None` when the list cannot be cut into items.
fn parse_items<R: serde::de::DeserializeOwned>(rel: &str, text: &str, key: &str) -> Option<Items<R>> {
    let items = yaml::block_items(text, key)?;
    let (mut ok, mut diags, mut failed) = (Vec::new(), Vec::new(), Vec::new());
    for item in items {
        match yaml::parse::<Vec<Spanned<R>>>(rel, &item.text, item.line_offset) {
            Ok(mut v) if v.len() == 1 => ok.extend(v.pop().map(|r| (r, item))),
            Ok(_) => return None,
            Err(d) => {
                diags.push(d);
                if let Ok(loose) = yaml::parse::<Vec<LooseId>>(rel, &item.text, item.line_offset) {
                    failed.extend(loose.into_iter().filter_map(|l| l.id));
                }
            }
        }
    }
    Some((ok, diags, failed))
}

fn parse_requirement_file(f: &TextFile) -> Result<ParsedChapter, Diagnostic> {
    let p = f.rel.as_str();
    let first = match yaml::parse::<RequirementFile>(p, &f.text, 0) {
        Ok(file) => {
            let chapter = chapter_of(p, &f.text, file.chapter);
            let mut diags = Vec::new();
            let reqs = file.requirements.into_iter().map(|r| requirement_of(p, &f.text, 0, &chapter.id.value, r, &mut diags)).collect();
            return Ok(ParsedChapter { chapter: Some(chapter), reqs, diags, failed: Vec::new() });
        }
        Err(d) if yaml::is_syntax_error(&d) => return Err(d),
        Err(d) => d,
    };
    // A field of some record (or of the chapter) is wrong: check every record on its own, so
    // one unknown key neither hides the file's other errors nor drops the whole chapter.
    let Some((records, mut diags, failed)) = parse_items::<crate::load::records::RequirementRaw>(p, &f.text, "requirements") else {
        return Err(first);
    };
    let chapter = match yaml::parse::<ChapterPart>(p, &f.text, 0) {
        Ok(part) => Some(chapter_of(p, &f.text, part.chapter)),
        Err(d) => {
            diags.push(d);
            None
        }
    };
    if diags.is_empty() {
        // The pieces all parse although the whole did not: report what the whole said.
        return Err(first);
    }
    let chapter_id = chapter.as_ref().map_or(String::new(), |c| c.id.value.clone());
    let reqs = records.into_iter().map(|(r, item)| requirement_of(p, &item.text, item.line_offset, &chapter_id, r, &mut diags)).collect();
    Ok(ParsedChapter { chapter, reqs, diags, failed: failed.iter().map(|i| i.to_ascii_uppercase()).collect() })
}

fn chapter_of(p: &str, source: &str, ch: crate::load::records::ChapterRaw) -> Chapter {
    Chapter { id: at(p, ch.id, 0), title: ch.title, order: ch.order.unwrap_or(0), intro: ch.intro.map(|s| md(p, source, s, 0)), file: p.to_string() }
}

/// One requirement record; `source` is the text its spans point into, `off` the number of
/// file lines before that text.
fn requirement_of(
    p: &str,
    source: &str,
    off: u32,
    chapter: &str,
    r: Spanned<crate::load::records::RequirementRaw>,
    diags: &mut Vec<Diagnostic>,
) -> Requirement {
    let record_loc = loc_of(p, &r, off);
    let r = r.value;
    let (status, status_loc) = match r.status {
        None => (ReqStatus::InForce, record_loc),
        Some(s) => {
            let loc = loc_of(p, &s, off);
            match ReqStatus::ALL.iter().find(|(n, _)| *n == s.value) {
                Some((_, st)) => (*st, loc),
                None => {
                    diags.push(
                        Diagnostic::error("E-VALUE", loc.clone(), format!("unknown status `{}`", s.value))
                            .help_opt(crate::diag::suggestion(&s.value, ReqStatus::ALL.iter().map(|(n, _)| *n)))
                            .help("status is one of draft, in-force, upcoming, withdrawn"),
                    );
                    (ReqStatus::InForce, loc)
                }
            }
        }
    };
    Requirement {
        id: at(p, r.id, off),
        chapter: chapter.to_string(),
        title: r.title.value,
        obligation: at(p, r.obligation, off),
        target_groups: r.target_groups.into_iter().map(|g| at(p, g, off)).collect(),
        statement: md(p, source, r.statement, off),
        guidance: r.guidance.map(|g| md(p, source, g, off)),
        items: r.items.into_iter().map(|i| md(p, source, i, off)).collect(),
        status,
        status_loc,
        applies_from: r.applies_from.map(|d| at(p, d, off)),
        references: r.references.into_iter().map(|x| at(p, x, off)).collect(),
        related: r.related.into_iter().map(|x| at(p, x, off)).collect(),
        source: r.source,
        changed: r.changed.map(|d| at(p, d, off)),
    }
}

/// A reference file: its records, record-level problems and the ids of records that failed.
fn parse_reference_file(f: &TextFile) -> Result<ParsedReferences, Diagnostic> {
    let p = f.rel.as_str();
    let reference = |r: Spanned<crate::load::records::ReferenceRaw>, off: u32| {
        let rl = r.value;
        Reference {
            id: at(p, rl.id, off),
            kind: at(p, rl.kind, off),
            title: rl.title,
            designation: rl.designation,
            url: rl.url.map(|u| at(p, u, off)),
        }
    };
    let first = match yaml::parse::<ReferenceFile>(p, &f.text, 0) {
        Ok(file) => return Ok((file.references.into_iter().map(|r| reference(r, 0)).collect(), Vec::new(), Vec::new())),
        Err(d) if yaml::is_syntax_error(&d) => return Err(d),
        Err(d) => d,
    };
    let Some((records, mut diags, failed)) = parse_items::<crate::load::records::ReferenceRaw>(p, &f.text, "references") else {
        return Err(first);
    };
    if let Err(d) = yaml::parse::<ReferencePart>(p, &f.text, 0) {
        diags.push(d);
    }
    if diags.is_empty() {
        return Err(first);
    }
    Ok((records.into_iter().map(|(r, item)| reference(r, item.line_offset)).collect(), diags, failed))
}

/// Output path (below the version folder) of a page source path below `pages/`.
pub fn page_out_path(src: &str) -> String {
    let stem = src.strip_suffix(".md").unwrap_or(src);
    let segs: Vec<String> = stem.split('/').map(slug::slug).collect();
    format!("{}.html", segs.join("/"))
}

fn parse_page(version: &str, f: &TextFile) -> Result<Page, Diagnostic> {
    let split = frontmatter::split(&f.rel, &f.text)?;
    let fm: FrontMatter = yaml::parse(&f.rel, split.yaml, split.yaml_line - 1)?;
    let p = f.rel.as_str();
    let src = f.rel.strip_prefix(&format!("content/{version}/pages/")).unwrap_or(&f.rel).to_string();
    let body = Md::new(split.body.to_string(), Origin { path: p.to_string(), line: split.body_line, col: 1, block_indent: None, quoted: false });
    Ok(Page {
        out: page_out_path(&src),
        src,
        file: f.rel.clone(),
        title: fm.title.value,
        order: fm.order.unwrap_or(0),
        summary: fm.summary,
        target_groups: fm.target_groups.into_iter().map(|g| at(p, g, split.yaml_line - 1)).collect(),
        body,
    })
}

/// Index of requirement IDs per version, used by validation and rendering.
pub type IdIndex<'a> = BTreeMap<&'a str, &'a Requirement>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths() {
        assert_eq!(page_out_path("index.md"), "index.html");
        assert_eq!(page_out_path("Anskaffelse/Får krav.md"), "anskaffelse/far-krav.html");
    }

    #[test]
    fn md_locations_in_block_scalars() {
        let src = "a:\n  statement: |\n    Første linje\n    andre [[X-1]]\n";
        let f = TextFile { rel: "r.yaml".into(), text: src.into() };
        #[derive(serde::Deserialize)]
        struct A {
            statement: Spanned<String>,
        }
        #[derive(serde::Deserialize)]
        struct F {
            a: A,
        }
        let parsed: Result<F, _> = serde_saphyr::from_str(&f.text);
        let Ok(parsed) = parsed else { panic!("parse") };
        let m = md("r.yaml", &f.text, parsed.a.statement, 0);
        let off = m.text.find("[[").unwrap_or(0);
        assert_eq!(m.locate(off), Loc::new("r.yaml", 4, 11));
    }
}
