//! A commit id as it travels between layers: parsed once, printed full or short.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// A full commit id. Parsed once where it enters (a revspec, a note, a payload) and passed
/// on as a value, so no layer parses hex again; serialises as the full hex string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitId(git2::Oid);

impl CommitId {
    /// For calls into git2: the id stays a value, never goes back through text.
    pub fn oid(self) -> git2::Oid {
        self.0
    }

    /// The 7-digit form for display.
    pub fn short(self) -> String {
        let full = self.0.to_string();
        full[..7.min(full.len())].to_string()
    }

    /// True when `text` writes this id in full, byte for byte as payloads, notes and JSON
    /// carry it (lowercase hex): a signed payload's commit is compared as text, so the same id
    /// in capitals or abbreviated does not name this commit.
    pub fn is(self, text: &str) -> bool {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let raw = self.0.as_bytes();
        text.len() == raw.len() * 2
            && raw
                .iter()
                .zip(text.as_bytes().chunks_exact(2))
                .all(|(b, t)| t[0] == HEX[usize::from(b >> 4)] && t[1] == HEX[usize::from(b & 0xf)])
    }
}

impl From<git2::Oid> for CommitId {
    fn from(oid: git2::Oid) -> Self {
        CommitId(oid)
    }
}

impl From<CommitId> for git2::Oid {
    fn from(id: CommitId) -> Self {
        id.0
    }
}

impl FromStr for CommitId {
    type Err = String;

    /// Parses a full 40-digit hex id (what payloads, notes and JSON carry).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.len() != 40 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{text}` is not a full commit id (40 hex digits)"));
        }
        git2::Oid::from_str(text)
            .map(CommitId)
            .map_err(|e| format!("`{text}` is not a commit id: {}", e.message()))
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for CommitId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_full_ids_and_prints_them_back() {
        let text = "0123456789abcdef0123456789abcdef01234567";
        let id: CommitId = text.parse().expect("a full id");
        assert_eq!(id.to_string(), text);
        assert_eq!(id.short(), "0123456");
        assert!("0123456".parse::<CommitId>().is_err());
        assert!("g123456789abcdef0123456789abcdef01234567"
            .parse::<CommitId>()
            .is_err());
    }

    #[test]
    fn is_matches_the_full_lowercase_text_only() {
        let text = "0123456789abcdef0123456789abcdef01234567";
        let id: CommitId = text.parse().expect("a full id");
        assert!(id.is(text));
        assert!(!id.is(&text.to_uppercase()));
        assert!(!id.is("0123456"));
        assert!(!id.is(&format!("{text}0")));
        assert!(!id.is("1123456789abcdef0123456789abcdef01234567"));
        assert!(!id.is("0123456789abcdef0123456789abcdef01234566"));
    }
}
