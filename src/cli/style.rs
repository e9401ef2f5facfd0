//! Colours for terminal output, applied only when stdout is a terminal.

use std::ffi::OsStr;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::args::ColorWhen;
use crate::model::Tier;
use crate::signoff::ReviewState;

/// The decision of `--color`, made once at start (before a pager replaces stdout).
static COLOUR: AtomicBool = AtomicBool::new(false);

/// Decides once, at start (before a pager replaces stdout), whether stdout is coloured, from
/// `--color` and the terminal, and the width text is fitted to.
pub fn init_colour(when: ColorWhen) {
    let on = decide(
        when,
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    COLOUR.store(on, Ordering::Relaxed);
    let columns = std::env::var("COLUMNS").ok();
    let terminal = terminal_columns(libc::STDOUT_FILENO);
    let known = terminal.is_some()
        || columns
            .as_deref()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .is_some_and(|c| c > 0);
    WIDTH_KNOWN.store(known, Ordering::Relaxed);
    WIDTH.store(
        choose_width(columns.as_deref(), terminal),
        Ordering::Relaxed,
    );
}

/// `--color WHEN` with stdout a terminal or not and `NO_COLOR` as given: `always` and
/// `never` win; `auto` colours a terminal unless `NO_COLOR` is non-empty (no-color.org).
pub fn decide(when: ColorWhen, terminal: bool, no_color: Option<&OsStr>) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => terminal && no_color.is_none_or(OsStr::is_empty),
    }
}

/// The width text output fits in, decided once at start (see [`init_colour`]).
static WIDTH: AtomicUsize = AtomicUsize::new(80);

/// The narrowest width text output is fitted to, however small the terminal says it is.
const MIN_WIDTH: usize = 40;

/// The columns of the terminal on `fd`, if it is one.
fn terminal_columns(fd: i32) -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills the winsize passed; a non-terminal fd makes it fail.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) } == 0;
    (ok && ws.ws_col > 0).then_some(usize::from(ws.ws_col))
}

/// The width to fit text to: `COLUMNS` when it is a number, else the terminal's width, else
/// 80 (a pipe, a file); never below 40.
pub fn choose_width(columns_env: Option<&str>, terminal: Option<usize>) -> usize {
    columns_env
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .or(terminal)
        .unwrap_or(80)
        .max(MIN_WIDTH)
}

/// The width text output fits in (`COLUMNS`, else the terminal, else 80).
pub fn width() -> usize {
    WIDTH.load(Ordering::Relaxed)
}

/// Whether a width was given (`COLUMNS`) or found (a terminal): output into a pipe or a CI
/// log with neither is left whole.
static WIDTH_KNOWN: AtomicBool = AtomicBool::new(false);

/// The width to fit to when one is known ([`WIDTH_KNOWN`]), else None: leave lines whole.
pub fn known_width() -> Option<usize> {
    WIDTH_KNOWN.load(Ordering::Relaxed).then(width)
}

/// Whether to colour stdout, as decided by [`init_colour`].
pub fn colour_stdout() -> bool {
    COLOUR.load(Ordering::Relaxed)
}

/// Wraps `text` in an ANSI colour (SGR code) when `on`.
pub fn paint(on: bool, code: &str, text: &str) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// The SGR colour of a tier.
pub fn tier_colour(tier: Tier) -> &'static str {
    match tier {
        Tier::Autonomous => "32",
        Tier::Supervised => "33",
        Tier::Prohibited => "1;31",
    }
}

/// The SGR colour of a review state.
pub fn state_colour(state: ReviewState) -> &'static str {
    match state {
        ReviewState::NotRequired => "2",
        ReviewState::NeedsSignoff => "33",
        ReviewState::Approved => "32",
        ReviewState::Rejected | ReviewState::Forbidden => "1;31",
    }
}

/// Pads `text` to `width` terminal columns (or cuts it with `…`).
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut used = 0;
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if total > width && used + w > width.saturating_sub(1) {
            out.push('…');
            used += 1;
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

/// Word-wraps `text` to `width` columns: the first line after `first`, the rest after `rest`.
/// A command in backticks (`` `countersign sign 4f2a1c9 --decision approve` ``) is never
/// split, so that it can be copied whole (a line may run long instead).
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in unbreakable_words(text) {
        let word = word.as_str();
        let w = unicode_width::UnicodeWidthStr::width(word);
        let cur = unicode_width::UnicodeWidthStr::width(line.as_str());
        if !empty && cur + 1 + w > width {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

/// The words of `text`, with the words of a backtick-quoted span joined by single spaces
/// into one (an unclosed span runs to the end).
fn unbreakable_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut open = false;
    for word in text.split_whitespace() {
        match words.last_mut() {
            Some(last) if open => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
        if word.matches('`').count() % 2 == 1 {
            open = !open;
        }
    }
    words
}

// The closed-pipe handling lives in the shared helper; commands keep importing it from here.
pub use crate::util::pipe::{finish, write_json};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_never_splits_a_command_in_backticks() {
        let text = "no sign-off is recorded; a reviewer of role senior signs with \
                    `countersign sign 4f2a1c9 --decision approve` and then pushes";
        let lines = wrap(text, 40, "", "  ");
        assert!(
            lines
                .iter()
                .any(|l| l.contains("`countersign sign 4f2a1c9 --decision approve`")),
            "{lines:#?}"
        );
        assert!(
            lines.iter().all(|l| l.matches('`').count() % 2 == 0),
            "{lines:#?}"
        );
        // Without backticks, words wrap as before.
        assert!(wrap("a b c d", 3, "", "").len() > 1);
    }

    #[test]
    fn color_auto_honours_no_color_and_a_non_terminal_stdout() {
        let set = Some(OsStr::new("1"));
        assert!(decide(ColorWhen::Auto, true, None));
        assert!(decide(ColorWhen::Auto, true, Some(OsStr::new(""))));
        assert!(!decide(ColorWhen::Auto, true, set));
        assert!(!decide(ColorWhen::Auto, false, None));
        assert!(decide(ColorWhen::Always, false, set));
        assert!(!decide(ColorWhen::Never, true, None));
    }
}
