//! Frames of the review workstation's main states, drawn into a ratatui `TestBackend` and
//! compared with insta snapshots. The in-memory sample change has fixed ids; frames of the
//! demo repository have their commit ids filtered (they depend on the demo's random keys).

use crate::sample;
use countersign::tui::action::{JobResult, SignDialogOutcome};
use countersign::tui::impact::{ImpactRow, ImpactView};
use countersign::tui::store::Store;
use countersign::tui::theme::Theme;
use countersign::tui::{ReviewOptions, Session};
use countersign_core::model::Tier;
use countersign_core::signoff::Decision;

fn sample_session(size: (u16, u16)) -> Session {
    Session::from_data(sample::review_data(), Store::default(), Theme::dark(), size)
}

#[test]
fn first_screen() {
    let mut s = sample_session((120, 30));
    insta::assert_snapshot!("first_screen", s.render());
}

#[test]
fn side_by_side() {
    let mut s = sample_session((120, 30));
    s.press("}s");
    insta::assert_snapshot!("side_by_side", s.render());
}

#[test]
fn help() {
    let mut s = sample_session((120, 30));
    s.press("?");
    insta::assert_snapshot!("help", s.render());
}

#[test]
fn sign_dialog_supervised() {
    let mut s = sample_session((120, 34));
    s.press("vjjjjcwhy 8?<Enter>a");
    insta::assert_snapshot!("sign_dialog_supervised", s.render());
}

#[test]
fn sign_dialog_unviewed_files_named() {
    let mut s = sample_session((120, 34));
    s.press("v]v]v]vay");
    insta::assert_snapshot!("sign_dialog_unviewed", s.render());
}

#[test]
fn sign_dialog_forbidden() {
    let mut s = Session::from_data(
        sample::forbidden_data(),
        Store::default(),
        Theme::dark(),
        (120, 34),
    );
    s.press("a");
    insta::assert_snapshot!("sign_dialog_forbidden", s.render());
}

/// The passphrase step after a wrong passphrase: the error above the prompt, the typed
/// characters as dots.
#[test]
fn sign_dialog_wrong_passphrase() {
    let mut s = sample_session((120, 34));
    s.press("a");
    let request = countersign::tui::update::sign_request(s.app(), Decision::Approve);
    s.deliver(JobResult::Signed(SignDialogOutcome::NeedPassphrase {
        request,
        error: Some(
            "wrong passphrase for /home/alice/.ssh/id_ed25519: nothing was signed; try again"
                .into(),
        ),
    }));
    s.press("pas");
    insta::assert_snapshot!("sign_dialog_wrong_passphrase", s.render());
}

/// The result of signing stays in the dialog until a key closes it.
#[test]
fn sign_dialog_signed() {
    let mut s = sample_session((120, 34));
    s.press("a");
    s.deliver(JobResult::Signed(SignDialogOutcome::Signed(vec![
        "signed: approve bbbbbbb as alice@example.com".into(),
        "signed: approve ccccccc as alice@example.com".into(),
        "note: commit ccccccc is not AI-generated: it needs no sign-off (this one is recorded anyway)".into(),
    ])));
    insta::assert_snapshot!("sign_dialog_signed", s.render());
}

/// A refused plan (here: a key the roster does not list) is shown in the dialog.
#[test]
fn sign_dialog_refused() {
    let mut s = sample_session((120, 34));
    s.press("r");
    s.deliver(JobResult::Signed(SignDialogOutcome::Refused(vec![
        "the key SHA256:abc is not in the trusted roster (main:.countersign/allowed_signers); nothing was signed".into(),
    ])));
    insta::assert_snapshot!("sign_dialog_refused", s.render());
}

fn sample_impact() -> ImpactView {
    let row = |depth, label: &str, detail: &str, tier, open: Option<(&str, &str)>| ImpactRow {
        depth,
        label: label.into(),
        detail: detail.into(),
        tier,
        open: open.map(|(c, p)| (c.parse().expect("a full id"), p.to_string())),
    };
    ImpactView {
        tier: Some(Tier::Supervised),
        escalated: true,
        rows: vec![
            row(0, "core-types", "changed", Some(Tier::Autonomous), None),
            row(1, "core_types::codec", "module", None, Some(("b".repeat(40).as_str(), "crates/core-types/src/codec.rs"))),
            row(1, "auth", "1 hop", Some(Tier::Supervised), None),
            row(2, "billing-api", "2 hops", Some(Tier::Prohibited), None),
            row(1, "qa", "dev-dep", Some(Tier::Autonomous), None),
        ],
        targets: vec!["billing-api (bin)".into(), "qa (test)".into()],
        reasons: vec!["billing-api (prohibited) depends on core-types via auth; escalation is capped at supervised".into()],
        files: Default::default(),
    }
}

#[test]
fn impact_panel_focused() {
    let mut s = sample_session((120, 30));
    s.deliver(JobResult::Impact(Ok(sample_impact())));
    s.press("ij");
    insta::assert_snapshot!("impact_focused", s.render());
}

#[test]
fn impact_panel_takes_the_file_lists_place_in_a_narrow_terminal() {
    let mut s = sample_session((90, 24));
    s.deliver(JobResult::Impact(Ok(sample_impact())));
    s.press("i");
    insta::assert_snapshot!("impact_focused_narrow", s.render());
}

#[test]
fn tiny_terminal() {
    let mut s = sample_session((20, 5));
    insta::assert_snapshot!("tiny_20x5", s.render());
}

/// The demo repository's first screen, commit ids filtered.
#[test]
fn demo_first_screen() {
    let dir = tempfile::tempdir().unwrap();
    let demo = countersign::demo::build(dir.path()).unwrap();
    let text = countersign::tui::snapshot(&demo.repo, &ReviewOptions::default(), (130, 30), false)
        .unwrap();
    insta::assert_snapshot!("demo_first_screen", filter_ids(&text));
}

/// The demo with every panel settled: the impact panel shows the crate tree with tiers (auth
/// reaches billing-api, prohibited), the modules, the targets and why.
#[test]
fn demo_settled_impact() {
    let dir = tempfile::tempdir().unwrap();
    let demo = countersign::demo::build(dir.path()).unwrap();
    let text =
        countersign::tui::snapshot(&demo.repo, &ReviewOptions::default(), (130, 34), true).unwrap();
    assert!(!text.contains("computing"), "{text}");
    insta::assert_snapshot!("demo_settled_impact", filter_ids(&text));
}

/// Replaces every 7-digit lowercase hex word (a short commit id) with `#######`.
fn filter_ids(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let is_hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts = i == 0 || !word(chars[i - 1]);
        let run = chars[i..].iter().take_while(|c| is_hex(**c)).count();
        let ends = chars.get(i + run).is_none_or(|c| !word(*c));
        if starts && run == 7 && ends {
            out.push_str("#######");
            i += 7;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}
