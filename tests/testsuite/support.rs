//! Test support: running the binary, fixture sites with overlays and declarative setup, and
//! hashing output trees (for determinism and "previous output intact" checks).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde::Deserialize;

/// Repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `normbok` with `args` in `cwd`.
pub fn normbok(cwd: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("normbok").expect("binary").current_dir(cwd).args(args).output().expect("run normbok")
}

/// Exit code of a finished process (-1 when killed by a signal).
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file below `dir` with its content (symlinks not followed), keyed by relative path.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.expect("walk");
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).expect("prefix").to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read(e.path()).expect("read"));
        }
    }
    out
}

/// Copies a folder recursively (files and symlinks as they are).
pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.expect("walk");
        let rel = e.path().strip_prefix(from).expect("prefix");
        let dst = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dst).expect("mkdir");
        } else if e.file_type().is_symlink() {
            let target = std::fs::read_link(e.path()).expect("readlink");
            let _ = std::fs::remove_file(&dst);
            std::os::unix::fs::symlink(target, &dst).expect("symlink");
        } else {
            if let Some(p) = dst.parent() {
                std::fs::create_dir_all(p).expect("mkdir");
            }
            std::fs::copy(e.path(), &dst).expect("copy");
        }
    }
}

/// `case.toml` of a fixture.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the fixture is about (and which checklist item it covers).
    pub description: String,
    /// Base site to overlay (`tests/fixtures/base/<name>`); none when the fixture is a whole site.
    #[serde(default)]
    pub base: Option<String>,
    /// Command line (default `["build"]`; `--root`/`--out` are added for build/check).
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// Expected exit code.
    #[serde(default)]
    pub exit: i32,
    /// Expected diagnostics (errors and warnings); each must appear.
    #[serde(default)]
    pub expect: Vec<Expect>,
    /// When given, the exact number of errors: for cases where an error that must *not*
    /// appear (a follow-on of another one) matters as much as the expected ones.
    #[serde(default)]
    pub errors: Option<usize>,
    /// Files to write or change before running.
    #[serde(default)]
    pub setup: Setup,
    /// Output checks (ok fixtures).
    #[serde(default)]
    pub output: OutputChecks,
    /// Paths relative to the working folder (the parent of `site/`) whose files must be
    /// byte-identical after the run (bad fixtures): what a dangerous `--out`/`--zip` would hit.
    #[serde(default)]
    pub unchanged: Vec<String>,
}

/// One expected diagnostic.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Stable code, e.g. `E-DUP-ID`.
    pub code: String,
    /// `path:line:col` (or just `path`) it must be reported at.
    #[serde(default)]
    pub at: Option<String>,
    /// Text that must appear in the diagnostic (message or help).
    #[serde(default)]
    pub contains: Vec<String>,
}

/// Declarative setup, for inputs git cannot hold comfortably.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// Paths to delete from the base.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Symlinks to create.
    #[serde(default)]
    pub symlinks: Vec<Symlink>,
    /// Files to write. `path` and `bytes` may contain `\xNN` escapes (non-UTF-8 names/content).
    #[serde(default)]
    pub write: Vec<Write>,
    /// Files whose line endings become CRLF.
    #[serde(default)]
    pub crlf: Vec<String>,
    /// Files that get a UTF-8 BOM.
    #[serde(default)]
    pub bom: Vec<String>,
    /// Named pipes (FIFOs) to create; reading one would block forever.
    #[serde(default)]
    pub fifos: Vec<String>,
    /// Unix sockets to create (bound, then the listener is closed; the socket file stays).
    #[serde(default)]
    pub sockets: Vec<String>,
}

/// A symlink to create.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Symlink {
    /// Where.
    pub path: String,
    /// Pointing at.
    pub target: String,
}

/// A file to write.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Write {
    /// Path (escapes allowed).
    pub path: String,
    /// Content pieces, each repeated `n` times: `[["text", n], …]` (escapes allowed).
    pub parts: Vec<(String, usize)>,
}

