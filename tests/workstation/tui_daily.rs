//! The daily driver in the workstation (issues 13 and 14): signing the selected commit or
//! the range, comments shown under their lines, a legend of the marks, a screen that works
//! without colours, a footer that keeps its way out, line ranges (`V`), the comments
//! overview (`C`) and the review as a prompt (`Y`, OSC 52).

use crate::sample;
use countersign::tui::app::{Overlay, SignScope};
use countersign::tui::keys::LEGEND;
use countersign::tui::store::Store;
use countersign::tui::theme::Theme;
use countersign::tui::{prompt, update, Session};
use countersign_core::review::drafts::Draft;
use countersign_core::signoff::Decision;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

fn session(size: (u16, u16)) -> Session {
    Session::from_data(sample::review_data(), Store::default(), Theme::dark(), size)
}

fn ids(s: &Session, decision: Decision) -> Vec<String> {
    update::sign_request(s.app(), decision)
        .commits
        .into_iter()
        .map(|c| c.commit.to_string())
        .collect()
}

#[test]
fn a_signs_the_selected_commit_only_and_the_range_skips_commits_needing_no_signoff() {
    let mut s = session((120, 34));
    let ai = s.app().data.commits[0].change.id.to_string();
    let human = s.app().data.commits[1].change.id.to_string();
    // `a` on the AI commit's file: that commit alone.
    s.press("a");
    assert!(matches!(
        s.app().top(),
        Some(Overlay::Sign {
            scope: SignScope::Commit(0),
            ..
        })
    ));
    assert_eq!(ids(&s, Decision::Approve), vec![ai.clone()]);
    let text = s.render();
    assert!(text.contains("Approve and sign · commit bbbbbbb"), "{text}");
    assert!(
        !text.contains("ccccccc AUTO"),
        "only the selected commit is listed: {text}"
    );
    s.press("<Esc>");
    // `A`: the range, but the human commit needs no sign-off and is left out, and named.
    s.press("A");
    assert_eq!(ids(&s, Decision::Approve), vec![ai.clone()]);
    let text = s.render();
    assert!(
        text.contains("not signed: ccccccc (needs no sign-off"),
        "{text}"
    );
    // `e`: asked for, every commit is signed.
    s.press("e");
    assert_eq!(ids(&s, Decision::Approve), [ai.clone(), human.clone()]);
    s.press("<Esc>");
    // `a` on the human commit's file signs it: the reviewer asked for that one.
    s.press("G");
    s.press("<Tab><Tab>G<Tab>");
    assert_eq!(s.app().selected.map(|k| k.commit), Some(1));
    s.press("r");
    assert_eq!(ids(&s, Decision::Reject), [human]);
}

#[test]
fn a_range_with_nothing_needing_signoff_signs_nothing_unless_asked() {
    let mut data = sample::review_data();
    data.commits.remove(0);
    let mut s = Session::from_data(data, Store::default(), Theme::dark(), (120, 34));
    s.press("A");
    assert!(ids(&s, Decision::Approve).is_empty());
    assert!(s.render().contains("no commit here needs a sign-off"));
    s.press("y");
    assert!(
        matches!(s.app().top(), Some(Overlay::Sign { .. })),
        "y signs nothing: the dialog stays"
    );
    s.press("e");
    assert_eq!(ids(&s, Decision::Approve).len(), 1);
}

#[test]
fn comment_text_shows_under_its_line() {
    let mut s = session((120, 30));
    s.press("jjjjcwhy a capacity of 8?<Enter>");
    let text = s.render();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("42✎│+    let mut out = Vec::with_capacity(8);"))
        .unwrap_or_else(|| panic!("the line is marked:\n{text}"));
    assert!(lines[at + 1].contains("✎ why a capacity of 8?"), "{text}");
    insta::assert_snapshot!("inline_comment", text);
}

