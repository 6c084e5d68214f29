//! Stage 3 (validate): every cross-reference and rule that spans records, checked on the
//! model before anything is rendered or written.
//!
//! Reports all problems of a run at once. Everything rendering later relies on (ids exist,
//! links resolve, URLs are unique and allowed) is established here, so rendering never fails
//! on content.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use crate::config::RawHtml;
use crate::diag::{Diagnostic, Diagnostics, Loc, suggestion};
use crate::model::markdown::Target;
use crate::model::{Md, Page, ReqStatus, Site, Version};
// Output paths below a version folder that normbok generates itself; pages may not use them.
use crate::paths::{RESERVED_DIRS, RESERVED_FILES as RESERVED};

/// Whether `id` is a well-formed requirement ID: an ASCII letter, then letters or digits,
/// groups joined by `-` or `.` (e.g. `RISK-01`, `A.5.1`).
pub fn is_requirement_id(id: &str) -> bool {
    let b = id.as_bytes();
    if b.is_empty() || b.len() > 40 || !b[0].is_ascii_alphabetic() {
        return false;
    }
    id.split(['-', '.']).all(|g| !g.is_empty() && g.bytes().all(|c| c.is_ascii_alphanumeric()))
}

/// Whether `id` is a reference id (lowercase slug).
pub fn is_reference_id(id: &str) -> bool {
    id.bytes().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'.' | b'_'))
}

/// Whether `id` is a chapter id.
pub fn is_chapter_id(id: &str) -> bool {
    id.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric()) && id.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_'))
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let p: Vec<&str> = s.split('-').collect();
    let [y, m, d] = p.as_slice() else { return false };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (1..=12).contains(&m) && d >= 1 && d <= days[(m - 1) as usize]
}

/// Reference kinds (SPEC §2.3).
pub const REFERENCE_KINDS: [&str; 5] = ["law", "regulation", "standard", "guidance", "website"];

/// Validates the whole site.
pub fn validate(site: &Site) -> Diagnostics {
    let mut diags = Diagnostics::new();
    // Where each requirement ID appears, in version order (newest first), for cross-version hints.
    let mut id_versions: HashMap<String, Vec<&str>> = HashMap::new();
    for v in &site.versions {
        for r in &v.requirements {
            id_versions.entry(r.id.value.to_ascii_uppercase()).or_default().push(&v.id);
        }
    }
    let per_version: Vec<Vec<Diagnostic>> = site.versions.par_iter().map(|v| validate_version(site, v, &id_versions)).collect();
    for d in per_version {
        diags.extend(d);
    }
    diags
}

struct Ctx<'a> {
    site: &'a Site,
    version: &'a Version,
    /// Requirement IDs of this version, uppercased (IDs compare case-insensitively).
    req_ids: BTreeSet<String>,
    ref_ids: BTreeSet<&'a str>,
    pages: BTreeMap<&'a str, &'a Page>,
    anchors: BTreeMap<&'a str, BTreeSet<&'a str>>,
    assets: BTreeSet<&'a str>,
    id_versions: &'a HashMap<String, Vec<&'a str>>,
}

