//! The read-only file viewer, opened from the impact panel's module rows: `j`/`k`, pages,
//! `g`/`G` scroll, `h`/`l` scroll sideways; Esc, `q` or Enter close it.

use super::Handled;
use crate::tui::action::{Action, Effect};
use crate::tui::app::{App, Overlay};
use crate::tui::impact::ImpactSlot;

/// Enter on the impact panel: opens the module under the cursor (and asks for its text).
pub fn open_impact_row(app: &mut App) -> Vec<Effect> {
    let ImpactSlot::Ready(view) = app.shown_impact() else {
        return Vec::new();
    };
    let Some(row) = view.rows.get(app.impact_cursor) else {
        return Vec::new();
    };
    let Some((commit, path)) = row.open.clone() else {
        app.flash("Enter opens a module's file: move to a module row", false);
        return Vec::new();
    };
    let title = format!("{path} @ {} (read-only)", commit.short());
    app.overlays.push(Overlay::Viewer {
        title,
        lines: None,
        scroll: 0,
    });
    vec![Effect::OpenFile { commit, path }]
}

/// A file's text arrived: fills the viewer with that title.
pub fn apply(app: &mut App, title: &str, result: Result<Vec<String>, String>) {
    for o in app.overlays.iter_mut().rev() {
        if let Overlay::Viewer {
            title: t, lines, ..
        } = o
        {
            if t == title {
                *lines = Some(result);
                return;
            }
        }
    }
}

/// Keys while the viewer is on top.
pub fn on_key(app: &mut App, action: &Action) -> Handled {
    let page = app.size.1.saturating_sub(4) as usize;
    let Some(Overlay::Viewer { lines, scroll, .. }) = app.overlays.last_mut() else {
        return Handled::Ignored;
    };
    let len = match lines {
        Some(Ok(l)) => l.len(),
        _ => 0,
    };
    match action {
        Action::Down | Action::WheelDown(..) => *scroll = (*scroll + 1).min(len.saturating_sub(1)),
        Action::Up | Action::WheelUp(..) => *scroll = scroll.saturating_sub(1),
        Action::PageDown => *scroll = (*scroll + page).min(len.saturating_sub(1)),
        Action::PageUp => *scroll = scroll.saturating_sub(page),
        Action::Top => *scroll = 0,
        Action::ScrollLeft => app.hscroll = app.hscroll.saturating_sub(8),
        Action::ScrollRight => app.hscroll += 8,
        Action::Bottom => *scroll = len.saturating_sub(1),
        Action::Cancel | Action::Quit | Action::Enter => {
            app.overlays.pop();
        }
        _ => {}
    }
    Handled::used()
}
