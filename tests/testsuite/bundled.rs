//! The bundled site (`content/`) is the largest integration test: it must build, contain
//! what the core issue promises, navigate everywhere from disk, and its changes page must
//! list exactly the differences between the two versions' YAML sources.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::{code, normbok, repo, stderr, tree};

fn build_bundled(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let o = normbok(&repo(), &["build", "--out", &out.display().to_string()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning["), "bundled site has warnings:\n{}", stderr(&o));
    tree(out)
}

/// Attribute values of `href="…"` and `src="…"` in an HTML text.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Resolves `link` (relative) from output file `from`.
fn resolve(from: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in link.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Every relative link in every HTML file points at an existing file (never a folder) and,
/// with a fragment, at an element with that id. This is what "works opened from disk" needs.
pub fn check_links(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut problems = Vec::new();
    let ids: BTreeMap<&str, BTreeSet<String>> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| {
            let html = String::from_utf8_lossy(b);
            let mut set = BTreeSet::new();
            let mut rest: &str = &html;
            while let Some(i) = rest.find(" id=\"") {
                rest = &rest[i + 5..];
                if let Some(end) = rest.find('"') {
                    set.insert(rest[..end].to_string());
                }
            }
            (p.as_str(), set)
        })
        .collect();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html") && p.as_str() != "404.html") {
        let html = String::from_utf8_lossy(bytes);
        for link in links(&html) {
            // `data:,` is the empty favicon that stops browsers asking for /favicon.ico.
            if link.starts_with("http://") || link.starts_with("https://") || link.starts_with("mailto:") || link == "data:," {
                continue;
            }
            if link.contains(':') && !link.starts_with('#') {
                problems.push(format!("{path}: unexpected scheme in {link}"));
                continue;
            }
            let (target, frag) = match link.split_once('#') {
                Some((t, f)) => (t.to_string(), Some(percent_decode(f))),
                None => (link.clone(), None),
            };
            let target = target.split('?').next().unwrap_or("").to_string();
            let file = if target.is_empty() { Some(path.clone()) } else { resolve(path, &percent_decode(&target)) };
            let Some(file) = file else {
                problems.push(format!("{path}: {link} leaves the site"));
                continue;
            };
            if target.ends_with('/') || !files.contains_key(&file) {
                problems.push(format!("{path}: {link} → {file} is not a file of the site"));
                continue;
            }
            if let Some(f) = frag.filter(|f| !f.is_empty())
                && file.ends_with(".html")
                && !ids.get(file.as_str()).is_some_and(|s| s.contains(&f))
            {
                problems.push(format!("{path}: {link} → no id {f:?} in {file}"));
            }
        }
    }
    problems
}

#[test]
fn bundled_site_builds_navigates_and_is_deterministic() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = build_bundled(&tmp.path().join("a"));
    let b = build_bundled(&tmp.path().join("b"));
    assert!(a == b, "two builds of the bundled site differ");

    let (site, _) = normbok::check(&repo()).expect("bundled site is valid");
    assert_eq!(site.versions.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(), ["2025.2", "2025.1"]);
    for v in &site.versions {
        let pages = a.keys().filter(|k| k.starts_with(&format!("{}/requirements/", v.id)) && !k.ends_with("/index.html")).count();
        assert!(pages >= 60, "{}: {pages} requirement pages", v.id);
        assert_eq!(pages, v.requirements.len());
        let chapters: BTreeSet<&str> = v.requirements.iter().map(|r| r.chapter.as_str()).collect();
        assert!(chapters.len() >= 6, "{}: {} chapters", v.id, chapters.len());
        for g in &site.config.target_groups {
            assert!(a.contains_key(&format!("{}/groups/{}.html", v.id, g.id.get_ref())), "group page {}", g.id.get_ref());
        }
        for r in &v.requirements {
            assert!(a.contains_key(&format!("requirements/{}.html", r.id.value)), "permalink {}", r.id.value);
        }
    }
    let groups: Vec<&str> = site.config.group_ids().collect();
    for g in ["kommune", "helsevirksomhet", "anskaffer", "dataansvarlig", "databehandler", "leverandor", "produsent"] {
        assert!(groups.contains(&g), "target group {g}");
    }
    let obligations: Vec<&str> = site.config.obligation_ids().collect();
    assert_eq!(obligations, ["skal", "ma", "bor", "kan"]);

    // Tombstones for what 2025.2 withdrew or removed; redirects for the rest.
    let (new, old) = (&site.versions[0], &site.versions[1]);
    let text = |p: &str| String::from_utf8_lossy(a.get(p).map_or(&[][..], |b| b)).into_owned();
    let mut tombstones = 0;
    for r in &old.requirements {
        let page = text(&format!("requirements/{}.html", r.id.value));
        match new.requirement(&r.id.value) {
            None => {
                assert!(page.contains("class=\"tombstone\""), "removed {} needs a tombstone", r.id.value);
                tombstones += 1;
            }
            Some(n) if n.status == normbok::model::ReqStatus::Withdrawn => {
                assert!(page.contains("class=\"tombstone\""), "withdrawn {} needs a tombstone", r.id.value);
                tombstones += 1;
            }
            Some(_) => assert!(
                page.contains(&format!("url=2025.2/requirements/{}.html", r.id.value).replace("url=", "url=../")),
                "{} redirects to 2025.2",
                r.id.value
            ),
        }
    }
    // 2025.2 removes INN-20 (its text became INN-13's guidance); withdrawals are not invented.
    assert!(tombstones >= 1, "the bundled versions should remove a requirement");

    // Both versions are an illustration of versioning, and say so where readers look.
    let disclosure = "ikke en offisiell utgave av Normen";
    for v in &site.versions {
        assert!(text(&format!("{}/index.html", v.id)).contains(disclosure), "{}/index.html lacks the disclosure", v.id);
        let note = site.config.versions.iter().find(|c| c.id.get_ref() == &v.id).and_then(|c| c.note.clone());
        let note = note.unwrap_or_else(|| panic!("[[versions]] {} has no note", v.id));
        assert!(note.contains(disclosure), "the note of {} lacks the disclosure", v.id);
        assert!(text("versions.html").contains(&note), "versions.html does not show the note of {}", v.id);
    }

    let problems = check_links(&a);
    assert!(problems.is_empty(), "{} broken links, e.g.\n{}", problems.len(), problems.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
    // The root opens the current version from disk without a server.
    assert!(text("index.html").contains("content=\"0; url=2025.2/index.html\""));
}

/// Reads a requirement file generically (independently of normbok's model).
pub fn yaml_requirements(dir: &Path) -> BTreeMap<String, serde_json::Value> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir.join("requirements")).expect("dir") {
        let p = e.expect("entry").path();
        let text = std::fs::read_to_string(&p).expect("read");
        let v: serde_json::Value = serde_saphyr::from_str(&text).expect("yaml");
        let chapter = v["chapter"]["id"].clone();
        for r in v["requirements"].as_array().expect("list") {
            let mut r = r.clone();
            r["chapter"] = chapter.clone();
            out.insert(r["id"].as_str().expect("id").to_string(), r);
        }
    }
    out
}

