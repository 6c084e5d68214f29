//! Stage 4 (render): requirement pages. One page per requirement, the requirement list, chapter and
//! target-group pages, and the requirement summary (card) those lists show.

use serde_json::{Map, Value, json};

use crate::diag::Diagnostic;
use crate::model::{ReqStatus, Requirement, Version};
use crate::paths;

use super::changes::change_anchor;
use super::layout::Same;
use super::urls::rel;
use super::{Ctx, i18n};

impl<'a> Ctx<'a> {
    /// Summary of a requirement for lists, with links relative to `out`.
    pub(super) fn req_summary(&self, vi: usize, ri: usize, out: &str) -> Value {
        let v = &self.site.versions[vi];
        let r = &v.requirements[ri];
        let (statement, guidance, items) = &self.vdata[vi].req_html[ri];
        let groups: Vec<Value> = r
            .target_groups
            .iter()
            .map(|g| json!({"id": g.value, "label": self.group_label(&g.value), "url": rel(out, &paths::group(&v.id, &g.value))}))
            .collect();
        json!({
            "id": r.id.value, "title": r.title,
            "url": rel(out, &paths::requirement(&v.id, &r.id.value)),
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

    pub(super) fn filters(&self, v: &Version, out: &str) -> Value {
        let count = |f: &dyn Fn(&Requirement) -> bool| v.requirements.iter().filter(|r| f(r)).count();
        let groups: Vec<Value> = self
            .site
            .config
            .target_groups
            .iter()
            .map(|g| {
                let id = g.id.get_ref();
                json!({"id": id, "label": g.label, "count": count(&|r| r.target_groups.iter().any(|x| &x.value == id)), "url": rel(out, &paths::group(&v.id, id))})
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

    pub(super) fn req_index(&self, vi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let out = paths::requirements_index(&v.id);
        let mut m = self.base(&out, i18n::get(self.lang, "all_requirements"), Some(vi), Same::Fixed(paths::requirements_index));
        m.insert("chapters".into(), self.chapter_lists(vi, &out, &|_| true));
        m.insert("filters".into(), self.filters(v, &out));
        m.insert("total".into(), json!(v.requirements.len()));
        m.insert("csv_header".into(), json!(crate::export::csv_header().trim_end_matches("\r\n")));
        m.insert("csv_name".into(), json!(format!("krav-{}-utvalg.csv", v.id)));
        m.insert("csv_url".into(), json!(rel(&out, &paths::export_csv(&v.id))));
        m.insert("json_url".into(), json!(rel(&out, &paths::export_json(&v.id))));
        m.insert("xlsx_url".into(), json!(rel(&out, &paths::export_xlsx(&v.id))));
        m.insert("xlsx_name".into(), json!(format!("krav-{}-utvalg.xlsx", v.id)));
        m.insert("xlsx_js".into(), json!(rel(&out, &paths::static_file("xlsx.js"))));
        // What the browser needs to write the selection as the static spreadsheet: the
        // labels for the ids in each card's CSV line, and the permalink folder.
        let labels = |pairs: Vec<(String, Value)>| pairs.into_iter().collect::<Map<String, Value>>();
        let xlsx = json!({
            "sheet": i18n::get(self.lang, "requirements"),
            "columns": crate::xlsx::columns(&self.site.config),
            "mark": crate::xlsx::mark(&self.site.config),
            "groups": self.site.config.target_groups.iter().map(|g| g.id.get_ref()).collect::<Vec<_>>(),
            "obligations": labels(self.site.config.obligations.iter().map(|o| (o.id.get_ref().clone(), json!(o.label))).collect()),
            "statuses": labels(ReqStatus::ALL.iter().map(|(n, st)| ((*n).to_string(), json!(self.status_label(*st)))).collect()),
            "chapters": labels(v.chapters.iter().map(|c| (c.id.value.clone(), json!(c.title))).collect()),
            "permalinks": rel(&out, &paths::permalink("x")).trim_end_matches("x.html"),
        });
        m.insert("xlsx_meta".into(), json!(xlsx.to_string()));
        self.tpl("requirements.html", out, m)
    }

    pub(super) fn chapter_lists(&self, vi: usize, out: &str, keep: &dyn Fn(&Requirement) -> bool) -> Value {
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
                (!reqs.is_empty())
                    .then(|| json!({"id": c.id.value, "title": c.title, "url": rel(out, &paths::chapter(&v.id, &c.id.value)), "requirements": reqs}))
            })
            .collect();
        json!(lists)
    }

    pub(super) fn requirement(&self, vi: usize, ri: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let r = &v.requirements[ri];
        let id = r.id.value.as_str();
        let out = paths::requirement(&v.id, id);
        let mut m = self.base(&out, &format!("{id} {}", r.title), Some(vi), Same::Req(id));
        let mut req = self.req_summary(vi, ri, &out);
        req["show_changed"] = json!(self.vdata[vi].any_changed);
        req["last_changed"] = self.last_changed_view(vi, ri, &out);
        let chapter =
            v.chapter(&r.chapter).map(|c| json!({"id": c.id.value, "title": c.title, "url": rel(&out, &paths::chapter(&v.id, &c.id.value))}));
        let refs: Vec<Value> = r
            .references
            .iter()
            .filter_map(|x| v.references.iter().find(|rf| rf.id.value == x.value))
            .map(|rf| json!({"id": rf.id.value, "title": rf.title, "designation": rf.designation, "kind": self.kind_label(&rf.kind.value), "url": rel(&out, &paths::reference(&v.id, &rf.id.value)), "external": rf.url.as_ref().map(|u| u.value.clone())}))
            .collect();
        let related: Vec<Value> = r
            .related
            .iter()
            .filter_map(|x| self.req_of(vi, &x.value))
            .map(|o| json!({"id": o.id.value, "title": o.title, "url": rel(&out, &paths::requirement(&v.id, &o.id.value))}))
            .collect();
        let others: Vec<Value> = self
            .site
            .versions
            .iter()
            .enumerate()
            .filter(|(_, o)| o.id != v.id)
            .filter_map(|(oi, o)| self.req_of(oi, id).map(|x| (o, x)))
            .map(|(o, x)| json!({"id": o.id, "label": o.label, "status_label": self.vstatus_label(o.status), "req_status": self.status_label(x.status), "url": rel(&out, &paths::requirement(&o.id, id))}))
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
                            rel(&out, &paths::requirement(&s.version, id))
                        } else {
                            format!("{}#{}", rel(&out, &paths::changes(&s.version)), change_anchor(id))
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
            o.insert("permalink".into(), json!(rel(&out, &paths::permalink(id))));
        }
        m.insert("req".into(), req);
        m.insert("other_versions".into(), json!(others));
        m.insert("history".into(), json!(history));
        self.tpl("requirement.html", out, m)
    }

    pub(super) fn chapter(&self, vi: usize, ci: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let c = &v.chapters[ci];
        let out = paths::chapter(&v.id, &c.id.value);
        let mut m = self.base(&out, &c.title, Some(vi), Same::Chapter(&c.id.value));
        let reqs: Vec<Value> =
            v.requirements.iter().enumerate().filter(|(_, r)| r.chapter == c.id.value).map(|(ri, _)| self.req_summary(vi, ri, &out)).collect();
        m.insert("chapter".into(), json!({"id": c.id.value, "title": c.title, "intro_html": self.vdata[vi].chapter_intro.get(c.id.value.as_str())}));
        m.insert("requirements".into(), json!(reqs));
        self.tpl("chapter.html", out, m)
    }

    pub(super) fn group(&self, vi: usize, gi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let g = &self.site.config.target_groups[gi];
        let gid = g.id.get_ref().as_str();
        let out = paths::group(&v.id, gid);
        let mut m = self.base(&out, &g.label, Some(vi), Same::Group(gid));
        let keep = |r: &Requirement| r.target_groups.iter().any(|x| x.value == gid);
        m.insert("group".into(), json!({"id": gid, "label": g.label, "description": g.description}));
        m.insert("chapters".into(), self.chapter_lists(vi, &out, &keep));
        m.insert("count".into(), json!(v.requirements.iter().filter(|r| keep(r)).count()));
        let pages: Vec<Value> = v
            .pages
            .iter()
            .filter(|p| p.target_groups.iter().any(|x| x.value == gid))
            .map(|p| json!({"title": p.title, "summary": p.summary, "url": rel(&out, &paths::page(&v.id, &p.out))}))
            .collect();
        m.insert("pages".into(), json!(pages));
        let all: Vec<Value> = self
            .site
            .config
            .target_groups
            .iter()
            .map(|o| json!({"id": o.id.get_ref(), "label": o.label, "url": rel(&out, &paths::group(&v.id, o.id.get_ref())), "active": o.id.get_ref() == gid}))
            .collect();
        m.insert("all_groups".into(), json!(all));
        self.tpl("group.html", out, m)
    }
}
