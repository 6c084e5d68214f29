//! Stage 1 (load): splitting a Markdown page into YAML front matter and body.
//!
//! Returns line offsets so every later diagnostic names the absolute line in the file,
//! front matter included (the failure Zola had in #1133).

use crate::diag::{Diagnostic, Loc};

/// A page split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences (without them).
    pub yaml: &'a str,
    /// 1-based file line where `yaml` starts.
    pub yaml_line: u32,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// 1-based file line where `body` starts.
    pub body_line: u32,
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

/// Splits `text` (already normalized to `\n` line endings). A page must start with a `---`
/// line; the front matter ends at the next `---` line.
pub fn split<'a>(rel: &str, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if !is_fence(&text[..first_end]) {
        return Err(Diagnostic::error("E-FM-MISSING", Loc::file(rel), "page has no front matter")
            .help("start the file with a `---` line, then `title: …`, then another `---` line"));
    }
    let mut pos = (first_end + 1).min(text.len());
    let yaml_start = pos;
    let mut line_no: u32 = 2;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if is_fence(&text[pos..end]) {
            let body_start = (end + 1).min(text.len());
            return Ok(Split { yaml: &text[yaml_start..pos], yaml_line: 2, body: &text[body_start..], body_line: line_no + 1 });
        }
        pos = end + 1;
        line_no += 1;
    }
    Err(Diagnostic::error("E-FM-UNCLOSED", Loc::file(rel), "front matter starting here is not closed").help("did you forget the closing `---` line?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_lines() {
        let s = split("p.md", "---  \ntitle: A\n---\n\n# H\n");
        assert_eq!(s, Ok(Split { yaml: "title: A\n", yaml_line: 2, body: "\n# H\n", body_line: 4 }));
    }

    #[test]
    fn unclosed_and_missing() {
        assert_eq!(split("p.md", "---\ntitle: A\n").map_err(|d| d.code), Err("E-FM-UNCLOSED"));
        assert_eq!(split("p.md", "# Hi\n").map_err(|d| d.code), Err("E-FM-MISSING"));
    }
}
