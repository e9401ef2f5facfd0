//! Checkout attributes already on the trusted ref: `.gitattributes` lines that make git write a
//! file differently from its blob (DESIGN, "Checkout fidelity"). A change that sets them is
//! judged as a change to the files they cover (`review::reach`); one that is already on the
//! trusted ref changes no tier, but the reviewer should know that what builds is not byte for
//! byte what they read, so each such file is flagged.
//!
//! Flagged, when set: `ident` (expands `$Id$`), `filter=…` (a clean/smudge program, Git LFS),
//! `eol=crlf` (LF written as CRLF), `working-tree-encoding=…` (re-encoded), `export-subst`
//! (rewritten by `git archive`). Not flagged: `text`, `text=auto` and `eol=lf`, which on
//! checkout write an LF blob as it is; unset (`-ident`) and unspecified (`!ident`) forms.
//! A macro (`[attr]name …`) that sets one of these flags the files it is given to.
//!
//! Patterns are read as gitattributes(5) says: gitignore rules relative to the directory of
//! the `.gitattributes` file, a pattern without a slash matching the file name at any depth;
//! a pattern matching a directory does not cover the files inside it.

use std::collections::{BTreeMap, HashMap};

use globset::{GlobBuilder, GlobMatcher};

use crate::util::bounded::{self, Limit};

/// A `.gitattributes` file: 1 MiB (git's own limit is 100 MB; no real one is near 1 MiB).
const ATTRIBUTES: Limit = Limit {
    what: ".gitattributes file",
    bytes: 1024 * 1024,
};

/// One `.gitattributes` line that sets a checkout attribute.
struct Rule {
    glob: GlobMatcher,
    /// The pattern has no slash: it matches the file name at any depth.
    name_only: bool,
    /// The attributes it sets that change a checkout, as written (`ident`, `filter=lfs`).
    sets: Vec<String>,
}

/// The checkout attributes of one tree, read lazily per directory.
pub(crate) struct CheckoutAttributes<'r> {
    repo: &'r git2::Repository,
    tree: git2::Tree<'r>,
    /// Directory (`""` for the root) → its rules, or a sentence when its file could not be
    /// read (then every file below is flagged: fail closed).
    dirs: HashMap<String, Result<Vec<Rule>, String>>,
}

impl<'r> CheckoutAttributes<'r> {
    /// The attributes of `tree` in `repo`.
    pub(crate) fn new(repo: &'r git2::Repository, tree: git2::Tree<'r>) -> Self {
        CheckoutAttributes {
            repo,
            tree,
            dirs: HashMap::new(),
        }
    }

    /// The checkout attributes set on `path` (a file path in the tree), as written, or a
    /// sentence saying a `.gitattributes` above it could not be read. Empty when none.
    pub(crate) fn on(&mut self, path: &str) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        let mut dir = String::new();
        let parts: Vec<&str> = path.split('/').collect();
        for (depth, part) in parts.iter().enumerate() {
            let rel = parts[depth..].join("/");
            let name = parts.last().copied().unwrap_or(part);
            match self.rules_in(&dir) {
                Ok(rules) => {
                    for r in rules {
                        let hit = if r.name_only {
                            r.glob.is_match(name)
                        } else {
                            r.glob.is_match(&rel)
                        };
                        if hit {
                            found.extend(r.sets.iter().cloned());
                        }
                    }
                }
                Err(why) => found.push(why.clone()),
            }
            if depth + 1 < parts.len() {
                if !dir.is_empty() {
                    dir.push('/');
                }
                dir.push_str(part);
            }
        }
        found.sort();
        found.dedup();
        found
    }

    fn rules_in(&mut self, dir: &str) -> &Result<Vec<Rule>, String> {
        if !self.dirs.contains_key(dir) {
            let rules = self.read_rules(dir);
            self.dirs.insert(dir.to_string(), rules);
        }
        &self.dirs[dir]
    }

    fn read_rules(&self, dir: &str) -> Result<Vec<Rule>, String> {
        let path = if dir.is_empty() {
            ".gitattributes".to_string()
        } else {
            format!("{dir}/.gitattributes")
        };
        let Ok(entry) = self.tree.get_path(std::path::Path::new(&path)) else {
            return Ok(Vec::new());
        };
        if entry.kind() != Some(git2::ObjectType::Blob) || entry.filemode() == 0o120000 {
            // git reads no attributes through a symlink or from a non-file.
            return Ok(Vec::new());
        }
        let text = bounded::read_blob(self.repo, entry.id(), &path, ATTRIBUTES)
            .map_err(|e| format!("{path} could not be read ({e})"))?;
        Ok(parse(&String::from_utf8_lossy(&text)))
    }
}

