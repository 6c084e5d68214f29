//! Builds the browser search engine: the `search-index` crate compiled to
//! `wasm32-unknown-unknown` (SPEC §7), so that the `normbok` binary can embed it with
//!
//! ```ignore
//! include_bytes!(concat!(env!("OUT_DIR"), "/search_index.wasm"))
//! ```
//!
//! How:
//! * A nested `cargo rustc -p search-index --lib --crate-type cdylib --target
//!   wasm32-unknown-unknown --profile wasm-release --no-default-features --features web
//!   --locked`, in its own target directory `<target>/search-wasm` (next to `debug/` and
//!   `release/`, shared by all profiles, so warm builds are a ~1 s no-op; never the outer
//!   build's locked directories).
//! * Inherited variables that would leak the outer build's settings into the nested one are
//!   removed (`RUSTFLAGS`, `CARGO_ENCODED_RUSTFLAGS`, `CARGO_TARGET_DIR`, clippy's
//!   `RUSTC_WORKSPACE_WRAPPER`, …); the wasm rustflags (`getrandom_backend="unsupported"`,
//!   the same as `.cargo/config.toml`) are passed explicitly so any config is irrelevant.
//!   The outer jobserver (`CARGO_MAKEFLAGS`) is kept, so `-j` still bounds the total.
//! * `wasm-opt -Oz` runs if it is on `PATH` (set `NORMBOK_WASM_OPT=0` to skip); not
//!   required.
//! * `NORMBOK_SEARCH_WASM=/path/to/search_index.wasm` uses a prebuilt module instead.
//! * If the wasm target is missing or the nested build fails, the build fails with a clear
//!   message: a normbok without search is never produced silently.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";
/// SPEC budget for the uncompressed module.
const WASM_BUDGET_BYTES: u64 = 2_500_000;
/// `--cfg getrandom_backend="unsupported"`, as CARGO_ENCODED_RUSTFLAGS (0x1f-separated).
const WASM_RUSTFLAGS: &str = "--cfg\x1fgetrandom_backend=\"unsupported\"";

/// Variables of the outer build that must not reach the nested one.
const CLEARED_VARS: &[&str] = &[
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
];

