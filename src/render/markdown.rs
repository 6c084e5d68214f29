//! Stage 4 (render): Markdown → HTML with normbok's links resolved to relative file URLs.
//!
//! Walks the same pieces the model scanned, so every link rendered here was validated.
//! Raw HTML is escaped (default) or, when the site opts in, kept and the whole fragment goes
//! through an ammonia allow-list.

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

use crate::config::RawHtml;
use crate::model::markdown::{Heading, Piece, Target, classify, pieces};

/// Resolves link targets for one output file.
pub trait Links {
    /// Relative href for a target, or `None` when it cannot be linked.
    fn href(&self, target: &Target) -> Option<String>;
    /// Label for a `[[ID]]` shortcode (`ID Title`).
    fn shortcode_label(&self, version: Option<&str>, id: &str) -> String;
}

/// Renders `text`. `headings` are the anchors the model assigned (same order as in the text).
pub fn to_html(text: &str, headings: &[Heading], links: &dyn Links, raw: RawHtml) -> String {
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut h = 0usize;
    for p in pieces(text) {
        match p {
            Piece::Shortcode { target, .. } => {
                let t = classify(&format!("req:{target}"), LinkType::Inline);
                let (version, id) = match &t {
                    Target::Req { version, id } => (version.clone(), id.clone()),
                    _ => (None, target.clone()),
                };
                let label = links.shortcode_label(version.as_deref(), &id);
                match links.href(&t) {
                    Some(href) => {
                        events.push(Event::Start(Tag::Link {
                            link_type: LinkType::Inline,
                            dest_url: href.into(),
                            title: CowStr::from(""),
                            id: CowStr::from(""),
                        }));
                        events.push(Event::Text(label.into()));
                        events.push(Event::End(TagEnd::Link));
                    }
                    None => events.push(Event::Text(format!("[[{target}]]").into())),
                }
            }
            Piece::Event(ev, _) => match ev {
                Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                    let href = links.href(&classify(&dest_url, link_type)).unwrap_or_default();
                    let lt = if link_type == LinkType::Email { LinkType::Inline } else { link_type };
                    events.push(Event::Start(Tag::Link { link_type: lt, dest_url: href.into(), title, id }));
                }
                Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                    let href = links.href(&classify(&dest_url, link_type)).unwrap_or_default();
                    events.push(Event::Start(Tag::Image { link_type, dest_url: href.into(), title, id }));
                }
                Event::Start(Tag::Heading { level, classes, attrs, .. }) => {
                    let anchor = headings.get(h).map(|x| x.anchor.clone()).unwrap_or_default();
                    h += 1;
                    events.push(Event::Start(Tag::Heading { level, id: Some(anchor.into()), classes, attrs }));
                }
                Event::Html(s) | Event::InlineHtml(s) if raw == RawHtml::Escape => events.push(Event::Text(s)),
                other => events.push(other),
            },
        }
    }
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if raw == RawHtml::Sanitize { sanitize(&html) } else { html }
}

/// Renders inline Markdown (checklist items, titles): like [`to_html`] without the
/// surrounding paragraph.
pub fn to_inline_html(text: &str, links: &dyn Links, raw: RawHtml) -> String {
    let html = to_html(text, &[], links, raw);
    let t = html.trim_end();
    match t.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

/// The allow-list for sites that opt into raw HTML: what Markdown itself produces plus a few
/// harmless inline elements; never script, style, svg, math, iframe or event handlers.
pub fn sanitize(html: &str) -> String {
    let tags: std::collections::HashSet<&str> = [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "input",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "s",
        "section",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
    .into_iter()
    .collect();
    let mut b = ammonia::Builder::default();
    b.tags(tags)
        .add_generic_attributes(["id", "class", "title", "lang"])
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("img", ["src", "alt", "width", "height"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("th", ["align", "scope"])
        .add_tag_attributes("td", ["align"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None);
    b.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::markdown::scan;

    struct L;
    impl Links for L {
        fn href(&self, t: &Target) -> Option<String> {
            match t {
                Target::Req { id, .. } => Some(format!("../requirements/{id}.html")),
                Target::External(u) => Some(u.clone()),
                Target::Forbidden(_) => None,
                _ => Some("x.html".into()),
            }
        }
        fn shortcode_label(&self, _: Option<&str>, id: &str) -> String {
            format!("{id} Tittel <b>")
        }
    }

    #[test]
    fn shortcodes_and_escaping() {
        let md = "## Krav & mer\n\nSe [[A-1]] <script>alert(1)</script> [x](javascript:alert(1))\n\n```rust\" onmouseover=\"x\n{{ 7*7 }}\n```\n";
        let s = scan(md);
        let html = to_html(md, &s.headings, &L, RawHtml::Escape);
        assert!(html.contains("<h2 id=\"krav--mer\">Krav &amp; mer</h2>"), "{html}");
        assert!(html.contains("<a href=\"../requirements/A-1.html\">A-1 Tittel &lt;b&gt;</a>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onmouseover=\"x"), "{html}");
        assert!(html.contains("{{ 7*7 }}"), "{html}");
    }

    #[test]
    fn sanitizer_removes_active_content() {
        let html = sanitize(
            "<p>a<script>x</script><img src=x onerror=alert(1)><svg><set attributeName=href to=javascript:x></set></svg><math></math><iframe src=x></iframe><a href=\"javascript:x\">l</a></p>",
        );
        for bad in ["script", "onerror", "svg", "math", "iframe", "javascript"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }
}
