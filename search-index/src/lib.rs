//! `search-index`: everything the normbok builder (native) and the in-browser searcher
//! (`wasm32-unknown-unknown`) must agree on, and nothing else (SPEC §7).
//!
//! * [`schema`]: field names and options.
//! * [`analyzer`]: the text pipeline (NFC → tokenizer → lowercase → stemmer; no stop words).
//! * [`doc`]: [`SearchDoc`], the builder's only input type.
//! * [`bundle`]: the packed per-version index ([`build_bundle`], [`SearchIndex::decode`]) and
//!   its JavaScript wrappers ([`to_js`], [`wasm_to_js`]).
//! * [`query`]: the query language and [`SearchIndex::search`], shared by the CLI, the
//!   preview server and the browser.
//! * `web` (wasm32 only): `extern "C"` entry points for the browser.
//!
//! No tokio, no file system access. Index writing (tantivy's `IndexWriter` spawns threads)
//! is behind the default-on `build` feature; the browser build uses
//! `--no-default-features --features web`.
//!
//! ```
//! # #[cfg(feature = "build")] {
//! use search_index::{Kind, Language, SearchDoc, SearchIndex, SearchRequest, build_bundle};
//! let docs = vec![SearchDoc {
//!     id: "AVT-01".into(),
//!     kind: Kind::Requirement,
//!     title: "Databehandleravtale".into(),
//!     body: "Leverandøren skal inngå en databehandleravtale.".into(),
//!     url: "2025.2/requirements/AVT-01.html".into(),
//!     excerpt: "Leverandøren skal inngå en databehandleravtale.".into(),
//!     target_groups: vec!["leverandor".into()],
//!     obligation: Some("skal".into()),
//!     version: "2025.2".into(),
//! }];
//! let bytes = build_bundle(&docs, Language::Nb, "2025.2").unwrap();
//! let index = SearchIndex::decode(&bytes).unwrap();
//! let response = index.search(&SearchRequest::new("leverandørene")).unwrap();
//! assert_eq!(response.hits[0].id, "AVT-01");
//! # }
//! ```

pub mod analyzer;
pub mod bundle;
pub mod doc;
pub mod query;
pub mod schema;

#[cfg(all(target_arch = "wasm32", feature = "web"))]
#[allow(unsafe_code)]
mod web;

pub use analyzer::{Language, UnknownLanguage};
#[cfg(feature = "build")]
pub use bundle::{BuildError, build_bundle};
pub use bundle::{BundleHeader, DecodeError, SearchIndex, decode, from_js, read_header, to_js, wasm_to_js};
pub use doc::{Kind, MAX_EXCERPT_CHARS, SearchDoc, make_excerpt};
pub use query::{Hit, SearchError, SearchRequest, SearchResponse};

/// Version of the bundle format: the byte layout, the schema, the analyzers and the
/// tantivy index format together. Bump it whenever a bundle written by the old code could
/// be misread or answer differently with the new code; the browser then says the index is
/// from an incompatible version instead of showing wrong or empty results. Keep a
/// `tests/compat/bundle-v<N>.bin` for every version that must still decode.
pub const FORMAT_VERSION: u32 = 2;
