//! Hostile input: what the branch author writes (subjects, file names, comments, policy and
//! roster files, note lines, special files in the work tree) never reaches the terminal raw,
//! never hangs a command, and never makes an error repeat a megabyte.

use crate::signoff_common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use signoff_common::{countersign, Fixture};

/// A hang guard: far above what any of these commands needs (they take well under a second
/// in a release build), far below "forever".
const WATCHDOG: Duration = Duration::from_secs(120);

/// `ESC[1A ESC[2K` moves up a line and erases it; BEL rings.
const RUB_OUT: &str = "\x1b[1A\x1b[2K";
/// A file name that would print a forged verdict and then hide the rest of the line.
const FORGED_NAME: &[u8] = b"a\nverify: OK\n\x1b[8m.rs";

/// Bytes a terminal acts on: every C0 control but newline (and tab), DEL, and the C1 CSI
/// introducer in its UTF-8 form.
fn raw_controls(text: &[u8]) -> Vec<u8> {
    let mut found: Vec<u8> = text
        .iter()
        .copied()
        .filter(|&b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f)
        .collect();
    if String::from_utf8_lossy(text).contains('\u{9b}') {
        found.push(0x9b);
    }
    found
}

/// Asserts `out` holds no raw control byte and shows the escapes of what it quotes.
fn assert_escaped(what: &str, out: &[u8], expect_visible: &[&str]) {
    let text = String::from_utf8_lossy(out);
    let raw = raw_controls(out);
    assert!(
        raw.is_empty(),
        "{what}: raw control bytes {raw:02x?} in:\n{text}"
    );
    for v in expect_visible {
        assert!(text.contains(v), "{what}: `{v}` not shown in:\n{text}");
    }
    let forged = text.lines().filter(|l| l.starts_with("verify: OK")).count();
    assert_eq!(forged, 0, "{what}: a forged `verify: OK` line in:\n{text}");
}

/// The fixture with one AI commit whose subject rubs out lines and rings the bell, touching a
/// file whose name forges a verdict, signed by alice with a comment doing the same.
fn hostile_fixture() -> (Fixture, git2::Oid) {
    let f = Fixture::new();
    f.t.write(FORGED_NAME, "pub fn sneaky() {}\n");
    f.t.write(format!("src/{RUB_OUT}x.rs"), "pub fn x() {}\n");
    let commit = f.t.commit_ai(
        "kiro",
        &format!("Harmless{RUB_OUT}\x07 tweak\u{202E}txt.rs"),
    );
    (f, commit)
}

fn run(f: &Fixture, args: &[&str]) -> std::process::Output {
    f.cmd()
        .args(args)
        .timeout(WATCHDOG)
        .output()
        .expect("countersign runs")
}

