//! The packed index ("bundle"): one byte blob per version, built natively, decoded into a
//! [`RamDirectory`] on both sides (CLI and browser).
//!
//! # Layout (all integers little-endian)
//!
//! ```text
//! magic            8 bytes   b"NBSEARCH"
//! format_version   u32       FORMAT_VERSION; nothing after this is read on a mismatch
//! language         u8 len + ASCII   "nb" | "nn" | "en"
//! version          u16 len + UTF-8  version id
//! num_docs         u32
//! table_len        u32       size of the file table once inflated
//! payload          raw DEFLATE stream of the file table:
//!                    file_count u32,
//!                    file_count × { name: u16 len + UTF-8, data: u32 len + bytes }, sorted by name
//! checksum         u64       FNV-1a 64 of every preceding byte
//! ```
//!
//! The files are [`WORDS_FILE`] (format 2: the index's own words for "Mente du …?"),
//! tantivy's `meta.json` and the files of exactly one segment, with the doc
//! store left uncompressed by tantivy: one DEFLATE pass over everything is about a third
//! smaller than tantivy's per-block LZ4 (measured on the bundled guide: 119 kB → 81 kB).
//!
//! The build is deterministic: documents are indexed in `(id, kind, url)` order by one
//! indexing thread, merged into one segment, and the segment's random UUID is replaced by
//! [`SEGMENT_ID`] (tantivy only uses it in file names and `meta.json`). `.managed.json` and
//! lock files are not packed. Because documents are in id order, tantivy's doc ids follow
//! the ids, which the query's tie-break relies on.

use std::path::Path;

use tantivy::directory::{Directory, RamDirectory};
use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::analyzer::{Language, UnknownLanguage, register_analyzers};
use crate::schema::{self, Fields};

/// First eight bytes of every bundle.
pub const MAGIC: [u8; 8] = *b"NBSEARCH";

/// The packed file that lists the index's distinct words (lowercase, NFC, unstemmed, one per
/// line, sorted): the vocabulary of "Mente du …?" suggestions. Not a tantivy file.
pub const WORDS_FILE: &str = "words.txt";

/// The fixed segment id written into bundles (32 lowercase hex digits, "normbok…1").
pub const SEGMENT_ID: &str = "6e6f726d626f6b000000000000000001";

/// Why a bundle could not be opened. [`DecodeError::code`] gives a stable code for UIs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The data does not start with [`MAGIC`].
    #[error("not a normbok search index (bad magic number)")]
    BadMagic,
    /// The bundle was written by a normbok with a different bundle format.
    #[error(
        "search index from an incompatible version of normbok (index format {found}, this search engine reads format {expected}); rebuild the site"
    )]
    IncompatibleFormat {
        /// Format version found in the bundle.
        found: u32,
        /// [`FORMAT_VERSION`](crate::FORMAT_VERSION) of this code.
        expected: u32,
    },
    /// The data ends early.
    #[error("search index is truncated")]
    Truncated,
    /// Checksum mismatch or an inconsistent layout.
    #[error("search index is corrupt: {0}")]
    Corrupt(String),
    /// The header names a language this code does not know.
    #[error(transparent)]
    Language(#[from] UnknownLanguage),
    /// tantivy could not open the packed index.
    #[error("search index cannot be opened: {0}")]
    Index(String),
}

impl DecodeError {
    /// Stable machine-readable code: `bad-magic`, `incompatible-format`, `truncated`,
    /// `corrupt`, `unknown-language`, `index`.
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::BadMagic => "bad-magic",
            DecodeError::IncompatibleFormat { .. } => "incompatible-format",
            DecodeError::Truncated => "truncated",
            DecodeError::Corrupt(_) => "corrupt",
            DecodeError::Language(_) => "unknown-language",
            DecodeError::Index(_) => "index",
        }
    }
}

/// The header of a bundle, readable without opening the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleHeader {
    /// Always [`FORMAT_VERSION`](crate::FORMAT_VERSION) for a header that was returned.
    pub format_version: u32,
    /// Site language (chooses the stemmer).
    pub language: Language,
    /// Version id the bundle indexes.
    pub version: String,
    /// Number of documents.
    pub num_docs: u32,
}

