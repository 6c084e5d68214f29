//! `normbok check --external` (SPEC §8, issue 6) against HTTP servers on 127.0.0.1/127.0.0.2
//! only: wiremock for scripted answers, tiny std servers for hanging, huge and counted
//! connections. Every test site contains loopback URLs only, so no traffic leaves the machine.
//! Timeouts, retries and waits are made small through `[links]` to keep the suite fast.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{code, normbok, stderr};

/// `[links]` defaults for tests: loopback allowed, short timeout, no retries.
const LINKS: &[(&str, &str)] =
    &[("include_private", "true"), ("timeout_secs", "2"), ("max_retries", "0"), ("retry_wait_ms", "100"), ("per_host_concurrency", "2")];

/// A one-version site whose home page is `page`, with `[links]` = defaults overridden by `links`.
/// A requirement statement and a reference `url` use `yaml_url` when given (sources in YAML).
fn site(links: &[(&str, &str)], page: &str, yaml_url: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let mut conf: Vec<(String, String)> = LINKS.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    for (k, v) in links {
        conf.retain(|(ck, _)| ck != k);
        conf.push((k.to_string(), v.to_string()));
    }
    let mut toml = String::from(
        "title = \"Lenketest\"\n\n[[versions]]\nid = \"1\"\nlabel = \"Versjon 1\"\nstatus = \"current\"\n\n[[obligations]]\nid = \"skal\"\nlabel = \"Skal\"\n\n[[target_groups]]\nid = \"alle\"\nlabel = \"Alle\"\n\n[links]\n",
    );
    for (k, v) in conf {
        toml.push_str(&format!("{k} = {v}\n"));
    }
    let root = dir.path();
    std::fs::write(root.join("normbok.toml"), toml).expect("write");
    std::fs::create_dir_all(root.join("content/1/pages")).expect("mkdir");
    std::fs::create_dir_all(root.join("content/1/requirements")).expect("mkdir");
    std::fs::write(root.join("content/1/pages/index.md"), format!("---\ntitle: Lenker\n---\n\n{page}")).expect("write");
    if let Some(u) = yaml_url {
        std::fs::create_dir_all(root.join("content/1/references")).expect("mkdir");
        std::fs::write(
            root.join("content/1/requirements/a.yaml"),
            format!(
                "chapter:\n  id: a\n  title: A\nrequirements:\n  - id: A-1\n    title: Krav\n    obligation: skal\n    target_groups: [alle]\n    statement: |\n      Se [partner]({u}).\n    references: [p]\n"
            ),
        )
        .expect("write");
        std::fs::write(
            root.join("content/1/references/r.yaml"),
            format!("references:\n  - id: p\n    kind: website\n    title: Partner\n    url: {u}\n"),
        )
        .expect("write");
    }
    dir
}

fn check_json(root: &Path, extra: &[&str]) -> (Output, Value) {
    let r = root.display().to_string();
    let mut args = vec!["check", "--external", "--format", "json", "--root", &r];
    args.extend_from_slice(extra);
    let o = normbok(root, &args);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}\n{}", String::from_utf8_lossy(&o.stdout), stderr(&o)));
    (o, v)
}

fn link<'a>(report: &'a Value, url: &str) -> &'a Value {
    report["links"].as_array().and_then(|a| a.iter().find(|l| l["url"] == url)).unwrap_or_else(|| panic!("{url} not in {report:#}"))
}

