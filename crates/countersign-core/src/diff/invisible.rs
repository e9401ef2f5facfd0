//! Characters a reader cannot see, and identifiers that mix look-alike scripts: what the
//! Trojan Source attack (CVE-2021-42574) hides code with.
//!
//! [`is_invisible`] is DESIGN.md's list ("Invisible characters"): Bidi_Control,
//! Default_Ignorable_Code_Point, Cc and Cf (but tab and newline), non-ASCII spaces, tag
//! characters and Hangul fillers. A screen must draw each as a visible marker ([`marker`]:
//! `<U+202E>`) instead of the character. [`scan`] gathers what a line holds so that a file,
//! its commit and the sign dialog can name them.
//!
//! Confusables are flagged only as mixed-script identifiers (`mixed_script_identifiers`),
//! as rustc's `mixed_script_confusables` lint does: an identifier whose letters come from
//! more than one of the scripts with look-alike letters (Latin, Greek, Cyrillic, Armenian,
//! Cherokee). Ordinary prose in another script is not flagged.

use std::collections::BTreeSet;

/// Whether `c` is drawn as a marker rather than as itself (see the module doc).
pub fn is_invisible(c: char) -> bool {
    let u = c as u32;
    if c == '\t' || c == '\n' {
        return false;
    }
    matches!(u,
        // Cc: C0 controls, DEL, C1 controls.
        0x00..=0x1f | 0x7f..=0x9f
        // Non-ASCII spaces (Zs but U+0020), line and paragraph separators.
        | 0xa0 | 0x1680 | 0x2000..=0x200a | 0x2028 | 0x2029 | 0x202f | 0x205f | 0x3000
        // Default_Ignorable_Code_Point (bidi controls and zero-width characters included).
        | 0xad | 0x34f | 0x61c | 0x115f | 0x1160 | 0x17b4 | 0x17b5 | 0x180b..=0x180f
        | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x206f | 0x3164 | 0xfe00..=0xfe0f
        | 0xfeff | 0xffa0 | 0xfff0..=0xfff8 | 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a
        | 0xe0000..=0xe0fff
        // Other Cf: Arabic number signs, syriac abbreviation mark, interlinear annotation,
        // Egyptian hieroglyph format controls.
        | 0x600..=0x605 | 0x6dd | 0x70f | 0x890 | 0x891 | 0x8e2 | 0xfff9..=0xfffb
        | 0x110bd | 0x110cd | 0x13430..=0x1343f
    )
}

/// Whether `c` is a bidirectional formatting control (the characters Trojan Source uses).
#[cfg(test)]
pub fn is_bidi_control(c: char) -> bool {
    matches!(c as u32, 0x61c | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
}

/// The marker drawn in place of an invisible character: `<U+202E>`.
pub fn marker(c: char) -> String {
    format!("<U+{:04X}>", c as u32)
}

/// A short name for the characters a reviewer most needs to recognise, else the code point.
pub(crate) fn describe(c: char) -> String {
    let name = match c as u32 {
        0x202a => "left-to-right embedding",
        0x202b => "right-to-left embedding",
        0x202c => "pop directional formatting",
        0x202d => "left-to-right override",
        0x202e => "right-to-left override",
        0x2066 => "left-to-right isolate",
        0x2067 => "right-to-left isolate",
        0x2068 => "first strong isolate",
        0x2069 => "pop directional isolate",
        0x200e => "left-to-right mark",
        0x200f => "right-to-left mark",
        0x61c => "Arabic letter mark",
        0x200b => "zero width space",
        0x200c => "zero width non-joiner",
        0x200d => "zero width joiner",
        0x2060 => "word joiner",
        0xfeff => "zero width no-break space",
        0xad => "soft hyphen",
        0xa0 => "no-break space",
        0x115f | 0x1160 | 0x3164 | 0xffa0 => "Hangul filler",
        0xe0000..=0xe007f => "tag character",
        0x00..=0x1f | 0x7f..=0x9f => "control character",
        _ => "",
    };
    if name.is_empty() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} {name}", c as u32)
    }
}

/// What one text holds that a reader could not see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    /// Invisible characters, each once.
    pub invisible: BTreeSet<char>,
    /// Identifiers mixing look-alike scripts, each once.
    pub mixed_script: BTreeSet<String>,
}

