//! Repository paths as git stores them: bytes, not necessarily UTF-8.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

/// A path inside the repository, relative to its root, exactly as git stores it (bytes,
/// `/`-separated). Displays and serialises lossily; matches globs on the raw bytes.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GitPath(Vec<u8>);

impl GitPath {
    /// Wraps raw bytes from git.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        GitPath(bytes.into())
    }

    /// As git stores the path: not necessarily UTF-8, never re-encoded.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The path as UTF-8, when it is.
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// The path for display and JSON, lossless: a UTF-8 path as it is; a path that is not
    /// UTF-8 (or that starts with `"`) quoted in the style of git's `core.quotePath`: in
    /// double quotes, with `\\`, `\"`, `\t`, `\n`, `\r`, and `\xNN` for ASCII controls and
    /// for each byte that is not UTF-8 (`bad` 0xFF `.md` is `"bad\xFF.md"`). Two paths never
    /// display alike (a lossy form showed `bad\xFF.md` and `bad\xFE.md` both as
    /// `bad\u{fffd}.md`); [`GitPath::from_display`] reads it back.
    pub fn display(&self) -> String {
        match std::str::from_utf8(&self.0) {
            Ok(s) if !s.starts_with('"') => s.to_string(),
            _ => quote(&self.0),
        }
    }

    /// The path [`GitPath::display`] wrote `shown` for: the inverse of `display`, for paths
    /// that come back from output (a changed-files list). A quoted form that does not decode
    /// is taken as it is.
    pub fn from_display(shown: &str) -> GitPath {
        shown
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .and_then(unquote)
            .map_or_else(|| GitPath::from(shown), GitPath)
    }

    /// The path as a `Path` (on Unix, byte-exact), for glob matching.
    pub fn as_path(&self) -> &Path {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            Path::new(std::ffi::OsStr::from_bytes(&self.0))
        }
        #[cfg(not(unix))]
        {
            // Non-UTF-8 paths cannot be represented; lossy is the best we can do.
            Path::new(std::str::from_utf8(&self.0).unwrap_or("\u{fffd}"))
        }
    }

    /// True when `self` lies at or below directory `dir` (`""` is the root).
    pub fn starts_with_dir(&self, dir: &str) -> bool {
        if dir.is_empty() {
            return true;
        }
        let d = dir.as_bytes();
        self.0.starts_with(d) && (self.0.len() == d.len() || self.0[d.len()] == b'/')
    }
}

/// `bytes` in double quotes, C-style: `\\`, `\"`, `\t`, `\n`, `\r`, and `\xNN` for ASCII
/// controls and for every byte that is not part of valid UTF-8; valid non-ASCII UTF-8 kept.
fn quote(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() + 8);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c if c.is_ascii_control() => {
                    let _ = write!(out, "\\x{:02X}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    out.push('"');
    out
}

/// The bytes a [`quote`]d form (without its outer quotes) stands for; None when it is not one.
fn unquote(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(['\\', '"']) {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let tail = rest[at..].strip_prefix('\\')?;
        let (byte, used) = match tail.as_bytes().first()? {
            b'\\' => (b'\\', 1),
            b'"' => (b'"', 1),
            b't' => (b'\t', 1),
            b'n' => (b'\n', 1),
            b'r' => (b'\r', 1),
            b'x' => (u8::from_str_radix(tail.get(1..3)?, 16).ok()?, 3),
            _ => return None,
        };
        out.push(byte);
        rest = &tail[used..];
    }
    out.extend_from_slice(rest.as_bytes());
    Some(out)
}

/// Code points HFS+ ignores in file names (git's `next_hfs_char`): `.count\u{200c}ersign`
/// is `.countersign` on a Mac.
fn hfs_ignorable(c: char) -> bool {
    matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{206a}'..='\u{206f}' | '\u{feff}')
}

/// A path component as a case-insensitive file system may store it: case folded (Unicode
/// lowercase, so the Kelvin sign is `k`), HFS+'s ignorable code points dropped, an NTFS stream
/// suffix (`:…`) and NTFS's trailing dots and spaces cut.
///
/// Borrowed where folding changes nothing but cuts (an ASCII component: no code point HFS+
/// ignores, ASCII lowercase is Unicode's), so the common path allocates nothing.
fn fold_component(component: &[u8]) -> Cow<'_, str> {
    if component.is_ascii() {
        let cut = |s: &str| -> usize {
            let s = s.split(':').next().unwrap_or("");
            s.trim_end_matches(['.', ' ']).len()
        };
        return match std::str::from_utf8(component) {
            Ok(text) if !component.iter().any(u8::is_ascii_uppercase) => {
                Cow::Borrowed(&text[..cut(text)])
            }
            _ => {
                let mut lower = String::from_utf8_lossy(component).to_ascii_lowercase();
                lower.truncate(cut(&lower));
                Cow::Owned(lower)
            }
        };
    }
    Cow::Owned(unicode_fold(component))
}

