//! Fixed changes built in memory, without a repository: for tests and benchmarks (the
//! workstation's unit tests, `tests/workstation`, `benches/tui.rs` include this file; it is no
//! part of the library). Ids and times are constants, so frames drawn from them are
//! byte-for-byte stable. Paths are absolute (`countersign::…`, `countersign_core::…`) so that
//! each of those crates can include it.

// Each includer uses a part of it.
#![allow(dead_code)]

use std::path::PathBuf;

use countersign::tui::data::{CommitEntry, Judgement, ReviewData};
use countersign_core::git::{
    CommitChange, DiffBase, DiffLine, FileChange, FileStatus, GitPath, Hunk, LineKind, Person,
    SubmoduleChange,
};
use countersign_core::model::{CommitId, Tier};
use countersign_core::policy::TierRequirement;
use countersign_core::signoff::ReviewState;

fn person(name: &str, email: &str) -> Person {
    Person {
        name: name.into(),
        email: email.into(),
        time: 1_767_229_200,
        offset_minutes: 0,
    }
}

fn id(n: u8) -> String {
    format!("{:x}", n).repeat(40)[..40].to_string()
}

fn commit_id(n: u8) -> CommitId {
    id(n).parse().expect("40 hex digits")
}

fn line(kind: LineKind, old: Option<u32>, new: Option<u32>, text: &str) -> DiffLine {
    DiffLine {
        kind,
        old_lineno: old,
        new_lineno: new,
        content: text.as_bytes().to_vec(),
        no_newline_at_eof: false,
    }
}

fn file(status: FileStatus, old: Option<&str>, new: Option<&str>, n: u8) -> FileChange {
    FileChange {
        status,
        old_path: old.map(GitPath::from),
        new_path: new.map(GitPath::from),
        old_mode: if old.is_some() { 0o100644 } else { 0 },
        new_mode: if new.is_some() { 0o100644 } else { 0 },
        old_id: old.map(|_| id(n)),
        new_id: new.map(|_| id(n + 1)),
        binary: false,
        old_size: None,
        new_size: None,
        submodule: None,
        hunks: Vec::new(),
    }
}

fn codec_hunks() -> Vec<Hunk> {
    use LineKind::{Added as A, Context as C, Removed as R};
    vec![
        Hunk {
            old_start: 40,
            old_lines: 5,
            new_start: 40,
            new_lines: 5,
            header: "@@ -40,5 +40,5 @@ pub struct Value {".into(),
            lines: vec![
                line(C, Some(40), Some(40), ""),
                line(
                    C,
                    Some(41),
                    Some(41),
                    "pub fn encode(v: &Value) -> Vec<u8> {",
                ),
                line(R, Some(42), None, "    let mut out = Vec::new();"),
                line(
                    A,
                    None,
                    Some(42),
                    "    let mut out = Vec::with_capacity(8);",
                ),
                line(C, Some(43), Some(43), "    write_header(&mut out, v);"),
                line(C, Some(44), Some(44), "    out"),
            ],
        },
        Hunk {
            old_start: 88,
            old_lines: 4,
            new_start: 88,
            new_lines: 6,
            header: "@@ -88,4 +88,6 @@ pub fn decode(bytes: &[u8]) -> Option<Value> {".into(),
            lines: vec![
                line(C, Some(88), Some(88), "    let tag = bytes.first()?;"),
                line(R, Some(89), None, "    match tag {"),
                line(A, None, Some(89), "    // Fast path: the common tag first."),
                line(A, None, Some(90), "    match *tag {"),
                line(A, None, Some(91), "        0 => return Some(Value::Unit),"),
                line(
                    C,
                    Some(90),
                    Some(92),
                    "        1 => decode_int(&bytes[1..]),",
                ),
                line(C, Some(91), Some(93), "        _ => None,"),
            ],
        },
    ]
}

