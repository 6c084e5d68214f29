//! Diagnostics shared by every stage: typed, located, coded messages and how they are printed.
//!
//! Every content problem becomes a [`Diagnostic`] with a stable code (tests and editors match
//! on codes, never on wording), a site-relative `path:line:col`, and optional help lines. Stages
//! collect them instead of stopping at the first, so a run reports everything at once.

use std::fmt::{self, Write as _};

/// How serious a diagnostic is. Warnings never change the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The build cannot succeed.
    Error,
    /// Worth telling the editor; the build still succeeds.
    Warning,
}

/// A place in a source file. Lines and columns are 1-based, absolute in the file, columns
/// counted in characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Loc {
    /// Path relative to the site root, with `/` separators.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub col: u32,
}

impl Loc {
    /// A location in `path` at `line:col`.
    pub fn new(path: impl Into<String>, line: u32, col: u32) -> Self {
        Loc { path: path.into(), line: line.max(1), col: col.max(1) }
    }

    /// The start of a file, for problems that concern the file as a whole.
    pub fn file(path: impl Into<String>) -> Self {
        Loc::new(path, 1, 1)
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.col)
    }
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    #[serde(serialize_with = "ser_severity")]
    pub severity: Severity,
    /// Stable code such as `E-DUP-ID`.
    pub code: &'static str,
    /// Where; `None` only for problems that belong to no file (e.g. a command-line option).
    pub loc: Option<Loc>,
    /// What is wrong, one line.
    pub message: String,
    /// What to do next, one entry per `help:` line.
    pub help: Vec<String>,
}

fn ser_severity<S: serde::Serializer>(s: &Severity, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    })
}

impl Diagnostic {
    /// An error at `loc`.
    pub fn error(code: &'static str, loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, code, loc: Some(loc), message: message.into(), help: Vec::new() }
    }

    /// A warning at `loc`.
    pub fn warning(code: &'static str, loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, code, loc: Some(loc), message: message.into(), help: Vec::new() }
    }

    /// An error that belongs to no file.
    pub fn global(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, code, loc: None, message: message.into(), help: Vec::new() }
    }

    /// Adds a `help:` line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// Adds a `help:` line when there is one.
    pub fn help_opt(self, help: Option<String>) -> Self {
        match help {
            Some(h) => self.help(h),
            None => self,
        }
    }

    /// Whether this is an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if let Some(loc) = &self.loc {
            write!(f, "{}: ", escape_terminal(&loc.to_string()))?;
        }
        write!(f, "{sev}[{}]: {}", self.code, escape_terminal(&self.message))?;
        for h in &self.help {
            write!(f, "\n  help: {}", escape_terminal(h))?;
        }
        Ok(())
    }
}

/// How a report is printed: plain (`path:line:col: error[CODE]: message` and `  help:` lines,
/// today's machine-parseable format), or for a terminal with colours and source snippets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Show the offending source line with the span underlined (rustc-like).
    pub snippets: bool,
}

impl Diagnostic {
    /// Renders one diagnostic. The first line is always `path:line:col: error[CODE]: message`
    /// (coloured only with `style.color`); with `style.snippets` and a readable source
    /// (`source` gets the site-relative path), the line is shown with the span underlined
    /// and the help lines follow as `= help:` notes, as rustc prints them.
    pub fn render(&self, style: Style, source: &dyn Fn(&str) -> Option<String>) -> String {
        use annotate_snippets::renderer::DecorStyle;
        use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

        let (sev, sev_style) = match self.severity {
            Severity::Error => ("error", annotate_snippets::renderer::DEFAULT_ERROR_STYLE),
            Severity::Warning => ("warning", annotate_snippets::renderer::DEFAULT_WARNING_STYLE),
        };
        let paint = |s: &str, st: annotate_snippets::renderer::Style| {
            if style.color { format!("{}{s}{}", st.render(), st.render_reset()) } else { s.to_string() }
        };
        let bold = annotate_snippets::renderer::Style::new().bold();
        let mut out = String::new();
        if let Some(loc) = &self.loc {
            out.push_str(&paint(&format!("{}:", escape_terminal(&loc.to_string())), bold));
            out.push(' ');
        }
        out.push_str(&paint(&format!("{sev}[{}]", self.code), sev_style));
        out.push_str(&paint(":", bold));
        out.push(' ');
        out.push_str(&paint(&escape_terminal(&self.message), bold));

        let line = match (&self.loc, style.snippets) {
            (Some(loc), true) => source(&loc.path)
                .and_then(|text| text.split('\n').nth(loc.line as usize - 1).map(|l| (loc, escape_terminal(l.trim_end_matches('\r')).into_owned()))),
            _ => None,
        };
        let Some((loc, text)) = line else {
            for h in &self.help {
                out.push_str("\n  ");
                out.push_str(&paint("help:", annotate_snippets::renderer::DEFAULT_HELP_STYLE));
                out.push(' ');
                out.push_str(&escape_terminal(h));
            }
            return out;
        };
        let span = token_span(&text, loc.col as usize);
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_level(level.clone())
            .element(Snippet::source(text.as_str()).line_start(loc.line as usize).annotation(AnnotationKind::Primary.span(span)));
        for h in &self.help {
            group = group.element(Level::HELP.message(escape_terminal(h).into_owned()));
        }
        let renderer = if style.color { Renderer::styled() } else { Renderer::plain() }.decor_style(DecorStyle::Ascii);
        let snippet = renderer.render(&[group]);
        out.push('\n');
        out.push_str(snippet.trim_end_matches('\n'));
        out
    }
}