/// A decoded bundle, ready to search ([`SearchIndex::search`](crate::SearchIndex::search)).
pub struct SearchIndex {
    pub(crate) header: BundleHeader,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// The vocabulary ([`WORDS_FILE`]).
    pub(crate) words: Vec<String>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("header", &self.header).finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Decodes a bundle into an in-memory index and registers the analyzers. Never panics on
    /// bad input.
    pub fn decode(bytes: &[u8]) -> Result<SearchIndex, DecodeError> {
        let (header, table) = parse(bytes)?;
        let files = parse_table(&table)?;
        let directory = RamDirectory::create();
        let mut words = Vec::new();
        for (name, data) in files {
            if name == WORDS_FILE {
                let text = std::str::from_utf8(data).map_err(|_| DecodeError::Corrupt("word list is not UTF-8".into()))?;
                words = text.lines().filter(|w| !w.is_empty()).map(str::to_string).collect();
                continue;
            }
            directory.atomic_write(Path::new(name), data).map_err(|e| DecodeError::Index(e.to_string()))?;
        }
        let index = Index::open(directory).map_err(|e| DecodeError::Index(e.to_string()))?;
        if index.schema() != schema::schema() {
            return Err(DecodeError::Corrupt("the index schema differs from this engine's schema".into()));
        }
        register_analyzers(index.tokenizers(), header.language);
        let fields = Fields::resolve(&index.schema()).map_err(|e| DecodeError::Index(e.to_string()))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| DecodeError::Index(e.to_string()))?;
        let index = SearchIndex { header, index, reader, fields, words };
        if index.num_docs() != u64::from(index.header.num_docs) {
            return Err(DecodeError::Corrupt(format!("header says {} documents, index has {}", index.header.num_docs, index.num_docs())));
        }
        Ok(index)
    }

    /// The bundle header.
    pub fn header(&self) -> &BundleHeader {
        &self.header
    }

    /// Site language of the bundle.
    pub fn language(&self) -> Language {
        self.header.language
    }

    /// Version id of the bundle.
    pub fn version(&self) -> &str {
        &self.header.version
    }

    /// Number of indexed documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The target group ids that documents of this index carry, sorted (what a group
    /// filter can match; `normbok search --group` rejects any other id).
    pub fn target_groups(&self) -> Vec<String> {
        let mut out = std::collections::BTreeSet::new();
        for segment in self.reader.searcher().segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.fields.target_groups) else { continue };
            let Ok(mut stream) = inverted.terms().stream() else { continue };
            while stream.advance() {
                if let Ok(group) = std::str::from_utf8(stream.key()) {
                    out.insert(group.to_string());
                }
            }
        }
        out.into_iter().collect()
    }

    /// The underlying tantivy index (for diagnostics; searching goes through
    /// [`SearchIndex::search`](crate::SearchIndex::search)).
    pub fn tantivy_index(&self) -> &Index {
        &self.index
    }
}

/// Shorthand for [`SearchIndex::decode`].
pub fn decode(bytes: &[u8]) -> Result<SearchIndex, DecodeError> {
    SearchIndex::decode(bytes)
}

/// Reads the header after checking magic, format version, checksum and that the payload
/// inflates (cheap: the index is not opened).
pub fn read_header(bytes: &[u8]) -> Result<BundleHeader, DecodeError> {
    parse(bytes).map(|(header, _)| header)
}

/// Names and sizes of the packed files (for size reports and diagnostics).
pub fn file_sizes(bytes: &[u8]) -> Result<Vec<(String, usize)>, DecodeError> {
    let (_, table) = parse(bytes)?;
    Ok(parse_table(&table)?.into_iter().map(|(name, data)| (name.to_string(), data.len())).collect())
}

/// The packed files: `(name, contents)`.
type Files<'a> = Vec<(&'a str, &'a [u8])>;

/// Upper bound for the inflated file table (a damaged length must not allocate wildly).
const MAX_TABLE_BYTES: usize = 1 << 30;

