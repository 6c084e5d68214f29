//! The `normbok` binary: parses the command line, calls the library, prints diagnostics and
//! maps the outcome to an exit code. No logic lives here.

use std::process::ExitCode;

use clap::Parser;
use normbok::cli::{Cli, Command, Format, VersionCommand};
use normbok::{BuildOptions, Outcome, diag::Exit};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { 0 });
        }
    };
    let (outcome, format) = match cli.command {
        Command::Build { root, out, strict, zip } => (normbok::build(&BuildOptions { root, out, strict, zip }), Format::Text),
        Command::Check { root, format, strict, external: true, cache, no_cache } => return check_external(root, format, strict, cache, no_cache),
        Command::Check { root, format, strict, .. } => (normbok::check_command(&root, strict), format),
        Command::Version { command: VersionCommand::New { id, from, root } } => (normbok::newversion::run(&root, &id, from.as_deref()), Format::Text),
        #[cfg(feature = "serve")]
        Command::Serve { root, bind, port, open, poll } => {
            (normbok::serve::run(&normbok::serve::ServeOptions { root, bind, port, open, poll }), Format::Text)
        }
        Command::Init { dir } => (normbok::init::run(&dir), Format::Text),
        Command::Search { query, site, version, groups, limit, format } => {
            return search(&normbok::search::SearchOptions { site, version, groups, limit, query }, format);
        }
        Command::Schema => {
            out(&serde_json::to_string_pretty(&normbok::load::records::json_schema()).unwrap_or_default());
            return ExitCode::SUCCESS;
        }
    };
    report(&outcome, format);
    ExitCode::from(outcome.exit as u8)
}

fn search(opts: &normbok::search::SearchOptions, format: Format) -> ExitCode {
    match normbok::search::run(opts) {
        Ok(response) => {
            match format {
                Format::Text => out(normbok::search::render_text(&response).trim_end()),
                Format::Json => out(&serde_json::to_string_pretty(&response).unwrap_or_default()),
            }
            ExitCode::SUCCESS
        }
        Err(f) => {
            let mut d = normbok::diag::Diagnostics::new();
            d.push(f.diagnostic);
            eprint!("{}", d.render());
            ExitCode::from(f.exit as u8)
        }
    }
}

fn report(o: &Outcome, format: Format) {
    match format {
        Format::Text => {
            eprint!("{}", o.diagnostics.render());
            if let Some(s) = &o.summary {
                eprintln!("{s}");
            }
        }
        Format::Json => {
            let v = serde_json::json!({
                "ok": o.exit == Exit::Success,
                "diagnostics": o.diagnostics.sorted(),
                "summary": o.summary,
            });
            out(&serde_json::to_string_pretty(&v).unwrap_or_default());
        }
    }
}

/// Prints one block on stdout. A closed pipe (`normbok search … | head`) is not an error
/// worth a panic: the reader has what it wanted.
fn out(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}").and_then(|()| stdout.flush());
}

/// `check --external`: diagnostics (content warnings, cache problems, the offline message) on
/// stderr, the link report on stdout.
#[cfg(feature = "linkcheck")]
fn check_external(root: std::path::PathBuf, format: Format, strict: bool, cache: Option<std::path::PathBuf>, no_cache: bool) -> ExitCode {
    use normbok::linkcheck::{CacheChoice, ExternalOptions, check_external};
    let cache = match (cache, no_cache) {
        (_, true) => CacheChoice::Off,
        (Some(f), false) => CacheChoice::File(f),
        (None, false) => CacheChoice::Default,
    };
    let r = check_external(&ExternalOptions { root, strict, cache, progress: format == Format::Text });
    match (&r.report, format) {
        (Some(rep), Format::Text) => {
            eprint!("{}", r.outcome.diagnostics.render());
            out(rep.text().trim_end());
        }
        (Some(rep), Format::Json) => {
            eprint!("{}", r.outcome.diagnostics.render());
            out(&serde_json::to_string_pretty(&rep.json()).unwrap_or_default());
        }
        // Invalid content: nothing was checked; report like plain `check`.
        (None, _) => report(&r.outcome, format),
    }
    ExitCode::from(r.outcome.exit as u8)
}

/// Without the `linkcheck` feature there is no network code in the binary at all.
#[cfg(not(feature = "linkcheck"))]
fn check_external(_root: std::path::PathBuf, _format: Format, _strict: bool, _cache: Option<std::path::PathBuf>, _no_cache: bool) -> ExitCode {
    eprintln!("error[E-NO-LINKCHECK]: this normbok was built without the `linkcheck` feature, so `check --external` is unavailable");
    ExitCode::from(Exit::Usage as u8)
}
