//! The sign dialog: `a` / `r` open it on the selected file's commit, `A` / `R` on the range
//! (the commits that need a sign-off; `e` in the dialog adds those that need none); `y` signs
//! (asking once more when files are unviewed, and for the key's passphrase when it has one),
//! Esc cancels. The
//! signing itself runs on a worker ([`Effect::Sign`]); its outcome comes back through
//! [`apply`].

use super::{type_into_line, Handled};
use crate::signoff::Decision;
use crate::tui::action::{Action, CommitEvidence, Effect, SignDialogOutcome, SignDialogRequest};
use crate::tui::app::{App, Overlay, SignScope, SignStage};
use crate::tui::data::FileKey;

/// `a` / `r` (`range` false: the selected file's commit) and `A` / `R` (the range): opens
/// the dialog, or says there is nothing to sign.
pub fn open(app: &mut App, decision: Decision, range: bool) {
    if app.data.commits.is_empty() {
        app.flash("there is nothing to sign: the range has no commits", true);
        return;
    }
    if app.data.judging {
        // The verdict (tier, what it needs, who signed) is what the dialog shows and the
        // payload binds: nothing is signed on a judgement not yet made.
        let files: usize = app.data.commits.iter().map(|c| c.change.files.len()).sum();
        app.flash(
            &format!(
                "still judging the change ({} files): sign when it is judged",
                crate::model::thousands(files)
            ),
            true,
        );
        return;
    }
    if !app.data.settled() {
        // The dialog and the signature cover commits whose files and verdicts have not
        // arrived yet: nothing is signed that the screen did not show.
        app.flash(
            &format!(
                "still loading the range (judged {} of {} commits): sign when it is loaded",
                crate::model::thousands(app.data.loaded()),
                crate::model::thousands(app.data.commits.len())
            ),
            true,
        );
        return;
    }
    if app.data.paths_only || app.findings.is_none() {
        // The dialog names what the signature covers (binary files, invisible characters),
        // which the full file lists and the content scan say.
        app.flash(
            "still reading the change in full (renames, binary files, invisible characters): sign in a moment",
            true,
        );
        return;
    }
    let scope = if range {
        SignScope::Range { every: false }
    } else {
        SignScope::Commit(app.selected.map_or(0, |k| k.commit))
    };
    app.overlays.push(Overlay::Sign {
        decision,
        scope,
        stage: SignStage::Review,
        scroll: 0,
    });
}

/// What a sign-off made now would bind: the commits of the open dialog's scope
/// ([`App::sign_scope`]) with their own files viewed of total, their comments, and whether the
/// impact analysis was on screen.
pub fn sign_request(app: &App, decision: Decision) -> SignDialogRequest {
    let scope = app.sign_scope();
    let (signed, _) = app.scope_commits(scope);
    let commits = signed
        .iter()
        .filter_map(|c| app.data.commits.get(*c).map(|e| (*c, e)))
        .map(|(c, e)| {
            let keys = (0..e.change.files.len()).map(|f| FileKey { commit: c, file: f });
            CommitEvidence {
                commit: e.change.id,
                files_viewed: keys.filter(|k| app.is_viewed(*k)).count(),
                files_total: e.change.files.len(),
                shown: e
                    .verdict
                    .as_ref()
                    .map(|v| crate::review::signing::Standing {
                        tier: v.tier,
                        state: v.state,
                        approved_by: v.approved_by.clone(),
                        rejected_by: v.rejected_by.clone(),
                    }),
            }
        })
        .collect();
    SignDialogRequest {
        decision,
        commits,
        comment: app
            .comments_in(scope)
            .iter()
            .map(|c| c.render())
            .collect::<Vec<_>>()
            .join("\n"),
        line_comments: app
            .comments_in(scope)
            .iter()
            .filter_map(|c| line_comment(c))
            .collect(),
        impact_shown: app.impact_seen,
        viewed_hunks: crate::tui::hunk_marks::viewed(app),
        passphrase: None,
        cancel: Default::default(),
    }
}

/// A draft on lines as the signed payload carries it: `+12` (new side) or `-12` (old side),
/// through `end`.
fn line_comment(c: &crate::review::drafts::Draft) -> Option<crate::signoff::comment::CommentInput> {
    // The anchor comes from a state file on disk: anything may be there (empty, multi-byte);
    // what is no anchor is not a line comment.
    let a = c.anchor()?;
    Some(crate::signoff::comment::CommentInput {
        // Drafts in the scope are those of its commits (`App::comments_in`): the id parses.
        commit: c.commit.parse().ok()?,
        path: c.path.clone(),
        side: a.side,
        start: a.start,
        end: c.end.filter(|e| *e >= a.start),
        text: c.text.clone(),
        resolved: false,
    })
}

