//! Stage 4 (render, data side): Atom feeds of requirement changes (SPEC §3 and §5):
//! `feeds/changes.atom` and `feeds/<group>.atom`, written only when `base_url` is set.
//!
//! One entry per added, changed, withdrawn or removed requirement per published (non-draft)
//! version that has a `published` date, newest version first, taken from the same diffs as
//! the changes pages. Feed readers need absolute links and a date per entry, hence the two
//! conditions; [`note`] says once in `build`'s output what was left out and why.

use std::collections::{BTreeSet, HashMap};

use super::site::xml_escape;
use super::{change_anchor, i18n, urls};
use crate::config::{Language, VersionStatus};
use crate::model::{Requirement, Site};
use crate::versions::{DiffSpan, RequirementChange, Versions};

/// Site-relative path of the feed of all changes.
pub const ALL: &str = crate::paths::FEED_CHANGES;

/// Site-relative path of target group `gid`'s feed.
pub fn group_path(gid: &str) -> String {
    crate::paths::feed_group(gid)
}

/// Whether feeds are written: a base URL and at least one dated published version.
pub fn enabled(site: &Site) -> bool {
    !site.config.base_url.is_empty() && site.versions.iter().any(|v| v.status != VersionStatus::Draft && v.published.is_some())
}

/// The one line `build` prints about feeds, when something is left out.
pub fn note(site: &Site) -> Option<String> {
    if site.config.base_url.is_empty() {
        return Some(
            "note: no Atom feeds (feeds/*.atom) written: `base_url` is not set in normbok.toml, and feed entries need absolute links".into(),
        );
    }
    let undated: Vec<&str> =
        site.versions.iter().filter(|v| v.status != VersionStatus::Draft && v.published.is_none()).map(|v| v.id.as_str()).collect();
    if !enabled(site) {
        return Some("note: no Atom feeds (feeds/*.atom) written: no published version has a `published` date".into());
    }
    (!undated.is_empty()).then(|| format!("note: versions without a `published` date have no Atom feed entries: {}", undated.join(", ")))
}

/// Absolute URL of the feed a page at `out` links with `<link rel="alternate">`: its target
/// group's feed on `<v>/groups/<g>.html`, else the feed of all changes.
pub fn link_for(site: &Site, out: &str) -> Option<String> {
    if !enabled(site) {
        return None;
    }
    let group = out.split_once("/groups/").and_then(|(_, g)| g.strip_suffix(".html")).filter(|g| !g.contains('/'));
    let path = match group {
        Some(g) if site.config.target_groups.iter().any(|x| x.id.get_ref() == g) => group_path(g),
        _ => ALL.to_string(),
    };
    Some(absolute(site, &path))
}

fn absolute(site: &Site, path: &str) -> String {
    let base = site.config.base_url.trim_end_matches('/');
    format!("{base}/{}", path.split('/').map(urls::encode).collect::<Vec<_>>().join("/"))
}

/// One feed entry, before it is written for every feed it belongs to.
struct Entry {
    id: String,
    title: String,
    updated: String,
    link: String,
    related: String,
    kind: &'static str,
    kind_label: &'static str,
    summary: String,
    /// Target groups of the requirement in either version: a group's feed holds it.
    groups: BTreeSet<String>,
}

/// Every feed with its path (empty when feeds are not [`enabled`]).
pub fn files(site: &Site, hist: &Versions) -> Vec<(String, Vec<u8>)> {
    if !enabled(site) {
        return Vec::new();
    }
    let lang = site.config.language;
    let entries = entries(site, hist);
    let newest = site.versions.iter().filter(|v| v.status != VersionStatus::Draft).filter_map(|v| v.published.clone()).max().unwrap_or_default();
    let changes = i18n::get(lang, "changes");
    let mut out = vec![(ALL.to_string(), feed(site, ALL, &format!("{} – {changes}", site.config.title), &newest, entries.iter()))];
    for g in &site.config.target_groups {
        let gid = g.id.get_ref();
        let path = group_path(gid);
        let title = format!("{} – {changes} – {}", site.config.title, g.label);
        out.push((path.clone(), feed(site, &path, &title, &newest, entries.iter().filter(|e| e.groups.contains(gid.as_str())))));
    }
    out
}

