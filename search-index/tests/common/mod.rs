//! Shared fixtures for the integration tests: a small Norwegian corpus in the style of the
//! bundled guide (requirements, pages, references).
#![allow(dead_code, unreachable_pub, missing_docs)]

pub mod wasm;

use search_index::{Kind, SearchDoc};

pub const VERSION: &str = "2025.2";

fn req(id: &str, title: &str, obligation: &str, groups: &[&str], body: &str) -> SearchDoc {
    SearchDoc {
        id: id.to_string(),
        kind: Kind::Requirement,
        title: title.to_string(),
        body: body.to_string(),
        url: format!("{VERSION}/requirements/{id}.html"),
        excerpt: search_index::make_excerpt(body, 160),
        target_groups: groups.iter().map(|g| g.to_string()).collect(),
        obligation: Some(obligation.to_string()),
        version: VERSION.to_string(),
    }
}

fn page(id: &str, title: &str, groups: &[&str], body: &str) -> SearchDoc {
    let (path, anchor) = id.split_once('#').unwrap_or((id, ""));
    let url = if anchor.is_empty() { format!("{VERSION}/{path}.html") } else { format!("{VERSION}/{path}.html#{anchor}") };
    SearchDoc {
        id: id.to_string(),
        kind: Kind::Page,
        title: title.to_string(),
        body: body.to_string(),
        url,
        excerpt: search_index::make_excerpt(body, 200),
        target_groups: groups.iter().map(|g| g.to_string()).collect(),
        obligation: None,
        version: VERSION.to_string(),
    }
}

fn reference(id: &str, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        id: id.to_string(),
        kind: Kind::Reference,
        title: title.to_string(),
        body: body.to_string(),
        url: format!("{VERSION}/references/{id}.html"),
        excerpt: search_index::make_excerpt(body, 120),
        target_groups: Vec::new(),
        obligation: None,
        version: VERSION.to_string(),
    }
}

/// The fixture corpus (in no particular order: the bundle sorts).
pub fn corpus() -> Vec<SearchDoc> {
    vec![
        req(
            "AVT-01",
            "Databehandleravtale med leverandøren",
            "skal",
            &["leverandor", "helsevirksomhet"],
            "Når leverandøren behandler personopplysninger på vegne av virksomheten, skal det inngås en databehandleravtale. Avtalen skal beskrive formålet med behandlingen og leverandørens plikter.",
        ),
        req(
            "AVT-02",
            "Kontroll med leverandørens etterlevelse",
            "bor",
            &["helsevirksomhet", "kommune"],
            "Virksomheten bør jevnlig kontrollere at leverandørene etterlever avtalen, for eksempel gjennom revisjon eller egenerklæring.",
        ),
        req(
            "AVT-11",
            "Underleverandører",
            "skal",
            &["leverandor"],
            "Leverandøren skal ikke benytte underleverandører uten skriftlig godkjenning fra den dataansvarlige. Leverandørens underleverandører skal være bundet av de samme pliktene.",
        ),
        req(
            "RIS-01",
            "Risikovurdering før endringer",
            "skal",
            &["helsevirksomhet", "kommune", "leverandor"],
            "Det skal gjennomføres en risikovurdering før vesentlige endringer i systemer som behandler helse- og personopplysninger, jf. § 3-1 i forskriften.",
        ),
        req(
            "RIS-02",
            "Akseptkriterier for risiko",
            "ma",
            &["helsevirksomhet"],
            "Ledelsen må fastsette akseptkriterier for risiko. Sikkerheten skal vurderes opp mot akseptkriteriene.",
        ),
        req(
            "TIL-03",
            "Logging av tilgang",
            "skal",
            &["leverandor", "produsent"],
            "Systemet skal logge all tilgang til helseopplysninger. Loggene skal kunne kontrolleres av virksomheten, og sikkerheten i loggene skal ivaretas.",
        ),
        req(
            "TIL-04",
            "Tilgangsstyring i e-helse",
            "bor",
            &["produsent"],
            "Tilgang til opplysninger i e-helse-løsninger bør styres etter tjenstlig behov. Blåbærsyltetøy er ikke et passord.",
        ),
        req(
            "SKY-01",
            "Skytjenester utenfor EØS",
            "kan",
            &["leverandor", "kommune"],
            "Virksomheten kan bruke skytjenester med lagring utenfor EØS når overføringsgrunnlaget er vurdert og dokumentert.",
        ),
        page(
            "ansvar-og-roller",
            "Ansvar og roller",
            &[],
            "Den dataansvarlige har det overordnede ansvaret. Leverandøren er databehandler og har plikter etter avtalen. Veilederen forklarer rollene.",
        ),
        page(
            "ansvar-og-roller#leverandorens-ansvar",
            "Leverandørens ansvar",
            &["leverandor"],
            "Leverandørens ansvar omfatter informasjonssikkerhet i leveransen, oppfølging av underleverandører og varsling av avvik.",
        ),
        page(
            "risiko",
            "Risikostyring",
            &["helsevirksomhet", "kommune"],
            "Risikostyring er en kontinuerlig prosess. Offentlig forvaltning og private virksomheter skal vurdere risiko for informasjonssikkerhet og personvern.",
        ),
        reference(
            "gdpr-art-28",
            "Personvernforordningen artikkel 28",
            "Forordning (EU) 2016/679 artikkel 28 om databehandlere og databehandleravtaler.",
        ),
        reference("hrjl-22", "Helseregisterloven § 22", "Lov om helseregistre og behandling av helseopplysninger § 22 om informasjonssikkerhet."),
    ]
}
