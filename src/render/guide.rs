//! Stage 4 (render): guide pages. A Markdown page of the version with its table of contents and,
//! on the version home, the chapter overview.

use serde_json::{Value, json};

use crate::diag::Diagnostic;
use crate::paths;

use super::Ctx;
use super::layout::Same;
use super::links::LinkCtx;
use super::markdown;
use super::urls::rel;

impl<'a> Ctx<'a> {
    pub(super) fn page(&self, vi: usize, pi: usize) -> Result<(String, String), Diagnostic> {
        let v = &self.site.versions[vi];
        let p = &v.pages[pi];
        let out = paths::page(&v.id, &p.out);
        let links = LinkCtx { site: self.site, version: v, from: &out, page_src: Some(&p.src) };
        let html = markdown::to_html(&p.body.text, &p.body.scan.headings, &links, self.raw);
        let mut m = self.base(&out, &p.title, Some(vi), Same::Page(&p.src));
        m.insert("content".into(), json!(html));
        m.insert("summary".into(), json!(p.summary));
        m.insert("is_home".into(), json!(p.src == "index.md"));
        let toc: Vec<Value> = p
            .body
            .scan
            .headings
            .iter()
            .filter(|h| h.level == 2 || h.level == 3)
            .map(|h| json!({"level": h.level, "text": h.text, "anchor": h.anchor}))
            .collect();
        m.insert("toc".into(), json!(toc));
        let groups: Vec<Value> = p
            .target_groups
            .iter()
            .map(|g| json!({"id": g.value, "label": self.group_label(&g.value), "url": rel(&out, &paths::group(&v.id, &g.value))}))
            .collect();
        m.insert("page_groups".into(), json!(groups));
        if p.src == "index.md" {
            let chapters: Vec<Value> = v
                .chapters
                .iter()
                .map(|c| json!({"title": c.title, "url": rel(&out, &paths::chapter(&v.id, &c.id.value)), "count": v.requirements.iter().filter(|r| r.chapter == c.id.value).count()}))
                .collect();
            m.insert("home_chapters".into(), json!(chapters));
        }
        self.tpl("page.html", out, m)
    }
}
