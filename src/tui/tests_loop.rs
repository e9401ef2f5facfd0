//! The workstation fitting a reviewer's hand (issue 25): the comment box's editing keys, the
//! impact panel's cursor and scrolling, the gate line, comments wrapped at words. Driven by
//! keys on the fixed in-memory change, read back from `TestBackend` frames.

use super::action::JobResult;
use super::app::{Overlay, Panel};
use super::impact::{ImpactRow, ImpactView};
use super::sample;
use super::store::Store;
use super::theme::Theme;
use super::Session;

fn session() -> Session {
    Session::from_data(
        sample::review_data(),
        Store::default(),
        Theme::dark(),
        (120, 30),
    )
}

fn drafts(s: &Session) -> Vec<String> {
    s.app()
        .store
        .saved
        .comments
        .iter()
        .map(|c| c.text.clone())
        .collect()
}

#[test]
fn the_comment_box_edits_at_a_cursor_across_lines_and_enter_saves() {
    let mut s = session();
    s.press("jjjjVjc");
    let text = s.render();
    assert!(
        text.contains("Comment on crates/core-types/src/codec.rs:42–43 "),
        "the title names the lines as a range: {text}"
    );
    s.press("ab<Left>X<End><M-Enter>second<C-j>third<Tab>x<Home>>");
    let text = s.render();
    assert!(text.contains("aXb"), "{text}");
    assert!(text.contains("second"), "several lines are drawn: {text}");
    s.press("<Enter>");
    assert!(s.app().top().is_none(), "Enter saves and closes");
    assert_eq!(drafts(&s), ["aXb\nsecond\n>third\tx"]);
}

#[test]
fn ctrl_c_in_the_comment_box_closes_it_and_keeps_the_draft() {
    let mut s = session();
    s.press("jjjjc");
    s.press("half written<C-c>");
    assert!(!s.app().quit, "Ctrl-C in the box does not quit");
    assert!(s.app().top().is_none(), "the box is closed");
    assert_eq!(drafts(&s), ["half written"]);
    assert!(s.render().contains("the draft is kept"));
    s.press("c");
    assert!(
        matches!(s.app().top(), Some(Overlay::Comment { input, .. }) if input.text() == "half written"),
        "c opens the draft again"
    );
    s.press("<Esc><C-c>");
    assert!(s.app().quit, "outside the box Ctrl-C quits");
}

#[test]
fn comments_under_their_lines_wrap_at_words() {
    let mut s = session();
    s.press("jjjjc");
    s.press(
        "the encoder allocates eight bytes up front although most values need far fewer<Enter>",
    );
    let text = s.render();
    for word in ["allocates", "although", "values", "fewer"] {
        assert!(
            text.lines().any(|l| l.contains(word)),
            "{word} is whole on a line:\n{text}"
        );
    }
}

fn big_impact() -> ImpactView {
    ImpactView {
        tier: Some(crate::model::Tier::Supervised),
        escalated: true,
        rows: (0..60)
            .map(|i| ImpactRow {
                depth: usize::from(i > 0),
                label: format!("crate-{i:02}"),
                detail: String::new(),
                tier: Some(crate::model::Tier::Supervised),
                open: None,
            })
            .collect(),
        targets: vec!["crate-59 (bin)".into()],
        reasons: vec!["crate-00 is used by billing-api (prohibited), capped at supervised".into()],
        files: Default::default(),
    }
}

