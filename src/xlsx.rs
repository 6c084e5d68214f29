//! Stage 4 (render, data side): `<v>/export/requirements.xlsx`, the pick list for people
//! (SPEC §6). Normen's procurement "plukkliste" is an Excel sheet, so this is the same list
//! as the CSV export with labels instead of ids: one column per target group (marked),
//! an autofilter on the header row, the header frozen, wrapped statements and each ID a
//! link to its permalink.
//!
//! The browser writes the reader's filtered selection in the same form
//! (`themes/default/static/xlsx.js`); both take their column labels from [`columns`] and
//! their rows from the same fields, so a filtered download has the static file's cells.

use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, Url, Workbook, XlsxError};

use crate::config::SiteConfig;
use crate::model::markdown::plain_text;
use crate::model::{Site, Version};
use crate::render::i18n;

/// The header labels, in the site language: ID, chapter, title, obligation, one column per
/// target group, status, applies from, statement.
pub fn columns(config: &SiteConfig) -> Vec<String> {
    let t = |k: &str| i18n::get(config.language, k).to_string();
    let mut cols = vec![t("id"), t("chapter"), t("title"), t("obligation")];
    cols.extend(config.target_groups.iter().map(|g| g.label.clone()));
    cols.extend([t("status"), t("applies_from"), capitalize(i18n::get(config.language, "field_statement"))]);
    cols
}

/// What marks a requirement's target groups in their columns.
pub fn mark(config: &SiteConfig) -> &'static str {
    i18n::get(config.language, "marked")
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// The workbook of version `v`. IDs link to `<base_url>/requirements/<ID>.html` when
/// `base_url` is set, otherwise to the permalink relative to the file (`../../requirements/…`),
/// which spreadsheet programs resolve against the file's folder, so the link works inside a
/// copied site tree and from `file://`.
pub fn workbook(site: &Site, v: &Version) -> Vec<u8> {
    // Writing into memory fails only on limits a pick list does not reach (over a million
    // rows, cells over 32,767 characters); an empty file then stands in for the export.
    build(site, v).unwrap_or_default()
}

fn build(site: &Site, v: &Version) -> Result<Vec<u8>, XlsxError> {
    let cfg = &site.config;
    let label =
        |list: &[crate::config::IdLabel], id: &str| list.iter().find(|o| o.id.get_ref() == id).map_or_else(|| id.to_string(), |o| o.label.clone());
    let mut wb = Workbook::new();
    // A fixed creation time keeps the build deterministic (Excel would stamp "now").
    let created = v.published.as_deref().and_then(ymd).unwrap_or(ExcelDateTime::from_ymd(2000, 1, 1)?);
    wb.set_properties(&DocProperties::new().set_title(format!("{} – {}", cfg.title, v.label)).set_creation_datetime(&created));
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xE8_EE_F4))
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let top = Format::new().set_align(FormatAlign::Top);
    let center = Format::new().set_align(FormatAlign::Top).set_align(FormatAlign::Center);
    let link =
        Format::new().set_align(FormatAlign::Top).set_font_color(Color::RGB(0x0B_5C_AD)).set_underline(rust_xlsxwriter::FormatUnderline::Single);
    let ws = wb.add_worksheet();
    ws.set_name(i18n::get(cfg.language, "requirements"))?;
    let cols = columns(cfg);
    let ng = cfg.target_groups.len();
    for (c, name) in cols.iter().enumerate() {
        ws.write_string_with_format(0, col(c), name, &header)?;
    }
    let widths: Vec<f64> = [12.0, 28.0, 40.0, 13.0].into_iter().chain(std::iter::repeat_n(12.0, ng)).chain([14.0, 12.0, 80.0]).collect();
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col(c), *w)?;
    }
    let base = cfg.base_url.trim_end_matches('/');
    for (i, r) in v.requirements.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        let id = r.id.value.as_str();
        let target = if base.is_empty() { format!("file:///../../requirements/{id}.html") } else { format!("{base}/requirements/{id}.html") };
        ws.write_url_with_format(row, 0, Url::new(target).set_text(id), &link)?;
        ws.write_string_with_format(row, 1, v.chapter(&r.chapter).map_or(r.chapter.as_str(), |c| c.title.as_str()), &wrap)?;
        ws.write_string_with_format(row, 2, &r.title, &wrap)?;
        ws.write_string_with_format(row, 3, label(&cfg.obligations, &r.obligation.value), &top)?;
        for (gi, g) in cfg.target_groups.iter().enumerate() {
            if r.target_groups.iter().any(|x| &x.value == g.id.get_ref()) {
                ws.write_string_with_format(row, col(4 + gi), mark(cfg), &center)?;
            }
        }
        let status = i18n::get(cfg.language, &format!("status_{}", r.status.as_str()));
        ws.write_string_with_format(row, col(4 + ng), status, &top)?;
        if let Some(a) = &r.applies_from {
            ws.write_string_with_format(row, col(5 + ng), &a.value, &top)?;
        }
        ws.write_string_with_format(row, col(6 + ng), plain_text(&r.statement.text), &wrap)?;
    }
    let last_row = u32::try_from(v.requirements.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    ws.autofilter(0, 0, last_row, col(cols.len() - 1))?;
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

fn ymd(s: &str) -> Option<ExcelDateTime> {
    let mut p = s.splitn(3, '-').map(str::parse::<u16>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) = (p.next(), p.next(), p.next()) else { return None };
    ExcelDateTime::from_ymd(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()
}
