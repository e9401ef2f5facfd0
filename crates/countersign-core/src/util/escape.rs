//! Escaping text for a terminal: nothing read from a repository reaches the screen raw.
//!
//! A commit subject, a file name, a principal or a comment is attacker text. Printed raw, an
//! `ESC[1A ESC[2K` rubs out the line above (a `FAIL` line disappears), a newline in a file
//! name forges a `verify: OK` line, a right-to-left override makes text read differently from
//! what it is (Trojan Source, CVE-2021-42574), and a zero-width space makes two different
//! names look the same. Every text output passes such fields through [`fn@line`] (one-line
//! fields) or [`text`] (multi-line text such as comments) at the edge, just before printing;
//! nothing is escaped earlier, so nothing is escaped twice.
//!
//! # The scheme
//!
//! | character | shown as |
//! |---|---|
//! | backslash | `\\` (so a backslash on screen always starts an escape) |
//! | newline, carriage return, tab | `\n`, `\r`, `\t` ([`text`] keeps newline and tab as they are) |
//! | ESC | `\e` |
//! | every other C0 control, DEL, C1 control | `<U+0007>`, `<U+007F>`, `<U+009B>` |
//! | bidi controls, zero-width and other default-ignorable characters, format characters (Cf), tag characters, variation selectors | `<U+202E>`, `<U+200B>`, `<U+E0041>`, `<U+FE0F>` |
//! | non-ASCII spaces, line and paragraph separators, Hangul fillers, braille blank | `<U+00A0>`, `<U+2028>`, `<U+3164>`, `<U+2800>` |
//!
//! `<U+XXXX>` is the code point in upper-case hex, at least four digits. Everything else is
//! printed as it is. Each function makes one pass over its input (linear time) and borrows
//! the input when nothing needs escaping.

use std::borrow::Cow;

/// Code points (inclusive ranges, sorted) shown as `<U+XXXX>` besides the C0/C1 controls and
/// DEL: Bidi_Control, Default_Ignorable_Code_Point, general category Cf, Zs other than the
/// ASCII space, Zl, Zp, tag characters, variation selectors, Hangul fillers, braille blank.
const INVISIBLE: &[(u32, u32)] = &[
    (0x00A0, 0x00A0),   // no-break space
    (0x00AD, 0x00AD),   // soft hyphen
    (0x034F, 0x034F),   // combining grapheme joiner
    (0x0600, 0x0605),   // Arabic number signs (Cf)
    (0x061C, 0x061C),   // Arabic letter mark (bidi)
    (0x06DD, 0x06DD),   // Arabic end of ayah (Cf)
    (0x070F, 0x070F),   // Syriac abbreviation mark (Cf)
    (0x0890, 0x0891),   // Arabic pound/piastre mark above (Cf)
    (0x08E2, 0x08E2),   // Arabic disputed end of ayah (Cf)
    (0x115F, 0x1160),   // Hangul choseong/jungseong fillers
    (0x1680, 0x1680),   // Ogham space mark
    (0x17B4, 0x17B5),   // Khmer inherent vowels (default ignorable)
    (0x180B, 0x180F),   // Mongolian variation selectors, vowel separator
    (0x2000, 0x200F),   // en quad … hair space, ZWSP, ZWNJ, ZWJ, LRM, RLM
    (0x2028, 0x202F),   // line/paragraph separators, LRE RLE PDF LRO RLO, narrow NBSP
    (0x205F, 0x206F),   // medium math space, word joiner, invisible operators, isolates, deprecated
    (0x2800, 0x2800),   // braille pattern blank
    (0x3000, 0x3000),   // ideographic space
    (0x3164, 0x3164),   // Hangul filler
    (0xFE00, 0xFE0F),   // variation selectors
    (0xFEFF, 0xFEFF),   // zero width no-break space (BOM)
    (0xFFA0, 0xFFA0),   // halfwidth Hangul filler
    (0xFFF0, 0xFFFB),   // unassigned default ignorables, interlinear annotation controls
    (0x110BD, 0x110BD), // Kaithi number sign (Cf)
    (0x110CD, 0x110CD), // Kaithi number sign above (Cf)
    (0x13430, 0x1343F), // Egyptian hieroglyph format controls
    (0x1BCA0, 0x1BCA3), // shorthand format controls
    (0x1D173, 0x1D17A), // musical symbol format controls
    (0xE0000, 0xE0FFF), // tag characters, variation selectors supplement
];

/// True when `c` is shown escaped by [`fn@line`]: a control character, a backslash, or one of
/// the invisible characters listed in the module documentation. The TUI and other screens
/// can use it to decide what to mark.
pub fn needs_escape(c: char) -> bool {
    c == '\\' || is_hidden(c)
}

