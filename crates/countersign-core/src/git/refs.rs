//! Naming revisions without git's short-name guessing.
//!
//! git reads a short name like `origin/main` by trying `refs/origin/main`, `refs/tags/…`,
//! `refs/heads/…`, `refs/remotes/…` in turn and taking the first that exists. Whoever can push
//! a tag or a branch can therefore make `origin/main` mean their own commit. Everything that
//! decides trust or the extent of a range goes through [`resolve_rev`] instead: a short name
//! that matches more than one ref (or a ref and a commit id) is refused, naming them, and what
//! was resolved is reported as a full ref name with its commit.

use git2::{Oid, Repository};

use crate::{Error, Result};

/// A revision resolved to one commit and the unambiguous name it was found under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedRev {
    /// The full ref name (`refs/remotes/origin/main`), or the full commit id when the
    /// revision was given as an id; any `~N`/`^N` suffix given is kept at the end.
    pub name: String,
    /// The commit it names.
    pub commit: Oid,
}

/// The places git's short-name lookup tries, in its order (`git help revisions`).
const DWIM: [&str; 5] = [
    "refs/{}",
    "refs/tags/{}",
    "refs/heads/{}",
    "refs/remotes/{}",
    "refs/remotes/{}/HEAD",
];

/// Resolves `expr` — a full ref name (`refs/heads/main`), a short name that matches exactly
/// one ref, `HEAD`, or a commit id (abbreviated or full), optionally followed by `~N` / `^N`
/// suffixes — to a commit. Refuses a short name that several refs (or a ref and a commit id)
/// answer to, reflog (`@{…}`) and path (`:`) syntax, with a sentence saying what to write.
pub fn resolve_rev(repo: &Repository, expr: &str) -> Result<ResolvedRev> {
    let unknown = |reason: String| Error::UnknownRevision {
        spec: expr.to_string(),
        reason,
    };
    if expr.contains("@{") || expr.contains(':') || expr.trim() != expr || expr.is_empty() {
        return Err(unknown(
            "only a ref name or commit id, optionally with ~N or ^N, is accepted here".to_string(),
        ));
    }
    let cut = expr.find(['~', '^']).unwrap_or(expr.len());
    let (base, suffix) = expr.split_at(cut);
    if base.is_empty() {
        return Err(unknown(
            "a ~N or ^N suffix needs a revision before it".to_string(),
        ));
    }
    let (name, commit) = resolve_base(repo, expr, base)?;
    if suffix.is_empty() {
        return Ok(ResolvedRev { name, commit });
    }
    let commit = match walk_suffix(repo, base, commit, suffix) {
        Some(walked) => walked.map_err(unknown)?,
        None => repo
            .revparse_single(&format!("{commit}{suffix}"))
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| unknown(friendly(&e)))?
            .id(),
    };
    Ok(ResolvedRev {
        name: format!("{name}{suffix}"),
        commit,
    })
}

/// Follows a suffix of `~N` and `^N` steps from `commit` (named `base`), saying which step
/// names no commit and why (a root commit has no parent; a commit that is not a merge has no
/// second parent). None for a suffix of any other form (left to libgit2).
fn walk_suffix(
    repo: &Repository,
    base: &str,
    commit: Oid,
    suffix: &str,
) -> Option<std::result::Result<Oid, String>> {
    let mut steps = Vec::new();
    let mut rest = suffix;
    while let Some(op) = rest.chars().next().filter(|c| *c == '~' || *c == '^') {
        let digits = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
        let n: usize = if digits == 0 {
            1
        } else {
            rest[1..1 + digits].parse().ok()?
        };
        steps.push((op, n, &rest[..1 + digits]));
        rest = &rest[1 + digits..];
    }
    if !rest.is_empty() {
        return None;
    }
    let mut at = commit;
    let mut name = base.to_string();
    for (op, n, text) in steps {
        let count = match op {
            '~' => n,
            _ => usize::from(n > 0),
        };
        for step in 0..count {
            let c = match repo.find_commit(at) {
                Ok(c) => c,
                Err(e) => return Some(Err(friendly(&e))),
            };
            let index = if op == '^' { n - 1 } else { 0 };
            match c.parent_id(index) {
                Ok(p) => at = p,
                Err(_) => {
                    let here = if op == '~' && step > 0 {
                        format!("{name}~{step}")
                    } else {
                        name.clone()
                    };
                    let short = super::short_id(&c.id().to_string()).to_string();
                    let why = match (op, c.parent_count()) {
                        (_, 0) => format!(
                            "{here} ({short}) is the first commit (it has no parent), so {text} names no such ancestor (the history is shorter)"
                        ),
                        ('^', 1) => format!(
                            "{here} ({short}) is not a merge (it has one parent), so {text} names no commit"
                        ),
                        (_, k) => format!("{here} ({short}) has {k} parents, so {text} names no commit"),
                    };
                    return Some(Err(why));
                }
            }
        }
        name.push_str(text);
    }
    Some(Ok(at))
}

