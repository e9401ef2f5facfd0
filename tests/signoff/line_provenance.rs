//! Line-level provenance from notes (`[ai] line_notes`): git-ai authorship logs and Agent
//! Trace records written into real repositories as their tools write them, judged by the real
//! binary. A note only raises a commit to AI; one judged AI by a note alone needs its tier's
//! approvals and is never forbidden; a malformed or hostile note is reported and changes
//! nothing else.

use crate::signoff_common;

use git2::Oid;
use signoff_common::{git_stdin, Fixture};

/// The Git AI Standard's example 1.2.5 (sessions format), verbatim from
/// `specs/git_ai_standard_v3.0.0.md` in github.com/git-ai-project/git-ai: cursor wrote lines
/// 1-10, 15-20, 25 and 30-35 of src/main.rs, a known human 42-50, claude all 50 of src/lib.rs.
const STANDARD_SESSIONS: &str = r#"src/main.rs
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
  s_c9883b05a2487d::t_a1b2c3d4e5f678 25,30-35
  h_31dce776f88375 42-50
src/lib.rs
  s_e7f2a90b31cc48::t_deadbeef012345 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.4.5",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {},
  "humans": {
    "h_31dce776f88375": {
      "author": "Developer <dev@example.com>"
    }
  },
  "sessions": {
    "s_c9883b05a2487d": {
      "agent_id": {
        "tool": "cursor",
        "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999",
        "model": "claude-sonnet-4-5-20250514"
      },
      "human_author": "dev@example.com"
    },
    "s_e7f2a90b31cc48": {
      "agent_id": {
        "tool": "claude",
        "id": "conv_abc123def456",
        "model": "claude-sonnet-4-5-20250514"
      },
      "human_author": "dev@example.com",
      "custom_attributes": {
        "team": "backend"
      }
    }
  }
}"#;

/// The standard's example 1.2.6 (legacy keys), verbatim.
const STANDARD_LEGACY: &str = r#"src/main.rs
  abcd1234abcd1234 1-10,15-20
  ef0b5678ef0b5678 25,30-35
src/lib.rs
  abcd1234abcd1234 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.0.23",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {
    "abcd1234abcd1234": {
      "agent_id": {
        "tool": "cursor",
        "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999",
        "model": "claude-4.5-opus"
      },
      "human_author": "Developer <dev@example.com>",
      "total_additions": 25,
      "total_deletions": 5,
      "accepted_lines": 20,
      "overriden_lines": 0
    },
    "ef0b5678ef0b5678": {
      "agent_id": {
        "tool": "cursor",
        "id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "model": "claude-3-sonnet"
      },
      "human_author": "Developer <dev@example.com>",
      "total_additions": 6,
      "total_deletions": 0,
      "accepted_lines": 6,
      "overriden_lines": 0
    }
  }
}"#;

/// `n` numbered lines, distinct from any other file's.
fn lines(tag: &str, n: usize) -> String {
    (1..=n).map(|i| format!("// {tag} line {i}\n")).collect()
}

/// A human commit (no trailer, a person's name and e-mail) that writes 50-line
/// src/main.rs and src/lib.rs (100 added lines; the fixture's one-line lib.rs is replaced),
/// so the standard's examples apply as they stand.
fn human_commit_of_the_examples_files(f: &Fixture) -> Oid {
    f.t.write("src/main.rs", lines("main", 50));
    f.t.write("src/lib.rs", lines("lib", 50));
    f.t.commit("Wire up main")
}

/// Writes `text` as the note on `commit` in `notes_ref` the way git-ai's implementation does:
/// through `git fast-import`, the blob at a two-character fan-out path (`ab/cdef…`), with no
/// trailing newline added.
fn write_note_as_git_ai(f: &Fixture, notes_ref: &str, commit: &Oid, text: &[u8]) {
    let hex = commit.to_string();
    let parent =
        f.t.repo
            .refname_to_id(notes_ref)
            .ok()
            .map(|id| format!("from {id}\n"))
            .unwrap_or_default();
    let mut script = format!(
        "commit {notes_ref}\ncommitter git-ai <git-ai@example.com> 1700000000 +0000\ndata 0\n{parent}M 100644 inline {}/{}\ndata {}\n",
        &hex[..2],
        &hex[2..],
        text.len()
    )
    .into_bytes();
    script.extend_from_slice(text);
    script.extend_from_slice(b"\n");
    git_stdin(f.path(), &["fast-import", "--quiet"], &script);
}

