//! Stage 4 (render): changes pages. The diff from the previous version (SPEC §5) as a page.

use serde_json::{Value, json};

use crate::diag::Diagnostic;
use crate::model::{ReqStatus, Version};
use crate::paths;

use super::layout::Same;
use super::urls::rel;
use super::{Ctx, i18n};

impl<'a> Ctx<'a> {
    pub(super) fn changes(&self, vi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let out = paths::changes(&v.id);
        let mut m = self.base(&out, i18n::get(self.lang, "changes"), Some(vi), Same::Fixed(paths::changes));
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

    pub(super) fn diff_view(&self, d: &crate::versions::VersionDiff, vi: usize, older: usize, out: &str) -> Value {
        let v = &self.site.versions[vi];
        let o = &self.site.versions[older];
        let chapter_title = |ver: &Version, id: &str| ver.chapter(id).map_or_else(|| id.to_string(), |c| c.title.clone());
        let entry = |e: &crate::versions::Entry, ver: &Version| json!({"id": e.id, "title": e.title, "anchor": change_anchor(&e.id), "chapter": chapter_title(ver, &e.chapter), "url": rel(out, &paths::requirement(&ver.id, &e.id))});
        let set = |s: &crate::versions::SetChange, label: &dyn Fn(&str) -> String| json!({"added": s.added.iter().map(|x| label(x)).collect::<Vec<_>>(), "removed": s.removed.iter().map(|x| label(x)).collect::<Vec<_>>()});
        let changed: Vec<Value> = d
            .changed
            .iter()
            .map(|c| {
                let title = self.req_of(vi, &c.id).map(|r| r.title.clone()).unwrap_or_default();
                json!({
                    "id": c.id, "title": title, "anchor": change_anchor(&c.id), "chapter": chapter_title(v, &c.chapter),
                    "url": rel(out, &paths::requirement(&v.id, &c.id)),
                    "old_url": rel(out, &paths::requirement(&o.id, &c.id)),
                    "fields": c.fields.iter().map(|f| i18n::get(self.lang, &format!("field_{f}"))).collect::<Vec<_>>(),
                    "obligation": c.obligation.as_ref().map(|x| json!({"old": self.obligation_label(&x.old), "new": self.obligation_label(&x.new)})),
                    "status": c.status.as_ref().map(|x| json!({"old": status_name(self, &x.old), "new": status_name(self, &x.new)})),
                    "applies_from": c.applies_from,
                    "chapter_moved": c.chapter_moved.as_ref().map(|x| json!({"old": chapter_title(o, &x.old), "new": chapter_title(v, &x.new)})),
                    "target_groups": c.target_groups.as_ref().map(|s| set(s, &|g| self.group_label(g))),
                    "references": c.references.as_ref().map(|s| set(s, &|x| x.to_string())),
                    "related": c.related.as_ref().map(|s| set(s, &|x| x.to_string())),
                    "texts": c.texts.iter().map(|t| json!({"field": i18n::get(self.lang, &format!("field_{}", t.field)), "diff": spaced_diff(&t.diff)})).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "from": {"id": o.id, "label": o.label, "url": rel(out, &paths::version_home(&o.id))},
            "added": d.added.iter().map(|e| entry(e, v)).collect::<Vec<_>>(),
            "removed": d.removed.iter().map(|e| entry(e, o)).collect::<Vec<_>>(),
            "withdrawn": d.withdrawn.iter().map(|e| entry(e, v)).collect::<Vec<_>>(),
            "changed": changed,
            "unchanged": d.unchanged,
        })
    }
}

fn status_name(ctx: &Ctx<'_>, s: &str) -> String {
    ReqStatus::ALL.iter().find(|(n, _)| *n == s).map_or_else(|| s.to_string(), |(_, st)| ctx.status_label(*st).to_string())
}

/// Anchor of a requirement's entry on a changes page.
pub fn change_anchor(id: &str) -> String {
    format!("krav-{id}")
}

/// The word diff for display: an inserted run right after a deleted one (a replaced word)
/// gets `gap` when neither run has a space at the seam, so that `<del>når</del> <ins>…</ins>`
/// does not read as one glued word once the markup is stripped or the colours are not seen.
fn spaced_diff(spans: &[crate::versions::DiffSpan]) -> Vec<Value> {
    let mut prev: Option<&crate::versions::DiffSpan> = None;
    spans
        .iter()
        .map(|s| {
            let gap = s.op == "insert"
                && prev.is_some_and(|p| p.op == "delete" && !p.text.ends_with(char::is_whitespace))
                && !s.text.starts_with(char::is_whitespace);
            prev = Some(s);
            json!({"op": s.op, "text": s.text, "gap": gap})
        })
        .collect()
}
