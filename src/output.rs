//! Stage 5 (output): rendered files → the output folder, atomically.
//!
//! Protocol (RELIABILITY.md §2): take `<out>.lock`; remove stale staging folders; write
//! every file, as it is rendered ([`Staging`]), into `.<out>.staging-<pid>` beside the
//! output (same file system); fsync; move
//! preserved entries (`.git`, `CNAME`) across; swap by renaming; release the lock. On any
//! failure the previous output is left as it was and the staging folder is removed.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::render::Files;

/// Why writing failed.
#[derive(Debug)]
pub enum OutputError {
    /// The output path is dangerous (exit 2).
    Refused(Diagnostic),
    /// Another build holds the lock (exit 4).
    Locked(Diagnostic),
    /// I/O failure (exit 1); the previous output is intact.
    Io(Diagnostic),
    /// I/O failure writing one output file (exit 1), with its path inside the output folder,
    /// so the caller can name the source it was generated from.
    IoFile(Box<(Diagnostic, String)>),
}

impl OutputError {
    /// The diagnostic to print.
    pub fn diagnostic(&self) -> &Diagnostic {
        match self {
            OutputError::Refused(d) | OutputError::Locked(d) | OutputError::Io(d) => d,
            OutputError::IoFile(b) => &b.0,
        }
    }
}

fn io_err(what: &str, path: &Path, e: &std::io::Error) -> OutputError {
    OutputError::Io(Diagnostic::global("E-OUTPUT", format!("{what} {}: {e}", path.display())))
}

/// [`io_err`] for one output file, `rel` being its path inside the output folder.
fn file_err(what: &str, out: &Path, rel: &str, e: &std::io::Error) -> OutputError {
    match io_err(what, &shown(out, rel), e) {
        OutputError::Io(d) => OutputError::IoFile(Box::new((d, rel.to_string()))),
        other => other,
    }
}

/// `p` made absolute against the current directory with `.`/`..` removed lexically; no
/// symlink is resolved (so the last component can still be checked for being one).
fn lexical(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
    let mut norm = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                norm.pop();
            }
            std::path::Component::CurDir => {}
            other => norm.push(other),
        }
    }
    norm
}

/// Resolves `p` against the current directory without requiring it to exist: the lexical
/// path with its longest existing prefix canonicalized (symlinks resolved).
fn absolute(p: &Path) -> PathBuf {
    let norm = lexical(p);
    let mut existing = norm.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(n) => rest.push(n.to_os_string()),
            None => break,
        }
        existing.pop();
    }
    let mut out = fs::canonicalize(&existing).unwrap_or(existing);
    for n in rest.into_iter().rev() {
        out.push(n);
    }
    out
}

// ---- Guards: which paths normbok may replace (SPEC §10). Kept apart from the write path. ----

/// The marker file written into every output folder (and zip). An existing non-empty folder
/// without it is not replaced, so a mistyped `--out` can never wipe someone's files.
pub const MARKER: &str = ".normbok-output";

/// Content of [`MARKER`] (constant, so builds stay byte-identical).
pub const MARKER_TEXT: &[u8] = b"This folder was written by `normbok build`. The next build replaces everything in it\n\
except the entries listed in [output] preserve (default .git, CNAME).\n";

/// Folder names of version-control systems: never an output, never inside one.
const VCS_DIRS: [&str; 10] = [".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", ".fossil", ".jj", ".pijul", ".sl"];

fn refused(code_path: &Path, what: &str, why: &str, help: &str) -> OutputError {
    OutputError::Refused(
        Diagnostic::global("E-OUTPUT-PATH", format!("refusing to write the {what} to {}: {why}", code_path.display())).help(help.to_string()),
    )
}

fn is_symlink(p: &Path) -> bool {
    p.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink())
}

fn vcs_component(p: &Path) -> Option<String> {
    p.components().filter_map(|c| c.as_os_str().to_str()).find(|c| VCS_DIRS.contains(c)).map(str::to_string)
}