#[test]
fn the_cursor_stays_on_screen_below_comments() {
    let mut s = session((120, 14));
    s.press("jcfirst<Enter>jjcsecond<Enter>");
    // Comments take screen rows the scroll position does not count: the cursor's line must
    // still be drawn after every move.
    for _ in 0..12 {
        s.press("j");
        let text = s.render();
        let app = s.app();
        if let Some(line) = app.doc().and_then(|d| d.line_at(app.pos.cursor, false)) {
            let shown = line.text.trim();
            assert!(
                text.contains(shown),
                "cursor line {shown:?} is off screen:\n{text}"
            );
        }
    }
}

#[test]
fn help_explains_every_mark() {
    let mut s = session((120, 90));
    s.press("?");
    let text = s.render();
    for (mark, meaning) in LEGEND {
        assert!(text.contains(mark.trim()), "{mark} missing:\n{text}");
        assert!(text.contains(meaning), "{meaning} missing:\n{text}");
    }
    // The keys are the one key table's lines, each with its text.
    for (layer, lines) in countersign::tui::keymap::help_sections() {
        assert!(text.contains(layer), "{layer} missing:\n{text}");
        for (keys, what) in lines {
            let row = format!(" {keys}  ");
            assert!(
                text.contains(&row) && text.contains(what),
                "{keys} {what} missing:\n{text}"
            );
        }
    }
    insta::assert_snapshot!("help_with_legend", text);
    // On a short terminal the legend is reached by scrolling.
    let mut s = session((100, 24));
    s.press("?");
    assert!(!s.render().contains("a cut line continues"));
    s.press("GGjjjjjjjjjjjjjjjjjjjjjjjj");
    assert!(
        s.render().contains("a cut line continues"),
        "{}",
        s.render()
    );
}

/// The frame as a terminal with no colours shows it: colours dropped, modifiers kept (what
/// crossterm writes under `NO_COLOR`).
fn without_colours(mut buf: Buffer) -> Buffer {
    for cell in buf.content.iter_mut() {
        cell.fg = Color::Reset;
        cell.bg = Color::Reset;
        cell.underline_color = Color::Reset;
    }
    buf
}

#[test]
fn without_colour_moving_the_cursor_and_the_focus_changes_the_screen() {
    let theme = Theme::dark().without_colour();
    let mut s = Session::from_data(sample::review_data(), Store::default(), theme, (120, 30));
    let before = without_colours(s.render_buffer());
    s.press("jjj");
    let moved = without_colours(s.render_buffer());
    assert_ne!(before, moved, "the cursor must show without colours");
    s.press("<Tab>");
    let focused = without_colours(s.render_buffer());
    assert_ne!(
        moved, focused,
        "the focused panel must show without colours"
    );
    s.press("<Tab>jj");
    let listed = without_colours(s.render_buffer());
    s.press("k");
    assert_ne!(listed, without_colours(s.render_buffer()));
}

