//! Output stage (SPEC §10, RELIABILITY R26–R29): atomic swap with injected failures, the
//! lock, stale staging folders, preserved entries, and the zip.

use std::path::Path;

use crate::support::{code, copy_dir, repo, stderr, tree};

fn site(dir: &Path) -> std::path::PathBuf {
    let s = dir.join("site");
    copy_dir(&repo().join("tests/fixtures/base/minimal"), &s);
    s
}

fn build(cwd: &Path, env: &[(&str, &str)]) -> std::process::Output {
    let mut c = assert_cmd::Command::cargo_bin("normbok").expect("bin");
    c.current_dir(cwd).args(["build", "--root", "site", "--out", "public"]);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run")
}

fn no_leftovers(dir: &Path) {
    let left: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public."))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn failures_while_writing_leave_the_previous_site_byte_identical() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = site(tmp.path());
    assert_eq!(code(&build(tmp.path(), &[])), 0);
    let before = tree(&tmp.path().join("public"));
    assert!(before.len() > 10);
    // Change the content so a successful build would produce different bytes.
    let p = s.join("content/1/pages/index.md");
    let text = std::fs::read_to_string(&p).expect("read");
    std::fs::write(&p, text.replace("Velkommen", "Hei")).expect("write");

    for env in [("NORMBOK_FAIL_AFTER_FILES", "7"), ("NORMBOK_FAIL_AT", "rename")] {
        let o = build(tmp.path(), &[env]);
        assert_eq!(code(&o), 1, "{env:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error[E-OUTPUT]") && stderr(&o).contains("injected failure"), "{}", stderr(&o));
        assert!(tree(&tmp.path().join("public")) == before, "{env:?} changed the previous output");
        no_leftovers(tmp.path());
    }
    // A template error in the theme fails before anything is written.
    std::fs::create_dir_all(s.join("themes/default/templates")).expect("mkdir");
    std::fs::write(
        s.join("themes/default/templates/page.html"),
        "{% extends \"base.html\" %}{% block main %}{{ nope | nofilter }}{% endblock main %}",
    )
    .expect("write");
    let o = build(tmp.path(), &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("error[E-TEMPLATE]"), "{}", stderr(&o));
    assert!(tree(&tmp.path().join("public")) == before);
    no_leftovers(tmp.path());
}

#[test]
fn a_held_lock_gives_exit_4_and_stale_staging_is_cleaned() {
    let tmp = tempfile::tempdir().expect("tmp");
    site(tmp.path());
    // A build killed mid-way leaves its staging folder behind; the next build removes it.
    std::fs::create_dir_all(tmp.path().join(".public.staging-99999/x")).expect("mkdir");
    assert_eq!(code(&build(tmp.path(), &[])), 0);
    no_leftovers(tmp.path());

    let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(tmp.path().join("public.lock")).expect("lock file");
    lock.lock().expect("lock");
    let before = tree(&tmp.path().join("public"));
    let o = build(tmp.path(), &[]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("error[E-LOCKED]: another build holds"), "{}", stderr(&o));
    assert!(tree(&tmp.path().join("public")) == before);
    lock.unlock().expect("unlock");
    assert_eq!(code(&build(tmp.path(), &[])), 0);
}

#[test]
fn preserved_entries_survive_and_stale_files_go() {
    let tmp = tempfile::tempdir().expect("tmp");
    site(tmp.path());
    let out = tmp.path().join("public");
    // A gh-pages checkout: only preserved entries, so it counts as empty (SPEC §10).
    std::fs::create_dir_all(out.join(".git/refs")).expect("mkdir");
    std::fs::write(out.join(".git/HEAD"), "ref: refs/heads/main\n").expect("write");
    std::fs::write(out.join("CNAME"), "veileder.example.org\n").expect("write");
    assert_eq!(code(&build(tmp.path(), &[])), 0);
    assert!(out.join(".normbok-output").is_file(), "every output carries the marker");
    std::fs::write(out.join(".git/HEAD"), "ref: refs/heads/main\n").expect("write");
    std::fs::write(out.join("CNAME"), "veileder.example.org\n").expect("write");
    std::fs::write(out.join("stale.html"), "old").expect("write");
    assert_eq!(code(&build(tmp.path(), &[])), 0);
    assert_eq!(std::fs::read_to_string(out.join(".git/HEAD")).expect("HEAD"), "ref: refs/heads/main\n");
    assert_eq!(std::fs::read_to_string(out.join("CNAME")).expect("CNAME"), "veileder.example.org\n");
    assert!(!out.join("stale.html").exists());
    assert!(out.join("1/index.html").exists());
}

