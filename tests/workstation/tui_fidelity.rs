//! The workstation shows everything that is signed (issue 10): attributes from the change
//! never hide code, invisible characters are markers, long lines can be read whole, CRLF and
//! missing final newlines are marked, names that differ never look the same, the sign dialog
//! keeps what will be signed on screen. Frames come from a ratatui `TestBackend` (insta
//! snapshots) or from the real binary's `review --snapshot`.

use crate::support;

use crate::sample;
use countersign::tui::app::{Overlay, SignStage};
use countersign::tui::store::Store;
use countersign::tui::theme::Theme;
use countersign::tui::Session;
use countersign_core::git::{DiffLine, GitPath, Hunk, LineKind};
use countersign_core::review::drafts::Draft;
use support::TestRepo;

fn line(kind: LineKind, old: Option<u32>, new: Option<u32>, text: &str) -> DiffLine {
    DiffLine {
        kind,
        old_lineno: old,
        new_lineno: new,
        content: text.as_bytes().to_vec(),
        no_newline_at_eof: false,
    }
}

/// The sample change whose first file holds every hostile line: a bidi override (Trojan
/// Source), a zero-width space, a CRLF-only change, code after 300 spaces, and a last line
/// without a final newline.
fn hostile() -> countersign::tui::data::ReviewData {
    use LineKind::{Added as A, Context as C, Removed as R};
    let mut data = sample::review_data();
    let long = format!("    let x = 1;{}let backdoor = true;", " ".repeat(300));
    let mut last = line(A, None, Some(7), "}");
    last.no_newline_at_eof = true;
    let mut old_last = line(R, Some(5), None, "}");
    old_last.no_newline_at_eof = false;
    data.commits[0].change.files[0].hunks = vec![Hunk {
        old_start: 1,
        old_lines: 5,
        new_start: 1,
        new_lines: 7,
        header: "@@ -1,5 +1,7 @@ fn check".into(),
        lines: vec![
            line(C, Some(1), Some(1), "fn check(level: &str) -> bool {"),
            line(R, Some(2), None, "    let ok = true;\r"),
            line(A, None, Some(2), "    let ok = true;"),
            line(
                A,
                None,
                Some(3),
                "    if level != \"user\u{202E} \u{2066}// admins only\u{2069} \u{2066}\" {",
            ),
            line(A, None, Some(4), "        grant();\u{200B}"),
            line(A, None, Some(5), &long),
            line(C, Some(3), Some(6), "    ok"),
            old_last,
            last,
        ],
    }];
    data
}

fn hostile_session(size: (u16, u16)) -> Session {
    Session::from_data(hostile(), Store::default(), Theme::dark(), size)
}

/// Trojan Source: U+202E and friends are drawn as `<U+202E>` markers, not dropped; the CRLF
/// line ends in `␍`; the long line ends in a cut mark; the last line says it has no newline.
#[test]
fn markers_for_bidi_crlf_long_lines_and_no_newline() {
    let mut s = hostile_session((120, 30));
    let text = s.render();
    assert!(
        text.contains("<U+202E>") && text.contains("<U+2066>"),
        "{text}"
    );
    assert!(text.contains("grant();<U+200B>"), "{text}");
    assert!(text.contains("let ok = true;␍"), "{text}");
    assert!(text.contains("no newline at end of file"), "{text}");
    insta::assert_snapshot!("markers_unified", text);
}

#[test]
fn markers_side_by_side() {
    let mut s = hostile_session((200, 30));
    s.press("s");
    let text = s.render();
    assert!(text.contains("<U+202E>"), "{text}");
    assert!(text.contains("␍"), "{text}");
    insta::assert_snapshot!("markers_side_by_side", text);
}

/// Code after 300 spaces: the cut line ends in `→`; `l` scrolls right until it shows, with
/// `←` marking the text scrolled off; `h` comes back.
#[test]
fn long_lines_end_in_a_cut_mark_and_scroll_with_h_and_l() {
    let mut s = hostile_session((120, 30));
    let first = s.render();
    let long_row = first.lines().find(|l| l.contains("let x = 1;")).unwrap();
    assert!(long_row.contains("→││"), "{long_row}");
    assert!(!first.contains("backdoor"), "{first}");
    for _ in 0..20 {
        s.press("l");
    }
    let scrolled = s.render();
    assert!(scrolled.contains("let backdoor = true;"), "{scrolled}");
    assert!(scrolled.contains('←'), "{scrolled}");
    insta::assert_snapshot!("long_line_scrolled", scrolled);
    for _ in 0..20 {
        s.press("h");
    }
    assert_eq!(s.app().hscroll, 0);
}