pub fn normalized(v: &serde_json::Value) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for key in
        ["title", "obligation", "target_groups", "status", "applies_from", "references", "related", "chapter", "statement", "guidance", "items"]
    {
        let val = &v[key];
        let s = match val {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.split_whitespace().collect::<Vec<_>>().join(" "),
            serde_json::Value::Array(a) if key == "target_groups" || key == "references" || key == "related" => {
                let mut items: Vec<String> = a.iter().map(|x| x.as_str().unwrap_or("").to_string()).collect();
                items.sort();
                items.join(",")
            }
            other => other.to_string().split_whitespace().collect::<Vec<_>>().join(" "),
        };
        let s = if key == "status" && s.is_empty() { "in-force".to_string() } else { s };
        m.insert(key.to_string(), s);
    }
    m
}

#[test]
fn bundled_changes_page_lists_exactly_the_yaml_differences() {
    let old = yaml_requirements(&repo().join("content/2025.1"));
    let new = yaml_requirements(&repo().join("content/2025.2"));
    let added: BTreeSet<&String> = new.keys().filter(|k| !old.contains_key(*k)).collect();
    let removed: BTreeSet<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
    let changed: BTreeSet<&String> = new.keys().filter(|k| old.get(*k).is_some_and(|o| normalized(o) != normalized(&new[*k]))).collect();
    assert!(!added.is_empty() && !removed.is_empty() && !changed.is_empty());

    let tmp = tempfile::tempdir().expect("tempdir");
    let files = build_bundled(&tmp.path().join("out"));
    let html = String::from_utf8_lossy(&files["2025.2/changes.html"]).into_owned();
    let section = |id: &str| -> String {
        let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("section {id}"));
        let rest = &html[start..];
        let end = rest[1..].find("<section").map_or(rest.len(), |i| i + 1);
        rest[..end].to_string()
    };
    let ids_in = |s: &str| -> BTreeSet<String> {
        let mut set = BTreeSet::new();
        let mut rest = s;
        while let Some(i) = rest.find("<span class=\"req-id\">") {
            rest = &rest[i + 21..];
            if let Some(end) = rest.find('<') {
                set.insert(rest[..end].to_string());
            }
        }
        set
    };
    let strs = |s: &BTreeSet<&String>| s.iter().map(|x| (*x).clone()).collect::<BTreeSet<String>>();
    assert_eq!(ids_in(&section("added-heading")), strs(&added));
    assert_eq!(ids_in(&section("removed-heading")), strs(&removed));
    assert_eq!(ids_in(&section("changed-heading")), strs(&changed));
    let unchanged = new.len() - added.len() - changed.len();
    assert!(html.contains(&format!(", {unchanged} ")), "unchanged count {unchanged}");

    // The JSON export carries the same lists.
    let json: serde_json::Value = serde_json::from_slice(&files["2025.2/export/requirements.json"]).expect("json");
    let list = |k: &str| -> BTreeSet<String> {
        json["changes"][k].as_array().expect("list").iter().map(|e| e["id"].as_str().unwrap_or("").to_string()).collect()
    };
    assert_eq!(list("added"), strs(&added));
    assert_eq!(list("removed"), strs(&removed));
    assert_eq!(list("changed"), strs(&changed));

    // Readable without CSS: every insertion and deletion is also marked in text.
    for tag in ["<ins>", "<del>"] {
        for (i, _) in html.match_indices(tag) {
            let start = html[..i].char_indices().rev().nth(12).map_or(0, |(j, _)| j);
            let end = html[i..].char_indices().nth(200).map_or(html.len(), |(j, _)| i + j);
            let after = &html[start..end];
            assert!(
                after.contains("visually-hidden") || after.contains("→") || after.contains("+ ") || after.contains("− "),
                "unlabelled {tag}: {after}"
            );
        }
    }
}

