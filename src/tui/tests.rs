//! Behaviour of the workstation driven through keys on a fixed in-memory change.

use super::app::{Overlay, Panel, SignStage};
use super::data::FileKey;
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

fn selected_path(s: &Session) -> String {
    s.app()
        .selected_file()
        .map(|f| f.path().display())
        .unwrap_or_default()
}

#[test]
fn first_screen_shows_the_file_list_and_the_first_diff() {
    let mut s = session();
    let text = s.render();
    assert!(text.contains("Speed up codec"), "{text}");
    assert!(text.contains("codec.rs"), "{text}");
    assert!(text.contains("@@ -40,5 +40,5 @@"), "{text}");
    assert!(text.contains("Vec::with_capacity(8)"), "{text}");
    assert!(text.contains("0/6 viewed"), "{text}");
    assert!(text.contains("impact analysis not"), "{text}");
}

#[test]
fn file_keys_walk_the_files_and_hunk_keys_the_hunks() {
    let mut s = session();
    assert_eq!(
        s.app().pos.cursor,
        0,
        "the cursor starts on the first hunk header"
    );
    s.press("}");
    assert_eq!(s.app().pos.cursor, 7);
    s.press("}");
    assert_eq!(s.app().pos.cursor, 7, "the last hunk stays put");
    s.press("{");
    assert_eq!(s.app().pos.cursor, 0);
    s.press("]");
    assert_eq!(selected_path(&s), "crates/core-types/src/lib.rs");
    s.press("[");
    assert_eq!(selected_path(&s), "crates/core-types/src/codec.rs");
}

#[test]
fn next_file_from_a_viewed_file_skips_to_the_next_unviewed_one() {
    let mut s = session();
    s.press("]v[v");
    // codec.rs and lib.rs are viewed; from codec.rs, ] skips lib.rs.
    assert_eq!(s.app().viewed_count(), 2);
    s.press("]");
    assert_eq!(selected_path(&s), "docs/encoding.md");
    assert!(s.render().contains("2/6 viewed"));
    // v toggles.
    s.press("[[v");
    assert_eq!(s.app().viewed_count(), 1);
}

#[test]
fn viewed_marks_reset_when_the_file_content_changes() {
    let mut s = session();
    s.press("v");
    let saved = s.app().store.clone();
    let mut data = sample::review_data();
    data.commits[0].change.files[0].new_id = Some("f".repeat(40));
    let again = Session::from_data(data, saved, Theme::dark(), (120, 30));
    assert_eq!(again.app().viewed_count(), 0);
}

#[test]
fn split_toggle_keeps_the_cursor_on_the_same_line() {
    let mut s = session();
    s.press("jjjj");
    let unified_line = s.app().doc().unwrap().line_at(4, false).cloned();
    s.press("s");
    assert!(s.app().split);
    let row = s.app().pos.cursor;
    assert_eq!(
        s.app().doc().unwrap().line_at(row, true).cloned(),
        unified_line
    );
    assert!(s.render().contains("side-by-side"));
}

#[test]
fn binary_submodule_and_rename_only_files_say_what_they_are() {
    let mut s = session();
    s.press("]]");
    assert!(s
        .render()
        .contains("renamed: docs/codec.md → docs/encoding.md"));
    s.press("]");
    assert!(s.render().contains("binary file changed"));
    s.press("]");
    assert!(s.render().contains("submodule: bbbbbbb → ccccccc"));
}

#[test]
fn comments_are_drafted_on_the_cursor_line_and_go_into_the_sign_request() {
    let mut s = session();
    s.press("jjjj");
    s.press("cwhy 8?<Enter>");
    let comments = s.app().comments();
    assert_eq!(comments.len(), 1);
    assert_eq!(
        comments[0].render(),
        "crates/core-types/src/codec.rs:+42: why 8?"
    );
    let req = super::update::sign_request(s.app(), crate::signoff::Decision::Approve);
    assert_eq!(req.comment, "crates/core-types/src/codec.rs:+42: why 8?");
    // Editing the same line again starts from the draft; emptying it deletes it.
    s.press("c");
    assert!(
        matches!(s.app().top(), Some(Overlay::Comment { input, .. }) if input.text() == "why 8?")
    );
    for _ in 0..6 {
        s.press("<BS>");
    }
    s.press("<Enter>");
    assert!(s.app().comments().is_empty());
}

#[test]
fn search_finds_matches_and_n_cycles_through_them() {
    let mut s = session();
    s.press("/value<Enter>");
    let m = s.app().search.matches.clone();
    assert!(m.len() >= 2, "{m:?}");
    assert_eq!(s.app().pos.cursor, m[0]);
    s.press("n");
    assert_eq!(s.app().pos.cursor, m[1]);
    s.press("N");
    assert_eq!(s.app().pos.cursor, m[0]);
    s.press("/nothing-like-this<Enter>");
    assert!(s.render().contains("no match"));
}

