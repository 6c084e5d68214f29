//! Bundle format: determinism, typed decode errors, JS wrappers and the checked-in
//! compatibility bundles.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use search_index::bundle::{MAGIC, base64};
use search_index::{
    BuildError, DecodeError, FORMAT_VERSION, Kind, Language, MAX_EXCERPT_CHARS, SearchDoc, SearchIndex, SearchRequest, build_bundle, read_header,
    to_js, wasm_to_js,
};

fn bundle() -> Vec<u8> {
    build_bundle(&common::corpus(), Language::Nb, common::VERSION).unwrap()
}

#[test]
fn building_twice_gives_identical_bytes() {
    let a = bundle();
    let b = bundle();
    assert_eq!(a, b);
    // Input order does not matter.
    let mut shuffled = common::corpus();
    shuffled.reverse();
    shuffled.swap(0, 3);
    assert_eq!(a, build_bundle(&shuffled, Language::Nb, common::VERSION).unwrap());
    // Exactly meta.json and one segment under the fixed id; no .managed.json or locks.
    let names: Vec<String> = search_index::bundle::file_sizes(&a).unwrap().into_iter().map(|(n, _)| n).collect();
    for name in &names {
        assert!(name == "meta.json" || name == search_index::bundle::WORDS_FILE || name.starts_with(search_index::bundle::SEGMENT_ID), "{names:?}");
    }
    assert!(names.iter().any(|n| n.ends_with(".store")), "{names:?}");
}

#[test]
fn search_index_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
}

#[test]
fn header_round_trip() {
    let bytes = bundle();
    let header = read_header(&bytes).unwrap();
    assert_eq!(header.format_version, FORMAT_VERSION);
    assert_eq!(header.language, Language::Nb);
    assert_eq!(header.version, common::VERSION);
    assert_eq!(header.num_docs as usize, common::corpus().len());
    let index = SearchIndex::decode(&bytes).unwrap();
    assert_eq!(index.num_docs() as usize, common::corpus().len());
    assert_eq!(index.language(), Language::Nb);
    assert_eq!(index.version(), common::VERSION);
}

#[test]
fn language_changes_the_bundle() {
    let en = build_bundle(&common::corpus(), Language::En, common::VERSION).unwrap();
    assert_ne!(bundle(), en);
    assert_eq!(read_header(&en).unwrap().language, Language::En);
}

#[test]
fn incompatible_format_is_a_typed_error() {
    let mut bytes = bundle();
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let err = SearchIndex::decode(&bytes).unwrap_err();
    assert_eq!(err, DecodeError::IncompatibleFormat { found: FORMAT_VERSION + 1, expected: FORMAT_VERSION });
    assert_eq!(err.code(), "incompatible-format");
    assert!(err.to_string().contains("incompatible version of normbok"), "{err}");
    // Only magic and format are read on a mismatch: a future layout cannot confuse us.
    let mut future = MAGIC.to_vec();
    future.extend_from_slice(&7u32.to_le_bytes());
    future.extend_from_slice(b"anything at all");
    assert_eq!(read_header(&future).unwrap_err(), DecodeError::IncompatibleFormat { found: 7, expected: FORMAT_VERSION });
}

#[test]
fn damaged_input_gives_errors_not_panics() {
    let bytes = bundle();
    assert_eq!(SearchIndex::decode(b"<html>oops").unwrap_err(), DecodeError::BadMagic);
    assert_eq!(SearchIndex::decode(b"").unwrap_err(), DecodeError::Truncated);
    assert_eq!(SearchIndex::decode(&bytes[..10]).unwrap_err(), DecodeError::Truncated);
    assert_eq!(SearchIndex::decode(&bytes[..12]).unwrap_err(), DecodeError::Truncated);
    let cut = SearchIndex::decode(&bytes[..bytes.len() - 100]).unwrap_err();
    assert_eq!(cut.code(), "corrupt");
    for position in (12..bytes.len()).step_by(97) {
        let mut damaged = bytes.clone();
        damaged[position] ^= 0x5a;
        let err = SearchIndex::decode(&damaged).unwrap_err();
        assert_eq!(err.code(), "corrupt", "byte {position}: {err}");
    }
}

