//! AI commits whose lines a later commit changed within the fix window: a signal of what
//! review missed.
//!
//! History is read oldest first, keeping per file the AI commits of the last `window` days
//! that added lines to it. When a later commit removes or rewrites lines of such a file, git
//! blame of its parent over just those lines (stopped at the oldest candidate's parent, so
//! the walk never leaves the window) says which commit each line came from; lines from a
//! candidate count for it. Files over 8 MiB are not blamed. Blame runs only where a
//! candidate exists, so the cost follows the AI commits that were changed again, not the
//! history's length.

use std::collections::{BTreeMap, HashMap};

use git2::{Oid, Repository};

use super::model::Fix;
use super::Tick;
use crate::{Error, Result};

/// What the search needs of each commit of the history (oldest first).
pub struct Commit<'a> {
    /// The key the search's results name the commit by.
    pub oid: Oid,
    /// Its committer date (seconds).
    pub time: i64,
    /// Its subject.
    pub summary: &'a str,
    /// Its agent, for an AI commit.
    pub agent: Option<&'a str>,
    /// For an AI commit: the files it wrote lines of.
    pub ai_files: Vec<String>,
}

/// The kind of a later commit, by the words of its subject.
pub fn kind_of(subject: &str) -> &'static str {
    let lower = subject.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| w.starts_with("revert")) {
        "revert"
    } else if words.iter().any(|w| {
        matches!(
            *w,
            "fix" | "fixes" | "fixed" | "fixing" | "hotfix" | "bugfix" | "bug" | "regression"
        )
    }) {
        "fix"
    } else {
        "change"
    }
}

/// Finds the fixes among `commits` within `window_days`.
pub fn find(
    repo: &Repository,
    commits: &[Commit<'_>],
    window_days: u32,
    tick: Tick<'_>,
) -> Result<Vec<Fix>> {
    let window = i64::from(window_days) * 86_400;
    let index: HashMap<Oid, usize> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.oid, i))
        .collect();
    // Path → AI commits (indices) that wrote lines of it, oldest first.
    let mut recent: HashMap<String, Vec<usize>> = HashMap::new();
    // (AI commit, later commit) → lines.
    let mut found: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    for (ci, c) in commits.iter().enumerate() {
        tick("finding fixes", ci, commits.len());
        let touched = removed_lines(repo, c.oid)?;
        for (path, lines) in touched {
            let Some(cands) = recent.get_mut(&path) else {
                continue;
            };
            cands.retain(|&a| c.time - commits[a].time <= window);
            if cands.is_empty() || lines.is_empty() {
                continue;
            }
            let oldest = cands[0];
            for (origin, n) in blame_origins(repo, c.oid, &path, &lines, commits[oldest].oid)? {
                if let Some(&ai) = index.get(&origin) {
                    if cands.contains(&ai) && c.time >= commits[ai].time {
                        *found.entry((ai, ci)).or_default() += n;
                    }
                }
            }
        }
        if c.agent.is_some() {
            for path in &c.ai_files {
                recent.entry(path.clone()).or_default().push(ci);
            }
        }
    }
    Ok(found
        .into_iter()
        .map(|((a, l), lines)| {
            let (ai, later) = (&commits[a], &commits[l]);
            Fix {
                commit: ai.oid.to_string(),
                summary: ai.summary.to_string(),
                agent: ai.agent.unwrap_or("").to_string(),
                later_commit: later.oid.to_string(),
                later_summary: later.summary.to_string(),
                kind: kind_of(later.summary).to_string(),
                days: ((later.time - ai.time) as f64 / 86_400.0 * 10.0).round() / 10.0,
                lines,
            }
        })
        .collect())
}

/// The old-side line numbers each file loses in `commit` (removed or rewritten), against its
/// first parent. A root commit removes nothing.
fn removed_lines(repo: &Repository, commit: Oid) -> Result<Vec<(String, Vec<u32>)>> {
    let c = repo
        .find_commit(commit)
        .map_err(Error::git(format!("reading commit {commit}")))?;
    let Some(parent) = c.parents().next() else {
        return Ok(Vec::new());
    };
    let (old, new) = (
        parent
            .tree()
            .map_err(Error::git(format!("reading the parent tree of {commit}")))?,
        c.tree()
            .map_err(Error::git(format!("reading the tree of {commit}")))?,
    );
    let mut opts = git2::DiffOptions::new();
    opts.context_lines(0)
        .max_size(crate::util::bounded::SOURCE.bytes as i64)
        .ignore_submodules(true);
    let diff = repo
        .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut opts))
        .map_err(Error::git(format!("diffing {commit}")))?;
    let mut out: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    diff.foreach(
        &mut |_, _| true,
        None,
        None,
        Some(&mut |delta, _, line| {
            if line.origin() == '-' {
                if let (Some(p), Some(n)) = (delta.old_file().path_bytes(), line.old_lineno()) {
                    out.entry(String::from_utf8_lossy(p).into_owned())
                        .or_default()
                        .push(n);
                }
            }
            true
        }),
    )
    .map_err(Error::git(format!("diffing {commit}")))?;
    Ok(out.into_iter().collect())
}

/// For `lines` (old-side numbers, ascending) of `path` in `commit`'s first parent: the commit
/// each came from, blaming no further back than `oldest`'s parent; with how many lines.
fn blame_origins(
    repo: &Repository,
    commit: Oid,
    path: &str,
    lines: &[u32],
    oldest: Oid,
) -> Result<Vec<(Oid, u64)>> {
    let (Some(&first), Some(&last)) = (lines.first(), lines.last()) else {
        return Ok(Vec::new());
    };
    let parent = repo
        .find_commit(commit)
        .and_then(|c| c.parent_id(0))
        .map_err(Error::git(format!("reading the parent of {commit}")))?;
    let size = repo
        .find_commit(parent)
        .and_then(|c| c.tree())
        .and_then(|t| t.get_path(std::path::Path::new(path)))
        .ok()
        .and_then(|e| repo.odb().ok()?.read_header(e.id()).ok())
        .map(|(size, _)| size as u64);
    if size.is_none_or(|s| s > crate::util::bounded::SOURCE.bytes) {
        return Ok(Vec::new());
    }
    let mut opts = git2::BlameOptions::new();
    opts.newest_commit(parent)
        .min_line(first as usize)
        .max_line(last as usize);
    if let Ok(stop) = repo.find_commit(oldest).and_then(|c| c.parent_id(0)) {
        opts.oldest_commit(stop);
    }
    let Ok(blame) = repo.blame_file(std::path::Path::new(path), Some(&mut opts)) else {
        // A path blame cannot follow (a file over the size cap, a name git cannot address):
        // no evidence either way.
        return Ok(Vec::new());
    };
    let mut counts: HashMap<Oid, u64> = HashMap::new();
    for &n in lines {
        if let Some(h) = blame.get_line(n as usize) {
            if !h.is_boundary() {
                *counts.entry(h.final_commit_id()).or_default() += 1;
            }
        }
    }
    Ok(counts.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::kind_of;

    #[test]
    fn subjects_say_fix_or_revert_by_whole_words() {
        assert_eq!(kind_of("Revert \"Speed up codec\""), "revert");
        assert_eq!(kind_of("fix: off-by-one in decode"), "fix");
        assert_eq!(kind_of("Hotfix the billing rounding"), "fix");
        assert_eq!(kind_of("Prefix keys with the tenant"), "change");
        assert_eq!(kind_of("Add fixtures"), "change");
    }
}
