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
