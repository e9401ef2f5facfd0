//! Word-level emphasis: which tokens of a removed line and its added counterpart changed.
//!
//! Two steps. [`pair_lines`] walks a hunk's change blocks (a run of removed lines followed by
//! a run of added lines) and pairs lines that are edits of each other; [`emphasis`] diffs one
//! pair token by token with `similar` and returns the changed byte ranges on each side.
//!
//! Every range is a byte range into the line's *display text* ([`super::display_text`]: the
//! content decoded as lossy UTF-8, with a trailing `\r` removed), so a range always falls on
//! `char` boundaries and never covers the `\r` of a CRLF line.

use std::ops::Range;

use similar::{Algorithm, DiffTag};

use super::display_text;
use crate::git::{Hunk, LineKind};

/// Lines longer than this (in bytes of display text) get no word emphasis: diffing them costs
/// more than it tells, and minified or generated lines are rarely read token by token.
pub(crate) const MAX_EMPHASIS_BYTES: usize = 1000;

/// The smallest share of the two lines (in bytes, unchanged tokens counted on both sides,
/// whitespace included) that must be unchanged for the pair to be emphasised. Below it the
/// lines are "too different": emphasis would light up nearly everything and help nobody.
pub(crate) const MIN_SHARED_RATIO: f32 = 0.4;

/// The changed byte ranges of an old line and a new line, as [`emphasis`] returns them.
pub(crate) type EmphasisRanges = (Vec<Range<usize>>, Vec<Range<usize>>);

/// A removed line paired with the added line that replaced it, within one hunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LinePair {
    /// Index of the removed line in [`Hunk::lines`].
    pub removed: usize,
    /// Index of the added line in [`Hunk::lines`].
    pub added: usize,
    /// Changed ranges of the removed line's display text (sorted, disjoint, non-empty).
    pub old_ranges: Vec<Range<usize>>,
    /// Changed ranges of the added line's display text (sorted, disjoint, non-empty).
    pub new_ranges: Vec<Range<usize>>,
}

/// The changed byte ranges of `old` and `new`, token by token, or `None` when the lines
/// should not be emphasised: either is longer than `MAX_EMPHASIS_BYTES`, or they share less
/// than `MIN_SHARED_RATIO` of their text.
///
/// Tokens are runs of word characters (letters, digits, `_`), runs of whitespace, and every
/// other character on its own, so `Vec::new()` → `Vec::with_capacity(8)` emphasises `new` on
/// the old side and `with_capacity`, `8` on the new side. A trailing `\r` on either side is
/// not content and is never part of a range. Identical lines give two empty lists. Ranges
/// are sorted and disjoint; adjacent changed tokens are merged into one range.
pub fn emphasis(old: &str, new: &str) -> Option<EmphasisRanges> {
    let old = old.strip_suffix('\r').unwrap_or(old);
    let new = new.strip_suffix('\r').unwrap_or(new);
    if old.len() > MAX_EMPHASIS_BYTES || new.len() > MAX_EMPHASIS_BYTES {
        return None;
    }
    if old == new {
        return Some((Vec::new(), Vec::new()));
    }
    let old_tokens = tokenize(old);
    let new_tokens = tokenize(new);
    let old_words: Vec<&str> = old_tokens.iter().map(|r| &old[r.clone()]).collect();
    let new_words: Vec<&str> = new_tokens.iter().map(|r| &new[r.clone()]).collect();
    let ops = similar::capture_diff_slices(Algorithm::Myers, &old_words, &new_words);

    let mut shared = 0usize;
    let mut old_ranges = Vec::new();
    let mut new_ranges = Vec::new();
    for op in &ops {
        let (tag, old_idx, new_idx) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {
                shared += old_idx.map(|i| old_tokens[i].len()).sum::<usize>() * 2;
            }
            DiffTag::Delete | DiffTag::Insert | DiffTag::Replace => {
                push_span(&mut old_ranges, &old_tokens, old_idx);
                push_span(&mut new_ranges, &new_tokens, new_idx);
            }
        }
    }
    let total = old.len() + new.len();
    if total == 0 || (shared as f32) < MIN_SHARED_RATIO * total as f32 {
        return None;
    }
    Some((old_ranges, new_ranges))
}

/// Appends the byte span of tokens `idx` to `ranges`, merging with the previous range when
/// they touch.
fn push_span(ranges: &mut Vec<Range<usize>>, tokens: &[Range<usize>], idx: Range<usize>) {
    if idx.is_empty() {
        return;
    }
    let span = tokens[idx.start].start..tokens[idx.end - 1].end;
    match ranges.last_mut() {
        Some(last) if last.end == span.start => last.end = span.end,
        _ => ranges.push(span),
    }
}

