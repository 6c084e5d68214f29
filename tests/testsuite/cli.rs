//! CLI conventions (issue 13): completions, `--base-url`, `--color` and snippets, usage
//! errors, honest locations, singular/plural, `init` and the site-aware schema.

use std::path::Path;

use normbok::diag::{Diagnostic, Loc, Style};

use crate::support::{code, normbok, stderr};

/// A fresh `normbok init` site in `tmp/site`.
fn site(tmp: &Path) -> std::path::PathBuf {
    let o = normbok(tmp, &["init", "site"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    tmp.join("site")
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn completions_for_every_shell() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (shell, marker) in
        [("bash", "complete -F"), ("zsh", "#compdef normbok"), ("fish", "complete -c normbok"), ("powershell", "Register-ArgumentCompleter")]
    {
        let o = normbok(tmp.path(), &["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", stderr(&o));
        let s = stdout(&o);
        assert!(s.contains(marker), "{shell} script lacks `{marker}`");
        for word in ["build", "serve", "base-url", "color"] {
            assert!(s.contains(word), "{shell} completion lacks `{word}`");
        }
    }
    let o = normbok(tmp.path(), &["completions", "tcsh"]);
    assert_eq!(code(&o), 2, "an unknown shell is a usage error");
}

#[test]
fn base_url_overrides_the_configuration() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = site(tmp.path());
    let o = normbok(&root, &["build", "--base-url", "https://example.org/sub/"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let sitemap = std::fs::read_to_string(root.join("public/sitemap.xml")).expect("sitemap.xml is written with --base-url");
    assert!(sitemap.contains("<loc>https://example.org/sub/1.0/index.html</loc>"), "{sitemap}");
    let page = std::fs::read_to_string(root.join("public/1.0/index.html")).expect("page");
    assert!(page.contains("href=\"https://example.org/sub/1.0/index.html\""), "canonical link from --base-url");
    // The configuration has base_url = "": without the flag there is no sitemap.
    let o = normbok(&root, &["build"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!root.join("public/sitemap.xml").exists());

    let o = normbok(&root, &["build", "--base-url", "ftp://example.org/"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).starts_with("error[E-URL-SCHEME]: --base-url `ftp://example.org/`"), "{}", stderr(&o));
}

#[test]
fn usage_errors_of_version_new_exit_2_and_change_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = site(tmp.path());
    let before = std::fs::read(root.join("normbok.toml")).expect("toml");
    for (args, code_) in [
        (&["version", "new", "1.0"][..], "E-VERSION"),
        (&["version", "new", "1.0 beta"][..], "E-ID-FORMAT"),
        (&["version", "new", "2.0", "--from", "9.9"][..], "E-VERSION"),
    ] {
        let o = normbok(&root, args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        let first = stderr(&o).lines().next().unwrap_or("").to_string();
        assert!(first.starts_with(&format!("error[{code_}]: ")), "{args:?}: no fake location: {first}");
    }
    assert_eq!(std::fs::read(root.join("normbok.toml")).expect("toml"), before);
    assert!(!root.join("content/2.0").exists());
    let o = normbok(&root, &["version", "new", "2.0"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn a_missing_configuration_has_no_fake_location_and_suggests_init() {
    let tmp = tempfile::tempdir().expect("tmp");
    for cmd in ["build", "check"] {
        let o = normbok(tmp.path(), &[cmd]);
        assert_eq!(code(&o), 1);
        let e = stderr(&o);
        assert!(e.starts_with("error[E-CONFIG]: no normbok.toml in "), "{e}");
        assert!(!e.contains("normbok.toml:1:1"), "{e}");
        assert!(e.contains("normbok init"), "{e}");
    }
}

#[test]
fn summaries_use_singular_and_plural() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = site(tmp.path());
    let o = normbok(&root, &["check"]);
    assert_eq!(stderr(&o).trim(), "ok: 1 version, 1 requirement");
    let o = normbok(&root, &["build"]);
    assert!(stderr(&o).contains(" (1 version, 1 requirement) into public in "), "{}", stderr(&o));
    let o = normbok(&root, &["version", "new", "2.0"]);
    assert_eq!(code(&o), 0);
    let o = normbok(&root, &["check"]);
    assert_eq!(stderr(&o).trim(), "ok: 2 versions, 2 requirements");
}

#[test]
fn init_writes_gitignore_schema_and_schema_comments() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = site(tmp.path());
    assert_eq!(std::fs::read_to_string(root.join(".gitignore")).expect(".gitignore"), "/public/\n/.normbok/\n");
    for f in ["content/1.0/requirements/eksempel.yaml", "content/1.0/references/referanser.yaml"] {
        let text = std::fs::read_to_string(root.join(f)).expect("yaml");
        assert!(text.starts_with("# yaml-language-server: $schema=../../../normbok-schema.json\n"), "{f}");
    }
    // The written schema is the site-aware one, byte for byte what `schema --root` prints.
    let o = normbok(tmp.path(), &["schema", "--root", "site"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(std::fs::read(root.join("normbok-schema.json")).expect("schema"), o.stdout);
    // A non-empty folder is refused as a usage error, without a location.
    let o = normbok(tmp.path(), &["init", "site"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).starts_with("error[E-INIT]: "), "{}", stderr(&o));
}

#[test]
fn schema_with_root_lists_the_sites_ids() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = site(tmp.path());
    // A second reference, so the enum is visibly collected from the files.
    std::fs::write(root.join("content/1.0/references/mer.yaml"), "references:\n  - id: gdpr\n    kind: law\n    title: GDPR\n").expect("write");
    let o = normbok(tmp.path(), &["schema", "--root", "site"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let req = &v["$defs"]["RequirementRaw"]["properties"];
    assert_eq!(req["obligation"]["enum"], serde_json::json!(["skal", "bor"]));
    assert_eq!(req["target_groups"]["items"]["enum"], serde_json::json!(["virksomhet", "leverandor"]));
    assert_eq!(req["references"]["items"]["enum"], serde_json::json!(["eksempel", "gdpr"]));
    assert_eq!(v["$defs"]["FrontMatter"]["properties"]["target_groups"]["items"]["enum"], serde_json::json!(["virksomhet", "leverandor"]));
    let statuses = serde_json::to_string(&v["$defs"]).expect("defs");
    for s in ["in-force", "upcoming", "withdrawn", "draft"] {
        assert!(statuses.contains(&format!("\"{s}\"")), "requirement status `{s}` in the schema");
    }
    // Without --root the ids are open (any string).
    let o = normbok(tmp.path(), &["schema"]);
    let plain: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(plain["$defs"]["RequirementRaw"]["properties"]["obligation"]["enum"].is_null());
    // A folder that is no site: exit 1 with the usual diagnostic.
    let o = normbok(tmp.path(), &["schema", "--root", "."]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).starts_with("error[E-CONFIG]: no normbok.toml"), "{}", stderr(&o));
}

/// A site with a typo in a target group, for the diagnostics output.
fn broken_site(tmp: &Path) -> std::path::PathBuf {
    let root = site(tmp);
    let f = root.join("content/1.0/requirements/eksempel.yaml");
    let text = std::fs::read_to_string(&f).expect("yaml").replace("[virksomhet, leverandor]", "[virksomhet, leverandør]");
    std::fs::write(&f, text).expect("write");
    root
}

#[test]
fn colour_off_keeps_the_machine_parseable_first_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = broken_site(tmp.path());
    for args in [&["check"][..], &["--color", "never", "check"][..], &["check", "--color", "auto"][..]] {
        let o = normbok(&root, args);
        assert_eq!(code(&o), 1);
        let e = stderr(&o);
        assert!(!e.contains('\u{1b}'), "{args:?}: no escape codes: {e:?}");
        let mut lines = e.lines();
        assert_eq!(lines.next(), Some("content/1.0/requirements/eksempel.yaml:10:33: error[E-TARGET-GROUP]: unknown target group `leverandør`"));
        assert!(lines.next().is_some_and(|l| l.starts_with("  help: ")), "{e}");
    }
    // NO_COLOR wins over auto (stderr is no terminal here either way, so this checks the flag
    // still parses and nothing is coloured).
    let o = assert_cmd::Command::cargo_bin("normbok").expect("bin").current_dir(&root).env("NO_COLOR", "1").arg("check").output().expect("run");
    assert!(!stderr(&o).contains('\u{1b}'));
}

#[test]
fn colour_always_shows_a_coloured_snippet() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = broken_site(tmp.path());
    let o = normbok(&root, &["--color", "always", "check"]);
    assert_eq!(code(&o), 1);
    let e = stderr(&o);
    assert!(e.contains("\u{1b}["), "coloured: {e:?}");
    let plain = strip_ansi(&e);
    assert!(plain.starts_with("content/1.0/requirements/eksempel.yaml:10:33: error[E-TARGET-GROUP]: unknown target group `leverandør`\n"), "{plain}");
    assert!(plain.contains("10 |     target_groups: [virksomhet, leverandør]"), "{plain}");
    assert!(plain.contains("^^^^^^^^^^"), "the span is underlined: {plain}");
    assert!(plain.contains("= help: did you mean `leverandor`?"), "{plain}");
    let o = normbok(&root, &["check", "--color", "rainbow"]);
    assert_eq!(code(&o), 2, "a bad --color value is a usage error");
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn sample() -> Diagnostic {
    Diagnostic::error("E-TARGET-GROUP", Loc::new("content/2025.2/requirements/risiko.yaml", 3, 21), "unknown target group `leverandør`")
        .help("known groups: dataansvarlig, leverandor")
        .help("did you mean `leverandor`?")
}

fn sample_source(path: &str) -> Option<String> {
    (path == "content/2025.2/requirements/risiko.yaml")
        .then(|| "requirements:\n  - id: RISK-01\n    target_groups: [leverandør, kommune]\n".to_string())
}

#[test]
fn plain_rendering_is_the_machine_format() {
    let d = sample();
    let plain = d.render(Style::default(), &sample_source);
    assert_eq!(
        plain,
        "content/2025.2/requirements/risiko.yaml:3:21: error[E-TARGET-GROUP]: unknown target group `leverandør`\n  help: known groups: dataansvarlig, leverandor\n  help: did you mean `leverandor`?"
    );
    assert_eq!(plain, d.to_string(), "the same as Display, used by the JSON-less reports");
    // Snippets without colour: the first line is unchanged.
    let snip = d.render(Style { color: false, snippets: true }, &sample_source);
    assert_eq!(snip.lines().next(), plain.lines().next());
    // An unreadable source: no snippet, plain help lines.
    assert_eq!(d.render(Style { color: false, snippets: true }, &|_| None), plain);
}

#[test]
fn coloured_diagnostic_with_snippet_snapshot() {
    let d = sample();
    let coloured = d.render(Style { color: true, snippets: true }, &sample_source);
    // Escapes written visibly, so the snapshot shows where each colour starts.
    insta::assert_snapshot!(coloured.replace('\u{1b}', "\\e"));
    let w = Diagnostic::warning("W-RAW-HTML", Loc::new("content/2025.2/requirements/risiko.yaml", 2, 9), "raw HTML is shown as text");
    insta::assert_snapshot!("warning_snippet_plain", w.render(Style { color: false, snippets: true }, &sample_source));
}
