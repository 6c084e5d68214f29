//! Benchmark corpus generator: writes a synthetic but valid normbok site with N requirements
//! over chapters and V versions, and the same text as plain Markdown pages for Hugo, Zola and
//! mdBook, so that build times can be compared on equal content (issue 8, `BENCHMARKS.md`).
//!
//! ```text
//! cargo run --release --example corpus -- --out DIR --requirements N --versions V --seed S \
//!     [--flavor normbok|hugo|zola|mdbook|all] [--chapters C] [--statement-words W] [--words W]
//! ```
//!
//! The output depends only on the arguments: the random generator is a hand-written
//! SplitMix64 (not a crate), so a seed gives the same corpus on every machine and with every
//! dependency version. Consecutive versions differ in about 5 % of the requirements (text and
//! title edits, obligation, target-group and status changes, additions and removals).
//! `--flavor all` writes `DIR/normbok`, `DIR/hugo`, `DIR/zola` and `DIR/mdbook`; any other
//! flavor writes into `DIR` itself.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Parser, ValueEnum};

/// Command line.
#[derive(Parser, Debug)]
#[command(about = "Writes a deterministic benchmark corpus (normbok site and peer-tool Markdown)")]
struct Args {
    /// Output folder (created; existing files with the same names are overwritten).
    #[arg(long)]
    out: PathBuf,
    /// Requirements in the oldest version (later versions differ by additions and removals).
    #[arg(long, default_value_t = 1000)]
    requirements: usize,
    /// Number of versions (≥ 1).
    #[arg(long, default_value_t = 3)]
    versions: usize,
    /// Seed of the random generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Which site layout to write.
    #[arg(long, value_enum, default_value_t = Flavor::Normbok)]
    flavor: Flavor,
    /// Number of chapters. Fixed rather than growing with N because real catalogues keep a
    /// few dozen chapters however many requirements they hold (NIST 800-53: 20 families).
    #[arg(long, default_value_t = 20)]
    chapters: usize,
    /// Long statements: each has between W and 2·W words (0: one or two sentences). The
    /// search scale benchmark uses 400 (issue 14 item 7: texts of 400–800 words).
    #[arg(long, default_value_t = 0)]
    statement_words: usize,
    /// Pad every requirement's guidance with generated sentences to at least this many words
    /// (0: off). Issue 12 measures texts of 400–800 words; the default keeps the short texts
    /// of earlier runs (same corpus for the same seed).
    #[arg(long, default_value_t = 0)]
    words: usize,
}

/// `--statement-words`, read by `new_req` (a global so `generate`'s signature, which the
/// benches use, stays as it is; 0 keeps the default corpus byte for byte).
static STATEMENT_WORDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// `--words`, read by [`new_req`] (a global so the generator's signatures stay as they were).
static WORDS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// Site layouts the generator can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Flavor {
    Normbok,
    Hugo,
    Zola,
    Mdbook,
    All,
}

/// SplitMix64: tiny, fast, and fixed forever (unlike a crate's generator across versions).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant for a text corpus.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const OBLIGATIONS: [(&str, &str, &str); 4] = [("skal", "Skal", "skal"), ("ma", "Må", "må"), ("bor", "Bør", "bør"), ("kan", "Kan", "kan")];

const GROUPS: [(&str, &str); 7] = [
    ("kommune", "Kommuner"),
    ("helsevirksomhet", "Helsevirksomheter"),
    ("anskaffer", "Anskaffere"),
    ("dataansvarlig", "Dataansvarlige"),
    ("databehandler", "Databehandlere"),
    ("leverandor", "Leverandører"),
    ("produsent", "Produsenter"),
];

const TOPICS: [&str; 20] = [
    "Styring og kontroll",
    "Risikovurdering",
    "Tilgangsstyring",
    "Logging og oppfølging",
    "Fjernaksess",
    "Skytjenester",
    "Medisinsk utstyr",
    "Personvern",
    "Taushetsplikt",
    "Sletting og utlån",
    "Avtaler med leverandører",
    "Anskaffelser",
    "Innføring og migrering",
    "Hendelseshåndtering",
    "Beredskap og kontinuitet",
    "Kryptering",
    "Nettverk og Norsk Helsenett",
    "Opplæring og bevissthet",
    "Utstyr hjemme hos pasient",
    "Programvareutvikling",
];