fn verdict(report: &Value, url: &str) -> String {
    link(report, url)["verdict"].as_str().unwrap_or_default().to_string()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

/// A wiremock server on `ip` (wiremock serves from its own thread).
fn server(rt: &tokio::runtime::Runtime, ip: &str) -> MockServer {
    let l = TcpListener::bind((ip, 0)).expect("bind");
    rt.block_on(MockServer::builder().listener(l).start())
}

fn mount(rt: &tokio::runtime::Runtime, s: &MockServer, p: &str, r: impl Respond + 'static) {
    rt.block_on(Mock::given(method("GET")).and(path(p)).respond_with(r).mount(s));
}

fn requests_to(rt: &tokio::runtime::Runtime, s: &MockServer, p: &str) -> usize {
    rt.block_on(s.received_requests()).unwrap_or_default().iter().filter(|r| r.url.path() == p).count()
}

#[test]
fn statuses_verdicts_sources_and_json_shape() {
    let rt = rt();
    let s = server(&rt, "127.0.0.1");
    let u = s.uri();
    mount(&rt, &s, "/ok", ResponseTemplate::new(200));
    mount(&rt, &s, "/old", ResponseTemplate::new(301).insert_header("Location", format!("{u}/new").as_str()));
    mount(&rt, &s, "/new", ResponseTemplate::new(200));
    mount(&rt, &s, "/missing", ResponseTemplate::new(404));
    mount(&rt, &s, "/gone", ResponseTemplate::new(410));
    mount(&rt, &s, "/forbidden", ResponseTemplate::new(403));
    let page = format!("[a]({u}/ok)\n\n[b]({u}/old)\n\n[c]({u}/missing)\n\n[d]({u}/gone)\n\n[e]({u}/forbidden)\n\n[f]({u}/ok)\n");
    let dir = site(&[], &page, Some(&format!("{u}/ok")));
    let (o, v) = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!(verdict(&v, &format!("{u}/ok")), "ok");
    assert_eq!(verdict(&v, &format!("{u}/old")), "redirected");
    assert_eq!(link(&v, &format!("{u}/old"))["final_url"], format!("{u}/new"));
    assert_eq!(verdict(&v, &format!("{u}/missing")), "broken");
    assert_eq!(link(&v, &format!("{u}/missing"))["status"], 404);
    assert_eq!(verdict(&v, &format!("{u}/gone")), "broken");
    assert_eq!(verdict(&v, &format!("{u}/forbidden")), "unverified");
    // Every use of a URL: twice in the page, once in a YAML Markdown field, once as a reference url.
    let sources: Vec<String> = link(&v, &format!("{u}/ok"))["sources"]
        .as_array()
        .map(|a| a.iter().map(|s| format!("{}:{}", s["file"].as_str().unwrap_or(""), s["line"])).collect())
        .unwrap_or_default();
    assert_eq!(
        sources,
        ["content/1/pages/index.md:5", "content/1/pages/index.md:15", "content/1/references/r.yaml:5", "content/1/requirements/a.yaml:10"]
    );
    // Exactly the SPEC §8 shape.
    let mut keys: Vec<&str> = v["summary"].as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(keys, ["broken", "cached", "excluded", "ok", "redirected", "total", "unverified"]);
    let mut lkeys: Vec<&str> = link(&v, &format!("{u}/ok")).as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    lkeys.sort_unstable();
    assert_eq!(lkeys, ["detail", "final_url", "sources", "status", "url", "verdict"]);
    assert_eq!(v["summary"]["total"], 5);
    assert_eq!((v["summary"]["broken"].as_u64(), v["summary"]["unverified"].as_u64()), (Some(2), Some(1)));
    // The de-duplicated URL was requested once.
    assert_eq!(requests_to(&rt, &s, "/ok"), 1);

    // Text: grouped by verdict, every source listed.
    let r = dir.path().display().to_string();
    let o = normbok(dir.path(), &["check", "--external", "--no-cache", "--root", &r]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(code(&o), 3);
    assert!(out.contains("broken (2):") && out.contains("unverified (1):") && out.contains("redirected (1):"), "{out}");
    assert!(out.contains(&format!("{u}/missing — 404 Not Found")), "{out}");
    assert!(out.contains("used at: content/1/pages/index.md:5, content/1/pages/index.md:15, content/1/references/r.yaml:5"), "{out}");
    assert!(out.find("broken (2):") < out.find("ok (1):"), "problems first: {out}");
}

#[test]
fn all_ok_exits_zero_and_writes_the_default_cache() {
    let rt = rt();
    let s = server(&rt, "127.0.0.1");
    mount(&rt, &s, "/ok", ResponseTemplate::new(200));
    let dir = site(&[], &format!("[a]({}/ok)\n", s.uri()), None);
    let (o, v) = check_json(dir.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(v["summary"]["ok"], 1);
    assert!(dir.path().join(".normbok/link-cache.json").is_file());
}

/// Records when each request arrived; answers 429 + `Retry-After: 2` the first time.
struct RateLimited {
    seen: Arc<Mutex<Vec<Instant>>>,
    always: bool,
}

impl Respond for RateLimited {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut seen = self.seen.lock().expect("lock");
        seen.push(Instant::now());
        if self.always {
            ResponseTemplate::new(429)
        } else if seen.len() == 1 {
            ResponseTemplate::new(429).insert_header("Retry-After", "2")
        } else {
            ResponseTemplate::new(200)
        }
    }
}

struct Stamp(Arc<Mutex<Vec<Instant>>>);

impl Respond for Stamp {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.lock().expect("lock").push(Instant::now());
        ResponseTemplate::new(200).set_delay(Duration::from_millis(50))
    }
}

#[test]
fn retry_after_delays_only_that_host() {
    let rt = rt();
    let a = server(&rt, "127.0.0.1");
    let b = server(&rt, "127.0.0.2");
    let a_seen = Arc::new(Mutex::new(Vec::new()));
    let b_seen = Arc::new(Mutex::new(Vec::new()));
    mount(&rt, &a, "/limited", RateLimited { seen: a_seen.clone(), always: false });
    for i in 0..6 {
        mount(&rt, &b, &format!("/b{i}"), Stamp(b_seen.clone()));
    }
    let mut page = format!("[a]({}/limited)\n", a.uri());
    for i in 0..6 {
        page.push_str(&format!("\n[b{i}]({}/b{i})\n", b.uri()));
    }
    let dir = site(&[("max_retries", "2")], &page, None);
    let (o, v) = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(code(&o), 0, "{}\n{v:#}", stderr(&o));
    assert_eq!(verdict(&v, &format!("{}/limited", a.uri())), "ok");
    let a_seen = a_seen.lock().expect("lock").clone();
    let b_seen = b_seen.lock().expect("lock").clone();
    assert_eq!(a_seen.len(), 2, "one 429, then one success");
    let gap = a_seen[1] - a_seen[0];
    assert!(gap >= Duration::from_secs(2), "retried after {gap:?}, before Retry-After");
    // The other host went on at its own pace: 6 requests, 2 at a time, 50 ms each.
    assert_eq!(b_seen.len(), 6);
    for t in &b_seen {
        let after = t.saturating_duration_since(a_seen[0]);
        assert!(after < Duration::from_millis(1500), "other host delayed by {after:?}");
    }
}

/// 503 with `Retry-After: 1`, then 200.
struct Unavailable(Arc<Mutex<Vec<Instant>>>);

impl Respond for Unavailable {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut seen = self.0.lock().expect("lock");
        seen.push(Instant::now());
        if seen.len() == 1 { ResponseTemplate::new(503).insert_header("Retry-After", "1") } else { ResponseTemplate::new(200) }
    }
}

