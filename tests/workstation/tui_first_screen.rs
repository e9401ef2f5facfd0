//! The first screen of a large change never waits for rename similarity (issue 12): it is
//! drawn from the change's paths, says "finding renames…" where the renames will appear, and
//! the full file lists merge in afterwards with the selection, loaded diffs and the sign
//! dialog kept on the right files. Real repositories, the real binary's `--snapshot`, and a
//! headless session driven by keys.

use crate::support;

use countersign::tui::action::{Action, JobResult};
use countersign::tui::app::Overlay;
use countersign::tui::data::{FileKey, FULL_FIRST_FILES};
use countersign::tui::{ReviewOptions, Session};
use support::TestRepo;

/// The content of the renamed file: 40 numbered lines.
fn numbered(changed: usize) -> String {
    (1..=40)
        .map(|i| {
            if i == changed {
                format!("pub const C{i}: u32 = {};\n", i * 1000)
            } else {
                format!("pub const C{i}: u32 = {i};\n")
            }
        })
        .collect()
}

/// A commit of more than [`FULL_FIRST_FILES`] files: a binary logo (the first path), many
/// notes, `src/a.rs` renamed to `src/b.rs` with one line changed, and `src/z.rs` edited.
fn large_change() -> TestRepo {
    let t = TestRepo::new();
    t.write("src/a.rs", numbered(0));
    t.write("src/z.rs", "pub fn z() {}\n");
    t.commit("base");
    t.write(
        "assets/logo.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10",
    );
    for i in 0..FULL_FIRST_FILES {
        t.write(format!("notes/n{i:03}.md"), format!("note {i}\n"));
    }
    t.remove("src/a.rs");
    t.write("src/b.rs", numbered(7));
    t.write("src/z.rs", "pub fn z() -> u8 { 1 }\n");
    t.commit_ai("kiro", "bulk: notes, a logo, rename a to b");
    t
}

/// The file list's row naming `path`, or "" when no row does.
fn row<'a>(screen: &'a str, path: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(&format!("· {path} ")))
        .unwrap_or_default()
}

fn head() -> ReviewOptions {
    ReviewOptions {
        revspec: Some("HEAD".into()),
        ..Default::default()
    }
}

fn path_of(s: &Session, key: FileKey) -> String {
    s.app()
        .data
        .file(key)
        .map(|f| f.path().display())
        .unwrap_or_default()
}

fn key_of(s: &Session, path: &str, letter: char) -> FileKey {
    *s.app()
        .files
        .iter()
        .find(|k| {
            s.app()
                .data
                .file(**k)
                .is_some_and(|f| f.path().display() == path && f.status.letter() == letter)
        })
        .unwrap_or_else(|| panic!("no {letter} {path} in the list"))
}

#[test]
fn the_first_screen_shows_paths_then_the_settled_screen_shows_the_rename() {
    let t = large_change();
    let first = support::countersign(t.path())
        .args(["review", "HEAD", "--snapshot", "160x80"])
        .output()
        .unwrap();
    assert!(first.status.success(), "{first:?}");
    let first = String::from_utf8_lossy(&first.stdout);
    assert!(first.contains("Change · finding renames…"), "{first}");
    assert!(row(&first, "src/b.rs").contains(" A│"), "{first}");
    // The first file is the logo: its content says binary although only paths were loaded.
    assert!(first.contains("binary file added"), "{first}");

    let settled = support::countersign(t.path())
        .args([
            "review",
            "HEAD",
            "--snapshot",
            "160x80",
            "--snapshot-settled",
        ])
        .output()
        .unwrap();
    let settled = String::from_utf8_lossy(&settled.stdout);
    assert!(!settled.contains("finding renames"), "{settled}");
    assert!(
        row(&settled, "src/a.rs → src/b.rs").contains(" R│"),
        "{settled}"
    );
    assert_eq!(row(&settled, "src/b.rs"), "", "{settled}");
    let files = FULL_FIRST_FILES + 3;
    assert!(
        settled.contains(&format!("0/{files} viewed")),
        "{files} files once the rename is one entry:\n{settled}"
    );
}