/// Refuses output paths that would destroy sources: `/`, the site root or an ancestor of it,
/// anything inside `content/` or `themes/`, a symlink (never followed), a version-control
/// folder or anything inside one, and an existing file. Returns the resolved path.
pub fn check_out_path(root: &Path, out: &Path) -> Result<PathBuf, OutputError> {
    let lex = lexical(out);
    let refuse = |why: &str| Err(refused(out, "site", why, "choose a separate folder such as `public`"));
    if is_symlink(&lex) {
        return Err(refused(
            out,
            "site",
            "it is a symbolic link (normbok never follows a symlinked output)",
            "pass the real folder, or remove the link",
        ));
    }
    let root = absolute(root);
    let abs = absolute(out);
    if abs.parent().is_none() {
        return refuse("it is the file system root");
    }
    if root.starts_with(&abs) {
        return refuse("it is the site root or contains it");
    }
    for protected in ["content", "themes"] {
        if abs.starts_with(root.join(protected)) {
            return refuse(&format!("it is inside {protected}/"));
        }
    }
    if let Some(vcs) = vcs_component(&lex).or_else(|| vcs_component(&abs)) {
        return refuse(&format!("it is a version-control folder or inside one (`{vcs}`)"));
    }
    if abs.exists() && !abs.is_dir() {
        return refuse("it exists and is not a folder");
    }
    if abs.join(crate::config::CONFIG_FILE).exists() {
        return refuse("it contains a normbok.toml (a site, not an output folder)");
    }
    Ok(abs)
}

/// Whether `dir` is an output of a normbok from before the marker: it has the site-level
/// files every build writes (`index.html`, `versions.html`, `static/normbok.js`).
fn is_legacy_output(dir: &Path) -> bool {
    dir.join("index.html").is_file() && dir.join("versions.html").is_file() && dir.join("static/normbok.js").is_file()
}

/// Refuses an existing output folder that normbok did not write: it must be missing, empty
/// (or hold only `preserve`d entries), carry [`MARKER`], or have the layout of an earlier
/// normbok output. Checked again under the lock, right before the swap.
pub fn check_out_contents(out: &Path, preserve: &[String]) -> Result<(), OutputError> {
    if is_symlink(out) {
        return Err(refused(
            out,
            "site",
            "it is a symbolic link (normbok never follows a symlinked output)",
            "pass the real folder, or remove the link",
        ));
    }
    let rd = match fs::read_dir(out) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        // What cannot be listed cannot be shown to be ours.
        Err(e) => return Err(refused(out, "site", &format!("its content cannot be read ({e})"), "choose a folder normbok can read")),
    };
    if out.join(MARKER).symlink_metadata().is_ok_and(|m| m.is_file()) || is_legacy_output(out) {
        return Ok(());
    }
    let mut foreign: Vec<String> =
        rd.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| !preserve.contains(n)).collect();
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let more = foreign.len().saturating_sub(3);
    foreign.truncate(3);
    let listed = foreign.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    let listed = if more > 0 { format!("{listed} and {more} more") } else { listed };
    Err(refused(
        out,
        "site",
        &format!("the folder is not empty and is not an earlier normbok output (no {MARKER} file; it holds {listed})"),
        "choose a new or empty folder; normbok replaces only folders it wrote itself",
    ))
}

/// Refuses a `--zip` target that is a symlink, a folder, the configuration, inside `content/`,
/// `themes/`, the output folder or a version-control folder, or an existing file that is not
/// a zip archive. Returns the resolved path.
pub fn check_zip_path(root: &Path, zip: &Path, out: &Path) -> Result<PathBuf, OutputError> {
    let refuse = |why: &str| Err(refused(zip, "zip", why, "choose a new file name outside the site sources, such as `site.zip`"));
    if is_symlink(&lexical(zip)) {
        return refuse("it is a symbolic link (normbok never follows a symlinked output)");
    }
    let root = absolute(root);
    let abs = absolute(zip);
    let out = absolute(out);
    if abs.parent().is_none() || root.starts_with(&abs) {
        return refuse("it is the site root or contains it");
    }
    if abs.is_dir() {
        return refuse("it is a folder");
    }
    if abs == root.join(crate::config::CONFIG_FILE) {
        return refuse("it is the site configuration");
    }
    for protected in ["content", "themes"] {
        if abs.starts_with(root.join(protected)) {
            return refuse(&format!("it is inside {protected}/"));
        }
    }
    if abs.starts_with(&out) {
        return refuse("it is inside the output folder, which the build replaces");
    }
    // `<out>.lock` and the `.<out>.staging-*`/`.<out>.old-*` siblings are removed by the build.
    let out_name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let zip_name = abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if abs.parent() == out.parent() && (zip_name == format!("{out_name}.lock") || zip_name.starts_with(&format!(".{out_name}."))) {
        return refuse("it is one of the build's own lock or staging names beside the output folder");
    }
    if let Some(vcs) = vcs_component(&abs) {
        return refuse(&format!("it is inside a version-control folder (`{vcs}`)"));
    }
    if abs.exists() && !is_zip_file(&abs) {
        return refuse("it exists and is not a zip archive (normbok only replaces zip files)");
    }
    Ok(abs)
}

fn is_zip_file(p: &Path) -> bool {
    let mut magic = [0u8; 4];
    File::open(p).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06")
}

