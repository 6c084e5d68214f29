//! Stage 5 (output): rendered files → the output folder, atomically.
//!
//! Protocol (RELIABILITY.md §2): take `<out>.lock`; remove stale staging folders; write
//! every file, as it is rendered ([`Staging`]), into `.<out>.staging-<pid>` beside the output (same file system); fsync; move
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
}

impl OutputError {
    /// The diagnostic to print.
    pub fn diagnostic(&self) -> &Diagnostic {
        match self {
            OutputError::Refused(d) | OutputError::Locked(d) | OutputError::Io(d) => d,
        }
    }
}

fn io_err(what: &str, path: &Path, e: &std::io::Error) -> OutputError {
    OutputError::Io(Diagnostic::global("E-OUTPUT", format!("{what} {}: {e}", path.display())))
}

/// Resolves `p` against the current directory without requiring it to exist.
fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
    // Normalize `.`/`..` lexically, then canonicalize the longest existing prefix (symlinks).
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

/// Refuses output paths that would destroy sources: `/`, the site root or an ancestor of it,
/// and anything inside `content/` or `themes/`.
pub fn check_out_path(root: &Path, out: &Path) -> Result<PathBuf, OutputError> {
    let root = absolute(root);
    let out = absolute(out);
    let refuse = |why: &str| {
        Err(OutputError::Refused(
            Diagnostic::global("E-OUTPUT-PATH", format!("refusing to write the site to {}: {why}", out.display()))
                .help("choose a separate folder such as `public`"),
        ))
    };
    if out.parent().is_none() {
        return refuse("it is the file system root");
    }
    if root.starts_with(&out) {
        return refuse("it is the site root or contains it");
    }
    for protected in ["content", "themes"] {
        if out.starts_with(root.join(protected)) {
            return refuse(&format!("it is inside {protected}/"));
        }
    }
    if out.join(crate::config::CONFIG_FILE).exists() {
        return refuse("it contains a normbok.toml (a site, not an output folder)");
    }
    Ok(out)
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
    let mut file =
        OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(|e| io_err("cannot open lock", &path, &e))?;
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

/// Test hook: fail after writing this many files (env `NORMBOK_FAIL_AFTER_FILES`) or at the
/// final rename (env `NORMBOK_FAIL_AT=rename`), to prove that failures leave the previous
/// output intact. Only in debug builds, which is what the test suite runs.
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

/// Writes `files` to `out` atomically, keeping `preserve`d entries of a previous output.
pub fn write_site(out: &Path, files: &Files, preserve: &[String]) -> Result<(), OutputError> {
    let staging = Staging::begin(out, preserve)?;
    files.par_iter().try_for_each(|(path, bytes)| staging.write(path, bytes))?;
    staging.commit().map(drop)
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
    /// Takes `<out>.lock`, removes stale staging folders and creates a fresh one.
    pub fn begin(out: &Path, preserve: &[String]) -> Result<Staging, OutputError> {
        let lock = lock(out)?;
        remove_stale(out);
        let dir = sibling(out, &format!("staging-{}", std::process::id()));
        fs::create_dir_all(&dir).map_err(|e| io_err("cannot create", &dir, &e))?;
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
        let n = self.written.fetch_add(1, Ordering::Relaxed);
        failpoint("files", n).map_err(|e| io_err("cannot write", &target, &e))?;
        if let Some(parent) = target.parent() {
            let known = self.dirs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains(parent);
            if !known {
                fs::create_dir_all(parent).map_err(|e| io_err("cannot create", parent, &e))?;
                self.dirs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(parent.to_path_buf());
            }
        }
        let mut f = File::create(&target).map_err(|e| io_err("cannot write", &target, &e))?;
        f.write_all(bytes).map_err(|e| io_err("cannot write", &target, &e))?;
        self.paths.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(path.to_string());
        Ok(())
    }

    /// Makes the staged tree durable and swaps it into place. Returns the written paths,
    /// sorted.
    pub fn commit(mut self) -> Result<Vec<String>, OutputError> {
        sync_tree(&self.dir).map_err(|e| io_err("cannot sync", &self.dir, &e))?;
        swap(&self.out, &self.dir, &self.preserve)?;
        self.committed = true;
        let mut paths = std::mem::take(&mut *self.paths.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        paths.sort();
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

/// Writes the site as one zip (deterministic: sorted entries, fixed timestamps).
pub fn write_zip(path: &Path, files: &Files) -> Result<(), OutputError> {
    write_zip_entries(path, files.iter().map(|(name, bytes)| Ok((name.as_str(), std::borrow::Cow::Borrowed(bytes.as_slice())))))
}

/// Writes the zip of a written site: the files `names` (sorted) read back from folder `dir`,
/// so the site never has to be in memory at once.
pub fn write_zip_from(path: &Path, dir: &Path, names: &[String]) -> Result<(), OutputError> {
    write_zip_entries(
        path,
        names.iter().map(|name| {
            let src = dir.join(name);
            fs::read(&src).map(|b| (name.as_str(), std::borrow::Cow::Owned(b))).map_err(|e| io_err("cannot read", &src, &e))
        }),
    )
}

type ZipEntry<'a> = Result<(&'a str, std::borrow::Cow<'a, [u8]>), OutputError>;

fn write_zip_entries<'a>(path: &Path, entries: impl Iterator<Item = ZipEntry<'a>>) -> Result<(), OutputError> {
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        std::process::id()
    ));
    let result = (|| -> Result<(), OutputError> {
        let f = File::create(&tmp).map_err(|e| io_err("cannot write", &tmp, &e))?;
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        for entry in entries {
            let (name, bytes) = entry?;
            z.start_file(name, opts).map_err(|e| io_err("cannot write zip entry", Path::new(name), &std::io::Error::other(e.to_string())))?;
            z.write_all(&bytes).map_err(|e| io_err("cannot write", &tmp, &e))?;
        }
        let f = z.finish().map_err(|e| io_err("cannot finish", &tmp, &std::io::Error::other(e.to_string())))?;
        f.sync_all().map_err(|e| io_err("cannot sync", &tmp, &e))?;
        fs::rename(&tmp, path).map_err(|e| io_err("cannot move into place", path, &e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
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
