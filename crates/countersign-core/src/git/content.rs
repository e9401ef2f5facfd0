//! Text or binary, decided from the bytes alone: never from `.gitattributes`.
//!
//! The change under review can add a `.gitattributes` saying `tokens.rs -diff` (or `binary`,
//! `diff=…` with a textconv, `filter`, `eol`), and git would then show the next commit's code
//! as "binary file changed": the reviewer would sign code they never saw. So countersign never
//! lets libgit2 decide: [`looks_binary`] judges the content, and `text_patch` diffs two
//! blobs as text without a repository (no attribute is read, no filter or textconv runs).
//!
//! The rule (DESIGN.md, "Text or binary"): valid UTF-8 is text, whatever bytes it holds (NUL
//! and control characters are marked when drawn); a file the compiler reads (`.rs`, Cargo
//! manifests) is text even when it is not valid UTF-8; anything else is binary when git's
//! own content test says so (a NUL byte, or mostly unprintable bytes, in its first 8,000).

use super::GitPath;

/// How many leading bytes the content test looks at (git's own figure).
const SNIFF_BYTES: usize = 8000;

/// First line of a Git LFS pointer file.
const LFS_SPEC: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// Whether `bytes`, the content of `path`, is shown as binary (see the module doc).
pub fn looks_binary(path: Option<&GitPath>, bytes: &[u8]) -> bool {
    if std::str::from_utf8(bytes).is_ok() || path.is_some_and(compiler_reads) {
        return false;
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if head.contains(&0) {
        return true;
    }
    // git's `buf_is_binary`: printable bytes outnumber the others more than 128 to 1.
    let (mut printable, mut other) = (0usize, 0usize);
    for &b in head {
        match b {
            0x7f => other += 1,
            b'\x08' | b'\x1b' | b'\x0c' | b'\t' | b'\n' | b'\r' => printable += 1,
            b if b < 0x20 => other += 1,
            _ => printable += 1,
        }
    }
    (printable >> 7) < other
}

/// Whether rustc or cargo read the file at `path` as source: shown as text however odd its
/// bytes are.
pub(crate) fn compiler_reads(path: &GitPath) -> bool {
    let name = path.as_bytes().rsplit(|b| *b == b'/').next().unwrap_or(&[]);
    name.ends_with(b".rs") || name.ends_with(b".toml") || name == b"Cargo.lock"
}

/// Whether `bytes` is a Git LFS pointer (the real content lives outside the repository).
pub fn is_lfs_pointer(bytes: &[u8]) -> bool {
    bytes.len() < 1024 && bytes.starts_with(LFS_SPEC)
}

/// The patch of `old` → `new` as text, 3 lines of context (as `git show`), computed without
/// a repository so that no attribute, filter or textconv of the change applies.
pub(crate) fn text_patch<'a>(
    old: &'a [u8],
    old_path: Option<&GitPath>,
    new: &'a [u8],
    new_path: Option<&GitPath>,
) -> Result<git2::Patch<'a>, git2::Error> {
    let mut opts = git2::DiffOptions::new();
    opts.context_lines(3).force_text(true);
    git2::Patch::from_buffers(
        old,
        old_path.map(GitPath::as_path),
        new,
        new_path.map(GitPath::as_path),
        Some(&mut opts),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_rust_sources_are_text_whatever_their_bytes() {
        let rs = GitPath::from("src/lib.rs");
        let png = GitPath::from("logo.png");
        assert!(!looks_binary(Some(&png), b"fn main() {}\0\x01\n"));
        assert!(!looks_binary(Some(&rs), b"\x89PNG\0\0\xff"));
        assert!(looks_binary(Some(&png), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!looks_binary(Some(&png), b"caf\xe9 au lait\n"));
        assert!(is_lfs_pointer(
            b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n"
        ));
    }
}
