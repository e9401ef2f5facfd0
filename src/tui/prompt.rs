//! The review as a prompt for the agent (Markdown): the decision, then each comment with its
//! file, line range and the code it is about, grouped by file. `Y` copies it to the
//! clipboard and `review --stdout` prints it when the review ends.
//!
//! This is the workstation's own small renderer, kept in this one function so that it can be
//! replaced by the library's `feedback` renderer (structured comments, anchoring by content)
//! once that exists; the text it writes is meant for an agent to read, not a contract.
//!
//! Everything quoted (paths, comments, code) is attacker or reviewer text: control characters
//! are shown as `\u{…}` (a prompt pasted into a terminal must not carry escape sequences), and
//! code goes into fences longer than any backtick run inside it.

use std::fmt::Write as _;

use super::action::Decision;
use super::app::App;
use super::store::Comment;
use crate::diff::Side;

/// The largest file quoted from (bigger files are named, not quoted).
const MAX_QUOTED_FILE: usize = 8 * 1024 * 1024;
/// Lines of context quoted around the commented lines.
const CONTEXT: u32 = 2;

/// The prompt for the change in `app`: the last decision signed in this session (reject with
/// comments = changes requested), then the comments on the change's commits.
pub fn render(app: &App) -> String {
    let comments = app.comments();
    let repo = git2::Repository::open(&app.data.repo_path).ok();
    let mut out = String::new();
    let _ = writeln!(out, "# Code review of {}", visible(&app.data.range));
    out.push('\n');
    let decision = match (app.decided.last(), comments.is_empty()) {
        (Some(Decision::Reject), false) => {
            "**Changes requested.** The reviewer rejected this change (a signed reject) and asks \
             for the changes below. Address every comment, then commit again."
        }
        (Some(Decision::Reject), true) => {
            "**Rejected.** The reviewer rejected this change (a signed reject) without comments."
        }
        (Some(Decision::Approve), false) => {
            "**Approved**, with the comments below as notes for a follow-up."
        }
        (Some(Decision::Approve), true) => "**Approved.** No comments.",
        (None, false) => {
            "**Review in progress** (no decision signed yet). Comments so far are below."
        }
        (None, true) => "**Review in progress** (no decision signed yet). No comments yet.",
    };
    let _ = writeln!(out, "{decision}");
    let mut paths: Vec<&str> = comments.iter().map(|c| c.path.as_str()).collect();
    paths.dedup();
    let mut seen = std::collections::HashSet::new();
    for path in paths.into_iter().filter(|p| seen.insert(*p)) {
        let _ = write!(out, "\n## `{}`\n", visible(path).replace('`', "'"));
        for c in comments.iter().filter(|c| c.path == path) {
            comment(&mut out, repo.as_ref(), c);
        }
    }
    out
}

fn comment(out: &mut String, repo: Option<&git2::Repository>, c: &Comment) {
    let short = crate::git::short_id(&c.commit);
    let place = match (c.side(), c.lines()) {
        (Some(side), Some((a, b))) => {
            let side = if side == Side::Old { "old" } else { "new" };
            if a == b {
                format!("line {a} ({side} side) in commit {short}")
            } else {
                format!("lines {a}-{b} ({side} side) in commit {short}")
            }
        }
        _ => format!("the whole file, commit {short}"),
    };
    let _ = write!(out, "\n### {place}\n\n");
    for line in visible(&c.text).lines() {
        let _ = writeln!(out, "> {line}");
    }
    let (Some(side), Some((a, b)), Some(repo)) = (c.side(), c.lines(), repo) else {
        return;
    };
    let Some(lines) = file_lines(repo, &c.commit, &c.path, side) else {
        return;
    };
    let from = a.saturating_sub(CONTEXT).max(1);
    let to = (b + CONTEXT).min(u32::try_from(lines.len()).unwrap_or(u32::MAX));
    if from > to || a as usize > lines.len() {
        return;
    }
    let quoted: Vec<String> = (from..=to)
        .map(|n| {
            let mark = if (a..=b).contains(&n) { '>' } else { ' ' };
            format!("{mark}{n:>5} {}", visible(&lines[n as usize - 1]))
        })
        .collect();
    let run = quoted.iter().map(|l| backtick_run(l)).max().unwrap_or(0);
    let fence = "`".repeat(run.max(2) + 1);
    let _ = write!(out, "\n{fence}\n{}\n{fence}\n", quoted.join("\n"));
}

/// The lines of `path` in `commit` (new side) or its first parent (old side), when text.
fn file_lines(
    repo: &git2::Repository,
    commit: &str,
    path: &str,
    side: Side,
) -> Option<Vec<String>> {
    let c = repo.find_commit(git2::Oid::from_str(commit).ok()?).ok()?;
    let tree = match side {
        Side::New => c.tree().ok()?,
        Side::Old => c.parent(0).ok()?.tree().ok()?,
    };
    let blob = repo
        .find_blob(tree.get_path(std::path::Path::new(path)).ok()?.id())
        .ok()?;
    if blob.size() > MAX_QUOTED_FILE {
        return None;
    }
    let text = std::str::from_utf8(blob.content()).ok()?;
    Some(text.lines().map(str::to_string).collect())
}

fn backtick_run(s: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// `s` with control characters (but newline) and tabs shown: nothing in a prompt pasted into
/// a terminal can act as an escape sequence.
fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            c if c.is_control()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` as an OSC 52 sequence that asks the terminal to put it on the clipboard
/// (`ESC ] 52 ; c ; base64 BEL`). Terminals over SSH understand it; tmux passes it on with
/// `set -g set-clipboard on`.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(osc52("hi"), "\u{1b}]52;c;aGk=\u{7}");
    }

    #[test]
    fn escape_sequences_in_quoted_text_are_shown_not_sent() {
        assert_eq!(visible("a\u{1b}]52;c;x\u{7}b"), "a\\u{1b}]52;c;x\\u{7}b");
        assert_eq!(backtick_run("a ```` b"), 4);
    }
}
