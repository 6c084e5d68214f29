//! Stage 1 (load): the one YAML adapter. Everything YAML-specific lives here.
//!
//! serde-saphyr deserializes into typed structs (so `no`, `NO`, `1.10` and `0012` stay the
//! strings they were written as) and reports line/column. A streaming pre-pass over the
//! parser's events rejects anchors, aliases, tags and deep nesting with exact locations
//! before any typed work happens, so an alias bomb or 100k brackets cost microseconds.

use serde::de::DeserializeOwned;
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

use crate::diag::{Diagnostic, Loc, suggestion};

/// Maximum nesting of sequences and mappings in a record file.
pub const MAX_DEPTH: usize = 32;

/// Parses `text` (found at file line `line_offset + 1`) as `T`. On failure returns the one
/// diagnostic that explains it, located in absolute file coordinates.
pub fn parse<T: DeserializeOwned>(rel: &str, text: &str, line_offset: u32) -> Result<T, Diagnostic> {
    let loc = |line: u64, col: u64| {
        Loc::new(rel, u32::try_from(line).unwrap_or(u32::MAX).saturating_add(line_offset), u32::try_from(col).unwrap_or(u32::MAX))
    };
    if text.trim().is_empty() || text.trim() == "---" {
        return Err(Diagnostic::error("E-EMPTY", loc(1, 1), "file has no content")
            .help("a requirement file needs `chapter:` and `requirements:`; a page needs at least `title:`"));
    }
    prepass(text, &loc)?;

    let mut opts = serde_saphyr::Options::default();
    opts.strict_booleans = true;
    opts.with_snippet = false;
    opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_aliases = 0;
    budget.max_anchors = 0;
    budget.max_depth = MAX_DEPTH;
    opts.budget = Some(budget);

    serde_saphyr::from_str_with_options::<T>(text, opts)
        .map_err(|e| convert(rel, text, line_offset, e.without_snippet(), &loc, std::any::type_name::<T>()))
}

/// The required fields of the record a missing field belongs to, for the help line. `ty` is
/// the Rust type being parsed (only used to tell the file kinds apart); `in_item` says
/// whether the field is missing from a list item (a record) rather than a mapping.
fn required_fields(ty: &str, field: &str, in_item: bool) -> Option<&'static str> {
    let requirement = "id, title, obligation, target_groups, statement";
    if ty.contains("FrontMatter") {
        Some("title")
    } else if ty.contains("Reference") {
        Some(if in_item { "id, kind, title" } else { "references" })
    } else if ty.contains("Requirement") || ty.contains("Chapter") {
        Some(match field {
            "chapter" | "requirements" => "chapter, requirements",
            _ if ty.contains("ChapterRaw") || ty.contains("ChapterPart") || !in_item => "id, title (in chapter:)",
            _ => requirement,
        })
    } else {
        None
    }
}

/// serde's type expectations in words a content editor uses (never Rust types such as
/// `Option<String>` or `i64`). What was found (`integer \`-1\``) is kept.
pub fn plain_type_message(msg: &str) -> String {
    let (head, expected) = match msg.split_once(", expected ") {
        Some((h, e)) => (Some(h), e),
        None => (None, msg.strip_prefix("expected ").unwrap_or(msg)),
    };
    let e = expected.to_ascii_lowercase();
    let what = if e.contains('`') {
        // A list of allowed values (`draft`, `in-force`, …): already in the user's words.
        None
    } else if e.contains("null") && (e.contains("string") || e.contains("str")) {
        Some("expected a text, found nothing (the value is empty)")
    } else if ["u64", "u32", "u16", "u8", "usize"].iter().any(|t| e.contains(t)) {
        Some("expected a whole number (0 or more)")
    } else if ["i64", "i32", "integer"].iter().any(|t| e.contains(t)) {
        Some("expected a whole number")
    } else if e.contains("f64") || e.contains("float") {
        Some("expected a number")
    } else if e.contains("bool") {
        Some("expected true or false")
    } else if e.contains("date") {
        Some("expected a date (YYYY-MM-DD)")
    } else if e.contains("sequence") || e.contains("seq") || e.contains("vec") {
        Some("expected a list (`[a, b]` or lines starting with `- `)")
    } else if e.contains("mapping") || e.contains("map") || e.contains("struct") {
        Some("expected fields (`key: value` lines)")
    } else if e.contains("string") || e.contains("str") || e.contains("scalar") {
        Some("expected a text")
    } else {
        None
    };
    match (head, what) {
        (Some(h), Some(w)) => format!("{h}, {w}"),
        (None, Some(w)) => format!("wrong type: {w}"),
        (_, None) if msg.starts_with("expected") || head.is_some() => msg.to_string(),
        _ => format!("wrong type: {msg}"),
    }
}

