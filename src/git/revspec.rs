//! Resolving REVSPECs the way DESIGN.md says.
//!
//! | REVSPEC | commits (oldest first) |
//! |---|---|
//! | `A..B` | reachable from B, not from A (merged-in commits included), like `git log A..B` |
//! | `A...B` | `merge-base(A, B)..B`: what B did since it forked from A |
//! | `C` | C alone |
//! | nothing | `BASE..HEAD`, with BASE looked up as `refs/heads/BASE`, then `refs/remotes/origin/BASE`; HEAD alone when neither exists |

use git2::{Oid, Repository, RevparseMode, Sort};

use crate::{Error, Result};

/// What a REVSPEC resolved to, for messages and headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeSpec {
    /// The commits, oldest first (first-parent and merged-in commits alike, as `git log A..B`).
    pub commits: Vec<git2::Oid>,
    /// How the range was chosen, for display: `main..HEAD`, `HEAD~1`, `HEAD (no branch main)`.
    pub description: String,
}

/// Resolves a REVSPEC: `A..B` (commits reachable from B, not from A), `A...B` (from the merge
/// base of A and B to B), a single commit (that commit alone), or `None`: the commits of HEAD
/// not on `base` (looked up as `refs/heads/BASE`, then `refs/remotes/origin/BASE`, as CI
/// checkouts often lack the local branch); HEAD alone when there is no such branch; an empty
/// list when HEAD is already on it.
///
/// Errors: [`Error::UnknownRevision`] for anything git cannot resolve to commits, and an
/// [`Error::Message`] for a repository without any commit.
pub fn resolve_range(repo: &Repository, spec: Option<&str>, base: &str) -> Result<RangeSpec> {
    let head = match repo.head() {
        Ok(head) => head,
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch || repo.is_empty().unwrap_or(false) => {
            return Err(unborn());
        }
        Err(e) => return Err(Error::git("reading HEAD")(e)),
    };
    match spec {
        Some(spec) => resolve_spec(repo, spec),
        None => {
            let head = head
                .peel_to_commit()
                .map_err(Error::git("reading the commit HEAD points at"))?
                .id();
            resolve_default(repo, head, base)
        }
    }
}

fn unborn() -> Error {
    Error::Message("the repository has no commits yet; commit something first".to_string())
}

fn unknown(spec: &str) -> impl FnOnce(git2::Error) -> Error + '_ {
    move |e| Error::UnknownRevision {
        spec: spec.to_string(),
        reason: e.message().to_string(),
    }
}

fn commit_of(repo: &Repository, obj: Option<&git2::Object<'_>>, spec: &str) -> Result<Oid> {
    match obj {
        Some(obj) => Ok(obj.peel_to_commit().map_err(unknown(spec))?.id()),
        // `A..` and `..B`: git reads the missing side as HEAD.
        None => Ok(repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .map_err(unknown(spec))?
            .id()),
    }
}

fn resolve_spec(repo: &Repository, spec: &str) -> Result<RangeSpec> {
    let parsed = repo.revparse(spec).map_err(unknown(spec))?;
    let mode = parsed.mode();
    if mode.contains(RevparseMode::SINGLE) && !mode.contains(RevparseMode::RANGE) {
        let id = commit_of(repo, parsed.from(), spec)?;
        return Ok(RangeSpec {
            commits: vec![id],
            description: spec.to_string(),
        });
    }
    let from = commit_of(repo, parsed.from(), spec)?;
    let to = commit_of(repo, parsed.to(), spec)?;
    let hide = if mode.contains(RevparseMode::MERGE_BASE) {
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

fn resolve_default(repo: &Repository, head: Oid, base: &str) -> Result<RangeSpec> {
    for (refname, shown) in [
        (format!("refs/heads/{base}"), base.to_string()),
        (
            format!("refs/remotes/origin/{base}"),
            format!("origin/{base}"),
        ),
    ] {
        let reference = match repo.find_reference(&refname) {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => continue,
            // An invalid name (`base = "a..b"`) cannot be a branch either.
            Err(e) if e.code() == git2::ErrorCode::InvalidSpec => continue,
            Err(e) => return Err(Error::git(format!("reading {refname}"))(e)),
        };
        let base_id = reference
            .peel_to_commit()
            .map_err(Error::git(format!(
                "reading the commit {refname} points at"
            )))?
            .id();
        return Ok(RangeSpec {
            commits: walk(repo, head, Some(base_id))?,
            description: format!("{shown}..HEAD"),
        });
    }
    Ok(RangeSpec {
        commits: vec![head],
        description: format!("HEAD (no branch {base})"),
    })
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
