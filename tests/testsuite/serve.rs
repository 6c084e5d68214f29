//! `normbok serve` (SPEC §9, issue 7): the real binary on 127.0.0.1, spoken to with raw
//! HTTP/1.1 so that requests can carry traversal paths and foreign `Host` headers exactly as
//! written. Timeouts here only guard against hangs; no assertion depends on timing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support;

/// Failure guard for anything that waits (a build, an event).
const GUARD: Duration = Duration::from_secs(90);

/// A running `normbok serve`; killed on drop.
struct Server {
    child: Child,
    /// The address from the printed URL (what a user would open).
    addr: SocketAddr,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    fn start(root: &Path, extra: &[&str]) -> Server {
        let mut args = vec!["serve", "--root", root.to_str().expect("utf-8 root"), "--port", "0"];
        args.extend_from_slice(extra);
        Self::spawn(&args)
    }

    fn spawn(args: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("normbok"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn normbok serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(stderr).lines() {
                let Ok(l) = l else { break };
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let mut s = Server { child, addr: SocketAddr::from(([127, 0, 0, 1], 0)), lines, seen: Vec::new() };
        let line = s.wait_line(|l| l.starts_with("serving "));
        let addr = line.split_once(" at http://").and_then(|(_, rest)| rest.split('/').next()).and_then(|a| a.parse().ok());
        s.addr = addr.unwrap_or_else(|| panic!("no http://ADDR:PORT/ in {line:?}"));
        s
    }

    /// Waits for a stderr line matching `pred` (and returns it).
    fn wait_line(&mut self, pred: impl Fn(&str) -> bool) -> String {
        loop {
            match self.lines.recv_timeout(GUARD) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if pred(&l) {
                        return l;
                    }
                }
                Err(e) => panic!("no expected line from the server ({e}); so far:\n{}", self.seen.join("\n")),
            }
        }
    }

    fn host(&self) -> String {
        self.addr.to_string()
    }

    /// A request with the given method, raw path and Host header.
    fn raw(&self, method: &str, path: &str, host: &str, extra: &str) -> Reply {
        let mut s = TcpStream::connect(self.addr).expect("connect");
        s.set_read_timeout(Some(GUARD)).expect("timeout");
        write!(s, "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n").expect("send");
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).expect("read reply");
        Reply::parse(&buf)
    }

    fn get(&self, path: &str) -> Reply {
        self.raw("GET", path, &self.host(), "")
    }

    /// Subscribes to the event stream and waits until the server confirmed the subscription.
    fn events(&self) -> Events {
        let mut s = TcpStream::connect(self.addr).expect("connect");
        s.set_read_timeout(Some(GUARD)).expect("timeout");
        write!(s, "GET /__normbok/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n", self.host()).expect("send");
        let mut e = Events { r: BufReader::new(s), head: String::new() };
        e.next_event("hello");
        e
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Events {
    r: BufReader<TcpStream>,
    head: String,
}

impl Events {
    /// Reads until an `event: <name>` line (the stream is chunked; chunk-size lines are skipped).
    fn next_event(&mut self, name: &str) {
        let want = format!("event: {name}");
        loop {
            let mut l = String::new();
            let n = self.r.read_line(&mut l).expect("event stream read (guard timeout?)");
            assert!(n > 0, "event stream closed; headers: {}", self.head);
            if self.head.len() < 2000 {
                self.head.push_str(&l);
            }
            if l.trim_end() == want {
                return;
            }
        }
    }
}

struct Reply {
    status: u16,
    headers: String,
    body: String,
}

impl Reply {
    fn parse(buf: &[u8]) -> Reply {
        let text = String::from_utf8_lossy(buf).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        Reply { status, headers: head.to_ascii_lowercase(), body: body.to_string() }
    }
}

fn site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("site");
    support::copy_dir(&support::repo().join("tests/fixtures/base/minimal"), &root);
    (tmp, root)
}

fn req_file(root: &Path) -> PathBuf {
    root.join("content/1/requirements/risiko.yaml")
}

/// Done-when: an edit on disk leads to a reload event, after which the new content is served.
#[test]
fn serve_edit_on_disk_reloads_with_new_content() {
    let (_tmp, root) = site();
    let mut server = Server::start(&root, &[]);
    let page = server.get("/1/requirements/RISK-01.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Risikovurdering før endringer"));
    assert!(page.body.contains("<script src=\"/__normbok/live.js\"></script>"), "served HTML carries the reload script");

    let mut events = server.events();
    let f = req_file(&root);
    let text = std::fs::read_to_string(&f).expect("read").replace("Risikovurdering før endringer", "Risikovurdering før hver endring");
    std::fs::write(&f, text).expect("write");
    events.next_event("reload");
    let page = server.get("/1/requirements/RISK-01.html");
    assert!(page.body.contains("Risikovurdering før hver endring"), "new content after the reload event");
    // Lists that show the requirement follow too.
    assert!(server.get("/1/chapters/risiko.html").body.contains("Risikovurdering før hver endring"));
    server.wait_line(|l| l.starts_with("built "));

    let js = server.get("/__normbok/live.js");
    assert_eq!(js.status, 200);
    assert!(js.body.contains("sessionStorage"), "the reload keeps the scroll position");
}

