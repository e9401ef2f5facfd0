//! The `?` key table: any of `?`, Esc, `q`, `y`, Enter closes it; it swallows every other key.

use super::Handled;
use crate::tui::action::Action;
use crate::tui::app::{App, Overlay};

/// Opens the key table.
pub fn open(app: &mut App) {
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
    Handled::used()
}
