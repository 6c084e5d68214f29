//! Preview server, source side: watches `normbok.toml`, `content/` and `themes/` and turns
//! file-system events into batches of changed paths for the rebuild loop.
//!
//! All event normalisation lives here (as in Zola's `fs_utils`): access events and editor
//! temp/swap/backup files are dropped, the debouncer folds bursts, [`next_batch`] waits until
//! the tree has been quiet for [`SETTLE`] and merges whatever queued up while a build ran, and
//! the build loop builds again instead of publishing when more changes arrived during a build
//! ([`take_pending`]), so a `git checkout` of 200 files gives one reload of the complete tree
//! and two builds never run at once.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer_opt};

use crate::config::CONFIG_FILE;

/// How long the debouncer waits for a burst to end. Short, because the benchmark target
/// (save → reload under 150 ms) includes it; [`next_batch`] coalesces what it splits.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

/// How long no further change may arrive before a build starts. The debouncer splits a long
/// burst (a `git checkout`, a formatter over the tree) at its ticks; this joins the pieces.
pub const SETTLE: Duration = Duration::from_millis(80);

/// Longest a build is put off while changes keep arriving (a tool that writes forever).
pub const MAX_SETTLE: Duration = Duration::from_secs(3);

/// Whether a file name belongs to an editor's temporary, swap or backup files (vim `.x.swp`,
/// `x~` and its `4913` probe, emacs `#x#` and `.#x`, JetBrains `___jb_tmp___`, atomic-save
/// `.tmp` files). Their changes never trigger a build; the final rename does.
pub fn is_temp_file(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name.contains("___jb_tmp___")
        || name.contains("___jb_old___")
}

/// Whether a changed path can affect the site: `normbok.toml`, or a non-temporary file
/// below `content/` or `themes/` (any folder on the way that starts with `.` is hidden).
pub fn is_relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return false };
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    match parts.first().map(String::as_str) {
        Some(CONFIG_FILE) => parts.len() == 1,
        Some("content" | "themes") => parts.iter().skip(1).all(|p| !is_temp_file(p)),
        _ => false,
    }
}

/// Blocks until at least one batch arrives, then keeps taking batches until none has come
/// for [`SETTLE`] (at most [`MAX_SETTLE`]): the changes of one burst, and those made while
/// the previous build ran, become exactly one more build. `None` when the watcher is gone.
pub fn next_batch(rx: &mpsc::Receiver<Vec<PathBuf>>) -> Option<Vec<PathBuf>> {
    let mut paths = rx.recv().ok()?;
    let started = Instant::now();
    while started.elapsed() < MAX_SETTLE {
        match rx.recv_timeout(SETTLE) {
            Ok(more) => paths.extend(more),
            Err(_) => break,
        }
    }
    paths.extend(take_pending(rx));
    paths.sort();
    paths.dedup();
    Some(paths)
}

/// Every batch already queued, without waiting (empty when none): changes that arrived
/// while a build ran, which make that build stale before it is shown.
pub fn take_pending(rx: &mpsc::Receiver<Vec<PathBuf>>) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    while let Ok(more) = rx.try_recv() {
        paths.extend(more);
    }
    paths
}

/// A running watcher; dropping it stops watching.
pub struct Watcher {
    _inner: Box<dyn std::any::Any + Send>,
}

