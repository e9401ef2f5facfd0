//! How the outputs meet their readers: `--color`, the pager and the width on a terminal, and
//! the JSON documents against the schemas shipped in `schemas/`.

use crate::signoff_common;

use signoff_common::Fixture;

/// A repository whose one AI commit needs a sign-off it lacks (verify fails on it).
fn failing() -> Fixture {
    let f = Fixture::new();
    f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f
}

fn stdout_of(f: &Fixture, args: &[&str]) -> String {
    let out = f.cmd().args(args).output().expect("runs");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn color_always_paints_fail_lines_tiers_and_the_verdict_even_into_a_pipe() {
    let f = failing();
    let text = stdout_of(&f, &["--color", "always", "verify"]);
    assert!(
        text.contains("\x1b[1;31mFAIL\x1b[0m"),
        "FAIL in bold red:\n{text:?}"
    );
    assert!(
        text.contains("\x1b[33msupervised"),
        "tier in yellow:\n{text:?}"
    );
    assert!(
        text.contains("\x1b[1;31mFAILED\x1b[0m"),
        "verdict in red:\n{text:?}"
    );
    // `always` wins over NO_COLOR (which the test harness sets), as git's --color=always does.
    let status = stdout_of(&f, &["status", "--color=always"]);
    assert!(
        status.contains("\x1b[33m"),
        "status tiers coloured:\n{status:?}"
    );
}

#[test]
fn color_never_and_auto_into_a_pipe_print_no_escape() {
    let f = failing();
    for args in [
        &["--color", "never", "verify"][..],
        &["verify"][..],
        &["status", "--color", "auto"][..],
    ] {
        let mut cmd = f.cmd();
        cmd.env_remove("NO_COLOR");
        let out = cmd.args(args).output().expect("runs");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        assert!(
            !text.contains('\x1b'),
            "{args:?} printed an escape:\n{text:?}"
        );
        assert!(
            text.contains("FAIL") || text.contains("needs-signoff"),
            "{text}"
        );
    }
}

/// The countersign binary as a plain `std::process::Command` in `dir`, with the same
/// isolation as the other tests.
fn plain(dir: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("countersign"));
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env_remove("COUNTERSIGN_KEY")
        .env_remove("LESS");
    cmd
}

