//! `countersign man`: a page per subcommand, with keys, exit status, environment and files,
//! and no reference to a page that does not exist.

use std::collections::BTreeSet;

use crate::support;

/// Every `name(1)` a page points to, with roff's `\-` and font changes undone.
fn references(roff: &str) -> BTreeSet<String> {
    let plain = roff
        .replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fR", "")
        .replace("\\fI", "");
    let mut out = BTreeSet::new();
    for (i, _) in plain.match_indices("(1)") {
        let name: String = plain[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

#[test]
fn man_dir_writes_a_page_per_subcommand_and_no_dangling_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pages = dir.path().join("man1");
    support::countersign(dir.path())
        .args(["man", "--dir"])
        .arg(&pages)
        .assert()
        .success();
    let names: BTreeSet<String> = std::fs::read_dir(&pages)
        .expect("pages written")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    for want in [
        "countersign.1",
        "countersign-review.1",
        "countersign-verify.1",
        "countersign-status.1",
        "countersign-policy-check.1",
        "countersign-man.1",
    ] {
        assert!(names.contains(want), "{want} missing from {names:?}");
    }
    let mut referenced = 0;
    for name in &names {
        let roff = std::fs::read_to_string(pages.join(name)).expect("page readable");
        for r in references(&roff) {
            if r.starts_with("countersign") {
                referenced += 1;
                assert!(
                    names.contains(&format!("{r}.1")),
                    "{name} points to {r}(1), which was not written"
                );
            }
        }
        for section in [".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH FILES"] {
            assert!(roff.contains(section), "{name} lacks {section}");
        }
        for var in [
            "COUNTERSIGN_KEY",
            "COUNTERSIGN_PASSPHRASE",
            "NO_COLOR",
            "PAGER",
            "COUNTERSIGN_PROGRESS_AFTER_MS",
        ] {
            assert!(roff.contains(var), "{name} does not name {var}");
        }
    }
    assert!(
        referenced >= 10,
        "countersign(1) lists the subcommand pages"
    );
    let review = std::fs::read_to_string(pages.join("countersign-review.1")).expect("review");
    assert!(review.contains(".SH KEYS"), "review's page lists its keys");
    // Every line of the workstation's one key table, as its `?` overlay shows it, under its
    // layer's heading; the keys once missing (V, C, A / R, Y, I, w, g / G) among them.
    let plain = review.replace("\\-", "-").replace("\\e", "\\");
    let mut listed = 0;
    for (layer, lines) in countersign::tui::keymap::help_sections() {
        assert!(plain.contains(&format!(".SS \"{layer}\"")), "{layer}");
        for (keys, what) in lines {
            let entry = format!(".TP\n\\fB{keys}\\fR\n{what}\n");
            assert!(
                plain.contains(&entry),
                "{entry:?} in countersign-review(1):\n{plain}"
            );
            listed += 1;
        }
    }
    assert_eq!(listed, countersign::tui::keymap::TABLE.len());
    for key in [
        "\\fBV\\fR",
        "\\fBC\\fR",
        "\\fBA / R\\fR",
        "\\fBY\\fR",
        "\\fBI\\fR",
        "\\fBw\\fR",
        "\\fBg, Home / G, End\\fR",
    ] {
        assert!(plain.contains(key), "{key} in countersign-review(1)");
    }
    let verify = std::fs::read_to_string(pages.join("countersign-verify.1")).expect("verify");
    assert!(
        verify.contains("\\fB1\\fR\na violation"),
        "verify's exit 1 documented"
    );
}

#[test]
fn man_without_dir_still_prints_countersign_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = support::countersign(dir.path())
        .arg("man")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let roff = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        roff.starts_with(".ie") || roff.contains(".TH countersign"),
        "{roff:.200}"
    );
    assert!(roff.contains(".SH ENVIRONMENT"));
}