#[test]
fn zip_holds_the_same_site() {
    // (The marker file is in both, so the zip unpacks into a folder normbok may rebuild.)
    let tmp = tempfile::tempdir().expect("tmp");
    site(tmp.path());
    let o = assert_cmd::Command::cargo_bin("normbok")
        .expect("bin")
        .current_dir(tmp.path())
        .args(["build", "--root", "site", "--out", "public", "--zip", "site.zip"])
        .output()
        .expect("run");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files = tree(&tmp.path().join("public"));
    let bytes = std::fs::read(tmp.path().join("site.zip")).expect("zip");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("archive");
    let mut from_zip = std::collections::BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).expect("entry");
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut b).expect("read");
        from_zip.insert(f.name().expect("utf-8 name").to_string(), b);
    }
    assert!(from_zip == files, "zip differs from the output folder");
    // Deterministic: a second zip is byte-identical.
    let o = assert_cmd::Command::cargo_bin("normbok")
        .expect("bin")
        .current_dir(tmp.path())
        .args(["build", "--root", "site", "--out", "public2", "--zip", "site2.zip"])
        .output()
        .expect("run");
    assert_eq!(code(&o), 0);
    assert!(std::fs::read(tmp.path().join("site2.zip")).expect("zip2") == bytes);
}

#[test]
fn init_creates_a_site_that_builds_and_schema_is_json() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = assert_cmd::Command::cargo_bin("normbok").expect("bin").current_dir(tmp.path()).args(["init", "ny"]).output().expect("run");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = assert_cmd::Command::cargo_bin("normbok")
        .expect("bin")
        .current_dir(tmp.path())
        .args(["build", "--root", "ny", "--out", "ut", "--strict"])
        .output()
        .expect("run");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(tmp.path().join("ut/1.0/requirements/EKS-01.html").exists());
    let o = assert_cmd::Command::cargo_bin("normbok").expect("bin").current_dir(tmp.path()).args(["init", "ny"]).output().expect("run");
    assert_eq!(code(&o), 2, "init refuses a non-empty folder (a usage error)");

    let o = assert_cmd::Command::cargo_bin("normbok").expect("bin").arg("schema").output().expect("run");
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("schema is JSON");
    assert!(v["$defs"]["RequirementRaw"]["properties"]["target_groups"].is_object(), "{v}");
    assert_eq!(v["$defs"]["RequirementRaw"]["additionalProperties"], serde_json::json!(false));
}

#[test]
fn usage_errors_exit_2() {
    let o = assert_cmd::Command::cargo_bin("normbok").expect("bin").args(["build", "--no-such-flag"]).output().expect("run");
    assert_eq!(code(&o), 2);
    let o = assert_cmd::Command::cargo_bin("normbok").expect("bin").args(["build", "--help"]).output().expect("run");
    assert_eq!(code(&o), 0);
}

fn build_zip(cwd: &Path, env: &[(&str, &str)]) -> std::process::Output {
    let mut c = assert_cmd::Command::cargo_bin("normbok").expect("bin");
    c.current_dir(cwd).args(["build", "--root", "site", "--out", "public", "--zip", "site.zip"]);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run")
}

/// Issue 11 item 4: a failing `--zip` (while writing it, while moving it into place, or when
/// the site swap after it fails) leaves the previous folder and the previous zip byte-identical
/// and no temporary file behind.
#[test]
fn a_failing_zip_leaves_folder_and_zip_byte_identical() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = site(tmp.path());
    let o = build_zip(tmp.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let before = tree(&tmp.path().join("public"));
    let zip_before = std::fs::read(tmp.path().join("site.zip")).expect("zip");
    let p = s.join("content/1/pages/index.md");
    let text = std::fs::read_to_string(&p).expect("read");
    std::fs::write(&p, text.replace("Velkommen", "Hei")).expect("write");
    for env in [("NORMBOK_FAIL_AT", "zip"), ("NORMBOK_FAIL_AT", "zip-rename"), ("NORMBOK_FAIL_AT", "rename")] {
        let o = build_zip(tmp.path(), &[env]);
        assert_eq!(code(&o), 1, "{env:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error[E-OUTPUT]") && stderr(&o).contains("injected failure"), "{}", stderr(&o));
        assert!(tree(&tmp.path().join("public")) == before, "{env:?} changed the previous output");
        assert!(std::fs::read(tmp.path().join("site.zip")).expect("zip") == zip_before, "{env:?} changed the previous zip");
        let left: Vec<String> = std::fs::read_dir(tmp.path())
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(left.is_empty(), "{env:?} left behind: {left:?}");
    }
    // Without a failure both change, and a temporary zip left by a killed run goes.
    std::fs::write(tmp.path().join(".site.zip.tmp-99999"), "partial").expect("write");
    assert_eq!(code(&build_zip(tmp.path(), &[])), 0);
    assert!(!tmp.path().join(".site.zip.tmp-99999").exists());
    assert!(tree(&tmp.path().join("public")) != before);
    assert!(std::fs::read(tmp.path().join("site.zip")).expect("zip") != zip_before);
}

