//! The `?` key table and the legend of the marks: any of `?`, Esc, `q`, `y`, Enter closes
//! it; `j`/`k` and pages scroll it; it swallows every other key.

use super::Handled;
use crate::tui::action::Action;
use crate::tui::app::{App, Overlay};

/// Opens the key table.
pub fn open(app: &mut App) {
    app.help_scroll = 0;
    app.overlays.push(Overlay::Help);
}

/// Keys while the key table is on top.
pub fn on_key(app: &mut App, action: &Action) -> Handled {
    if matches!(
        action,
        Action::Help | Action::Cancel | Action::Quit | Action::Confirm | Action::Enter
    ) {
        app.overlays.pop();
    }
    let page = usize::from(app.size.1 / 2).max(1);
    let max =
        crate::tui::view::help_rows().saturating_sub(usize::from(app.size.1.saturating_sub(2)));
    app.help_scroll = match action {
        Action::Down | Action::WheelDown(..) => app.help_scroll + 1,
        Action::Up | Action::WheelUp(..) => app.help_scroll.saturating_sub(1),
        Action::PageDown => app.help_scroll + page,
        Action::PageUp => app.help_scroll.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => max,
        _ => app.help_scroll,
    }
    .min(max);
    Handled::used()
}
