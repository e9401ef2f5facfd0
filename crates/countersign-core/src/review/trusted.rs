//! Which revision judges a change: the trusted ref, resolved once to a full ref name and a
//! commit.
//!
//! The order is settled (DESIGN.md, "Default trusted ref"):
//!
//! 1. `--trusted-ref REF`;
//! 2. git config `countersign.trustedRef` (`countersign init` writes it as a full ref);
//! 3. the target of `refs/remotes/origin/HEAD` (set from the remote's HEAD at clone time, which
//!    someone who can only push branches cannot move);
//! 4. in a repository with no remote at all, the one of `refs/heads/main`, `refs/heads/master`
//!    that exists.
//!
//! Otherwise the answer is an error asking for `--trusted-ref`: which branch names happen to
//! exist never decides who judges (a pushed branch called `main` must not become the judge).
//! Every name goes through [`crate::git::resolve_rev`], so a tag cannot shadow a branch.

use git2::{Oid, Repository};
use serde::Serialize;

use crate::git::{self, short_id};
use crate::{Error, Result};

/// The git config key `countersign init` writes and the default resolution reads.
pub const CONFIG_KEY: &str = "countersign.trustedRef";

/// How the trusted ref was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrustSource {
    /// `--trusted-ref` on the command line.
    Explicit,
    /// git config `countersign.trustedRef`.
    Config,
    /// The branch `refs/remotes/origin/HEAD` points at.
    OriginHead,
    /// The only one of `main` / `master` in a repository without a remote.
    LocalBranch,
}

impl TrustSource {
    /// True when the user named the trusted ref on this command line. Only then may the
    /// trusted ref contain the change (triaging history); a chosen default that contains
    /// the change would judge it by its own policy.
    pub fn is_explicit(self) -> bool {
        self == TrustSource::Explicit
    }

    /// A few words for headers: `--trusted-ref`, `countersign.trustedRef`, `origin/HEAD`.
    pub fn describe(self) -> &'static str {
        match self {
            TrustSource::Explicit => "--trusted-ref",
            TrustSource::Config => CONFIG_KEY,
            TrustSource::OriginHead => "origin/HEAD",
            TrustSource::LocalBranch => "the only base branch",
        }
    }
}

/// The revision whose policy and roster judge a change, resolved once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedRef {
    /// The full ref name (`refs/remotes/origin/main`), or the commit id when given as one.
    pub name: String,
    /// The commit it pointed at when resolved: everything is read from this commit, so the
    /// ref moving during a run changes nothing.
    pub commit: Oid,
    /// How it was chosen.
    pub source: TrustSource,
}

impl TrustedRef {
    /// `refs/remotes/origin/main (4f2a1c9)`, for headers.
    pub fn display(&self) -> String {
        let id = self.commit.to_string();
        if self.name == id {
            short_id(&id).to_string()
        } else {
            format!("{} ({})", self.name, short_id(&id))
        }
    }

    /// The branch's short name (`main` for `refs/heads/main` or `refs/remotes/origin/main`),
    /// to compare with the policy's `base`.
    pub fn branch(&self) -> Option<&str> {
        if let Some(b) = self.name.strip_prefix("refs/heads/") {
            return Some(b);
        }
        let rest = self.name.strip_prefix("refs/remotes/")?;
        rest.split_once('/').map(|(_, b)| b)
    }
}

/// Resolves the trusted ref: `given` when the user passed `--trusted-ref`, else the default
/// of the settled order (see the module documentation). Errors say what to pass.
pub fn resolve_trusted(repo: &Repository, given: Option<&str>) -> Result<TrustedRef> {
    if let Some(given) = given {
        return named(repo, given, TrustSource::Explicit);
    }
    let configured = repo
        .config()
        .and_then(|c| c.get_string(CONFIG_KEY))
        .ok()
        .filter(|v| !v.trim().is_empty());
    if let Some(value) = configured {
        return named(repo, value.trim(), TrustSource::Config).map_err(|e| {
            Error::Message(format!(
                "git config {CONFIG_KEY} = {value:?} does not name one commit ({e}); fix it with \
                 `git config {CONFIG_KEY} refs/remotes/origin/main` (the full name of the base \
                 branch) or pass --trusted-ref"
            ))
        });
    }
    default_order(repo).map_err(|e| match e {
        NoDefault::Why(why) => no_default(&why),
        NoDefault::Failed(e) => e,
    })
}

/// Why the settled order found no default.
enum NoDefault {
    /// Nothing to choose from, or nothing safe to choose: the sentence says why.
    Why(String),
    /// Reading the repository failed.
    Failed(Error),
}