/// The attack of issue 10 item 2: search "finds" `backdoor` past the panel edge; now the
/// view scrolls sideways to show it.
#[test]
fn search_scrolls_sideways_to_show_a_match_past_the_edge() {
    let mut s = hostile_session((120, 30));
    s.press("/backdoor<Enter>");
    let text = s.render();
    let row = text
        .lines()
        .find(|l| l.contains("backdoor"))
        .unwrap_or_default();
    assert!(row.contains("let backdoor"), "{text}");
    assert!(s.app().hscroll > 0);
}

/// `w` wraps long lines: every character of the line is on screen, on continuation rows.
#[test]
fn w_wraps_long_lines() {
    let mut s = hostile_session((120, 40));
    s.press("w");
    let text = s.render();
    assert!(text.contains("let backdoor = true;"), "{text}");
    assert!(text.contains('↪'), "{text}");
    assert!(!text.contains('→'), "{text}");
    s.press("w");
    assert!(!s.app().wrap);
}

/// The file and its commit are flagged in the list, and the sign dialog names the
/// characters.
#[test]
fn invisible_characters_flag_the_file_and_commit_and_the_sign_dialog_names_them() {
    let mut s = hostile_session((120, 40));
    let text = s.render();
    assert!(text.contains("codec.rs ⚠ M"), "{text}");
    assert!(
        text.contains("lib.rs M"),
        "an unflagged file has no mark: {text}"
    );
    let commit_row = text.lines().find(|l| l.contains("bbbbbbb kiro")).unwrap();
    assert!(commit_row.contains("⚠ bbbbbbb"), "{text}");
    s.press("a");
    let dialog = s.render();
    assert!(dialog.contains("U+202E right-to-left override"), "{dialog}");
    assert!(dialog.contains("U+200B zero width space"), "{dialog}");
}

/// A 3,000-character comment: the commits, tier and approvals stay at the top; `j`/`k`
/// scroll the long part.
#[test]
fn the_sign_dialog_keeps_what_is_signed_on_top_and_scrolls_long_parts() {
    let mut store = Store::default();
    let data = sample::review_data();
    store.saved.comments.push(Draft {
        commit: data.commits[0].change.id.to_string(),
        path: "crates/core-types/src/codec.rs".into(),
        line: Some("+42".into()),
        end: None,
        text: "why? ".repeat(600),
        ..Draft::default()
    });
    let mut s = Session::from_data(data, store, Theme::dark(), (120, 30));
    s.press("a");
    let top = s.render();
    assert!(top.contains("tier signed: supervised"), "{top}");
    assert!(top.contains("needs 1 approval"), "{top}");
    assert!(top.contains("y sign (approve)"), "{top}");
    assert!(!top.contains("Nothing"), "{top}");
    insta::assert_snapshot!("sign_dialog_long_comment", top);
    let Some(Overlay::Sign { scroll, .. }) = s.app().top() else {
        panic!("dialog open")
    };
    assert_eq!(*scroll, 0);
    s.press("jjjj");
    let moved = s.render();
    assert!(matches!(
        s.app().top(),
        Some(Overlay::Sign {
            scroll: 4,
            stage: SignStage::Review,
            ..
        })
    ));
    assert!(moved.contains("tier signed: supervised"), "{moved}");
    assert!(moved.contains("needs 1 approval"), "{moved}");
    assert_ne!(top, moved);
    s.press("k");
    assert!(matches!(
        s.app().top(),
        Some(Overlay::Sign { scroll: 3, .. })
    ));
}

/// `a\nb` and `a\tb` are shown escaped, distinct from each other and from `ab`.
#[test]
fn file_names_with_newlines_and_tabs_are_shown_escaped() {
    let mut data = sample::review_data();
    data.commits[0].change.files[0].new_path = Some(GitPath::from("src/a\nb.rs"));
    data.commits[0].change.files[1].new_path = Some(GitPath::from("src/a\tb.rs"));
    let mut s = Session::from_data(data, Store::default(), Theme::dark(), (140, 30));
    let text = s.render();
    assert!(text.contains("src/a\\nb.rs"), "{text}");
    assert!(text.contains("src/a\\tb.rs"), "{text}");
}