#[test]
fn retry_after_on_503_is_honoured() {
    let rt = rt();
    let s = server(&rt, "127.0.0.1");
    let seen = Arc::new(Mutex::new(Vec::new()));
    mount(&rt, &s, "/maint", Unavailable(seen.clone()));
    let dir = site(&[("max_retries", "1")], &format!("[a]({}/maint)\n", s.uri()), None);
    let (o, v) = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(code(&o), 0, "{}\n{v:#}", stderr(&o));
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2);
    assert!(seen[1] - seen[0] >= Duration::from_secs(1), "retried after {:?}", seen[1] - seen[0]);
}

#[test]
fn always_429_is_unverified_not_broken() {
    let rt = rt();
    let s = server(&rt, "127.0.0.1");
    let seen = Arc::new(Mutex::new(Vec::new()));
    mount(&rt, &s, "/busy", RateLimited { seen: seen.clone(), always: true });
    let dir = site(&[("max_retries", "1")], &format!("[a]({}/busy)\n", s.uri()), None);
    let (o, v) = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(code(&o), 3);
    let l = link(&v, &format!("{}/busy", s.uri()));
    assert_eq!((l["verdict"].as_str(), l["status"].as_u64()), (Some("unverified"), Some(429)));
    assert_eq!(seen.lock().expect("lock").len(), 2, "bounded retries: first try + 1 retry");
}