/// Issue 11 item 16: a 200-file burst (a `git checkout`) gives one reload, and the site it
/// announces is the complete tree. A later edit gives exactly one more.
#[test]
fn serve_a_200_file_burst_gives_one_reload_of_the_complete_tree() {
    let (_tmp, root) = site();
    let mut server = Server::start(&root, &[]);
    let mut events = server.events();
    let dir = root.join("content/1/pages/burst");
    std::fs::create_dir_all(&dir).expect("mkdir");
    // Spread over a few hundred milliseconds, longer than the debouncer's window, as a
    // checkout of a large tree is.
    for i in 0..200 {
        std::fs::write(dir.join(format!("p{i:03}.md")), format!("---\ntitle: Side {i}\n---\n\nTekst {i}.\n")).expect("write");
        std::thread::sleep(Duration::from_millis(1));
    }
    events.next_event("reload");
    for i in 0..200 {
        let r = server.get(&format!("/1/burst/p{i:03}.html"));
        assert_eq!(r.status, 200, "page {i} missing after the first reload: a partial tree was announced");
    }
    server.wait_line(|l| l.starts_with("built "));
    std::fs::write(dir.join("p000.md"), "---\ntitle: Side 0\n---\n\nEndret.\n").expect("write");
    events.next_event("reload");
    server.wait_line(|l| l.starts_with("built "));
    assert!(server.get("/1/burst/p000.html").body.contains("Endret."));
    let changes = server.seen.iter().filter(|l| l.starts_with("change: ")).count();
    assert_eq!(changes, 2, "one build cycle for the burst, one for the edit: {:?}", server.seen);
}

/// `normbok build` output never contains the live-reload script.
#[test]
fn serve_script_is_not_in_build_output() {
    let (tmp, root) = site();
    let out = tmp.path().join("public");
    let o = support::normbok(&root, &["build", "--out", out.to_str().expect("utf-8")]);
    assert_eq!(support::code(&o), 0, "{}", support::stderr(&o));
    for (path, bytes) in support::tree(&out) {
        assert!(!String::from_utf8_lossy(&bytes).contains("__normbok"), "{path} mentions the preview server");
    }
}

/// Item 5: a broken file keeps the last good site, shows an escaped overlay, and fixing it
/// rebuilds and reloads; the server keeps running throughout.
#[test]
fn serve_error_overlay_is_escaped_and_fix_reloads() {
    let (_tmp, root) = site();
    let mut server = Server::start(&root, &[]);
    let mut events = server.events();
    let bad = root.join("content/1/requirements/<img src=x onerror=alert(1)>.yaml");
    std::fs::write(&bad, "chapter: [unclosed\n  <script>alert(2)</script>\n").expect("write bad file");
    events.next_event("reload");
    server.wait_line(|l| l.contains("still serving the last good build"));

    let page = server.get("/1/requirements/RISK-01.html");
    assert_eq!(page.status, 200, "the last good site stays served");
    assert!(page.body.contains("Risikovurdering før endringer"));
    assert!(page.body.contains("id=\"normbok-overlay\""), "overlay shown");
    assert!(page.body.contains("&lt;img src=x onerror=alert(1)&gt;.yaml"), "file name escaped in the overlay");
    assert!(!page.body.contains("<img src=x"), "no markup from the file name");
    assert!(!page.body.contains("<script>alert(2)"), "no markup from the content");
    assert!(server.get("/no-such-page.html").body.contains("id=\"normbok-overlay\""), "404 pages show it too");

    std::fs::remove_file(&bad).expect("fix");
    events.next_event("reload");
    let page = server.get("/1/requirements/RISK-01.html");
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("normbok-overlay"), "overlay gone after the fix");
    assert!(server.child.try_wait().expect("status").is_none(), "server still running");
}

