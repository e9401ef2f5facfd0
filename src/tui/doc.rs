//! A file's diff flattened into rows, once, when its hunks arrive: the unified layout and the
//! side-by-side layout are both plain vectors, so drawing a frame touches only the rows on
//! screen and costs the same for a 10-line change and a 100,000-line one.

use crate::diff::invisible;
use crate::git::{DiffLine, FileChange, FileStatus, Hunk, LineKind};

/// Columns a tab expands to unless the config says otherwise (`tab_width`).
pub const TAB_WIDTH: usize = 4;

/// The row shown after a line that has no newline at its end.
pub const NO_NEWLINE: &str = "\\ no newline at end of file";

/// One diff line ready to draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Context, added or removed.
    pub kind: LineKind,
    /// Number in the old file.
    pub old: Option<u32>,
    /// Number in the new file.
    pub new: Option<u32>,
    /// The text: see [`display_text`].
    pub text: String,
    /// The hunk it belongs to.
    pub hunk: usize,
    /// Its index in that hunk's lines (where highlighting looks it up).
    pub index: usize,
    /// Byte ranges of `text` that changed against its paired line (word-level emphasis).
    pub emphasis: Vec<std::ops::Range<usize>>,
    /// The line ended in `\r` (CRLF): drawn as a `␍` mark, so a line-ending-only change is
    /// visible.
    pub cr: bool,
    /// The file has no newline after this line: a row saying so follows it.
    pub no_newline: bool,
}

/// A row of the unified layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// A file-level notice: binary, mode change, submodule, rename only, no changes.
    Notice(String),
    /// A hunk header `@@ -a,b +c,d @@ context`.
    HunkHeader {
        /// Index of the hunk.
        hunk: usize,
        /// The header text.
        text: String,
    },
    /// A line, by index into [`DiffDoc::lines`].
    Line(usize),
}

/// A row of the side-by-side layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitRow {
    /// Same as in the unified layout.
    Notice(String),
    /// Same as in the unified layout.
    HunkHeader {
        /// Index of the hunk.
        hunk: usize,
        /// The header text.
        text: String,
    },
    /// An old line on the left and a new line on the right (either may be absent; a context
    /// line appears on both sides).
    Pair {
        /// Index into [`DiffDoc::lines`] of the old side.
        left: Option<usize>,
        /// Index into [`DiffDoc::lines`] of the new side.
        right: Option<usize>,
    },
}

/// A file's diff in both layouts.
#[derive(Clone, Debug)]
pub struct DiffDoc {
    /// The file with its hunks (the highlighter reads them).
    pub file: FileChange,
    /// Every diff line, in order.
    pub lines: Vec<Line>,
    /// The unified layout.
    pub unified: Vec<Row>,
    /// The side-by-side layout.
    pub split: Vec<SplitRow>,
    /// Index into `unified` of each hunk header.
    pub hunk_rows: Vec<usize>,
    /// Index into `split` of each hunk header.
    pub split_hunk_rows: Vec<usize>,
    /// Invisible characters and mixed-script identifiers in the lines this change adds.
    pub findings: invisible::Findings,
    /// The diff is over [`PLAIN_LINES`] lines or [`PLAIN_BYTES`]: shown without syntax
    /// highlighting and word emphasis (a notice row says so), and its lines are held once,
    /// in [`DiffDoc::lines`] (the hunks in `file` keep their headers and numbers only).
    pub plain: bool,
    /// Each hunk's name ([`crate::signoff::hunks::hunk_name`]): what its viewed mark is kept
    /// by, and what a sign-off's hunk evidence is matched against.
    pub hunk_names: Vec<String>,
    /// Each hunk's line count (a plain diff's hunks give their lines to [`DiffDoc::lines`]).
    pub hunk_lens: Vec<usize>,
}

/// Diff lines beyond which a file is shown plain (see [`DiffDoc::plain`]): a 2-million-line
/// generated file took 1.2 GB (three copies of every line, and a layout row each) where
/// `git show` takes about 0.4 GB.
pub const PLAIN_LINES: usize = 100_000;

/// Bytes of diff lines beyond which a file is shown plain (a large blob).
pub const PLAIN_BYTES: usize = crate::git::LARGE_BLOB;

