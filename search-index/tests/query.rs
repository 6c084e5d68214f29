//! Query behaviour on the fixture corpus.
#![allow(clippy::unwrap_used)]

mod common;

use search_index::query::{Part, parse};
use search_index::{Kind, Language, SearchDoc, SearchIndex, SearchRequest, SearchResponse, build_bundle};

fn index() -> SearchIndex {
    let bytes = build_bundle(&common::corpus(), Language::Nb, common::VERSION).unwrap();
    SearchIndex::decode(&bytes).unwrap()
}

fn run(index: &SearchIndex, request: SearchRequest) -> SearchResponse {
    index.search(&request).unwrap()
}

fn ids(response: &SearchResponse) -> Vec<&str> {
    response.hits.iter().map(|h| h.id.as_str()).collect()
}

fn search(index: &SearchIndex, query: &str) -> Vec<String> {
    ids(&run(index, SearchRequest::new(query))).into_iter().map(String::from).collect()
}

#[test]
fn documents_with_all_words_rank_first_then_fewer_words() {
    let index = index();
    let one = search(&index, "leverandøren ");
    let both = run(&index, SearchRequest::new("leverandøren avtalen "));
    let all_words: Vec<&str> = both.hits.iter().filter(|h| h.score >= 2.0 * search_index::query::WORD_SCORE as f64).map(|h| h.id.as_str()).collect();
    assert!(!all_words.is_empty() && all_words.len() < one.len(), "{all_words:?} vs {one:?}");
    // The documents with both words come first, each of them also has the first word.
    assert_eq!(ids(&both)[..all_words.len()], all_words[..]);
    for id in &all_words {
        assert!(one.iter().any(|o| o == id));
    }
    // Then the documents with one of the words: never an empty page while a word matches.
    assert!(both.hits.len() > all_words.len());
    assert_eq!(search(&index, "leverandøren xyzzy "), one);
    assert!(search(&index, "xyzzy qwertz ").is_empty());
}

#[test]
fn inflections_match_each_other() {
    let index = index();
    let a = search(&index, "leverandøren ");
    assert_eq!(a, search(&index, "leverandørens "));
    assert_eq!(a, search(&index, "LEVERANDØRER "));
    assert!(a.contains(&"AVT-01".to_string()));
}

#[test]
fn phrases_need_adjacent_words_in_order() {
    let index = index();
    assert_eq!(search(&index, "\"offentlig forvaltning\""), ["risiko"]);
    assert!(search(&index, "\"forvaltning offentlig\"").is_empty());
    assert_eq!(search(&index, "«offentlig forvaltning»"), ["risiko"]);
    // A quoted phrase is strict: it must match; the words beside it only rank.
    assert_eq!(search(&index, "risiko \"offentlig forvaltning\""), ["risiko"]);
    assert_eq!(search(&index, "logge \"offentlig forvaltning\""), ["risiko"]);
    assert!(search(&index, "risiko \"forvaltning offentlig\"").is_empty());
    // No other spellings or typos inside quotes.
    assert!(search(&index, "\"offentlig forvaltnign\"").is_empty());
}

#[test]
fn last_word_is_a_prefix_while_typing() {
    let index = index();
    let typing = search(&index, "leveran");
    assert!(typing.contains(&"AVT-01".to_string()), "{typing:?}");
    assert!(typing.contains(&"ansvar-og-roller#leverandorens-ansvar".to_string()));
    // A finished word (trailing space) is no prefix.
    assert!(!search(&index, "leveran ").contains(&"AVT-01".to_string()));
    // Over-stemming does not hide a half-typed word: sikkerhet(en) stems to `sikker`.
    let half = search(&index, "sikkerhete");
    assert!(half.contains(&"RIS-02".to_string()), "{half:?}");
    assert!(half.contains(&"TIL-03".to_string()), "{half:?}");
    // Only the last word is a prefix.
    assert_eq!(search(&index, "avtalen leveran")[..2], ["AVT-01", "AVT-02"]);
    // One character is not expanded.
    assert!(search(&index, "l").is_empty());
    // Inside an unclosed quote the words are plain words, the last one a prefix.
    assert_eq!(search(&index, "\"offentlig forv")[0], "risiko");
}

