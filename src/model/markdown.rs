//! Stage 2 (model): reading Markdown once for its structure: links, shortcodes, headings and
//! raw HTML, each with its source offset.
//!
//! The validator checks what this finds; the renderer walks the same [`pieces`] so that what
//! is validated is exactly what is rendered. Shortcodes (`[[ID]]`) are found in merged text
//! runs outside code, because pulldown-cmark splits brackets into separate text events.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use super::slug::{Anchors, anchor};

/// The Markdown dialect of SPEC §2.4.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A Markdown event, or a `[[ID]]` shortcode found in text.
#[derive(Debug, Clone)]
pub enum Piece<'a> {
    /// An ordinary event with its source range.
    Event(Event<'a>, Range<usize>),
    /// `[[ID]]` or `[[VERSION/ID]]`; `target` is the inside of the brackets.
    Shortcode {
        /// Text between the brackets.
        target: String,
        /// Source range of the whole shortcode.
        range: Range<usize>,
    },
}

fn is_shortcode_target(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'/'))
        && s.as_bytes()[0].is_ascii_alphanumeric()
}

/// The events of `text`, with shortcodes split out of text runs.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut run: Vec<(CowStr<'_>, Range<usize>)> = Vec::new();
    let mut in_code = 0usize;
    for (ev, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match ev {
            Event::Text(t) if in_code == 0 => run.push((t, range)),
            other => {
                flush(&mut run, &mut out);
                match &other {
                    Event::Start(Tag::CodeBlock(_)) => in_code += 1,
                    Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
                    _ => {}
                }
                out.push(Piece::Event(other, range));
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

fn flush<'a>(run: &mut Vec<(CowStr<'a>, Range<usize>)>, out: &mut Vec<Piece<'a>>) {
    if run.is_empty() {
        return;
    }
    let joined: String = run.iter().map(|(t, _)| t.as_ref()).collect();
    if !joined.contains("[[") {
        for (t, r) in run.drain(..) {
            out.push(Piece::Event(Event::Text(t), r));
        }
        return;
    }
    // Map positions in `joined` back to source offsets, segment by segment.
    let mut starts = Vec::with_capacity(run.len());
    let mut acc = 0;
    for (t, r) in run.iter() {
        starts.push((acc, r.clone()));
        acc += t.len();
    }
    // Binary search: a paragraph of 50,000 shortcodes has ~150,000 text segments, and a
    // linear scan per shortcode made it quadratic (58 s).
    let src = |pos: usize| -> usize {
        let i = starts.partition_point(|(s, _)| *s <= pos);
        let (seg_start, r) = i.checked_sub(1).map_or((0, 0..0), |i| starts[i].clone());
        (r.start + (pos - seg_start)).min(r.end)
    };
    let mut last = 0;
    let mut i = 0;
    while let Some(open) = joined[i..].find("[[").map(|p| p + i) {
        let Some(close) = joined[open + 2..].find("]]").map(|p| p + open + 2) else { break };
        let inner = &joined[open + 2..close];
        if is_shortcode_target(inner) {
            if open > last {
                out.push(Piece::Event(Event::Text(CowStr::from(joined[last..open].to_string())), src(last)..src(open)));
            }
            out.push(Piece::Shortcode { target: inner.to_string(), range: src(open)..src(close + 2) });
            last = close + 2;
            i = last;
        } else {
            i = open + 1;
        }
    }
    if last < joined.len() {
        out.push(Piece::Event(Event::Text(CowStr::from(joined[last..].to_string())), src(last)..src(joined.len())));
    }
    run.clear();
}

/// What a link points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `req:ID`, `req:VERSION/ID` or a shortcode.
    Req {
        /// Another version, when given.
        version: Option<String>,
        /// Requirement ID.
        id: String,
    },
    /// `ref:id`.
    Ref(String),
    /// A relative file link, percent-decoded, with an optional anchor.
    File {
        /// Path as written (relative to the linking page).
        path: String,
        /// Fragment.
        anchor: Option<String>,
    },
    /// `#anchor` on the same page.
    Anchor(String),
    /// `http`, `https` or `mailto`.
    External(String),
    /// Any other scheme (or a scheme-relative `//host` URL), never emitted.
    Forbidden(String),
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The scheme of `url` (lowercased), ignoring whitespace and control characters that browsers
/// also ignore (`java\tscript:`).
pub fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_control()).collect();
    let colon = cleaned.find(':')?;
    let s = &cleaned[..colon];
    let ok = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    ok.then(|| s.to_ascii_lowercase())
}

