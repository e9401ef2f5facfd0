//! `update`: the only place the state changes. It takes an [`Action`] or a [`JobResult`],
//! changes the [`App`], and returns the [`Effect`]s the event loop must carry out. It never
//! blocks and never touches the terminal, so tests drive it directly.
//!
//! Keys go to the top overlay first; an overlay either uses a key or ignores it, and ignored
//! keys fall through to the panels (helix's compositor, in small).

use super::action::{
    Action, CommitEvidence, Decision, Effect, HighlightWant, JobResult, SignOutcome, SignRequest,
};
use super::app::{App, CommentTarget, DiffPos, DiffSlot, Flash, Overlay, Panel, SignStage};
use super::data::FileKey;
use super::doc::{Row, SplitRow};
use super::impact::ImpactSlot;
use super::layout;
use super::store::{viewed_key, Comment};
use crate::diff::Side;
use crate::git::LineKind;

/// How many loaded diffs to keep before dropping the ones far from the selection.
const DIFF_CACHE: usize = 48;
/// Rows the mouse wheel scrolls.
const WHEEL_ROWS: usize = 3;

/// Whether an overlay used a key.
enum Handled {
    Used(Vec<Effect>),
    Ignored,
}

/// Applies a user action.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    app.dirty = true;
    if !matches!(action, Action::Resize(..)) {
        app.flash = None;
    }
    let mut effects = match overlay_update(app, &action) {
        Handled::Used(effects) => effects,
        Handled::Ignored => base_update(app, action),
    };
    effects.extend(request_highlight(app));
    app.impact_seen |= app.impact_visible();
    effects
}

/// Asks for highlighting of the diff lines on screen that the highlighter has not cached.
fn request_highlight(app: &mut App) -> Option<Effect> {
    let highlighter = app.highlighter.as_ref()?;
    let doc = app.doc()?.clone();
    let h = app.diff_height();
    let mut spans: Vec<HighlightWant> = Vec::new();
    for row in app.pos.scroll..(app.pos.scroll + h).min(doc.len(app.split)) {
        let idx: Vec<usize> = if app.split {
            match &doc.split[row] {
                SplitRow::Pair { left, right } => {
                    left.iter().chain(right.iter()).copied().collect()
                }
                _ => Vec::new(),
            }
        } else {
            match &doc.unified[row] {
                Row::Line(i) => vec![*i],
                _ => Vec::new(),
            }
        };
        for i in idx {
            let l = &doc.lines[i];
            let side = if l.kind == LineKind::Removed {
                Side::Old
            } else {
                Side::New
            };
            match spans
                .iter_mut()
                .find(|(hk, s, _)| *hk == l.hunk && *s == side)
            {
                Some((_, _, r)) => {
                    r.start = r.start.min(l.index);
                    r.end = r.end.max(l.index + 1);
                }
                None => spans.push((l.hunk, side, l.index..l.index + 1)),
            }
        }
    }
    spans.retain(|(hunk, side, r)| {
        highlighter
            .cached_lines(&doc.file, *hunk, *side, r.clone())
            .is_none()
    });
    if spans.is_empty() || spans == app.highlight_pending {
        return None;
    }
    app.highlight_pending = spans.clone();
    Some(Effect::Highlight { doc, wants: spans })
}

/// The effects to start with: load the first files' diffs, start the impact analysis.
pub fn start(app: &mut App) -> Vec<Effect> {
    let mut effects = request_diffs(app);
    if !app.data.commits.is_empty() {
        app.impact = ImpactSlot::Computing;
        effects.push(Effect::ComputeImpact(
            app.data
                .commits
                .iter()
                .map(|c| c.change.id.clone())
                .collect(),
        ));
    }
    effects
}

