//! Terminal events to [`Action`]s. What a key means depends on the top layer: in an editor
//! (search, comment, passphrase) letters are text; in a dialog `y` confirms; elsewhere the
//! panels' keys apply. Every binding lives in the one table of [`keymap`].

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

use super::action::Action;
use super::app::{App, Overlay, SignStage};
use super::keymap::{self, Key};

/// What kind of layer has the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The panels.
    Normal,
    /// A text editor: search prompt, comment editor, passphrase prompt.
    Text,
    /// A yes/no dialog.
    Dialog,
}

/// The mode the state is in.
pub fn mode(app: &App) -> Mode {
    match app.top() {
        None | Some(Overlay::Help) | Some(Overlay::Viewer { .. }) | Some(Overlay::Interdiff(_)) => {
            Mode::Normal
        }
        Some(Overlay::Comments { .. }) => Mode::Normal,
        Some(Overlay::Search { .. }) | Some(Overlay::Comment { .. }) => Mode::Text,
        Some(Overlay::Sign {
            stage: SignStage::Passphrase { .. },
            ..
        }) => Mode::Text,
        Some(Overlay::Sign { .. }) => Mode::Dialog,
    }
}

/// The action for a terminal event in `mode`, if it means anything.
pub fn map_event(event: &Event, mode: Mode) -> Option<Action> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => map_key(k, mode),
        Event::Mouse(m) => {
            let gesture = match m.kind {
                MouseEventKind::ScrollDown => Key::WheelDown,
                MouseEventKind::ScrollUp => Key::WheelUp,
                MouseEventKind::Down(crossterm::event::MouseButton::Left) => Key::Click,
                _ => return None,
            };
            keymap::gesture(gesture, mode, m.column, m.row)
        }
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        _ => None,
    }
}

/// The action for a key in `mode`, from [`keymap::TABLE`].
pub fn map_key(key: &KeyEvent, mode: Mode) -> Option<Action> {
    keymap::action_for(key, mode)
}

/// What the marks on screen mean, for the `?` overlay: (mark, meaning).
pub const LEGEND: &[(&str, &str)] = &[
    ("AUTO SUPV PROH", "tier: autonomous, supervised, prohibited"),
    ("  —", "no tier (no policy judged it)"),
    ("?", "commit waits for a sign-off"),
    ("✓", "commit approved; file or hunk viewed"),
    ("✗", "commit rejected"),
    ("⊘", "forbidden: AI commit in the prohibited tier"),
    ("↻I", "rewritten after an approval: I shows what changed"),
    ("⚠", "invisible characters or mixed-script names"),
    ("·", "file not viewed yet"),
    (
        "A M D R C",
        "file added, modified, deleted, renamed, copied",
    ),
    ("✎", "a comment is on this line (its text below it)"),
    ("↪", "a wrapped line continues"),
    ("← →", "a cut line continues (h / l, w wraps)"),
    ("shaded rows", "the lines selected with V"),
];

/// Parses a key notation for tests and scripts: plain characters, and `<Esc>`, `<Enter>`,
/// `<Tab>`, `<S-Tab>`, `<BS>`, `<Del>`, `<Down>`, `<Up>`, `<Left>`, `<Right>`, `<Home>`,
/// `<End>`, `<PgDn>`, `<PgUp>`, `<C-c>`, `<C-j>`, `<C-z>`, `<M-Enter>`.
pub fn parse_keys(notation: &str) -> Vec<KeyEvent> {
    let mut out = Vec::new();
    let mut rest = notation;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(end) = rest.find('>') {
                let name = &rest[1..end];
                let key = match name {
                    "Esc" => Some(KeyEvent::from(KeyCode::Esc)),
                    "Enter" | "CR" => Some(KeyEvent::from(KeyCode::Enter)),
                    "Tab" => Some(KeyEvent::from(KeyCode::Tab)),
                    "S-Tab" => Some(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
                    "BS" => Some(KeyEvent::from(KeyCode::Backspace)),
                    "Down" => Some(KeyEvent::from(KeyCode::Down)),
                    "Up" => Some(KeyEvent::from(KeyCode::Up)),
                    "PgDn" => Some(KeyEvent::from(KeyCode::PageDown)),
                    "PgUp" => Some(KeyEvent::from(KeyCode::PageUp)),
                    "C-c" => Some(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
                    "C-j" => Some(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL)),
                    "C-z" => Some(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL)),
                    "M-Enter" => Some(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)),
                    "Left" => Some(KeyEvent::from(KeyCode::Left)),
                    "Right" => Some(KeyEvent::from(KeyCode::Right)),
                    "Home" => Some(KeyEvent::from(KeyCode::Home)),
                    "End" => Some(KeyEvent::from(KeyCode::End)),
                    "Del" => Some(KeyEvent::from(KeyCode::Delete)),
                    _ => None,
                };
                if let Some(k) = key {
                    out.push(k);
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        out.push(KeyEvent::from(KeyCode::Char(c)));
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_text_in_editors_and_commands_elsewhere() {
        let k = KeyEvent::from(KeyCode::Char('q'));
        assert_eq!(map_key(&k, Mode::Normal), Some(Action::Quit));
        assert_eq!(map_key(&k, Mode::Text), Some(Action::Char('q')));
        assert_eq!(map_key(&k, Mode::Dialog), Some(Action::Cancel));
    }

    #[test]
    fn ctrl_c_interrupts_everywhere() {
        let k = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for m in [Mode::Normal, Mode::Text, Mode::Dialog] {
            assert_eq!(map_key(&k, m), Some(Action::Interrupt));
        }
    }

    #[test]
    fn key_notation_parses_names_and_characters() {
        let keys = parse_keys("j<Enter>x<C-c>");
        assert_eq!(keys.len(), 4);
        assert_eq!(keys[1].code, KeyCode::Enter);
        assert!(keys[3].modifiers.contains(KeyModifiers::CONTROL));
    }
}
