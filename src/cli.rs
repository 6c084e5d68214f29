//! The command line (SPEC §4): clap definitions only; `main.rs` maps them onto the library.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Compile normative guidance (YAML requirements + Markdown guides) into a versioned static website.
#[derive(Debug, Parser)]
#[command(name = "normbok", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
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
    /// Print the JSON Schema of requirement and reference files.
    Schema,
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
}