/// A change of two commits: an AI commit (supervised) touching code, a rename, a binary file
/// and a submodule; then a human docs commit.
pub fn review_data() -> ReviewData {
    use LineKind::{Added as A, Context as C, Removed as R};
    let mut codec = file(
        FileStatus::Modified,
        Some("crates/core-types/src/codec.rs"),
        Some("crates/core-types/src/codec.rs"),
        1,
    );
    codec.hunks = codec_hunks();
    let mut lib = file(
        FileStatus::Modified,
        Some("crates/core-types/src/lib.rs"),
        Some("crates/core-types/src/lib.rs"),
        3,
    );
    lib.hunks = vec![Hunk {
        old_start: 1,
        old_lines: 2,
        new_start: 1,
        new_lines: 3,
        header: "@@ -1,2 +1,3 @@".into(),
        lines: vec![
            line(C, Some(1), Some(1), "pub mod codec;"),
            line(A, None, Some(2), "pub mod fast;"),
            line(C, Some(2), Some(3), "pub use codec::{decode, encode};"),
        ],
    }];
    let renamed = FileChange {
        status: FileStatus::Renamed,
        new_id: Some(id(5)),
        ..file(
            FileStatus::Renamed,
            Some("docs/codec.md"),
            Some("docs/encoding.md"),
            5,
        )
    };
    let mut logo = file(
        FileStatus::Modified,
        Some("media/logo.png"),
        Some("media/logo.png"),
        7,
    );
    logo.binary = true;
    let mut sub = file(
        FileStatus::Modified,
        Some("vendor/zstd"),
        Some("vendor/zstd"),
        9,
    );
    sub.old_mode = 0o160000;
    sub.new_mode = 0o160000;
    sub.submodule = Some(SubmoduleChange {
        old_commit: Some(id(11)),
        new_commit: Some(id(12)),
    });
    let mut readme = file(FileStatus::Added, None, Some("README.md"), 13);
    readme.hunks = vec![Hunk {
        old_start: 0,
        old_lines: 0,
        new_start: 1,
        new_lines: 2,
        header: "@@ -0,0 +1,2 @@".into(),
        lines: vec![
            line(A, None, Some(1), "# ledger"),
            line(A, None, Some(2), "A tiny ledger with a fast codec."),
        ],
    }];
    let _ = R;
    let ai = commit(
        1,
        "Speed up codec",
        person("Kiro Agent", "kiro-bot@example.com"),
        vec![codec, lib, renamed, logo, sub],
    );
    let human = commit(
        2,
        "Describe the ledger",
        person("Dana Human", "dana@example.com"),
        vec![readme],
    );
    ReviewData {
        repo_path: PathBuf::from("/nonexistent/sample"),
        range: "main..feature".into(),
        trusted_ref: Some("main".into()),
        resolved: None,
        notice: None,
        paths_only: false,
        unloaded: 0,
        judging: false,
        commits: vec![
            CommitEntry {
                change: ai,
                verdict: Some(Judgement {
                    ai: Some(("kiro".into(), "Co-authored-by trailer names kiro".into())),
                    tier: Tier::Supervised,
                    reasons: vec![
                        "`crates/core-types/src/codec.rs` is supervised: no rule matches it, so default_tier (supervised) applies".into(),
                    ],
                    state: ReviewState::NeedsSignoff,
                    requirement: TierRequirement {
                        approvals: 1,
                        role: Some("senior".into()),
                        ..TierRequirement::default()
                    },
                    approved_by: Vec::new(),
                    rejected_by: Vec::new(),
                    rewritten_from: None,
                    carried_rejects: Vec::new(),
                    ai_lines: Default::default(),
                    checkout_attributes: Vec::new(),
                }),
            },
            CommitEntry {
                change: human,
                verdict: Some(Judgement {
                    ai: None,
                    tier: Tier::Autonomous,
                    reasons: vec!["`README.md` is autonomous: it matches `**/*.md` (policy rule at line 20)".into()],
                    state: ReviewState::NotRequired,
                    requirement: TierRequirement {
                        approvals: 0,
                        role: None,
                        ..TierRequirement::default()
                    },
                    approved_by: Vec::new(),
                    rejected_by: Vec::new(),
                    rewritten_from: None,
                    carried_rejects: Vec::new(),
                    ai_lines: Default::default(),
                    checkout_attributes: Vec::new(),
                }),
            },
        ],
    }
}

/// [`review_data`] with the AI commit in the prohibited tier (forbidden: no approval).
pub fn forbidden_data() -> ReviewData {
    let mut d = review_data();
    if let Some(v) = d.commits[0].verdict.as_mut() {
        v.tier = Tier::Prohibited;
        v.state = ReviewState::Forbidden;
        v.requirement = TierRequirement {
            approvals: 2,
            role: Some("senior".into()),
            ..TierRequirement::default()
        };
        v.reasons = vec!["`crates/billing-api/src/lib.rs` is prohibited: `crates/billing-api` is prohibited by its Cargo.toml".into()];
    }
    d
}

fn commit(n: u8, summary: &str, author: Person, files: Vec<FileChange>) -> CommitChange {
    CommitChange {
        id: commit_id(n + 0xa),
        tree: id(n + 0xb),
        parents: vec![commit_id(n + 0xc)],
        author: author.clone(),
        committer: author,
        message: format!("{summary}\n"),
        summary: summary.into(),
        trailers: Vec::new(),
        diff_base: DiffBase::Parent(commit_id(n + 0xc)),
        files,
        patch_digest: format!("sha256:{}", "0".repeat(64)),
    }
}

/// One AI commit of `files` files whose hunks hold `lines` changed lines in all (half removed,
/// half added, in hunks of 40), for benchmarks of frame cost against change size.
pub fn big_change(files: usize, lines: usize) -> ReviewData {
    let per_file = lines / files.max(1);
    let mut out = Vec::with_capacity(files);
    for f in 0..files {
        let path = format!("crates/svc-{f:04}/src/m000.rs");
        let mut fc = file(FileStatus::Modified, Some(&path), Some(&path), 1);
        let mut hunks = Vec::new();
        let mut done = 0u32;
        let mut start = 1u32;
        while (done as usize) < per_file {
            let n = 40.min(per_file - done as usize) as u32;
            let mut hl = Vec::with_capacity(n as usize);
            for k in 0..n {
                let o = start + k / 2;
                if k % 2 == 0 {
                    hl.push(line(
                        LineKind::Removed,
                        Some(o),
                        None,
                        &format!("    acc = acc.wrapping_mul({k}).wrapping_add({o}); // step {o}"),
                    ));
                } else {
                    hl.push(line(
                        LineKind::Added,
                        None,
                        Some(o),
                        &format!(
                            "    acc = acc.wrapping_mul({}).wrapping_add({o}); // step {o}",
                            k + 1
                        ),
                    ));
                }
            }
            hunks.push(Hunk {
                old_start: start,
                old_lines: n / 2,
                new_start: start,
                new_lines: n / 2,
                header: format!(
                    "@@ -{start},{} +{start},{} @@ pub fn f000(x: u64) -> u64 {{",
                    n / 2,
                    n / 2
                ),
                lines: hl,
            });
            done += n;
            start += n;
        }
        fc.hunks = hunks;
        out.push(fc);
    }
    let mut d = review_data();
    d.commits.truncate(1);
    d.commits[0].change.files = out;
    d
}