/// Classifies a link destination.
pub fn classify(dest: &str, link_type: LinkType) -> Target {
    let dest = dest.trim();
    if link_type == LinkType::Email {
        return Target::External(format!("mailto:{dest}"));
    }
    if let Some(rest) = dest.strip_prefix("req:") {
        return match rest.rsplit_once('/') {
            Some((v, id)) => Target::Req { version: Some(v.to_string()), id: id.to_string() },
            None => Target::Req { version: None, id: rest.to_string() },
        };
    }
    if let Some(rest) = dest.strip_prefix("ref:") {
        return Target::Ref(rest.to_string());
    }
    match scheme(dest).as_deref() {
        Some("http" | "https" | "mailto") => return Target::External(dest.to_string()),
        Some(s) => return Target::Forbidden(format!("{s}:")),
        None => {}
    }
    if dest.starts_with("//") || dest.starts_with("\\\\") {
        return Target::Forbidden("//".to_string());
    }
    let (path, frag) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f))),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() {
        return Target::Anchor(frag.unwrap_or_default());
    }
    Target::File { path: percent_decode(path), anchor: frag }
}

/// A link found in Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkUse {
    /// Where it points.
    pub target: Target,
    /// Destination as written (shortcodes: `[[ID]]`).
    pub raw: String,
    /// Byte offset in the Markdown text.
    pub offset: usize,
    /// Image rather than link.
    pub image: bool,
}

/// A heading and its anchor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    /// 1–6.
    pub level: u32,
    /// Plain text.
    pub text: String,
    /// Unique anchor within the page.
    pub anchor: String,
}

/// What [`scan`] finds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Links, images and shortcodes in order.
    pub links: Vec<LinkUse>,
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// Byte offsets of raw HTML.
    pub raw_html: Vec<usize>,
    /// `[[…]]` that is not a shortcode but would be one without its spaces or invisible
    /// characters (`[[STD-99 ]]`, `[[STD-0\u{200b}1]]`): it renders as text, so it is warned about.
    pub near_shortcodes: Vec<NearShortcode>,
}

/// A text that looks like a `[[ID]]` shortcode but is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearShortcode {
    /// Byte offset of `[[` in the Markdown text.
    pub offset: usize,
    /// What is between the brackets, as written.
    pub written: String,
    /// The shortcode it was probably meant to be.
    pub meant: String,
    /// Whether an invisible character (zero-width space, soft hyphen, BOM) is in the way,
    /// rather than whitespace.
    pub invisible: bool,
}

/// Characters that make `[[ID]]` not a shortcode while being invisible or easy to miss.
fn is_sneaky(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{00ad}')
}

fn near_shortcodes(source: &str, piece: &str, range: &Range<usize>, out: &mut Vec<NearShortcode>) {
    let mut i = 0;
    while let Some(open) = piece[i..].find("[[").map(|p| p + i) {
        let Some(close) = piece[open + 2..].find("]]").map(|p| p + open + 2) else { break };
        let inner = &piece[open + 2..close];
        i = close + 2;
        if inner.len() > 100 || is_shortcode_target(inner) || !inner.chars().any(is_sneaky) {
            continue;
        }
        let meant: String = inner.chars().filter(|c| !is_sneaky(*c)).collect();
        // An ID has a digit (`RISK-01`, `A.5.1`); `[[ikke en id]]` is prose in brackets.
        if is_shortcode_target(&meant) && meant.bytes().any(|b| b.is_ascii_digit()) {
            let needle = &piece[open..close + 2];
            let window = source.get(range.clone()).unwrap_or("");
            let offset = window.find(needle).map_or(range.start, |p| range.start + p);
            let invisible = inner.chars().any(|c| is_sneaky(c) && !c.is_whitespace());
            out.push(NearShortcode { offset, written: inner.to_string(), meant, invisible });
        }
    }
}

