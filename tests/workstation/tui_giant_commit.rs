//! The first screen of a giant commit (issue 29): past [`FIRST_JUDGED_PATHS`] changed paths
//! the workstation draws the file list and the first diff from the paths alone and judges the
//! commit behind it (tiers, crates, case-folding checks of every path). Until the verdict
//! arrives nothing on screen pretends to be judged and signing waits: a sign-off binds the
//! tier and requirements the judgement gives. Generated repositories (testkit), headless
//! sessions read back from `TestBackend` frames; counted, never timed.

use std::sync::mpsc;
use std::thread;

use countersign::tui::action::JobResult;
use countersign::tui::app::Overlay;
use countersign::tui::data::{self, FIRST_JUDGED_PATHS};
use countersign::tui::{ReviewOptions, Session};
use countersign_core::model::thousands;
use countersign_core::review::{Purpose, Review, Selection};
use countersign_core::signoff::ReviewState;

/// A governed repository whose `feature` (HEAD) is one AI commit adding `files` files.
fn giant_commit(files: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let key = countersign_core::signoff::keys::generate_ed25519("alice@example.com").unwrap();
    countersign_testkit::governed_giant_commit(dir.path(), &key, files);
    dir
}

fn open(dir: &tempfile::TempDir) -> Session {
    Session::open_first_screen(dir.path(), &ReviewOptions::default(), (160, 40)).unwrap()
}

fn sign_dialog_open(s: &Session) -> bool {
    s.app()
        .overlays
        .iter()
        .any(|o| matches!(o, Overlay::Sign { .. }))
}

#[test]
fn a_giant_commit_is_drawn_before_it_is_judged_and_signing_waits_for_the_verdict() {
    let files = FIRST_JUDGED_PATHS + 1;
    let dir = giant_commit(files);
    let mut s = open(&dir);
    // The judge runs on its own thread and waits at a gate before handing its verdict on, so
    // the keys below are pressed while the commit is not judged.
    let data = &s.app().data;
    let (path, resolved) = (data.repo_path.clone(), data.resolved.clone().unwrap());
    let (parts_tx, parts) = mpsc::channel();
    let (gate, gate_rx) = mpsc::sync_channel::<()>(0);
    let judge = thread::spawn(move || {
        data::load_range(&path, &resolved, &mut |part| {
            gate_rx.recv().is_ok() && parts_tx.send(part).is_ok()
        })
    });

    let first = s.render();
    let data = &s.app().data;
    assert!(data.judging && !data.settled(), "drawn before the verdict");
    assert_eq!(data.commits.len(), 1);
    assert_eq!(
        data.commits[0].change.files.len(),
        files,
        "every path listed"
    );
    assert!(data.commits[0].verdict.is_none());
    assert!(
        first.contains(&format!("gate: judging {} files…", thousands(files))),
        "{first}"
    );
    assert!(first.contains("(1 commit, 0 AI so far)"), "{first}");
    assert!(first.contains("Change · judging…"), "{first}");
    assert!(first.contains(&format!("0/{files} viewed")), "{first}");
    assert!(first.contains("tier not judged yet"), "{first}");
    assert!(
        first.contains("line one of file 0"),
        "the first diff: {first}"
    );
    assert!(
        !first.contains("SUPV") && !first.contains("needs approval"),
        "no verdict drawn before it is made: {first}"
    );
    // Even with the full lists and the content scan in (they follow the verdict on their
    // own), the verdict is what signing waits for.
    let ids = vec![s.app().data.commits[0].change.id];
    let full = data::load_full_files(dir.path(), &ids).map_err(|e| e.to_string());
    s.deliver(JobResult::FullFiles(full));
    assert!(!s.app().data.paths_only && s.app().findings.is_some());
    assert!(s.app().data.judging);
    for key in ["a", "r", "A", "R"] {
        s.press(key);
        assert!(
            !sign_dialog_open(&s),
            "{key} opens no sign dialog while judging"
        );
        let screen = s.render();
        assert!(
            screen.contains(&format!(
                "still judging the change ({} files): sign when it is judged",
                thousands(files)
            )),
            "{key}: {screen}"
        );
    }

    gate.send(()).unwrap();
    s.deliver(JobResult::RangePart(parts.recv().unwrap()));
    drop(gate);
    judge.join().unwrap();
    let judged = s.render();
    let data = &s.app().data;
    assert!(!data.judging && data.settled());
    let v = data.commits[0]
        .verdict
        .as_ref()
        .expect("the verdict arrived");
    assert_eq!(v.state, ReviewState::NeedsSignoff);
    assert!(judged.contains("gate: 1 needs approval"), "{judged}");
    assert!(judged.contains("(1 commit, 1 AI)"), "{judged}");
    assert!(judged.contains("SUPV"), "{judged}");
    assert!(
        !judged.contains("gate: judging") && !judged.contains("Change · judging"),
        "{judged}"
    );

    s.settle();
    s.press("A");
    assert!(
        sign_dialog_open(&s),
        "once judged and read in full, A opens the dialog: {}",
        s.render()
    );
}

#[test]
fn a_giant_commit_settles_to_what_status_judges() {
    let dir = giant_commit(FIRST_JUDGED_PATHS + 1);
    let mut s = open(&dir);
    assert!(s.app().data.judging);
    s.settle();
    assert!(s.app().data.settled());
    let repo = git2::Repository::open(dir.path()).unwrap();
    let mut review = Review::open(&repo, Selection::default(), Purpose::Triage).unwrap();
    let status = review.assess_all().unwrap();
    assert_eq!(status.len(), 1);
    let v = s.app().data.commits[0]
        .verdict
        .as_ref()
        .expect("judged once settled");
    assert_eq!((v.tier, v.state), (status[0].tier, status[0].state));
    assert_eq!(v.reasons, status[0].tier_reasons);
}

#[test]
fn a_commit_of_up_to_first_judged_paths_is_judged_before_the_first_screen() {
    let dir = giant_commit(FIRST_JUDGED_PATHS);
    let mut s = open(&dir);
    assert!(!s.app().data.judging);
    assert!(s.app().data.commits[0].verdict.is_some());
    let screen = s.render();
    assert!(screen.contains("gate: 1 needs approval"), "{screen}");
}
