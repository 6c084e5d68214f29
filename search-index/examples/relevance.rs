//! Relevance report for a relevance set over a docs dump (development tool; the enforcing
//! test is `relevance_set_*` in `tests/testsuite/search.rs`, over the built bundled site).
//!
//! ```sh
//! cargo run -p search-index --example relevance -- docs.json ../tests/search-relevance.toml [nb]
//! ```
//!
//! `docs.json` is a JSON array of `SearchDoc`s. Prints one line per case (rank of the first
//! expected id, the top 3) and MRR@10, recall@10 and the top-3 count.

use search_index::{Language, SearchDoc, SearchIndex, SearchRequest, build_bundle};

#[derive(serde::Deserialize)]
struct Set {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    query: String,
    kind: String,
    expect: Vec<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [docs, set, rest @ ..] = args.as_slice() else {
        eprintln!("usage: relevance docs.json relevance.toml [nb|nn|en]");
        std::process::exit(2);
    };
    let language = rest.first().and_then(|l| Language::from_code(l)).unwrap_or(Language::Nb);
    let docs: Vec<SearchDoc> = serde_json::from_slice(&std::fs::read(docs)?)?;
    let version = docs.first().map(|d| d.version.clone()).unwrap_or_default();
    let index = SearchIndex::decode(&build_bundle(&docs, language, &version)?)?;
    let set: Set = toml::from_str(&std::fs::read_to_string(set)?)?;
    let (mut rr, mut recall, mut top3) = (0.0, 0.0, 0);
    for case in &set.case {
        let mut request = SearchRequest::new(case.query.clone());
        request.limit = Some(10);
        let t0 = std::time::Instant::now();
        let response = index.search(&request)?;
        let micros = t0.elapsed().as_micros();
        let ids: Vec<&str> = response.hits.iter().map(|h| h.id.as_str()).collect();
        let first = ids.iter().position(|id| case.expect.iter().any(|e| e == id));
        rr += first.map_or(0.0, |r| 1.0 / (r as f64 + 1.0));
        recall += case.expect.iter().filter(|e| ids.contains(&e.as_str())).count() as f64 / case.expect.len() as f64;
        let pass = case.expect.iter().all(|e| ids.iter().take(3).any(|id| id == e));
        top3 += usize::from(pass);
        println!(
            "{} {:<11} {:<45} rank {:<4} total {:<4} {:>7} µs top3 {:?}",
            if pass { "ok  " } else { "MISS" },
            case.kind,
            format!("{:?}", case.query),
            first.map_or("-".to_string(), |r| (r + 1).to_string()),
            response.total,
            micros,
            &ids[..ids.len().min(3)]
        );
    }
    let n = set.case.len() as f64;
    println!("cases {}  MRR@10 {:.3}  recall@10 {:.3}  top-3 {}/{}", set.case.len(), rr / n, recall / n, top3, set.case.len());
    Ok(())
}