fn status_json(f: &Fixture, commit: &Oid) -> serde_json::Value {
    let out = f
        .cmd()
        .args(["status", "--format", "json"])
        .output()
        .expect("status runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["commit"] == commit.to_string())
        .cloned()
        .expect("the commit is listed")
}

#[test]
fn a_human_commit_with_git_ai_lines_becomes_ai_and_needs_its_tiers_signoff() {
    let f = Fixture::new();
    let c = human_commit_of_the_examples_files(&f);
    let (code, before) = f.verify_json(&[]);
    assert_eq!(code, 0, "a human commit needs nothing: {before:#}");

    write_note_as_git_ai(&f, "refs/notes/ai", &c, STANDARD_SESSIONS.as_bytes());
    let (code, json) = f.verify_json(&[]);
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["state"], "needs-signoff");
    assert_eq!(v["required"], 1);
    let ai = &v["ai"];
    // 50 lines of lib.rs to claude, 23 of main.rs to cursor; the known human's 9 are not AI.
    assert_eq!(ai["agent"], "claude");
    assert_eq!(ai["lines"]["notes_ref"], "refs/notes/ai");
    assert_eq!(ai["lines"]["ai_lines"], 73);
    assert_eq!(ai["lines"]["added_lines"], 100);
    assert_eq!(ai["lines"]["sole_evidence"], true);
    assert_eq!(ai["lines"]["agents"][1]["agent"], "cursor");
    assert_eq!(ai["lines"]["agents"][1]["lines"], 23);
    assert!(
        ai["rule"]
            .as_str()
            .unwrap()
            .contains("73 of 100 added lines (73%)"),
        "{ai:#}"
    );
    let s = status_json(&f, &c);
    assert_eq!(s["state"], "needs-signoff");
    assert_eq!(s["ai"]["lines"]["ai_lines"], 73);

    f.sign(&c, "alice", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(Fixture::verdict_for(&json, &c)["state"], "approved");
}

#[test]
fn the_standards_legacy_form_is_read_too() {
    let f = Fixture::new();
    let c = human_commit_of_the_examples_files(&f);
    write_note_as_git_ai(&f, "refs/notes/ai", &c, STANDARD_LEGACY.as_bytes());
    let (code, json) = f.verify_json(&[]);
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["ai"]["agent"], "cursor");
    assert_eq!(
        v["ai"]["lines"]["format"],
        "git-ai authorship/3.0.0 (legacy keys)"
    );
    assert_eq!(v["ai"]["lines"]["ai_lines"], 73);
}

/// A note written by `git notes add` (flat path, trailing newline) reads the same.
#[test]
fn a_note_added_with_git_notes_reads_the_same() {
    let f = Fixture::new();
    let c = human_commit_of_the_examples_files(&f);
    let file = f.keys_dir.path().join("note");
    std::fs::write(&file, STANDARD_SESSIONS).unwrap();
    f.t.git(&[
        "notes",
        "--ref=refs/notes/ai",
        "add",
        "-F",
        file.to_str().unwrap(),
        &c.to_string(),
    ]);
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        Fixture::verdict_for(&json, &c)["ai"]["lines"]["ai_lines"],
        73
    );
}

