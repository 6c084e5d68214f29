//! Output layout (SPEC §3): the one place that spells where each kind of output file goes.
//!
//! Render, export, search, serve and validate's reserved names all call these functions,
//! so moving an output is one edit here. Every path is site-relative, uses `/` and is not
//! percent-encoded (callers that build URLs encode segments with [`crate::render::urls`]).
//! Arguments are raw ids (`version`, requirement `id`, …) exactly as the model holds them.

/// The site's entry page: meta refresh to the current version and the version list.
pub const ROOT_INDEX: &str = "index.html";
/// All versions with status and dates.
pub const VERSIONS: &str = "versions.html";
/// The not-found page hosts serve at any depth.
pub const NOT_FOUND: &str = "404.html";
/// The sitemap (only when `base_url` is set).
pub const SITEMAP: &str = "sitemap.xml";
/// The browser search engine (wasm as a script), shared by all versions.
pub const SEARCH_ENGINE: &str = "static/search/engine.js";
/// Atom feed of requirement changes of all versions.
pub const FEED_CHANGES: &str = "feeds/changes.atom";

/// File names inside a version folder that normbok generates itself: a guide page may not
/// be written to one of them (validate's `E-URL-COLLISION`).
pub const RESERVED_FILES: [&str; 6] = [SEARCH_PAGE, CHANGES, CONTENTS, PRINT, "404.html", "versions.html"];
/// Folders inside a version folder that normbok generates itself.
pub const RESERVED_DIRS: [&str; 7] = ["requirements/", "chapters/", "groups/", "references/", "export/", "search/", "changes/"];

const CHANGES: &str = "changes.html";
const SEARCH_PAGE: &str = "search.html";
const PRINT: &str = "print.html";
const CONTENTS: &str = "contents.html";

/// `requirements/<id>.html`: the version-less permalink (redirect or tombstone).
pub fn permalink(id: &str) -> String {
    format!("requirements/{id}.html")
}

/// `<v>/index.html`: the version home (pages/index.md).
pub fn version_home(version: &str) -> String {
    in_version(version, "index.html")
}

/// `<v>/<out>`: a guide page, with `out` the page's output path inside the version
/// (`Page::out`), or a page asset copied beside the pages.
pub fn page(version: &str, out: &str) -> String {
    in_version(version, out)
}

/// `<v>/requirements/index.html`: every requirement of the version by chapter.
pub fn requirements_index(version: &str) -> String {
    in_version(version, "requirements/index.html")
}

/// `<v>/requirements/<id>.html`: one requirement.
pub fn requirement(version: &str, id: &str) -> String {
    format!("{version}/requirements/{id}.html")
}

/// `<v>/chapters/<chapter>.html`.
pub fn chapter(version: &str, id: &str) -> String {
    format!("{version}/chapters/{id}.html")
}

/// `<v>/groups/<group>.html`: everything for one target group.
pub fn group(version: &str, id: &str) -> String {
    format!("{version}/groups/{id}.html")
}

/// `<v>/references/index.html`.
pub fn references_index(version: &str) -> String {
    in_version(version, "references/index.html")
}

/// `<v>/references/<ref>.html`, with back-links to citing requirements.
pub fn reference(version: &str, id: &str) -> String {
    format!("{version}/references/{id}.html")
}

/// `<v>/changes.html`: changes from the previous version.
pub fn changes(version: &str) -> String {
    in_version(version, CHANGES)
}

/// `<v>/changes/<older>.html`: changes from any older version to `version`.
pub fn changes_from(version: &str, older: &str) -> String {
    format!("{version}/changes/{older}.html")
}

/// `<v>/print.html`: the whole version as one printable document.
pub fn print(version: &str) -> String {
    in_version(version, PRINT)
}

/// `<v>/contents.html`: the version's navigation as plain links (the path to every page
/// without JavaScript).
pub fn contents(version: &str) -> String {
    in_version(version, CONTENTS)
}

/// `<v>/toc.js`: the same navigation once per version, drawn into every page's menu.
pub fn toc(version: &str) -> String {
    in_version(version, "toc.js")
}

/// `<v>/search.html`: the search page.
pub fn search_page(version: &str) -> String {
    in_version(version, SEARCH_PAGE)
}

/// `<v>/search/index.js`: the version's search bundle, loaded by a `<script>` tag.
pub fn search_bundle(version: &str) -> String {
    in_version(version, "search/index.js")
}

/// `<v>/export/requirements.csv`.
pub fn export_csv(version: &str) -> String {
    in_version(version, "export/requirements.csv")
}

/// `<v>/export/requirements.json`.
pub fn export_json(version: &str) -> String {
    in_version(version, "export/requirements.json")
}

/// `<v>/export/requirements.xlsx`.
pub fn export_xlsx(version: &str) -> String {
    in_version(version, "export/requirements.xlsx")
}

/// `feeds/<group>.atom`: the changes feed of one target group.
pub fn feed_group(group: &str) -> String {
    format!("feeds/{group}.atom")
}

/// `static/<name>`: a theme asset shared by all versions.
pub fn static_file(name: &str) -> String {
    format!("static/{name}")
}

fn in_version(version: &str, rest: &str) -> String {
    let mut s = String::with_capacity(version.len() + 1 + rest.len());
    s.push_str(version);
    s.push('/');
    s.push_str(rest);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout of SPEC §3, spelled out once more so a change here is a deliberate one.
    #[test]
    fn layout_matches_the_spec() {
        assert_eq!(permalink("A-1"), "requirements/A-1.html");
        assert_eq!(version_home("2025.2"), "2025.2/index.html");
        assert_eq!(page("2025.2", "ikt/drift.html"), "2025.2/ikt/drift.html");
        assert_eq!(requirements_index("v"), "v/requirements/index.html");
        assert_eq!(requirement("v", "A-1"), "v/requirements/A-1.html");
        assert_eq!(chapter("v", "c"), "v/chapters/c.html");
        assert_eq!(group("v", "g"), "v/groups/g.html");
        assert_eq!(references_index("v"), "v/references/index.html");
        assert_eq!(reference("v", "r"), "v/references/r.html");
        assert_eq!(changes("v"), "v/changes.html");
        assert_eq!(changes_from("v", "u"), "v/changes/u.html");
        assert_eq!(print("v"), "v/print.html");
        assert_eq!(search_page("v"), "v/search.html");
        assert_eq!(search_bundle("v"), "v/search/index.js");
        assert_eq!(export_csv("v"), "v/export/requirements.csv");
        assert_eq!(export_json("v"), "v/export/requirements.json");
        assert_eq!(export_xlsx("v"), "v/export/requirements.xlsx");
        assert_eq!(feed_group("g"), "feeds/g.atom");
        assert_eq!(static_file("style.css"), "static/style.css");
    }

    /// Every generated file or folder inside a version is reserved against guide pages.
    #[test]
    fn generated_version_paths_are_reserved() {
        let v = "v";
        for p in [changes(v), search_page(v)] {
            let rest = &p[v.len() + 1..];
            assert!(RESERVED_FILES.contains(&rest), "{rest}");
        }
        for p in [requirement(v, "x"), chapter(v, "x"), group(v, "x"), reference(v, "x"), export_csv(v), export_json(v), search_bundle(v)] {
            let rest = &p[v.len() + 1..];
            assert!(RESERVED_DIRS.iter().any(|d| rest.starts_with(d)), "{rest}");
        }
    }
}
