//! Data-driven fixtures: every folder under `tests/fixtures/bad/` is one bad input (site +
//! `case.toml` with the expected codes, locations and exit status); every folder under
//! `tests/fixtures/ok/` a site that must build, twice, byte-identically. Adding a case needs
//! no Rust code.

use std::path::Path;

use crate::support::{self, args_for, code, materialize, normbok, read_case, stderr, tree};

/// Codes that legitimately have no file location (they concern the command line or process).
const GLOBAL_CODES: [&str; 6] = ["E-OUTPUT-PATH", "E-LOCKED", "E-STRICT", "E-OUTPUT", "E-INIT", "E-IO"];
/// Diagnostics about a file that does not exist, which therefore has no line to point at.
const MISSING_FILE: [&str; 1] = ["error[E-CONFIG]: no normbok.toml in "];

/// Splits stderr into diagnostics: a first line plus its `help:` lines.
fn diagnostics(stderr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("  help:") {
            if let Some(last) = out.last_mut() {
                last.push('\n');
                last.push_str(line);
            }
        } else if line.contains("error[") || line.contains("warning[") {
            out.push(line.to_string());
        }
    }
    out
}

/// INV-3: every error names `path:line:col` and a stable code.
fn located(first_line: &str) -> bool {
    let Some((head, _)) = first_line.split_once(": error[").or_else(|| first_line.split_once(": warning[")) else {
        return GLOBAL_CODES.iter().any(|c| first_line.starts_with(&format!("error[{c}]"))) || MISSING_FILE.iter().any(|p| first_line.starts_with(p));
    };
    let mut parts = head.rsplitn(3, ':');
    let col = parts.next().unwrap_or("");
    let line = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("");
    !path.is_empty() && line.parse::<u32>().is_ok_and(|n| n > 0) && col.parse::<u32>().is_ok_and(|n| n > 0)
}

fn check_expectations(case: &support::Case, err: &str, problems: &mut Vec<String>) {
    let diags = diagnostics(err);
    for e in &case.expect {
        let found = diags.iter().any(|d| {
            let first = d.lines().next().unwrap_or("");
            let code_ok = first.contains(&format!("[{}]", e.code));
            let at_ok = match &e.at {
                None => true,
                Some(at) if at.matches(':').count() >= 2 => first.starts_with(&format!("{at}: ")),
                Some(at) => first.starts_with(&format!("{at}:")),
            };
            code_ok && at_ok && e.contains.iter().all(|c| d.contains(c.as_str()))
        });
        if !found {
            problems.push(format!("expected {} at {} containing {:?}", e.code, e.at.as_deref().unwrap_or("anywhere"), e.contains));
        }
    }
    if let Some(n) = case.errors {
        let got = diags.iter().filter(|d| d.contains("error[")).count();
        if got != n {
            problems.push(format!("{got} errors (expected exactly {n})"));
        }
    }
    for d in &diags {
        let first = d.lines().next().unwrap_or("");
        if first.contains("error[") && !located(first) {
            problems.push(format!("error without path:line:col: {first}"));
        }
    }
    if err.contains('\u{1b}') {
        problems.push("raw ESC on stderr (content must be escaped in diagnostics)".into());
    }
    if err.contains("panicked at") {
        problems.push("normbok panicked".into());
    }
}

fn run_bad(fixture: &Path) -> Vec<String> {
    let case = read_case(fixture);
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    std::fs::create_dir_all(&site).expect("mkdir");
    materialize(fixture, &case, &site);
    // A previous output that must survive the failed build byte for byte (INV-2).
    let out = tmp.path().join("public");
    std::fs::create_dir_all(out.join("sub")).expect("mkdir");
    std::fs::write(out.join("index.html"), "previous site").expect("write");
    std::fs::write(out.join("sub/page.html"), "previous page").expect("write");
    // Marked as normbok's own, so `build` may replace it (SPEC §10).
    std::fs::write(out.join(".normbok-output"), "marker").expect("write");
    let before = tree(&out);
    let guarded: Vec<_> = case.unchanged.iter().map(|p| (p, tree(&tmp.path().join(p)))).collect();
    for (p, t) in &guarded {
        assert!(!t.is_empty(), "{}: unchanged path {p} holds no file", fixture.display());
    }

    let args = args_for(&case, &site, &out);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = std::time::Instant::now();
    let o = normbok(tmp.path(), &args);
    let elapsed = started.elapsed();
    let err = stderr(&o);
    let mut problems = Vec::new();
    if code(&o) != case.exit {
        problems.push(format!("exit {} (expected {})", code(&o), case.exit));
    }
    if case.exit == 0 {
        problems.push("bad fixtures must fail".into());
    }
    check_expectations(&case, &err, &mut problems);
    if tree(&out) != before {
        problems.push("previous output changed".into());
    }
    for (p, t) in &guarded {
        if tree(&tmp.path().join(p)) != *t {
            problems.push(format!("{p} changed"));
        }
    }
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains("staging") || n.contains(".old-") || n.contains(".tmp-"))
                .collect()
        })
        .unwrap_or_default();
    if !leftovers.is_empty() {
        problems.push(format!("left behind: {leftovers:?}"));
    }
    // Bad input must be rejected quickly (alias bombs, deep nesting, huge files): a generous
    // bound that only a hang or quadratic blow-up would exceed.
    if elapsed.as_secs() > 20 {
        problems.push(format!("took {elapsed:?}"));
    }
    if !problems.is_empty() {
        problems.insert(0, format!("{} ({})\n--- stderr ---\n{err}---", fixture.display(), case.description));
    }
    problems
}

