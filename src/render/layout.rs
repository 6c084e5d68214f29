//! Stage 4 (render): the page layout every page shares. Template rendering with located errors,
//! labels, the base context (version, switcher, banners), the sidebar and the switcher targets.

use serde_json::{Map, Value, json};

use crate::config::VersionStatus;
use crate::diag::{Diagnostic, Loc};
use crate::model::ReqStatus;
use crate::paths;

use super::urls::{rel, root_prefix};
use super::vdata::VersionData;
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
        if !site.config.base_url.is_empty() {
            m.insert("canonical".into(), json!(format!("{}/{}", site.config.base_url.trim_end_matches('/'), out)));
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
                    "published": v.published, "banner": banner,
                    "home": r(&paths::version_home(&v.id)),
                    "requirements": r(&paths::requirements_index(&v.id)),
                    "references": r(&paths::references_index(&v.id)),
                    "changes": r(&paths::changes(&v.id)),
                    "search": r(&paths::search_page(&v.id)),
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
            m.insert("search_action".into(), json!(r(&paths::search_page(&v.id))));
            m.insert("data_version".into(), json!(v.id));
        } else {
            m.insert("data_version".into(), json!(cur.id));
            m.insert("search_action".into(), json!(r(&paths::search_page(&cur.id))));
        }
        m
    }

    /// The version's navigation for page `out`. Every entry's URL depends only on the folder
    /// of `out`, and on most pages (all requirement pages) no entry is the current one, so
    /// that HTML is rendered once per version and folder: building the navigation's context
    /// and running it through the template per page was a sixth of the build.
    pub(super) fn sidebar(&self, vi: usize, out: &str, vd: &VersionData<'_>) -> String {
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
                let target = paths::page(&v.id, &p.out);
                json!({"title": p.title, "url": r(&target), "depth": depth, "active": target == out})
            })
            .collect();
        let chapters: Vec<Value> = v
            .chapters
            .iter()
            .map(|c| {
                let target = paths::chapter(&v.id, &c.id.value);
                json!({"id": c.id.value, "title": c.title, "url": r(&target), "active": target == out})
            })
            .collect();
        let groups: Vec<Value> = self
            .site
            .config
            .target_groups
            .iter()
            .map(|g| {
                let target = paths::group(&v.id, g.id.get_ref());
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