/// True when `c` is a control or invisible character (not a backslash): what a reader cannot
/// see, or what a terminal acts on instead of showing.
pub fn is_hidden(c: char) -> bool {
    let u = c as u32;
    if u < 0x20 || (0x7F..=0x9F).contains(&u) {
        return true;
    }
    if u < 0xA0 {
        return false;
    }
    INVISIBLE
        .binary_search_by(|&(lo, hi)| {
            if hi < u {
                std::cmp::Ordering::Less
            } else if lo > u {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Appends the visible form of `c` (which [`needs_escape`]) to `out`.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x1b' => out.push_str("\\e"),
        c => {
            use std::fmt::Write;
            let _ = write!(out, "<U+{:04X}>", c as u32);
        }
    }
}

/// A one-line field (commit subject, file name, principal, agent name, reason that quotes a
/// path) as it may be printed: every control and invisible character, newline and tab
/// included, shown as its escape, so the field stays on one line and looks like what it is.
pub fn line(s: &str) -> Cow<'_, str> {
    escape_with(s, |_| false, "")
}

/// Multi-line text (a comment, an error report) as it may be printed: newlines and tabs are
/// kept, every other control or invisible character is escaped, and each line after the
/// first starts with `indent`, so a line of the text can never pass for a line of the
/// program's own output that starts at column 0 (give `""` where that does not matter).
pub fn text<'s>(s: &'s str, indent: &str) -> Cow<'s, str> {
    escape_with(s, |c| c == '\n' || c == '\t', indent)
}

fn escape_with<'s>(s: &'s str, keep: impl Fn(char) -> bool, indent: &str) -> Cow<'s, str> {
    let first = s
        .char_indices()
        .find(|&(_, c)| needs_escape(c) && !(keep(c) && (c != '\n' || indent.is_empty())));
    let Some((at, _)) = first else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..at]);
    for c in s[at..].chars() {
        if c == '\n' && keep(c) {
            out.push('\n');
            out.push_str(indent);
        } else if keep(c) || !needs_escape(c) {
            out.push(c);
        } else {
            push_escaped(&mut out, c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(
            line("Speed up codec <T> é 漢字"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(text("a\n\tb", ""), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_controls_are_shown_not_sent() {
        let forged = "fix\x1b[1A\x1b[2K\x07done\r\n\u{7f}\u{9b}31m";
        let shown = line(forged);
        assert_eq!(
            shown,
            "fix\\e[1A\\e[2K<U+0007>done\\r\\n<U+007F><U+009B>31m"
        );
        assert!(!shown.chars().any(|c| c.is_control()));
    }

    #[test]
    fn a_newline_in_a_file_name_cannot_forge_a_line() {
        let name = "a\nverify: OK\n\x1b[8m.rs";
        assert_eq!(line(name), "a\\nverify: OK\\n\\e[8m.rs");
    }

    #[test]
    fn bidi_zero_width_and_other_invisibles_are_named() {
        for (c, shown) in [
            ('\u{202E}', "<U+202E>"),
            ('\u{2066}', "<U+2066>"),
            ('\u{200B}', "<U+200B>"),
            ('\u{00AD}', "<U+00AD>"),
            ('\u{00A0}', "<U+00A0>"),
            ('\u{3164}', "<U+3164>"),
            ('\u{FEFF}', "<U+FEFF>"),
            ('\u{E0041}', "<U+E0041>"),
            ('\u{2028}', "<U+2028>"),
            ('\u{061C}', "<U+061C>"),
        ] {
            assert_eq!(line(&format!("a{c}b")), format!("a{shown}b"), "{c:?}");
        }
    }

    #[test]
    fn backslashes_are_doubled_so_escapes_are_unambiguous() {
        assert_eq!(line("a\\nb"), "a\\\\nb");
        assert_ne!(line("a\\nb"), line("a\nb"));
        assert_ne!(line("a\tb"), line("a\\tb"));
    }

    #[test]
    fn text_keeps_lines_and_indents_them() {
        assert_eq!(text("one\ntwo\x1b[2K\r", "    "), "one\n    two\\e[2K\\r");
        assert_eq!(text("a\tb\nc", ""), "a\tb\nc");
    }

    #[test]
    fn escaping_a_megabyte_of_controls_is_linear() {
        let big = "\x1b\u{202E}".repeat(500_000);
        let shown = line(&big);
        assert_eq!(shown.len(), 500_000 * ("\\e".len() + "<U+202E>".len()));
    }

    #[test]
    fn the_table_is_sorted_and_disjoint() {
        for w in INVISIBLE.windows(2) {
            assert!(w[0].0 <= w[0].1 && w[0].1 < w[1].0, "{w:?}");
        }
    }
}