#[test]
fn no_colour_theme_uses_no_colour_at_all() {
    let theme = Theme::dark().without_colour();
    let mut s = Session::from_data(sample::review_data(), Store::default(), theme, (120, 30));
    s.press("jjjjcx<Enter>V");
    let buf = s.render_buffer();
    // Syntax colours come from the highlighter, which a session without one never has; every
    // other cell is drawn without a colour.
    assert!(buf
        .content
        .iter()
        .all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
}

#[test]
fn the_footer_keeps_help_and_quit_at_80x24() {
    let mut s = session((80, 24));
    let text = s.render();
    let footer = text.lines().last().unwrap_or_default().to_string();
    assert!(footer.contains("? help"), "{footer}");
    assert!(footer.contains("q quit"), "{footer}");
    insta::assert_snapshot!("first_screen_80x24", text);
    // And at 40 columns, where little else fits.
    let mut s = session((60, 24));
    let text = s.render();
    let footer = text.lines().last().unwrap_or_default();
    assert!(
        footer.contains("? help") && footer.contains("q quit"),
        "{text}"
    );
}

#[test]
fn v_selects_a_line_range_and_c_comments_on_it() {
    let mut s = session((120, 30));
    s.press("jjjjVjj");
    assert!(s.render().contains("comment on the selected lines"));
    s.press("cwhat about errors?<Enter>");
    let c = &s.app().store.saved.comments[0];
    assert_eq!((c.line.as_deref(), c.end), (Some("+42"), Some(44)));
    assert_eq!(
        c.render(),
        "crates/core-types/src/codec.rs:+42..44: what about errors?"
    );
    assert!(s.app().anchor.is_none());
    let text = s.render();
    assert!(text.contains("✎ lines 42-44: what about errors?"), "{text}");
    // A range of removed lines only is on the old side.
    s.press("gjjjVc-old<Enter>");
    let c = &s.app().store.saved.comments[1];
    assert_eq!((c.line.as_deref(), c.end), (Some("-42"), None));
    // Esc cancels a selection.
    s.press("Vj<Esc>");
    assert!(s.app().anchor.is_none());
}

#[test]
fn the_comments_overview_lists_jumps_edits_and_deletes() {
    let mut s = session((120, 30));
    s.press("jcfirst<Enter>]jjjjjcsecond<Enter>");
    assert_eq!(s.app().comments().len(), 2);
    s.press("gC");
    let text = s.render();
    assert!(text.contains("Comments (2)"), "{text}");
    assert!(text.contains("first") && text.contains("second"), "{text}");
    // Enter on the second jumps to its file and line.
    s.press("j<Enter>");
    assert!(s.app().overlays.is_empty());
    let second = s.app().comments()[1].clone();
    let file = s.app().selected_file().map(|f| f.path().display());
    assert_eq!(file.as_deref(), Some(second.path.as_str()));
    let line = s
        .app()
        .doc()
        .and_then(|d| d.line_at(s.app().pos.cursor, false).cloned());
    assert_eq!(
        line.and_then(|l| l.new).map(|n| format!("+{n}")),
        second.line.clone()
    );
    // e edits in place, d deletes.
    s.press("Ce<BS><BS><BS><BS><BS><BS>2nd<Enter>");
    assert_eq!(s.app().comments()[0].text, "2nd");
    s.press("d");
    assert_eq!(s.app().comments().len(), 1);
    assert_eq!(s.app().comments()[0].text, "second");
}

fn decode_osc52(seq: &str) -> String {
    let b64 = seq
        .strip_prefix("\u{1b}]52;c;")
        .and_then(|r| r.strip_suffix('\u{7}'))
        .expect("an OSC 52 sequence");
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let mut out = Vec::new();
    for chunk in b64.as_bytes().chunks(4) {
        let n = chunk
            .iter()
            .take_while(|c| **c != b'=')
            .fold((0u32, 0usize), |(n, k), c| {
                ((n << 6) | u32::from(val(*c)), k + 1)
            });
        let (mut n, k) = n;
        n <<= 6 * (4 - k);
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..k.saturating_sub(1)]);
    }
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn y_copies_the_review_prompt_with_osc_52_and_says_so() {
    let mut s = session((140, 30));
    s.press("jjjjVjcwhat if v is empty?<Enter>Y");
    let text = s.render();
    assert!(
        text.contains("copied the review prompt (1 comment"),
        "{text}"
    );
    let seq = s
        .app()
        .outbox
        .last()
        .cloned()
        .expect("a sequence for the terminal");
    let copied = decode_osc52(&seq);
    assert_eq!(copied, prompt::render(s.app()));
    assert!(
        copied.contains("## `crates/core-types/src/codec.rs`"),
        "{copied}"
    );
    assert!(copied.contains("### draft — lines 42-43"), "{copied}");
    assert!(copied.contains("> what if v is empty?"), "{copied}");
    assert!(
        copied.starts_with("# Review feedback: Review comments (not signed yet)"),
        "{copied}"
    );
}

#[test]
fn a_signed_reject_with_comments_is_a_request_for_changes_in_the_prompt() {
    let mut store = Store::default();
    let data = sample::review_data();
    store.saved.comments.push(Draft {
        commit: data.commits[0].change.id.to_string(),
        path: "crates/core-types/src/codec.rs".into(),
        line: Some("+42".into()),
        end: Some(43),
        text: "bound it \u{1b}[2J".into(),
        ..Draft::default()
    });
    let mut s = Session::from_data(data, store, Theme::dark(), (120, 30));
    s.app_mut().decided.push(Decision::Reject);
    let p = prompt::render(s.app());
    assert!(p.starts_with("# Review feedback: Changes requested"), "{p}");
    assert!(
        p.contains(r"> bound it \u{1b}[2J"),
        "escape sequences are shown as text: {p}"
    );
    assert!(!p.contains('\u{1b}'));
    s.app_mut().decided.push(Decision::Approve);
    assert!(prompt::render(s.app()).starts_with("# Review feedback: Approved"));
}

