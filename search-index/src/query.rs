//! The one query implementation behind `normbok search`, the preview server and the browser.
//!
//! # Query language (never an error)
//!
//! User text is not given to tantivy's `QueryParser`; there is no syntax to get wrong.
//!
//! * The text is split into **words** at whitespace and at ASCII punctuation other than the
//!   joiners `- . / _ '`; text between quotes (`"…"`, `“…”`, `„…“`, `«…»`) is a **phrase**.
//!   An unbalanced quote is ignored (its words are plain words). There are no operators:
//!   `AND`, `title:(`, `*`, `-x` search for the words they contain, and punctuation-only
//!   input matches nothing.
//! * **All** words and phrases must match (AND). A word matches a document if its stem is
//!   in the title (×[`TITLE_BOOST`]) or body, or if it equals the document id
//!   case-insensitively (`avt-01`; adds [`ID_EXACT_SCORE`], which puts that document first).
//!   A word that the tokenizer splits into several tokens (`AVT-01`, `3-1`, `e-helse`) must
//!   match as a phrase.
//! * **Search as you type**: when the text does not end in whitespace or punctuation, the
//!   last word is also a prefix (from [`MIN_PREFIX_CHARS`] characters on). It is expanded over
//!   the *stemmed* term dictionaries of `title` and `body`: every term that starts with the
//!   typed (lowercased, unstemmed) text matches, and so does every term that the typed text
//!   overruns by at most [`MAX_STEM_OVERRUN`] characters (typing `sikkerhete` on the way to
//!   `sikkerheten` already finds the stem `sikker`). The [`MAX_PREFIX_EXPANSIONS`] most
//!   frequent expansions are scored (title ×[`TITLE_BOOST`], body) like ordinary words; the
//!   rest only match. A last word of several tokens becomes a phrase whose last stem is a
//!   prefix; the last word is also an id prefix (`avt-0` finds `AVT-01`…). There is no
//!   separate unstemmed field: that would cost about a third more bundle size.
//! * Filters: target groups (any of), obligation levels (any of), kinds (any of). Filters do
//!   not change scores. A document without a value never matches a non-empty filter.
//! * Ranking: score (BM25 sum, rounded to 4 decimals so that native and wasm agree) desc,
//!   then id asc (documents are indexed in id order, so this is doc-address order).
//! * Highlights are **character** (Unicode scalar value) ranges `[start, end)` into the
//!   excerpt (and title); for JS use `Array.from(text)` indices.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::analyzer::{Language, collect, id_analyzer, text_analyzer, words_analyzer};
use crate::bundle::SearchIndex;
use crate::doc::Kind;
use crate::schema::Fields;

/// Title matches count this many times a body match.
pub const TITLE_BOOST: f32 = 3.0;
/// Added to the score of the document whose id equals a query word.
pub const ID_EXACT_SCORE: f32 = 1000.0;
/// Added to the score of documents whose id starts with the last (prefix) word.
pub const ID_PREFIX_SCORE: f32 = 2.0;
/// Minimum length (characters) of the last word for prefix expansion.
pub const MIN_PREFIX_CHARS: usize = 2;
/// While typing, a stem this many characters shorter than the typed word still matches.
pub const MAX_STEM_OVERRUN: usize = 4;
/// Stems shorter than this are never matched through [`MAX_STEM_OVERRUN`].
pub const MIN_OVERRUN_STEM_CHARS: usize = 3;
/// How many prefix expansions (most frequent first) are scored.
pub const MAX_PREFIX_EXPANSIONS: usize = 64;
/// Upper bound on the words a prefix may match at all (protects against huge vocabularies).
pub const MAX_PREFIX_MATCHES: usize = 5000;
/// Hits returned when the request has no `limit`.
pub const DEFAULT_LIMIT: usize = 20;
/// Largest `limit` honoured.
pub const MAX_LIMIT: usize = 1000;
/// Only this many characters of the query are looked at.
pub const MAX_QUERY_CHARS: usize = 500;
/// Only this many words/phrases of the query are looked at.
pub const MAX_QUERY_PARTS: usize = 32;

/// A search request (also the JSON the browser module takes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// The user's text.
    pub query: String,
    /// Target group slugs; any of them (empty: no filter).
    pub groups: Vec<String>,
    /// Obligation ids; any of them (empty: no filter).
    pub obligations: Vec<String>,
    /// Kinds; any of them (empty: no filter).
    pub kinds: Vec<Kind>,
    /// Maximum number of hits returned (default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`]);
    /// `total` always counts all matches.
    pub limit: Option<usize>,
    /// Which loaded index to search (browser module with several versions loaded); ignored
    /// by [`SearchIndex::search`].
    pub version: Option<String>,
}