/// [`fold_component`] by the full rule: Unicode lowercase, HFS+ ignorables dropped, cuts.
fn unicode_fold(component: &[u8]) -> String {
    let text = String::from_utf8_lossy(component);
    let folded: String = text
        .chars()
        .filter(|c| !hfs_ignorable(*c))
        .collect::<String>()
        .to_lowercase();
    let folded = folded.split(':').next().unwrap_or("");
    folded.trim_end_matches(['.', ' ']).to_string()
}

impl GitPath {
    /// Why this path is not a plain repository path, if it is not: an empty, `.` or `..`
    /// component (`docs/../crates/billing/src/lib.rs`, which a hand-made tree can hold), a
    /// backslash (a separator on Windows), or a component that a case-insensitive file
    /// system takes for `.git`.
    ///
    /// Such a path must never be classified by its text: `docs/../x` matches `docs/**` but
    /// names `x` to any tool that normalises it, and git refuses to check it out at all. The
    /// tier classifier gives it the highest tier (see `policy::tier`).
    pub fn irregularity(&self) -> Option<&'static str> {
        if self.0.is_empty() {
            return Some("it is empty");
        }
        if self.0.contains(&b'\\') {
            return Some("it holds a backslash, a separator on Windows");
        }
        for component in self.0.split(|b| *b == b'/') {
            match component {
                b"" => return Some("it has an empty component (`//`, or a `/` at an end)"),
                b"." => return Some("it has a `.` component"),
                b".." => return Some("it has a `..` component"),
                _ => {
                    let folded = fold_component(component);
                    if folded == ".git" || folded == "git~1" {
                        return Some("a component is `.git` on a case-insensitive file system");
                    }
                }
            }
        }
        None
    }

    /// The path as a case-insensitive file system (macOS, Windows) sees it, component by
    /// component (case folded, HFS+ ignorables dropped, NTFS trailing dots cut): two paths
    /// with the same folded form are one file in such a checkout.
    pub fn folded(&self) -> GitPath {
        let mut out: Vec<u8> = Vec::with_capacity(self.0.len());
        for (i, part) in self.0.split(|b| *b == b'/').enumerate() {
            if i > 0 {
                out.push(b'/');
            }
            out.extend_from_slice(fold_component(part).as_bytes());
        }
        GitPath(out)
    }

    /// True when the path's first component is `.countersign` on some file system though not
    /// byte for byte: `.Countersign/policy.toml` on a case-insensitive checkout (macOS,
    /// Windows), `.countersign\u{200c}` on HFS+, `.countersign.` or the 8.3 name `COUNTE~1`
    /// on NTFS.
    pub fn aliases_countersign_dir(&self) -> bool {
        let first = self.0.split(|b| *b == b'/').next().unwrap_or(&[]);
        let folded = fold_component(first);
        let folded = folded.as_ref();
        first != b".countersign"
            && (folded == ".countersign"
                || folded
                    .strip_prefix("counte~")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())))
    }
}

impl fmt::Debug for GitPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.display())
    }
}

