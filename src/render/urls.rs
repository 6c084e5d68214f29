//! Stage 4 (render): relative URLs between output files.
//!
//! Every internal link is computed from the linking file to the target file, so the site
//! works on any host, under any sub-path and opened from disk; links never end in `/`.

/// Relative URL from output file `from` to output file `to` (both site-relative, `/`).
///
/// Called for every link of every page (tens per page), so it works on the borrowed
/// segments and writes into one buffer instead of collecting vectors and strings.
pub fn rel(from: &str, to: &str) -> String {
    let from_dir = from.rfind('/').map_or("", |i| &from[..i]);
    let (to_dir, to_file) = to.rfind('/').map_or(("", to), |i| (&to[..i], &to[i + 1..]));
    let mut fs = from_dir.split('/').filter(|_| !from_dir.is_empty()).peekable();
    let mut ts = to_dir.split('/').filter(|_| !to_dir.is_empty()).peekable();
    while let (Some(a), Some(b)) = (fs.peek(), ts.peek()) {
        if a != b {
            break;
        }
        fs.next();
        ts.next();
    }
    let mut out = String::with_capacity(to.len() + 12);
    for _ in fs {
        out.push_str("../");
    }
    for seg in ts {
        encode_into(&mut out, seg);
        out.push('/');
    }
    encode_into(&mut out, to_file);
    out
}

/// Prefix from output file `from` to the site root (`""`, `"../"`, …).
pub fn root_prefix(from: &str) -> String {
    "../".repeat(from.matches('/').count())
}

/// Percent-encodes one path segment (everything but unreserved characters).
pub fn encode(seg: &str) -> String {
    let mut out = String::with_capacity(seg.len());
    encode_into(&mut out, seg);
    out
}

fn encode_into(out: &mut String, seg: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in seg.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
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
        assert_eq!(rel("2025.2/a/b.html", "2025.2/a/c.html"), "c.html");
        assert_eq!(rel("a/b.html", "c.html"), "../c.html");
        assert_eq!(rel("x.html", "å/ø.html"), "%C3%A5/%C3%B8.html");
        assert_eq!(root_prefix("2025.2/a/b.html"), "../../");
        assert_eq!(root_prefix("index.html"), "");
    }
}
