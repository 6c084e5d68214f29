//! Measures bundle size and query speed.
//!
//! ```text
//! cargo run --release -p search-index --example measure -- --synthetic 1000
//! cargo run --release -p search-index --example measure -- docs.json [nb|nn|en] [version]
//! ```
//! `docs.json` is a JSON array of `SearchDoc`s (the builder's input).
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../tests/common/synthetic.rs"]
mod synthetic;

use std::time::Instant;

use search_index::{Language, SearchDoc, SearchIndex, SearchRequest, build_bundle};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (docs, language, version): (Vec<SearchDoc>, Language, String) = match args.as_slice() {
        [flag, n] if flag == "--synthetic" => (synthetic::corpus(n.parse().unwrap(), "1.0"), Language::Nb, "1.0".into()),
        [path, rest @ ..] => {
            let docs: Vec<SearchDoc> = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
            let language = rest.first().map_or(Language::Nb, |l| l.parse().unwrap());
            let version = rest.get(1).cloned().unwrap_or_else(|| docs[0].version.clone());
            (docs, language, version)
        }
        _ => {
            eprintln!("usage: measure --synthetic N | measure docs.json [lang] [version]");
            std::process::exit(2);
        }
    };
    let text: usize = docs.iter().map(|d| d.title.len() + d.body.len()).sum();
    let t = Instant::now();
    let bundle = build_bundle(&docs, language, &version).unwrap();
    let build = t.elapsed();
    let t = Instant::now();
    let index = SearchIndex::decode(&bundle).unwrap();
    let decode = t.elapsed();
    println!(
        "{} docs, {} KiB of text: bundle {} bytes ({:.0} bytes per 1,000 docs), base64 JS {} bytes; build {:?}, decode {:?}",
        docs.len(),
        text / 1024,
        bundle.len(),
        bundle.len() as f64 * 1000.0 / docs.len().max(1) as f64,
        search_index::to_js(&bundle, &version).len(),
        build,
        decode
    );
    for (name, size) in search_index::bundle::file_sizes(&bundle).unwrap() {
        println!("  {name:45} {size:>9} bytes");
    }
    if std::env::var_os("SPACE").is_some() {
        space(&index);
    }
    if let Some(p) = std::env::var_os("DUMP") {
        std::fs::write(p, &bundle).unwrap();
    }
    let queries = [
        "leverandøren",
        "leveran",
        "sikkerhet",
        "risikovurdering før endringer",
        "\"informasjonssikkerhet og personvern\"",
        "pers",
        "AVT-01",
        "tilgang logg",
    ];
    let rounds = 200;
    for query in queries {
        let request = SearchRequest::new(query);
        let response = index.search(&request).unwrap();
        let t = Instant::now();
        for _ in 0..rounds {
            index.search(&request).unwrap();
        }
        let each = t.elapsed() / rounds;
        let top: Vec<&str> = response.hits.iter().take(3).map(|h| h.id.as_str()).collect();
        println!("{query:45} total {:5}  {each:>10.1?} per query  top {top:?}", response.total);
    }
}

#[allow(dead_code)]
fn space(index: &SearchIndex) {
    let searcher = index.tantivy_index().reader().unwrap().searcher();
    let usage = searcher.space_usage().unwrap();
    for seg in usage.segments() {
        for (label, per_field) in [("termdict", seg.termdict()), ("postings", seg.postings()), ("positions", seg.positions())] {
            for f in per_field.fields() {
                println!("  {label:10} {:15} {:>8}", f.field_name(), f.total().get_bytes());
            }
        }
    }
}
