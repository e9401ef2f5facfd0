//! The one key table (gitui's way): every key and mouse gesture the workstation answers to,
//! the layer it works in, the [`Action`] it becomes, its line in the `?` overlay and in
//! countersign-review(1), and its hint on the status line in each context. `keys.rs` maps
//! terminal events through [`TABLE`], `view/help.rs` and the man page print [`help_sections`],
//! `view/status.rs` takes [`hints`]: a key added, moved or dropped here changes all four.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::keys::Mode;

/// A key or a mouse gesture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// A key with Ctrl or Alt, or neither (Shift is part of the character: `G`, `}`).
    Press(KeyCode, KeyModifiers),
    /// Any character typed without Ctrl (text fields).
    AnyChar,
    /// A left click.
    Click,
    /// The wheel turned down.
    WheelDown,
    /// The wheel turned up.
    WheelUp,
}

const fn ch(c: char) -> Key {
    Key::Press(KeyCode::Char(c), KeyModifiers::NONE)
}

const fn code(c: KeyCode) -> Key {
    Key::Press(c, KeyModifiers::NONE)
}

const fn ctrl(c: char) -> Key {
    Key::Press(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Which layer a binding works in: one [`Mode`], or all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// Whatever has the keys.
    Any,
    /// Only in this mode.
    Only(Mode),
}

impl Layer {
    fn holds(self, mode: Mode) -> bool {
        match self {
            Layer::Any => true,
            Layer::Only(m) => m == mode,
        }
    }

    /// The heading of the layer's keys in the help overlay and the man page.
    pub fn title(self) -> &'static str {
        match self {
            Layer::Only(Mode::Normal) => "Panels and overlays",
            Layer::Only(Mode::Text) => "Text fields (search, comment, passphrase)",
            Layer::Only(Mode::Dialog) => "Sign dialog",
            Layer::Any => "Anywhere",
        }
    }
}

/// What the status line describes: finer than [`Mode`], as a key's meaning differs between
/// overlays of the same mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyContext {
    /// The panels, nothing open.
    Panels,
    /// The panels, on a commit rewritten since its approval (its hints come before the
    /// panels' ones).
    Rewritten,
    /// Lines being selected with `V`.
    Selecting,
    /// The impact panel focused.
    Impact,
    /// The `?` overlay.
    Help,
    /// The comments overview.
    Comments,
    /// The read-only file viewer.
    Viewer,
    /// The interdiff overlay.
    Interdiff,
    /// The `/` prompt.
    Search,
    /// Writing a comment: keys are text.
    CommentBox,
    /// The passphrase prompt.
    Passphrase,
    /// The sign dialog, ready to sign.
    Sign,
    /// The sign dialog on a forbidden commit: it can only close.
    SignForbidden,
    /// The sign dialog's result.
    SignDone,
}

impl KeyContext {
    /// The context whose hints follow this one's.
    fn parent(self) -> Option<KeyContext> {
        match self {
            KeyContext::Rewritten => Some(KeyContext::Panels),
            _ => None,
        }
    }
}

/// Keys that lead to one action.
pub struct Binding {
    /// The keys (the first one names the binding on the status line).
    pub keys: &'static [Key],
    /// What they do ([`Action::Char`], [`Action::Click`] and the wheel take the event's
    /// character or position).
    pub action: Action,
}

/// One line of the table: bindings that belong together (`j` / `k`), where they work, the
/// help text and the status hints.
pub struct Entry {
    /// Where the keys work.
    pub layer: Layer,
    /// The bindings, in the order the help line names them.
    pub binds: &'static [Binding],
    /// The help overlay's and the man page's text.
    pub help: &'static str,
    /// The status line's text per context.
    pub hints: &'static [(KeyContext, &'static str)],
}

const NORMAL: Layer = Layer::Only(Mode::Normal);
const TEXT: Layer = Layer::Only(Mode::Text);
const DIALOG: Layer = Layer::Only(Mode::Dialog);