impl SearchRequest {
    /// A request for `query` with no filters and the default limit.
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest { query: query.into(), ..SearchRequest::default() }
    }
}

/// The response: the same JSON for `normbok search --format json` and the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// The query text as given.
    pub query: String,
    /// Version id of the searched index.
    pub version: String,
    /// Number of matching documents (all of them, not only those returned).
    pub total: usize,
    /// Hits in rank order, at most `limit`.
    pub hits: Vec<Hit>,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Requirement/reference id, or page path.
    pub id: String,
    /// Document kind.
    pub kind: Kind,
    /// Title.
    pub title: String,
    /// URL relative to the site root.
    pub url: String,
    /// Relevance score, rounded to 4 decimals.
    pub score: f64,
    /// Stored excerpt.
    pub excerpt: String,
    /// Obligation id, for requirements.
    pub obligation: Option<String>,
    /// Target group slugs.
    pub target_groups: Vec<String>,
    /// Version id.
    pub version: String,
    /// Matched terms in `excerpt`: character ranges `[start, end)`.
    pub highlights: Vec<(usize, usize)>,
    /// Matched terms in `title`: character ranges `[start, end)`.
    pub title_highlights: Vec<(usize, usize)>,
}

/// A search failed for an internal reason (never because of the user's text).
#[derive(Debug, thiserror::Error)]
#[error("search failed: {0}")]
pub struct SearchError(String);

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError(e.to_string())
    }
}

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> Self {
        SearchError(e.to_string())
    }
}

/// One word or phrase of a parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A whitespace-delimited word (may contain punctuation; tokens are taken later).
    Word(String),
    /// The text between a pair of quotes.
    Phrase(String),
}

/// The structure of the user's text, before analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Words and phrases, in order.
    pub parts: Vec<Part>,
    /// Whether the last part is a word that is still being typed (prefix search).
    pub last_is_prefix: bool,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}')
}

/// Characters that end a word: whitespace, quotes and ASCII punctuation other than the
/// joiners `- . / _ '` (which keep `AVT-01`, `3-1`, `e-helse`, `kap.4` together as one word,
/// matched as a phrase). So `title:(risiko` is the words `title` and `risiko`.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || is_quote(c) || (c.is_ascii_punctuation() && !matches!(c, '-' | '.' | '/' | '_' | '\''))
}

/// Splits user text into words and phrases. Total: every input gives a result.
pub fn parse(text: &str) -> ParsedQuery {
    let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
    // Quote positions: a quote opens a phrase only if another quote closes it later.
    let quotes: Vec<usize> = text.char_indices().filter(|(_, c)| is_quote(*c)).map(|(i, _)| i).collect();
    let paired = quotes.len() - quotes.len() % 2; // an odd last quote is ignored
    let mut parts = Vec::new();
    let push_words = |segment: &str, parts: &mut Vec<Part>| {
        for word in segment.split(is_separator) {
            if !word.is_empty() {
                parts.push(Part::Word(word.to_string()));
            }
        }
    };
    let mut pos = 0;
    for pair in quotes[..paired].chunks(2) {
        let (open, close) = (pair[0], pair[1]);
        push_words(&text[pos..open], &mut parts);
        let inner_start = open + text[open..].chars().next().map_or(1, char::len_utf8);
        parts.push(Part::Phrase(text[inner_start..close].to_string()));
        pos = close + text[close..].chars().next().map_or(1, char::len_utf8);
    }
    // After the last closed phrase; an unpaired quote here is a separator.
    let rest = &text[pos..];
    let before = parts.len();
    push_words(rest, &mut parts);
    let last_is_prefix = parts.len() > before && parts.len() <= MAX_QUERY_PARTS && !rest.ends_with(is_separator);
    parts.truncate(MAX_QUERY_PARTS);
    ParsedQuery { parts, last_is_prefix }
}

/// What to highlight in stored text.
#[derive(Debug, Default)]
struct Highlight {
    stems: BTreeSet<String>,
    prefixes: Vec<String>,
}

struct Analyzers {
    text: TextAnalyzer,
    words: TextAnalyzer,
    id: TextAnalyzer,
}

impl Analyzers {
    fn new(language: Language) -> Self {
        Analyzers { text: text_analyzer(language), words: words_analyzer(), id: id_analyzer() }
    }
    fn stems(&mut self, text: &str) -> Vec<String> {
        collect(&mut self.text, text).into_iter().map(|t| t.text).collect()
    }
    fn surface(&mut self, text: &str) -> Vec<String> {
        collect(&mut self.words, text).into_iter().map(|t| t.text).collect()
    }
    fn id_key(&mut self, text: &str) -> Option<String> {
        let trimmed = text.trim_matches(|c: char| !c.is_alphanumeric());
        collect(&mut self.id, trimmed).into_iter().next().map(|t| t.text)
    }
}

