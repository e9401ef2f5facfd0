//! The feedback as Markdown an agent reads well: where the work stands with the gate first
//! (done, changes requested, waiting), then what to do commit by commit, the decisions signed,
//! and each comment under its file with the line range now, the reviewer's words and the code
//! it is about.
//!
//! It is a prompt, not a page a forge renders: words are printed as written (no Markdown
//! escaping, which an agent would copy back as `walk\.rs\:`), code sits in fences longer
//! than any backtick run inside, and only control characters are shown as `\u{…}`
//! ([`crate::output::markdown::plain`]).

use std::fmt::Write;

use super::feedback::{Feedback, FeedbackComment, LoopState, Source, State, Verdict};
use crate::git::short_id;
use crate::output::markdown::{code_span, fence, lang_for, plain};
use crate::signoff::{Decision, ReviewState};

/// Renders `f` as Markdown.
pub fn markdown(f: &Feedback) -> String {
    let mut out = String::new();
    let title = match (f.state, f.verdict) {
        (LoopState::Approved, _) => "Approved, nothing left to do",
        (LoopState::ChangesRequested, _) => "Changes requested",
        (LoopState::Pending, Verdict::Pending)
            if f.decisions.is_empty() && f.actions.is_empty() =>
        {
            "Review comments (not signed yet)"
        }
        (LoopState::Pending, Verdict::Approved) if f.trusted_ref.is_empty() => {
            "Approved so far (the gate has not judged the range)"
        }
        (LoopState::Pending, _) => "Waiting for review",
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
    if f.state == LoopState::Approved {
        out.push_str(
            "`countersign verify` passes on this range: every commit has the approvals its \
             tier needs and no reject stands. Stop here; the comments below, if any, need no \
             further change.\n\n",
        );
    }
    if !f.actions.is_empty() {
        let _ = writeln!(out, "## What to do\n");
        let mut actions: Vec<_> = f.actions.iter().collect();
        actions.sort_by_key(|a| !a.agent);
        for a in actions {
            let _ = writeln!(
                out,
                "- {} {} ({}): {}",
                code_span(&a.commit.short()),
                plain(&a.summary).replace('\n', " "),
                a.state.name(),
                plain(&a.action)
            );
            // A reject's and a missing approval's reasons are in the action already (and
            // a reject's quote its comments, printed below).
            let said = matches!(a.state, ReviewState::Rejected | ReviewState::NeedsSignoff);
            for p in a.problems.iter().filter(|_| !said) {
                let _ = writeln!(out, "  - why: {}", plain(p).replace('\n', " "));
            }
        }
        out.push('\n');
        if f.actions.iter().any(|a| a.agent) {
            out.push_str(
                "Then run `countersign feedback` again; repeat until it says \"Approved, \
                 nothing left to do\".\n\n",
            );
        }
    }
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
                code_span(&d.commit.short()),
                plain(&d.summary).replace('\n', " "),
                if d.earlier_version {
                    " (an earlier version of a commit of the range)"
                } else {
                    ""
                }
            );
            if d.extra_comment.is_empty() {
                out.push('\n');
            } else {
                out.push_str(":\n");
                for line in plain(&d.extra_comment).split('\n') {
                    let _ = writeln!(out, "  > {line}");
                }
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
    let side = if rc.side == crate::model::Side::Old {
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
    for line in plain(&rc.text).split('\n') {
        let _ = writeln!(out, "> {line}");
    }
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