/// Reads the structure of a Markdown text.
pub fn scan(text: &str) -> Scan {
    let mut s = Scan::default();
    let mut anchors = Anchors::default();
    let mut heading: Option<(u32, Option<String>, String)> = None;
    let mut in_code = 0usize;
    for p in pieces(text) {
        match p {
            Piece::Shortcode { target, range } => {
                let t = classify(&format!("req:{target}"), LinkType::Inline);
                if let Some(h) = heading.as_mut() {
                    h.2.push_str(&target);
                }
                s.links.push(LinkUse { target: t, raw: format!("[[{target}]]"), offset: range.start, image: false });
            }
            Piece::Event(ev, range) => match ev {
                Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                    s.links.push(LinkUse { target: classify(&dest_url, link_type), raw: dest_url.to_string(), offset: range.start, image: false });
                }
                Event::Start(Tag::Image { link_type, dest_url, .. }) => {
                    s.links.push(LinkUse { target: classify(&dest_url, link_type), raw: dest_url.to_string(), offset: range.start, image: true });
                }
                Event::Html(_) | Event::InlineHtml(_) => s.raw_html.push(range.start),
                Event::Start(Tag::Heading { level, id, .. }) => heading = Some((level as u32, id.map(|i| i.to_string()), String::new())),
                Event::Start(Tag::CodeBlock(_)) => in_code += 1,
                Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
                Event::Text(t) => {
                    if let Some(h) = heading.as_mut() {
                        h.2.push_str(&t);
                    }
                    if in_code == 0 && t.contains("[[") {
                        near_shortcodes(text, &t, &range, &mut s.near_shortcodes);
                    }
                }
                Event::Code(t) => {
                    if let Some(h) = heading.as_mut() {
                        h.2.push_str(&t);
                    }
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, id, text)) = heading.take() {
                        let wanted = id.unwrap_or_else(|| anchor(&text));
                        s.headings.push(Heading { level, text: text.trim().to_string(), anchor: anchors.unique(wanted) });
                    }
                }
                _ => {}
            },
        }
    }
    s
}

/// The text of a Markdown snippet without markup (for CSV, search and excerpts). Blocks are
/// separated by newlines; shortcodes become their ID.
pub fn plain_text(text: &str) -> String {
    let mut out = String::new();
    plain_pieces(text, &mut out);
    out.trim().to_string()
}

/// One part of a page for the search index: the text before the first heading of level ≤ 2,
/// or a level-1/2 heading and what follows it up to the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainSection {
    /// Index into [`Scan::headings`] of the heading that opens the section (`None` for the
    /// text before the first one).
    pub heading: Option<usize>,
    /// The section's plain text (heading text included).
    pub text: String,
}

/// [`plain_text`] split at headings of level 1 and 2, so that a search hit can point at the
/// section (`page.html#anchor`) rather than at the top of a long page.
pub fn plain_sections(text: &str) -> Vec<PlainSection> {
    let mut sections = vec![PlainSection { heading: None, text: String::new() }];
    let mut heading_no = 0usize;
    let mut current = String::new();
    let mut started: Option<usize> = None;
    plain_pieces_split(text, &mut |ev| match ev {
        Split::Heading(level) => {
            if level <= 2 {
                push_section(&mut sections, started, std::mem::take(&mut current));
                started = Some(heading_no);
            }
            heading_no += 1;
        }
        Split::Text(t) => current.push_str(t),
    });
    push_section(&mut sections, started, current);
    sections.retain(|s| !s.text.is_empty());
    sections
}

fn push_section(sections: &mut Vec<PlainSection>, heading: Option<usize>, text: String) {
    let text = text.trim().to_string();
    match heading {
        None => sections[0].text = text,
        Some(h) => sections.push(PlainSection { heading: Some(h), text }),
    }
}

enum Split<'a> {
    Heading(u32),
    Text(&'a str),
}

fn plain_pieces(text: &str, out: &mut String) {
    plain_pieces_split(text, &mut |ev| {
        if let Split::Text(t) = ev {
            out.push_str(t);
        }
    });
}

