//! The base-graph side of a change that removes modules: a moved module is a delete plus an
//! add, so the modules that named the old module before the change are its dependents too,
//! even when the tip graph no longer reaches them (the re-export they went through, or the
//! path they named, is gone).

use std::collections::BTreeSet;

use super::scan::scan;
use crate::git::{FileChange, FileStatus};

/// Modules the change removes, as the base revision knew them.
#[derive(Debug, Default)]
pub struct Removed {
    /// `.rs` files deleted or moved away.
    pub(super) files: BTreeSet<String>,
    /// `mod NAME;` declarations dropped from a file that still exists: (file, name).
    pub(super) decls: BTreeSet<(String, String)>,
}

impl Removed {
    /// What `files` remove: None when no `.rs` file is deleted or moved and no module
    /// declaration is dropped (the base graph is then not built, which keeps the common case
    /// cheap). A blob that cannot be read or scanned counts as dropping its declarations.
    pub fn of(repo: &git2::Repository, files: &[&FileChange]) -> Option<Removed> {
        let mut out = Removed::default();
        for f in files {
            let Some(old) = f
                .old_path
                .as_ref()
                .filter(|p| p.as_bytes().ends_with(b".rs"))
            else {
                continue;
            };
            let gone = f.new_path.as_ref() != Some(old) || matches!(f.status, FileStatus::Deleted);
            if gone {
                out.files.insert(old.display());
                continue;
            }
            for name in dropped_decls(repo, f.old_id.as_deref(), f.new_id.as_deref()) {
                out.decls.insert((old.display(), name));
            }
        }
        (!out.files.is_empty() || !out.decls.is_empty()).then_some(out)
    }
}

/// The `mod` names declared in blob `old` and no longer in blob `new`.
fn dropped_decls(repo: &git2::Repository, old: Option<&str>, new: Option<&str>) -> Vec<String> {
    let text = |id: Option<&str>| -> Option<String> {
        let oid = git2::Oid::from_str(id?).ok()?;
        let blob = repo.find_blob(oid).ok()?;
        Some(String::from_utf8_lossy(blob.content()).into_owned())
    };
    let Some(before) = text(old) else {
        return Vec::new();
    };
    // Cheap pre-check: most files declare no module.
    if !before.contains("mod ") {
        return Vec::new();
    }
    let names = |src: &str| -> Option<BTreeSet<String>> {
        Some(scan(src).ok()?.mods.into_iter().map(|m| m.name).collect())
    };
    let Some(was) = names(&before) else {
        return Vec::new();
    };
    let now = text(new).and_then(|s| names(&s)).unwrap_or_default();
    was.difference(&now).cloned().collect()
}
