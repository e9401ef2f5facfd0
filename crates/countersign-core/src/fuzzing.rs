//! Entry points for the fuzz targets under `fuzz/` (its own Cargo workspace, run with
//! `cargo +nightly fuzz run TARGET`).
//!
//! The parsers that read hostile input are mostly crate-private; these thin wrappers expose
//! exactly what a fuzz target (or a regression test for an input it found) needs, and
//! nothing else. Each returns whether the input parsed, so a target has something to look at;
//! what matters is that none of them panics, hangs or goes quadratic.

use std::collections::BTreeMap;

use crate::git::RepoFiles;
use crate::Result;

/// Runs the Rust module scanner (what `impact` reads of every `.rs` file) over `src`; true
/// when it parsed.
pub fn scan_rust_module(src: &str) -> bool {
    crate::impact::modules::scan_source(src)
}

/// Splits a REVSPEC the way the command line does (`A..B`, `A...B`, or a single revision):
/// `Some((from, to, merge_base))` for a range, None for a single revision.
pub fn split_range(spec: &str) -> Option<(&str, &str, bool)> {
    crate::git::split_range(spec)
}

/// Loads the Cargo workspace rooted at the in-memory tree `files` (path → bytes, `/`-separated
/// paths); true when it loaded.
pub fn load_workspace(files: BTreeMap<String, Vec<u8>>) -> bool {
    crate::impact::Workspace::load(&MemoryTree { files }).is_ok()
}

/// A tree of files held in memory.
struct MemoryTree {
    files: BTreeMap<String, Vec<u8>>,
}

impl RepoFiles for MemoryTree {
    fn label(&self) -> &str {
        "fuzz"
    }

    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.files.get(path).cloned())
    }

    fn subdirs(&self, dir: &str) -> Vec<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut out: Vec<String> = self
            .files
            .keys()
            .filter_map(|p| p.strip_prefix(prefix.as_str()))
            .filter_map(|rest| rest.split_once('/').map(|(d, _)| d.to_string()))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_in_memory_tree_loads_a_workspace_the_fuzz_target_can_grow_from() {
        let mut files = BTreeMap::new();
        files.insert(
            "Cargo.toml".to_string(),
            b"[workspace]\nmembers = [\"crates/*\"]\n".to_vec(),
        );
        files.insert(
            "crates/a/Cargo.toml".to_string(),
            b"[package]\nname = \"a\"\nversion = \"0.1.0\"\n".to_vec(),
        );
        files.insert(
            "crates/a/src/lib.rs".to_string(),
            b"pub fn f() {}\n".to_vec(),
        );
        assert!(load_workspace(files));
    }

    #[test]
    fn the_scanner_and_range_splitter_entry_points_answer() {
        assert!(scan_rust_module("mod a; use a::b;\n"));
        assert!(!scan_rust_module("fn f() {\n"));
        assert_eq!(split_range("a...b"), Some(("a", "b", true)));
        assert_eq!(split_range("a..b"), Some(("a", "b", false)));
        assert_eq!(split_range("HEAD"), None);
    }
}
