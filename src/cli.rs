//! The command line (SPEC §4): clap definitions only; `main.rs` maps them onto the library.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Compile normative guidance (YAML requirements + Markdown guides) into a versioned static website.
#[derive(Debug, Parser)]
#[command(name = "normbok", version, about, propagate_version = true)]
pub struct Cli {
    /// When to use colours (and source snippets) in diagnostics: `auto` colours only a
    /// terminal and never when the `NO_COLOR` variable is set.
    #[arg(long, value_enum, global = true, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always colour (and show source snippets).
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour, given whether the output is a terminal and the value of `NO_COLOR`
    /// (<https://no-color.org>: any non-empty value turns colour off).
    pub fn resolve(self, is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into a folder (never touches the network).
    Build {
        /// Site root (the folder with normbok.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder.
        #[arg(long, default_value = "public")]
        out: PathBuf,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// Also write the site as one zip file that works when unpacked and opened from disk.
        #[arg(long, value_name = "FILE")]
        zip: Option<PathBuf>,
        /// Absolute URL the site is published at (overrides `base_url` of normbok.toml; used
        /// for sitemap.xml, canonical links and 404.html).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// Validate the site without writing anything.
    Check {
        /// Site root.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output format of the report.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// Also check external links (http/https) with lychee-lib; exit code 3 when any is
        /// broken or could not be verified.
        #[arg(long)]
        external: bool,
        /// Link-result cache file (default: ROOT/.normbok/link-cache.json).
        #[arg(long, value_name = "FILE", requires = "external", conflicts_with = "no_cache")]
        cache: Option<PathBuf>,
        /// Neither read nor write the link-result cache.
        #[arg(long, requires = "external")]
        no_cache: bool,
    },
    /// Build the site in memory, serve it on loopback and reload open pages after each edit.
    #[cfg(feature = "serve")]
    Serve {
        /// Site root.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Address to listen on; anything but a loopback address exposes the preview and
        /// turns off the `Host` check (a warning says so).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Port; when taken, the next free one is used (and printed).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Poll for changes instead of using file-system events (network shares, WSL2 /mnt).
        #[arg(long)]
        poll: bool,
    },
    /// Search a built site with the same index and engine as its search box.
    // `--version` names the site version here, so the propagated `--version` flag goes.
    #[command(disable_version_flag = true)]
    Search {
        /// The query: words (the last one also as a prefix) and "quoted phrases".
        query: String,
        /// The built site (output folder of `normbok build`).
        #[arg(long, default_value = "public")]
        site: PathBuf,
        /// Version to search (default: the current version).
        #[arg(long)]
        version: Option<String>,
        /// Only hits for this target group (repeat for any of several).
        #[arg(long = "group", value_name = "G")]
        groups: Vec<String>,
        /// Maximum number of hits.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Manage versions.
    Version {
        /// What to do.
        #[command(subcommand)]
        command: VersionCommand,
    },
    /// Create a minimal working site in DIR.
    Init {
        /// Folder to create (must not exist or be empty).
        dir: PathBuf,
    },
    /// Print the JSON Schema of requirement and reference files (and page front matter).
    Schema {
        /// Site root: the schema then lists the site's own ids (target groups, obligations,
        /// references, requirement statuses) as enums, for completion in the editor.
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Print a shell completion script (e.g. `normbok completions bash > ~/.local/share/bash-completion/completions/normbok`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `normbok version …`.
#[derive(Debug, Subcommand)]
pub enum VersionCommand {
    /// Copy a version folder as the next draft and add it at the top of normbok.toml.
    New {
        /// Id of the new version (also its folder and URL segment).
        id: String,
        /// Version to copy (default: the newest).
        #[arg(long)]
        from: Option<String>,
        /// Site root.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn colour_choice_honours_no_color() {
        use super::ColorChoice::{Always, Auto, Never};
        use std::ffi::OsStr;
        assert!(Auto.resolve(true, None));
        assert!(!Auto.resolve(false, None), "not a terminal");
        assert!(!Auto.resolve(true, Some(OsStr::new("1"))), "NO_COLOR set");
        assert!(Auto.resolve(true, Some(OsStr::new(""))), "an empty NO_COLOR is unset (no-color.org)");
        assert!(Always.resolve(false, Some(OsStr::new("1"))), "an explicit --color always wins");
        assert!(!Never.resolve(true, None));
    }
}
