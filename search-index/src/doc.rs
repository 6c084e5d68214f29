//! [`SearchDoc`]: the only input type the builder hands to this crate.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Excerpts longer than this many characters are shortened (at a word boundary, with `…`)
/// when indexed, to keep the doc store, and so the bundle, small.
pub const MAX_EXCERPT_CHARS: usize = 300;

/// What a search document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A requirement record.
    Requirement,
    /// A guide page (or a section of one).
    Page,
    /// A reference (law, standard, …).
    Reference,
}

impl Kind {
    /// The lowercase name used in the index, in JSON and in the UI (`requirement`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Requirement => "requirement",
            Kind::Page => "page",
            Kind::Reference => "reference",
        }
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "requirement" => Ok(Kind::Requirement),
            "page" => Ok(Kind::Page),
            "reference" => Ok(Kind::Reference),
            other => Err(format!("unknown kind `{other}`")),
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One searchable document, as produced by the builder.
///
/// All text may be in any Unicode normalization form; it is NFC-normalized when indexed.
/// `(kind, id)` must be unique within a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// Requirement or reference id (`AVT-01`, `gdpr-art-35`), or the page path for pages
    /// (`roller`, `veiledning/roller#ansvar`).
    pub id: String,
    /// Requirement, page or reference.
    pub kind: Kind,
    /// Title (plain text).
    pub title: String,
    /// Full searchable text (plain text, Markdown already rendered and stripped). Not stored.
    pub body: String,
    /// URL relative to the site root, e.g. `2025.2/requirements/AVT-01.html` or
    /// `2025.2/roller.html#ansvar`.
    pub url: String,
    /// Short plain-text excerpt for the result list; see [`make_excerpt`].
    pub excerpt: String,
    /// Target group slugs. A document without groups never matches a group filter; give
    /// general pages every group id if they should survive group filtering.
    #[serde(default)]
    pub target_groups: Vec<String>,
    /// Obligation level id (requirements only).
    #[serde(default)]
    pub obligation: Option<String>,
    /// Version id; must equal the bundle's version.
    pub version: String,
}

/// Makes a display excerpt: collapses whitespace and, if longer than `max_chars`
/// characters, cuts at the last word boundary that keeps at least ~70 % of the text and
/// appends `…` (the result never exceeds `max_chars` characters).
pub fn make_excerpt(text: &str, max_chars: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max_chars {
        return collapsed;
    }
    if max_chars == 0 {
        return String::new();
    }
    let budget = max_chars - 1; // room for the ellipsis
    let cut = collapsed.char_indices().nth(budget).map_or(collapsed.len(), |(i, _)| i);
    let head = &collapsed[..cut];
    let head = match head.rfind(' ') {
        Some(space) if head[..space].chars().count() * 10 >= budget * 7 => &head[..space],
        _ => head,
    };
    let mut out = head.trim_end_matches([' ', ',', ';', ':']).to_string();
    out.push('…');
    out
}