#[test]
fn the_impact_panel_shows_why_first_and_its_cursor_scrolls_it() {
    let mut s = session();
    s.deliver(JobResult::Impact(Ok(ImpactView::default())));
    s.deliver(JobResult::CommitImpact {
        commit: 0,
        result: Ok(big_impact()),
    });
    let text = s.render();
    assert!(text.contains("Impact · commit bbbbbbb"), "{text}");
    let why = text
        .lines()
        .position(|l| l.contains("why:"))
        .expect("why: on screen");
    assert!(why < 4, "why: comes first:\n{text}");
    assert!(text.contains("capped at supervised"), "{text}");
    s.press("i");
    assert_eq!(s.app().focus, Panel::Impact);
    s.press("G");
    assert_eq!(s.app().impact_cursor, 59);
    let text = s.render();
    assert!(
        text.contains("crate-59"),
        "the cursor's row is on screen:\n{text}"
    );
    assert!(!text.contains("crate-05 "), "the panel scrolled:\n{text}");
    s.press("g");
    assert_eq!(s.app().impact_cursor, 0);
    s.press("<PgDn>");
    let page = s.app().impact_cursor;
    assert!(page > 1 && page < 59, "a page, not the end: {page}");
    s.press("j");
    assert_eq!(s.app().impact_cursor, page + 1);
    let text = s.render();
    assert!(text.contains(&format!("crate-{:02}", page + 1)), "{text}");
}

#[test]
fn the_header_says_whether_the_range_passes_the_gate() {
    let mut s = session();
    assert!(s.render().contains("gate: 1 needs approval"));
    let mut s = Session::from_data(
        sample::forbidden_data(),
        Store::default(),
        Theme::dark(),
        (120, 30),
    );
    assert!(s.render().contains("gate: 1 forbidden"));
    let mut data = sample::review_data();
    if let Some(v) = data.commits[0].verdict.as_mut() {
        v.state = crate::signoff::ReviewState::Approved;
    }
    let mut s = Session::from_data(data, Store::default(), Theme::dark(), (120, 30));
    assert!(s.render().contains("gate: passes"));
}

/// The sample with a second AI commit the gate forbids (prohibited tier).
fn with_a_forbidden_commit() -> crate::tui::data::ReviewData {
    let mut data = sample::review_data();
    let mut bad = data.commits[0].clone();
    bad.change.id = "d".repeat(40).parse().expect("a full id");
    if let Some(v) = bad.verdict.as_mut() {
        v.tier = crate::model::Tier::Prohibited;
        v.state = crate::signoff::ReviewState::Forbidden;
    }
    data.commits.push(bad);
    data
}

#[test]
fn a_approves_the_commits_that_can_be_and_names_the_skipped_with_why() {
    let mut s = Session::from_data(
        with_a_forbidden_commit(),
        Store::default(),
        Theme::dark(),
        (140, 40),
    );
    s.press("A");
    let text = s.render();
    assert!(
        text.contains("not signed: ddddddd (AI-generated in the prohibited tier"),
        "{text}"
    );
    assert!(
        text.contains("not signed: ccccccc (needs no sign-off"),
        "{text}"
    );
    let req = super::update::sign_request(s.app(), crate::signoff::Decision::Approve);
    let ids: Vec<String> = req.commits.iter().map(|c| c.commit.to_string()).collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert!(ids[0].starts_with("bbbbbbb"), "{ids:?}");
    // One confirmation for the unviewed files, then the one signing request (one passphrase).
    s.press("y");
    assert!(s.render().contains("not marked viewed"));
    s.press("y");
    assert!(
        matches!(
            s.app().top(),
            Some(Overlay::Sign {
                stage: super::app::SignStage::Signing
                    | super::app::SignStage::Done { .. }
                    | super::app::SignStage::Passphrase { .. },
                ..
            })
        ),
        "the approvable commit is signed, not the whole range refused"
    );
}

#[test]
fn the_sign_dialog_names_the_tier_of_the_commit_it_signs() {
    let mut s = Session::from_data(
        with_a_forbidden_commit(),
        Store::default(),
        Theme::dark(),
        (140, 40),
    );
    s.press("a");
    let text = s.render();
    assert!(
        text.contains("tier signed: supervised (this commit's; the range's highest is prohibited)"),
        "{text}"
    );
    assert!(!text.contains("effective tier: prohibited"), "{text}");
}