fn overlay_update(app: &mut App, action: &Action) -> Handled {
    if app.overlays.is_empty() {
        return Handled::Ignored;
    }
    let forbidden = app.forbidden();
    let unviewed = app.unviewed().len();
    let Some(top) = app.overlays.last_mut() else {
        return Handled::Ignored;
    };
    if matches!(action, Action::Interrupt | Action::Resize(..)) {
        return Handled::Ignored;
    }
    match top {
        Overlay::Interdiff(_) => match super::interdiff::on_key(app, action) {
            Some(effects) => Handled::Used(effects),
            None => Handled::Ignored,
        },
        Overlay::Help => {
            if matches!(
                action,
                Action::Help | Action::Cancel | Action::Quit | Action::Confirm | Action::Enter
            ) {
                app.overlays.pop();
            }
            Handled::Used(Vec::new())
        }
        Overlay::Viewer { lines, scroll, .. } => {
            let len = match lines {
                Some(Ok(l)) => l.len(),
                _ => 0,
            };
            let page = app.size.1.saturating_sub(4) as usize;
            match action {
                Action::Down | Action::WheelDown(..) => {
                    *scroll = (*scroll + 1).min(len.saturating_sub(1))
                }
                Action::Up | Action::WheelUp(..) => *scroll = scroll.saturating_sub(1),
                Action::PageDown => *scroll = (*scroll + page).min(len.saturating_sub(1)),
                Action::PageUp => *scroll = scroll.saturating_sub(page),
                Action::Top => *scroll = 0,
                Action::Bottom => *scroll = len.saturating_sub(1),
                Action::Cancel | Action::Quit | Action::Enter => {
                    app.overlays.pop();
                }
                _ => {}
            }
            Handled::Used(Vec::new())
        }
        Overlay::Search { input } => match action {
            _ if type_into(input, action) => Handled::Used(Vec::new()),
            Action::Cancel => {
                app.overlays.pop();
                Handled::Used(Vec::new())
            }
            Action::Confirm => {
                let query = std::mem::take(input);
                app.overlays.pop();
                run_search(app, query);
                Handled::Used(Vec::new())
            }
            _ => Handled::Used(Vec::new()),
        },
        Overlay::Comment { target, input } => match action {
            _ if type_into(input, action) => Handled::Used(Vec::new()),
            Action::Cancel => {
                app.overlays.pop();
                Handled::Used(Vec::new())
            }
            Action::Confirm => {
                let target = target.clone();
                let text = input.trim().to_string();
                app.overlays.pop();
                Handled::Used(save_comment(app, &target, text))
            }
            _ => Handled::Used(Vec::new()),
        },
        Overlay::Sign { decision, stage } => {
            let decision = *decision;
            match stage {
                SignStage::Passphrase { input, request, .. } => match action {
                    _ if type_into(input, action) => Handled::Used(Vec::new()),
                    Action::Cancel => {
                        app.overlays.pop();
                        flash(app, "nothing was signed", false);
                        Handled::Used(Vec::new())
                    }
                    Action::Confirm => {
                        let mut request = request.clone();
                        request.passphrase = Some(std::mem::take(input));
                        *stage = SignStage::Signing;
                        Handled::Used(vec![Effect::Sign(request)])
                    }
                    _ => Handled::Used(Vec::new()),
                },
                // The worker has the request; keys wait (Ctrl-C still quits).
                SignStage::Signing => Handled::Used(Vec::new()),
                SignStage::Done { .. } => {
                    if matches!(
                        action,
                        Action::Confirm | Action::Cancel | Action::Quit | Action::Enter
                    ) {
                        app.overlays.pop();
                    }
                    Handled::Used(Vec::new())
                }
                SignStage::Review | SignStage::ConfirmUnviewed => match action {
                    Action::Cancel | Action::Quit => {
                        app.overlays.pop();
                        Handled::Used(Vec::new())
                    }
                    Action::Confirm => {
                        if decision == Decision::Approve && forbidden {
                            // No approval is offered: the dialog says why.
                            return Handled::Used(Vec::new());
                        }
                        if *stage == SignStage::Review && unviewed > 0 {
                            set_sign_stage(app, SignStage::ConfirmUnviewed);
                            return Handled::Used(Vec::new());
                        }
                        let request = sign_request(app, decision);
                        set_sign_stage(app, SignStage::Signing);
                        Handled::Used(vec![Effect::Sign(request)])
                    }
                    _ => Handled::Used(Vec::new()),
                },
            }
        }
    }
}