/// Whether a parse failure concerns the file's YAML as such (syntax, aliases, tags, depth,
/// duplicate keys, emptiness) rather than one record's fields. Only the latter can be
/// recovered from record by record.
pub fn is_syntax_error(d: &Diagnostic) -> bool {
    matches!(d.code, "E-YAML" | "E-YAML-ALIAS" | "E-YAML-TAG" | "E-YAML-DEPTH" | "E-EMPTY" | "E-UTF8")
}

/// One item of a block sequence, cut out of the file with its lines intact.
#[derive(Debug, Clone)]
pub struct ItemText {
    /// The item's lines (`  - id: …` and what belongs to it), a YAML document of its own: a
    /// one-element sequence with the same columns as in the file.
    pub text: String,
    /// Number of file lines before `text` (add to its line numbers).
    pub line_offset: u32,
}

/// The items of the top-level block sequence `key:` in `text`, one text per item, so that a
/// record with a wrong field can be reported while its neighbours are still parsed (one
/// unknown key must not hide every other error of the file). `None` when the list is not
/// written as a block sequence directly under a top-level `key:` (then there is no
/// per-record recovery, and the file's first error stands).
pub fn block_items(text: &str, key: &str) -> Option<Vec<ItemText>> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let head = format!("{key}:");
    let start = lines.iter().position(|l| {
        let t = l.trim_end();
        t == head || t.strip_prefix(&head).is_some_and(|r| r.trim_start().starts_with('#'))
    })?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let skip = |l: &str| l.trim().is_empty() || l.trim_start().starts_with('#');
    let first = (start + 1..lines.len()).find(|&i| !skip(lines[i]))?;
    let dash = indent(lines[first]);
    let is_item = |l: &str| indent(l) == dash && (l.trim_start().starts_with("- ") || l.trim() == "-");
    if !is_item(lines[first]) {
        return None;
    }
    let mut items: Vec<ItemText> = Vec::new();
    let mut i = first;
    while i < lines.len() {
        let l = lines[i];
        if skip(l) {
            if let Some(last) = items.last_mut() {
                last.text.push_str(l);
            }
        } else if is_item(l) {
            items.push(ItemText { text: l.to_string(), line_offset: crate::diag::to_u32(i) });
        } else if indent(l) <= dash {
            // Back at the level of `key:` (the next top-level key) or a sibling that is not
            // an item: the sequence ended.
            break;
        } else if let Some(last) = items.last_mut() {
            last.text.push_str(l);
        }
        i += 1;
    }
    Some(items)
}

