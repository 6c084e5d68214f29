//! Stage 1 (load): walking the site's folders and reading files safely.
//!
//! Nothing outside the site root is ever read: symlinks are resolved and checked before
//! they are followed, loops are reported, file names must be UTF-8, only regular files are read and
//! never beyond the size limit, and every I/O failure becomes a located diagnostic instead of a skipped file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::diag::{Diagnostic, Loc, line_col};

/// A file found under the site root, not yet decoded.
#[derive(Debug, Clone)]
pub struct Found {
    /// Site-relative path with `/`, NFC-normalized.
    pub rel: String,
    /// Where it is on disk.
    pub abs: PathBuf,
}

/// A decoded text file.
#[derive(Debug, Clone)]
pub struct TextFile {
    /// Site-relative path with `/`, NFC-normalized.
    pub rel: String,
    /// Content: UTF-8, BOM removed, line endings `\n`, NFC.
    pub text: String,
}

/// Site-relative display path of `p` (lossy for non-UTF-8 names, which are reported anyway).
pub fn rel_display(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

/// NFC-normalizes `s` (cheap when it already is).
pub fn nfc(s: &str) -> String {
    if is_nfc_quick(s.chars()) == IsNormalized::Yes { s.to_string() } else { s.nfc().collect() }
}

/// Lists every file below `dir` (which must be inside `root`). `root` must be canonical.
/// Symlinks are followed only when they stay inside the root.
pub fn list_files(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Found> {
    let mut out = Vec::new();
    // The folder walked from (`content/<v>`, `themes/<t>`) or one of its parents may itself be
    // a symlink; the per-entry check below only sees links inside it.
    if let Err(d) = check_inside(root, dir) {
        diags.push(d);
        return out;
    }
    let mut escaped: Vec<Diagnostic> = Vec::new();
    let walker = walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        if !e.path_is_symlink() {
            return true;
        }
        match std::fs::canonicalize(e.path()) {
            Ok(target) if target.starts_with(root) => true,
            Ok(target) => {
                escaped.push(
                    Diagnostic::error(
                        "E-SYMLINK-ESCAPE",
                        Loc::file(rel_display(root, e.path())),
                        format!("symlink points outside the site root (to {})", target.display()),
                    )
                    .help("normbok never reads files outside the site root; copy the file into the site instead"),
                );
                false
            }
            // A dangling link: let the read below report it with the OS error.
            Err(_) => true,
        }
    });
    for entry in walker {
        match entry {
            Ok(e) => {
                if e.file_type().is_dir() {
                    continue;
                }
                let rel_lossy = rel_display(root, e.path());
                if !e.file_type().is_file() {
                    // FIFOs would block the build forever, device nodes never end.
                    diags.push(not_regular(&rel_lossy, e.file_type()));
                    continue;
                }
                let Some(name) = e.path().strip_prefix(root).ok().and_then(|p| p.to_str()) else {
                    diags.push(
                        Diagnostic::error("E-PATH-UTF8", Loc::file(rel_lossy.clone()), format!("file name is not valid UTF-8: `{rel_lossy}`"))
                            .help("rename the file using UTF-8 (e.g. with `convmv`)"),
                    );
                    continue;
                };
                out.push(Found { rel: nfc(&name.replace('\\', "/")), abs: e.path().to_path_buf() });
            }
            Err(err) => {
                let path = err.path().map(|p| rel_display(root, p)).unwrap_or_default();
                if err.loop_ancestor().is_some() {
                    diags.push(
                        Diagnostic::error(
                            "E-SYMLINK-LOOP",
                            Loc::file(path.clone()),
                            format!("symlink loop: `{path}` leads back to one of its own parent folders"),
                        )
                        .help("remove the symlink"),
                    );
                } else {
                    let msg = err.io_error().map_or_else(|| err.to_string(), std::string::ToString::to_string);
                    diags.push(Diagnostic::error("E-IO", Loc::file(path.clone()), format!("{path}: {msg}")));
                }
            }
        }
    }
    diags.extend(escaped);
    check_nfc_variants(&out, diags);
    out
}

/// Two names that differ only in Unicode normalization (macOS writes NFD) would silently
/// collapse into one page after NFC normalization.
fn check_nfc_variants(files: &[Found], diags: &mut Vec<Diagnostic>) {
    let mut by_name: BTreeMap<&str, Vec<&Found>> = BTreeMap::new();
    for f in files {
        by_name.entry(f.rel.as_str()).or_default().push(f);
    }
    for (name, group) in by_name {
        if group.len() > 1 {
            diags.push(
                Diagnostic::error(
                    "E-NFC-VARIANT",
                    Loc::file(name),
                    format!("{} files are named `{name}` once Unicode-normalized (NFC vs NFD spelling)", group.len()),
                )
                .help("keep one of them; editors on macOS may save names in NFD"),
            );
        }
    }
}

/// Reads and decodes many files in parallel. Results keep the input order.
pub fn read_all(files: &[Found], max_size: u64) -> Vec<Result<TextFile, Diagnostic>> {
    files.par_iter().map(|f| read_text(f, max_size)).collect()
}

/// Reads one file as text: size limit first, then UTF-8, BOM, line endings and NFC.
pub fn read_text(f: &Found, max_size: u64) -> Result<TextFile, Diagnostic> {
    let bytes = read_bounded(&f.rel, &f.abs, max_size)?;
    Ok(TextFile { rel: f.rel.clone(), text: decode(&f.rel, bytes)? })
}

