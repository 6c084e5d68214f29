//! Stage 5′ (preview): `normbok serve` builds the site into memory instead of writing it,
//! serves it over HTTP on loopback, watches the sources and rebuilds, and tells open pages
//! to reload once a new build is in place (SPEC §9).
//!
//! Threads: the watcher's own thread feeds [`watch::next_batch`]; one build thread runs
//! every rebuild in turn (so builds never overlap) and swaps the finished site into
//! [`Shared`]; a small tokio runtime answers requests ([`http`]) from whatever site is
//! current. A failed build keeps the previous site and adds an error overlay.

pub mod http;
pub mod incremental;
pub mod watch;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock, mpsc};
use std::time::Instant;

use tokio::sync::broadcast;

use crate::Outcome;
use crate::diag::{Diagnostic, Diagnostics, Exit};
pub use http::HostPolicy;
pub use incremental::{Rebuilder, Served};

/// Options of `normbok serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Site root.
    pub root: PathBuf,
    /// Address to listen on.
    pub bind: IpAddr,
    /// First port to try.
    pub port: u16,
    /// Open the browser.
    pub open: bool,
    /// Poll the file system instead of relying on events.
    pub poll: bool,
}

/// What is being served right now.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The last good build.
    pub files: Served,
    /// The diagnostics report of the latest build when it failed (shown as an overlay).
    pub errors: Option<String>,
}

/// State shared by the build thread and the request handlers.
pub struct Shared {
    snap: RwLock<Arc<Snapshot>>,
    events: broadcast::Sender<u64>,
    policy: HostPolicy,
}

impl Shared {
    fn snapshot(&self) -> Arc<Snapshot> {
        match self.snap.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    fn swap(&self, s: Snapshot) {
        let s = Arc::new(s);
        match self.snap.write() {
            Ok(mut g) => *g = s,
            Err(p) => *p.into_inner() = s,
        }
    }
}

/// Ports tried after the requested one is taken.
const PORT_ATTEMPTS: u16 = 20;

fn log(msg: &str) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "{msg}");
    let _ = e.flush();
}

