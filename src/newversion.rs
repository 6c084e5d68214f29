//! `normbok version new ID [--from V]`: starts the next version as a draft copy of an
//! existing one. Edits `normbok.toml` textually so every comment and layout choice survives.

use std::path::Path;

use crate::Outcome;
use crate::config::{self, CONFIG_FILE, is_version_id};
use crate::diag::{Diagnostic, Diagnostics, Exit, Loc};

/// A bad command-line argument (the new id, `--from`): exit 2, and no location, because the
/// problem is on the command line, not in a file.
fn usage(code: &'static str, msg: String, help: Option<String>) -> Outcome {
    let mut d = Diagnostics::new();
    d.push(Diagnostic::global(code, msg).help_opt(help));
    Outcome { exit: Exit::Usage, diagnostics: d, summary: None }
}

fn fail(code: &'static str, msg: String, help: Option<String>) -> Outcome {
    let mut d = Diagnostics::new();
    d.push(Diagnostic::error(code, Loc::file(CONFIG_FILE), msg).help_opt(help));
    Outcome { exit: Exit::Invalid, diagnostics: d, summary: None }
}

/// The `[[versions]]` entry for a new draft.
fn entry(id: &str, lang: config::Language) -> String {
    let word = if lang == config::Language::En { "Version" } else { "Versjon" };
    format!("[[versions]]\nid = \"{id}\"\nlabel = \"{word} {id}\"\nstatus = \"draft\"\n\n")
}

/// Inserts `block` before the first `[[versions]]` header (the list is newest first).
fn insert_first(toml_text: &str, block: &str) -> Option<String> {
    let mut offset = 0;
    for line in toml_text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("[[") && t[2..].trim_start().starts_with("versions") && t.contains("]]") {
            let mut out = String::with_capacity(toml_text.len() + block.len());
            out.push_str(&toml_text[..offset]);
            out.push_str(block);
            out.push_str(&toml_text[offset..]);
            return Some(out);
        }
        offset += line.len();
    }
    None
}

/// Runs the command.
pub fn run(root: &Path, id: &str, from: Option<&str>) -> Outcome {
    let (cfg, text) = match crate::load::load_config(root) {
        Ok(x) => x,
        Err(d) => return Outcome { exit: Exit::Invalid, diagnostics: d, summary: None },
    };
    if !is_version_id(id) {
        return usage("E-ID-FORMAT", format!("invalid version id `{id}`"), Some("version ids match [A-Za-z0-9._-]+".into()));
    }
    if cfg.versions.iter().any(|v| v.id.get_ref().eq_ignore_ascii_case(id)) || root.join("content").join(id).exists() {
        return usage("E-VERSION", format!("version `{id}` already exists"), Some("choose a new id".into()));
    }
    let source = match from {
        Some(f) => match cfg.versions.iter().find(|v| v.id.get_ref() == f) {
            Some(v) => v.id.get_ref().clone(),
            None => {
                let known: Vec<&str> = cfg.versions.iter().map(|v| v.id.get_ref().as_str()).collect();
                return usage("E-VERSION", format!("unknown version `{f}`"), Some(format!("declared versions: {}", known.join(", "))));
            }
        },
        None => match cfg.versions.first() {
            Some(v) => v.id.get_ref().clone(),
            None => return fail("E-VERSION", "no version to copy from".into(), None),
        },
    };
    let Some(new_text) = insert_first(&text, &entry(id, cfg.language)) else {
        return fail("E-CONFIG", "no [[versions]] table found".into(), None);
    };
    if let Err(d) = config::parse(&new_text, CONFIG_FILE) {
        return Outcome { exit: Exit::Invalid, diagnostics: d, summary: None };
    }
    let src_dir = root.join("content").join(&source);
    let dst_dir = root.join("content").join(id);
    if let Err(e) = copy_tree(&src_dir, &dst_dir) {
        let _ = std::fs::remove_dir_all(&dst_dir);
        return fail("E-IO", format!("cannot copy content/{source} to content/{id}: {e}"), None);
    }
    // Written last and atomically: a failure above leaves the configuration untouched.
    let tmp = root.join(format!(".{CONFIG_FILE}.tmp"));
    if let Err(e) = std::fs::write(&tmp, &new_text).and_then(|()| std::fs::rename(&tmp, root.join(CONFIG_FILE))) {
        let _ = std::fs::remove_dir_all(&dst_dir);
        let _ = std::fs::remove_file(&tmp);
        return fail("E-IO", format!("cannot update {CONFIG_FILE}: {e}"), None);
    }
    Outcome {
        exit: Exit::Success,
        diagnostics: Diagnostics::new(),
        summary: Some(format!("created draft version {id} from {source} (content/{id}/, added to {CONFIG_FILE})")),
    }
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for e in walkdir::WalkDir::new(from).sort_by_file_name() {
        let e = e.map_err(std::io::Error::other)?;
        let rel = e.path().strip_prefix(from).map_err(std::io::Error::other)?;
        let dst = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dst)?;
        } else if e.file_type().is_file() {
            std::fs::copy(e.path(), &dst)?;
        }
        // Symlinks are not copied: a new version starts from real files.
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_before_first_versions_table() {
        let t = "title = \"x\"\n# versions, newest first\n[[versions]] # top\nid = \"2\"\n";
        let out = insert_first(t, "[[versions]]\nid = \"3\"\n\n").unwrap_or_default();
        assert_eq!(out, "title = \"x\"\n# versions, newest first\n[[versions]]\nid = \"3\"\n\n[[versions]] # top\nid = \"2\"\n");
    }
}
