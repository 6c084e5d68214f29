//! Criterion benches of the in-process stages of `normbok build` (issue 8): loading (disk →
//! text), YAML records → model, Markdown rendering, version diffing, search indexing and a
//! native (wasm-free) query, each on a corpus from `examples/corpus.rs`.
//!
//! Run with `cargo bench --bench pipeline`; `NORMBOK_BENCH_N` changes the corpus size
//! (default 1,000 requirements × 3 versions, so one run takes a few minutes on 2 cores).
//! Figures and the machine they came from are in `BENCHMARKS.md`.

use std::hint::black_box;
use std::path::Path;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use normbok::model::Site;
use normbok::model::markdown::Target;
use normbok::model::markdown::plain_text;
use normbok::render::markdown::{Links, to_html};
use search_index::{Kind, Language, SearchDoc, SearchIndex, SearchRequest, build_bundle};

// The generator is an example binary; including its source keeps one generator for the
// command line, `benches/compare.sh` and these benches. Its `main` is unused here.
#[allow(dead_code)]
#[path = "../examples/corpus.rs"]
mod corpus;

fn corpus_size() -> usize {
    std::env::var("NORMBOK_BENCH_N").ok().and_then(|s| s.parse().ok()).unwrap_or(1000)
}

/// Generates the corpus once per bench process into a temporary folder.
fn corpus_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    corpus::generate(dir.path(), corpus_size(), 3, 1, corpus::Flavor::Normbok, 20);
    dir
}

fn load_site(root: &Path) -> Site {
    match normbok::check(root) {
        Ok((site, _)) => site,
        Err(d) => panic!("corpus does not validate:\n{}", d.render()),
    }
}

/// Links resolved the way a requirement page resolves them, without the rest of the site.
struct BenchLinks;

impl Links for BenchLinks {
    fn href(&self, target: &Target) -> Option<String> {
        Some(match target {
            Target::Req { id, .. } => format!("{id}.html"),
            Target::Ref(id) => format!("../references/{id}.html"),
            Target::External(u) => u.clone(),
            _ => "#".to_string(),
        })
    }

    fn shortcode_label(&self, _version: Option<&str>, id: &str) -> String {
        id.to_string()
    }
}

/// The search documents of the newest version: one per requirement (title, plain body).
fn search_docs(site: &Site) -> Vec<SearchDoc> {
    let v = &site.versions[0];
    v.requirements
        .iter()
        .map(|r| {
            let mut body = plain_text(&r.statement.text);
            if let Some(g) = &r.guidance {
                body.push(' ');
                body.push_str(&plain_text(&g.text));
            }
            SearchDoc {
                id: r.id.value.clone(),
                kind: Kind::Requirement,
                title: r.title.clone(),
                excerpt: search_index::make_excerpt(&body, 160),
                body,
                url: format!("{}/requirements/{}.html", v.id, r.id.value),
                target_groups: r.target_groups.iter().map(|g| g.value.clone()).collect(),
                obligation: Some(r.obligation.value.clone()),
                version: v.id.clone(),
            }
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let dir = corpus_dir();
    let root = dir.path();
    let site = load_site(root);
    let n: usize = site.versions.iter().map(|v| v.requirements.len()).sum();

    let mut g = c.benchmark_group("stages");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));

    // Disk → decoded text (files are in the page cache after the first sample).
    g.bench_function("load", |b| b.iter(|| normbok::load::load(black_box(root)).map(|l| l.versions.len()).unwrap_or(0)));

    // YAML records and front matter → typed model (includes each text's Markdown scan).
    let loaded = normbok::load::load(root).unwrap_or_else(|_| panic!("load"));
    g.bench_function("yaml_model", |b| b.iter_batched(|| loaded.clone(), |l| normbok::model::build(l).0.versions.len(), BatchSize::LargeInput));

    g.bench_function("validate", |b| b.iter(|| normbok::validate::validate(black_box(&site)).items().len()));

    // Markdown → HTML of every statement and guidance text of all versions.
    g.bench_function("markdown", |b| {
        b.iter(|| {
            let mut bytes = 0;
            for v in &site.versions {
                for r in &v.requirements {
                    bytes += to_html(&r.statement.text, &r.statement.scan.headings, &BenchLinks, Default::default()).len();
                    if let Some(gd) = &r.guidance {
                        bytes += to_html(&gd.text, &gd.scan.headings, &BenchLinks, Default::default()).len();
                    }
                }
            }
            bytes
        })
    });

    // Diffs between consecutive versions, histories and permalinks.
    g.bench_function("versions_analyse", |b| b.iter(|| normbok::versions::analyse(black_box(&site)).history.len()));

    let hist = normbok::versions::analyse(&site);
    g.bench_function("render", |b| b.iter(|| normbok::render::render(black_box(&site), &hist).map(|f| f.len()).unwrap_or(0)));
    g.finish();

    let docs = search_docs(&site);
    let mut g = c.benchmark_group("search");
    g.sample_size(10);
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.bench_function("build_bundle", |b| b.iter(|| build_bundle(black_box(&docs), Language::Nb, &site.versions[0].id).map(|x| x.len()).unwrap_or(0)));
    let bundle = build_bundle(&docs, Language::Nb, &site.versions[0].id).unwrap_or_else(|e| panic!("bundle: {e}"));
    g.bench_function("decode", |b| b.iter(|| SearchIndex::decode(black_box(&bundle)).map(|i| i.num_docs()).unwrap_or(0)));
    let index = SearchIndex::decode(&bundle).unwrap_or_else(|e| panic!("decode: {e}"));
    g.throughput(Throughput::Elements(1));
    for q in ["tilgangsstyringen", "logg oppslag journal", "leverandøren skal dokumentere", "krypt"] {
        let req = SearchRequest::new(q);
        g.bench_function(format!("query/{q}"), |b| b.iter(|| index.search(black_box(&req)).map(|r| r.total).unwrap_or(0)));
    }
    g.finish();
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
