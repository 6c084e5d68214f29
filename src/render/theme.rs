//! Stage 4 (render): the theme: tera templates and static assets, the default theme embedded
//! in the binary, overridable file by file by a site's own `themes/<name>/`.
//!
//! Templates are trusted (they come from the theme), data is not: autoescaping is on for
//! every template, and content never reaches tera as template source.

use std::collections::BTreeMap;

use tera::Tera;

use crate::diag::{Diagnostic, Loc};
use crate::load::ThemeSources;

macro_rules! embed_templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates/", $name)))),*]
    };
}

macro_rules! embed_static {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/static/", $name)) as &[u8])),*]
    };
}

/// The default templates.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = embed_templates![
    "base.html",
    "sidebar.html",
    "contents.html",
    "macros.html",
    "page.html",
    "requirement.html",
    "requirements.html",
    "chapter.html",
    "group.html",
    "references.html",
    "reference.html",
    "changes.html",
    "print.html",
    "search.html",
    "versions.html",
    "root.html",
    "redirect.html",
    "tombstone.html",
    "404.html",
];

/// The default static files (paths below `static/`).
pub const DEFAULT_STATIC: &[(&str, &[u8])] =
    embed_static!["style.css", "normbok.js", "print.css", "search/search.js", "search/search.css", "xlsx.js"];

/// HTML escaping for text and quoted attributes. Tera's default also escapes `/`, which is
/// not needed in either context and makes every relative URL three times longer.
pub fn escape_html(input: &str) -> String {
    // Tera calls this for every `{{ … }}` of every page; most values need no escaping, so
    // copy the runs between special bytes in one go (all five are ASCII, so byte indices
    // always fall on character boundaries).
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    let mut start = 0;
    for (i, b) in input.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&input[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&input[start..]);
    out
}

/// A ready theme.
pub struct Theme {
    /// Compiled templates.
    pub tera: Tera,
    /// Static files below `static/`.
    pub statics: BTreeMap<String, Vec<u8>>,
}

/// Compiles the default theme with the site's overrides.
pub fn load(overrides: &ThemeSources, theme_name: &str) -> Result<Theme, Vec<Diagnostic>> {
    let mut sources: BTreeMap<String, String> = DEFAULT_TEMPLATES.iter().map(|(n, s)| ((*n).to_string(), (*s).to_string())).collect();
    for t in &overrides.templates {
        sources.insert(t.rel.clone(), t.text.clone());
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape_html);
    let list: Vec<(String, String)> = sources.into_iter().collect();
    if let Err(e) = tera.add_raw_templates(list) {
        let msg = crate::diag::error_chain(&e).join(": ");
        return Err(vec![Diagnostic::error("E-TEMPLATE", Loc::file(format!("themes/{theme_name}/templates")), format!("template error: {msg}"))]);
    }
    let mut statics: BTreeMap<String, Vec<u8>> = DEFAULT_STATIC.iter().map(|(n, b)| ((*n).to_string(), b.to_vec())).collect();
    for s in &overrides.statics {
        statics.insert(s.rel.clone(), s.bytes.clone());
    }
    Ok(Theme { tera, statics })
}

#[cfg(test)]
mod tests {
    use super::escape_html;

    #[test]
    fn escapes_the_five_characters_and_keeps_the_rest() {
        assert_eq!(escape_html("Får <b>&\"x\"'/ø"), "Får &lt;b&gt;&amp;&quot;x&quot;&#39;/ø");
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("æøå"), "æøå");
    }
}
