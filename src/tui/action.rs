//! The messages that change the state: [`Action`]s (from keys, the mouse and the terminal),
//! [`JobResult`]s (from background jobs), and the [`Effect`]s that `update` asks the event
//! loop to carry out (start a job, save, sign), so that `update` itself never blocks.

use std::sync::Arc;

use super::data::{FileKey, ReviewData};
use super::doc::DiffDoc;
use super::impact::ImpactView;
use crate::model::CommitId;
use crate::signoff::Decision;

/// Something the user did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `k` / Up.
    Up,
    /// `j` / Down.
    Down,
    /// PageUp / Ctrl-b.
    PageUp,
    /// PageDown / Ctrl-f / Space.
    PageDown,
    /// `g` / Home.
    Top,
    /// `G` / End.
    Bottom,
    /// `}`: the next hunk (into the next file past the last).
    NextHunk,
    /// `{`: the previous hunk.
    PrevHunk,
    /// `]`: the next file of the change.
    NextFile,
    /// `[`: the previous file.
    PrevFile,
    /// `v`: mark the file viewed (or not); the sign dialog counts viewed files.
    ToggleViewed,
    /// `s`: unified or side-by-side diff.
    ToggleSplit,
    /// `h`: scroll the diff text left.
    ScrollLeft,
    /// `l`: scroll the diff text right.
    ScrollRight,
    /// `w`: wrap long lines instead of cutting them.
    ToggleWrap,
    /// `c`: comment on the cursor line (or the selected lines, or the whole file).
    Comment,
    /// `/`: search the diff text.
    Search,
    /// `n`: the next match of the search.
    SearchNext,
    /// `N`: the previous match.
    SearchPrev,
    /// `a`: approve the selected file's commit.
    Approve,
    /// `r`: reject the selected file's commit.
    Reject,
    /// `A`: approve the range (the commits that need a sign-off).
    ApproveRange,
    /// `R`: reject the range.
    RejectRange,
    /// `e` in the sign dialog: sign the commits that need no sign-off too (toggle); `e` in
    /// the comments overview: edit.
    Every,
    /// `d` in the comments overview: delete.
    Delete,
    /// `V`: start (or cancel) a selection of lines to comment on.
    SelectLines,
    /// `C`: the comments overview.
    Comments,
    /// `Y`: copy the review as a prompt for the agent to the clipboard (OSC 52).
    Export,
    /// `i`: focus (or leave) the impact panel.
    FocusImpact,
    /// `I`: what changed since an earlier version was approved (after a rebase or amend).
    Interdiff,
    /// Tab: focus the next panel (files, diff, impact).
    NextPanel,
    /// Shift-Tab: focus the previous panel.
    PrevPanel,
    /// `?`: the keys and the badges' legend.
    Help,
    /// `y` in a dialog; Enter in an editor.
    Confirm,
    /// Esc: close the dialog or overlay, cancel a selection or an edit.
    Cancel,
    /// Enter outside editors (open the impact panel's module).
    Enter,
    /// A character typed into an editor.
    Char(char),
    /// Backspace in an editor.
    Backspace,
    /// Delete in an editor: the character under the cursor.
    DeleteChar,
    /// Alt-Enter / Ctrl-J in the comment box: a new line.
    Newline,
    /// Left in an editor.
    CursorLeft,
    /// Right in an editor.
    CursorRight,
    /// Home in an editor: the start of the line.
    CursorHome,
    /// End in an editor: the end of the line.
    CursorEnd,
    /// Ctrl-Z: suspend to the shell (`fg` comes back).
    Suspend,
    /// A left click at (column, row): selects a file or commit in the list, focuses a panel.
    Click(u16, u16),
    /// `z`: zoom the focused panel to the whole body (again: back to all panels).
    Zoom,
    /// `o`: the impact panel shows the range's impact instead of the selected commit's (or
    /// back).
    ImpactScope,
    /// Mouse wheel down over (column, row).
    WheelDown(u16, u16),
    /// Mouse wheel up over (column, row).
    WheelUp(u16, u16),
    /// The terminal is now this wide and high.
    Resize(u16, u16),
    /// `q`: quit (viewed marks and drafts are saved).
    Quit,
    /// Ctrl-C: quit from anywhere, even inside a dialog.
    Interrupt,
    /// Text pasted into the terminal (bracketed paste): it goes whole into a text field, and
    /// is never read as keys.
    Paste(String),
}