/// Every key of the workstation. Order matters twice: the first binding of a key in a layer
/// wins, and the status line drops hints from the end when it is narrow.
pub static TABLE: &[Entry] = &[
    Entry {
        layer: NORMAL,
        binds: &[
            Binding {
                keys: &[ch('j'), code(KeyCode::Down)],
                action: Action::Down,
            },
            Binding {
                keys: &[ch('k'), code(KeyCode::Up)],
                action: Action::Up,
            },
        ],
        help: "move (in the focused panel); scroll an overlay",
        hints: &[
            (KeyContext::Panels, "move"),
            (KeyContext::Impact, "move"),
            (KeyContext::Selecting, "extend the selection"),
            (KeyContext::Help, "scroll"),
            (KeyContext::Comments, "move"),
            (KeyContext::Viewer, "scroll"),
            (KeyContext::Interdiff, "scroll"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[
            Binding {
                keys: &[code(KeyCode::PageDown), ch(' ')],
                action: Action::PageDown,
            },
            Binding {
                keys: &[code(KeyCode::PageUp)],
                action: Action::PageUp,
            },
        ],
        help: "page down / up",
        hints: &[],
    },
    Entry {
        layer: NORMAL,
        binds: &[
            Binding {
                keys: &[ctrl('f'), ctrl('d')],
                action: Action::PageDown,
            },
            Binding {
                keys: &[ctrl('b'), ctrl('u')],
                action: Action::PageUp,
            },
        ],
        help: "page down / up (as in less and vim)",
        hints: &[],
    },
    Entry {
        layer: NORMAL,
        binds: &[
            Binding {
                keys: &[ch('g'), code(KeyCode::Home)],
                action: Action::Top,
            },
            Binding {
                keys: &[ch('G'), code(KeyCode::End)],
                action: Action::Bottom,
            },
        ],
        help: "first / last row",
        hints: &[],
    },
    Entry {
        layer: NORMAL,
        binds: &[
            Binding {
                keys: &[ch('}')],
                action: Action::NextHunk,
            },
            Binding {
                keys: &[ch('{')],
                action: Action::PrevHunk,
            },
        ],
        help: "next / previous hunk",
        hints: &[(KeyContext::Panels, "hunk")],
    },
    Entry {
        layer: NORMAL,
        binds: &[
            Binding {
                keys: &[ch(']'), code(KeyCode::Right)],
                action: Action::NextFile,
            },
            Binding {
                keys: &[ch('['), code(KeyCode::Left)],
                action: Action::PrevFile,
            },
        ],
        help: "next / previous file (] skips viewed files)",
        hints: &[
            (KeyContext::Panels, "file"),
            (KeyContext::Interdiff, "file"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('v')],
            action: Action::ToggleViewed,
        }],
        help: "mark the file viewed (toggle)",
        hints: &[
            (KeyContext::Panels, "viewed"),
            (KeyContext::Interdiff, "viewed"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('c')],
            action: Action::Comment,
        }],
        help: "comment on the line (or the selected lines, or the file)",
        hints: &[
            (KeyContext::Panels, "comment"),
            (KeyContext::Selecting, "comment on the selected lines"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('/')],
            action: Action::Search,
        }],
        help: "search the change (matches counted in every file)",
        hints: &[(KeyContext::Panels, "search")],
    },
    Entry {
        layer: NORMAL,
        binds: &[
            Binding {
                keys: &[ch('n')],
                action: Action::SearchNext,
            },
            Binding {
                keys: &[ch('N')],
                action: Action::SearchPrev,
            },
        ],
        help: "next / previous match of the search",
        hints: &[],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('a')],
            action: Action::Approve,
        }],
        help: "approve the selected file's commit (sign dialog)",
        hints: &[
            (KeyContext::Panels, "approve"),
            (KeyContext::Interdiff, "approve this commit"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('r')],
            action: Action::Reject,
        }],
        help: "reject = request changes on the selected file's commit",
        hints: &[
            (KeyContext::Panels, "reject"),
            (KeyContext::Interdiff, "reject"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[
            Binding {
                keys: &[ch('A')],
                action: Action::ApproveRange,
            },
            Binding {
                keys: &[ch('R')],
                action: Action::RejectRange,
            },
        ],
        help: "approve / reject the range (A skips what it cannot approve)",
        hints: &[(KeyContext::Panels, "whole range")],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('s')],
            action: Action::ToggleSplit,
        }],
        help: "unified / side-by-side",
        hints: &[(KeyContext::Panels, "split")],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('i')],
            action: Action::FocusImpact,
        }],
        help: "focus the impact panel (again: back to the diff)",
        hints: &[
            (KeyContext::Panels, "impact"),
            (KeyContext::Impact, "back to diff"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('V')],
            action: Action::SelectLines,
        }],
        help: "select lines (j / k extend, c comments, V or Esc cancels)",
        hints: &[(KeyContext::Panels, "lines")],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('C')],
            action: Action::Comments,
        }],
        help: "the comments overview (again: close it)",
        hints: &[
            (KeyContext::Panels, "comments"),
            (KeyContext::Comments, "close"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('Y')],
            action: Action::Export,
        }],
        help: "copy the review as the agent's prompt (OSC 52 clipboard)",
        hints: &[
            (KeyContext::Panels, "copy prompt"),
            (KeyContext::Comments, "copy prompt"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('I')],
            action: Action::Interdiff,
        }],
        help: "changes since an earlier approval (interdiff; again: close it)",
        hints: &[
            (KeyContext::Rewritten, "interdiff since approval"),
            (KeyContext::Interdiff, "close"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[code(KeyCode::Enter)],
            action: Action::Enter,
        }],
        help: "open the impact panel's module; jump to a comment (overview)",
        hints: &[
            (KeyContext::Impact, "open module"),
            (KeyContext::Comments, "jump to"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('e')],
            action: Action::Every,
        }],
        help: "edit the highlighted comment (comments overview)",
        hints: &[(KeyContext::Comments, "edit")],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('d')],
            action: Action::Delete,
        }],
        help: "delete the highlighted comment (comments overview)",
        hints: &[(KeyContext::Comments, "delete")],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('o')],
            action: Action::ImpactScope,
        }],
        help: "impact: the selected commit's / the whole range's",
        hints: &[(KeyContext::Impact, "commit / range")],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('z')],
            action: Action::Zoom,
        }],
        help: "zoom the focused panel (again: all panels)",
        hints: &[(KeyContext::Impact, "zoom")],
    },
    Entry {
        layer: NORMAL,
        binds: &[
            Binding {
                keys: &[ch('h')],
                action: Action::ScrollLeft,
            },
            Binding {
                keys: &[ch('l')],
                action: Action::ScrollRight,
            },
        ],
        help: "scroll long lines left / right",
        hints: &[],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('w')],
            action: Action::ToggleWrap,
        }],
        help: "wrap long lines (toggle)",
        hints: &[],
    },
    Entry {
        layer: NORMAL,
        binds: &[
            Binding {
                keys: &[code(KeyCode::Tab)],
                action: Action::NextPanel,
            },
            Binding {
                keys: &[code(KeyCode::BackTab)],
                action: Action::PrevPanel,
            },
        ],
        help: "next / previous panel",
        hints: &[(KeyContext::Impact, "next panel")],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('?')],
            action: Action::Help,
        }],
        help: "this help (again: close it)",
        hints: &[
            (KeyContext::Panels, "help"),
            (KeyContext::Selecting, "help"),
            (KeyContext::Impact, "help"),
            (KeyContext::Help, "close help"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[code(KeyCode::Esc)],
            action: Action::Cancel,
        }],
        help: "close the overlay; cancel a selection; leave the impact panel",
        hints: &[
            (KeyContext::Selecting, "cancel"),
            (KeyContext::Impact, "back to diff"),
            (KeyContext::Help, "close help"),
            (KeyContext::Comments, "close"),
            (KeyContext::Viewer, "close"),
            (KeyContext::Interdiff, "close"),
        ],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('y')],
            action: Action::Confirm,
        }],
        help: "close the help",
        hints: &[],
    },
    Entry {
        layer: NORMAL,
        binds: &[Binding {
            keys: &[ch('q')],
            action: Action::Quit,
        }],
        help: "quit (viewed marks and drafts are kept)",
        hints: &[
            (KeyContext::Panels, "quit"),
            (KeyContext::Selecting, "quit"),
            (KeyContext::Impact, "quit"),
        ],
    },
    Entry {
        layer: TEXT,
        binds: &[Binding {
            keys: &[code(KeyCode::Enter)],
            action: Action::Confirm,
        }],
        help: "save the comment (empty deletes it), search, unlock the key",
        hints: &[
            (KeyContext::Search, "search"),
            (KeyContext::CommentBox, "save (empty deletes)"),
            (KeyContext::Passphrase, "unlock and sign"),
        ],
    },
    Entry {
        layer: TEXT,
        binds: &[Binding {
            keys: &[Key::Press(KeyCode::Enter, KeyModifiers::ALT), ctrl('j')],
            action: Action::Newline,
        }],
        help: "new line in a comment",
        hints: &[(KeyContext::CommentBox, "new line")],
    },
    Entry {
        layer: TEXT,
        binds: &[Binding {
            keys: &[code(KeyCode::Esc)],
            action: Action::Cancel,
        }],
        help: "cancel",
        hints: &[
            (KeyContext::Search, "cancel"),
            (KeyContext::CommentBox, "cancel"),
            (KeyContext::Passphrase, "cancel"),
        ],
    },
    Entry {
        layer: TEXT,
        binds: &[
            Binding {
                keys: &[code(KeyCode::Left)],
                action: Action::CursorLeft,
            },
            Binding {
                keys: &[code(KeyCode::Right)],
                action: Action::CursorRight,
            },
            Binding {
                keys: &[code(KeyCode::Home)],
                action: Action::CursorHome,
            },
            Binding {
                keys: &[code(KeyCode::End)],
                action: Action::CursorEnd,
            },
        ],
        help: "move the cursor: left, right, line start, line end",
        hints: &[],
    },
    Entry {
        layer: TEXT,
        binds: &[
            Binding {
                keys: &[code(KeyCode::Backspace)],
                action: Action::Backspace,
            },
            Binding {
                keys: &[code(KeyCode::Delete)],
                action: Action::DeleteChar,
            },
        ],
        help: "delete before / under the cursor",
        hints: &[],
    },
    Entry {
        layer: TEXT,
        binds: &[Binding {
            keys: &[code(KeyCode::Tab)],
            action: Action::Char('\t'),
        }],
        help: "a tab character",
        hints: &[],
    },
    Entry {
        layer: TEXT,
        binds: &[Binding {
            keys: &[Key::AnyChar],
            action: Action::Char(' '),
        }],
        help: "typed into the field (a paste keeps its newlines)",
        hints: &[],
    },
    Entry {
        layer: DIALOG,
        binds: &[Binding {
            keys: &[ch('y'), ch('Y')],
            action: Action::Confirm,
        }],
        help: "sign (once the dialog has been shown); close the result",
        hints: &[(KeyContext::Sign, "sign"), (KeyContext::SignDone, "close")],
    },
    Entry {
        layer: DIALOG,
        binds: &[Binding {
            keys: &[code(KeyCode::Esc), ch('n'), ch('q')],
            action: Action::Cancel,
        }],
        help: "cancel, close",
        hints: &[
            (KeyContext::Sign, "cancel"),
            (KeyContext::SignForbidden, "close"),
            (KeyContext::SignDone, "close"),
        ],
    },
    Entry {
        layer: DIALOG,
        binds: &[Binding {
            keys: &[ch('e')],
            action: Action::Every,
        }],
        help: "also sign the commits that need no sign-off (range)",
        hints: &[],
    },
    Entry {
        layer: DIALOG,
        binds: &[
            Binding {
                keys: &[ch('j'), code(KeyCode::Down)],
                action: Action::Down,
            },
            Binding {
                keys: &[ch('k'), code(KeyCode::Up)],
                action: Action::Up,
            },
        ],
        help: "scroll the dialog",
        hints: &[],
    },
    Entry {
        layer: DIALOG,
        binds: &[
            Binding {
                keys: &[code(KeyCode::PageDown), ch(' ')],
                action: Action::PageDown,
            },
            Binding {
                keys: &[code(KeyCode::PageUp)],
                action: Action::PageUp,
            },
        ],
        help: "page the dialog",
        hints: &[],
    },
    Entry {
        layer: Layer::Any,
        binds: &[Binding {
            keys: &[ctrl('c')],
            action: Action::Interrupt,
        }],
        help: "quit; in the comment box: close it and keep the draft",
        hints: &[(KeyContext::CommentBox, "close, keep the draft")],
    },
    Entry {
        layer: Layer::Any,
        binds: &[Binding {
            keys: &[ctrl('z')],
            action: Action::Suspend,
        }],
        help: "suspend to the shell (fg comes back)",
        hints: &[],
    },
    Entry {
        layer: Layer::Any,
        binds: &[Binding {
            keys: &[Key::Click],
            action: Action::Click(0, 0),
        }],
        help: "select a file or commit, focus a panel; in C a comment (twice: jump)",
        hints: &[],
    },
    Entry {
        layer: Layer::Any,
        binds: &[
            Binding {
                keys: &[Key::WheelDown],
                action: Action::WheelDown(0, 0),
            },
            Binding {
                keys: &[Key::WheelUp],
                action: Action::WheelUp(0, 0),
            },
        ],
        help: "scroll the panel under the pointer",
        hints: &[],
    },
];

