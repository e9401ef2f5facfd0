//! The workstation's interdiff after an amend (real repository, real keys, the real `git`
//! CLI amending): `I` shows only what changed since the approved version, viewed marks carry
//! over for files whose content is unchanged, and approving opens the normal sign dialog for
//! the rewritten commit itself; a fresh sign-off on it then passes the gate.

use crate::signoff_common;

use countersign::tui::app::Overlay;
use countersign::tui::data::{load_review, FileKey};
use countersign::tui::interdiff::Body;
use countersign::tui::store::Store;
use countersign::tui::theme::Theme;
use countersign::tui::Session;
use git2::Oid;
use signoff_common::Fixture;

fn session(f: &Fixture, commit: &Oid, store: Store) -> Session {
    // As a reviewer types it: `countersign review 4f2a1c9`.
    let short = &commit.to_string()[..7];
    let selection = countersign_core::review::Selection {
        revspec: Some(short),
        trusted_ref: None,
    };
    let data = load_review(f.path(), selection).expect("load review");
    Session::from_data(data, store, Theme::dark(), (180, 36))
}

/// P adds `g` to src/lib.rs and a new src/util.rs; alice approves P; the agent amends
/// (with notes.rewriteRef set, so git copies the note) adding `h` to src/lib.rs only.
fn amended() -> (Fixture, Oid, Oid) {
    let f = Fixture::new();
    f.t.git(&["config", "notes.rewriteRef", "refs/notes/countersign"]);
    f.t.write("src/util.rs", "pub fn util() {}\n");
    let old = f.ai_commit("src/lib.rs", "pub fn f() {}\npub fn g() {}\n", "Add g");
    f.sign(&old, "alice", "approve").success();
    f.t.write(
        "src/lib.rs",
        "pub fn f() {}\npub fn g() {}\npub fn h() {}\n",
    );
    f.t.git(&["commit", "--amend", "--no-edit"]);
    let new = Oid::from_str(f.t.git(&["rev-parse", "HEAD"]).trim()).unwrap();
    (f, old, new)
}

#[test]
fn viewed_marks_carry_over_for_files_whose_content_is_unchanged() {
    let (f, old, new) = amended();
    // Review the approved version: mark both files viewed (src/lib.rs, then src/util.rs).
    let mut p = session(&f, &old, Store::default());
    p.press("v]v");
    assert_eq!(p.app().viewed_count(), 2);
    let store = p.app().store.clone();

    // The rewritten commit, with the same store: util.rs (same blob) is still viewed,
    // lib.rs (changed) is not.
    let c = session(&f, &new, store);
    let app = c.app();
    let files = &app.data.commits[0].change.files;
    let idx = |p: &str| files.iter().position(|x| x.path().display() == p).unwrap();
    let util = FileKey {
        commit: 0,
        file: idx("src/util.rs"),
    };
    let lib = FileKey {
        commit: 0,
        file: idx("src/lib.rs"),
    };
    assert_eq!(
        files[util.file].new_id,
        countersign_core::git::CommitChange::load(
            &f.t.repo,
            old,
            countersign_core::git::LoadDepth::Files
        )
        .unwrap()
        .files
        .iter()
        .find(|x| x.path().display() == "src/util.rs")
        .unwrap()
        .new_id,
        "same blob in both versions"
    );
    assert!(app.is_viewed(util), "unchanged file keeps its mark");
    assert!(!app.is_viewed(lib), "changed file must be looked at again");
}

