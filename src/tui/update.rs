//! `update`: the only place the state changes. It takes an [`Action`] or a [`JobResult`],
//! changes the [`App`], and returns the [`Effect`]s the event loop must carry out. It never
//! blocks and never touches the terminal, so tests drive it directly.
//!
//! Keys go to the top overlay first ([`super::overlay::on_key`]); an overlay either uses a
//! key or ignores it, and ignored keys fall through to the panels, handled here.

use super::action::{Action, Effect, HighlightWant, JobResult};
use super::app::{App, DiffSlot, Panel};
use super::data::FileKey;
use super::doc::{Row, SplitRow};
use super::impact::ImpactSlot;
use super::nav::{clamp_scroll, keep_cursor_visible, request_diffs, select};
use super::overlay::{self, Handled};
use super::store::viewed_key;
use crate::git::LineKind;
use crate::model::Side;
use crate::signoff::Decision;

pub use super::overlay::sign::sign_request;

/// How many loaded diffs to keep before dropping the ones far from the selection.
const DIFF_CACHE: usize = 48;
/// Rows the mouse wheel scrolls.
const WHEEL_ROWS: usize = 3;

/// Applies a user action.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    app.dirty = true;
    if !matches!(action, Action::Resize(..)) {
        app.flash = None;
    }
    if matches!(action, Action::Paste(_)) && super::keys::mode(app) != super::keys::Mode::Text {
        // A paste is text, never keys: outside a text field it does nothing.
        app.flash(
            "a paste is ignored outside a text field (c opens the comment box)",
            true,
        );
        return Vec::new();
    }
    let mut effects = match overlay::on_key(app, &action) {
        Handled::Used(effects) => effects,
        Handled::Ignored => base_update(app, action),
    };
    effects.extend(request_highlight(app));
    effects.extend(request_commit_impact(app));
    app.impact_seen |= app.impact_visible();
    effects
}

/// Asks for the impact of the commit the panel shows, the first time it is shown (only
/// where the range's impact is being computed too: a review read from a repository).
fn request_commit_impact(app: &mut App) -> Option<Effect> {
    let ci = app.impact_commit()?;
    if app.impact == ImpactSlot::Unavailable || app.commit_impacts.contains_key(&ci) {
        return None;
    }
    let id = app.data.commits.get(ci)?.change.id;
    app.commit_impacts.insert(ci, ImpactSlot::Computing);
    Some(Effect::ComputeCommitImpact(ci, id))
}

/// Asks for highlighting of the diff lines on screen that the highlighter has not cached.
fn request_highlight(app: &mut App) -> Option<Effect> {
    let highlighter = app.highlighter.as_ref()?;
    let doc = app.doc()?.clone();
    if doc.plain {
        return None;
    }
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
        effects.push(if app.data.settled() {
            lists_loaded(app)
        } else {
            Effect::LoadRange
        });
        app.impact = ImpactSlot::Computing;
        effects.extend(request_commit_impact(app));
        effects.push(Effect::ComputeImpact(
            app.data.commits.iter().map(|c| c.change.id).collect(),
        ));
    }
    effects
}

/// What follows once every commit's files are listed: their full lists (renames, binary
/// flags) when they were loaded with paths only, else the content scan, which runs on the
/// final lists.
fn lists_loaded(app: &App) -> Effect {
    if app.data.paths_only {
        Effect::LoadFullFiles(app.data.commits.iter().map(|c| c.change.id).collect())
    } else {
        Effect::ScanContent
    }
}