/// A site that is broken from the start is served as an overlay, not an exit.
#[test]
fn serve_starts_on_a_broken_site_and_recovers() {
    let (_tmp, root) = site();
    let f = req_file(&root);
    let good = std::fs::read_to_string(&f).expect("read");
    std::fs::write(&f, "requirements: [\n").expect("break");
    let server = Server::start(&root, &[]);
    let page = server.get("/");
    assert_eq!(page.status, 404);
    assert!(page.body.contains("normbok-overlay"));
    assert!(page.body.contains("risiko.yaml"));
    let mut events = server.events();
    std::fs::write(&f, good).expect("fix");
    events.next_event("reload");
    let page = server.get("/1/requirements/RISK-01.html");
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("normbok-overlay"));
}

/// Item 6: traversal in every encoding gets 400/404 and never a byte from outside the site.
#[test]
fn serve_refuses_path_traversal() {
    let (tmp, root) = site();
    std::fs::write(tmp.path().join("secret.txt"), "TOP-SECRET-OUTSIDE").expect("secret");
    let server = Server::start(&root, &[]);
    for p in [
        "/../../etc/passwd",
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/secret.txt",
        "/..%2f..%2fetc%2fpasswd",
        "/..%2fsecret.txt",
        "/..%5c..%5csecret.txt",
        "/C:%5cWindows%5cwin.ini",
        "/index.html%00.txt",
        "/%00",
        "/1/../../secret.txt",
        "/normbok.toml",
        "/content/1/requirements/risiko.yaml",
        "//etc/passwd",
        "/%252e%252e/secret.txt",
    ] {
        let r = server.get(p);
        assert!(r.status == 400 || r.status == 404, "{p}: status {}", r.status);
        assert!(!r.body.contains("TOP-SECRET-OUTSIDE") && !r.body.contains("root:x:0"), "{p} leaked a file");
        assert!(!r.body.contains("[[versions]]") && !r.body.contains("RISK-02\n    title"), "{p} served a source file");
    }
}

/// Item 6: GET and HEAD only.
#[test]
fn serve_allows_only_get_and_head() {
    let (_tmp, root) = site();
    let server = Server::start(&root, &[]);
    for m in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let r = server.raw(m, "/index.html", &server.host(), "Content-Length: 0\r\n");
        assert_eq!(r.status, 405, "{m}");
        assert!(r.headers.contains("allow: get, head"), "{m}: {}", r.headers);
    }
    let head = server.raw("HEAD", "/index.html", &server.host(), "");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(server.get("/index.html").status, 200);
}

/// Item 6: a foreign `Host` (DNS rebinding) is refused; no response allows any origin.
#[test]
fn serve_refuses_foreign_host_and_sends_no_wildcard_cors() {
    let (_tmp, root) = site();
    let server = Server::start(&root, &[]);
    let port = server.addr.port();
    for h in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost:{}", port.wrapping_add(1)),
    ] {
        let r = server.raw("GET", "/index.html", &h, "");
        assert_eq!(r.status, 403, "{h}");
        assert!(!r.body.contains("<html"), "{h}");
    }
    for h in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}")] {
        assert_eq!(server.raw("GET", "/index.html", &h, "").status, 200, "{h}");
    }
    for p in ["/index.html", "/__normbok/live.js", "/missing", "/../x"] {
        let r = server.raw("GET", p, &server.host(), "Origin: http://evil.example\r\n");
        assert!(!r.headers.contains("access-control-allow-origin"), "{p}: {}", r.headers);
    }
}

/// Directory URLs serve their index.html; `/dir` redirects to `/dir/`.
#[test]
fn serve_directory_urls() {
    let (_tmp, root) = site();
    let server = Server::start(&root, &[]);
    let r = server.get("/");
    assert_eq!(r.status, 200);
    assert!(r.headers.contains("content-type: text/html"));
    let r = server.get("/1");
    assert_eq!(r.status, 308);
    assert!(r.headers.contains("location: /1/"));
    assert_eq!(server.get("/1/").status, 200);
    assert_eq!(server.get("/static/style.css").status, 200);
    assert_eq!(server.get("/nope.html").status, 404);
}

/// A taken port: the server uses the next free one and says so.
#[test]
fn serve_falls_back_to_the_next_free_port() {
    let (_tmp, root) = site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let p = port.to_string();
    let mut server = Server::spawn(&["serve", "--root", root.to_str().expect("utf-8"), "--port", &p]);
    assert_ne!(server.addr.port(), port);
    assert!(server.seen.iter().any(|l| l.contains(&format!("port {port} is in use"))), "{:?}", server.seen);
    assert_eq!(server.get("/").status, 200);
    server.child.kill().ok();
    drop(taken);
}

