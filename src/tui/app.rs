//! The workstation's state: everything a frame is drawn from, and nothing else. It changes
//! only in [`super::update`].

use std::collections::HashMap;
use std::sync::Arc;

use super::data::{FileKey, ReviewData};
use super::doc::DiffDoc;
use super::impact::ImpactSlot;
use super::layout;
use super::store::{viewed_key, Store};
use super::theme::Theme;
use crate::git::FileChange;
use crate::model::CommitId;
use crate::review::drafts::Draft;
use crate::signoff::Decision;
use crate::signoff::ReviewState;

/// The three panels, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    /// Commits and files.
    Files,
    /// The selected file's diff.
    Diff,
    /// The impact tree.
    Impact,
}

/// A file's diff as far as it has arrived.
#[derive(Clone, Debug)]
pub enum DiffSlot {
    /// Asked for; a job is loading it.
    Loading,
    /// Loaded: the file's diff as drawn.
    Ready(Arc<DiffDoc>),
    /// Could not be loaded, as a sentence.
    Failed(String),
}

/// Where a comment goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentTarget {
    /// The commit and file the comment is on.
    pub key: FileKey,
    /// `+N` / `-N` (the first line), or None for the whole file.
    pub line: Option<String>,
    /// The last line of a range (`V`) on the same side; None for one line.
    pub end: Option<u32>,
}

/// What a sign dialog signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignScope {
    /// One commit (`a` / `r`: the selected file's commit), whatever its state.
    Commit(usize),
    /// The range (`A` / `R`): the commits that need a sign-off, or with `every` (`e` in the
    /// dialog) every commit, those that need none too.
    Range {
        /// Sign the commits that need no sign-off too.
        every: bool,
    },
}

/// The sign dialog's stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignStage {
    /// Showing what will be signed.
    Review,
    /// Asked once more because files are unviewed.
    ConfirmUnviewed,
    /// Asking for the key's passphrase.
    Passphrase {
        /// What has been typed (drawn as dots).
        input: String,
        /// The request to retry with it.
        request: super::action::SignDialogRequest,
        /// Why the last passphrase failed, shown above the prompt.
        error: Option<String>,
    },
    /// Waiting for the signing code (it runs on a worker thread).
    Signing,
    /// Signing finished: what was signed, or why nothing was. Any key closes the dialog.
    Done {
        /// Whether the sign-offs were stored.
        signed: bool,
        /// One sentence per sign-off, refusal or error.
        lines: Vec<String>,
    },
}

/// Layers over the panels; the top one sees keys first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// The key table.
    Help,
    /// The `/` prompt.
    Search {
        /// What has been typed.
        input: String,
    },
    /// The inline comment editor.
    Comment {
        /// Where it goes.
        target: CommentTarget,
        /// What has been typed, with the cursor.
        input: crate::tui::field::TextField,
    },
    /// The sign dialog.
    Sign {
        /// Approve or reject.
        decision: Decision,
        /// The selected commit or the range.
        scope: SignScope,
        /// Where it is.
        stage: SignStage,
        /// Rows of its long part (comments, findings) scrolled away with `j`/`k`.
        scroll: usize,
    },
    /// The comments overview (`C`): every draft of the change, to jump to, edit or delete.
    Comments {
        /// The highlighted draft (index in [`App::comments`]).
        cursor: usize,
    },
    /// What changed since an earlier version of a commit was approved.
    Interdiff(Box<super::overlay::interdiff_state::View>),
    /// A file at the reviewed revision, read-only.
    Viewer {
        /// Path and revision.
        title: String,
        /// Its lines (None while loading).
        lines: Option<Result<Vec<String>, String>>,
        /// First line shown.
        scroll: usize,
    },
}

/// The diff panel's position in the selected file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiffPos {
    /// The row the cursor is on.
    pub cursor: usize,
    /// The first row on screen.
    pub scroll: usize,
}

/// The last search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchState {
    /// What was searched for.
    pub query: String,
    /// Matching rows of the current file in the current layout.
    pub matches: Vec<usize>,
    /// Matching rows per file across the change, once counted (None: not yet).
    pub counts: Option<Vec<(FileKey, usize)>>,
    /// After `n`/`N` moved to another file: go to its first (true) or last match when its
    /// diff arrives.
    pub jump: Option<bool>,
}

/// A message in the status line until the next key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    /// The sentence.
    pub text: String,
    /// Whether it reports a problem.
    pub error: bool,
}