/// Puts a part of a long range in place: the files of the commits not loaded yet and every
/// verdict (those of the commits already on screen too: one assessor judged the range in
/// order, as `status` does; a giant change drawn before it was judged gets its verdict so). The last part starts what follows ([`lists_loaded`]).
fn apply_range_part(app: &mut App, part: super::data::RangePart) -> Vec<Effect> {
    let loaded = app.data.loaded();
    let end = part.first + part.commits.len();
    for (i, entry) in (part.first..).zip(part.commits) {
        let Some(slot) = app.data.commits.get_mut(i) else {
            continue;
        };
        if slot.change.id != entry.change.id {
            continue;
        }
        if i >= loaded {
            slot.change = entry.change;
        }
        slot.verdict = entry.verdict;
    }
    app.data.unloaded = app.data.commits.len().saturating_sub(loaded.max(end));
    // The commits on screen are judged with the first part (a giant first commit among them).
    if part.first == 0 {
        app.data.judging = false;
    }
    app.files = super::app::list_keys(&app.data);
    let mut effects = Vec::new();
    if app.selected.is_none() {
        // The opening commit changed no file: the first file that arrived.
        if let Some(first) = app.files.first().copied() {
            effects.extend(select(app, first));
        }
    }
    if app.data.settled() {
        effects.push(lists_loaded(app));
    }
    effects
}

/// A key no overlay used: the panels' keys. Those that start work return its effects; the
/// rest only change the state ([`apply_panel_key`]).
fn base_update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Interdiff => overlay::interdiff::open(app),
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
        Action::NextFile => next_file(app, true),
        Action::PrevFile => next_file(app, false),
        Action::ToggleViewed => toggle_viewed(app),
        Action::Enter if app.focus == Panel::Impact => overlay::viewer::open_impact_row(app),
        Action::Export => overlay::comments::export(app),
        Action::Click(col, row) => click(app, col, row),
        Action::Zoom => {
            app.zoom = !app.zoom;
            clamp_scroll(app);
            Vec::new()
        }
        Action::ImpactScope => {
            app.impact_range = !app.impact_range;
            app.impact_cursor = 0;
            app.flash(
                if app.impact_range {
                    "impact: the whole range (o: the selected commit's)"
                } else {
                    "impact: the selected commit's (o: the whole range)"
                },
                false,
            );
            Vec::new()
        }
        Action::SearchNext => overlay::search::step(app, true),
        Action::SearchPrev => overlay::search::step(app, false),
        other => {
            apply_panel_key(app, other);
            Vec::new()
        }
    }
}

/// The panels' keys that only change the state.
fn apply_panel_key(app: &mut App, action: Action) {
    match action {
        Action::Quit | Action::Interrupt => app.quit = true,
        Action::Resize(w, h) => {
            app.size = (w, h);
            clamp_scroll(app);
        }
        Action::Help => overlay::help::open(app),
        Action::Cancel if app.anchor.is_some() => app.anchor = None,
        Action::NextPanel | Action::PrevPanel | Action::FocusImpact | Action::Cancel => {
            move_focus(app, &action)
        }
        Action::SelectLines => overlay::comment::select_lines(app),
        Action::Comments => overlay::comments::open(app),
        Action::Enter if app.focus == Panel::Files => app.focus = Panel::Diff,
        Action::NextHunk => jump_hunk(app, true),
        Action::PrevHunk => jump_hunk(app, false),
        Action::ScrollLeft => scroll_sideways(app, false),
        Action::ScrollRight => scroll_sideways(app, true),
        Action::ToggleWrap => {
            app.wrap = !app.wrap;
            app.hscroll = 0;
            keep_cursor_visible(app);
        }
        Action::ToggleSplit => toggle_split(app),
        Action::Comment => overlay::comment::open(app),
        Action::Search => overlay::search::open(app),

        Action::Approve => overlay::sign::open(app, Decision::Approve, false),
        Action::Reject => overlay::sign::open(app, Decision::Reject, false),
        Action::ApproveRange => overlay::sign::open(app, Decision::Approve, true),
        Action::RejectRange => overlay::sign::open(app, Decision::Reject, true),
        _ => {}
    }
}