impl Findings {
    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.invisible.is_empty() && self.mixed_script.is_empty()
    }

    /// Adds what `text` holds.
    pub fn add_text(&mut self, text: &str) {
        self.invisible
            .extend(text.chars().filter(|c| is_invisible(*c)));
        self.mixed_script.extend(mixed_script_identifiers(text));
    }

    /// Adds another finding.
    pub fn merge(&mut self, other: &Findings) {
        self.invisible.extend(other.invisible.iter().copied());
        self.mixed_script.extend(other.mixed_script.iter().cloned());
    }

    /// One sentence: `U+202E right-to-left override, U+200B zero width space; mixed-script
    /// identifier: pаypal`.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.invisible.is_empty() {
            let names: Vec<String> = self.invisible.iter().map(|c| describe(*c)).collect();
            parts.push(names.join(", "));
        }
        if !self.mixed_script.is_empty() {
            let names: Vec<String> = self
                .mixed_script
                .iter()
                .map(|s| s.chars().map(marked_char).collect())
                .collect();
            parts.push(format!(
                "mixed-script identifier{}: {}",
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            ));
        }
        parts.join("; ")
    }
}

fn marked_char(c: char) -> String {
    if is_invisible(c) {
        marker(c)
    } else {
        c.to_string()
    }
}

/// What `text` holds that a reader could not see.
#[cfg(any(test, feature = "test-support"))]
pub fn scan(text: &str) -> Findings {
    let mut f = Findings::default();
    f.add_text(text);
    f
}

/// The scripts with look-alike letters that an identifier may not mix.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Armenian,
    Cherokee,
}

fn script(c: char) -> Option<Script> {
    Some(match c as u32 {
        0x41..=0x5a | 0x61..=0x7a | 0xaa | 0xba | 0xc0..=0x24f | 0x1e00..=0x1eff => Script::Latin,
        0xff21..=0xff3a | 0xff41..=0xff5a | 0x2c60..=0x2c7f | 0xa720..=0xa7ff => Script::Latin,
        0x370..=0x3ff | 0x1f00..=0x1fff => Script::Greek,
        0x400..=0x52f | 0x1c80..=0x1c8f | 0x2de0..=0x2dff | 0xa640..=0xa69f => Script::Cyrillic,
        0x531..=0x58f | 0xfb13..=0xfb17 => Script::Armenian,
        0x13a0..=0x13ff | 0xab70..=0xabbf => Script::Cherokee,
        _ => return None,
    })
}

/// The identifiers of `text` (letters, digits and `_`, as Rust's) whose letters come from
/// more than one look-alike script.
pub(crate) fn mixed_script_identifiers(text: &str) -> Vec<String> {
    mixed_script_ranges(text)
        .into_iter()
        .map(|r| text[r].to_string())
        .collect()
}

/// The byte ranges of those identifiers in `text` (where a screen highlights them).
pub fn mixed_script_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    if text.is_ascii() {
        return out;
    }
    let mut start: Option<usize> = None;
    let check = |s: usize, e: usize, out: &mut Vec<std::ops::Range<usize>>| {
        let word = &text[s..e];
        if !word.is_ascii() {
            let scripts: BTreeSet<Script> = word.chars().filter_map(script).collect();
            if scripts.len() > 1 {
                out.push(s..e);
            }
        }
    };
    for (i, c) in text.char_indices() {
        let in_word = c.is_alphanumeric() || c == '_';
        match (in_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                check(s, i, &mut out);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        check(s, text.len(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trojan_source_characters_are_invisible_and_named() {
        for c in [
            '\u{202e}',
            '\u{2066}',
            '\u{200b}',
            '\u{feff}',
            '\u{00a0}',
            '\u{e0041}',
            '\u{3164}',
            '\u{1b}',
            '\0',
            '\u{85}',
            '\u{ad}',
            '\u{2028}',
        ] {
            assert!(is_invisible(c), "{:04X}", c as u32);
        }
        for c in ['\t', '\n', ' ', 'a', 'é', 'ж', '中', '😀'] {
            assert!(!is_invisible(c), "{c}");
        }
        assert_eq!(marker('\u{202e}'), "<U+202E>");
        assert_eq!(describe('\u{202e}'), "U+202E right-to-left override");
        assert!(is_bidi_control('\u{2067}'));
    }

    #[test]
    fn only_identifiers_mixing_look_alike_scripts_are_flagged() {
        // Cyrillic а (U+0430) inside a Latin word.
        assert_eq!(
            mixed_script_identifiers("let p\u{430}ypal = 1; // привет мир, café"),
            vec!["p\u{430}ypal".to_string()]
        );
        assert!(mixed_script_identifiers("let привет = \"hello\"; // ελληνικά").is_empty());
        let f = scan("a\u{200b}b");
        assert_eq!(f.summary(), "U+200B zero width space");
    }
}