fn plain_pieces_split(text: &str, emit: &mut dyn FnMut(Split<'_>)) {
    // Whether the text emitted so far ends a block, to separate blocks by one newline.
    let mut at_block_start = true;
    for p in pieces(text) {
        match p {
            Piece::Shortcode { target, .. } => {
                emit(Split::Text(&target));
                at_block_start = false;
            }
            Piece::Event(ev, _) => match ev {
                Event::Start(Tag::Heading { level, .. }) => emit(Split::Heading(level as u32)),
                Event::Text(t) | Event::Code(t) => {
                    emit(Split::Text(&t));
                    at_block_start = false;
                }
                Event::SoftBreak | Event::HardBreak => emit(Split::Text(" ")),
                Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock | TagEnd::TableRow | TagEnd::BlockQuote(_))
                    if !at_block_start =>
                {
                    emit(Split::Text("\n"));
                    at_block_start = true;
                }
                Event::End(TagEnd::TableCell) => emit(Split::Text(" ")),
                _ => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_shortcodes_links_and_headings() {
        let md = "# Tittel\n\nSe [[RISK-01]] og [x](req:RISK-02), [y](ref:gdpr) og [z](a/b.md#c).\n\n```\n[[NOT-1]]\n```\n\n## Tittel\n<b>x</b>\n";
        let s = scan(md);
        let targets: Vec<&Target> = s.links.iter().map(|l| &l.target).collect();
        assert_eq!(
            targets,
            vec![
                &Target::Req { version: None, id: "RISK-01".into() },
                &Target::Req { version: None, id: "RISK-02".into() },
                &Target::Ref("gdpr".into()),
                &Target::File { path: "a/b.md".into(), anchor: Some("c".into()) },
            ]
        );
        assert_eq!(&md[s.links[0].offset..s.links[0].offset + 13], "[[RISK-01]] o");
        assert_eq!(s.headings.iter().map(|h| h.anchor.as_str()).collect::<Vec<_>>(), vec!["tittel", "tittel-1"]);
        assert_eq!(s.raw_html.len(), 2);
    }

    #[test]
    fn sections_split_at_level_one_and_two_headings() {
        let md = "Innledning.\n\n## Ansvar\n\nTekst [[RISK-01]].\n\n### Under\n\nMer.\n\n## Roller\n\nSiste.\n";
        let s = plain_sections(md);
        let got: Vec<(Option<usize>, &str)> = s.iter().map(|x| (x.heading, x.text.as_str())).collect();
        assert_eq!(got, vec![(None, "Innledning."), (Some(0), "Ansvar\nTekst RISK-01.\nUnder\nMer."), (Some(2), "Roller\nSiste.")]);
        assert_eq!(plain_text(md), "Innledning.\nAnsvar\nTekst RISK-01.\nUnder\nMer.\nRoller\nSiste.");
    }

    #[test]
    fn schemes() {
        assert_eq!(classify("javascript:alert(1)", LinkType::Inline), Target::Forbidden("javascript:".into()));
        assert_eq!(classify("java\tscript:x", LinkType::Inline), Target::Forbidden("javascript:".into()));
        assert_eq!(classify("DATA:text/html,x", LinkType::Inline), Target::Forbidden("data:".into()));
        assert_eq!(classify("//evil.example/x", LinkType::Inline), Target::Forbidden("//".into()));
        assert_eq!(classify("https://normen.no/", LinkType::Inline), Target::External("https://normen.no/".into()));
        assert_eq!(classify("#a%C3%B8", LinkType::Inline), Target::Anchor("aø".into()));
    }

    #[test]
    fn near_miss_shortcodes() {
        let md = "Se [[STD-0\u{200b}1]] og\n[[STD-99 ]] men ikke `[[A B]]`, [[ikke en id]] eller [[STD-01]].\n\n```\n[[X-1 ]]\n```\n";
        let s = scan(md);
        let got: Vec<(&str, &str)> = s.near_shortcodes.iter().map(|n| (&md[n.offset..n.offset + 2], n.meant.as_str())).collect();
        assert_eq!(got, vec![("[[", "STD-01"), ("[[", "STD-99")]);
        assert_eq!(s.near_shortcodes[1].offset, md.find("[[STD-99 ]]").unwrap_or(0));
        assert_eq!(s.links.len(), 1);
    }

    #[test]
    fn plain() {
        assert_eq!(plain_text("Leverandøren **skal** se [[A-1]].\n\n- a\n- b"), "Leverandøren skal se A-1.\na\nb");
    }
}
