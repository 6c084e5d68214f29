//! Between validate and render: what changed from one version to the next (SPEC §5).
//!
//! Compares requirements by ID. Text fields are compared after collapsing whitespace, so
//! re-wrapping Markdown is not a change; changed texts get a word-level diff (similar).
//! The result feeds `changes.html`, requirement histories, permalinks and the JSON export.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::config::VersionStatus;
use crate::model::{Md, ReqStatus, Requirement, Site, Version};

/// One run of a word diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffSpan {
    /// `equal`, `insert` or `delete`.
    pub op: &'static str,
    /// The text of the run (words and the spaces between them).
    pub text: String,
}

/// A changed text field and its word diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextChange {
    /// `title`, `statement`, `guidance` or `items`.
    pub field: &'static str,
    /// Old plain text (Markdown removed, whitespace collapsed).
    pub old: String,
    /// New plain text.
    pub new: String,
    /// Word diff from old to new.
    pub diff: Vec<DiffSpan>,
}

/// A changed list field (target groups, references).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct SetChange {
    /// Entries only in the new version.
    pub added: Vec<String>,
    /// Entries only in the old version.
    pub removed: Vec<String>,
}

/// A changed single value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueChange {
    /// Old value (empty when unset).
    pub old: String,
    /// New value (empty when unset).
    pub new: String,
}

/// Everything that changed in one requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct RequirementChange {
    /// Requirement ID.
    pub id: String,
    /// Chapter in the new version.
    pub chapter: String,
    /// Names of the changed fields, in a fixed order.
    pub fields: Vec<&'static str>,
    /// Obligation change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obligation: Option<ValueChange>,
    /// Target-group change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_groups: Option<SetChange>,
    /// Status change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ValueChange>,
    /// `applies_from` change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applies_from: Option<ValueChange>,
    /// Reference change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub references: Option<SetChange>,
    /// Related-requirements change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<SetChange>,
    /// Chapter change (moved between chapters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chapter_moved: Option<ValueChange>,
    /// Text changes with word diffs.
    pub texts: Vec<TextChange>,
}

/// A requirement that was added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Requirement ID.
    pub id: String,
    /// Title (in the version that has it).
    pub title: String,
    /// Chapter id (in the version that has it).
    pub chapter: String,
}

/// Differences between a version and the previous (older) one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionDiff {
    /// The older version.
    pub from: String,
    /// The newer version.
    pub to: String,
    /// IDs only in the newer version.
    pub added: Vec<Entry>,
    /// IDs only in the older version.
    pub removed: Vec<Entry>,
    /// IDs whose status became `withdrawn` in the newer version.
    pub withdrawn: Vec<Entry>,
    /// IDs present in both with changes.
    pub changed: Vec<RequirementChange>,
    /// Number of IDs present in both without changes.
    pub unchanged: usize,
}

/// Collapses whitespace so that re-wrapped Markdown compares equal.
pub fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// (whitespace-normalized Markdown, whitespace-normalized plain text) of an optional field.
fn md_texts(m: Option<&Md>) -> (String, String) {
    m.map(|m| (normalize(&m.text), normalize(m.plain()))).unwrap_or_default()
}

pub(crate) fn word_diff(old: &str, new: &str) -> Vec<DiffSpan> {
    let diff = TextDiff::configure().diff_words(old, new);
    let mut out: Vec<DiffSpan> = Vec::new();
    for c in diff.iter_all_changes() {
        let op = match c.tag() {
            ChangeTag::Equal => "equal",
            ChangeTag::Insert => "insert",
            ChangeTag::Delete => "delete",
        };
        match out.last_mut() {
            Some(last) if last.op == op => last.text.push_str(c.value()),
            _ => out.push(DiffSpan { op, text: c.value().to_string() }),
        }
    }
    out
}