/// Checks magic, format and checksum; returns the header and the inflated file table.
fn parse(bytes: &[u8]) -> Result<(BundleHeader, Vec<u8>), DecodeError> {
    let prefix = bytes.len().min(MAGIC.len());
    if bytes[..prefix] != MAGIC[..prefix] {
        return Err(DecodeError::BadMagic);
    }
    let mut r = Reader { bytes, pos: 0 };
    r.take(MAGIC.len())?;
    let format_version = r.u32()?;
    if format_version != crate::FORMAT_VERSION {
        return Err(DecodeError::IncompatibleFormat { found: format_version, expected: crate::FORMAT_VERSION });
    }
    if bytes.len() < r.pos + 8 {
        return Err(DecodeError::Truncated);
    }
    let body_len = bytes.len() - 8;
    let mut stored = [0u8; 8];
    stored.copy_from_slice(&bytes[body_len..]);
    if fnv1a64(&bytes[..body_len]) != u64::from_le_bytes(stored) {
        // A short read most often shows up as a checksum mismatch; say which.
        return Err(DecodeError::Corrupt("checksum mismatch".into()));
    }
    let mut r = Reader { bytes: &bytes[..body_len], pos: r.pos };
    let language_len = usize::from(r.u8()?);
    let language = r.str(language_len)?.parse::<Language>()?;
    let version_len = usize::from(r.u16()?);
    let version = r.str(version_len)?.to_string();
    let num_docs = r.u32()?;
    let table_len = r.u32()? as usize;
    if table_len > MAX_TABLE_BYTES {
        return Err(DecodeError::Corrupt(format!("file table of {table_len} bytes")));
    }
    let payload = &bytes[r.pos..body_len];
    let table = miniz_oxide::inflate::decompress_to_vec_with_limit(payload, table_len)
        .map_err(|e| DecodeError::Corrupt(format!("cannot inflate the file table: {e:?}")))?;
    if table.len() != table_len {
        return Err(DecodeError::Corrupt("file table has the wrong size".into()));
    }
    let header = BundleHeader { format_version, language, version, num_docs };
    Ok((header, table))
}

/// Splits the inflated file table into `(name, contents)`.
fn parse_table(table: &[u8]) -> Result<Files<'_>, DecodeError> {
    let mut r = Reader { bytes: table, pos: 0 };
    let count = r.u32()?;
    let mut files = Vec::new();
    for _ in 0..count {
        let name_len = usize::from(r.u16()?);
        let name = r.str(name_len)?;
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(DecodeError::Corrupt(format!("bad file name {name:?}")));
        }
        let data_len = r.u32()? as usize;
        files.push((name, r.take(data_len)?));
    }
    if r.pos != table.len() {
        return Err(DecodeError::Corrupt("trailing bytes".into()));
    }
    if !files.iter().any(|(name, _)| *name == "meta.json") {
        return Err(DecodeError::Corrupt("meta.json is missing".into()));
    }
    Ok(files)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        let slice = self.bytes.get(self.pos..end).ok_or(DecodeError::Truncated)?;
        self.pos = end;
        Ok(slice)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, DecodeError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn str(&mut self, n: usize) -> Result<&'a str, DecodeError> {
        std::str::from_utf8(self.take(n)?).map_err(|_| DecodeError::Corrupt("invalid UTF-8 in header".into()))
    }
}