fn set_sign_stage(app: &mut App, new: SignStage) {
    if let Some(Overlay::Sign { stage, .. }) = app.overlays.last_mut() {
        *stage = new;
    }
}

/// What a sign-off made now would bind: every commit of the change with its own files
/// viewed of total, the comments, and whether the impact analysis was on screen.
pub fn sign_request(app: &App, decision: Decision) -> SignRequest {
    let commits = app
        .data
        .commits
        .iter()
        .enumerate()
        .map(|(c, e)| {
            let keys = (0..e.change.files.len()).map(|f| FileKey { commit: c, file: f });
            CommitEvidence {
                commit: e.change.id.clone(),
                files_viewed: keys.filter(|k| app.is_viewed(*k)).count(),
                files_total: e.change.files.len(),
            }
        })
        .collect();
    SignRequest {
        decision,
        commits,
        comment: app
            .comments()
            .iter()
            .map(|c| c.render())
            .collect::<Vec<_>>()
            .join("\n"),
        impact_shown: app.impact_seen,
        passphrase: None,
    }
}

fn base_update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit | Action::Interrupt => {
            app.quit = true;
            Vec::new()
        }
        Action::Resize(w, h) => {
            app.size = (w, h);
            clamp_scroll(app);
            Vec::new()
        }
        Action::Help => {
            app.overlays.push(Overlay::Help);
            Vec::new()
        }
        Action::NextPanel | Action::PrevPanel => {
            let order = [Panel::Files, Panel::Diff, Panel::Impact];
            let i = order.iter().position(|p| *p == app.focus).unwrap_or(0);
            let step = if action == Action::NextPanel { 1 } else { 2 };
            app.focus = order[(i + step) % 3];
            clamp_scroll(app);
            Vec::new()
        }
        Action::FocusImpact => {
            app.focus = if app.focus == Panel::Impact {
                Panel::Diff
            } else {
                Panel::Impact
            };
            clamp_scroll(app);
            Vec::new()
        }
        Action::Interdiff => super::interdiff::open(app),
        Action::Cancel => {
            if app.focus == Panel::Impact {
                app.focus = Panel::Diff;
            }
            app.search.matches.clear();
            Vec::new()
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => move_in_focus(app, &action),
        Action::WheelDown(col, row) | Action::WheelUp(col, row) => {
            let down = matches!(action, Action::WheelDown(..));
            wheel(app, col, row, down)
        }
        Action::NextHunk => {
            jump_hunk(app, true);
            Vec::new()
        }
        Action::PrevHunk => {
            jump_hunk(app, false);
            Vec::new()
        }
        Action::NextFile => next_file(app, true),
        Action::PrevFile => next_file(app, false),
        Action::ToggleViewed => toggle_viewed(app),
        Action::ToggleSplit => {
            if let Some(doc) = app.doc().cloned() {
                app.pos.cursor = doc.translate_row(app.pos.cursor, app.split);
                app.split = !app.split;
                let q = app.search.query.clone();
                if !q.is_empty() {
                    app.search.matches = doc.search(&q, app.split);
                }
                keep_cursor_visible(app);
            } else {
                app.split = !app.split;
            }
            Vec::new()
        }
        Action::Comment => {
            if let Some(key) = app.selected {
                let line = app
                    .doc()
                    .and_then(|d| d.line_at(app.pos.cursor, app.split))
                    .map(|l| match (l.kind, l.old, l.new) {
                        (LineKind::Removed, Some(o), _) => format!("-{o}"),
                        (_, _, Some(n)) => format!("+{n}"),
                        (_, Some(o), None) => format!("-{o}"),
                        _ => String::new(),
                    });
                let target = CommentTarget {
                    key,
                    line: line.filter(|l| !l.is_empty()),
                };
                let input = app
                    .comment_at(&target)
                    .map(|c| c.text.clone())
                    .unwrap_or_default();
                app.overlays.push(Overlay::Comment { target, input });
            } else {
                flash(app, "there is no file to comment on", true);
            }
            Vec::new()
        }
        Action::Search => {
            app.overlays.push(Overlay::Search {
                input: String::new(),
            });
            Vec::new()
        }
        Action::SearchNext | Action::SearchPrev => {
            search_step(app, action == Action::SearchNext);
            Vec::new()
        }
        Action::Approve | Action::Reject => {
            let decision = if action == Action::Approve {
                Decision::Approve
            } else {
                Decision::Reject
            };
            if app.data.commits.is_empty() {
                flash(
                    app,
                    "there is nothing to sign: the range has no commits",
                    true,
                );
            } else {
                app.overlays.push(Overlay::Sign {
                    decision,
                    stage: SignStage::Review,
                });
            }
            Vec::new()
        }
        Action::Enter => match app.focus {
            Panel::Impact => open_impact_row(app),
            Panel::Files => {
                app.focus = Panel::Diff;
                Vec::new()
            }
            Panel::Diff => Vec::new(),
        },
        Action::Confirm | Action::Char(_) | Action::Backspace => Vec::new(),
    }
}