fn main() {
    for path in ["search-index/src", "search-index/Cargo.toml", "Cargo.lock", "Cargo.toml", ".cargo/config.toml", "build.rs"] {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-env-changed=NORMBOK_SEARCH_WASM");
    println!("cargo:rerun-if-env-changed=NORMBOK_WASM_OPT");

    let manifest_dir = PathBuf::from(var("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(var("OUT_DIR"));
    let dest = out_dir.join("search_index.wasm");

    if let Some(prebuilt) = env::var_os("NORMBOK_SEARCH_WASM").filter(|v| !v.is_empty()) {
        copy(Path::new(&prebuilt), &dest);
        check_size(&dest);
        return;
    }

    let target_dir = nested_target_dir(&out_dir);
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(&cargo);
    command
        .current_dir(&manifest_dir)
        .arg("rustc")
        .arg("--manifest-path")
        .arg(manifest_dir.join("Cargo.toml"))
        .args(["-p", "search-index", "--lib", "--crate-type", "cdylib"])
        .args(["--target", WASM_TARGET, "--profile", PROFILE])
        .args(["--no-default-features", "--features", "web", "--locked"])
        .arg("--target-dir")
        .arg(&target_dir)
        .stdin(Stdio::null());
    for name in CLEARED_VARS {
        command.env_remove(name);
    }
    command.env("CARGO_ENCODED_RUSTFLAGS", WASM_RUSTFLAGS);

    let mut output = run(&mut command, &cargo);
    if !output.status.success() && missing_target(&output.stderr) && install_target() {
        // rustup installs the targets of rust-toolchain.toml only together with a missing
        // toolchain, not into one that is already there (rustup 1.28+); a fresh machine
        // with stable preinstalled would otherwise stop here.
        output = run(&mut command, &cargo);
    }
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        if missing_target(&output.stderr) {
            fail(&format!(
                "the Rust target {WASM_TARGET} is not installed, and normbok's browser search \
                 engine is compiled for it; `rustup target add {WASM_TARGET}` failed or rustup \
                 is not available. Install the target and build again."
            ));
        }
        fail(&format!(
            "building the browser search engine (search-index for {WASM_TARGET}) failed; \
             the nested cargo output is above"
        ));
    }

    let built = target_dir.join(WASM_TARGET).join(PROFILE).join("search_index.wasm");
    if !built.is_file() {
        fail(&format!("the nested build succeeded but {} is missing", built.display()));
    }
    if !optimize(&built, &dest) {
        copy(&built, &dest);
    }
    check_size(&dest);
}

fn run(command: &mut Command, cargo: &OsString) -> std::process::Output {
    command.output().unwrap_or_else(|e| fail(&format!("could not run `{}` to build the search engine: {e}", cargo.to_string_lossy())))
}

fn missing_target(stderr: &[u8]) -> bool {
    let stderr = String::from_utf8_lossy(stderr);
    stderr.contains("target may not be installed") || stderr.contains("can't find crate for `core`") || stderr.contains("can't find crate for `std`")
}

/// `rustup target add` for the toolchain this build runs with (rustup sets
/// RUSTUP_TOOLCHAIN for the processes it starts). Returns whether it succeeded.
fn install_target() -> bool {
    let Some(rustup) = find_on_path("rustup") else {
        return false;
    };
    println!("cargo:warning=installing the Rust target {WASM_TARGET} with rustup (listed in rust-toolchain.toml)");
    let mut command = Command::new(rustup);
    command.args(["target", "add", WASM_TARGET]);
    if let Some(toolchain) = env::var_os("RUSTUP_TOOLCHAIN") {
        command.arg("--toolchain").arg(toolchain);
    }
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::inherit()).status().is_ok_and(|s| s.success())
}

fn var(name: &str) -> OsString {
    env::var_os(name).unwrap_or_else(|| fail(&format!("cargo did not set {name}")))
}

/// `<target>/search-wasm`, where `<target>` is the outer target directory (the ancestor of
/// OUT_DIR holding cargo's CACHEDIR.TAG). Falls back to a directory inside OUT_DIR.
fn nested_target_dir(out_dir: &Path) -> PathBuf {
    out_dir.ancestors().skip(1).find(|dir| dir.join("CACHEDIR.TAG").is_file()).map_or_else(|| out_dir.join("search-wasm"), |t| t.join("search-wasm"))
}

/// Runs `wasm-opt -Oz` when available; returns whether `dest` was written.
fn optimize(input: &Path, dest: &Path) -> bool {
    if env::var_os("NORMBOK_WASM_OPT").is_some_and(|v| v == "0") {
        return false;
    }
    let Some(wasm_opt) = find_on_path("wasm-opt") else {
        return false;
    };
    // Explicit features: older binaryen (Debian's 108) rejects current rustc output
    // without them (FEASIBILITY §3.2 item 10).
    let status = Command::new(&wasm_opt)
        .arg("-Oz")
        .args([
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
        ])
        .arg(input)
        .arg("-o")
        .arg(dest)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    match status {
        Ok(out) if out.status.success() && dest.is_file() => true,
        Ok(out) => {
            println!(
                "cargo:warning=wasm-opt failed, using the unoptimized search engine: {}",
                String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("")
            );
            false
        }
        Err(_) => false,
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}

fn copy(from: &Path, to: &Path) {
    if let Err(e) = std::fs::copy(from, to) {
        fail(&format!("could not copy {} to {}: {e}", from.display(), to.display()));
    }
}

fn check_size(path: &Path) {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > WASM_BUDGET_BYTES {
        println!("cargo:warning=the search engine is {size} bytes, over the {WASM_BUDGET_BYTES}-byte budget");
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