/// Holds `<out>.lock` until dropped.
pub struct Lock {
    file: File,
    path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
        let _ = fs::remove_file(&self.path);
    }
}

fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    out.with_file_name(format!(".{name}.{suffix}"))
}

/// Takes the output lock; fails with [`OutputError::Locked`] when another build holds it.
pub fn lock(out: &Path) -> Result<Lock, OutputError> {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let path = out.with_file_name(format!("{name}.lock"));
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| io_err("cannot create", parent, &e))?;
    }
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    // A planted `<out>.lock` symlink must not make us truncate the file it points at.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut opts, rustix::fs::OFlags::NOFOLLOW.bits().cast_signed());
    let mut file = opts.open(&path).map_err(|e| io_err("cannot open lock", &path, &e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(_) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            return Err(OutputError::Locked(
                Diagnostic::global("E-LOCKED", format!("another build holds {} (pid {})", path.display(), pid.trim()))
                    .help("wait for it to finish; if no build is running, delete the lock file"),
            ));
        }
    }
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "{}", std::process::id());
    Ok(Lock { file, path })
}

fn remove_stale(out: &Path) {
    let Some(parent) = out.parent() else { return };
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefixes = [format!(".{name}.staging-"), format!(".{name}.old-")];
    if let Ok(rd) = fs::read_dir(parent) {
        for e in rd.filter_map(Result::ok) {
            let n = e.file_name().to_string_lossy().into_owned();
            if prefixes.iter().any(|p| n.starts_with(p)) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Test hook: fail after writing this many files (env `NORMBOK_FAIL_AFTER_FILES`) or at a
/// named step (env `NORMBOK_FAIL_AT=rename|zip|zip-rename`), to prove that failures leave the
/// previous output intact. Only in debug builds, which is what the test suite runs.
fn failpoint(name: &str, count: usize) -> Result<(), std::io::Error> {
    if !cfg!(debug_assertions) {
        return Ok(());
    }
    let hit = match name {
        "files" => std::env::var("NORMBOK_FAIL_AFTER_FILES").ok().and_then(|v| v.parse::<usize>().ok()).is_some_and(|n| count >= n),
        other => std::env::var("NORMBOK_FAIL_AT").is_ok_and(|v| v == other),
    };
    if hit { Err(std::io::Error::other(format!("injected failure ({name})"))) } else { Ok(()) }
}

/// Test hook: fail writing the one output file named by env `NORMBOK_FAIL_WRITE` (a path inside
/// the output folder), to check what the diagnostic names. Debug builds only.
fn fail_write(rel: &str) -> Result<(), std::io::Error> {
    if cfg!(debug_assertions) && std::env::var("NORMBOK_FAIL_WRITE").is_ok_and(|v| v == rel) {
        return Err(std::io::Error::other("injected failure (write)"));
    }
    Ok(())
}

/// Writes `files` to `out` atomically, keeping `preserve`d entries of a previous output,
/// and, with `zip`, the same site as one zip file (see [`Staging::commit`]).
pub fn write_site(out: &Path, files: &Files, preserve: &[String], zip: Option<&Path>) -> Result<(), OutputError> {
    let staging = Staging::begin(out, preserve)?;
    files.par_iter().try_for_each(|(path, bytes)| staging.write(path, bytes))?;
    staging.commit(zip).map(drop)
}

/// How an output file is named in diagnostics: relative to the output folder as the user
/// knows it (`public/1/index.html`), never the staging path.
fn shown(out: &Path, rel: &str) -> PathBuf {
    let name = out.file_name().map(PathBuf::from).unwrap_or_default();
    if rel.is_empty() { name } else { name.join(rel) }
}

/// An output being written: the lock is held and files go into the staging folder as they
/// arrive (from many threads; see [`crate::render::Sink`]). [`Staging::commit`] syncs and
/// swaps it into place; dropping it uncommitted removes the staging folder, so the previous
/// output stays as it was.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    preserve: Vec<String>,
    written: AtomicUsize,
    /// Output paths written, for the zip and the summary.
    paths: Mutex<Vec<String>>,
    /// Folders already created (creating a folder per file would be a syscall per file).
    dirs: Mutex<HashSet<PathBuf>>,
    committed: bool,
    _lock: Lock,
}

impl Staging {
    /// Takes `<out>.lock`, checks the output folder is ours to replace, removes stale
    /// staging folders and creates a fresh one.
    pub fn begin(out: &Path, preserve: &[String]) -> Result<Staging, OutputError> {
        let lock = lock(out)?;
        check_out_contents(out, preserve)?;
        remove_stale(out);
        let dir = sibling(out, &format!("staging-{}", std::process::id()));
        fs::create_dir_all(&dir).map_err(|e| io_err("cannot create", &shown(out, ""), &e))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            preserve: preserve.to_vec(),
            written: AtomicUsize::new(0),
            paths: Mutex::default(),
            dirs: Mutex::default(),
            committed: false,
            _lock: lock,
        })
    }

    /// Writes one file (site-relative `path`) into the staging folder.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let target = self.dir.join(path);
        let err = |e: std::io::Error| file_err("cannot write", &self.out, path, &e);
        let n = self.written.fetch_add(1, Ordering::Relaxed);
        failpoint("files", n).map_err(err)?;
        fail_write(path).map_err(err)?;
        if let Some(parent) = target.parent() {
            let known = self.dirs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains(parent);
            if !known {
                let rel = Path::new(path).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
                fs::create_dir_all(parent).map_err(|e| io_err("cannot create", &shown(&self.out, &rel), &e))?;
                self.dirs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(parent.to_path_buf());
            }
        }
        let mut f = File::create(&target).map_err(err)?;
        f.write_all(bytes).map_err(err)?;
        self.paths.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(path.to_string());
        Ok(())
    }

    /// Writes the output marker, makes the staged tree durable and swaps it into place;
    /// with `zip`, the same site as one zip file, written (from the staged files) before the
    /// swap and put in place together with it: on any failure both the previous output folder
    /// and the previous zip are left byte-identical, and no temporary file remains. Returns
    /// the written paths, sorted.
    pub fn commit(mut self, zip: Option<&Path>) -> Result<Vec<String>, OutputError> {
        fs::write(self.dir.join(MARKER), MARKER_TEXT).map_err(|e| io_err("cannot write", &shown(&self.out, MARKER), &e))?;
        sync_tree(&self.dir).map_err(|e| io_err("cannot sync", &shown(&self.out, ""), &e))?;
        let mut paths = std::mem::take(&mut *self.paths.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        paths.sort();
        let mut pending = zip.map(|z| PendingZip::write(z, &self.dir, &paths)).transpose()?;
        if let Some(p) = pending.as_mut() {
            p.place()?;
        }
        match swap(&self.out, &self.dir, &self.preserve) {
            Ok(()) => {
                if let Some(p) = pending {
                    p.finish();
                }
            }
            Err(e) => {
                if let Some(p) = pending {
                    p.rollback();
                }
                return Err(e);
            }
        }
        self.committed = true;
        Ok(paths)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl crate::render::Sink for Staging {
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        // The bytes are dropped as soon as they are written: nothing accumulates in memory.
        self.write(&path, &bytes).map_err(|e| e.diagnostic().clone())
    }
}

/// Makes the staged tree durable before it is swapped in. One `syncfs` for the whole file
/// system is one journal flush, where an fsync per file is one each (see BENCHMARKS.md).
#[cfg(unix)]
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    let d = File::open(dir)?;
    rustix::fs::syncfs(&d).map_err(std::io::Error::from)
}

