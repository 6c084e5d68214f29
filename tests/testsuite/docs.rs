//! The documentation in `docs/` cannot fall behind the code: every field of `normbok schema`,
//! every key of `normbok.toml` (found by probing the configuration structs themselves), every
//! command and long option of the CLI, and every diagnostic code used in `src/` must be
//! documented. Nothing here is a hand-kept list of names.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{code, normbok, repo};

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The part of a Markdown document below the first heading that contains `needle`, up to the
/// next heading of the same or a higher level.
fn section<'a>(doc: &'a str, needle: &str) -> Option<&'a str> {
    let mut start = None;
    let mut level = 0;
    let mut offset = 0;
    let mut fenced = false;
    for line in doc.split_inclusive('\n') {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        // `# comment` lines inside code blocks are no headings.
        let is_heading = !fenced && hashes > 0 && line[hashes..].starts_with(' ');
        match start {
            None if is_heading && line.contains(needle) => {
                start = Some(offset + line.len());
                level = hashes;
            }
            Some(s) if is_heading && hashes <= level => return Some(&doc[s..offset]),
            _ => {}
        }
        offset += line.len();
    }
    start.map(|s| &doc[s..])
}

/// Whether a Markdown table in `text` has a row for `` `name` `` (first column).
fn has_row(text: &str, name: &str) -> bool {
    let cell = format!("| `{name}` |");
    text.lines().any(|l| l.trim_start().starts_with(&cell))
}

// ---- normbok.toml ------------------------------------------------------------------------

/// The keys serde accepts where `__probe` is written, read from serde's own "unknown field"
/// message (`expected one of `a`, `b``), so the list comes from the config structs.
/// `None` when `__probe` was not rejected as an unknown field (the place is no table).
fn accepted_keys(doc: &str) -> Option<Vec<String>> {
    let err = toml::from_str::<normbok::config::SiteConfig>(doc).err()?.to_string();
    if !err.contains("unknown field `__probe`") {
        return None;
    }
    let after = err.split("unknown field `__probe`").nth(1)?;
    let list = after.split_once("expected").map_or("", |(_, l)| l);
    let list = list.lines().next().unwrap_or("");
    Some(list.split('`').skip(1).step_by(2).map(str::to_string).collect())
}

/// Every table of the configuration as (dotted path, its keys), found recursively: a key is
/// a table when `[path]` or `[[path]]` with an unknown key in it is rejected as unknown field.
fn config_tables() -> Vec<(String, Vec<String>)> {
    let top = accepted_keys("__probe = 1\n").expect("the top level rejects unknown keys");
    let mut out = vec![(String::new(), top.clone())];
    let mut queue: Vec<String> = top;
    while let Some(path) = queue.pop() {
        for doc in [format!("[{path}]\n__probe = 1\n"), format!("[[{path}]]\n__probe = 1\n")] {
            if let Some(keys) = accepted_keys(&doc) {
                queue.extend(keys.iter().map(|k| format!("{path}.{k}")));
                out.push((path.clone(), keys));
                break;
            }
        }
    }
    out
}

#[test]
fn every_config_key_is_in_the_reference() {
    let reference = read("docs/reference.md");
    let config = section(&reference, "## normbok.toml").expect("reference.md has a `## normbok.toml` section");
    let tables = config_tables();
    // The probe itself must see the well-known tables, or it would pass vacuously.
    let names: BTreeSet<&str> = tables.iter().map(|(p, _)| p.as_str()).collect();
    for t in ["", "versions", "obligations", "target_groups", "links", "output", "markdown", "limits"] {
        assert!(names.contains(t), "the probe did not find table `{t}`: {names:?}");
    }
    let mut missing = Vec::new();
    for (path, keys) in &tables {
        let (heading, text) = if path.is_empty() {
            ("### Top-level keys".to_string(), section(config, "### Top-level keys"))
        } else {
            let found = section(config, &format!("`[{path}]`")).or_else(|| section(config, &format!("`[[{path}]]`")));
            (format!("### `[{path}]` or `[[{path}]]`"), found)
        };
        let Some(text) = text else {
            missing.push(format!("no section {heading} in reference.md"));
            continue;
        };
        for k in keys {
            if !has_row(text, k) {
                missing.push(format!("key `{k}` of {} has no row in its section", if path.is_empty() { "the top level" } else { path }));
            }
        }
    }
    assert!(missing.is_empty(), "docs/reference.md is missing configuration keys:\n  {}", missing.join("\n  "));
}

// ---- records and front matter ------------------------------------------------------------

/// Where each `$defs` entry of `normbok schema` is documented. A new definition fails the
/// test until it gets a section.
fn schema_section(def: &str) -> Option<&'static str> {
    Some(match def {
        "RequirementFile" => "## Requirement files",
        "ChapterRaw" => "### `chapter`",
        "RequirementRaw" => "### `requirements[]`",
        "ReferenceFile" | "ReferenceRaw" => "## Reference files",
        "FrontMatter" => "## Guide pages",
        _ => return None,
    })
}

