//! Preview server, request side: answers HTTP requests from the in-memory site.
//!
//! Nothing here touches the file system: a URL path is decoded once into a key of the built
//! site's file map, so a request can never name a file outside the build. The checks still
//! reject every traversal spelling (`..`, `%2e%2e`, `%2f`, `%5c`, NUL, `:`) with 400, so a
//! future change to disk serving would not silently open a hole. Requests must use GET or
//! HEAD and name a loopback `Host` (DNS-rebinding defence) unless the server was bound to
//! another address on purpose.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::sync::broadcast;

use super::Shared;

/// Where live-reload clients subscribe (SPEC §9).
pub const EVENTS_PATH: &str = "/__normbok/events";
/// The injected live-reload script.
pub const SCRIPT_PATH: &str = "/__normbok/live.js";

/// The live-reload client: reloads on a `reload` event and restores the scroll position of
/// the same path after the reload (kept in sessionStorage, so per tab).
const LIVE_JS: &str = r#"(function () {
  "use strict";
  var key = "normbok-scroll:" + location.pathname + location.search;
  var saved = null;
  try { saved = sessionStorage.getItem(key); sessionStorage.removeItem(key); } catch (e) {}
  if (saved !== null) {
    var y = parseInt(saved, 10);
    var restore = function () { if (!isNaN(y)) { window.scrollTo(0, y); } };
    if (document.readyState === "complete") { restore(); } else { window.addEventListener("load", restore); }
  }
  if (!window.EventSource) { return; }
  var es = new EventSource("/__normbok/events");
  es.addEventListener("reload", function () {
    try { sessionStorage.setItem(key, String(window.scrollY)); } catch (e) {}
    es.close();
    location.reload();
  });
})();
"#;

/// Who may talk to the server, judged by the `Host` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostPolicy {
    /// Only `localhost`, `127.0.0.1` and `[::1]` with this port.
    Loopback(u16),
    /// Any host (the user bound a non-loopback address and was warned).
    Any,
}

impl HostPolicy {
    /// Whether a request with this `Host` header value is allowed.
    pub fn allows(self, host: Option<&str>) -> bool {
        let HostPolicy::Loopback(port) = self else { return true };
        let Some(host) = host else { return false };
        let (name, rest) = if let Some(inner) = host.strip_prefix('[') {
            match inner.split_once(']') {
                Some((addr, rest)) => (format!("[{addr}]"), rest),
                None => return false,
            }
        } else {
            match host.find(':') {
                Some(i) => (host[..i].to_string(), &host[i..]),
                None => (host.to_string(), ""),
            }
        };
        // `localhost` or a loopback address literal (`--bind 127.0.0.2`, `[::1]`): a DNS
        // rebinding attack needs a host *name*, so literals are safe.
        let name = name.to_ascii_lowercase();
        let literal = name.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().ok();
        let bracketed = name.starts_with('[');
        let loopback = match literal {
            Some(std::net::IpAddr::V4(ip)) => !bracketed && ip.is_loopback(),
            Some(std::net::IpAddr::V6(ip)) => bracketed && ip.is_loopback(),
            None => name == "localhost",
        };
        if !loopback {
            return false;
        }
        match rest.strip_prefix(':') {
            Some(p) => p.parse::<u16>().ok() == Some(port),
            // Browsers leave out only the default port.
            None => rest.is_empty() && port == 80,
        }
    }
}

/// Why a URL path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// Malformed or dangerous (traversal, separators, NUL, bad escapes): 400.
    Bad,
}

/// Maps a raw (still percent-encoded) URL path to a key of the site's file map. Each segment
/// is decoded exactly once and must not be `.`/`..` or contain `/`, `\`, `:` or NUL; a
/// trailing `/` means the folder's `index.html`.
pub fn resolve(raw: &str) -> Result<String, PathError> {
    let Some(rest) = raw.strip_prefix('/') else { return Err(PathError::Bad) };
    let mut segs: Vec<String> = Vec::new();
    let parts: Vec<&str> = rest.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if part.is_empty() {
            // Only the final segment may be empty (`/dir/`); `a//b` is refused.
            if last {
                segs.push("index.html".into());
                break;
            }
            return Err(PathError::Bad);
        }
        let seg = percent_decode(part)?;
        if seg == "." || seg == ".." || seg.contains(['/', '\\', ':', '\0']) {
            return Err(PathError::Bad);
        }
        segs.push(seg);
    }
    Ok(segs.join("/"))
}