fn validate_version(site: &Site, v: &Version, id_versions: &HashMap<String, Vec<&str>>) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let groups: Vec<&str> = site.config.group_ids().collect();
    let obligations: Vec<&str> = site.config.obligation_ids().collect();

    // Chapters: format and uniqueness (their ids become URL segments).
    let mut chapter_seen: BTreeMap<String, &Loc> = BTreeMap::new();
    for c in &v.chapters {
        if !is_chapter_id(&c.id.value) {
            d.push(
                Diagnostic::error("E-ID-FORMAT", c.id.loc.clone(), format!("invalid chapter id `{}`", c.id.value))
                    .help("chapter ids are ASCII letters, digits, - and _"),
            );
        }
        if let Some(first) = chapter_seen.get(&c.id.value.to_ascii_lowercase()) {
            let code = if v.chapters.iter().filter(|o| o.id.value == c.id.value).count() > 1 { "E-DUP-ID" } else { "E-URL-CASE" };
            d.push(
                Diagnostic::error(code, c.id.loc.clone(), format!("chapter id `{}` is already used (differing at most in case)", c.id.value))
                    .help(format!("first used at {first}")),
            );
        } else {
            chapter_seen.insert(c.id.value.to_ascii_lowercase(), &c.id.loc);
        }
    }

    // Requirements: ID format, uniqueness (case-insensitive), field rules.
    let mut req_seen: BTreeMap<String, &Loc> = BTreeMap::new();
    for r in &v.requirements {
        let id = &r.id.value;
        if !is_requirement_id(id) {
            d.push(
                Diagnostic::error("E-ID-FORMAT", r.id.loc.clone(), format!("malformed requirement ID `{id}`"))
                    .help("IDs are an ASCII letter followed by letters or digits, in groups joined by `-` or `.` (e.g. RISK-01, A.5.1)"),
            );
        }
        if let Some(first) = req_seen.get(&id.to_ascii_uppercase()) {
            d.push(
                Diagnostic::error("E-DUP-ID", r.id.loc.clone(), format!("duplicate requirement ID `{id}`"))
                    .help(format!("also defined at {first}; IDs are unique per version, ignoring case")),
            );
        } else {
            req_seen.insert(id.to_ascii_uppercase(), &r.id.loc);
        }
        if !obligations.contains(&r.obligation.value.as_str()) {
            d.push(
                Diagnostic::error("E-OBLIGATION", r.obligation.loc.clone(), format!("unknown obligation `{}`", r.obligation.value))
                    .help(format!("known obligations: {}", obligations.join(", ")))
                    .help_opt(suggestion(&r.obligation.value, obligations.iter().copied())),
            );
        }
        if r.target_groups.is_empty() {
            d.push(
                Diagnostic::error("E-TARGET-GROUP", r.id.loc.clone(), format!("requirement `{id}` has no target group"))
                    .help(format!("add at least one of: {}", groups.join(", "))),
            );
        }
        check_groups(&r.target_groups, &groups, &mut d);
        let mut seen_groups = BTreeSet::new();
        for g in &r.target_groups {
            if !seen_groups.insert(&g.value) {
                d.push(Diagnostic::warning("W-DUPLICATE-ENTRY", g.loc.clone(), format!("target group `{}` is listed twice", g.value)));
            }
        }
        if let Some(a) = &r.applies_from {
            if !is_date(&a.value) {
                d.push(
                    Diagnostic::error("E-DATE", a.loc.clone(), format!("`{}` is not a date", a.value))
                        .help("write dates as YYYY-MM-DD, e.g. 2027-03-26"),
                );
            }
        } else if r.status == ReqStatus::Upcoming {
            d.push(
                Diagnostic::error("E-MISSING-FIELD", r.status_loc.clone(), format!("requirement `{id}` is upcoming but has no `applies_from` date"))
                    .help("add applies_from: YYYY-MM-DD"),
            );
        }
        if let Some(c) = r.changed.as_ref().filter(|c| !is_date(&c.value)) {
            d.push(
                Diagnostic::error("E-DATE", c.loc.clone(), format!("`{}` is not a date", c.value))
                    .help("write the date of the last substantive change as YYYY-MM-DD, e.g. 2023-09-15"),
            );
        }
        if r.statement.text.trim().is_empty() {
            d.push(Diagnostic::error("E-EMPTY", r.statement.locate(0), format!("requirement `{id}` has an empty statement")));
        }
    }

    // References.
    let mut ref_seen: BTreeMap<&str, &Loc> = BTreeMap::new();
    for r in &v.references {
        if !is_reference_id(&r.id.value) {
            d.push(
                Diagnostic::error("E-ID-FORMAT", r.id.loc.clone(), format!("invalid reference id `{}`", r.id.value))
                    .help("reference ids are lowercase slugs: a-z, 0-9, -, ., _"),
            );
        }
        if let Some(first) = ref_seen.insert(&r.id.value, &r.id.loc) {
            d.push(
                Diagnostic::error("E-DUP-ID", r.id.loc.clone(), format!("duplicate reference id `{}`", r.id.value))
                    .help(format!("also defined at {first}")),
            );
        }
        if !REFERENCE_KINDS.contains(&r.kind.value.as_str()) {
            d.push(
                Diagnostic::error("E-VALUE", r.kind.loc.clone(), format!("unknown reference kind `{}`", r.kind.value))
                    .help(format!("kind is one of {}", REFERENCE_KINDS.join(", ")))
                    .help_opt(suggestion(&r.kind.value, REFERENCE_KINDS)),
            );
        }
        if let Some(u) = &r.url {
            match crate::model::markdown::scheme(&u.value).as_deref() {
                Some("http" | "https") => {
                    if let Err(why) = check_url(&u.value) {
                        d.push(url_diag(u.loc.clone(), &u.value, &why));
                    }
                }
                other => d.push(
                    Diagnostic::error(
                        "E-URL-SCHEME",
                        u.loc.clone(),
                        format!("reference URL must be http or https, found `{}`", other.unwrap_or("relative")),
                    )
                    .help("only http, https and mailto links are allowed; a reference url must be absolute"),
                ),
            }
        }
    }

    let mut anchors: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for p in &v.pages {
        anchors.insert(p.src.as_str(), p.body.scan.headings.iter().map(|h| h.anchor.as_str()).collect());
    }
    let ctx = Ctx {
        site,
        version: v,
        req_ids: v.requirements.iter().map(|r| r.id.value.to_ascii_uppercase()).collect(),
        ref_ids: v.references.iter().map(|r| r.id.value.as_str()).collect(),
        pages: v.pages.iter().map(|p| (p.src.as_str(), p)).collect(),
        anchors,
        assets: v.assets.iter().map(|a| a.rel.as_str()).collect(),
        id_versions,
    };

    // Record-level references.
    for r in &v.requirements {
        for x in &r.references {
            if !ctx.ref_ids.contains(x.value.as_str()) && !v.unloaded.may_have_reference(&x.value) {
                d.push(
                    Diagnostic::error("E-REF", x.loc.clone(), format!("unknown reference `{}`", x.value))
                        .help_opt(suggestion(&x.value, ctx.ref_ids.iter().copied())),
                );
            }
        }
        for x in &r.related {
            if x.value.eq_ignore_ascii_case(&r.id.value) {
                d.push(Diagnostic::warning("W-SELF-REFERENCE", x.loc.clone(), format!("`{}` lists itself as related", x.value)));
            } else if !ctx.req_ids.contains(&x.value.to_ascii_uppercase()) {
                d.extend(unknown_requirement(&ctx, &x.value, None, x.loc.clone()));
            }
        }
    }

    // Markdown everywhere: links, shortcodes, raw HTML.
    for c in &v.chapters {
        if let Some(m) = &c.intro {
            check_md(&ctx, m, None, &mut d);
        }
    }
    for r in &v.requirements {
        check_md(&ctx, &r.statement, None, &mut d);
        if let Some(g) = &r.guidance {
            check_md(&ctx, g, None, &mut d);
        }
        for i in &r.items {
            check_md(&ctx, i, None, &mut d);
        }
    }
    if !v.pages.iter().any(|p| p.src == "index.md") {
        d.push(
            Diagnostic::error("E-PAGE", Loc::file(format!("content/{}/pages/index.md", v.id)), format!("version `{}` has no home page", v.id))
                .help(format!("create content/{}/pages/index.md with a front matter title", v.id)),
        );
    }
    for p in &v.pages {
        check_md(&ctx, &p.body, Some(p), &mut d);
        check_groups(&p.target_groups, &groups, &mut d);
    }

    check_url_collisions(v, &mut d);
    d
}