#[test]
fn build_rejects_inconsistent_input() {
    let mut docs = common::corpus();
    assert!(matches!(build_bundle(&docs, Language::Nb, "2025 2"), Err(BuildError::InvalidVersion(_))));
    assert!(matches!(build_bundle(&docs, Language::Nb, ""), Err(BuildError::InvalidVersion(_))));
    assert!(matches!(build_bundle(&docs, Language::Nb, "2025.1"), Err(BuildError::VersionMismatch { .. })));
    let duplicate = docs[0].clone();
    docs.push(duplicate);
    assert!(matches!(build_bundle(&docs, Language::Nb, common::VERSION), Err(BuildError::DuplicateId { .. })));
    // The same id with another kind is fine (a page path may equal a reference id).
    let mut docs = common::corpus();
    let mut other = docs[0].clone();
    other.kind = Kind::Page;
    docs.push(other);
    assert!(build_bundle(&docs, Language::Nb, common::VERSION).is_ok());
}

#[test]
fn empty_bundle_searches_to_nothing() {
    let bytes = build_bundle(&[], Language::Nn, "1.0").unwrap();
    let index = SearchIndex::decode(&bytes).unwrap();
    assert_eq!(index.num_docs(), 0);
    let response = index.search(&SearchRequest::new("noko")).unwrap();
    assert_eq!(response.total, 0);
    assert_eq!(response.version, "1.0");
}

#[test]
fn excerpts_are_capped() {
    let long = "ord ".repeat(400);
    let doc = SearchDoc {
        id: "X-1".into(),
        kind: Kind::Requirement,
        title: "Lang".into(),
        body: long.clone(),
        url: "v/X-1.html".into(),
        excerpt: long,
        target_groups: vec![],
        obligation: None,
        version: "v".into(),
    };
    let index = SearchIndex::decode(&build_bundle(&[doc], Language::Nb, "v").unwrap()).unwrap();
    let hit = &index.search(&SearchRequest::new("lang ")).unwrap().hits[0];
    assert!(hit.excerpt.chars().count() <= MAX_EXCERPT_CHARS);
    assert!(hit.excerpt.ends_with('…'));
    assert_eq!(search_index::make_excerpt("  a\n\n b  ", 10), "a b");
    assert_eq!(search_index::make_excerpt("abc def ghi", 8), "abc def…");
    assert_eq!(search_index::make_excerpt("abcdefghij", 5), "abcd…");
}

