//! What a reviewer reads: word-level emphasis, syntax highlighting and themes.
//!
//! This module turns the hunks of a [`crate::git::FileChange`] into styled text; it draws
//! nothing and knows no terminal library. Colours are plain [`Rgb`] values that the TUI
//! converts. Three parts:
//!
//! 1. **Emphasis** (`pair_lines`, [`hunk_emphasis`], [`emphasis`]): each change block of a
//!    hunk (removed lines followed by added lines) is paired line by line, and each pair is
//!    diffed token by token with `similar`; the result is the changed byte ranges on both
//!    sides. Pairs that are too different or too long get none.
//! 2. **Highlighting** ([`Syntaxes`], [`Highlighter`]): syntect with the onig engine, per
//!    hunk side (old = context + removed lines, new = context + added lines), lazily in
//!    chunks of `CHUNK_LINES` lines, cached, long lines left plain. `Send + Sync`: run it on a worker thread.
//! 3. **Themes and config** ([`load_theme`], [`load_config`]): a theme is UI colours (TOML)
//!    plus syntax colours (`.tmTheme`); `dark` and `light` are built in, a user's own theme
//!    lives in the config directory's `themes/`.
//!
//! All byte ranges (emphasis and highlight spans) index a line's [`display_text`]: its bytes
//! decoded as lossy UTF-8, without the `\r` of a CRLF ending. Render that text and both kinds
//! of range apply to it directly, on `char` boundaries.
//!
//! ```no_run
//! use countersign_core::diff::{self, Highlighter, LineHighlight, Syntaxes};
//! use countersign_core::model::Side;
//! # fn show(file: &countersign_core::git::FileChange) -> countersign_core::Result<()> {
//! let config = diff::load_config(std::path::Path::new("/home/me/.config/countersign"))?;
//! let theme = diff::load_theme(config.theme_name(), None)?;
//! let syntaxes = Syntaxes::load(); // slow: once, on a background thread
//! let highlighter = Highlighter::new(syntaxes, &theme);
//! for (h, hunk) in file.hunks.iter().enumerate() {
//!     // Only the visible lines, e.g. 0..60: cost is bounded by what is asked for.
//!     let colours = highlighter.highlight_lines(file, h, Side::New, 0..60);
//!     let emphasis = diff::hunk_emphasis(hunk);
//!     for (i, line) in hunk.lines.iter().enumerate().take(60) {
//!         let text = diff::display_text(&line.content);
//!         if let Some(LineHighlight::Spans(spans)) = colours.line(i) {
//!             for span in spans {
//!                 let _piece = &text[span.range.clone()]; // draw in span.style.fg
//!             }
//!         }
//!         let _changed = &emphasis[i]; // ranges to draw on theme.ui.diff.*_emph_bg
//!     }
//! }
//! # Ok(()) }
//! ```

use std::borrow::Cow;

mod emphasis;
mod highlight;
pub mod invisible;
mod theme;

#[cfg(any(test, feature = "test-support"))]
pub use emphasis::emphasis;
pub use emphasis::hunk_emphasis;
pub use highlight::{Highlighter, LineHighlight, Syntaxes};
pub use theme::{load_config, load_theme, Config, LoadedTheme, Rgb, DEFAULT_THEME};

/// The text of a diff line as it is shown and as every range in this module indexes it:
/// lossy UTF-8 (invalid bytes become U+FFFD), without a trailing `\r` (CRLF endings are not
/// content). Borrowed when the line is valid UTF-8.
pub fn display_text(content: &[u8]) -> Cow<'_, str> {
    let content = content.strip_suffix(b"\r").unwrap_or(content);
    String::from_utf8_lossy(content)
}

#[cfg(test)]
mod tests {
    use super::display_text;

    #[test]
    fn display_text_drops_carriage_return_and_replaces_bad_bytes() {
        assert_eq!(display_text(b"a\r"), "a");
        assert_eq!(display_text(b"a\rb"), "a\rb");
        assert_eq!(display_text(b"\xffx"), "\u{fffd}x");
    }
}
