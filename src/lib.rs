//! normbok library.
