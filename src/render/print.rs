//! Stage 4 (render): `<v>/print.html`, the whole version as one printable document — the
//! guide pages in navigation order, then every requirement by chapter, with a table of
//! contents, and the version, its status and date in the margin of every printed page.
//!
//! Chromium prints CSS paged-media margin boxes (`@page { @top-left { … } }`, `counter(page)`)
//! but not `target-counter()`, so the table of contents links its entries instead of giving
//! their page numbers.

use rayon::prelude::*;
use serde_json::{Value, json};

use super::layout::Same;
use super::links::LinkCtx;
use super::markdown::{self, Links};
use super::urls::rel;
use super::{Ctx, i18n};
use crate::diag::Diagnostic;
use crate::model::markdown::{Heading, Target};

/// Output path of version `vi`'s printable document.
pub(super) fn print_path(site: &crate::model::Site, vi: usize) -> String {
    crate::paths::print(&site.versions[vi].id)
}

/// Links of one guide page inside the printed document: its own headings carry a per-page
/// prefix (two pages may both have `#innledning`), so its `#anchor` links do too.
struct PageLinks<'a> {
    inner: LinkCtx<'a>,
    prefix: &'a str,
}

impl Links for PageLinks<'_> {
    fn href(&self, target: &Target) -> Option<String> {
        match target {
            Target::Anchor(a) => Some(format!("#{}{a}", self.prefix)),
            t => self.inner.href(t),
        }
    }

    fn shortcode_label(&self, version: Option<&str>, id: &str) -> String {
        self.inner.shortcode_label(version, id)
    }
}

/// `s` as a CSS string literal of ASCII letters, digits and hex escapes (each ended by the
/// one space CSS consumes after an escape): safe inside `<style>`, since no `<`, `"` or `\`
/// of the content survives.
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:x} ", c as u32));
        }
    }
    out.push('"');
    out
}

/// HTML written for a file in `<v>/<folder>` made right for a file in `<v>/`: every
/// relative `href`/`src` names the same target from one folder up (`../x` → `x`, `y` →
/// `<folder>y`); absolute URLs and `#fragments` stay.
fn up_one_folder(html: &str, folder: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(i) = rest.find("=\"") {
        let attr_start = rest[..i].rfind(|c: char| !c.is_ascii_alphabetic()).map_or(0, |j| j + 1);
        let attr = &rest[attr_start..i];
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        if attr != "href" && attr != "src" {
            continue;
        }
        let end = rest.find('"').unwrap_or(rest.len());
        let url = &rest[..end];
        let absolute = url.starts_with('#') || url.starts_with('/') || url.split('/').next().is_some_and(|s| s.contains(':'));
        if let Some(up) = url.strip_prefix("../") {
            out.push_str(up);
        } else if absolute {
            out.push_str(url);
        } else {
            out.push_str(folder);
            out.push_str(url);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

impl Ctx<'_> {
    pub(super) fn print_page(&self, vi: usize) -> Result<(String, String), Diagnostic> {
        let site = self.site;
        let v = &site.versions[vi];
        let vd = &self.vdata[vi];
        let out = print_path(site, vi);
        let mut m = self.base(&out, i18n::get(self.lang, "print_version"), Some(vi), Same::Fixed(crate::paths::print));
        let pages: Vec<Value> = vd
            .nav
            .iter()
            .map(|&(depth, pi)| {
                let p = &v.pages[pi];
                let anchor = format!("side-{}", p.out.trim_end_matches(".html").replace('/', "-"));
                let prefix = format!("{anchor}--");
                let headings: Vec<Heading> =
                    p.body.scan.headings.iter().map(|h| Heading { anchor: format!("{prefix}{}", h.anchor), ..h.clone() }).collect();
                let pl = PageLinks { inner: LinkCtx { site, version: v, from: &out, page_src: Some(&p.src) }, prefix: &prefix };
                let html = markdown::to_html(&p.body.text, &headings, &pl, self.raw);
                json!({"title": p.title, "summary": p.summary, "anchor": anchor, "depth": depth, "html": html, "url": rel(&out, &crate::paths::page(&v.id, &p.out))})
            })
            .collect();
        // The requirements' shared HTML is for files one folder down: moved up one folder
        // here rather than rendered again (30,000 requirements cost a tenth of a build).
        let reqs: Vec<Value> = v
            .requirements
            .par_iter()
            .zip(&vd.req_html)
            .map(|(r, (statement, guidance, items))| {
                let groups: Vec<String> = r.target_groups.iter().map(|g| self.group_label(&g.value)).collect();
                json!({
                    "id": r.id.value, "title": r.title, "chapter": r.chapter,
                    "obligation": {"id": r.obligation.value, "label": self.obligation_label(&r.obligation.value)},
                    "status": {"id": r.status.as_str(), "label": self.status_label(r.status)},
                    "applies_from": r.applies_from.as_ref().map(|a| a.value.clone()),
                    "groups": groups,
                    "statement_html": up_one_folder(statement, "requirements/"),
                    "guidance_html": guidance.as_deref().map(|g| up_one_folder(g, "requirements/")),
                    "items_html": items.iter().map(|i| up_one_folder(i, "requirements/")).collect::<Vec<_>>(),
                    "url": rel(&out, &crate::paths::requirement(&v.id, &r.id.value)),
                })
            })
            .collect();
        let chapters: Vec<Value> = v
            .chapters
            .iter()
            .map(|c| {
                let list: Vec<&Value> = v.requirements.iter().zip(&reqs).filter(|(r, _)| r.chapter == c.id.value).map(|(_, x)| x).collect();
                json!({
                    "id": c.id.value, "title": c.title, "anchor": format!("kapittel-{}", c.id.value),
                    "intro_html": vd.chapter_intro.get(c.id.value.as_str()).map(|h| up_one_folder(h, "chapters/")),
                    "requirements": list,
                })
            })
            .collect();
        let status = self.vstatus_label(v.status);
        let mut running = format!("{} · {} ({status})", site.config.title, v.label);
        if let Some(p) = &v.published {
            running.push_str(&format!(" · {} {p}", i18n::get(self.lang, "published")));
        }
        m.insert("print_pages".into(), json!(pages));
        m.insert("print_chapters".into(), json!(chapters));
        m.insert("running_header_css".into(), json!(css_string(&running)));
        m.insert("page_label_css".into(), json!(css_string(&format!("{} ", i18n::get(self.lang, "page")))));
        m.insert("of_label_css".into(), json!(css_string(&format!(" {} ", i18n::get(self.lang, "of")))));
        m.insert("running_header".into(), json!(running));
        self.tpl("print.html", out, m)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn links_move_up_one_folder() {
        let html = r##"<p><a href="B-1.html">B</a> <a href="../references/r.html#x">r</a> <a href="../../2/requirements/A.html">a</a> <a href="https://x.no/a">x</a> <a href="#f">f</a> <img src="../bilde.png" alt="b"> data-x="y"</p>"##;
        assert_eq!(
            super::up_one_folder(html, "requirements/"),
            r##"<p><a href="requirements/B-1.html">B</a> <a href="references/r.html#x">r</a> <a href="../2/requirements/A.html">a</a> <a href="https://x.no/a">x</a> <a href="#f">f</a> <img src="bilde.png" alt="b"> data-x="y"</p>"##
        );
    }

    #[test]
    fn css_strings_cannot_close_the_style_element() {
        assert_eq!(super::css_string("Å </style>\"x"), "\"\\c5 \\20 \\3c \\2f style\\3e \\22 x\"");
    }
}
