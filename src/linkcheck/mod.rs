//! `normbok check --external` (SPEC §8): after the content is validated, every external URL
//! of the site is checked and reported. Never part of `build`, which must not need a network.
//!
//! Steps: [`collect`] the URLs with their sources from the model → screen (exclude patterns,
//! `mailto:`, private hosts) and reuse fresh [`cache`] entries → [`check`] the rest with
//! lychee-lib → judge each answer ([`verdict`]) → save successes to the cache → report as text
//! (grouped by verdict) or JSON. Exit code 3 when anything is broken or unverified.
//!
//! When no server at all could be reached, the network is missing rather than the partner
//! sites: one `E-LINK-OFFLINE` diagnostic says so and every such link is `unverified`.

pub mod cache;
pub mod check;
pub mod collect;
pub mod verdict;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::Outcome;
use crate::diag::{Diagnostic, Exit, Loc};
use collect::Source;
use verdict::{Answer, Verdict};

/// Default cache location, relative to the site root.
pub const DEFAULT_CACHE: &str = ".normbok/link-cache.json";

/// Where results are cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheChoice {
    /// `<root>/.normbok/link-cache.json`.
    Default,
    /// `--cache FILE`.
    File(PathBuf),
    /// `--no-cache`: neither read nor written.
    Off,
}

/// Options of `normbok check --external`.
#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// Site root.
    pub root: PathBuf,
    /// Content warnings are errors.
    pub strict: bool,
    /// Result cache.
    pub cache: CacheChoice,
    /// Show a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
}

/// The result for one URL.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkResult {
    /// The URL as written.
    pub url: String,
    /// Verdict.
    pub verdict: Verdict,
    /// Final HTTP status, if any.
    pub status: Option<u16>,
    /// Final URL after redirects.
    pub final_url: Option<String>,
    /// Why, for humans.
    pub detail: String,
    /// Every place that uses the URL.
    pub sources: Vec<Source>,
    /// Taken from the cache (not requested in this run).
    #[serde(skip)]
    pub cached: bool,
}

impl LinkResult {
    fn new(link: &collect::Link, j: verdict::Judged, cached: bool) -> Self {
        LinkResult {
            url: link.url.clone(),
            verdict: j.verdict,
            status: j.status,
            final_url: j.final_url,
            detail: j.detail,
            sources: link.sources.clone(),
            cached,
        }
    }
}

/// The whole report of one run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// One entry per unique URL, sorted by URL.
    pub links: Vec<LinkResult>,
}

/// What `check --external` returns: the usual outcome plus the link report (absent when the
/// content itself is invalid and nothing was checked).
#[derive(Debug)]
pub struct ExternalOutcome {
    /// Exit code and diagnostics (content warnings, cache warnings, offline message).
    pub outcome: Outcome,
    /// The link report.
    pub report: Option<Report>,
}

impl Report {
    /// Number of links with a verdict.
    pub fn count(&self, v: Verdict) -> usize {
        self.links.iter().filter(|l| l.verdict == v).count()
    }

    /// Number of results taken from the cache.
    pub fn cached(&self) -> usize {
        self.links.iter().filter(|l| l.cached).count()
    }

    /// Exit 3 when anything is broken or unverified.
    pub fn exit(&self) -> Exit {
        if self.links.iter().any(|l| l.verdict.is_problem()) { Exit::Links } else { Exit::Success }
    }

    /// The JSON report of SPEC §8.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "summary": {
                "total": self.links.len(),
                "ok": self.count(Verdict::Ok),
                "redirected": self.count(Verdict::Redirected),
                "broken": self.count(Verdict::Broken),
                "unverified": self.count(Verdict::Unverified),
                "excluded": self.count(Verdict::Excluded),
                "cached": self.cached(),
            },
            "links": self.links,
        })
    }

    /// The text report: links grouped by verdict (problems first), each with every source,
    /// then a summary line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for v in Verdict::ALL {
            let group: Vec<&LinkResult> = self.links.iter().filter(|l| l.verdict == v).collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{} ({}):", v.as_str(), group.len());
            for l in group {
                let cached = if l.cached { " [cached]" } else { "" };
                let _ = writeln!(out, "  {} — {}{cached}", l.url, l.detail);
                let used: Vec<String> = l.sources.iter().map(|s| format!("{}:{}", s.file, s.line)).collect();
                let _ = writeln!(out, "    used at: {}", used.join(", "));
            }
        }
        let _ = writeln!(
            out,
            "{} links: {} ok, {} redirected, {} broken, {} unverified, {} excluded ({} from cache)",
            self.links.len(),
            self.count(Verdict::Ok),
            self.count(Verdict::Redirected),
            self.count(Verdict::Broken),
            self.count(Verdict::Unverified),
            self.count(Verdict::Excluded),
            self.cached()
        );
        out
    }
}