#[test]
fn status_escapes_subjects_and_paths_in_text_output() {
    let (f, _) = hostile_fixture();
    let out = run(
        &f,
        &[
            "status",
            "main..feature",
            "--trusted-ref",
            "refs/heads/main",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_escaped(
        "status",
        &out.stdout,
        &["Harmless\\e[1A\\e[2K<U+0007>", "<U+202E>"],
    );
}

#[test]
fn verify_text_github_and_junit_escape_what_the_branch_wrote() {
    let (f, _) = hostile_fixture();
    for format in ["text", "github", "junit"] {
        let out = run(
            &f,
            &[
                "verify",
                "main..feature",
                "--trusted-ref",
                "refs/heads/main",
                "--format",
                format,
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "verify {format} fails the unsigned AI commit"
        );
        let marker = if format == "junit" {
            "&lt;U+202E&gt;"
        } else {
            "<U+202E>"
        };
        assert_escaped(
            &format!("verify --format {format}"),
            &out.stdout,
            &["\\e[1A\\e[2K", marker],
        );
    }
}

#[test]
fn impact_escapes_file_and_crate_names() {
    let (f, _) = hostile_fixture();
    let out = run(
        &f,
        &[
            "impact",
            "main..feature",
            "--trusted-ref",
            "refs/heads/main",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_escaped("impact", &out.stdout, &[]);
    assert_escaped("impact (stderr)", &out.stderr, &[]);
}

#[test]
fn sign_and_show_escape_comments_subjects_and_principals() {
    let (f, commit) = hostile_fixture();
    let comment = format!("fine by me\nverify: OK{RUB_OUT}\x07");
    let out = f
        .cmd()
        .args([
            "sign",
            &commit.to_string(),
            "--decision",
            "approve",
            "--yes",
        ])
        .args(["--trusted-ref", "refs/heads/main", "--comment", &comment])
        .arg("--key")
        .arg(&f.person("alice").key_path)
        .timeout(WATCHDOG)
        .output()
        .expect("sign runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_escaped("sign (stdout)", &out.stdout, &[]);
    assert_escaped(
        "sign (stderr)",
        &out.stderr,
        &["Harmless\\e[1A", "\\e[2K<U+0007>"],
    );

    let out = run(
        &f,
        &[
            "show",
            &commit.to_string(),
            "--trusted-ref",
            "refs/heads/main",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_escaped("show", &out.stdout, &["Harmless\\e[1A", "\\e[2K<U+0007>"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let continued = text
        .lines()
        .find(|l| l.contains("verify: OK"))
        .expect("the comment's second line is shown");
    assert!(
        continued.starts_with("    "),
        "a comment's later lines are indented under it: {continued:?}"
    );
}

#[test]
fn policy_check_escapes_what_it_quotes_from_the_policy() {
    let f = Fixture::new();
    let policy = signoff_common::POLICY.replace(
        "senior = [",
        "senior = [\"eve\\u001b[1A\\u001b[2K\\u0007@example.com\", ",
    );
    std::fs::write(f.path().join(".countersign/policy.toml"), policy).expect("write");
    let out = run(&f, &["policy", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert_escaped(
        "policy check",
        &out.stderr,
        &["eve\\e[1A\\e[2K<U+0007>@example.com"],
    );
}

/// A process whose stdout reader has gone before it writes anything.
fn with_closed_stdout(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let bin = assert_cmd::cargo::cargo_bin("countersign");
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut err).expect("read stderr");
    }
    let status = child.wait().expect("wait");
    (status.code(), err)
}

#[test]
fn a_closed_pipe_ends_every_command_quietly_with_its_own_status() {
    let (f, _) = hostile_fixture();
    let range = ["main..feature", "--trusted-ref", "refs/heads/main"];
    let cases: Vec<(Vec<&str>, i32)> = vec![
        ([&["status", "--format", "json"][..], &range].concat(), 0),
        ([&["status"][..], &range].concat(), 0),
        ([&["verify"][..], &range].concat(), 1),
        ([&["verify", "--format", "json"][..], &range].concat(), 1),
        ([&["impact"][..], &range].concat(), 0),
        (vec!["show", "HEAD", "--trusted-ref", "refs/heads/main"], 0),
        (vec!["policy", "check"], 0),
        (vec!["completions", "bash"], 0),
        (vec!["man"], 0),
        (vec!["init"], 0),
    ];
    for (args, code) in cases {
        let (got, err) = with_closed_stdout(f.path(), &args);
        assert_eq!(got, Some(code), "{args:?}: status; stderr: {err}");
        // Warnings (policy check on the fixture's expired key) may go to stderr; no error.
        assert!(
            !err.contains("error") && !err.contains("pipe") && !err.contains("panicked"),
            "{args:?} printed on stderr: {err}"
        );
    }
}

#[test]
fn policy_check_refuses_a_policy_symlinked_to_the_environment_without_quoting_it() {
    let f = Fixture::new();
    let policy = f.path().join(".countersign/policy.toml");
    std::fs::remove_file(&policy).expect("remove");
    std::os::unix::fs::symlink("/proc/self/environ", &policy).expect("symlink");
    let out = f
        .cmd()
        .args(["policy", "check"])
        .env("CI_SECRET_TOKEN", "hunter2-do-not-print")
        .timeout(WATCHDOG)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("hunter2"), "the environment leaked: {err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert!(err.contains(".countersign/policy.toml"), "{err}");
}

#[test]
fn policy_check_refuses_a_countersign_folder_that_is_a_symlink() {
    let f = Fixture::new();
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::rename(f.path().join(".countersign"), outside.path().join("cs")).expect("move");
    std::os::unix::fs::symlink(outside.path().join("cs"), f.path().join(".countersign"))
        .expect("symlink");
    let out = run(&f, &["policy", "check"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
}

#[test]
fn a_trusted_policy_committed_as_a_symlink_is_refused() {
    let f = Fixture::new();
    f.t.checkout("main");
    f.t.symlink(".countersign/policy.toml", "/proc/self/environ");
    f.t.commit("Policy as a link");
    let out = run(&f, &["status", "HEAD", "--trusted-ref", "refs/heads/main"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(ok.success());
}

#[test]
fn special_files_as_policy_roster_or_manifest_are_refused_not_read_forever() {
    for (file, kind) in [
        (".countersign/policy.toml", "fifo"),
        (".countersign/policy.toml", "zero"),
        (".countersign/allowed_signers", "fifo"),
        (".countersign/allowed_signers", "zero"),
        ("Cargo.toml", "fifo"),
        ("Cargo.toml", "zero"),
    ] {
        let f = Fixture::new();
        let path = f.path().join(file);
        let _ = std::fs::remove_file(&path);
        if kind == "fifo" {
            mkfifo(&path);
        } else {
            std::os::unix::fs::symlink("/dev/zero", &path).expect("symlink");
        }
        let out = run(&f, &["policy", "check"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file} as {kind}: {err}");
        assert!(err.contains("refused to read"), "{file} as {kind}: {err}");
        assert!(
            err.contains(file),
            "{file} as {kind}: names the file: {err}"
        );
    }
}

#[test]
fn init_refuses_a_root_manifest_that_is_a_fifo() {
    let t = signoff_common::TestRepo::new();
    t.write("README.md", "x\n");
    t.commit("initial");
    mkfifo(&t.path().join("Cargo.toml"));
    let out = countersign(t.path())
        .arg("init")
        .timeout(WATCHDOG)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("Cargo.toml") && err.contains("FIFO"), "{err}");
}

#[test]
fn a_key_file_that_is_a_device_or_fifo_is_refused() {
    let (f, commit) = hostile_fixture();
    let fifo = f.keys_dir.path().join("fifo-key");
    mkfifo(&fifo);
    for key in [Path::new("/dev/zero"), fifo.as_path()] {
        let out = f.sign_with_key_file(&commit, key, WATCHDOG);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", key.display());
        assert!(err.contains("not a regular file"), "{err}");
    }
    let big = f.keys_dir.path().join("big-key");
    std::fs::write(&big, vec![b'A'; 200 * 1024]).expect("write");
    let out = f.sign_with_key_file(&commit, &big, WATCHDOG);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("at most 64 KiB"), "{err}");
}

/// A policy of `n` rules naming crates (no globs to compile: the time is the parser's).
fn many_rules(n: usize, valid: bool) -> String {
    let mut text = signoff_common::POLICY.to_string();
    for i in 0..n {
        text.push_str(&format!("\n[[rules]]\ncrates = [\"c{i}\"]\n"));
        if valid {
            text.push_str("tier = \"autonomous\"\n");
        }
    }
    text
}

#[test]
fn sixty_thousand_policy_rules_parse_in_linear_time() {
    let policy = many_rules(60_000, true);
    let f = Fixture::with_policy(&policy);
    let out = run(&f, &["policy", "check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("60002 rules"));
}

/// Rules with path globs of every kind globset sorts them into (prefix, extension, literal,
/// and ones that need a regex): compiled once for the whole policy, not once per rule.
#[test]
fn sixty_thousand_path_glob_rules_compile_in_linear_time() {
    let mut policy = signoff_common::POLICY.to_string();
    for i in 0..60_000 {
        let glob = match i % 4 {
            0 => format!("dir{i}/**"),
            1 => format!("**/*.x{i}"),
            2 => format!("crates/c{i}/Cargo.toml"),
            _ => format!("src/m{i}/*/t?.rs"),
        };
        policy.push_str(&format!(
            "\n[[rules]]\npaths = [\"{glob}\"]\ntier = \"supervised\"\n"
        ));
    }
    let f = Fixture::with_policy(&policy);
    // A hang guard, not a timing: the debug build takes ~40 s on an idle 2-core machine and
    // passed 120 s with six compilers running beside it.
    let out = f
        .cmd()
        .args(["policy", "check"])
        .timeout(Duration::from_secs(600))
        .output()
        .expect("countersign runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("60002 rules"),
        "{stdout} (exit status {:?}: killed by the watchdog when none)",
        out.status.code()
    );
    // Every one of them matches no file: each is warned about (found in one pass over the
    // files), the report shows a few and counts the rest.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`src/m3/*/t?.rs` matches no file"), "{err}");
    assert!(
        err.contains("… and 59981 more warnings like these"),
        "{err}"
    );
}

#[test]
fn twenty_thousand_invalid_rules_are_reported_in_linear_time_and_summarised() {
    let policy = many_rules(20_000, false);
    let f = Fixture::with_policy(&policy);
    let out = run(&f, &["policy", "check"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("… and 19,997 more like this"), "{err}");
    assert!(err.contains("20,000 problems found"), "{err}");
    assert!(
        err.len() < 20_000,
        "the report is a summary: {} bytes",
        err.len()
    );
}

#[test]
fn a_megabyte_roster_line_is_quoted_as_a_short_window() {
    let f = Fixture::new();
    let roster = f.path().join(".countersign/allowed_signers");
    let mut text = std::fs::read_to_string(&roster).expect("roster");
    text.push_str(&format!(
        "eve@example.com ssh-ed25519 {}\n",
        "A".repeat(1 << 20)
    ));
    std::fs::write(&roster, text).expect("write");
    let out = run(&f, &["policy", "check"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("allowed_signers"), "{err}");
    assert!(
        err.len() < 4_000,
        "a short excerpt, not the line: {} bytes",
        err.len()
    );
    let carets = err
        .lines()
        .map(|l| l.matches('^').count())
        .max()
        .unwrap_or(0);
    assert!((1..=200).contains(&carets), "{carets} carets");
}

#[test]
fn a_policy_over_its_cap_is_refused_with_the_cap_named() {
    let f = Fixture::new();
    let mut text = signoff_common::POLICY.to_string();
    text.push_str(&format!("# {}\n", "x".repeat(5 << 20)));
    std::fs::write(f.path().join(".countersign/policy.toml"), text).expect("write");
    let out = run(&f, &["policy", "check"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("at most 4 MiB"), "{err}");
}

#[test]
fn two_hundred_thousand_junk_note_lines_give_a_short_report() {
    let f = Fixture::new();
    let commit = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let junk: String = (0..200_000).map(|i| format!("junk {i}\n")).collect();
    let file = f.keys_dir.path().join("junk-note");
    std::fs::write(&file, junk).expect("write");
    let file = file.to_string_lossy().into_owned();
    f.t.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-F",
        &file,
        &commit.to_string(),
    ]);
    let out = run(
        &f,
        &[
            "verify",
            "main..feature",
            "--trusted-ref",
            "refs/heads/main",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.len() < 10_000,
        "verify printed {} bytes",
        out.stdout.len()
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("199999 more like this"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(
        &f,
        &[
            "show",
            &commit.to_string(),
            "--trusted-ref",
            "refs/heads/main",
        ],
    );
    assert!(out.status.success());
    assert!(
        out.stdout.len() < 10_000,
        "show printed {} bytes",
        out.stdout.len()
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("199995 more unreadable"));
}

#[test]
fn workspace_members_that_give_no_crate_are_reported_not_silently_dropped() {
    for (members, expect) in [
        ("crates/[", "is not a valid glob"),
        ("../outside", "leaves the repository"),
        ("crates/*/src", "holds no package manifest"),
    ] {
        let f = Fixture::new();
        f.t.write(
            "Cargo.toml",
            format!("[workspace]\nmembers = [\"{members}\"]\n"),
        );
        f.t.write(
            "crates/billing/Cargo.toml",
            "[package]\nname = \"billing\"\nversion = \"0.1.0\"\n",
        );
        f.t.write("crates/billing/src/lib.rs", "pub fn charge() {}\n");
        let out = run(&f, &["policy", "check"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{members}: {err}");
        assert!(err.contains(expect), "{members}: {err}");
        assert!(
            err.contains("Cargo.toml:2:"),
            "{members}: positioned: {err}"
        );
    }
}

#[test]
fn init_shows_why_an_unparseable_root_manifest_gives_no_crates() {
    let t = signoff_common::TestRepo::new();
    t.write("Cargo.toml", "[workspace\nmembers = [\"crates/*\"]\n");
    t.commit("initial");
    let out = countersign(t.path())
        .arg("init")
        .timeout(WATCHDOG)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("does not parse"), "{err}");
    assert!(err.contains("Cargo.toml:1:"), "{err}");
}

#[test]
fn policy_check_warns_of_a_crate_typo_a_wrong_namespace_and_an_expired_key() {
    let policy = format!(
        "{}\n[[rules]]\ncrates = [\"billing-apii\"]\ntier = \"prohibited\"\n",
        signoff_common::POLICY
    );
    let f = Fixture::with_policy(&policy);
    f.t.write("Cargo.toml", "[workspace]\nmembers = [\"billing\"]\n");
    f.t.write(
        "billing/Cargo.toml",
        "[package]\nname = \"billing-api\"\nversion = \"0.1.0\"\n",
    );
    let roster = f.path().join(".countersign/allowed_signers");
    let mut text = std::fs::read_to_string(&roster).expect("roster");
    let carol = f
        .person("carol")
        .key
        .public_key()
        .to_openssh()
        .expect("key");
    text.push_str(&format!("erin@example.com namespaces=\"git\" {carol}\n"));
    std::fs::write(&roster, text).expect("write");
    let out = run(&f, &["policy", "check"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "warnings do not fail: {err}");
    assert!(
        err.contains("warning: this rule names crate `billing-apii`")
            && err.contains("did you mean `billing-api`?"),
        "{err}"
    );
    assert!(err.contains("limited to namespaces=\"git\""), "{err}");
    assert!(
        err.contains("dave@example.com expired on 2020-01-01"),
        "{err}"
    );
}

#[test]
fn policy_check_fails_a_tier_whose_listed_reviewers_cannot_sign_and_warns_of_an_empty_role() {
    let seniors = "senior = [\"alice@example.com\", \"bob@example.com\", \"dave@example.com\"]";
    for (role, code, kind) in [
        ("senior = [\"dave@example.com\"]", 2, "error"),
        ("senior = []", 0, "warning"),
    ] {
        let policy = signoff_common::POLICY.replace(seniors, role);
        assert_ne!(policy, signoff_common::POLICY);
        let f = Fixture::with_policy(&policy);
        let out = run(&f, &["policy", "check"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{role}: {err}");
        assert!(
            err.contains(&format!("{kind}: [tiers.supervised] needs 1 approval")),
            "{role}: {err}"
        );
        assert!(err.contains("can ever pass"), "{role}: {err}");
    }
}