/// The action `key` means in `mode`: an exact match of Ctrl and Alt first, then the key
/// without Alt (Alt-j moves as j does), then a typed character.
pub fn action_for(key: &KeyEvent, mode: Mode) -> Option<Action> {
    let mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
    let press = |mods: KeyModifiers| {
        find(mode, |k| *k == Key::Press(key.code, mods)).map(|(a, _)| a.clone())
    };
    press(mods)
        .or_else(|| press(mods - KeyModifiers::ALT))
        .or_else(|| match key.code {
            KeyCode::Char(c) if !mods.contains(KeyModifiers::CONTROL) => {
                find(mode, |k| *k == Key::AnyChar).map(|_| Action::Char(c))
            }
            _ => None,
        })
}

/// The action a mouse gesture at (column, row) means in `mode`.
pub fn gesture(gesture: Key, mode: Mode, column: u16, row: u16) -> Option<Action> {
    let (action, _) = find(mode, |k| *k == gesture)?;
    Some(match action {
        Action::Click(..) => Action::Click(column, row),
        Action::WheelDown(..) => Action::WheelDown(column, row),
        Action::WheelUp(..) => Action::WheelUp(column, row),
        other => other.clone(),
    })
}

/// The first binding in `mode` with a key that `is`.
fn find(mode: Mode, is: impl Fn(&Key) -> bool) -> Option<(&'static Action, &'static Entry)> {
    TABLE
        .iter()
        .filter(|e| e.layer.holds(mode))
        .flat_map(|e| e.binds.iter().map(move |b| (b, e)))
        .find(|(b, _)| b.keys.iter().any(&is))
        .map(|(b, e)| (&b.action, e))
}