fn set_change(old: &[crate::model::At<String>], new: &[crate::model::At<String>]) -> Option<SetChange> {
    let o: BTreeSet<&str> = old.iter().map(|x| x.value.as_str()).collect();
    let n: BTreeSet<&str> = new.iter().map(|x| x.value.as_str()).collect();
    let added: Vec<String> = n.difference(&o).map(|s| (*s).to_string()).collect();
    let removed: Vec<String> = o.difference(&n).map(|s| (*s).to_string()).collect();
    (!added.is_empty() || !removed.is_empty()).then_some(SetChange { added, removed })
}

fn value_change(old: &str, new: &str) -> Option<ValueChange> {
    (old != new).then(|| ValueChange { old: old.to_string(), new: new.to_string() })
}

/// Compares one requirement across two versions.
pub fn compare_requirement(old: &Requirement, new: &Requirement) -> RequirementChange {
    let mut c = RequirementChange { id: new.id.value.clone(), chapter: new.chapter.clone(), ..Default::default() };
    // A text changed when its Markdown changed (beyond whitespace), so a changed link target
    // counts; the diff readers see is of the plain text, without Markdown syntax.
    let text = |field: &'static str, o: (String, String), n: (String, String), c: &mut RequirementChange| {
        if o.0 != n.0 {
            c.texts.push(TextChange { field, diff: word_diff(&o.1, &n.1), old: o.1, new: n.1 });
            c.fields.push(field);
        }
    };
    let plain = |t: &str| (normalize(t), t.to_string());
    text("title", plain(&old.title), plain(&new.title), &mut c);
    c.obligation = value_change(&old.obligation.value, &new.obligation.value);
    if c.obligation.is_some() {
        c.fields.push("obligation");
    }
    c.target_groups = set_change(&old.target_groups, &new.target_groups);
    if c.target_groups.is_some() {
        c.fields.push("target_groups");
    }
    c.status = value_change(old.status.as_str(), new.status.as_str());
    if c.status.is_some() {
        c.fields.push("status");
    }
    let date = |r: &Requirement| r.applies_from.as_ref().map(|a| a.value.clone()).unwrap_or_default();
    c.applies_from = value_change(&date(old), &date(new));
    if c.applies_from.is_some() {
        c.fields.push("applies_from");
    }
    c.references = set_change(&old.references, &new.references);
    if c.references.is_some() {
        c.fields.push("references");
    }
    c.related = set_change(&old.related, &new.related);
    if c.related.is_some() {
        c.fields.push("related");
    }
    c.chapter_moved = value_change(&old.chapter, &new.chapter);
    if c.chapter_moved.is_some() {
        c.fields.push("chapter");
    }
    text("statement", md_texts(Some(&old.statement)), md_texts(Some(&new.statement)), &mut c);
    text("guidance", md_texts(old.guidance.as_ref()), md_texts(new.guidance.as_ref()), &mut c);
    let items = |r: &Requirement| {
        let (src, shown): (Vec<String>, Vec<String>) = r.items.iter().map(|i| md_texts(Some(i))).map(|(a, b)| (a, format!("• {b}"))).unzip();
        (src.join("\n"), shown.join(" "))
    };
    text("items", items(old), items(new), &mut c);
    // Keep the documented field order regardless of the order of the checks above.
    const ORDER: [&str; 11] =
        ["title", "obligation", "target_groups", "status", "applies_from", "references", "related", "chapter", "statement", "guidance", "items"];
    c.fields.sort_by_key(|f| ORDER.iter().position(|o| o == f));
    c
}

/// Compares `new` with `old`.
pub fn compare(old: &Version, new: &Version) -> VersionDiff {
    let o: BTreeMap<&str, &Requirement> = old.requirements.iter().map(|r| (r.id.value.as_str(), r)).collect();
    let n: BTreeMap<&str, &Requirement> = new.requirements.iter().map(|r| (r.id.value.as_str(), r)).collect();
    let entry = |r: &Requirement| Entry { id: r.id.value.clone(), title: r.title.clone(), chapter: r.chapter.clone() };
    let mut d =
        VersionDiff { from: old.id.clone(), to: new.id.clone(), added: vec![], removed: vec![], withdrawn: vec![], changed: vec![], unchanged: 0 };
    // New-version order (chapter, then file order) reads best on the changes page.
    for r in &new.requirements {
        match o.get(r.id.value.as_str()) {
            None => d.added.push(entry(r)),
            Some(old_r) => {
                let c = compare_requirement(old_r, r);
                if r.status == ReqStatus::Withdrawn && old_r.status != ReqStatus::Withdrawn {
                    d.withdrawn.push(entry(r));
                }
                if c.fields.is_empty() {
                    d.unchanged += 1;
                } else {
                    d.changed.push(c);
                }
            }
        }
    }
    for r in &old.requirements {
        if !n.contains_key(r.id.value.as_str()) {
            d.removed.push(entry(r));
        }
    }
    d
}