/// An output written by normbok before the marker existed (index.html, versions.html and
/// static/normbok.js, no `.normbok-output`) is still recognised and rebuilt; a folder with
/// only some of those files is not.
#[test]
fn an_output_from_before_the_marker_is_rebuilt() {
    let tmp = tempfile::tempdir().expect("tmp");
    site(tmp.path());
    assert_eq!(code(&build(tmp.path(), &[])), 0);
    let out = tmp.path().join("public");
    std::fs::remove_file(out.join(".normbok-output")).expect("rm marker");
    std::fs::write(out.join("stale.html"), "old").expect("write");
    let o = build(tmp.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(out.join(".normbok-output").is_file() && !out.join("stale.html").exists());

    std::fs::remove_file(out.join(".normbok-output")).expect("rm marker");
    std::fs::remove_file(out.join("versions.html")).expect("rm");
    let before = tree(&out);
    let o = build(tmp.path(), &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("error[E-OUTPUT-PATH]") && stderr(&o).contains("not an earlier normbok output"), "{}", stderr(&o));
    assert!(tree(&out) == before);
}

/// A planted `public.lock` symlink does not make the build truncate the file it points at.
#[test]
fn a_symlinked_lock_file_is_not_followed() {
    let tmp = tempfile::tempdir().expect("tmp");
    site(tmp.path());
    std::fs::write(tmp.path().join("precious.txt"), "keep me").expect("write");
    std::os::unix::fs::symlink("precious.txt", tmp.path().join("public.lock")).expect("symlink");
    let o = build(tmp.path(), &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("error[E-OUTPUT]"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(tmp.path().join("precious.txt")).expect("read"), "keep me");
    assert!(!tmp.path().join("public").exists());
}

/// Issue 11 item 19: a failed write names the output file inside the output folder and the
/// source it comes from, never the staging path.
#[test]
fn write_errors_name_the_output_file_and_its_source() {
    let tmp = tempfile::tempdir().expect("tmp");
    site(tmp.path());
    for (file, source) in [("1/index.html", "content/1/pages/index.md"), ("1/chapters/risiko.html", "content/1/requirements/risiko.yaml")] {
        let o = build(tmp.path(), &[("NORMBOK_FAIL_WRITE", file)]);
        let err = stderr(&o);
        assert_eq!(code(&o), 1, "{err}");
        assert!(err.contains(&format!("error[E-OUTPUT]: cannot write public/{file}: injected failure")), "{err}");
        assert!(err.contains(&format!("help: this file is generated from {source}")), "{err}");
        assert!(!err.contains("staging") && !err.contains(&tmp.path().display().to_string()), "{err}");
        no_leftovers(tmp.path());
    }
}

/// Issue 12 item 4: files go to the staging folder as they are rendered. The renderer hands
/// every page to the sink right away, so the bytes it holds at any time stay below one page per
/// rendering thread, far below the site, and a staged file is on disk before the build commits.
#[test]
fn output_is_streamed_while_rendering() {
    let root = repo();
    let (site, _) = normbok::check(&root).unwrap_or_else(|d| panic!("{}", d.render()));
    let hist = normbok::versions::analyse(&site);
    let sink = normbok::render::MemorySink::default();
    let sel = normbok::assemble::Selection::everything(&site);
    let a = normbok::assemble::assemble(&site, &hist, &sel, &sink).unwrap_or_else(|d| panic!("{d:?}"));
    let files = sink.into_files();
    let largest = files.keys().filter(|k| k.ends_with(".html")).map(|k| files[k].len()).max().unwrap_or(0);
    let threads = rayon::current_num_threads();
    assert!(a.render.pages > 100, "the bundled site renders {} pages", a.render.pages);
    assert!(
        a.render.peak_held_bytes > 0 && a.render.peak_held_bytes <= threads * largest,
        "held {} bytes, {threads} threads × largest page {largest}",
        a.render.peak_held_bytes
    );
    assert!(a.render.peak_held_bytes * 8 < a.render.total_bytes, "held {} of {} bytes at once", a.render.peak_held_bytes, a.render.total_bytes);

    // The staging sink writes each file when it gets it, before the swap.
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("public");
    let staging = normbok::output::Staging::begin(&out, &[]).unwrap_or_else(|e| panic!("{:?}", e.diagnostic()));
    normbok::render::Sink::put(&staging, "a/b.html".into(), b"<p>x</p>".to_vec()).expect("put");
    let staged = tmp.path().join(format!(".public.staging-{}/a/b.html", std::process::id()));
    assert_eq!(std::fs::read(&staged).ok().as_deref(), Some(&b"<p>x</p>"[..]), "staged before commit");
    assert!(!out.exists(), "nothing in place before commit");
    let written = staging.commit(None).unwrap_or_else(|e| panic!("{:?}", e.diagnostic()));
    assert_eq!(written, ["a/b.html"]);
    assert_eq!(std::fs::read(out.join("a/b.html")).ok().as_deref(), Some(&b"<p>x</p>"[..]));
    no_leftovers(tmp.path());
}
