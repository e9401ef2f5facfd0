//! Expanding `[workspace] members` entries against a tree's directories.

use super::tree::{join, normalize};
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