#[cfg(not(unix))]
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for e in walkdir::WalkDir::new(dir) {
        let e = e.map_err(std::io::Error::other)?;
        if e.file_type().is_file() {
            File::open(e.path())?.sync_all()?;
        }
    }
    Ok(())
}

fn swap(out: &Path, staging: &Path, preserve: &[String]) -> Result<(), OutputError> {
    let old = sibling(out, &format!("old-{}", std::process::id()));
    let had_old = out.exists();
    if had_old && !out.is_dir() {
        return Err(OutputError::Refused(Diagnostic::global("E-OUTPUT-PATH", format!("{} exists and is not a folder", out.display()))));
    }
    // Preserved entries move into the new tree; on failure they move back.
    let mut moved: Vec<String> = Vec::new();
    let undo_moves = |moved: &[String]| {
        for name in moved {
            let _ = fs::rename(staging.join(name), out.join(name));
        }
    };
    if had_old {
        for name in preserve {
            if name.contains('/') || name == ".." || name == "." || name.is_empty() {
                continue;
            }
            let src = out.join(name);
            if src.symlink_metadata().is_ok() {
                let dst = staging.join(name);
                let _ = fs::remove_dir_all(&dst).or_else(|_| fs::remove_file(&dst));
                if let Err(e) = fs::rename(&src, &dst) {
                    undo_moves(&moved);
                    return Err(io_err("cannot carry over", &src, &e));
                }
                moved.push(name.clone());
            }
        }
        if let Err(e) = fs::rename(out, &old) {
            undo_moves(&moved);
            return Err(io_err("cannot move aside", out, &e));
        }
    }
    let renamed = failpoint("rename", 0).and_then(|()| fs::rename(staging, out));
    if let Err(e) = renamed {
        if had_old {
            let _ = fs::rename(&old, out);
            undo_moves(&moved);
        }
        return Err(io_err("cannot move new site into place at", out, &e));
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    if let Some(parent) = out.parent().and_then(|p| File::open(p).ok()) {
        let _ = parent.sync_all();
    }
    Ok(())
}

/// A zip written beside its target, then swapped in with the site: `place` moves a previous
/// zip aside and the new one in; `rollback` undoes that; `finish` drops the old one.
struct PendingZip {
    target: PathBuf,
    tmp: PathBuf,
    /// Where a previous zip waits until the swap succeeded.
    old: PathBuf,
    backed_up: bool,
    placed: bool,
}

impl PendingZip {
    /// Writes the staged site (`names`, sorted, read back from folder `dir`, so the site is
    /// never in memory at once) as one zip into a temporary file beside `target`
    /// (deterministic: sorted entries, fixed timestamps; the output marker included).
    fn write(target: &Path, dir: &Path, names: &[String]) -> Result<Self, OutputError> {
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = target.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let old = target.with_file_name(format!(".{name}.old-{}", std::process::id()));
        // Temporary zips of killed runs (other pids) go; their names are ours alone.
        if let (Some(parent), Some(prefix)) =
            (target.parent(), tmp.file_name().and_then(|n| n.to_str()).and_then(|n| n.rsplit_once("-")).map(|(p, _)| format!("{p}-")))
            && let Ok(rd) = fs::read_dir(if parent.as_os_str().is_empty() { Path::new(".") } else { parent })
        {
            for e in rd.filter_map(Result::ok) {
                if e.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)) && e.file_type().is_ok_and(|t| t.is_file()) {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
        let pending = PendingZip { target: target.to_path_buf(), tmp, old, backed_up: false, placed: false };
        let zerr = |e: &dyn std::fmt::Display| io_err("cannot write", target, &std::io::Error::other(e.to_string()));
        // `create_new` never follows a symlink planted at the temporary name.
        let f = OpenOptions::new().write(true).create_new(true).open(&pending.tmp).map_err(|e| io_err("cannot write", target, &e))?;
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        for (n, name) in std::iter::once(MARKER).chain(names.iter().map(String::as_str)).enumerate() {
            failpoint("zip", n).map_err(|e| io_err("cannot write", target, &e))?;
            let bytes = fs::read(dir.join(name)).map_err(|e| io_err("cannot read", Path::new(name), &e))?;
            z.start_file(name, opts).map_err(|e| zerr(&e))?;
            z.write_all(&bytes).map_err(|e| io_err("cannot write", target, &e))?;
        }
        let f = z.finish().map_err(|e| zerr(&e))?;
        f.sync_all().map_err(|e| io_err("cannot sync", target, &e))?;
        Ok(pending)
    }

    fn place(&mut self) -> Result<(), OutputError> {
        if self.target.symlink_metadata().is_ok() {
            let _ = fs::remove_file(&self.old);
            fs::rename(&self.target, &self.old).map_err(|e| io_err("cannot move aside", &self.target, &e))?;
            self.backed_up = true;
        }
        if let Err(e) = failpoint("zip-rename", 0).and_then(|()| fs::rename(&self.tmp, &self.target)) {
            if self.backed_up {
                let _ = fs::rename(&self.old, &self.target);
                self.backed_up = false;
            }
            return Err(io_err("cannot move into place", &self.target, &e));
        }
        self.placed = true;
        Ok(())
    }

    fn rollback(mut self) {
        if self.placed {
            let _ = fs::remove_file(&self.target);
            if self.backed_up {
                let _ = fs::rename(&self.old, &self.target);
                self.backed_up = false;
            }
            self.placed = false;
        }
    }

    fn finish(mut self) {
        if self.backed_up {
            let _ = fs::remove_file(&self.old);
            self.backed_up = false;
        }
        self.placed = false;
    }
}

impl Drop for PendingZip {
    /// Whatever happened, no temporary zip stays behind.
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_paths_are_refused() {
        let Ok(dir) = tempfile::tempdir() else { return };
        let root = dir.path();
        let _ = fs::create_dir_all(root.join("content"));
        for bad in [root.to_path_buf(), root.join("content"), root.join("content/x"), root.join("themes/t"), PathBuf::from("/"), root.join("..")] {
            assert!(matches!(check_out_path(root, &bad), Err(OutputError::Refused(_))), "{}", bad.display());
        }
        assert!(check_out_path(root, &root.join("public")).is_ok());
    }
}
