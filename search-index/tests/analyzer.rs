//! Golden tokens for the shared text pipeline. If one of these changes, bundles built by the
//! old code answer differently: bump `FORMAT_VERSION`.

use search_index::Language;
use search_index::analyzer::{MAX_TOKEN_CHARS, nfc, tokens, words};

fn nb(text: &str) -> Vec<String> {
    tokens(Language::Nb, text)
}

#[test]
fn norwegian_letters_survive_lowercasing_and_stemming() {
    assert_eq!(nb("Blåbær ÆRE Øvelse"), ["blåbær", "ære", "øvels"]);
    assert_eq!(nb("Personopplysningene i tjenestene"), ["personopplysning", "i", "tjenest"]);
}

#[test]
fn nfc_and_nfd_input_give_identical_tokens() {
    let composed = "Blåbær på øya, Ærlig";
    let decomposed = "Bla\u{030A}bær pa\u{030A} øya, Ærlig";
    assert_ne!(composed, decomposed);
    assert_eq!(nb(composed), nb(decomposed));
    assert_eq!(nb(decomposed), ["blåbær", "på", "øya", "ærl"]);
    // Without NFC first, the combining ring would split the word.
    assert_eq!(words(decomposed)[0], "blåbær");
    assert_eq!(nfc(decomposed), composed);
}

#[test]
fn section_signs_and_dashes() {
    assert_eq!(nb("§ 3-1"), ["3", "1"]);
    assert_eq!(nb("jf. §3-1 annet ledd"), ["jf", "3", "1", "ann", "ledd"]);
    assert_eq!(nb("AVT-01"), ["avt", "01"]);
    assert_eq!(nb("e-helse"), ["e", "hels"]);
}

#[test]
fn no_stop_words_are_removed() {
    // Normative verbs carry the meaning of a requirement.
    assert_eq!(nb("skal bør kan må og i på det som ikke"), ["skal", "bør", "kan", "må", "og", "i", "på", "det", "som", "ikk"]);
}

#[test]
fn leverandor_inflections_meet() {
    // Snowball Norwegian folds these bokmål and nynorsk forms onto one stem.
    for word in ["leverandør", "leverandøren", "leverandører", "leverandørene", "leverandørens", "leverandørane", "leverandørar", "Leverandørenes"]
    {
        assert_eq!(nb(word), ["leverandør"], "{word}");
    }
}

#[test]
fn documented_stemmer_quirks() {
    // Over-stemming onto the adjective (harmless for search).
    assert_eq!(nb("sikkerhet sikkerheten"), ["sikker", "sikker"]);
    // Not folded together: `veileder` vs `veilederen`.
    assert_eq!(nb("veileder veilederen veiledere"), ["veiled", "veileder", "veileder"]);
    assert_eq!(nb("kravet kravene"), ["krav", "krav"]);
}

#[test]
fn nynorsk_uses_the_norwegian_stemmer_and_english_its_own() {
    assert_eq!(tokens(Language::Nn, "leverandørane"), ["leverandør"]);
    assert_eq!(tokens(Language::En, "Suppliers are supplying"), ["supplier", "are", "suppli"]);
}

#[test]
fn overlong_tokens_are_dropped() {
    let long = "a".repeat(MAX_TOKEN_CHARS + 1);
    let limit = "ø".repeat(MAX_TOKEN_CHARS); // 160 bytes, 80 characters: kept
    let text = format!("før {long} {limit} etter");
    assert_eq!(words(&text), ["før".to_string(), limit.clone(), "etter".to_string()]);
}

#[test]
fn language_codes() {
    assert_eq!(Language::from_code("NB"), Some(Language::Nb));
    assert_eq!("nn".parse::<Language>(), Ok(Language::Nn));
    assert!("sv".parse::<Language>().is_err());
    for language in Language::ALL {
        assert_eq!(Language::from_code(language.code()), Some(language));
    }
}
