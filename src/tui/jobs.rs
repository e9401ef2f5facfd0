//! Carrying out [`Effect`]s. Slow work — a file's diff, the impact analysis, a file at a
//! revision, signing and re-reading verdicts — runs on worker threads and comes back as a [`JobResult`]
//! on the event channel; a diff request that a newer one overtook before it ran is dropped.
//! Signing runs on a worker too (decrypting a key and writing notes take a moment); saving
//! the review state runs at once.
//!
//! [`Jobs::inline`] does everything on the calling thread instead: `--snapshot`, tests and
//! benchmarks use it to get deterministic frames.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::Arc;
use std::thread;

use super::action::{Effect, HighlightWant, JobResult, SignDialogOutcome};
use super::app::App;
use super::data::{self, FileKey};
use super::doc::DiffDoc;
use super::impact::{self, ImpactSlot};
use super::signing;
use crate::diff::{Highlighter, Syntaxes};
use crate::git::FileChange;
use crate::model::CommitId;
use crate::review::Resolved;

/// What arrives on the event loop's channel.
#[derive(Debug)]
pub enum Event {
    /// A terminal event (key, mouse, resize).
    Term(crossterm::event::Event),
    /// A background job finished.
    Job(JobResult),
}

/// Runs effects, in the background or inline.
pub struct Jobs {
    repo_path: PathBuf,
    /// The review as resolved when it opened (None for hand-made data): every job reopens
    /// exactly this, never the raw options.
    resolved: Option<Resolved>,
    background: Option<Background>,
}

struct Background {
    events: Sender<Event>,
    diffs: Sender<Vec<(FileKey, FileChange)>>,
    highlights: Sender<(Arc<DiffDoc>, Vec<HighlightWant>, Highlighter)>,
}

impl Jobs {
    /// Workers that post their results to `events`. From here on every object read is
    /// hash-checked: the workers read diffs while others judge (see
    /// [`crate::git::verify_every_read`]).
    pub fn background(repo_path: &Path, resolved: Option<Resolved>, events: Sender<Event>) -> Jobs {
        crate::git::verify_every_read();
        let (diffs, rx) = mpsc::channel();
        let out = events.clone();
        let path = repo_path.to_path_buf();
        thread::spawn(move || diff_worker(&path, rx, out));
        let (highlights, hrx) = mpsc::channel();
        let out = events.clone();
        thread::spawn(move || highlight_worker(hrx, out));
        Jobs {
            repo_path: repo_path.to_path_buf(),
            resolved,
            background: Some(Background {
                events,
                diffs,
                highlights,
            }),
        }
    }

    /// Everything on the calling thread: `perform` returns the results.
    pub fn inline(repo_path: &Path, resolved: Option<Resolved>) -> Jobs {
        Jobs {
            repo_path: repo_path.to_path_buf(),
            resolved,
            background: None,
        }
    }

