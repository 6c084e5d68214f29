//! Link checking, step 2 and 5: the persistent result cache (`.normbok/link-cache.json`).
//!
//! Re-checking every partner URL on every CI run is slow and is itself what trips rate limits,
//! so successful results are reused for `cache_ttl_days`. Failures are never stored: a link
//! that was broken or unverified is checked again next time. Several runs may share one cache
//! (parallel CI jobs, an editor's terminal), so saving re-reads the file under a lock and
//! merges, then replaces it atomically (temporary file + rename): a reader never sees half a
//! file, and no run loses another's results. A corrupt file is reported and replaced.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::verdict::Verdict;
use crate::diag::{Diagnostic, Loc};

/// Version of the cache file layout; other versions are ignored (and replaced).
const FORMAT: u32 = 1;

/// A cached success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When it was checked (seconds since the Unix epoch).
    pub checked_at: u64,
    /// `ok` or `redirected`.
    pub verdict: Verdict,
    /// Final HTTP status.
    pub status: Option<u16>,
    /// Final URL after redirects.
    pub final_url: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    format: u32,
    entries: BTreeMap<String, Entry>,
}

/// The cache as read at the start of a run.
#[derive(Debug, Default)]
pub struct Cache {
    entries: BTreeMap<String, Entry>,
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn ttl_secs(ttl_days: u64) -> u64 {
    ttl_days.saturating_mul(86_400)
}

fn is_fresh(e: &Entry, now: u64, ttl_days: u64) -> bool {
    matches!(e.verdict, Verdict::Ok | Verdict::Redirected) && e.checked_at <= now && now - e.checked_at < ttl_secs(ttl_days)
}

fn shown(path: &Path, root: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// Reads `text` as a cache file; `None` when it is not one.
fn parse(text: &str) -> Option<BTreeMap<String, Entry>> {
    let f: File = serde_json::from_str(text).ok()?;
    (f.format == FORMAT).then_some(f.entries)
}

impl Cache {
    /// Reads the cache. A missing file is an empty cache; an unreadable or corrupt one is an
    /// empty cache plus a warning (the run goes on and writes a good file at the end).
    pub fn load(path: &Path, root: &Path) -> (Cache, Option<Diagnostic>) {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Cache::default(), None),
            Err(e) => {
                let d = Diagnostic::warning("W-LINK-CACHE", Loc::file(shown(path, root)), format!("cannot read the link cache: {e}"))
                    .help("every link is checked again; the cache is rewritten at the end");
                return (Cache::default(), Some(d));
            }
        };
        match parse(&text) {
            Some(entries) => (Cache { entries }, None),
            None => {
                let d = Diagnostic::warning(
                    "W-LINK-CACHE",
                    Loc::file(shown(path, root)),
                    "the link cache is corrupt or from another normbok version; starting fresh",
                )
                .help("every link is checked again; the file is replaced at the end of this run");
                (Cache::default(), Some(d))
            }
        }
    }

    /// A success for `url` younger than the TTL.
    pub fn fresh(&self, url: &str, now: u64, ttl_days: u64) -> Option<&Entry> {
        self.entries.get(url).filter(|e| is_fresh(e, now, ttl_days))
    }
}

/// Saves this run's results: `Some` stores a success, `None` forgets the URL (failures are
/// never cached, and a success from an earlier run must not outlive a failure now).
/// Expired entries are dropped. Other runs' entries written meanwhile are kept.
pub fn save(path: &Path, root: &Path, results: &[(String, Option<Entry>)], ttl_days: u64) -> Result<(), Diagnostic> {
    let fail = |what: &str, e: std::io::Error| {
        Diagnostic::warning("W-LINK-CACHE", Loc::file(shown(path, root)), format!("cannot save the link cache ({what}): {e}"))
            .help("the results of this run are not reused next time")
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail("create folder", e))?;
    }
    let _lock = lock(path).map_err(|e| fail("lock", e))?;
    // Merge with whatever is on disk now, not what was read at the start of the run.
    let mut entries = std::fs::read_to_string(path).ok().and_then(|t| parse(&t)).unwrap_or_default();
    for (url, entry) in results {
        match entry {
            Some(e) => entries.insert(url.clone(), e.clone()),
            None => entries.remove(url),
        };
    }
    let now = now();
    entries.retain(|_, e| is_fresh(e, now, ttl_days));
    let json = serde_json::to_string_pretty(&File { format: FORMAT, entries }).map_err(|e| fail("encode", std::io::Error::other(e)))?;
    let tmp = temp_path(path);
    let written = std::fs::write(&tmp, json.as_bytes()).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail("write", e));
    }
    Ok(())
}

/// A temporary name beside `path`, unique per process and call.
fn temp_path(path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".tmp-{}-{n}", std::process::id()));
    path.with_file_name(name)
}

/// An exclusive lock on `<cache>.lock`, held until dropped (the file descriptor closes).
#[cfg(unix)]
fn lock(path: &Path) -> std::io::Result<std::fs::File> {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path.with_file_name(name))?;
    rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive)?;
    Ok(f)
}

/// Without `flock`, concurrent saves can still not corrupt the file (rename is atomic), but one
/// run's new entries may be lost.
#[cfg(not(unix))]
fn lock(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(at: u64) -> Option<Entry> {
        Some(Entry { checked_at: at, verdict: Verdict::Ok, status: Some(200), final_url: None })
    }

    #[test]
    fn saves_merges_and_forgets_failures() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join(".normbok/link-cache.json");
        let t = now();
        save(&p, dir.path(), &[("a".into(), ok(t)), ("b".into(), ok(t))], 7).expect("save");
        save(&p, dir.path(), &[("c".into(), ok(t)), ("b".into(), None), ("old".into(), ok(t - 8 * 86_400))], 7).expect("save");
        let (c, warn) = Cache::load(&p, dir.path());
        assert!(warn.is_none());
        assert!(c.fresh("a", t, 7).is_some() && c.fresh("c", t, 7).is_some());
        assert!(c.fresh("b", t, 7).is_none() && c.fresh("old", t, 7).is_none());
        assert!(c.fresh("a", t + 7 * 86_400, 7).is_none(), "expired after the TTL");
    }

    #[test]
    fn corrupt_file_warns_and_starts_fresh() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("c.json");
        std::fs::write(&p, "{\"format\":1,\"entries\":{\"a\":").expect("write");
        let (c, warn) = Cache::load(&p, dir.path());
        assert_eq!(warn.map(|d| d.code), Some("W-LINK-CACHE"));
        assert!(c.entries.is_empty());
        save(&p, dir.path(), &[("a".into(), ok(now()))], 7).expect("save over a corrupt file");
        assert!(Cache::load(&p, dir.path()).1.is_none());
    }
}