/// What a file change is, beyond its hunks: the notices shown above (or instead of) them.
pub fn notices(file: &FileChange) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(sub) = &file.submodule {
        let short = |c: &Option<String>| {
            c.as_deref()
                .map(|s| crate::git::short_id(s).to_string())
                .unwrap_or_else(|| "(none)".to_string())
        };
        out.push(format!(
            "submodule: {} → {}",
            short(&sub.old_commit),
            short(&sub.new_commit)
        ));
        return out;
    }
    if matches!(file.status, FileStatus::Renamed | FileStatus::Copied) {
        let verb = if file.status == FileStatus::Renamed {
            "renamed"
        } else {
            "copied"
        };
        let old = file
            .old_path
            .as_ref()
            .map(|p| p.display())
            .unwrap_or_default();
        let new = file
            .new_path
            .as_ref()
            .map(|p| p.display())
            .unwrap_or_default();
        out.push(format!("{verb}: {old} → {new}"));
    }
    // A link's content is the path it points to: say so, whatever link mode it was given.
    let link = crate::impact::compiled::is_symlink_mode;
    match (link(file.old_mode), link(file.new_mode)) {
        (_, true) => out.push(
            "symbolic link: the line shown is the path it points to, not file content".to_string(),
        ),
        (true, false) => out.push("was a symbolic link (the path it pointed to)".to_string()),
        _ => {}
    }
    if file.old_mode != 0 && file.new_mode != 0 && file.old_mode != file.new_mode {
        out.push(format!(
            "mode changed: {:o} → {:o}",
            file.old_mode, file.new_mode
        ));
    }
    if file.binary {
        let what = match file.status {
            FileStatus::Added => "binary file added",
            FileStatus::Deleted => "binary file deleted",
            _ => "binary file changed",
        };
        out.push(match binary_detail(file) {
            Some(d) => format!("{what}: {d}"),
            None => what.to_string(),
        });
    }
    out
}

/// A binary file's sizes and blob ids (`1.2 KiB → 1.3 KiB, blob 1a2b3c4 → 5d6e7f8`), as far
/// as they are known: what the sign dialog names for content the screen cannot show.
pub fn binary_detail(file: &FileChange) -> Option<String> {
    let size = |s: Option<u64>| s.map(human_size);
    let blob = |b: &Option<String>| b.as_deref().map(|b| crate::git::short_id(b).to_string());
    let pair = |a: Option<String>, b: Option<String>| match (a, b) {
        (Some(a), Some(b)) if a != b => Some(format!("{a} → {b}")),
        (_, Some(b)) => Some(b),
        (Some(a), None) => Some(a),
        (None, None) => None,
    };
    let sizes = pair(size(file.old_size), size(file.new_size))?;
    let blobs = pair(blob(&file.old_id), blob(&file.new_id)).unwrap_or_default();
    Some(format!("{sizes}, blob {blobs}"))
}

/// `1234` → `1234 bytes`, `12345` → `12.1 KiB`.
pub fn human_size(n: u64) -> String {
    const KIB: f64 = 1024.0;
    match n {
        n if n < 10_000 => format!("{n} bytes"),
        n if (n as f64) < KIB * KIB * 10.0 => format!("{:.1} KiB", n as f64 / KIB),
        n => format!("{:.1} MiB", n as f64 / KIB / KIB),
    }
}

/// The notice for a Git LFS pointer: the text shown is the pointer, not the content it names.
fn lfs_notice(hunks: &[Hunk]) -> Option<String> {
    let new: Vec<&[u8]> = hunks
        .iter()
        .flat_map(|h| &h.lines)
        .filter(|l| l.kind != LineKind::Removed)
        .map(|l| l.content.as_slice())
        .collect();
    let first = new.first()?;
    if !crate::git::content::is_lfs_pointer(first) {
        return None;
    }
    let field = |key: &str| {
        new.iter()
            .find_map(|l| l.strip_prefix(key.as_bytes()))
            .map(|v| String::from_utf8_lossy(v).trim().to_string())
            .unwrap_or_else(|| "?".to_string())
    };
    Some(format!(
        "Git LFS pointer: the content ({}, {} bytes) is stored outside the repository; what is signed is this pointer",
        field("oid "),
        field("size ")
    ))
}

