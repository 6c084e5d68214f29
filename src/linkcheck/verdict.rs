//! Link checking, step 3: what an HTTP answer (or the lack of one) means for a reader.
//!
//! Partner sites answer link checkers with bot walls (403), rate limits (429) and slow
//! responses far more often than with real breakage, and a false "broken" teaches editors to
//! ignore the report. So only proof of breakage is `broken` (404, 410, other client errors,
//! a host name that does not exist); everything that merely failed to confirm the link is
//! `unverified`. Kept free of lychee types so the rules are unit-tested on their own.

use serde::{Deserialize, Serialize};

/// The verdict on one URL (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The server answered with success.
    Ok,
    /// Success after one or more redirects; the final URL is reported.
    Redirected,
    /// Proven broken: 404, 410, another client error or an unknown host name.
    Broken,
    /// Could not be confirmed: 401/403 (bot walls), 429 after retries, 5xx, timeouts,
    /// connection problems, no network. Never reported as broken.
    Unverified,
    /// Not requested: `exclude` patterns, `mailto:`, private or loopback addresses.
    Excluded,
}

impl Verdict {
    /// All verdicts in report order (problems first).
    pub const ALL: [Verdict; 5] = [Verdict::Broken, Verdict::Unverified, Verdict::Redirected, Verdict::Ok, Verdict::Excluded];

    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Redirected => "redirected",
            Verdict::Broken => "broken",
            Verdict::Unverified => "unverified",
            Verdict::Excluded => "excluded",
        }
    }

    /// Whether this verdict makes `check --external` exit with code 3.
    pub fn is_problem(self) -> bool {
        matches!(self, Verdict::Broken | Verdict::Unverified)
    }
}

/// What happened when a URL was requested, in checker-independent terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The server sent a final HTTP status (after following redirects).
    Http {
        /// Status code.
        status: u16,
        /// The URL that answered, when redirects were followed.
        final_url: Option<String>,
    },
    /// No answer within the timeout (after retries).
    Timeout,
    /// The host name could not be resolved.
    Dns(String),
    /// Connection refused or reset, TLS failure and similar.
    Network(String),
    /// Not requested (the reason).
    Excluded(String),
    /// The URL cannot be requested at all (malformed).
    Invalid(String),
    /// The server rate-limited the checker and asked for a longer wait than allowed.
    RateLimited(String),
    /// Anything else the checker reported.
    Other(String),
}

impl Answer {
    /// Whether the server at the other end was reached (any HTTP status counts).
    pub fn reached_a_server(&self) -> bool {
        matches!(self, Answer::Http { .. } | Answer::RateLimited(_))
    }

    /// Whether this failure is what having no network at all looks like: no name resolution,
    /// no connection. (A timeout is not: a hanging server was reached.)
    pub fn is_network_failure(&self) -> bool {
        matches!(self, Answer::Dns(_) | Answer::Network(_))
    }
}

/// A verdict with what to report next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// The verdict.
    pub verdict: Verdict,
    /// Final HTTP status, when there was one.
    pub status: Option<u16>,
    /// Final URL after redirects.
    pub final_url: Option<String>,
    /// One line for humans.
    pub detail: String,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        410 => "Gone",
        429 => "Too Many Requests",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

fn status_text(status: u16) -> String {
    match reason(status) {
        "" => status.to_string(),
        r => format!("{status} {r}"),
    }
}