fn build_tree(fixture_or_base: &Path, case: &support::Case) -> (i32, String, std::collections::BTreeMap<String, Vec<u8>>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    std::fs::create_dir_all(&site).expect("mkdir");
    materialize(fixture_or_base, case, &site);
    let out = tmp.path().join("public");
    let args = args_for(case, &site, &out);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = normbok(tmp.path(), &args);
    (code(&o), stderr(&o), tree(&out))
}

fn run_ok(fixture: &Path) -> Vec<String> {
    let case = read_case(fixture);
    let mut problems = Vec::new();
    let (c1, err, t1) = build_tree(fixture, &case);
    let (c2, _, t2) = build_tree(fixture, &case);
    if c1 != case.exit || c2 != case.exit {
        problems.push(format!("exit {c1}/{c2} (expected {})", case.exit));
    }
    check_expectations(&case, &err, &mut problems);
    if err.contains("error[") {
        problems.push("ok fixture reported errors".into());
    }
    if t1 != t2 {
        let diff: Vec<&String> = t1.keys().filter(|k| t1.get(*k) != t2.get(*k)).take(5).collect();
        problems.push(format!("two builds differ (INV-4): {diff:?}"));
    }
    let o = &case.output;
    for f in &o.exists {
        if !t1.contains_key(f) {
            problems.push(format!("missing output file {f}"));
        }
    }
    let text = |f: &str| t1.get(f).map(|b| String::from_utf8_lossy(b).into_owned());
    for (f, needle) in &o.contains {
        match text(f) {
            Some(t) if t.contains(needle.as_str()) => {}
            Some(_) => problems.push(format!("{f} does not contain {needle:?}")),
            None => problems.push(format!("missing output file {f}")),
        }
    }
    for (f, needle) in &o.not_contains {
        if text(f).is_some_and(|t| t.contains(needle.as_str())) {
            problems.push(format!("{f} contains {needle:?}"));
        }
    }
    for needle in &o.nowhere_html {
        for (f, b) in t1.iter().filter(|(f, _)| f.ends_with(".html") || f.ends_with(".js")) {
            if String::from_utf8_lossy(b).contains(needle.as_str()) {
                problems.push(format!("{f} contains {needle:?}"));
            }
        }
    }
    if let Some(other) = &o.same_as {
        let path = support::repo().join("tests/fixtures").join(other);
        let other_case = if path.join("case.toml").exists() { read_case(&path) } else { support::Case::default() };
        let (_, _, t3) = build_tree(&path, &other_case);
        if t1 != t3 {
            let diff: Vec<&String> = t1.keys().chain(t3.keys()).filter(|k| t1.get(*k) != t3.get(*k)).take(5).collect();
            problems.push(format!("output differs from {other}: {diff:?}"));
        }
    }
    if !problems.is_empty() {
        problems.insert(0, format!("{} ({})\n--- stderr ---\n{err}---", fixture.display(), case.description));
    }
    problems
}

#[test]
fn bad_inputs_fail_with_located_codes_and_leave_output_intact() {
    let all = support::fixtures("bad");
    assert!(all.len() >= 40, "only {} bad fixtures", all.len());
    let problems: Vec<String> = all.iter().flat_map(|f| run_bad(f)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn ok_sites_build_deterministically() {
    let all = support::fixtures("ok");
    assert!(!all.is_empty());
    let problems: Vec<String> = all.iter().flat_map(|f| run_ok(f)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
