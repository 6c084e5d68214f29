//! Following a norm over time (issue 17, SPEC §5): the last substantive change, changes
//! between any two versions, Atom feeds and the printable document, over the three-version
//! fixture with publication dates and a base URL (`tests/fixtures/ok/versions-three-feeds`).
//! Expected values are computed here from the YAML sources, independently of normbok.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::bundled::{normalized, yaml_requirements};
use crate::support::{code, normbok, repo, stderr, tree};

const FIXTURE: &str = "tests/fixtures/ok/versions-three-feeds";
/// Version ids, newest first, with their publication dates (as in the fixture's normbok.toml).
const VERSIONS: [(&str, &str); 3] = [("3", "2025-10-01"), ("2", "2025-04-01"), ("1", "2024-10-01")];

fn build(root: &Path) -> (BTreeMap<String, Vec<u8>>, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = normbok(tmp.path(), &["build", "--root", &root.display().to_string(), "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (tree(&tmp.path().join("out")), stderr(&o))
}

/// Per version (newest first): requirement id → its record, from the YAML.
fn sources() -> Vec<BTreeMap<String, Value>> {
    VERSIONS.iter().map(|(v, _)| yaml_requirements(&repo().join(FIXTURE).join("content").join(v))).collect()
}

#[test]
fn last_changed_is_the_version_of_the_last_real_change() {
    let (files, _) = build(&repo().join(FIXTURE));
    let src = sources();
    // Independently: walk from the oldest version; an ID keeps its version until its
    // normalized record differs from the previous version's (or it is new there).
    let mut last: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen_changed_and_unchanged = (false, false);
    for i in (0..VERSIONS.len()).rev() {
        let json: Value = serde_json::from_slice(&files[&format!("{}/export/requirements.json", VERSIONS[i].0)]).expect("json");
        for (id, rec) in &src[i] {
            let prev = src.get(i + 1).and_then(|p| p.get(id));
            let at = match prev {
                Some(p) if normalized(p) == normalized(rec) => last[id],
                _ => i,
            };
            last.insert(id.clone(), at);
            if i < VERSIONS.len() - 1 {
                if at == i {
                    seen_changed_and_unchanged.0 = true;
                } else {
                    seen_changed_and_unchanged.1 = true;
                }
            }
            let r = json["requirements"].as_array().expect("list").iter().find(|r| r["id"] == id.as_str()).expect("req");
            assert_eq!(
                r["last_changed"],
                serde_json::json!({"version": VERSIONS[at].0, "date": VERSIONS[at].1, "source": "history"}),
                "{id} in version {}",
                VERSIONS[i].0
            );
        }
    }
    assert_eq!(seen_changed_and_unchanged, (true, true), "the fixture covers changed and unchanged requirements");
    // A re-wrapped statement (A-3) is not a change; a removed and re-added ID (C-1) is new again.
    assert_eq!(last["A-3"], 2);
    assert_eq!(last["C-1"], 0);
}

/// Requirement IDs in the `<section>` that starts at the element with id `heading`.
fn section_ids(html: &str, heading: &str) -> Vec<String> {
    let start = html.find(&format!("id=\"{heading}\"")).unwrap_or_else(|| panic!("section {heading}"));
    let rest = &html[start..];
    let end = rest[1..].find("<section").map_or(rest.len(), |i| i + 1);
    let mut out = Vec::new();
    let mut s = &rest[..end];
    while let Some(i) = s.find("<span class=\"req-id\">") {
        s = &s[i + 21..];
        out.push(s[..s.find('<').unwrap_or(0)].to_string());
    }
    out.sort();
    out
}

/// The versions (indices, oldest first) after `older` up to `newer` in which `id` is new or
/// differs from the version before, from the YAML.
fn steps(src: &[BTreeMap<String, Value>], id: &str, newer: usize, older: usize) -> Vec<usize> {
    (newer..older)
        .rev()
        .filter(|&i| match (src[i + 1].get(id), src[i].get(id)) {
            (Some(o), Some(n)) => normalized(o) != normalized(n),
            (None, None) => false,
            _ => true,
        })
        .collect()
}

#[test]
fn every_pair_of_versions_has_a_changes_page_with_the_direct_diff() {
    let (files, _) = build(&repo().join(FIXTURE));
    let src = sources();
    let mut multi_step = false;
    for newer in 0..VERSIONS.len() {
        let own = String::from_utf8_lossy(&files[&format!("{}/changes.html", VERSIONS[newer].0)]).into_owned();
        for older in newer + 1..VERSIONS.len() {
            let (v, o) = (VERSIONS[newer].0, VERSIONS[older].0);
            let html =
                String::from_utf8_lossy(files.get(&format!("{v}/changes/{o}.html")).unwrap_or_else(|| panic!("{v}/changes/{o}.html"))).into_owned();
            let (n, ol) = (&src[newer], &src[older]);
            let added: Vec<String> = n.keys().filter(|k| !ol.contains_key(*k)).cloned().collect();
            let removed: Vec<String> = ol.keys().filter(|k| !n.contains_key(*k)).cloned().collect();
            let changed: Vec<String> = n.keys().filter(|k| ol.get(*k).is_some_and(|x| normalized(x) != normalized(&n[*k]))).cloned().collect();
            assert_eq!(section_ids(&html, "added-heading"), added, "{v} vs {o}");
            assert_eq!(section_ids(&html, "removed-heading"), removed, "{v} vs {o}");
            assert_eq!(section_ids(&html, "changed-heading"), changed, "{v} vs {o}");
            let unchanged = n.len() - added.len() - changed.len();
            assert!(html.contains(&format!(", {unchanged} uendrede krav")), "{v} vs {o}: unchanged {unchanged}");
            // Every changed requirement lists the versions in which it changed on the way.
            for id in &changed {
                let expect = steps(&src, id, newer, older);
                multi_step |= expect.len() > 1;
                let links: Vec<String> = expect
                    .iter()
                    .map(|&i| {
                        let to = if i == newer { "../changes.html".to_string() } else { format!("../../{}/changes.html", VERSIONS[i].0) };
                        format!("<a href=\"{to}#krav-{id}\">Versjon {}</a>", VERSIONS[i].0)
                    })
                    .collect();
                let art = &html[html.find(&format!("id=\"krav-{id}\"")).expect("entry")..];
                let p = &art[art.find("<p class=\"changed-in\">").expect("changed-in")..];
                let p = &p[..p.find("</p>").expect("end")];
                let found: Vec<&str> = p.match_indices("<a href=").map(|(i, _)| &p[i..i + p[i..].find("</a>").expect("a") + 4]).collect();
                assert_eq!(found, links, "{v} vs {o}: steps of {id}");
            }
            // changes.html links every older version, without JavaScript.
            assert!(own.contains(&format!("<a href=\"changes/{o}.html\">Versjon {o}</a>")), "{v}/changes.html links {o}");
        }
    }
    assert!(multi_step, "the fixture has a requirement changed in two steps (A-4)");
    // One combined diff: A-4's obligation and statement changed in different versions.
    let h = String::from_utf8_lossy(&files["3/changes/1.html"]).into_owned();
    let a4 = &h[h.find("id=\"krav-A-4\"").expect("A-4")..];
    let a4 = &a4[..a4.find("</article>").expect("end")];
    assert!(a4.contains("<del>Kan</del> → <ins>Bør</ins>") && a4.matches("class=\"text-diff\"").count() == 1, "{a4}");
}

const BASE: &str = "https://normen.example.org/veileder";

/// Parses an Atom file with Python's feedparser (a real feed parser; `.ci/run` installs it)
/// and returns what it saw, including `bozo` (set on any XML or feed-format problem).
fn feedparse(bytes: &[u8]) -> Value {
    let tmp = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(tmp.path(), bytes).expect("write");
    let script = r#"
import json, sys, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({
  "bozo": d.bozo, "problem": str(d.get("bozo_exception", "")), "version": d.version,
  "id": d.feed.get("id"), "title": d.feed.get("title"), "updated": d.feed.get("updated"),
  "self": [l.href for l in d.feed.get("links", []) if l.rel == "self"],
  "entries": [{"id": e.id, "title": e.title, "updated": e.updated, "link": e.link,
               "links": [l.href for l in e.links], "kind": e.tags[0].term, "summary": e.summary} for e in d.entries],
}))
"#;
    let o = std::process::Command::new("python3").arg("-c").arg(script).arg(tmp.path()).output().expect("python3");
    assert!(o.status.success(), "feedparser (python3 -m pip install feedparser): {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("json")
}

/// Expected feed entries from the YAML, newest version first: (tag id, kind, groups).
fn expected_entries(src: &[BTreeMap<String, Value>], dated: &[bool]) -> Vec<(String, String, Vec<String>)> {
    let groups = |r: Option<&Value>| -> Vec<String> {
        r.map(|r| r["target_groups"].as_array().expect("groups").iter().map(|g| g.as_str().unwrap_or("").to_string()).collect()).unwrap_or_default()
    };
    let mut out = Vec::new();
    for i in 0..src.len() - 1 {
        if !dated[i] {
            continue;
        }
        let (v, date) = VERSIONS[i];
        let (n, o) = (&src[i], &src[i + 1]);
        for id in n.keys().chain(o.keys()).collect::<std::collections::BTreeSet<_>>() {
            let (old, new) = (o.get(id), n.get(id));
            let kind = match (old, new) {
                (None, Some(_)) => "added",
                (Some(_), None) => "removed",
                (Some(a), Some(b)) if normalized(a) != normalized(b) => {
                    if b["status"] == "withdrawn" && a["status"] != "withdrawn" {
                        "withdrawn"
                    } else {
                        "changed"
                    }
                }
                _ => continue,
            };
            let mut g = groups(old);
            g.extend(groups(new));
            g.sort();
            g.dedup();
            out.push((format!("tag:normen.example.org,{date}:veileder/{v}/{id}"), kind.to_string(), g));
        }
    }
    out
}

/// The date part of a `tag:` entry id (the version's publication date).
fn tag_date(id: &str) -> String {
    id.split(',').nth(1).and_then(|x| x.split(':').next()).unwrap_or("").to_string()
}

fn entry_keys(feed: &Value) -> Vec<(String, String)> {
    feed["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| (e["id"].as_str().unwrap_or("").to_string(), e["kind"].as_str().unwrap_or("").to_string()))
        .collect()
}

/// Sorted within each version (the feed lists a version's entries in chapter order), the
/// versions newest first.
fn by_version(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort_by_key(|(id, _)| (std::cmp::Reverse(tag_date(id)), id.clone()));
    v
}

#[test]
fn atom_feeds_hold_exactly_the_changes_and_parse() {
    let (files, err) = build(&repo().join(FIXTURE));
    assert!(!err.contains("note:"), "all versions are dated and base_url is set: {err}");
    let src = sources();
    let expected = expected_entries(&src, &[true, true, true]);
    assert!(expected.iter().any(|e| e.1 == "withdrawn") && expected.iter().any(|e| e.1 == "removed") && expected.iter().any(|e| e.1 == "added"));
    let all = feedparse(&files["feeds/changes.atom"]);
    assert_eq!(all["bozo"], false, "{}", all["problem"]);
    assert_eq!(all["version"], "atom10");
    assert_eq!(all["id"], format!("{BASE}/feeds/changes.atom"));
    assert_eq!(all["self"], serde_json::json!([format!("{BASE}/feeds/changes.atom")]));
    assert_eq!(all["updated"], "2025-10-01T00:00:00Z");
    let got = entry_keys(&all);
    let dates: Vec<String> = got.iter().map(|(id, _)| tag_date(id)).collect();
    let mut newest_first = dates.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, newest_first, "newest version first");
    assert_eq!(by_version(got), by_version(expected.iter().map(|e| (e.0.clone(), e.1.clone())).collect()));
    for e in all["entries"].as_array().expect("entries") {
        let id = e["id"].as_str().unwrap_or("");
        assert_eq!(e["updated"], format!("{}T00:00:00Z", tag_date(id)), "{id}");
        for l in e["links"].as_array().expect("links") {
            let l = l.as_str().unwrap_or("");
            let path = l.strip_prefix(&format!("{BASE}/")).unwrap_or_else(|| panic!("absolute link {l}"));
            assert!(files.contains_key(path.split('#').next().unwrap_or("")), "{l} is a built file");
        }
    }
    // Summaries say what changed: fields, values and a word diff.
    let summary = |id: &str| {
        all["entries"].as_array().expect("e").iter().find(|e| e["id"] == id).map(|e| e["summary"].as_str().unwrap_or("").to_string()).expect("entry")
    };
    let s = summary("tag:normen.example.org,2025-04-01:veileder/2/A-4");
    assert!(s.contains("forpliktelse") && s.contains("Kan → Bør"), "{s}");
    let s = summary("tag:normen.example.org,2025-10-01:veileder/3/A-4");
    assert!(s.contains("Kravtekst: Kommunen [-kan-]{+bør+} gjøre [-C.-]{+C, og melde fra om avvik.+}"), "{s}");
    let s = summary("tag:normen.example.org,2025-04-01:veileder/2/B-1");
    assert!(s.contains("Målgrupper: +Leverandører"), "{s}");

    // A group's feed holds exactly the entries of requirements in that group (in either version).
    for g in ["kommune", "leverandor"] {
        let feed = feedparse(&files[&format!("feeds/{g}.atom")]);
        assert_eq!(feed["bozo"], false, "{}", feed["problem"]);
        let want: Vec<(String, String)> = expected.iter().filter(|e| e.2.iter().any(|x| x == g)).map(|e| (e.0.clone(), e.1.clone())).collect();
        assert!(!want.is_empty() && want.len() < expected.len(), "{g} filters");
        assert_eq!(by_version(entry_keys(&feed)), by_version(want), "{g}");
    }
    // Pages announce their feed; a group page its group's.
    let page = |p: &str| String::from_utf8_lossy(&files[p]).into_owned();
    assert!(
        page("3/requirements/A-1.html")
            .contains(&format!("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Endringer\" href=\"{BASE}/feeds/changes.atom\">"))
    );
    assert!(page("2/groups/kommune.html").contains(&format!("href=\"{BASE}/feeds/kommune.atom\">")));
}

#[test]
fn feeds_need_a_base_url_and_skip_undated_versions() {
    let tmp = tempfile::tempdir().expect("tmp");
    let site = tmp.path().join("site");
    crate::support::copy_dir(&repo().join(FIXTURE), &site);
    let toml = std::fs::read_to_string(site.join("normbok.toml")).expect("toml");

    std::fs::write(site.join("normbok.toml"), toml.replace("base_url = \"https://normen.example.org/veileder/\"\n", "")).expect("write");
    let (files, err) = build(&site);
    assert!(!files.keys().any(|k| k.starts_with("feeds/")), "no feed without base_url");
    assert_eq!(err.matches("note: no Atom feeds").count(), 1, "says why once: {err}");
    assert!(err.contains("`base_url` is not set"), "{err}");
    assert!(!String::from_utf8_lossy(&files["3/index.html"]).contains("application/atom+xml"));

    // Version 2 without a date: its entries are left out, and build says so once.
    std::fs::write(site.join("normbok.toml"), toml.replace("published = 2025-04-01\n", "")).expect("write");
    let (files, err) = build(&site);
    assert_eq!(err.matches("note:").count(), 1, "{err}");
    assert!(err.contains("versions without a `published` date have no Atom feed entries: 2"), "{err}");
    let feed = feedparse(&files["feeds/changes.atom"]);
    assert_eq!(feed["bozo"], false, "{}", feed["problem"]);
    let src = sources();
    assert_eq!(by_version(entry_keys(&feed)), by_version(expected_entries(&src, &[true, false, true]).into_iter().map(|e| (e.0, e.1)).collect()));
}

#[test]
fn print_html_holds_every_page_and_requirement_in_reading_order() {
    let (files, _) = build(&repo().join(FIXTURE));
    let src = sources();
    for (i, (v, date)) in VERSIONS.iter().enumerate() {
        let html = String::from_utf8_lossy(&files[&format!("{v}/print.html")]).into_owned();
        // Requirements in chapter order, then file order, as the YAML has them.
        let mut chapters: Vec<(i64, Vec<String>)> = Vec::new();
        for e in std::fs::read_dir(repo().join(FIXTURE).join("content").join(v).join("requirements")).expect("dir") {
            let text = std::fs::read_to_string(e.expect("e").path()).expect("read");
            let y: Value = serde_saphyr::from_str(&text).expect("yaml");
            let ids = y["requirements"].as_array().expect("list").iter().map(|r| r["id"].as_str().unwrap_or("").to_string()).collect();
            chapters.push((y["chapter"]["order"].as_i64().unwrap_or(0), ids));
        }
        chapters.sort();
        let order: Vec<String> = chapters.into_iter().flat_map(|c| c.1).collect();
        assert_eq!(order.len(), src[i].len());
        let mut at = 0;
        for id in &order {
            let pos = html[at..].find(&format!("<span class=\"req-id\">{id}</span>")).unwrap_or_else(|| panic!("{v}/print.html: {id} after {at}"));
            at += pos;
        }
        // The guide page (title from its front matter) comes before the requirements.
        let page = std::fs::read_to_string(repo().join(FIXTURE).join("content").join(v).join("pages/index.md")).expect("page");
        let title = page.lines().find_map(|l| l.strip_prefix("title:")).expect("title").trim().trim_matches('"').to_string();
        let t = html.find(&format!(">{title}</h2>")).unwrap_or_else(|| panic!("{v}: page title {title}"));
        assert!(t < html.find("<span class=\"req-id\">").expect("req"), "pages first");
        // Every printed page carries version, status and date (a CSS margin box).
        let status = if i == 0 { "gjeldende" } else { "erstattet" };
        let running = format!("Tre versjoner · Versjon {v} ({status}) · Publisert {date}");
        let css: String = running.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("\\{:x} ", c as u32) }).collect();
        assert!(html.contains(&format!("@top-left {{ content: \"{css}\"")), "{v}: running header");
        // Linked from every page of the version.
        for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with(&format!("{v}/")) && p.ends_with(".html")) {
            let depth = path.matches('/').count() - 1;
            let link = format!("<a href=\"{}print.html\">Utskriftsversjon</a>", "../".repeat(depth));
            assert!(String::from_utf8_lossy(bytes).contains(&link), "{path} links {link}");
        }
    }
}