/// In the prohibited tier a commit judged AI only by a note needs the tier's two approvals
/// but is not forbidden (the branch author can write notes); a commit whose own trailer says
/// AI stays forbidden whatever a note says.
#[test]
fn a_note_alone_never_makes_a_commit_forbidden_and_never_lowers_one() {
    let f = Fixture::new();
    f.t.write("billing/src/lib.rs", lines("billing", 12));
    let human = f.t.commit("Billing by hand");
    let note = format!(
        "billing/src/lib.rs\n  s_aaaaaaaaaaaaaa::t_bbbbbbbbbbbbbb 1-12\n---\n{}",
        r#"{"schema_version":"authorship/3.0.0","base_commit_sha":"x","prompts":{},"sessions":{"s_aaaaaaaaaaaaaa":{"agent_id":{"tool":"claude","id":"c","model":"m"}}}}"#
    );
    write_note_as_git_ai(&f, "refs/notes/ai", &human, note.as_bytes());
    let (code, json) = f.verify_json(&[]);
    let v = Fixture::verdict_for(&json, &human);
    assert_eq!(code, 1);
    assert_eq!(v["tier"], "prohibited");
    assert_eq!(v["state"], "needs-signoff", "{v:#}");
    assert_eq!(v["required"], 2);
    f.sign(&human, "alice", "approve").success();
    f.sign(&human, "bob", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");

    // An AI commit stays forbidden, with or without a note that attests only a human.
    f.t.write("billing/src/lib.rs", lines("billing-ai", 3));
    let ai = f.t.commit_ai("kiro", "Billing by agent");
    let human_only = format!(
        "billing/src/lib.rs\n  h_cccccccccccccc 1-3\n---\n{}",
        r#"{"schema_version":"authorship/3.0.0","base_commit_sha":"x","prompts":{},"humans":{"h_cccccccccccccc":{"author":"Dana Human <dana@example.com>"}}}"#
    );
    write_note_as_git_ai(&f, "refs/notes/ai", &ai, human_only.as_bytes());
    let (code, json) = f.verify_json(&[]);
    let v = Fixture::verdict_for(&json, &ai);
    assert_eq!(code, 1);
    assert_eq!(v["state"], "forbidden", "{v:#}");
    assert_eq!(v["ai"]["agent"], "kiro");
}

/// Agent Trace records (the RFC's trace record, one per line) on a notes ref the policy names.
#[test]
fn agent_trace_records_on_a_named_notes_ref_are_read() {
    let policy = signoff_common::POLICY.replace(
        "agents = [\"kiro\", \"claude\"]",
        "agents = [\"kiro\", \"claude\"]\nline_notes = [\"refs/notes/agent-trace\"]",
    );
    let f = Fixture::with_policy(&policy);
    f.t.write("src/lib.rs", lines("lib", 30));
    let c = f.t.commit("Parser");
    let record = |from: u32, to: u32, kind: &str| {
        format!(
            r#"{{"version":"0.1.0","id":"550e8400-e29b-41d4-a716-446655440000","timestamp":"2026-01-23T14:30:00Z","vcs":{{"type":"git","revision":"{c}"}},"tool":{{"name":"opencode","version":"1"}},"files":[{{"path":"src/lib.rs","conversations":[{{"contributor":{{"type":"{kind}","model_id":"anthropic/claude-opus-4-5-20251101"}},"ranges":[{{"start_line":{from},"end_line":{to}}}]}}]}}]}}"#
        )
    };
    let note = format!("{}\n{}\n", record(1, 10, "ai"), record(11, 30, "human"));
    // The default ref is not read when the policy names others.
    write_note_as_git_ai(&f, "refs/notes/ai", &c, STANDARD_SESSIONS.as_bytes());
    write_note_as_git_ai(&f, "refs/notes/agent-trace", &c, note.as_bytes());
    let (code, json) = f.verify_json(&[]);
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["ai"]["agent"], "opencode");
    assert_eq!(v["ai"]["lines"]["format"], "Agent Trace");
    assert_eq!(v["ai"]["lines"]["ai_lines"], 10);
    assert_eq!(v["ai"]["lines"]["added_lines"], 30);
}