impl DiffDoc {
    /// Flattens `file`'s notices and `hunks` (the file's own hunks may not be loaded, so
    /// they come separately; they are kept, not copied).
    pub fn build(file: &FileChange, mut hunks: Vec<Hunk>) -> DiffDoc {
        let file_ref = file;
        let total: usize = hunks.iter().map(|h| h.lines.len()).sum();
        let bytes: usize = hunks
            .iter()
            .flat_map(|h| &h.lines)
            .map(|l| l.content.len())
            .sum();
        let plain = total > PLAIN_LINES || bytes > PLAIN_BYTES;
        let mut doc = DiffDoc {
            lines: Vec::new(),
            unified: Vec::new(),
            split: Vec::new(),
            hunk_rows: Vec::new(),
            split_hunk_rows: Vec::new(),
            findings: invisible::Findings::default(),
            hunk_names: hunks
                .iter()
                .map(|h| crate::signoff::hunks::hunk_name(file.path(), h))
                .collect(),
            hunk_lens: hunks.iter().map(|h| h.lines.len()).collect(),
            file: FileChange {
                hunks: Vec::new(),
                ..file.clone()
            },
            plain,
        };
        let large = plain.then(|| {
            format!(
                "large diff ({total} lines, {}): shown plain, without syntax highlighting or word emphasis (beyond {PLAIN_LINES} lines or {})",
                human_size(bytes as u64),
                human_size(PLAIN_BYTES as u64)
            )
        });
        for n in notices(file_ref)
            .into_iter()
            .chain(lfs_notice(&hunks))
            .chain(large)
        {
            doc.unified.push(Row::Notice(n.clone()));
            doc.split.push(SplitRow::Notice(n));
        }
        if hunks.is_empty() && doc.unified.is_empty() {
            let text = match file_ref.status {
                FileStatus::Added => "empty file added",
                FileStatus::Deleted => "empty file deleted",
                _ => "no content changes",
            };
            doc.unified.push(Row::Notice(text.to_string()));
            doc.split.push(SplitRow::Notice(text.to_string()));
        }
        doc.lines.reserve_exact(total);
        doc.unified.reserve_exact(total + 2 * hunks.len());
        doc.split.reserve_exact(total + 2 * hunks.len());
        for (hi, hunk) in hunks.iter_mut().enumerate() {
            doc.hunk_rows.push(doc.unified.len());
            doc.split_hunk_rows.push(doc.split.len());
            doc.unified.push(Row::HunkHeader {
                hunk: hi,
                text: hunk.header.clone(),
            });
            doc.split.push(SplitRow::HunkHeader {
                hunk: hi,
                text: hunk.header.clone(),
            });
            let first = doc.lines.len();
            let emphasis = if plain {
                vec![None; hunk.lines.len()]
            } else {
                crate::diff::hunk_emphasis(hunk)
            };
            for (li, (l, emph)) in hunk.lines.iter_mut().zip(emphasis).enumerate() {
                doc.unified.push(Row::Line(doc.lines.len()));
                let mut line = if plain {
                    take_line(l, hi, li)
                } else {
                    make_line(l, hi, li)
                };
                line.emphasis = emph.unwrap_or_default();
                if line.kind == LineKind::Added {
                    doc.findings.add_text(&line.text);
                }
                let no_newline = line.no_newline;
                doc.lines.push(line);
                if no_newline {
                    doc.unified.push(Row::Notice(NO_NEWLINE.to_string()));
                }
            }
            pair_hunk(&doc.lines, first, &mut doc.split);
            if plain {
                // Its bytes are in the lines' text now and nothing highlights it: keep only
                // the hunk's header and numbers.
                hunk.lines = Vec::new();
            }
        }
        doc.file.hunks = hunks;
        doc
    }

    /// Rows in `layout`.
    pub fn len(&self, split: bool) -> usize {
        if split {
            self.split.len()
        } else {
            self.unified.len()
        }
    }

