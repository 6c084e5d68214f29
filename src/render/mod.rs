//! Stage 4 (render): the validated model → every output file, in memory.
//!
//! Builds one template context per output page and renders them in parallel (rayon). No disk
//! I/O happens here; the result is a sorted map from output path to bytes, which the output
//! stage writes atomically (or the preview server serves from memory).

mod compare;
pub mod feeds;
pub mod i18n;
pub mod markdown;
mod print;
pub mod theme;
pub mod urls;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::config::{Language, RawHtml, VersionStatus};
use crate::diag::{Diagnostic, Loc};
use crate::model::markdown::Target;
use crate::model::{Md, Page, ReqStatus, Requirement, Site, Version};
use crate::validate::resolve_relative;
use crate::versions::{Permalink, Versions};
use markdown::Links;
use urls::{rel, root_prefix};

/// Rendered output: site-relative path → bytes, sorted (deterministic).
pub type Files = BTreeMap<String, Vec<u8>>;

/// Link resolution for one output file.
struct LinkCtx<'a> {
    site: &'a Site,
    version: &'a Version,
    from: &'a str,
    page_src: Option<&'a str>,
}

impl Links for LinkCtx<'_> {
    fn href(&self, target: &Target) -> Option<String> {
        let v = &self.version.id;
        let to = match target {
            Target::Req { version, id } => format!("{}/requirements/{id}.html", version.as_deref().unwrap_or(v)),
            Target::Ref(id) => format!("{v}/references/{id}.html"),
            Target::File { path, anchor } => {
                let t = resolve_relative(self.page_src, path)?;
                let file = if t.ends_with(".md") { format!("{v}/{}", self.version.page(&t)?.out) } else { format!("{v}/{t}") };
                let base = rel(self.from, &file);
                return Some(match anchor {
                    Some(a) if !a.is_empty() => format!("{base}#{a}"),
                    _ => base,
                });
            }
            Target::Anchor(a) => return Some(format!("#{a}")),
            Target::External(u) => return Some(u.clone()),
            Target::Forbidden(_) => return None,
        };
        Some(rel(self.from, &to))
    }

    fn shortcode_label(&self, version: Option<&str>, id: &str) -> String {
        let v = version.and_then(|x| self.site.versions.iter().find(|v| v.id == x)).unwrap_or(self.version);
        match v.requirement(id) {
            Some(r) if version.is_some() => format!("{id} {} ({})", r.title, v.label),
            Some(r) => format!("{id} {}", r.title),
            None => id.to_string(),
        }
    }
}

/// Everything computed once per version and shared by its pages.
#[derive(Default)]
struct VersionData<'a> {
    /// Per requirement: statement, guidance and items HTML, valid for files one folder below
    /// the version folder (requirements/, chapters/, groups/, references/).
    req_html: Vec<(String, Option<String>, Vec<String>)>,
    /// Reference id → indices of citing requirements.
    ref_cited_by: BTreeMap<&'a str, Vec<usize>>,
    /// Reference id → indices of citing pages.
    ref_pages: BTreeMap<&'a str, Vec<usize>>,
    /// Chapter id → intro HTML.
    chapter_intro: BTreeMap<&'a str, String>,
    /// Nav entries: (depth, page index).
    nav: Vec<(usize, usize)>,
    /// Requirement ID → index. Every requirement page looks itself up in every version
    /// (switcher, "in other versions"); a linear `Version::requirement` made that O(N²).
    by_id: HashMap<&'a str, usize>,
    /// Per requirement: its CSV row without CRLF. Every list entry carries one, and a
    /// requirement is listed 3–5 times per version (index, chapter, groups, references).
    csv_rows: Vec<String>,
    /// Some record of the version gives `changed`: then every requirement page of the
    /// version shows "Siste faglige endring" (with "ikke oppgitt" where a record has none).
    any_changed: bool,
}

struct Ctx<'a> {
    site: &'a Site,
    hist: &'a Versions,
    theme: &'a theme::Theme,
    lang: Language,
    t: Value,
    raw: RawHtml,
    vdata: Vec<VersionData<'a>>,
    current: usize,
    /// Rendered navigation per (version, folder) for pages with no current entry.
    sidebars: std::sync::Mutex<HashMap<(usize, String), String>>,
}

/// What an output page shows, which decides the version switcher's targets.
#[derive(Clone, Copy)]
enum Same<'a> {
    Page(&'a str),
    Req(&'a str),
    Chapter(&'a str),
    Reference(&'a str),
    Fixed(&'a str),
}

/// Renders the whole site (without search bundles, which the search stage adds).
pub fn render(site: &Site, hist: &Versions) -> Result<Files, Vec<Diagnostic>> {
    let mut files = render_only(site, hist, &|_| true)?;
    if !site.config.base_url.is_empty() {
        files.insert("sitemap.xml".into(), sitemap(site, &files).into_bytes());
        files.extend(feeds::files(site, hist));
    }
    Ok(files)
}

/// Renders only the pages whose output path `want` accepts, plus the theme's static files and
/// the page assets (plain copies); no sitemap. The preview server uses this to re-render just
/// what an edit can change; [`render`] is this with every page wanted.
pub fn render_only(site: &Site, hist: &Versions, want: &(dyn Fn(&str) -> bool + Sync)) -> Result<Files, Vec<Diagnostic>> {
    let theme = theme::load(&site.theme, &site.config.theme)?;
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
            (Job::Page(..) | Job::Changes(_) | Job::ChangesFrom(..) | Job::Search(_), _) => {}
            (_, n) => *n = None,
        }
    }
    let vdata: Vec<VersionData<'_>> = site
        .versions
        .par_iter()
        .zip(needed.par_iter())
        .map(|(v, n)| match n {
            Some(only) => version_data(site, v, raw, only.as_ref()),
            None => VersionData::default(),
        })
        .collect();
    let current = site.versions.iter().position(|v| v.status == VersionStatus::Current).unwrap_or(0);
    let ctx = Ctx { site, hist, theme: &theme, lang, t: i18n::strings(lang), raw, vdata, current, sidebars: Default::default() };

    let rendered: Vec<Result<(String, String), Diagnostic>> = jobs.par_iter().map(|j| ctx.run(*j)).collect();
    let mut files = Files::new();
    let mut errors = Vec::new();
    for (r, j) in rendered.into_iter().zip(&jobs) {
        match r {
            Ok((path, html)) => {
                debug_assert_eq!(path, job_path(site, *j), "job_path must name what the job renders");
                files.insert(path, html.into_bytes());
            }
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.message.cmp(&b.message));
        errors.dedup_by(|a, b| a.message == b.message);
        return Err(errors);
    }
    for (name, bytes) in &theme.statics {
        files.insert(format!("static/{name}"), bytes.clone());
    }
    for v in &site.versions {
        for a in &v.assets {
            files.insert(format!("{}/{}", v.id, a.rel), a.bytes.clone());
        }
    }
    Ok(files)
}

/// Output paths of every rendered page of the site (not the copied files or the sitemap).
pub fn page_paths(site: &Site, hist: &Versions) -> Vec<String> {
    jobs(site, hist).into_iter().map(|j| job_path(site, j)).collect()
}

fn jobs<'a>(site: &Site, hist: &'a Versions) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job<'_>> = vec![Job::Root, Job::Versions, Job::NotFound];
    jobs.extend(hist.permalink.keys().map(|id| Job::Permalink(id.as_str())));
    for (vi, v) in site.versions.iter().enumerate() {
        jobs.extend([Job::ReqIndex(vi), Job::RefIndex(vi), Job::Changes(vi), Job::Search(vi)]);
        jobs.extend((0..v.pages.len()).map(|pi| Job::Page(vi, pi)));
        jobs.extend((0..v.requirements.len()).map(|ri| Job::Req(vi, ri)));
        jobs.extend((0..v.chapters.len()).map(|ci| Job::Chapter(vi, ci)));
        jobs.extend((0..site.config.target_groups.len()).map(|gi| Job::Group(vi, gi)));
        jobs.extend((0..v.references.len()).map(|ri| Job::Ref(vi, ri)));
    }
    jobs.extend(compare::pairs(site).map(|(vi, oi)| Job::ChangesFrom(vi, oi)));
    jobs.extend((0..site.versions.len()).map(Job::Print));
    jobs
}