#[test]
fn every_schema_field_is_in_the_reference() {
    let o = normbok(&repo(), &["schema"]);
    assert_eq!(code(&o), 0);
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).expect("schema is JSON");
    let reference = read("docs/reference.md");
    let defs = schema["$defs"].as_object().expect("$defs");
    let mut missing = Vec::new();
    let mut fields = 0;
    for (def, body) in defs {
        let Some(props) = body["properties"].as_object() else { continue };
        let Some(heading) = schema_section(def) else {
            missing.push(format!("$defs/{def} has no section (add one to reference.md and to schema_section())"));
            continue;
        };
        let text = section(&reference, heading).unwrap_or_else(|| panic!("reference.md has no section {heading}"));
        for name in props.keys() {
            fields += 1;
            // File-level keys (`chapter:`, `requirements:`) are documented as the headings and
            // in the example; record fields as table rows.
            let ok = has_row(text, name) || (def.ends_with("File") && (text.contains(&format!("`{name}`")) || text.contains(&format!("\n{name}:"))));
            if !ok {
                missing.push(format!("field `{name}` of $defs/{def} is not documented under {heading}"));
            }
        }
    }
    assert!(fields >= 20, "suspiciously few schema fields ({fields}): is the schema still read right?");
    assert!(missing.is_empty(), "docs/reference.md is missing schema fields:\n  {}", missing.join("\n  "));
}

// ---- the command line --------------------------------------------------------------------

#[test]
fn every_command_and_option_is_in_the_cli_page() {
    use clap::CommandFactory as _;
    let cli = read("docs/cli.md");
    let mut missing = Vec::new();
    fn walk(cmd: &clap::Command, path: &str, cli: &str, missing: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long()
                && !matches!(long, "help" | "version")
                && !cli.contains(&format!("`--{long}"))
            {
                missing.push(format!("`{path} --{long}`"));
            }
        }
        for sub in cmd.get_subcommands() {
            let p = format!("{path} {}", sub.get_name());
            if sub.get_name() != "help" && !cli.contains(&format!("## {p}")) && !cli.contains(&format!("`{p}")) {
                missing.push(format!("`{p}`"));
            }
            walk(sub, &p, cli, missing);
        }
    }
    walk(&normbok::cli::Cli::command(), "normbok", &cli, &mut missing);
    assert!(missing.is_empty(), "docs/cli.md does not document:\n  {}", missing.join("\n  "));
}

// ---- diagnostic codes ---------------------------------------------------------------------

/// Every diagnostic code in the source: `"E-…"`/`"W-…"` string literals and `[E-…]` in
/// message text, outside `#[cfg(test)]` modules.
fn codes_in_source(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            codes_in_source(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source");
        let text = text.split("#[cfg(test)]").next().unwrap_or("");
        let bytes = text.as_bytes();
        for i in 1..bytes.len().saturating_sub(2) {
            if matches!(bytes[i - 1], b'"' | b'[') && matches!(bytes[i], b'E' | b'W') && bytes[i + 1] == b'-' {
                let end = text[i + 2..].find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')).map_or(text.len(), |n| i + 2 + n);
                let code = text[i..end].trim_end_matches('-');
                if code.len() > 2 && matches!(bytes[end.min(bytes.len() - 1)], b'"' | b']') {
                    out.insert(code.to_string());
                }
            }
        }
    }
}

#[test]
fn every_diagnostic_code_is_documented_and_every_documented_code_exists() {
    let mut used = BTreeSet::new();
    codes_in_source(&repo().join("src"), &mut used);
    for sure in ["E-TARGET-GROUP", "E-CONFIG", "W-RAW-HTML", "E-NO-LINKCHECK"] {
        assert!(used.contains(sure), "the scan missed {sure}: {used:?}");
    }
    let docs = read("docs/diagnostics.md");
    let missing: Vec<&String> = used.iter().filter(|c| !has_row(&docs, c)).collect();
    assert!(missing.is_empty(), "docs/diagnostics.md has no row for: {missing:?}");

    let mut documented = BTreeSet::new();
    for line in docs.lines() {
        if let Some(rest) = line.strip_prefix("| `")
            && let Some((code, _)) = rest.split_once('`')
            && (code.starts_with("E-") || code.starts_with("W-"))
        {
            documented.insert(code.to_string());
        }
    }
    let stale: Vec<&String> = documented.difference(&used).collect();
    assert!(stale.is_empty(), "docs/diagnostics.md documents codes the source never uses: {stale:?}");
}

// ---- the README names nothing outside the repository ------------------------------------

/// Markdown without code blocks and code spans: links shown as examples (`[x](req:ID)`)
/// are not links.
fn prose(md: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in md.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            out.extend(line.split('`').step_by(2));
            out.push('\n');
        }
    }
    out
}

#[test]
fn readme_and_docs_link_only_inside_the_repository() {
    let mut files = vec!["README.md".to_string()];
    for e in std::fs::read_dir(repo().join("docs")).expect("docs/") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            files.push(format!("docs/{name}"));
        }
    }
    let mut bad = Vec::new();
    for f in &files {
        let text = prose(&read(f));
        let base = repo().join(f);
        let dir = base.parent().expect("parent");
        // Markdown links `](target)`: relative ones must exist in the repository.
        for part in text.split("](").skip(1) {
            let target = part.split(')').next().unwrap_or("");
            if target.contains("://") || target.starts_with("mailto:") || target.starts_with('#') || target.is_empty() {
                continue;
            }
            let file = target.split('#').next().unwrap_or("");
            let resolved = dir.join(file);
            let inside = resolved.canonicalize().ok().is_some_and(|p| p.starts_with(repo().canonicalize().expect("repo")));
            if !inside {
                bad.push(format!("{f}: `{target}` is not a file of the repository"));
            }
        }
        if text.contains("../shared") {
            bad.push(format!("{f}: names ../shared, which a clone does not have"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
