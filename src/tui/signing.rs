//! Signing from the workstation: the one signing path `countersign sign` takes too
//! ([`crate::review::signing::sign_current`]: planned again at the moment of signing, refused
//! when what the dialog showed changed), fed with what the sign dialog showed (decision,
//! comments, each commit's review evidence and standing) and, when the key is encrypted, the
//! passphrase typed in the dialog.
//!
//! It runs on a worker thread. The key is found as the CLI finds it without `--key`
//! (`$COUNTERSIGN_KEY`, then git's `user.signingKey`); the plan is checked against the trusted
//! roster before any passphrase is asked for, so a refused key never prompts.

use std::collections::HashMap;
use std::path::Path;

use super::action::{SignDialogOutcome, SignDialogRequest};
use crate::git::{self, short_id};
use crate::model::CommitId;
use crate::review::signing::{sign_current, KeyAccess, Shown, Signing, Standing};
use crate::review::Resolved;
use crate::signoff::keys;
use crate::signoff::{self, Evidence};
use crate::{Error, Result};

/// What the sign-off records as its interface.
pub const INTERFACE: &str = "tui";

/// Signs `request` for the repository at `repo_path`, judged under the review as it was
/// resolved when it opened (the same trusted commit, policy and roster). Nothing is written
/// unless the outcome is [`SignDialogOutcome::Signed`].
pub fn sign(
    repo_path: &Path,
    resolved: &Resolved,
    request: &SignDialogRequest,
) -> SignDialogOutcome {
    match try_sign(repo_path, resolved, request) {
        Ok(outcome) => outcome,
        Err(e) => SignDialogOutcome::Failed(format!("{e}; nothing was signed")),
    }
}

fn try_sign(
    repo_path: &Path,
    resolved: &Resolved,
    request: &SignDialogRequest,
) -> Result<SignDialogOutcome> {
    let repo = git::open(repo_path)?;
    let resolved = Resolved {
        commits: request.commits.iter().map(|c| c.commit.oid()).collect(),
        ..resolved.clone()
    };
    let standing: Vec<(CommitId, Standing)> = request
        .commits
        .iter()
        .filter_map(|c| Some((c.commit, c.shown.clone()?)))
        .collect();
    let location = keys::locate(&repo, None)?;
    let library_request = signoff::SignRequest {
        decision: request.decision,
        comment: request.comment.clone(),
        comments: structured_comments(&repo, &request.line_comments)?,
        principal: None,
        evidence: evidence(&repo, request)?,
        interface: INTERFACE.to_string(),
    };
    let typed = request.passphrase.clone();
    let signed = sign_current(
        &repo,
        Shown {
            resolved: &resolved,
            standing: &standing,
        },
        &library_request,
        KeyAccess {
            location: &location,
            passphrase: &mut |_| Ok(typed.clone().or_else(keys::passphrase_from_env)),
            cancel: Some(request.cancel.clone()),
        },
    );
    Ok(match signed {
        Ok(Signing::Signed { outcomes, warnings }) => {
            let mut lines: Vec<String> = outcomes
                .iter()
                .map(|o| {
                    format!(
                        "signed: {} {} as {}",
                        o.decision,
                        short_id(&o.commit),
                        o.principal
                    )
                })
                .collect();
            lines.extend(warnings.iter().map(|w| format!("note: {w}")));
            SignDialogOutcome::Signed(lines)
        }
        Ok(Signing::Changed(mut lines)) => {
            lines.push("the list now shows the current state".to_string());
            SignDialogOutcome::Refused(lines)
        }
        Ok(Signing::Refused(lines)) => SignDialogOutcome::Refused(lines),
        Ok(Signing::NeedPassphrase) => SignDialogOutcome::NeedPassphrase {
            request: request.clone(),
            error: None,
        },
        // Only a wrong passphrase is asked again; an unreadable key or a failing agent is a
        // failure the dialog shows as it is.
        Err(e @ Error::WrongPassphrase { .. }) => {
            let mut retry = request.clone();
            retry.passphrase = None;
            SignDialogOutcome::NeedPassphrase {
                request: retry,
                error: Some(e.to_string()),
            }
        }
        Err(e) => return Err(e),
    })
}

/// The line comments quoted from their commits, as the payload carries them.
fn structured_comments(
    repo: &git2::Repository,
    inputs: &[crate::signoff::comment::CommentInput],
) -> Result<Vec<crate::signoff::comment::ReviewComment>> {
    inputs
        .iter()
        .map(|input| crate::signoff::comment::quote(repo, input))
        .collect()
}