fn check_groups(list: &[crate::model::At<String>], groups: &[&str], d: &mut Vec<Diagnostic>) {
    for g in list {
        if !groups.contains(&g.value.as_str()) {
            d.push(
                Diagnostic::error("E-TARGET-GROUP", g.loc.clone(), format!("unknown target group `{}`", g.value))
                    .help(format!("known groups: {}", groups.join(", ")))
                    .help_opt(suggestion(&g.value, groups.iter().copied())),
            );
        }
    }
}

/// The error for a reference to a requirement that is not in the version, or `None` when it
/// may be in a record that failed to load (that failure is reported where it is).
fn unknown_requirement(ctx: &Ctx<'_>, id: &str, version: Option<&str>, loc: Loc) -> Option<Diagnostic> {
    let here = &ctx.version.id;
    let target = version.and_then(|v| ctx.site.versions.iter().find(|x| x.id == v)).unwrap_or(ctx.version);
    if target.unloaded.may_have_requirement(id) {
        return None;
    }
    if version.is_none()
        && let Some(vs) = ctx.id_versions.get(&id.to_ascii_uppercase())
    {
        // Versions are newest first; the first older one that has it is its last home.
        let pos = ctx.site.versions.iter().position(|v| &v.id == here).unwrap_or(0);
        let older = ctx.site.versions.iter().skip(pos + 1).find(|v| vs.contains(&v.id.as_str()));
        if let Some(last) = older {
            return Some(
                Diagnostic::error("E-XREF-VERSION", loc, format!("{id} was removed in {here} (last in {})", last.id))
                    .help(format!("link to the old version explicitly with [[{}/{id}]] or req:{}/{id}", last.id, last.id)),
            );
        }
    }
    let (ids, vname): (Vec<&str>, &str) = match version.and_then(|v| ctx.site.versions.iter().find(|x| x.id == v)) {
        Some(other) => (other.requirements.iter().map(|r| r.id.value.as_str()).collect(), other.id.as_str()),
        None => (ctx.version.requirements.iter().map(|r| r.id.value.as_str()).collect(), here.as_str()),
    };
    Some(Diagnostic::error("E-XREF", loc, format!("unknown requirement {id} in version {vname}")).help_opt(suggestion(id, ids)))
}

