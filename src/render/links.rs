//! Stage 4 (render): link resolution. Turns a Markdown link target of the model into a relative URL
//! from the output file being rendered, and labels `[[ID]]` shortcodes.

use crate::model::Site;
use crate::model::Version;
use crate::model::markdown::Target;
use crate::paths;
use crate::validate::resolve_relative;

use super::markdown::Links;
use super::urls::rel;

/// Link resolution for one output file.
pub(super) struct LinkCtx<'a> {
    pub(super) site: &'a Site,
    pub(super) version: &'a Version,
    pub(super) from: &'a str,
    pub(super) page_src: Option<&'a str>,
}

impl Links for LinkCtx<'_> {
    fn href(&self, target: &Target) -> Option<String> {
        let v = &self.version.id;
        let to = match target {
            Target::Req { version, id } => {
                // IDs match case-insensitively; the file is named after the record's spelling.
                let vid = version.as_deref().unwrap_or(v);
                let record = self.site.versions.iter().find(|x| x.id == vid).and_then(|x| x.requirement(id));
                paths::requirement(vid, record.map_or(id.as_str(), |r| r.id.value.as_str()))
            }
            Target::Ref(id) => paths::reference(v, id),
            Target::File { path, anchor } => {
                let t = resolve_relative(self.page_src, path)?;
                let file = if t.ends_with(".md") { paths::page(v, &self.version.page(&t)?.out) } else { paths::page(v, &t) };
                let base = rel(self.from, &file);
                return Some(match anchor {
                    Some(a) if !a.is_empty() => format!("{base}#{a}"),
                    _ => base,
                });
            }
            Target::Anchor(a) => return Some(format!("#{a}")),
            Target::External(u) => return Some(u.clone()),
            Target::Forbidden(_) => return None,
        };
        Some(rel(self.from, &to))
    }

    fn shortcode_label(&self, version: Option<&str>, id: &str) -> String {
        let v = version.and_then(|x| self.site.versions.iter().find(|v| v.id == x)).unwrap_or(self.version);
        match v.requirement(id) {
            Some(r) if version.is_some() => format!("{id} {} ({})", r.title, v.label),
            Some(r) => format!("{id} {}", r.title),
            None => id.to_string(),
        }
    }
}
