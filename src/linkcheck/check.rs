//! Link checking, step 4: the requests, made politely with lychee-lib.
//!
//! lychee's host pool gives every host its own concurrency limit (a semaphore), optional
//! request interval, backoff that honours `Retry-After` (so a 429 or 503 delays only that
//! host), and an in-run cache. normbok adds bounded retries of timeouts, 408, 429 and 5xx with
//! exponential backoff (`check_one`), the overall limit (at most `max_concurrency` requests
//! in flight), and screens URLs before lychee sees them: `exclude` patterns, `mailto:` (never contacted) and
//! private or loopback hosts (unless `include_private`). Everything lychee reports is turned
//! into a checker-independent [`Answer`] for the verdict rules.

use std::net::IpAddr;
use std::time::Duration;

use futures::StreamExt;
use lychee_lib::{ClientBuilder, ErrorKind, Status, Uri, ratelimit::RateLimitConfig};
use regex::Regex;

use super::verdict::Answer;
use crate::config::LinksConfig;

/// How the checker behaves, from `[links]`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// URLs matching any of these are not requested.
    pub exclude: Vec<Regex>,
    /// Requests in flight per host.
    pub per_host_concurrency: usize,
    /// Requests in flight overall.
    pub max_concurrency: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries of retryable failures.
    pub max_retries: u64,
    /// First retry wait (doubles each time).
    pub retry_wait: Duration,
    /// Minimum gap between requests to one host.
    pub request_interval: Duration,
    /// Whether private and loopback addresses are requested.
    pub include_private: bool,
    /// Longest server-requested wait (`Retry-After`) before a retry.
    pub max_retry_after: Duration,
}

impl Settings {
    /// Settings from the configuration. Errors name the offending key.
    pub fn from_config(c: &LinksConfig) -> Result<Settings, String> {
        let mut exclude = Vec::new();
        for p in &c.exclude {
            exclude.push(Regex::new(p).map_err(|e| format!("[links] exclude: invalid pattern `{p}`: {e}"))?);
        }
        if c.per_host_concurrency == 0 || c.max_concurrency == 0 {
            return Err("[links] per_host_concurrency and max_concurrency must be at least 1".into());
        }
        if c.timeout_secs == 0 {
            return Err("[links] timeout_secs must be at least 1".into());
        }
        if c.max_retry_after_secs == 0 {
            return Err("[links] max_retry_after_secs must be at least 1".into());
        }
        Ok(Settings {
            exclude,
            per_host_concurrency: c.per_host_concurrency,
            max_concurrency: c.max_concurrency,
            timeout: Duration::from_secs(c.timeout_secs),
            max_retries: c.max_retries,
            retry_wait: Duration::from_millis(c.retry_wait_ms),
            request_interval: Duration::from_millis(c.request_interval_ms),
            include_private: c.include_private,
            max_retry_after: Duration::from_secs(c.max_retry_after_secs),
        })
    }
}

/// Whether an address is loopback, private, link-local, unspecified or broadcast, including
/// IPv4 addresses written as IPv6 (`::ffff:127.0.0.1`), which reach the same hosts.
pub fn is_private_ip(ip: IpAddr) -> bool {
    if test_public_ip(ip) {
        return false;
    }
    match ip {
        IpAddr::V4(a) => a.is_loopback() || a.is_private() || a.is_link_local() || a.is_unspecified() || a.is_broadcast(),
        IpAddr::V6(a) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return is_private_ip(IpAddr::V4(v4));
            }
            let first = a.segments()[0];
            a.is_loopback() || a.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Test hook (debug builds only): addresses listed in `NORMBOK_TEST_PUBLIC_IPS` count as
/// public, so a test server on loopback can play a partner site that redirects elsewhere.
fn test_public_ip(ip: IpAddr) -> bool {
    cfg!(debug_assertions)
        && std::env::var("NORMBOK_TEST_PUBLIC_IPS").is_ok_and(|v| v.split(',').any(|a| a.trim().parse::<IpAddr>().ok() == Some(ip)))
}

/// Test hook (debug builds only): `NORMBOK_TEST_DNS="name=ip,…"` answers name lookups of the
/// screening step, so a host name that resolves to loopback needs no DNS server.
fn test_dns(host: &str) -> Option<Vec<IpAddr>> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let v = std::env::var("NORMBOK_TEST_DNS").ok()?;
    let ips: Vec<IpAddr> = v
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(n, _)| n.trim().eq_ignore_ascii_case(host))
        .filter_map(|(_, ip)| ip.trim().parse().ok())
        .collect();
    (!ips.is_empty()).then_some(ips)
}

