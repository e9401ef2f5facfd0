//! Revspec resolution and change-set loading against real repositories.

use crate::support;

use countersign_core::git::{
    self, ChangeSet, CommitChange, DiffBase, FileChange, FileStatus, LineKind, LoadDepth,
};
use countersign_core::Error;
use git2::Oid;
use support::TestRepo;

fn load(t: &TestRepo, id: Oid, depth: LoadDepth) -> CommitChange {
    CommitChange::load(&t.repo, id, depth).expect("load commit")
}

fn head(t: &TestRepo) -> Oid {
    t.repo.head().unwrap().peel_to_commit().unwrap().id()
}

fn file<'a>(c: &'a CommitChange, path: &str) -> &'a FileChange {
    c.files
        .iter()
        .find(|f| f.path().as_bytes() == path.as_bytes())
        .unwrap_or_else(|| panic!("no file {path} in {:?}", c.files))
}

fn range(t: &TestRepo, spec: &str) -> git::RangeSpec {
    git::resolve_range(&t.repo, spec).expect("resolve")
}

/// main: c1; feature: f1, f2 on top.
fn main_and_feature() -> (TestRepo, Oid, Oid, Oid) {
    let t = TestRepo::new();
    t.write("a.txt", "one\n");
    let c1 = t.commit("first");
    t.branch("feature");
    t.checkout("feature");
    t.write("a.txt", "two\n");
    let f1 = t.commit("second");
    t.write("b.txt", "three\n");
    let f2 = t.commit_ai("Kiro", "third");
    (t, c1, f1, f2)
}

// ---------------------------------------------------------------- revspecs

#[test]
fn two_dot_range_is_reachable_from_right_not_left_oldest_first() {
    let (t, _c1, f1, f2) = main_and_feature();
    let r = range(&t, "main..feature");
    assert_eq!(r.commits, vec![f1, f2]);
    assert_eq!(r.description, "main..feature");
}

#[test]
fn three_dot_range_starts_at_the_merge_base() {
    let (t, c1, f1, f2) = main_and_feature();
    t.checkout("main");
    t.write("m.txt", "main moved on\n");
    let m1 = t.commit("main moves");
    let r = range(&t, "main...feature");
    assert_eq!(r.commits, vec![f1, f2]);
    let r = range(&t, "feature...main");
    assert_eq!(r.commits, vec![m1]);
    // From a commit that is not the merge base itself: still measured from the merge base.
    let r = range(&t, &format!("{m1}...{f2}"));
    assert_eq!(r.commits, vec![f1, f2]);
    assert!(!r.commits.contains(&c1));
}

#[test]
fn single_commit_is_that_commit_alone() {
    let (t, _c1, f1, _f2) = main_and_feature();
    let r = range(&t, "HEAD~1");
    assert_eq!(r.commits, vec![f1]);
    assert_eq!(r.description, "HEAD~1");
}

#[test]
fn unknown_revspec_is_reported_with_gits_reason() {
    let (t, ..) = main_and_feature();
    for spec in ["no-such-branch", "main..nope", "HEAD~99"] {
        match git::resolve_range(&t.repo, spec) {
            Err(Error::UnknownRevision { spec: s, reason }) => {
                assert_eq!(s, spec);
                assert!(!reason.is_empty());
            }
            other => panic!("{spec}: expected UnknownRevision, got {other:?}"),
        }
    }
}