/// Checks an absolute `http`, `https` or `mailto` URL as written: it must parse (WHATWG
/// rules, the `url` crate), web URLs need a host, and nothing may be in it that a browser or
/// the parser would silently drop or rewrite (spaces, control characters, NUL), because the
/// URL goes into `href` and to the link checker as written.
pub fn check_url(raw: &str) -> Result<(), String> {
    if let Some(c) = raw.chars().find(|c| c.is_control() || c.is_whitespace()) {
        let what = if c == ' ' { "a space".to_string() } else { format!("the control character U+{:04X}", u32::from(c)) };
        return Err(format!("contains {what}"));
    }
    let parsed = url::Url::parse(raw).map_err(|e| e.to_string())?;
    // The parser repairs `https:host` and `https:///host` into `https://host/`; as written
    // they have no host, and other tools (and the link checker's cache) would disagree.
    let after_scheme = raw.split_once(':').map_or("", |(_, r)| r);
    let authority = after_scheme.strip_prefix("//").unwrap_or("/");
    match parsed.scheme() {
        "http" | "https" if authority.starts_with(['/', '?', '#']) || authority.is_empty() || parsed.host_str().is_none_or(str::is_empty) => {
            Err("has no host".into())
        }
        "mailto" if parsed.path().is_empty() => Err("has no address".into()),
        _ => Ok(()),
    }
}

fn url_diag(loc: Loc, raw: &str, why: &str) -> Diagnostic {
    Diagnostic::error("E-URL", loc, format!("invalid URL `{raw}`: {why}"))
        .help("write a complete URL such as https://example.org/path; encode spaces as %20")
}

/// Resolves a relative file link written in `from` (a page source path below `pages/`, or
/// `None` for YAML fields, which resolve against `pages/`). Returns the target below `pages/`.
pub fn resolve_relative(from: Option<&str>, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = match from {
        Some(f) => f.split('/').collect(),
        None => vec![""],
    };
    parts.pop();
    let path = path.strip_prefix("./").unwrap_or(path);
    if path.starts_with('/') {
        return None;
    }
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let joined = parts.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("/");
    (!joined.is_empty()).then(|| crate::load::walk::nfc(&joined))
}