/// Resolves the part of a revision before any `~`/`^` suffix.
fn resolve_base(repo: &Repository, expr: &str, base: &str) -> Result<(String, Oid)> {
    let unknown = |reason: String| Error::UnknownRevision {
        spec: expr.to_string(),
        reason,
    };
    if base == "HEAD" || base == "@" {
        let head = match repo.head() {
            Ok(head) => head,
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => {
                return Err(unborn(repo));
            }
            Err(e) => return Err(unknown(friendly(&e))),
        };
        let commit = head.peel_to_commit().map_err(|e| unknown(friendly(&e)))?;
        let name = head
            .name()
            .ok()
            .filter(|n| n.starts_with("refs/"))
            .map_or_else(|| commit.id().to_string(), str::to_string);
        return Ok((name, commit.id()));
    }
    if base.starts_with("refs/") {
        return match repo.find_reference(base) {
            Ok(r) => ref_commit(&r, expr),
            Err(e) => Err(unknown(format!(
                "there is no ref {base} ({})",
                friendly(&e)
            ))),
        };
    }
    let mut found: Vec<(String, Oid)> = Vec::new();
    for pattern in DWIM {
        let full = pattern.replace("{}", base);
        match repo.find_reference(&full) {
            Ok(r) => {
                let (name, id) = ref_commit(&r, expr)?;
                if !found.iter().any(|(n, _)| *n == name) {
                    found.push((name, id));
                }
            }
            Err(e)
                if matches!(
                    e.code(),
                    git2::ErrorCode::NotFound | git2::ErrorCode::InvalidSpec
                ) => {}
            Err(e) => return Err(Error::git(format!("reading {full}"))(e)),
        }
    }
    let hex = base.len() >= 4 && base.len() <= 40 && base.bytes().all(|b| b.is_ascii_hexdigit());
    if hex {
        if let Ok(obj) = repo.find_object_by_prefix(base, None) {
            let commit = obj.peel_to_commit().map_err(|e| unknown(friendly(&e)))?;
            found.push((commit.id().to_string(), commit.id()));
        }
    }
    match found.len() {
        0 => Err(unknown(format!(
            "no ref or commit is called `{base}` (refs are looked for under refs/, refs/tags/, \
             refs/heads/ and refs/remotes/)"
        ))),
        1 => Ok(found.remove(0)),
        _ => Err(Error::AmbiguousRevision {
            name: base.to_string(),
            matches: found.into_iter().map(|(n, _)| n).collect(),
        }),
    }
}

/// The commit a reference points at, under its full name (a symbolic ref such as
/// `refs/remotes/origin/HEAD` is reported under the ref it points to).
fn ref_commit(r: &git2::Reference<'_>, expr: &str) -> Result<(String, Oid)> {
    let resolved = r.resolve().map_err(|e| Error::UnknownRevision {
        spec: expr.to_string(),
        reason: friendly(&e),
    })?;
    let name = String::from_utf8_lossy(resolved.name_bytes()).into_owned();
    let commit = resolved
        .peel_to_commit()
        .map_err(|_| Error::UnknownRevision {
            spec: expr.to_string(),
            reason: format!("{name} does not point at a commit"),
        })?
        .id();
    Ok((name, commit))
}

/// libgit2's message, with its internal phrasing (`git_object_t=1`, "parent 0") turned into
/// what a git user would read.
pub(crate) fn friendly(e: &git2::Error) -> String {
    let m = e.message();
    if m.contains("can not be successfully peeled") || m.contains("git_object_t") {
        "it names something that is not a commit".to_string()
    } else if m.contains("parent") && m.contains("does not exist") {
        "that commit has no such ancestor (the history is shorter)".to_string()
    } else {
        m.to_string()
    }
}

/// True when the repository has no ref at all (libgit2's `is_empty` also wants HEAD to name
/// its default branch, which `main` is not without configuration).
pub(crate) fn no_refs(repo: &Repository) -> bool {
    repo.references()
        .map_or(true, |mut refs| refs.next().is_none())
}

/// HEAD has no commit: in an empty repository, or on a branch not yet committed to (an
/// orphan branch) while other branches have commits. Says which, since the second is not
/// "no commits yet".
pub(crate) fn unborn(repo: &Repository) -> Error {
    if no_refs(repo) {
        return Error::Message(
            "the repository has no commits yet; commit something first".to_string(),
        );
    }
    let branch = repo
        .find_reference("HEAD")
        .ok()
        .and_then(|h| {
            h.symbolic_target_bytes()
                .map(|b| String::from_utf8_lossy(b).into_owned())
        })
        .unwrap_or_else(|| "HEAD".to_string());
    Error::Message(format!(
        "HEAD is on {}, which has no commits yet (an orphan branch): commit on it first, or \
         name the commits to look at (e.g. refs/heads/main~3..refs/heads/main)",
        crate::util::escape::line(&branch)
    ))
}