const PRIVATE: &str = "private or loopback address (set [links] include_private = true to check it)";

/// Whether a URL's host is private: a private address literal, a `localhost` name, or a name
/// that resolves to any private address. A name that does not resolve is left to the request
/// (which reports it).
async fn resolves_private(url: &str) -> bool {
    let Ok(u) = Uri::try_from(url) else { return false };
    if let Some(ip) = u.host_ip() {
        return is_private_ip(ip);
    }
    let Some(name) = u.domain().map(|d| d.trim_end_matches('.').to_ascii_lowercase()) else { return false };
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    if let Some(ips) = test_dns(&name) {
        return ips.into_iter().any(is_private_ip);
    }
    // Only the addresses matter; the port is needed by the API.
    match tokio::net::lookup_host((name.as_str(), 80)).await {
        Ok(mut addrs) => addrs.any(|a| is_private_ip(a.ip())),
        Err(_) => false,
    }
}

/// The answer for a URL that must not be requested, or `None` when it may be.
pub fn screen(url: &str, s: &Settings) -> Option<Answer> {
    if let Some(r) = s.exclude.iter().find(|r| r.is_match(url)) {
        return Some(Answer::Excluded(format!("matches [links] exclude pattern `{}`", r.as_str())));
    }
    if url.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("mailto:")) {
        return Some(Answer::Excluded("mail addresses are never contacted".into()));
    }
    let uri = match Uri::try_from(url) {
        Ok(u) => u,
        Err(e) => return Some(Answer::Invalid(e.to_string())),
    };
    if !s.include_private {
        let local_name = uri.domain().is_some_and(|d| {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        });
        if local_name || uri.host_ip().is_some_and(is_private_ip) {
            return Some(Answer::Excluded("private or loopback address (set [links] include_private = true to check it)".into()));
        }
    }
    None
}

/// The host of a URL (for counting hosts in messages).
pub fn host_of(url: &str) -> Option<String> {
    let u = Uri::try_from(url).ok()?;
    u.domain().map(str::to_ascii_lowercase).or_else(|| u.host_ip().map(|i| i.to_string()))
}

/// Requests every URL (already screened) and returns one answer per URL, in order. `done` is
/// called after each URL (for the progress bar).
pub fn check_all(urls: &[String], s: &Settings, done: &(dyn Fn() + Sync)) -> Vec<Answer> {
    if urls.is_empty() {
        return Vec::new();
    }
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return urls.iter().map(|_| Answer::Other(format!("cannot start the network runtime: {e}"))).collect(),
    };
    rt.block_on(check_all_async(urls, s, done))
}

async fn check_all_async(urls: &[String], s: &Settings, done: &(dyn Fn() + Sync)) -> Vec<Answer> {
    let client = ClientBuilder::builder()
        .max_retries(0u64)
        .timeout(Some(s.timeout))
        .rate_limit_config(RateLimitConfig { concurrency: s.per_host_concurrency, request_interval: s.request_interval })
        .user_agent(concat!("normbok/", env!("CARGO_PKG_VERSION"), " (link checker; lychee-lib)").to_string())
        .include_mail(false)
        .build()
        .client();
    let client = match client {
        Ok(c) => c,
        Err(e) => return urls.iter().map(|_| Answer::Other(format!("cannot create the HTTP client: {e}"))).collect(),
    };
    let gate = Gate::default();
    let mut answers: Vec<Option<Answer>> = vec![None; urls.len()];
    let mut stream = futures::stream::iter(urls.iter().enumerate())
        .map(|(i, url)| {
            let client = &client;
            let gate = &gate;
            async move { (i, check_one(client, url, s, gate).await) }
        })
        .buffer_unordered(s.max_concurrency);
    while let Some((i, a)) = stream.next().await {
        answers[i] = Some(a);
        done();
    }
    answers.into_iter().map(|a| a.unwrap_or_else(|| Answer::Other("not checked".into()))).collect()
}