/// The output path a job renders (each job function builds the same path for itself).
fn job_path(site: &Site, job: Job<'_>) -> String {
    let v = |vi: usize| &site.versions[vi];
    match job {
        Job::Root => "index.html".into(),
        Job::Versions => "versions.html".into(),
        Job::NotFound => "404.html".into(),
        Job::Permalink(id) => format!("requirements/{id}.html"),
        Job::Page(vi, pi) => format!("{}/{}", v(vi).id, v(vi).pages[pi].out),
        Job::ReqIndex(vi) => format!("{}/requirements/index.html", v(vi).id),
        Job::Req(vi, ri) => format!("{}/requirements/{}.html", v(vi).id, v(vi).requirements[ri].id.value),
        Job::Chapter(vi, ci) => format!("{}/chapters/{}.html", v(vi).id, v(vi).chapters[ci].id.value),
        Job::Group(vi, gi) => format!("{}/groups/{}.html", v(vi).id, site.config.target_groups[gi].id.get_ref()),
        Job::RefIndex(vi) => format!("{}/references/index.html", v(vi).id),
        Job::Ref(vi, ri) => format!("{}/references/{}.html", v(vi).id, v(vi).references[ri].id.value),
        Job::Changes(vi) => format!("{}/changes.html", v(vi).id),
        Job::Search(vi) => format!("{}/search.html", v(vi).id),
        Job::ChangesFrom(vi, oi) => compare::changes_from_path(site, vi, oi),
        Job::Print(vi) => print::print_path(site, vi),
    }
}

#[derive(Clone, Copy)]
enum Job<'a> {
    Root,
    Versions,
    NotFound,
    Permalink(&'a str),
    Page(usize, usize),
    ReqIndex(usize),
    Req(usize, usize),
    Chapter(usize, usize),
    Group(usize, usize),
    RefIndex(usize),
    Ref(usize, usize),
    Changes(usize),
    /// `<v>/changes/<older>.html` (newer, older).
    ChangesFrom(usize, usize),
    /// `<v>/print.html`.
    Print(usize),
    Search(usize),
}

impl Job<'_> {
    /// The version whose data the job reads (`None` for site-level pages).
    fn version(self) -> Option<usize> {
        match self {
            Job::Root | Job::Versions | Job::NotFound | Job::Permalink(_) => None,
            Job::Page(vi, _)
            | Job::ReqIndex(vi)
            | Job::Req(vi, _)
            | Job::Chapter(vi, _)
            | Job::Group(vi, _)
            | Job::RefIndex(vi)
            | Job::Ref(vi, _)
            | Job::Changes(vi)
            | Job::ChangesFrom(vi, _)
            | Job::Print(vi)
            | Job::Search(vi) => Some(vi),
        }
    }
}

/// `only`: the requirements whose HTML is needed (all when `None`); the others get empty
/// HTML, which no rendered page reads.
fn version_data<'a>(site: &'a Site, v: &'a Version, raw: RawHtml, only: Option<&BTreeSet<usize>>) -> VersionData<'a> {
    let from = format!("{}/requirements/x.html", v.id);
    let links = LinkCtx { site, version: v, from: &from, page_src: None };
    let req_html = v
        .requirements
        .par_iter()
        .enumerate()
        .map(|(ri, r)| {
            if only.is_some_and(|o| !o.contains(&ri)) {
                return (String::new(), None, Vec::new());
            }
            (
                markdown::to_html(&r.statement.text, &r.statement.scan.headings, &links, raw),
                r.guidance.as_ref().map(|g| markdown::to_html(&g.text, &g.scan.headings, &links, raw)),
                r.items.iter().map(|i| markdown::to_inline_html(&i.text, &links, raw)).collect(),
            )
        })
        .collect();
    let mut ref_cited_by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (ri, r) in v.requirements.iter().enumerate() {
        let mut ids: BTreeSet<&str> = r.references.iter().map(|x| x.value.as_str()).collect();
        for m in std::iter::once(&r.statement).chain(r.guidance.iter()).chain(r.items.iter()) {
            ids.extend(md_refs(m));
        }
        for id in ids {
            ref_cited_by.entry(id).or_default().push(ri);
        }
    }
    let mut ref_pages: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (pi, p) in v.pages.iter().enumerate() {
        for id in md_refs(&p.body).into_iter().collect::<BTreeSet<_>>() {
            ref_pages.entry(id).or_default().push(pi);
        }
    }
    let chapter_intro = v
        .chapters
        .iter()
        .filter_map(|c| c.intro.as_ref().map(|m| (c.id.value.as_str(), markdown::to_html(&m.text, &m.scan.headings, &links, raw))))
        .collect();
    let by_id = v.requirements.iter().enumerate().map(|(i, r)| (r.id.value.as_str(), i)).collect();
    // Without its CRLF: HTML parsers turn CR LF in attributes into LF; the script adds them back.
    let csv_rows = v.requirements.iter().map(|r| crate::export::csv_row(r).trim_end_matches("\r\n").to_string()).collect();
    let any_changed = v.requirements.iter().any(|r| r.changed.is_some());
    VersionData { req_html, ref_cited_by, ref_pages, chapter_intro, nav: nav_order(&v.pages), by_id, csv_rows, any_changed }
}

