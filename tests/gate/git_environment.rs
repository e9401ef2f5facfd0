//! The git environment a team meets, each in a real repository: `GIT_DIR` and
//! `GIT_WORK_TREE`, a repository owned by another user (`safe.directory`, also from the
//! command line's config), SHA-256 and reftable repositories, partial clones. Each gets the
//! right answer, or one sentence naming the cause and the fix (exit 2), as git would.

use crate::signoff_common;

use std::path::Path;
use std::time::Duration;

use signoff_common::{countersign, git_in, Fixture, TestRepo};

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

fn status_json(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let (code, out, err) = output(cmd.args(["status", "--format", "json"]));
    assert!(matches!(code, Some(0 | 1)), "{code:?} {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn commit_ids(status: &serde_json::Value) -> Vec<String> {
    status
        .as_array()
        .unwrap_or_else(|| panic!("{status}"))
        .iter()
        .map(|c| c["commit"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// git works on repository B when `GIT_DIR` and `GIT_WORK_TREE` name it, whatever the
/// current directory holds; so does countersign (it judged the repository around it).
#[test]
fn git_dir_and_git_work_tree_name_the_repository_judged() {
    let b = Fixture::new();
    let ai = b.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let a = TestRepo::new();
    a.write("README.md", "not this one\n");
    a.commit("A's own commit");
    let b_git = b.path().join(".git");
    let status = status_json(
        countersign(a.path())
            .env("GIT_DIR", &b_git)
            .env("GIT_WORK_TREE", b.path()),
    );
    assert_eq!(commit_ids(&status), [ai.to_string()]);

    // Relative values are relative to the directory countersign runs in, as git has them;
    // and with GIT_DIR alone, that directory is the top of the work tree.
    let parent = b.path().parent().expect("parent");
    let name = b
        .path()
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let status = status_json(
        countersign(parent)
            .env("GIT_DIR", format!("{name}/.git"))
            .env("GIT_WORK_TREE", &name),
    );
    assert_eq!(commit_ids(&status), [ai.to_string()]);
    let status = status_json(
        countersign(a.path())
            .arg("-C")
            .arg(b.path())
            .env("GIT_DIR", ".git"),
    );
    assert_eq!(commit_ids(&status), [ai.to_string()]);
}

/// Runs as root only: makes `dir` (recursively) owned by a uid that is not ours.
fn give_away(dir: &Path) -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root to make a repository owned by another user");
        return false;
    }
    let ok = std::process::Command::new("chown")
        .args(["-R", "54321:54321"])
        .arg(dir)
        .status()
        .expect("chown runs")
        .success();
    assert!(ok);
    true
}

/// A repository owned by another user: the error names the `safe.directory` fix; and
/// `safe.directory` given on the command line (`GIT_CONFIG_COUNT`, or `git -c`, which git
/// passes on in `GIT_CONFIG_PARAMETERS`) is honoured as git honours it.
#[test]
fn a_repository_owned_by_another_user_names_safe_directory_and_honours_it_from_the_command_line() {
    let f = Fixture::new();
    let ai = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    if !give_away(f.path()) {
        return;
    }
    let top = f.path().canonicalize().expect("path");
    let (code, _, err) = output(f.cmd().arg("status"));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("owned by another user")
            && err.contains(&format!(
                "git config --global --add safe.directory {}",
                top.display()
            )),
        "{err}"
    );
    // git agrees that it is refused, and that the fix works.
    let git = std::process::Command::new("git")
        .args(["status"])
        .current_dir(f.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(!git.status.success());

    let trusted = status_json(
        f.cmd()
            .env("GIT_CONFIG_COUNT", "1")
            .env("GIT_CONFIG_KEY_0", "safe.directory")
            .env("GIT_CONFIG_VALUE_0", &top),
    );
    assert_eq!(commit_ids(&trusted), [ai.to_string()]);
    let parameters = format!("'safe.directory'='{}'", top.display());
    let trusted = status_json(f.cmd().env("GIT_CONFIG_PARAMETERS", &parameters));
    assert_eq!(commit_ids(&trusted), [ai.to_string()]);
    // An empty value forgets the ones before it, as in git.
    let (code, _, err) = output(
        f.cmd()
            .env(
                "GIT_CONFIG_PARAMETERS",
                format!("{parameters} 'safe.directory'=''"),
            )
            .arg("status"),
    );
    assert_eq!(code, Some(2), "{err}");
    // Another directory's entry trusts nothing here.
    let (code, _, _) = output(
        f.cmd()
            .env("GIT_CONFIG_PARAMETERS", "'safe.directory'='/srv/elsewhere'")
            .arg("status"),
    );
    assert_eq!(code, Some(2));
}

/// `git init ARGS` in a new directory; None (with a note) when this git cannot make it.
fn init_with(args: &[&str]) -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new("git")
        .arg("init")
        .args(args)
        .arg(dir.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    if !out.status.success() {
        eprintln!("skipped: this git cannot run `git init {}`", args.join(" "));
        return None;
    }
    Some(dir)
}

#[test]
fn sha256_and_reftable_repositories_are_refused_as_unsupported() {
    for (args, says) in [
        (&["--object-format=sha256"][..], "SHA-256"),
        (&["--ref-format=reftable"][..], "reftable"),
    ] {
        let Some(dir) = init_with(args) else {
            continue;
        };
        for cmd in ["status", "verify"] {
            let (code, _, err) = output(countersign(dir.path()).arg(cmd));
            assert_eq!(code, Some(2), "{err}");
            assert!(
                err.contains(says) && err.contains("not support") && err.lines().count() == 1,
                "{err}"
            );
        }
    }
}

/// A partial clone of `f` made with `--filter=FILTER`, from a file:// origin that allows it.
fn partial_clone(f: &Fixture, filter: &str) -> tempfile::TempDir {
    git_in(f.path(), &["config", "uploadpack.allowFilter", "true"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", f.path().display());
    let out = std::process::Command::new("git")
        .args([
            "clone",
            "-q",
            "--no-local",
            &format!("--filter={filter}"),
            &url,
        ])
        .arg(dir.path().join("c"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git clone runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// `actions/checkout`'s `filter:` makes partial clones; libgit2 cannot fetch their missing
/// objects on demand. Every command names the cause and the fix, and the fix as printed
/// makes the clone work.
#[test]
fn partial_clones_name_the_cause_and_the_fix_that_works() {
    let f = Fixture::new();
    f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Tweak f again");
    for filter in ["blob:none", "tree:0"] {
        let dir = partial_clone(&f, filter);
        let clone = dir.path().join("c");
        for args in [
            &["status"][..],
            &["verify"],
            &["impact"],
            &["policy", "check"],
        ] {
            let (code, _, err) = output(countersign(&clone).args(args));
            assert_eq!(code, Some(2), "{args:?}: {err}");
            assert!(
                err.contains(&format!("partial clone (--filter={filter})"))
                    && err.contains("git fetch --refetch --no-filter origin"),
                "{args:?}: {err}"
            );
            assert!(!err.contains("object not found"), "{err}");
        }
        // The fix, run as printed.
        let (_, _, err) = output(countersign(&clone).arg("status"));
        let fix = err
            .split('`')
            .nth(1)
            .expect("the fix is quoted")
            .to_string();
        let run = std::process::Command::new("sh")
            .args(["-c", &fix])
            .current_dir(&clone)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("sh runs");
        assert!(
            run.status.success(),
            "{fix}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let (code, _, err) = output(countersign(&clone).args([
            "status",
            "--trusted-ref",
            "refs/remotes/origin/main",
        ]));
        assert!(matches!(code, Some(0 | 1)), "after `{fix}`: {err}");
    }
}

/// git's parent shorthands work as REVSPECs: `C^!` (C alone), `C^-` (what merge C brought
/// in), `C^@` (C's parents); `HEAD~1^2` on a commit that is not a merge says so.
#[test]
fn parent_shorthand_revspecs_work_and_a_missing_second_parent_is_named() {
    let f = Fixture::new();
    let first = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.t.git(&["checkout", "-q", "-b", "side", &f.base.to_string()]);
    let side = f.ai_commit("docs/readme.md", "# docs\nmore\n", "Docs");
    f.t.git(&["checkout", "-q", "feature"]);
    f.t.git(&["merge", "-q", "--no-ff", "-m", "Merge side", "side"]);
    let merge = f.t.git(&["rev-parse", "HEAD"]).trim().to_string();
    let ids = |spec: &str| {
        let (code, out, err) = output(f.cmd().args(["status", spec, "--format", "json"]));
        assert!(matches!(code, Some(0 | 1)), "{spec}: {err}");
        let json: serde_json::Value = serde_json::from_str(&out).expect("json");
        let mut ids = commit_ids(&json);
        ids.sort();
        ids
    };
    assert_eq!(ids("HEAD^!"), vec![merge.clone()]);
    let mut merged_in = vec![side.to_string(), merge.clone()];
    merged_in.sort();
    assert_eq!(ids("HEAD^-"), merged_in);
    let mut not_in_side = vec![first.to_string(), merge.clone()];
    not_in_side.sort();
    assert_eq!(ids("HEAD^-2"), not_in_side);
    let mut parents = vec![first.to_string(), side.to_string()];
    parents.sort();
    assert_eq!(ids("HEAD^@"), parents);

    let (code, _, err) = output(f.cmd().args(["status", "HEAD~1^2"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("HEAD~1 (")
            && err.contains("is not a merge (it has one parent), so ^2 names no commit"),
        "{err}"
    );
    let (code, _, err) = output(f.cmd().args(["status", "HEAD~9"]));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("is the first commit (it has no parent)"),
        "{err}"
    );
}
