//! After model: `normbok schema`, the JSON Schema of the source files for editors. Without a
//! site it is [`crate::load::records::json_schema`]; with `--root` the site is loaded and
//! modelled, and its own ids become enums, so the editor completes and checks them.

use std::path::Path;

use serde_json::{Value, json};

use crate::diag::Diagnostics;

/// The schema for the site at `root`: target groups, obligations and reference ids (of all
/// versions) as enums. Fails only when the site cannot be loaded at all (no or an invalid
/// `normbok.toml`); content errors elsewhere leave their ids out and are not reported here.
pub fn for_site(root: &Path) -> Result<Value, Diagnostics> {
    let loaded = crate::load::load(root)?;
    let (site, _) = crate::model::build(loaded);
    let groups: Vec<&str> = site.config.group_ids().collect();
    let obligations: Vec<&str> = site.config.obligation_ids().collect();
    let mut refs: Vec<&str> = site.versions.iter().flat_map(|v| v.references.iter().map(|r| r.id.value.as_str())).collect();
    refs.sort_unstable();
    refs.dedup();
    let mut schema = crate::load::records::json_schema();
    let title = format!("normbok source files of “{}”", site.config.title);
    schema["title"] = json!(title);
    let defs = &mut schema["$defs"];
    set_enum(&mut defs["RequirementRaw"]["properties"]["obligation"], &obligations);
    set_enum(&mut defs["RequirementRaw"]["properties"]["target_groups"]["items"], &groups);
    set_enum(&mut defs["RequirementRaw"]["properties"]["references"]["items"], &refs);
    set_enum(&mut defs["FrontMatter"]["properties"]["target_groups"]["items"], &groups);
    Ok(schema)
}

/// Adds `"enum": ids` to a string schema. An empty list would forbid every value, so it is
/// left out (a site without references yet).
fn set_enum(node: &mut Value, ids: &[&str]) {
    if let Value::Object(map) = node
        && !ids.is_empty()
    {
        map.insert("enum".into(), json!(ids));
    }
}

/// The schema as written to a file or stdout: pretty JSON with a final newline.
pub fn to_text(schema: &Value) -> String {
    serde_json::to_string_pretty(schema).unwrap_or_default() + "\n"
}
