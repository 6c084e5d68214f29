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
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::analyzer::{Language, collect, id_analyzer, text_analyzer, words_analyzer};
use crate::bundle::SearchIndex;
use crate::doc::Kind;
use crate::schema::Fields;

/// Title matches count this many times a body match.
pub const TITLE_BOOST: f32 = 3.0;
/// Added to the score of the document whose id equals a query word (above any number of
/// matched words, so an exact id is always first).
pub const ID_EXACT_SCORE: f32 = 100_000.0;
/// Added once per query word a document matches, whatever the match: documents matching
/// more words rank above documents matching fewer (issue 14 item 1). BM25 decides within.
pub const WORD_SCORE: f32 = 1_000.0;
/// Added (once per word) when the word matched as typed (its stem, a prefix, the id).
pub const EXACT_SCORE: f32 = 200.0;
/// Added (once per word) when the word matched only with ø/å/æ spelled differently.
pub const DIACRITIC_SCORE: f32 = 100.0;
/// BM25 weight of the terms a word matches through another ø/å/æ spelling.
pub const DIACRITIC_WEIGHT: f32 = 0.5;
/// BM25 weight of the terms a word matches through a typo (edit distance).
pub const FUZZY_WEIGHT: f32 = 0.25;
/// Words of at least this many characters match at edit distance 1.
pub const FUZZY1_MIN_CHARS: usize = 5;
/// Words of at least this many characters match at edit distance 2.
pub const FUZZY2_MIN_CHARS: usize = 9;
/// At most this many other spellings (ø/å/æ) of a word are looked up.
pub const MAX_SPELLINGS: usize = 128;
/// At most this many typo expansions of a word are scored (closest stems first by order).
pub const MAX_FUZZY_EXPANSIONS: usize = 32;
/// "Mente du …?": at most this many suggestions.
pub const MAX_SUGGESTIONS: usize = 3;
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
    /// "Mente du …?": with no hit at all, up to [`MAX_SUGGESTIONS`] queries made of the
    /// index's own words closest to the typed ones (best first); empty otherwise.
    #[serde(default)]
    pub suggestions: Vec<String>,
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
        let mut response = SearchResponse {
            query: request.query.clone(),
            version: self.header.version.clone(),
            total: 0,
            hits: Vec::new(),
            suggestions: Vec::new(),
        };
        let Some(query) = build_query(&searcher, &self.fields, &mut analyzers, request, &mut highlight)? else {
            response.suggestions = self.suggest(&request.query, &mut analyzers)?;
            return Ok(response);
        };
        let limit = request.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
        // Only the top of the ranking is collected (scoring and sorting every match made later
        // queries cost ~100 ms at 10,000 documents); the margin absorbs last-bit float
        // differences between native and wasm before the 4-decimal rounding decides the order.
        let collect = limit.saturating_mul(2).saturating_add(16);
        let (top, total) = searcher.search(&query, &(TopDocs::with_limit(collect).order_by_score(), Count))?;
        let mut ranked: Vec<(f64, DocAddress)> = top.into_iter().map(|(s, a)| (round_score(s), a)).collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        response.total = total;
        if ranked.is_empty() {
            response.suggestions = self.suggest(&request.query, &mut analyzers)?;
        }
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
    let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let count = parsed.parts.len();
    for (i, part) in parsed.parts.iter().enumerate() {
        let prefix = parsed.last_is_prefix && i + 1 == count;
        match part {
            Part::Word(word) => {
                if let Some(clause) = word_clause(searcher, fields, analyzers, word, prefix, true, highlight)? {
                    words.push((Occur::Should, clause));
                }
            }
            // Quoted phrases stay strict: they must match, as written (no other spellings).
            Part::Phrase(phrase) => {
                if let Some(clause) = word_clause(searcher, fields, analyzers, phrase, false, false, highlight)? {
                    must.push((Occur::Must, clause));
                }
            }
        }
    }
    if must.is_empty() && words.is_empty() {
        return Ok(None);
    }
    if !words.is_empty() {
        // Any word may match; each matched word adds WORD_SCORE, so more words rank first.
        // Without a phrase, at least one word must match.
        let occur = if must.is_empty() { Occur::Must } else { Occur::Should };
        must.push((occur, Box::new(BooleanQuery::new(words))));
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

/// The clause for one word or phrase. Its score is the best of three tiers (never their
/// sum): as typed (stem, prefix, id; [`WORD_SCORE`] + [`EXACT_SCORE`] + BM25), another
/// spelling of ø/å/æ ([`WORD_SCORE`] + [`DIACRITIC_SCORE`] + BM25 × [`DIACRITIC_WEIGHT`]),
/// a typo ([`WORD_SCORE`] + BM25 × [`FUZZY_WEIGHT`]). `lenient` enables the last two.
fn word_clause(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    text: &str,
    prefix: bool,
    lenient: bool,
    highlight: &mut Highlight,
) -> Result<Option<Box<dyn Query>>, SearchError> {
    let stems = analyzers.stems(text);
    if stems.is_empty() {
        return Ok(None);
    }
    let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
    let mut tiers: Vec<Box<dyn Query>> = Vec::new();
    // Every term that matches the word as typed (single-token words): one cheap term set
    // gives the exact tier's constant without scoring the alternatives twice.
    let mut exact_terms: Option<Vec<Term>> = None;
    if stems.len() == 1 {
        let mut scored: BTreeSet<String> = BTreeSet::new();
        scored.insert(stems[0].clone());
        let surface = analyzers.surface(text).into_iter().next().unwrap_or_default();
        if prefix && surface.chars().count() >= MIN_PREFIX_CHARS {
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
            highlight.prefixes.push(surface.clone());
        }
        let mut terms: Vec<Term> = Vec::new();
        for stem in &scored {
            alternatives.extend(scored_term(fields, stem, 1.0));
            highlight.stems.insert(stem.clone());
        }
        terms.extend(scored.iter().flat_map(|t| [Term::from_field_text(fields.title, t), Term::from_field_text(fields.body, t)]));
        if prefix && surface.chars().count() >= MIN_PREFIX_CHARS {
            for t in expand_prefix(searcher, &[fields.title, fields.body], &surface)?.keys() {
                terms.push(Term::from_field_text(fields.title, t));
                terms.push(Term::from_field_text(fields.body, t));
            }
        }
        exact_terms = Some(terms);
        if lenient {
            let letters = surface.chars().filter(|c| c.is_alphabetic()).count();
            let known = |t: &String| scored.contains(t);
            // Other spellings of ø/å/æ, stemmed as real words (the stemmer sees `ø`).
            let mut variants: BTreeSet<String> = BTreeSet::new();
            for spelling in spellings(&surface) {
                let stem = analyzers.stems(&spelling).into_iter().next().unwrap_or_default();
                if exists(searcher, fields, &stem)? {
                    variants.insert(stem);
                }
                if prefix && spelling.chars().count() >= MIN_PREFIX_CHARS {
                    let expansions = expand_prefix(searcher, &[fields.title, fields.body], &spelling)?;
                    let mut by_frequency: Vec<(String, u64)> = expansions.into_iter().collect();
                    by_frequency.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    variants.extend(by_frequency.into_iter().take(MAX_PREFIX_EXPANSIONS / 4).map(|(t, _)| t));
                    highlight.prefixes.push(spelling.clone());
                }
            }
            for spelling in spellings(&stems[0]) {
                if exists(searcher, fields, &spelling)? {
                    variants.insert(spelling);
                }
            }
            variants.retain(|v| !known(v));
            if !variants.is_empty() {
                tiers.push(tier(fields, &variants, DIACRITIC_SCORE, DIACRITIC_WEIGHT));
                highlight.stems.extend(variants.iter().cloned());
            }
            // Typos: stems within edit distance 1 (≥ 5 letters) or 2 (≥ 9 letters).
            let distance = if letters >= FUZZY2_MIN_CHARS {
                2
            } else if letters >= FUZZY1_MIN_CHARS {
                1
            } else {
                0
            };
            if distance > 0 {
                let mut fuzzy = fuzzy_terms(searcher, fields, &stems[0], distance)?;
                fuzzy.retain(|t| !known(t) && !variants.contains(t));
                if !fuzzy.is_empty() {
                    tiers.push(tier(fields, &fuzzy, 0.0, FUZZY_WEIGHT));
                    highlight.stems.extend(fuzzy.iter().cloned());
                }
            }
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
        if let Some(terms) = exact_terms.as_mut() {
            terms.push(Term::from_field_text(fields.id, &key));
        }
        alternatives.push(Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(Term::from_field_text(fields.id, &key), IndexRecordOption::Basic)),
            ID_EXACT_SCORE,
        )));
        if prefix && key.chars().count() >= MIN_PREFIX_CHARS {
            let ids = expand_prefix(searcher, &[fields.id], &key)?;
            let terms: Vec<Term> = ids.keys().filter(|id| **id != key).map(|id| Term::from_field_text(fields.id, id)).collect();
            if !terms.is_empty() {
                if let Some(exact) = exact_terms.as_mut() {
                    exact.extend(terms.iter().cloned());
                }
                alternatives.push(Box::new(ConstScoreQuery::new(Box::new(TermSetQuery::new(terms)), ID_PREFIX_SCORE)));
            }
        }
    }
    // The exact tier: a constant for "this word matched as typed", plus the BM25 of what matched.
    let matched: Box<dyn Query> = match exact_terms {
        Some(terms) => Box::new(TermSetQuery::new(terms)),
        None => Box::new(BooleanQuery::union(alternatives.iter().map(|q| q.box_clone()).collect())),
    };
    alternatives.push(Box::new(ConstScoreQuery::new(matched, WORD_SCORE + EXACT_SCORE)));
    tiers.insert(0, Box::new(BooleanQuery::union(alternatives)));
    if tiers.len() == 1 {
        return Ok(tiers.pop());
    }
    Ok(Some(Box::new(DisjunctionMaxQuery::new(tiers))))
}