/// Starts watching `root`. Relevant changed paths are sent as batches on `tx`. With `poll`,
/// files are compared by content every 500 ms instead of relying on OS events (network
/// shares, WSL2 `/mnt/c`, some containers).
pub fn start(root: &Path, poll: bool, tx: mpsc::Sender<Vec<PathBuf>>) -> notify::Result<Watcher> {
    let filter_root = root.to_path_buf();
    let handler = move |res: DebounceEventResult| {
        let Ok(events) = res else { return };
        let mut paths: Vec<PathBuf> = events
            .into_iter()
            .filter(|e| !matches!(e.kind, EventKind::Access(_)))
            .flat_map(|e| e.event.paths)
            .filter(|p| is_relevant(&filter_root, p))
            .collect();
        if !paths.is_empty() {
            paths.sort();
            paths.dedup();
            let _ = tx.send(paths);
        }
    };
    // The root itself is watched non-recursively: only normbok.toml matters there, and a
    // recursive watch would see output folders (public/, .normbok/) and build loops.
    let targets = [
        (root.to_path_buf(), RecursiveMode::NonRecursive),
        (root.join("content"), RecursiveMode::Recursive),
        (root.join("themes"), RecursiveMode::Recursive),
    ];
    if poll {
        let config = notify::Config::default().with_poll_interval(Duration::from_millis(500)).with_compare_contents(true);
        let mut d = new_debouncer_opt::<_, notify::PollWatcher, _>(DEBOUNCE, None, handler, notify_debouncer_full::NoCache, config)?;
        for (p, mode) in targets.iter().filter(|(p, _)| p.exists()) {
            d.watch(p, *mode)?;
        }
        Ok(Watcher { _inner: Box::new(d) })
    } else {
        let mut d = new_debouncer_opt::<_, notify::RecommendedWatcher, _>(
            DEBOUNCE,
            None,
            handler,
            notify_debouncer_full::RecommendedCache::new(),
            notify::Config::default(),
        )?;
        for (p, mode) in targets.iter().filter(|(p, _)| p.exists()) {
            d.watch(p, *mode)?;
        }
        Ok(Watcher { _inner: Box::new(d) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_are_ignored() {
        for t in [".risiko.yaml.swp", "risiko.yaml~", "4913", "#risiko.yaml#", ".#risiko.yaml", "risiko.yaml.tmp", "x___jb_tmp___"] {
            assert!(is_temp_file(t), "{t}");
        }
        for f in ["risiko.yaml", "index.md", "style.css"] {
            assert!(!is_temp_file(f), "{f}");
        }
    }

    #[test]
    fn only_site_sources_are_relevant() {
        let root = Path::new("/site");
        assert!(is_relevant(root, Path::new("/site/normbok.toml")));
        assert!(is_relevant(root, Path::new("/site/content/1/requirements/a.yaml")));
        assert!(is_relevant(root, Path::new("/site/themes/t/templates/base.html")));
        assert!(!is_relevant(root, Path::new("/site/public/index.html")));
        assert!(!is_relevant(root, Path::new("/site/.normbok/link-cache.json")));
        assert!(!is_relevant(root, Path::new("/site/content/1/requirements/.a.yaml.swp")));
        assert!(!is_relevant(root, Path::new("/site/content/.git/index")));
        assert!(!is_relevant(root, Path::new("/elsewhere/normbok.toml")));
    }

    #[test]
    fn queued_batches_become_one_build() {
        let (tx, rx) = mpsc::channel();
        for i in 0..3 {
            let _ = tx.send(vec![PathBuf::from(format!("/s/content/{i}.md")), PathBuf::from("/s/normbok.toml")]);
        }
        let batch = next_batch(&rx).unwrap_or_default();
        assert_eq!(batch.len(), 4);
        drop(tx);
        assert!(next_batch(&rx).is_none());
    }

    #[test]
    fn a_burst_split_by_the_debouncer_is_one_batch() {
        let (tx, rx) = mpsc::channel();
        // Batches arrive spread out, each well inside the settle window of the one before.
        let sender = std::thread::spawn(move || {
            for i in 0..5 {
                let _ = tx.send(vec![PathBuf::from(format!("/s/content/{i}.md"))]);
                std::thread::sleep(SETTLE / 8);
            }
        });
        let batch = next_batch(&rx).unwrap_or_default();
        let _ = sender.join();
        assert_eq!(batch.len(), 5, "{batch:?}");
        assert!(take_pending(&rx).is_empty());
    }
}