/// The whole state.
#[derive(Debug)]
pub struct App {
    /// The change and its verdicts.
    pub data: ReviewData,
    /// Every file, in list order.
    pub files: Vec<FileKey>,
    /// The file shown in the diff panel (None when the change has no files).
    pub selected: Option<FileKey>,
    /// Which panel has the keys.
    pub focus: Panel,
    /// Side-by-side instead of unified.
    pub split: bool,
    /// Loaded diffs.
    pub diffs: HashMap<FileKey, DiffSlot>,
    /// Position in the selected file.
    pub pos: DiffPos,
    /// The first row of the file list on screen.
    pub list_scroll: usize,
    /// Columns of diff text scrolled off to the left (`h` / `l`).
    pub hscroll: usize,
    /// Long diff lines wrap instead of being cut (`w`).
    pub wrap: bool,
    /// Columns a tab expands to.
    pub tab_width: usize,
    /// What the content scan found, per file with findings (invisible characters,
    /// mixed-script identifiers); None until the scan has run.
    pub findings: Option<HashMap<FileKey, crate::diff::invisible::Findings>>,
    /// The impact analysis of the range.
    pub impact: ImpactSlot,
    /// The impact analysis of single commits (by index), asked for as they are selected.
    pub commit_impacts: HashMap<usize, ImpactSlot>,
    /// The impact panel shows the range's impact (`o`) rather than the selected commit's.
    pub impact_range: bool,
    /// The focused panel fills the body (`z`).
    pub zoom: bool,
    /// The impact panel's cursor.
    pub impact_cursor: usize,
    /// Whether the impact panel has shown its analysis on screen (review evidence).
    pub impact_seen: bool,
    /// Per hunk (by its name, [`crate::signoff::hunks::hunk_name`], so a changed hunk starts
    /// unviewed): which of its lines have been on screen whole (see [`super::hunk_marks`]).
    pub hunks_seen: std::collections::HashMap<String, Vec<bool>>,
    /// Viewed marks and drafts.
    pub store: Store,
    /// The last search.
    pub search: SearchState,
    /// Dialogs and editors, bottom first.
    pub overlays: Vec<Overlay>,
    /// A sentence for the status line.
    pub flash: Option<Flash>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// The colour theme (built in or the user's).
    pub theme: Theme,
    /// The syntax highlighter, once its grammars have loaded.
    pub highlighter: Option<crate::diff::Highlighter>,
    /// The highlight request in flight, so that it is not sent again.
    pub highlight_pending: Vec<super::action::HighlightWant>,
    /// Where a line selection (`V`) started: a row of the selected file in the current
    /// layout; None when no selection is open.
    pub anchor: Option<usize>,
    /// Rows of the help overlay scrolled away.
    pub help_scroll: usize,
    /// Escape sequences for the terminal itself (OSC 52 clipboard), written by the event
    /// loop after the next frame (and dropped by headless sessions, where tests read them).
    pub outbox: Vec<String>,
    /// The decisions signed in this session, last last (the prompt states the last one).
    pub decided: Vec<Decision>,
    /// A line (`+N` / `-N`) of a file to put the cursor on once that file's diff is loaded
    /// (the comments overview's jump).
    pub jump: Option<(FileKey, String)>,
    /// When the action being handled was read (the event loop's clock; tests inject it).
    pub now: std::time::Instant,
    /// The dialog question on screen and when a frame first showed it
    /// ([`super::deliberate`]).
    pub dialog_shown: Option<(super::deliberate::Question, std::time::Instant)>,
    /// The cancel flag of the signing under way (Esc sets it), None when none is.
    pub signing: Option<crate::signoff::agent::Cancel>,
    /// Something changed since the last frame.
    pub dirty: bool,
    /// The user asked to leave.
    pub quit: bool,
}

impl App {
    /// A new state showing `data`, with the first file selected.
    pub fn new(data: ReviewData, store: Store, theme: Theme, size: (u16, u16)) -> App {
        let files = list_keys(&data);
        let selected = files.first().copied();
        let flash = store
            .problem
            .clone()
            .map(|text| Flash { text, error: true });
        App {
            data,
            files,
            selected,
            focus: Panel::Diff,
            split: false,
            diffs: HashMap::new(),
            pos: DiffPos::default(),
            list_scroll: 0,
            hscroll: 0,
            wrap: false,
            tab_width: super::doc::TAB_WIDTH,
            findings: None,
            impact: ImpactSlot::Unavailable,
            commit_impacts: HashMap::new(),
            impact_range: false,
            zoom: false,
            impact_cursor: 0,
            impact_seen: false,
            hunks_seen: std::collections::HashMap::new(),
            store,
            search: SearchState::default(),
            overlays: Vec::new(),
            flash,
            size,
            theme,
            highlighter: None,
            highlight_pending: Vec::new(),
            anchor: None,
            help_scroll: 0,
            outbox: Vec::new(),
            decided: Vec::new(),
            jump: None,
            now: std::time::Instant::now(),
            dialog_shown: None,
            signing: None,
            dirty: true,
            quit: false,
        }
    }

