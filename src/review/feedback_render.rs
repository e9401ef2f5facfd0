//! The feedback as Markdown an agent reads well: the decision first, then what to do, then
//! each comment under its file with the line range now, the reviewer's words and the code it
//! is about. Everything quoted goes through [`super::markdown`].

use std::fmt::Write;

use super::feedback::{Feedback, FeedbackComment, Source, State, Verdict};
use super::markdown::{block_quote, code_span, fence, lang_for, text};
use crate::git::short_id;
use crate::signoff::Decision;

/// Renders `f` as Markdown.
pub fn markdown(f: &Feedback) -> String {
    let mut out = String::new();
    let title = match f.verdict {
        Verdict::ChangesRequested => "Changes requested",
        Verdict::Approved => "Approved",
        Verdict::Pending => "Review comments (not signed yet)",
    };
    let _ = writeln!(out, "# Review feedback: {title}\n");
    let _ = writeln!(
        out,
        "Range {}{}{}.\n",
        code_span(&f.range),
        f.tip
            .as_deref()
            .map(|t| format!(" (tip {})", code_span(short_id(t))))
            .unwrap_or_default(),
        if f.trusted_ref.is_empty() {
            String::new()
        } else {
            format!(", judged by the roster on {}", code_span(&f.trusted_ref))
        }
    );
    if !f.decisions.is_empty() {
        let _ = writeln!(out, "## Decision\n");
        for d in &f.decisions {
            let verb = match (d.decision, d.standing) {
                (Decision::Reject, true) => "requested changes on",
                (Decision::Reject, false) => "rejected (since lifted)",
                (Decision::Approve, _) => "approved",
            };
            let _ = write!(
                out,
                "- {} {verb} {} {}{}",
                code_span(&d.principal),
                code_span(short_id(&d.commit)),
                text(&d.summary, true),
                if d.earlier_version {
                    " (an earlier version of a commit of the range)"
                } else {
                    ""
                }
            );
            if d.comment.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, ": {}", text(&d.comment, true));
            }
        }
        out.push('\n');
    }
    if f.comments.is_empty() {
        out.push_str("No comments on lines.\n");
        return out;
    }
    let count = |s: State| f.comments.iter().filter(|c| c.state == s).count();
    let _ = writeln!(
        out,
        "{} comment{} ({} open, {} moved, {} outdated). Address each open or moved comment at \
         the lines given (numbered as in the tip); an outdated one quotes code that has since \
         changed — check that the change answers it.\n",
        f.comments.len(),
        if f.comments.len() == 1 { "" } else { "s" },
        count(State::Open),
        count(State::Moved),
        count(State::Outdated)
    );
    let mut path: Option<&str> = None;
    for c in &f.comments {
        if path != Some(c.comment.path.as_str()) {
            path = Some(&c.comment.path);
            let _ = writeln!(out, "## {}\n", code_span(&c.comment.path));
        }
        comment(&mut out, c);
    }
    out
}

fn comment(out: &mut String, c: &FeedbackComment) {
    let rc = &c.comment;
    let lines = |s: u32, e: u32| {
        if s == e {
            format!("line {s}")
        } else {
            format!("lines {s}-{e}")
        }
    };
    let side = if rc.side == crate::signoff::Side::Old {
        " (removed side)"
    } else {
        ""
    };
    let place = match (c.state, c.now_start, c.now_end) {
        _ if rc.start == 0 => "whole file".to_string(),
        (State::Open, Some(s), Some(e)) => format!("{}{side}", lines(s, e)),
        (State::Moved, Some(s), Some(e)) => {
            format!(
                "{}{side}, moved (was {})",
                lines(s, e),
                lines(rc.start, rc.end)
            )
        }
        _ => format!(
            "{}{side}, outdated: these lines changed",
            lines(rc.start, rc.end)
        ),
    };
    let who = match (c.source, &c.principal, c.decision) {
        (Source::Signed, Some(p), Some(d)) => format!(
            "{} ({})",
            code_span(p),
            if d == Decision::Reject {
                "request changes"
            } else {
                "approved"
            }
        ),
        _ => "draft".to_string(),
    };
    let _ = writeln!(
        out,
        "### {} — {place}{}\n",
        who,
        if rc.resolved { ", resolved" } else { "" }
    );
    out.push_str(&block_quote(&rc.text));
    out.push('\n');
    if !rc.code.is_empty() {
        if c.state == State::Outdated {
            out.push_str("The code it was about (as it was):\n\n");
        }
        let mut quoted = Vec::new();
        quoted.extend(rc.before.iter().map(|l| format!("  {l}")));
        quoted.extend(rc.code.iter().map(|l| format!("> {l}")));
        quoted.extend(rc.after.iter().map(|l| format!("  {l}")));
        out.push_str(&fence(&quoted, lang_for(&rc.path)));
        out.push('\n');
    }
}