fn cache_path(root: &Path, c: &CacheChoice) -> Option<PathBuf> {
    match c {
        CacheChoice::Default => Some(root.join(DEFAULT_CACHE)),
        CacheChoice::File(f) => Some(f.clone()),
        CacheChoice::Off => None,
    }
}

/// `normbok check --external`.
pub fn check_external(opts: &ExternalOptions) -> ExternalOutcome {
    let fail = |exit, diagnostics| ExternalOutcome { outcome: Outcome { exit, diagnostics, summary: None }, report: None };
    let (site, mut diags) = match crate::check(&opts.root) {
        Ok(x) => x,
        Err(d) => return fail(Exit::Invalid, d),
    };
    if opts.strict && diags.warning_count() > 0 {
        diags.push(Diagnostic::global("E-STRICT", "warnings are errors with --strict"));
        return fail(Exit::Invalid, diags);
    }
    let settings = match check::Settings::from_config(&site.config.links) {
        Ok(s) => s,
        Err(msg) => {
            diags.push(Diagnostic::error("E-LINK-CONFIG", Loc::file(crate::config::CONFIG_FILE), msg));
            return fail(Exit::Invalid, diags);
        }
    };
    let links = collect::collect(&site);
    let ttl = site.config.links.cache_ttl_days;
    let cache_file = cache_path(&opts.root, &opts.cache);
    let cache = match &cache_file {
        Some(p) => {
            let (c, warn) = cache::Cache::load(p, &opts.root);
            diags.extend(warn);
            c
        }
        None => cache::Cache::default(),
    };

    // Screen and reuse cached successes; the rest is requested.
    let now = cache::now();
    let mut results: Vec<Option<LinkResult>> = Vec::with_capacity(links.len());
    let mut to_check: Vec<usize> = Vec::new();
    for (i, l) in links.iter().enumerate() {
        let done = |answer: &Answer, cached| Some(LinkResult::new(l, verdict::judge(&l.url, answer, false), cached));
        if let Some(a) = check::screen(&l.url, &settings) {
            results.push(done(&a, false));
        } else if let Some(e) = cache.fresh(&l.url, now, ttl) {
            results.push(done(&Answer::Http { status: e.status.unwrap_or(200), final_url: e.final_url.clone() }, true));
        } else {
            results.push(None);
            to_check.push(i);
        }
    }

    let urls: Vec<String> = to_check.iter().map(|&i| links[i].url.clone()).collect();
    let bar = progress_bar(opts.progress, urls.len());
    let answers = check::check_all(&urls, &settings, &|| {
        if let Some(b) = &bar {
            b.inc(1);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }

    // No server reached at all, but network failures: the network is missing, not the sites.
    let offline = !answers.iter().any(Answer::reached_a_server) && answers.iter().any(Answer::is_network_failure);
    if offline {
        let hosts: BTreeSet<String> = urls.iter().filter_map(|u| check::host_of(u)).collect();
        let n = answers.iter().filter(|a| a.is_network_failure()).count();
        diags.push(
            Diagnostic::global(
                "E-LINK-OFFLINE",
                format!("no network: none of the {} hosts could be reached, so {n} links are reported as unverified", hosts.len()),
            )
            .help("run `normbok check --external` where the partner sites are reachable; `normbok build` does not need the network"),
        );
    }

    let mut to_save = Vec::new();
    for (k, &i) in to_check.iter().enumerate() {
        let l = &links[i];
        let answer = answers.get(k).cloned().unwrap_or_else(|| Answer::Other("not checked".into()));
        let j = verdict::judge(&l.url, &answer, offline);
        let entry = matches!(j.verdict, Verdict::Ok | Verdict::Redirected).then(|| cache::Entry {
            checked_at: now,
            verdict: j.verdict,
            status: j.status,
            final_url: j.final_url.clone(),
        });
        to_save.push((l.url.clone(), entry));
        results[i] = Some(LinkResult::new(l, j, false));
    }
    if let Some(p) = &cache_file
        && !to_save.is_empty()
        && let Err(d) = cache::save(p, &opts.root, &to_save, ttl)
    {
        diags.push(d);
    }

    let report = Report { links: results.into_iter().flatten().collect() };
    let summary = format!(
        "checked {} external links: {} broken, {} unverified",
        report.links.len(),
        report.count(Verdict::Broken),
        report.count(Verdict::Unverified)
    );
    ExternalOutcome { outcome: Outcome { exit: report.exit(), diagnostics: diags, summary: Some(summary) }, report: Some(report) }
}

fn progress_bar(wanted: bool, n: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !wanted || n == 0 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(n as u64), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("checking links {bar:40} {pos}/{len} ({elapsed})") {
        bar.set_style(style);
    }
    Some(bar)
}
