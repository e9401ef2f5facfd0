//! The README's command recipes, run as written: the fenced blocks are read from README.md
//! itself, so that a recipe that stops working fails here instead of in a user's terminal.

use crate::signoff_common;

use std::path::Path;
use std::process::Command;

use signoff_common::Fixture;

/// README.md's text.
fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md is readable")
}

/// A full clone of the fixture's `feature` branch in a fresh directory, as a CI checkout
/// with the whole history makes it: (the directory, the clone).
fn ci_clone(f: &Fixture) -> (tempfile::TempDir, std::path::PathBuf) {
    let ci = tempfile::tempdir().expect("tempdir");
    let clone = ci.path().join("clone");
    let out = Command::new("git")
        .args(["clone", "-q", "--branch", "feature"])
        .arg(f.path())
        .arg(&clone)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git clone");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (ci, clone)
}

/// The first fenced `sh` block of README.md whose text contains `marker`.
fn readme_block(marker: &str) -> String {
    let readme = readme();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match current.as_mut() {
            None if line.trim_start() == "```sh" => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_start() == "```" => blocks.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
        .into_iter()
        .find(|b| b.contains(marker))
        .unwrap_or_else(|| panic!("README.md has no ```sh block containing {marker:?}"))
}

/// The README's GitHub Actions workflow text.
fn readme_workflow() -> String {
    let readme = readme();
    let start = readme
        .find("```yaml\nname: countersign")
        .expect("the README has the GitHub Actions workflow");
    let yaml = &readme[start + 8..];
    yaml[..yaml.find("```").expect("the block ends")].to_string()
}

/// The steps with a `run:` of the README's GitHub Actions workflow, in order: (name, script,
/// whether the step runs in `${{ runner.temp }}` rather than the checkout).
fn readme_workflow_run_steps() -> Vec<(String, String, bool)> {
    let yaml = readme_workflow();
    let mut steps = Vec::new();
    let mut name = String::new();
    let mut in_temp = false;
    let mut lines = yaml.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if let Some(n) = t.strip_prefix("- name: ") {
            name = n.to_string();
            in_temp = false;
        } else if t == "working-directory: ${{ runner.temp }}" {
            in_temp = true;
        } else if let Some(run) = t.strip_prefix("run: ") {
            let indent = line.len() - t.len();
            let script = if run.trim() == "|" {
                let mut block = String::new();
                while let Some(next) = lines.peek() {
                    let ni = next.len() - next.trim_start().len();
                    if next.trim().is_empty() || ni <= indent {
                        break;
                    }
                    block.push_str(next.trim_start());
                    block.push('\n');
                    lines.next();
                }
                block
            } else {
                run.to_string()
            };
            steps.push((name.clone(), script, in_temp));
        }
    }
    steps
}

/// Runs `script` with bash in `dir`, with the freshly built countersign first on `PATH` and
/// the user's git configuration shut out.
fn run_bash(dir: &Path, script: &str) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("countersign");
    let bin_dir = bin.parent().expect("the binary has a directory");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env("COUNTERSIGN_REAL_BIN", &bin)
        .env_remove("COUNTERSIGN_KEY")
        .output()
        .expect("bash runs")
}

/// Vendors a gate at `tools/countersign` on main (the trusted branch), as the README's
/// recipes expect: a small crate that runs this build of countersign (`COUNTERSIGN_REAL_BIN`)
/// with its arguments, so that building it is quick and what it runs is the real gate.
fn vendor_gate(f: &Fixture) {
    f.t.checkout("main");
    f.t.write(
        "tools/countersign/Cargo.toml",
        "[package]\nname = \"countersign\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
    );
    f.t.write(
        "tools/countersign/Cargo.lock",
        "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = \"countersign\"\nversion = \"0.0.0\"\n",
    );
    f.t.write(
        "tools/countersign/src/main.rs",
        "fn main() {\n    let real = std::env::var_os(\"COUNTERSIGN_REAL_BIN\").expect(\"COUNTERSIGN_REAL_BIN\");\n    let status = std::process::Command::new(real)\n        .args(std::env::args_os().skip(1))\n        .status()\n        .expect(\"run countersign\");\n    std::process::exit(status.code().unwrap_or(2));\n}\n",
    );
    f.t.commit("Vendor the gate");
    f.t.checkout("feature");
}

