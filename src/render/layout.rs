//! Stage 4 (render): the page layout every page shares. Template rendering with located errors,
//! labels, the base context (version, switcher, banners), the navigation (contents page, toc.js) and the
//! switcher targets.

use serde_json::{Map, Value, json};

use crate::config::VersionStatus;
use crate::diag::{Diagnostic, Loc};
use crate::model::ReqStatus;
use crate::paths;

use super::urls::{rel, root_prefix};
use super::{Ctx, i18n};

/// What an output page shows, which decides the version switcher's targets.
#[derive(Clone, Copy)]
pub(super) enum Same<'a> {
    Page(&'a str),
    Req(&'a str),
    Chapter(&'a str),
    Reference(&'a str),
    Group(&'a str),
    /// A page every version has, by its path function.
    Fixed(fn(&str) -> String),
}

impl<'a> Ctx<'a> {
    pub(super) fn tpl(&self, name: &str, out: String, ctx: Map<String, Value>) -> Result<(String, String), Diagnostic> {
        let context = tera::Context::from_value(Value::Object(ctx)).map_err(|e| Diagnostic::global("E-TEMPLATE", e.to_string()))?;
        match self.theme.tera.render(name, &context) {
            Ok(s) => Ok((out, s)),
            Err(e) => {
                let msg = crate::diag::error_chain(&e).join(": ");
                Err(Diagnostic::error(
                    "E-TEMPLATE",
                    Loc::file(format!("themes/{}/templates/{name}", self.site.config.theme)),
                    format!("rendering {out} failed: {msg}"),
                ))
            }
        }
    }

    pub(super) fn status_label(&self, s: ReqStatus) -> &'static str {
        i18n::get(self.lang, &format!("status_{}", s.as_str()))
    }

    pub(super) fn vstatus_label(&self, s: VersionStatus) -> &'static str {
        i18n::get(self.lang, &format!("vstatus_{}", s.as_str()))
    }

    pub(super) fn obligation_label(&self, id: &str) -> String {
        self.site.config.obligations.iter().find(|o| o.id.get_ref() == id).map_or_else(|| id.to_string(), |o| o.label.clone())
    }

    pub(super) fn obligation_rank(&self, id: &str) -> usize {
        self.site.config.obligations.iter().position(|o| o.id.get_ref() == id).unwrap_or(usize::MAX)
    }

    pub(super) fn group_label(&self, id: &str) -> String {
        self.site.config.target_groups.iter().find(|g| g.id.get_ref() == id).map_or_else(|| id.to_string(), |g| g.label.clone())
    }

    pub(super) fn kind_label(&self, kind: &str) -> String {
        let s = i18n::get(self.lang, &format!("kind_{kind}"));
        if s.is_empty() { kind.to_string() } else { s.to_string() }
    }

    /// The context every page shares: strings, navigation, version switcher, banners.
    pub(super) fn base(&self, out: &str, title: &str, vi: Option<usize>, same: Same<'_>) -> Map<String, Value> {
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
        m.insert("css".into(), json!(r(&paths::static_file("style.css"))));
        m.insert("print_css".into(), json!(r(&paths::static_file("print.css"))));
        m.insert("js".into(), json!(r(&paths::static_file("normbok.js"))));
        m.insert("versions_url".into(), json!(r(paths::VERSIONS)));
        m.insert("home_url".into(), json!(r(paths::ROOT_INDEX)));
        m.insert("publisher".into(), json!(site.config.publisher));
        m.insert("logo".into(), json!((!site.config.logo.is_empty()).then(|| r(&paths::static_file(&site.config.logo)))));
        if !site.config.base_url.is_empty() {
            m.insert("canonical".into(), json!(format!("{}/{}", site.config.base_url.trim_end_matches('/'), out)));
        }
        if let Some(feed) = super::feeds::link_for(site, out) {
            m.insert("feed_url".into(), json!(feed));
        }
        let cur = &site.versions[self.current];
        if let Some(vi) = vi {
            let v = &site.versions[vi];
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
                    "home": r(&paths::version_home(&v.id)),
                    "requirements": r(&paths::requirements_index(&v.id)),
                    "references": r(&paths::references_index(&v.id)),
                    "changes": r(&paths::changes(&v.id)),
                    "print": r(&paths::print(&v.id)),
                    "search": r(&paths::search_page(&v.id)),
                    "contents": r(&paths::contents(&v.id)),
                    "toc": r(&paths::toc(&v.id)),
                    "root": r(&paths::version_home(&v.id)).trim_end_matches("index.html"),
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
            // Which entry of the header's main menu the page belongs to (marked there).
            let rest = out.strip_prefix(v.id.as_str()).and_then(|x| x.strip_prefix('/')).unwrap_or("");
            let section = match rest.split('/').next().unwrap_or("") {
                "requirements" | "chapters" | "groups" => "requirements",
                "references" => "references",
                "changes.html" | "changes" => "changes",
                "search.html" => "search",
                "contents.html" => "",
                _ => "guide",
            };
            m.insert("section".into(), json!(section));
            m.insert("search_action".into(), json!(r(&paths::search_page(&v.id))));
            m.insert("data_version".into(), json!(v.id));
        } else {
            m.insert("data_version".into(), json!(cur.id));
            m.insert("search_action".into(), json!(r(&paths::search_page(&cur.id))));
        }
        m
    }

    /// The version's navigation (guide pages, chapters, target groups) with URLs relative to
    /// `out`: the contents page renders it, `toc.js` carries it to every other page.
    pub(super) fn nav_lists(&self, vi: usize, out: &str) -> Map<String, Value> {
        let v = &self.site.versions[vi];
        let vd = &self.vdata[vi];
        let r = |to: &str| rel(out, to);
        let nav: Vec<Value> = vd
            .nav
            .iter()
            .map(|&(depth, pi)| {
                let p = &v.pages[pi];
                json!({"title": p.title, "url": r(&paths::page(&v.id, &p.out)), "depth": depth})
            })
            .collect();
        let chapters: Vec<Value> =
            v.chapters.iter().map(|c| json!({"id": c.id.value, "title": c.title, "url": r(&paths::chapter(&v.id, &c.id.value))})).collect();
        let groups: Vec<Value> = self
            .site
            .config
            .target_groups
            .iter()
            .map(|g| json!({"id": g.id.get_ref(), "label": g.label, "url": r(&paths::group(&v.id, g.id.get_ref()))}))
            .collect();
        let mut m = Map::new();
        m.insert("nav".into(), json!(nav));
        m.insert("nav_chapters".into(), json!(chapters));
        m.insert("nav_groups".into(), json!(groups));
        m
    }

    pub(super) fn contents(&self, vi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let out = paths::contents(&v.id);
        let mut m = self.base(&out, i18n::get(self.lang, "contents"), Some(vi), Same::Fixed(paths::contents));
        m.extend(self.nav_lists(vi, &out));
        m.insert("contents_page".into(), json!(true));
        self.tpl("contents.html", out, m)
    }

    /// `<v>/toc.js`: the navigation as data (URLs relative to the version folder), which
    /// normbok.js draws with DOM calls into each page's menu, marking the current page.
    pub(super) fn toc(&self, vi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let out = paths::toc(&v.id);
        let lists = self.nav_lists(vi, &out);
        let t = |k: &str| i18n::get(self.lang, k);
        let section = |heading: &str, class: &str, key: &str, label: &str| {
            let items: Vec<Value> = lists[key]
                .as_array()
                .map(|a| a.iter().map(|e| json!({"t": e[label], "u": e["url"], "d": e.get("depth").cloned().unwrap_or(json!(0))})).collect())
                .unwrap_or_default();
            json!({"h": heading, "c": class, "i": items})
        };
        let data = json!([
            section(t("guide"), "nav-pages", "nav", "title"),
            section(t("chapters"), "nav-chapters", "nav_chapters", "title"),
            section(t("target_groups"), "nav-groups", "nav_groups", "label"),
        ]);
        // `<`, `>` and `&` only occur inside JSON strings, where their \u escapes mean the
        // same: the file then never contains markup, even from hostile titles.
        let data = data.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026");
        // The obligation labels too, so the header's search dropdown shows "Skal", not `skal`.
        let obligations: Vec<Value> = self.site.config.obligations.iter().map(|o| json!({"id": o.id.get_ref(), "label": o.label})).collect();
        let labels = json!({ "obligations": obligations }).to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026");
        let js = format!(
            "/* normbok: the navigation of {}, shared by all its pages. */\nwindow.normbokToc={data};\nwindow.normbokLabels={labels};\n",
            v.id.replace("*/", "")
        );
        Ok((out, js))
    }

    /// The output path in version `vi` that shows the same thing, or the closest page.
    pub(super) fn same_target(&self, vi: usize, same: Same<'_>) -> String {
        let v = &self.site.versions[vi];
        match same {
            Same::Page(src) => match v.page(src) {
                Some(p) => paths::page(&v.id, &p.out),
                None => paths::version_home(&v.id),
            },
            Same::Req(id) => match self.req_of(vi, id) {
                Some(_) => paths::requirement(&v.id, id),
                None => paths::requirements_index(&v.id),
            },
            Same::Chapter(id) => match v.chapter(id) {
                Some(_) => paths::chapter(&v.id, id),
                None => paths::requirements_index(&v.id),
            },
            Same::Reference(id) => match v.references.iter().any(|r| r.id.value == id) {
                true => paths::reference(&v.id, id),
                false => paths::references_index(&v.id),
            },
            Same::Fixed(path) => path(&v.id),
            Same::Group(id) => paths::group(&v.id, id),
        }
    }
}