/// The attack of issue 10 item 1, end to end: an AI commit adds `tokens.rs -diff`; the next
/// commit's code shows in `review --snapshot`, not "binary file changed".
#[test]
fn a_diff_attribute_commit_still_shows_the_code() {
    for attr in ["-diff", "binary", "diff=hidden", "filter=lfs -text"] {
        let t = TestRepo::new();
        t.write(
            "tokens.rs",
            "pub fn check(t: &str) -> bool {\n    verify(t)\n}\n",
        );
        t.commit("tokens");
        t.write(".gitattributes", format!("tokens.rs {attr}\n"));
        t.commit_ai("kiro", "attributes");
        t.write(
            "tokens.rs",
            "pub fn check(t: &str) -> bool {\n    t == \"backdoor\" || verify(t)\n}\n",
        );
        t.commit_ai("kiro", "tokens");
        let out = support::countersign(t.path())
            .args(["review", "HEAD", "--snapshot", "140x30"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{attr}: {out:?}");
        assert!(text.contains("t == \"backdoor\""), "{attr}: {text}");
        assert!(!text.contains("binary file"), "{attr}: {text}");
    }
}

/// A real binary is named in the sign dialog with its size and blob id; an LFS pointer says
/// what it is.
#[test]
fn binaries_are_named_with_size_and_blob_and_lfs_pointers_say_what_they_are() {
    let t = TestRepo::new();
    t.write("README.md", "x\n");
    t.commit("base");
    t.write(
        "logo.png",
        [0x89u8, b'P', b'N', b'G', 0, 0, 0, 1, 2, 3].as_slice(),
    );
    t.write(
        "big.psd",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 123456\n",
    );
    t.commit_ai("kiro", "assets");
    let out = support::countersign(t.path())
        .args(["review", "HEAD", "--snapshot", "160x40"])
        .output()
        .unwrap();
    let first = String::from_utf8_lossy(&out.stdout);
    assert!(first.contains("Git LFS pointer"), "{first}");
    assert!(first.contains("123456 bytes"), "{first}");
    let mut s = Session::open(
        t.path(),
        &countersign::tui::ReviewOptions {
            revspec: Some("HEAD".into()),
            ..Default::default()
        },
        (160, 40),
    )
    .unwrap();
    s.press("a");
    let dialog = s.render();
    let blob = t.git(&["rev-parse", "--short=7", "HEAD:logo.png"]);
    assert!(
        dialog.contains(&format!("logo.png (10 bytes, blob {})", blob.trim())),
        "{dialog}"
    );
}

/// Trojan Source end to end: a real commit adding bidi controls and a Cyrillic `а` inside an
/// identifier; `review --snapshot` shows the markers and flags the file and commit, and the
/// sign dialog names both findings. An earlier line with a no-break space that the commit
/// does not touch is not what the flag reports.
#[test]
fn a_trojan_source_commit_is_flagged_end_to_end() {
    let t = TestRepo::new();
    t.write("src/lib.rs", "// caf\u{e9}\u{a0}ok\nfn check() {}\n");
    t.commit("base");
    t.write(
        "src/lib.rs",
        "// caf\u{e9}\u{a0}ok\nfn check() {}\n/*\u{202e} } \u{2066}if is_admin\u{2069} \u{2066} begin admins only */\nfn p\u{430}ypal() {}\n",
    );
    t.commit_ai("kiro", "tokens");
    let out = support::countersign(t.path())
        .args(["review", "HEAD", "--snapshot", "160x30"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("/*<U+202E> } <U+2066>if is_admin<U+2069>"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.contains("· src/lib.rs"))
        .unwrap_or_default();
    assert!(row.contains("⚠ M"), "{text}");
    let mut s = Session::open(
        t.path(),
        &countersign::tui::ReviewOptions {
            revspec: Some("HEAD".into()),
            ..Default::default()
        },
        (160, 40),
    )
    .unwrap();
    s.press("a");
    let dialog = s.render();
    assert!(dialog.contains("U+202E right-to-left override"), "{dialog}");
    assert!(
        dialog.contains("mixed-script identifier: p\u{430}ypal"),
        "{dialog}"
    );
    assert!(!dialog.contains("no-break space"), "{dialog}");
}

/// An object rewritten under its id (a loose object file replaced by anything running in the
/// reviewer's shell) must not be read as the change: git does not re-hash what it reads, nor
/// does libgit2 while the inclusion scan reads sources with its process-wide check off. Once
/// the workstation's workers start, every read is checked, so a scan judging on one thread
/// cannot leave unchecked the diff another thread loads, which the reviewer then signs.
#[test]
fn once_the_workers_start_no_read_skips_the_hash_check() {
    let t = TestRepo::new();
    t.write("src/lib.rs", "pub fn shown() {}\n");
    t.commit("base");
    let shown = t.git(&["rev-parse", "HEAD:src/lib.rs"]);
    t.write("other.rs", "pub fn hidden() {}\n");
    let hidden = t.git(&["hash-object", "-w", "other.rs"]);
    let loose = |id: &str| t.path().join(".git/objects").join(&id[..2]).join(&id[2..]);
    std::fs::remove_file(loose(shown.trim())).unwrap();
    std::fs::copy(loose(hidden.trim()), loose(shown.trim())).unwrap();

    let (events, _receiver) = std::sync::mpsc::channel();
    let _jobs = countersign::tui::jobs::Jobs::background(t.path(), None, events);
    let _unchecked = countersign_core::git::ReadsWithout::hash_check();
    let repo = git2::Repository::open(t.path()).unwrap();
    let read = repo.find_blob(git2::Oid::from_str(shown.trim()).unwrap());
    assert!(
        read.is_err(),
        "read unchecked: {:?}",
        read.map(|b| String::from_utf8_lossy(b.content()).into_owned())
    );
}
