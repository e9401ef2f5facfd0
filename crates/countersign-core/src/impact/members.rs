//! Expanding `[workspace] members` entries against a tree's directories.

use super::relpath::{join, normalize};
use crate::git::RepoFiles;

/// Expands a `members` entry (`crates/*`, `tools/**`, `app`, `./x/`) into directories, sorted.
/// Whether each holds a package is for the caller to find out (it reads the manifest anyway).
pub(crate) fn expand_glob(tree: &impl RepoFiles, pattern: &str) -> Vec<String> {
    let Some(pattern) = normalize("", pattern) else {
        return Vec::new();
    };
    let mut current = vec![String::new()];
    for component in pattern.split('/').filter(|c| !c.is_empty()) {
        let mut next = Vec::new();
        for base in &current {
            if component == "**" {
                let mut stack = vec![base.clone()];
                while let Some(dir) = stack.pop() {
                    for sub in tree.subdirs(&dir) {
                        let p = join(&dir, &sub);
                        stack.push(p.clone());
                        next.push(p);
                    }
                }
                next.push(base.clone());
            } else if component.contains(['*', '?', '[']) {
                let Ok(glob) = globset::Glob::new(component) else {
                    continue;
                };
                let matcher = glob.compile_matcher();
                next.extend(
                    tree.subdirs(base)
                        .iter()
                        .filter(|s| matcher.is_match(s))
                        .map(|s| join(base, s)),
                );
            } else {
                next.push(join(base, component));
            }
        }
        current = next;
    }
    current.sort();
    current.dedup();
    current
}

/// Why a `members` entry gives no crate where cargo would refuse it, as (message, help):
/// an invalid glob, a path that leaves the repository, or directories it names that hold no
/// package manifest (`lost`). An entry that matches no directory at all is fine, as in cargo.
pub(crate) fn unusable(pattern: &str, lost: &[&String]) -> Option<(String, String)> {
    if normalize("", pattern).is_none() {
        return Some((
            format!("workspace member `{pattern}` leaves the repository"),
            "countersign reads only the repository: move the crate inside it, or remove the \
             entry"
                .to_string(),
        ));
    }
    if let Some(e) = pattern
        .split('/')
        .filter(|c| c.contains(['*', '?', '[']) && *c != "**")
        .find_map(|c| globset::Glob::new(c).err())
    {
        return Some((
            format!(
                "workspace member `{pattern}` is not a valid glob: {}",
                e.kind()
            ),
            "write a glob cargo accepts, e.g. \"crates/*\"".to_string(),
        ));
    }
    let first = lost.first()?;
    let more = match lost.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Some((
        format!(
            "workspace member `{pattern}` names `{first}`{more}, which holds no package \
                 manifest (Cargo.toml with [package])"
        ),
        "point the entry at crate folders (e.g. \"crates/*\", not \"crates/*/src\"), or \
             add the crate's Cargo.toml"
            .to_string(),
    ))
}
