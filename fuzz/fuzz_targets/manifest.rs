//! Cargo manifests: the workspace loader over an in-memory tree. The input is split on NUL
//! bytes into files: the root `Cargo.toml`, then `crates/a/Cargo.toml`, `crates/b/Cargo.toml`,
//! `crates/a/src/lib.rs`, so members, globs, path dependencies and inheritance all meet.
#![no_main]
use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 4] = [
    "Cargo.toml",
    "crates/a/Cargo.toml",
    "crates/b/Cargo.toml",
    "crates/a/src/lib.rs",
];

fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    for (path, part) in PATHS.iter().zip(data.split(|b| *b == 0)) {
        files.insert((*path).to_string(), part.to_vec());
    }
    let _ = countersign_core::fuzzing::load_workspace(files);
});