#[test]
fn unborn_head_says_commit_something_first() {
    let t = TestRepo::new();
    for spec in ["HEAD", "main..HEAD"] {
        match git::resolve_range(&t.repo, spec) {
            Err(Error::Message(m)) => assert!(m.contains("no commits yet"), "{m}"),
            other => panic!("expected a message, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------- commits

#[test]
fn metadata_and_trailers_are_read() {
    let (t, _c1, f1, f2) = main_and_feature();
    let c = load(&t, f2, LoadDepth::Files);
    assert_eq!(c.id.to_string(), f2.to_string());
    assert_eq!(c.parents, vec![f1.into()]);
    assert_eq!(c.diff_base, DiffBase::Parent(f1.into()));
    assert_eq!(c.author.name, "Dana Human");
    assert_eq!(c.author.email, "dana@example.com");
    assert!(c.author.time > 1_700_000_000);
    assert_eq!(c.summary, "third");
    assert!(c.message.starts_with("third\n\n"));
    assert_eq!(c.trailers.len(), 1);
    assert_eq!(c.trailers[0].key, "Co-authored-by");
    assert_eq!(c.trailers[0].value, "Kiro <kiro@agents.example>");
    let head_tree = t.repo.find_commit(f2).unwrap().tree_id().to_string();
    assert_eq!(c.tree, head_tree);
    assert!(load(&t, f1, LoadDepth::Files).trailers.is_empty());
}

#[test]
fn root_commit_is_diffed_against_the_empty_tree() {
    let t = TestRepo::new();
    t.write("z.txt", "z\n");
    t.write("a/b.txt", "b\n");
    let root = t.commit("root");
    let c = load(&t, root, LoadDepth::Hunks);
    assert_eq!(c.diff_base, DiffBase::EmptyTree);
    assert!(c.parents.is_empty());
    let paths: Vec<String> = c.files.iter().map(|f| f.path().display()).collect();
    assert_eq!(paths, ["a/b.txt", "z.txt"]);
    for f in &c.files {
        assert_eq!(f.status, FileStatus::Added);
        assert_eq!(
            (f.old_path.as_ref(), f.old_id.as_ref(), f.old_mode),
            (None, None, 0)
        );
        assert_eq!(f.new_mode, 0o100644);
        assert_eq!(f.hunks.len(), 1);
        assert_eq!(f.hunks[0].lines[0].kind, LineKind::Added);
        assert_eq!(f.hunks[0].lines[0].new_lineno, Some(1));
    }
}

#[test]
fn merge_is_diffed_against_its_first_parent_and_range_includes_merged_commits() {
    let t = TestRepo::new();
    t.write("base.txt", "base\n");
    t.commit("base");
    t.branch("topic");
    t.checkout("topic");
    t.write("topic.txt", "topic\n");
    let topic = t.commit("topic work");
    t.checkout("main");
    t.write("main.txt", "main\n");
    let m1 = t.commit("main work");
    t.git(&["merge", "--no-ff", "-m", "merge topic", "topic"]);
    let merge = head(&t);
    let c = load(&t, merge, LoadDepth::Hunks);
    assert!(c.is_merge());
    assert_eq!(c.parents, vec![m1.into(), topic.into()]);
    assert_eq!(c.diff_base, DiffBase::FirstParentOfMerge(m1.into()));
    let paths: Vec<String> = c.files.iter().map(|f| f.path().display()).collect();
    assert_eq!(paths, ["topic.txt"]);

    let r = range(&t, &format!("{m1}..HEAD"));
    assert_eq!(r.commits, vec![topic, merge]);
}

#[test]
fn pure_rename_keeps_the_blob() {
    let t = TestRepo::new();
    let body: String = (0..30).map(|i| format!("line {i}\n")).collect();
    t.write("old.txt", &body);
    t.commit("add");
    t.remove("old.txt");
    t.write("new.txt", &body);
    let id = t.commit("move");
    let c = load(&t, id, LoadDepth::Hunks);
    assert_eq!(c.files.len(), 1, "{:?}", c.files);
    let f = &c.files[0];
    assert_eq!(f.status, FileStatus::Renamed);
    assert_eq!(f.old_path.as_ref().unwrap().display(), "old.txt");
    assert_eq!(f.new_path.as_ref().unwrap().display(), "new.txt");
    assert_eq!(f.old_id, f.new_id);
    assert!(f.hunks.is_empty());
    let paths: Vec<String> = f.paths().map(|p| p.display()).collect();
    assert_eq!(paths, ["new.txt", "old.txt"]);
}

#[test]
fn rename_with_edit_has_hunks() {
    let t = TestRepo::new();
    let body: String = (0..30).map(|i| format!("line {i}\n")).collect();
    t.write("old.rs", &body);
    t.commit("add");
    t.remove("old.rs");
    t.write("new.rs", body.replace("line 15\n", "line fifteen\n"));
    let id = t.commit("move and edit");
    let c = load(&t, id, LoadDepth::Hunks);
    assert_eq!(c.files.len(), 1, "{:?}", c.files);
    let f = &c.files[0];
    assert_eq!(f.status, FileStatus::Renamed);
    assert_ne!(f.old_id, f.new_id);
    type Line<'a> = (LineKind, Option<u32>, Option<u32>, &'a [u8]);
    let changed: Vec<Line> = f.hunks[0]
        .lines
        .iter()
        .filter(|l| l.kind != LineKind::Context)
        .map(|l| (l.kind, l.old_lineno, l.new_lineno, l.content.as_slice()))
        .collect();
    assert_eq!(
        changed,
        vec![
            (LineKind::Removed, Some(16), None, &b"line 15"[..]),
            (LineKind::Added, None, Some(16), &b"line fifteen"[..]),
        ]
    );
}

#[test]
fn copy_from_a_modified_file_is_detected() {
    let t = TestRepo::new();
    let body: String = (0..30).map(|i| format!("line {i}\n")).collect();
    t.write("orig.txt", &body);
    t.commit("add");
    t.write("orig.txt", format!("{body}one more\n"));
    t.write("copy.txt", &body);
    let id = t.commit("copy");
    let c = load(&t, id, LoadDepth::Files);
    let copy = file(&c, "copy.txt");
    assert_eq!(copy.status, FileStatus::Copied, "{:?}", c.files);
    assert_eq!(copy.old_path.as_ref().unwrap().display(), "orig.txt");
    assert_eq!(file(&c, "orig.txt").status, FileStatus::Modified);
}

#[test]
fn binary_files_are_flagged_at_both_depths() {
    let t = TestRepo::new();
    t.write("img.bin", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice());
    t.write("text.txt", "plain\n");
    t.commit("add");
    t.write("img.bin", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDX".as_slice());
    t.write("text.txt", "plainer\n");
    let id = t.commit("edit");
    for depth in [LoadDepth::Files, LoadDepth::Hunks] {
        let c = load(&t, id, depth);
        let bin = file(&c, "img.bin");
        assert!(bin.binary, "{depth:?}");
        assert!(bin.hunks.is_empty());
        assert_eq!(bin.status, FileStatus::Modified);
        assert!(!file(&c, "text.txt").binary, "{depth:?}");
        assert_eq!(
            file(&c, "text.txt").hunks.is_empty(),
            depth == LoadDepth::Files
        );
    }
    // Added and deleted binaries too (only one side has content).
    t.remove("img.bin");
    let id = t.commit("delete");
    assert!(load(&t, id, LoadDepth::Files).files[0].binary);
}

#[test]
fn non_utf8_paths_and_content_round_trip() {
    let t = TestRepo::new();
    let name: &[u8] = b"caf\xe9.txt";
    t.write(name, b"ok\n\xff\xfe bytes\n".as_slice());
    let id = t.commit("latin-1 name");
    let c = load(&t, id, LoadDepth::Hunks);
    let f = &c.files[0];
    assert_eq!(f.path().as_bytes(), name);
    assert!(f.path().to_str().is_none());
    assert!(!f.binary);
    let lines: Vec<&[u8]> = f.hunks[0]
        .lines
        .iter()
        .map(|l| l.content.as_slice())
        .collect();
    assert_eq!(lines, [&b"ok"[..], &b"\xff\xfe bytes"[..]]);
}

#[test]
fn crlf_lines_keep_their_carriage_return() {
    let t = TestRepo::new();
    t.write("dos.txt", "one\r\ntwo\r\n");
    let id = t.commit("crlf");
    let c = load(&t, id, LoadDepth::Hunks);
    let lines: Vec<&[u8]> = c.files[0].hunks[0]
        .lines
        .iter()
        .map(|l| l.content.as_slice())
        .collect();
    assert_eq!(lines, [&b"one\r"[..], &b"two\r"[..]]);
    assert!(c.files[0].hunks[0]
        .lines
        .iter()
        .all(|l| !l.no_newline_at_eof));
}

#[test]
fn missing_newline_at_eof_is_set_on_the_line_that_lacks_it() {
    let t = TestRepo::new();
    t.write("f.txt", "a\nb");
    t.commit("no newline");
    t.write("f.txt", "a\nc");
    let id = t.commit("still no newline");
    let lines = &load(&t, id, LoadDepth::Hunks).files[0].hunks[0].lines;
    let got: Vec<(LineKind, &[u8], bool)> = lines
        .iter()
        .map(|l| (l.kind, l.content.as_slice(), l.no_newline_at_eof))
        .collect();
    assert_eq!(
        got,
        vec![
            (LineKind::Context, &b"a"[..], false),
            (LineKind::Removed, &b"b"[..], true),
            (LineKind::Added, &b"c"[..], true),
        ]
    );

    t.write("f.txt", "a\nc\n");
    let id = t.commit("add the newline");
    let lines = &load(&t, id, LoadDepth::Hunks).files[0].hunks[0].lines;
    let got: Vec<(LineKind, &[u8], bool)> = lines
        .iter()
        .map(|l| (l.kind, l.content.as_slice(), l.no_newline_at_eof))
        .collect();
    assert_eq!(
        got,
        vec![
            (LineKind::Context, &b"a"[..], false),
            (LineKind::Removed, &b"c"[..], true),
            (LineKind::Added, &b"c"[..], false),
        ]
    );
}

#[test]
fn submodule_added_and_updated() {
    let sub = TestRepo::new();
    sub.write("lib.txt", "v1\n");
    let v1 = sub.commit("v1");
    let t = TestRepo::new();
    t.write("README", "hi\n");
    t.commit("init");
    let sub_path = sub.path().to_str().unwrap().to_string();
    t.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        &sub_path,
        "vendor/sub",
    ]);
    let added = t.commit("add submodule");
    let c = load(&t, added, LoadDepth::Hunks);
    let paths: Vec<String> = c.files.iter().map(|f| f.path().display()).collect();
    assert_eq!(paths, [".gitmodules", "vendor/sub"]);
    let s = file(&c, "vendor/sub");
    assert_eq!(s.status, FileStatus::Added);
    assert_eq!(s.new_mode, 0o160000);
    assert!(s.hunks.is_empty());
    assert!(!s.binary);
    let change = s.submodule.as_ref().expect("submodule change");
    assert_eq!(change.old_commit, None);
    assert_eq!(change.new_commit, Some(v1.to_string()));
    assert!(file(&c, ".gitmodules").submodule.is_none());

    sub.write("lib.txt", "v2\n");
    let v2 = sub.commit("v2");
    t.gitlink("vendor/sub", v2);
    let updated = t.commit("bump submodule");
    let c = load(&t, updated, LoadDepth::Hunks);
    assert_eq!(c.files.len(), 1);
    let s = &c.files[0];
    assert_eq!(s.status, FileStatus::Modified);
    let change = s.submodule.as_ref().expect("submodule change");
    assert_eq!(change.old_commit, Some(v1.to_string()));
    assert_eq!(change.new_commit, Some(v2.to_string()));
    assert_eq!(s.old_id, Some(v1.to_string()));
}

#[test]
fn empty_commit_has_no_files() {
    let t = TestRepo::new();
    t.write("a", "a\n");
    t.commit("a");
    t.git(&["commit", "--allow-empty", "-m", "nothing"]);
    let c = load(&t, head(&t), LoadDepth::Hunks);
    assert_eq!(c.summary, "nothing");
    assert!(c.files.is_empty());
    assert!(c.patch_digest.starts_with("sha256:"));
}

#[test]
fn file_to_symlink_is_a_typechange() {
    let t = TestRepo::new();
    t.write("target.txt", "t\n");
    t.write("link", "was a file\n");
    t.commit("files");
    t.symlink("link", "target.txt");
    let id = t.commit("now a link");
    let c = load(&t, id, LoadDepth::Hunks);
    assert_eq!(c.files.len(), 1, "{:?}", c.files);
    let f = &c.files[0];
    assert_eq!(f.status, FileStatus::TypeChange);
    assert_eq!((f.old_mode, f.new_mode), (0o100644, 0o120000));
    assert!(f.old_id.is_some() && f.new_id.is_some());
}

#[test]
fn chmod_is_a_mode_only_modification() {
    let t = TestRepo::new();
    t.write("run.sh", "echo hi\n");
    t.commit("script");
    t.set_executable("run.sh", true);
    let id = t.commit("chmod +x");
    let c = load(&t, id, LoadDepth::Hunks);
    let f = &c.files[0];
    assert_eq!(f.status, FileStatus::Modified);
    assert_eq!((f.old_mode, f.new_mode), (0o100644, 0o100755));
    assert_eq!(f.old_id, f.new_id);
    assert!(f.hunks.is_empty());
}

// ---------------------------------------------------------------- patch digest

#[test]
fn patch_digest_binds_content_not_message_or_author() {
    let t = TestRepo::new();
    t.write("lib.rs", "fn a() {}\n");
    t.commit("base");
    for b in ["one", "two", "three"] {
        t.branch(b);
    }
    t.checkout("one");
    t.write("lib.rs", "fn a() { 1 }\n");
    let one = t.commit("Speed up a");
    t.checkout("two");
    t.write("lib.rs", "fn a() { 1 }\n");
    let two = t.commit_ai("Kiro", "A different message by someone else");
    t.checkout("three");
    t.write("lib.rs", "fn a() { 2 }\n");
    let three = t.commit("Speed up a");
    let d = |id| load(&t, id, LoadDepth::Files).patch_digest;
    assert_ne!(one, two);
    assert_eq!(d(one), d(two));
    assert_ne!(d(one), d(three));
    // Depth does not matter.
    assert_eq!(d(one), load(&t, one, LoadDepth::Hunks).patch_digest);

    // An amended message keeps it.
    t.git(&["commit", "--amend", "-m", "Reworded"]);
    let amended = head(&t);
    assert_ne!(amended, three);
    assert_eq!(d(amended), d(three));
}

#[test]
fn patch_digest_changes_with_mode_and_path() {
    let t = TestRepo::new();
    t.write("x.sh", "echo\n");
    t.commit("base");
    t.branch("exec");
    t.branch("moved");
    t.checkout("exec");
    t.set_executable("x.sh", true);
    let exec = t.commit("exec");
    t.checkout("moved");
    t.remove("x.sh");
    t.write("y.sh", "echo\n");
    let moved = t.commit("moved");
    let d = |id| load(&t, id, LoadDepth::Files).patch_digest;
    assert_ne!(d(exec), d(moved));
    assert_eq!(d(exec).len(), "sha256:".len() + 64);
}

// ---------------------------------------------------------------- against git itself

/// Renders hunks as `git diff` prints them after the file header.
fn render(f: &FileChange) -> String {
    let mut out = String::new();
    for h in &f.hunks {
        out.push_str(&h.header);
        out.push('\n');
        for l in &h.lines {
            out.push(match l.kind {
                LineKind::Context => ' ',
                LineKind::Added => '+',
                LineKind::Removed => '-',
            });
            out.push_str(&String::from_utf8_lossy(&l.content));
            out.push('\n');
            if l.no_newline_at_eof {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}

#[test]
fn hunks_and_line_numbers_match_git_diff() {
    let t = TestRepo::new();
    let old: String = (1..=60).map(|i| format!("line {i}\n")).collect();
    t.write("f.txt", &old);
    t.commit("base");
    let new = old
        .replace("line 3\n", "line three\n")
        .replace("line 30\n", "")
        .replace("line 45\n", "line 45\ninserted a\ninserted b\n")
        + "tail";
    t.write("f.txt", &new);
    let id = t.commit("edits");
    let c = load(&t, id, LoadDepth::Hunks);
    let f = &c.files[0];
    assert_eq!(f.hunks.len(), 4);

    let git_out = t.git(&[
        "diff",
        "--no-color",
        "--no-indent-heuristic",
        "HEAD~1",
        "HEAD",
    ]);
    let from_git = &git_out[git_out.find("@@").unwrap()..];
    assert_eq!(render(f), from_git);

    // Line numbers: walk each hunk from its start.
    for h in &f.hunks {
        let (mut o, mut n) = (h.old_start, h.new_start);
        for l in &h.lines {
            match l.kind {
                LineKind::Context => {
                    assert_eq!((l.old_lineno, l.new_lineno), (Some(o), Some(n)));
                    o += 1;
                    n += 1;
                }
                LineKind::Removed => {
                    assert_eq!((l.old_lineno, l.new_lineno), (Some(o), None));
                    o += 1;
                }
                LineKind::Added => {
                    assert_eq!((l.old_lineno, l.new_lineno), (None, Some(n)));
                    n += 1;
                }
            }
        }
        assert_eq!(o - h.old_start, h.old_lines);
        assert_eq!(n - h.new_start, h.new_lines);
    }
}

#[test]
fn change_set_loads_a_resolved_range_in_order() {
    let (t, _c1, f1, f2) = main_and_feature();
    let r = range(&t, "main..HEAD");
    let set = ChangeSet::load(&t.repo, &r.commits, LoadDepth::Files).unwrap();
    let ids: Vec<String> = set.commits.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(ids, [f1.to_string(), f2.to_string()]);
}

// ---------------------------------------------------------------- opening

#[test]
fn open_refuses_a_directory_that_is_not_a_repository() {
    support::isolate_git_config();
    let dir = tempfile::tempdir().unwrap();
    match git::open(dir.path()) {
        Err(Error::NotARepository(p)) => assert_eq!(p, dir.path()),
        other => panic!(
            "expected NotARepository, got {:?}",
            other.map(|r| r.path().to_owned())
        ),
    }
}

#[test]
fn open_refuses_a_bare_repository() {
    support::isolate_git_config();
    let dir = tempfile::tempdir().unwrap();
    git2::Repository::init_bare(dir.path()).unwrap();
    match git::open(dir.path()) {
        Err(Error::BareRepository(_)) => {}
        other => panic!(
            "expected BareRepository, got {:?}",
            other.map(|r| r.path().to_owned())
        ),
    }
}

/// The attack of issue 10 item 1: an AI commit adds `tokens.rs -diff` (or `binary`, a diff
/// driver, a filter, `eol`) to `.gitattributes`, in the work tree and in `.git/info`; the next
/// commit's code must still be text with its hunks, and the patch digest must not move.
#[test]
fn attributes_from_the_change_never_hide_code() {
    for attr in [
        "-diff",
        "binary",
        "diff=secret",
        "filter=hide",
        "eol=crlf",
        "-text",
    ] {
        let t = TestRepo::new();
        t.write(
            "tokens.rs",
            "pub fn check(t: &str) -> bool {\n    verify(t)\n}\n",
        );
        t.write("img.bin", b"\x89PNG\0\0\x01".as_slice());
        t.commit("tokens");
        t.write(
            ".gitattributes",
            format!("*.rs {attr}\n*.bin -binary diff\n"),
        );
        t.commit_ai("kiro", "attributes");
        std::fs::write(
            t.path().join(".git/info/attributes"),
            format!("tokens.rs {attr}\n"),
        )
        .unwrap();
        t.git(&["config", "diff.secret.textconv", "true"]);
        t.git(&["config", "diff.secret.binary", "true"]);
        t.write(
            "tokens.rs",
            "pub fn check(t: &str) -> bool {\n    t == \"backdoor\" || verify(t)\n}\n",
        );
        let id = t.commit_ai("kiro", "tokens");
        let files = load(&t, id, LoadDepth::Files);
        let hunks = load(&t, id, LoadDepth::Hunks);
        let f = file(&hunks, "tokens.rs");
        assert!(!f.binary, "{attr}: shown as binary");
        assert!(!file(&files, "tokens.rs").binary, "{attr}");
        let added: Vec<String> = f.hunks[0]
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::Added)
            .map(|l| String::from_utf8_lossy(&l.content).into_owned())
            .collect();
        assert_eq!(added, ["    t == \"backdoor\" || verify(t)"], "{attr}");
        assert_eq!(files.patch_digest, hunks.patch_digest, "{attr}");
    }
}

/// Valid UTF-8 with a NUL byte, and a Rust file that is not UTF-8, are text (their odd bytes
/// are marked when drawn); a real binary stays binary with its size known.
#[test]
fn text_or_binary_is_decided_by_content() {
    let t = TestRepo::new();
    t.write("nul.txt", "a\0b\nline\n");
    t.write("latin.rs", b"// caf\xe9\0\nfn f() {}\n".as_slice());
    t.write("img.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice());
    let id = t.commit("odd bytes");
    let c = load(&t, id, LoadDepth::Hunks);
    assert!(!file(&c, "nul.txt").binary);
    assert_eq!(file(&c, "nul.txt").hunks[0].lines[0].content, b"a\0b");
    assert!(!file(&c, "latin.rs").binary);
    assert_eq!(file(&c, "latin.rs").hunks[0].lines.len(), 2);
    let png = file(&c, "img.png");
    assert!(png.binary);
    assert_eq!(png.new_size, Some(16));
}

/// The signed v1 patch digest of a fixed change is frozen: sign-offs already made still
/// verify whatever the text/binary decision does.
#[test]
fn patch_digest_v1_is_frozen_for_a_known_change() {
    let t = TestRepo::new();
    t.write("a.rs", "fn a() {}\n");
    t.write("b.bin", b"\0\x01\x02".as_slice());
    t.commit("base");
    t.write(".gitattributes", "*.rs -diff\n");
    t.write("a.rs", "fn a() { 1 }\n");
    t.remove("b.bin");
    t.write("c.bin", b"\0\x01\x02".as_slice());
    let id = t.commit("edit");
    let c = load(&t, id, LoadDepth::Files);
    assert_eq!(
        c.patch_digest, "sha256:b0d1ea833fa8088e2b0b0d3ecc5de6f95e64730b42cea53c52430989fd447c39",
        "{:?}",
        c.files
    );
}

/// Reading a tree's sources ahead for the module graph (issue 12): a git tree reads its
/// blobs on several threads, each with its own handle on the repository. It must give what
/// reading the same files one by one from the work tree gives: every `.rs` file below the
/// directories asked for (nested ones included, each once), nothing else.
#[test]
fn reading_a_tree_on_threads_gives_what_reading_it_file_by_file_gives() {
    use countersign_core::git::{GitTree, ListFiles, WorkTree};
    let t = TestRepo::new();
    for c in 0..6 {
        for m in 0..12 {
            t.write(
                format!("crates/c{c}/src/m{m}.rs"),
                format!("pub fn f{m}() -> u32 {{ {c} }}\n"),
            );
        }
        t.write(format!("crates/c{c}/src/deep/er/x.rs"), format!("// {c}\n"));
        t.write(format!("crates/c{c}/README.md"), "not rust\n");
    }
    t.write("top.rs", "fn top() {}\n");
    let head = t.commit("sources");
    let repo = git2::Repository::open(t.path()).unwrap();
    let tree = GitTree::of_commit(&repo, head, "HEAD").unwrap();
    let work = WorkTree {
        root: t.path().to_path_buf(),
    };
    // Nested directories (crates/c1 inside crates) are read once.
    let dirs = ["crates", "crates/c1", "crates/c5/src"];
    let size = |bytes: &[u8]| (bytes.len(), bytes.first().copied());
    let mut threaded = tree.map_files_under(&dirs, ".rs", &size);
    let mut one_by_one = work.map_files_under(&dirs, ".rs", &size);
    threaded.sort();
    one_by_one.sort();
    assert_eq!(threaded.len(), 6 * 13, "{threaded:?}");
    assert_eq!(threaded, one_by_one);
    assert!(threaded
        .iter()
        .all(|(p, _)| p.ends_with(".rs") && p != "top.rs"));
}

/// A long range is loaded on several threads (issue 12): the commits come back in the order
/// asked, each as loading it alone gives it, and a commit that cannot be read is still the
/// error.
#[test]
fn a_long_range_loads_on_threads_in_order_and_as_one_by_one() {
    let t = TestRepo::new();
    let mut ids = Vec::new();
    for i in 0..(countersign_core::git::LOAD_THREADS * 40) {
        t.write(
            format!("src/f{}.rs", i % 7),
            format!("pub fn f() -> u32 {{ {i} }}\n"),
        );
        if i % 5 == 0 {
            t.write(format!("docs/n{i}.md"), "note\n");
        }
        ids.push(t.commit(&format!("commit {i}")));
    }
    let repo = git2::Repository::open(t.path()).unwrap();
    let set = ChangeSet::load(&repo, &ids, LoadDepth::Paths).unwrap();
    assert_eq!(set.commits.len(), ids.len());
    for (c, id) in set.commits.iter().zip(&ids) {
        let alone = load(&t, *id, LoadDepth::Paths);
        assert_eq!(c.id.to_string(), id.to_string());
        assert_eq!(
            serde_json::to_string(c).unwrap(),
            serde_json::to_string(&alone).unwrap()
        );
    }
    let mut broken = ids.clone();
    broken[ids.len() - 3] = Oid::from_str("0123456789012345678901234567890123456789").unwrap();
    assert!(ChangeSet::load(&repo, &broken, LoadDepth::Paths).is_err());
}

/// Checking a sign-off loads its commit at `LoadDepth::Digest` (issue 12: no content read):
/// renames, copies and the patch digest must be exactly what a full load gives, or sign-offs
/// made from the workstation would stop verifying.
#[test]
fn the_digest_depth_finds_the_renames_copies_and_digest_of_a_full_load() {
    let t = TestRepo::new();
    let body: String = (0..30).map(|i| format!("line {i}\n")).collect();
    t.write("orig.txt", &body);
    t.write("old/name.rs", format!("{body}fn x() {{}}\n"));
    t.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice());
    t.commit("add");
    t.write("orig.txt", format!("{body}one more\n"));
    t.write("copy.txt", &body);
    t.remove("old/name.rs");
    t.write("new/name.rs", format!("{body}fn y() {{}}\n"));
    t.write(
        "logo.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\x01".as_slice(),
    );
    let id = t.commit("copy, rename, binary edit");
    let full = load(&t, id, LoadDepth::Files);
    let digest = load(&t, id, LoadDepth::Digest);
    let shape = |c: &CommitChange| -> Vec<String> {
        c.files
            .iter()
            .map(|f| {
                format!(
                    "{:?} {:?} {:?} {:?} {:?}",
                    f.status, f.old_path, f.new_path, f.old_id, f.new_id
                )
            })
            .collect()
    };
    assert_eq!(shape(&digest), shape(&full));
    assert!(
        shape(&full).iter().any(|s| s.starts_with("Renamed")),
        "{:?}",
        shape(&full)
    );
    assert!(
        shape(&full).iter().any(|s| s.starts_with("Copied")),
        "{:?}",
        shape(&full)
    );
    assert!(!full.patch_digest.is_empty());
    assert_eq!(digest.patch_digest, full.patch_digest);
    assert!(load(&t, id, LoadDepth::Paths).patch_digest.is_empty());
}

/// The files of a commit as git's own `diff-tree` lists them (no rename detection):
/// (status letter, path, old mode, new mode), sorted. NUL-separated, so no path is quoted.
fn git_raw(t: &TestRepo, commit: Oid) -> Vec<(char, String, u32, u32)> {
    let out = t.git(&[
        "diff-tree",
        "-r",
        "-z",
        "--no-renames",
        "--raw",
        "--no-commit-id",
        &commit.to_string(),
    ]);
    let fields: Vec<&str> = out.split('\0').filter(|f| !f.is_empty()).collect();
    let mut rows: Vec<(char, String, u32, u32)> = fields
        .chunks(2)
        .map(|pair| {
            let f: Vec<&str> = pair[0].trim_start_matches(':').split(' ').collect();
            let mode = |m: &str| u32::from_str_radix(m, 8).expect("octal mode");
            let status = f[4].chars().next().expect("status");
            (status, pair[1].to_string(), mode(f[0]), mode(f[1]))
        })
        .collect();
    rows.sort();
    rows
}

/// Asserts that `commit`'s files, loaded with paths only and in full, are `want` (as
/// [`git_raw`] lists them).
fn assert_files_are(t: &TestRepo, commit: Oid, want: &[(char, String, u32, u32)]) {
    for depth in [LoadDepth::Paths, LoadDepth::Files] {
        let c = load(t, commit, depth);
        let mut got: Vec<(char, String, u32, u32)> = c
            .files
            .iter()
            .map(|f| {
                (
                    f.status.letter(),
                    f.path().to_string(),
                    f.old_mode,
                    f.new_mode,
                )
            })
            .collect();
        got.sort();
        assert_eq!(got, want, "{depth:?}");
    }
}

/// Only the subtrees that differ are read to find what changed: the files found are those
/// git's `diff-tree` finds, for every kind of change — edits, a mode change, a link retargeted,
/// a file become a link, a directory deleted or added whole, a file replaced by a directory
/// and a directory by a file, a submodule moved — beside 50 directories that did not change.
#[test]
fn changed_files_are_what_git_diff_tree_finds_for_every_kind_of_change() {
    let t = TestRepo::new();
    for i in 0..50 {
        t.write(format!("same/d{i:02}/f.rs"), "fn f() {}\n");
    }
    t.write("edit.txt", "one\n");
    t.write("mode.sh", "echo\n");
    t.symlink("link", "edit.txt");
    t.write("becomes_link", "text\n");
    t.write("gone/a/b.txt", "b\n");
    t.write("gone/c.txt", "c\n");
    t.write("file_then_dir", "x\n");
    t.write("dir_then_file/inner.txt", "y\n");
    t.write("deep/x/y/z.txt", "z\n");
    let first = t.commit("before");
    t.gitlink("vendor/sub", first);
    t.commit("with a submodule");

    t.write("edit.txt", "two\n");
    t.set_executable("mode.sh", true);
    t.remove("link");
    t.symlink("link", "mode.sh");
    t.remove("becomes_link");
    t.symlink("becomes_link", "edit.txt");
    t.remove("gone/a/b.txt");
    t.remove("gone/c.txt");
    t.write("fresh/n/e/w.txt", "new\n");
    t.remove("file_then_dir");
    t.write("file_then_dir/now.txt", "dir\n");
    t.remove("dir_then_file/inner.txt");
    std::fs::remove_dir(t.path().join("dir_then_file")).expect("the emptied directory goes");
    t.write("dir_then_file", "file\n");
    t.write("deep/x/y/z.txt", "zz\n");
    t.gitlink("vendor/sub", head(&t));
    let change = t.commit("every kind of change");

    let want = git_raw(&t, change);
    assert!(want.len() >= 12, "{want:?}");
    assert_files_are(&t, change, &want);
}

/// File names a pathspec parser would read as syntax — a leading `!` (negation), `#`, a
/// backslash, glob characters, spaces at either end, `:(exclude)` magic, a newline — are
/// changes like any other: the changed files still match git's `diff-tree`, whether a file,
/// a directory that appears whole, or a submodule carries the name.
#[test]
fn file_names_that_look_like_pathspec_syntax_are_not_hidden() {
    let t = TestRepo::new();
    let names = [
        "!hidden.rs",
        "#note.rs",
        "back\\slash.rs",
        "star*.rs",
        "q?.rs",
        "[ab].rs",
        "space .rs ",
        ":(exclude)magic.rs",
        "new\nline.rs",
        " lead.rs",
        "!dir/kept.rs",
    ];
    for n in names {
        t.write(n, "one\n");
    }
    let first = t.commit("before");
    for n in names {
        t.write(n, "two\n");
    }
    t.write("!new/inner.rs", "new\n");
    t.write("#new/inner.rs", "new\n");
    t.gitlink("!sub", first);
    let change = t.commit("rename-proof edits");
    let want = git_raw(&t, change);
    assert_eq!(want.len(), names.len() + 3, "{want:?}");
    assert_files_are(&t, change, &want);
}

/// A tree object `entries` (mode, name, id), written as given — in that order, duplicates
/// kept — as a branch author could push it.
fn raw_tree(t: &TestRepo, entries: &[(&str, &str, Oid)]) -> Oid {
    let mut bytes = Vec::new();
    for (mode, name, id) in entries {
        bytes.extend_from_slice(format!("{mode} {name}\0").as_bytes());
        bytes.extend_from_slice(id.as_bytes());
    }
    let hex = support::git_stdin(
        t.path(),
        &["hash-object", "-t", "tree", "-w", "--literally", "--stdin"],
        &bytes,
    );
    Oid::from_str(&hex).expect("tree id")
}

/// Attack: a malformed tree lists `lib.rs` twice, the first entry changed, the last as
/// before (and a directory twice the same way). Comparing one entry per name would call
/// both unchanged; they are changes.
#[test]
fn a_name_listed_twice_in_a_tree_is_not_taken_for_unchanged() {
    let t = TestRepo::new();
    let old = t.repo.blob(b"pub fn f() {}\n").expect("blob");
    let new = t.repo.blob(b"pub fn f() { evil() }\n").expect("blob");
    let old_dir = raw_tree(&t, &[("100644", "x.rs", old)]);
    let new_dir = raw_tree(&t, &[("100644", "x.rs", new)]);
    let before = raw_tree(&t, &[("100644", "lib.rs", old), ("40000", "src", old_dir)]);
    let after = raw_tree(
        &t,
        &[
            ("100644", "lib.rs", new),
            ("100644", "lib.rs", old),
            ("40000", "src", new_dir),
            ("40000", "src", old_dir),
        ],
    );
    let sig = git2::Signature::now("t", "t@example.com").expect("signature");
    let parent = t
        .repo
        .commit(
            None,
            &sig,
            &sig,
            "before",
            &t.repo.find_tree(before).expect("tree"),
            &[],
        )
        .expect("commit");
    let parent = t.repo.find_commit(parent).expect("commit");
    let child = t
        .repo
        .commit(
            None,
            &sig,
            &sig,
            "after",
            &t.repo.find_tree(after).expect("tree"),
            &[&parent],
        )
        .expect("commit");
    for depth in [LoadDepth::Paths, LoadDepth::Files] {
        let c = load(&t, child, depth);
        let paths: Vec<String> = c.files.iter().map(|f| f.path().to_string()).collect();
        assert!(paths.iter().any(|p| p == "lib.rs"), "{depth:?}: {paths:?}");
        assert!(
            paths.iter().any(|p| p == "src/x.rs"),
            "{depth:?}: {paths:?}"
        );
    }
}

/// The v1 patch digest of a change with a rename across crates (edited), a copy, an edit, a
/// deletion and an addition in nested directories, as the release before changed-path
/// finding signed it (its sign-off, made by that release, still verifies).
#[test]
fn patch_digest_v1_is_frozen_for_renames_and_copies_across_directories() {
    let t = TestRepo::new();
    let lib = "pub fn one() -> u32 {\n    1\n}\n\npub fn two() -> u32 {\n    2\n}\n";
    let guide = "line one\nline two\nline three\nline four\n";
    t.write("crates/a/src/lib.rs", lib);
    t.write("crates/b/src/lib.rs", "pub fn keep() {}\n");
    t.write("docs/guide.md", guide);
    t.write("gone.txt", "old\n");
    t.commit("base");
    t.remove("crates/a/src/lib.rs");
    t.write("crates/c/src/lib.rs", lib.replace("    2\n", "    22\n"));
    t.write("docs/copy.md", guide);
    t.write("docs/guide.md", format!("{guide}line five\n"));
    t.remove("gone.txt");
    t.write("crates/b/src/new.rs", "new\n");
    let id = t.commit("change");
    let c = load(&t, id, LoadDepth::Files);
    let statuses: Vec<(char, String)> = c
        .files
        .iter()
        .map(|f| (f.status.letter(), f.path().to_string()))
        .collect();
    assert!(
        statuses.contains(&('R', "crates/c/src/lib.rs".to_string())),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&('C', "docs/copy.md".to_string())),
        "{statuses:?}"
    );
    assert_eq!(
        c.patch_digest, "sha256:53fd7bce67fb475200c9daba5f074f23e26c776fb1f60359c4af28a5782b1b1a",
        "{statuses:?}"
    );
}
