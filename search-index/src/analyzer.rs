//! Text analysis shared by the indexer and the searcher.
//!
//! tantivy stores only the *name* of a field's tokenizer in the index, never the pipeline,
//! so both sides must register the same analyzers under the same names after opening an
//! index ([`register_analyzers`]). Three analyzers exist:
//!
//! | name | pipeline | used by |
//! |---|---|---|
//! | [`TEXT_ANALYZER`] `normbok_text` | NFC → [`SimpleTokenizer`] → drop tokens > [`MAX_TOKEN_CHARS`] → lowercase → stemmer of the site language | `title`, `body` |
//! | [`ID_ANALYZER`] `normbok_id` | NFC → whole input as one token → lowercase | `id` (case-insensitive exact match and id prefix) |
//!
//! [`words_analyzer`] (the text pipeline without the stemmer) is used at query time only, for
//! the surface form of the word being typed and for highlighting.
//!
//! NFC comes first because [`SimpleTokenizer`] splits decomposed text: in NFD, `å` is `a` +
//! U+030A, and the combining mark is not alphanumeric, so `blåbær` would become `bla` + `bær`.
//! There is deliberately no stop-word filter: in normative text `skal`, `bør` and `kan` carry
//! the meaning.
//!
//! Stemming is Snowball (tantivy's `Stemmer`, backed by `frostem`). Norwegian is used for both
//! `nb` and `nn`. Known behaviour of the Norwegian stemmer (pinned by `tests/analyzer.rs`):
//! `leverandøren`, `leverandører`, `leverandørens` and `leverandørene` all stem to
//! `leverandør`; `sikkerhet`/`sikkerheten` over-stem to `sikker`; `veileder` becomes
//! `veiled` while `veilederen`/`veiledere` become `veileder`, so those do not meet (the
//! prefix search on the last word softens this while typing).

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::{
    Language as StemLanguage, LowerCaser, RawTokenizer, SimpleTokenizer, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager,
};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Name of the stemming analyzer used by the `title` and `body` fields.
pub const TEXT_ANALYZER: &str = "normbok_text";
/// Name of the analyzer used by the `id` field: the whole (NFC, lowercased) id is one token.
pub const ID_ANALYZER: &str = "normbok_id";
/// Tokens longer than this many characters are dropped (base64 blobs, URLs without
/// separators, …). Counted in Unicode scalar values, after NFC.
pub const MAX_TOKEN_CHARS: usize = 80;

/// The site language: chooses the stemmer (SPEC §2.1 `language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Norwegian Bokmål (`nb`): Snowball Norwegian stemmer.
    Nb,
    /// Norwegian Nynorsk (`nn`): Snowball Norwegian stemmer.
    Nn,
    /// English (`en`): Snowball English stemmer.
    En,
}

impl Language {
    /// Every supported language.
    pub const ALL: [Language; 3] = [Language::Nb, Language::Nn, Language::En];

    /// Parses a site language code (`nb`, `nn`, `en`, ASCII case-insensitive).
    pub fn from_code(code: &str) -> Option<Language> {
        match code.to_ascii_lowercase().as_str() {
            "nb" => Some(Language::Nb),
            "nn" => Some(Language::Nn),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// The language code as written in `normbok.toml` and in the bundle header.
    pub fn code(self) -> &'static str {
        match self {
            Language::Nb => "nb",
            Language::Nn => "nn",
            Language::En => "en",
        }
    }

    fn stemmer(self) -> StemLanguage {
        match self {
            Language::Nb | Language::Nn => StemLanguage::Norwegian,
            Language::En => StemLanguage::English,
        }
    }
}

impl FromStr for Language {
    type Err = UnknownLanguage;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::from_code(s).ok_or_else(|| UnknownLanguage(s.to_string()))
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A language code that is not `nb`, `nn` or `en`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported search language `{0}` (expected nb, nn or en)")]
pub struct UnknownLanguage(pub String);

/// The stemming analyzer for `title` and `body`.
pub fn text_analyzer(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(Normalizing::new(SimpleTokenizer::default())).filter(LowerCaser).filter(Stemmer::new(language.stemmer())).build()
}

/// The non-stemming analyzer: lowercased surface forms (query time only).
pub fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(Normalizing::new(SimpleTokenizer::default())).filter(LowerCaser).build()
}

/// The analyzer for the `id` field: one NFC, lowercased token (empty input gives no token).
pub fn id_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(Normalizing::new(RawTokenizer::default())).filter(LowerCaser).build()
}

/// Registers the analyzers under their schema names. Call after creating or opening an
/// index, on both the indexing and the searching side.
pub fn register_analyzers(manager: &TokenizerManager, language: Language) {
    manager.register(TEXT_ANALYZER, text_analyzer(language));
    manager.register(ID_ANALYZER, id_analyzer());
}

/// The indexed terms of `text` for the `title`/`body` fields (NFC, lowercased, stemmed), in
/// order. Handy for golden tests and for debugging queries.
pub fn tokens(language: Language, text: &str) -> Vec<String> {
    let mut analyzer = text_analyzer(language);
    collect(&mut analyzer, text).into_iter().map(|t| t.text).collect()
}

/// The surface forms of `text` (NFC, lowercased, not stemmed).
pub fn words(text: &str) -> Vec<String> {
    let mut analyzer = words_analyzer();
    collect(&mut analyzer, text).into_iter().map(|t| t.text).collect()
}

/// NFC-normalizes `text` (cheaply when it already is NFC).
pub fn nfc(text: &str) -> String {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes { text.to_string() } else { text.nfc().collect() }
}

/// Runs an analyzer and returns all tokens (offsets are byte offsets into `nfc(text)`).
pub(crate) fn collect(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push(token.clone());
    }
    out
}

/// Tokenizer wrapper: NFC-normalizes the input, then runs the inner tokenizer and drops
/// tokens longer than [`MAX_TOKEN_CHARS`]. Token offsets refer to the normalized text.
#[derive(Clone)]
struct Normalizing<T> {
    inner: T,
    buffer: String,
}

impl<T> Normalizing<T> {
    fn new(inner: T) -> Self {
        Normalizing { inner, buffer: String::new() }
    }
}

impl<T: Tokenizer> Tokenizer for Normalizing<T> {
    type TokenStream<'a> = NormalizingStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.buffer.clear();
        if is_nfc_quick(text.chars()) == IsNormalized::Yes {
            self.buffer.push_str(text);
        } else {
            self.buffer.extend(text.nfc());
        }
        NormalizingStream { tail: self.inner.token_stream(&self.buffer) }
    }
}

struct NormalizingStream<S> {
    tail: S,
}

impl<S: TokenStream> TokenStream for NormalizingStream<S> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token();
            if !token.text.is_empty() && token.text.chars().count() <= MAX_TOKEN_CHARS {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}
