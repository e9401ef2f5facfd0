//! Line-level provenance as evidence about a commit: the logs on the notes refs that
//! `[ai] line_notes` names ([`super::line_log`]), checked against what the commit changes.
//!
//! A log counts only for the lines the commit adds (its diff against its first parent): the
//! share of AI-attested lines is those lines over all lines it adds. A log is used whole or
//! not at all: one that does not parse, names a file the commit does not change, a line past
//! a file's end, or another commit is reported as a problem and changes nothing else.
//!
//! The branch author can push any notes ref, so this evidence only ever raises what a commit
//! is judged to be (human → AI, see [`super::provenance`]); a commit judged AI only by it
//! needs its tier's approvals but is never forbidden (DESIGN, "Structure, scale,
//! provenance").

use std::collections::{BTreeMap, HashMap};

use git2::{Oid, Repository};
use serde::Serialize;

use super::line_log::{self, LogFormat};
use crate::util::bounded;

/// What one notes ref says about one commit, checked against its diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineShare {
    /// The notes ref the log was read from.
    pub notes_ref: String,
    /// Which of the formats it parsed as.
    pub format: LogFormat,
    /// Lines the commit adds that the log attests to an agent (each line once).
    pub ai_lines: u64,
    /// Lines the commit adds (text files, against its first parent).
    pub added_lines: u64,
    /// Per agent, the added lines attested to it, most first.
    pub agents: Vec<AgentLines>,
    /// True when nothing but this log makes the commit AI: it needs its tier's approvals,
    /// and is never forbidden for it.
    pub sole_evidence: bool,
    /// Per file, the AI-attested added lines as inclusive ranges (for the gutter).
    #[serde(skip)]
    pub files: BTreeMap<String, Vec<(u32, u32)>>,
}

/// An agent and the lines attested to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgentLines {
    /// The agent as the log names it.
    pub agent: String,
    /// Added lines attested to it.
    pub lines: u64,
}

impl LineShare {
    /// The share of added lines, in whole percent (rounded).
    pub fn percent(&self) -> u64 {
        (self.ai_lines * 100 + self.added_lines / 2)
            .checked_div(self.added_lines)
            .unwrap_or(0)
    }

    /// The agent with most lines.
    pub fn top_agent(&self) -> &str {
        self.agents.first().map_or("agent", |a| a.agent.as_str())
    }

    /// As a person reads it: `git-ai authorship log on refs/notes/ai attests 12 of 40 added
    /// lines (30%) to claude`.
    pub fn sentence(&self) -> String {
        let agents: Vec<String> = self
            .agents
            .iter()
            .take(3)
            .map(|a| format!("{} ({})", a.agent, a.lines))
            .collect();
        let more = self.agents.len().saturating_sub(3);
        format!(
            "{} on {} attests {} of {} added line{} ({}%) to {}{}",
            self.format.name(),
            self.notes_ref,
            self.ai_lines,
            self.added_lines,
            if self.added_lines == 1 { "" } else { "s" },
            self.percent(),
            agents.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )
    }
}

/// What the notes refs say about one commit.
#[derive(Clone, Debug, Default)]
pub(crate) struct Reading {
    /// Each ref's usable evidence with at least one AI-attested added line, most lines first.
    pub shares: Vec<LineShare>,
    /// Logs that were not used, and why (sentences naming ref and commit).
    pub problems: Vec<String>,
}

/// Reads the line-provenance notes of many commits, resolving each notes ref once (a run
/// judges every commit against the same notes) and caching each commit's reading.
pub(crate) struct LineNotes<'r> {
    repo: &'r Repository,
    refs: Vec<String>,
    /// Each ref's notes tree, resolved at the first read (None: the ref does not exist).
    trees: Option<Vec<RefTree<'r>>>,
    cache: HashMap<Oid, Reading>,
}

/// A notes ref: its name, its notes tree (None: it does not exist), and why it cannot be
/// read (when it is no notes commit).
type RefTree<'r> = (String, Option<git2::Tree<'r>>, Option<String>);