fn unbase64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("bad base64 {c}"),
    };
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(4) {
        let pad = chunk.iter().filter(|&&c| c == b'=').count();
        let mut n = 0u32;
        for &c in chunk {
            n = (n << 6) | u32::from(if c == b'=' { 0 } else { value(c) });
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    out
}

#[test]
fn base64_round_trips() {
    for len in 0..10 {
        let data: Vec<u8> = (0..len).map(|i| (i * 37 + 250) as u8).collect();
        assert_eq!(unbase64(&base64(&data)), data);
    }
    assert_eq!(base64(b"Man"), "TWFu");
    assert_eq!(base64(b"Ma"), "TWE=");
    assert_eq!(base64(b"M"), "TQ==");
}

#[test]
fn js_wrappers_register_themselves() {
    let bytes = bundle();
    let js = to_js(&bytes, common::VERSION);
    assert!(js.contains(r#"(n.bundles=n.bundles||{})["2025.2"]={format:2,data:""#), "{js:.300}");
    let start = js.find("data:\"").unwrap() + 6;
    let end = js[start..].find('"').unwrap() + start;
    assert_eq!(unbase64(&js[start..end]), bytes);
    // Any version string stays inside its JS string, even inline in HTML.
    let hostile = to_js(&bytes, "</script><script>alert(1)</script>\u{2028}\"");
    assert!(!hostile.contains('<') && !hostile.contains('\u{2028}'));
    assert!(hostile.contains(r#"\u003c/script\u003e"#));

    // The CLI reads the bundle back from the script.
    assert_eq!(search_index::from_js(&js).unwrap(), (common::VERSION.to_string(), bytes.clone()));
    let (odd, back) = search_index::from_js(&to_js(&bytes[..bytes.len() - 1], "x</y")).unwrap();
    assert_eq!((odd.as_str(), back.as_slice()), ("x</y", &bytes[..bytes.len() - 1]));
    for bad in ["", "var x = 1;", "(n.bundles=n.bundles||{})[\"v\"]={format:1,data:\"@@@@\"}"] {
        assert!(search_index::from_js(bad).is_err(), "{bad}");
    }

    let engine = wasm_to_js(b"\0asm\x01\0\0\0");
    assert!(engine.contains(&format!("n.engineFormat={FORMAT_VERSION};n.wasm=\"AGFzbQEAAAA=\"")));
}

// ---------------------------------------------------------------------------------------
// Compatibility bundles: tests/compat/bundle-v<N>.bin, built from tests/compat/docs-v<N>.json.
// Regenerate the current one with NORMBOK_BLESS=1 (only when FORMAT_VERSION changes or the
// change is intended), and keep the old ones.
// ---------------------------------------------------------------------------------------

fn compat_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/compat")
}

#[test]
fn current_format_compat_bundle() {
    let dir = compat_dir();
    let docs_path = dir.join(format!("docs-v{FORMAT_VERSION}.json"));
    let bundle_path = dir.join(format!("bundle-v{FORMAT_VERSION}.bin"));
    if std::env::var_os("NORMBOK_BLESS").is_some() {
        let docs = common::corpus();
        std::fs::write(&docs_path, serde_json::to_string_pretty(&docs).unwrap() + "\n").unwrap();
        let bytes = build_bundle(&docs, Language::Nb, common::VERSION).unwrap();
        std::fs::write(&bundle_path, bytes).unwrap();
    }
    let docs: Vec<SearchDoc> = serde_json::from_slice(&std::fs::read(&docs_path).unwrap()).unwrap();
    let checked_in = std::fs::read(&bundle_path).unwrap();

    // 1. It still decodes and answers known queries.
    let index = SearchIndex::decode(&checked_in).unwrap();
    let response = index.search(&SearchRequest::new("leverandøren avtalen ")).unwrap();
    let ids: Vec<&str> = response.hits.iter().map(|h| h.id.as_str()).collect();
    // The documents with both words first (in BM25 order), then those with one of them.
    assert_eq!(ids[..3], ["AVT-01", "AVT-02", "ansvar-og-roller"]);
    assert!(response.hits[2].score >= 2.0 * search_index::query::WORD_SCORE as f64);
    assert!(response.hits[3..].iter().all(|h| h.score < 2.0 * search_index::query::WORD_SCORE as f64), "{ids:?}");
    assert_eq!(index.search(&SearchRequest::new("AVT-11")).unwrap().hits[0].id, "AVT-11");

    // 2. Building the same documents today gives the same bytes (determinism across
    //    processes and machines; and the format has not changed without a version bump).
    let rebuilt = build_bundle(&docs, Language::Nb, common::VERSION).unwrap();
    assert!(
        rebuilt == checked_in,
        "the bundle built from {} differs from {}. If the format changed on purpose, bump \
         FORMAT_VERSION and add a new compat bundle (NORMBOK_BLESS=1); if only tantivy's \
         bytes changed compatibly, re-bless.",
        docs_path.display(),
        bundle_path.display()
    );
}

#[test]
fn older_compat_bundles_report_their_format() {
    for entry in std::fs::read_dir(compat_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(n) = name.strip_prefix("bundle-v").and_then(|s| s.strip_suffix(".bin")) else {
            continue;
        };
        let n: u32 = n.parse().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        match SearchIndex::decode(&bytes) {
            Ok(_) => assert_eq!(n, FORMAT_VERSION, "{name}"),
            Err(e) => assert_eq!(e, DecodeError::IncompatibleFormat { found: n, expected: FORMAT_VERSION }, "{name}"),
        }
    }
}