/// A key's name as the help and the status line print it.
pub fn name(key: &Key) -> String {
    let (code, mods) = match key {
        Key::Press(code, mods) => (code, *mods),
        Key::AnyChar => return "any character".into(),
        Key::Click => return "mouse click".into(),
        Key::WheelDown => return "wheel down".into(),
        Key::WheelUp => return "wheel up".into(),
    };
    let base = match code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) if mods.is_empty() => c.to_string(),
        KeyCode::Char(c) => c.to_ascii_uppercase().to_string(),
        KeyCode::Down => "↓".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Delete => "Del".into(),
        other => format!("{other:?}"),
    };
    let mut out = String::new();
    if mods.contains(KeyModifiers::CONTROL) {
        out.push_str("Ctrl-");
    }
    if mods.contains(KeyModifiers::ALT) {
        out.push_str("Alt-");
    }
    out + &base
}

/// An entry's keys for the help: each binding's keys joined by `,`, the bindings by ` / `.
pub fn label(entry: &Entry) -> String {
    entry
        .binds
        .iter()
        .map(|b| b.keys.iter().map(name).collect::<Vec<_>>().join(", "))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The help, in sections by layer: (heading, [(keys, what they do)]).
pub fn help_sections() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    let layers = [NORMAL, TEXT, DIALOG, Layer::Any];
    layers
        .iter()
        .map(|&layer| {
            let lines = TABLE
                .iter()
                .filter(|e| e.layer == layer)
                .map(|e| (label(e), e.help))
                .collect();
            (layer.title(), lines)
        })
        .collect()
}