/// Every added line of a commit by path, and their total; or why they cannot be read.
type Added = Result<(HashMap<String, FileLines>, u64), String>;

/// Paths and their ranges.
type Ranges<'a> = BTreeMap<&'a str, Vec<(u32, u32)>>;

/// Lines of one file the commit adds.
#[derive(Default)]
struct FileLines {
    added: Vec<u32>,
}

impl<'r> LineNotes<'r> {
    /// A reader of `refs` (full ref names, from the trusted policy's `[ai] line_notes`).
    pub(crate) fn new(repo: &'r Repository, refs: &[String]) -> Self {
        LineNotes {
            repo,
            refs: refs.to_vec(),
            trees: None,
            cache: HashMap::new(),
        }
    }

    fn resolve(&mut self) {
        if self.trees.is_some() {
            return;
        }
        let mut trees = Vec::new();
        for name in &self.refs {
            let tree = match self.repo.find_reference(name) {
                Ok(r) => match r.peel_to_commit().and_then(|c| c.tree()) {
                    Ok(t) => (Some(t), None),
                    Err(e) => (
                        None,
                        Some(format!(
                            "{name} is not a notes commit ({}): its line-provenance logs are not read",
                            e.message()
                        )),
                    ),
                },
                Err(_) => (None, None),
            };
            trees.push((name.clone(), tree.0, tree.1));
        }
        self.trees = Some(trees);
    }

    /// What the notes refs say about `commit` (cached).
    pub(crate) fn read(&mut self, commit: Oid) -> Reading {
        if let Some(r) = self.cache.get(&commit) {
            return r.clone();
        }
        self.resolve();
        let mut reading = Reading::default();
        let mut diff: Option<Added> = None;
        let short = crate::git::short_id(&commit.to_string()).to_string();
        for (name, tree, broken) in self.trees.iter().flatten() {
            if let Some(b) = broken {
                reading.problems.push(b.clone());
                continue;
            }
            let Some(tree) = tree else { continue };
            let mut blobs = Vec::new();
            find_note_blobs(self.repo, tree, &commit.to_string(), &mut blobs);
            let blob = match blobs.as_slice() {
                [] => continue,
                [one] => *one,
                _ => {
                    reading.problems.push(format!(
                        "{name} holds {} notes for {short}: none is used",
                        blobs.len()
                    ));
                    continue;
                }
            };
            let unused = |why: String| {
                format!("the line-provenance note on {name} for {short} is not used: {why}")
            };
            let bytes =
                match bounded::read_blob(self.repo, blob, &format!("{name}:{short}"), NOTE_LIMIT) {
                    Ok(b) => b,
                    Err(e) => {
                        reading.problems.push(unused(e.to_string()));
                        continue;
                    }
                };
            let log = match line_log::parse(&bytes) {
                Ok(l) => l,
                Err(e) => {
                    reading.problems.push(unused(e));
                    continue;
                }
            };
            if let Some(rev) = &log.revision {
                if *rev != commit.to_string() {
                    reading.problems.push(unused(format!(
                        "it describes revision {}, not this commit",
                        clip(rev)
                    )));
                    continue;
                }
            }
            if log.attested.is_empty() {
                continue;
            }
            let (files, added_total) = match diff
                .get_or_insert_with(|| added_lines(self.repo, commit))
                .as_ref()
            {
                Ok((f, t)) => (f, *t),
                Err(e) => {
                    reading.problems.push(unused(e.clone()));
                    continue;
                }
            };
            match self.check(&log, files, commit) {
                Err(why) => reading.problems.push(unused(why)),
                Ok(share) => {
                    let share = LineShare {
                        notes_ref: name.clone(),
                        added_lines: added_total,
                        ..share
                    };
                    if share.ai_lines > 0 {
                        reading.shares.push(share);
                    }
                }
            }
        }
        reading
            .shares
            .sort_by_key(|s| std::cmp::Reverse(s.ai_lines));
        self.cache.insert(commit, reading.clone());
        reading
    }

