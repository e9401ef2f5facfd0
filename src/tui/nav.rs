//! Keeping the diff panel's cursor and scroll consistent: shared by the panel keys in
//! [`super::update`] and the overlays that move the cursor (search).

use super::app::{App, DiffPos};

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
