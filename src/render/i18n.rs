//! Stage 4 (render): the user-interface strings of the default theme in nb, nn and en.
//!
//! Templates read them as `t.<key>`; a site's own templates may use them too.

use serde_json::{Map, Value};

use crate::config::Language;

/// (key, bokmål, nynorsk, english)
const STRINGS: &[(&str, &str, &str, &str)] = &[
    ("skip_to_content", "Hopp til innholdet", "Hopp til innhaldet", "Skip to content"),
    ("version", "Versjon", "Versjon", "Version"),
    ("versions", "Versjoner", "Versjonar", "Versions"),
    ("all_versions", "Alle versjoner", "Alle versjonar", "All versions"),
    ("switch_version", "Bytt versjon", "Byt versjon", "Switch version"),
    ("guide", "Veileder", "Rettleiar", "Guide"),
    ("contents", "Innhold", "Innhald", "Contents"),
    ("on_this_page", "På denne siden", "På denne sida", "On this page"),
    ("requirements", "Krav", "Krav", "Requirements"),
    ("all_requirements", "Alle krav", "Alle krav", "All requirements"),
    ("requirement", "Krav", "Krav", "Requirement"),
    ("chapter", "Kapittel", "Kapittel", "Chapter"),
    ("chapters", "Kapitler", "Kapittel", "Chapters"),
    ("target_groups", "Målgrupper", "Målgrupper", "Target groups"),
    ("target_group", "Målgruppe", "Målgruppe", "Target group"),
    ("obligation", "Forpliktelse", "Plikt", "Obligation"),
    ("status", "Status", "Status", "Status"),
    ("applies_from", "Gjelder fra", "Gjeld frå", "Applies from"),
    ("last_changed", "Siste faglige endring", "Siste faglege endring", "Last substantive change"),
    ("not_given", "ikke oppgitt", "ikkje oppgitt", "not given"),
    ("statement", "Krav", "Krav", "Requirement"),
    ("guidance", "Veiledning", "Rettleiing", "Guidance"),
    ("checklist", "Sjekkliste", "Sjekkliste", "Checklist"),
    ("references", "Referanser", "Referansar", "References"),
    ("reference", "Referanse", "Referanse", "Reference"),
    ("related", "Relaterte krav", "Relaterte krav", "Related requirements"),
    ("source", "Kilde", "Kjelde", "Source"),
    ("cited_by", "Krav som viser hit", "Krav som viser hit", "Requirements citing this"),
    ("pages_citing", "Sider som viser hit", "Sider som viser hit", "Pages citing this"),
    ("in_other_versions", "I andre versjoner", "I andre versjonar", "In other versions"),
    ("history", "Historikk", "Historikk", "History"),
    ("changes", "Endringer", "Endringar", "Changes"),
    ("changes_from", "Endringer fra", "Endringar frå", "Changes from"),
    ("compare_with", "Sammenlign med", "Samanlikn med", "Compare with"),
    ("changed_in", "Endret i", "Endra i", "Changed in"),
    ("search", "Søk", "Søk", "Search"),
    ("search_label", "Søk i veilederen", "Søk i rettleiaren", "Search the guide"),
    ("search_placeholder", "Søk etter krav, ord eller ID", "Søk etter krav, ord eller ID", "Search requirements, words or IDs"),
    (
        "search_needs_js",
        "Søket krever JavaScript. Bruk kravlisten eller målgruppesidene.",
        "Søket krev JavaScript. Bruk kravlista eller målgruppesidene.",
        "Search needs JavaScript. Use the requirement list or the target-group pages.",
    ),
    ("filter", "Filtrer", "Filtrer", "Filter"),
    (
        "filter_help",
        "Uten JavaScript vises alle krav. Se også kravene per målgruppe:",
        "Utan JavaScript blir alle krav viste. Sjå òg krava per målgruppe:",
        "Without JavaScript all requirements are listed. See also the requirements per target group:",
    ),
    ("shown", "viser", "viser", "showing"),
    ("of", "av", "av", "of"),
    ("download_csv", "Last ned utvalget som CSV", "Last ned utvalet som CSV", "Download selection as CSV"),
    ("print", "Skriv ut sjekkliste", "Skriv ut sjekkliste", "Print checklist"),
    ("export", "Eksport", "Eksport", "Export"),
    ("all_as_csv", "Alle krav som CSV", "Alle krav som CSV", "All requirements as CSV"),
    ("all_as_json", "Alle krav som JSON", "Alle krav som JSON", "All requirements as JSON"),
    ("clear_filter", "Nullstill filter", "Nullstill filter", "Clear filter"),
    ("status_draft", "Utkast", "Utkast", "Draft"),
    ("status_in-force", "Gjeldende", "Gjeldande", "In force"),
    ("status_upcoming", "Kommende", "Kommande", "Upcoming"),
    ("status_withdrawn", "Trukket tilbake", "Trekt tilbake", "Withdrawn"),
    ("vstatus_draft", "utkast", "utkast", "draft"),
    ("vstatus_current", "gjeldende", "gjeldande", "current"),
    ("vstatus_superseded", "erstattet", "erstatta", "superseded"),
    ("vstatus_withdrawn", "trukket tilbake", "trekt tilbake", "withdrawn"),
    (
        "banner_draft",
        "Dette er et utkast. Innholdet kan endres før det publiseres.",
        "Dette er eit utkast. Innhaldet kan endrast før det blir publisert.",
        "This is a draft. The content may change before it is published.",
    ),
    ("banner_superseded", "Denne versjonen er erstattet.", "Denne versjonen er erstatta.", "This version has been superseded."),
    ("banner_withdrawn", "Denne versjonen er trukket tilbake.", "Denne versjonen er trekt tilbake.", "This version has been withdrawn."),
    ("go_to_current", "Gå til gjeldende versjon", "Gå til gjeldande versjon", "Go to the current version"),
    ("published", "Publisert", "Publisert", "Published"),
    ("redirecting", "Sender deg videre til", "Sender deg vidare til", "Redirecting to"),
    ("tombstone_withdrawn", "Kravet er trukket tilbake", "Kravet er trekt tilbake", "This requirement has been withdrawn"),
    ("tombstone_removed", "Kravet er fjernet", "Kravet er fjerna", "This requirement has been removed"),
    ("since_version", "fra og med", "frå og med", "as of"),
    ("last_version", "Siste versjon med kravet", "Siste versjon med kravet", "Last version with this requirement"),
    ("not_found", "Fant ikke siden", "Fann ikkje sida", "Page not found"),
    (
        "not_found_text",
        "Siden finnes ikke. Den kan ha blitt flyttet.",
        "Sida finst ikkje. Ho kan ha blitt flytta.",
        "The page does not exist. It may have moved.",
    ),
    ("home", "Forside", "Framside", "Home"),
    ("added", "Nye krav", "Nye krav", "Added requirements"),
    ("removed", "Fjernede krav", "Fjerna krav", "Removed requirements"),
    ("withdrawn", "Trukket tilbake", "Trekt tilbake", "Withdrawn"),
    ("changed", "Endrede krav", "Endra krav", "Changed requirements"),
    ("unchanged", "uendrede krav", "uendra krav", "unchanged requirements"),
    ("no_changes", "Ingen", "Ingen", "None"),
    ("first_version", "Dette er den første versjonen.", "Dette er den første versjonen.", "This is the first version."),
    ("event_added", "Innført", "Innført", "Introduced"),
    ("event_changed", "Endret", "Endra", "Changed"),
    ("event_withdrawn", "Trukket tilbake", "Trekt tilbake", "Withdrawn"),
    ("event_removed", "Fjernet", "Fjerna", "Removed"),
    ("field_title", "tittel", "tittel", "title"),
    ("field_obligation", "forpliktelse", "plikt", "obligation"),
    ("field_target_groups", "målgrupper", "målgrupper", "target groups"),
    ("field_status", "status", "status", "status"),
    ("field_applies_from", "gjelder fra", "gjeld frå", "applies from"),
    ("field_references", "referanser", "referansar", "references"),
    ("field_related", "relaterte krav", "relaterte krav", "related requirements"),
    ("field_chapter", "kapittel", "kapittel", "chapter"),
    ("field_statement", "kravtekst", "kravtekst", "statement"),
    ("field_guidance", "veiledning", "rettleiing", "guidance"),
    ("field_items", "sjekkliste", "sjekkliste", "checklist"),
    ("inserted", "satt inn", "sett inn", "inserted"),
    ("deleted", "slettet", "sletta", "deleted"),
    ("pages_for_group", "Sider for målgruppen", "Sider for målgruppa", "Pages for this group"),
    ("requirements_for_group", "Krav for målgruppen", "Krav for målgruppa", "Requirements for this group"),
    ("count_requirements", "krav", "krav", "requirements"),
    ("kind_law", "Lov", "Lov", "Law"),
    ("kind_regulation", "Forskrift/forordning", "Forskrift/forordning", "Regulation"),
    ("kind_standard", "Standard", "Standard", "Standard"),
    ("kind_guidance", "Veiledning", "Rettleiing", "Guidance"),
    ("kind_website", "Nettsted", "Nettstad", "Website"),
    ("open_source", "Åpne kilden", "Opne kjelda", "Open the source"),
    ("page_version_note", "Du leser", "Du les", "You are reading"),
    ("main_nav", "Hovedmeny", "Hovudmeny", "Main menu"),
    ("breadcrumb", "Brødsmulesti", "Brødsmulesti", "Breadcrumb"),
    ("no_js_search", "Søket bruker JavaScript.", "Søket nyttar JavaScript.", "Search uses JavaScript."),
    ("more", "mer", "meir", "more"),
    ("permalink", "Permalenke", "Permalenkje", "Permalink"),
];

/// The strings for `lang` as a JSON object.
pub fn strings(lang: Language) -> Value {
    let mut m = Map::new();
    for (k, nb, nn, en) in STRINGS {
        let s = match lang {
            Language::Nb => nb,
            Language::Nn => nn,
            Language::En => en,
        };
        m.insert((*k).to_string(), Value::String((*s).to_string()));
    }
    Value::Object(m)
}

/// One string by key (for Rust-side rendering).
pub fn get(lang: Language, key: &str) -> &'static str {
    STRINGS.iter().find(|s| s.0 == key).map_or("", |(_, nb, nn, en)| match lang {
        Language::Nb => nb,
        Language::Nn => nn,
        Language::En => en,
    })
}