    /// True when there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.unified.is_empty()
    }

    /// The hunk header rows of a layout.
    pub fn hunk_starts(&self, split: bool) -> &[usize] {
        if split {
            &self.split_hunk_rows
        } else {
            &self.hunk_rows
        }
    }

    /// The diff line a row shows (the new side of a side-by-side pair when it has one).
    pub fn line_at(&self, row: usize, split: bool) -> Option<&Line> {
        let idx = if split {
            match self.split.get(row)? {
                SplitRow::Pair { left, right } => right.or(*left)?,
                _ => return None,
            }
        } else {
            match self.unified.get(row)? {
                Row::Line(i) => *i,
                _ => return None,
            }
        };
        self.lines.get(idx)
    }

    /// The rows of a layout whose text contains `needle` (case-insensitive when `needle` is
    /// all lowercase, like vim's smartcase).
    pub fn search(&self, needle: &str, split: bool) -> Vec<usize> {
        if needle.is_empty() {
            return Vec::new();
        }
        let fold = !needle.chars().any(char::is_uppercase);
        let needle_l = needle.to_lowercase();
        let hit = |text: &str| {
            if fold {
                text.to_lowercase().contains(&needle_l)
            } else {
                text.contains(needle)
            }
        };
        let line_hit = |i: &Option<usize>| {
            i.and_then(|i| self.lines.get(i))
                .is_some_and(|l| hit(&l.text))
        };
        if split {
            self.split
                .iter()
                .enumerate()
                .filter(|(_, r)| match r {
                    SplitRow::Notice(t) | SplitRow::HunkHeader { text: t, .. } => hit(t),
                    SplitRow::Pair { left, right } => line_hit(left) || line_hit(right),
                })
                .map(|(i, _)| i)
                .collect()
        } else {
            self.unified
                .iter()
                .enumerate()
                .filter(|(_, r)| match r {
                    Row::Notice(t) | Row::HunkHeader { text: t, .. } => hit(t),
                    Row::Line(i) => line_hit(&Some(*i)),
                })
                .map(|(i, _)| i)
                .collect()
        }
    }

    /// The row in the other layout that shows the same place as `row` in this one, so that
    /// toggling the layout keeps the reader where they were.
    pub fn translate_row(&self, row: usize, from_split: bool) -> usize {
        if from_split {
            match self.split.get(row) {
                Some(SplitRow::Pair { left, right }) => {
                    let target = right.or(*left);
                    target
                        .and_then(|t| self.unified.iter().position(|r| *r == Row::Line(t)))
                        .unwrap_or(0)
                }
                Some(SplitRow::HunkHeader { hunk, .. }) => {
                    self.hunk_rows.get(*hunk).copied().unwrap_or(0)
                }
                _ => row.min(self.unified.len().saturating_sub(1)),
            }
        } else {
            match self.unified.get(row) {
                Some(Row::Line(i)) => self
                    .split
                    .iter()
                    .position(|r| {
                        matches!(r, SplitRow::Pair { left, right } if *left == Some(*i) || *right == Some(*i))
                    })
                    .unwrap_or(0),
                Some(Row::HunkHeader { hunk, .. }) => {
                    self.split_hunk_rows.get(*hunk).copied().unwrap_or(0)
                }
                _ => row.min(self.split.len().saturating_sub(1)),
            }
        }
    }

    /// Pairs of (removed line, added line) that face each other in the side-by-side layout:
    /// where word-level emphasis applies.
    pub fn changed_pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.split.iter().filter_map(|r| match r {
            SplitRow::Pair {
                left: Some(l),
                right: Some(r),
            } if l != r => Some((*l, *r)),
            _ => None,
        })
    }
}

fn make_line(l: &DiffLine, hunk: usize, index: usize) -> Line {
    Line {
        index,
        kind: l.kind,
        old: l.old_lineno,
        new: l.new_lineno,
        text: display_text(&l.content),
        hunk,
        emphasis: Vec::new(),
        cr: l.content.ends_with(b"\r"),
        no_newline: l.no_newline_at_eof,
    }
}

/// As [`make_line`], moving the line's bytes into its text instead of copying them (for a
/// plain document: nothing reads the hunk's bytes again).
fn take_line(l: &mut DiffLine, hunk: usize, index: usize) -> Line {
    let cr = l.content.ends_with(b"\r");
    let mut bytes = std::mem::take(&mut l.content);
    if cr {
        bytes.pop();
    }
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Line {
        index,
        kind: l.kind,
        old: l.old_lineno,
        new: l.new_lineno,
        text,
        hunk,
        emphasis: Vec::new(),
        cr,
        no_newline: l.no_newline_at_eof,
    }
}