/// What bash completes for `line` (words split on spaces; the last is the one completed),
/// with the script `countersign completions bash` prints sourced, in `repo`.
fn complete(script: &std::path::Path, repo: &std::path::Path, line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split(' ').collect();
    let array = words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let program = format!(
        "source '{}'\nCOMP_WORDS=({array})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n_countersign_dynamic countersign '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        words.len() - 1,
        words[words.len() - 1],
        words.get(words.len().wrapping_sub(2)).copied().unwrap_or(""),
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", repo)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    got.sort();
    got
}

#[test]
fn bash_completes_revisions_for_revspec_and_theme_names_for_theme() {
    let t = support::TestRepo::new();
    t.write("a.txt", "a\n");
    t.commit("first");
    t.branch("feature-x");
    t.git(&["tag", "v1.0"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("countersign.bash");
    let out = support::countersign(t.path())
        .args(["completions", "bash"])
        .output()
        .expect("runs");
    std::fs::write(&script, &out.stdout).expect("write script");

    assert_eq!(
        complete(&script, t.path(), "countersign status fea"),
        ["feature-x"]
    );
    assert_eq!(
        complete(&script, t.path(), "countersign verify v1"),
        ["v1.0"]
    );
    assert_eq!(
        complete(&script, t.path(), "countersign impact main..fe"),
        ["main..feature-x"]
    );
    assert_eq!(
        complete(&script, t.path(), "countersign verify --trusted-ref fe"),
        ["feature-x"]
    );
    assert_eq!(
        complete(&script, t.path(), "countersign review --theme l"),
        ["light"]
    );
    // Flags still come from clap.
    assert!(
        complete(&script, t.path(), "countersign verify --for").contains(&"--format".to_string())
    );
}

/// A repository with a branch `feature-x` and a tag `v1.0`, and the completion script for
/// `shell` written beside it.
fn completion_fixture(shell: &str) -> (support::TestRepo, tempfile::TempDir, std::path::PathBuf) {
    let t = support::TestRepo::new();
    t.write("a.txt", "a\n");
    t.commit("first");
    t.branch("feature-x");
    t.git(&["tag", "v1.0"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join(format!("countersign.{shell}"));
    let out = support::countersign(t.path())
        .args(["completions", shell])
        .output()
        .expect("runs");
    assert!(out.status.success());
    std::fs::write(&script, &out.stdout).expect("write script");
    let themes = dir.path().join("config/countersign/themes");
    std::fs::create_dir_all(&themes).expect("themes dir");
    std::fs::write(themes.join("solarized.toml"), "").expect("theme");
    (t, dir, script)
}

fn lines_of(out: std::process::Output) -> Vec<String> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// fish's own completion engine (`complete -C`) on the script: revisions for REVSPEC (after
/// `A..` too) and `--trusted-ref`, theme names for `--theme`.
#[test]
fn fish_completes_revisions_and_theme_names() {
    if !support::require_tool("fish") {
        return;
    }
    let (t, dir, script) = completion_fixture("fish");
    let complete = |line: &str| {
        lines_of(
            std::process::Command::new("fish")
                .args(["--no-config", "-c"])
                .arg(format!(
                    "source '{}'; complete -C '{line}'",
                    script.display()
                ))
                .current_dir(t.path())
                .env("XDG_CONFIG_HOME", dir.path().join("config"))
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .output()
                .expect("fish runs"),
        )
    };
    assert_eq!(complete("countersign review fea"), ["feature-x"]);
    assert_eq!(complete("countersign verify main..v"), ["main..v1.0"]);
    assert_eq!(
        complete("countersign status --trusted-ref fe"),
        ["feature-x"]
    );
    let themes = complete("countersign review --theme ");
    for name in ["dark", "light", "solarized"] {
        assert!(themes.contains(&name.to_string()), "{themes:?}");
    }
}

/// zsh: the script parses, its REVSPEC, `--trusted-ref`, `--rev` and `--theme` specs call
/// the helpers, and the helpers offer the repository's revisions and the theme names
/// (`compadd` and `compset` stand in for the completion system's builtins).
#[test]
fn zsh_completes_revisions_and_theme_names() {
    if !support::require_tool("zsh") {
        return;
    }
    let (t, dir, script) = completion_fixture("zsh");
    let text = std::fs::read_to_string(&script).expect("script");
    let check = std::process::Command::new("zsh")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("zsh runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for spec in ["'::revspec", "'--trusted-ref=", "'--rev="] {
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with(spec)).collect();
        assert!(!lines.is_empty(), "{spec}");
        assert!(
            lines.iter().all(|l| l.ends_with(":_countersign_revs' \\")),
            "{lines:?}"
        );
    }
    assert!(text.contains(":NAME:_countersign_themes'"), "--theme");
    let run = |call: &str| {
        lines_of(
            std::process::Command::new("zsh")
                .args(["-f", "-c"])
                .arg(format!(
                    "source <(sed -n '/^_countersign_revs()/,/^}}/p;/^_countersign_themes()/,/^}}/p' '{}')\n\
                     compset() {{ return 1 }}\n\
                     compadd() {{ print -l -- ${{(P)2}} }}\n\
                     {call}",
                    script.display()
                ))
                .current_dir(t.path())
                .env("XDG_CONFIG_HOME", dir.path().join("config"))
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .output()
                .expect("zsh runs"),
        )
    };
    let revs = run("_countersign_revs");
    for r in ["feature-x", "v1.0", "HEAD"] {
        assert!(revs.contains(&r.to_string()), "{revs:?}");
    }
    assert_eq!(run("_countersign_themes"), ["dark", "light", "solarized"]);
}