    /// Starts `effect`; returns the results that are already known (all of them inline).
    pub fn perform(&self, app: &App, effect: Effect) -> Vec<JobResult> {
        match effect {
            Effect::Save => vec![JobResult::Saved(
                app.store.save().map_err(|e| e.to_string()),
            )],
            Effect::LoadDiffs(keys) => {
                let files: Vec<(FileKey, FileChange)> = keys
                    .into_iter()
                    .filter_map(|k| app.data.file(k).map(|f| (k, f.clone())))
                    .collect();
                match &self.background {
                    Some(bg) => {
                        // The worker is gone only when the loop is ending.
                        let _ = bg.diffs.send(files);
                        Vec::new()
                    }
                    None => {
                        let repo = crate::git::open(&self.repo_path).ok();
                        files
                            .into_iter()
                            .map(|(key, file)| JobResult::Diff {
                                key,
                                result: load_doc(repo.as_ref(), &file),
                            })
                            .collect()
                    }
                }
            }
            Effect::ComputeCommitImpact(commit, id) => match (&self.background, &self.resolved) {
                (Some(_), Some(resolved)) => {
                    let repo_path = self.repo_path.clone();
                    let resolved = resolved.clone();
                    self.run(move || JobResult::CommitImpact {
                        commit,
                        result: impact::compute(&repo_path, &resolved, &[id]),
                    })
                }
                (Some(_), None) => vec![JobResult::CommitImpact {
                    commit,
                    result: Err("no repository behind this review".to_string()),
                }],
                // Inline, as the range's: `settle` computes it.
                (None, _) => Vec::new(),
            },
            Effect::CountMatches(query) => {
                let files: Vec<(FileKey, FileChange)> = app
                    .files
                    .iter()
                    .filter_map(|k| app.data.file(*k).map(|f| (*k, f.clone())))
                    .collect();
                let repo_path = self.repo_path.clone();
                self.run(move || {
                    let repo = git2::Repository::open(&repo_path).ok();
                    let counts = files
                        .iter()
                        .filter_map(|(k, f)| {
                            let n = load_doc(repo.as_ref(), f).ok()?.search(&query, false).len();
                            (n > 0).then_some((*k, n))
                        })
                        .collect();
                    JobResult::MatchCounts { query, counts }
                })
            }
            Effect::LoadHighlighter => {
                let theme = app.theme.source.clone();
                self.run(move || {
                    let syntaxes = Syntaxes::load();
                    let theme = match theme {
                        Some(t) => (*t).clone(),
                        None => match crate::diff::load_theme(crate::diff::DEFAULT_THEME, None) {
                            Ok(t) => t,
                            Err(_) => return JobResult::Highlighted,
                        },
                    };
                    JobResult::Highlighter(Highlighter::new(syntaxes, &theme))
                })
            }
            Effect::Highlight { doc, wants } => {
                let Some(h) = app.highlighter.clone() else {
                    return Vec::new();
                };
                match &self.background {
                    Some(bg) => {
                        let _ = bg.highlights.send((doc, wants, h));
                        Vec::new()
                    }
                    None => {
                        highlight(&h, &doc, &wants);
                        vec![JobResult::Highlighted]
                    }
                }
            }
            Effect::ScanContent => self.run(super::scan::job(app, &self.repo_path)),
            Effect::LoadInterdiff { from, to } => {
                let repo_path = self.repo_path.clone();
                self.run(move || super::interdiff::load(&repo_path, from, to))
            }
            Effect::OpenFile { commit, path } => {
                let title = format!("{path} @ {} (read-only)", commit.short());
                let repo_path = self.repo_path.clone();
                let job = move || JobResult::FileText {
                    title,
                    result: crate::git::open(&repo_path)
                        .map_err(|e| e.to_string())
                        .and_then(|repo| {
                            data::read_file_at(&repo, commit, &path).map_err(|e| e.to_string())
                        })
                        .map(|text| text.lines().map(str::to_string).collect()),
                };
                self.run(job)
            }
            Effect::ComputeImpact(commits) => match (&self.background, &self.resolved) {
                (Some(_), Some(resolved)) => {
                    let repo_path = self.repo_path.clone();
                    let resolved = resolved.clone();
                    self.run(move || {
                        JobResult::Impact(impact::compute(&repo_path, &resolved, &commits))
                    })
                }
                (Some(_), None) => vec![JobResult::Impact(Err(
                    "no repository behind this review".to_string()
                ))],
                // Inline, the first frame does not wait for it: `settle` computes it.
                (None, _) => Vec::new(),
            },
            Effect::LoadRange => {
                let Some(resolved) = self.resolved.clone() else {
                    return vec![JobResult::RangePart(Err(
                        "no repository behind this review".to_string(),
                    ))];
                };
                let repo_path = self.repo_path.clone();
                match &self.background {
                    Some(bg) => {
                        // Each part goes out as it is judged, so the list and the counts
                        // fill in while the reviewer reads.
                        let tx = bg.events.clone();
                        thread::spawn(move || {
                            data::load_range(&repo_path, &resolved, &mut |part| {
                                tx.send(Event::Job(JobResult::RangePart(part))).is_ok()
                            })
                        });
                        Vec::new()
                    }
                    None => {
                        let mut out = Vec::new();
                        data::load_range(&repo_path, &resolved, &mut |part| {
                            out.push(JobResult::RangePart(part));
                            true
                        });
                        out
                    }
                }
            }
            Effect::LoadFullFiles(commits) => {
                let repo_path = self.repo_path.clone();
                self.run(move || {
                    JobResult::FullFiles(
                        data::load_full_files(&repo_path, &commits).map_err(|e| e.to_string()),
                    )
                })
            }
            Effect::Sign(request) => {
                let repo_path = self.repo_path.clone();
                let Some(resolved) = self.resolved.clone() else {
                    return vec![JobResult::Signed(SignDialogOutcome::Failed(
                        "no repository behind this review; nothing was signed".to_string(),
                    ))];
                };
                self.run_all(move || {
                    let outcome = signing::sign(&repo_path, &resolved, &request);
                    let mut out = Vec::new();
                    if matches!(
                        outcome,
                        SignDialogOutcome::Signed(_) | SignDialogOutcome::Refused(_)
                    ) {
                        // The new states first, so the dialog's result shows with them.
                        out.push(reload(&repo_path, &resolved));
                    }
                    out.push(JobResult::Signed(outcome));
                    out
                })
            }
        }
    }

    /// The results of the slow panels' jobs, computed now on this thread (for
    /// `--snapshot-settled`): the syntax highlighter (whose arrival asks for the lines on
    /// screen) and the impact analysis.
    pub fn settle(&self, app: &App) -> Vec<JobResult> {
        let mut out = Vec::new();
        if app.highlighter.is_none() {
            out.extend(self.perform(app, Effect::LoadHighlighter));
        }
        for (ci, slot) in &app.commit_impacts {
            if *slot != ImpactSlot::Computing {
                continue;
            }
            let Some(entry) = app.data.commits.get(*ci) else {
                continue;
            };
            out.push(JobResult::CommitImpact {
                commit: *ci,
                result: match &self.resolved {
                    Some(resolved) => {
                        impact::compute(&self.repo_path, resolved, &[entry.change.id])
                    }
                    None => Err("no repository behind this review".to_string()),
                },
            });
        }
        if app.impact == ImpactSlot::Computing {
            let commits: Vec<CommitId> = app.data.commits.iter().map(|c| c.change.id).collect();
            out.push(JobResult::Impact(match &self.resolved {
                Some(resolved) => impact::compute(&self.repo_path, resolved, &commits),
                None => Err("no repository behind this review".to_string()),
            }));
        }
        out
    }