/// Hosts that asked the checker to wait longer than `max_retry_after_secs`. Their links are
/// reported `unverified` at once, and requests to them still waiting are given up, so one
/// `Retry-After: 999999999` (or a date in 2100) can never stall the run.
#[derive(Default)]
struct Gate {
    blocked: std::sync::Mutex<std::collections::HashMap<String, u16>>,
    changed: tokio::sync::Notify,
}

impl Gate {
    fn status(&self, host: &str) -> Option<u16> {
        self.blocked.lock().map(|b| b.get(host).copied()).unwrap_or(None)
    }

    fn block(&self, host: &str, status: u16) {
        if let Ok(mut b) = self.blocked.lock() {
            b.entry(host.to_string()).or_insert(status);
        }
        self.changed.notify_waiters();
    }

    /// Resolves once `host` is blocked (with the status that blocked it).
    async fn until_blocked(&self, host: &str) -> u16 {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(st) = self.status(host) {
                return st;
            }
            notified.await;
        }
    }
}

fn waited_too_long(status: u16, s: &Settings) -> Answer {
    Answer::RateLimited(format!(
        "{status}: the server asked the checker to wait longer than [links] max_retry_after_secs ({} s); not retried",
        s.max_retry_after.as_secs()
    ))
}

/// Whether a failure may go away by itself: timeouts, 408, 429 and 5xx.
fn retryable(a: &Answer) -> bool {
    match a {
        Answer::Timeout => true,
        Answer::Http { status, .. } => matches!(status, 408 | 429 | 500..=599),
        _ => false,
    }
}

/// One URL with bounded retries and exponential backoff. lychee's own retry loop is off
/// (`max_retries(0)`): it retries only 429 among rejected statuses, not 503 or 408. The wait
/// here runs outside the host's concurrency slot; a `Retry-After` the host sent is applied by
/// lychee's host pool before the next request to that host, the retry of this URL included.
/// lychee-lib does not hand the header to its caller, so the cap is enforced by time: a retry
/// that does not start and finish within `max_retry_after` plus the request timeout means the
/// host asked for longer, and every link of that host is reported `unverified`.
///
/// Private addresses are screened on the resolved address before the first request, and every
/// redirect hop afterwards (lychee-lib follows redirects itself; a hop to a private address
/// makes the link `excluded` instead of reporting what that address answered).
async fn check_one(client: &lychee_lib::Client, url: &str, s: &Settings, gate: &Gate) -> Answer {
    if !s.include_private && resolves_private(url).await {
        return Answer::Excluded(PRIVATE.into());
    }
    let host = host_of(url).unwrap_or_default();
    let mut wait = s.retry_wait;
    let mut attempt = 0;
    // The status that made the last attempt retryable (named when the wait is given up).
    let mut last_status = 429;
    loop {
        if let Some(st) = gate.status(&host) {
            return waited_too_long(st, s);
        }
        let request = async {
            match client.check(url).await {
                Ok(resp) => answer_of(&resp, s).await,
                Err(e) => Answer::Invalid(e.to_string()),
            }
        };
        let deadline = if attempt == 0 { None } else { Some(s.max_retry_after + s.timeout) };
        let answer = tokio::select! {
            a = request => a,
            st = gate.until_blocked(&host) => return waited_too_long(st, s),
            () = sleep_or_never(deadline) => {
                gate.block(&host, last_status);
                return waited_too_long(last_status, s);
            }
        };
        if attempt >= s.max_retries || !retryable(&answer) {
            return answer;
        }
        if let Answer::Http { status, .. } = answer {
            last_status = status;
        }
        attempt += 1;
        tokio::time::sleep(wait).await;
        wait = wait.saturating_mul(2);
    }
}