/// The evidence of each commit: its own files viewed of total, whether the impact panel
/// showed its analysis, and which hunks of its hunk list ([`crate::signoff::hunks::list`])
/// were viewed (the plan keeps them only where the commit's tier asks for hunks).
fn evidence(
    repo: &git2::Repository,
    request: &SignDialogRequest,
) -> Result<HashMap<CommitId, Evidence>> {
    use crate::signoff::hunks;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let viewed: std::collections::HashSet<&str> =
        request.viewed_hunks.iter().map(String::as_str).collect();
    request
        .commits
        .iter()
        .map(|c| {
            let change = git::CommitChange::load(repo, c.commit.oid(), git::LoadDepth::Files)?;
            let list = hunks::list(repo, &change)?;
            let flags: Vec<bool> = list
                .hunks
                .iter()
                .map(|n| viewed.contains(n.as_str()))
                .collect();
            Ok((
                c.commit,
                Evidence {
                    files_viewed: count(c.files_viewed),
                    files_total: count(c.files_total),
                    impact_shown: request.impact_shown,
                    interface: INTERFACE.to_string(),
                    hunks: Some(crate::signoff::HunkEvidence {
                        total: count(list.len()),
                        list_digest: list.digest,
                        viewed: hunks::encode_bitmap(&flags),
                    }),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::model::CommitId;
    use crate::signoff::keys;
    use crate::signoff::notes;
    use crate::signoff::ReviewState;
    use crate::tui::app::{Overlay, SignStage};
    use crate::tui::store::Store;
    use crate::tui::theme::Theme;
    use crate::tui::{data, Session};

    /// The demo repository in a temporary directory, reviewed headless (jobs run inline).
    struct Demo {
        _dir: tempfile::TempDir,
        made: crate::demo::Demo,
    }

    fn demo() -> Demo {
        let dir = tempfile::tempdir().expect("temp dir");
        let made = crate::demo::build(&dir.path().join("demo")).expect("demo");
        Demo { _dir: dir, made }
    }

    fn session(repo: &Path) -> Session {
        let data =
            data::load_review(repo, crate::review::Selection::default()).expect("load the demo");
        Session::from_data(data, Store::default(), Theme::dark(), (130, 50))
    }

    fn set_signing_key(repo: &Path, key: &Path) {
        let repo = git2::Repository::open(repo).expect("repo");
        let mut config = repo.config().expect("config");
        config
            .set_str("user.signingKey", &key.display().to_string())
            .expect("set user.signingKey");
    }

    /// The demo key's twin, encrypted with `passphrase` (same public key, so the roster
    /// still lists it).
    fn encrypted_copy(made: &crate::demo::Demo, passphrase: &str) -> PathBuf {
        let text = std::fs::read_to_string(&made.key).expect("demo key");
        let key = ssh_key::PrivateKey::from_openssh(text.trim()).expect("parse demo key");
        let encrypted = keys::encrypt(&key, passphrase).expect("encrypt");
        let path = made.dir.join("keys").join("alice-encrypted");
        keys::write_new_key_pair(&encrypted, &path).expect("write");
        path
    }

    fn notes_on(repo: &Path, commit: CommitId) -> Vec<String> {
        let repo = git2::Repository::open(repo).expect("repo");
        let lines = notes::NotesReader::new(&repo)
            .lines(commit.oid())
            .expect("read notes");
        lines
    }

    fn supervised(s: &Session) -> (CommitId, Option<ReviewState>) {
        let e = s
            .app()
            .data
            .commits
            .iter()
            .find(|e| e.change.summary.contains("Cache decoded tokens"))
            .expect("the supervised demo commit");
        (e.change.id, e.verdict.as_ref().map(|v| v.state))
    }

    fn stage(s: &Session) -> Option<SignStage> {
        match s.app().top() {
            Some(Overlay::Sign { stage, .. }) => Some(stage.clone()),
            _ => None,
        }
    }

    #[test]
    fn a_comment_on_lines_is_signed_as_structured_data_with_its_code() {
        let d = demo();
        let mut s = session(&d.made.repo);
        let (commit, _) = supervised(&s);
        // The supervised commit's file, its first hunk, a line, a comment; approve it alone.
        s.press("]]}jjcbound this cache<Enter>ayy");
        let Some(SignStage::Done { signed, lines }) = stage(&s) else {
            panic!("the dialog shows the result: {:?}", s.app().top());
        };
        assert!(signed, "{lines:?}");
        let note = notes_on(&d.made.repo, commit);
        let line = crate::signoff::NoteLine::parse(&note[0]).expect("note line");
        let payload = crate::signoff::Payload::parse(&line.payload).expect("payload");
        assert_eq!(payload.version, 2, "{}", line.payload);
        let c = payload.comments.first().expect("a structured comment");
        assert_eq!(c.text, "bound this cache");
        assert_eq!(c.path, "crates/auth/src/tokens.rs");
        assert!(!c.code.is_empty(), "the commented code is quoted: {c:?}");
    }

    #[test]
    fn approving_the_range_with_e_signs_every_commit_with_its_own_evidence_and_the_comments() {
        let d = demo();
        let mut s = session(&d.made.repo);
        let (commit, state) = supervised(&s);
        assert_eq!(state, Some(ReviewState::NeedsSignoff));
        // Mark the first commit's two files viewed, comment, approve the range with every
        // commit (`A`, then `e`), confirm the unviewed.
        s.press("v]vcfine by me<Enter>Aeyy");
        let Some(SignStage::Done { signed, lines }) = stage(&s) else {
            panic!("the dialog shows the result: {:?}", s.app().top());
        };
        assert!(signed, "{lines:?}");
        assert!(
            lines.iter().any(|l| l.starts_with("signed: approve")
                && l.contains(&commit.short())
                && l.ends_with("as alice@example.com")),
            "{lines:?}"
        );
        // The new state is in the list at once.
        assert_eq!(supervised(&s).1, Some(ReviewState::Approved));
        let text = s.render();
        assert!(text.contains("state: approved"), "{text}");
        // The note holds the comment and this commit's own evidence (0 of 1 viewed).
        let note = notes_on(&d.made.repo, commit);
        assert_eq!(note.len(), 1, "{note:?}");
        let line = crate::signoff::NoteLine::parse(&note[0]).expect("note line");
        let payload = crate::signoff::Payload::parse(&line.payload).expect("payload");
        assert_eq!(payload.comment, "docs/reporting.md: fine by me");
        assert_eq!(payload.evidence.files_viewed, 0);
        assert_eq!(payload.evidence.files_total, 1);
        assert_eq!(payload.evidence.interface, "tui");
        assert!(!payload.evidence.impact_shown);
        let first = s.app().data.commits[0].change.id;
        let line = notes_on(&d.made.repo, first).remove(0);
        let line = crate::signoff::NoteLine::parse(&line).expect("note line");
        let payload = crate::signoff::Payload::parse(&line.payload).expect("payload");
        assert_eq!(
            (payload.evidence.files_viewed, payload.evidence.files_total),
            (2, 2)
        );
        // Any key closes the result.
        s.press("y");
        assert!(s.app().overlays.is_empty());
    }

    #[test]
    fn an_encrypted_key_asks_for_its_passphrase_and_a_wrong_one_can_be_retried() {
        let d = demo();
        let key = encrypted_copy(&d.made, "pass");
        set_signing_key(&d.made.repo, &key);
        let mut s = session(&d.made.repo);
        let (commit, _) = supervised(&s);
        s.press("Ayy");
        assert!(
            matches!(stage(&s), Some(SignStage::Passphrase { error: None, .. })),
            "{:?}",
            s.app().top()
        );
        assert!(s.render().contains("key passphrase:"));
        s.press("wrong<Enter>");
        let Some(SignStage::Passphrase { error, input, .. }) = stage(&s) else {
            panic!("asked again: {:?}", s.app().top());
        };
        assert!(input.is_empty());
        let error = error.unwrap_or_default();
        assert!(error.contains("wrong passphrase"), "{error}");
        assert!(s.render().contains("wrong passphrase"));
        assert!(notes_on(&d.made.repo, commit).is_empty(), "nothing written");
        assert_eq!(supervised(&s).1, Some(ReviewState::NeedsSignoff));
        s.press("pass<Enter>");
        assert!(
            matches!(stage(&s), Some(SignStage::Done { signed: true, .. })),
            "{:?}",
            s.app().top()
        );
        assert_eq!(notes_on(&d.made.repo, commit).len(), 1);
        assert_eq!(supervised(&s).1, Some(ReviewState::Approved));
    }

    #[test]
    fn cancelling_the_passphrase_signs_nothing() {
        let d = demo();
        let key = encrypted_copy(&d.made, "pass");
        set_signing_key(&d.made.repo, &key);
        let mut s = session(&d.made.repo);
        let (commit, _) = supervised(&s);
        s.press("Ayypa<Esc>");
        assert!(s.app().overlays.is_empty());
        assert!(notes_on(&d.made.repo, commit).is_empty());
    }

    #[test]
    fn a_key_the_roster_does_not_list_is_refused_in_the_dialog() {
        let d = demo();
        let stranger = keys::generate_ed25519("mallory@example.com").expect("key");
        let path = d.made.dir.join("keys").join("mallory");
        keys::write_new_key_pair(&stranger, &path).expect("write");
        set_signing_key(&d.made.repo, &path);
        let mut s = session(&d.made.repo);
        let (commit, _) = supervised(&s);
        s.press("ryy");
        let Some(SignStage::Done { signed, lines }) = stage(&s) else {
            panic!("the dialog shows the refusal: {:?}", s.app().top());
        };
        assert!(!signed);
        assert!(
            lines
                .iter()
                .any(|l| l.contains("not in the trusted roster")),
            "{lines:?}"
        );
        let text = s.render();
        assert!(text.contains("Nothing was signed"), "{text}");
        assert!(notes_on(&d.made.repo, commit).is_empty());
    }

    /// Deliberate acts (DESIGN): with an injected clock, a `y` read less than 250 ms after
    /// the dialog's question was first drawn does not count; each new question (the unviewed
    /// files' second step) starts its own 250 ms.
    #[test]
    fn a_dialogs_confirming_key_counts_only_after_it_was_shown_for_250_ms() {
        use std::time::Duration;
        let d = demo();
        let mut s = session(&d.made.repo);
        let (commit, _) = supervised(&s);
        s.set_pace(Duration::from_millis(100));
        s.press("A");
        s.press("y");
        assert_eq!(
            stage(&s),
            Some(SignStage::Review),
            "a y after 100 ms counts"
        );
        assert!(s.render().contains("did not count"), "{}", s.render());
        s.advance(Duration::from_millis(60));
        s.press("y");
        assert_eq!(stage(&s), Some(SignStage::ConfirmUnviewed));
        s.press("y");
        assert_eq!(
            stage(&s),
            Some(SignStage::ConfirmUnviewed),
            "the second question waits 250 ms of its own"
        );
        assert!(notes_on(&d.made.repo, commit).is_empty());
        s.advance(Duration::from_millis(200));
        s.press("y");
        assert!(
            matches!(stage(&s), Some(SignStage::Done { signed: true, .. })),
            "{:?}",
            s.app().top()
        );
        assert_eq!(notes_on(&d.made.repo, commit).len(), 1);
    }

    /// Keys read together with the key that opened the dialog (type-ahead, a paste without
    /// bracketed paste) never confirm it, however long ago the read was.
    #[test]
    fn keys_in_the_same_read_as_the_one_that_opened_the_dialog_sign_nothing() {
        let d = demo();
        let mut s = session(&d.made.repo);
        let (commit, _) = supervised(&s);
        s.press_in_one_read("Ayyyy");
        assert_eq!(stage(&s), Some(SignStage::Review));
        assert!(notes_on(&d.made.repo, commit).is_empty());
        // Read alone, after the dialog was on screen, the same keys work.
        s.press("yy");
        assert!(
            matches!(stage(&s), Some(SignStage::Done { signed: true, .. })),
            "{:?}",
            s.app().top()
        );
    }

    /// Below the smallest screen the workstation draws in, the dialog is not shown, so no key
    /// confirms it; once the terminal is large again the question must be on screen 250 ms.
    #[test]
    fn a_dialog_on_a_screen_too_small_to_show_it_cannot_be_confirmed() {
        use std::time::Duration;
        let d = demo();
        let mut s = session(&d.made.repo);
        let (commit, _) = supervised(&s);
        s.resize(50, 8);
        s.press("]]]vayyyy");
        assert!(s.render().contains("needs more room"), "{}", s.render());
        assert!(notes_on(&d.made.repo, commit).is_empty(), "signed blind");
        s.set_pace(Duration::from_millis(100));
        s.resize(130, 50);
        s.press("y");
        assert!(
            matches!(
                stage(&s),
                Some(SignStage::Review | SignStage::ConfirmUnviewed)
            ),
            "{:?}",
            s.app().top()
        );
        assert!(notes_on(&d.made.repo, commit).is_empty());
    }

    /// A paste is text: outside a text field it is ignored with a message (the `A` and `y`s
    /// in it do nothing); in the comment box it lands whole, its line breaks kept, and the
    /// box stays open.
    #[test]
    fn a_paste_lands_whole_in_the_comment_box_and_is_ignored_elsewhere() {
        use crate::tui::action::Action;
        let d = demo();
        let mut s = session(&d.made.repo);
        let (commit, _) = supervised(&s);
        let text = "Please handle the empty array case here.\r\nAlso rename it to decode_any, and say why\x1b[31m";
        s.act(Action::Paste(text.to_string()));
        assert!(s.app().overlays.is_empty(), "{:?}", s.app().top());
        assert!(s.render().contains("paste is ignored"), "{}", s.render());
        s.press("]]c");
        s.act(Action::Paste(text.to_string()));
        let Some(Overlay::Comment { input, .. }) = s.app().top() else {
            panic!("the comment box stays open: {:?}", s.app().top());
        };
        assert_eq!(
            input.text(),
            "Please handle the empty array case here.\nAlso rename it to decode_any, and say why[31m"
        );
        let screen = s.render();
        assert!(screen.contains("Also rename it"), "{screen}");
        s.press("<Enter>yyy");
        assert!(s.app().overlays.is_empty());
        let saved = &s.app().store.saved.comments;
        assert!(
            saved.iter().any(|c| c.text.contains("here.\nAlso rename")),
            "{saved:?}"
        );
        assert!(notes_on(&d.made.repo, commit).is_empty());
    }

    /// Commits `edit` of `path` on the demo's trusted branch (main), as a lead would.
    fn commit_on_main(repo: &Path, path: &str, edit: impl Fn(&str) -> String, msg: &str) {
        let repo = git2::Repository::open(repo).expect("repo");
        let main = repo
            .find_branch("main", git2::BranchType::Local)
            .expect("main")
            .get()
            .peel_to_commit()
            .expect("main's commit");
        let tree = main.tree().expect("tree");
        let entry = tree.get_path(Path::new(path)).expect("the file on main");
        let blob = repo.find_blob(entry.id()).expect("blob");
        let text = edit(std::str::from_utf8(blob.content()).expect("text"));
        let new_blob = repo.blob(text.as_bytes()).expect("write blob");
        let mut update = git2::build::TreeUpdateBuilder::new();
        update.upsert(path, new_blob, git2::FileMode::Blob);
        let new_tree = update.create_updated(&repo, &tree).expect("new tree");
        let new_tree = repo.find_tree(new_tree).expect("tree");
        let sig = git2::Signature::now("Lead", "lead@example.com").expect("signature");
        repo.commit(
            Some("refs/heads/main"),
            &sig,
            &sig,
            msg,
            &new_tree,
            &[&main],
        )
        .expect("commit on main");
    }

    /// The stale-policy finding: after the trusted branch made `auth` prohibited, a
    /// workstation opened earlier must not sign "supervised". It refuses, saying the trusted
    /// branch moved; nothing is written.
    #[test]
    fn a_workstation_opened_before_the_policy_changed_refuses_to_sign_under_the_old_one() {
        let d = demo();
        let mut s = session(&d.made.repo);
        let (commit, _) = supervised(&s);
        commit_on_main(
            &d.made.repo,
            ".countersign/policy.toml",
            |p| format!("{p}\n[[rules]]\ncrates = [\"auth\"]\ntier = \"prohibited\"\n"),
            "Policy: auth is prohibited",
        );
        s.press("]]ayy");
        let Some(SignStage::Done { signed, lines }) = stage(&s) else {
            panic!("the dialog shows the refusal: {:?}", s.app().top());
        };
        assert!(!signed, "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.contains("moved since this review was opened")),
            "{lines:?}"
        );
        assert!(
            notes_on(&d.made.repo, commit).is_empty(),
            "signed under a stale policy"
        );
    }

    /// A reject the same reviewer signed meanwhile in another workstation is not silently
    /// lifted by an approval from a screen that never showed it: the dialog refuses, says what
    /// changed, and the list shows the reject.
    #[test]
    fn a_decision_signed_meanwhile_elsewhere_makes_the_dialog_refuse_and_show_it() {
        let d = demo();
        let mut s = session(&d.made.repo);
        let (commit, _) = supervised(&s);
        let mut other = session(&d.made.repo);
        other.press("]]ryy");
        assert_eq!(notes_on(&d.made.repo, commit).len(), 1);
        s.press("]]ayy");
        let Some(SignStage::Done { signed, lines }) = stage(&s) else {
            panic!("the dialog shows the refusal: {:?}", s.app().top());
        };
        assert!(!signed, "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.contains("rejected by alice@example.com")),
            "{lines:?}"
        );
        assert_eq!(
            notes_on(&d.made.repo, commit).len(),
            1,
            "the reject was lifted"
        );
        assert_eq!(supervised(&s).1, Some(ReviewState::Rejected));
    }
}
