//! Resolving REVSPECs the way DESIGN.md says, every name through [`super::resolve_rev`] (no
//! short-name guessing: a tag cannot stand in for a branch).
//!
//! | REVSPEC | commits (oldest first) |
//! |---|---|
//! | `A..B` | reachable from B, not from A (merged-in commits included), like `git log A..B` |
//! | `A...B` | `merge-base(A, B)..B`: what B did since it forked from A |
//! | `C` | C alone |
//! | `C^!` | C alone |
//! | `C^@` | C's parents, each alone |
//! | `C^-N` | `C^N..C` (N defaults to 1) |
//!
//! A side left empty (`..HEAD`, `HEAD..`, often an unset shell variable) is refused rather
//! than read as HEAD. The default range (nothing given) depends on the trusted ref and is
//! chosen by the review layer with [`commits_since`].

use git2::{Oid, Repository, Sort};

use super::refs::{no_refs, resolve_rev, unborn};
use crate::{Error, Result};

/// What a REVSPEC resolved to, for messages and headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeSpec {
    /// The commits, oldest first (first-parent and merged-in commits alike, as `git log A..B`).
    pub commits: Vec<git2::Oid>,
    /// How the range was chosen, for display: `main..HEAD`, `HEAD~1`.
    pub description: String,
}

/// The commit HEAD points at. A repository without commits is an error that says so.
pub(crate) fn head_commit(repo: &Repository) -> Result<Oid> {
    let head = match repo.head() {
        Ok(head) => head,
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch || repo.is_empty().unwrap_or(false) => {
            return Err(unborn(repo));
        }
        Err(e) => return Err(Error::git("reading HEAD")(e)),
    };
    Ok(head
        .peel_to_commit()
        .map_err(Error::git("reading the commit HEAD points at"))?
        .id())
}

/// Resolves a REVSPEC given on the command line: `A..B` (commits reachable from B, not from
/// A), `A...B` (from the merge base of A and B to B), or a single commit (that commit alone).
///
/// Errors: [`Error::UnknownRevision`] for anything that does not resolve to commits or has an
/// empty side, [`Error::AmbiguousRevision`] for a name several refs answer to, and an
/// [`Error::Message`] for a repository without any commit.
pub fn resolve_range(repo: &Repository, spec: &str) -> Result<RangeSpec> {
    // An explicit range needs no HEAD (on an orphan branch `main~3..main` is still a range);
    // a side that names HEAD says so itself when HEAD has no commit.
    if no_refs(repo) && repo.head().is_err() {
        return Err(unborn(repo));
    }
    if let Some(range) = parent_shorthand(repo, spec)? {
        return Ok(range);
    }
    let (from, to, merge_base) = match split_range(spec) {
        None => {
            let id = resolve_rev(repo, spec)?.commit;
            return Ok(RangeSpec {
                commits: vec![id],
                description: spec.to_string(),
            });
        }
        Some(parts) => parts,
    };
    if from.is_empty() || to.is_empty() {
        return Err(Error::UnknownRevision {
            spec: spec.to_string(),
            reason: "one side of the range is empty (an unset variable?); write both sides, \
                     e.g. refs/remotes/origin/main..HEAD"
                .to_string(),
        });
    }
    let side = |rev: &str| {
        resolve_rev(repo, rev).map_err(|e| match e {
            Error::UnknownRevision { reason, .. } => Error::UnknownRevision {
                spec: spec.to_string(),
                reason: format!("`{rev}`: {reason}"),
            },
            other => other,
        })
    };
    let from = side(from)?.commit;
    let to = side(to)?.commit;
    let hide = if merge_base {
        repo.merge_base(from, to)
            .map_err(|e| Error::UnknownRevision {
                spec: spec.to_string(),
                reason: format!("the two sides have no common ancestor ({})", e.message()),
            })?
    } else {
        from
    };
    Ok(RangeSpec {
        commits: walk(repo, to, Some(hide))?,
        description: spec.to_string(),
    })
}

/// git's parent shorthands (`git help revisions`): `C^!` is C alone (without its parents'
/// history), `C^@` its parents (each alone, as a single commit is), `C^-N` is `C^N..C` (N
/// defaults to 1: what a merge brought in). None for any other spec.
fn parent_shorthand(repo: &Repository, spec: &str) -> Result<Option<RangeSpec>> {
    let rev = |r: &str| {
        resolve_rev(repo, r).map_err(|e| match e {
            Error::UnknownRevision { reason, .. } => Error::UnknownRevision {
                spec: spec.to_string(),
                reason,
            },
            other => other,
        })
    };
    let commits = if let Some(base) = spec.strip_suffix("^!") {
        vec![rev(base)?.commit]
    } else if let Some(base) = spec.strip_suffix("^@") {
        let c = rev(base)?.commit;
        let commit = repo
            .find_commit(c)
            .map_err(Error::git(format!("reading {c}")))?;
        let mut parents: Vec<Oid> = commit.parent_ids().collect();
        parents.reverse();
        parents
    } else if let Some((base, n)) = spec
        .rsplit_once("^-")
        .filter(|(b, n)| !b.is_empty() && (n.is_empty() || n.bytes().all(|d| d.is_ascii_digit())))
    {
        let n = if n.is_empty() { "1" } else { n };
        let parent = rev(&format!("{base}^{n}"))?.commit;
        let tip = rev(base)?.commit;
        walk(repo, tip, Some(parent))?
    } else {
        return Ok(None);
    };
    Ok(Some(RangeSpec {
        commits,
        description: spec.to_string(),
    }))
}

/// `A..B` → (A, B, false); `A...B` → (A, B, true); anything else → None. Ref names cannot
/// contain `..`, so the first `..` is the separator.
pub(crate) fn split_range(spec: &str) -> Option<(&str, &str, bool)> {
    let at = spec.find("..")?;
    let (from, rest) = spec.split_at(at);
    match rest.strip_prefix("...") {
        Some(to) => Some((from, to, true)),
        None => Some((from, &rest[2..], false)),
    }
}

/// The commits reachable from `tip` and not from `hide`, oldest first.
pub(crate) fn commits_since(repo: &Repository, tip: Oid, hide: Oid) -> Result<Vec<Oid>> {
    walk(repo, tip, Some(hide))
}

/// In a shallow clone: the first of `commits` whose parents were not fetched. A range that
/// reaches such a commit may be missing commits of the change (they lie past the boundary).
pub(crate) fn shallow_boundary(repo: &Repository, commits: &[Oid]) -> Result<Option<Oid>> {
    if !repo.is_shallow() {
        return Ok(None);
    }
    let path = repo.path().join("shallow");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path)(e)),
    };
    let cut: std::collections::HashSet<Oid> = text
        .lines()
        .filter_map(|l| Oid::from_str(l.trim()).ok())
        .collect();
    Ok(commits.iter().copied().find(|c| cut.contains(c)))
}

/// Commits reachable from `tip` and not from `hide`, parents before children.
fn walk(repo: &Repository, tip: Oid, hide: Option<Oid>) -> Result<Vec<Oid>> {
    let mut walk = repo.revwalk().map_err(Error::git("walking history"))?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .map_err(Error::git("walking history"))?;
    walk.push(tip).map_err(Error::git("walking history"))?;
    if let Some(hide) = hide {
        walk.hide(hide).map_err(Error::git("walking history"))?;
    }
    walk.collect::<std::result::Result<Vec<_>, _>>()
        .map_err(Error::git("walking history"))
}