/// FNV-1a, 64 bit: a dependency-free checksum against truncated or damaged files.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Whether `id` is a valid version id (`[A-Za-z0-9._-]+`, SPEC §2.1).
pub fn is_valid_version_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Serializes the header and files.
#[cfg(feature = "build")]
fn encode(header: &BundleHeader, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let total: usize = files.iter().map(|(n, d)| n.len() + d.len() + 6).sum();
    let mut table = Vec::with_capacity(4 + total);
    table.extend_from_slice(&(files.len() as u32).to_le_bytes());
    for (name, data) in files {
        table.extend_from_slice(&(name.len() as u16).to_le_bytes());
        table.extend_from_slice(name.as_bytes());
        table.extend_from_slice(&(data.len() as u32).to_le_bytes());
        table.extend_from_slice(data);
    }
    // Level 10: miniz's best ratio; deterministic for the same input.
    let payload = miniz_oxide::deflate::compress_to_vec(&table, 10);

    let mut out = Vec::with_capacity(64 + header.version.len() + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&header.format_version.to_le_bytes());
    let language = header.language.code().as_bytes();
    out.push(language.len() as u8);
    out.extend_from_slice(language);
    out.extend_from_slice(&(header.version.len() as u16).to_le_bytes());
    out.extend_from_slice(header.version.as_bytes());
    out.extend_from_slice(&header.num_docs.to_le_bytes());
    out.extend_from_slice(&(table.len() as u32).to_le_bytes());
    out.extend_from_slice(&payload);
    let checksum = fnv1a64(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

// ---------------------------------------------------------------------------------------
// JavaScript wrappers: the only way to get binary data into a page opened from file://
// is a <script src> (fetch/XHR are blocked there), so bundle and engine become .js files.
// ---------------------------------------------------------------------------------------

const JS_GLOBAL: &str = "(typeof globalThis!==\"undefined\"?globalThis:this)";

/// Wraps a bundle as a JavaScript file that registers itself:
///
/// ```js
/// (function(g){var n=g.normbokSearch=g.normbokSearch||{};(n.bundles=n.bundles||{})["2025.2"]={format:1,data:"<base64>"};})(globalThis);
/// ```
///
/// The builder writes it to `<v>/search/index.js`. `format` is read from the bundle
/// header, so the loader can report an incompatible index before decoding anything. The
/// version id is emitted as an escaped JSON string (safe even inside an inline `<script>`).
pub fn to_js(bundle: &[u8], version_id: &str) -> String {
    let format = if bundle.len() >= 12 && bundle[..8] == MAGIC { u32::from_le_bytes([bundle[8], bundle[9], bundle[10], bundle[11]]) } else { 0 };
    let data = base64(bundle);
    let mut js = String::with_capacity(data.len() + 256);
    js.push_str("/* normbok search index (generated; do not edit) */\n");
    js.push_str("(function(g){var n=g.normbokSearch=g.normbokSearch||{};(n.bundles=n.bundles||{})[");
    js.push_str(&js_string(version_id));
    js.push_str("]={format:");
    js.push_str(&format.to_string());
    js.push_str(",data:\"");
    js.push_str(&data);
    js.push_str("\"};})");
    js.push_str(JS_GLOBAL);
    js.push_str(";\n");
    js
}

/// Wraps the search engine (the `.wasm` module) as a JavaScript file that sets
/// `normbokSearch.wasm` (base64) and `normbokSearch.engineFormat`
/// ([`FORMAT_VERSION`](crate::FORMAT_VERSION)). The builder writes it to
/// `static/search/engine.js`.
pub fn wasm_to_js(wasm: &[u8]) -> String {
    let data = base64(wasm);
    let mut js = String::with_capacity(data.len() + 256);
    js.push_str("/* normbok search engine: search-index compiled to WebAssembly (generated; do not edit) */\n");
    js.push_str("(function(g){var n=g.normbokSearch=g.normbokSearch||{};n.engineFormat=");
    js.push_str(&crate::FORMAT_VERSION.to_string());
    js.push_str(";n.wasm=\"");
    js.push_str(&data);
    js.push_str("\";})");
    js.push_str(JS_GLOBAL);
    js.push_str(";\n");
    js
}

/// Extracts the bundle from a file written by [`to_js`] (what `normbok search` reads from a
/// built site, so the CLI searches the very bytes the browser gets). Returns the version id
/// it registers and the bundle bytes; the bundle itself is checked later by
/// [`SearchIndex::decode`].
pub fn from_js(js: &str) -> Result<(String, Vec<u8>), DecodeError> {
    let not_ours = || DecodeError::Corrupt("not a normbok search index script".into());
    let key_start = js.find("(n.bundles=n.bundles||{})[").ok_or_else(not_ours)? + 26;
    let key_end = key_start + js[key_start..].find("]={format:").ok_or_else(not_ours)?;
    let version: String = serde_json::from_str(&js[key_start..key_end]).map_err(|_| not_ours())?;
    let data_start = key_end + js[key_end..].find(",data:\"").ok_or_else(not_ours)? + 7;
    let data_end = data_start + js[data_start..].find('"').ok_or_else(not_ours)?;
    let bytes = unbase64(&js[data_start..data_end]).ok_or_else(not_ours)?;
    Ok((version, bytes))
}

/// Decodes standard base64 with padding; `None` on any invalid input.
fn unbase64(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let last = i + 1 == bytes.len() / 4;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let b = n.to_be_bytes();
        out.extend_from_slice(&b[1..4 - pad]);
    }
    Some(out)
}

/// A JSON string literal that is also safe inside an HTML `<script>` element.
fn js_string(s: &str) -> String {
    let json = serde_json::Value::String(s.to_string()).to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4), as `atob` expects.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { ALPHABET[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { ALPHABET[n as usize & 63] as char } else { '=' });
    }
    out
}

// ---------------------------------------------------------------------------------------
// Building (native only)
// ---------------------------------------------------------------------------------------

#[cfg(feature = "build")]
pub use build::{BuildError, build_bundle};

#[cfg(feature = "build")]
mod build {
    use std::path::Path;

    use tantivy::directory::{Directory, RamDirectory};
    use tantivy::indexer::NoMergePolicy;
    use tantivy::schema::Value;
    use tantivy::{DocAddress, Index, IndexSettings, IndexWriter, TantivyDocument};

