//! The hunk list that payload version 3's viewing evidence indexes (DESIGN "Payload version
//! 3"): every hunk the workstation shows for a commit — each changed file's diff from its two
//! blobs, libgit2 with 3 lines of context ([`crate::git::FileChange::load_diff`]), files
//! sorted by path (bytes), hunks in file order. Frozen like the v1 patch digest: sign-offs
//! already made index it.
//!
//! A hunk is named by the SHA-256 of its path, NUL, its `@@` header, NUL and its lines (each
//! the sign ` `, `+` or `-`, its bytes and a newline); the list's digest is the SHA-256 of the
//! same bytes for every hunk in order. The evidence's bitmap has bit `i` (most significant
//! bit of byte `i / 8` first) set when hunk `i` was viewed, in standard base64.

use sha2::{Digest, Sha256};

use crate::git::{CommitChange, GitPath, Hunk, LineKind};
use crate::Result;

/// A commit's hunks, in the order the bitmap indexes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HunkList {
    /// Each hunk's name (`sha256:` and hex), in order.
    pub hunks: Vec<String>,
    /// `sha256:` and hex of the whole list.
    pub digest: String,
}

impl HunkList {
    /// How many hunks the list holds.
    pub fn len(&self) -> usize {
        self.hunks.len()
    }

    /// True when the commit changes no text (binary files, modes, an empty commit).
    pub fn is_empty(&self) -> bool {
        self.hunks.is_empty()
    }
}

/// The bytes a hunk is named by: path, NUL, header, NUL, lines.
fn hunk_bytes(path: &[u8], hunk: &Hunk) -> Vec<u8> {
    let mut out = Vec::with_capacity(path.len() + hunk.header.len() + 2);
    out.extend_from_slice(path);
    out.push(0);
    out.extend_from_slice(hunk.header.as_bytes());
    out.push(0);
    for l in &hunk.lines {
        out.push(match l.kind {
            LineKind::Context => b' ',
            LineKind::Added => b'+',
            LineKind::Removed => b'-',
        });
        out.extend_from_slice(&l.content);
        out.push(b'\n');
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The name of `hunk` of the file at `path` (what the workstation's marks are kept by, so a
/// mark resets when the hunk changes).
pub fn hunk_name(path: &GitPath, hunk: &Hunk) -> String {
    hex(&Sha256::digest(hunk_bytes(path.as_bytes(), hunk)))
}

/// The hunk list of `commit` (loaded with rename detection, as the workstation shows it).
pub fn list(repo: &git2::Repository, commit: &CommitChange) -> Result<HunkList> {
    let mut files: Vec<&crate::git::FileChange> = commit.files.iter().collect();
    files.sort_by(|a, b| a.path().as_bytes().cmp(b.path().as_bytes()));
    let mut all = Sha256::new();
    let mut hunks = Vec::new();
    for file in files {
        let (_, file_hunks) = file.load_diff(repo)?;
        for h in &file_hunks {
            let bytes = hunk_bytes(file.path().as_bytes(), h);
            all.update(&bytes);
            hunks.push(hex(&Sha256::digest(&bytes)));
        }
    }
    Ok(HunkList {
        hunks,
        digest: hex(&all.finalize()),
    })
}

/// The bitmap of `viewed` (one flag per hunk of the list), base64.
pub fn encode_bitmap(viewed: &[bool]) -> String {
    use base64ct::Encoding;
    let mut bytes = vec![0u8; viewed.len().div_ceil(8)];
    for (i, _) in viewed.iter().enumerate().filter(|(_, v)| **v) {
        bytes[i / 8] |= 0x80 >> (i % 8);
    }
    base64ct::Base64::encode_string(&bytes)
}

/// The flags of a bitmap over `total` hunks; an error when it is not base64 of exactly
/// `ceil(total / 8)` bytes with the bits past `total` clear.
pub(crate) fn decode_bitmap(text: &str, total: usize) -> std::result::Result<Vec<bool>, String> {
    use base64ct::Encoding;
    let bytes = base64ct::Base64::decode_vec(text)
        .map_err(|_| "its hunk bitmap is not base64".to_string())?;
    if bytes.len() != total.div_ceil(8) {
        return Err(format!(
            "its hunk bitmap holds {} bytes, not the {} that {total} hunks take",
            bytes.len(),
            total.div_ceil(8)
        ));
    }
    let bit = |i: usize| bytes[i / 8] & (0x80 >> (i % 8)) != 0;
    if (total..bytes.len() * 8).any(bit) {
        return Err("its hunk bitmap sets bits past the last hunk".to_string());
    }
    Ok((0..total).map(bit).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bitmap_round_trips_most_significant_bit_first_and_refuses_stray_bits() {
        let flags = [
            true, false, false, false, false, false, false, false, false, true,
        ];
        let text = encode_bitmap(&flags);
        assert_eq!(text, "gEA=");
        assert_eq!(decode_bitmap(&text, 10).unwrap(), flags);
        assert!(decode_bitmap(&text, 9).is_err(), "bit 9 lies past 9 hunks");
        assert!(
            decode_bitmap(&text, 17).is_err(),
            "three bytes for 17 hunks"
        );
        assert!(decode_bitmap("not base64!", 10).is_err());
        assert_eq!(decode_bitmap("", 0).unwrap(), Vec::<bool>::new());
    }
}
