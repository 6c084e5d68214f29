//! Stage 4 (render): following a requirement over versions — its last substantive change on
//! requirement pages, and `<v>/changes/<older>.html`, the changes from any older version.
//!
//! Kept apart from the page builders of `mod.rs`; it only adds methods to the shared context.

use serde_json::{Value, json};

use super::layout::Same;
use super::urls::rel;
use super::{Ctx, change_anchor, i18n};
use crate::diag::Diagnostic;
use crate::model::Site;
use crate::paths;
use crate::versions::compare;

impl Ctx<'_> {
    /// "Siste faglige endring" of requirement `ri` of version `vi` for a page at `out`: the
    /// date (the record's `changed`, else the publication date of the version of the last
    /// change) and, when derived, that version with a link to where the change is listed.
    pub(super) fn last_changed_view(&self, vi: usize, ri: usize, out: &str) -> Value {
        let lc = self.hist.last_changed(self.site, vi, ri);
        let id = self.site.versions[vi].requirements[ri].id.value.as_str();
        let at = self.site.versions.iter().position(|v| v.id == lc.version).unwrap_or(vi);
        let v = &self.site.versions[at];
        // The oldest version has no changes page entry: link to the requirement there.
        let url = if self.hist.diffs.get(at).is_some_and(Option::is_some) {
            format!("{}#{}", rel(out, &paths::changes(&v.id)), change_anchor(id))
        } else {
            rel(out, &paths::requirement(&v.id, id))
        };
        json!({"version": v.id, "version_label": v.label, "date": lc.date, "from_record": lc.source == "record", "url": url})
    }
}

/// Output path of the page comparing version `vi` with the older version `oi`.
pub(super) fn changes_from_path(site: &Site, vi: usize, oi: usize) -> String {
    paths::changes_from(&site.versions[vi].id, &site.versions[oi].id)
}

/// Every (newer, older) pair of versions: one `changes/<older>.html` each.
pub(super) fn pairs(site: &Site) -> impl Iterator<Item = (usize, usize)> + '_ {
    (0..site.versions.len()).flat_map(move |vi| (vi + 1..site.versions.len()).map(move |oi| (vi, oi)))
}

impl Ctx<'_> {
    /// The "compare with" links of version `vi`'s changes pages: one per older version.
    pub(super) fn compare_links(&self, vi: usize, out: &str) -> Value {
        let links: Vec<Value> = (vi + 1..self.site.versions.len())
            .map(|oi| {
                let path = changes_from_path(self.site, vi, oi);
                json!({"label": self.site.versions[oi].label, "url": rel(out, &path), "current": path == out})
            })
            .collect();
        json!(links)
    }

    /// `<v>/changes/<older>.html`: the changes page layout, with `<older>` compared with `<v>`
    /// directly (a requirement changed in several steps shows one combined diff) and, per
    /// changed requirement, the versions in which it changed on the way.
    pub(super) fn changes_from(&self, vi: usize, oi: usize) -> Result<(String, String), Diagnostic> {
        let vs = &self.site.versions;
        let out = changes_from_path(self.site, vi, oi);
        let title = format!("{} {}", i18n::get(self.lang, "changes_from"), vs[oi].label);
        // The switcher goes to the other version's own changes page: not every version has
        // a page comparing it with `oi`.
        let mut m = self.base(&out, &title, Some(vi), Same::Fixed(paths::changes));
        let adjacent = (oi == vi + 1).then(|| self.hist.diffs.get(vi).and_then(Option::as_ref)).flatten();
        let computed;
        let d = match adjacent {
            Some(d) => d,
            None => {
                computed = compare(&vs[oi], &vs[vi]);
                &computed
            }
        };
        let mut view = self.diff_view(d, vi, oi, &out);
        if let Some(changed) = view.get_mut("changed").and_then(Value::as_array_mut) {
            for (c, dc) in changed.iter_mut().zip(&d.changed) {
                c["steps"] = self.steps(&dc.id, vi, oi, &out);
            }
        }
        m.insert("diff".into(), view);
        m.insert("compare".into(), self.compare_links(vi, &out));
        self.tpl("changes.html", out, m)
    }

    /// The versions newer than `oi`, up to `vi`, in which requirement `id` changed (or was
    /// added again, withdrawn or removed), oldest first, each linked to its changes entry.
    fn steps(&self, id: &str, vi: usize, oi: usize, out: &str) -> Value {
        let vs = &self.site.versions;
        let steps: Vec<Value> = self
            .hist
            .history
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|s| vs.iter().position(|v| v.id == s.version).filter(|&i| i >= vi && i < oi).map(|i| (i, s)))
            .map(|(i, s)| {
                json!({
                    "label": vs[i].label,
                    "event": i18n::get(self.lang, &format!("event_{}", s.event)),
                    "url": format!("{}#{}", rel(out, &paths::changes(&vs[i].id)), change_anchor(id)),
                })
            })
            .collect();
        json!(steps)
    }
}