fn md_refs(m: &Md) -> Vec<&str> {
    m.scan.links.iter().filter_map(|l| if let Target::Ref(id) = &l.target { Some(id.as_str()) } else { None }).collect()
}

/// Guide pages in reading order with their depth: folders after the pages of their parent,
/// siblings by `order`, then title; a folder's `index.md` stands for the folder.
fn nav_order(pages: &[Page]) -> Vec<(usize, usize)> {
    fn walk(pages: &[Page], dir: &str, depth: usize, out: &mut Vec<(usize, usize)>) {
        // (order, title, page index or None, subdir)
        let mut items: Vec<(i64, String, Option<usize>, Option<String>)> = Vec::new();
        let mut subdirs: BTreeSet<String> = BTreeSet::new();
        for (i, p) in pages.iter().enumerate() {
            let Some(rest) = p.src.strip_prefix(dir) else { continue };
            match rest.split_once('/') {
                None if rest == "index.md" => {}
                None => items.push((p.order, p.title.clone(), Some(i), None)),
                Some((sub, _)) => {
                    subdirs.insert(sub.to_string());
                }
            }
        }
        for sub in subdirs {
            let idx = format!("{dir}{sub}/index.md");
            // A folder without its own index.md sorts by its first page, so its pages follow
            // the page they belong to (e.g. `ikt/*` with orders 61–63 after a page with 60).
            let prefix = format!("{dir}{sub}/");
            let (order, title, pi) = match pages.iter().position(|p| p.src == idx) {
                Some(i) => (pages[i].order, pages[i].title.clone(), Some(i)),
                None => (pages.iter().filter(|p| p.src.starts_with(&prefix)).map(|p| p.order).min().unwrap_or(i64::MAX), sub.clone(), None),
            };
            items.push((order, title, pi, Some(sub)));
        }
        items.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        for (_, _, pi, sub) in items {
            if let Some(pi) = pi {
                out.push((depth, pi));
            }
            if let Some(sub) = sub {
                walk(pages, &format!("{dir}{sub}/"), depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(i) = pages.iter().position(|p| p.src == "index.md") {
        out.push((0, i));
    }
    walk(pages, "", 0, &mut out);
    out
}

impl<'a> Ctx<'a> {
    /// Requirement `id` of version `vi` (exact), in constant time.
    fn req_of(&self, vi: usize, id: &str) -> Option<&'a Requirement> {
        let site: &'a Site = self.site;
        self.vdata[vi].by_id.get(id).map(|&i| &site.versions[vi].requirements[i])
    }

    fn run(&self, job: Job<'_>) -> Result<(String, String), Diagnostic> {
        match job {
            Job::Root => self.root_index(),
            Job::Versions => self.versions_page(),
            Job::NotFound => self.not_found(),
            Job::Permalink(id) => self.permalink(id),
            Job::Page(vi, pi) => self.page(vi, pi),
            Job::ReqIndex(vi) => self.req_index(vi),
            Job::Req(vi, ri) => self.requirement(vi, ri),
            Job::Chapter(vi, ci) => self.chapter(vi, ci),
            Job::Group(vi, gi) => self.group(vi, gi),
            Job::RefIndex(vi) => self.ref_index(vi),
            Job::Ref(vi, ri) => self.reference(vi, ri),
            Job::Changes(vi) => self.changes(vi),
            Job::Search(vi) => self.search_page(vi),
            Job::ChangesFrom(vi, oi) => self.changes_from(vi, oi),
            Job::Print(vi) => self.print_page(vi),
        }
    }

    fn tpl(&self, name: &str, out: String, ctx: Map<String, Value>) -> Result<(String, String), Diagnostic> {
        let context = tera::Context::from_value(Value::Object(ctx)).map_err(|e| Diagnostic::global("E-TEMPLATE", e.to_string()))?;
        match self.theme.tera.render(name, &context) {
            Ok(s) => Ok((out, s)),
            Err(e) => {
                let mut msg = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    msg.push_str(": ");
                    msg.push_str(&s.to_string());
                    src = s.source();
                }
                Err(Diagnostic::error(
                    "E-TEMPLATE",
                    Loc::file(format!("themes/{}/templates/{name}", self.site.config.theme)),
                    format!("rendering {out} failed: {msg}"),
                ))
            }
        }
    }

    fn status_label(&self, s: ReqStatus) -> &'static str {
        i18n::get(self.lang, &format!("status_{}", s.as_str()))
    }

    fn vstatus_label(&self, s: VersionStatus) -> &'static str {
        i18n::get(self.lang, &format!("vstatus_{}", s.as_str()))
    }

    fn obligation_label(&self, id: &str) -> String {
        self.site.config.obligations.iter().find(|o| o.id.get_ref() == id).map_or_else(|| id.to_string(), |o| o.label.clone())
    }

    fn obligation_rank(&self, id: &str) -> usize {
        self.site.config.obligations.iter().position(|o| o.id.get_ref() == id).unwrap_or(usize::MAX)
    }

    fn group_label(&self, id: &str) -> String {
        self.site.config.target_groups.iter().find(|g| g.id.get_ref() == id).map_or_else(|| id.to_string(), |g| g.label.clone())
    }

    fn kind_label(&self, kind: &str) -> String {
        let s = i18n::get(self.lang, &format!("kind_{kind}"));
        if s.is_empty() { kind.to_string() } else { s.to_string() }
    }

    /// The context every page shares: strings, navigation, version switcher, banners.
    fn base(&self, out: &str, title: &str, vi: Option<usize>, same: Same<'_>) -> Map<String, Value> {
        let site = self.site;
        let r = |to: &str| rel(out, to);
        let mut m = Map::new();
        m.insert("lang".into(), json!(self.lang.tag()));
        m.insert("t".into(), self.t.clone());
        // The default templates pass this to the `req_card` macro instead of `t`: tera clones
        // macro arguments, and `t` (100 strings) was cloned once per listed requirement.
        m.insert("card_t".into(), json!({"applies_from": self.t["applies_from"], "target_groups": self.t["target_groups"]}));
        m.insert("site_title".into(), json!(site.config.title));
        m.insert("title".into(), json!(title));
        let root = root_prefix(out);
        m.insert("root".into(), json!(if root.is_empty() { "./".to_string() } else { root }));
        m.insert("css".into(), json!(r("static/style.css")));
        m.insert("print_css".into(), json!(r("static/print.css")));
        m.insert("js".into(), json!(r("static/normbok.js")));
        m.insert("versions_url".into(), json!(r("versions.html")));
        m.insert("home_url".into(), json!(r("index.html")));
        if !site.config.base_url.is_empty() {
            m.insert("canonical".into(), json!(format!("{}/{}", site.config.base_url.trim_end_matches('/'), out)));
        }
        if let Some(feed) = feeds::link_for(site, out) {
            m.insert("feed_url".into(), json!(feed));
        }
        let cur = &site.versions[self.current];
        if let Some(vi) = vi {
            let v = &site.versions[vi];
            let vd = &self.vdata[vi];
            let banner = match v.status {
                VersionStatus::Draft => Some(i18n::get(self.lang, "banner_draft")),
                VersionStatus::Superseded => Some(i18n::get(self.lang, "banner_superseded")),
                VersionStatus::Withdrawn => Some(i18n::get(self.lang, "banner_withdrawn")),
                VersionStatus::Current => None,
            };
            let same_in_current = self.same_target(self.current, same);
            m.insert(
                "version".into(),
                json!({
                    "id": v.id, "label": v.label, "status": v.status.as_str(), "status_label": self.vstatus_label(v.status),
                    "published": v.published, "note": v.note, "banner": banner,
                    "home": r(&format!("{}/index.html", v.id)),
                    "requirements": r(&format!("{}/requirements/index.html", v.id)),
                    "references": r(&format!("{}/references/index.html", v.id)),
                    "changes": r(&format!("{}/changes.html", v.id)),
                    "print": r(&format!("{}/print.html", v.id)),
                    "search": r(&format!("{}/search.html", v.id)),
                    "current_url": r(&same_in_current),
                    "current_label": cur.label,
                }),
            );
            let switcher: Vec<Value> = site
                .versions
                .iter()
                .enumerate()
                .map(|(i, o)| json!({"id": o.id, "label": o.label, "status_label": self.vstatus_label(o.status), "url": r(&self.same_target(i, same)), "selected": i == vi}))
                .collect();
            m.insert("switcher".into(), json!(switcher));
            m.insert("sidebar".into(), json!(self.sidebar(vi, out, vd)));
            m.insert("search_action".into(), json!(r(&format!("{}/search.html", v.id))));
            m.insert("data_version".into(), json!(v.id));
        } else {
            m.insert("data_version".into(), json!(cur.id));
            m.insert("search_action".into(), json!(r(&format!("{}/search.html", cur.id))));
        }
        m
    }

    /// The version's navigation for page `out`. Every entry's URL depends only on the folder
    /// of `out`, and on most pages (all requirement pages) no entry is the current one, so
    /// that HTML is rendered once per version and folder: building the navigation's context
    /// and running it through the template per page was a sixth of the build.
    fn sidebar(&self, vi: usize, out: &str, vd: &VersionData<'_>) -> String {
        let v = &self.site.versions[vi];
        let rest = out.strip_prefix(v.id.as_str()).and_then(|r| r.strip_prefix('/')).unwrap_or("");
        let active = rest.starts_with("chapters/") || rest.starts_with("groups/") || vd.nav.iter().any(|&(_, pi)| v.pages[pi].out == rest);
        let folder = out.rsplit_once('/').map_or("", |(d, _)| d);
        if !active && let Some(html) = self.sidebars.lock().ok().and_then(|c| c.get(&(vi, folder.to_string())).cloned()) {
            return html;
        }
        let r = |to: &str| rel(out, to);
        let nav: Vec<Value> = vd
            .nav
            .iter()
            .map(|&(depth, pi)| {
                let p = &v.pages[pi];
                let target = format!("{}/{}", v.id, p.out);
                json!({"title": p.title, "url": r(&target), "depth": depth, "active": target == out})
            })
            .collect();
        let chapters: Vec<Value> = v
            .chapters
            .iter()
            .map(|c| {
                let target = format!("{}/chapters/{}.html", v.id, c.id.value);
                json!({"id": c.id.value, "title": c.title, "url": r(&target), "active": target == out})
            })
            .collect();
        let groups: Vec<Value> = self
            .site
            .config
            .target_groups
            .iter()
            .map(|g| {
                let target = format!("{}/groups/{}.html", v.id, g.id.get_ref());
                json!({"id": g.id.get_ref(), "label": g.label, "url": r(&target), "active": target == out})
            })
            .collect();
        let mut m = Map::new();
        m.insert("t".into(), self.t.clone());
        m.insert("nav".into(), json!(nav));
        m.insert("nav_chapters".into(), json!(chapters));
        m.insert("nav_groups".into(), json!(groups));
        // A template error here surfaces again, with its location, when the page itself
        // renders `base.html`; an empty sidebar is never written because that page fails.
        let html = self.tpl("sidebar.html", String::new(), m).map(|(_, h)| h).unwrap_or_default();
        if !active && let Ok(mut c) = self.sidebars.lock() {
            c.insert((vi, folder.to_string()), html.clone());
        }
        html
    }

    /// The output path in version `vi` that shows the same thing, or the closest page.
    fn same_target(&self, vi: usize, same: Same<'_>) -> String {
        let v = &self.site.versions[vi];
        match same {
            Same::Page(src) => match v.page(src) {
                Some(p) => format!("{}/{}", v.id, p.out),
                None => format!("{}/index.html", v.id),
            },
            Same::Req(id) => match self.req_of(vi, id) {
                Some(_) => format!("{}/requirements/{id}.html", v.id),
                None => format!("{}/requirements/index.html", v.id),
            },
            Same::Chapter(id) => match v.chapter(id) {
                Some(_) => format!("{}/chapters/{id}.html", v.id),
                None => format!("{}/requirements/index.html", v.id),
            },
            Same::Reference(id) => match v.references.iter().any(|r| r.id.value == id) {
                true => format!("{}/references/{id}.html", v.id),
                false => format!("{}/references/index.html", v.id),
            },
            Same::Fixed(path) => format!("{}/{path}", v.id),
        }
    }

    /// Summary of a requirement for lists, with links relative to `out`.
    fn req_summary(&self, vi: usize, ri: usize, out: &str) -> Value {
        let v = &self.site.versions[vi];
        let r = &v.requirements[ri];
        let (statement, guidance, items) = &self.vdata[vi].req_html[ri];
        let groups: Vec<Value> = r
            .target_groups
            .iter()
            .map(|g| json!({"id": g.value, "label": self.group_label(&g.value), "url": rel(out, &format!("{}/groups/{}.html", v.id, g.value))}))
            .collect();
        json!({
            "id": r.id.value, "title": r.title,
            "url": rel(out, &format!("{}/requirements/{}.html", v.id, r.id.value)),
            "obligation": {"id": r.obligation.value, "label": self.obligation_label(&r.obligation.value), "rank": self.obligation_rank(&r.obligation.value)},
            "groups": groups,
            "group_ids": r.target_groups.iter().map(|g| g.value.as_str()).collect::<Vec<_>>().join(" "),
            "status": {"id": r.status.as_str(), "label": self.status_label(r.status)},
            "applies_from": r.applies_from.as_ref().map(|a| a.value.clone()),
            "changed": r.changed.as_ref().map(|a| a.value.clone()),
            "statement_html": statement, "guidance_html": guidance, "items_html": items,
            "chapter": r.chapter,
            "csv_row": self.vdata[vi].csv_rows[ri],
        })
    }

    fn root_index(&self) -> Result<(String, String), Diagnostic> {
        let out = "index.html".to_string();
        let cur = &self.site.versions[self.current];
        let mut m = self.base(&out, &self.site.config.title, None, Same::Fixed("index.html"));
        m.insert("target".into(), json!(format!("{}/index.html", cur.id)));
        m.insert("target_label".into(), json!(cur.label));
        m.insert("versions".into(), self.version_list(&out));
        self.tpl("root.html", out, m)
    }

    fn version_list(&self, out: &str) -> Value {
        json!(
            self.site
                .versions
                .iter()
                .map(|v| json!({
                    "id": v.id, "label": v.label, "status": v.status.as_str(), "status_label": self.vstatus_label(v.status),
                    "published": v.published, "note": v.note, "url": rel(out, &format!("{}/index.html", v.id)),
                    "changes_url": rel(out, &format!("{}/changes.html", v.id)),
                    "count": v.requirements.len(), "current": v.status == VersionStatus::Current,
                }))
                .collect::<Vec<_>>()
        )
    }

    fn versions_page(&self) -> Result<(String, String), Diagnostic> {
        let out = "versions.html".to_string();
        let mut m = self.base(&out, i18n::get(self.lang, "all_versions"), None, Same::Fixed("index.html"));
        m.insert("versions".into(), self.version_list(&out));
        self.tpl("versions.html", out, m)
    }

    fn not_found(&self) -> Result<(String, String), Diagnostic> {
        let out = "404.html".to_string();
        let mut m = self.base(&out, i18n::get(self.lang, "not_found"), None, Same::Fixed("index.html"));
        let cur = &self.site.versions[self.current];
        // Hosts serve 404.html at any depth, so relative links only work with a base URL.
        let base = self.site.config.base_url.trim_end_matches('/');
        let prefix = if base.is_empty() { String::new() } else { format!("{base}/") };
        m.insert("css".into(), json!(format!("{prefix}static/style.css")));
        m.insert("print_css".into(), json!(format!("{prefix}static/print.css")));
        m.insert("js".into(), json!(format!("{prefix}static/normbok.js")));
        m.insert("home_url".into(), json!(format!("{prefix}index.html")));
        m.insert("versions_url".into(), json!(format!("{prefix}versions.html")));
        m.insert("current_home".into(), json!(format!("{prefix}{}/index.html", cur.id)));
        m.insert("current_requirements".into(), json!(format!("{prefix}{}/requirements/index.html", cur.id)));
        self.tpl("404.html", out, m)
    }

    fn permalink(&self, id: &str) -> Result<(String, String), Diagnostic> {
        let out = format!("requirements/{id}.html");
        let vs = &self.site.versions;
        let Some(p) = self.hist.permalink.get(id) else { return Err(Diagnostic::global("E-INTERNAL", format!("no permalink for {id}"))) };
        let title = |vi: usize| self.req_of(vi, id).map(|r| r.title.clone()).unwrap_or_default();
        match p {
            Permalink::Live(vi) => {
                let mut m = self.base(&out, &format!("{id} {}", title(*vi)), None, Same::Req(id));
                let target = format!("{}/requirements/{id}.html", vs[*vi].id);
                m.insert("target".into(), json!(rel(&out, &target)));
                m.insert("target_label".into(), json!(format!("{id} {} ({})", title(*vi), vs[*vi].label)));
                self.tpl("redirect.html", out, m)
            }
            Permalink::Withdrawn { version, since, last_in_force } => {
                let mut m = self.base(&out, &format!("{id} {}", title(*version)), None, Same::Req(id));
                m.insert("id".into(), json!(id));
                m.insert("req_title".into(), json!(title(*version)));
                m.insert("reason".into(), json!("withdrawn"));
                m.insert(
                    "since".into(),
                    json!({"id": vs[*since].id, "label": vs[*since].label, "url": rel(&out, &format!("{}/requirements/{id}.html", vs[*since].id))}),
                );
                let last = last_in_force.unwrap_or(*version);
                m.insert(
                    "last".into(),
                    json!({"id": vs[last].id, "label": vs[last].label, "url": rel(&out, &format!("{}/requirements/{id}.html", vs[last].id))}),
                );
                self.tpl("tombstone.html", out, m)
            }
            Permalink::Removed { last, removed_in } => {
                let mut m = self.base(&out, &format!("{id} {}", title(*last)), None, Same::Req(id));
                m.insert("id".into(), json!(id));
                m.insert("req_title".into(), json!(title(*last)));
                m.insert("reason".into(), json!("removed"));
                m.insert("since".into(), json!({"id": vs[*removed_in].id, "label": vs[*removed_in].label, "url": rel(&out, &format!("{}/changes.html", vs[*removed_in].id))}));
                m.insert(
                    "last".into(),
                    json!({"id": vs[*last].id, "label": vs[*last].label, "url": rel(&out, &format!("{}/requirements/{id}.html", vs[*last].id))}),
                );
                self.tpl("tombstone.html", out, m)
            }
        }
    }

    fn page(&self, vi: usize, pi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let p = &v.pages[pi];
        let out = format!("{}/{}", v.id, p.out);
        let links = LinkCtx { site: self.site, version: v, from: &out, page_src: Some(&p.src) };
        let html = markdown::to_html(&p.body.text, &p.body.scan.headings, &links, self.raw);
        let mut m = self.base(&out, &p.title, Some(vi), Same::Page(&p.src));
        m.insert("content".into(), json!(html));
        m.insert("summary".into(), json!(p.summary));
        m.insert("is_home".into(), json!(p.src == "index.md"));
        let toc: Vec<Value> = p
            .body
            .scan
            .headings
            .iter()
            .filter(|h| h.level == 2 || h.level == 3)
            .map(|h| json!({"level": h.level, "text": h.text, "anchor": h.anchor}))
            .collect();
        m.insert("toc".into(), json!(toc));
        let groups: Vec<Value> = p
            .target_groups
            .iter()
            .map(|g| json!({"id": g.value, "label": self.group_label(&g.value), "url": rel(&out, &format!("{}/groups/{}.html", v.id, g.value))}))
            .collect();
        m.insert("page_groups".into(), json!(groups));
        if p.src == "index.md" {
            let chapters: Vec<Value> = v
                .chapters
                .iter()
                .map(|c| json!({"title": c.title, "url": rel(&out, &format!("{}/chapters/{}.html", v.id, c.id.value)), "count": v.requirements.iter().filter(|r| r.chapter == c.id.value).count()}))
                .collect();
            m.insert("home_chapters".into(), json!(chapters));
        }
        self.tpl("page.html", out, m)
    }

    fn filters(&self, v: &Version, out: &str) -> Value {
        let count = |f: &dyn Fn(&Requirement) -> bool| v.requirements.iter().filter(|r| f(r)).count();
        let groups: Vec<Value> = self
            .site
            .config
            .target_groups
            .iter()
            .map(|g| {
                let id = g.id.get_ref();
                json!({"id": id, "label": g.label, "count": count(&|r| r.target_groups.iter().any(|x| &x.value == id)), "url": rel(out, &format!("{}/groups/{id}.html", v.id))})
            })
            .collect();
        let obligations: Vec<Value> = self
            .site
            .config
            .obligations
            .iter()
            .map(|o| {
                let id = o.id.get_ref();
                json!({"id": id, "label": o.label, "count": count(&|r| &r.obligation.value == id)})
            })
            .collect();
        let statuses: Vec<Value> = ReqStatus::ALL
            .iter()
            .filter(|(_, s)| count(&|r| r.status == *s) > 0)
            .map(|(n, s)| json!({"id": n, "label": self.status_label(*s), "count": count(&|r| r.status == *s)}))
            .collect();
        json!({"groups": groups, "obligations": obligations, "statuses": statuses})
    }

    fn req_index(&self, vi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let out = format!("{}/requirements/index.html", v.id);
        let mut m = self.base(&out, i18n::get(self.lang, "all_requirements"), Some(vi), Same::Fixed("requirements/index.html"));
        m.insert("chapters".into(), self.chapter_lists(vi, &out, &|_| true));
        m.insert("filters".into(), self.filters(v, &out));
        m.insert("total".into(), json!(v.requirements.len()));
        m.insert("csv_header".into(), json!(crate::export::csv_header().trim_end_matches("\r\n")));
        m.insert("csv_name".into(), json!(format!("krav-{}-utvalg.csv", v.id)));
        m.insert("csv_url".into(), json!(rel(&out, &format!("{}/export/requirements.csv", v.id))));
        m.insert("json_url".into(), json!(rel(&out, &format!("{}/export/requirements.json", v.id))));
        self.tpl("requirements.html", out, m)
    }

    fn chapter_lists(&self, vi: usize, out: &str, keep: &dyn Fn(&Requirement) -> bool) -> Value {
        let v = &self.site.versions[vi];
        let lists: Vec<Value> = v
            .chapters
            .iter()
            .filter_map(|c| {
                let reqs: Vec<Value> = v
                    .requirements
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.chapter == c.id.value && keep(r))
                    .map(|(ri, _)| self.req_summary(vi, ri, out))
                    .collect();
                (!reqs.is_empty()).then(|| json!({"id": c.id.value, "title": c.title, "url": rel(out, &format!("{}/chapters/{}.html", v.id, c.id.value)), "requirements": reqs}))
            })
            .collect();
        json!(lists)
    }

    fn requirement(&self, vi: usize, ri: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let r = &v.requirements[ri];
        let id = r.id.value.as_str();
        let out = format!("{}/requirements/{id}.html", v.id);
        let mut m = self.base(&out, &format!("{id} {}", r.title), Some(vi), Same::Req(id));
        let mut req = self.req_summary(vi, ri, &out);
        req["show_changed"] = json!(self.vdata[vi].any_changed);
        req["last_changed"] = self.last_changed_view(vi, ri, &out);
        let chapter = v
            .chapter(&r.chapter)
            .map(|c| json!({"id": c.id.value, "title": c.title, "url": rel(&out, &format!("{}/chapters/{}.html", v.id, c.id.value))}));
        let refs: Vec<Value> = r
            .references
            .iter()
            .filter_map(|x| v.references.iter().find(|rf| rf.id.value == x.value))
            .map(|rf| json!({"id": rf.id.value, "title": rf.title, "designation": rf.designation, "kind": self.kind_label(&rf.kind.value), "url": rel(&out, &format!("{}/references/{}.html", v.id, rf.id.value)), "external": rf.url.as_ref().map(|u| u.value.clone())}))
            .collect();
        let related: Vec<Value> = r
            .related
            .iter()
            .filter_map(|x| self.req_of(vi, &x.value))
            .map(|o| json!({"id": o.id.value, "title": o.title, "url": rel(&out, &format!("{}/requirements/{}.html", v.id, o.id.value))}))
            .collect();
        let others: Vec<Value> = self
            .site
            .versions
            .iter()
            .enumerate()
            .filter(|(_, o)| o.id != v.id)
            .filter_map(|(oi, o)| self.req_of(oi, id).map(|x| (o, x)))
            .map(|(o, x)| json!({"id": o.id, "label": o.label, "status_label": self.vstatus_label(o.status), "req_status": self.status_label(x.status), "url": rel(&out, &format!("{}/requirements/{id}.html", o.id))}))
            .collect();
        let history: Vec<Value> = self
            .hist
            .history
            .get(id)
            .map(|h| {
                h.iter()
                    .map(|s| {
                        let fields: Vec<&str> = s.fields.iter().map(|f| i18n::get(self.lang, &format!("field_{f}"))).collect();
                        let url = if s.event == "added" && self.hist.diffs.get(self.site.versions.iter().position(|x| x.id == s.version).unwrap_or(0)).is_some_and(Option::is_none) {
                            rel(&out, &format!("{}/requirements/{id}.html", s.version))
                        } else {
                            format!("{}#{}", rel(&out, &format!("{}/changes.html", s.version)), change_anchor(id))
                        };
                        let label = self.site.versions.iter().find(|x| x.id == s.version).map_or(s.version.clone(), |x| x.label.clone());
                        json!({"version": s.version, "version_label": label, "event": s.event, "event_label": i18n::get(self.lang, &format!("event_{}", s.event)), "fields": fields, "url": url})
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let Some(o) = req.as_object_mut() {
            o.insert("chapter".into(), json!(chapter));
            o.insert("references".into(), json!(refs));
            o.insert("related".into(), json!(related));
            o.insert("source".into(), json!(r.source));
            o.insert("permalink".into(), json!(rel(&out, &format!("requirements/{id}.html"))));
        }
        m.insert("req".into(), req);
        m.insert("other_versions".into(), json!(others));
        m.insert("history".into(), json!(history));
        self.tpl("requirement.html", out, m)
    }

    fn chapter(&self, vi: usize, ci: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let c = &v.chapters[ci];
        let out = format!("{}/chapters/{}.html", v.id, c.id.value);
        let mut m = self.base(&out, &c.title, Some(vi), Same::Chapter(&c.id.value));
        let reqs: Vec<Value> =
            v.requirements.iter().enumerate().filter(|(_, r)| r.chapter == c.id.value).map(|(ri, _)| self.req_summary(vi, ri, &out)).collect();
        m.insert("chapter".into(), json!({"id": c.id.value, "title": c.title, "intro_html": self.vdata[vi].chapter_intro.get(c.id.value.as_str())}));
        m.insert("requirements".into(), json!(reqs));
        self.tpl("chapter.html", out, m)
    }

    fn group(&self, vi: usize, gi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let g = &self.site.config.target_groups[gi];
        let gid = g.id.get_ref().as_str();
        let out = format!("{}/groups/{gid}.html", v.id);
        let mut m = self.base(&out, &g.label, Some(vi), Same::Fixed(&format!("groups/{gid}.html")));
        let keep = |r: &Requirement| r.target_groups.iter().any(|x| x.value == gid);
        m.insert("group".into(), json!({"id": gid, "label": g.label, "description": g.description}));
        m.insert("chapters".into(), self.chapter_lists(vi, &out, &keep));
        m.insert("count".into(), json!(v.requirements.iter().filter(|r| keep(r)).count()));
        let pages: Vec<Value> = v
            .pages
            .iter()
            .filter(|p| p.target_groups.iter().any(|x| x.value == gid))
            .map(|p| json!({"title": p.title, "summary": p.summary, "url": rel(&out, &format!("{}/{}", v.id, p.out))}))
            .collect();
        m.insert("pages".into(), json!(pages));
        let all: Vec<Value> = self
            .site
            .config
            .target_groups
            .iter()
            .map(|o| json!({"id": o.id.get_ref(), "label": o.label, "url": rel(&out, &format!("{}/groups/{}.html", v.id, o.id.get_ref())), "active": o.id.get_ref() == gid}))
            .collect();
        m.insert("all_groups".into(), json!(all));
        self.tpl("group.html", out, m)
    }

    fn ref_index(&self, vi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let out = format!("{}/references/index.html", v.id);
        let mut m = self.base(&out, i18n::get(self.lang, "references"), Some(vi), Same::Fixed("references/index.html"));
        let kinds: Vec<Value> = crate::validate::REFERENCE_KINDS
            .iter()
            .filter_map(|k| {
                let refs: Vec<Value> = v
                    .references
                    .iter()
                    .filter(|r| r.kind.value == *k)
                    .map(|r| json!({"id": r.id.value, "title": r.title, "designation": r.designation, "url": rel(&out, &format!("{}/references/{}.html", v.id, r.id.value)), "external": r.url.as_ref().map(|u| u.value.clone()), "count": self.vdata[vi].ref_cited_by.get(r.id.value.as_str()).map_or(0, Vec::len)}))
                    .collect();
                (!refs.is_empty()).then(|| json!({"kind": k, "label": self.kind_label(k), "references": refs}))
            })
            .collect();
        m.insert("kinds".into(), json!(kinds));
        self.tpl("references.html", out, m)
    }

    fn reference(&self, vi: usize, ri: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let rf = &v.references[ri];
        let out = format!("{}/references/{}.html", v.id, rf.id.value);
        let mut m = self.base(&out, &rf.title, Some(vi), Same::Reference(&rf.id.value));
        let vd = &self.vdata[vi];
        let cited: Vec<Value> =
            vd.ref_cited_by.get(rf.id.value.as_str()).map(|l| l.iter().map(|&i| self.req_summary(vi, i, &out)).collect()).unwrap_or_default();
        let pages: Vec<Value> = vd
            .ref_pages
            .get(rf.id.value.as_str())
            .map(|l| l.iter().map(|&i| json!({"title": v.pages[i].title, "url": rel(&out, &format!("{}/{}", v.id, v.pages[i].out))})).collect())
            .unwrap_or_default();
        m.insert("reference".into(), json!({"id": rf.id.value, "title": rf.title, "designation": rf.designation, "kind": self.kind_label(&rf.kind.value), "url": rf.url.as_ref().map(|u| u.value.clone())}));
        m.insert("cited_by".into(), json!(cited));
        m.insert("pages".into(), json!(pages));
        self.tpl("reference.html", out, m)
    }

    fn changes(&self, vi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let out = format!("{}/changes.html", v.id);
        let mut m = self.base(&out, i18n::get(self.lang, "changes"), Some(vi), Same::Fixed("changes.html"));
        match self.hist.diffs.get(vi).and_then(Option::as_ref) {
            None => {
                m.insert("diff".into(), Value::Null);
            }
            Some(d) => {
                let older = self.site.versions.iter().position(|x| x.id == d.from).unwrap_or(vi);
                m.insert("diff".into(), self.diff_view(d, vi, older, &out));
            }
        }
        m.insert("compare".into(), self.compare_links(vi, &out));
        self.tpl("changes.html", out, m)
    }

    fn diff_view(&self, d: &crate::versions::VersionDiff, vi: usize, older: usize, out: &str) -> Value {
        let v = &self.site.versions[vi];
        let o = &self.site.versions[older];
        let chapter_title = |ver: &Version, id: &str| ver.chapter(id).map_or_else(|| id.to_string(), |c| c.title.clone());
        let entry = |e: &crate::versions::Entry, ver: &Version| json!({"id": e.id, "title": e.title, "anchor": change_anchor(&e.id), "chapter": chapter_title(ver, &e.chapter), "url": rel(out, &format!("{}/requirements/{}.html", ver.id, e.id))});
        let set = |s: &crate::versions::SetChange, label: &dyn Fn(&str) -> String| json!({"added": s.added.iter().map(|x| label(x)).collect::<Vec<_>>(), "removed": s.removed.iter().map(|x| label(x)).collect::<Vec<_>>()});
        let changed: Vec<Value> = d
            .changed
            .iter()
            .map(|c| {
                let title = self.req_of(vi, &c.id).map(|r| r.title.clone()).unwrap_or_default();
                json!({
                    "id": c.id, "title": title, "anchor": change_anchor(&c.id), "chapter": chapter_title(v, &c.chapter),
                    "url": rel(out, &format!("{}/requirements/{}.html", v.id, c.id)),
                    "old_url": rel(out, &format!("{}/requirements/{}.html", o.id, c.id)),
                    "fields": c.fields.iter().map(|f| i18n::get(self.lang, &format!("field_{f}"))).collect::<Vec<_>>(),
                    "obligation": c.obligation.as_ref().map(|x| json!({"old": self.obligation_label(&x.old), "new": self.obligation_label(&x.new)})),
                    "status": c.status.as_ref().map(|x| json!({"old": status_name(self, &x.old), "new": status_name(self, &x.new)})),
                    "applies_from": c.applies_from,
                    "chapter_moved": c.chapter_moved.as_ref().map(|x| json!({"old": chapter_title(o, &x.old), "new": chapter_title(v, &x.new)})),
                    "target_groups": c.target_groups.as_ref().map(|s| set(s, &|g| self.group_label(g))),
                    "references": c.references.as_ref().map(|s| set(s, &|x| x.to_string())),
                    "related": c.related.as_ref().map(|s| set(s, &|x| x.to_string())),
                    "texts": c.texts.iter().map(|t| json!({"field": i18n::get(self.lang, &format!("field_{}", t.field)), "diff": t.diff})).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "from": {"id": o.id, "label": o.label, "url": rel(out, &format!("{}/index.html", o.id))},
            "added": d.added.iter().map(|e| entry(e, v)).collect::<Vec<_>>(),
            "removed": d.removed.iter().map(|e| entry(e, o)).collect::<Vec<_>>(),
            "withdrawn": d.withdrawn.iter().map(|e| entry(e, v)).collect::<Vec<_>>(),
            "changed": changed,
            "unchanged": d.unchanged,
        })
    }

    fn search_page(&self, vi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let out = format!("{}/search.html", v.id);
        let mut m = self.base(&out, i18n::get(self.lang, "search"), Some(vi), Same::Fixed("search.html"));
        let groups: Vec<Value> = self.site.config.target_groups.iter().map(|g| json!({"id": g.id.get_ref(), "label": g.label})).collect();
        m.insert("groups_json".into(), json!(serde_json::to_string(&groups).unwrap_or_default()));
        let obligations: Vec<Value> = self.site.config.obligations.iter().map(|o| json!({"id": o.id.get_ref(), "label": o.label})).collect();
        m.insert("obligations_json".into(), json!(serde_json::to_string(&obligations).unwrap_or_default()));
        m.insert("filters".into(), self.filters(v, &out));
        self.tpl("search.html", out, m)
    }
}

fn status_name(ctx: &Ctx<'_>, s: &str) -> String {
    ReqStatus::ALL.iter().find(|(n, _)| *n == s).map_or_else(|| s.to_string(), |(_, st)| ctx.status_label(*st).to_string())
}

/// Anchor of a requirement's entry on a changes page.
pub fn change_anchor(id: &str) -> String {
    format!("krav-{id}")
}

/// `sitemap.xml` listing the HTML files of `files` (drafts and 404 left out).
pub fn sitemap(site: &Site, files: &Files) -> String {
    let base = site.config.base_url.trim_end_matches('/');
    let drafts: Vec<&str> = site.versions.iter().filter(|v| v.status == VersionStatus::Draft).map(|v| v.id.as_str()).collect();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for path in files.keys() {
        if !path.ends_with(".html") || path == "404.html" || drafts.iter().any(|d| path.starts_with(&format!("{d}/"))) {
            continue;
        }
        let url = format!("{base}/{}", path.split('/').map(urls::encode).collect::<Vec<_>>().join("/"));
        s.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(&url)));
    }
    s.push_str("</urlset>\n");
    s
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}
