//! Preview server, build side: keeps the last good build in memory and rebuilds it after
//! source changes.
//!
//! The result of every rebuild is exactly what [`crate::compile`] would produce for the same
//! sources (a test checks this byte for byte); only the amount of work differs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use axum::body::Bytes;

use crate::diag::Diagnostics;

/// The served site: output path → bytes (cheap to clone: the bytes are shared).
pub type Served = BTreeMap<String, Bytes>;

/// Rebuilds the site of one root.
pub struct Rebuilder {
    root: PathBuf,
    files: Served,
}

/// What a successful build produced.
pub struct Built {
    /// The site.
    pub files: Served,
    /// Warnings.
    pub warnings: Diagnostics,
}

impl Rebuilder {
    /// A rebuilder with nothing built yet.
    pub fn new(root: &Path) -> Self {
        Rebuilder { root: root.to_path_buf(), files: Served::new() }
    }

    /// Builds after `changed` paths changed (all of them on the first call). On failure the
    /// previous build stays the current one.
    pub fn rebuild(&mut self, _changed: &[PathBuf]) -> Result<Built, Diagnostics> {
        let c = crate::compile(&self.root)?;
        self.files = c.files.into_iter().map(|(k, v)| (k, Bytes::from(v))).collect();
        Ok(Built { files: self.files.clone(), warnings: c.diagnostics })
    }
}