/// Builds the typo automata's shared tables (distance 1 and 2) now rather than on the first
/// long word typed: a one-time cost of several milliseconds that belongs to loading the
/// index, not to a keystroke. The browser module calls it after loading an index.
pub fn warm_up() {
    for distance in [1, 2] {
        let term = Term::from_field_text(Field::from_field_id(0), "normbok");
        let _ = FuzzyTermQuery::new(term, distance, true).automaton();
    }
}

/// Title (boosted) and body BM25 clauses for one stem.
fn scored_term(fields: &Fields, stem: &str, weight: f32) -> [Box<dyn Query>; 2] {
    [
        Box::new(BoostQuery::new(Box::new(term_query(fields.title, stem)), TITLE_BOOST * weight)),
        Box::new(BoostQuery::new(Box::new(term_query(fields.body, stem)), weight)),
    ]
}

/// A lenient tier: [`WORD_SCORE`] + `bonus` once, plus the weighted BM25 of `terms`.
fn tier(fields: &Fields, terms: &BTreeSet<String>, bonus: f32, weight: f32) -> Box<dyn Query> {
    let set = terms.iter().flat_map(|t| [Term::from_field_text(fields.title, t), Term::from_field_text(fields.body, t)]).collect::<Vec<_>>();
    let mut clauses: Vec<Box<dyn Query>> = vec![Box::new(ConstScoreQuery::new(Box::new(TermSetQuery::new(set)), WORD_SCORE + bonus))];
    for t in terms {
        clauses.extend(scored_term(fields, t, weight));
    }
    Box::new(BooleanQuery::union(clauses))
}