#[test]
fn o_switches_the_impact_panel_between_the_commit_and_the_range() {
    let mut s = session();
    let mut range = big_impact();
    range.rows.truncate(1);
    range.rows[0].label = "range-wide".into();
    s.deliver(JobResult::Impact(Ok(range)));
    s.deliver(JobResult::CommitImpact {
        commit: 0,
        result: Ok(big_impact()),
    });
    assert!(s.render().contains("crate-00"));
    s.press("o");
    let text = s.render();
    assert!(text.contains("Impact · range"), "{text}");
    assert!(
        text.contains("range-wide") && !text.contains("crate-01"),
        "{text}"
    );
    s.press("o");
    assert!(s.render().contains("crate-01"));
}

#[test]
fn z_zooms_the_focused_panel_and_a_click_selects_a_file() {
    let mut s = session();
    s.press("z");
    let text = s.render();
    assert!(!text.contains("╭ Change"), "the list is hidden: {text}");
    assert!(
        !text.contains("Impact"),
        "the impact panel is hidden: {text}"
    );
    assert!(text.contains("codec.rs · unified"), "{text}");
    s.press("z");
    assert!(s.render().contains("╭ Change"));
    // The list: border row 1, commit header rows 2-3, first file on row 4, second on 5.
    s.act(super::action::Action::Click(5, 5));
    assert_eq!(s.app().focus, Panel::Files);
    assert_eq!(
        s.app().selected,
        Some(super::data::FileKey { commit: 0, file: 1 }),
        "the clicked file is selected"
    );
}

#[test]
fn slash_counts_matches_across_files_and_n_moves_on_to_the_next_file() {
    let mut s = session();
    // `decode` is in codec.rs only; `pub` is in several files.
    s.press("/pub<Enter>");
    let counts = s.app().search.counts.clone().expect("counted across files");
    assert!(counts.len() >= 2, "{counts:?}");
    let text = s.render();
    assert!(
        text.contains("in this file ·") && text.contains(" files"),
        "{text}"
    );
    let first = s.app().selected;
    for _ in 0..40 {
        s.press("n");
        if s.app().selected != first {
            break;
        }
    }
    assert_ne!(
        s.app().selected,
        first,
        "n went on to the next file with a match"
    );
    let row = s.app().pos.cursor;
    assert!(s.app().search.matches.contains(&row), "on a match there");
}

#[test]
fn the_impact_panel_says_which_crates_compile_the_selected_file() {
    use super::impact::FileImpact;
    let mut s = session();
    let mut view = big_impact();
    view.files.insert(
        "crates/core-types/src/codec.rs".into(),
        FileImpact {
            tier: crate::model::Tier::Supervised,
            compiled_into: vec!["core-types (does: in its folder crates/core-types)".into()],
        },
    );
    view.files.insert(
        "crates/core-types/src/lib.rs".into(),
        FileImpact {
            tier: crate::model::Tier::Prohibited,
            compiled_into: vec![
                "core-types (does: in its folder crates/core-types)".into(),
                "billing-api (may: include! with a computed path at src/lib.rs:3)".into(),
            ],
        },
    );
    s.deliver(JobResult::Impact(Ok(ImpactView::default())));
    s.deliver(JobResult::CommitImpact {
        commit: 0,
        result: Ok(view),
    });
    let text = s.render();
    assert!(
        text.contains("this file: supervised"),
        "the selected file's line: {text}"
    );
    assert!(!text.contains("billing-api (may"), "{text}");
    s.press("]");
    let text = s.render();
    assert!(
        text.contains("this file: prohibited"),
        "the line follows the selection: {text}"
    );
    assert!(text.contains("billing-api (may:"), "{text}");
    // The cursor's row stays on screen below the longer head.
    s.press("iG");
    assert!(s.render().contains("crate-59"), "{}", s.render());
}

