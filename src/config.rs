//! Stage 0: the site configuration, `normbok.toml` (SPEC §2.1), read before anything else.
//!
//! Unknown keys are errors with a location and a "did you mean" hint; every id that later
//! stages resolve against (versions, obligations, target groups) is checked here once.

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Loc, line_col, suggestion};

/// The file name of the site configuration.
pub const CONFIG_FILE: &str = "normbok.toml";

/// Default maximum size of one source file (SPEC §10).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// UI and search language of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Norwegian Bokmål.
    #[default]
    Nb,
    /// Norwegian Nynorsk.
    Nn,
    /// English.
    En,
}

impl Language {
    /// The BCP 47 tag used in `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Nb => "nb",
            Language::Nn => "nn",
            Language::En => "en",
        }
    }
}

/// Publication status of a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionStatus {
    /// Work in progress; carries a banner and never becomes a permalink target.
    Draft,
    /// The version readers should use; exactly one.
    Current,
    /// Replaced by a newer version; carries a banner.
    Superseded,
    /// Withdrawn as a whole; carries a banner.
    Withdrawn,
}

impl VersionStatus {
    /// The lowercase name, as written in `normbok.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Current => "current",
            VersionStatus::Superseded => "superseded",
            VersionStatus::Withdrawn => "withdrawn",
        }
    }
}

/// The whole `normbok.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Site title.
    pub title: String,
    /// UI strings and search stemmer.
    #[serde(default)]
    pub language: Language,
    /// Absolute URL of the published site; only used for sitemap.xml and canonical links.
    #[serde(default)]
    pub base_url: String,
    /// The publisher's name, shown in the header above the site title (optional).
    #[serde(default)]
    pub publisher: String,
    /// The publisher's logo: a file below the site theme's `static/` folder (e.g. `logo.svg`
    /// for `themes/<theme>/static/logo.svg`), shown in the header (optional).
    #[serde(default)]
    pub logo: String,
    /// Theme name; `default` is embedded in the binary.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Versions, newest first.
    pub versions: Vec<VersionConfig>,
    /// Obligation levels, strongest first.
    pub obligations: Vec<IdLabel>,
    /// Target groups.
    pub target_groups: Vec<TargetGroup>,
    /// External link checking.
    #[serde(default)]
    pub links: LinksConfig,
    /// Output folder handling.
    #[serde(default)]
    pub output: OutputConfig,
    /// Markdown options.
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// Input limits.
    #[serde(default)]
    pub limits: LimitsConfig,
}

fn default_theme() -> String {
    "default".to_string()
}

/// One `[[versions]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionConfig {
    /// ASCII id, also the folder and URL segment.
    pub id: Spanned<String>,
    /// Human label.
    pub label: String,
    /// Publication status.
    pub status: VersionStatus,
    /// Publication date.
    #[serde(default)]
    pub published: Option<Spanned<toml::value::Datetime>>,
    /// A sentence about the version shown beside it on `versions.html` (e.g. that it is an
    /// example, not an official release).
    #[serde(default)]
    pub note: Option<String>,
}

/// An obligation level.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdLabel {
    /// Slug used in records.
    pub id: Spanned<String>,
    /// Human label.
    pub label: String,
}

/// A target group.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    /// Slug used in records and URLs.
    pub id: Spanned<String>,
    /// Human label.
    pub label: String,
    /// Optional description.
    #[serde(default)]
    pub description: Option<String>,
}