/// Whether `stem` is a term of `title` or `body` in any segment.
fn exists(searcher: &Searcher, fields: &Fields, stem: &str) -> Result<bool, SearchError> {
    if stem.is_empty() {
        return Ok(false);
    }
    for segment in searcher.segment_readers() {
        for field in [fields.title, fields.body] {
            if segment.inverted_index(field)?.terms().get(stem.as_bytes())?.is_some() {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Stems of `title`/`body` within `distance` edits of `stem` (a transposition is one edit),
/// at most [`MAX_FUZZY_EXPANSIONS`], in term order. Uses tantivy's Levenshtein automaton
/// over the term dictionary, so no term is compared one by one.
fn fuzzy_terms(searcher: &Searcher, fields: &Fields, stem: &str, distance: u8) -> Result<BTreeSet<String>, SearchError> {
    let mut out = BTreeSet::new();
    // The DFA depends only on the text and distance: build it once for every dictionary.
    let automaton = FuzzyTermQuery::new(Term::from_field_text(fields.body, stem), distance, true).automaton()?;
    for segment in searcher.segment_readers() {
        for field in [fields.title, fields.body] {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().search(&automaton).into_stream()?;
            while stream.advance() && out.len() < MAX_FUZZY_EXPANSIONS {
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    out.insert(term.to_string());
                }
            }
        }
    }
    Ok(out)
}

/// Other spellings of `word` for readers without ø/å/æ on their keyboard, and for old
/// texts: `o`/`oe` ↔ `ø`, `a`/`aa` ↔ `å`, `ae` ↔ `æ`. The word itself is not included; at
/// most [`MAX_SPELLINGS`] are produced (a word with many a/o has many combinations).
pub fn spellings(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out: Vec<String> = vec![String::new()];
    let mut i = 0;
    while i < chars.len() {
        let next = chars.get(i + 1).copied();
        let (options, used): (&[&str], usize) = match (chars[i], next) {
            ('a', Some('a')) => (&["aa", "å"], 2),
            ('a', Some('e')) => (&["ae", "æ"], 2),
            ('o', Some('e')) => (&["oe", "ø"], 2),
            ('a', _) => (&["a", "å"], 1),
            ('o', _) => (&["o", "ø"], 1),
            ('å', _) => (&["å", "aa", "a"], 1),
            ('ø', _) => (&["ø", "oe", "o"], 1),
            ('æ', _) => (&["æ", "ae"], 1),
            _ => (&[], 1),
        };
        if options.is_empty() {
            for s in &mut out {
                s.push(chars[i]);
            }
        } else {
            let mut grown = Vec::with_capacity(out.len() * options.len());
            for s in &out {
                for o in options {
                    if grown.len() > MAX_SPELLINGS {
                        break;
                    }
                    grown.push(format!("{s}{o}"));
                }
            }
            out = grown;
        }
        i += used;
    }
    out.retain(|s| s != word);
    out.truncate(MAX_SPELLINGS);
    out
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

impl SearchIndex {
    /// "Mente du …?": for a query without any hit, queries where each word that is not in
    /// the index is replaced by the closest word of the index's own vocabulary (the
    /// bundle's word list; edit distance with ø/å/æ folded, then how many documents use
    /// it). Best first, at most [`MAX_SUGGESTIONS`]; empty if no word has a close match.
    fn suggest(&self, query: &str, analyzers: &mut Analyzers) -> Result<Vec<String>, SearchError> {
        if self.words.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let parsed = parse(query);
        let mut words: Vec<String> = Vec::new();
        let mut options: Vec<(usize, Vec<String>)> = Vec::new();
        for part in &parsed.parts {
            let Part::Word(word) = part else { continue };
            let surface = analyzers.surface(word);
            let [single] = surface.as_slice() else {
                words.push(word.to_lowercase());
                continue;
            };
            let stem = analyzers.stems(single).into_iter().next().unwrap_or_default();
            if exists(&searcher, &self.fields, &stem)? {
                words.push(single.clone());
                continue;
            }
            let candidates = self.closest_words(&searcher, single, analyzers)?;
            if candidates.is_empty() {
                words.push(single.clone());
            } else {
                options.push((words.len(), candidates.clone()));
                words.push(candidates[0].clone());
            }
        }
        let Some((first_at, first)) = options.first().cloned() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for candidate in first.iter().take(MAX_SUGGESTIONS) {
            let mut w = words.clone();
            w[first_at] = candidate.clone();
            out.push(w.join(" "));
        }
        Ok(out)
    }

    /// Vocabulary words closest to `word`: smallest edit distance (ø/å/æ folded, at most
    /// 1 for words up to 4 letters, 2 up to 8, else 3), then most documents.
    fn closest_words(&self, searcher: &Searcher, word: &str, analyzers: &mut Analyzers) -> Result<Vec<String>, SearchError> {
        let folded = fold(word);
        let len = folded.chars().count();
        let max = if len <= 4 {
            1
        } else if len <= 8 {
            2
        } else {
            3
        };
        let mut found: Vec<(usize, String)> = Vec::new();
        for candidate in &self.words {
            let f = fold(candidate);
            if f.chars().count().abs_diff(len) > max {
                continue;
            }
            if let Some(d) = edit_distance(&folded, &f, max) {
                found.push((d, candidate.clone()));
            }
        }
        let best = found.iter().map(|(d, _)| *d).min().unwrap_or(0);
        let mut ranked: Vec<(usize, u64, String)> = Vec::new();
        for (d, candidate) in found.into_iter().filter(|(d, _)| *d <= best + 1) {
            let stem = analyzers.stems(&candidate).into_iter().next().unwrap_or_default();
            let mut df = 0u64;
            for segment in searcher.segment_readers() {
                for field in [self.fields.title, self.fields.body] {
                    if let Some(info) = segment.inverted_index(field)?.terms().get(stem.as_bytes())? {
                        df += u64::from(info.doc_freq);
                    }
                }
            }
            if df > 0 {
                ranked.push((d, df, candidate));
            }
        }
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        Ok(ranked.into_iter().take(MAX_SUGGESTIONS).map(|(_, _, w)| w).collect())
    }
}

/// ø/å/æ and their ASCII spellings folded to one form (for comparing words).
fn fold(word: &str) -> String {
    word.replace("aa", "a").replace("oe", "o").replace("ae", "a").replace('å', "a").replace('ø', "o").replace('æ', "a")
}

/// Optimal-string-alignment distance (a transposition is one edit), or `None` above `max`.
fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}
