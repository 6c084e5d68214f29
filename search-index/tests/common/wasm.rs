//! Building the wasm search engine for tests, exactly like the root build.rs.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub fn node_available() -> bool {
    Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Same command and environment as build.rs (keep in sync), so the artifacts are shared.
pub fn build_wasm() -> PathBuf {
    if let Some(prebuilt) = std::env::var_os("NORMBOK_SEARCH_WASM").filter(|v| !v.is_empty()) {
        return PathBuf::from(prebuilt);
    }
    let exe = std::env::current_exe().unwrap();
    let target_dir = exe
        .ancestors()
        .skip(1)
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .map_or_else(|| std::env::temp_dir().join("normbok-search-wasm"), |t| t.join("search-wasm"));
    let root = workspace_root();
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(&root)
        .arg("rustc")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["-p", "search-index", "--lib", "--crate-type", "cdylib"])
        .args(["--target", "wasm32-unknown-unknown", "--profile", "wasm-release"])
        .args(["--no-default-features", "--features", "web", "--locked"])
        .arg("--target-dir")
        .arg(&target_dir);
    for name in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_BUILD_BUILD_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
        "CARGO_PRIMARY_PACKAGE",
        "__CARGO_FIX_PLZ",
    ] {
        command.env_remove(name);
    }
    command.env("CARGO_ENCODED_RUSTFLAGS", "--cfg\x1fgetrandom_backend=\"unsupported\"");
    let output = command.output().unwrap();
    assert!(output.status.success(), "building the wasm search engine failed:\n{}", String::from_utf8_lossy(&output.stderr));
    target_dir.join("wasm32-unknown-unknown/wasm-release/search_index.wasm")
}