/// `[links]`: external link checking (SPEC §8).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinksConfig {
    /// Regular expressions of URLs never requested.
    pub exclude: Vec<String>,
    /// Concurrent requests per host.
    pub per_host_concurrency: usize,
    /// Concurrent requests overall.
    pub max_concurrency: usize,
    /// Per-request timeout.
    pub timeout_secs: u64,
    /// How long successful results are reused.
    pub cache_ttl_days: u64,
    /// Whether loopback/private addresses are checked.
    pub include_private: bool,
    /// Retries after a timeout, 408, 429 or 5xx (normbok extension; default 2).
    pub max_retries: u64,
    /// Wait before the first retry, doubled for each further one (normbok extension).
    pub retry_wait_ms: u64,
    /// Minimum gap between two requests to the same host (normbok extension; default 0: the
    /// per-host concurrency alone keeps the load on partner sites low).
    pub request_interval_ms: u64,
    /// Longest `Retry-After` (seconds or an HTTP date) normbok waits for before retrying; a
    /// server asking for more gets its link reported `unverified` (normbok extension; 120).
    pub max_retry_after_secs: u64,
    /// Severity of a link to a missing heading anchor (`E-ANCHOR`): `error` (default) or
    /// `warn` (then it is `W-ANCHOR`), as Zola's `internal_level`.
    pub anchors: AnchorLevel,
}

/// `[links] anchors`: how a link to a missing anchor is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AnchorLevel {
    /// `E-ANCHOR`, the build fails (default).
    #[default]
    Error,
    /// `W-ANCHOR`, the build succeeds (and `--strict` fails).
    Warn,
}

impl Default for LinksConfig {
    fn default() -> Self {
        LinksConfig {
            exclude: Vec::new(),
            per_host_concurrency: 2,
            max_concurrency: 16,
            timeout_secs: 20,
            cache_ttl_days: 7,
            include_private: false,
            max_retries: 2,
            retry_wait_ms: 1000,
            request_interval_ms: 0,
            max_retry_after_secs: 120,
            anchors: AnchorLevel::Error,
        }
    }
}

/// `[output]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// Entries of an existing output folder that survive a rebuild.
    pub preserve: Vec<String>,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig { preserve: vec![".git".into(), "CNAME".into()] }
    }
}

/// What happens to raw HTML in Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Shown as text, with a warning (default).
    #[default]
    Escape,
    /// Passed through an allow-list sanitizer.
    Sanitize,
}

/// `[markdown]` (normbok extension of SPEC §2.1).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownConfig {
    /// Raw HTML policy.
    pub raw_html: RawHtml,
}

/// `[limits]` (normbok extension of SPEC §2.1).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Largest accepted source file in bytes.
    pub max_file_size: u64,
    /// A version's search bundle (bytes before base64) above this gets a warning: readers
    /// download it on their first search.
    pub search_bundle_warn: u64,
    /// A version's search bundle above this fails the build.
    pub search_bundle_max: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        // Bundle limits from RELIABILITY.md (mdBook warns at 10 MB).
        LimitsConfig { max_file_size: DEFAULT_MAX_FILE_SIZE, search_bundle_warn: 1 << 20, search_bundle_max: 10 << 20 }
    }
}

impl SiteConfig {
    /// The one version with status `current`.
    pub fn current_version(&self) -> Option<&VersionConfig> {
        self.versions.iter().find(|v| v.status == VersionStatus::Current)
    }

    /// Target-group ids in configuration order.
    pub fn group_ids(&self) -> impl Iterator<Item = &str> {
        self.target_groups.iter().map(|g| g.id.get_ref().as_str())
    }

    /// Obligation ids, strongest first.
    pub fn obligation_ids(&self) -> impl Iterator<Item = &str> {
        self.obligations.iter().map(|o| o.id.get_ref().as_str())
    }
}

