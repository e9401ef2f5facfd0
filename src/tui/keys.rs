//! Terminal events to [`Action`]s. What a key means depends on the top layer: in an editor
//! (search, comment, passphrase) letters are text; in a dialog `y` confirms; elsewhere the
//! key table of DESIGN.md applies.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

use super::action::Action;
use super::app::{App, Overlay, SignStage};

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
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => Some(Action::WheelDown(m.column, m.row)),
            MouseEventKind::ScrollUp => Some(Action::WheelUp(m.column, m.row)),
            MouseEventKind::Down(crossterm::event::MouseButton::Left) => {
                Some(Action::Click(m.column, m.row))
            }
            _ => None,
        },
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        _ => None,
    }
}

/// The action for a key in `mode`.
pub fn map_key(key: &KeyEvent, mode: Mode) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Interrupt);
    }
    if ctrl && matches!(key.code, KeyCode::Char('z')) {
        return Some(Action::Suspend);
    }
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match mode {
        Mode::Text => match key.code {
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Enter if alt => Some(Action::Newline),
            KeyCode::Char('j') if ctrl => Some(Action::Newline),
            KeyCode::Enter => Some(Action::Confirm),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Delete => Some(Action::DeleteChar),
            KeyCode::Left => Some(Action::CursorLeft),
            KeyCode::Right => Some(Action::CursorRight),
            KeyCode::Home => Some(Action::CursorHome),
            KeyCode::End => Some(Action::CursorEnd),
            KeyCode::Tab => Some(Action::Char('\t')),
            KeyCode::Char(c) if !ctrl => Some(Action::Char(c)),
            _ => None,
        },
        Mode::Dialog => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Some(Action::Confirm),
            KeyCode::Char('e') => Some(Action::Every),
            KeyCode::Char('j') | KeyCode::Down => Some(Action::Down),
            KeyCode::Char('k') | KeyCode::Up => Some(Action::Up),
            KeyCode::PageDown | KeyCode::Char(' ') => Some(Action::PageDown),
            KeyCode::PageUp => Some(Action::PageUp),
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q') => Some(Action::Cancel),
            _ => None,
        },
        Mode::Normal => normal_key(key, ctrl),
    }
}

fn normal_key(key: &KeyEvent, ctrl: bool) -> Option<Action> {
    if ctrl {
        return match key.code {
            KeyCode::Char('f') | KeyCode::Char('d') => Some(Action::PageDown),
            KeyCode::Char('b') | KeyCode::Char('u') => Some(Action::PageUp),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::PageDown | KeyCode::Char(' ') => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::Char('}') => Action::NextHunk,
        KeyCode::Char('{') => Action::PrevHunk,
        KeyCode::Char(']') | KeyCode::Right => Action::NextFile,
        KeyCode::Char('[') | KeyCode::Left => Action::PrevFile,
        KeyCode::Char('v') => Action::ToggleViewed,
        KeyCode::Char('s') => Action::ToggleSplit,
        KeyCode::Char('h') => Action::ScrollLeft,
        KeyCode::Char('l') => Action::ScrollRight,
        KeyCode::Char('w') => Action::ToggleWrap,
        KeyCode::Char('c') => Action::Comment,
        KeyCode::Char('/') => Action::Search,
        KeyCode::Char('n') => Action::SearchNext,
        KeyCode::Char('N') => Action::SearchPrev,
        KeyCode::Char('a') => Action::Approve,
        KeyCode::Char('r') => Action::Reject,
        KeyCode::Char('A') => Action::ApproveRange,
        KeyCode::Char('R') => Action::RejectRange,
        KeyCode::Char('e') => Action::Every,
        KeyCode::Char('d') => Action::Delete,
        KeyCode::Char('V') => Action::SelectLines,
        KeyCode::Char('C') => Action::Comments,
        KeyCode::Char('Y') => Action::Export,
        KeyCode::Char('i') => Action::FocusImpact,
        KeyCode::Char('o') => Action::ImpactScope,
        KeyCode::Char('z') => Action::Zoom,
        KeyCode::Char('I') => Action::Interdiff,
        KeyCode::Tab => Action::NextPanel,
        KeyCode::BackTab => Action::PrevPanel,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('y') => Action::Confirm,
        KeyCode::Esc => Action::Cancel,
        KeyCode::Enter => Action::Enter,
        KeyCode::Char('q') => Action::Quit,
        _ => return None,
    })
}

/// The key table `?` shows: (keys, what they do).
pub const HELP: &[(&str, &str)] = &[
    ("j / k, ↓ / ↑", "move (in the focused panel)"),
    ("PgDn / PgUp, Space", "page"),
    ("g / G", "first / last row"),
    ("} / {", "next / previous hunk"),
    ("] / [", "next / previous file (] skips viewed files)"),
    ("v", "mark the file viewed (toggle)"),
    ("s", "unified / side-by-side"),
    ("h / l", "scroll long lines left / right"),
    ("w", "wrap long lines (toggle)"),
    ("c", "comment on the line (the file, if none)"),
    (
        "Alt-Enter, Ctrl-J",
        "new line in a comment (Enter saves it)",
    ),
    ("V, j / k, c", "select lines, extend, comment on them"),
    ("C (then Enter, e, d)", "comments: list; jump, edit, delete"),
    ("Y", "copy the review as a prompt (OSC 52 clipboard)"),
    (
        "/ then n / N",
        "search the change (matches counted in every file), next / previous",
    ),
    ("z", "zoom the focused panel (again: all panels)"),
    ("mouse click", "select a file or commit, focus a panel"),
    ("a / A", "approve this commit / the range (sign dialog)"),
    ("r / R", "reject = request changes: commit / range"),
    ("e (sign dialog)", "also sign commits that need no sign-off"),
    ("i", "focus the impact panel (Enter opens a module)"),
    ("o", "impact: the selected commit's / the whole range's"),
    ("I", "changes since an earlier approval (interdiff)"),
    ("Tab / Shift-Tab", "next / previous panel"),
    ("mouse wheel", "scroll"),
    ("y / Esc", "confirm / cancel in dialogs (j / k scroll them)"),
    ("?", "this help"),
    ("Ctrl-Z", "suspend to the shell (fg comes back)"),
    ("q, Ctrl-C", "quit"),
];

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

    /// One key table: every character key the panels answer to is listed in [`HELP`],
    /// which the `?` overlay and countersign-review(1) both print.
    #[test]
    fn every_panel_key_is_in_the_help_table() {
        let listed: String = HELP
            .iter()
            .map(|(k, _)| format!(" {k} "))
            .collect::<Vec<_>>()
            .join("");
        let mut missing = Vec::new();
        for c in (b'!'..=b'~').map(char::from) {
            let k = KeyEvent::from(KeyCode::Char(c));
            if map_key(&k, Mode::Normal).is_none() {
                continue;
            }
            let whole = listed.contains(&format!(" {c} "))
                || listed.contains(&format!(" {c},"))
                || listed.contains(&format!(" {c} /"))
                || listed.contains(&format!("/ {c} "))
                || listed.contains(&format!(", {c} "))
                || listed.contains(&format!(" {c})"));
            if !whole {
                missing.push(c);
            }
        }
        assert!(missing.is_empty(), "keys missing from HELP: {missing:?}");
    }

    #[test]
    fn key_notation_parses_names_and_characters() {
        let keys = parse_keys("j<Enter>x<C-c>");
        assert_eq!(keys.len(), 4);
        assert_eq!(keys[1].code, KeyCode::Enter);
        assert!(keys[3].modifiers.contains(KeyModifiers::CONTROL));
    }
}