    use super::{BundleHeader, SEGMENT_ID, WORDS_FILE, encode, is_valid_version_id};
    use crate::analyzer::{Language, nfc, register_analyzers, words};
    use crate::doc::{Kind, MAX_EXCERPT_CHARS, SearchDoc, make_excerpt};
    use crate::schema::{self, Fields};

    /// Why a bundle could not be built.
    #[derive(Debug, thiserror::Error)]
    #[non_exhaustive]
    pub enum BuildError {
        /// The version id is not `[A-Za-z0-9._-]+`.
        #[error("invalid version id `{0}` (expected [A-Za-z0-9._-]+)")]
        InvalidVersion(String),
        /// A document belongs to another version.
        #[error("search document `{id}` is for version `{found}`, but the index is for `{expected}`")]
        VersionMismatch {
            /// Document id.
            id: String,
            /// Its version.
            found: String,
            /// The bundle's version.
            expected: String,
        },
        /// Two documents share kind and id.
        #[error("duplicate search document: {kind} `{id}`")]
        DuplicateId {
            /// Kind of both documents.
            kind: Kind,
            /// The shared id.
            id: String,
        },
        /// More documents than the format can count.
        #[error("too many search documents")]
        TooMany,
        /// tantivy failed (out of memory, …).
        #[error("building the search index failed: {0}")]
        Index(#[from] tantivy::TantivyError),
        /// Reading back the in-memory files failed.
        #[error("packing the search index failed: {0}")]
        Pack(String),
    }

    /// Builds the packed, deterministic bundle for one version.
    ///
    /// Input order does not matter: documents are indexed sorted by `(id, kind, url)`.
    pub fn build_bundle(docs: &[SearchDoc], language: Language, version: &str) -> Result<Vec<u8>, BuildError> {
        if !is_valid_version_id(version) {
            return Err(BuildError::InvalidVersion(version.to_string()));
        }
        let num_docs = u32::try_from(docs.len()).map_err(|_| BuildError::TooMany)?;
        // Sort by the id as indexed (NFC), so that doc id order is id order.
        let mut keyed: Vec<(String, &SearchDoc)> = docs.iter().map(|d| (nfc(&d.id), d)).collect();
        keyed.sort_by(|(ia, a), (ib, b)| (ia.as_str(), a.kind, a.url.as_str()).cmp(&(ib.as_str(), b.kind, b.url.as_str())));
        for pair in keyed.windows(2) {
            if pair[0].0 == pair[1].0 && pair[0].1.kind == pair[1].1.kind {
                return Err(BuildError::DuplicateId { kind: pair[0].1.kind, id: pair[0].1.id.clone() });
            }
        }
        let sorted: Vec<&SearchDoc> = keyed.into_iter().map(|(_, d)| d).collect();
        if let Some(doc) = sorted.iter().find(|d| d.version != version) {
            return Err(BuildError::VersionMismatch { id: doc.id.clone(), found: doc.version.clone(), expected: version.to_string() });
        }

        let settings = IndexSettings {
            // Compress in the indexing thread: no extra thread, same bytes.
            docstore_compress_dedicated_thread: false,
            // The whole bundle is DEFLATE-compressed, which beats per-block LZ4.
            docstore_compression: tantivy::store::Compressor::None,
            ..IndexSettings::default()
        };
        // Keep a handle on the raw directory: reading through the index's
        // ManagedDirectory would strip tantivy's file footers.
        let directory = RamDirectory::create();
        let index = Index::create(directory.clone(), schema::schema(), settings)?;
        register_analyzers(index.tokenizers(), language);
        let fields = Fields::resolve(&index.schema())?;

        // One indexing thread keeps the document order (and so the doc ids) fixed. The
        // budget is generous so that normally a single segment results; the arena grows
        // on demand, so this is a ceiling, not an allocation.
        let text_bytes: usize = sorted.iter().map(|d| d.title.len() + d.body.len() + d.excerpt.len() + d.id.len()).sum();
        let budget = text_bytes.saturating_mul(8).saturating_add(64 << 20).min(1 << 31);
        let mut writer: IndexWriter = index.writer_with_num_threads(1, budget)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        for doc in &sorted {
            writer.add_document(to_document(doc, &fields))?;
        }
        writer.commit()?;
        let segment_ids = ordered_segments(&index, &fields)?;
        if segment_ids.len() > 1 {
            writer.merge(&segment_ids).wait()?;
        }
        writer.wait_merging_threads()?;

        let meta = index.load_metas()?;
        let read = |path: &Path| -> Result<Vec<u8>, BuildError> {
            let slice = directory.open_read(path).map_err(|e| BuildError::Pack(e.to_string()))?;
            let bytes = slice.read_bytes().map_err(|e| BuildError::Pack(e.to_string()))?;
            Ok(bytes.as_slice().to_vec())
        };
        let meta_json = directory.atomic_read(Path::new("meta.json")).map_err(|e| BuildError::Pack(e.to_string()))?;
        let mut meta_json = String::from_utf8(meta_json).map_err(|e| BuildError::Pack(e.to_string()))?;
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        match meta.segments.as_slice() {
            [] => {}
            [segment] => {
                let uuid = segment.id().uuid_string();
                let hyphenated = hyphenate(&uuid);
                meta_json = meta_json.replace(&hyphenated, &hyphenate(SEGMENT_ID)).replace(&uuid, SEGMENT_ID);
                for path in meta.list_segment_files() {
                    if !directory.exists(&path).unwrap_or(false) {
                        continue;
                    }
                    let name = path.to_string_lossy().into_owned();
                    let renamed = name.replacen(&uuid, SEGMENT_ID, 1);
                    files.push((renamed, read(&path)?));
                }
            }
            more => {
                return Err(BuildError::Pack(format!("expected one segment after merging, found {}", more.len())));
            }
        }
        files.push(("meta.json".to_string(), meta_json.into_bytes()));
        files.push((WORDS_FILE.to_string(), vocabulary(&sorted).into_bytes()));
        files.sort();
        let header = BundleHeader { format_version: crate::FORMAT_VERSION, language, version: version.to_string(), num_docs };
        Ok(encode(&header, &files))
    }