#[test]
fn the_panel_takes_each_files_compilers_from_the_analysis_as_impact_json_has_them() {
    use crate::review::tiered::{FileEntry, TieredImpact};
    use countersign_core::impact::compiled::{Certainty, Compiler};
    let impact = TieredImpact {
        files: vec![FileEntry {
            path: "docs/rates.rs".into(),
            tier: crate::model::Tier::Prohibited,
            compiled_into: vec![Compiler {
                krate: "billing-api".into(),
                how: "include! in crates/billing-api/src/lib.rs".into(),
                certainty: Certainty::Does,
            }],
        }],
        ..TieredImpact::default()
    };
    let view = super::impact::view_of(&impact);
    let file = view.files.get("docs/rates.rs").expect("the file is listed");
    assert_eq!(file.tier, crate::model::Tier::Prohibited);
    assert_eq!(
        file.compiled_into,
        ["billing-api (does: include! in crates/billing-api/src/lib.rs)"]
    );
}

#[test]
fn files_with_checkout_attributes_are_named_in_the_sign_dialog_and_on_the_file() {
    let mut data = sample::review_data();
    let flag = crate::review::CheckoutFlag {
        path: "crates/core-types/src/codec.rs".into(),
        attributes: vec!["filter=lfs".into()],
    };
    if let Some(v) = data.commits[0].verdict.as_mut() {
        v.checkout_attributes.push(flag);
    }
    let mut s = Session::from_data(data, Store::default(), Theme::dark(), (160, 40));
    s.deliver(JobResult::Impact(Ok(ImpactView::default())));
    s.deliver(JobResult::CommitImpact {
        commit: 0,
        result: Ok(ImpactView::default()),
    });
    let text = s.render();
    assert!(
        text.contains("has checkout attributes on the") && text.contains("(filter=lfs)"),
        "the selected file is flagged in the impact panel: {text}"
    );
    s.press("a");
    let text = s.render();
    assert!(
        text.contains("⚠ bbbbbbb: `crates/core-types/src/codec.rs` has checkout"),
        "the sign dialog names it: {text}"
    );
}

/// The screen column and row where `needle` is first drawn at or below row `from`.
fn find_on_screen(text: &str, from: u16, needle: &str) -> (u16, u16) {
    text.lines()
        .enumerate()
        .skip(usize::from(from))
        .find_map(|(y, l)| {
            l.find(needle)
                .map(|x| (l[..x].chars().count() as u16, y as u16))
        })
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{text}"))
}

#[test]
fn a_click_in_the_comments_overview_selects_the_comment_and_a_second_click_jumps_to_it() {
    let mut s = session();
    s.press("jjcfirst note<Enter>jjjj");
    let second_at = s.app().pos.cursor;
    s.press("csecond note<Enter>jjjjcthird note<Enter>C");
    let text = s.render();
    let overview_cursor = |s: &Session| match s.app().top() {
        Some(Overlay::Comments { cursor }) => Some(*cursor),
        _ => None,
    };
    assert_eq!(overview_cursor(&s), Some(0), "{text}");
    // The overview's rows are below its title (the notes also show under their lines).
    let (_, title) = find_on_screen(&text, 0, "Comments (3)");
    let (col, row) = find_on_screen(&text, title, "third note");
    s.act(super::action::Action::Click(col, row));
    assert_eq!(
        overview_cursor(&s),
        Some(2),
        "the clicked comment is selected"
    );
    // A click on the frame or outside the rows selects nothing.
    s.act(super::action::Action::Click(col, title));
    assert_eq!(overview_cursor(&s), Some(2));
    let (col, row) = find_on_screen(&s.render(), title, "second note");
    s.act(super::action::Action::Click(col, row));
    assert_eq!(overview_cursor(&s), Some(1));
    // Clicked again, the highlighted comment is opened as Enter opens it: the overview closes
    // and the cursor stands on the comment's line.
    s.act(super::action::Action::Click(col, row));
    assert_eq!(overview_cursor(&s), None, "the overview closed");
    assert_eq!(
        s.app().pos.cursor,
        second_at,
        "on the second comment's line"
    );
}