#[test]
fn approving_with_unviewed_files_asks_once_more_naming_them() {
    let mut s = session();
    s.press("Ae");
    assert!(matches!(
        s.app().top(),
        Some(Overlay::Sign {
            stage: SignStage::Review,
            ..
        })
    ));
    assert!(s.render().contains("files viewed: 0 of 6"));
    s.press("y");
    assert!(matches!(
        s.app().top(),
        Some(Overlay::Sign {
            stage: SignStage::ConfirmUnviewed,
            ..
        })
    ));
    assert!(s.render().contains("not marked viewed"));
    s.press("<Esc>");
    assert!(s.app().overlays.is_empty());
}

#[test]
fn a_forbidden_ai_commit_gets_no_approval() {
    let mut s = Session::from_data(
        sample::forbidden_data(),
        Store::default(),
        Theme::dark(),
        (120, 40),
    );
    s.press("a");
    let text = s.render();
    assert!(text.contains("must be made by a human"), "{text}");
    s.press("y");
    assert!(
        matches!(
            s.app().top(),
            Some(Overlay::Sign {
                stage: SignStage::Review,
                ..
            })
        ),
        "y does nothing: there is no approval to give"
    );
}

#[test]
fn dialogs_take_keys_before_the_panels() {
    let mut s = session();
    s.press("?");
    assert!(matches!(s.app().top(), Some(Overlay::Help)));
    s.press("q");
    assert!(s.app().overlays.is_empty());
    assert!(!s.app().quit, "q closed the help, it did not quit");
    s.press("/q<Esc>");
    assert!(!s.app().quit, "q typed into the search prompt");
    s.press("q");
    assert!(s.app().quit);
}

#[test]
fn ctrl_c_quits_from_inside_a_dialog() {
    // (In the comment box Ctrl-C closes the box and keeps the draft: tests_loop.)
    let mut s = session();
    s.press("/<C-c>");
    assert!(s.app().quit);
}

#[test]
fn tab_cycles_panels_and_i_focuses_impact() {
    let mut s = session();
    assert_eq!(s.app().focus, Panel::Diff);
    s.press("<Tab>");
    assert_eq!(s.app().focus, Panel::Impact);
    s.press("<Tab>");
    assert_eq!(s.app().focus, Panel::Files);
    s.press("j");
    assert_eq!(s.app().selected, Some(FileKey { commit: 0, file: 1 }));
    s.press("i");
    assert_eq!(s.app().focus, Panel::Impact);
}

#[test]
fn a_tiny_terminal_says_it_needs_more_room() {
    let mut s = session();
    s.resize(20, 5);
    let text = s.render();
    assert!(
        text.replace('\n', " ").contains("needs more room"),
        "{text}"
    );
    assert!(!text.contains("codec"), "{text}");
}

#[test]
fn scrolling_a_huge_file_keeps_the_cursor_on_screen() {
    let mut s = Session::from_data(
        sample::big_change(1, 10_000),
        Store::default(),
        Theme::dark(),
        (120, 30),
    );
    s.press("G");
    let len = s.app().doc_len();
    assert_eq!(s.app().pos.cursor, len - 1);
    assert!(s.app().pos.scroll + s.app().diff_height() >= len);
    s.press("<PgUp><PgUp>g");
    assert_eq!(s.app().pos, Default::default());
}

#[test]
fn changed_line_pairs_carry_word_emphasis() {
    let s = session();
    let doc = s.app().doc().unwrap();
    let removed = &doc.lines[2];
    let added = &doc.lines[3];
    assert_eq!(removed.text, "    let mut out = Vec::new();");
    assert!(!removed.emphasis.is_empty() && !added.emphasis.is_empty());
    let changed: String = added
        .emphasis
        .iter()
        .map(|r| &added.text[r.clone()])
        .collect();
    assert!(changed.contains("with_capacity"), "{changed}");
}

#[test]
fn settling_colours_the_visible_code() {
    let mut s = session();
    let before = s.render_buffer();
    s.settle();
    assert!(s.app().highlighter.is_some());
    let after = s.render_buffer();
    let text = super::buffer_text(&after);
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("pub fn encode"))
        .unwrap();
    let col = line
        .find("pub fn encode")
        .map(|b| line[..b].chars().count())
        .unwrap();
    let (x, y) = (col as u16, y as u16);
    assert_ne!(
        before[(x, y)].fg,
        after[(x, y)].fg,
        "`pub` is coloured by the syntax theme"
    );
}

