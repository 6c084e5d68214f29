//! Stage 2 (model): how names become URL segments and heading anchors.
//!
//! URL segments are ASCII so they survive every host and file system: NFC, lowercase,
//! Norwegian letters transliterated (æ→ae, ø→o, å→a), other accents dropped, `§` spelled
//! `paragraf`, anything else a `-`. That is why `Får` and `Far` collide, and the validator
//! reports it. Heading anchors follow GitHub's rule instead (letters kept), since readers
//! see them in the address bar and editors type them in links.

use unicode_normalization::UnicodeNormalization;

/// Slug of one path segment or name, ASCII `[a-z0-9-]`. Never empty (`-` for empty input).
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    let push = |out: &mut String, dash: &mut bool, piece: &str| {
        if *dash && !out.is_empty() {
            out.push('-');
        }
        *dash = false;
        out.push_str(piece);
    };
    for c in s.nfc().flat_map(char::to_lowercase) {
        let mapped: Option<String> = match c {
            'a'..='z' | '0'..='9' => Some(c.to_string()),
            'æ' => Some("ae".into()),
            'ø' => Some("o".into()),
            'å' => Some("a".into()),
            'ß' => Some("ss".into()),
            'đ' | 'ð' => Some("d".into()),
            'ł' => Some("l".into()),
            'þ' => Some("th".into()),
            '§' => {
                dash = true;
                push(&mut out, &mut dash, "paragraf");
                dash = true;
                continue;
            }
            _ => {
                let base: String = c.to_string().nfd().filter(char::is_ascii_alphanumeric).collect();
                if base.is_empty() { None } else { Some(base.to_ascii_lowercase()) }
            }
        };
        match mapped {
            Some(m) => push(&mut out, &mut dash, &m),
            None => dash = true,
        }
    }
    if out.is_empty() { "-".to_string() } else { out }
}

/// Anchor of a heading: lowercase, letters and digits kept (also æøå), spaces become `-`,
/// other punctuation dropped. Unique suffixes are added by [`Anchors`].
pub fn anchor(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else if c.is_whitespace() {
            out.push('-');
        }
    }
    if out.is_empty() { "section".to_string() } else { out }
}

/// Hands out unique anchors within one page (`x`, `x-1`, `x-2`).
#[derive(Debug, Default)]
pub struct Anchors {
    used: std::collections::HashSet<String>,
    /// Per wanted anchor, the next suffix to try, so that n equal headings cost O(n) and not
    /// O(n²) (20,000 `## Samme` took 29 s when every heading counted up from 1).
    next: std::collections::HashMap<String, usize>,
}

impl Anchors {
    /// Reserves `wanted`, or the first free suffixed form.
    pub fn unique(&mut self, wanted: String) -> String {
        if self.used.insert(wanted.clone()) {
            return wanted;
        }
        let n = self.next.entry(wanted.clone()).or_insert(1);
        loop {
            let candidate = format!("{wanted}-{n}");
            *n += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Får"), "far");
        assert_eq!(slug("Far"), "far");
        assert_eq!(slug("Fa\u{030A}r"), "far");
        assert_eq!(slug("Roller og ansvar"), "roller-og-ansvar");
        assert_eq!(slug("Blåbærsyltetøy"), "blabaersyltetoy");
        assert_eq!(slug("§ 3-1 Krav"), "paragraf-3-1-krav");
        assert_eq!(slug("  --x__y  "), "x-y");
        assert_eq!(slug("Café"), "cafe");
        assert_eq!(slug("!!!"), "-");
    }

    #[test]
    fn anchors() {
        assert_eq!(anchor("4.1 Krav til leverandøren"), "41-krav-til-leverandøren");
        assert_eq!(anchor("Roller og ansvar"), "roller-og-ansvar");
        let mut a = Anchors::default();
        assert_eq!(a.unique("x".into()), "x");
        assert_eq!(a.unique("x".into()), "x-1");
        // A heading that already took a suffixed name is skipped, not reused.
        assert_eq!(a.unique("x-2".into()), "x-2");
        assert_eq!(a.unique("x".into()), "x-3");
    }

    #[test]
    fn many_equal_headings_get_every_suffix_once() {
        let mut a = Anchors::default();
        let got: Vec<String> = (0..20_000).map(|_| a.unique("samme".into())).collect();
        assert_eq!(got[0], "samme");
        assert_eq!(got[1], "samme-1");
        assert_eq!(got[19_999], "samme-19999");
        let distinct: std::collections::HashSet<&String> = got.iter().collect();
        assert_eq!(distinct.len(), 20_000);
    }
}
