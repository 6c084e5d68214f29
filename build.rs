//! Embeds the browser search engine (SPEC §7): the `search-index` crate compiled to
//! `wasm32-unknown-unknown`, which `src/search.rs` includes with
//!
//! ```ignore
//! include_bytes!(concat!(env!("OUT_DIR"), "/search_index.wasm"))
//! ```
//!
//! The module is committed as `engine/search_index.wasm` and copied from there, so building
//! or installing normbok (`cargo install --path .`) needs neither the wasm32 target nor a
//! nested cargo run. `scripts/build-engine` rebuilds it from `search-index/` (reproducibly:
//! pinned toolchain, remapped paths), and CI runs `scripts/build-engine --check`, which fails
//! when the committed bytes differ from a fresh build.
//!
//! `NORMBOK_SEARCH_WASM=/path/to/search_index.wasm` embeds another module instead (e.g. one
//! just built while working on `search-index/`).

use std::env;
use std::path::{Path, PathBuf};

/// The committed module, relative to the package root.
const COMMITTED: &str = "engine/search_index.wasm";
/// SPEC budget for the uncompressed module.
const WASM_BUDGET_BYTES: u64 = 2_500_000;

fn main() {
    println!("cargo:rerun-if-changed={COMMITTED}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=NORMBOK_SEARCH_WASM");

    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| fail("cargo did not set CARGO_MANIFEST_DIR")));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_else(|| fail("cargo did not set OUT_DIR")));
    let source = match env::var_os("NORMBOK_SEARCH_WASM").filter(|v| !v.is_empty()) {
        Some(prebuilt) => PathBuf::from(prebuilt),
        None => manifest_dir.join(COMMITTED),
    };
    if !source.is_file() {
        fail(&format!(
            "the browser search engine {} is missing; it is part of the repository (restore it with \
             `git checkout -- {COMMITTED}`, or rebuild it with `scripts/build-engine`)",
            source.display()
        ));
    }
    let dest = out_dir.join("search_index.wasm");
    copy(&source, &dest);
    let size = std::fs::metadata(&dest).map(|m| m.len()).unwrap_or(0);
    if size > WASM_BUDGET_BYTES {
        println!("cargo:warning=the search engine is {size} bytes, over the {WASM_BUDGET_BYTES}-byte budget");
    }
}

fn copy(from: &Path, to: &Path) {
    if let Err(e) = std::fs::copy(from, to) {
        fail(&format!("could not copy {} to {}: {e}", from.display(), to.display()));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
