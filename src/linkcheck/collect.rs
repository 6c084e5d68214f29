//! Link checking, step 1: every external URL of a validated site, with every place that uses it.
//!
//! Reads the model only (the Markdown structure found once by [`crate::model::markdown::scan`]
//! and the `url` of references), so the links checked are exactly those the validator saw and
//! the renderer emits. All versions are included: an old version still links to partner sites.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::markdown::Target;
use crate::model::{Md, Site};

/// One place that uses a URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// Site-relative file with `/` separators.
    pub file: String,
    /// 1-based line, absolute in the file.
    pub line: u32,
}

/// A unique external URL and where it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The URL as written (trimmed).
    pub url: String,
    /// Every use, sorted, without duplicates.
    pub sources: Vec<Source>,
}

/// Every external (`http`, `https`, `mailto`) URL of every version, sorted by URL.
pub fn collect(site: &Site) -> Vec<Link> {
    let mut found: BTreeMap<String, BTreeSet<Source>> = BTreeMap::new();
    let mut add_md = |md: &Md| {
        for l in &md.scan.links {
            if let Target::External(url) = &l.target {
                let loc = md.locate(l.offset);
                found.entry(url.trim().to_string()).or_default().insert(Source { file: loc.path, line: loc.line });
            }
        }
    };
    for v in &site.versions {
        for c in &v.chapters {
            if let Some(m) = &c.intro {
                add_md(m);
            }
        }
        for r in &v.requirements {
            add_md(&r.statement);
            if let Some(g) = &r.guidance {
                add_md(g);
            }
            for i in &r.items {
                add_md(i);
            }
        }
        for p in &v.pages {
            add_md(&p.body);
        }
    }
    for v in &site.versions {
        for r in &v.references {
            if let Some(u) = &r.url {
                found.entry(u.value.trim().to_string()).or_default().insert(Source { file: u.loc.path.clone(), line: u.loc.line });
            }
        }
    }
    found.into_iter().filter(|(url, _)| !url.is_empty()).map(|(url, s)| Link { url, sources: s.into_iter().collect() }).collect()
}