    fn run(&self, job: impl FnOnce() -> JobResult + Send + 'static) -> Vec<JobResult> {
        self.run_all(move || vec![job()])
    }

    /// Runs `job` on a worker thread (inline without one); its results arrive in order.
    fn run_all(&self, job: impl FnOnce() -> Vec<JobResult> + Send + 'static) -> Vec<JobResult> {
        match &self.background {
            Some(bg) => {
                let tx = bg.events.clone();
                thread::spawn(move || {
                    for r in job() {
                        if tx.send(Event::Job(r)).is_err() {
                            return;
                        }
                    }
                });
                Vec::new()
            }
            None => job(),
        }
    }
}

/// Re-reads the verdicts (after signing, sign-off states change).
fn reload(repo_path: &Path, resolved: &Resolved) -> JobResult {
    JobResult::Reloaded(Box::new(
        data::reload_review(repo_path, resolved).map_err(|e| e.to_string()),
    ))
}

/// A file's diff: its own hunks when they were loaded with the change, else from its blobs
/// (which also decide the binary flag and sizes of a file loaded with paths only).
fn load_doc(repo: Option<&git2::Repository>, file: &FileChange) -> Result<Arc<DiffDoc>, String> {
    // Loaded with the change, or nothing to diff (known binary, submodule, same content).
    if !file.hunks.is_empty()
        || file.binary
        || file.submodule.is_some()
        || file.old_id == file.new_id
    {
        return Ok(Arc::new(DiffDoc::build(file, file.hunks.clone())));
    }
    let repo =
        repo.ok_or_else(|| "the repository could not be opened to read this diff".to_string())?;
    // Held until the document is built: the peak of a large file is its hunks and its rows.
    let _turn = crate::git::large_blob_turn(repo, &file.blob_oids());
    let (file, hunks) = file.load_diff(repo).map_err(|e| e.to_string())?;
    Ok(Arc::new(DiffDoc::build(&file, hunks)))
}

fn highlight(h: &Highlighter, doc: &DiffDoc, wants: &[HighlightWant]) {
    for (hunk, side, lines) in wants {
        h.highlight_lines(&doc.file, *hunk, *side, lines.clone());
    }
}

/// Highlights what is asked, newest request first; older waiting requests are dropped.
fn highlight_worker(
    rx: Receiver<(Arc<DiffDoc>, Vec<HighlightWant>, Highlighter)>,
    out: Sender<Event>,
) {
    while let Ok(mut request) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            request = newer;
        }
        let (doc, wants, h) = request;
        highlight(&h, &doc, &wants);
        if out.send(Event::Job(JobResult::Highlighted)).is_err() {
            return;
        }
    }
}

/// Loads diffs as asked; when a newer request is waiting, the rest of the current one is
/// stale and dropped.
fn diff_worker(repo_path: &Path, rx: Receiver<Vec<(FileKey, FileChange)>>, out: Sender<Event>) {
    let repo = crate::git::open(repo_path).ok();
    let mut pending: Option<Vec<(FileKey, FileChange)>> = None;
    loop {
        let request = match pending.take() {
            Some(r) => r,
            None => match rx.recv() {
                Ok(r) => r,
                Err(_) => return,
            },
        };
        let mut queue = std::collections::VecDeque::from(request);
        while let Some((key, file)) = queue.pop_front() {
            match rx.try_recv() {
                Ok(mut newer) => {
                    // The newer request goes first; what this one still had to load follows
                    // it, so that no file the screen asked for is left "loading" forever.
                    let rest = std::iter::once((key, file)).chain(queue.drain(..));
                    for item in rest {
                        if !newer.iter().any(|(k, _)| *k == item.0) {
                            newer.push(item);
                        }
                    }
                    pending = Some(newer);
                    break;
                }
                Err(TryRecvError::Disconnected) => return,
                Err(TryRecvError::Empty) => {}
            }
            let result = load_doc(repo.as_ref(), &file);
            if out
                .send(Event::Job(JobResult::Diff { key, result }))
                .is_err()
            {
                return;
            }
        }
        // Several waiting requests: the newest first, then what the others still want.
        while let Ok(mut newer) = rx.try_recv() {
            if let Some(older) = pending.take() {
                for item in older {
                    if !newer.iter().any(|(k, _)| *k == item.0) {
                        newer.push(item);
                    }
                }
            }
            pending = Some(newer);
        }
    }
}
