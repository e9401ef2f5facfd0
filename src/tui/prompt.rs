//! The review as a prompt for the agent (Markdown): what `countersign feedback` prints for
//! the same range — the decision, then each comment with its file, line range and the code
//! it is about, anchored on the range's tip — with this session's drafts. `Y` copies it to
//! the clipboard and `review --stdout` prints it when the review ends.
//!
//! One renderer ([`crate::review::feedback_render`]) writes it for both, so the agent reads
//! the same text whichever way the review reached it; everything quoted is escaped there.

use super::app::App;
use crate::review::feedback::{self, Verdict};
use crate::review::{feedback_render, Purpose, Review};
use crate::signoff::Decision;

/// The prompt for the change in `app`: the feedback of its range (signed records and this
/// session's drafts). A review not opened from a repository (or that cannot be opened again)
/// gets its drafts alone, under the last decision signed in this session.
pub fn render(app: &App) -> String {
    let drafts: Vec<crate::review::drafts::Draft> = app.comments().into_iter().cloned().collect();
    let repo = crate::git::open(&app.data.repo_path).ok();
    let collected = match (&repo, &app.data.resolved) {
        (Some(repo), Some(resolved)) => Review::reopen(repo, resolved, Purpose::Explore)
            .and_then(|mut review| feedback::collect(&mut review, &drafts))
            .ok(),
        _ => None,
    };
    let fb = collected.unwrap_or_else(|| {
        let verdict = match app.decided.last() {
            Some(Decision::Reject) => Verdict::ChangesRequested,
            Some(Decision::Approve) => Verdict::Approved,
            None => Verdict::Pending,
        };
        feedback::of_drafts(repo.as_ref(), &app.data.range, &drafts, verdict)
    });
    feedback_render::markdown(&fb)
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
}