/// One step in a requirement's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryStep {
    /// Version id.
    pub version: String,
    /// `added`, `changed`, `withdrawn` or `removed`.
    pub event: &'static str,
    /// Changed field names (for `changed`).
    pub fields: Vec<&'static str>,
}

/// Version-to-version knowledge for the whole site.
#[derive(Debug, Clone, Default)]
pub struct Versions {
    /// `diffs[i]` compares version `i` with version `i + 1` (the older one); the oldest has none.
    pub diffs: Vec<Option<VersionDiff>>,
    /// Per requirement ID (exact), its history from oldest to newest.
    pub history: BTreeMap<String, Vec<HistoryStep>>,
    /// Per requirement ID, the index of the version its permalink points to.
    pub permalink: BTreeMap<String, Permalink>,
    /// `last_change[vi][ri]`: the index of the newest version, up to and including `vi`, in
    /// which requirement `ri` of version `vi` was added or changed (SPEC §5, "Siste faglige
    /// endring"). The same notion of change as the changes pages: whitespace and order are not.
    pub last_change: Vec<Vec<usize>>,
}

/// The last substantive change of one requirement in one version (SPEC §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastChanged {
    /// Id of the newest version (up to the one shown) in which the requirement was added or changed.
    pub version: String,
    /// The record's `changed` date if it has one, else that version's `published` date
    /// (`None` when the version has no date).
    pub date: Option<String>,
    /// `record` when the date is the record's own `changed`, else `history`.
    pub source: &'static str,
}

impl Versions {
    /// The last substantive change of requirement `ri` of version `vi`.
    pub fn last_changed(&self, site: &Site, vi: usize, ri: usize) -> LastChanged {
        let r = &site.versions[vi].requirements[ri];
        let at = self.last_change.get(vi).and_then(|l| l.get(ri)).copied().unwrap_or(vi);
        let v = &site.versions[at];
        match &r.changed {
            Some(d) => LastChanged { version: v.id.clone(), date: Some(d.value.clone()), source: "record" },
            None => LastChanged { version: v.id.clone(), date: v.published.clone(), source: "history" },
        }
    }
}

/// Where a version-less permalink goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permalink {
    /// Redirect to the requirement in this version (index into `site.versions`).
    Live(usize),
    /// Tombstone: the requirement is withdrawn in the newest non-draft version that has it.
    Withdrawn {
        /// The newest published version that has it (withdrawn).
        version: usize,
        /// The first version of the run of versions in which it is withdrawn.
        since: usize,
        /// Newest version where it was still in force (if any).
        last_in_force: Option<usize>,
    },
    /// Tombstone: the requirement was removed.
    Removed {
        /// Newest version that has it.
        last: usize,
        /// First newer version without it.
        removed_in: usize,
    },
}