/// Issue 11 item 20: `--bind 127.0.0.2` and `--bind ::1` print a URL that connects (the
/// bound address, IPv6 in brackets) and whose `Host` the loopback check accepts.
#[test]
fn serve_prints_a_url_that_connects_for_other_loopback_binds() {
    let (_tmp, root) = site();
    for (bind, host) in [("127.0.0.2", "127.0.0.2"), ("::1", "[::1]")] {
        let mut server = Server::start(&root, &["--bind", bind]);
        assert!(server.seen.iter().any(|l| l.contains(&format!(" at http://{host}:{}/", server.addr.port()))), "{bind}: {:?}", server.seen);
        assert_eq!(server.addr.ip().to_string(), bind);
        let r = server.get("/index.html");
        assert_eq!(r.status, 200, "{bind}: {}", r.headers);
        server.child.kill().ok();
    }
}

/// Builds a two-version site from the minimal fixture: version 1 (current) and 0 (older).
fn two_version_site() -> (tempfile::TempDir, PathBuf) {
    let (tmp, root) = site();
    support::copy_dir(&root.join("content/1"), &root.join("content/0"));
    let older = root.join("content/0/requirements/risiko.yaml");
    let text = std::fs::read_to_string(&older).expect("read").replace("Risikovurderingen bør dokumenteres.", "Risikovurderingen kan dokumenteres.");
    std::fs::write(&older, text).expect("write");
    let cfg = root.join("normbok.toml");
    // The older version goes after version 1, i.e. before the first [[obligations]].
    let text = std::fs::read_to_string(&cfg).expect("read");
    let text = text.replacen("[[obligations]]", "[[versions]]\nid = \"0\"\nlabel = \"Versjon 0\"\nstatus = \"superseded\"\n\n[[obligations]]", 1);
    std::fs::write(&cfg, text).expect("write");
    (tmp, root)
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// Item 3: after each edit of a sequence, the incremental rebuild equals a full build byte
/// for byte, and only config changes render everything. The rebuilds reuse what the previous
/// build computed (parsed pages and chapters with their derived plain text, unchanged pages,
/// exports and bundles of untouched versions), so every kind of edit is covered: add, edit,
/// rename, delete, older-version edit, page edit and revert, formatting-only edit, config.
#[test]
fn serve_incremental_rebuild_is_byte_identical_to_a_full_build() {
    let (_tmp, root) = two_version_site();
    let mut rb = normbok::serve::Rebuilder::new(&root);
    let first = rb.rebuild(&[]).unwrap_or_else(|d| panic!("{}", d.render()));
    assert!(first.full);
    let reqs = root.join("content/1/requirements/risiko.yaml");
    let old_reqs = root.join("content/0/requirements/risiko.yaml");
    let page = root.join("content/1/pages/veiledning.md");
    let cfg = root.join("normbok.toml");
    let added = "  - id: RISK-04\n    title: Ny gjennomgang\n    obligation: bor\n    target_groups: [kommune]\n    statement: Gjennomgå årlig, se [[RISK-02]] og [loven](ref:pol).\n";
    type Step<'a> = (&'a str, Box<dyn Fn()>, PathBuf, bool);
    let steps: Vec<Step<'_>> = vec![
        (
            "add a requirement",
            Box::new({
                let r = reqs.clone();
                move || {
                    let mut t = std::fs::read_to_string(&r).expect("read");
                    t.push_str(added);
                    std::fs::write(&r, t).expect("write");
                }
            }),
            reqs.clone(),
            false,
        ),
        (
            "edit a requirement linked by a shortcode",
            Box::new({
                let r = reqs.clone();
                move || edit(&r, "title: Risikovurdering før endringer", "title: Risikovurdering før alle endringer")
            }),
            reqs.clone(),
            false,
        ),
        (
            "edit obligation and groups",
            Box::new({
                let r = reqs.clone();
                move || {
                    edit(
                        &r,
                        "obligation: bor\n    target_groups: [kommune]\n    statement: |",
                        "obligation: skal\n    target_groups: [kommune, leverandor]\n    statement: |",
                    )
                }
            }),
            reqs.clone(),
            false,
        ),
        (
            "rename a requirement",
            Box::new({
                let r = reqs.clone();
                move || edit(&r, "id: RISK-04", "id: RISK-05")
            }),
            reqs.clone(),
            false,
        ),
        (
            "delete a requirement",
            Box::new({
                let r = reqs.clone();
                move || {
                    let t = std::fs::read_to_string(&r).expect("read");
                    std::fs::write(&r, t.replace(added.replace("RISK-04", "RISK-05").as_str(), "")).expect("write");
                }
            }),
            reqs.clone(),
            false,
        ),
        (
            "edit a requirement of the older version",
            Box::new({
                let r = old_reqs.clone();
                move || edit(&r, "Tiltak skal følges opp", "Tiltak skal alltid følges opp")
            }),
            old_reqs.clone(),
            false,
        ),
        (
            "remove a requirement from the older version",
            Box::new({
                let r = old_reqs.clone();
                move || {
                    let t = std::fs::read_to_string(&r).expect("read");
                    let cut = t.find("  - id: RISK-03").expect("RISK-03");
                    std::fs::write(&r, &t[..cut]).expect("write");
                }
            }),
            old_reqs.clone(),
            false,
        ),
        (
            "edit a page body",
            Box::new({
                let p = page.clone();
                move || edit(&p, "Virksomheten skal vurdere risiko", "Virksomheten skal alltid vurdere risiko")
            }),
            page.clone(),
            false,
        ),
        (
            "revert the page edit",
            Box::new({
                let p = page.clone();
                move || edit(&p, "Virksomheten skal alltid vurdere risiko", "Virksomheten skal vurdere risiko")
            }),
            page.clone(),
            false,
        ),
        (
            "edit a statement's plain text only (CSV, JSON and search fragments)",
            Box::new({
                let r = old_reqs.clone();
                move || edit(&r, "Risikovurderingen kan dokumenteres.", "Risikovurderingen *kan* dokumenteres.")
            }),
            old_reqs.clone(),
            false,
        ),
        (
            "change normbok.toml",
            Box::new({
                let c = cfg.clone();
                move || edit(&c, "title = \"Testveileder\"", "title = \"Testveileder 2\"")
            }),
            cfg.clone(),
            true,
        ),
    ];
    for (what, change, path, full) in steps {
        change();
        let inc = rb.rebuild(std::slice::from_ref(&path)).unwrap_or_else(|d| panic!("{what}: {}", d.render()));
        assert_eq!(inc.full, full, "{what}: full render");
        let reference = normbok::compile(&root).unwrap_or_else(|d| panic!("{what}: {}", d.render())).files;
        let got: std::collections::BTreeMap<String, Vec<u8>> = inc.files.iter().map(|(k, v)| (k.clone(), v.to_vec())).collect();
        let missing: Vec<&String> = reference.keys().filter(|k| !got.contains_key(*k)).collect();
        let extra: Vec<&String> = got.keys().filter(|k| !reference.contains_key(*k)).collect();
        let differ: Vec<&String> = reference.iter().filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v)).map(|(k, _)| k).collect();
        assert!(missing.is_empty() && extra.is_empty() && differ.is_empty(), "{what}: missing {missing:?}, extra {extra:?}, different {differ:?}");
        if !full {
            assert!(inc.rendered < reference.len(), "{what}: rendered {} of {}", inc.rendered, reference.len());
        }
    }
}