impl SearchIndex {
    /// Runs a search. User text never causes an error; `Err` means the index is damaged.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let searcher = self.reader.searcher();
        let mut analyzers = Analyzers::new(self.header.language);
        let mut highlight = Highlight::default();
        let mut response = SearchResponse { query: request.query.clone(), version: self.header.version.clone(), total: 0, hits: Vec::new() };
        let Some(query) = build_query(&searcher, &self.fields, &mut analyzers, request, &mut highlight)? else {
            return Ok(response);
        };
        let max_doc = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let top = searcher.search(&query, &TopDocs::with_limit(max_doc.max(1)).order_by_score())?;
        let mut ranked: Vec<(f64, DocAddress)> = top.into_iter().map(|(s, a)| (round_score(s), a)).collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        response.total = ranked.len();
        let limit = request.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
        for (score, address) in ranked.into_iter().take(limit) {
            let doc: TantivyDocument = searcher.doc(address)?;
            response.hits.push(self.hit(&doc, score, &mut analyzers, &highlight));
        }
        Ok(response)
    }

    fn hit(&self, doc: &TantivyDocument, score: f64, analyzers: &mut Analyzers, highlight: &Highlight) -> Hit {
        let f = &self.fields;
        let text = |field: Field| -> String { doc.get_first(field).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default() };
        let title = text(f.title);
        let excerpt = text(f.excerpt);
        Hit {
            id: text(f.id),
            kind: text(f.kind).parse().unwrap_or(Kind::Page),
            url: text(f.url),
            score,
            obligation: doc.get_first(f.obligation).and_then(|v| v.as_str().map(str::to_string)),
            target_groups: doc.get_all(f.target_groups).filter_map(|v| v.as_str().map(str::to_string)).collect(),
            version: text(f.version),
            highlights: highlights(&excerpt, analyzers, highlight),
            title_highlights: highlights(&title, analyzers, highlight),
            title,
            excerpt,
        }
    }
}

/// Rounds to 4 decimals so that tiny floating-point differences between platforms (e.g. the
/// `ln` in BM25's idf) cannot change the JSON or the order.
fn round_score(score: f32) -> f64 {
    (f64::from(score) * 10_000.0).round() / 10_000.0
}

fn build_query(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    request: &SearchRequest,
    highlight: &mut Highlight,
) -> Result<Option<Box<dyn Query>>, SearchError> {
    let parsed = parse(&request.query);
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let count = parsed.parts.len();
    for (i, part) in parsed.parts.iter().enumerate() {
        let prefix = parsed.last_is_prefix && i + 1 == count;
        let clause = match part {
            Part::Word(word) => word_clause(searcher, fields, analyzers, word, prefix, highlight)?,
            Part::Phrase(phrase) => word_clause(searcher, fields, analyzers, phrase, false, highlight)?,
        };
        if let Some(clause) = clause {
            must.push((Occur::Must, clause));
        }
    }
    if must.is_empty() {
        return Ok(None);
    }
    let mut filter = |field: Field, values: Vec<&str>| {
        if values.is_empty() {
            return;
        }
        let terms = values.into_iter().map(|v| Term::from_field_text(field, v)).collect::<Vec<_>>();
        must.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(TermSetQuery::new(terms)), 0.0))));
    };
    filter(fields.target_groups, request.groups.iter().map(String::as_str).collect());
    filter(fields.obligation, request.obligations.iter().map(String::as_str).collect());
    filter(fields.kind, request.kinds.iter().map(|k| k.as_str()).collect());
    Ok(Some(Box::new(BooleanQuery::new(must))))
}