const SUBJECTS: [&str; 9] = [
    "Virksomheten",
    "Leverandøren",
    "Databehandleren",
    "Den dataansvarlige",
    "Kommunen",
    "Helsevirksomheten",
    "Produsenten",
    "Anskafferen",
    "Systemeieren",
];

const VERBS: [&str; 16] = [
    "sørge for sikker håndtering av",
    "dokumentere",
    "vurdere",
    "etablere rutiner for",
    "gjennomgå",
    "følge opp",
    "sikre",
    "begrense",
    "overvåke",
    "registrere",
    "beskytte",
    "teste",
    "godkjenne",
    "rapportere avvik i",
    "kartlegge",
    "revidere",
];

const OBJECTS: [&str; 28] = [
    "tilgangsstyringen",
    "loggføringen av oppslag i journal",
    "behandlingen av helseopplysninger",
    "sikkerhetskopiene",
    "krypteringsnøklene",
    "fjernaksessen for leverandører",
    "risikovurderingene",
    "avvikshåndteringen",
    "slettingen av personopplysninger",
    "tjenestenivåavtalene",
    "opplæringen av ansatte",
    "tilgangen til pasientjournalen",
    "det medisinske utstyret",
    "skytjenestene som brukes",
    "beredskapsplanene",
    "endringene i systemet",
    "integrasjonene mot Norsk Helsenett",
    "autentiseringen av brukere",
    "programvareoppdateringene",
    "utlånt utstyr hos pasienter",
    "behandlingsgrunnlaget",
    "databehandleravtalene",
    "sårbarhetene i løsningen",
    "nettverkssoneinndelingen",
    "tilgangen for underleverandører",
    "personvernkonsekvensvurderingen",
    "overføringen av opplysninger til utlandet",
    "hendelsene som påvirker pasientsikkerheten",
];

const ADVERBIALS: [&str; 16] = [
    "før endringer tas i bruk",
    "minst én gang i året",
    "i samsvar med Normen",
    "når risikobildet endres",
    "på en etterprøvbar måte",
    "uten ugrunnet opphold",
    "gjennom hele livsløpet",
    "i alle faser av anskaffelsen",
    "etter avtale med den dataansvarlige",
    "med tydelig ansvarsfordeling",
    "før pasientdata behandles",
    "ved bytte av leverandør",
    "når utstyret leveres tilbake",
    "på tvers av virksomhetene",
    "i tråd med gjeldende lovverk",
    "slik at tjenesten er forsvarlig",
];

const FILLERS: [&str; 10] = [
    "Tiltakene skal stå i forhold til risikoen og være dokumentert.",
    "Dette gjelder også opplysninger som håndteres av underleverandører.",
    "Ansvaret bør være beskrevet i avtalen mellom partene.",
    "Vurderingen må ta høyde for hvor tidskritisk det er å få tilgang til opplysningene.",
    "Se også krav til logging og oppfølging av tilgang.",
    "Rutinene bør være kjent for alle som deltar i behandlingen.",
    "Når det er tvil, bør virksomheten søke råd hos personvernombudet.",
    "Både organisatoriske og tekniske tiltak kan være aktuelle.",
    "Dokumentasjonen skal være tilgjengelig for tilsynsmyndigheten.",
    "Særlig for helseopplysninger er kravene til konfidensialitet strenge.",
];

const QUALIFIERS: [&str; 12] = [
    "ved fjernaksess",
    "i skytjenester",
    "for medisinsk utstyr",
    "hos leverandøren",
    "før idriftsettelse",
    "ved endringer",
    "for underleverandører",
    "i kommunale tjenester",
    "ved utlån",
    "over tid",
    "i avtalen",
    "ved hendelser",
];

/// A reference (law, standard …), the same in every version.
struct RefDef {
    id: String,
    kind: &'static str,
    title: String,
    designation: String,
    url: String,
}

/// One requirement in one version.
#[derive(Clone)]
struct Req {
    id: String,
    chapter: usize,
    title: String,
    obligation: usize,
    groups: Vec<usize>,
    statement: Vec<String>,
    guidance: Option<Vec<String>>,
    items: Vec<String>,
    status: &'static str,
    applies_from: Option<String>,
    references: Vec<usize>,
    related: Vec<String>,
}

/// One version: its id, label and requirements in chapter order.
struct Ver {
    id: String,
    label: String,
    published: String,
    reqs: Vec<Req>,
}

/// Requirements 1–3 of every chapter are never removed, so links to them (related lists,
/// `[[ID]]` in pages) stay valid in every version.
const STABLE: usize = 3;

