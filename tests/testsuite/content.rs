//! The bundled content tells the truth (issue 16): every requirement's obligation level in
//! every bundled version follows the modal verb of a quoted seed passage
//! (`obligation-quotes.tsv`), the quotes really occur in the seeds when
//! `shared/seeds/` is beside the repository, and the language points of the review stay fixed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::bundled::yaml_requirements;
use crate::support::repo;

/// The modal wording of a quote → the obligation level it gives (CONTENT-NOTES.md,
/// "Obligation levels"). Matched as written in the table's `cue` column.
const CUES: &[(&str, &str)] = &[
    ("skal", "skal"),
    ("har ansvar", "skal"),
    ("ansvar", "skal"),
    ("plikt", "skal"),
    ("forpliktet", "skal"),
    ("det er krav", "skal"),
    ("kan bare", "skal"),
    ("må", "ma"),
    ("nødvendig", "ma"),
    ("krever", "ma"),
    ("bør", "bor"),
    ("anbefal", "bor"),
    ("viktig", "bor"),
    ("oppfordr", "bor"),
    ("forvent", "bor"),
    ("behov for", "bor"),
    ("kan", "kan"),
    ("er det mulig", "kan"),
];

struct Row {
    line: usize,
    id: String,
    versions: Vec<String>,
    obligation: String,
    cue: String,
    seed: String,
    quote: String,
}

fn quote_table() -> Vec<Row> {
    let text = std::fs::read_to_string(repo().join("obligation-quotes.tsv")).expect("obligation-quotes.tsv");
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()).skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 6, "obligation-quotes.tsv:{}: six tab-separated columns", i + 1);
        rows.push(Row {
            line: i + 1,
            id: f[0].to_string(),
            versions: f[1].split(',').map(str::to_string).collect(),
            obligation: f[2].to_string(),
            cue: f[3].to_string(),
            seed: f[4].to_string(),
            quote: f[5].to_string(),
        });
    }
    rows
}

/// `shared/seeds/` next to the repository or one of its parents (a worktree sits deeper);
/// CI's clone has it beside it.
fn seeds_dir() -> Option<PathBuf> {
    repo().ancestors().skip(1).map(|a| a.join("shared/seeds")).find(|p| p.is_dir())
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn seed_text(dir: &Path, number: &str) -> String {
    let entry = std::fs::read_dir(dir)
        .expect("seeds")
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(&format!("{number}_")))
        .unwrap_or_else(|| panic!("no seed {number}_* in {}", dir.display()));
    normalize(&std::fs::read_to_string(entry.path()).expect("seed text"))
}

#[test]
fn every_obligation_follows_a_quoted_seed_passage() {
    let rows = quote_table();
    let mut by_key: BTreeMap<(String, String), &Row> = BTreeMap::new();
    for r in &rows {
        let cue_level = CUES.iter().find(|(c, _)| *c == r.cue).map(|(_, o)| *o);
        assert_eq!(cue_level, Some(r.obligation.as_str()), "obligation-quotes.tsv:{}: cue {:?} does not give {:?}", r.line, r.cue, r.obligation);
        assert!(r.quote.to_lowercase().contains(&r.cue), "obligation-quotes.tsv:{}: the quote lacks its cue {:?}", r.line, r.cue);
        for v in &r.versions {
            assert!(by_key.insert((v.clone(), r.id.clone()), r).is_none(), "obligation-quotes.tsv:{}: {} {} listed twice", r.line, v, r.id);
        }
    }

    let mut seen = 0;
    for v in ["2025.1", "2025.2"] {
        let reqs = yaml_requirements(&repo().join("content").join(v));
        assert!(reqs.len() >= 100, "{v}: {} requirements", reqs.len());
        for (id, r) in &reqs {
            let row = by_key.get(&(v.to_string(), id.clone())).unwrap_or_else(|| panic!("{v} {id}: no row in obligation-quotes.tsv"));
            assert_eq!(
                r["obligation"].as_str(),
                Some(row.obligation.as_str()),
                "{v} {id}: YAML obligation differs from the seed quote (line {})",
                row.line
            );
            seen += 1;
        }
    }
    assert_eq!(seen, by_key.len(), "obligation-quotes.tsv lists requirements that no bundled version has");

    // The quotes are the seeds' own words ("…" joins pieces the PDF extraction separated).
    match seeds_dir() {
        Some(dir) => {
            let mut texts: BTreeMap<String, String> = BTreeMap::new();
            for r in &rows {
                let text = texts.entry(r.seed.clone()).or_insert_with(|| seed_text(&dir, &r.seed));
                let mut from = 0;
                for piece in r.quote.split(" … ") {
                    let at = text[from..].find(&normalize(piece));
                    assert!(at.is_some(), "obligation-quotes.tsv:{}: {:?} is not in seed {} (after byte {from})", r.line, piece, r.seed);
                    from += at.unwrap_or(0) + piece.len();
                }
            }
        }
        None => eprintln!("shared/seeds/ is not beside the repository: quotes checked against the YAML only"),
    }
}

/// The language points of the content review (issue 16) stay fixed in every bundled file.
#[test]
fn bundled_language_points_stay_fixed() {
    let forbidden = [
        ("forsikre at", "forsikre seg om at"),
        ("innebygget", "innebygd"),
        ("Norsk Helsenett", "Norsk helsenett"),
        ("de registrertes rettigheter", "den registrertes rettigheter"),
        ("Anskaffere", "Innkjøpere"),
        (" av av ", "av"),
    ];
    let mut files = vec![repo().join("normbok.toml")];
    let mut stack = vec![repo().join("content")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir").filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md" || x == "yaml") {
                files.push(p);
            }
        }
    }
    let mut problems = Vec::new();
    for f in &files {
        let text = normalize(&std::fs::read_to_string(f).expect("read"));
        for (bad, good) in forbidden {
            if text.to_lowercase().contains(&bad.to_lowercase()) && (bad != "Norsk Helsenett" || text.contains(bad)) {
                problems.push(format!("{}: {bad:?} (write {good:?})", f.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