/// Checks on the output of a successful build.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OutputChecks {
    /// Files that must exist.
    #[serde(default)]
    pub exists: Vec<String>,
    /// `[file, text]`: text that must appear in the file.
    #[serde(default)]
    pub contains: Vec<(String, String)>,
    /// `[file, text]`: text that must not appear in the file.
    #[serde(default)]
    pub not_contains: Vec<(String, String)>,
    /// Text that must not appear in any HTML or JavaScript output file (data exports carry
    /// content verbatim by design).
    #[serde(default)]
    pub nowhere_html: Vec<String>,
    /// The output must be byte-identical to the output of this other fixture or base.
    #[serde(default)]
    pub same_as: Option<String>,
}

/// Decodes `\xNN` escapes into raw bytes.
pub fn unescape(s: &str) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1] == b'x'
            && let (Some(h), Some(l)) = (hex(b[i + 2]), hex(b[i + 3]))
        {
            out.push(h * 16 + l);
            i += 4;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn os_path(root: &Path, rel: &str) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    root.join(std::ffi::OsStr::from_bytes(&unescape(rel)))
}

/// Materializes a fixture in `dir`: base, overlay, then setup.
pub fn materialize(fixture: &Path, case: &Case, dir: &Path) {
    if let Some(base) = &case.base {
        copy_dir(&repo().join("tests/fixtures/base").join(base), dir);
    }
    if let Ok(rd) = std::fs::read_dir(fixture) {
        for e in rd.filter_map(Result::ok) {
            let name = e.file_name();
            if name == "case.toml" {
                continue;
            }
            let dst = dir.join(&name);
            if e.path().is_dir() {
                copy_dir(&e.path(), &dst);
            } else {
                std::fs::copy(e.path(), &dst).expect("copy");
            }
        }
    }
    for r in &case.setup.remove {
        let p = dir.join(r);
        let _ = std::fs::remove_dir_all(&p).or_else(|_| std::fs::remove_file(&p));
    }
    for w in &case.setup.write {
        let p = os_path(dir, &w.path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        let mut bytes = Vec::new();
        for (text, n) in &w.parts {
            let piece = unescape(text);
            for _ in 0..*n {
                bytes.extend_from_slice(&piece);
            }
        }
        std::fs::write(&p, bytes).expect("write");
    }
    for s in &case.setup.symlinks {
        let p = os_path(dir, &s.path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::os::unix::fs::symlink(&s.target, &p).expect("symlink");
    }
    for f in &case.setup.fifos {
        let p = os_path(dir, f);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        let ok = std::process::Command::new("mkfifo").arg(&p).status().expect("run mkfifo");
        assert!(ok.success(), "mkfifo {}", p.display());
    }
    for f in &case.setup.sockets {
        let p = os_path(dir, f);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        drop(std::os::unix::net::UnixListener::bind(&p).expect("bind socket"));
    }
    for f in &case.setup.crlf {
        let p = dir.join(f);
        let t = std::fs::read_to_string(&p).expect("read");
        std::fs::write(&p, t.replace('\n', "\r\n")).expect("write");
    }
    for f in &case.setup.bom {
        let p = dir.join(f);
        let mut t = vec![0xEF, 0xBB, 0xBF];
        t.extend(std::fs::read(&p).expect("read"));
        std::fs::write(&p, t).expect("write");
    }
}

/// Reads `case.toml`.
pub fn read_case(fixture: &Path) -> Case {
    let text = std::fs::read_to_string(fixture.join("case.toml")).unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}/case.toml: {e}", fixture.display()))
}

/// Lists fixture folders of a kind (`ok` or `bad`), sorted.
pub fn fixtures(kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures").join(kind))
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The command line of a case, with `--root`/`--out` filled in.
pub fn args_for(case: &Case, site: &Path, out: &Path) -> Vec<String> {
    let mut args = case.args.clone().unwrap_or_else(|| vec!["build".to_string()]);
    let cmd = args.first().cloned().unwrap_or_default();
    if (cmd == "build" || cmd == "check") && !args.iter().any(|a| a == "--root") {
        args.push("--root".into());
        args.push(site.display().to_string());
    }
    if cmd == "build" && !args.iter().any(|a| a == "--out") {
        args.push("--out".into());
        args.push(out.display().to_string());
    }
    args
}