/// Runs the README workflow's step `name` as GitHub would for a pull request into main from
/// the checkout `clone`, with `runner_temp` as `$RUNNER_TEMP` (outside the checkout).
fn run_workflow_step(
    name: &str,
    clone: &Path,
    runner_temp: &Path,
    summary: &Path,
) -> std::process::Output {
    let steps = readme_workflow_run_steps();
    let (_, script, in_temp) = steps
        .iter()
        .find(|(n, _, _)| n == name)
        .unwrap_or_else(|| panic!("no step {name:?}"));
    let workflow = readme_workflow();
    assert!(
        workflow.contains("RUSTUP_TOOLCHAIN: stable"),
        "the workflow pins the toolchain:\n{workflow}"
    );
    let base_sha = signoff_common::git_in(clone, &["rev-parse", "refs/remotes/origin/main"]);
    let env = format!(
        "export GITHUB_WORKSPACE={} RUNNER_TEMP={} GITHUB_STEP_SUMMARY={} \
         GITHUB_EVENT_NAME=pull_request BASE_REF=main BASE_SHA={} RUSTUP_TOOLCHAIN=stable\n",
        clone.display(),
        runner_temp.display(),
        summary.display(),
        base_sha.trim()
    );
    let dir = if *in_temp { runner_temp } else { clone };
    run_bash(dir, &format!("{env}{script}"))
}

#[test]
fn readme_openssh_recipe_verifies_a_real_signoff_as_written() {
    if !signoff_common::require_tool("jq") {
        return;
    }
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();

    let block = readme_block("ssh-keygen -Y verify");
    assert!(
        block.contains("4f2a1c9") && block.contains("alice@example.com"),
        "the recipe names the sample commit and principal this test substitutes:\n{block}"
    );
    // The sample commit id is the one thing a reader replaces; everything else runs as printed.
    let script = block.replace("4f2a1c9", &c.to_string());
    let out = run_bash(f.path(), &script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the README's recipe fails as written:\n{script}\nstdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stdout.contains("Good \"countersign\" signature for alice@example.com"),
        "ssh-keygen names the good signature: {stdout}{stderr}"
    );
}