fn check_md(ctx: &Ctx<'_>, md: &Md, page: Option<&Page>, d: &mut Vec<Diagnostic>) {
    for l in &md.scan.links {
        let loc = || md.locate(l.offset);
        match &l.target {
            Target::Req { version: None, id } => {
                if !ctx.req_ids.contains(&id.to_ascii_uppercase()) {
                    d.extend(unknown_requirement(ctx, id, None, loc()));
                }
            }
            Target::Req { version: Some(v), id } => match ctx.site.versions.iter().find(|x| &x.id == v) {
                None => d.push(
                    Diagnostic::error("E-VERSION", loc(), format!("unknown version `{v}` in link to {id}"))
                        .help(format!("declared versions: {}", ctx.site.versions.iter().map(|x| x.id.as_str()).collect::<Vec<_>>().join(", "))),
                ),
                Some(other) => {
                    if other.requirement(id).is_none() {
                        d.extend(unknown_requirement(ctx, id, Some(v), loc()));
                    }
                }
            },
            Target::Ref(id) => {
                if !ctx.ref_ids.contains(id.as_str()) && !ctx.version.unloaded.may_have_reference(id) {
                    d.push(
                        Diagnostic::error("E-REF", loc(), format!("unknown reference `{id}`")).help_opt(suggestion(id, ctx.ref_ids.iter().copied())),
                    );
                }
            }
            Target::File { path, anchor } => {
                let Some(target) = resolve_relative(page.map(|p| p.src.as_str()), path) else {
                    d.push(
                        Diagnostic::error("E-LINK", loc(), format!("link `{path}` leaves the pages folder"))
                            .help("link to pages of the same version with paths relative to this page"),
                    );
                    continue;
                };
                if target.ends_with(".md") {
                    if ctx.version.unloaded.pages.contains(&target) {
                        // The page failed to parse; that error is reported in the page.
                    } else if !ctx.pages.contains_key(target.as_str()) {
                        d.push(
                            Diagnostic::error("E-LINK", loc(), format!("link to missing page `{path}`"))
                                .help_opt(suggestion(&target, ctx.pages.keys().copied()).map(|s| format!("{s} (paths are relative to this page)"))),
                        );
                    } else if let Some(a) = anchor
                        && !a.is_empty()
                        && !ctx.anchors.get(target.as_str()).is_some_and(|s| s.contains(a.as_str()))
                    {
                        let known = ctx.anchors.get(target.as_str()).map(|s| s.iter().copied().collect::<Vec<_>>()).unwrap_or_default();
                        d.push(anchor_diag(ctx, loc(), format!("page `{path}` has no heading with anchor `#{a}`")).help_opt(suggestion(a, known)));
                    }
                } else if !ctx.assets.contains(target.as_str()) {
                    d.push(
                        Diagnostic::error("E-LINK", loc(), format!("link to missing file `{path}`"))
                            .help("link to a page (.md) or a file that exists under pages/"),
                    );
                }
            }
            Target::Anchor(a) => {
                if let Some(p) = page
                    && !a.is_empty()
                    && !ctx.anchors.get(p.src.as_str()).is_some_and(|s| s.contains(a.as_str()))
                {
                    let known = ctx.anchors.get(p.src.as_str()).map(|s| s.iter().copied().collect::<Vec<_>>()).unwrap_or_default();
                    d.push(anchor_diag(ctx, loc(), format!("no heading with anchor `#{a}` on this page")).help_opt(suggestion(a, known)));
                }
            }
            Target::External(u) => {
                if let Err(why) = check_url(u) {
                    d.push(url_diag(loc(), u, &why));
                }
            }
            Target::Forbidden(scheme) => d.push(
                Diagnostic::error("E-URL-SCHEME", loc(), format!("URL scheme `{scheme}` is not allowed"))
                    .help("only http, https, mailto and relative links are allowed"),
            ),
        }
    }
    for n in &md.scan.near_shortcodes {
        let what = if n.invisible { "an invisible character" } else { "whitespace" };
        d.push(
            Diagnostic::warning(
                "W-NEAR-XREF",
                md.locate(n.offset),
                format!("`[[{}]]` is shown as text, not as a link to {}: it contains {what}", show_invisible(&n.written), n.meant),
            )
            .help(format!("write [[{}]]", n.meant)),
        );
    }
    if ctx.site.config.markdown.raw_html == RawHtml::Escape {
        for off in &md.scan.raw_html {
            d.push(
                Diagnostic::warning("W-RAW-HTML", md.locate(*off), "raw HTML is shown as text")
                    .help("use Markdown instead, or set [markdown] raw_html = \"sanitize\" in normbok.toml to allow safe HTML"),
            );
        }
    }
}

/// Whether an output path below a version folder is one normbok writes itself. Compared
/// case-insensitively: on case-insensitive hosts `Changes.html` replaces `changes.html`.
fn is_reserved(out: &str) -> bool {
    let lower = out.to_ascii_lowercase();
    RESERVED.contains(&lower.as_str()) || RESERVED_DIRS.iter().any(|r| lower.starts_with(r))
}

/// A missing anchor: an error, or a warning with `[links] anchors = "warn"`.
fn anchor_diag(ctx: &Ctx<'_>, loc: Loc, message: String) -> Diagnostic {
    match ctx.site.config.links.anchors {
        crate::config::AnchorLevel::Error => Diagnostic::error("E-ANCHOR", loc, message),
        crate::config::AnchorLevel::Warn => Diagnostic::warning("W-ANCHOR", loc, message),
    }
}