/// Steps 3 and 4 of the settled order: `origin/HEAD`, else in a repository without a remote
/// the one of `main` / `master` that exists.
fn default_order(repo: &Repository) -> std::result::Result<TrustedRef, NoDefault> {
    match origin_head(repo) {
        Ok(Some(t)) => return Ok(t),
        Ok(None) => {}
        Err(e) => return Err(NoDefault::Failed(e)),
    }
    let has_remote = repo.remotes().map(|r| !r.is_empty()).unwrap_or(true);
    if !has_remote {
        let mut found: Vec<TrustedRef> = ["refs/heads/main", "refs/heads/master"]
            .into_iter()
            .filter_map(|name| {
                let r = repo.find_reference(name).ok()?;
                let commit = r.peel_to_commit().ok()?.id();
                Some(TrustedRef {
                    name: name.to_string(),
                    commit,
                    source: TrustSource::LocalBranch,
                })
            })
            .collect();
        return match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(NoDefault::Why(
                "this repository has no remote and neither a `main` nor a `master` branch"
                    .to_string(),
            )),
            _ => Err(NoDefault::Why(
                "both `main` and `master` exist, and which of them is the base is not for \
                 countersign to guess"
                    .to_string(),
            )),
        };
    }
    Err(NoDefault::Why(
        "the remote's default branch is not recorded (refs/remotes/origin/HEAD is missing, as \
         in CI checkouts) and git config countersign.trustedRef is not set"
            .to_string(),
    ))
}

/// `trusted` resolved again by its name, as it is now: the branch may have moved since it
/// was first resolved, and a signature is made under the policy and roster of now.
pub fn resolve_again(repo: &Repository, trusted: &TrustedRef) -> Result<TrustedRef> {
    named(repo, &trusted.name, trusted.source)
}

/// The trusted ref named by the user or the config, resolved strictly.
fn named(repo: &Repository, name: &str, source: TrustSource) -> Result<TrustedRef> {
    let r = git::resolve_rev(repo, name)?;
    Ok(TrustedRef {
        name: r.name,
        commit: r.commit,
        source,
    })
}

/// The branch `refs/remotes/origin/HEAD` points at, when recorded.
fn origin_head(repo: &Repository) -> Result<Option<TrustedRef>> {
    let head = match repo.find_reference("refs/remotes/origin/HEAD") {
        Ok(r) => r,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(Error::git("reading refs/remotes/origin/HEAD")(e)),
    };
    let Some(target) = head.symbolic_target().ok().flatten().map(str::to_string) else {
        return Err(no_default(
            "refs/remotes/origin/HEAD is not a symbolic ref to a branch",
        ));
    };
    let commit = repo
        .find_reference(&target)
        .and_then(|r| r.peel_to_commit())
        .map_err(|_| {
            no_default(&format!(
                "refs/remotes/origin/HEAD points at {target}, which was not fetched"
            ))
        })?
        .id();
    Ok(Some(TrustedRef {
        name: target,
        commit,
        source: TrustSource::OriginHead,
    }))
}

fn no_default(why: &str) -> Error {
    Error::Message(format!(
        "no trusted ref to read the policy and roster from: {why}. Pass --trusted-ref with the \
         full name of the protected base branch (e.g. --trusted-ref refs/remotes/origin/main), \
         or set it once with `git config {CONFIG_KEY} refs/remotes/origin/main` \
         (`countersign init` does)"
    ))
}

/// The trusted ref `init` records as git config `countersign.trustedRef`: the default of
/// the settled order (see the module documentation), from the same resolver every command
/// uses, so that what `init` writes is what the commands would have chosen. The error is the
/// reason no default exists (both `main` and `master`, a remote without `origin/HEAD`, …).
pub fn trusted_ref_for_init(repo: &Repository) -> std::result::Result<String, String> {
    match default_order(repo) {
        Ok(t) => Ok(t.name),
        Err(NoDefault::Why(why)) => Err(why),
        Err(NoDefault::Failed(e)) => Err(e.to_string()),
    }
}

/// The branch name the policy's `base` is written with: `main` for `refs/heads/main` or
/// `refs/remotes/origin/main`.
pub fn branch_short_name(full: &str) -> &str {
    if let Some(rest) = full.strip_prefix("refs/heads/") {
        return rest;
    }
    if let Some(rest) = full.strip_prefix("refs/remotes/") {
        return rest.split_once('/').map_or(rest, |(_, branch)| branch);
    }
    full
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_is_the_branch_name_of_the_trusted_ref() {
        assert_eq!(branch_short_name("refs/remotes/origin/main"), "main");
        assert_eq!(branch_short_name("refs/heads/release/2.x"), "release/2.x");
        assert_eq!(branch_short_name("refs/remotes/up/master"), "master");
    }
}