#[test]
fn a_selected_addition_follows_into_its_rename_and_stale_diffs_are_dropped() {
    let t = large_change();
    let mut s = Session::open_first_screen(t.path(), &head(), (160, 40)).unwrap();
    assert!(s.app().data.paths_only);
    // Walk to the addition that is half of the rename.
    for _ in 0..s.app().files.len() {
        if s.app()
            .selected
            .is_some_and(|k| path_of(&s, k) == "src/b.rs")
        {
            break;
        }
        s.press("]");
    }
    let added = key_of(&s, "src/b.rs", 'A');
    assert_eq!(s.app().selected, Some(added));
    let whole = s.render();
    assert!(
        whole.contains("C20"),
        "the addition shows every line:\n{whole}"
    );
    let stale = match s.app().diffs.get(&added) {
        Some(countersign::tui::app::DiffSlot::Ready(doc)) => doc.clone(),
        other => panic!("the addition's diff is not loaded: {other:?}"),
    };

    // Signing waits for the full lists: the dialog would name what they decide.
    s.press("a");
    assert!(
        !s.app()
            .overlays
            .iter()
            .any(|o| matches!(o, Overlay::Sign { .. })),
        "a sign dialog opened before the file lists were complete"
    );
    assert!(
        s.render().contains("still reading the change in full"),
        "{}",
        s.render()
    );

    s.settle();
    assert!(!s.app().data.paths_only);
    let sel = s.app().selected.expect("a selection");
    let file = s.app().data.file(sel).expect("the selected file");
    assert_eq!(file.status.letter(), 'R', "{file:?}");
    assert_eq!(path_of(&s, sel), "src/b.rs");
    let renamed = s.render();
    assert!(renamed.contains("C7: u32 = 7000"), "{renamed}");
    assert!(
        !renamed.contains("C20"),
        "the rename shows its one changed line, not the whole file:\n{renamed}"
    );

    // The addition's key now names another file: its late diff must not land there.
    let now_there = path_of(&s, added);
    assert_ne!(now_there, "src/b.rs");
    s.deliver(JobResult::Diff {
        key: added,
        result: Ok(stale.clone()),
    });
    if let Some(countersign::tui::app::DiffSlot::Ready(doc)) = s.app().diffs.get(&added) {
        assert!(
            !std::sync::Arc::ptr_eq(doc, &stale),
            "the stale diff of src/b.rs landed on {now_there}"
        );
    }

    s.act(Action::Approve);
    assert!(
        s.app()
            .overlays
            .iter()
            .any(|o| matches!(o, Overlay::Sign { .. })),
        "no sign dialog once the lists are complete:\n{}",
        s.render()
    );
}

#[test]
fn a_small_change_is_loaded_in_full_before_its_first_screen() {
    let t = TestRepo::new();
    t.write("src/a.rs", numbered(0));
    t.commit("base");
    t.remove("src/a.rs");
    t.write("src/b.rs", numbered(7));
    t.commit_ai("kiro", "rename a to b");
    let first = support::countersign(t.path())
        .args(["review", "HEAD", "--snapshot", "160x30"])
        .output()
        .unwrap();
    let first = String::from_utf8_lossy(&first.stdout);
    assert!(
        row(&first, "src/a.rs → src/b.rs").contains(" R│"),
        "{first}"
    );
    assert!(first.contains("Change · 0/1 viewed"), "{first}");
}

/// A file whose diff is over the plain limit (a generated file: here 100,001 lines, the
/// issue's was 2,000,000 and 182 MB) opens on its first lines with a notice saying it is
/// shown plain (no syntax highlighting, no word emphasis): the workstation then holds each
/// line once instead of three times (`benches/giant-file.sh` measures the memory beside
/// `git show`). A hidden character in its last line is still found.
#[test]
fn a_giant_file_is_shown_plain_and_says_so() {
    use countersign::tui::doc::PLAIN_LINES;
    let t = TestRepo::new();
    t.write("src/lib.rs", "pub fn f() {}\n");
    t.commit("base");
    let mut text = String::with_capacity(PLAIN_LINES * 40);
    for i in 0..PLAIN_LINES {
        text.push_str(&format!("pub const V{i}: u32 = {i};\n"));
    }
    t.write("src/small.rs", "pub const S: u32 = 1;\n");
    text.push_str("pub const LAST: &str = \"\u{202e}\";\n");
    t.write("src/generated.rs", text);
    t.commit("Add generated constants");
    let out = support::countersign(t.path())
        .args([
            "review",
            "HEAD",
            "--snapshot",
            "200x20",
            "--snapshot-settled",
        ])
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("src/generated.rs · unified"), "{screen}");
    assert!(
        screen.contains(&format!("large diff ({} lines", PLAIN_LINES + 1))
            && screen.contains("shown plain"),
        "{screen}"
    );
    assert!(screen.contains("pub const V0: u32 = 0;"), "{screen}");
    // The file list flags the hidden character in the last line (the content scan), and
    // only there.
    assert!(row(&screen, "src/generated.rs").contains('⚠'), "{screen}");
    assert!(!row(&screen, "src/small.rs").contains('⚠'), "{screen}");
}
