//! Stage 4 (render): site pages. The root redirect, the version list, 404, the version-less
//! permalinks and tombstones, the search page and the sitemap.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::config::VersionStatus;
use crate::diag::Diagnostic;
use crate::model::Site;
use crate::paths;
use crate::versions::Permalink;

use super::layout::Same;
use super::urls::{self, rel};
use super::{Ctx, i18n};

impl<'a> Ctx<'a> {
    pub(super) fn root_index(&self) -> Result<(String, String), Diagnostic> {
        let out = paths::ROOT_INDEX.to_string();
        let cur = &self.site.versions[self.current];
        let mut m = self.base(&out, &self.site.config.title, None, Same::Fixed(paths::version_home));
        m.insert("target".into(), json!(paths::version_home(&cur.id)));
        m.insert("target_label".into(), json!(cur.label));
        m.insert("versions".into(), self.version_list(&out));
        self.tpl("root.html", out, m)
    }

    pub(super) fn version_list(&self, out: &str) -> Value {
        json!(
            self.site
                .versions
                .iter()
                .map(|v| json!({
                    "id": v.id, "label": v.label, "status": v.status.as_str(), "status_label": self.vstatus_label(v.status),
                    "published": v.published, "note": v.note, "url": rel(out, &paths::version_home(&v.id)),
                    "changes_url": rel(out, &paths::changes(&v.id)),
                    "count": v.requirements.len(), "current": v.status == VersionStatus::Current,
                }))
                .collect::<Vec<_>>()
        )
    }

    pub(super) fn versions_page(&self) -> Result<(String, String), Diagnostic> {
        let out = paths::VERSIONS.to_string();
        let mut m = self.base(&out, i18n::get(self.lang, "all_versions"), None, Same::Fixed(paths::version_home));
        m.insert("versions".into(), self.version_list(&out));
        self.tpl("versions.html", out, m)
    }

    pub(super) fn not_found(&self) -> Result<(String, String), Diagnostic> {
        let out = paths::NOT_FOUND.to_string();
        let mut m = self.base(&out, i18n::get(self.lang, "not_found"), None, Same::Fixed(paths::version_home));
        let cur = &self.site.versions[self.current];
        // Hosts serve 404.html at any depth, so relative links only work with a base URL.
        let base = self.site.config.base_url.trim_end_matches('/');
        let prefix = if base.is_empty() { String::new() } else { format!("{base}/") };
        m.insert("css".into(), json!(format!("{prefix}{}", paths::static_file("style.css"))));
        m.insert("print_css".into(), json!(format!("{prefix}{}", paths::static_file("print.css"))));
        m.insert("js".into(), json!(format!("{prefix}{}", paths::static_file("normbok.js"))));
        m.insert("home_url".into(), json!(format!("{prefix}{}", paths::ROOT_INDEX)));
        m.insert("versions_url".into(), json!(format!("{prefix}{}", paths::VERSIONS)));
        m.insert("current_home".into(), json!(format!("{prefix}{}", paths::version_home(&cur.id))));
        m.insert("current_requirements".into(), json!(format!("{prefix}{}", paths::requirements_index(&cur.id))));
        self.tpl("404.html", out, m)
    }

    pub(super) fn permalink(&self, id: &str) -> Result<(String, String), Diagnostic> {
        let out = paths::permalink(id);
        let vs = &self.site.versions;
        let Some(p) = self.hist.permalink.get(id) else { return Err(Diagnostic::global("E-INTERNAL", format!("no permalink for {id}"))) };
        let title = |vi: usize| self.req_of(vi, id).map(|r| r.title.clone()).unwrap_or_default();
        match p {
            Permalink::Live(vi) => {
                let mut m = self.base(&out, &format!("{id} {}", title(*vi)), None, Same::Req(id));
                let target = paths::requirement(&vs[*vi].id, id);
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
                    json!({"id": vs[*since].id, "label": vs[*since].label, "url": rel(&out, &paths::requirement(&vs[*since].id, id))}),
                );
                let last = last_in_force.unwrap_or(*version);
                m.insert("last".into(), json!({"id": vs[last].id, "label": vs[last].label, "url": rel(&out, &paths::requirement(&vs[last].id, id))}));
                self.tpl("tombstone.html", out, m)
            }
            Permalink::Removed { last, removed_in } => {
                let mut m = self.base(&out, &format!("{id} {}", title(*last)), None, Same::Req(id));
                m.insert("id".into(), json!(id));
                m.insert("req_title".into(), json!(title(*last)));
                m.insert("reason".into(), json!("removed"));
                m.insert(
                    "since".into(),
                    json!({"id": vs[*removed_in].id, "label": vs[*removed_in].label, "url": rel(&out, &paths::changes(&vs[*removed_in].id))}),
                );
                m.insert(
                    "last".into(),
                    json!({"id": vs[*last].id, "label": vs[*last].label, "url": rel(&out, &paths::requirement(&vs[*last].id, id))}),
                );
                self.tpl("tombstone.html", out, m)
            }
        }
    }

    pub(super) fn search_page(&self, vi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let out = paths::search_page(&v.id);
        let mut m = self.base(&out, i18n::get(self.lang, "search"), Some(vi), Same::Fixed(paths::search_page));
        let groups: Vec<Value> = self.site.config.target_groups.iter().map(|g| json!({"id": g.id.get_ref(), "label": g.label})).collect();
        m.insert("groups_json".into(), json!(serde_json::to_string(&groups).unwrap_or_default()));
        let obligations: Vec<Value> = self.site.config.obligations.iter().map(|o| json!({"id": o.id.get_ref(), "label": o.label})).collect();
        m.insert("obligations_json".into(), json!(serde_json::to_string(&obligations).unwrap_or_default()));
        m.insert("filters".into(), self.filters(v, &out));
        self.tpl("search.html", out, m)
    }
}

/// `sitemap.xml` listing the HTML files among the output paths `paths_`, sorted (drafts and
/// 404 left out).
pub fn sitemap<'p>(site: &Site, paths_: impl IntoIterator<Item = &'p str>) -> String {
    let base = site.config.base_url.trim_end_matches('/');
    let drafts: Vec<&str> = site.versions.iter().filter(|v| v.status == VersionStatus::Draft).map(|v| v.id.as_str()).collect();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let sorted: BTreeSet<&str> = paths_.into_iter().collect();
    for path in sorted {
        if !path.ends_with(".html") || path == paths::NOT_FOUND || drafts.iter().any(|d| path.starts_with(&format!("{d}/"))) {
            continue;
        }
        let url = format!("{base}/{}", path.split('/').map(urls::encode).collect::<Vec<_>>().join("/"));
        s.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(&url)));
    }
    s.push_str("</urlset>\n");
    s
}

pub(super) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}