    /// Checks `log` against the commit's added lines; the evidence, or why it is not used.
    fn check(
        &self,
        log: &line_log::LineLog,
        files: &HashMap<String, FileLines>,
        commit: Oid,
    ) -> Result<LineShare, String> {
        let tree = self
            .repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| format!("cannot read the commit's tree ({})", e.message()))?;
        let mut line_counts: HashMap<&str, u32> = HashMap::new();
        let mut by_path: Ranges<'_> = BTreeMap::new();
        let mut by_agent: BTreeMap<&str, Ranges<'_>> = BTreeMap::new();
        for a in &log.attested {
            if !files.contains_key(&a.path) {
                return Err(format!(
                    "it names `{}`, a file this commit does not change",
                    clip(&a.path)
                ));
            }
            let count = match line_counts.get(a.path.as_str()) {
                Some(c) => *c,
                None => {
                    let c = file_lines(self.repo, &tree, &a.path)?;
                    line_counts.insert(&a.path, c);
                    c
                }
            };
            if let Some(past) = a.ranges.iter().map(|r| r.1).filter(|e| *e > count).max() {
                return Err(format!(
                    "it attests line {past} of `{}`, which has {count} line{}",
                    clip(&a.path),
                    if count == 1 { "" } else { "s" }
                ));
            }
            by_path.entry(&a.path).or_default().extend(&a.ranges);
            by_agent
                .entry(&a.agent)
                .or_default()
                .entry(&a.path)
                .or_default()
                .extend(&a.ranges);
        }
        let mut out_files = BTreeMap::new();
        let mut ai_lines = 0u64;
        for (path, ranges) in by_path {
            let hit = intersect(&files[path].added, ranges);
            ai_lines += hit.iter().map(|(a, b)| u64::from(b - a + 1)).sum::<u64>();
            if !hit.is_empty() {
                out_files.insert(path.to_string(), hit);
            }
        }
        let mut agents: Vec<AgentLines> = by_agent
            .into_iter()
            .map(|(agent, paths)| AgentLines {
                agent: agent.to_string(),
                lines: paths
                    .into_iter()
                    .flat_map(|(p, r)| intersect(&files[p].added, r))
                    .map(|(a, b)| u64::from(b - a + 1))
                    .sum(),
            })
            .filter(|a| a.lines > 0)
            .collect();
        agents.sort_by(|a, b| b.lines.cmp(&a.lines).then(a.agent.cmp(&b.agent)));
        Ok(LineShare {
            notes_ref: String::new(),
            format: log.format,
            ai_lines,
            added_lines: 0,
            agents,
            sole_evidence: false,
            files: out_files,
        })
    }
}

/// A note blob is read up to the log parser's cap.
const NOTE_LIMIT: bounded::Limit = bounded::Limit {
    what: "line-provenance note",
    bytes: line_log::MAX_NOTE_BYTES as u64,
};