/// What a background job reports.
#[derive(Clone, Debug)]
pub enum JobResult {
    /// A file's diff, flattened (or why it could not be loaded).
    Diff {
        /// The file it was asked for (the selection may have moved since).
        key: FileKey,
        /// The document or the error sentence.
        result: Result<Arc<DiffDoc>, String>,
    },
    /// The impact analysis of the change.
    Impact(Result<ImpactView, String>),
    /// A file's text at a revision, for the read-only viewer.
    FileText {
        /// The viewer's title.
        title: String,
        /// Its lines, or why it could not be read.
        result: Result<Vec<String>, String>,
    },
    /// A signing attempt finished.
    Signed(SignDialogOutcome),
    /// The impact analysis of one commit (its index).
    CommitImpact {
        /// The commit's index in the change.
        commit: usize,
        /// The analysis or the error sentence.
        result: Result<ImpactView, String>,
    },
    /// How many rows match `query` in each file with a match, in the change's order.
    MatchCounts {
        /// The query counted.
        query: String,
        /// (file, matching rows) for each file with at least one.
        counts: Vec<(FileKey, usize)>,
    },
    /// The change's verdicts re-read after signing (sign-off states changed).
    Reloaded(Box<Result<ReviewData, String>>),
    /// The commits' files in full (renames, binary flags), for a change whose first screen
    /// was loaded with paths only.
    FullFiles(Result<Vec<crate::git::CommitChange>, String>),
    /// A part of a long range, loaded and judged behind the first screen (or why loading
    /// stopped).
    RangePart(Result<super::data::RangePart, String>),
    /// Viewed marks and drafts were written (or why not).
    Saved(Result<crate::review::drafts::Saved, String>),
    /// The syntax highlighter is ready (grammars loaded).
    Highlighter(crate::diff::Highlighter),
    /// Lines asked for were highlighted into the highlighter's cache.
    Highlighted,
    /// What the content scan found, per file with findings.
    Scanned(std::collections::HashMap<FileKey, crate::diff::invisible::Findings>),
    /// The interdiff of a rewritten commit against its approved earlier version.
    Interdiff {
        /// The rewritten commit.
        to: CommitId,
        /// The files, or why they could not be read.
        result: Result<Vec<crate::signoff::rewrite::InterdiffFile>, String>,
    },
}

/// Everything a sign-off from the workstation binds, gathered from the state. Its `Debug`
/// leaves the passphrase out: a request may be logged or printed in a test failure.
#[derive(Clone, PartialEq, Eq)]
pub struct SignDialogRequest {
    /// Approve or reject.
    pub decision: Decision,
    /// The commits to sign, oldest first, each with the review evidence for it.
    pub commits: Vec<CommitEvidence>,
    /// The comments, one per line (`path:+12: text`).
    pub comment: String,
    /// The comments on lines, as data: each becomes a structured comment in the signed
    /// payload (version 2), quoted from its commit.
    pub line_comments: Vec<crate::signoff::comment::CommentInput>,
    /// Whether the impact panel showed its analysis on screen during the review.
    pub impact_shown: bool,
    /// The names of the hunks viewed ([`crate::signoff::hunks::hunk_name`]): each commit's
    /// payload version 3 evidence marks those of its hunk list.
    pub viewed_hunks: Vec<String>,
    /// The passphrase typed in the dialog, when the key needs one.
    pub passphrase: Option<String>,
    /// Esc while signing sets it: the wait for ssh-agent (a security key's touch) ends and
    /// nothing is signed.
    pub cancel: crate::signoff::agent::Cancel,
}

