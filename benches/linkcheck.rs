//! Benchmark of `check --external` (issue 6): 1,000 unique URLs on one local server with the
//! default `[links]` settings (only `include_private = true`, without which loopback is never
//! requested), cold (no cache) and warm (every result cached). Goals: < 5 s cold, < 0.5 s warm.
//!
//! Run: `cargo bench --bench linkcheck` (release). Each iteration is a whole run of the
//! library's `check_external`: loading and validating the site, collecting, checking, reporting.

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use normbok::diag::Exit;
use normbok::linkcheck::{CacheChoice, ExternalOptions, check_external};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const N: usize = 1000;

fn write_site(root: &Path, base: &str) {
    let toml = "title = \"Bench\"\n\n[[versions]]\nid = \"1\"\nlabel = \"1\"\nstatus = \"current\"\n\n[[obligations]]\nid = \"skal\"\nlabel = \"Skal\"\n\n[[target_groups]]\nid = \"alle\"\nlabel = \"Alle\"\n\n[links]\ninclude_private = true\n";
    std::fs::write(root.join("normbok.toml"), toml).expect("write");
    std::fs::create_dir_all(root.join("content/1/pages")).expect("mkdir");
    std::fs::create_dir_all(root.join("content/1/requirements")).expect("mkdir");
    let mut page = String::from("---\ntitle: Lenker\n---\n\n");
    for i in 0..N {
        page.push_str(&format!("- [lenke {i}]({base}/side/{i})\n"));
    }
    std::fs::write(root.join("content/1/pages/index.md"), page).expect("write");
}

fn run(root: &Path, cache: CacheChoice) {
    let r = check_external(&ExternalOptions { root: root.to_path_buf(), strict: false, cache, progress: false });
    assert_eq!(r.outcome.exit, Exit::Success, "{}", r.outcome.diagnostics.render());
    let report = r.report.expect("report");
    assert_eq!(report.links.len(), N);
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let server = rt.block_on(MockServer::builder().listener(listener).start());
    rt.block_on(Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&server));
    let dir = tempfile::tempdir().expect("tmp");
    write_site(dir.path(), &server.uri());
    let cache = dir.path().join("link-cache.json");

    // Sanity: a cold run really requests every URL, a warm one none.
    let requests = || rt.block_on(server.received_requests()).map_or(0, |r| r.len());
    let before = requests();
    run(dir.path(), CacheChoice::Off);
    assert_eq!(requests() - before, N, "a cold run requests every URL once");
    run(dir.path(), CacheChoice::File(cache.clone()));
    let before = requests();
    run(dir.path(), CacheChoice::File(cache.clone()));
    assert_eq!(requests(), before, "a warm run requests nothing");
    std::fs::remove_file(&cache).expect("reset cache");

    let mut g = c.benchmark_group("linkcheck");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("1000 urls, one local host, cold", |b| b.iter(|| run(dir.path(), CacheChoice::Off)));
    run(dir.path(), CacheChoice::File(cache.clone()));
    g.bench_function("1000 urls, warm cache", |b| b.iter(|| run(dir.path(), CacheChoice::File(cache.clone()))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