/// Splits `s` into tokens (byte ranges): word runs, whitespace runs, single other characters.
fn tokenize(s: &str) -> Vec<Range<usize>> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Word,
        Space,
        Other,
    }
    let class = |c: char| {
        if c.is_alphanumeric() || c == '_' {
            Class::Word
        } else if c.is_whitespace() {
            Class::Space
        } else {
            Class::Other
        }
    };
    let mut tokens: Vec<Range<usize>> = Vec::new();
    let mut current: Option<(Class, usize)> = None;
    for (i, c) in s.char_indices() {
        let k = class(c);
        match current {
            Some((prev, _)) if prev == k && k != Class::Other => {}
            Some((_, start)) => {
                tokens.push(start..i);
                current = Some((k, i));
            }
            None => current = Some((k, i)),
        }
    }
    if let Some((_, start)) = current {
        tokens.push(start..s.len());
    }
    tokens
}

/// Pairs the removed and added lines of each change block of `hunk` and computes their
/// emphasis. Only pairs that [`emphasis`] accepts (similar enough, short enough) are returned,
/// in hunk order.
///
/// A change block is a run of removed lines directly followed by a run of added lines (git's
/// order). When the two runs have comparable lengths (the shorter is at least half the
/// longer) the i-th removed line is paired with the i-th added line, as git and delta do.
/// Otherwise (one line split into five, say) each removed line is paired, in order, with the
/// first not-yet-used added line that is similar enough, looking at most
/// [`MAX_SEARCH`] lines ahead, so pairs never cross. A block with only removed or only added
/// lines has no pairs.
pub(crate) fn pair_lines(hunk: &Hunk) -> Vec<LinePair> {
    let mut pairs = Vec::new();
    let lines = &hunk.lines;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].kind != LineKind::Removed {
            i += 1;
            continue;
        }
        let removed_start = i;
        while i < lines.len() && lines[i].kind == LineKind::Removed {
            i += 1;
        }
        let added_start = i;
        while i < lines.len() && lines[i].kind == LineKind::Added {
            i += 1;
        }
        let removed: Vec<usize> = (removed_start..added_start).collect();
        let added: Vec<usize> = (added_start..i).collect();
        pair_block(hunk, &removed, &added, &mut pairs);
    }
    pairs
}

/// How many added lines ahead a removed line looks for its partner when the block's runs
/// have very different lengths.
pub(crate) const MAX_SEARCH: usize = 8;

fn pair_block(hunk: &Hunk, removed: &[usize], added: &[usize], out: &mut Vec<LinePair>) {
    if removed.is_empty() || added.is_empty() {
        return;
    }
    let text = |i: usize| display_text(&hunk.lines[i].content);
    let mut push = |r: usize, a: usize| -> bool {
        match emphasis(&text(r), &text(a)) {
            Some((old_ranges, new_ranges)) => {
                out.push(LinePair {
                    removed: r,
                    added: a,
                    old_ranges,
                    new_ranges,
                });
                true
            }
            None => false,
        }
    };
    let (short, long) = if removed.len() <= added.len() {
        (removed.len(), added.len())
    } else {
        (added.len(), removed.len())
    };
    if short * 2 >= long {
        for (&r, &a) in removed.iter().zip(added) {
            push(r, a);
        }
        return;
    }
    let mut next = 0;
    for &r in removed {
        let end = (next + MAX_SEARCH).min(added.len());
        if let Some(j) = (next..end).find(|&j| push(r, added[j])) {
            next = j + 1;
        }
        if next >= added.len() {
            break;
        }
    }
}

