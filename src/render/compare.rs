//! Stage 4 (render): following a requirement over versions — its last substantive change on
//! requirement pages, and `<v>/changes/<older>.html`, the changes from any older version.
//!
//! Kept apart from the page builders of `mod.rs`; it only adds methods to the shared context.

use serde_json::{Value, json};

use super::{Ctx, change_anchor, rel};

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
            format!("{}#{}", rel(out, &format!("{}/changes.html", v.id)), change_anchor(id))
        } else {
            rel(out, &format!("{}/requirements/{id}.html", v.id))
        };
        json!({"version": v.id, "version_label": v.label, "date": lc.date, "from_record": lc.source == "record", "url": url})
    }
}