/// Judges one answer. `url` is the URL as requested; `offline` is true when no server at all
/// could be reached in this run, so network failures say nothing about the links.
pub fn judge(url: &str, answer: &Answer, offline: bool) -> Judged {
    let j = |verdict, status, final_url, detail: String| Judged { verdict, status, final_url, detail };
    match answer {
        Answer::Http { status, final_url } => {
            let s = *status;
            let text = status_text(s);
            let moved = final_url.as_deref().filter(|f| !same_url(f, url)).map(str::to_string);
            match s {
                200..=299 => match moved {
                    Some(f) => j(Verdict::Redirected, Some(s), Some(f.clone()), format!("{text} after redirect to {f}")),
                    None => j(Verdict::Ok, Some(s), None, text),
                },
                // Bot walls and log-ins: the page may well exist for a reader.
                401 | 403 | 406 | 451 | 999 => {
                    j(Verdict::Unverified, Some(s), moved, format!("{text}: the site refused the checker (bot protection or log-in); check by hand"))
                }
                408 | 429 => j(Verdict::Unverified, Some(s), moved, format!("{text}: still rate-limited or slow after retries")),
                404 | 410 => j(Verdict::Broken, Some(s), moved, text),
                400..=499 => j(Verdict::Broken, Some(s), moved, text),
                500..=599 => j(Verdict::Unverified, Some(s), moved, format!("{text}: server error after retries")),
                _ => j(Verdict::Unverified, Some(s), moved, format!("{text}: unexpected final status")),
            }
        }
        Answer::Timeout if offline => j(Verdict::Unverified, None, None, "no network: timed out".into()),
        Answer::Timeout => j(Verdict::Unverified, None, None, "timed out (after retries)".into()),
        Answer::Dns(e) if offline => j(Verdict::Unverified, None, None, format!("no network: {e}")),
        Answer::Dns(e) => j(Verdict::Broken, None, None, format!("host name not found: {e}")),
        Answer::Network(e) if offline => j(Verdict::Unverified, None, None, format!("no network: {e}")),
        Answer::Network(e) => j(Verdict::Unverified, None, None, format!("could not connect: {e}")),
        Answer::Excluded(why) => j(Verdict::Excluded, None, None, why.clone()),
        Answer::Invalid(e) => j(Verdict::Broken, None, None, format!("invalid URL: {e}")),
        Answer::RateLimited(e) => j(Verdict::Unverified, None, None, e.clone()),
        Answer::Other(e) => j(Verdict::Unverified, None, None, e.clone()),
    }
}

/// Equal up to a trailing slash on an empty path (`https://a.no` answers as `https://a.no/`)
/// and the fragment, which is never sent.
fn same_url(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let s = s.split('#').next().unwrap_or(s);
        s.strip_suffix('/').unwrap_or(s).to_string()
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> Answer {
        Answer::Http { status, final_url: None }
    }

    #[test]
    fn only_proof_is_broken() {
        let v = |a: &Answer| judge("https://a.no/x", a, false).verdict;
        assert_eq!(v(&http(200)), Verdict::Ok);
        assert_eq!(v(&http(404)), Verdict::Broken);
        assert_eq!(v(&http(410)), Verdict::Broken);
        assert_eq!(v(&http(403)), Verdict::Unverified);
        assert_eq!(v(&http(429)), Verdict::Unverified);
        assert_eq!(v(&http(503)), Verdict::Unverified);
        assert_eq!(v(&Answer::Timeout), Verdict::Unverified);
        assert_eq!(v(&Answer::Network("refused".into())), Verdict::Unverified);
        assert_eq!(v(&Answer::Dns("no such host".into())), Verdict::Broken);
    }

    #[test]
    fn offline_never_breaks() {
        assert_eq!(judge("https://a.no/", &Answer::Dns("x".into()), true).verdict, Verdict::Unverified);
        assert_eq!(judge("https://a.no/", &http(404), true).verdict, Verdict::Broken);
    }

    #[test]
    fn redirects_report_the_final_url() {
        let a = Answer::Http { status: 200, final_url: Some("https://a.no/ny".into()) };
        let j = judge("https://a.no/gammel", &a, false);
        assert_eq!((j.verdict, j.final_url.as_deref()), (Verdict::Redirected, Some("https://a.no/ny")));
        let same = Answer::Http { status: 200, final_url: Some("https://a.no/".into()) };
        assert_eq!(judge("https://a.no", &same, false).verdict, Verdict::Ok);
    }
}