impl std::fmt::Debug for SignDialogRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignDialogRequest")
            .field("decision", &self.decision)
            .field("commits", &self.commits)
            .field("comment", &self.comment)
            .field("line_comments", &self.line_comments)
            .field("impact_shown", &self.impact_shown)
            .field("viewed_hunks", &self.viewed_hunks.len())
            .field(
                "passphrase",
                &self.passphrase.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// One commit to sign and what the reviewer did with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitEvidence {
    /// The commit, as the change loaded it (no id is parsed again on the way to the note).
    pub commit: CommitId,
    /// Files of this commit marked viewed (for their current content).
    pub files_viewed: usize,
    /// Files this commit changes.
    pub files_total: usize,
    /// What the dialog showed about it (None: no policy judged it), so that signing can
    /// tell when that changed since.
    pub shown: Option<crate::review::signing::Standing>,
}

/// How a signing attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignDialogOutcome {
    /// Signed and stored: one line per sign-off (and any notes) for the reviewer.
    Signed(Vec<String>),
    /// The key is encrypted: ask for its passphrase (again, after `error`) and retry.
    NeedPassphrase {
        /// The request to retry, without a passphrase.
        request: SignDialogRequest,
        /// Why the last passphrase did not open the key (None the first time).
        error: Option<String>,
    },
    /// The plan was refused (key not in the roster, expired, a prohibited AI commit):
    /// nothing was signed. One sentence per reason.
    Refused(Vec<String>),
    /// Failed, as a sentence; nothing was signed.
    Failed(String),
}

/// Hunk lines to highlight: (hunk index, side, line indices in the hunk).
pub type HighlightWant = (usize, crate::model::Side, std::ops::Range<usize>);

/// What `update` asks the event loop to do.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Load (in the background) the diff of these files, most wanted first; an older
    /// request still waiting is dropped.
    LoadDiffs(Vec<FileKey>),
    /// Count the rows matching this query in every file of the change (`/` across files).
    CountMatches(String),
    /// Compute the impact of one commit (its index, its id) for the impact panel.
    ComputeCommitImpact(usize, CommitId),
    /// Write viewed marks and drafts to the data directory.
    Save,
    /// Sign through the library's signing code.
    Sign(SignDialogRequest),
    /// Load the grammars and make the syntax highlighter (slow: in the background).
    LoadHighlighter,
    /// Highlight these lines of a file's diff (an older request still waiting is dropped).
    Highlight {
        /// The file's diff (its hunks).
        doc: Arc<DiffDoc>,
        /// The hunk lines on screen that are not cached yet.
        wants: Vec<HighlightWant>,
    },
    /// Compute the impact analysis of these commits (full ids, oldest first) in the
    /// background; `--snapshot` leaves it computing, `--snapshot-settled` waits for it.
    ComputeImpact(Vec<CommitId>),
    /// Load and judge the commits of a long range behind the first screen, part by part
    /// ([`super::data::load_range`]); `--snapshot` leaves them loading.
    LoadRange,
    /// Load these commits' files in full (see [`super::full_files`]).
    LoadFullFiles(Vec<CommitId>),
    /// Compute the interdiff from the approved version `from` to the rewritten commit `to`.
    LoadInterdiff {
        /// The approved earlier version.
        from: CommitId,
        /// The rewritten commit.
        to: CommitId,
    },
    /// Scan every file of the change for invisible characters and mixed-script identifiers
    /// (the list flags them and the sign dialog names them).
    ScanContent,
    /// Read `path` at commit `commit` for the read-only viewer.
    OpenFile {
        /// The impact's revision (the range's tip).
        commit: CommitId,
        /// Repository path.
        path: String,
    },
}