/// Runs `cmd` with stdout and stderr on a fresh pseudo-terminal (as a user's terminal); returns its exit
/// status and what reached the terminal.
fn on_terminal(mut cmd: std::process::Command) -> (std::process::ExitStatus, String) {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills two descriptors, owned below.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty");
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let err = slave.try_clone().expect("dup");
    cmd.stdout(std::process::Stdio::from(slave))
        .stderr(std::process::Stdio::from(err));
    let mut child = cmd.spawn().expect("spawns");
    drop(cmd); // the last copy of the terminal's other end: reading ends when the child ends
    let reader = std::thread::spawn(move || {
        let mut file = std::fs::File::from(master);
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = file.read(&mut buf) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let status = child.wait().expect("waits");
    (status, reader.join().expect("reader"))
}

#[test]
fn pager_takes_text_output_on_a_terminal_unless_no_pager_or_json() {
    let f = failing();
    let scratch = tempfile::tempdir().expect("tempdir");
    let paged = scratch.path().join("paged");
    let pager = format!("cat > '{}'", paged.display());

    let mut cmd = plain(f.path());
    cmd.args(["status"]).env("PAGER", &pager);
    let (status, screen) = on_terminal(cmd);
    assert!(status.success());
    let text = std::fs::read_to_string(&paged).expect("the pager ran and got the output");
    assert!(text.contains("needs-signoff"), "paged: {text}");
    assert!(
        !screen.contains("needs-signoff"),
        "bypassed the pager: {screen}"
    );

    std::fs::remove_file(&paged).expect("remove");
    for args in [
        &["status", "--no-pager"][..],
        &["status", "--format", "json"][..],
    ] {
        let mut cmd = plain(f.path());
        cmd.args(args).env("PAGER", &pager);
        let (status, screen) = on_terminal(cmd);
        assert!(status.success());
        assert!(!paged.exists(), "{args:?} used the pager");
        assert!(
            screen.contains("needs-signoff"),
            "{args:?} printed: {screen}"
        );
    }

    // Not a terminal: never paged, whatever PAGER says.
    let out = plain(f.path())
        .args(["status"])
        .env("PAGER", &pager)
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("needs-signoff"));
    assert!(!paged.exists(), "paged into a pipe");
}

#[test]
fn verify_and_impact_fit_lines_to_columns() {
    let f = Fixture::new();
    let long = "Rework the retry loop so that every transient failure of the upstream \
                service is retried with backoff";
    f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", long);
    for (cols, args) in [
        (100usize, &["verify"][..]),
        (60, &["impact"][..]),
        (200, &["verify"][..]),
    ] {
        let out = plain(f.path())
            .args(args)
            .env("COLUMNS", cols.to_string())
            .output()
            .expect("runs");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(
            widest <= cols,
            "{args:?} at COLUMNS={cols}: a line of {widest}:\n{text}"
        );
        if cols == 200 {
            assert!(widest > 80, "wide terminal still cut at 80:\n{text}");
            assert!(
                text.contains(long),
                "the whole subject fits in 200 columns:\n{text}"
            );
        }
    }
}

#[test]
fn progress_is_cleared_before_the_pager_starts() {
    let f = failing();
    let mut cmd = plain(f.path());
    cmd.args(["verify"])
        .env("PAGER", "cat -")
        .env("COUNTERSIGN_PROGRESS_AFTER_MS", "0");
    let (status, screen) = on_terminal(cmd);
    assert_eq!(status.code(), Some(1));
    let progress = screen.find("verifying 1/").expect("progress shown");
    let cleared = screen.rfind("\r\x1b[2K").expect("progress cleared");
    let report = screen
        .find("countersign verify:")
        .expect("the report reached the terminal");
    assert!(
        progress < cleared && cleared < report,
        "the progress line is cleared before the paged report: {screen:?}"
    );
}

/// The schema `schemas/NAME.schema.json`.
fn schema(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(format!("{name}.schema.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("schema readable"))
        .expect("schema is JSON")
}

/// The problems of `v` under the subset of JSON Schema the shipped schemas use (`type`,
/// `enum`, `oneOf`, `properties`, `required`, `items`, `minimum`); empty when it conforms.
fn check(schema: &serde_json::Value, v: &serde_json::Value, at: &str) -> Vec<String> {
    use serde_json::Value;
    let mut problems = Vec::new();
    let type_ok = |t: &str| match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_u64() || v.is_i64(),
        "number" => v.is_number(),
        "null" => v.is_null(),
        other => panic!("schema uses unknown type {other}"),
    };
    match schema.get("type") {
        Some(Value::String(t)) if !type_ok(t) => problems.push(format!("{at}: not {t}: {v}")),
        Some(Value::Array(ts)) if !ts.iter().any(|t| type_ok(t.as_str().unwrap_or(""))) => {
            problems.push(format!("{at}: none of {ts:?}: {v}"))
        }
        _ => {}
    }
    if let Some(Value::Array(options)) = schema.get("enum") {
        if !options.contains(v) {
            problems.push(format!("{at}: {v} not in {options:?}"));
        }
    }
    if let Some(Value::Array(options)) = schema.get("oneOf") {
        let fits = options
            .iter()
            .filter(|o| check(o, v, at).is_empty())
            .count();
        if fits != 1 {
            problems.push(format!("{at}: {fits} of oneOf fit {v}"));
        }
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_i64), v.as_i64()) {
        if n < min {
            problems.push(format!("{at}: {n} < {min}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = r.as_str().expect("required names are strings");
            if !obj.contains_key(key) {
                problems.push(format!("{at}: missing `{key}`"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (key, sub) in props {
                if let Some(value) = obj.get(key) {
                    problems.extend(check(sub, value, &format!("{at}.{key}")));
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate() {
            problems.extend(check(items, item, &format!("{at}[{i}]")));
        }
    }
    problems
}

fn assert_conforms(name: &str, v: &serde_json::Value) {
    let problems = check(&schema(name), v, name);
    assert!(
        problems.is_empty(),
        "{name} output breaks its schema: {problems:#?}\n{v:#}"
    );
}

fn json_of(f: &Fixture, args: &[&str]) -> serde_json::Value {
    let out = f.cmd().args(args).output().expect("runs");
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

#[test]
fn json_outputs_conform_to_the_shipped_schemas() {
    let f = Fixture::new();
    let signed = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Signed");
    f.sign(&signed, "alice", "approve").success();
    f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Unsigned");
    f.human_commit("README.md", "docs\n", "Human docs");

    let status = json_of(&f, &["status", "--format", "json"]);
    assert_eq!(status.as_array().map(Vec::len), Some(3));
    assert_conforms("status", &status);
    let verify = json_of(&f, &["verify", "--format", "json"]);
    assert_conforms("verify", &verify);
    let impact = json_of(&f, &["impact", "--format", "json"]);
    assert_conforms("impact", &impact);
    let show = json_of(&f, &["show", &signed.to_string(), "--format", "json"]);
    assert_eq!(show.as_array().map(Vec::len), Some(1));
    assert_conforms("show", &show);
    let report = json_of(&f, &["report", "HEAD", "--format", "json"]);
    assert_eq!(report["totals"]["commits"], 4);
    assert_conforms("report", &report);

    // The checker is not vacuous: a renamed field or a wrong type is caught.
    let mut broken = verify.clone();
    broken["commits"][0]["tier"] = serde_json::json!("high");
    broken.as_object_mut().expect("object").remove("ok");
    assert_eq!(check(&schema("verify"), &broken, "verify").len(), 2);
}

#[test]
fn with_format_json_an_error_is_one_json_object_on_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [
        &["status", "--format", "json"][..],
        &["verify", "--format", "json"][..],
        &["impact", "--format", "json"][..],
        &["show", "HEAD", "--format", "json"][..],
        &["report", "--format", "json"][..],
    ] {
        let out = plain(dir.path()).args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
            panic!(
                "{args:?}: stderr is not one JSON document ({e}): {:?}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_eq!(err["exit"], 2);
        assert!(
            err["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{err}"
        );
        assert_conforms("error", &err);
    }
    // Text stays text.
    let out = plain(dir.path()).args(["status"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("countersign: error:"));
}

#[test]
fn fetched_but_unmerged_signoffs_are_pointed_out_with_sync() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();
    // As after `git fetch` with init's refspec: the notes are the remote's, not merged here.
    f.t.git(&[
        "update-ref",
        "refs/notes/remotes/origin/countersign",
        "refs/notes/countersign",
    ]);
    f.t.git(&["update-ref", "-d", "refs/notes/countersign"]);
    for args in [&["verify"][..], &["status"][..]] {
        let out = f.cmd().args(args).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("refs/notes/remotes/origin/countersign")
                && err.contains("countersign sync"),
            "{args:?} says where the sign-offs are and how to merge them: {err}"
        );
    }
    // Merged: no hint.
    f.t.git(&[
        "update-ref",
        "refs/notes/countersign",
        "refs/notes/remotes/origin/countersign",
    ]);
    let out = f.cmd().arg("verify").output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("countersign sync"));
}