/// Hostile logs: each is reported on the commit (`line_note_problems`, and `warning:` in the
/// text) and changes nothing else: the human commit stays human, the AI commit's verdict is
/// what it was without a note.
#[test]
fn a_hostile_log_is_reported_and_changes_nothing_else() {
    let meta = r#"{"schema_version":"authorship/3.0.0","base_commit_sha":"x","prompts":{"abcd1234abcd1234":{"agent_id":{"tool":"claude","id":"i","model":"m"}}}}"#;
    let hostile: Vec<(Vec<u8>, &str)> = vec![
        (
            format!("src/lib.rs\n  abcd1234abcd1234 1-4294967295\n---\n{meta}").into_bytes(),
            "not a line number",
        ),
        (
            format!("src/lib.rs\n  abcd1234abcd1234 1-5000\n---\n{meta}").into_bytes(),
            "which has 5 lines",
        ),
        (
            format!("\"src/lib.rs\" \"x\"\n  abcd1234abcd1234 1-2\n---\n{meta}").into_bytes(),
            "does not change",
        ),
        (
            format!("\"src/lib.rs\n  abcd1234abcd1234 1-2\n---\n{meta}").into_bytes(),
            "no closing quote",
        ),
        (
            format!("src/lib.rs\n  abcd1234abcd1234 1-2\x1b[2J\n---\n{meta}").into_bytes(),
            "not a line number",
        ),
        (
            [
                b"src/lib.rs\n  abcd1234abcd1234 1-2\xff\n---\n".as_slice(),
                meta.as_bytes(),
            ]
            .concat(),
            "not UTF-8",
        ),
        (
            format!("../../etc/passwd\n  abcd1234abcd1234 1\n---\n{meta}").into_bytes(),
            "does not change",
        ),
    ];
    for (note, says) in hostile {
        let f = Fixture::new();
        f.t.write("src/lib.rs", lines("lib", 5));
        let human = f.t.commit("By hand");
        f.t.write("src/lib.rs", lines("lib2", 5));
        let ai = f.t.commit_ai("kiro", "By agent");
        let (_, clean) = f.verify_json(&[]);
        write_note_as_git_ai(&f, "refs/notes/ai", &human, &note);
        write_note_as_git_ai(&f, "refs/notes/ai", &ai, &note);
        let (code, json) = f.verify_json(&[]);
        let shown = String::from_utf8_lossy(&note[..40.min(note.len())]).into_owned();
        assert_eq!(code, 1, "{shown}: the AI commit still needs its sign-off");
        let h = Fixture::verdict_for(&json, &human);
        assert_eq!(h["ai"], serde_json::Value::Null, "{shown}: {h:#}");
        assert_eq!(h["state"], "not-required");
        let problems = h["line_note_problems"].as_array().expect("reported");
        assert!(
            problems.iter().any(|p| p.as_str().unwrap().contains(says)),
            "{shown}: {problems:?} should say {says}"
        );
        let a = Fixture::verdict_for(&json, &ai);
        let a_clean = Fixture::verdict_for(&clean, &ai);
        for field in ["ai", "tier", "state", "required", "problems"] {
            assert_eq!(a[field], a_clean[field], "{shown}: {field}");
        }
        // The text report quotes the problem escaped: no terminal control from the note.
        let out = f.cmd().args(["verify"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("warning: the line-provenance note on refs/notes/ai"),
            "{text}"
        );
        assert!(!text.contains('\x1b'), "{text:?}");
    }
}

/// A note on the ref for a commit outside the range, or on another commit id, is not evidence
/// about this one; a notes ref that is not a commit is reported, not fatal.
#[test]
fn a_notes_ref_that_is_no_commit_is_reported_and_not_fatal() {
    let f = Fixture::new();
    f.t.write("src/lib.rs", lines("lib", 5));
    let c = f.t.commit("By hand");
    let blob = f.t.repo.blob(b"not a notes commit").unwrap();
    f.t.repo
        .reference("refs/notes/ai", blob, true, "test: a blob as notes ref")
        .unwrap();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert!(v["line_note_problems"][0]
        .as_str()
        .unwrap()
        .contains("is not a notes commit"));
}

#[test]
fn policy_check_refuses_a_line_notes_entry_that_is_no_notes_ref() {
    let f = Fixture::new();
    let policy = signoff_common::POLICY.replace(
        "agents = [\"kiro\", \"claude\"]",
        "agents = [\"kiro\", \"claude\"]\nline_notes = [\"refs/heads/main\", \"refs/notes/countersign\", \"refs/notes/ai\"]",
    );
    std::fs::write(f.path().join(".countersign/policy.toml"), policy).unwrap();
    let out = f.cmd().args(["policy", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`refs/heads/main` is not a notes ref"),
        "{err}"
    );
    assert!(
        err.contains("`refs/notes/countersign` is not a notes ref"),
        "{err}"
    );
    assert!(!err.contains("`refs/notes/ai` is not"), "{err}");
}

/// `sync` shares the line-provenance notes refs too: a note made in one clone reaches the
/// other through the remote, and where both clones annotate the same commit the local note
/// is kept whole (an authorship log is not line-mergeable).
#[test]
fn sync_fetches_and_pushes_the_line_notes_refs() {
    let f = Fixture::new();
    let c = human_commit_of_the_examples_files(&f);
    let dir = tempfile::tempdir().unwrap();
    let origin = dir.path().join("origin.git");
    signoff_common::git_in(
        dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &f.path().to_string_lossy(),
            "origin.git",
        ],
    );
    let clone = |name: &str| {
        signoff_common::git_in(
            dir.path(),
            &["clone", "-q", &origin.to_string_lossy(), name],
        );
        dir.path().join(name)
    };
    let (a, b) = (clone("a"), clone("b"));
    let note_in = |repo: &std::path::Path, text: &str| {
        let file = dir.path().join("note.txt");
        std::fs::write(&file, text).unwrap();
        signoff_common::git_in(
            repo,
            &[
                "notes",
                "--ref=refs/notes/ai",
                "add",
                "-f",
                "-F",
                file.to_str().unwrap(),
                &c.to_string(),
            ],
        );
    };
    note_in(&a, STANDARD_SESSIONS);
    let sync = |repo: &std::path::Path| {
        let out = signoff_common::countersign(repo)
            .args(["sync", "origin"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = sync(&a);
    assert!(
        said.contains("line provenance refs/notes/ai: pushed"),
        "{said}"
    );
    assert!(sync(&b).contains("refs/notes/ai: merged and pushed"));
    let shown = |repo: &std::path::Path| {
        signoff_common::git_in(
            repo,
            &["notes", "--ref=refs/notes/ai", "show", &c.to_string()],
        )
    };
    assert_eq!(shown(&b).trim(), STANDARD_SESSIONS.trim());
    // Both clones annotate the commit before syncing: the one that syncs second keeps its
    // own log whole (`-s ours`), and after both sync each side holds that one log, never a
    // line mix of the two.
    note_in(&b, STANDARD_LEGACY);
    let edited = STANDARD_SESSIONS.replace("1.4.5", "1.4.6");
    note_in(&a, &edited);
    sync(&b);
    sync(&a);
    sync(&b);
    assert_eq!(shown(&a).trim(), edited.trim());
    assert_eq!(shown(&b).trim(), edited.trim());
}

/// The workstation marks the lines a note attests in the diff gutter (`▍`) and says how many
/// on the hunk header; lines the note does not attest (the known human's) are unmarked.
#[test]
fn the_workstation_marks_attested_lines_in_the_gutter_and_on_the_hunk() {
    let f = Fixture::new();
    f.t.write("src/lib.rs", lines("lib", 8));
    let c = f.t.commit("Wire lib");
    let note = "src/lib.rs\n  s_aaaaaaaaaaaaaa::t_bbbbbbbbbbbbbb 2-4\n  h_cccccccccccccc 5-8\n---\n{\"schema_version\":\"authorship/3.0.0\",\"base_commit_sha\":\"x\",\"prompts\":{},\"sessions\":{\"s_aaaaaaaaaaaaaa\":{\"agent_id\":{\"tool\":\"claude\",\"id\":\"c\",\"model\":\"m\"}}},\"humans\":{\"h_cccccccccccccc\":{\"author\":\"Dana Human <dana@example.com>\"}}}";
    write_note_as_git_ai(&f, "refs/notes/ai", &c, note.as_bytes());
    let out = f
        .cmd()
        .args(["review", "--snapshot", "160x30", "--snapshot-settled"])
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{screen}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(screen.contains("▍ 3 AI-attested lines"), "{screen}");
    let marked: Vec<&str> = screen.lines().filter(|l| l.contains("▍│")).collect();
    assert_eq!(marked.len(), 3, "{screen}");
    for (line, n) in marked
        .iter()
        .zip(["lib line 2", "lib line 3", "lib line 4"])
    {
        assert!(line.contains(n), "{line}");
    }
}

/// The README's CI recipes fetch `refs/notes/ai`: in a CI-like clone the note is absent until
/// the recipe's fetch line runs, after which the gate judges the human commit AI and fails it.
#[test]
fn the_ci_recipes_fetch_line_brings_the_notes_the_gate_reads() {
    let f = Fixture::new();
    let c = human_commit_of_the_examples_files(&f);
    write_note_as_git_ai(&f, "refs/notes/ai", &c, STANDARD_SESSIONS.as_bytes());
    let ci = tempfile::tempdir().unwrap();
    signoff_common::git_in(
        ci.path(),
        &[
            "clone",
            "-q",
            "--branch",
            "feature",
            &f.path().to_string_lossy(),
            "repo",
        ],
    );
    let repo = ci.path().join("repo");
    let gate = || {
        signoff_common::countersign(&repo)
            .args(["verify", "refs/remotes/origin/main..HEAD"])
            .args(["--trusted-ref", "refs/remotes/origin/main"])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(gate(), Some(0), "without the note the commit is human");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let line = readme
        .lines()
        .map(str::trim)
        .find_map(|l| {
            l.strip_prefix("run: ")
                .filter(|r| r.contains("refs/notes/ai:"))
        })
        .expect("the GitHub recipe fetches refs/notes/ai");
    let out = std::process::Command::new("bash")
        .args(["-c", line])
        .current_dir(&repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(gate(), Some(1), "with it, the commit needs its sign-off");
}
