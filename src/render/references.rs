//! Stage 4 (render): reference pages. The reference list by kind and one page per reference with
//! back-links to the requirements and guide pages that cite it.

use serde_json::{Value, json};

use crate::diag::Diagnostic;
use crate::paths;

use super::layout::Same;
use super::urls::rel;
use super::{Ctx, i18n};

impl<'a> Ctx<'a> {
    pub(super) fn ref_index(&self, vi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let out = paths::references_index(&v.id);
        let mut m = self.base(&out, i18n::get(self.lang, "references"), Some(vi), Same::Fixed(paths::references_index));
        let kinds: Vec<Value> = crate::validate::REFERENCE_KINDS
            .iter()
            .filter_map(|k| {
                let refs: Vec<Value> = v
                    .references
                    .iter()
                    .filter(|r| r.kind.value == *k)
                    .map(|r| json!({"id": r.id.value, "title": r.title, "designation": r.designation, "url": rel(&out, &paths::reference(&v.id, &r.id.value)), "external": r.url.as_ref().map(|u| u.value.clone()), "count": self.vdata[vi].ref_cited_by.get(r.id.value.as_str()).map_or(0, Vec::len)}))
                    .collect();
                (!refs.is_empty()).then(|| json!({"kind": k, "label": self.kind_label(k), "references": refs}))
            })
            .collect();
        m.insert("kinds".into(), json!(kinds));
        self.tpl("references.html", out, m)
    }

    pub(super) fn reference(&self, vi: usize, ri: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let rf = &v.references[ri];
        let out = paths::reference(&v.id, &rf.id.value);
        let mut m = self.base(&out, &rf.title, Some(vi), Same::Reference(&rf.id.value));
        let vd = &self.vdata[vi];
        let cited: Vec<Value> =
            vd.ref_cited_by.get(rf.id.value.as_str()).map(|l| l.iter().map(|&i| self.req_summary(vi, i, &out)).collect()).unwrap_or_default();
        let pages: Vec<Value> = vd
            .ref_pages
            .get(rf.id.value.as_str())
            .map(|l| l.iter().map(|&i| json!({"title": v.pages[i].title, "url": rel(&out, &paths::page(&v.id, &v.pages[i].out))})).collect())
            .unwrap_or_default();
        m.insert("reference".into(), json!({"id": rf.id.value, "title": rf.title, "designation": rf.designation, "kind": self.kind_label(&rf.kind.value), "url": rf.url.as_ref().map(|u| u.value.clone())}));
        m.insert("cited_by".into(), json!(cited));
        m.insert("pages".into(), json!(pages));
        self.tpl("reference.html", out, m)
    }
}
