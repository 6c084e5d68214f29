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
        Command::Check { root, format, strict } => (normbok::check_command(&root, strict), format),
        Command::Version { command: VersionCommand::New { id, from, root } } => (normbok::newversion::run(&root, &id, from.as_deref()), Format::Text),
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