/// Emphasis ranges for every line of `hunk`, indexed like [`Hunk::lines`]: `Some(ranges)` for
/// a removed or added line that `pair_lines` paired, `None` for every other line (context,
/// unpaired, too different, too long). A convenience for renderers that walk lines in order.
pub fn hunk_emphasis(hunk: &Hunk) -> Vec<Option<Vec<Range<usize>>>> {
    let mut out = vec![None; hunk.lines.len()];
    for pair in pair_lines(hunk) {
        out[pair.removed] = Some(pair.old_ranges);
        out[pair.added] = Some(pair.new_ranges);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::DiffLine;

    fn slices<'a>(s: &'a str, ranges: &[Range<usize>]) -> Vec<&'a str> {
        ranges.iter().map(|r| &s[r.clone()]).collect()
    }

    fn line(kind: LineKind, content: &[u8]) -> DiffLine {
        DiffLine {
            kind,
            old_lineno: None,
            new_lineno: None,
            content: content.to_vec(),
            no_newline_at_eof: false,
        }
    }

    fn hunk(lines: Vec<DiffLine>) -> Hunk {
        Hunk {
            old_start: 1,
            old_lines: 0,
            new_start: 1,
            new_lines: 0,
            header: "@@ -1 +1 @@".into(),
            lines,
        }
    }

    #[test]
    fn emphasises_only_the_changed_tokens() {
        let old = "    let mut out = Vec::new();";
        let new = "    let mut out = Vec::with_capacity(8);";
        let (o, n) = emphasis(old, new).expect("similar lines are emphasised");
        assert_eq!(slices(old, &o), ["new"]);
        assert_eq!(slices(new, &n), ["with_capacity", "8"]);
    }

    #[test]
    fn pure_insertion_emphasises_only_the_new_side() {
        let old = "fn f(a: u32) {";
        let new = "fn f(a: u32, b: u32) {";
        let (o, n) = emphasis(old, new).expect("similar");
        assert!(o.is_empty());
        assert_eq!(slices(new, &n), [", b: u32"]);
    }

    #[test]
    fn identical_lines_have_no_ranges() {
        assert_eq!(emphasis("same", "same"), Some((vec![], vec![])));
    }

    #[test]
    fn too_different_lines_are_not_emphasised() {
        assert_eq!(
            emphasis("let total = items.len();", "return Err(Error::Missing);"),
            None
        );
        assert_eq!(emphasis("", "something"), None);
    }

    #[test]
    fn long_lines_are_not_emphasised() {
        let old = "x".repeat(MAX_EMPHASIS_BYTES + 1);
        let new = format!("{old}y");
        assert_eq!(emphasis(&old, &new), None);
        let short = "a b c ".repeat(10);
        assert!(emphasis(&short, &format!("{short}d")).is_some());
    }

    #[test]
    fn carriage_return_is_never_emphasised() {
        let (old, new) = ("let a = 1;\r", "let a = 2;\r");
        let (o, n) = emphasis(old, new).expect("similar");
        assert_eq!(slices(old, &o), ["1"]);
        assert_eq!(slices(new, &n), ["2"]);
        assert!(o.iter().chain(&n).all(|r| r.end < old.len()));
        // Only one side has the \r: the line ending changed, not the content.
        assert_eq!(
            emphasis("let a = 1;\r", "let a = 1;"),
            Some((vec![], vec![]))
        );
    }

    #[test]
    fn non_utf8_bytes_are_decoded_lossily_without_panicking() {
        let h = hunk(vec![
            line(LineKind::Removed, b"name = \"caf\xe9 au lait\"\r"),
            line(LineKind::Added, b"name = \"caf\xc3\xa9 au lait\"\r"),
        ]);
        let pairs = pair_lines(&h);
        assert_eq!(pairs.len(), 1);
        let old = display_text(&h.lines[0].content);
        let new = display_text(&h.lines[1].content);
        assert!(!old.ends_with('\r') && !new.ends_with('\r'));
        // Slicing panics if a range splits a character.
        assert_eq!(slices(&old, &pairs[0].old_ranges), ["caf\u{fffd}"]);
        assert_eq!(slices(&new, &pairs[0].new_ranges), ["café"]);
    }

    #[test]
    fn pairs_removed_and_added_lines_positionally() {
        let h = hunk(vec![
            line(LineKind::Context, b"fn main() {"),
            line(LineKind::Removed, b"    let a = 1;"),
            line(LineKind::Removed, b"    let b = 2;"),
            line(LineKind::Added, b"    let a = 10;"),
            line(LineKind::Added, b"    let b = 20;"),
            line(LineKind::Context, b"}"),
        ]);
        let pairs = pair_lines(&h);
        let idx: Vec<(usize, usize)> = pairs.iter().map(|p| (p.removed, p.added)).collect();
        assert_eq!(idx, [(1, 3), (2, 4)]);
        let per_line = hunk_emphasis(&h);
        assert_eq!(per_line[0], None);
        let added = display_text(&h.lines[3].content);
        let ranges = per_line[3].as_deref().expect("paired");
        assert_eq!(slices(&added, ranges), ["10"]);
    }

    #[test]
    fn unpaired_blocks_get_no_emphasis() {
        let h = hunk(vec![
            line(LineKind::Removed, b"    let a = 1;"),
            line(LineKind::Context, b"    keep();"),
            line(LineKind::Added, b"    let a = 2;"),
        ]);
        // The removed line is not followed by added lines: two blocks, each one-sided.
        assert!(pair_lines(&h).is_empty());
        assert!(hunk_emphasis(&h).iter().all(Option::is_none));
    }

    #[test]
    fn a_line_split_in_many_is_paired_with_its_most_similar_successor() {
        let h = hunk(vec![
            line(LineKind::Removed, b"    call(alpha, beta, gamma);"),
            line(LineKind::Added, b"    // wrapped"),
            line(LineKind::Added, b"    call(alpha, beta, gamma, delta);"),
            line(LineKind::Added, b"    one();"),
            line(LineKind::Added, b"    two();"),
        ]);
        let pairs = pair_lines(&h);
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].removed, pairs[0].added), (0, 2));
    }

    #[test]
    fn tokenizer_splits_words_spaces_and_punctuation() {
        let s = "a_b  ::c1(é)";
        let t: Vec<&str> = tokenize(s).into_iter().map(|r| &s[r]).collect();
        assert_eq!(t, ["a_b", "  ", ":", ":", "c1", "(", "é", ")"]);
    }
}
