//! Stage 1 (load): the source file formats (SPEC §2.2–2.4) as serde/JSON-Schema types.
//!
//! These mirror the files exactly (unknown fields are errors). Fields that later stages
//! must point at in diagnostics are `Spanned`, which records their line and column.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// A requirement file: one chapter and its requirements.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementFile {
    /// The chapter these requirements belong to.
    pub chapter: ChapterRaw,
    /// The requirements, in reading order.
    #[schemars(with = "Vec<RequirementRaw>")]
    pub requirements: Vec<Spanned<RequirementRaw>>,
}

/// Chapter metadata.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChapterRaw {
    /// Unique within the version; also the URL segment.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Chapter title.
    pub title: String,
    /// Sort key (ascending).
    #[serde(default)]
    pub order: Option<i64>,
    /// Introduction, Markdown.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub intro: Option<Spanned<String>>,
}

/// One requirement record.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementRaw {
    /// Stable ID: an ASCII letter, then letters/digits, groups joined by `-` or `.`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Short title.
    #[schemars(with = "String")]
    pub title: Spanned<String>,
    /// An id from `[[obligations]]`.
    #[schemars(with = "String")]
    pub obligation: Spanned<String>,
    /// Ids from `[[target_groups]]`, at least one.
    #[schemars(with = "Vec<String>")]
    pub target_groups: Vec<Spanned<String>>,
    /// The normative text, Markdown.
    #[schemars(with = "String")]
    pub statement: Spanned<String>,
    /// Explanation, Markdown.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub guidance: Option<Spanned<String>>,
    /// Checklist items, inline Markdown.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub items: Vec<Spanned<String>>,
    /// draft | in-force | upcoming | withdrawn (default in-force).
    #[serde(default)]
    #[schemars(with = "Option<RequirementStatusSchema>")]
    pub status: Option<Spanned<String>>,
    /// YYYY-MM-DD; required when status is upcoming.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub applies_from: Option<Spanned<String>>,
    /// Ids from `references/`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub references: Vec<Spanned<String>>,
    /// Other requirement ids in the same version.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub related: Vec<Spanned<String>>,
    /// Where the text comes from (free text).
    #[serde(default)]
    pub source: Option<String>,
    /// YYYY-MM-DD: the last substantive change ("Siste faglige endring"), for catalogues
    /// whose history predates the site.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub changed: Option<Spanned<String>>,
}

/// Schema-only: the allowed requirement statuses.
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
enum RequirementStatusSchema {
    Draft,
    InForce,
    Upcoming,
    Withdrawn,
}

/// Schema-only: the allowed reference kinds.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum ReferenceKindSchema {
    Law,
    Regulation,
    Standard,
    Guidance,
    Website,
}

/// A reference file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceFile {
    /// Laws, standards and partner documents.
    #[schemars(with = "Vec<ReferenceRaw>")]
    pub references: Vec<Spanned<ReferenceRaw>>,
}

/// One reference.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceRaw {
    /// Lowercase slug.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// law | regulation | standard | guidance | website.
    #[schemars(with = "ReferenceKindSchema")]
    pub kind: Spanned<String>,
    /// Title.
    pub title: String,
    /// Official designation, e.g. `(EU) 2016/679`.
    #[serde(default)]
    pub designation: Option<String>,
    /// Where to read it; checked by the link checker.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub url: Option<Spanned<String>>,
}

/// Front matter of a guide page.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Page title.
    #[schemars(with = "String")]
    pub title: Spanned<String>,
    /// Sort key among siblings (ascending).
    #[serde(default)]
    pub order: Option<i64>,
    /// One-sentence summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// Target groups the page is for.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub target_groups: Vec<Spanned<String>>,
}

/// The JSON Schema of requirement and reference files (and page front matter), for
/// `normbok schema`.
pub fn json_schema() -> serde_json::Value {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let requirement_file = generator.subschema_for::<RequirementFile>();
    let reference_file = generator.subschema_for::<ReferenceFile>();
    let _front_matter = generator.subschema_for::<FrontMatter>();
    let defs = generator.take_definitions(true);
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://normbok.invalid/schema/records.json",
        "title": "normbok source files",
        "description": "A requirement file (content/<version>/requirements/*.yaml) or a reference file (content/<version>/references/*.yaml). Page front matter is described by $defs/FrontMatter.",
        "anyOf": [requirement_file, reference_file],
        "$defs": defs,
    })
}