/// Binds the first free port from `port` on (port 0: one the OS picks).
fn bind(ip: IpAddr, port: u16) -> std::io::Result<std::net::TcpListener> {
    let mut last = None;
    for p in (0..PORT_ATTEMPTS).filter_map(|i| port.checked_add(i)) {
        match std::net::TcpListener::bind(SocketAddr::new(ip, p)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
        if port == 0 {
            break;
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port to try")))
}

/// Most builds in a row that are dropped because changes arrived while they ran.
const MAX_STALE_BUILDS: u32 = 5;

/// Runs one build and publishes it: the new site (or the overlay), then the reload event.
/// When `rx` is given and changes arrived while the build ran, the build is stale: nothing is
/// shown, and the builds go on (with those changes) until one finishes with none pending, so
/// readers never see a half-applied burst. The reload event is sent once, for that build.
fn publish(shared: &Shared, rebuilder: &mut Rebuilder, changed: &[PathBuf], generation: u64, rx: Option<&mpsc::Receiver<Vec<PathBuf>>>) {
    let started = Instant::now();
    let mut result = rebuilder.rebuild(changed);
    let mut builds = 1;
    // Bounded, so a tool that writes without pause still gets its site shown now and then.
    while let Some(rx) = rx.filter(|_| builds < MAX_STALE_BUILDS) {
        let mut more = watch::take_pending(rx);
        if more.is_empty() {
            break;
        }
        more.sort();
        more.dedup();
        builds += 1;
        result = rebuilder.rebuild(&more);
    }
    let ms = started.elapsed().as_millis();
    let again = if builds > 1 { format!("; {builds} builds, changes arrived during the build") } else { String::new() };
    match result {
        Ok(b) => {
            if !b.warnings.items().is_empty() {
                log(b.warnings.render().trim_end());
            }
            let how = if b.full { "full build".to_string() } else { format!("{} outputs redone", b.rendered) };
            log(&format!("built {} files in {ms} ms ({how}{again})", b.files.len()));
            shared.swap(Snapshot { files: b.files, errors: None });
        }
        Err(d) => {
            let report = d.render();
            log(report.trim_end());
            let files = shared.snapshot().files.clone();
            let still = if files.is_empty() { "nothing to serve until it builds" } else { "still serving the last good build" };
            log(&format!("build failed in {ms} ms; {still}"));
            shared.swap(Snapshot { files, errors: Some(report) });
        }
    }
    // Only now, with the new state in place, are pages told to reload.
    let _ = shared.events.send(generation);
}

/// `normbok serve`: runs until interrupted. Content errors never end it; only a failure to
/// listen or to start watching does.
pub fn run(opts: &ServeOptions) -> Outcome {
    let fail = |code: &'static str, msg: String| {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::global(code, msg));
        Outcome { exit: Exit::Invalid, diagnostics: d, summary: None }
    };
    let root = match std::fs::canonicalize(&opts.root) {
        Ok(r) => r,
        Err(e) => return fail("E-IO", format!("cannot open site root {}: {e}", opts.root.display())),
    };
    let listener = match bind(opts.bind, opts.port) {
        Ok(l) => l,
        Err(e) => return fail("E-SERVE", format!("cannot listen on {}:{} (or the next {} ports): {e}", opts.bind, opts.port, PORT_ATTEMPTS - 1)),
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => return fail("E-SERVE", format!("cannot read the listening address: {e}")),
    };
    if addr.port() != opts.port && opts.port != 0 {
        log(&format!("port {} is in use; using port {} instead", opts.port, addr.port()));
    }
    let policy = if opts.bind.is_loopback() {
        HostPolicy::Loopback(addr.port())
    } else {
        log(&format!("warning: listening on {} makes the preview reachable from other machines; requests for any host name are answered", opts.bind));
        HostPolicy::Any
    };
    let (events, _) = broadcast::channel(16);
    let shared = Arc::new(Shared { snap: RwLock::new(Arc::new(Snapshot::default())), events, policy });

    // Watch first, so edits made during the first build are not lost.
    let (tx, rx) = mpsc::channel();
    let watcher = match watch::start(&root, opts.poll, tx) {
        Ok(w) => w,
        Err(e) => return fail("E-WATCH", format!("cannot watch {}: {e}", root.display())),
    };
    let mut rebuilder = Rebuilder::new(&root);
    publish(&shared, &mut rebuilder, &[], 0, None);

    let url = url_for(addr);
    log(&format!("serving {} at {url} (Ctrl-C to stop)", root.display()));
    if opts.open {
        open_browser(&url);
    }

    let build_shared = Arc::clone(&shared);
    let build_root = root.clone();
    let builder = std::thread::Builder::new().name("normbok-build".into()).spawn(move || {
        let mut generation = 0u64;
        while let Some(batch) = watch::next_batch(&rx) {
            generation += 1;
            let shown: Vec<String> = batch.iter().take(3).map(|p| p.strip_prefix(&build_root).unwrap_or(p).display().to_string()).collect();
            log(&format!("change: {}{}", shown.join(", "), if batch.len() > 3 { format!(" and {} more", batch.len() - 3) } else { String::new() }));
            publish(&build_shared, &mut rebuilder, &batch, generation, Some(&rx));
        }
    });
    if let Err(e) = builder {
        return fail("E-SERVE", format!("cannot start the build thread: {e}"));
    }

    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail("E-SERVE", format!("cannot start the server runtime: {e}")),
    };
    let served = rt.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = axum::Router::new().fallback(http::handle).with_state(shared);
        tokio::select! {
            r = axum::serve(listener, app) => r,
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    });
    drop(watcher);
    match served {
        Ok(()) => Outcome { exit: Exit::Success, diagnostics: Diagnostics::new(), summary: Some("stopped".into()) },
        Err(e) => fail("E-SERVE", format!("server error: {e}")),
    }
}

/// The URL to print for the bound address: the address itself (so `--bind 127.0.0.2` or
/// `::1` prints one that connects), IPv6 in brackets; a wildcard bind is reached through the
/// loopback address of its family.
pub fn url_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    // `SocketAddr`'s Display brackets IPv6 (and drops a zero scope id).
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(cmd).arg(url).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn() {
        log(&format!("warning: could not open a browser ({cmd}: {e}); open {url} yourself"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_urls_use_the_bound_address() {
        let cases = [
            ("127.0.0.1:1111", "http://127.0.0.1:1111/"),
            ("127.0.0.2:8", "http://127.0.0.2:8/"),
            ("[::1]:1111", "http://[::1]:1111/"),
            ("0.0.0.0:5", "http://127.0.0.1:5/"),
            ("[::]:5", "http://[::1]:5/"),
            ("192.168.1.4:80", "http://192.168.1.4:80/"),
        ];
        for (addr, url) in cases {
            let a: SocketAddr = addr.parse().unwrap_or_else(|e| panic!("{addr}: {e}"));
            assert_eq!(url_for(a), url, "{addr}");
        }
    }
}
