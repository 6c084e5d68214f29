//! A deterministic synthetic corpus in the shape of the bundled guide, for size budgets and
//! timings: requirements of 60–200 words with a 300-character excerpt, some longer page
//! sections, and references. Words follow a Zipf-like distribution over ~3,000 Norwegian-ish
//! forms (stems × inflections × compounds), so the dictionary grows like real text.
#![allow(dead_code, unreachable_pub, missing_docs)]

use search_index::{Kind, SearchDoc};

const STEMS: &[&str] = &[
    "leverandør",
    "virksomhet",
    "tjeneste",
    "sikkerhet",
    "risiko",
    "vurdering",
    "avtale",
    "opplysning",
    "tilgang",
    "logg",
    "system",
    "løsning",
    "ansvar",
    "rolle",
    "kontroll",
    "behandling",
    "personvern",
    "helse",
    "pasient",
    "journal",
    "kommune",
    "forskrift",
    "lov",
    "krav",
    "tiltak",
    "hendelse",
    "avvik",
    "rutine",
    "ledelse",
    "styring",
    "dokument",
    "informasjon",
    "teknologi",
    "nettverk",
    "sky",
    "lagring",
    "sletting",
    "kryptering",
    "autentisering",
    "identitet",
    "brukere",
    "ansatt",
    "opplæring",
    "revisjon",
    "plan",
    "beredskap",
    "kontinuitet",
    "endring",
    "utvikling",
    "test",
    "drift",
    "forvaltning",
    "anskaffelse",
    "kontrakt",
    "underleverandør",
    "databehandler",
    "formål",
    "grunnlag",
    "samtykke",
    "innsyn",
    "retting",
    "overføring",
    "tredjeland",
    "utstyr",
    "hjemme",
];
const SUFFIXES: &[&str] = &["", "en", "er", "ene", "ens", "et", "a", "ane", "ar", "s", "ing", "ende"];
const GLUE: &[&str] = &[
    "og", "i", "på", "skal", "bør", "kan", "må", "som", "for", "med", "til", "av", "det", "er", "at", "ikke", "den", "en", "et", "om", "når",
    "eller", "de", "ved",
];
const GROUPS: &[&str] = &["leverandor", "kommune", "helsevirksomhet", "produsent", "anskaffer"];
const OBLIGATIONS: &[&str] = &["skal", "ma", "bor", "kan"];

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Zipf-ish: small indices much more likely.
    fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n) + 1;
        let b = self.below(a);
        b.min(n - 1)
    }
}

fn word(rng: &mut Lcg) -> String {
    if rng.below(10) < 4 {
        return GLUE[rng.skewed(GLUE.len())].to_string();
    }
    let stem = STEMS[rng.skewed(STEMS.len())];
    let mut w = String::new();
    if rng.below(5) == 0 {
        w.push_str(STEMS[rng.below(STEMS.len())]);
        w.push_str(if rng.below(2) == 0 { "s" } else { "" });
    }
    w.push_str(stem);
    w.push_str(SUFFIXES[rng.skewed(SUFFIXES.len())]);
    w
}

fn sentence(rng: &mut Lcg, words: usize) -> String {
    let mut s: Vec<String> = (0..words).map(|_| word(rng)).collect();
    if let Some(first) = s.first_mut() {
        let mut c = first.chars();
        if let Some(f) = c.next() {
            *first = f.to_uppercase().collect::<String>() + c.as_str();
        }
    }
    s.join(" ") + "."
}

fn text(rng: &mut Lcg, min: usize, max: usize) -> String {
    let target = min + rng.below(max - min + 1);
    let mut out = Vec::new();
    let mut count = 0;
    while count < target {
        let n = 6 + rng.below(14);
        out.push(sentence(rng, n));
        count += n;
    }
    out.join(" ")
}

/// `n` documents: 75 % requirements, 20 % page sections, 5 % references.
pub fn corpus(n: usize, version: &str) -> Vec<SearchDoc> {
    let mut rng = Lcg(0x6e6f726d626f6b);
    (0..n)
        .map(|i| {
            let kind = match i % 20 {
                0..=14 => Kind::Requirement,
                15..=18 => Kind::Page,
                _ => Kind::Reference,
            };
            let (id, body, url) = match kind {
                Kind::Requirement => {
                    let id = format!("{}-{:02}", ["AVT", "RIS", "TIL", "SKY", "LOG"][i % 5], i);
                    let url = format!("{version}/requirements/{id}.html");
                    (id, text(&mut rng, 60, 200), url)
                }
                Kind::Page => {
                    let id = format!("side-{}#seksjon-{i}", i / 7);
                    let url = format!("{version}/side-{}.html#seksjon-{i}", i / 7);
                    (id, text(&mut rng, 150, 500), url)
                }
                Kind::Reference => {
                    let id = format!("ref-{i}");
                    let url = format!("{version}/references/{id}.html");
                    (id, text(&mut rng, 8, 30), url)
                }
            };
            let groups = (0..1 + rng.below(3)).map(|_| GROUPS[rng.below(GROUPS.len())].to_string());
            let mut target_groups: Vec<String> = groups.collect();
            target_groups.sort();
            target_groups.dedup();
            let title_words = 3 + rng.below(5);
            SearchDoc {
                title: sentence(&mut rng, title_words).trim_end_matches('.').to_string(),
                excerpt: search_index::make_excerpt(&body, search_index::MAX_EXCERPT_CHARS),
                obligation: (kind == Kind::Requirement).then(|| OBLIGATIONS[rng.below(OBLIGATIONS.len())].to_string()),
                target_groups: if kind == Kind::Reference { Vec::new() } else { target_groups },
                id,
                kind,
                body,
                url,
                version: version.to_string(),
            }
        })
        .collect()
}