fn req_id(chapter: usize, n: usize) -> String {
    format!("K{:02}-{n:04}", chapter + 1)
}

fn chapter_id(c: usize) -> String {
    format!("kap{:02}", c + 1)
}

fn chapter_title(c: usize) -> String {
    match TOPICS.get(c) {
        Some(t) => (*t).to_string(),
        None => format!("{} {}", TOPICS[c % TOPICS.len()], c / TOPICS.len() + 1),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn sentence(rng: &mut Rng, modal: &str) -> String {
    format!("{} {modal} {} {} {}.", rng.pick(&SUBJECTS), rng.pick(&VERBS), rng.pick(&OBJECTS), rng.pick(&ADVERBIALS))
}

fn title(rng: &mut Rng) -> String {
    let obj = rng.pick(&OBJECTS);
    // "tilgangsstyringen" → "Tilgangsstyringen ved fjernaksess": short, varied, no Markdown.
    format!("{} {}", capitalize(obj), rng.pick(&QUALIFIERS))
}

fn new_req(rng: &mut Rng, chapter: usize, n: usize, refs: usize) -> Req {
    let obligation = match rng.below(10) {
        0..=4 => 0,
        5..=6 => 1,
        7..=8 => 2,
        _ => 3,
    };
    let modal = OBLIGATIONS[obligation].2;
    let mut groups: Vec<usize> = (0..1 + rng.below(3)).map(|_| rng.below(GROUPS.len())).collect();
    groups.sort_unstable();
    groups.dedup();
    let mut statement: Vec<String> = (0..1 + rng.below(2)).map(|_| sentence(rng, modal)).collect();
    if rng.chance(15) {
        // Inline Markdown as real catalogues have it.
        let s = &mut statement[0];
        if let Some(i) = s.find(' ') {
            s.insert_str(i + 1, "**");
            let j = s[i + 3..].find(' ').map_or(s.len() - 1, |k| i + 3 + k);
            s.insert_str(j, "**");
        }
    }
    let min_words = STATEMENT_WORDS.load(std::sync::atomic::Ordering::Relaxed);
    if min_words > 0 {
        let target = min_words + rng.below(min_words + 1);
        let mut words: usize = statement.iter().map(|s| s.split_whitespace().count()).sum();
        while words < target {
            let next = if rng.chance(30) { (*rng.pick(&FILLERS)).to_string() } else { sentence(rng, modal) };
            words += next.split_whitespace().count();
            statement.push(next);
        }
    }
    let guidance = rng.chance(50).then(|| {
        let mut g: Vec<String> = (0..1 + rng.below(3)).map(|_| (*rng.pick(&FILLERS)).to_string()).collect();
        g.push(sentence(rng, "bør"));
        if rng.chance(30) {
            let r = rng.below(refs);
            g.push(format!("Se [{}](ref:{}).", "den aktuelle kilden", ref_id(r)));
        }
        g
    });
    let mut guidance = guidance;
    let target = WORDS.get().copied().unwrap_or(0);
    if target > 0 {
        let count = |v: &[String]| v.iter().map(|x| x.split_whitespace().count()).sum::<usize>();
        let mut have = count(&statement);
        let g = guidance.get_or_insert_with(Vec::new);
        have += count(g);
        while have < target {
            let x = if rng.chance(50) { sentence(rng, "bør") } else { (*rng.pick(&FILLERS)).to_string() };
            have += x.split_whitespace().count();
            g.push(x);
        }
    }
    let items = if rng.chance(30) { (0..2 + rng.below(3)).map(|_| capitalize(rng.pick::<&str>(&OBJECTS))).collect() } else { Vec::new() };
    let mut references: Vec<usize> = (0..rng.below(3)).map(|_| rng.below(refs)).collect();
    references.sort_unstable();
    references.dedup();
    let mut related = Vec::new();
    if n > STABLE && rng.chance(40) {
        related.push(req_id(chapter, 1 + rng.below(STABLE)));
    }
    Req {
        id: req_id(chapter, n),
        chapter,
        title: title(rng),
        obligation,
        groups,
        statement,
        guidance,
        items,
        status: "in-force",
        applies_from: None,
        references,
        related,
    }
}

fn ref_id(i: usize) -> String {
    let kind = ["lov", "forskrift", "standard", "veileder"][i % 4];
    format!("{kind}-{:03}", i + 1)
}

fn references() -> Vec<RefDef> {
    (0..40)
        .map(|i| {
            let (kind, title, url) = match i % 4 {
                0 => (
                    "law",
                    format!("Lov om helseregistre og behandling av helseopplysninger, del {}", i / 4 + 1),
                    "https://lovdata.no/dokument/NL/lov",
                ),
                1 => {
                    ("regulation", format!("Forskrift om informasjonssikkerhet, kapittel {}", i / 4 + 1), "https://lovdata.no/dokument/SF/forskrift")
                }
                2 => ("standard", format!("NS-EN ISO/IEC 27{:03} – styringssystem for informasjonssikkerhet", i), "https://standard.no/"),
                _ => ("guidance", format!("Veileder for bruk av skytjenester, del {}", i / 4 + 1), "https://www.ehelse.no/normen"),
            };
            RefDef { id: ref_id(i), kind, title, designation: format!("REF-{:04}", i + 1), url: format!("{url}/{}", i + 1) }
        })
        .collect()
}

/// Builds every version, oldest first.
fn build_versions(requirements: usize, versions: usize, chapters: usize, rng: &mut Rng, refs: usize) -> Vec<Ver> {
    let mut next_n = vec![0usize; chapters];
    let mut reqs: Vec<Req> = Vec::with_capacity(requirements);
    // Spread N over the chapters as evenly as possible; ids are per chapter.
    for i in 0..requirements {
        let c = i * chapters / requirements;
        next_n[c] += 1;
        reqs.push(new_req(rng, c, next_n[c], refs));
    }
    let mut out = Vec::new();
    for vi in 0..versions.max(1) {
        if vi > 0 {
            mutate(rng, &mut reqs, &mut next_n, refs);
        }
        let year = 2021 + vi / 2;
        let half = vi % 2 + 1;
        out.push(Ver {
            id: format!("{year}.{half}"),
            label: format!("Versjon {year}.{half}"),
            published: format!("{year}-{:02}-15", if half == 1 { 3 } else { 10 }),
            reqs: reqs.clone(),
        });
    }
    out
}

/// Applies about 5 % changes to a version to make the next one.
fn mutate(rng: &mut Rng, reqs: &mut Vec<Req>, next_n: &mut [usize], refs: usize) {
    let total = (reqs.len() * 5).div_ceil(100).max(1);
    let removable = |r: &Req| r.id[4..].parse::<usize>().is_ok_and(|n| n > STABLE) && r.status != "withdrawn";
    for k in 0..total {
        match k % 20 {
            // 8/20 statement or guidance edits.
            0..=7 => {
                let i = rng.below(reqs.len());
                let modal = OBLIGATIONS[reqs[i].obligation].2;
                let r = &mut reqs[i];
                let s = rng.below(r.statement.len());
                r.statement[s] = sentence(rng, modal);
                if rng.chance(30) {
                    r.guidance.get_or_insert_with(Vec::new).push((*rng.pick(&FILLERS)).to_string());
                }
            }
            // 3/20 title edits.
            8..=10 => {
                let i = rng.below(reqs.len());
                reqs[i].title = title(rng);
            }
            // 3/20 obligation changes (the modal verb in the text follows).
            11..=13 => {
                let i = rng.below(reqs.len());
                let r = &mut reqs[i];
                let old = OBLIGATIONS[r.obligation].2;
                r.obligation = (r.obligation + 1 + rng.below(3)) % OBLIGATIONS.len();
                let new = OBLIGATIONS[r.obligation].2;
                for s in &mut r.statement {
                    *s = s.replacen(&format!(" {old} "), &format!(" {new} "), 1);
                }
            }
            // 1/20 target-group or reference changes.
            14 => {
                let i = rng.below(reqs.len());
                let g = rng.below(GROUPS.len());
                let r = &mut reqs[i];
                if r.groups.len() > 1 && r.groups.contains(&g) {
                    r.groups.retain(|x| *x != g);
                } else if !r.groups.contains(&g) {
                    r.groups.push(g);
                    r.groups.sort_unstable();
                } else {
                    r.references.push(rng.below(refs));
                    r.references.sort_unstable();
                    r.references.dedup();
                }
            }
            // 3/20 additions (some upcoming, with a date), at the end of their chapter.
            15..=17 => {
                let c = rng.below(next_n.len());
                next_n[c] += 1;
                let mut r = new_req(rng, c, next_n[c], refs);
                if rng.chance(20) {
                    r.status = "upcoming";
                    r.applies_from = Some(format!("2030-{:02}-01", 1 + rng.below(12)));
                }
                let at = reqs.iter().rposition(|x| x.chapter <= c).map_or(0, |p| p + 1);
                reqs.insert(at, r);
            }
            // 1/20 withdrawals, 1/20 removals (never of the stable ones that others link to).
            18 => {
                let i = rng.below(reqs.len());
                if removable(&reqs[i]) {
                    reqs[i].status = "withdrawn";
                }
            }
            _ => {
                let i = rng.below(reqs.len());
                if removable(&reqs[i]) {
                    reqs.remove(i);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Writers

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent()
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        panic!("cannot create {}: {e}", dir.display());
    }
    if let Err(e) = std::fs::write(path, text) {
        panic!("cannot write {}: {e}", path.display());
    }
}

/// A YAML double-quoted scalar: JSON string syntax is valid YAML for these characters.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

fn block(out: &mut String, key: &str, indent: &str, lines: &[String]) {
    let _ = writeln!(out, "{indent}{key}: |");
    for l in lines {
        let _ = writeln!(out, "{indent}  {l}");
    }
}

fn list(xs: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", xs.into_iter().collect::<Vec<_>>().join(", "))
}

/// Guide pages of one version: (path below pages/, title, order, body).
fn guide_pages(v: &Ver, chapters: usize, refs: &[RefDef]) -> Vec<(String, String, i64, String)> {
    let mut pages = Vec::new();
    let mut home = String::from("Denne veilederen er generert for ytelsesmålinger av normbok. ");
    home.push_str("Teksten ligner norsk fagtekst om informasjonssikkerhet i helse- og omsorgssektoren.\n\n## Kapitler\n\n");
    for c in 0..chapters {
        let _ = writeln!(home, "- [{}]({}.md)", chapter_title(c), chapter_id(c));
    }
    pages.push(("index.md".to_string(), format!("Veileder {}", v.label), 0, home));
    for c in 0..chapters {
        let mut b = format!("Dette kapittelet beskriver krav om {}.\n\n", chapter_title(c).to_lowercase());
        b.push_str("## Sentrale krav\n\n");
        for n in 1..=STABLE {
            let _ = writeln!(b, "- [[{}]]", req_id(c, n));
        }
        let _ = write!(b, "\n## Kilder\n\nSe [{}](ref:{}) og [forsiden](index.md).\n", refs[c % refs.len()].title, refs[c % refs.len()].id);
        pages.push((format!("{}.md", chapter_id(c)), chapter_title(c), (c as i64 + 1) * 10, b));
    }
    // A few topic pages (one per 200 requirements, at most 20). Capped because every page
    // lists every guide page in its navigation: a count growing with N would make the
    // output, and the scaling curve, grow as N² (50 topic pages at N = 10,000 did).
    let topics = (v.reqs.len() / 200).clamp(1, 20);
    let mut rng = Rng(v.reqs.len() as u64);
    for t in 0..topics {
        let c = t % chapters;
        let mut b = String::new();
        for s in 0..4 {
            let _ = write!(b, "## Avsnitt {}\n\n", s + 1);
            for _ in 0..3 {
                b.push_str(&sentence(&mut rng, "bør"));
                b.push(' ');
            }
            let _ = write!(b, "Se [[{}]].\n\n", req_id(c, 1 + s % STABLE));
        }
        let _ = writeln!(b, "Tilbake til [kapittelet](../{}.md#sentrale-krav).", chapter_id(c));
        pages.push((format!("tema/tema-{:04}.md", t + 1), format!("Tema {}: {}", t + 1, chapter_title(c)), 1000 + t as i64, b));
    }
    pages
}

fn write_normbok(dir: &Path, vs: &[Ver], chapters: usize, refs: &[RefDef]) {
    let mut cfg = String::from("title = \"Syntetisk veileder for ytelsesmåling\"\nlanguage = \"nb\"\nbase_url = \"\"\ntheme = \"default\"\n");
    for (i, v) in vs.iter().enumerate().rev() {
        let status = if i + 1 == vs.len() { "current" } else { "superseded" };
        let _ = write!(cfg, "\n[[versions]]\nid = \"{}\"\nlabel = \"{}\"\nstatus = \"{status}\"\npublished = {}\n", v.id, v.label, v.published);
    }
    for (id, label, _) in OBLIGATIONS {
        let _ = write!(cfg, "\n[[obligations]]\nid = \"{id}\"\nlabel = \"{label}\"\n");
    }
    for (id, label) in GROUPS {
        let _ = write!(cfg, "\n[[target_groups]]\nid = \"{id}\"\nlabel = \"{label}\"\n");
    }
    write(&dir.join("normbok.toml"), &cfg);
    for v in vs {
        let vdir = dir.join("content").join(&v.id);
        for c in 0..chapters {
            let mut y = String::new();
            let _ = writeln!(y, "chapter:\n  id: {}\n  title: {}\n  order: {}", chapter_id(c), q(&chapter_title(c)), c + 1);
            block(&mut y, "intro", "  ", &[format!("Krav om {} i helse- og omsorgssektoren.", chapter_title(c).to_lowercase())]);
            y.push_str("requirements:\n");
            for r in v.reqs.iter().filter(|r| r.chapter == c) {
                let _ = writeln!(y, "  - id: {}\n    title: {}\n    obligation: {}", r.id, q(&r.title), OBLIGATIONS[r.obligation].0);
                let _ = writeln!(y, "    target_groups: {}", list(r.groups.iter().map(|g| GROUPS[*g].0.to_string())));
                block(&mut y, "statement", "    ", &[r.statement.join(" ")]);
                if let Some(g) = &r.guidance {
                    block(&mut y, "guidance", "    ", &[g.join(" ")]);
                }
                if !r.items.is_empty() {
                    let _ = writeln!(y, "    items: {}", list(r.items.iter().map(|i| q(i))));
                }
                if r.status != "in-force" {
                    let _ = writeln!(y, "    status: {}", r.status);
                }
                if let Some(d) = &r.applies_from {
                    let _ = writeln!(y, "    applies_from: {d}");
                }
                if !r.references.is_empty() {
                    let _ = writeln!(y, "    references: {}", list(r.references.iter().map(|i| refs[*i].id.clone())));
                }
                if !r.related.is_empty() {
                    let _ = writeln!(y, "    related: {}", list(r.related.iter().cloned()));
                }
            }
            write(&vdir.join("requirements").join(format!("{}.yaml", chapter_id(c))), &y);
        }
        for (file, kinds) in [("lover", &["law", "regulation"][..]), ("standarder", &["standard"][..]), ("veiledere", &["guidance"][..])] {
            let mut y = String::from("references:\n");
            for r in refs.iter().filter(|r| kinds.contains(&r.kind)) {
                let _ = writeln!(
                    y,
                    "  - id: {}\n    kind: {}\n    title: {}\n    designation: {}\n    url: {}",
                    r.id,
                    r.kind,
                    q(&r.title),
                    q(&r.designation),
                    r.url
                );
            }
            write(&vdir.join("references").join(format!("{file}.yaml")), &y);
        }
        for (path, title, order, body) in guide_pages(v, chapters, refs) {
            let fm = format!("---\ntitle: {}\norder: {order}\n---\n\n", q(&title));
            write(&vdir.join("pages").join(path), &(fm + &body));
        }
    }
}

/// The requirement as one plain Markdown page body (shared by the peer flavors).
fn req_markdown(r: &Req, refs: &[RefDef]) -> String {
    let mut b = String::new();
    let groups: Vec<&str> = r.groups.iter().map(|g| GROUPS[*g].1).collect();
    let _ = write!(b, "**{}** · {} · {}\n\n", OBLIGATIONS[r.obligation].1, groups.join(", "), r.status);
    b.push_str(&r.statement.join(" "));
    b.push_str("\n\n");
    if let Some(g) = &r.guidance {
        // Peers have no ref: scheme; the link text stays, the target becomes the source URL.
        let mut t = g.join(" ");
        for rf in refs {
            t = t.replace(&format!("(ref:{})", rf.id), &format!("({})", rf.url));
        }
        let _ = write!(b, "## Veiledning\n\n{t}\n\n");
    }
    if !r.items.is_empty() {
        for i in &r.items {
            let _ = writeln!(b, "- {i}");
        }
        b.push('\n');
    }
    if !r.references.is_empty() {
        b.push_str("## Referanser\n\n");
        for i in &r.references {
            let _ = writeln!(b, "- [{}]({})", refs[*i].title, refs[*i].url);
        }
    }
    b
}

/// Peer guide-page body: `[[ID]]` and `.md` links have no meaning there, so they become text.
fn plain_page(body: &str) -> String {
    body.replace("[[", "").replace("]]", "").replace(".md#", ".html#").replace(".md)", ".html)")
}

fn toml_str(s: &str) -> String {
    q(s)
}

fn write_hugo(dir: &Path, vs: &[Ver], chapters: usize, refs: &[RefDef]) {
    write(
        &dir.join("hugo.toml"),
        "baseURL = \"https://example.org/\"\nlanguageCode = \"nb\"\ntitle = \"Syntetisk veileder\"\n\
         disableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\"]\nuglyURLs = true\n",
    );
    // The smallest layouts that render every page with its title, body and a list of children.
    write(
        &dir.join("layouts/_default/baseof.html"),
        "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\n<body>{{ block \"main\" . }}{{ end }}</body></html>\n",
    );
    write(&dir.join("layouts/_default/single.html"), "{{ define \"main\" }}<h1>{{ .Title }}</h1>\n{{ .Content }}{{ end }}\n");
    write(
        &dir.join("layouts/_default/list.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>\n{{ .Content }}<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
    );
    write(&dir.join("content/_index.md"), "---\ntitle: \"Syntetisk veileder\"\n---\n");
    for v in vs {
        let vdir = dir.join("content").join(&v.id);
        write(&vdir.join("_index.md"), &format!("---\ntitle: {}\n---\n", q(&v.label)));
        for c in 0..chapters {
            write(&vdir.join(chapter_id(c)).join("_index.md"), &format!("---\ntitle: {}\nweight: {}\n---\n", q(&chapter_title(c)), c + 1));
        }
        for (i, r) in v.reqs.iter().enumerate() {
            let fm = format!("---\ntitle: {}\nweight: {}\n---\n\n", q(&format!("{} {}", r.id, r.title)), i + 1);
            write(&vdir.join(chapter_id(r.chapter)).join(format!("{}.md", r.id.to_lowercase())), &(fm + &req_markdown(r, refs)));
        }
        for (path, title, order, body) in guide_pages(v, chapters, refs) {
            let path = if path == "index.md" { "veileder.md".to_string() } else { format!("sider/{path}") };
            let fm = format!("---\ntitle: {}\nweight: {order}\n---\n\n", q(&title));
            write(&vdir.join(path), &(fm + &plain_page(&body)));
        }
    }
}

fn write_zola(dir: &Path, vs: &[Ver], chapters: usize, refs: &[RefDef]) {
    write(
        &dir.join("config.toml"),
        "base_url = \"https://example.org\"\ntitle = \"Syntetisk veileder\"\ndefault_language = \"no\"\ncompile_sass = false\nbuild_search_index = true\n",
    );
    write(
        &dir.join("templates/index.html"),
        "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"><title>{{ config.title }}</title></head><body><h1>{{ config.title }}</h1>{{ section.content | safe }}</body></html>\n",
    );
    write(
        &dir.join("templates/section.html"),
        "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"><title>{{ section.title }}</title></head><body><h1>{{ section.title }}</h1>{{ section.content | safe }}<ul>{% for p in section.pages %}<li><a href=\"{{ p.permalink }}\">{{ p.title }}</a></li>{% endfor %}</ul></body></html>\n",
    );
    write(
        &dir.join("templates/page.html"),
        "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"><title>{{ page.title }}</title></head><body><h1>{{ page.title }}</h1>{{ page.content | safe }}</body></html>\n",
    );
    write(&dir.join("content/_index.md"), "+++\ntitle = \"Syntetisk veileder\"\n+++\n");
    for v in vs {
        let vdir = dir.join("content").join(&v.id);
        write(&vdir.join("_index.md"), &format!("+++\ntitle = {}\n+++\n", toml_str(&v.label)));
        for c in 0..chapters {
            write(
                &vdir.join(chapter_id(c)).join("_index.md"),
                &format!("+++\ntitle = {}\nweight = {}\nsort_by = \"weight\"\n+++\n", toml_str(&chapter_title(c)), c + 1),
            );
        }
        write(&vdir.join("sider/_index.md"), "+++\ntitle = \"Veiledning\"\n+++\n");
        write(&vdir.join("sider/tema/_index.md"), "+++\ntitle = \"Temaer\"\n+++\n");
        for (i, r) in v.reqs.iter().enumerate() {
            let fm = format!("+++\ntitle = {}\nweight = {}\n+++\n\n", toml_str(&format!("{} {}", r.id, r.title)), i + 1);
            write(&vdir.join(chapter_id(r.chapter)).join(format!("{}.md", r.id.to_lowercase())), &(fm + &req_markdown(r, refs)));
        }
        for (path, title, order, body) in guide_pages(v, chapters, refs) {
            let path = if path == "index.md" { "veileder.md".to_string() } else { path };
            let fm = format!("+++\ntitle = {}\nweight = {order}\n+++\n\n", toml_str(&title));
            // Zola checks internal links only in the @/ form; plain relative links are left as text.
            write(&vdir.join("sider").join(path), &(fm + &plain_page(&body).replace(".html", "")));
        }
    }
}

fn write_mdbook(dir: &Path, vs: &[Ver], chapters: usize, refs: &[RefDef]) {
    write(&dir.join("book.toml"), "[book]\ntitle = \"Syntetisk veileder\"\nlanguage = \"nb\"\nsrc = \"src\"\n\n[build]\nbuild-dir = \"book\"\n");
    let mut summary = String::from("# Sammendrag\n\n");
    for v in vs {
        let vdir = dir.join("src").join(&v.id);
        write(&vdir.join("README.md"), &format!("# {}\n", v.label));
        let _ = writeln!(summary, "- [{}]({}/README.md)", v.label, v.id);
        for (path, title, _, body) in guide_pages(v, chapters, refs) {
            let path = if path == "index.md" { "veileder.md".to_string() } else { format!("sider/{path}") };
            write(&vdir.join(&path), &format!("# {title}\n\n{}", plain_page(&body)));
            let _ = writeln!(summary, "  - [{}]({}/{path})", title.replace(['[', ']'], ""), v.id);
        }
        for c in 0..chapters {
            let cdir = vdir.join(chapter_id(c));
            write(&cdir.join("README.md"), &format!("# {}\n", chapter_title(c)));
            let _ = writeln!(summary, "  - [{}]({}/{}/README.md)", chapter_title(c), v.id, chapter_id(c));
            for r in v.reqs.iter().filter(|r| r.chapter == c) {
                let file = format!("{}.md", r.id.to_lowercase());
                write(&cdir.join(&file), &format!("# {} {}\n\n{}", r.id, r.title, req_markdown(r, refs)));
                let _ = writeln!(summary, "    - [{} {}]({}/{}/{file})", r.id, r.title, v.id, chapter_id(c));
            }
        }
    }
    write(&dir.join("src/SUMMARY.md"), &summary);
}

/// Writes a corpus of `flavor` into `out`; returns (version id, requirement count), oldest first.
/// Also used by the criterion benches (`benches/pipeline.rs` includes this file).
pub(crate) fn generate(out: &Path, requirements: usize, versions: usize, seed: u64, flavor: Flavor, chapters: usize) -> Vec<(String, usize)> {
    assert!(requirements >= STABLE, "at least {STABLE} requirements");
    // Every chapter needs its STABLE requirements, which guide pages link to.
    let ch = chapters.clamp(1, requirements / STABLE);
    let mut rng = Rng(seed);
    let refs = references();
    let vs = build_versions(requirements, versions, ch, &mut rng, refs.len());
    match flavor {
        Flavor::Normbok => write_normbok(out, &vs, ch, &refs),
        Flavor::Hugo => write_hugo(out, &vs, ch, &refs),
        Flavor::Zola => write_zola(out, &vs, ch, &refs),
        Flavor::Mdbook => write_mdbook(out, &vs, ch, &refs),
        Flavor::All => {
            write_normbok(&out.join("normbok"), &vs, ch, &refs);
            write_hugo(&out.join("hugo"), &vs, ch, &refs);
            write_zola(&out.join("zola"), &vs, ch, &refs);
            write_mdbook(&out.join("mdbook"), &vs, ch, &refs);
        }
    }
    vs.iter().map(|v| (v.id.clone(), v.reqs.len())).collect()
}

fn main() {
    let a = Args::parse();
    let _ = WORDS.set(a.words);
    if a.requirements < STABLE {
        eprintln!("corpus: --requirements must be at least {STABLE}");
        std::process::exit(2);
    }
    STATEMENT_WORDS.store(a.statement_words, std::sync::atomic::Ordering::Relaxed);
    let counts = generate(&a.out, a.requirements, a.versions, a.seed, a.flavor, a.chapters);
    let per_version: Vec<String> = counts.iter().map(|(id, n)| format!("{id}: {n}")).collect();
    eprintln!("corpus: {} versions ({}), seed {}, into {}", counts.len(), per_version.join(", "), a.seed, a.out.display());
}