fn prepass(text: &str, loc: &dyn Fn(u64, u64) -> Loc) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut pending_anchor: Option<Loc> = None;
    // Per open collection: is it a mapping, and is its next node a key? (for `<<` merge keys)
    let mut open: Vec<(bool, bool)> = Vec::new();
    let mut popts = serde_saphyr::granit_parser::Options::default();
    popts.emit_anchor_events = true;
    for ev in Parser::new_from_str_with_options(text, popts) {
        let (ev, span) = match ev {
            Ok(x) => x,
            Err(e) => {
                let m = e.marker();
                let at = loc(m.line() as u64, m.col() as u64 + 1);
                if e.info().contains("recursion limit") {
                    return Err(Diagnostic::error("E-YAML-DEPTH", at, format!("nesting deeper than {MAX_DEPTH} levels"))
                        .help("records are at most a few levels deep; check for unbalanced brackets"));
                }
                return Err(Diagnostic::error("E-YAML", at, format!("invalid YAML: {}", e.info())));
            }
        };
        let at = loc(span.start.line() as u64, span.start.col() as u64 + 1);
        if let Some(node) = pending_anchor.take() {
            return Err(alias_diag(if matches!(ev, Event::Anchor(..)) { at } else { node }));
        }
        let is_node = matches!(ev, Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..));
        let is_key = is_node && open.last().is_some_and(|(mapping, key)| *mapping && *key);
        if is_node && let Some((true, key)) = open.last_mut() {
            *key = !*key;
        }
        if is_key
            && let Event::Scalar(v, ScalarStyle::Plain, ..) = &ev
            && v == "<<"
        {
            // A merge key copies another mapping in, like an alias: the record would not say
            // what it means where it is written.
            return Err(Diagnostic::error("E-YAML-ALIAS", at, "merge keys (`<<`) are not allowed in records")
                .help("write the fields out in full; merge keys, anchors (`&x`) and aliases (`*x`) hide what a record says"));
        }
        match &ev {
            Event::SequenceStart(..) => open.push((false, false)),
            Event::MappingStart(..) => open.push((true, true)),
            Event::SequenceEnd | Event::MappingEnd => {
                open.pop();
            }
            _ => {}
        }
        let (anchor, tagged, opens) = match &ev {
            Event::Alias(_) | Event::UnresolvedAlias(_) | Event::Anchor(..) => {
                return Err(alias_diag(at));
            }
            Event::Scalar(_, _, anchor, tag) => (*anchor, tag.is_some(), false),
            Event::SequenceStart(_, anchor, tag) | Event::MappingStart(_, anchor, tag) => (*anchor, tag.is_some(), true),
            Event::SequenceEnd | Event::MappingEnd => {
                depth = depth.saturating_sub(1);
                (0, false, false)
            }
            _ => (0, false, false),
        };
        if anchor != 0 {
            // The next event is the `&name` token itself (emit_anchor_events); point there.
            pending_anchor = Some(at);
            continue;
        }
        if tagged {
            let at = span.tag_start.map_or(at, |m| loc(m.line() as u64, m.col() as u64 + 1));
            return Err(Diagnostic::error("E-YAML-TAG", at, "YAML tags (`!…`) are not allowed in records")
                .help("remove the tag; quote the value if it should be a string"));
        }
        if opens {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(Diagnostic::error("E-YAML-DEPTH", at, format!("nesting deeper than {MAX_DEPTH} levels"))
                    .help("records are at most a few levels deep; check for unbalanced brackets"));
            }
        }
    }
    Ok(())
}

fn alias_diag(at: Loc) -> Diagnostic {
    Diagnostic::error("E-YAML-ALIAS", at, "anchors/aliases are not allowed in records")
        .help("write the value out in full; anchors (`&x`) and aliases (`*x`) hide what a record says")
}