    /// The file under the cursor (None before one is selected).
    pub fn selected_file(&self) -> Option<&FileChange> {
        self.data.file(self.selected?)
    }

    /// The selected file's diff, when loaded.
    pub fn doc(&self) -> Option<&Arc<DiffDoc>> {
        match self.diffs.get(&self.selected?)? {
            DiffSlot::Ready(d) => Some(d),
            _ => None,
        }
    }

    /// Whether the file at `key` is marked viewed (for its current content).
    pub fn is_viewed(&self, key: FileKey) -> bool {
        self.data
            .file(key)
            .is_some_and(|f| self.store.saved.viewed.contains(&viewed_key(f)))
    }

    /// Whether the hunk named `name` counts as viewed: each of its lines has been on screen
    /// whole.
    pub fn hunk_viewed(&self, name: &str) -> bool {
        self.hunks_seen
            .get(name)
            .is_some_and(|lines| lines.iter().all(|l| *l))
    }

    /// Files marked viewed.
    pub fn viewed_count(&self) -> usize {
        self.files.iter().filter(|k| self.is_viewed(**k)).count()
    }

    /// The files not yet marked viewed.
    pub fn unviewed(&self) -> Vec<FileKey> {
        self.files
            .iter()
            .copied()
            .filter(|k| !self.is_viewed(*k))
            .collect()
    }

    /// The comments on this change's commits, in the order written.
    pub fn comments(&self) -> Vec<&Draft> {
        self.store
            .saved
            .comments
            .iter()
            .filter(|c| self.data.commits.iter().any(|e| e.change.id.is(&c.commit)))
            .collect()
    }

    /// The comment at a target, if any.
    pub fn comment_at(&self, target: &CommentTarget) -> Option<&Draft> {
        let commit = self.data.commits.get(target.key.commit)?.change.id;
        let path = self.data.file(target.key)?.path().display();
        self.store.saved.comments.iter().find(|c| {
            commit.is(&c.commit)
                && c.path == path
                && c.line == target.line
                && c.end.filter(|e| Some(*e) != c.start()) == target.end
        })
    }

    /// The scope of the open sign dialog (the range, needing sign-off, when none is open).
    pub fn sign_scope(&self) -> SignScope {
        self.overlays
            .iter()
            .rev()
            .find_map(|o| match o {
                Overlay::Sign { scope, .. } => Some(*scope),
                _ => None,
            })
            .unwrap_or(SignScope::Range { every: false })
    }

