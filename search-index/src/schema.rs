//! The tantivy schema: field names, types and options, identical on both sides.
//!
//! | field | type | indexed as | stored | purpose |
//! |---|---|---|---|---|
//! | `id` | text | [`ID_ANALYZER`], doc ids only | yes | exact (case-insensitive) id match and id prefix |
//! | `kind` | string | raw | yes | `requirement` / `page` / `reference`; filter |
//! | `title` | text | [`TEXT_ANALYZER`], positions | yes | scored ×[`TITLE_BOOST`](crate::query::TITLE_BOOST) |
//! | `body` | text | `TEXT_ANALYZER`, positions | **no** | scored |
//! | `target_groups` | string, multi-valued | raw | yes | filter (any of) |
//! | `obligation` | string | raw | yes | filter (any of) |
//! | `url` | stored only | – | yes | link, relative to the site root |
//! | `excerpt` | stored only | – | yes | ≤ [`MAX_EXCERPT_CHARS`](crate::doc::MAX_EXCERPT_CHARS) chars, NFC |
//! | `version` | stored only | – | yes | version id |
//!
//! Changing anything here changes the bundle format: bump
//! [`FORMAT_VERSION`](crate::FORMAT_VERSION).

use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};

use crate::analyzer::{ID_ANALYZER, TEXT_ANALYZER};

/// Field name: the requirement/reference id, or the page path for pages.
pub const ID: &str = "id";
/// Field name: `requirement`, `page` or `reference`.
pub const KIND: &str = "kind";
/// Field name: the title.
pub const TITLE: &str = "title";
/// Field name: the full text (not stored).
pub const BODY: &str = "body";
/// Field name: target group slugs (multi-valued).
pub const TARGET_GROUPS: &str = "target_groups";
/// Field name: obligation level id.
pub const OBLIGATION: &str = "obligation";
/// Field name: URL relative to the site root.
pub const URL: &str = "url";
/// Field name: short excerpt shown in results.
pub const EXCERPT: &str = "excerpt";
/// Field name: version id.
pub const VERSION: &str = "version";

/// Builds the schema.
pub fn schema() -> Schema {
    let mut builder = Schema::builder();
    let id = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(ID_ANALYZER).set_index_option(IndexRecordOption::Basic).set_fieldnorms(false),
        )
        .set_stored();
    let text = |stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(TEXT_ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions).set_fieldnorms(true),
        );
        if stored { options.set_stored() } else { options }
    };
    builder.add_text_field(ID, id);
    builder.add_text_field(KIND, STRING | STORED);
    builder.add_text_field(TITLE, text(true));
    builder.add_text_field(BODY, text(false));
    builder.add_text_field(TARGET_GROUPS, STRING | STORED);
    builder.add_text_field(OBLIGATION, STRING | STORED);
    builder.add_text_field(URL, STORED);
    builder.add_text_field(EXCERPT, STORED);
    builder.add_text_field(VERSION, STORED);
    builder.build()
}

/// Resolved field handles of [`schema()`].
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `id`
    pub id: Field,
    /// `kind`
    pub kind: Field,
    /// `title`
    pub title: Field,
    /// `body`
    pub body: Field,
    /// `target_groups`
    pub target_groups: Field,
    /// `obligation`
    pub obligation: Field,
    /// `url`
    pub url: Field,
    /// `excerpt`
    pub excerpt: Field,
    /// `version`
    pub version: Field,
}

impl Fields {
    /// Looks up every field by name; fails if the schema is not ours.
    pub fn resolve(schema: &Schema) -> tantivy::Result<Fields> {
        Ok(Fields {
            id: schema.get_field(ID)?,
            kind: schema.get_field(KIND)?,
            title: schema.get_field(TITLE)?,
            body: schema.get_field(BODY)?,
            target_groups: schema.get_field(TARGET_GROUPS)?,
            obligation: schema.get_field(OBLIGATION)?,
            url: schema.get_field(URL)?,
            excerpt: schema.get_field(EXCERPT)?,
            version: schema.get_field(VERSION)?,
        })
    }
}