/// Editor temp, swap and backup files never start a build; the real save does.
#[test]
fn serve_ignores_editor_temp_files() {
    let (_tmp, root) = site();
    let mut server = Server::start(&root, &[]);
    let mut events = server.events();
    let dir = root.join("content/1/requirements");
    // (`.#risiko.yaml`, emacs' lock file, is left out: the watcher ignores it, but the loader
    // reads `*.yaml` in requirements/ even when hidden, so it would fail the build.)
    for name in [".risiko.yaml.swp", "risiko.yaml~", "4913", "#risiko.yaml#", "risiko.yaml.tmp"] {
        std::fs::write(dir.join(name), "not: [yaml").expect("temp file");
    }
    edit(&req_file(&root), "Risikovurdering før endringer", "Risikovurdering før enhver endring");
    events.next_event("reload");
    server.wait_line(|l| l.starts_with("built ") || l.starts_with("build failed"));
    let changes: Vec<&String> = server.seen.iter().filter(|l| l.starts_with("change: ")).collect();
    assert!(changes.iter().any(|l| l.contains("risiko.yaml")), "{changes:?}");
    for l in &changes {
        assert!(
            !l.contains("swp") && !l.contains("4913") && !l.contains('#') && !l.contains('~') && !l.contains(".tmp"),
            "temp file started a build: {l}"
        );
    }
    assert!(server.get("/1/requirements/RISK-01.html").body.contains("Risikovurdering før enhver endring"));
}

/// `--poll` finds changes without file-system events.
#[test]
fn serve_poll_detects_changes() {
    let (_tmp, root) = site();
    let server = Server::start(&root, &["--poll"]);
    let mut events = server.events();
    edit(&req_file(&root), "Dokumentert risikovurdering", "Dokumentert og godkjent risikovurdering");
    events.next_event("reload");
    assert!(server.get("/1/requirements/RISK-02.html").body.contains("Dokumentert og godkjent risikovurdering"));
}
