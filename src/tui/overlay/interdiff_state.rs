//! The interdiff overlay's state: plain data, importing nothing of the app, so that
//! [`crate::tui::app::Overlay`] can hold it while [`super::interdiff`] (which changes it)
//! imports the app.

use crate::git::LineKind;
use crate::model::CommitId;
use crate::signoff::rewrite::RewrittenFrom;
use crate::tui::data::FileKey;

/// The interdiff overlay's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    /// Index into the change's commits of the rewritten commit C.
    pub commit: usize,
    /// C's full id.
    pub commit_id: CommitId,
    /// The approved earlier version P and who approved it.
    pub from: RewrittenFrom,
    /// The rows, once loaded.
    pub body: Body,
    /// First row on screen.
    pub scroll: usize,
    /// The file `v` marks (index into [`Body::Ready::files`]).
    pub current: usize,
}

/// The view's content as far as it has arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// The job is computing it.
    Loading,
    /// It could not be computed, as a sentence.
    Failed(String),
    /// Computed: the files and where the view is.
    Ready {
        /// One per file either commit touches, by path.
        files: Vec<InterdiffEntry>,
        /// Everything to draw, in order.
        rows: Vec<InterdiffRow>,
    },
}

/// One file of the interdiff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterdiffEntry {
    /// Shown on the file's header row.
    pub path: String,
    /// Same content (and mode) in P and C.
    pub unchanged: bool,
    /// What happened to it between P and C, in words.
    pub what: String,
    /// Its row in [`Body::Ready::rows`].
    pub row: usize,
    /// The same file in C's change, when C's patch touches it (viewed marks live there).
    pub key: Option<FileKey>,
}

/// A row of the view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InterdiffRow {
    /// A sentence (the summary at the top).
    Note(String),
    /// A file's header (index into the files).
    File(usize),
    /// A hunk header `@@ … @@`.
    Hunk(String),
    /// A diff line: P's side is old, C's side is new.
    Line {
        /// Context, added (in C, not in P) or removed (in P, not in C).
        kind: LineKind,
        /// Line number in P's version.
        old: Option<u32>,
        /// Line number in C's version.
        new: Option<u32>,
        /// The text, safe to draw.
        text: String,
    },
}