/// The status line's hints in `context`: (keys, what), the context's own first, then its
/// parent's; hints with the same text are one (`C/Esc close`).
pub fn hints(context: KeyContext) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let mut at = Some(context);
    while let Some(c) = at {
        for entry in TABLE {
            for (_, text) in entry.hints.iter().filter(|(hc, _)| *hc == c) {
                let keys = entry
                    .binds
                    .iter()
                    .filter_map(|b| b.keys.first().map(name))
                    .collect::<Vec<_>>()
                    .join("/");
                match out.iter_mut().find(|(_, t)| t == text) {
                    Some((k, _)) => {
                        k.push('/');
                        k.push_str(&keys);
                    }
                    None => out.push((keys, text)),
                }
            }
        }
        at = c.parent();
    }
    out
}

#[cfg(test)]
mod tests {
    use crossterm::event::{Event, MouseButton, MouseEvent, MouseEventKind};

    use super::*;
    use crate::tui::keys::map_event;

    const MODES: [Mode; 3] = [Mode::Normal, Mode::Text, Mode::Dialog];

    /// The terminal event a key of the table arrives as (capitals with Shift, as terminals
    /// send them).
    fn event(key: &Key) -> Event {
        let mouse = |kind| {
            Event::Mouse(MouseEvent {
                kind,
                column: 7,
                row: 3,
                modifiers: KeyModifiers::NONE,
            })
        };
        match *key {
            Key::Press(KeyCode::Char(c), mods) if c.is_ascii_uppercase() => {
                Event::Key(KeyEvent::new(KeyCode::Char(c), mods | KeyModifiers::SHIFT))
            }
            Key::Press(KeyCode::BackTab, mods) => {
                Event::Key(KeyEvent::new(KeyCode::BackTab, mods | KeyModifiers::SHIFT))
            }
            Key::Press(code, mods) => Event::Key(KeyEvent::new(code, mods)),
            Key::AnyChar => Event::Key(KeyEvent::from(KeyCode::Char('x'))),
            Key::Click => mouse(MouseEventKind::Down(MouseButton::Left)),
            Key::WheelDown => mouse(MouseEventKind::ScrollDown),
            Key::WheelUp => mouse(MouseEventKind::ScrollUp),
        }
    }

