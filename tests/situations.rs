//! Situations a team meets outside the repository's content: paths with spaces in printed
//! hints, key files, policy files that are not files, input files with a BOM or on stdin.
//! Each gets the right answer, or one sentence with the fix (exit 2).

mod signoff_common;

use std::path::Path;
use std::time::Duration;

use signoff_common::countersign;

/// Hang guard, far above the second or so any of these takes.
const WATCHDOG: Duration = Duration::from_secs(120);

fn output(cmd: &mut assert_cmd::Command) -> (Option<i32>, String, String) {
    let out = cmd.timeout(WATCHDOG).output().expect("countersign runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `line` with sh in `dir`, the freshly built countersign first on PATH.
fn sh(dir: &Path, line: &str) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("countersign");
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::process::Command::new("sh")
        .args(["-c", line])
        .current_dir(dir)
        .env("PATH", path)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("sh runs")
}

/// The hints `demo` and `keygen` print run as printed when the path holds spaces (they were
/// printed unquoted, so the shell split them).
#[test]
fn demo_and_keygen_hints_quote_paths_with_spaces() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("my demo");
    let (code, out, err) = output(
        countersign(dir.path())
            .args(["demo", "--no-tui", "--dir"])
            .arg(&demo),
    );
    assert!(matches!(code, Some(0 | 1)), "{err}");
    let hint = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Review it:"))
        .unwrap_or_else(|| panic!("{out}"));
    let command = hint.trim().split("   (").next().expect("command");
    assert!(command.contains("'"), "quoted: {command}");
    let run = sh(dir.path(), &command.replace(" review", " status"));
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "`{command}` does not run as printed: {}",
        String::from_utf8_lossy(&run.stderr)
    );

    let key = dir.path().join("my keys/it's key");
    std::fs::create_dir_all(key.parent().expect("parent")).expect("mkdir");
    let (code, out, err) = output(
        countersign(dir.path())
            .args(["keygen", "--no-passphrase", "--out"])
            .arg(&key),
    );
    assert_eq!(code, Some(0), "{err}");
    let hint = out
        .lines()
        .find_map(|l| l.strip_prefix("Sign with it: "))
        .unwrap_or_else(|| panic!("{out}"));
    let command = hint.split("   (").next().expect("command");
    let repo = tempfile::tempdir().expect("repo");
    signoff_common::git_in(repo.path(), &["init", "-q"]);
    let run = sh(repo.path(), command);
    assert!(run.status.success(), "`{command}`");
    let set = signoff_common::git_in(repo.path(), &["config", "user.signingKey"]);
    assert_eq!(set.trim(), key.display().to_string());
}