#[test]
fn interdiff_shows_only_the_change_since_approval_and_approving_signs_the_new_commit() {
    let (f, old, new) = amended();
    let mut s = session(&f, &new, Store::default());

    // The verdict knows the approved version; the header and the key line say so.
    let verdict = s.app().data.commits[0].verdict.clone().unwrap();
    let from = verdict.rewritten_from.expect("approved before rewrite");
    assert_eq!(from.commit, old.into());
    assert_eq!(from.approved_by, ["alice@example.com"]);
    let first = s.render();
    assert!(
        first.contains(&format!(
            "approved before rewrite ({} by alice@example.com): I shows the interdiff",
            &old.to_string()[..7]
        )),
        "{first}"
    );
    assert!(first.contains("I interdiff since approval"), "{first}");

    s.press("I");
    let screen = s.render();
    assert!(screen.contains("Interdiff"), "{screen}");
    assert!(
        screen.contains("2 files either version touches: 1 changed since approval, 1 unchanged"),
        "{screen}"
    );
    assert!(screen.contains("src/lib.rs"), "{screen}");
    assert!(screen.contains("changed since approval"), "{screen}");
    assert!(screen.contains("unchanged since approval"), "{screen}");
    // Only h is new since approval; g was approved and shows as context.
    assert!(screen.contains("│+pub fn h() {}"), "{screen}");
    assert!(screen.contains("│ pub fn g() {}"), "{screen}");
    assert!(!screen.contains("│+pub fn g"), "{screen}");
    assert!(!screen.contains("│+pub fn util"), "{screen}");
    let Some(Overlay::Interdiff(view)) = s.app().top() else {
        panic!("the interdiff is on top");
    };
    let Body::Ready { files, .. } = &view.body else {
        panic!("loaded inline");
    };
    assert_eq!(files.len(), 2);
    assert!(files.iter().any(|x| x.path == "src/util.rs" && x.unchanged));

    // `v` in the view marks the rewritten commit's file (the same mark as the file list).
    s.press("v");
    assert_eq!(s.app().viewed_count(), 1);

    // Approving opens the normal sign dialog over the view, for the rewritten commit.
    s.press("a");
    assert!(matches!(s.app().top(), Some(Overlay::Sign { .. })));
    let request = countersign::tui::update::sign_request(
        s.app(),
        countersign_core::signoff::Decision::Approve,
    );
    let ids: Vec<String> = request
        .commits
        .iter()
        .map(|c| c.commit.to_string())
        .collect();
    assert_eq!(ids, [new.to_string()]);
    s.press("<Esc><Esc>");
    assert!(
        s.app().top().is_none(),
        "Esc closes the dialog, then the view"
    );

    // The same library signing path, from the command line: a fresh sign-off on the new
    // commit passes and the pointer to the old version goes away.
    f.sign(&new, "alice", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");
    let again = session(&f, &new, Store::default());
    let v = again.app().data.commits[0].verdict.clone().unwrap();
    assert!(v.rewritten_from.is_none());
    assert_eq!(v.approved_by, ["alice@example.com"]);
}

#[test]
fn without_an_approved_earlier_version_i_says_so() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() {}\npub fn g() {}\n", "Add g");
    let mut s = session(&f, &c, Store::default());
    s.press("I");
    assert!(s.app().top().is_none());
    let screen = s.render();
    assert!(
        screen.contains("no earlier approved version of this change was found"),
        "{screen}"
    );
}

/// A reject carried to a rewrite with the same patch (`git commit --amend --no-edit`) is
/// named by the workstation on the rewritten commit, as `status` and `verify` name it: in the
/// header and in the sign dialog. Before, the commit showed only `✗` with nobody named.
#[test]
fn the_workstation_names_a_reject_carried_to_the_rewritten_commit() {
    let f = Fixture::new();
    let old = f.ai_commit("src/lib.rs", "pub fn f() {}\npub fn g() {}\n", "Add g");
    f.sign(&old, "alice", "reject").success();
    f.t.git(&["commit", "--amend", "--no-edit"]);
    let new = Oid::from_str(f.t.git(&["rev-parse", "HEAD"]).trim()).unwrap();
    assert_ne!(new, old);

    let short = &new.to_string()[..7];
    let selection = countersign_core::review::Selection {
        revspec: Some(short),
        trusted_ref: None,
    };
    let data = load_review(f.path(), selection).expect("load review");
    let mut s = Session::from_data(data, Store::default(), Theme::dark(), (240, 40));
    let v = s.app().data.commits[0].verdict.clone().unwrap();
    assert_eq!(v.carried_rejects.len(), 1, "{v:?}");
    assert_eq!(v.carried_rejects[0].by, "alice@example.com");
    assert_eq!(v.carried_rejects[0].commit.to_string(), old.to_string());

    let screen = s.render();
    let named = format!(
        "{short} rejected before rewrite (alice@example.com on {}, same patch): the reject stands",
        &old.to_string()[..7]
    );
    assert!(screen.contains(&named), "{screen}");

    s.press("a");
    let dialog = s.render();
    assert!(
        dialog.contains(&format!(
            "rejected by alice@example.com on {}, an earlier version with the same patch",
            &old.to_string()[..7]
        )),
        "{dialog}"
    );
}