/// Tab / Shift-Tab cycle the panels; `i` toggles the impact panel; Esc leaves it (and
/// clears the search marks).
fn move_focus(app: &mut App, action: &Action) {
    match action {
        Action::NextPanel | Action::PrevPanel => {
            let order = [Panel::Files, Panel::Diff, Panel::Impact];
            let i = order.iter().position(|p| *p == app.focus).unwrap_or(0);
            let step = if *action == Action::NextPanel { 1 } else { 2 };
            app.focus = order[(i + step) % 3];
        }
        Action::FocusImpact => {
            app.focus = if app.focus == Panel::Impact {
                Panel::Diff
            } else {
                Panel::Impact
            };
        }
        _ => {
            if app.focus == Panel::Impact {
                app.focus = Panel::Diff;
            }
            app.search.matches.clear();
            return;
        }
    }
    clamp_scroll(app);
}

/// `h` / `l`: half a panel sideways; `l` stops where the widest line on screen still shows
/// its end, and never goes back (a search may have scrolled further than `l` goes).
fn scroll_sideways(app: &mut App, right: bool) {
    let step = (app.diff_text_width() / 2).max(8);
    app.hscroll = if right {
        let max = super::nav::max_hscroll(app).max(app.hscroll);
        (app.hscroll + step).min(max)
    } else {
        app.hscroll.saturating_sub(step)
    };
}

/// `s`: unified ↔ side-by-side, keeping the cursor on the same line and the search marks.
fn toggle_split(app: &mut App) {
    let Some(doc) = app.doc().cloned() else {
        app.split = !app.split;
        return;
    };
    app.pos.cursor = doc.translate_row(app.pos.cursor, app.split);
    app.anchor = app.anchor.map(|a| doc.translate_row(a, app.split));
    app.split = !app.split;
    let q = app.search.query.clone();
    if !q.is_empty() {
        app.search.matches = doc.search(&q, app.split);
    }
    keep_cursor_visible(app);
}

/// Applies a background job's result.
pub fn apply_job(app: &mut App, result: JobResult) -> Vec<Effect> {
    app.dirty = true;
    let mut effects = apply_result(app, result);
    effects.extend(request_highlight(app));
    effects.extend(request_commit_impact(app));
    app.impact_seen |= app.impact_visible();
    effects
}

fn apply_result(app: &mut App, result: JobResult) -> Vec<Effect> {
    match result {
        JobResult::Highlighter(h) => {
            app.highlighter = Some(h);
            Vec::new()
        }
        JobResult::Scanned(found) => {
            app.findings = Some(found);
            Vec::new()
        }
        JobResult::Highlighted => {
            app.highlight_pending.clear();
            Vec::new()
        }
        JobResult::Interdiff { to, result } => {
            overlay::interdiff::apply(app, to, result);
            Vec::new()
        }
        JobResult::Diff { key, result } => {
            if let (Ok(doc), Some(file)) = (&result, app.data.file(key)) {
                if !super::full_files::same_file(&doc.file, file) {
                    // Asked for before the full file lists replaced the key's file.
                    return Vec::new();
                }
            }
            let slot = match result {
                Ok(doc) => DiffSlot::Ready(doc),
                Err(e) => DiffSlot::Failed(e),
            };
            app.diffs.insert(key, slot);
            if Some(key) == app.selected {
                overlay::comments::finish_jump(app);
                clamp_scroll(app);
                let q = app.search.query.clone();
                if let (false, Some(doc)) = (q.is_empty(), app.doc()) {
                    app.search.matches = doc.search(&q, app.split);
                }
                overlay::search::land(app);
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
            overlay::viewer::apply(app, &title, result);
            Vec::new()
        }
        JobResult::CommitImpact { commit, result } => {
            app.commit_impacts.insert(
                commit,
                match result {
                    Ok(v) => ImpactSlot::Ready(v),
                    Err(e) => ImpactSlot::Failed(e),
                },
            );
            Vec::new()
        }
        JobResult::MatchCounts { query, counts } => {
            overlay::search::counted(app, &query, counts);
            Vec::new()
        }
        JobResult::Signed(outcome) => {
            overlay::sign::apply(app, outcome);
            Vec::new()
        }
        JobResult::Saved(r) => {
            match r {
                Ok(merged) => app.store.adopt(merged),
                Err(e) => app.flash(&format!("saving the review state failed: {e}"), true),
            }
            Vec::new()
        }
        JobResult::RangePart(Ok(part)) => apply_range_part(app, part),
        JobResult::RangePart(Err(e)) => {
            // The counts stay marked as not final and signing keeps waiting.
            app.data.notice = Some(format!(
                "loading the range stopped after {} of {} commits ({e}): open it again",
                app.data.loaded(),
                app.data.commits.len()
            ));
            app.flash(&format!("loading the range failed: {e}"), true);
            Vec::new()
        }
        JobResult::FullFiles(Ok(full)) => super::full_files::merge(app, full),
        JobResult::FullFiles(Err(e)) => {
            app.data.paths_only = false;
            app.flash(
                &format!(
                    "finding renames failed ({e}): a rename shows as a deletion and an addition"
                ),
                true,
            );
            vec![Effect::ScanContent]
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
                Err(e) => app.flash(&format!("re-reading the sign-off states failed: {e}"), true),
            }
            Vec::new()
        }
    }
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
            let len = match app.shown_impact() {
                ImpactSlot::Ready(v) => v.rows.len(),
                _ => 0,
            };
            if len == 0 {
                return Vec::new();
            }
            let c = app.impact_cursor;
            let page = impact_page(app);
            app.impact_cursor = match action {
                Action::Up => c.saturating_sub(1),
                Action::Down => (c + 1).min(len - 1),
                Action::PageUp => c.saturating_sub(page),
                Action::PageDown => (c + page).min(len - 1),
                Action::Top => 0,
                _ => len - 1,
            };
            Vec::new()
        }
    }
}