    /// The decision of the open sign dialog, if one is open.
    pub fn sign_decision(&self) -> Option<crate::signoff::Decision> {
        self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Sign { decision, .. } => Some(*decision),
            _ => None,
        })
    }

    /// The commits a sign dialog with `scope` signs, and those it leaves out because they
    /// need no sign-off (indices into the change's commits, oldest first).
    pub fn scope_commits(&self, scope: SignScope) -> (Vec<usize>, Vec<usize>) {
        match scope {
            SignScope::Commit(i) if i < self.data.commits.len() => (vec![i], Vec::new()),
            SignScope::Commit(_) => (Vec::new(), Vec::new()),
            // `A` approves what can be approved: a forbidden commit is left out (and named
            // with why), not a reason to refuse the whole range.
            SignScope::Range { every } => {
                let approving = self.sign_decision() == Some(crate::signoff::Decision::Approve);
                (0..self.data.commits.len()).partition(|i| {
                    let state = self.data.commits[*i].verdict.as_ref().map(|v| v.state);
                    !(approving && state == Some(ReviewState::Forbidden))
                        && (every || state != Some(ReviewState::NotRequired))
                })
            }
        }
    }

    /// The files of the commits `scope` signs that are not marked viewed.
    pub fn unviewed_in(&self, scope: SignScope) -> Vec<FileKey> {
        let (signed, _) = self.scope_commits(scope);
        self.unviewed()
            .into_iter()
            .filter(|k| signed.contains(&k.commit))
            .collect()
    }

    /// The comments on the commits `scope` signs.
    pub fn comments_in(&self, scope: SignScope) -> Vec<&Draft> {
        let (signed, _) = self.scope_commits(scope);
        let ids: Vec<CommitId> = signed
            .iter()
            .map(|i| self.data.commits[*i].change.id)
            .collect();
        self.comments()
            .into_iter()
            .filter(|c| ids.iter().any(|id| id.is(&c.commit)))
            .collect()
    }

    /// The rows of the selected file in the current layout.
    pub fn doc_len(&self) -> usize {
        self.doc().map_or(0, |d| d.len(self.split))
    }

    /// What the scan found in commit `commit`'s files, merged (None: nothing, or not scanned).
    pub fn commit_findings(&self, commit: usize) -> Option<crate::diff::invisible::Findings> {
        let mut out = crate::diff::invisible::Findings::default();
        for (k, f) in self.findings.as_ref()? {
            if k.commit == commit {
                out.merge(f);
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// What the scan found in the file at `key`, if anything.
    pub fn file_findings(&self, key: FileKey) -> Option<&crate::diff::invisible::Findings> {
        self.findings.as_ref()?.get(&key)
    }

    /// Columns of diff text the panel shows per line (one side's in side-by-side).
    pub fn diff_text_width(&self) -> usize {
        let areas = self.areas();
        let inner = usize::from(areas.diff.width.saturating_sub(2));
        if self.split {
            (inner.saturating_sub(1) / 2).saturating_sub(8)
        } else {
            inner.saturating_sub(14)
        }
    }

    /// Rows of diff visible at once.
    pub fn diff_height(&self) -> usize {
        self.areas().diff_body_height()
    }

    /// Whether any commit is an AI commit in the prohibited tier (no approval is possible).
    pub fn forbidden(&self) -> bool {
        self.forbidden_in(SignScope::Range { every: true })
    }

    /// Whether a commit `scope` signs is an AI commit in the prohibited tier.
    pub fn forbidden_in(&self, scope: SignScope) -> bool {
        self.scope_commits(scope).0.iter().any(|i| {
            self.data.commits[*i]
                .verdict
                .as_ref()
                .is_some_and(|v| v.state == ReviewState::Forbidden)
        })
    }

    /// The commit whose own impact the panel shows: the selected file's, in a range of
    /// several commits, unless the range's was asked for (`o`). None: the range's.
    pub fn impact_commit(&self) -> Option<usize> {
        if self.impact_range || self.data.commits.len() < 2 {
            return None;
        }
        self.selected.map(|k| k.commit)
    }

    /// The impact the panel shows: the selected commit's ([`App::impact_commit`]) or the
    /// range's.
    pub fn shown_impact(&self) -> &ImpactSlot {
        static COMPUTING: ImpactSlot = ImpactSlot::Computing;
        match self.impact_commit() {
            // No analysis at all (hand-made data): the panel says so.
            _ if self.impact == ImpactSlot::Unavailable => &self.impact,
            None => &self.impact,
            Some(c) => self.commit_impacts.get(&c).unwrap_or(&COMPUTING),
        }
    }

    /// Where the panels go now (the focused one alone when zoomed).
    pub fn areas(&self) -> layout::Areas {
        let zoom = self.zoom.then_some(match self.focus {
            Panel::Files => layout::Zoom::Files,
            Panel::Diff => layout::Zoom::Diff,
            Panel::Impact => layout::Zoom::Impact,
        });
        layout::compute_zoomed(self.size, self.focus == Panel::Impact, zoom)
    }

    /// Whether the impact panel is on screen with its analysis now.
    pub fn impact_visible(&self) -> bool {
        matches!(self.shown_impact(), ImpactSlot::Ready(_))
            && !layout::too_small(self.size)
            && self.areas().impact.is_some()
    }

    /// The overlay that gets keys first (the last opened).
    pub fn top(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    /// Puts `text` in the status line until the next key (`error`: as a problem).
    pub fn flash(&mut self, text: &str, error: bool) {
        self.flash = Some(Flash {
            text: text.to_string(),
            error,
        });
    }
}

/// Every file of `data`, in list order (commit by commit, each commit's files by path).
pub fn list_keys(data: &ReviewData) -> Vec<FileKey> {
    data.commits
        .iter()
        .enumerate()
        .flat_map(|(c, e)| (0..e.change.files.len()).map(move |f| FileKey { commit: c, file: f }))
        .collect()
}