/// The README's GitHub Actions steps, run as written in a CI-like clone (fetched from an
/// origin holding the base branch, the pull request's commits and the sign-off notes): the
/// gate is built from the base commit outside the checkout and passes with the sign-off, the
/// summary lands in `$GITHUB_STEP_SUMMARY`, and an unsigned AI commit pushed after it makes
/// the gate step fail.
#[test]
fn readme_github_workflow_steps_gate_a_real_clone() {
    let f = Fixture::new();
    vendor_gate(&f);
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();
    let names: Vec<String> = readme_workflow_run_steps()
        .into_iter()
        .map(|(n, _, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "Fetch sign-offs",
            "Fetch line-level provenance (git-ai)",
            "Build the gate from the base commit, outside the checkout",
            "Gate AI-generated commits",
            "Summary (verdicts and blast radius)"
        ],
        "the workflow's steps changed: update this test with it"
    );
    // What actions/checkout does with fetch-depth 0 and the PR head: a full clone.
    let (ci, clone) = ci_clone(&f);
    let temp = ci.path().join("runner-temp");
    std::fs::create_dir(&temp).unwrap();
    let summary = ci.path().join("summary.md");
    let run_step = |name: &str| run_workflow_step(name, &clone, &temp, &summary);
    for step in [
        "Fetch sign-offs",
        // The origin has no line notes: the step still succeeds.
        "Fetch line-level provenance (git-ai)",
        "Build the gate from the base commit, outside the checkout",
    ] {
        let out = run_step(step);
        assert!(
            out.status.success(),
            "{step}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let gate = run_step("Gate AI-generated commits");
    let text = String::from_utf8_lossy(&gate.stdout);
    assert!(
        gate.status.success(),
        "the signed change passes:\n{text}{}",
        String::from_utf8_lossy(&gate.stderr)
    );
    assert!(
        temp.join("notes-anchor").is_file(),
        "the anchor is recorded"
    );
    let summarised = run_step("Summary (verdicts and blast radius)");
    assert!(summarised.status.success());
    let md = std::fs::read_to_string(&summary).expect("the job summary was written");
    assert!(md.contains("Tweak f"), "{md}");
    assert!(md.contains("approved"), "{md}");

    // The agent pushes one more commit, unsigned: the same steps fail the job.
    let d = f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Tweak f again");
    let out = Command::new("git")
        .args(["pull", "-q", "--ff-only", "origin", "feature"])
        .current_dir(&clone)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git pull");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(run_step("Fetch sign-offs").status.success());
    let gate = run_step("Gate AI-generated commits");
    assert_eq!(
        gate.status.code(),
        Some(1),
        "an unsigned AI commit fails the gate"
    );
    let annotations = String::from_utf8_lossy(&gate.stdout);
    assert!(annotations.contains("::error"), "{annotations}");
    assert!(annotations.contains(&d.to_string()[..7]), "{annotations}");
}

/// The attack on the old recipe (which ran `cargo install --path tools/countersign` in the
/// checkout): the change edits the vendored gate to print "verify: OK" and exit 0, and adds
/// a `rust-toolchain.toml` and a `.cargo/config.toml` that cargo would obey in the checkout.
/// Run as written, the README's steps build the gate from the base commit outside the
/// checkout, and the gate fails the unsigned change.
#[test]
fn readme_github_workflow_builds_a_gate_the_change_cannot_touch() {
    let f = Fixture::new();
    vendor_gate(&f);
    f.t.write(
        "tools/countersign/src/main.rs",
        "fn main() {\n    println!(\"verify: OK\");\n}\n",
    );
    f.t.write(
        "rust-toolchain.toml",
        "[toolchain]\nchannel = \"countersign-evil-toolchain\"\n",
    );
    f.t.write(
        ".cargo/config.toml",
        "[build]\nrustc-wrapper = \"/bin/false\"\n",
    );
    f.t.write(
        "tools/countersign/rust-toolchain.toml",
        "[toolchain]\nchannel = \"countersign-evil-toolchain\"\n",
    );
    let c = f.t.commit_ai("kiro", "Speed up the gate");
    let (ci, clone) = ci_clone(&f);
    let temp = ci.path().join("runner-temp");
    std::fs::create_dir(&temp).unwrap();
    let summary = ci.path().join("summary.md");
    let run_step = |name: &str| run_workflow_step(name, &clone, &temp, &summary);
    assert!(run_step("Fetch sign-offs").status.success());
    let built = run_step("Build the gate from the base commit, outside the checkout");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let gate = run_step("Gate AI-generated commits");
    let out = String::from_utf8_lossy(&gate.stdout);
    assert_eq!(gate.status.code(), Some(1), "{out}");
    assert!(!out.contains("verify: OK"), "{out}");
    assert!(out.contains(&c.to_string()[..7]), "{out}");
}

/// The `script:` lines of the README's GitLab CI job (a plain scalar continued on the next
/// lines joined with spaces, as YAML folds it).
fn readme_gitlab_script() -> Vec<String> {
    let readme = readme();
    let start = readme
        .find("```yaml\ncountersign:")
        .expect("the README has the GitLab CI job");
    let yaml = &readme[start + 8..];
    let yaml = &yaml[..yaml.find("```").expect("the block ends")];
    let mut out: Vec<String> = Vec::new();
    let mut in_script = false;
    for line in yaml.lines() {
        let t = line.trim_start();
        if line.starts_with("  ") && !line.starts_with("    ") {
            in_script = t == "script:";
            continue;
        }
        if !in_script {
            continue;
        }
        match t.strip_prefix("- ") {
            Some(item) => out.push(item.to_string()),
            None => {
                if let Some(last) = out.last_mut() {
                    last.push(' ');
                    last.push_str(t);
                }
            }
        }
    }
    out
}

/// The README's GitLab job, its `script:` run as written in a merge request pipeline's clone.
#[test]
fn readme_gitlab_job_gates_a_real_clone() {
    let f = Fixture::new();
    vendor_gate(&f);
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let script = readme_gitlab_script();
    assert_eq!(script.len(), 9, "{script:?}");
    assert!(
        script[0].starts_with("export RUSTUP_TOOLCHAIN="),
        "the toolchain is pinned before cargo runs: {script:?}"
    );
    let (_ci, clone) = ci_clone(&f);
    let job = format!(
        "export CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main\n{}",
        script.join("\n")
    );
    // Unsigned: the job fails, and the JUnit report names the commit.
    let failed = run_bash(&clone, &job);
    assert_eq!(
        failed.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&failed.stderr)
    );
    let report = std::fs::read_to_string(clone.join("countersign.xml")).expect("the report");
    assert!(report.contains("<failure"), "{report}");
    assert!(report.contains(&c.to_string()[..7]), "{report}");
    // Signed and pushed: the same job passes.
    f.sign(&c, "alice", "approve").success();
    let passed = run_bash(&clone, &job);
    assert!(
        passed.status.success(),
        "{}{}",
        String::from_utf8_lossy(&passed.stdout),
        String::from_utf8_lossy(&passed.stderr)
    );
}

/// The README's `policy check` sample is this binary's output for the policy it quotes.
#[test]
fn readme_policy_check_sample_is_the_real_output() {
    let readme = readme();
    let intro = readme
        .find("`countersign policy check` prints every problem at once")
        .expect("the README shows a policy check sample");
    let block = &readme[intro..];
    let start = block.find("```text\n").expect("a text block") + 8;
    let sample = &block[start..start + block[start..].find("```").expect("the block ends")];
    // The sample's line 3 is the policy's `default_tier`: a policy with a comment line first.
    let policy = signoff_common::POLICY.replacen(
        "default_tier = \"supervised\"",
        "# the tier of paths no rule matches\ndefault_tier = \"supervisd\"",
        1,
    );
    let f = Fixture::with_policy(&policy);
    let out = f.cmd().args(["policy", "check"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(sample),
        "the README's sample:\n{sample}\nis not what policy check prints:\n{stderr}"
    );
}

/// The README's notes fetch, in both CI recipes: an origin with no sign-offs yet is a warning
/// that names `countersign sync` (and the gate then says the notes ref is missing rather than
/// only "no sign-off is recorded"); a fetch that fails fails the job instead of being hidden.
#[test]
fn readme_notes_fetch_fails_on_a_failed_fetch_and_warns_when_none_was_pushed() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let steps = readme_workflow_run_steps();
    let step = |name: &str| {
        steps
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, s, _)| s.clone())
            .expect("step")
    };
    let gitlab_fetch = readme_gitlab_script()
        .into_iter()
        .find(|l| l.contains("refs/notes/countersign"))
        .expect("the GitLab job fetches the notes");
    let (_ci, clone) = ci_clone(&f);

    for script in [step("Fetch sign-offs"), gitlab_fetch.clone()] {
        let out = run_bash(&clone, &script);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "no sign-offs pushed yet is not an error:\n{script}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.contains("countersign sync"), "{said}");
    }
    // The gate (here the binary under test) then names the missing notes ref.
    let gate = run_bash(
        &clone,
        "countersign verify refs/remotes/origin/main..HEAD --trusted-ref refs/remotes/origin/main --format github",
    );
    assert_eq!(gate.status.code(), Some(1));
    let annotations = String::from_utf8_lossy(&gate.stdout);
    assert!(
        annotations.contains(&c.to_string()[..7])
            && annotations.contains("refs/notes/countersign does not exist in this repository")
            && annotations.contains("countersign sync"),
        "{annotations}"
    );

    // An origin that cannot be read: the fetch fails the job.
    let out = Command::new("git")
        .args(["remote", "set-url", "origin", "/nonexistent/origin.git"])
        .current_dir(&clone)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git remote");
    assert!(out.status.success());
    for script in [step("Fetch sign-offs"), gitlab_fetch] {
        let out = run_bash(&clone, &script);
        assert!(
            !out.status.success(),
            "a failed fetch is not hidden:\n{script}\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// The README's agent loop, run as printed at each step of a review: a reject makes it exit
/// 10 with the prompt (naming the commit to fix); after the fix is squashed into that commit
/// it waits for a reviewer (11); once approved it exits 0, and `verify` passes.
#[test]
fn readme_agent_loop_runs_until_approved() {
    if !signoff_common::require_tool("jq") {
        return;
    }
    let f = Fixture::new();
    let data = tempfile::tempdir().expect("data dir");
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let script = format!(
        "export COUNTERSIGN_DATA_DIR={}\n{}",
        data.path().display(),
        readme_block("countersign-loop")
    );
    let run = || {
        let out = run_bash(f.path(), &script);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert_eq!(run().0, Some(11), "nothing signed: waiting for a reviewer");

    f.sign(&c, "alice", "reject").success();
    let (code, prompt) = run();
    assert_eq!(code, Some(10), "{prompt}");
    assert!(
        prompt.contains("## What to do") && prompt.contains(&c.to_string()[..7]),
        "{prompt}"
    );

    // The agent fixes the rejected commit itself, as the README says.
    f.t.write("src/lib.rs", "pub fn f() { 2; }\n");
    signoff_common::git_in(f.path(), &["commit", "-qa", "--fixup", &c.to_string()]);
    signoff_common::git_in(
        f.path(),
        &[
            "-c",
            "sequence.editor=:",
            "rebase",
            "-qi",
            "--autosquash",
            "refs/heads/main",
        ],
    );
    let (code, said) = run();
    assert_eq!(code, Some(11), "{said}");

    let head = f.t.repo.head().expect("head").target().expect("oid");
    f.sign(&head, "alice", "approve").success();
    let (code, said) = run();
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("approved, nothing left to do"), "{said}");
    assert_eq!(f.verify_json(&[]).0, 0);
}

/// The README's key table names only keys the workstation's one key table binds, and every
/// key the status line offers in the panels is in it (the two cannot drift apart).
#[test]
fn the_readme_key_table_names_the_keys_the_workstation_binds() {
    use countersign::tui::keymap::{self, KeyContext, TABLE};
    let readme = readme();
    let start = readme
        .find("| key | action | key | action |")
        .expect("the README's key table");
    let table = &readme[start..start + readme[start..].find("\n\n").expect("its end")];
    let bound: Vec<String> = TABLE
        .iter()
        .flat_map(|e| e.binds.iter().flat_map(|b| b.keys.iter().map(keymap::name)))
        .collect();
    let mut named = Vec::new();
    // Each quoted word is one key (`j`/`k` are quoted apart), but for `fg`, the shell's.
    for (i, quoted) in table.split('`').enumerate() {
        if i % 2 == 1 && quoted != "fg" {
            named.push(quoted.to_string());
        }
    }
    assert!(named.len() > 30, "{named:?}");
    for key in &named {
        assert!(
            bound.contains(key),
            "README names key {key:?}, which the workstation does not bind"
        );
    }
    for (keys, what) in keymap::hints(KeyContext::Panels) {
        let keys: Vec<&str> = if keys == "/" {
            vec!["/"]
        } else {
            keys.split('/').collect()
        };
        for key in keys {
            assert!(
                named.iter().any(|n| n == key),
                "the status line offers {key} ({what}); the README's key table lacks it"
            );
        }
    }
}