/// Whether `path` (below `root`, which must be canonical) stays inside the root once every
/// symlink on the way is resolved. The error names the first component that leads out.
pub fn check_inside(root: &Path, path: &Path) -> Result<(), Diagnostic> {
    let Ok(target) = std::fs::canonicalize(path) else {
        // Missing or dangling: whoever reads it reports the OS error.
        return Ok(());
    };
    if target.starts_with(root) {
        return Ok(());
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut culprit = root.to_path_buf();
    for c in rel.components() {
        culprit.push(c);
        if std::fs::symlink_metadata(&culprit).is_ok_and(|m| m.file_type().is_symlink())
            && std::fs::canonicalize(&culprit).is_ok_and(|t| !t.starts_with(root))
        {
            break;
        }
    }
    let shown = rel_display(root, &culprit);
    Err(Diagnostic::error("E-SYMLINK-ESCAPE", Loc::file(shown.clone()), format!("`{shown}` points outside the site root (to {})", target.display()))
        .help("normbok never reads files outside the site root; copy the files into the site instead"))
}

fn not_regular(rel: &str, t: std::fs::FileType) -> Diagnostic {
    #[cfg(unix)]
    let kind = {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            "a named pipe (FIFO)"
        } else if t.is_socket() {
            "a socket"
        } else if t.is_block_device() || t.is_char_device() {
            "a device node"
        } else {
            "not a regular file"
        }
    };
    #[cfg(not(unix))]
    let kind = {
        let _ = t;
        "not a regular file"
    };
    Diagnostic::error("E-NOT-REGULAR", Loc::file(rel), format!("`{rel}` is {kind}; only regular files are read"))
        .help("remove it from the site folder (normbok reads regular files and folders only)")
}

/// Reads a regular file, never more than `max_size + 1` bytes: the limit holds while
/// reading, so a file that grows (or lies about its size) cannot exhaust memory. The file is
/// opened non-blocking and checked on the open handle, so a FIFO swapped in after the walk
/// cannot hang the build either.
pub fn read_bounded(rel: &str, abs: &Path, max_size: u64) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read as _;
    let meta = std::fs::metadata(abs).map_err(|e| io_diag(rel, &e))?;
    if !meta.is_file() {
        return Err(not_regular(rel, meta.file_type()));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(rustix::fs::OFlags::NONBLOCK.bits().cast_signed());
    }
    let file = opts.open(abs).map_err(|e| io_diag(rel, &e))?;
    let meta = file.metadata().map_err(|e| io_diag(rel, &e))?;
    if !meta.is_file() {
        return Err(not_regular(rel, meta.file_type()));
    }
    let too_large = |n: u64| {
        Diagnostic::error("E-TOO-LARGE", Loc::file(rel), format!("file is too large: {n} bytes > limit {max_size}"))
            .help("split the file, or raise [limits] max_file_size in normbok.toml")
    };
    if meta.len() > max_size {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max_size.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| io_diag(rel, &e))?;
    if bytes.len() as u64 > max_size {
        // It grew after the stat (or the size was never known): say what we know.
        return Err(Diagnostic::error("E-TOO-LARGE", Loc::file(rel), format!("file is too large: more than {max_size} bytes (the limit)"))
            .help("split the file, or raise [limits] max_file_size in normbok.toml"));
    }
    Ok(bytes)
}

fn io_diag(rel: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error("E-IO", Loc::file(rel), format!("{rel}: {e}"))
}

/// Decodes file bytes into normalized text. The returned text has the same line structure as
/// the file, so line numbers found later are line numbers in the file.
pub fn decode(rel: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let valid = String::from_utf8_lossy(&bytes[..bad]);
            let (line, col) = line_col(&valid, valid.len());
            return Err(Diagnostic::error("E-UTF8", Loc::new(rel, line, col), format!("file is not valid UTF-8 (byte offset {bad})"))
                .help("save the file as UTF-8; normbok does not guess other encodings"));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let text = if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_string() };
    Ok(nfc(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_normalizes() {
        let a = decode("a", "\u{feff}bla\u{030a}b\u{e6}r\r\nx\r\n".as_bytes().to_vec()).unwrap_or_default();
        assert_eq!(a, "blåbær\nx\n");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn device_nodes_are_not_read() {
        // /dev/zero never ends: reading it would exhaust memory. It is refused before any read.
        let t = std::time::Instant::now();
        let e = read_bounded("content/1/pages/null.md", Path::new("/dev/zero"), 1024).err().map(|d| d.to_string()).unwrap_or_default();
        assert!(e.starts_with("content/1/pages/null.md:1:1: error[E-NOT-REGULAR]"), "{e}");
        assert!(e.contains("device node"), "{e}");
        assert!(t.elapsed().as_secs() < 5);
    }

    #[test]
    fn reads_are_bounded_while_reading() {
        let dir = std::env::temp_dir().join(format!("normbok-walk-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let f = dir.join("stor.md");
        let _ = std::fs::write(&f, vec![b'a'; 2000]);
        let e = read_bounded("stor.md", &f, 1000).err().map(|d| d.code);
        assert_eq!(e, Some("E-TOO-LARGE"));
        assert_eq!(read_bounded("stor.md", &f, 2000).map(|b| b.len()).ok(), Some(2000));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn decode_reports_line_of_bad_byte() {
        let mut b = b"a\nb\nc\nd\ne\nf\nbl".to_vec();
        b.extend([0xE5, b'b', 0xE6, b'r']);
        let e = decode("x.md", b).err().map(|d| d.to_string()).unwrap_or_default();
        assert!(e.starts_with("x.md:7:3: error[E-UTF8]"), "{e}");
    }
}
