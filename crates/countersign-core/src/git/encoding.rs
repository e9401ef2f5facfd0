//! Commit text in the encoding the commit declares: git writes an `encoding` header when
//! `i18n.commitEncoding` is not UTF-8 (`ISO-8859-1`, `Shift_JIS`, …) and `git log` re-encodes
//! such a message, its author and committer names to UTF-8 for display. Read as UTF-8, a
//! Latin-1 `Café naïve` came out as `Caf\u{fffd} na\u{fffd}ve`.

use std::borrow::Cow;

use encoding_rs::Encoding;

/// How a commit's text bytes become a string.
#[derive(Clone, Copy, Debug)]
pub(crate) enum CommitEncoding {
    /// UTF-8 (no header, or one that cannot be decoded safely; see [`CommitEncoding::of`]).
    Utf8,
    /// ISO-8859-1: each byte is its own code point, as git's iconv reads it (WHATWG maps the
    /// label to windows-1252, which makes 0x80–0x9F printable; iconv gives C1 controls,
    /// which the terminal escaping then shows).
    Latin1,
    /// Any other ASCII-compatible encoding.
    Other(&'static Encoding),
}

/// Labels of ISO-8859-1 proper (IANA's aliases).
const LATIN1: &[&str] = &[
    "iso-8859-1",
    "iso8859-1",
    "iso88591",
    "iso_8859-1",
    "iso_8859-1:1987",
    "iso-ir-100",
    "latin1",
    "l1",
    "cp819",
    "ibm819",
    "csisolatin1",
];

impl CommitEncoding {
    /// The encoding `commit` declares. No header, UTF-8, an unknown label, or an encoding
    /// that is not ASCII-compatible (UTF-16, ISO-2022-JP) reads the bytes as UTF-8: decoding
    /// those would change the ASCII of trailers, agent names and e-mail addresses that
    /// provenance reads, so they stay as the bytes say (invalid sequences as U+FFFD).
    pub(crate) fn of(commit: &git2::Commit<'_>) -> Self {
        match commit.message_encoding() {
            Ok(Some(label)) => Self::label(label),
            // No header, or a label that is not UTF-8 itself.
            _ => CommitEncoding::Utf8,
        }
    }

    fn label(label: &str) -> Self {
        let label = label.trim().to_ascii_lowercase();
        if LATIN1.contains(&label.as_str()) {
            return CommitEncoding::Latin1;
        }
        match Encoding::for_label(label.as_bytes()) {
            Some(e) if e != encoding_rs::UTF_8 && e.is_ascii_compatible() => {
                CommitEncoding::Other(e)
            }
            _ => CommitEncoding::Utf8,
        }
    }

    /// `bytes` (message, summary, a name) as text.
    pub(crate) fn decode<'b>(&self, bytes: &'b [u8]) -> Cow<'b, str> {
        match self {
            CommitEncoding::Utf8 => String::from_utf8_lossy(bytes),
            CommitEncoding::Latin1 => match std::str::from_utf8(bytes) {
                Ok(s) if s.is_ascii() => Cow::Borrowed(s),
                _ => Cow::Owned(bytes.iter().map(|b| char::from(*b)).collect()),
            },
            CommitEncoding::Other(e) => e.decode_without_bom_handling(bytes).0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_and_shift_jis_decode_and_utf16_does_not() {
        let latin1 = CommitEncoding::label("ISO-8859-1");
        assert_eq!(latin1.decode(b"Caf\xe9 na\xefve"), "Café naïve");
        assert_eq!(
            latin1.decode(b"\x85"),
            "\u{85}",
            "a C1 control, as iconv reads it"
        );
        let sjis = CommitEncoding::label("Shift_JIS");
        assert_eq!(sjis.decode(b"\x93\xfa\x96\x7b"), "日本");
        for utf8 in ["UTF-16LE", "utf-8", "no-such-encoding", "ISO-2022-JP"] {
            let e = CommitEncoding::label(utf8);
            assert!(matches!(e, CommitEncoding::Utf8), "{utf8}: {e:?}");
            assert_eq!(e.decode(b"Caf\xc3\xa9"), "Café");
        }
    }
}