/// Makes zero-width characters visible in a message (`\u{200b}`), spaces stay as they are.
fn show_invisible(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_whitespace() && c != ' ' || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}') {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn check_url_collisions(v: &Version, d: &mut Vec<Diagnostic>) {
    // Output path → who produces it.
    let mut outs: BTreeMap<String, Vec<(String, Loc)>> = BTreeMap::new();
    for p in &v.pages {
        if is_reserved(&p.out) {
            d.push(
                Diagnostic::error(
                    "E-URL-COLLISION",
                    Loc::file(p.file.clone()),
                    format!("page `{}` would be written to `{}/{}`, which normbok generates itself", p.src, v.id, p.out),
                )
                .help("rename or move the page"),
            );
        }
        outs.entry(p.out.clone()).or_default().push((p.file.clone(), Loc::file(p.file.clone())));
    }
    for a in &v.assets {
        if is_reserved(&a.rel) {
            d.push(
                Diagnostic::error(
                    "E-URL-COLLISION",
                    Loc::file(a.src.clone()),
                    format!("file `{}` would be written to `{}/{}`, which normbok generates itself", a.src, v.id, a.rel),
                )
                .help(format!(
                    "rename or move the file; these names are generated: {} and the folders {}",
                    RESERVED.join(", "),
                    RESERVED_DIRS.join(", ")
                )),
            );
        }
        outs.entry(a.rel.clone()).or_default().push((a.src.clone(), Loc::file(a.src.clone())));
    }
    for (out, who) in &outs {
        if who.len() > 1 {
            let names: Vec<&str> = who.iter().map(|(n, _)| n.as_str()).collect();
            d.push(
                Diagnostic::error("E-URL-COLLISION", who[1].1.clone(), format!("{}/{out} is produced by {}", v.id, names.join(" and ")))
                    .help("page names are slugged (æ→ae, ø→o, å→a, lowercase); rename one of them"),
            );
        }
    }
    let mut lower: BTreeMap<String, (&str, &str)> = BTreeMap::new();
    for (out, who) in &outs {
        if let Some((other, other_src)) = lower.insert(out.to_lowercase(), (out, &who[0].0)) {
            d.push(
                Diagnostic::error(
                    "E-URL-CASE",
                    who[0].1.clone(),
                    format!("{}/{out} (from {}) and {}/{other} (from {other_src}) differ only in case", v.id, who[0].0, v.id),
                )
                .help("case-insensitive file systems and hosts would serve one for the other; rename one"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["RISK-01", "A.5.1", "krav-12", "LEV-1-2", "X"] {
            assert!(is_requirement_id(ok), "{ok}");
        }
        for bad in ["KRAV 12", "KRAV-ø1", "1ABC", "A--1", "A-", "-A", ""] {
            assert!(!is_requirement_id(bad), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert_eq!(check_url("https://lovdata.no/dokument/NL/lov/2018-06-15-38#KAPITTEL_1"), Ok(()));
        assert_eq!(check_url("mailto:post@example.org"), Ok(()));
        assert_eq!(check_url("https://a b/"), Err("contains a space".into()));
        assert_eq!(check_url("https://a\u{0}b/"), Err("contains the control character U+0000".into()));
        assert_eq!(check_url("https://a\u{1b}[2J/"), Err("contains the control character U+001B".into()));
        assert!(check_url("https://").is_err());
        assert_eq!(check_url("http:///sti"), Err("has no host".into()));
        assert_eq!(check_url("https:sti"), Err("has no host".into()));
        assert_eq!(check_url("https://?q"), Err("empty host".into()));
        assert!(check_url("https://[::1").is_err());
    }

    #[test]
    fn dates() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2023-2-1"));
        assert!(!is_date("2023-13-01"));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(resolve_relative(Some("a/b.md"), "../c.md"), Some("c.md".into()));
        assert_eq!(resolve_relative(Some("a/b.md"), "d/e.md"), Some("a/d/e.md".into()));
        assert_eq!(resolve_relative(Some("b.md"), "../c.md"), None);
        assert_eq!(resolve_relative(None, "c.md"), Some("c.md".into()));
    }
}