#[test]
fn the_impact_panel_fills_in_and_enter_opens_a_module_read_only() {
    use super::impact::ImpactSlot;
    let dir = tempfile::tempdir().unwrap();
    let demo = crate::demo::build(dir.path()).unwrap();
    let mut s = Session::open(&demo.repo, &super::ReviewOptions::default(), (130, 40)).unwrap();
    assert_eq!(s.app().impact, ImpactSlot::Computing);
    assert!(s.render().contains("computing the blast radius"));
    s.settle();
    let ImpactSlot::Ready(view) = s.app().impact.clone() else {
        panic!("settled: {:?}", s.app().impact);
    };
    assert!(view.escalated || view.tier.is_some());
    let billing = view
        .rows
        .iter()
        .find(|r| r.label == "billing-api")
        .expect("billing-api is reached");
    assert_eq!(billing.tier, Some(crate::model::Tier::Prohibited));
    let module = view
        .rows
        .iter()
        .position(|r| r.label == "auth::tokens")
        .expect("the changed module is listed");
    // A file is on screen with the analysis: that is the evidence a sign-off records.
    assert!(s.app().impact_seen);
    // The panel shows the selected commit's impact; `o` the range's, read above.
    s.press("o");
    s.press("i");
    for _ in 0..module {
        s.press("j");
    }
    s.press("<Enter>");
    let Some(Overlay::Viewer { title, lines, .. }) = s.app().top().cloned() else {
        panic!("a viewer opened: {:?}", s.app().top());
    };
    assert!(title.starts_with("crates/auth/src/tokens.rs @ "), "{title}");
    assert!(title.ends_with("(read-only)"), "{title}");
    let lines = lines.expect("loaded").expect("read");
    assert!(!lines.is_empty());
    s.press("<Esc>");
    assert!(s.app().overlays.is_empty());
}

#[test]
fn a_one_megabyte_line_is_drawn_cut_with_a_mark_and_search_reaches_its_end() {
    let mut data = sample::review_data();
    let mut long = "x".repeat(1 << 20);
    long.push_str("END");
    data.commits[0].change.files[0].hunks[0].lines[3].content = long.into_bytes();
    let mut s = Session::from_data(data, Store::default(), Theme::dark(), (120, 30));
    let text = s.render();
    let row = text
        .lines()
        .find(|l| l.contains("xxxx"))
        .unwrap_or_default();
    assert!(row.contains('→'), "{text}");
    s.press("/END<Enter>");
    assert!(s.render().contains("xEND"));
    // `l` stops where the end of the widest line on screen is still shown.
    let at = s.app().hscroll;
    s.press("llll");
    assert!(s.render().contains("END"));
    assert!(s.app().hscroll >= at);
}

#[test]
fn tabs_expand_to_the_configured_width() {
    let mut data = sample::review_data();
    data.commits[0].change.files[0].hunks[0].lines[1].content = b"\tfn tabbed() {}".to_vec();
    let mut s = Session::from_data(data, Store::default(), Theme::dark(), (120, 30));
    assert_eq!(s.app().tab_width, 4);
    assert!(
        s.render().contains("│     fn tabbed"),
        "a tab is 4 columns by default"
    );
    s.app_mut().tab_width = 8;
    assert!(
        s.render().contains("│         fn tabbed"),
        "8 with tab_width = 8"
    );
}

#[test]
fn the_file_viewer_and_commit_subjects_show_invisible_characters_as_markers() {
    let mut data = sample::review_data();
    data.commits[0].change.summary = "Speed\u{202e} up codec".into();
    let mut s = Session::from_data(data, Store::default(), Theme::dark(), (120, 30));
    assert!(s.render().contains("Speed<U+202E> up"));
    s.app_mut().overlays.push(Overlay::Viewer {
        title: "src/lib.rs @ abc (read-only)".into(),
        lines: Some(Ok(vec!["let a\u{200b} = 1;\u{1b}[2J".into()])),
        scroll: 0,
    });
    let text = s.render();
    assert!(text.contains("let a<U+200B> = 1;<U+001B>[2J"), "{text}");
}

#[test]
fn mixed_script_identifiers_are_drawn_like_markers() {
    let mut data = sample::review_data();
    data.commits[0].change.files[0].hunks[0].lines[3].content =
        "    let p\u{430}ypal = 1;".as_bytes().to_vec();
    let mut s = Session::from_data(data, Store::default(), Theme::dark(), (120, 30));
    let buf = s.render_buffer();
    let text = super::buffer_text(&buf);
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("ypal"))
        .expect("the line is on screen");
    let x = line[..line.find("ypal").unwrap_or(0)].chars().count();
    let cell = &buf[(x as u16, y as u16)];
    assert!(
        cell.modifier.contains(ratatui::style::Modifier::REVERSED),
        "{cell:?}"
    );
    let plain = line
        .find("let")
        .map(|b| line[..b].chars().count())
        .unwrap_or(0);
    assert!(!buf[(plain as u16, y as u16)]
        .modifier
        .contains(ratatui::style::Modifier::REVERSED));
}