/// A left click: in the change list, selects the file (or the commit's first file) on that
/// row; on a panel, focuses it.
fn click(app: &mut App, col: u16, row: u16) -> Vec<Effect> {
    let areas = app.areas();
    let inside = |r: ratatui::layout::Rect| {
        col >= r.x && col < r.x + r.width && row >= r.y && row < r.y + r.height
    };
    if let Some(r) = areas.files.filter(|r| inside(*r)) {
        app.focus = Panel::Files;
        // Inside the border: the list's rows, scrolled by `list_scroll`.
        let Some(at) = usize::from(row).checked_sub(usize::from(r.y) + 1) else {
            return Vec::new();
        };
        let mut n = at + app.list_scroll;
        let headers = super::view::files::HEADER_ROWS;
        for (ci, entry) in app.data.commits.iter().enumerate() {
            let files = entry.change.files.len();
            if n < headers + files {
                if files == 0 {
                    return Vec::new();
                }
                let fi = n.saturating_sub(headers);
                return select(
                    app,
                    FileKey {
                        commit: ci,
                        file: fi,
                    },
                );
            }
            n -= headers + files;
        }
        return Vec::new();
    }
    if inside(areas.diff) {
        app.focus = Panel::Diff;
    } else if areas.impact.is_some_and(inside) {
        app.focus = Panel::Impact;
    }
    Vec::new()
}

/// Rows of the impact panel's tree a page moves: the panel's inner height, less the lines
/// above the tree.
fn impact_page(app: &App) -> usize {
    let areas = app.areas();
    areas
        .impact
        .map_or(1, |r| usize::from(r.height.saturating_sub(2)) / 2)
        .max(1)
}

fn wheel(app: &mut App, col: u16, row: u16, down: bool) -> Vec<Effect> {
    let areas = app.areas();
    let inside = |r: ratatui::layout::Rect| {
        col >= r.x && col < r.x + r.width && row >= r.y && row < r.y + r.height
    };
    if areas.impact.is_some_and(inside) {
        // Over the impact panel: its cursor moves (and the panel scrolls with it).
        if let ImpactSlot::Ready(v) = app.shown_impact() {
            let last = v.rows.len().saturating_sub(1);
            app.focus = Panel::Impact;
            app.impact_cursor = if down {
                (app.impact_cursor + WHEEL_ROWS).min(last)
            } else {
                app.impact_cursor.saturating_sub(WHEEL_ROWS)
            };
        }
        return Vec::new();
    }
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
        None => app.flash(
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
            app.flash(
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
