//! Repository paths as git stores them: bytes, not necessarily UTF-8.

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

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The path as UTF-8, when it is.
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// The path for display: invalid UTF-8 bytes become U+FFFD.
    pub fn display(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
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

/// Code points HFS+ ignores in file names (git's `next_hfs_char`): `.count\u{200c}ersign`
/// is `.countersign` on a Mac.
fn hfs_ignorable(c: char) -> bool {
    matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{206a}'..='\u{206f}' | '\u{feff}')
}

/// A path component as a case-insensitive file system may store it: case folded (Unicode
/// lowercase, so the Kelvin sign is `k`), HFS+'s ignorable code points dropped, an NTFS stream
/// suffix (`:…`) and NTFS's trailing dots and spaces cut.
fn fold_component(component: &[u8]) -> String {
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
                _ if fold_component(component) == ".git"
                    || fold_component(component) == "git~1" =>
                {
                    return Some("a component is `.git` on a case-insensitive file system")
                }
                _ => {}
            }
        }
        None
    }

    /// The path as a case-insensitive file system (macOS, Windows) sees it, component by
    /// component (case folded, HFS+ ignorables dropped, NTFS trailing dots cut): two paths
    /// with the same folded form are one file in such a checkout.
    pub fn folded(&self) -> GitPath {
        let parts: Vec<String> = self.0.split(|b| *b == b'/').map(fold_component).collect();
        GitPath(parts.join("/").into_bytes())
    }

    /// True when the path's first component is `.countersign` on some file system though not
    /// byte for byte: `.Countersign/policy.toml` on a case-insensitive checkout (macOS,
    /// Windows), `.countersign\u{200c}` on HFS+, `.countersign.` or the 8.3 name `COUNTE~1`
    /// on NTFS.
    pub fn aliases_countersign_dir(&self) -> bool {
        let first = self.0.split(|b| *b == b'/').next().unwrap_or(&[]);
        let folded = fold_component(first);
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