#[test]
fn exact_id_goes_to_the_top() {
    let index = index();
    for query in ["AVT-11", "avt-11", "AVT-11 ", "(AVT-11),"] {
        let hits = search(&index, query);
        assert_eq!(hits.first().map(String::as_str), Some("AVT-11"), "{query}");
    }
    // An exact id stays first, whatever else is typed.
    assert_eq!(search(&index, "TIL-03 logge")[0], "TIL-03");
    assert_eq!(search(&index, "TIL-03 xyzzy"), ["TIL-03"]);
    assert_eq!(search(&index, "logge risiko TIL-03 ")[0], "TIL-03");
    // Reference ids too.
    assert_eq!(search(&index, "gdpr-art-28")[0], "gdpr-art-28");
}

#[test]
fn id_prefixes_while_typing() {
    let index = index();
    let hits = search(&index, "AVT-0");
    assert_eq!(&hits[..2], ["AVT-01", "AVT-02"]);
    let avt = search(&index, "avt");
    for id in ["AVT-01", "AVT-02", "AVT-11"] {
        assert!(avt.contains(&id.to_string()), "{avt:?}");
    }
}

#[test]
fn section_references_and_nfd_queries() {
    let index = index();
    assert_eq!(search(&index, "§ 3-1"), ["RIS-01"]);
    assert_eq!(search(&index, "Bla\u{030A}bærsyltetøy"), ["TIL-04"]);
    assert_eq!(search(&index, "e-helse"), ["TIL-04"]);
}

#[test]
fn group_filter_narrows_to_any_of_the_groups() {
    let index = index();
    let all = run(&index, SearchRequest::new("leverandøren "));
    let mut request = SearchRequest::new("leverandøren ");
    request.groups = vec!["kommune".into()];
    let kommune = run(&index, request.clone());
    assert!(kommune.total < all.total);
    assert!(kommune.total > 0);
    for hit in &kommune.hits {
        assert!(hit.target_groups.contains(&"kommune".to_string()), "{hit:?}");
    }
    request.groups = vec!["kommune".into(), "produsent".into()];
    let either = run(&index, request.clone());
    assert!(either.total >= kommune.total);
    request.groups = vec!["finnes-ikke".into()];
    assert_eq!(run(&index, request).total, 0);
    // Filters do not change scores.
    let hit = |r: &SearchResponse, id: &str| r.hits.iter().find(|h| h.id == id).map(|h| h.score);
    assert_eq!(hit(&all, "AVT-02"), hit(&kommune, "AVT-02"));
}

#[test]
fn obligation_and_kind_filters() {
    let index = index();
    let mut request = SearchRequest::new("virksomheten ");
    request.obligations = vec!["bor".into()];
    let bor = run(&index, request.clone());
    assert!(bor.total > 0);
    assert!(bor.hits.iter().all(|h| h.obligation.as_deref() == Some("bor")));
    request.obligations.clear();
    request.kinds = vec![Kind::Page];
    let pages = run(&index, request);
    assert!(pages.total > 0);
    assert!(pages.hits.iter().all(|h| h.kind == Kind::Page));
}

#[test]
fn limit_and_total() {
    let index = index();
    let mut request = SearchRequest::new("leverandøren ");
    let all = run(&index, request.clone());
    request.limit = Some(1);
    let one = run(&index, request.clone());
    assert_eq!(one.total, all.total);
    assert_eq!(one.hits.len(), 1);
    assert_eq!(one.hits[0], all.hits[0]);
    request.limit = Some(0);
    assert!(run(&index, request).hits.is_empty());
}