#[test]
fn a_corrupt_draft_file_is_reported_on_screen_and_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = sample::review_data();
    let path = Store::open(Some(dir.path()), &data.repo_path)
        .path
        .expect("a state file path");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, b"not json").expect("write");
    let store = Store::open(Some(dir.path()), &data.repo_path);
    let mut s = Session::from_data(data, store, Theme::dark(), (200, 30));
    let text = s.render();
    assert!(text.contains("could not be read"), "{text}");
    assert!(text.contains(".unreadable-"), "{text}");
    // Saving afterwards writes a new file and leaves the kept one alone.
    s.press("v");
    let kept = std::fs::read_dir(path.parent().expect("parent"))
        .expect("list")
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().contains(".unreadable-"))
        .expect("kept aside");
    assert_eq!(std::fs::read(kept.path()).expect("read"), b"not json");
}

/// Two workstations open on the same change, sharing one data directory.
fn two_workstations(dir: &std::path::Path) -> (Session, Session) {
    let open = || {
        let data = sample::review_data();
        let store = Store::open(Some(dir), &data.repo_path);
        Session::from_data(data, store, Theme::dark(), (160, 40))
    };
    (open(), open())
}

fn saved_texts(dir: &std::path::Path) -> Vec<(String, bool)> {
    let data = sample::review_data();
    Store::open(Some(dir), &data.repo_path)
        .saved
        .comments
        .iter()
        .map(|c| (c.text.clone(), c.conflict))
        .collect()
}

#[test]
fn two_workstations_on_one_change_keep_each_others_drafts_and_marks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut a, mut b) = two_workstations(dir.path());
    a.press("jjjj");
    a.press("cfrom A<Enter>");
    b.press("v");
    b.press("jjjjj");
    b.press("cfrom B<Enter>");
    // B's save kept A's draft (it used to write its whole state over A's)…
    assert_eq!(
        saved_texts(dir.path()),
        [("from A".to_string(), false), ("from B".to_string(), false)]
    );
    // …and B now shows it, with its own.
    let shown: Vec<&str> = b.app().comments().iter().map(|c| c.text.as_str()).collect();
    assert_eq!(shown, ["from A", "from B"]);
    // A's next save keeps B's viewed mark and B's draft; deleting its own draft deletes it.
    a.press("c");
    for _ in 0.."from A".len() {
        a.press("<BS>");
    }
    a.press("<Enter>");
    assert_eq!(saved_texts(dir.path()), [("from B".to_string(), false)]);
    let data = sample::review_data();
    let viewed = Store::open(Some(dir.path()), &data.repo_path).saved.viewed;
    assert_eq!(
        viewed.len(),
        1,
        "B's viewed mark survives A's save: {viewed:?}"
    );
}

#[test]
fn one_draft_edited_differently_on_two_workstations_is_kept_twice_marked_as_a_conflict() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (mut first, _) = two_workstations(dir.path());
        first.press("jjjj");
        first.press("cwhy 8?<Enter>");
    }
    let (mut a, mut b) = two_workstations(dir.path());
    a.press("jjjj");
    a.press("c<BS>9?<Enter>");
    b.press("jjjj");
    b.press("c<BS>16?<Enter>");
    assert_eq!(
        saved_texts(dir.path()),
        [
            ("why 89?".to_string(), true),
            ("why 816?".to_string(), true)
        ]
    );
    let screen = b.render();
    assert!(
        screen.contains("[conflict: edited on two workstations] why 89?")
            && screen.contains("[conflict: edited on two workstations] why 816?"),
        "{screen}"
    );
    // Deleting one version in the overview resolves the conflict.
    b.press("C");
    b.press("d");
    assert_eq!(saved_texts(dir.path()), [("why 816?".to_string(), false)]);
}
