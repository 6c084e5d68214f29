//! The `normbok` binary: parses the command line, calls the library, prints diagnostics and
//! maps the outcome to an exit code. No logic lives here.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};
use normbok::cli::{Cli, ColorChoice, Command, Format, VersionCommand};
use normbok::diag::{Diagnostics, Style};
use normbok::{BuildOptions, Outcome, diag::Exit};

fn main() -> ExitCode {
    let color = early_color_choice();
    let matches = Cli::command().color(clap_color(color)).try_get_matches();
    let cli = match matches.and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { 0 });
        }
    };
    let style = |root: Option<&Path>| {
        let terminal = std::io::stderr().is_terminal();
        let color = cli.color.resolve(terminal, std::env::var_os("NO_COLOR").as_deref());
        // Snippets on a terminal (or when colour is forced): piped output, CI logs and tests
        // keep the plain format unless asked.
        Printer {
            style: Style { color, snippets: root.is_some() && (terminal || cli.color == ColorChoice::Always) },
            root: root.map(Path::to_path_buf),
        }
    };
    let (outcome, format, printer) = match cli.command {
        Command::Build { root, out, strict, zip, base_url } => {
            let p = style(Some(&root));
            (normbok::build(&BuildOptions { root, out, strict, zip, base_url }), Format::Text, p)
        }
        Command::Check { root, format, strict, external: true, cache, no_cache } => {
            let p = style(Some(&root));
            return check_external(root, format, strict, cache, no_cache, &p);
        }
        Command::Check { root, format, strict, .. } => (normbok::check_command(&root, strict), format, style(Some(&root))),
        Command::Version { command: VersionCommand::New { id, from, root } } => {
            (normbok::newversion::run(&root, &id, from.as_deref()), Format::Text, style(Some(&root)))
        }
        #[cfg(feature = "serve")]
        Command::Serve { root, bind, port, open, poll } => {
            let p = style(Some(&root));
            (normbok::serve::run(&normbok::serve::ServeOptions { root, bind, port, open, poll }), Format::Text, p)
        }
        Command::Init { dir } => (normbok::init::run(&dir), Format::Text, style(None)),
        Command::Search { query, site, version, groups, limit, format } => {
            return search(&normbok::search::SearchOptions { site, version, groups, limit, query }, format, &style(None));
        }
        Command::Schema { root: None } => {
            out(normbok::schema::to_text(&normbok::load::records::json_schema()).trim_end());
            return ExitCode::SUCCESS;
        }
        Command::Schema { root: Some(root) } => match normbok::schema::for_site(&root) {
            Ok(schema) => {
                out(normbok::schema::to_text(&schema).trim_end());
                return ExitCode::SUCCESS;
            }
            Err(d) => (Outcome { exit: Exit::Invalid, diagnostics: d, summary: None }, Format::Text, style(Some(&root))),
        },
        Command::Completions { shell } => {
            let mut stdout = std::io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "normbok", &mut stdout);
            return ExitCode::SUCCESS;
        }
    };
    report(&outcome, format, &printer);
    ExitCode::from(outcome.exit as u8)
}

/// How diagnostics are printed in this run, and the site root their paths are relative to
/// (for reading the source lines of snippets).
struct Printer {
    style: Style,
    root: Option<PathBuf>,
}

impl Printer {
    fn render(&self, d: &Diagnostics) -> String {
        let root = self.root.clone();
        // Snippets read the file again at print time: the pipeline keeps no source text
        // around for this, and a file that cannot be read simply gets no snippet.
        // Files over the default size limit are not read again just to show one line.
        let read = move |rel: &str| {
            let path = root.as_ref()?.join(rel);
            let small = std::fs::metadata(&path).is_ok_and(|m| m.len() <= normbok::config::DEFAULT_MAX_FILE_SIZE);
            if small { std::fs::read_to_string(path).ok() } else { None }
        };
        d.render_styled(self.style, &read)
    }
}

/// `--color` is needed before clap reports a usage error (clap colours its own messages), so
/// it is looked up in the raw arguments first; a malformed value falls back to `auto` and
/// clap then reports it.
fn early_color_choice() -> ColorChoice {
    let args: Vec<String> = std::env::args().collect();
    let mut value = None;
    for (i, a) in args.iter().enumerate() {
        if let Some(v) = a.strip_prefix("--color=") {
            value = Some(v.to_string());
        } else if a == "--color" {
            value = args.get(i + 1).cloned();
        }
    }
    match value.as_deref() {
        Some("always") => ColorChoice::Always,
        Some("never") => ColorChoice::Never,
        _ => ColorChoice::Auto,
    }
}

fn clap_color(c: ColorChoice) -> clap::ColorChoice {
    match c {
        ColorChoice::Always => clap::ColorChoice::Always,
        ColorChoice::Never => clap::ColorChoice::Never,
        ColorChoice::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => clap::ColorChoice::Never,
        ColorChoice::Auto => clap::ColorChoice::Auto,
    }
}

fn search(opts: &normbok::search::SearchOptions, format: Format, printer: &Printer) -> ExitCode {
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
            eprint!("{}", printer.render(&d));
            ExitCode::from(f.exit as u8)
        }
    }
}

fn report(o: &Outcome, format: Format, printer: &Printer) {
    match format {
        Format::Text => {
            eprint!("{}", printer.render(&o.diagnostics));
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
fn check_external(root: PathBuf, format: Format, strict: bool, cache: Option<PathBuf>, no_cache: bool, printer: &Printer) -> ExitCode {
    use normbok::linkcheck::{CacheChoice, ExternalOptions, check_external};
    let cache = match (cache, no_cache) {
        (_, true) => CacheChoice::Off,
        (Some(f), false) => CacheChoice::File(f),
        (None, false) => CacheChoice::Default,
    };
    let r = check_external(&ExternalOptions { root, strict, cache, progress: format == Format::Text });
    match (&r.report, format) {
        (Some(rep), Format::Text) => {
            eprint!("{}", printer.render(&r.outcome.diagnostics));
            out(rep.text().trim_end());
        }
        (Some(rep), Format::Json) => {
            eprint!("{}", printer.render(&r.outcome.diagnostics));
            out(&serde_json::to_string_pretty(&rep.json()).unwrap_or_default());
        }
        // Invalid content: nothing was checked; report like plain `check`.
        (None, _) => report(&r.outcome, format, printer),
    }
    ExitCode::from(r.outcome.exit as u8)
}

/// Without the `linkcheck` feature there is no network code in the binary at all.
#[cfg(not(feature = "linkcheck"))]
fn check_external(_root: PathBuf, _format: Format, _strict: bool, _cache: Option<PathBuf>, _no_cache: bool, _printer: &Printer) -> ExitCode {
    eprintln!("error[E-NO-LINKCHECK]: this normbok was built without the `linkcheck` feature, so `check --external` is unavailable");
    ExitCode::from(Exit::Usage as u8)
}
