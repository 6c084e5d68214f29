//! Stage 4 (render): relative URLs between output files.
//!
//! Every internal link is computed from the linking file to the target file, so the site
//! works on any host, under any sub-path and opened from disk; links never end in `/`.

/// Relative URL from output file `from` to output file `to` (both site-relative, `/`).
pub fn rel(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = match from.rfind('/') {
        Some(i) => from[..i].split('/').collect(),
        None => Vec::new(),
    };
    let to_parts: Vec<&str> = to.split('/').collect();
    let (to_dir, to_file) = to_parts.split_at(to_parts.len().saturating_sub(1));
    let common = from_dir.iter().zip(to_dir.iter()).take_while(|(a, b)| a == b).count();
    let mut out = String::new();
    for _ in common..from_dir.len() {
        out.push_str("../");
    }
    for seg in &to_dir[common..] {
        out.push_str(&encode(seg));
        out.push('/');
    }
    out.push_str(&encode(to_file.first().copied().unwrap_or("")));
    out
}

/// Prefix from output file `from` to the site root (`""`, `"../"`, …).
pub fn root_prefix(from: &str) -> String {
    "../".repeat(from.matches('/').count())
}

/// Percent-encodes one path segment (everything but unreserved characters).
pub fn encode(seg: &str) -> String {
    let mut out = String::with_capacity(seg.len());
    for b in seg.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative() {
        assert_eq!(rel("2025.2/requirements/A.html", "2025.2/chapters/c.html"), "../chapters/c.html");
        assert_eq!(rel("index.html", "2025.2/index.html"), "2025.2/index.html");
        assert_eq!(rel("2025.2/a/b.html", "static/style.css"), "../../static/style.css");
        assert_eq!(rel("2025.2/x.html", "2025.2/y z.pdf"), "y%20z.pdf");
        assert_eq!(root_prefix("2025.2/a/b.html"), "../../");
        assert_eq!(root_prefix("index.html"), "");
    }
}
