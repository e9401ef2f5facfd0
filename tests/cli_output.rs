//! How the text outputs meet a terminal: `--color`, the pager and the width.

mod signoff_common;

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
