//! The README's command recipes, run as written: the fenced blocks are read from README.md
//! itself, so that a recipe that stops working fails here instead of in a user's terminal.

mod signoff_common;

use std::path::Path;
use std::process::Command;

use signoff_common::Fixture;

/// The first fenced `sh` block of README.md whose text contains `marker`.
fn readme_block(marker: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md is readable");
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
        .env_remove("COUNTERSIGN_KEY")
        .output()
        .expect("bash runs")
}

#[test]
fn readme_openssh_recipe_verifies_a_real_signoff_as_written() {
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