#[test]
fn hostile_inputs_never_fail() {
    let index = index();
    let long = "leverandøren ".repeat(2000);
    let inputs = [
        "",
        " ",
        "\"",
        "\"\"",
        "\"\"\"",
        "title:(",
        "title:",
        "AND",
        "OR",
        "NOT",
        "AND OR NOT",
        "*",
        "?",
        "**",
        "[",
        "]",
        "{",
        "}",
        "(((((",
        ")",
        "\\",
        "\\\"",
        "+leverandør -avtale",
        "leverandør~2",
        "leverandør^3",
        "id:AVT-01",
        "«",
        "»leverandør",
        "\u{0301}",
        "\u{0000}",
        "\u{FEFF}",
        "🙂",
        "🙂leverandør",
        "a\u{200B}b",
        "\u{202E}leverandør",
        "%",
        "&amp;",
        "<script>",
        "'; DROP TABLE",
        "§",
        "-",
        "--",
        "..",
        "/",
        "https://example.org/x?y=z#w",
        &long,
    ];
    for input in inputs {
        let response = index.search(&SearchRequest::new(input));
        assert!(response.is_ok(), "{input:?}: {response:?}");
    }
    assert_eq!(search(&index, "AND").len(), 0); // "and" is not in the corpus
    // Punctuation separates words; `title` is just a word (absent here, so it only ranks).
    assert_eq!(search(&index, "((risikostyring)"), ["risiko"]);
    assert_eq!(search(&index, "+risikostyring:"), ["risiko"]);
    assert_eq!(search(&index, "title:(risikostyring")[0], "risiko");
}

#[test]
fn ties_are_broken_by_id_whatever_the_input_order() {
    let doc = |id: &str| SearchDoc {
        id: id.into(),
        kind: Kind::Requirement,
        title: "Likt".into(),
        body: "samme tekst".into(),
        url: format!("v/{id}.html"),
        excerpt: String::new(),
        target_groups: vec![],
        obligation: None,
        version: "v".into(),
    };
    let docs: Vec<SearchDoc> = ["Z-01", "A-02", "M-03", "A-01"].into_iter().map(doc).collect();
    let mut reversed = docs.clone();
    reversed.reverse();
    for input in [docs, reversed] {
        let bytes = build_bundle(&input, Language::Nb, "v").unwrap();
        let index = SearchIndex::decode(&bytes).unwrap();
        let response = run(&index, SearchRequest::new("samme tekst "));
        assert_eq!(ids(&response), ["A-01", "A-02", "M-03", "Z-01"]);
        let scores: Vec<f64> = response.hits.iter().map(|h| h.score).collect();
        assert!(scores.windows(2).all(|w| w[0] == w[1]));
    }
}

#[test]
fn hits_carry_display_fields_and_highlights() {
    let index = index();
    let response = run(&index, SearchRequest::new("leverandøren databehandleravtale "));
    let hit = &response.hits[0];
    assert_eq!(hit.id, "AVT-01");
    assert_eq!(hit.kind, Kind::Requirement);
    assert_eq!(hit.url, "2025.2/requirements/AVT-01.html");
    assert_eq!(hit.obligation.as_deref(), Some("skal"));
    assert_eq!(hit.target_groups, ["leverandor", "helsevirksomhet"]);
    assert_eq!(hit.version, "2025.2");
    assert_eq!(response.version, "2025.2");
    let marked = |text: &str, ranges: &[(usize, usize)]| -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        ranges.iter().map(|&(a, b)| chars[a..b].iter().collect()).collect()
    };
    assert_eq!(marked(&hit.title, &hit.title_highlights), ["Databehandleravtale", "leverandøren"]);
    let excerpt = marked(&hit.excerpt, &hit.highlights);
    assert!(excerpt.contains(&"leverandøren".to_string()), "{excerpt:?}");
    assert!(excerpt.contains(&"databehandleravtale".to_string()), "{excerpt:?}");
    // Prefix highlights cover the whole word.
    let typing = run(&index, SearchRequest::new("Blåbær"));
    let hit = &typing.hits[0];
    assert_eq!(marked(&hit.excerpt, &hit.highlights), ["Blåbærsyltetøy"]);
}