fn percent_decode(s: &str) -> Result<String, PathError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            match (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => out.push(u8::try_from(h * 16 + l).map_err(|_| PathError::Bad)?),
                _ => return Err(PathError::Bad),
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PathError::Bad)
}

/// MIME type by extension (the built site only has a handful of kinds).
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The error overlay: the diagnostics of the failed build, escaped, above the last good page
/// (or above an empty page when no build has succeeded yet: `has_good_build` is false).
///
/// The overlay lives in a declarative shadow root, so no theme rule can reach inside it, and
/// every colour and font it uses is set explicitly (nothing is inherited from the page): light
/// text `#f5f5f5` on `#1e1e1e` (contrast 15.6) and the heading `#ffb4ab` (10.0), both far
/// above WCAG AA's 4.5. Browsers without declarative shadow DOM show the same markup inline,
/// where the `all: initial` reset and the inline colours keep it readable.
pub fn overlay(report: &str, has_good_build: bool) -> String {
    let status = if has_good_build {
        "normbok: the last change does not build. Showing the last good build; fix the file to reload."
    } else {
        "normbok: the site does not build yet, so there is nothing to show. Fix the file to reload."
    };
    const BOX: &str = "all:initial;display:block;position:fixed;inset:0;z-index:2147483647;overflow:auto;box-sizing:border-box;\
        background:#1e1e1e;color:#f5f5f5;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2rem;text-align:left";
    const HEAD: &str = "all:initial;display:block;background:#1e1e1e;color:#ffb4ab;font:bold 18px/1.4 system-ui,sans-serif;margin:0 0 1rem";
    const PRE: &str = "all:initial;display:block;background:#1e1e1e;color:#f5f5f5;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;margin:0";
    format!(
        concat!(
            "<div id=\"normbok-overlay\" style=\"all:initial\"><template shadowrootmode=\"open\">",
            "<div role=\"alert\" lang=\"en\" style=\"{box_}\"><p style=\"{head}\">{status}</p>",
            "<pre style=\"{pre}\">{report}</pre></div></template></div>"
        ),
        box_ = BOX,
        head = HEAD,
        pre = PRE,
        status = status,
        report = escape_html(report)
    )
}

/// Adds the live-reload script (and the overlay, if any) before `</body>`. Only served HTML
/// gets this; `normbok build` output never does.
pub fn inject(html: &[u8], overlay: Option<&str>) -> Vec<u8> {
    let mut snippet = String::new();
    if let Some(o) = overlay {
        snippet.push_str(o);
    }
    snippet.push_str("<script src=\"");
    snippet.push_str(SCRIPT_PATH);
    snippet.push_str("\"></script>");
    let pos = find_last_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..pos]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[pos..]);
    out
}

fn find_last_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=hay.len().checked_sub(needle.len())?).rev().find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

fn plain(status: StatusCode, msg: &'static str) -> Response {
    let mut r = (status, msg).into_response();
    common_headers(&mut r, "text/plain; charset=utf-8");
    r
}