/// The second bundled site (issue 16): Referansekatalogen for e-helse, built from seeds 000,
/// 001 and 003. It builds without warnings, deterministically, navigates everywhere from
/// disk, and shows the catalogue's 9 themes, 11 target groups and "Siste faglige endring".
#[test]
fn referansekatalog_builds_navigates_and_shows_the_catalogue() {
    let root = repo().join("sites/referansekatalog");
    let tmp = tempfile::tempdir().expect("tempdir");
    let build = |dir: &str| {
        let out = tmp.path().join(dir);
        let o = normbok(&root, &["build", "--out", &out.display().to_string()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(!stderr(&o).contains("warning["), "referansekatalog has warnings:\n{}", stderr(&o));
        tree(&out)
    };
    let a = build("a");
    assert!(a == build("b"), "two builds of the referansekatalog differ");
    let problems = check_links(&a);
    assert!(problems.is_empty(), "{} broken links, e.g.\n{}", problems.len(), problems.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));

    let (site, _) = normbok::check(&root).expect("referansekatalog is valid");
    let text = |p: &str| String::from_utf8_lossy(a.get(p).map_or(&[][..], |b| b)).into_owned();
    let v = &site.versions[0];
    let disclosure = "ikke Helsedirektoratets offisielle referansekatalog";
    assert!(text(&format!("{}/index.html", v.id)).contains(disclosure), "home page lacks the disclosure");
    assert!(text("versions.html").contains(disclosure), "versions.html lacks the disclosure");

    let themes = [
        "Grunnleggende standarder",
        "Elektronisk samhandling i pasientforløp",
        "E-resept",
        "Kodeverk",
        "Samhandling med NAV, Helfo og Helsenorge",
        "Rapportering til nasjonale registre",
        "Arkitektur og informasjonssikkerhet",
        "EPJ, helsedata og avlevering til Norsk helsearkiv",
        "Anbefalinger om internasjonale e-helsestandarder",
    ];
    for t in themes {
        let c = v.chapters.iter().find(|c| c.title == t).unwrap_or_else(|| panic!("theme {t:?} is not a chapter"));
        let page = text(&format!("{}/chapters/{}.html", v.id, c.id.value));
        assert!(page.contains(t), "chapter page of {t:?}");
    }

    let groups = [
        "Andre virksomheter i primærhelsetjenesten",
        "Apotek og bandasjister",
        "Avtalespesialister",
        "Bildediagnostikk",
        "Fastlege og allmennlegetjeneste",
        "Helseforetak og private sykehus",
        "Helsestasjons- og skolehelsetjeneste",
        "Kommunal helse- og omsorgstjeneste",
        "Laboratorier",
        "Tannhelsetjeneste",
        "Øyeblikkelig hjelp døgnopphold",
    ];
    assert_eq!(site.config.target_groups.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(), groups);
    let index = text(&format!("{}/requirements/index.html", v.id));
    for g in &site.config.target_groups {
        let id = g.id.get_ref();
        let page = text(&format!("{}/groups/{id}.html", v.id));
        let listed = page.matches("class=\"req-id\"").count();
        let expected = v.requirements.iter().filter(|r| r.target_groups.iter().any(|t| &t.value == id)).count();
        assert!(listed > 0 && listed == expected, "group page {id}: {listed} entries listed, {expected} expected");
        assert!(index.contains(&format!("value=\"{id}\"")), "the filter has no checkbox for {id}");
    }
    // The filters narrow: Standard Norge's list is for the municipalities only.
    let per_group = |id: &str| v.requirements.iter().filter(|r| r.target_groups.iter().any(|t| t.value == id)).count();
    assert!(per_group("laboratorier") < per_group("kommunal"));

    assert!(v.requirements.len() >= 40, "{} entries", v.requirements.len());
    assert_eq!(site.config.obligation_ids().collect::<Vec<_>>(), ["obligatorisk", "anbefalt"]);
    let mut dated = 0;
    for r in &v.requirements {
        let page = text(&format!("{}/requirements/{}.html", v.id, r.id.value));
        assert!(page.contains("<dt>Siste faglige endring</dt>"), "{} lacks Siste faglige endring", r.id.value);
        if let Some(c) = &r.changed {
            assert!(page.contains(&format!("<time datetime=\"{}\">", c.value)), "{} does not show its date", r.id.value);
            dated += 1;
        }
    }
    assert!(dated >= 10, "only {dated} entries carry the seed's Siste faglige endring");
    // The dates reach the JSON export.
    let json: serde_json::Value = serde_json::from_slice(&a[&format!("{}/export/requirements.json", v.id)]).expect("json");
    let bkm = json["requirements"].as_array().expect("list").iter().find(|r| r["id"] == "BKM").expect("BKM");
    assert_eq!(bkm["changed"], "2025-09-29");
    for page in ["om-referansekatalogen.html", "unntak.html"] {
        assert!(a.contains_key(&format!("{}/{page}", v.id)), "{page}");
    }
}