async fn sleep_or_never(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// The final URL after redirects, if lychee followed any.
fn final_url(resp: &lychee_lib::Response) -> Option<String> {
    let r = resp.redirects()?;
    if r.count() == 0 {
        return None;
    }
    // `Redirects` keeps its list private; its serialized form has `redirects: [{url, code}]`.
    let v = serde_json::to_value(r).ok()?;
    v.get("redirects")?.as_array()?.last()?.get("url")?.as_str().map(str::to_string)
}

/// Every URL of the redirect chain, when lychee followed any.
fn redirect_hops(resp: &lychee_lib::Response) -> Vec<String> {
    let Some(r) = resp.redirects() else { return Vec::new() };
    let Ok(v) = serde_json::to_value(r) else { return Vec::new() };
    v.get("redirects")
        .and_then(|a| a.as_array())
        .map(|a| a.iter().filter_map(|h| h.get("url").and_then(|u| u.as_str()).map(str::to_string)).collect())
        .unwrap_or_default()
}

async fn answer_of(resp: &lychee_lib::Response, s: &Settings) -> Answer {
    if !s.include_private {
        for hop in redirect_hops(resp) {
            if resolves_private(&hop).await {
                return Answer::Excluded(format!("redirects to {hop}, a {PRIVATE}"));
            }
        }
    }
    let status = resp.status();
    match status {
        Status::Timeout(_) => Answer::Timeout,
        Status::Excluded => Answer::Excluded("lychee never requests this address (example or reserved domain)".into()),
        Status::Error(ErrorKind::NetworkRequest(e)) if e.status().is_none() => {
            if e.is_timeout() {
                return Answer::Timeout;
            }
            let chain = crate::diag::error_chain(e);
            let innermost = chain.last().cloned().unwrap_or_else(|| e.to_string());
            if chain.iter().any(|m| m.contains("dns error") || m.contains("failed to lookup address")) {
                Answer::Dns(innermost)
            } else {
                Answer::Network(innermost)
            }
        }
        other => match other.code() {
            Some(code) => Answer::Http { status: code.as_u16(), final_url: final_url(resp) },
            None => Answer::Other(other.details()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(include_private: bool) -> Settings {
        let mut c = LinksConfig { exclude: vec!["^https://intranett\\.".into()], ..LinksConfig::default() };
        c.include_private = include_private;
        match Settings::from_config(&c) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn screening() {
        let s = settings(false);
        let excluded = |u: &str| matches!(screen(u, &s), Some(Answer::Excluded(_)));
        assert!(excluded("https://intranett.example.no/x"));
        assert!(excluded("mailto:post@normen.no"));
        assert!(excluded("MAILTO:post@normen.no"));
        assert!(excluded("http://10.0.0.1/"));
        assert!(excluded("http://127.0.0.1:8080/"));
        assert!(excluded("http://localhost/"));
        assert!(excluded("http://[::1]/"));
        assert!(excluded("http://[::ffff:127.0.0.1]/"));
        assert!(excluded("http://[::ffff:10.0.0.1]:8080/"));
        assert!(excluded("http://[::ffff:7f00:2]/"));
        assert!(excluded("http://localhost./"));
        assert!(excluded("http://192.168.1.1/"));
        assert_eq!(screen("https://www.normen.no/", &s), None);
        let open = settings(true);
        assert_eq!(screen("http://127.0.0.1:8080/", &open), None);
        assert!(matches!(screen("mailto:a@b.no", &open), Some(Answer::Excluded(_))));
    }

    #[test]
    fn bad_config() {
        let c = LinksConfig { exclude: vec!["(".into()], ..LinksConfig::default() };
        assert!(Settings::from_config(&c).is_err());
        let c = LinksConfig { per_host_concurrency: 0, ..LinksConfig::default() };
        assert!(Settings::from_config(&c).is_err());
    }
}
