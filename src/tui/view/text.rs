//! A diff line's text laid out in terminal cells, so that nothing signed is hidden by the
//! screen: tabs expand to the configured width, invisible characters (bidi controls,
//! zero-width and control characters, see [`crate::diff::invisible`]) become highlighted
//! `<U+202E>` markers, a CRLF line ends in a `␍` mark, and a line wider than the panel is
//! either cut at the horizontal scroll position with `←` / `→` marks where text continues
//! ([`window`]), or wrapped ([`wrap`]).
//!
//! Only the columns that can appear on screen are laid out (up to `limit`), so a one-megabyte
//! minified line costs what the panel shows.

use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use unicode_width::UnicodeWidthChar;

use crate::diff::invisible;
use crate::tui::theme::Theme;

/// The mark drawn at the right edge when a line continues past it.
pub const CUT_RIGHT: char = '→';
/// The mark drawn at the left edge when the line is scrolled and has text before the view.
pub const CUT_LEFT: char = '←';
/// The mark for the `\r` of a CRLF line ending.
pub const CR_MARK: char = '␍';

/// How markers for invisible characters (and cut marks) are drawn: reversed and bold, in
/// the error colour, so they stand out on any line background.
pub fn marker_style(theme: &Theme) -> Style {
    theme
        .error
        .add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

/// One terminal cell (a wide character takes two columns in one cell).
#[derive(Clone, Debug)]
pub struct Cell {
    /// The character drawn.
    pub ch: char,
    /// Columns it takes (0 for combining marks).
    pub width: usize,
    /// The line's style under it, with highlighting and emphasis over it.
    pub style: Style,
}

/// A styled byte range of a line's text (syntax highlighting or emphasis).
pub type Styled = (std::ops::Range<usize>, Style);

/// What a line is drawn from: its text and the styles over it.
pub struct LineSource<'t> {
    /// The display text.
    pub text: &'t str,
    /// The line's own style.
    pub base: Style,
    /// Syntax colours over `base`.
    pub highlight: &'t [Styled],
    /// Changed-word ranges, drawn in `emph` over the rest.
    pub emphasis: &'t [std::ops::Range<usize>],
    /// The changed-word style.
    pub emph: Style,
    /// Whether the line ended in `\r`.
    pub cr: bool,
}

/// Lays out `src` as cells, stopping after `limit` columns.
pub fn cells(src: &LineSource<'_>, tab: usize, marker: Style, limit: usize) -> Vec<Cell> {
    let text = src.text;
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for (r, _) in src.highlight {
        cuts.extend([r.start, r.end]);
    }
    for r in src.emphasis {
        cuts.extend([r.start, r.end]);
    }
    cuts.retain(|c| *c <= text.len() && text.is_char_boundary(*c));
    cuts.sort_unstable();
    cuts.dedup();
    let tab = tab.max(1);
    let mut out: Vec<Cell> = Vec::new();
    let mut col = 0usize;
    for w in cuts.windows(2) {
        let (s, e) = (w[0], w[1]);
        let mut style = src.base;
        if let Some((_, hs)) = src
            .highlight
            .iter()
            .find(|(r, _)| r.start <= s && e <= r.end)
        {
            style = style.patch(*hs);
        }
        if src.emphasis.iter().any(|r| r.start <= s && e <= r.end) {
            style = style.patch(src.emph);
        }
        for c in text[s..e].chars() {
            if col > limit {
                return out;
            }
            push_char(&mut out, &mut col, c, style, tab, marker);
        }
    }
    if src.cr && col <= limit {
        out.push(Cell {
            ch: CR_MARK,
            width: 1,
            style: marker,
        });
    }
    out
}

fn push_char(
    out: &mut Vec<Cell>,
    col: &mut usize,
    c: char,
    style: Style,
    tab: usize,
    marker: Style,
) {
    if c == '\t' {
        let pad = tab - *col % tab;
        for _ in 0..pad {
            out.push(Cell {
                ch: ' ',
                width: 1,
                style,
            });
        }
        *col += pad;
    } else if invisible::is_invisible(c) {
        for m in invisible::marker(c).chars() {
            out.push(Cell {
                ch: m,
                width: 1,
                style: marker,
            });
        }
        *col += invisible::marker(c).len();
    } else {
        let width = c.width().unwrap_or(0);
        out.push(Cell {
            ch: c,
            width,
            style,
        });
        *col += width;
    }
}

/// Plain text laid out the same way (the file viewer): tabs expanded, invisible characters
/// as markers.
pub fn plain_cells(text: &str, style: Style, tab: usize, marker: Style, limit: usize) -> Vec<Cell> {
    let src = LineSource {
        text,
        base: style,
        highlight: &[],
        emphasis: &[],
        emph: style,
        cr: false,
    };
    cells(&src, tab, marker, limit)
}

/// The display column at which byte `at` of `text` starts (tabs and markers counted).
pub fn column_of(text: &str, at: usize, tab: usize) -> usize {
    let tab = tab.max(1);
    let mut col = 0;
    let end = if text.is_char_boundary(at.min(text.len())) {
        at.min(text.len())
    } else {
        text.len()
    };
    for c in text[..end].chars() {
        col += if c == '\t' {
            tab - col % tab
        } else if invisible::is_invisible(c) {
            invisible::marker(c).len()
        } else {
            c.width().unwrap_or(0)
        };
    }
    col
}