/// The clause for one word or phrase: any of its alternatives must match.
fn word_clause(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    text: &str,
    prefix: bool,
    highlight: &mut Highlight,
) -> Result<Option<Box<dyn Query>>, SearchError> {
    let stems = analyzers.stems(text);
    if stems.is_empty() {
        return Ok(None);
    }
    let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
    if stems.len() == 1 {
        let mut scored: BTreeSet<String> = BTreeSet::new();
        scored.insert(stems[0].clone());
        if prefix {
            let surface = analyzers.surface(text).into_iter().next().unwrap_or_default();
            if surface.chars().count() >= MIN_PREFIX_CHARS {
                let expansions = expand_prefix(searcher, &[fields.title, fields.body], &surface)?;
                if !expansions.is_empty() {
                    let terms = expansions
                        .keys()
                        .flat_map(|t| [Term::from_field_text(fields.title, t), Term::from_field_text(fields.body, t)])
                        .collect::<Vec<_>>();
                    alternatives.push(Box::new(ConstScoreQuery::new(Box::new(TermSetQuery::new(terms)), 0.0)));
                    let mut by_frequency: Vec<(&String, &u64)> = expansions.iter().collect();
                    by_frequency.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                    for (term, _) in by_frequency.into_iter().take(MAX_PREFIX_EXPANSIONS) {
                        scored.insert(term.clone());
                    }
                }
                highlight.prefixes.push(surface);
            }
        }
        for stem in scored {
            alternatives.push(Box::new(BoostQuery::new(Box::new(term_query(fields.title, &stem)), TITLE_BOOST)));
            alternatives.push(Box::new(term_query(fields.body, &stem)));
            highlight.stems.insert(stem);
        }
    } else {
        for field in [fields.title, fields.body] {
            let terms: Vec<Term> = stems.iter().map(|s| Term::from_field_text(field, s)).collect();
            let query: Box<dyn Query> = if prefix { Box::new(PhrasePrefixQuery::new(terms)) } else { Box::new(PhraseQuery::new(terms)) };
            alternatives.push(if field == fields.title { Box::new(BoostQuery::new(query, TITLE_BOOST)) } else { query });
        }
        highlight.stems.extend(stems.iter().cloned());
        if prefix && let Some(last) = stems.last() {
            highlight.prefixes.push(last.clone());
        }
    }
    if let Some(key) = analyzers.id_key(text) {
        alternatives.push(Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(Term::from_field_text(fields.id, &key), IndexRecordOption::Basic)),
            ID_EXACT_SCORE,
        )));
        if prefix && key.chars().count() >= MIN_PREFIX_CHARS {
            let ids = expand_prefix(searcher, &[fields.id], &key)?;
            let terms: Vec<Term> = ids.keys().filter(|id| **id != key).map(|id| Term::from_field_text(fields.id, id)).collect();
            if !terms.is_empty() {
                alternatives.push(Box::new(ConstScoreQuery::new(Box::new(TermSetQuery::new(terms)), ID_PREFIX_SCORE)));
            }
        }
    }
    Ok(Some(Box::new(BooleanQuery::union(alternatives))))
}

fn term_query(field: Field, text: &str) -> TermQuery {
    TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs)
}

/// Terms of `fields` that the word being typed may become: those starting with `typed`,
/// and those that `typed` overruns by at most [`MAX_STEM_OVERRUN`] characters (stems of the
/// word being completed). Values are summed document frequencies.
fn expand_prefix(searcher: &Searcher, fields: &[Field], typed: &str) -> Result<BTreeMap<String, u64>, SearchError> {
    let mut out: BTreeMap<String, u64> = BTreeMap::new();
    let boundaries: Vec<usize> = typed.char_indices().map(|(i, _)| i).collect();
    let chars = boundaries.len();
    let shortest = chars.saturating_sub(MAX_STEM_OVERRUN).max(MIN_OVERRUN_STEM_CHARS);
    for segment in searcher.segment_readers() {
        for &field in fields {
            let inverted = segment.inverted_index(field)?;
            let terms = inverted.terms();
            let mut stream = terms.range().ge(typed.as_bytes()).into_stream()?;
            while stream.advance() {
                let key = stream.key();
                if !key.starts_with(typed.as_bytes()) || out.len() >= MAX_PREFIX_MATCHES {
                    break;
                }
                if let Ok(term) = std::str::from_utf8(key) {
                    *out.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
            for &end in boundaries.iter().take(chars).skip(shortest) {
                let stem = &typed[..end];
                if let Some(info) = terms.get(stem.as_bytes())? {
                    *out.entry(stem.to_string()).or_default() += u64::from(info.doc_freq);
                }
            }
        }
    }
    Ok(out)
}

/// Character ranges of the tokens of `text` that match the query.
fn highlights(text: &str, analyzers: &mut Analyzers, highlight: &Highlight) -> Vec<(usize, usize)> {
    if text.is_empty() || (highlight.stems.is_empty() && highlight.prefixes.is_empty()) {
        return Vec::new();
    }
    let stemmed = collect(&mut analyzers.text, text);
    let surface = collect(&mut analyzers.words, text);
    let mut ranges = Vec::new();
    for (stem, word) in stemmed.iter().zip(surface.iter()) {
        let matched = highlight.stems.contains(&stem.text) || highlight.prefixes.iter().any(|p| word.text.starts_with(p.as_str()));
        if matched && let (Some(before), Some(token)) = (text.get(..stem.offset_from), text.get(stem.offset_from..stem.offset_to)) {
            let start = before.chars().count();
            ranges.push((start, start + token.chars().count()));
        }
    }
    ranges
}
