//! `git patch-id --verbatim` of a commit, computed in process: what says that a rewrite
//! (an amend, a reword, a rebase that changed nothing of its own) carries the same change.
//!
//! A reject carries to a rewrite with the same verbatim patch id, always; an approval does
//! where its tier says `carry = "rebase"` (DESIGN, "Decisions that must not fail open").
//! Verbatim, because whitespace can matter to a program (a string literal, a heredoc):
//! `git patch-id --stable` would take `"a b"` and `"a  b"` for the same change.
//!
//! The id is git's: the commit's patch against its first parent is printed as `git diff`
//! prints it (no rename detection, three lines of context), then hashed file by file as
//! `builtin/patch-id.c` does — every line but `index` lines and hunk headers, whitespace kept,
//! and the files' SHA-1s summed (the `--stable` order-independent sum, which `--verbatim`
//! implies). Nothing of the change decides how it is printed: no attributes (every file is
//! diffed as text, so a `-diff` attribute cannot hide a binary's content), no diff drivers.

use git2::{Oid, Repository};
use sha1::{Digest, Sha1};

use crate::git::short_id;
use crate::{Error, Result};

/// The verbatim patch id of `commit` against its first parent (the empty tree for a root),
/// None for a merge (git gives a merge no patch id).
pub fn verbatim(repo: &Repository, commit: Oid) -> Result<Option<[u8; 20]>> {
    let short = short_id(&commit.to_string()).to_string();
    let c = repo
        .find_commit(commit)
        .map_err(Error::git(format!("reading commit {short}")))?;
    if c.parent_count() > 1 {
        return Ok(None);
    }
    let tree = c
        .tree()
        .map_err(Error::git(format!("reading the tree of {short}")))?;
    let parent_tree = match c.parent(0) {
        Ok(p) => Some(
            p.tree()
                .map_err(Error::git(format!("reading the parent tree of {short}")))?,
        ),
        Err(_) => None,
    };
    let mut opts = git2::DiffOptions::new();
    opts.ignore_submodules(false)
        .force_text(true)
        .context_lines(3)
        .interhunk_lines(0);
    let diff = repo
        .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))
        .map_err(Error::git(format!("diffing commit {short}")))?;
    let mut hasher = PatchId::default();
    diff.print(git2::DiffFormat::Patch, |_, _, line| {
        let content = line.content();
        match line.origin() {
            // File headers come as one block of lines; hunk headers carry no content that
            // counts; the rest are one line each, their origin the first byte.
            'F' => {
                for l in content.split_inclusive(|b| *b == b'\n') {
                    hasher.line(l);
                }
            }
            'H' => hasher.hunk_header(content),
            '+' | '-' | ' ' => {
                let mut l = Vec::with_capacity(content.len() + 1);
                l.push(line.origin() as u8);
                l.extend_from_slice(content);
                // A last line without a newline: git prints one before its "\ No newline
                // at end of file" marker (libgit2 leaves it to the marker).
                if !l.ends_with(b"\n") {
                    l.push(b'\n');
                }
                hasher.line(&l);
            }
            // "\ No newline at end of file", which libgit2 gives with a leading newline.
            '=' | '>' | '<' => {
                for l in content.split_inclusive(|b| *b == b'\n') {
                    if l.starts_with(b"\\ ") {
                        hasher.line(l);
                    }
                }
            }
            _ => {}
        }
        true
    })
    .map_err(Error::git(format!("printing the patch of {short}")))?;
    Ok(Some(hasher.finish()))
}

/// The state of `builtin/patch-id.c`'s `get_one_patchid` over one patch, stable and verbatim.
#[derive(Default)]
struct PatchId {
    file: Sha1,
    sum: [u8; 20],
    /// Lines left in the current hunk on the old and new sides (None: in a file header).
    left: Option<(i64, i64)>,
    /// Whether anything of the current file was hashed (so a flush has something to add).
    started: bool,
}

impl PatchId {
    fn line(&mut self, line: &[u8]) {
        match &mut self.left {
            None => {
                if line.starts_with(b"index ") {
                    return;
                }
                if line.starts_with(b"--- ") {
                    self.left = Some((1, 1));
                }
            }
            Some((0, 0)) => {
                // A new file's header starts: git flushes the previous file's hash.
                if line.starts_with(b"diff ") {
                    self.flush();
                    self.left = None;
                }
            }
            Some(_) => {}
        }
        if let Some((before, after)) = &mut self.left {
            if line.starts_with(b"\\ ") {
                self.file.update(line);
                return;
            }
            match line.first() {
                Some(b'-') => *before -= 1,
                Some(b'+') => *after -= 1,
                Some(b' ') => {
                    *before -= 1;
                    *after -= 1;
                }
                _ => {}
            }
        }
        self.started = true;
        self.file.update(line);
    }

    /// `@@ -a,b +c,d @@`: not hashed (line numbers move on a rebase); its counts say where
    /// the hunk ends.
    fn hunk_header(&mut self, header: &[u8]) {
        let text = String::from_utf8_lossy(header);
        let count = |side: &str| -> i64 {
            side.split_once(',')
                .map_or(Some(1), |(_, n)| n.parse().ok())
                .unwrap_or(1)
        };
        let mut parts = text.split(' ').skip(1);
        let old = parts.next().unwrap_or("-0,0");
        let new = parts.next().unwrap_or("+0,0");
        self.left = Some((count(old), count(new)));
    }

    fn flush(&mut self) {
        let hash = std::mem::take(&mut self.file).finalize();
        let mut carry: u16 = 0;
        for (sum, byte) in self.sum.iter_mut().zip(hash.iter()) {
            carry += u16::from(*sum) + u16::from(*byte);
            *sum = carry as u8;
            carry >>= 8;
        }
        self.started = false;
    }

    fn finish(mut self) -> [u8; 20] {
        if self.started {
            self.flush();
        }
        self.sum
    }
}
