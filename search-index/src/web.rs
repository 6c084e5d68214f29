//! Browser entry points (`wasm32-unknown-unknown`, no wasm-bindgen).
//!
//! The module imports one function, `env.host_log(ptr, len)` (UTF-8 text: panic messages),
//! and exports `memory` plus:
//!
//! | export | purpose |
//! |---|---|
//! | `format_version() -> u32` | [`FORMAT_VERSION`](crate::FORMAT_VERSION) |
//! | `alloc(len) -> ptr` | a zeroed input buffer of `len` bytes for the host to fill |
//! | `dealloc(ptr, len)` | frees a buffer that was not passed on (no-op for unknown ptrs) |
//! | `load_index(ptr, len) -> i32` | decodes a bundle (consumes the buffer); several versions may be loaded, loading a version again replaces it |
//! | `search(ptr, len) -> i32` | runs a JSON [`SearchRequest`] (consumes the buffer) |
//! | `result_ptr() -> ptr`, `result_len() -> len` | the JSON result of the last call |
//!
//! Return value 0 means success; 1 means the result is `{"error":{"code","message",…}}`.
//! `load_index` success: `{"ok":true,"version","language","format","num_docs"}`.
//! `search` success: a [`SearchResponse`](crate::SearchResponse). A request without
//! `version` searches the most recently loaded index.
//!
//! Buffers are owned by Rust: `alloc` keeps the `Vec` in a table keyed by its address, so
//! reading the input back is ordinary safe code. The only `unsafe` here is the export
//! attribute and the imported function.

#![allow(unreachable_pub)] // the exports are reached from JavaScript, not Rust

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Once;

use serde_json::json;

use crate::bundle::{DecodeError, SearchIndex};
use crate::query::SearchRequest;

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn host_log(ptr: *const u8, len: usize);
}

fn log(message: &str) {
    // SAFETY: the host reads `len` bytes at `ptr` from this module's memory, synchronously.
    unsafe { host_log(message.as_ptr(), message.len()) }
}

#[derive(Default)]
struct State {
    buffers: BTreeMap<usize, Vec<u8>>,
    indexes: BTreeMap<String, SearchIndex>,
    last_loaded: Option<String>,
    result: Vec<u8>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

static HOOK: Once = Once::new();

fn init() {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            log(&format!("normbok search engine panicked: {info}"));
        }));
    });
}

/// Takes the buffer that `alloc` returned for `ptr`, cut to `len` bytes.
fn take_buffer(state: &mut State, ptr: usize, len: usize) -> Option<Vec<u8>> {
    let mut buffer = state.buffers.remove(&ptr)?;
    if len > buffer.len() {
        return None;
    }
    buffer.truncate(len);
    Some(buffer)
}

fn error_json(code: &str, message: &str) -> serde_json::Value {
    json!({ "error": { "code": code, "message": message } })
}

fn finish(state: &mut State, value: &serde_json::Value, status: i32) -> i32 {
    state.result = value.to_string().into_bytes();
    status
}

/// The bundle format this engine reads.
#[unsafe(no_mangle)]
pub extern "C" fn format_version() -> u32 {
    crate::FORMAT_VERSION
}

/// Allocates a zeroed buffer of `len` bytes and returns its address.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    init();
    let mut buffer = vec![0u8; len.max(1)];
    let ptr = buffer.as_mut_ptr();
    STATE.with(|s| s.borrow_mut().buffers.insert(ptr as usize, buffer));
    ptr
}

/// Frees a buffer from `alloc` that was not consumed by `load_index`/`search`.
#[unsafe(no_mangle)]
pub extern "C" fn dealloc(ptr: *mut u8, _len: usize) {
    STATE.with(|s| s.borrow_mut().buffers.remove(&(ptr as usize)));
}

/// Decodes the bundle in the buffer and keeps it under its version id.
#[unsafe(no_mangle)]
pub extern "C" fn load_index(ptr: *mut u8, len: usize) -> i32 {
    init();
    STATE.with(|s| {
        let mut state = s.borrow_mut();
        let Some(bytes) = take_buffer(&mut state, ptr as usize, len) else {
            return finish(&mut state, &error_json("bad-buffer", "unknown buffer"), 1);
        };
        crate::query::warm_up();
        match SearchIndex::decode(&bytes) {
            Ok(index) => {
                let version = index.version().to_string();
                let value = json!({
                    "ok": true,
                    "version": version,
                    "language": index.language().code(),
                    "format": crate::FORMAT_VERSION,
                    "num_docs": index.num_docs(),
                });
                state.indexes.insert(version.clone(), index);
                state.last_loaded = Some(version);
                finish(&mut state, &value, 0)
            }
            Err(e) => {
                let mut value = error_json(e.code(), &e.to_string());
                if let DecodeError::IncompatibleFormat { found, expected } = e {
                    value["error"]["found"] = json!(found);
                    value["error"]["expected"] = json!(expected);
                }
                finish(&mut state, &value, 1)
            }
        }
    })
}

/// Runs the JSON search request in the buffer.
#[unsafe(no_mangle)]
pub extern "C" fn search(ptr: *mut u8, len: usize) -> i32 {
    init();
    STATE.with(|s| {
        let mut state = s.borrow_mut();
        let Some(bytes) = take_buffer(&mut state, ptr as usize, len) else {
            return finish(&mut state, &error_json("bad-buffer", "unknown buffer"), 1);
        };
        let request: SearchRequest = match serde_json::from_slice(&bytes) {
            Ok(request) => request,
            Err(e) => {
                return finish(&mut state, &error_json("bad-request", &e.to_string()), 1);
            }
        };
        let version = request.version.clone().or_else(|| state.last_loaded.clone());
        let Some(index) = version.as_ref().and_then(|v| state.indexes.get(v)) else {
            let message = match version {
                Some(v) => format!("no search index loaded for version {v}"),
                None => "no search index loaded".to_string(),
            };
            return finish(&mut state, &error_json("no-index", &message), 1);
        };
        let (value, status) = match index.search(&request) {
            Ok(response) => match serde_json::to_value(&response) {
                Ok(value) => (value, 0),
                Err(e) => (error_json("internal", &e.to_string()), 1),
            },
            Err(e) => (error_json("internal", &e.to_string()), 1),
        };
        finish(&mut state, &value, status)
    })
}

/// Address of the last result (UTF-8 JSON).
#[unsafe(no_mangle)]
pub extern "C" fn result_ptr() -> *const u8 {
    STATE.with(|s| s.borrow().result.as_ptr())
}

/// Length in bytes of the last result.
#[unsafe(no_mangle)]
pub extern "C" fn result_len() -> usize {
    STATE.with(|s| s.borrow().result.len())
}