/// The byte range to underline on `line`: the token starting at the 1-based character column
/// `col` (up to whitespace or YAML/Markdown punctuation), at least one character; past the
/// end of the line, the line's end.
fn token_span(line: &str, col: usize) -> std::ops::Range<usize> {
    let start = line.char_indices().nth(col.saturating_sub(1)).map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let len = rest.find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}' | ')')).unwrap_or(rest.len());
    let len = if len == 0 { rest.chars().next().map_or(0, char::len_utf8) } else { len };
    start..start + len
}

/// Makes text from content safe to print on a terminal: control characters (ESC, BEL, CR,
/// newlines, NUL, C1 controls) and bidirectional overrides become visible `\u{1b}` escapes,
/// so a title like `ESC ]0;…` cannot retitle the terminal or clear it (`ESC [2J`), and a
/// diagnostic stays one line. Everything else, including non-ASCII letters, is kept.
pub fn escape_terminal(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Messages of an error and its sources, outermost first (template errors and link-check
/// network errors keep the useful part in an inner source).
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push(s.to_string());
        cur = s.source();
    }
    out
}

/// At most this many diagnostics are printed; the rest are counted.
pub const MAX_REPORTED: usize = 200;

/// A collection of diagnostics from one run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Adds many.
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    /// Whether any error (not warning) was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// All diagnostics in a stable order: by file, line, column, then code. Parallel stages
    /// push in any order; sorting keeps the report deterministic.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| (&a.loc, a.severity, a.code, &a.message).cmp(&(&b.loc, b.severity, b.code, &b.message)));
        v.dedup_by(|a, b| a == b);
        v
    }

    /// The raw list, in push order.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Renders the report as printed on stderr: errors and warnings (capped at
    /// [`MAX_REPORTED`]) and a summary line, in the plain machine-parseable format.
    pub fn render(&self) -> String {
        self.render_styled(Style::default(), &|_| None)
    }

    /// [`Diagnostics::render`] with colours and/or source snippets (see [`Diagnostic::render`]).
    pub fn render_styled(&self, style: Style, source: &dyn Fn(&str) -> Option<String>) -> String {
        let mut out = String::new();
        let sorted = self.sorted();
        for d in sorted.iter().take(MAX_REPORTED) {
            let _ = writeln!(out, "{}", d.render(style, source));
        }
        if sorted.len() > MAX_REPORTED {
            let _ = writeln!(out, "… and {} more not shown", sorted.len() - MAX_REPORTED);
        }
        let (e, w) = (self.error_count(), self.warning_count());
        if e > 0 {
            let _ = writeln!(out, "{e} error{}, {w} warning{}", plural(e), plural(w));
        }
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The closest candidate to `wrong`, if it is close enough to be a likely typo: a small edit
/// distance (one edit per three characters) or a high Jaro-Winkler similarity.
pub fn did_you_mean<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = wrong.to_lowercase();
    let max_edits = (w.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != wrong)
        .map(|c| {
            let cl = c.to_lowercase();
            (strsim::levenshtein(&w, &cl), strsim::jaro_winkler(&w, &cl), c)
        })
        .filter(|(edits, jw, _)| *edits <= max_edits || *jw > 0.85)
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(b.2)))
        .map(|(_, _, c)| c)
}

/// A `did you mean` help line, if a close candidate exists.
pub fn suggestion<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(wrong, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Converts a byte offset in `text` into a 1-based (line, column), column in characters.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (to_u32(line), to_u32(col))
}

/// Saturating conversion for line/column numbers.
pub fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Exit codes of the `normbok` command (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success; warnings allowed.
    Success = 0,
    /// Content or configuration invalid, or the build failed.
    Invalid = 1,
    /// Usage error.
    Usage = 2,
    /// `check --external` found broken or unverifiable links.
    Links = 3,
    /// Another build holds the output lock.
    Locked = 4,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let t = "ab\nblåbær x";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        let x = t.find('x').unwrap_or(0);
        assert_eq!(line_col(t, x), (2, 8));
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("leverandør", ["kommune", "leverandor"]), Some("leverandor"));
        assert_eq!(did_you_mean("xyz", ["kommune", "leverandor"]), None);
    }

    #[test]
    fn terminal_escapes_are_shown_not_sent() {
        let d =
            Diagnostic::error("E-X", Loc::new("a\u{1b}[2J.md", 1, 1), "title `\u{1b}]0;hacked\u{7}` and\nmore").help("see \u{9b}31m and \u{202e}txt");
        let s = d.to_string();
        assert_eq!(s, "a\\u{1b}[2J.md:1:1: error[E-X]: title `\\u{1b}]0;hacked\\u{7}` and\\u{a}more\n  help: see \\u{9b}31m and \\u{202e}txt");
        assert!(!s.contains('\u{1b}'));
        assert_eq!(escape_terminal("blåbær §"), "blåbær §");
    }

    #[test]
    fn report_is_sorted_and_capped() {
        let mut d = Diagnostics::new();
        for i in (0..250).rev() {
            d.push(Diagnostic::error("E-X", Loc::new("a.yaml", i + 1, 1), "m"));
        }
        let r = d.render();
        assert!(r.starts_with("a.yaml:1:1: error[E-X]: m\n"));
        assert!(r.contains("… and 50 more not shown"));
    }
}