/// Applies a background job's result.
pub fn apply_job(app: &mut App, result: JobResult) -> Vec<Effect> {
    app.dirty = true;
    let mut effects = apply_result(app, result);
    effects.extend(request_highlight(app));
    app.impact_seen |= app.impact_visible();
    effects
}

fn apply_result(app: &mut App, result: JobResult) -> Vec<Effect> {
    match result {
        JobResult::Highlighter(h) => {
            app.highlighter = Some(h);
            Vec::new()
        }
        JobResult::Highlighted => {
            app.highlight_pending.clear();
            Vec::new()
        }
        JobResult::Interdiff { to, result } => {
            super::interdiff::apply(app, &to, result);
            Vec::new()
        }
        JobResult::Diff { key, result } => {
            let slot = match result {
                Ok(doc) => DiffSlot::Ready(doc),
                Err(e) => DiffSlot::Failed(e),
            };
            app.diffs.insert(key, slot);
            if Some(key) == app.selected {
                clamp_scroll(app);
                let q = app.search.query.clone();
                if let (false, Some(doc)) = (q.is_empty(), app.doc()) {
                    app.search.matches = doc.search(&q, app.split);
                }
            }
            evict(app);
            Vec::new()
        }
        JobResult::Impact(r) => {
            app.impact = match r {
                Ok(v) => ImpactSlot::Ready(v),
                Err(e) => ImpactSlot::Failed(e),
            };
            Vec::new()
        }
        JobResult::FileText { title, result } => {
            for o in app.overlays.iter_mut().rev() {
                if let Overlay::Viewer {
                    title: t, lines, ..
                } = o
                {
                    if *t == title {
                        *lines = Some(result);
                        break;
                    }
                }
            }
            Vec::new()
        }
        JobResult::Signed(outcome) => {
            match outcome {
                SignOutcome::Signed(lines) => {
                    flash(app, &lines.join("; "), false);
                    set_sign_stage(
                        app,
                        SignStage::Done {
                            signed: true,
                            lines,
                        },
                    );
                }
                SignOutcome::NeedPassphrase { request, error } => {
                    set_sign_stage(
                        app,
                        SignStage::Passphrase {
                            input: String::new(),
                            request,
                            error,
                        },
                    );
                }
                SignOutcome::Refused(reasons) => {
                    flash(app, "signing refused: nothing was signed", true);
                    set_sign_stage(
                        app,
                        SignStage::Done {
                            signed: false,
                            lines: reasons,
                        },
                    );
                }
                SignOutcome::Failed(e) => {
                    flash(app, "signing failed: nothing was signed", true);
                    set_sign_stage(
                        app,
                        SignStage::Done {
                            signed: false,
                            lines: vec![e],
                        },
                    );
                }
            }
            Vec::new()
        }
        JobResult::Saved(r) => {
            if let Err(e) = r {
                flash(app, &format!("saving the review state failed: {e}"), true);
            }
            Vec::new()
        }
        JobResult::Reloaded(r) => {
            match *r {
                Ok(data) if data.commits.len() == app.data.commits.len() => {
                    for (old, new) in app.data.commits.iter_mut().zip(data.commits) {
                        if old.change.id == new.change.id {
                            old.verdict = new.verdict;
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => flash(
                    app,
                    &format!("re-reading the sign-off states failed: {e}"),
                    true,
                ),
            }
            Vec::new()
        }
    }
}

fn flash(app: &mut App, text: &str, error: bool) {
    app.flash = Some(Flash {
        text: text.to_string(),
        error,
    });
}

fn move_in_focus(app: &mut App, action: &Action) -> Vec<Effect> {
    match app.focus {
        Panel::Files => {
            let Some(i) = app
                .selected
                .and_then(|s| app.files.iter().position(|k| *k == s))
            else {
                return Vec::new();
            };
            let n = app.files.len();
            let page = app.diff_height().max(1);
            let j = match action {
                Action::Up => i.saturating_sub(1),
                Action::Down => (i + 1).min(n - 1),
                Action::PageUp => i.saturating_sub(page),
                Action::PageDown => (i + page).min(n - 1),
                Action::Top => 0,
                _ => n - 1,
            };
            select(app, app.files[j])
        }
        Panel::Diff => {
            let len = app.doc_len();
            if len == 0 {
                return Vec::new();
            }
            let page = app.diff_height();
            let c = app.pos.cursor;
            app.pos.cursor = match action {
                Action::Up => c.saturating_sub(1),
                Action::Down => (c + 1).min(len - 1),
                Action::PageUp => c.saturating_sub(page),
                Action::PageDown => (c + page).min(len - 1),
                Action::Top => 0,
                _ => len - 1,
            };
            if matches!(action, Action::PageDown | Action::PageUp) {
                let delta = page as isize * if *action == Action::PageDown { 1 } else { -1 };
                app.pos.scroll = (app.pos.scroll as isize + delta).max(0) as usize;
            }
            keep_cursor_visible(app);
            Vec::new()
        }
        Panel::Impact => {
            let len = match &app.impact {
                ImpactSlot::Ready(v) => v.rows.len(),
                _ => 0,
            };
            if len == 0 {
                return Vec::new();
            }
            let c = app.impact_cursor;
            app.impact_cursor = match action {
                Action::Up => c.saturating_sub(1),
                Action::Down => (c + 1).min(len - 1),
                Action::Top | Action::PageUp => 0,
                _ => len - 1,
            };
            Vec::new()
        }
    }
}

fn wheel(app: &mut App, col: u16, row: u16, down: bool) -> Vec<Effect> {
    let areas = layout::compute(app.size, app.focus == Panel::Impact);
    let inside = |r: ratatui::layout::Rect| {
        col >= r.x && col < r.x + r.width && row >= r.y && row < r.y + r.height
    };
    if areas.files.is_some_and(inside) {
        let n = app.files.len();
        app.list_scroll = if down {
            (app.list_scroll + WHEEL_ROWS).min(n.saturating_sub(1))
        } else {
            app.list_scroll.saturating_sub(WHEEL_ROWS)
        };
        return Vec::new();
    }
    let len = app.doc_len();
    if len == 0 {
        return Vec::new();
    }
    let h = app.diff_height();
    let max_scroll = len.saturating_sub(h);
    app.pos.scroll = if down {
        (app.pos.scroll + WHEEL_ROWS).min(max_scroll)
    } else {
        app.pos.scroll.saturating_sub(WHEEL_ROWS)
    };
    // The cursor comes along so that it stays on screen.
    app.pos.cursor = app
        .pos
        .cursor
        .clamp(app.pos.scroll, app.pos.scroll + h - 1)
        .min(len - 1);
    Vec::new()
}

/// Keeps the cursor on screen, scrolling as little as possible.
fn keep_cursor_visible(app: &mut App) {
    let h = app.diff_height();
    let DiffPos { cursor, scroll } = app.pos;
    if cursor < scroll {
        app.pos.scroll = cursor;
    } else if cursor >= scroll + h {
        app.pos.scroll = cursor + 1 - h;
    }
    clamp_scroll(app);
}

fn clamp_scroll(app: &mut App) {
    let len = app.doc_len();
    let h = app.diff_height();
    app.pos.cursor = app.pos.cursor.min(len.saturating_sub(1));
    app.pos.scroll = app.pos.scroll.min(len.saturating_sub(h.min(len)));
    if app.pos.cursor < app.pos.scroll {
        app.pos.scroll = app.pos.cursor;
    } else if app.pos.cursor >= app.pos.scroll + h {
        app.pos.scroll = app.pos.cursor + 1 - h;
    }
}

fn jump_hunk(app: &mut App, forward: bool) {
    let Some(doc) = app.doc().cloned() else {
        return;
    };
    let starts = doc.hunk_starts(app.split);
    let c = app.pos.cursor;
    let target = if forward {
        starts.iter().copied().find(|s| *s > c)
    } else {
        starts.iter().rev().copied().find(|s| *s < c)
    };
    match target {
        Some(t) => {
            app.pos.cursor = t;
            // Show the hunk from its header down.
            app.pos.scroll = t;
            clamp_scroll(app);
        }
        None => flash(
            app,
            if forward {
                "last hunk of this file: ] goes to the next file"
            } else {
                "first hunk of this file: [ goes to the previous file"
            },
            false,
        ),
    }
}

fn next_file(app: &mut App, forward: bool) -> Vec<Effect> {
    let Some(cur) = app.selected else {
        return Vec::new();
    };
    let i = app.files.iter().position(|k| *k == cur).unwrap_or(0);
    let skip_viewed = forward && app.is_viewed(cur);
    let candidates: Box<dyn Iterator<Item = usize>> = if forward {
        Box::new(i + 1..app.files.len())
    } else {
        Box::new((0..i).rev())
    };
    let mut target = None;
    for j in candidates {
        if !skip_viewed || !app.is_viewed(app.files[j]) {
            target = Some(j);
            break;
        }
    }
    match target {
        Some(j) => select(app, app.files[j]),
        None => {
            flash(
                app,
                match (forward, skip_viewed) {
                    (true, true) => "no unviewed file after this one",
                    (true, false) => "this is the last file",
                    _ => "this is the first file",
                },
                false,
            );
            Vec::new()
        }
    }
}

/// Shows `key` in the diff panel, asking for its diff (and the next one's) when needed.
pub fn select(app: &mut App, key: FileKey) -> Vec<Effect> {
    if app.selected != Some(key) {
        app.selected = Some(key);
        app.pos = DiffPos::default();
        app.search.matches.clear();
        if let Some(doc) = app.doc().cloned() {
            let q = app.search.query.clone();
            if !q.is_empty() {
                app.search.matches = doc.search(&q, app.split);
            }
        }
    }
    keep_list_visible(app);
    request_diffs(app)
}

fn keep_list_visible(app: &mut App) {
    let Some(sel) = app.selected else { return };
    let i = app.files.iter().position(|k| *k == sel).unwrap_or(0);
    // Each commit adds header rows above its files: count rows up to the selection.
    let headers = super::view::files::HEADER_ROWS;
    let row = i + (sel.commit + 1) * headers;
    let h = app.diff_height();
    if row < app.list_scroll {
        // Show the commit's header with its first file.
        app.list_scroll = if sel.file == 0 { row - headers } else { row };
    } else if row >= app.list_scroll + h {
        app.list_scroll = row + 1 - h;
    }
}

/// Asks for the selected file's diff and the next file's, unless they are loaded or loading.
fn request_diffs(app: &mut App) -> Vec<Effect> {
    let Some(sel) = app.selected else {
        return Vec::new();
    };
    let i = app.files.iter().position(|k| *k == sel).unwrap_or(0);
    let wanted: Vec<FileKey> = std::iter::once(sel)
        .chain(app.files.get(i + 1).copied())
        .filter(|k| !app.diffs.contains_key(k))
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    for k in &wanted {
        app.diffs.insert(*k, DiffSlot::Loading);
    }
    // A request superseded before it ran is dropped by the worker; forget its placeholder.
    let keep: Vec<FileKey> = wanted.clone();
    app.diffs
        .retain(|k, v| !matches!(v, DiffSlot::Loading) || keep.contains(k));
    vec![Effect::LoadDiffs(wanted)]
}

fn evict(app: &mut App) {
    if app.diffs.len() <= DIFF_CACHE {
        return;
    }
    let Some(sel) = app.selected else { return };
    let pos = |k: &FileKey| app.files.iter().position(|f| f == k).unwrap_or(0);
    let s = pos(&sel);
    let mut keys: Vec<FileKey> = app.diffs.keys().copied().collect();
    keys.sort_by_key(|k| std::cmp::Reverse(pos(k).abs_diff(s)));
    for k in keys.into_iter().take(app.diffs.len() - DIFF_CACHE / 2) {
        app.diffs.remove(&k);
    }
}

fn toggle_viewed(app: &mut App) -> Vec<Effect> {
    let Some(key) = app.selected else {
        return Vec::new();
    };
    let Some(file) = app.data.file(key) else {
        return Vec::new();
    };
    let k = viewed_key(file);
    if !app.store.saved.viewed.remove(&k) {
        app.store.saved.viewed.insert(k);
    }
    vec![Effect::Save]
}

fn save_comment(app: &mut App, target: &CommentTarget, text: String) -> Vec<Effect> {
    let (Some(entry), Some(file)) = (
        app.data.commits.get(target.key.commit),
        app.data.file(target.key),
    ) else {
        return Vec::new();
    };
    let commit = entry.change.id.clone();
    let path = file.path().display();
    let comments = &mut app.store.saved.comments;
    let existing = comments
        .iter()
        .position(|c| c.commit == commit && c.path == path && c.line == target.line);
    match (existing, text.is_empty()) {
        (Some(i), true) => {
            comments.remove(i);
            flash(app, "comment deleted", false);
        }
        (Some(i), false) => comments[i].text = text,
        (None, true) => return Vec::new(),
        (None, false) => comments.push(Comment {
            commit,
            path,
            line: target.line.clone(),
            text,
        }),
    }
    vec![Effect::Save]
}

fn run_search(app: &mut App, query: String) {
    app.search.query = query;
    app.search.matches = match app.doc() {
        Some(doc) => doc.search(&app.search.query, app.split),
        None => Vec::new(),
    };
    if app.search.query.is_empty() {
        return;
    }
    if app.search.matches.is_empty() {
        let text = format!("no match for `{}` in this file", app.search.query);
        flash(app, &text, true);
        return;
    }
    let c = app.pos.cursor;
    let first = app
        .search
        .matches
        .iter()
        .copied()
        .find(|m| *m >= c)
        .unwrap_or(app.search.matches[0]);
    app.pos.cursor = first;
    keep_cursor_visible(app);
}

fn search_step(app: &mut App, forward: bool) {
    if app.search.matches.is_empty() {
        let text = if app.search.query.is_empty() {
            "no search yet: / searches this file".to_string()
        } else {
            format!("no match for `{}` in this file", app.search.query)
        };
        flash(app, &text, true);
        return;
    }
    let c = app.pos.cursor;
    let m = &app.search.matches;
    let next = if forward {
        m.iter().copied().find(|x| *x > c).unwrap_or(m[0])
    } else {
        m.iter()
            .rev()
            .copied()
            .find(|x| *x < c)
            .unwrap_or(m[m.len() - 1])
    };
    app.pos.cursor = next;
    keep_cursor_visible(app);
}

fn open_impact_row(app: &mut App) -> Vec<Effect> {
    let ImpactSlot::Ready(view) = &app.impact else {
        return Vec::new();
    };
    let Some(row) = view.rows.get(app.impact_cursor) else {
        return Vec::new();
    };
    let Some((commit, path)) = row.open.clone() else {
        flash(
            app,
            "Enter opens a module's file: move to a module row",
            false,
        );
        return Vec::new();
    };
    let title = format!("{path} @ {} (read-only)", crate::git::short_id(&commit));
    app.overlays.push(Overlay::Viewer {
        title,
        lines: None,
        scroll: 0,
    });
    vec![Effect::OpenFile { commit, path }]
}

/// Typing into a one-line input (search, comment, passphrase): a character is appended,
/// Backspace removes the last one. True when the key was such an edit.
fn type_into(input: &mut String, action: &Action) -> bool {
    match action {
        Action::Char(c) => input.push(*c),
        Action::Backspace => {
            input.pop();
        }
        _ => return false,
    }
    true
}