/// The text of a line as stored: lossy UTF-8 without a trailing `\r` (kept as
/// [`Line::cr`]), whole however long (the screen scrolls or wraps; nothing signed is cut
/// away). Emphasis and highlight ranges index this text; tabs, control and invisible
/// characters are made visible when drawn.
pub fn display_text(bytes: &[u8]) -> String {
    crate::diff::display_text(bytes).into_owned()
}

/// `text` as a terminal may print it, starting at column `col` (advanced): tabs expanded to
/// the next multiple of 4, control and invisible characters (escape sequences, bidi
/// controls, zero-width characters) written as `<U+XXXX>` markers.
pub fn terminal_safe(text: &str, col: &mut usize) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => {
                let pad = TAB_WIDTH - *col % TAB_WIDTH;
                out.extend(std::iter::repeat_n(' ', pad));
                *col += pad;
            }
            c if invisible::is_invisible(c) => {
                let m = invisible::marker(c);
                *col += m.len();
                out.push_str(&m);
            }
            c => {
                out.push(c);
                *col += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            }
        }
    }
    out
}

/// Side-by-side rows for the lines `first..` of one hunk: context on both sides; each run of
/// removed lines faces the run of added lines that follows it. A pair with a line that has no
/// final newline is followed by a row saying so (which side, when only one).
fn pair_hunk(lines: &[Line], first: usize, out: &mut Vec<SplitRow>) {
    let push = |out: &mut Vec<SplitRow>, left: Option<usize>, right: Option<usize>| {
        out.push(SplitRow::Pair { left, right });
        let missing = |i: Option<usize>| i.is_some_and(|i| lines[i].no_newline);
        let note = match (missing(left), missing(right)) {
            (true, true) if left == right => Some(NO_NEWLINE.to_string()),
            (true, true) => Some(format!("{NO_NEWLINE} (both sides)")),
            (true, false) => Some(format!("{NO_NEWLINE} (old side)")),
            (false, true) => Some(format!("{NO_NEWLINE} (new side)")),
            (false, false) => None,
        };
        if let Some(n) = note {
            out.push(SplitRow::Notice(n));
        }
    };
    let mut i = first;
    while i < lines.len() {
        match lines[i].kind {
            LineKind::Context => {
                push(out, Some(i), Some(i));
                i += 1;
            }
            _ => {
                let rem_start = i;
                while i < lines.len() && lines[i].kind == LineKind::Removed {
                    i += 1;
                }
                let add_start = i;
                while i < lines.len() && lines[i].kind == LineKind::Added {
                    i += 1;
                }
                let removed = add_start - rem_start;
                let added = i - add_start;
                for k in 0..removed.max(added) {
                    push(
                        out,
                        (k < removed).then_some(rem_start + k),
                        (k < added).then_some(add_start + k),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::GitPath;

    fn line(kind: LineKind, old: Option<u32>, new: Option<u32>, text: &str) -> DiffLine {
        DiffLine {
            kind,
            old_lineno: old,
            new_lineno: new,
            content: text.as_bytes().to_vec(),
            no_newline_at_eof: false,
        }
    }

    fn modified() -> FileChange {
        FileChange {
            status: FileStatus::Modified,
            old_path: Some(GitPath::from("a.rs")),
            new_path: Some(GitPath::from("a.rs")),
            old_mode: 0o100644,
            new_mode: 0o100644,
            old_id: Some("1".repeat(40)),
            new_id: Some("2".repeat(40)),
            binary: false,
            old_size: None,
            new_size: None,
            submodule: None,
            hunks: Vec::new(),
        }
    }

    fn hunk() -> Hunk {
        Hunk {
            old_start: 1,
            old_lines: 3,
            new_start: 1,
            new_lines: 4,
            header: "@@ -1,3 +1,4 @@".into(),
            lines: vec![
                line(LineKind::Context, Some(1), Some(1), "fn a() {"),
                line(LineKind::Removed, Some(2), None, "\tx"),
                line(LineKind::Added, None, Some(2), "\ty"),
                line(LineKind::Added, None, Some(3), "\tz"),
                line(LineKind::Context, Some(3), Some(4), "}"),
            ],
        }
    }

    /// Over [`PLAIN_LINES`] the diff is shown plain, saying so, with every line's text (a
    /// trailing `\r` as the mark, bytes that are not UTF-8 replaced) and its invisible
    /// characters still found; the hunks keep no second copy of the lines.
    #[test]
    fn a_diff_over_the_limit_is_plain_says_so_and_keeps_one_copy() {
        let mut big = hunk();
        big.lines.clear();
        for i in 0..=PLAIN_LINES as u32 {
            let text = match i {
                0 => "ok\r".to_string(),
                1 => "bad \u{202e}here".to_string(),
                _ => format!("line {i}"),
            };
            big.lines
                .push(line(LineKind::Added, None, Some(i + 1), &text));
        }
        big.lines[2].content = b"x\xffy".to_vec();
        let doc = DiffDoc::build(&modified(), vec![big]);
        assert!(doc.plain);
        assert!(
            matches!(&doc.unified[0], Row::Notice(n) if n.contains("shown plain")),
            "{:?}",
            doc.unified[0]
        );
        assert_eq!(doc.lines.len(), PLAIN_LINES + 1);
        assert_eq!((doc.lines[0].text.as_str(), doc.lines[0].cr), ("ok", true));
        assert_eq!(doc.lines[2].text, "x\u{fffd}y");
        assert_eq!(doc.lines[PLAIN_LINES].text, format!("line {PLAIN_LINES}"));
        assert!(!doc.findings.is_empty(), "the bidi override is still found");
        assert!(doc.file.hunks[0].lines.is_empty());
        assert!(!DiffDoc::build(&modified(), vec![hunk()]).plain);
    }

    #[test]
    fn side_by_side_pairs_removed_runs_with_the_added_runs_after_them() {
        let doc = DiffDoc::build(&modified(), vec![hunk()]);
        assert_eq!(doc.unified.len(), 6);
        assert_eq!(
            doc.split[1..],
            [
                SplitRow::Pair {
                    left: Some(0),
                    right: Some(0)
                },
                SplitRow::Pair {
                    left: Some(1),
                    right: Some(2)
                },
                SplitRow::Pair {
                    left: None,
                    right: Some(3)
                },
                SplitRow::Pair {
                    left: Some(4),
                    right: Some(4)
                },
            ]
        );
        assert_eq!(doc.changed_pairs().collect::<Vec<_>>(), vec![(1, 2)]);
        assert_eq!(doc.lines[1].text, "\tx");
    }

    #[test]
    fn toggling_layouts_keeps_the_same_line() {
        let doc = DiffDoc::build(&modified(), vec![hunk()]);
        // Unified row 4 is the added line "z" (index 3); in split it is row 3.
        assert_eq!(doc.translate_row(4, false), 3);
        assert_eq!(doc.translate_row(3, true), 4);
    }

    #[test]
    fn binary_and_mode_changes_are_notices() {
        let mut f = modified();
        f.binary = true;
        f.new_mode = 0o100755;
        let doc = DiffDoc::build(&f, Vec::new());
        assert_eq!(
            doc.unified,
            vec![
                Row::Notice("mode changed: 100644 → 100755".into()),
                Row::Notice("binary file changed".into())
            ]
        );
    }

    #[test]
    fn a_link_says_it_is_one_whatever_its_mode() {
        for mode in [0o120000, 0o120777] {
            let mut f = modified();
            f.old_mode = mode;
            f.new_mode = mode;
            let doc = DiffDoc::build(&f, Vec::new());
            assert_eq!(
                doc.unified[0],
                Row::Notice(
                    "symbolic link: the line shown is the path it points to, not file content"
                        .into()
                ),
                "{mode:o}"
            );
        }
    }

    #[test]
    fn search_is_smartcase() {
        let doc = DiffDoc::build(&modified(), vec![hunk()]);
        assert_eq!(doc.search("FN", false), Vec::<usize>::new());
        assert_eq!(doc.search("fn", false), vec![1]);
    }

    #[test]
    fn control_characters_and_long_lines_are_tamed() {
        assert_eq!(display_text(b"a\x1b[2Jb\r"), "a\x1b[2Jb");
        let mut col = 1;
        assert_eq!(terminal_safe("\x1b[2J\tb", &mut col), "<U+001B>[2J    b");
        assert_eq!(col, 17);
        // Long lines are kept whole: the screen scrolls to them instead.
        let long = "x".repeat(5000);
        assert_eq!(display_text(long.as_bytes()).chars().count(), 5000);
    }
}