    /// What the binding's action becomes for [`event`]'s key.
    fn expected(action: &Action) -> Action {
        match action {
            Action::Char(' ') => Action::Char('x'),
            Action::Click(..) => Action::Click(7, 3),
            Action::WheelDown(..) => Action::WheelDown(7, 3),
            Action::WheelUp(..) => Action::WheelUp(7, 3),
            other => other.clone(),
        }
    }

    /// The handler is the table: each key of each binding, sent as the terminal sends it
    /// through the real event mapping, gives the binding's action in every mode of its layer
    /// (a key bound twice in a layer fails here: the later binding is unreachable).
    #[test]
    fn every_binding_is_reached_by_its_keys_through_the_event_handler() {
        let mut checked = 0;
        for entry in TABLE {
            for bind in entry.binds {
                for key in bind.keys {
                    for mode in MODES.into_iter().filter(|m| entry.layer.holds(*m)) {
                        assert_eq!(
                            map_event(&event(key), mode),
                            Some(expected(&bind.action)),
                            "{} in {mode:?} does not lead to {:?}",
                            name(key),
                            bind.action
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 60, "only {checked} keys checked");
    }

    /// A key the table does not list does nothing in the panels (no binding hidden in code).
    #[test]
    fn keys_outside_the_table_do_nothing_in_the_panels() {
        let listed = |c: char| {
            TABLE.iter().any(|e| {
                e.layer.holds(Mode::Normal) && e.binds.iter().any(|b| b.keys.contains(&ch(c)))
            })
        };
        for c in (b' '..=b'~').map(char::from).filter(|c| !listed(*c)) {
            let k = KeyEvent::from(KeyCode::Char(c));
            assert_eq!(map_event(&Event::Key(k), Mode::Normal), None, "{c:?}");
        }
    }

    /// Every action a person can cause, by index; the match makes a new [`Action`] a compile
    /// error here until it is given a key (or declared keyless).
    fn index(a: &Action) -> Option<usize> {
        use Action::*;
        Some(match a {
            Up => 0,
            Down => 1,
            PageUp => 2,
            PageDown => 3,
            Top => 4,
            Bottom => 5,
            NextHunk => 6,
            PrevHunk => 7,
            NextFile => 8,
            PrevFile => 9,
            ToggleViewed => 10,
            ToggleSplit => 11,
            ScrollLeft => 12,
            ScrollRight => 13,
            ToggleWrap => 14,
            Comment => 15,
            Search => 16,
            SearchNext => 17,
            SearchPrev => 18,
            Approve => 19,
            Reject => 20,
            ApproveRange => 21,
            RejectRange => 22,
            Every => 23,
            Delete => 24,
            SelectLines => 25,
            Comments => 26,
            Export => 27,
            FocusImpact => 28,
            Interdiff => 29,
            NextPanel => 30,
            PrevPanel => 31,
            Help => 32,
            Confirm => 33,
            Cancel => 34,
            Enter => 35,
            Char(_) => 36,
            Backspace => 37,
            DeleteChar => 38,
            Newline => 39,
            CursorLeft => 40,
            CursorRight => 41,
            CursorHome => 42,
            CursorEnd => 43,
            Suspend => 44,
            Click(..) => 45,
            Zoom => 46,
            ImpactScope => 47,
            WheelDown(..) => 48,
            WheelUp(..) => 49,
            Quit => 50,
            Interrupt => 51,
            // Not keys: the terminal's size and a paste arrive as their own events.
            Resize(..) | Paste(_) => return None,
        })
    }

    #[test]
    fn every_action_a_person_can_take_has_a_key_in_the_table() {
        let mut bound = [false; 52];
        for b in TABLE.iter().flat_map(|e| e.binds) {
            if let Some(i) = index(&b.action) {
                bound[i] = true;
            }
        }
        let missing: Vec<usize> = (0..bound.len()).filter(|i| !bound[*i]).collect();
        assert!(missing.is_empty(), "actions without a key: {missing:?}");
    }

    /// Every line of the table is in the help, under its layer's heading, with its text.
    #[test]
    fn the_help_is_the_table() {
        let sections = help_sections();
        let lines: usize = sections.iter().map(|(_, l)| l.len()).sum();
        assert_eq!(lines, TABLE.len());
        for entry in TABLE {
            assert!(!entry.help.is_empty());
            let (_, section) = sections
                .iter()
                .find(|(t, _)| *t == entry.layer.title())
                .expect("a section per layer");
            assert!(section.contains(&(label(entry), entry.help)));
        }
    }

    /// The mode a context's keys are read in.
    fn mode_of(c: KeyContext) -> Mode {
        match c {
            KeyContext::Search | KeyContext::CommentBox | KeyContext::Passphrase => Mode::Text,
            KeyContext::Sign | KeyContext::SignForbidden | KeyContext::SignDone => Mode::Dialog,
            _ => Mode::Normal,
        }
    }

    /// A hint names keys that work where it is shown: its binding's layer holds the context's
    /// mode, so the key does what the status line says it does.
    #[test]
    fn every_hint_names_keys_that_work_in_its_context() {
        for entry in TABLE {
            for (context, text) in entry.hints {
                assert!(
                    entry.layer.holds(mode_of(*context)),
                    "{} hinted as {text:?} in {context:?}, where it does not work",
                    label(entry)
                );
            }
        }
        let panels = hints(KeyContext::Panels);
        assert!(panels.contains(&("j/k".to_string(), "move")), "{panels:?}");
        let comments = hints(KeyContext::Comments);
        assert!(
            comments.contains(&("C/Esc".to_string(), "close")),
            "{comments:?}"
        );
        let rewritten = hints(KeyContext::Rewritten);
        assert_eq!(rewritten[0], ("I".to_string(), "interdiff since approval"));
        assert!(rewritten.len() > panels.len());
    }
}
