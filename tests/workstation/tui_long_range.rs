//! The first screen of a long range (issue 29): the workstation opens on the range's commit
//! ids and its first commit, judged alone, and loads the other commits' files and verdicts
//! behind it, part by part. Until the last part arrives every count on screen says it is not
//! final and signing waits. Generated ranges (testkit's governed history), headless sessions
//! read back from `TestBackend` frames; counted, never timed.

use std::sync::mpsc;
use std::thread;

use countersign::tui::action::JobResult;
use countersign::tui::app::Overlay;
use countersign::tui::data::{self, FIRST_SCREEN_COMMITS, RANGE_PART};
use countersign::tui::{ReviewOptions, Session};
use countersign_core::review::{Purpose, Review, Selection};
use countersign_core::signoff::ReviewState;

/// A governed repository whose `feature` (HEAD) holds `n` AI commits over `main`.
fn long_range(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let key = countersign_core::signoff::keys::generate_ed25519("alice@example.com").unwrap();
    countersign_testkit::governed_history(dir.path(), &key, n);
    dir
}

fn open(dir: &tempfile::TempDir) -> Session {
    Session::open_first_screen(dir.path(), &ReviewOptions::default(), (160, 40)).unwrap()
}

fn judged(s: &Session) -> usize {
    s.app()
        .data
        .commits
        .iter()
        .filter(|c| c.verdict.is_some())
        .count()
}

#[test]
fn a_long_range_opens_on_its_first_commit_and_the_rest_arrive_in_parts() {
    let n = RANGE_PART + 100;
    let dir = long_range(n);
    let mut s = open(&dir);
    // The loader runs on its own thread and waits at a gate before handing on each part, so
    // the frames below are drawn while it has judged at most one part (fewer than n).
    let data = &s.app().data;
    let (path, resolved) = (data.repo_path.clone(), data.resolved.clone().unwrap());
    let (parts_tx, parts) = mpsc::channel();
    let (gate, gate_rx) = mpsc::sync_channel::<()>(0);
    let loader = thread::spawn(move || {
        data::load_range(&path, &resolved, &mut |part| {
            gate_rx.recv().is_ok() && parts_tx.send(part).is_ok()
        })
    });

    let first = s.render();
    assert_eq!(s.app().data.commits.len(), n, "every commit is listed");
    assert_eq!(
        s.app().data.loaded(),
        1,
        "only the opening commit is loaded"
    );
    assert_eq!(judged(&s), 1, "only the opening commit is judged");
    assert!(
        first.contains(&format!("({n} commits, 1 AI so far)")),
        "{first}"
    );
    assert!(first.contains("gate: judging 1 / 600"), "{first}");
    assert!(first.contains("0/1+ viewed"), "{first}");
    assert!(first.contains("Change · loading 1/600…"), "{first}");
    assert!(first.contains("Step 1"), "the opening commit: {first}");
    assert!(
        first.contains("pub fn f() -> u32 { 1 }"),
        "its diff: {first}"
    );
    assert!(
        !first.contains("need approval"),
        "no count that is not final: {first}"
    );

    gate.send(()).unwrap();
    s.deliver(JobResult::RangePart(parts.recv().unwrap()));
    let middle = s.render();
    assert_eq!(s.app().data.loaded(), RANGE_PART);
    assert_eq!(judged(&s), RANGE_PART);
    assert!(middle.contains("gate: judging 500 / 600"), "{middle}");
    assert!(middle.contains("0/500+ viewed"), "{middle}");

    gate.send(()).unwrap();
    s.deliver(JobResult::RangePart(parts.recv().unwrap()));
    drop(gate);
    loader.join().unwrap();
    let settled = s.render();
    assert!(s.app().data.settled());
    assert!(settled.contains("gate: 600 need approval"), "{settled}");
    assert!(
        settled.contains(&format!("({n} commits, {n} AI)")),
        "{settled}"
    );
    assert!(settled.contains("0/600 viewed"), "{settled}");
    assert!(!settled.contains("judging"), "{settled}");
}

#[test]
fn counts_settle_to_what_status_judges() {
    let n = FIRST_SCREEN_COMMITS * 2 + 3;
    let dir = long_range(n);
    let mut s = open(&dir);
    assert_eq!(judged(&s), 1);
    s.settle();
    let screen = s.render();
    assert!(s.app().data.settled());
    let repo = git2::Repository::open(dir.path()).unwrap();
    let mut review = Review::open(&repo, Selection::default(), Purpose::Triage).unwrap();
    let status = review.assess_all().unwrap();
    assert_eq!(status.len(), n);
    for (entry, a) in s.app().data.commits.iter().zip(&status) {
        let v = entry.verdict.as_ref().expect("every commit judged");
        assert_eq!(entry.change.id, a.commit);
        assert_eq!((v.tier, v.state), (a.tier, a.state), "{}", entry.change.id);
        assert_eq!(entry.change.files.len(), 1, "its file arrived");
    }
    let need = status
        .iter()
        .filter(|a| a.state == ReviewState::NeedsSignoff)
        .count();
    assert_eq!(need, n);
    assert!(
        screen.contains(&format!("gate: {n} need approval")),
        "{screen}"
    );
    assert!(screen.contains(&format!("0/{n} viewed")), "{screen}");
}

#[test]
fn signing_waits_until_the_range_is_loaded() {
    let dir = long_range(FIRST_SCREEN_COMMITS + 4);
    let mut s = open(&dir);
    for key in ["A", "a", "R", "r"] {
        s.press(key);
        assert!(
            !s.app()
                .overlays
                .iter()
                .any(|o| matches!(o, Overlay::Sign { .. })),
            "{key} opens no sign dialog while the range loads"
        );
        let screen = s.render();
        assert!(
            screen.contains("still loading the range (judged 1 of 20 commits)"),
            "{key}: {screen}"
        );
    }
    s.settle();
    s.press("A");
    assert!(
        s.app()
            .overlays
            .iter()
            .any(|o| matches!(o, Overlay::Sign { .. })),
        "once loaded, A opens the dialog: {}",
        s.render()
    );
}

#[test]
fn a_short_range_is_judged_whole_before_the_first_screen() {
    let dir = long_range(FIRST_SCREEN_COMMITS);
    let mut s = open(&dir);
    assert!(s.app().data.settled());
    assert_eq!(judged(&s), FIRST_SCREEN_COMMITS);
    let screen = s.render();
    assert!(
        screen.contains(&format!("gate: {FIRST_SCREEN_COMMITS} need approval")),
        "{screen}"
    );
}