impl fmt::Display for GitPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl From<&str> for GitPath {
    fn from(s: &str) -> Self {
        GitPath(s.as_bytes().to_vec())
    }
}

impl serde::Serialize for GitPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_components_fold_as_unicode_folding_does() {
        let components: [&[u8]; 16] = [
            b"src",
            b"Src",
            b"BILLING",
            b".git",
            b".GIT. .",
            b"git~1",
            b"GIT~1",
            b"lib.rs:stream",
            b"Lib.RS::$DATA",
            b"docs. ",
            b"",
            b".",
            b"..",
            b"a b ",
            b"\x7f\x01Z",
            b"caf\xc3\xa9",
        ];
        for c in components {
            assert_eq!(fold_component(c), unicode_fold(c), "{c:?}");
        }
        // Borrowed (no allocation) where nothing but a cut changes it.
        assert!(matches!(fold_component(b"src"), Cow::Borrowed("src")));
        assert!(matches!(fold_component(b"x.rs:s"), Cow::Borrowed("x.rs")));
        assert_eq!(
            GitPath::from("Data/D000/F.txt:x").folded(),
            GitPath::from("data/d000/f.txt")
        );
        assert_eq!(GitPath::from("a//b").folded(), GitPath::from("a//b"));
    }

    #[test]
    fn display_tells_every_path_apart_and_reads_back() {
        let paths: [&[u8]; 9] = [
            b"bad\xff.md",
            b"bad\xfe.md",
            b"bad\\xff.md",
            b"\"bad\\xff.md\"",
            b"caf\xc3\xa9.md",
            b"caf\xe9 \"q\"\n\t\x01.md",
            b"back\\slash.rs",
            b"\"",
            b"",
        ];
        let shown: Vec<String> = paths
            .iter()
            .map(|p| GitPath::from_bytes(*p).display())
            .collect();
        assert_eq!(shown[0], "\"bad\\xFF.md\"");
        assert_eq!(shown[1], "\"bad\\xFE.md\"");
        assert_eq!(shown[2], "bad\\xff.md", "UTF-8 paths are shown as they are");
        assert_eq!(shown[4], "café.md");
        assert_eq!(shown[5], "\"caf\\xE9 \\\"q\\\"\\n\\t\\x01.md\"");
        assert_eq!(shown[6], "back\\slash.rs");
        let distinct: std::collections::BTreeSet<&String> = shown.iter().collect();
        assert_eq!(distinct.len(), paths.len(), "{shown:?}");
        for (p, s) in paths.iter().zip(&shown) {
            assert_eq!(GitPath::from_display(s).as_bytes(), *p, "{s}");
        }
    }

    #[test]
    fn irregular_paths_are_named() {
        let irregular = [
            "docs/../crates/billing-api/src/lib.rs",
            "docs/./x.md",
            "docs//x.md",
            "/docs/x.md",
            "docs/",
            "docs\\..\\crates\\x.rs",
            "src/.GIT/config",
            "src/.git./config",
            "",
        ];
        for p in irregular {
            assert!(GitPath::from(p).irregularity().is_some(), "{p:?}");
        }
        for p in [
            "docs/x.md",
            "a/.gitignore",
            "a/..b/c",
            "a/.../c",
            ".countersign/policy.toml",
        ] {
            assert_eq!(GitPath::from(p).irregularity(), None, "{p:?}");
        }
    }

    #[test]
    fn countersign_dir_aliases_are_seen() {
        for p in [
            ".Countersign/policy.toml",
            ".COUNTERSIGN/allowed_signers",
            ".counter\u{200c}sign/policy.toml",
            ".countersign./policy.toml",
            ".countersign /policy.toml",
            "COUNTE~1/policy.toml",
        ] {
            assert!(GitPath::from(p).aliases_countersign_dir(), "{p:?}");
        }
        for p in [
            ".countersign/policy.toml",
            "docs/.Countersign/x",
            "countersign/x",
        ] {
            assert!(!GitPath::from(p).aliases_countersign_dir(), "{p:?}");
        }
    }
}