/// The cells from column `start` on, in `width` columns, as spans: `←` first when text was
/// scrolled off to the left, `→` last when text continues past the right edge.
pub fn window(cells: &[Cell], start: usize, width: usize, marker: Style) -> Vec<Span<'static>> {
    if width == 0 {
        return Vec::new();
    }
    let mut col = 0usize;
    let mut shown: Vec<Cell> = Vec::new();
    let mut used = 0usize;
    let mut cut_right = false;
    for c in cells {
        let at = col;
        col += c.width;
        if at < start {
            continue;
        }
        if used + c.width > width {
            cut_right = true;
            break;
        }
        used += c.width;
        shown.push(c.clone());
    }
    if cut_right {
        // Make room for the mark.
        while used + 1 > width {
            match shown.pop() {
                Some(c) => used -= c.width,
                None => break,
            }
        }
        shown.push(Cell {
            ch: CUT_RIGHT,
            width: 1,
            style: marker,
        });
    }
    if start > 0 && cells.iter().any(|c| c.width > 0) {
        let left = Cell {
            ch: CUT_LEFT,
            width: 1,
            style: marker,
        };
        match shown.first().map(|c| c.width) {
            Some(w) => {
                shown[0] = left;
                // A wide first character became one column: keep the columns right.
                if w == 2 {
                    shown.insert(
                        1,
                        Cell {
                            ch: ' ',
                            width: 1,
                            style: marker,
                        },
                    );
                }
            }
            None => shown.push(left),
        }
    }
    spans(&shown)
}

/// The cells cut into rows of `width` columns (at least one row).
pub fn wrap(cells: &[Cell], width: usize) -> Vec<Vec<Span<'static>>> {
    let width = width.max(1);
    let mut rows: Vec<Vec<Span<'static>>> = Vec::new();
    let mut row: Vec<Cell> = Vec::new();
    let mut used = 0;
    for c in cells {
        if used + c.width > width && !row.is_empty() {
            rows.push(spans(&row));
            row.clear();
            used = 0;
        }
        used += c.width;
        row.push(c.clone());
    }
    rows.push(spans(&row));
    rows
}

/// `text` (a commit subject, a comment) with every invisible character written as a
/// `<U+XXXX>` marker and tabs as spaces, so that a terminal shows all of it.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            c if invisible::is_invisible(c) => out.push_str(&invisible::marker(c)),
            c => out.push(c),
        }
    }
    out
}

/// A file name as the screen shows it: `\n`, `\t`, `\r` and `\\` escaped, other invisible
/// characters as markers, so two names that differ never look the same.
pub fn escape_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            c if invisible::is_invisible(c) => out.push_str(&invisible::marker(c)),
            c => out.push(c),
        }
    }
    out
}

/// A repository path as the screen shows it: [`escape_name`] over its UTF-8 parts, and each
/// byte that is not UTF-8 as `\xE9`, so two paths that differ in such bytes differ on screen.
pub fn escape_path(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for chunk in path.utf8_chunks() {
        out.push_str(&escape_name(chunk.valid()));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// Runs of cells with the same style, as spans.
fn spans(cells: &[Cell]) -> Vec<Span<'static>> {
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style: Option<Style> = None;
    for c in cells {
        if style != Some(c.style) {
            if let Some(s) = style {
                out.push(Span::styled(std::mem::take(&mut text), s));
            }
            style = Some(c.style);
        }
        text.push(c.ch);
    }
    if let Some(s) = style {
        out.push(Span::styled(text, s));
    }
    out
}

/// `text` in rows of at most `width` columns, broken at spaces (a word longer than a row is
/// cut), each of its own lines starting a row: comments under their lines, the impact
/// panel's reasons.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    let width = width.max(1);
    let mut rows = Vec::new();
    for para in text.split('\n') {
        let mut row = String::new();
        let mut used = 0;
        let mut first = true;
        for word in para.split(' ') {
            let w = word.width();
            let gap = usize::from(!first);
            first = false;
            if used + gap + w <= width {
                if gap == 1 {
                    row.push(' ');
                }
                row.push_str(word);
                used += gap + w;
                continue;
            }
            if used > 0 {
                rows.push(std::mem::take(&mut row));
                used = 0;
            }
            // A word wider than a row: cut it.
            for ch in word.chars() {
                let cw = ch.width().unwrap_or(0);
                if used + cw > width {
                    rows.push(std::mem::take(&mut row));
                    used = 0;
                }
                row.push(ch);
                used += cw;
            }
        }
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(spans: &[Span<'_>]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn invisible_characters_become_markers_and_cr_a_mark() {
        let src = LineSource {
            text: "a\u{202e}b\tc",
            base: Style::new(),
            highlight: &[],
            emphasis: &[],
            emph: Style::new(),
            cr: true,
        };
        let c = cells(&src, 4, Style::new(), 100);
        assert_eq!(text_of(&window(&c, 0, 100, Style::new())), "a<U+202E>b  c␍");
    }

    #[test]
    fn a_cut_line_ends_in_a_mark_and_a_scrolled_one_starts_with_one() {
        let c = plain_cells(&"x".repeat(20), Style::new(), 4, Style::new(), 100);
        assert_eq!(text_of(&window(&c, 0, 10, Style::new())), "xxxxxxxxx→");
        assert_eq!(text_of(&window(&c, 15, 10, Style::new())), "←xxxx");
        assert_eq!(wrap(&c, 8).len(), 3);
        assert_eq!(column_of("\tab", 2, 4), 5);
    }

    #[test]
    fn names_that_differ_never_look_the_same() {
        assert_eq!(escape_name("a\nb\tc"), "a\\nb\\tc");
        assert_ne!(escape_name("a\nb"), escape_name("a\\nb"));
        assert_eq!(escape_name("x\u{200b}.rs"), "x<U+200B>.rs");
        assert_eq!(visible("fix\u{202e} it"), "fix<U+202E> it");
        assert_eq!(escape_path(b"caf\xe9.rs"), "caf\\xE9.rs");
        assert_ne!(escape_path(b"caf\xe9"), escape_path(b"caf\xe8"));
    }
}