fn common_headers(r: &mut Response, ctype: &'static str) {
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    // The preview is always fresh: no caching, no content sniffing.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}

/// The one handler: host and method checks, then the event stream, the script or a file.
pub(super) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    if !shared.policy.allows(host) {
        return plain(StatusCode::FORBIDDEN, "forbidden: the preview server only answers requests for localhost\n");
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed: the preview server only answers GET and HEAD\n");
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let raw = req.uri().path();
    if raw == EVENTS_PATH {
        return events(&shared.events);
    }
    if raw == SCRIPT_PATH {
        let mut r = Response::new(Body::from(LIVE_JS));
        common_headers(&mut r, "text/javascript; charset=utf-8");
        return r;
    }
    let Ok(key) = resolve(raw) else {
        return plain(StatusCode::BAD_REQUEST, "bad request: the path is malformed or leaves the site\n");
    };
    let snap = shared.snapshot();
    let good = !snap.files.is_empty();
    let overlay_html = snap.errors.as_deref().map(|r| overlay(r, good));
    if let Some(bytes) = snap.files.get(&key) {
        return file_response(StatusCode::OK, &key, bytes, overlay_html.as_deref());
    }
    // `/dir` → `/dir/` so that the page's relative links resolve inside the folder.
    if snap.files.contains_key(&format!("{key}/index.html")) {
        let mut r = StatusCode::PERMANENT_REDIRECT.into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("{raw}/")) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    match snap.files.get("404.html") {
        Some(b) => file_response(StatusCode::NOT_FOUND, "404.html", b, overlay_html.as_deref()),
        None if overlay_html.is_some() => {
            let page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>normbok</title></head><body></body></html>";
            file_response(StatusCode::NOT_FOUND, "404.html", &Bytes::from(page), overlay_html.as_deref())
        }
        None => plain(StatusCode::NOT_FOUND, "not found\n"),
    }
}

fn file_response(status: StatusCode, key: &str, bytes: &Bytes, overlay: Option<&str>) -> Response {
    let ctype = content_type(key);
    let body = if ctype.starts_with("text/html") { Body::from(inject(bytes, overlay)) } else { Body::from(bytes.clone()) };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    common_headers(&mut r, ctype);
    r
}

/// `text/event-stream`: a `hello` event once subscribed (so clients know edits from now on
/// will be announced), then one `reload` event per completed build.
fn events(tx: &broadcast::Sender<u64>) -> Response {
    let rx = tx.subscribe();
    let hello = futures::stream::once(async { Ok::<Event, Infallible>(Event::default().event("hello").data("connected")) });
    let reloads = futures::stream::unfold(rx, |mut rx| async move {
        let data = match rx.recv().await {
            Ok(generation) => generation.to_string(),
            // A slow client missed builds: one reload covers them all.
            Err(broadcast::error::RecvError::Lagged(_)) => "lagged".to_string(),
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(Event::default().event("reload").data(data)), rx))
    });
    let mut r = Sse::new(hello.chain(reloads)).keep_alive(KeepAlive::default()).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_keys() {
        assert_eq!(resolve("/"), Ok("index.html".into()));
        assert_eq!(resolve("/1/requirements/RISK-01.html"), Ok("1/requirements/RISK-01.html".into()));
        assert_eq!(resolve("/1/"), Ok("1/index.html".into()));
        assert_eq!(resolve("/1/F%C3%A5r.html"), Ok("1/Får.html".into()));
    }

    #[test]
    fn traversal_in_every_spelling_is_refused() {
        for p in [
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E/x",
            "/..%2f..%2fetc%2fpasswd",
            "/..%5c..%5cwindows",
            "/C:%5cWindows",
            "/a%00.html",
            "/./index.html",
            "/a//b",
            "relative",
            "/%zz",
            "/%c3",
        ] {
            assert_eq!(resolve(p), Err(PathError::Bad), "{p}");
        }
    }

    #[test]
    fn host_policy() {
        let p = HostPolicy::Loopback(1111);
        for ok in ["localhost:1111", "127.0.0.1:1111", "[::1]:1111", "LOCALHOST:1111", "127.0.0.2:1111"] {
            assert!(p.allows(Some(ok)), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "localhost:2222",
            "localhost",
            "127.0.0.1.evil.example:1111",
            "[::1]",
            "[::2]:1111",
            "10.0.0.1:1111",
            "[127.0.0.1]:1111",
        ] {
            assert!(!p.allows(Some(bad)), "{bad}");
        }
        assert!(!p.allows(None));
        assert!(HostPolicy::Any.allows(Some("evil.example")));
    }

    #[test]
    fn overlay_never_claims_a_good_build_that_does_not_exist() {
        let with = overlay("x.yaml:1:1: error[E-YAML]: bad", true);
        let without = overlay("x.yaml:1:1: error[E-YAML]: bad", false);
        assert!(with.contains("Showing the last good build"));
        assert!(!without.contains("last good build"), "{without}");
        assert!(without.contains("does not build yet"));
        for o in [&with, &without] {
            assert!(o.contains("<template shadowrootmode=\"open\">"), "own shadow root: theme rules cannot reach it");
            assert!(o.contains("background:#1e1e1e;color:#f5f5f5"), "fully specified colours");
        }
    }

    #[test]
    fn injection_goes_before_body_end_and_escapes_the_overlay() {
        let out = inject(b"<html><body><p>x</p></BODY></html>", Some(&overlay("a <img src=x onerror=alert(1)>.yaml", true)));
        let s = String::from_utf8(out).unwrap_or_default();
        assert!(s.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!s.contains("<img"));
        assert!(s.ends_with("<script src=\"/__normbok/live.js\"></script></BODY></html>"));
    }
}
