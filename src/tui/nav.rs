//! Moving the selection and keeping the diff panel's cursor and scroll consistent: shared by
//! the panel keys in [`super::update`] and the overlays that move them (search, comments).

use super::action::Effect;
use super::app::{App, DiffPos, DiffSlot};
use super::data::FileKey;

/// Keeps the cursor on screen, scrolling as little as possible.
pub fn keep_cursor_visible(app: &mut App) {
    let h = app.diff_height();
    let DiffPos { cursor, scroll } = app.pos;
    if cursor < scroll {
        app.pos.scroll = cursor;
    } else if cursor >= scroll + h {
        app.pos.scroll = cursor + 1 - h;
    }
    clamp_scroll(app);
}

/// Brings cursor and scroll back inside the selected file's rows (after a resize, a layout
/// change or a diff arriving), the cursor on screen.
pub fn clamp_scroll(app: &mut App) {
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

/// The furthest `l` scrolls: the widest line on screen still shows its last columns.
pub fn max_hscroll(app: &App) -> usize {
    let Some(doc) = app.doc() else { return 0 };
    let h = app.diff_height();
    let widest = (app.pos.scroll..(app.pos.scroll + h).min(doc.len(app.split)))
        .flat_map(|r| lines_of_row(doc, r, app.split))
        .map(|l| super::view::text::column_of(&l.text, l.text.len(), app.tab_width) + 1)
        .max()
        .unwrap_or(0);
    widest.saturating_sub(app.diff_text_width() / 2)
}

fn lines_of_row(doc: &super::doc::DiffDoc, row: usize, split: bool) -> Vec<&super::doc::Line> {
    use super::doc::{Row, SplitRow};
    let idx: Vec<usize> = if split {
        match doc.split.get(row) {
            Some(SplitRow::Pair { left, right }) => {
                left.iter().chain(right.iter()).copied().collect()
            }
            _ => Vec::new(),
        }
    } else {
        match doc.unified.get(row) {
            Some(Row::Line(i)) => vec![*i],
            _ => Vec::new(),
        }
    };
    idx.into_iter().filter_map(|i| doc.lines.get(i)).collect()
}

/// After a search moved the cursor: scrolls sideways so that the match on the cursor's row
/// is on screen (search finds text past the panel edge; the reader must see it).
pub fn reveal_match(app: &mut App) {
    if app.wrap || app.search.query.is_empty() {
        return;
    }
    let Some(doc) = app.doc().cloned() else {
        return;
    };
    let query = app.search.query.clone();
    let fold = !query.chars().any(char::is_uppercase);
    let width = app.diff_text_width().max(1);
    let found = lines_of_row(&doc, app.pos.cursor, app.split)
        .into_iter()
        .find_map(|l| match_at(&l.text, &query, fold).map(|at| (l, at)));
    let Some((line, at)) = found else {
        // The match is in a notice or header: those start at the left edge.
        app.hscroll = 0;
        return;
    };
    let start = super::view::text::column_of(&line.text, at, app.tab_width);
    let end = super::view::text::column_of(&line.text, at + query.len(), app.tab_width);
    if start < app.hscroll || end + 1 > app.hscroll + width {
        app.hscroll = if end < width {
            0
        } else {
            start.saturating_sub(width / 4)
        };
    }
}

/// Byte offset of the first match of `query` in `text` (case-insensitive when `fold`).
fn match_at(text: &str, query: &str, fold: bool) -> Option<usize> {
    if !fold {
        return text.find(query);
    }
    let needle: Vec<char> = query.chars().flat_map(char::to_lowercase).collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    (0..chars.len()).find_map(|i| {
        let mut lowered = chars[i..].iter().flat_map(|(_, c)| c.to_lowercase());
        needle
            .iter()
            .all(|n| lowered.next() == Some(*n))
            .then_some(chars[i].0)
    })
}

/// Shows `key` in the diff panel, asking for its diff (and the next one's) when needed.
pub fn select(app: &mut App, key: FileKey) -> Vec<Effect> {
    if app.selected != Some(key) {
        app.selected = Some(key);
        app.pos = DiffPos::default();
        app.anchor = None;
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

/// Scrolls the file list so that the selected file shows.
pub fn keep_list_visible(app: &mut App) {
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
pub fn request_diffs(app: &mut App) -> Vec<Effect> {
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
