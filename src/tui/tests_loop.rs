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
        tier: Some(crate::policy::Tier::Supervised),
        escalated: true,
        rows: (0..60)
            .map(|i| ImpactRow {
                depth: usize::from(i > 0),
                label: format!("crate-{i:02}"),
                detail: String::new(),
                tier: Some(crate::policy::Tier::Supervised),
                open: None,
            })
            .collect(),
        targets: vec!["crate-59 (bin)".into()],
        reasons: vec!["crate-00 is used by billing-api (prohibited), capped at supervised".into()],
    }
}

#[test]
fn the_impact_panel_shows_why_first_and_its_cursor_scrolls_it() {
    let mut s = session();
    s.deliver(JobResult::Impact(Ok(big_impact())));
    let text = s.render();
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