/// A tiny HTTP server on 127.0.0.1: one thread per connection, `Connection: close`, so each
/// request has its own connection and the server can count how many are in flight at once.
struct RawServer {
    port: u16,
    connections: Arc<AtomicUsize>,
    max_open: Arc<AtomicUsize>,
}

#[derive(Clone, Copy)]
enum Behaviour {
    /// 200 after `ms` milliseconds.
    Ok(u64),
    /// Reads the request, never answers.
    Hang,
    /// 200 with a body announced as 50 MiB, streamed until the client goes away.
    Huge,
}

fn raw_server(b: Behaviour) -> RawServer {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let connections = Arc::new(AtomicUsize::new(0));
    let max_open = Arc::new(AtomicUsize::new(0));
    let open = Arc::new(AtomicUsize::new(0));
    let (c, m) = (connections.clone(), max_open.clone());
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(stream) = stream else { continue };
            c.fetch_add(1, Ordering::SeqCst);
            let now = open.fetch_add(1, Ordering::SeqCst) + 1;
            m.fetch_max(now, Ordering::SeqCst);
            let open = open.clone();
            std::thread::spawn(move || serve(stream, b, &open));
        }
    });
    RawServer { port, connections, max_open }
}

/// Serves one connection. `open` is decremented before the answer is sent: the client can
/// only start its next request after reading an answer, so counting until after the write
/// would overlap two requests that never ran at the same time.
fn serve(mut s: TcpStream, b: Behaviour, open: &AtomicUsize) {
    let done = || open.fetch_sub(1, Ordering::SeqCst);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => {
                done();
                return;
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    match b {
        Behaviour::Ok(ms) => {
            std::thread::sleep(Duration::from_millis(ms));
            done();
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        Behaviour::Hang => {
            std::thread::sleep(Duration::from_secs(20));
            done();
        }
        Behaviour::Huge => {
            done();
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 52428800\r\nConnection: close\r\n\r\n");
            let block = vec![0xFFu8; 64 * 1024];
            for _ in 0..800 {
                if s.write_all(&block).is_err() {
                    break;
                }
            }
        }
    }
}

#[test]
fn a_thousand_links_to_one_host_respect_the_per_host_limit() {
    let srv = raw_server(Behaviour::Ok(2));
    let page: String = (0..1000).map(|i| format!("[l{i}](http://127.0.0.1:{}/p/{i})\n\n", srv.port)).collect();
    let dir = site(&[("per_host_concurrency", "2"), ("max_concurrency", "16")], &page, None);
    let started = Instant::now();
    let (o, v) = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(v["summary"]["ok"], 1000);
    assert_eq!(srv.connections.load(Ordering::SeqCst), 1000);
    let max = srv.max_open.load(Ordering::SeqCst);
    assert!((1..=2).contains(&max), "{max} connections open at once");
    eprintln!("1000 links, per-host limit 2: {:?}", started.elapsed());
}

#[test]
fn hanging_server_times_out_as_unverified() {
    let srv = raw_server(Behaviour::Hang);
    let url = format!("http://127.0.0.1:{}/slow", srv.port);
    let dir = site(&[("timeout_secs", "1")], &format!("[s]({url})\n"), None);
    let started = Instant::now();
    let (o, v) = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(code(&o), 3);
    assert_eq!(verdict(&v, &url), "unverified");
    assert!(link(&v, &url)["detail"].as_str().unwrap_or("").contains("timed out"), "{v:#}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn huge_and_non_utf8_bodies_are_fine() {
    let rt = rt();
    let s = server(&rt, "127.0.0.1");
    mount(&rt, &s, "/latin1", ResponseTemplate::new(200).set_body_raw(b"<p>bl\xE5b\xE6r \xFF\xFE</p>".to_vec(), "text/html; charset=utf-8"));
    let huge = raw_server(Behaviour::Huge);
    let big = format!("http://127.0.0.1:{}/big", huge.port);
    let dir = site(&[], &format!("[a]({}/latin1)\n\n[b]({big})\n", s.uri()), None);
    let started = Instant::now();
    let (o, v) = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(verdict(&v, &big), "ok");
    assert!(started.elapsed() < Duration::from_secs(10), "the body is not read: {:?}", started.elapsed());
}

#[test]
fn mailto_private_and_excluded_urls_are_never_requested() {
    let rt = rt();
    let s = server(&rt, "127.0.0.1");
    mount(&rt, &s, "/x", ResponseTemplate::new(200));
    let local = format!("http://localhost:{}/x", s.address().port());
    let page = format!("[m](mailto:post@normen.no)\n\n[p](http://10.0.0.1/)\n\n[l]({local})\n\n[i](http://127.0.0.1:{}/x)\n", s.address().port());
    let dir = site(&[("include_private", "false")], &page, None);
    let (o, v) = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(v["summary"]["excluded"], 4, "{v:#}");
    assert_eq!(rt.block_on(s.received_requests()).unwrap_or_default().len(), 0);

    let dir = site(&[("exclude", "[\"/x$\"]")], &format!("[i]({}/x)\n", s.uri()), None);
    let (o, v) = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(link(&v, &format!("{}/x", s.uri()))["detail"].as_str().unwrap_or("").contains("exclude"));
    assert_eq!(rt.block_on(s.received_requests()).unwrap_or_default().len(), 0);
}

#[test]
fn second_run_within_ttl_reuses_successes_only() {
    let rt = rt();
    let s = server(&rt, "127.0.0.1");
    mount(&rt, &s, "/ok", ResponseTemplate::new(200));
    mount(&rt, &s, "/missing", ResponseTemplate::new(404));
    let dir = site(&[], &format!("[a]({0}/ok)\n\n[b]({0}/missing)\n", s.uri()), None);
    let cache = dir.path().join("cache/links.json");
    let c = cache.display().to_string();
    let (o, v) = check_json(dir.path(), &["--cache", &c]);
    assert_eq!(code(&o), 3);
    assert_eq!(v["summary"]["cached"], 0);
    let (o, v) = check_json(dir.path(), &["--cache", &c]);
    assert_eq!(code(&o), 3);
    assert_eq!(v["summary"]["cached"], 1);
    assert_eq!(verdict(&v, &format!("{}/ok", s.uri())), "ok");
    assert_eq!(requests_to(&rt, &s, "/ok"), 1, "cached success not requested again");
    assert_eq!(requests_to(&rt, &s, "/missing"), 2, "failures are always re-checked");
    // --no-cache ignores it.
    let (_, v) = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(v["summary"]["cached"], 0);
    assert_eq!(requests_to(&rt, &s, "/ok"), 2);
}

#[test]
fn corrupt_cache_warns_and_starts_fresh() {
    let rt = rt();
    let s = server(&rt, "127.0.0.1");
    mount(&rt, &s, "/ok", ResponseTemplate::new(200));
    let dir = site(&[], &format!("[a]({}/ok)\n", s.uri()), None);
    let cache = dir.path().join(".normbok/link-cache.json");
    std::fs::create_dir_all(cache.parent().expect("parent")).expect("mkdir");
    std::fs::write(&cache, b"{\"format\":1,\"entries\":{\"http://x\": \xFF").expect("write");
    let (o, v) = check_json(dir.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("warning[W-LINK-CACHE]"), "{}", stderr(&o));
    assert_eq!(v["summary"]["ok"], 1);
    let fixed: Value = serde_json::from_slice(&std::fs::read(&cache).expect("read")).expect("cache rewritten as JSON");
    assert!(fixed["entries"].get(format!("{}/ok", s.uri())).is_some());
}

#[test]
fn concurrent_runs_share_one_cache() {
    let rt = rt();
    let s = server(&rt, "127.0.0.1");
    for i in 0..8 {
        mount(&rt, &s, &format!("/p{i}"), ResponseTemplate::new(200).set_delay(Duration::from_millis(20)));
    }
    let shared = tempfile::tempdir().expect("tmp");
    let cache = shared.path().join("links.json").display().to_string();
    let sites: Vec<tempfile::TempDir> =
        (0..4).map(|k| site(&[], &format!("[a]({0}/p{1})\n\n[b]({0}/p{2})\n", s.uri(), 2 * k, 2 * k + 1), None)).collect();
    let children: Vec<std::process::Child> = sites
        .iter()
        .map(|d| {
            let r = d.path().display().to_string();
            std::process::Command::new(env!("CARGO_BIN_EXE_normbok"))
                .args(["check", "--external", "--format", "json", "--root", &r, "--cache", &cache])
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for mut c in children {
        assert!(c.wait().expect("wait").success());
    }
    let v: Value = serde_json::from_slice(&std::fs::read(shared.path().join("links.json")).expect("read")).expect("valid JSON after concurrent runs");
    let n = v["entries"].as_object().map_or(0, serde_json::Map::len);
    assert_eq!(n, 8, "every run's results survived: {v:#}");
}

#[test]
fn no_network_one_message_exit_3_and_build_unaffected() {
    // Nothing listens on these ports: every connection is refused, as when offline.
    let closed = |ip: &str| {
        let l = TcpListener::bind((ip, 0)).expect("bind");
        l.local_addr().expect("addr").port()
    };
    let (p1, p2) = (closed("127.0.0.1"), closed("127.0.0.2"));
    let page = format!("[a](http://127.0.0.1:{p1}/a)\n\n[b](http://127.0.0.2:{p2}/b)\n\n[c](http://127.0.0.2:{p2}/c)\n\n[m](mailto:a@b.no)\n");
    let dir = site(&[], &page, Some(&format!("http://127.0.0.1:{p1}/a")));
    let (o, v) = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("E-LINK-OFFLINE").count(), 1, "{err}");
    assert_eq!(err.matches("error[").count(), 1, "one message only: {err}");
    assert_eq!((v["summary"]["unverified"].as_u64(), v["summary"]["broken"].as_u64()), (Some(3), Some(0)), "{v:#}");
    assert_eq!(link(&v, &format!("http://127.0.0.1:{p1}/a"))["sources"].as_array().map(Vec::len), Some(3));

    let out = dir.path().join("public");
    let r = dir.path().display().to_string();
    let o = normbok(dir.path(), &["build", "--root", &r, "--out", &out.display().to_string()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn content_errors_still_exit_1() {
    let dir = site(&[], "Se [[NOPE-1]].\n", None);
    let r = dir.path().display().to_string();
    let o = normbok(dir.path(), &["check", "--external", "--root", &r]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("E-XREF"));
}

#[test]
fn invalid_links_config_is_reported() {
    let dir = site(&[("exclude", "[\"(\"]")], "Tekst.\n", None);
    let r = dir.path().display().to_string();
    let o = normbok(dir.path(), &["check", "--external", "--root", &r]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("E-LINK-CONFIG"), "{}", stderr(&o));
}

fn check_json_env(root: &Path, env: &[(&str, &str)]) -> (Output, Value) {
    let mut c = assert_cmd::Command::cargo_bin("normbok").expect("bin");
    c.current_dir(root).args(["check", "--external", "--format", "json", "--no-cache", "--root"]).arg(root);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().expect("run");
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stderr(&o)));
    (o, v)
}

/// Issue 11 item 13: `Retry-After: 999999999` and an HTTP date in 2100 do not stall the run.
/// Past `max_retry_after_secs` the link is `unverified` and the retry is never sent.
#[test]
fn huge_retry_after_is_capped_and_reported_unverified() {
    let rt = rt();
    let a = server(&rt, "127.0.0.1");
    let b = server(&rt, "127.0.0.2");
    mount(&rt, &a, "/forever", ResponseTemplate::new(429).insert_header("Retry-After", "999999999"));
    mount(&rt, &b, "/2100", ResponseTemplate::new(503).insert_header("Retry-After", "Fri, 01 Jan 2100 00:00:00 GMT"));
    let page = format!("[a]({}/forever)\n\n[b]({}/2100)\n", a.uri(), b.uri());
    let dir = site(&[("max_retries", "2"), ("max_retry_after_secs", "2")], &page, None);
    let started = Instant::now();
    let (o, v) = check_json(dir.path(), &["--no-cache"]);
    let took = started.elapsed();
    assert_eq!(code(&o), 3, "{}\n{v:#}", stderr(&o));
    for (url, status) in [(format!("{}/forever", a.uri()), "429:"), (format!("{}/2100", b.uri()), "503:")] {
        let l = link(&v, &url);
        assert_eq!(l["verdict"], "unverified", "{l:#}");
        let detail = l["detail"].as_str().unwrap_or("");
        assert!(detail.starts_with(status) && detail.contains("max_retry_after_secs (2 s)"), "{l:#}");
    }
    assert_eq!(requests_to(&rt, &a, "/forever"), 1, "the retry is not sent");
    assert_eq!(requests_to(&rt, &b, "/2100"), 1, "the retry is not sent");
    // A hang guard, not a timing assertion: without the cap lychee waits 60 s per retry.
    assert!(took < Duration::from_secs(45), "took {took:?}");
}

/// 302 to another address.
struct RedirectTo(String);

impl Respond for RedirectTo {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        ResponseTemplate::new(302).insert_header("Location", self.0.as_str())
    }
}

/// Issue 11 item 15: the private-address exclusion looks at resolved addresses and every
/// redirect hop: an IPv4-mapped IPv6 literal, a name that resolves to loopback and a redirect
/// to 127.0.0.2 are all `excluded`. Server A (127.0.0.1) plays a public partner site through
/// the debug-build hook `NORMBOK_TEST_PUBLIC_IPS`; server B (127.0.0.2) stays private.
#[test]
fn private_addresses_are_excluded_after_resolution_and_redirects() {
    let rt = rt();
    let a = server(&rt, "127.0.0.1");
    let b = server(&rt, "127.0.0.2");
    let bp = b.address().port();
    mount(&rt, &a, "/fine", ResponseTemplate::new(200));
    mount(&rt, &a, "/to-private", RedirectTo(format!("http://127.0.0.2:{bp}/t")));
    for p in ["/t", "/m", "/n"] {
        mount(&rt, &b, p, ResponseTemplate::new(200));
    }
    let urls = [
        format!("{}/fine", a.uri()),
        format!("{}/to-private", a.uri()),
        format!("http://[::ffff:127.0.0.2]:{bp}/m"),
        format!("http://partner.invalid:{bp}/n"),
        format!("http://localhost.:{}/fine", a.address().port()),
    ];
    let page: String = urls.iter().enumerate().map(|(i, u)| format!("[l{i}]({u})\n\n")).collect();
    let dir = site(&[("include_private", "false")], &page, None);
    let (o, v) = check_json_env(dir.path(), &[("NORMBOK_TEST_PUBLIC_IPS", "127.0.0.1"), ("NORMBOK_TEST_DNS", "partner.invalid=127.0.0.2")]);
    assert_eq!(code(&o), 0, "{}\n{v:#}", stderr(&o));
    assert_eq!(verdict(&v, &urls[0]), "ok", "the hook makes A public, so the others are excluded for their own reasons");
    for u in &urls[1..] {
        assert_eq!(verdict(&v, u), "excluded", "{u}: {v:#}");
    }
    assert!(link(&v, &urls[1])["detail"].as_str().unwrap_or("").contains(&format!("redirects to http://127.0.0.2:{bp}/t")), "{v:#}");
    assert_eq!(requests_to(&rt, &b, "/m"), 0);
    assert_eq!(requests_to(&rt, &b, "/n"), 0);
    assert_eq!(requests_to(&rt, &a, "/fine"), 1, "only the public URL itself, not its localhost. twin");
}
