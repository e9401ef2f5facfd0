//! The overlays (help, file viewer, search prompt, comment editor, sign dialog, interdiff):
//! layers over the panels, one module each, all handling keys the same way.
//!
//! Keys go to the top overlay first (helix's compositor, in small). Each module's `on_key`
//! answers [`Handled::Used`] with the effects the key asks for, or [`Handled::Ignored`] to
//! let the key fall through to the panels; [`on_key`] here only picks the module. A module
//! also owns how its overlay opens (`open`) and what its background results do to it
//! (`apply`), so everything about one overlay's behaviour is in one file; drawing is in
//! [`super::view`].
//!
//! Each overlay's state is a variant of [`super::app::Overlay`]; the interdiff's larger state
//! lives in [`interdiff_state`], a leaf that imports nothing of the app, so the state types do
//! not import the code that changes them.

pub mod comment;
pub mod comments;
pub mod help;
pub mod interdiff;
pub mod interdiff_state;
pub mod search;
pub mod sign;
pub mod viewer;

use super::action::{Action, Effect};
use super::app::{App, Overlay};

/// What an overlay did with a key.
#[derive(Debug)]
pub enum Handled {
    /// The overlay consumed the key; these effects are to be carried out.
    Used(Vec<Effect>),
    /// Not the overlay's key: the panels below get it.
    Ignored,
}

impl Handled {
    /// Consumed, with nothing for the event loop to do.
    pub fn used() -> Handled {
        Handled::Used(Vec::new())
    }
}

/// Hands `action` to the top overlay. Ctrl-C and resizes always reach the panels, and with
/// no overlay open every key does.
pub fn on_key(app: &mut App, action: &Action) -> Handled {
    if *action == Action::Interrupt && matches!(app.top(), Some(Overlay::Comment { .. })) {
        return Handled::Used(comment::interrupt(app));
    }
    if matches!(
        action,
        Action::Interrupt | Action::Resize(..) | Action::Suspend
    ) {
        return Handled::Ignored;
    }
    let kind = match app.top() {
        None => return Handled::Ignored,
        Some(o) => Kind::of(o),
    };
    match kind {
        Kind::Help => help::on_key(app, action),
        Kind::Viewer => viewer::on_key(app, action),
        Kind::Search => search::on_key(app, action),
        Kind::Comment => comment::on_key(app, action),
        Kind::Comments => comments::on_key(app, action),
        Kind::Sign => sign::on_key(app, action),
        Kind::Interdiff => interdiff::on_key(app, action),
    }
}

/// Which overlay is on top (without borrowing it).
#[derive(Clone, Copy)]
enum Kind {
    Help,
    Viewer,
    Search,
    Comment,
    Comments,
    Sign,
    Interdiff,
}

impl Kind {
    fn of(overlay: &Overlay) -> Kind {
        match overlay {
            Overlay::Help => Kind::Help,
            Overlay::Viewer { .. } => Kind::Viewer,
            Overlay::Search { .. } => Kind::Search,
            Overlay::Comment { .. } => Kind::Comment,
            Overlay::Comments { .. } => Kind::Comments,
            Overlay::Sign { .. } => Kind::Sign,
            Overlay::Interdiff(_) => Kind::Interdiff,
        }
    }
}

/// Typing into a one-line input (search, passphrase): a character is appended, Backspace
/// removes the last one, a paste is appended whole (its line breaks dropped by
/// [`type_into_line`]). True when the key was such an edit. (The comment box, which has a
/// cursor and lines, is a [`super::field::TextField`]; a paste keeps its lines there.)
pub fn type_into(input: &mut String, action: &Action) -> bool {
    match action {
        Action::Char(c) => input.push(*c),
        Action::Paste(text) => input.extend(pasted(text)),
        Action::Backspace => {
            input.pop();
        }
        _ => return false,
    }
    true
}

/// [`type_into`] for a one-line input (search, passphrase): a paste's line breaks are dropped.
pub fn type_into_line(input: &mut String, action: &Action) -> bool {
    if let Action::Paste(text) = action {
        input.extend(pasted(text).filter(|c| *c != '\n'));
        return true;
    }
    type_into(input, action)
}

/// A paste's characters as text: line breaks as `\n` (terminals send CR), tabs kept, other
/// control characters (an escape sequence in the clipboard) dropped.
pub fn pasted(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut after_cr = false;
    text.chars().filter_map(move |c| {
        let was_cr = std::mem::replace(&mut after_cr, c == '\r');
        match c {
            '\r' => Some('\n'),
            '\n' if was_cr => None,
            '\n' | '\t' => Some(c),
            c if c.is_control() => None,
            c => Some(c),
        }
    })
}