fn clip(s: &str) -> String {
    let cut: String = s.chars().take(80).collect();
    if cut.len() < s.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// The sorted added lines that fall in `ranges` (any order, may overlap), as merged ranges.
fn intersect(added: &[u32], mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::new();
    let mut r = 0;
    for &line in added {
        while r < ranges.len() && ranges[r].1 < line {
            r += 1;
        }
        // Ranges are sorted by start and the ones passed end before `line`: the first one
        // left ends at or after it, and covers it exactly when it starts at or before it.
        let covered = r < ranges.len() && ranges[r].0 <= line;
        if covered {
            match out.last_mut() {
                Some(last) if last.1 + 1 == line => last.1 = line,
                _ => out.push((line, line)),
            }
        }
    }
    out
}

/// The number of lines of `path` in `tree` (a last line without a newline counts).
fn file_lines(repo: &Repository, tree: &git2::Tree<'_>, path: &str) -> Result<u32, String> {
    let entry = tree
        .get_path(std::path::Path::new(path))
        .map_err(|_| format!("`{}` is not in the commit's tree", clip(path)))?;
    let bytes =
        bounded::read_blob(repo, entry.id(), path, bounded::SOURCE).map_err(|e| e.to_string())?;
    let newlines = memchr::memchr_iter(b'\n', &bytes).count();
    let last = usize::from(!bytes.is_empty() && !bytes.ends_with(b"\n"));
    Ok(u32::try_from(newlines + last).unwrap_or(u32::MAX))
}

/// Every added line of `commit` against its first parent, by UTF-8 path, and their total.
/// Files over the source cap or binary contribute none.
fn added_lines(
    repo: &Repository,
    commit: Oid,
) -> Result<(HashMap<String, FileLines>, u64), String> {
    let c = repo
        .find_commit(commit)
        .map_err(|e| format!("cannot read the commit ({})", e.message()))?;
    let tree = c
        .tree()
        .map_err(|e| format!("cannot read the commit's tree ({})", e.message()))?;
    let parent_tree = match c.parents().next() {
        Some(p) => Some(
            p.tree()
                .map_err(|e| format!("cannot read the parent's tree ({})", e.message()))?,
        ),
        None => None,
    };
    let mut opts = git2::DiffOptions::new();
    opts.context_lines(0)
        .max_size(bounded::SOURCE.bytes as i64)
        .ignore_submodules(true);
    let diff = repo
        .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))
        .map_err(|e| format!("cannot diff the commit ({})", e.message()))?;
    let mut files: HashMap<String, FileLines> = HashMap::new();
    for delta in diff.deltas() {
        if let Some(p) = delta.new_file().path_bytes() {
            if delta.new_file().exists() {
                files.insert(
                    String::from_utf8_lossy(p).into_owned(),
                    FileLines::default(),
                );
            }
        }
    }
    let mut total = 0u64;
    diff.foreach(
        &mut |_, _| true,
        None,
        None,
        Some(&mut |delta, _hunk, line| {
            if line.origin() == '+' {
                if let (Some(p), Some(n)) = (delta.new_file().path_bytes(), line.new_lineno()) {
                    if let Some(f) = files.get_mut(String::from_utf8_lossy(p).as_ref()) {
                        f.added.push(n);
                        total += 1;
                    }
                }
            }
            true
        }),
    )
    .map_err(|e| format!("cannot diff the commit ({})", e.message()))?;
    for f in files.values_mut() {
        f.added.sort_unstable();
    }
    Ok((files, total))
}

/// Every note blob for commit `hex` in `tree`, flat and fanned out alike (as git reads them),
/// at most a few levels deep.
fn find_note_blobs(repo: &Repository, tree: &git2::Tree<'_>, hex: &str, out: &mut Vec<Oid>) {
    if let Some(e) = tree.get_name(hex) {
        if e.kind() == Some(git2::ObjectType::Blob) {
            out.push(e.id());
        }
    }
    if hex.len() > 2 {
        if let Some(e) = tree.get_name(&hex[..2]) {
            if e.kind() == Some(git2::ObjectType::Tree) {
                if let Ok(sub) = repo.find_tree(e.id()) {
                    find_note_blobs(repo, &sub, &hex[2..], out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersect_counts_each_added_line_once_whatever_the_ranges() {
        let added = [3, 4, 5, 9, 10, 20];
        assert_eq!(
            intersect(&added, vec![(1, 4), (4, 5), (10, 30), (2, 3)]),
            vec![(3, 5), (10, 10), (20, 20)]
        );
        // A long range before a short one that ends early does not hide later lines.
        assert_eq!(
            intersect(&added, vec![(1, 1), (1, 100)]),
            vec![(3, 5), (9, 10), (20, 20)]
        );
        assert_eq!(intersect(&added, vec![]), vec![]);
        assert_eq!(intersect(&[], vec![(1, 5)]), vec![]);
    }
}