/// Whether `s` is a valid version id (`[A-Za-z0-9._-]+`, not `.` or `..`).
pub fn is_version_id(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether `s` is a slug id for obligations and target groups (`[a-z0-9][a-z0-9-]*`).
pub fn is_slug_id(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parses and checks `normbok.toml`. `text` is the file content, `path` its site-relative name.
pub fn parse(text: &str, path: &str) -> Result<SiteConfig, Diagnostics> {
    let mut diags = Diagnostics::new();
    let cfg: SiteConfig = match toml::from_str(text) {
        Ok(c) => c,
        Err(e) => {
            diags.push(toml_error(&e, text, path));
            return Err(diags);
        }
    };
    let at = |span: std::ops::Range<usize>| {
        let (l, c) = line_col(text, span.start);
        Loc::new(path, l, c)
    };

    check_ids(&mut diags, cfg.versions.iter().map(|v| &v.id), "version", is_version_id, "[A-Za-z0-9._-]+", &at);
    check_reserved_version_ids(&mut diags, &cfg, &at);
    check_ids(&mut diags, cfg.obligations.iter().map(|o| &o.id), "obligation", is_slug_id, "[a-z0-9][a-z0-9-]*", &at);
    check_ids(&mut diags, cfg.target_groups.iter().map(|g| &g.id), "target group", is_slug_id, "[a-z0-9][a-z0-9-]*", &at);

    let current = cfg.versions.iter().filter(|v| v.status == VersionStatus::Current).count();
    if cfg.versions.is_empty() {
        diags.push(
            Diagnostic::error("E-CONFIG", Loc::file(path), "no [[versions]] declared")
                .help("add a [[versions]] table with id, label and status = \"current\""),
        );
    } else if current != 1 {
        let loc = cfg.versions.first().map_or_else(|| Loc::file(path), |v| at(v.id.span()));
        diags.push(
            Diagnostic::error("E-CONFIG", loc, format!("exactly one version must have status \"current\", found {current}"))
                .help("mark the version readers should use with status = \"current\""),
        );
    }
    if cfg.obligations.is_empty() {
        diags.push(Diagnostic::error("E-CONFIG", Loc::file(path), "no [[obligations]] declared"));
    }
    if cfg.target_groups.is_empty() {
        diags.push(Diagnostic::error("E-CONFIG", Loc::file(path), "no [[target_groups]] declared"));
    }
    if cfg.theme.is_empty() || !cfg.theme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        diags.push(
            Diagnostic::error("E-CONFIG", Loc::file(path), format!("invalid theme name `{}`", cfg.theme))
                .help("theme names are ASCII letters, digits, - and _"),
        );
    }
    if !(cfg.base_url.is_empty() || cfg.base_url.starts_with("https://") || cfg.base_url.starts_with("http://")) {
        diags.push(Diagnostic::error("E-URL-SCHEME", Loc::file(path), format!("base_url `{}` must start with https:// or http://", cfg.base_url)));
    }
    if cfg.limits.max_file_size == 0 {
        diags.push(Diagnostic::error("E-CONFIG", Loc::file(path), "limits.max_file_size must be greater than 0"));
    }
    if diags.has_errors() { Err(diags) } else { Ok(cfg) }
}

/// Names at the top of the output folder that are not version folders: site-level pages and
/// folders, the preview server's endpoints, and (below) the `[output] preserve` entries. A
/// version with one of these ids would overwrite or be overwritten by them.
pub const RESERVED_TOP_LEVEL: [&str; 10] =
    ["index.html", "versions.html", "404.html", "sitemap.xml", "robots.txt", "static", "requirements", "feeds", "search", "__normbok"];

fn check_reserved_version_ids(diags: &mut Diagnostics, cfg: &SiteConfig, at: &dyn Fn(std::ops::Range<usize>) -> Loc) {
    for v in &cfg.versions {
        let id = v.id.get_ref();
        let clash =
            RESERVED_TOP_LEVEL.iter().map(|s| (*s).to_string()).chain(cfg.output.preserve.iter().cloned()).find(|r| r.eq_ignore_ascii_case(id));
        let why = match clash {
            Some(r) if cfg.output.preserve.contains(&r) => format!("it is kept from the previous output by [output] preserve (`{r}`)"),
            Some(r) => format!("the site-level output `{r}` has that name"),
            // Hidden names are the output marker, staging folders and VCS folders.
            None if id.starts_with('.') => "ids starting with `.` are hidden files (the output marker, staging folders, .git)".to_string(),
            None => continue,
        };
        diags.push(
            Diagnostic::error("E-CONFIG", at(v.id.span()), format!("version id `{id}` is reserved: {why}"))
                .help(format!("reserved at the top of the output: {}; choose another id", RESERVED_TOP_LEVEL.join(", "))),
        );
    }
}

fn check_ids<'a>(
    diags: &mut Diagnostics,
    ids: impl Iterator<Item = &'a Spanned<String>>,
    what: &str,
    valid: fn(&str) -> bool,
    pattern: &str,
    at: &dyn Fn(std::ops::Range<usize>) -> Loc,
) {
    let mut seen: Vec<&Spanned<String>> = Vec::new();
    for id in ids {
        if !valid(id.get_ref()) {
            diags.push(
                Diagnostic::error("E-ID-FORMAT", at(id.span()), format!("invalid {what} id `{}`", id.get_ref()))
                    .help(format!("{what} ids match {pattern}")),
            );
        }
        if let Some(first) = seen.iter().find(|s| s.get_ref().eq_ignore_ascii_case(id.get_ref())) {
            diags.push(
                Diagnostic::error("E-DUP-ID", at(id.span()), format!("duplicate {what} id `{}`", id.get_ref()))
                    .help(format!("first declared at {}", at(first.span()))),
            );
        }
        seen.push(id);
    }
}