#[test]
fn json_shape_matches_the_cli_contract() {
    let index = index();
    let response = run(&index, SearchRequest::new("AVT-01"));
    let json = serde_json::to_value(&response).unwrap();
    for key in ["query", "version", "total", "hits"] {
        assert!(json.get(key).is_some(), "{key}");
    }
    let hit = &json["hits"][0];
    for key in ["id", "kind", "title", "url", "score", "excerpt", "obligation", "target_groups", "version", "highlights", "title_highlights"] {
        assert!(hit.get(key).is_some(), "{key}");
    }
    assert_eq!(hit["kind"], "requirement");
    // The request JSON (the browser module's input) accepts partial objects.
    let request: SearchRequest = serde_json::from_str(r#"{"query":"x","groups":["kommune"]}"#).unwrap();
    assert_eq!(request.groups, ["kommune"]);
    assert_eq!(request.limit, None);
}

#[test]
fn parser_structure() {
    let p = parse("a \"b c\" d");
    assert_eq!(p.parts, [Part::Word("a".into()), Part::Phrase("b c".into()), Part::Word("d".into())]);
    assert!(p.last_is_prefix);
    assert!(!parse("a \"b c\"").last_is_prefix);
    assert!(!parse("a ").last_is_prefix);
    let unclosed = parse("x \"b c");
    assert_eq!(unclosed.parts, [Part::Word("x".into()), Part::Word("b".into()), Part::Word("c".into())]);
    assert!(unclosed.last_is_prefix);
    assert_eq!(parse("").parts, []);
    assert_eq!(parse("\"\"").parts, [Part::Phrase(String::new())]);
}

#[test]
fn letters_typed_without_norwegian_characters_match_below_exact() {
    let index = index();
    let exact = run(&index, SearchRequest::new("leverandøren "));
    for typed in ["leverandoren ", "leverandoeren ", "LEVERANDOREN "] {
        let folded = run(&index, SearchRequest::new(typed));
        assert_eq!(ids(&folded), ids(&exact), "{typed}");
        // Same documents, lower scores: an exact spelling ranks above.
        assert!(folded.hits[0].score < exact.hits[0].score, "{typed}");
    }
    // å typed as a/aa, æ as ae; and an old spelling in the text found with the real letter.
    let corpus = common::corpus();
    let has = |needle: &str| corpus.iter().any(|d| d.body.to_lowercase().contains(needle) || d.title.to_lowercase().contains(needle));
    for (letter, typed) in [("å", ["a", "aa"]), ("æ", ["ae", "ae"]), ("ø", ["o", "oe"])] {
        let Some(word) = corpus
            .iter()
            .flat_map(|d| search_index::analyzer::words(&d.body))
            .find(|w| w.contains(letter) && w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
        else {
            continue;
        };
        assert!(has(&word));
        let want = search(&index, &format!("{word} "));
        for t in typed {
            let got = search(&index, &format!("{} ", word.replace(letter, t)));
            assert!(want.iter().all(|id| got.contains(id)), "{word} typed with {t}: {got:?} vs {want:?}");
        }
    }
    assert_eq!(search_index::query::spellings("sa"), ["så"]);
    assert_eq!(search_index::query::spellings("foelge"), ["følge"]);
    assert!(search_index::query::spellings("blåbær").contains(&"blaabaer".to_string()));
}

#[test]
fn typos_match_by_length_below_exact_and_ids_stay_first() {
    let index = index();
    let exact = run(&index, SearchRequest::new("leverandøren "));
    // 12 letters: two edits (a transposition counts as one).
    for typo in ["leverandøern ", "levrandøren ", "leevrandøren ", "lverandren "] {
        let got = run(&index, SearchRequest::new(typo));
        assert_eq!(ids(&got), ids(&exact), "{typo}");
        assert!(got.hits[0].score < exact.hits[0].score);
    }
    // Three edits is too many.
    assert!(search(&index, "lvrandren ").is_empty());
    // 5–8 letters: one edit; 4 letters: none.
    assert!(!search(&index, "avtlen ").is_empty());
    assert!(search(&index, "lgge ").is_empty());
    // An exact id still ranks first next to fuzzy words.
    assert_eq!(search(&index, "AVT-11 leverandoern")[0], "AVT-11");
}

#[test]
fn no_hit_suggests_the_index_s_own_words() {
    let index = index();
    let r = run(&index, SearchRequest::new("xyzzy "));
    assert!(r.hits.is_empty() && r.suggestions.is_empty(), "{r:?}");
    // Too far for typo matching (3 edits in 12 letters), close enough for a suggestion.
    let r = run(&index, SearchRequest::new("lvrandren "));
    assert_eq!(r.total, 0);
    assert!(!r.suggestions.is_empty(), "{r:?}");
    assert!(r.suggestions[0].starts_with("leverand"), "{:?}", r.suggestions);
    // Each suggestion finds something.
    for s in &r.suggestions {
        assert!(!search(&index, s).is_empty(), "{s}");
    }
    // A hit means no suggestion.
    assert!(run(&index, SearchRequest::new("leverandøren")).suggestions.is_empty());
}
