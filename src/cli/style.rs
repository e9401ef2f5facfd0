//! Colours for terminal output, applied only when stdout is a terminal.

use std::io::IsTerminal;

use crate::policy::Tier;
use crate::signoff::ReviewState;

/// Whether to colour stdout: a terminal, and `NO_COLOR` unset.
pub fn colour_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
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

// The closed-pipe handling lives in the shared helper; commands keep importing it from here.
pub use crate::util::pipe::{finish, write_json};
