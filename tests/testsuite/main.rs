//! The one integration-test binary: fixture sites under `tests/fixtures/{ok,bad}/`, the
//! bundled site, output atomicity and snapshots of rendered fragments.

// Helpers are shared between modules of this binary only.
#![allow(unreachable_pub)]

mod bundled;
mod cli;
mod content;
mod docs;
mod fixtures;
mod following;
#[cfg(feature = "linkcheck")]
mod linkcheck;
mod output;
mod search;
#[cfg(feature = "serve")]
mod serve;
mod snapshots;
mod support;
mod versions;
mod xlsx;