fn strip_location(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn convert(rel: &str, text: &str, line_offset: u32, e: &serde_saphyr::Error, loc: &dyn Fn(u64, u64) -> Loc, ty: &str) -> Diagnostic {
    use serde_saphyr::Error as E;
    let at = e.location().map_or_else(|| loc(1, 1), |l| loc(l.line(), l.column()));
    match e {
        E::SerdeUnknownField { field, expected, .. } => {
            let mut d =
                Diagnostic::error("E-UNKNOWN-FIELD", at, format!("unknown field `{field}`")).help_opt(suggestion(field, expected.iter().copied()));
            if !expected.is_empty() {
                d = d.help(format!("valid fields: {}", expected.join(", ")));
            }
            d
        }
        E::SerdeMissingField { field, .. } => {
            // serde notices a missing field at the end of the record; point at its start.
            let line = record_start(text, at.line.saturating_sub(line_offset), at.col).saturating_add(line_offset);
            // Column of the record's first key, after the `- ` marker.
            let start = text.lines().nth(line.saturating_sub(line_offset + 1) as usize).unwrap_or("");
            let in_item = start.trim_start().starts_with("- ");
            let indent = start.len() - start.trim_start().len();
            let col = if in_item { indent + 3 } else { indent + 1 };
            Diagnostic::error("E-MISSING-FIELD", Loc::new(rel, line, crate::diag::to_u32(col)), format!("missing required field `{field}`"))
                .help_opt(required_fields(ty, field, in_item).map(|f| format!("required fields: {f}")))
        }
        E::DuplicateMappingKey { key, .. } => {
            let key = key.clone().unwrap_or_default();
            let first = first_key_line(text, &key, at.line.saturating_sub(line_offset), at.col).map(|l| l + line_offset);
            Diagnostic::error("E-DUP-KEY", at, format!("duplicate key `{key}`"))
                .help_opt(first.map(|l| format!("first given at {rel}:{l}; a key may appear once per mapping")))
        }
        E::SerdeUnknownVariant { .. } | E::SerdeInvalidValue { .. } => {
            let msg = strip_location(&e.to_string());
            let words: Vec<&str> = msg.split('`').skip(1).step_by(2).collect();
            let d = Diagnostic::error("E-VALUE", at, msg.clone());
            match words.split_first() {
                Some((wrong, rest)) if !rest.is_empty() => d.help_opt(suggestion(wrong, rest.iter().copied())),
                _ => d,
            }
        }
        E::Budget { breach, .. } => {
            let s = format!("{breach:?}");
            if s.starts_with("Depth") {
                Diagnostic::error("E-YAML-DEPTH", at, format!("nesting deeper than {MAX_DEPTH} levels"))
            } else if s.starts_with("Alias") || s.starts_with("Anchor") {
                alias_diag(at)
            } else {
                Diagnostic::error("E-YAML", at, format!("YAML too large or complex: {s}"))
            }
        }
        E::SerdeInvalidType { .. }
        | E::InvalidBooleanStrict { .. }
        | E::NullIntoString { .. }
        | E::InvalidScalar { .. }
        | E::Unexpected { .. }
        | E::SerdeInvalidLength { .. } => Diagnostic::error("E-TYPE", at, plain_type_message(&strip_location(&e.to_string())))
            .help("check the field's type in `normbok schema`; quote values that should be text"),
        E::Eof { .. } => Diagnostic::error("E-YAML", at, "unexpected end of file"),
        _ => {
            let msg = strip_location(&e.to_string());
            if msg.contains("expected") && !msg.contains("found") {
                Diagnostic::error("E-TYPE", at, plain_type_message(&msg))
            } else {
                Diagnostic::error("E-YAML", at, msg)
            }
        }
    }
}

/// Line (1-based, in `text`) of the start of the block-sequence item that contains `line`:
/// the nearest line at or above it whose `-` marker is left of `col`.
fn record_start(text: &str, line: u32, col: u32) -> u32 {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = (line as usize).min(lines.len());
    while i >= 1 {
        let l = lines[i - 1];
        let indent = l.len() - l.trim_start().len();
        if l.trim_start().starts_with("- ") && (indent as u32) < col {
            return crate::diag::to_u32(i);
        }
        if !l.trim().is_empty() && (indent as u32 + 1) < col.saturating_sub(2) && !l.trim_start().starts_with('#') {
            // Left the enclosing mapping without finding a list item.
            break;
        }
        i -= 1;
    }
    line
}

/// Line of the first occurrence of `key:` at the same column, above `line`.
fn first_key_line(text: &str, key: &str, line: u32, col: u32) -> Option<u32> {
    let lines: Vec<&str> = text.lines().collect();
    let col = col as usize;
    (1..line as usize)
        .rev()
        .find(|&i| {
            let l = lines.get(i - 1).copied().unwrap_or("");
            let rest: String = l.chars().skip(col - 1).collect();
            let prefix: String = l.chars().take(col - 1).collect();
            (prefix.trim().is_empty() || prefix.trim_end().ends_with('-'))
                && (rest.starts_with(&format!("{key}:")) || rest.starts_with(&format!("\"{key}\":")))
        })
        .map(crate::diag::to_u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: String,
        title: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct File {
        items: Vec<Item>,
    }

    fn err(text: &str) -> String {
        parse::<File>("f.yaml", text, 0).err().map(|d| d.to_string()).unwrap_or_default()
    }

    #[test]
    fn missing_field_points_at_record_start() {
        let e = err("items:\n  - id: a\n    title: A\n  - title: B\n    \n  - id: c\n    title: C\n");
        assert!(e.starts_with("f.yaml:4:5: error[E-MISSING-FIELD]"), "{e}");
    }

    #[test]
    fn duplicate_key_names_both_lines() {
        let e = err("items:\n  - id: a\n    title: A\n    title: B\n");
        assert!(e.starts_with("f.yaml:4:5: error[E-DUP-KEY]"), "{e}");
        assert!(e.contains("first given at f.yaml:3"), "{e}");
    }

    #[test]
    fn aliases_and_depth() {
        assert!(err("items: &a []\n").contains("error[E-YAML-ALIAS]"));
        assert!(err("x: &a 1\nitems: [*a]\n").contains("error[E-YAML-ALIAS]"));
        let deep = format!("items: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let t = std::time::Instant::now();
        let e = err(&deep);
        assert!(e.contains("error[E-YAML"), "{e}");
        assert!(t.elapsed().as_secs() < 5);
    }

    #[test]
    fn type_errors_speak_plainly() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            #[serde(default)]
            n: Option<i64>,
            #[serde(default)]
            s: Option<String>,
            #[serde(default)]
            t: String,
            #[serde(default)]
            l: Vec<String>,
        }
        let e = |t: &str| parse::<T>("t.yaml", t, 0).err().map(|d| d.message).unwrap_or_default();
        assert_eq!(e("n: abc\n"), "wrong type: expected a whole number");
        assert_eq!(e("s: [x]\n"), "wrong type: expected a text");
        assert_eq!(e("l: x\n"), "wrong type: expected a list (`[a, b]` or lines starting with `- `)");
        assert_eq!(e("t:\n"), "wrong type: expected a text, found nothing (the value is empty)");
        assert_eq!(
            plain_type_message("invalid value: integer `-1`, expected u64"),
            "invalid value: integer `-1`, expected a whole number (0 or more)"
        );
        assert_eq!(
            plain_type_message("invalid type: string \"x\", expected usize"),
            "invalid type: string \"x\", expected a whole number (0 or more)"
        );
        assert_eq!(plain_type_message("unknown variant `x`, expected `a` or `b`"), "unknown variant `x`, expected `a` or `b`");
        for m in [e("n: abc\n"), e("t:\n"), e("s: [x]\n")] {
            assert!(!m.contains("Option<") && !m.contains("i64"), "{m}");
        }
    }

    #[test]
    fn missing_field_lists_required_ones() {
        let f = "chapter:\n  id: a\n  title: A\nrequirements:\n  - id: A-1\n    title: A\n    obligation: skal\n    target_groups: [k]\n  - id: A-2\n    title: B\n    obligation: skal\n    target_groups: [k]\n".to_string();
        let d = parse::<crate::load::records::RequirementFile>("r.yaml", &f, 0).err();
        let s = d.map(|d| d.to_string()).unwrap_or_default();
        assert!(s.starts_with("r.yaml:5:5: error[E-MISSING-FIELD]: missing required field `statement`"), "{s}");
        assert!(s.contains("help: required fields: id, title, obligation, target_groups, statement"), "{s}");
    }

    #[test]
    fn merge_keys_are_refused() {
        let e = err("items:\n  - id: a\n    <<: {title: A}\n");
        assert!(e.starts_with("f.yaml:3:5: error[E-YAML-ALIAS]"), "{e}");
        assert!(e.contains("merge keys"), "{e}");
        // A quoted `<<` key is an ordinary (unknown) key, and `<<` as a value is text.
        assert!(err("items:\n  - id: a\n    \"<<\": x\n").contains("E-UNKNOWN-FIELD"));
        assert!(err("items:\n  - id: '<<'\n    title: <<\n").is_empty());
    }

    #[test]
    fn unknown_field_suggests() {
        let e = err("items:\n  - id: a\n    titel: A\n");
        assert!(e.starts_with("f.yaml:3:5: error[E-UNKNOWN-FIELD]"), "{e}");
        assert!(e.contains("did you mean `title`?"), "{e}");
    }

    #[test]
    fn block_items_cut_records_apart() {
        let t =
            "chapter:\n  id: a\nrequirements:\n  # først\n  - id: A-1\n    title: A\n\n  - id: A-2\n    statement: |\n      x\n\n      y\nother: 1\n";
        let items = block_items(t, "requirements").unwrap_or_default();
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].line_offset, items[0].text.as_str()), (4, "  - id: A-1\n    title: A\n\n"));
        assert_eq!((items[1].line_offset, items[1].text.as_str()), (7, "  - id: A-2\n    statement: |\n      x\n\n      y\n"));
        assert!(block_items("requirements: [{id: a}]\n", "requirements").is_none());
        assert!(block_items("requirements:\n- id: a\n- id: b\n", "requirements").is_some_and(|v| v.len() == 2));
    }

    #[test]
    fn offset_applies() {
        let e = parse::<File>("p.md", "items: [\n", 1).err().map(|d| d.to_string()).unwrap_or_default();
        assert!(e.starts_with("p.md:"), "{e}");
    }
}
