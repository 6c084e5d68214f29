//! Benchmark of the preview server's rebuild (issue 7): on a generated site, how long from
//! saving one requirement to the `reload` event, against a full build.
//!
//! ```text
//! cargo run --release --example corpus -- --out /tmp/bench10k --requirements 10000 --versions 2
//! NORMBOK_BENCH_SITE=/tmp/bench10k cargo bench --bench serve
//! ```
//!
//! Three figures: `compile()` of the whole site (what `normbok build` does before writing),
//! the in-process incremental rebuild after one edit, and end to end through the real
//! `normbok serve` binary (file write → watcher → debounce → rebuild → swap → SSE event
//! read by a client). The site is copied to a temporary folder first; edits alternate a
//! requirement title so every save is a real change.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SAVES: usize = 15;

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let dst = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &dst)?;
        } else {
            std::fs::copy(e.path(), &dst)?;
        }
    }
    Ok(())
}

/// The first requirement file of the current (first) version, and its first title line.
fn target(root: &Path) -> (PathBuf, String) {
    let cfg = std::fs::read_to_string(root.join("normbok.toml")).expect("normbok.toml");
    let id = cfg.split("id = \"").nth(1).and_then(|s| s.split('"').next()).expect("a version id").to_string();
    let dir = root.join("content").join(&id).join("requirements");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("requirements").filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    let file = files.into_iter().next().expect("a requirement file");
    let text = std::fs::read_to_string(&file).expect("read");
    let line = text.lines().find(|l| l.trim_start().starts_with("title:") && l.starts_with("    ")).expect("a requirement title").to_string();
    (file, line)
}

/// Saves the file with the title line toggled (a real change every time).
fn save(file: &Path, line: &str, i: usize) {
    let text = std::fs::read_to_string(file).expect("read");
    let current = text.lines().find(|l| l.starts_with(line.trim_end_matches('"'))).expect("title line").to_string();
    let next = if i.is_multiple_of(2) { format!("{} (endret)\"", line.trim_end_matches('"')) } else { line.to_string() };
    let text = text.replacen(&current, &next, 1);
    std::fs::write(file, text).expect("write");
}

fn main() {
    let Some(src) = std::env::var_os("NORMBOK_BENCH_SITE").map(PathBuf::from) else {
        eprintln!("set NORMBOK_BENCH_SITE to a generated site (see the header of benches/serve.rs); skipping");
        return;
    };
    let tmp = std::env::temp_dir().join(format!("normbok-bench-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(&src, &tmp).expect("copy site");
    let root = std::fs::canonicalize(&tmp).expect("root");
    let reqs: usize = std::fs::read_dir(root.join("content"))
        .expect("content")
        .filter_map(Result::ok)
        .map(|v| {
            std::fs::read_dir(v.path().join("requirements"))
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|f| std::fs::read_to_string(f.path()).unwrap_or_default().matches("\n  - id: ").count())
                        .sum::<usize>()
                })
                .unwrap_or(0)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .sum();
    println!("site: {} ({reqs} requirement records over all versions)", src.display());

    let mut full = Vec::new();
    for _ in 0..2 {
        let t = Instant::now();
        let c = normbok::compile(&root).unwrap_or_else(|d| panic!("{}", d.render()));
        full.push(t.elapsed().as_secs_f64() * 1000.0);
        println!("full compile: {:.0} ms ({} files)", full[full.len() - 1], c.files.len());
    }
    let (file, line) = target(&root);

    let mut rb = normbok::serve::Rebuilder::new(&root);
    rb.rebuild(&[]).unwrap_or_else(|d| panic!("{}", d.render()));
    let mut inproc = Vec::new();
    for i in 0..SAVES {
        save(&file, &line, i);
        let t = Instant::now();
        let b = rb.rebuild(std::slice::from_ref(&file)).unwrap_or_else(|d| panic!("{}", d.render()));
        inproc.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(!b.full);
        if i == 0 {
            println!("incremental rebuild redoes {} of {} outputs", b.rendered, b.files.len());
        }
    }
    drop(rb);

    // End to end through the binary.
    let mut child = Command::new(env!("CARGO_BIN_EXE_normbok"))
        .args(["serve", "--root", root.to_str().expect("utf-8"), "--port", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn normbok serve");
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    let mut port = 0u16;
    let mut l = String::new();
    while err.read_line(&mut l).expect("server output") > 0 {
        if let Some(p) = l.trim_end().rsplit_once("127.0.0.1:").and_then(|(_, p)| p.split('/').next()).and_then(|p| p.parse().ok()) {
            port = p;
            break;
        }
        l.clear();
    }
    std::thread::spawn(move || for _ in err.lines() {});
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(300))).expect("timeout");
    write!(s, "GET /__normbok/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").expect("subscribe");
    let mut events = BufReader::new(s);
    // Reads events until `name`; returns false when the read timed out first.
    let mut wait = |name: &str, patience: Duration| -> bool {
        let _ = events.get_ref().set_read_timeout(Some(patience));
        let mut l = String::new();
        loop {
            l.clear();
            match events.read_line(&mut l) {
                Ok(0) => panic!("event stream closed"),
                Ok(_) if l.trim_end() == format!("event: {name}") => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    };
    assert!(wait("hello", Duration::from_secs(600)));
    let mut e2e = Vec::new();
    let mut extra = 0;
    for i in 0..SAVES {
        let t = Instant::now();
        save(&file, &line, i);
        assert!(wait("reload", Duration::from_secs(600)), "no reload event");
        e2e.push(t.elapsed().as_secs_f64() * 1000.0);
        // A second rebuild for the same save would show up as another event here; count
        // them, and start the next save only once the server is quiet.
        while wait("reload", Duration::from_secs(2)) {
            extra += 1;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&tmp);

    println!("full compile          median {:>8.0} ms  (runs: {:?})", median(&mut full.clone()), full.iter().map(|x| x.round()).collect::<Vec<_>>());
    println!(
        "incremental rebuild   median {:>8.1} ms  over {SAVES} saves (min {:.1}, max {:.1})",
        median(&mut inproc.clone()),
        inproc.iter().copied().fold(f64::INFINITY, f64::min),
        inproc.iter().copied().fold(0.0, f64::max)
    );
    println!("extra reload events after a save: {extra} (one rebuild per save expected)");
    println!(
        "save → reload event   median {:>8.1} ms  over {SAVES} saves (min {:.1}, max {:.1})",
        median(&mut e2e.clone()),
        e2e.iter().copied().fold(f64::INFINITY, f64::min),
        e2e.iter().copied().fold(0.0, f64::max)
    );
}