/// Computes diffs, histories and permalink targets.
pub fn analyse(site: &Site) -> Versions {
    let vs = &site.versions;
    let diffs: Vec<Option<VersionDiff>> = (0..vs.len()).map(|i| vs.get(i + 1).map(|older| compare(older, &vs[i]))).collect();

    let mut history: BTreeMap<String, Vec<HistoryStep>> = BTreeMap::new();
    for i in (0..vs.len()).rev() {
        let v = &vs[i];
        match &diffs[i] {
            None => {
                for r in &v.requirements {
                    history.entry(r.id.value.clone()).or_default().push(HistoryStep { version: v.id.clone(), event: "added", fields: vec![] });
                }
            }
            Some(d) => {
                for e in &d.added {
                    history.entry(e.id.clone()).or_default().push(HistoryStep { version: v.id.clone(), event: "added", fields: vec![] });
                }
                for c in &d.changed {
                    let withdrawn = c.status.as_ref().is_some_and(|s| s.new == "withdrawn");
                    history.entry(c.id.clone()).or_default().push(HistoryStep {
                        version: v.id.clone(),
                        event: if withdrawn { "withdrawn" } else { "changed" },
                        fields: c.fields.clone(),
                    });
                }
                for e in &d.removed {
                    history.entry(e.id.clone()).or_default().push(HistoryStep { version: v.id.clone(), event: "removed", fields: vec![] });
                }
            }
        }
    }

    let published: Vec<usize> = (0..vs.len()).filter(|&i| vs[i].status != VersionStatus::Draft).collect();
    let mut permalink = BTreeMap::new();
    // Per-version ID index: a linear `Version::requirement` per ID and version was O(V·N²).
    let index: Vec<HashMap<&str, &Requirement>> = vs.iter().map(|v| v.requirements.iter().map(|r| (r.id.value.as_str(), r)).collect()).collect();
    for id in history.keys() {
        let has = |i: usize| index[i].get(id.as_str()).copied();
        let target = published.iter().copied().find(|&i| has(i).is_some()).or_else(|| (0..vs.len()).find(|&i| has(i).is_some()));
        let Some(t) = target else { continue };
        let newest_published = published.first().copied().unwrap_or(0);
        let p = if has(t).is_some_and(|r| r.status == ReqStatus::Withdrawn) {
            let withdrawn = |i: usize| has(i).is_some_and(|r| r.status == ReqStatus::Withdrawn);
            let since = (t..vs.len()).take_while(|&i| withdrawn(i)).last().unwrap_or(t);
            let last = (since + 1..vs.len()).find(|&i| has(i).is_some_and(|r| r.status != ReqStatus::Withdrawn));
            Permalink::Withdrawn { version: t, since, last_in_force: last }
        } else if t > newest_published && vs[t].status != VersionStatus::Draft {
            // A newer published version no longer has it.
            let removed_in = (0..t).rev().find(|&i| vs[i].status != VersionStatus::Draft && has(i).is_none()).unwrap_or(t.saturating_sub(1));
            Permalink::Removed { last: t, removed_in }
        } else {
            Permalink::Live(t)
        };
        permalink.insert(id.clone(), p);
    }
    let last_change = last_changes(vs, &diffs);
    Versions { diffs, history, permalink, last_change }
}

/// [`Versions::last_change`], from the oldest version to the newest: a requirement keeps the
/// version of its last change until a newer diff lists it as added or changed.
fn last_changes(vs: &[Version], diffs: &[Option<VersionDiff>]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); vs.len()];
    let mut last: HashMap<&str, usize> = HashMap::new();
    for i in (0..vs.len()).rev() {
        let touched: Option<BTreeSet<&str>> =
            diffs[i].as_ref().map(|d| d.added.iter().map(|e| e.id.as_str()).chain(d.changed.iter().map(|c| c.id.as_str())).collect());
        out[i] = vs[i]
            .requirements
            .iter()
            .map(|r| {
                let id = r.id.value.as_str();
                let at = match (&touched, last.get(id)) {
                    (Some(t), Some(&prev)) if !t.contains(id) => prev,
                    _ => i,
                };
                last.insert(id, at);
                at
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_diff_marks_changes() {
        let d = word_diff("Leverandøren bør ha rutiner", "Leverandøren skal ha rutiner");
        let ops: Vec<(&str, &str)> = d.iter().map(|s| (s.op, s.text.as_str())).collect();
        assert_eq!(ops, vec![("equal", "Leverandøren "), ("delete", "bør"), ("insert", "skal"), ("equal", " ha rutiner")]);
    }

    #[test]
    fn whitespace_is_not_a_change() {
        assert_eq!(normalize("a\n  b\tc "), normalize("a b c"));
    }
}
