//! Structured review comments: what a reviewer said about which lines of which commit, with
//! the code it is about, as they ride in a version 2 payload.
//!
//! A comment is anchored twice: by position (commit, path, side, line range) and by content
//! (the quoted lines and a few lines of context around them). The position says where the
//! reviewer looked; the content lets `countersign feedback` find the lines again after the
//! agent moved them, or say that they changed. Comments are data in the signed payload
//! (payload version 2, see [`super::record`]), bounded by the caps of `super::bounds`.

use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use crate::model::{CommitId, Side};
use crate::{Error, Result};

/// The most lines one comment quotes (the commented lines and their context).
pub(crate) const MAX_QUOTED_LINES: usize = 40;

/// The largest file a comment quotes from (bytes); larger files are not read for quoting.
pub(crate) const MAX_QUOTED_FILE: usize = 8 * 1024 * 1024;

/// How many lines of context a quote carries on each side of the commented lines.
pub(crate) const CONTEXT_LINES: usize = 3;

/// One reviewer comment on a line range of one file of one commit, with the code it is
/// about. The TUI fills it from a selection; `sign --comments-from` from a JSON file (through
/// [`quote`], so the code quoted is always what the commit holds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewComment {
    /// Full id of the commit the comment is about.
    pub commit: String,
    /// The file's path in that commit (old path for the old side of a rename).
    pub path: String,
    /// Which side of the diff the lines are on.
    pub side: Side,
    /// First line of the range, 1-based, on that side.
    pub start: u32,
    /// Last line of the range (inclusive; equal to `start` for one line).
    pub end: u32,
    /// What the reviewer wrote.
    pub text: String,
    /// The commented lines, exactly as the file holds them (without line ends).
    pub code: Vec<String>,
    /// Up to `CONTEXT_LINES` lines before them.
    pub before: Vec<String>,
    /// Up to `CONTEXT_LINES` lines after them.
    pub after: Vec<String>,
    /// Marked resolved by the reviewer (`feedback --unresolved` leaves it out).
    pub resolved: bool,
}

impl ReviewComment {
    /// How many quoted lines it carries (code and context), the number the caps bound.
    pub fn quoted_lines(&self) -> usize {
        self.code.len() + self.before.len() + self.after.len()
    }

    /// `12` or `12-14`.
    pub fn range(&self) -> String {
        if self.start == self.end {
            self.start.to_string()
        } else {
            format!("{}-{}", self.start, self.end)
        }
    }
}

/// A comment as a person or tool writes it: the position and the text; the code is quoted by
/// countersign from the commit. `C` names the commit: as a `sign --comments-from FILE.json`
/// entry writes it, [`CommentFileEntry`]; once resolved, a [`CommitId`] (what [`quote`] takes).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentInput<C = CommitId> {
    /// In a file: any revision git understands; default: the only commit signed.
    #[serde(default)]
    pub commit: C,
    /// The file's path.
    pub path: String,
    /// `old` or `new` (default `new`).
    #[serde(default = "default_side")]
    pub side: Side,
    /// First line, 1-based.
    pub start: u32,
    /// Last line (default: `start`).
    #[serde(default)]
    pub end: Option<u32>,
    /// What the reviewer wrote.
    pub text: String,
    /// Marked resolved.
    #[serde(default)]
    pub resolved: bool,
}

/// One entry of a `sign --comments-from` file (a JSON array of these).
pub type CommentFileEntry = CommentInput<Option<String>>;

impl CommentFileEntry {
    /// The same comment on `commit`, the revision the entry names once resolved.
    pub fn on(&self, commit: CommitId) -> CommentInput {
        CommentInput {
            commit,
            path: self.path.clone(),
            side: self.side,
            start: self.start,
            end: self.end,
            text: self.text.clone(),
            resolved: self.resolved,
        }
    }
}

fn default_side() -> Side {
    Side::New
}

/// The lines of `path` on `side` of `commit` (the commit's tree, or its first parent's), or
/// None when the file is not there or is not text.
pub(crate) fn file_lines(
    repo: &Repository,
    commit: Oid,
    path: &str,
    side: Side,
) -> Result<Option<Vec<String>>> {
    let c = repo
        .find_commit(commit)
        .map_err(Error::git(format!("reading commit {commit}")))?;
    let tree = match side {
        Side::New => c.tree(),
        Side::Old => match c.parent(0) {
            Ok(p) => p.tree(),
            Err(_) => return Ok(None),
        },
    }
    .map_err(Error::git(format!("reading the tree of {commit}")))?;
    let Ok(entry) = tree.get_path(std::path::Path::new(path)) else {
        return Ok(None);
    };
    let Ok(blob) = repo.find_blob(entry.id()) else {
        return Ok(None);
    };
    if blob.size() > MAX_QUOTED_FILE {
        return Ok(None);
    }
    let Ok(text) = std::str::from_utf8(blob.content()) else {
        return Ok(None);
    };
    Ok(Some(text.lines().map(str::to_string).collect()))
}

/// Builds the comment `input` describes: quotes lines `start..=end` of the file with
/// `CONTEXT_LINES` of context. Errors name the path and the lines when the file or the lines
/// are not there, or the range is longer than a comment may quote.
pub fn quote(repo: &Repository, input: &CommentInput) -> Result<ReviewComment> {
    let commit = input.commit;
    let end = input.end.unwrap_or(input.start);
    let place = format!(
        "{}:{}-{} ({} side of {})",
        input.path,
        input.start,
        end,
        input.side.name(),
        commit.short()
    );
    if input.start == 0 || end < input.start {
        return Err(Error::Message(format!(
            "comment on {place}: lines are numbered from 1 and the end may not come before the start"
        )));
    }
    let code_len = (end - input.start + 1) as usize;
    if code_len > MAX_QUOTED_LINES {
        return Err(Error::Message(format!(
            "comment on {place}: a comment quotes at most {} lines; split it",
            MAX_QUOTED_LINES
        )));
    }
    let lines = file_lines(repo, commit.oid(), &input.path, input.side)?.ok_or_else(|| {
        Error::Message(format!(
            "comment on {place}: the file is not there as text on that side of the commit"
        ))
    })?;
    let first = input.start as usize - 1;
    let last = end as usize;
    if last > lines.len() {
        return Err(Error::Message(format!(
            "comment on {place}: the file has only {} lines",
            lines.len()
        )));
    }
    // Context shrinks so that code plus context stays within the quoted-lines cap.
    let room = MAX_QUOTED_LINES - code_len;
    let ctx = CONTEXT_LINES.min(room / 2);
    Ok(ReviewComment {
        commit: commit.to_string(),
        path: input.path.clone(),
        side: input.side,
        start: input.start,
        end,
        text: input.text.clone(),
        code: lines[first..last].to_vec(),
        before: lines[first.saturating_sub(ctx)..first].to_vec(),
        after: lines[last..(last + ctx).min(lines.len())].to_vec(),
        resolved: input.resolved,
    })
}
