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
        #[cfg(feature = "serve")]
        Command::Serve { root, bind, port, open, poll } => {
            (normbok::serve::run(&normbok::serve::ServeOptions { root, bind, port, open, poll }), Format::Text)
        }
        Command::Init { dir } => (normbok::init::run(&dir), Format::Text),
        Command::Schema => {
            println!("{}", serde_json::to_string_pretty(&normbok::load::records::json_schema()).unwrap_or_default());
            return ExitCode::SUCCESS;
        }
    };
    report(&outcome, format);
    ExitCode::from(outcome.exit as u8)
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
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
    }
}