/// Field names mentioned in backticks in a serde message ("unknown field `x`, expected one of `a`, `b`").
fn backticked(msg: &str) -> Vec<&str> {
    msg.split('`').skip(1).step_by(2).collect()
}

fn toml_error(e: &toml::de::Error, text: &str, path: &str) -> Diagnostic {
    let loc = e.span().map_or_else(
        || Loc::file(path),
        |s| {
            let (l, c) = line_col(text, s.start);
            Loc::new(path, l, c)
        },
    );
    let msg = e.message().trim().to_string();
    if msg.starts_with("unknown field") {
        let words = backticked(&msg);
        let (wrong, expected) = words.split_first().map_or(("", &[][..]), |(w, rest)| (*w, rest));
        let mut d = Diagnostic::error("E-UNKNOWN-FIELD", loc, format!("unknown key `{wrong}` in {CONFIG_FILE}"))
            .help_opt(suggestion(wrong, expected.iter().copied()));
        if !expected.is_empty() {
            d = d.help(format!("valid keys here: {}", expected.join(", ")));
        }
        d
    } else if msg.starts_with("missing field") {
        let field = backticked(&msg).first().copied().unwrap_or("");
        Diagnostic::error("E-MISSING-FIELD", loc, format!("missing key `{field}` in {CONFIG_FILE}"))
    } else if msg.starts_with("invalid type") || msg.starts_with("unknown variant") || msg.starts_with("invalid value") {
        Diagnostic::error("E-TYPE", loc, crate::load::yaml::plain_type_message(&msg))
    } else {
        Diagnostic::error("E-CONFIG", loc, format!("invalid TOML: {msg}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str = "title = \"T\"\n[[versions]]\nid = \"1\"\nlabel = \"1\"\nstatus = \"current\"\n[[obligations]]\nid = \"skal\"\nlabel = \"Skal\"\n[[target_groups]]\nid = \"alle\"\nlabel = \"Alle\"\n";

    #[test]
    fn minimal_config_parses() {
        let c = parse(MIN, "normbok.toml").map_err(|d| d.render());
        assert!(c.is_ok(), "{c:?}");
    }

    #[test]
    fn reserved_version_ids_are_refused_with_location() {
        for id in ["index.html", "static", "requirements", "404.html", "Versions.html", "CNAME", ".hidden"] {
            let text = MIN.replace("id = \"1\"", &format!("id = \"{id}\""));
            let d = parse(&text, "normbok.toml").err().map(|d| d.render()).unwrap_or_default();
            assert!(d.contains("normbok.toml:3:6: error[E-CONFIG]: version id"), "{id}: {d}");
        }
        assert!(parse(&MIN.replace("id = \"1\"", "id = \"2025.1\""), "normbok.toml").is_ok());
    }

    #[test]
    fn unknown_key_has_location_and_hint() {
        let text = format!("{MIN}tittle = \"x\"\n").replace("title = \"T\"\n", "title = \"T\"\nlanguag = \"nb\"\n");
        let d = parse(&text, "normbok.toml").err().map(|d| d.render()).unwrap_or_default();
        assert!(d.contains("normbok.toml:2:1: error[E-UNKNOWN-FIELD]"), "{d}");
        assert!(d.contains("did you mean `language`?"), "{d}");
    }
}