/// Keys while the dialog is on top: it takes them all (Ctrl-C still quits). `j`/`k`, the
/// arrows, pages and the wheel scroll its long part; what will be signed stays on top.
pub fn on_key(app: &mut App, action: &Action) -> Handled {
    let scope = app.sign_scope();
    let forbidden = app.forbidden_in(scope);
    let unviewed = app.unviewed_in(scope).len();
    let nothing = app.scope_commits(scope).0.is_empty();
    let max_scroll = crate::tui::view::sign::max_scroll(app);
    let page = usize::from(app.size.1 / 2).max(1);
    if *action == Action::Confirm && !crate::tui::deliberate::may_confirm(app) {
        if let Some(Overlay::Sign {
            stage: SignStage::Review | SignStage::ConfirmUnviewed | SignStage::Passphrase { .. },
            ..
        }) = app.top()
        {
            app.flash(crate::tui::deliberate::TOO_EARLY, true);
            return Handled::used();
        }
    }
    let Some(Overlay::Sign {
        decision,
        scope: open_scope,
        stage,
        scroll,
    }) = app.overlays.last_mut()
    else {
        return Handled::Ignored;
    };
    let decision = *decision;
    if let (Action::Every, SignScope::Range { every }, SignStage::Review) =
        (action, open_scope, &stage)
    {
        *every = !*every;
        *scroll = 0;
        return Handled::used();
    }
    if !matches!(stage, SignStage::Passphrase { .. }) {
        let moved = match action {
            Action::Down | Action::WheelDown(..) => Some(*scroll + 1),
            Action::Up | Action::WheelUp(..) => Some(scroll.saturating_sub(1)),
            Action::PageDown => Some(*scroll + page),
            Action::PageUp => Some(scroll.saturating_sub(page)),
            _ => None,
        };
        if let Some(to) = moved {
            *scroll = to.min(max_scroll);
            return Handled::used();
        }
    }
    match stage {
        SignStage::Passphrase { input, request, .. } => {
            if type_into_line(input, action) {
                return Handled::used();
            }
            match action {
                Action::Cancel => {
                    app.overlays.pop();
                    app.flash("nothing was signed", false);
                    Handled::used()
                }
                Action::Confirm => {
                    let mut request = request.clone();
                    request.passphrase = Some(std::mem::take(input));
                    *stage = SignStage::Signing;
                    app.signing = Some(request.cancel.clone());
                    Handled::Used(vec![Effect::Sign(request)])
                }
                _ => Handled::used(),
            }
        }
        // The worker has the request; keys wait, but Esc ends a wait for ssh-agent (a
        // security key's touch): nothing is signed.
        SignStage::Signing => {
            if matches!(action, Action::Cancel) {
                if let Some(cancel) = app.signing.take() {
                    cancel.cancel();
                }
                app.overlays.pop();
                app.flash("cancelled: nothing was signed", false);
            }
            Handled::used()
        }
        SignStage::Done { .. } => {
            if matches!(
                action,
                Action::Confirm | Action::Cancel | Action::Quit | Action::Enter
            ) {
                app.overlays.pop();
            }
            Handled::used()
        }
        SignStage::Review | SignStage::ConfirmUnviewed => match action {
            Action::Cancel | Action::Quit => {
                app.overlays.pop();
                Handled::used()
            }
            Action::Confirm => {
                if decision == Decision::Approve && forbidden || nothing {
                    // Nothing is offered: the dialog says why.
                    return Handled::used();
                }
                if *stage == SignStage::Review && unviewed > 0 {
                    *stage = SignStage::ConfirmUnviewed;
                    return Handled::used();
                }
                let request = sign_request(app, decision);
                set_stage(app, SignStage::Signing);
                app.signing = Some(request.cancel.clone());
                Handled::Used(vec![Effect::Sign(request)])
            }
            _ => Handled::used(),
        },
    }
}

fn set_stage(app: &mut App, new: SignStage) {
    if let Some(Overlay::Sign { stage, .. }) = app.overlays.last_mut() {
        *stage = new;
    }
}

/// A signing attempt finished: the dialog shows the outcome (or asks for the passphrase).
pub fn apply(app: &mut App, outcome: SignDialogOutcome) {
    app.signing = None;
    let closed = !matches!(app.top(), Some(Overlay::Sign { .. }));
    if closed && !matches!(outcome, SignDialogOutcome::Signed(_)) {
        // Esc closed the dialog while the worker waited: it has said so already.
        return;
    }
    match outcome {
        SignDialogOutcome::Signed(lines) => {
            app.flash(&lines.join("; "), false);
            if let Some(Overlay::Sign { decision, .. }) = app.overlays.last() {
                app.decided.push(*decision);
            }
            set_stage(
                app,
                SignStage::Done {
                    signed: true,
                    lines,
                },
            );
        }
        SignDialogOutcome::NeedPassphrase { request, error } => set_stage(
            app,
            SignStage::Passphrase {
                input: String::new(),
                request,
                error,
            },
        ),
        SignDialogOutcome::Refused(reasons) => {
            app.flash("signing refused: nothing was signed", true);
            set_stage(
                app,
                SignStage::Done {
                    signed: false,
                    lines: reasons,
                },
            );
        }
        SignDialogOutcome::Failed(e) => {
            app.flash("signing failed: nothing was signed", true);
            set_stage(
                app,
                SignStage::Done {
                    signed: false,
                    lines: vec![e],
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::line_comment;
    use crate::review::drafts::Draft;

    fn draft(line: &str) -> Draft {
        let json = serde_json::json!({
            "commit": "0123456789abcdef0123456789abcdef01234567",
            "path": "src/lib.rs",
            "line": line,
            "text": "why?",
        });
        serde_json::from_value(json).expect("a draft")
    }

    #[test]
    fn anchors_read_from_a_state_file_never_panic_and_only_signed_lines_count() {
        for bad in ["", "é12", "+", "-x", "12", "±3", "+-1"] {
            assert!(line_comment(&draft(bad)).is_none(), "anchor {bad:?}");
        }
        let new = line_comment(&draft("+12")).expect("new side");
        assert_eq!((new.side, new.start), (crate::model::Side::New, 12));
        let old = line_comment(&draft("-3")).expect("old side");
        assert_eq!((old.side, old.start), (crate::model::Side::Old, 3));
    }
}