    /// The suggestion vocabulary: distinct surface words of titles and bodies made of
    /// letters only (no digits, ids or URLs), 3 to 40 characters, sorted, one per line.
    fn vocabulary(docs: &[&SearchDoc]) -> String {
        let mut set = std::collections::BTreeSet::new();
        for doc in docs {
            for text in [&doc.title, &doc.body] {
                for w in words(text) {
                    let n = w.chars().count();
                    if (3..=40).contains(&n) && w.chars().all(char::is_alphabetic) {
                        set.insert(w);
                    }
                }
            }
        }
        set.into_iter().collect::<Vec<_>>().join("\n")
    }

    fn to_document(doc: &SearchDoc, fields: &Fields) -> TantivyDocument {
        let mut out = TantivyDocument::default();
        let id = nfc(&doc.id);
        let title = nfc(&doc.title);
        let body = nfc(&doc.body);
        out.add_text(fields.id, &id);
        out.add_text(fields.kind, doc.kind.as_str());
        out.add_text(fields.title, &title);
        // The id is searchable as words too (`avt` finds AVT-01, AVT-02, …).
        out.add_text(fields.body, &id);
        out.add_text(fields.body, &body);
        for group in &doc.target_groups {
            out.add_text(fields.target_groups, group);
        }
        if let Some(obligation) = &doc.obligation {
            out.add_text(fields.obligation, obligation);
        }
        out.add_text(fields.url, &doc.url);
        out.add_text(fields.excerpt, make_excerpt(&nfc(&doc.excerpt), MAX_EXCERPT_CHARS));
        out.add_text(fields.version, &doc.version);
        out
    }

    /// Committed segments in document order (by the sort key of each segment's first
    /// document), so that a merge keeps the global `(id, kind, url)` order.
    fn ordered_segments(index: &Index, fields: &Fields) -> Result<Vec<tantivy::index::SegmentId>, BuildError> {
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let mut keyed = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            if segment.max_doc() == 0 {
                continue;
            }
            let doc: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, 0))?;
            let text = |field| doc.get_first(field).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            let kind = text(fields.kind).parse::<Kind>().ok();
            keyed.push(((text(fields.id), kind, text(fields.url)), segment.segment_id()));
        }
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(keyed.into_iter().map(|(_, id)| id).collect())
    }

    fn hyphenate(simple: &str) -> String {
        if simple.len() != 32 {
            return simple.to_string();
        }
        format!("{}-{}-{}-{}-{}", &simple[..8], &simple[8..12], &simple[12..16], &simple[16..20], &simple[20..])
    }
}