/// The rules of one `.gitattributes` text that set checkout attributes (macros expanded).
fn parse(text: &str) -> Vec<Rule> {
    let mut macros: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut rules = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(pattern) = words.next() else {
            continue;
        };
        let attrs: Vec<&str> = words.collect();
        let sets: Vec<String> = attrs
            .iter()
            .flat_map(|a| match macros.get(a) {
                Some(inner) => inner.iter().map(|i| format!("{a} ({i})")).collect(),
                None => changes_checkout(a).into_iter().collect::<Vec<_>>(),
            })
            .collect();
        if let Some(name) = pattern.strip_prefix("[attr]") {
            macros.insert(name, sets);
            continue;
        }
        if sets.is_empty() || pattern.starts_with('!') {
            continue;
        }
        let pattern = pattern.strip_prefix('\\').unwrap_or(pattern);
        let name_only = !pattern.trim_end_matches('/').contains('/');
        let anchored = pattern.trim_start_matches('/');
        if anchored.ends_with('/') {
            // A directory pattern: it does not cover the files inside (gitattributes(5)).
            continue;
        }
        let Ok(glob) = GlobBuilder::new(anchored)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
        else {
            continue;
        };
        rules.push(Rule {
            glob: glob.compile_matcher(),
            name_only,
            sets,
        });
    }
    rules
}

/// `attr` as written on a line, when it sets an attribute that changes a checkout.
fn changes_checkout(attr: &str) -> Option<String> {
    let (name, value) = match attr.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (attr, None),
    };
    let set = match (name, value) {
        ("ident", None) | ("export-subst", None) => true,
        ("filter", Some(_)) | ("working-tree-encoding", Some(_)) => true,
        ("eol", Some(v)) => v.eq_ignore_ascii_case("crlf"),
        _ => false,
    };
    set.then(|| attr.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(text: &str, path: &str) -> Vec<String> {
        let rules = parse(text);
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut out: Vec<String> = Vec::new();
        for r in &rules {
            let hit = if r.name_only {
                r.glob.is_match(name)
            } else {
                r.glob.is_match(path)
            };
            if hit {
                out.extend(r.sets.iter().cloned());
            }
        }
        out
    }

    #[test]
    fn only_attributes_that_change_a_checkout_are_kept() {
        let text = "* text=auto eol=lf\n*.rs ident\n*.bin -ident !filter\n*.png filter=lfs -text\n";
        assert_eq!(sets(text, "src/lib.rs"), ["ident"]);
        assert!(sets(text, "README.md").is_empty());
        assert!(sets(text, "x.bin").is_empty());
        assert_eq!(sets(text, "a/b.png"), ["filter=lfs"]);
        assert_eq!(sets("*.txt eol=crlf\n", "a.txt"), ["eol=crlf"]);
    }

    #[test]
    fn patterns_with_a_slash_are_anchored_and_macros_expand() {
        let text =
            "[attr]smudged filter=x ident\nsrc/*.rs smudged\n/top.rs export-subst\ndir/ ident\n";
        assert_eq!(
            sets(text, "src/lib.rs"),
            ["smudged (filter=x)", "smudged (ident)"]
        );
        assert!(sets(text, "src/deep/lib.rs").is_empty());
        assert_eq!(sets(text, "top.rs"), ["export-subst"]);
        assert!(sets(text, "dir/x.rs").is_empty(), "a directory pattern");
    }
}