fn feed<'a>(site: &Site, path: &str, title: &str, newest: &str, entries: impl Iterator<Item = &'a Entry>) -> Vec<u8> {
    let entries: Vec<&Entry> = entries.collect();
    // Entries are newest first, so the first one is the feed's last update.
    let updated = entries.first().map_or_else(|| format!("{newest}T00:00:00Z"), |e| e.updated.clone());
    let x = xml_escape;
    let url = absolute(site, path);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str(&format!("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n", site.config.language.tag()));
    s.push_str(&format!("  <id>{}</id>\n  <title>{}</title>\n  <updated>{updated}</updated>\n", x(&url), x(title)));
    s.push_str(&format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", x(&url)));
    s.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", x(&absolute(site, "versions.html"))));
    s.push_str(&format!("  <author><name>{}</name></author>\n  <generator>normbok</generator>\n", x(&site.config.title)));
    for e in entries {
        s.push_str("  <entry>\n");
        s.push_str(&format!("    <id>{}</id>\n    <title>{}</title>\n    <updated>{}</updated>\n", x(&e.id), x(&e.title), e.updated));
        s.push_str(&format!("    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", x(&e.link)));
        s.push_str(&format!("    <link rel=\"related\" type=\"text/html\" href=\"{}\"/>\n", x(&e.related)));
        s.push_str(&format!("    <category term=\"{}\" label=\"{}\"/>\n", e.kind, x(e.kind_label)));
        s.push_str(&format!("    <summary type=\"text\">{}</summary>\n", x(&e.summary)));
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s.into_bytes()
}

/// `tag:` URI authority and path prefix from the base URL (`https://h:8080/a/` → `h`, `a/`).
fn tag_parts(base_url: &str) -> (String, String) {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host =
        if host.starts_with('[') { host.split(']').next().unwrap_or(host).trim_start_matches('[') } else { host.split(':').next().unwrap_or(host) };
    let path = path.trim_matches('/');
    (host.to_ascii_lowercase(), if path.is_empty() { String::new() } else { format!("{path}/") })
}

fn entries(site: &Site, hist: &Versions) -> Vec<Entry> {
    let vs = &site.versions;
    let lang = site.config.language;
    let (host, prefix) = tag_parts(&site.config.base_url);
    let mut out = Vec::new();
    for (vi, v) in vs.iter().enumerate() {
        let (Some(date), Some(d)) = (v.published.as_deref(), hist.diffs.get(vi).and_then(Option::as_ref)) else { continue };
        if v.status == VersionStatus::Draft {
            continue;
        }
        let Some(oi) = vs.iter().position(|x| x.id == d.from) else { continue };
        let o = &vs[oi];
        let new_by: HashMap<&str, &Requirement> = v.requirements.iter().map(|r| (r.id.value.as_str(), r)).collect();
        let old_by: HashMap<&str, &Requirement> = o.requirements.iter().map(|r| (r.id.value.as_str(), r)).collect();
        let groups = |ids: &[Option<&&Requirement>]| -> BTreeSet<String> {
            ids.iter().flatten().flat_map(|r| r.target_groups.iter().map(|g| g.value.clone())).collect()
        };
        let withdrawn: BTreeSet<&str> = d.withdrawn.iter().map(|e| e.id.as_str()).collect();
        let mut push = |id: &str, title: &str, kind: &'static str, summary: String, in_version: &str, groups: BTreeSet<String>| {
            let label = i18n::get(lang, &format!("event_{kind}"));
            out.push(Entry {
                id: format!("tag:{host},{date}:{prefix}{}/{id}", v.id),
                title: format!("{id} {title} – {label} ({})", v.label),
                updated: format!("{date}T00:00:00Z"),
                link: absolute(site, &format!("{in_version}/requirements/{id}.html")),
                related: format!("{}#{}", absolute(site, &format!("{}/changes.html", v.id)), change_anchor(id)),
                kind,
                kind_label: label,
                summary,
                groups,
            });
        };
        for e in &d.added {
            let r = new_by.get(e.id.as_str());
            let text = r.map(|r| crate::model::markdown::plain_text(&r.statement.text)).unwrap_or_default();
            let summary =
                format!("{} ({}). {}: {}", i18n::get(lang, "event_added"), v.label, cap(i18n::get(lang, "field_statement")), shorten(&text, 60));
            push(&e.id, &e.title, "added", summary, &v.id, groups(&[r]));
        }
        for c in &d.changed {
            let r = new_by.get(c.id.as_str());
            let kind = if withdrawn.contains(c.id.as_str()) { "withdrawn" } else { "changed" };
            let title = r.map_or("", |r| r.title.as_str());
            push(&c.id, title, kind, change_summary(site, lang, c, &v.label), &v.id, groups(&[r, old_by.get(c.id.as_str())]));
        }
        for e in &d.removed {
            let summary = format!("{} ({}).", i18n::get(lang, "event_removed"), v.label);
            push(&e.id, &e.title, "removed", summary, &o.id, groups(&[old_by.get(e.id.as_str())]));
        }
    }
    out
}

/// "Endret (Versjon 2): forpliktelse, kravtekst. Forpliktelse: Kan → Bør. Kravtekst: … [-C-] {+D+} …"
fn change_summary(site: &Site, lang: Language, c: &RequirementChange, version: &str) -> String {
    let field = |f: &str| i18n::get(lang, &format!("field_{f}"));
    let fields: Vec<&str> = c.fields.iter().map(|f| field(f)).collect();
    let mut s = format!("{} ({version}): {}.", i18n::get(lang, "event_changed"), fields.join(", "));
    let obligation = |id: &str| site.config.obligations.iter().find(|o| o.id.get_ref() == id).map_or_else(|| id.to_string(), |o| o.label.clone());
    let status = |st: &str| {
        let l = i18n::get(lang, &format!("status_{st}"));
        if l.is_empty() { st.to_string() } else { l.to_string() }
    };
    let group = |id: &str| site.config.target_groups.iter().find(|g| g.id.get_ref() == id).map_or_else(|| id.to_string(), |g| g.label.clone());
    let none = |v: &str| if v.is_empty() { "–".to_string() } else { v.to_string() };
    if let Some(x) = &c.obligation {
        s.push_str(&format!(" {}: {} → {}.", cap(field("obligation")), obligation(&x.old), obligation(&x.new)));
    }
    if let Some(x) = &c.status {
        s.push_str(&format!(" {}: {} → {}.", cap(field("status")), status(&x.old), status(&x.new)));
    }
    if let Some(x) = &c.applies_from {
        s.push_str(&format!(" {}: {} → {}.", cap(field("applies_from")), none(&x.old), none(&x.new)));
    }
    if let Some(x) = &c.chapter_moved {
        s.push_str(&format!(" {}: {} → {}.", cap(field("chapter")), x.old, x.new));
    }
    for (name, set, label) in [
        ("target_groups", &c.target_groups, &group as &dyn Fn(&str) -> String),
        ("references", &c.references, &|x: &str| x.to_string()),
        ("related", &c.related, &|x: &str| x.to_string()),
    ] {
        if let Some(set) = set {
            let parts: Vec<String> =
                set.added.iter().map(|x| format!("+{}", label(x))).chain(set.removed.iter().map(|x| format!("−{}", label(x)))).collect();
            s.push_str(&format!(" {}: {}.", cap(field(name)), parts.join(", ")));
        }
    }
    for t in &c.texts {
        s.push_str(&format!(" {}: {}", cap(field(t.field)), text_diff(&t.diff)));
    }
    s
}

/// `t` with its first letter upper-case (field labels are lower-case in running text).
fn cap(t: &str) -> String {
    let mut cs = t.chars();
    cs.next().map_or_else(String::new, |f| f.to_uppercase().chain(cs).collect())
}

/// A word diff as plain text: `[-deleted-]` and `{+inserted+}` (wdiff's notation), long
/// unchanged runs cut to a few words of context.
fn text_diff(diff: &[DiffSpan]) -> String {
    const CONTEXT: usize = 6;
    let mut s = String::new();
    for (i, span) in diff.iter().enumerate() {
        match span.op {
            "insert" => s.push_str(&format!("{{+{}+}}", span.text.trim())),
            "delete" => s.push_str(&format!("[-{}-]", span.text.trim())),
            _ => {
                let words: Vec<&str> = span.text.split_whitespace().collect();
                let (first, last) = (i == 0, i + 1 == diff.len());
                let kept = match (first, last) {
                    (true, true) => words.join(" "),
                    (true, false) if words.len() > CONTEXT => format!("… {}", words[words.len() - CONTEXT..].join(" ")),
                    (false, true) if words.len() > CONTEXT => format!("{} …", words[..CONTEXT].join(" ")),
                    (false, false) if words.len() > 2 * CONTEXT => {
                        format!("{} … {}", words[..CONTEXT].join(" "), words[words.len() - CONTEXT..].join(" "))
                    }
                    _ => words.join(" "),
                };
                s.push_str(if first { "" } else { " " });
                s.push_str(&kept);
                s.push_str(if last { "" } else { " " });
            }
        }
    }
    s.trim().to_string()
}

/// The first `words` words of `text`, with `…` when there were more.
fn shorten(text: &str, words: usize) -> String {
    let w: Vec<&str> = text.split_whitespace().collect();
    if w.len() > words { format!("{} …", w[..words].join(" ")) } else { w.join(" ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_parts_take_host_and_path() {
        assert_eq!(tag_parts("https://normen.example.org/veileder/"), ("normen.example.org".into(), "veileder/".into()));
        assert_eq!(tag_parts("http://User@Host.example:8080"), ("host.example".into(), String::new()));
    }

    #[test]
    fn text_diff_marks_and_cuts() {
        let d = crate::versions::word_diff("a b c d e f g h i j bør k", "a b c d e f g h i j skal k");
        assert_eq!(text_diff(&d), "… e f g h i j [-bør-]{+skal+} k");
    }
}
