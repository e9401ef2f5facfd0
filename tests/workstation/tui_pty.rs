//! End-to-end: `countersign review` in a real pseudo-terminal (tmux), driven by keys, read
//! back with `capture-pane`. After every exit — quit, Ctrl-C, a panic — the shell that ran it
//! prints `stty -a`, which must show the terminal back in cooked mode (`icanon`, `echo`).
//!
//! Each test runs its own tmux server (`-L`), so nothing touches the user's sessions. Skipped
//! (`skipped: tmux not found`) where tmux is not installed; CI installs it and forbids the skip.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a step may take before the test calls it a hang: far above the expected second
/// or two, because these tests share the machine with compilers (30 s was reached at load 15).
const HANG_GUARD: Duration = Duration::from_secs(120);

static NEXT: AtomicUsize = AtomicUsize::new(0);

struct Tmux {
    socket: String,
    /// Held while the session lives: at most two sessions run at once, so that a loaded
    /// 2-core machine still draws every screen well inside the waits.
    _slot: std::sync::MutexGuard<'static, ()>,
}

/// Two slots for tmux sessions (a test takes the first free one).
static SLOTS: [std::sync::Mutex<()>; 2] = [std::sync::Mutex::new(()), std::sync::Mutex::new(())];

/// A free slot, waiting for one when both are taken.
fn slot() -> std::sync::MutexGuard<'static, ()> {
    loop {
        for s in &SLOTS {
            match s.try_lock() {
                Ok(g) => return g,
                Err(std::sync::TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Tmux {
    /// Starts `script` (run by sh) in a detached w×h session; None without tmux.
    fn start(script: &str, w: u16, h: u16) -> Option<Tmux> {
        if !support::require_tool("tmux") {
            return None;
        }
        let slot = slot();
        let socket = format!(
            "countersign-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
            ])
            .args(["-x", &w.to_string(), "-y", &h.to_string()])
            .arg(format!("sh -c '{}'", script.replace('\'', "'\\''")))
            .env("TERM", "xterm-256color")
            .status()
            .expect("running tmux");
        assert!(status.success(), "tmux new-session failed");
        Some(Tmux {
            socket,
            _slot: slot,
        })
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("running tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends tmux key names (`j`, `Enter`, `C-c`) one by one, or literal text with `-l`.
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "t", k]);
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Sends a dialog's confirming key once the dialog has been on screen long enough for it
    /// to count (a dialog ignores it for 250 ms after it is drawn: DESIGN, "Deliberate acts").
    fn confirm(&self, key: &str) {
        std::thread::sleep(Duration::from_millis(400));
        self.keys(&[key]);
    }

    /// Presses `key` (`a` / `A`) until the sign dialog is on screen: before the change has
    /// been read in full (renames, binary files, the content scan) the key only says so,
    /// which on a loaded machine can outlast the first screen by seconds.
    fn open_sign_dialog(&self, key: &str) -> String {
        let start = Instant::now();
        loop {
            self.keys(&[key]);
            std::thread::sleep(Duration::from_millis(500));
            let s = self.screen();
            if s.contains("Approve and sign") {
                return s;
            }
            if start.elapsed() > HANG_GUARD {
                panic!("the sign dialog never opened; the screen shows:\n{s}");
            }
        }
    }

    fn text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Pastes `text` as a terminal does (bracketed, when the program asked for it).
    fn paste(&self, text: &str) {
        self.tmux(&["set-buffer", "-b", "p", "--", text]);
        self.tmux(&["paste-buffer", "-p", "-b", "p", "-t", "t"]);
        std::thread::sleep(Duration::from_millis(60));
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// Waits until the screen contains `needle`; panics with the screen after [`HANG_GUARD`].
    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            if start.elapsed() > HANG_GUARD {
                panic!("timed out waiting for {needle:?}; the screen shows:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

struct Demo {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    data: PathBuf,
    config: PathBuf,
}

fn demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let made = countersign::demo::build(&dir.path().join("demo")).unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    Demo {
        repo: made.repo,
        data,
        config,
        _dir: dir,
    }
}

/// A shell script that runs `review` in the demo, then reports its exit status and the
/// terminal's mode, then waits so the pane can be read.
fn script(d: &Demo, env: &str) -> String {
    format!(
        "cd {repo} && {env} COUNTERSIGN_DATA_DIR={data} COUNTERSIGN_CONFIG_DIR={config} {bin} review; \
         echo EXIT=$?; echo MODES $(stty -a | tr \" ;\" \"\\n\\n\" | grep -x -e icanon -e -icanon -e echo -e -echo) END; sleep 60",
        repo = sh_path(&d.repo),
        data = sh_path(&d.data),
        config = sh_path(&d.config),
        bin = env!("CARGO_BIN_EXE_countersign"),
    )
}

fn sh_path(p: &Path) -> String {
    p.display().to_string()
}

/// The screen after the program exited shows its status and a cooked terminal.
fn assert_restored(t: &Tmux, exit: &str) -> String {
    let s = t.wait_for(" END");
    assert!(s.contains(&format!("EXIT={exit}")), "{s}");
    let modes = s
        .lines()
        .find(|l| l.starts_with("MODES "))
        .unwrap_or_default()
        .to_string();
    let words: Vec<&str> = modes.split_whitespace().collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "terminal left raw: {modes:?}\n{s}"
    );
    // The alternate screen is gone: no panel borders remain.
    assert!(
        !s.contains("╭ Change"),
        "the workstation is still on screen:\n{s}"
    );
    s
}

#[test]
fn review_navigate_mark_comment_approve_quit() {
    let d = demo();
    let Some(t) = Tmux::start(&script(&d, ""), 130, 36) else {
        return;
    };
    t.wait_for("0/5 viewed");
    t.keys(&["]"]);
    t.wait_for("docs/reporting.md · unified");
    t.keys(&["]"]);
    t.wait_for("crates/auth/src/tokens.rs · unified");
    t.keys(&["}", "j", "v"]);
    t.wait_for("1/5 viewed");
    t.keys(&["c"]);
    t.wait_for("Comment on crates/auth/src/tokens.rs");
    t.text("is the cache bounded?");
    t.keys(&["Enter"]);
    let s = t.wait_for("1/5 viewed");
    assert!(s.contains("✎"), "the commented line is marked:\n{s}");
    t.keys(&["s"]);
    t.wait_for("side-by-side");
    // `A` then `e`: the whole range, every commit (`a` would sign tokens.rs's commit alone).
    t.keys(&["A", "e"]);
    let s = t.wait_for("the range, every commit");
    assert!(s.contains("files viewed: 1 of 5"), "{s}");
    assert!(s.contains("is the cache bounded?"), "{s}");
    t.confirm("y");
    t.wait_for("not marked viewed");
    t.confirm("y");
    // Signing (on a worker) reports its outcome in the dialog; a key closes it.
    let s = t.wait_for("signed: approve");
    assert!(s.contains("state: approved"), "{s}");
    t.keys(&["y"]);
    let start = Instant::now();
    loop {
        let s = t.screen();
        if !s.contains("Approve and sign") {
            break;
        }
        assert!(
            start.elapsed() < HANG_GUARD,
            "the dialog did not close:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    t.keys(&["q"]);
    assert_restored(&t, "0");

    // The mark and the draft survive the run.
    let saved = std::fs::read_dir(d.data.join("reviews"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let json = std::fs::read_to_string(saved).unwrap();
    assert!(json.contains("crates/auth/src/tokens.rs"), "{json}");
    assert!(json.contains("is the cache bounded?"), "{json}");
}

#[test]
fn resizing_while_running_redraws_and_a_tiny_terminal_asks_for_room() {
    let d = demo();
    let Some(t) = Tmux::start(&script(&d, ""), 130, 36) else {
        return;
    };
    t.wait_for("0/5 viewed");
    t.tmux(&["resize-window", "-t", "t", "-x", "80", "-y", "24"]);
    let s = t.wait_for("╭ Change");
    assert!(s.lines().all(|l| l.chars().count() <= 80), "{s}");
    t.tmux(&["resize-window", "-t", "t", "-x", "20", "-y", "5"]);
    t.wait_for("needs");
    t.tmux(&["resize-window", "-t", "t", "-x", "120", "-y", "30"]);
    t.wait_for("╭ Change");
    t.keys(&["q"]);
    assert_restored(&t, "0");
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let d = demo();
    let Some(t) = Tmux::start(&script(&d, ""), 120, 30) else {
        return;
    };
    t.wait_for("0/5 viewed");
    t.keys(&["c"]);
    t.wait_for("Comment on");
    t.text("keep me");
    // In the comment box Ctrl-C closes it and keeps the draft; outside it, it quits.
    t.keys(&["C-c"]);
    t.wait_for("the draft is kept");
    t.keys(&["C-c"]);
    assert_restored(&t, "130");
}

/// The pane's terminal modes: alternate screen, mouse reporting, cursor shown.
fn pane_flags(t: &Tmux) -> String {
    t.tmux(&[
        "display-message",
        "-p",
        "-t",
        "t",
        "#{alternate_on} #{mouse_any_flag} #{cursor_flag}",
    ])
    .trim()
    .to_string()
}

/// The process state letter `ps` gives (`T` stopped, `S` sleeping).
fn proc_state(pid: &str) -> String {
    let out = Command::new("ps")
        .args(["-o", "stat=", "-p", pid])
        .output()
        .expect("running ps");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < HANG_GUARD, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Ctrl-Z and an outside SIGTSTP stop the workstation with the terminal given back (main
/// screen, mouse reporting off, cursor shown, cooked mode); SIGCONT (what `fg` sends) takes
/// it again and redraws the whole screen, and keys work as before.
#[test]
fn ctrl_z_and_sigtstp_suspend_and_sigcont_redraws() {
    for how in ["C-z", "-TSTP"] {
        let d = demo();
        let script = format!(
            "cd {repo} && COUNTERSIGN_DATA_DIR={data} COUNTERSIGN_CONFIG_DIR={config} {bin} review; \
             echo EXIT=$?; echo MODES $(stty -a | tr \" ;\" \"\\n\\n\" | grep -x -e icanon -e -icanon -e echo -e -echo) END; sleep 60",
            repo = sh_path(&d.repo),
            data = sh_path(&d.data),
            config = sh_path(&d.config),
            bin = env!("CARGO_BIN_EXE_countersign"),
        );
        let Some(t) = Tmux::start(&script, 120, 30) else {
            return;
        };
        t.wait_for("0/5 viewed");
        let pid = program_pid(&t);
        if how == "C-z" {
            t.keys(&["C-z"]);
        } else {
            let sent = Command::new("kill")
                .args([how, &pid])
                .status()
                .expect("running kill");
            assert!(sent.success());
        }
        wait_until("the process to stop", || proc_state(&pid).starts_with('T'));
        wait_until("the terminal to be given back", || {
            pane_flags(&t) == "0 0 1"
        });
        let cont = Command::new("kill")
            .args(["-CONT", &pid])
            .status()
            .expect("running kill");
        assert!(cont.success());
        wait_until("the workstation to take the screen again", || {
            pane_flags(&t).starts_with("1 ")
        });
        let s = t.wait_for("0/5 viewed");
        assert!(s.contains("╭ Change"), "{how}: redrawn in full:\n{s}");
        t.keys(&["]"]);
        t.wait_for("docs/reporting.md · unified");
        t.keys(&["q"]);
        assert_restored(&t, "0");
    }
}

/// `TERM=dumb` (an Emacs shell, some CI runners): `review` does not draw a full screen it
/// cannot show; it exits 2 pointing to `status` and `--snapshot`.
#[test]
fn term_dumb_is_refused_with_the_commands_that_work_there() {
    let d = demo();
    let Some(t) = Tmux::start(&script(&d, "TERM=dumb"), 160, 30) else {
        return;
    };
    let s = t.wait_for(" END");
    assert!(s.contains("EXIT=2"), "{s}");
    let joined = s.replace('\n', "");
    assert!(
        joined.contains("TERM=dumb")
            && joined.contains("countersign status")
            && joined.contains("--snapshot"),
        "{s}"
    );
    assert!(!s.contains("╭ Change"), "{s}");
}

/// The pid of the program the pane's shell is running (its only child).
fn program_pid(t: &Tmux) -> String {
    let shell = t.tmux(&["display-message", "-p", "-t", "t", "#{pane_pid}"]);
    let out = Command::new("ps")
        .args(["-o", "pid=", "--ppid", shell.trim()])
        .output()
        .expect("running ps");
    let pids = String::from_utf8_lossy(&out.stdout).into_owned();
    let pid = pids
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(!pid.is_empty(), "no child of the pane's shell {shell:?}");
    pid
}

/// SIGTERM and SIGHUP restore the terminal as `q` does: cooked mode, main screen, mouse
/// reporting off, cursor shown; the exit status is 128 + the signal.
#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for (signal, status) in [("-TERM", "143"), ("-HUP", "129")] {
        let d = demo();
        let Some(t) = Tmux::start(&script(&d, ""), 120, 30) else {
            return;
        };
        t.wait_for("0/5 viewed");
        // Open a dialog first: the signal must get through it, as Ctrl-C does.
        t.keys(&["?"]);
        t.wait_for("Keys");
        let pid = program_pid(&t);
        let killed = Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("running kill");
        assert!(killed.success());
        assert_restored(&t, status);
        let flags = t.tmux(&[
            "display-message",
            "-p",
            "-t",
            "t",
            "#{alternate_on} #{mouse_any_flag} #{cursor_flag}",
        ]);
        assert_eq!(
            flags.trim(),
            "0 0 1",
            "{signal}: alternate screen, mouse reporting, cursor shown"
        );
    }
}

#[test]
fn a_panic_restores_the_terminal_and_prints_its_message() {
    let d = demo();
    let Some(t) = Tmux::start(
        &script(&d, "RUST_BACKTRACE=0 COUNTERSIGN_TEST_PANIC=1"),
        120,
        30,
    ) else {
        return;
    };
    let s = assert_restored(&t, "101");
    // The message is printed on the normal screen, above the shell's next line (not
    // overwritten by a second screen switch).
    let message = s.find("injected panic").unwrap_or(usize::MAX);
    assert!(message < s.find("EXIT=").unwrap_or(0), "{s}");
}

/// Builds the demo with the binary (`countersign demo --no-tui --dir D`) and returns D.
fn demo_by_cli() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("demo");
    let out = Command::new(env!("CARGO_BIN_EXE_countersign"))
        .args(["demo", "--no-tui", "--dir"])
        .arg(&d)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    for sub in ["data", "config"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    (dir, d)
}

/// Runs `review` on `repo` in a shell script like [`script`], with the data and config
/// directories under `root`.
fn review_script(root: &Path, repo: &Path) -> String {
    format!(
        "cd {repo} && COUNTERSIGN_DATA_DIR={root}/data COUNTERSIGN_CONFIG_DIR={root}/config {bin} review; \
         echo EXIT=$?; echo MODES $(stty -a | tr \" ;\" \"\\n\\n\" | grep -x -e icanon -e -icanon -e echo -e -echo) END; sleep 60",
        repo = sh_path(repo),
        root = sh_path(root),
        bin = env!("CARGO_BIN_EXE_countersign"),
    )
}

/// The full id of the demo commit whose summary contains `summary`.
fn commit_with(repo: &Path, summary: &str) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["log", "--format=%H %s", "main..HEAD"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.contains(summary))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_else(|| panic!("no commit {summary:?}"))
        .to_string()
}

fn countersign(repo: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_countersign"))
        .current_dir(repo)
        .args(args)
        .output()
        .unwrap()
}

/// The main flow end to end: the demo built by the binary, reviewed in a real terminal
/// (files, hunks, viewed marks, a comment, the impact panel), approved with `a` then `y`;
/// then `verify` passes the supervised commit and `show` finds alice's approval with the
/// comment and the evidence in the signed payload.
#[test]
fn approve_in_the_workstation_then_verify_and_show_see_it() {
    let (root, demo) = demo_by_cli();
    let repo = demo.join("repo");
    let supervised = commit_with(&repo, "Cache decoded tokens");
    assert_eq!(
        countersign(&repo, &["verify", &supervised]).status.code(),
        Some(1),
        "unsigned, the supervised commit fails the gate"
    );
    let Some(t) = Tmux::start(&review_script(root.path(), &repo), 130, 40) else {
        return;
    };
    t.wait_for("0/5 viewed");
    // The impact panel fills in beside the diff.
    t.wait_for("modules:");
    t.keys(&["v", "]", "v", "]"]);
    t.wait_for("crates/auth/src/tokens.rs · unified");
    t.keys(&["}", "{", "j", "j"]);
    t.keys(&["c"]);
    t.wait_for("Comment on crates/auth/src/tokens.rs");
    t.text("bounded cache, ok");
    t.keys(&["Enter"]);
    t.keys(&["v", "]", "v", "]", "v"]);
    t.wait_for("5/5 viewed");
    t.keys(&["A", "e"]);
    let s = t.wait_for("the range, every commit");
    assert!(s.contains("files viewed: 5 of 5"), "{s}");
    t.confirm("y");
    let s = t.wait_for("signed: approve");
    assert!(s.contains("as alice@example.com"), "{s}");
    assert!(s.contains("state: approved"), "{s}");
    t.keys(&["y"]);
    t.keys(&["q"]);
    assert_restored(&t, "0");

    let verify = countersign(&repo, &["verify", &supervised]);
    let text = String::from_utf8_lossy(&verify.stdout);
    assert_eq!(verify.status.code(), Some(0), "{text}");
    assert!(text.contains("approved"), "{text}");
    let status = countersign(&repo, &["status", &supervised, "--format", "json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status[0]["state"], "approved", "{status}");
    let show = countersign(&repo, &["show", &supervised, "--format", "json"]);
    let show: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let signoffs = show.as_array().unwrap();
    assert_eq!(signoffs.len(), 1, "{show}");
    assert_eq!(signoffs[0]["principal"], "alice@example.com");
    assert_eq!(signoffs[0]["decision"], "approve");
    assert_eq!(signoffs[0]["valid"], true);
    let payload: serde_json::Value =
        serde_json::from_str(signoffs[0]["payload"].as_str().unwrap()).unwrap();
    let comment = payload["comment"].as_str().unwrap();
    assert!(
        comment.contains("crates/auth/src/tokens.rs:") && comment.contains("bounded cache, ok"),
        "{payload}"
    );
    assert_eq!(payload["evidence"]["interface"], "tui");
    assert_eq!(payload["evidence"]["files_viewed"], 1);
    assert_eq!(payload["evidence"]["files_total"], 1);
    assert_eq!(payload["evidence"]["impact_shown"], true, "{payload}");
}

/// An encrypted key: the passphrase is asked inside the dialog; a wrong one is an error
/// there and nothing is written; the right one signs.
#[test]
fn an_encrypted_key_is_unlocked_inside_the_dialog() {
    let (root, demo) = demo_by_cli();
    let repo = demo.join("repo");
    // The demo key, encrypted (same public key, so the roster still lists it).
    let text = std::fs::read_to_string(demo.join("keys/alice")).unwrap();
    let key = ssh_key::PrivateKey::from_openssh(text.trim()).unwrap();
    let encrypted = countersign_core::signoff::keys::encrypt(&key, "pass").unwrap();
    let path = demo.join("keys/alice-locked");
    countersign_core::signoff::keys::write_new_key_pair(&encrypted, &path).unwrap();
    let set = Command::new("git")
        .arg("-C")
        .arg(&repo)
        .args(["config", "user.signingKey"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(set.success());
    let supervised = commit_with(&repo, "Cache decoded tokens");
    let Some(t) = Tmux::start(&review_script(root.path(), &repo), 130, 40) else {
        return;
    };
    t.wait_for("0/5 viewed");
    // `A`: the range's commits that need a sign-off (the first file's commit needs none).
    t.open_sign_dialog("A");
    t.confirm("y");
    t.wait_for("not marked viewed");
    t.confirm("y");
    t.wait_for("key passphrase:");
    t.text("wrong");
    t.confirm("Enter");
    t.wait_for("wrong passphrase");
    // Asked again (the error and the new prompt may reach the pane in separate frames).
    let s = t.wait_for("key passphrase:");
    assert!(s.contains("wrong passphrase"), "{s}");
    let notes = countersign(&repo, &["show", &supervised, "--format", "json"]);
    let notes: serde_json::Value = serde_json::from_slice(&notes.stdout).unwrap();
    assert_eq!(notes.as_array().map(Vec::len), Some(0), "nothing written");
    t.text("pass");
    t.confirm("Enter");
    t.wait_for("signed: approve");
    t.keys(&["Escape", "q"]);
    assert_restored(&t, "0");
    assert_eq!(
        countersign(&repo, &["verify", &supervised]).status.code(),
        Some(0)
    );
}

/// A script like [`script`] with `review` given `args` and its stdout sent to `out`.
fn script_with(d: &Demo, env: &str, args: &str, out: &Path) -> String {
    format!(
        "cd {repo} && {env} COUNTERSIGN_DATA_DIR={data} COUNTERSIGN_CONFIG_DIR={config} {bin} review {args} > {out}; \
         echo EXIT=$?; echo MODES $(stty -a | tr \" ;\" \"\\n\\n\" | grep -x -e icanon -e -icanon -e echo -e -echo) END; sleep 60",
        repo = sh_path(&d.repo),
        data = sh_path(&d.data),
        config = sh_path(&d.config),
        bin = env!("CARGO_BIN_EXE_countersign"),
        out = sh_path(out),
    )
}

/// Issue 13's loop end to end on the demo: a comment on a line range (`V`) and one on a
/// single line, a signed reject, and the review comes out as a prompt on stdout (`--stdout`)
/// while the screen was on the terminal. Then a script plays the agent: it adds lines above
/// both comments (the range comment's lines move) and rewrites the other comment's line, and
/// commits. `feedback` on the new range finds the first comment at its new lines and says the
/// other is outdated; `--unresolved` keeps the moved one only.
#[test]
fn review_stdout_prompt_then_feedback_finds_moved_and_outdated_comments() {
    let d = demo();
    let out = d.data.with_extension("prompt.md");
    let Some(t) = Tmux::start(&script_with(&d, "", "--stdout", &out), 130, 36) else {
        return;
    };
    t.wait_for("0/5 viewed");
    t.keys(&["]", "]"]);
    t.wait_for("crates/auth/src/tokens.rs · unified");
    // The diff loads on a worker: wait for its first hunk before selecting lines.
    t.wait_for("@@");
    t.keys(&["}", "j", "V", "j", "j"]);
    t.wait_for("comment on the selected lines");
    t.keys(&["c"]);
    t.wait_for("Comment on crates/auth/src/tokens.rs:");
    t.text("bound this cache");
    t.keys(&["Enter"]);
    let s = t.wait_for("bound this cache");
    assert!(
        s.contains("✎ lines "),
        "the comment shows under its lines:\n{s}"
    );
    t.keys(&["j", "j", "j", "j", "j", "j", "j", "j", "j", "c"]);
    t.wait_for("Comment on crates/auth/src/tokens.rs:");
    t.text("why clone here");
    t.keys(&["Enter"]);
    t.wait_for("why clone here");
    t.keys(&["r"]);
    t.wait_for("Reject (request changes) and sign · commit");
    t.confirm("y");
    t.wait_for("not marked viewed");
    t.confirm("y");
    t.wait_for("signed: reject");
    t.keys(&["y", "q"]);
    assert_restored(&t, "0");
    let prompt = std::fs::read_to_string(&out).expect("the prompt file");
    assert!(
        prompt.starts_with("# Review feedback: Changes requested"),
        "{prompt}"
    );
    assert!(
        prompt.contains("## `crates/auth/src/tokens.rs`"),
        "{prompt}"
    );
    assert!(prompt.contains("(request changes) — lines "), "{prompt}");
    assert!(prompt.contains("> bound this cache"), "{prompt}");
    assert!(prompt.contains("> why clone here"), "{prompt}");
    assert!(prompt.contains("```rust\n"), "the code is quoted: {prompt}");
    assert!(
        !prompt.contains('\u{1b}'),
        "no screen output on stdout: {prompt:?}"
    );

    // What the two comments are about, as the agent's harness reads them.
    let feedback = |args: &[&str]| -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_countersign"))
            .current_dir(&d.repo)
            .env("COUNTERSIGN_DATA_DIR", &d.data)
            .args(["feedback", "--format", "json"])
            .args(args)
            .output()
            .expect("feedback runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("feedback json")
    };
    let by_text = |fb: &serde_json::Value, text: &str| -> serde_json::Value {
        fb["comments"]
            .as_array()
            .expect("comments")
            .iter()
            .find(|c| c["text"] == text)
            .cloned()
            .unwrap_or_else(|| panic!("no comment {text:?}: {fb:#}"))
    };
    let before = feedback(&[]);
    let range = by_text(&before, "bound this cache");
    let single = by_text(&before, "why clone here");
    assert_eq!(range["state"], "open", "{before:#}");
    assert_eq!(single["state"], "open", "{before:#}");
    let range_start = range["start"].as_u64().expect("start");
    let range_code: Vec<String> = serde_json::from_value(range["code"].clone()).expect("code");
    let single_line = single["code"][0].as_str().expect("code").to_string();
    let path = d.repo.join("crates/auth/src/tokens.rs");
    let text = std::fs::read_to_string(&path).expect("tokens.rs");
    assert!(range_code.len() >= 2, "a range: {range:#}");
    assert_eq!(
        text.lines().filter(|l| *l == single_line).count(),
        1,
        "the single line is unique, so rewriting it changes that comment only: {before:#}"
    );
    assert!(!range_code.contains(&single_line));

    // The agent: three lines above everything, and the single comment's line rewritten.
    let rewritten: String = text
        .lines()
        .map(|l| {
            if l == single_line {
                "    // reworked by the agent".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, format!("//! Tokens.\n//! (cached)\n\n{rewritten}\n"))
        .expect("write tokens.rs");
    let agent = Command::new("sh")
        .arg("-c")
        .arg(
            "git add crates/auth/src/tokens.rs && git -c user.name=kiro \
             -c user.email=kiro@agents.example commit -q -m 'Address review' \
             -m 'Co-authored-by: kiro <kiro@agents.example>'",
        )
        .current_dir(&d.repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("the agent script runs");
    assert!(
        agent.status.success(),
        "{}",
        String::from_utf8_lossy(&agent.stderr)
    );

    let after = feedback(&[]);
    let moved = by_text(&after, "bound this cache");
    assert_eq!(moved["state"], "moved", "{after:#}");
    assert_eq!(
        moved["now_start"].as_u64(),
        Some(range_start + 3),
        "{after:#}"
    );
    let outdated = by_text(&after, "why clone here");
    assert_eq!(outdated["state"], "outdated", "{after:#}");
    assert_eq!(
        outdated["code"][0],
        single_line.as_str(),
        "the old code is quoted"
    );
    let unresolved = feedback(&["--unresolved"]);
    let kept: Vec<&str> = unresolved["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .filter_map(|c| c["text"].as_str())
        .collect();
    assert_eq!(kept, ["bound this cache"], "{unresolved:#}");
}

/// `Y` puts the prompt on the clipboard with OSC 52: tmux (with `set-clipboard on`) takes it
/// into its paste buffer, as a terminal over SSH would into the system clipboard.
#[test]
fn y_copies_the_prompt_through_osc_52_into_tmux() {
    let d = demo();
    let Some(t) = Tmux::start(&script(&d, ""), 130, 36) else {
        return;
    };
    t.tmux(&["set-option", "-g", "set-clipboard", "on"]);
    t.wait_for("0/5 viewed");
    t.keys(&["j", "j", "c"]);
    t.wait_for("Comment on");
    t.text("copy me");
    t.keys(&["Enter", "Y"]);
    t.wait_for("copied the review prompt (1 comment");
    let start = Instant::now();
    let buffer = loop {
        let b = t.tmux(&["show-buffer"]);
        if b.contains("copy me") || start.elapsed() > HANG_GUARD {
            break b;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(buffer.starts_with("# Review feedback: "), "{buffer}");
    assert!(buffer.contains("> copy me"), "{buffer}");
    t.keys(&["q"]);
    assert_restored(&t, "0");
}

/// Under `NO_COLOR` crossterm draws no colours; the cursor and the focus must still show
/// (reverse video, bold): the screen, attributes included, changes after `j j j` and Tab.
#[test]
fn under_no_color_the_cursor_and_focus_still_show() {
    let d = demo();
    let Some(t) = Tmux::start(&script(&d, "NO_COLOR=1"), 130, 36) else {
        return;
    };
    t.wait_for("0/5 viewed");
    let styled = |t: &Tmux| t.tmux(&["capture-pane", "-p", "-e", "-t", "t"]);
    // The screen after keys: the first capture that differs from `from`, or after a 10 s
    // watchdog the same screen (then the assertion below fails).
    let after = |t: &Tmux, keys: &[&str], from: &str| {
        t.keys(keys);
        let start = Instant::now();
        loop {
            let s = styled(t);
            if s != from || start.elapsed() > HANG_GUARD {
                return s;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    std::thread::sleep(Duration::from_millis(300));
    let before = styled(&t);
    assert!(
        !before.contains("[38;") && !before.contains("[48;"),
        "no colours are drawn under NO_COLOR:\n{before}"
    );
    let moved = after(&t, &["j", "j", "j"], &before);
    assert_ne!(before, moved, "the cursor must show without colours");
    let focused = after(&t, &["Tab"], &moved);
    assert_ne!(
        moved, focused,
        "the focused panel must show without colours"
    );
    t.keys(&["q"]);
    assert_restored(&t, "0");
}

/// The commands of the README's "Adopting it in a repository" block, as printed.
fn readme_adoption_block() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = &readme[readme
        .find("## Adopting it in a repository")
        .expect("the adoption section")..];
    let start = section.find("```sh\n").expect("its sh block") + 6;
    section[start..start + section[start..].find("```").expect("block end")].to_string()
}

/// A pane script: `body` run by bash in `dir` with `home` as HOME (its own git config) and
/// the built countersign first on PATH, then the exit status as `DONE=<code>`.
fn pane_script(dir: &Path, home: &Path, name: &str, body: &str) -> String {
    let file = home.join(format!("{name}.sh"));
    std::fs::write(&file, body).expect("write the pane's script");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_countersign"));
    format!(
        "cd {dir} && export HOME={home} GIT_CONFIG_GLOBAL={home}/.gitconfig GIT_CONFIG_NOSYSTEM=1 \
         GIT_AUTHOR_NAME={name} GIT_COMMITTER_NAME={name} PATH={bin}:$PATH; \
         unset COUNTERSIGN_KEY COUNTERSIGN_PASSPHRASE SSH_AUTH_SOCK; \
         bash -e {file}; echo DONE=$?; sleep 60",
        dir = dir.display(),
        home = home.display(),
        bin = bin.parent().expect("bin dir").display(),
        file = file.display(),
    )
}

fn git_at(dir: &Path, home: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Adoption as the README writes it, from a fresh clone of a Cargo repository, in a real
/// terminal (keygen asks its passphrase twice); then a second person joins: `init` in their
/// fresh clone prints the join path, they follow it (sync, keygen), a maintainer adds their
/// roster line, and their clone's `policy check` reads them in the roster.
#[test]
fn adoption_from_a_fresh_clone_as_the_readme_says_then_joining() {
    let root = tempfile::tempdir().expect("tempdir");
    let origin = root.path().join("origin.git");
    let seed = root.path().join("seed");
    let alice_home = root.path().join("alice");
    let bob_home = root.path().join("bob");
    for d in [&seed, &alice_home, &bob_home] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    git_at(&seed, &alice_home, &["init", "-q", "-b", "main"]);
    std::fs::write(
        seed.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .expect("write");
    std::fs::create_dir_all(seed.join("src")).expect("mkdir");
    std::fs::write(seed.join("src/lib.rs"), "pub fn f() {}\n").expect("write");
    git_at(&seed, &alice_home, &["add", "."]);
    git_at(&seed, &alice_home, &["commit", "-q", "-m", "First"]);
    git_at(
        root.path(),
        &alice_home,
        &["clone", "-q", "--bare", "seed", "origin.git"],
    );
    let alice = root.path().join("alice-clone");
    git_at(
        root.path(),
        &alice_home,
        &["clone", "-q", &origin.to_string_lossy(), "alice-clone"],
    );

    // Alice adopts it, running the README's block as printed.
    let block = readme_adoption_block();
    assert!(block.contains("countersign init"), "{block}");
    let Some(t) = Tmux::start(&pane_script(&alice, &alice_home, "Alice", &block), 120, 40) else {
        return;
    };
    t.wait_for("Passphrase for");
    t.text("correct horse");
    t.keys(&["Enter"]);
    t.wait_for("Same passphrase again");
    t.text("correct horse");
    t.keys(&["Enter"]);
    let s = t.wait_for("DONE=");
    assert!(
        s.contains("DONE=0"),
        "the README's adoption block fails:\n{s}"
    );
    drop(t);
    let roster =
        std::fs::read_to_string(alice.join(".countersign/allowed_signers")).expect("roster");
    assert!(roster.contains("alice@example.com"), "{roster}");
    let policy = std::fs::read_to_string(alice.join(".countersign/policy.toml")).expect("policy");
    assert!(
        policy.contains("alice@example.com"),
        "the senior role: {policy}"
    );
    assert!(
        git_at(&alice, &alice_home, &["log", "-1", "--format=%s"]).contains("Adopt countersign")
    );
    git_at(&alice, &alice_home, &["push", "-q", "origin", "main"]);

    // Bob joins from a fresh clone: init prints the join path, not the adoption steps.
    let bob = root.path().join("bob-clone");
    git_at(
        root.path(),
        &bob_home,
        &["clone", "-q", &origin.to_string_lossy(), "bob-clone"],
    );
    let join = "git config user.email bob@example.com\n\
                countersign init\n\
                countersign sync\n\
                countersign keygen --out ~/.ssh/countersign_ed25519 > ~/keygen.txt\n";
    let Some(t) = Tmux::start(&pane_script(&bob, &bob_home, "Bob", join), 120, 40) else {
        return;
    };
    let s = t.wait_for("Passphrase for");
    assert!(s.contains("already uses countersign"), "{s}");
    assert!(s.contains("countersign sync"), "{s}");
    assert!(s.contains("ask a maintainer"), "{s}");
    t.text("battery staple");
    t.keys(&["Enter"]);
    t.wait_for("Same passphrase again");
    t.text("battery staple");
    t.keys(&["Enter"]);
    let s = t.wait_for("DONE=");
    assert!(s.contains("DONE=0"), "joining fails:\n{s}");
    drop(t);
    let printed = std::fs::read_to_string(bob_home.join("keygen.txt")).expect("keygen output");
    let line = printed
        .lines()
        .find(|l| l.starts_with("bob@example.com "))
        .expect("keygen prints bob's roster line")
        .to_string();

    // A maintainer adds the line on the base branch; Bob pulls and is in the roster.
    let mut roster = roster;
    roster.push_str(&line);
    roster.push('\n');
    std::fs::write(alice.join(".countersign/allowed_signers"), roster).expect("write");
    git_at(
        &alice,
        &alice_home,
        &["commit", "-q", "-am", "Add bob to the roster"],
    );
    git_at(&alice, &alice_home, &["push", "-q", "origin", "main"]);
    git_at(&bob, &bob_home, &["pull", "-q", "--ff-only"]);
    let check = Command::new(env!("CARGO_BIN_EXE_countersign"))
        .args(["policy", "check"])
        .current_dir(&bob)
        .env("HOME", &bob_home)
        .env("GIT_CONFIG_GLOBAL", bob_home.join(".gitconfig"))
        .output()
        .expect("policy check runs");
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(text.contains("2 signers"), "bob is in the roster: {text}");
}

/// The README's first command: `demo` prints the triage table through the pager (here a
/// pass-through one, so the pager path is taken whatever is installed), then opens the
/// workstation on the same terminal. Before, ending the pager closed stdout for good and the
/// workstation never opened.
#[test]
fn demo_opens_the_workstation_then_prints_the_current_table_and_the_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = format!(
        "PAGER='cat -u' COUNTERSIGN_DATA_DIR={data} COUNTERSIGN_CONFIG_DIR={config} {bin} demo --dir {demo}; \
         echo EXIT=$?; echo MODES $(stty -a | tr \" ;\" \"\\n\\n\" | grep -x -e icanon -e -icanon -e echo -e -echo) END; sleep 60",
        data = sh_path(&dir.path().join("data")),
        config = sh_path(&dir.path().join("config")),
        bin = env!("CARGO_BIN_EXE_countersign"),
        demo = sh_path(&dir.path().join("demo")),
    );
    let Some(t) = Tmux::start(&script, 130, 36) else {
        return;
    };
    t.wait_for("0/5 viewed");
    t.keys(&["q"]);
    assert_restored(&t, "0");
    // The triage table comes after the workstation closes (current, not stale), then how to
    // review again and how to run the gate (read with the pane's history: it may scroll).
    let s = t.tmux(&["capture-pane", "-p", "-S", "-300", "-t", "t"]);
    let table = s
        .find("COMMIT   BY")
        .unwrap_or_else(|| panic!("no table: {s}"));
    let review = s
        .find("Review it:")
        .unwrap_or_else(|| panic!("no hint: {s}"));
    assert!(table < review, "{s}");
    assert!(s.contains("Run the gate as CI does:"), "{s}");
    assert!(s.contains("verify"), "{s}");
}

/// A change too large to load in full before the first screen (issue 12): the workstation
/// opens on its paths, and the renames found by the background job replace the deletion and
/// addition on screen without a key pressed.
#[test]
fn a_large_change_opens_on_its_paths_and_its_renames_arrive_by_themselves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["-c", "user.name=Dana", "-c", "user.email=dana@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    let body: String = (1..=40)
        .map(|i| format!("pub const C{i}: u32 = {i};\n"))
        .collect();
    std::fs::write(repo.join("src/a.rs"), &body).unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    git(&["checkout", "-q", "-b", "feature"]);
    std::fs::create_dir_all(repo.join("notes")).unwrap();
    for i in 0..=countersign::tui::data::FULL_FIRST_FILES {
        std::fs::write(
            repo.join(format!("notes/n{i:03}.md")),
            format!("note {i}\n"),
        )
        .unwrap();
    }
    std::fs::remove_file(repo.join("src/a.rs")).unwrap();
    std::fs::write(
        repo.join("src/b.rs"),
        body.replace("C7: u32 = 7;", "C7: u32 = 70;"),
    )
    .unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "notes, and rename a to b"]);
    let Some(t) = Tmux::start(&review_script(dir.path(), &repo), 150, 90) else {
        return;
    };
    let s = t.wait_for("src/a.rs → src/b.rs");
    assert!(!s.contains("finding renames"), "{s}");
    t.keys(&["q"]);
    assert_restored(&t, "0");
}

/// Two workstations (two `review` processes on two terminals) on the same change: the second
/// one's save keeps the first one's draft and shows it (each used to write its whole state
/// file, the last writer winning).
#[test]
fn two_workstations_on_one_change_keep_both_drafts() {
    let d = demo();
    let Some(a) = Tmux::start(&script(&d, ""), 130, 36) else {
        return;
    };
    let Some(b) = Tmux::start(&script(&d, ""), 130, 36) else {
        return;
    };
    for (t, text) in [(&a, "drafted on A"), (&b, "drafted on B")] {
        t.wait_for("0/5 viewed");
        t.keys(&["]", "]"]);
        t.wait_for("crates/auth/src/tokens.rs · unified");
        t.keys(&["}", "j", "c"]);
        t.wait_for("Comment on crates/auth/src/tokens.rs");
        t.text(text);
        t.keys(&["Enter"]);
        t.wait_for(text);
    }
    // B, which opened before A saved, now shows A's draft beside its own.
    let s = b.wait_for("drafted on A");
    assert!(s.contains("drafted on B"), "{s}");
    for t in [&a, &b] {
        t.keys(&["q"]);
        assert_restored(t, "0");
    }
    let saved = std::fs::read_dir(d.data.join("reviews"))
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .unwrap()
        .path();
    let json = std::fs::read_to_string(saved).unwrap();
    assert!(
        json.contains("drafted on A") && json.contains("drafted on B"),
        "{json}"
    );
}

/// `HOME` unset and a uid with no passwd entry (`docker --user`): no data directory. The
/// workstation says where it keeps viewed marks and drafts instead (the git directory), and
/// keeps them there (they used to live in memory only, without a word). Needs root, to run
/// the workstation under such a uid.
#[test]
fn without_a_data_directory_marks_are_kept_in_the_git_directory_and_the_reviewer_is_told() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root to run as a uid without a passwd entry");
        return;
    }
    let d = demo();
    let uid = "54321";
    let root = d._dir.path();
    let status = Command::new("chown")
        .args(["-R", &format!("{uid}:{uid}")])
        .arg(root)
        .status()
        .unwrap();
    assert!(status.success());
    let script = format!(
        "cd {repo} && env -u HOME -u COUNTERSIGN_DATA_DIR -u XDG_DATA_HOME setpriv --reuid={uid} --regid={uid} --clear-groups {bin} review; \
         echo EXIT=$?; echo MODES $(stty -a | tr \" ;\" \"\\n\\n\" | grep -x -e icanon -e -icanon -e echo -e -echo) END; sleep 60",
        repo = sh_path(&d.repo),
        bin = env!("CARGO_BIN_EXE_countersign"),
    );
    let Some(t) = Tmux::start(&script, 200, 36) else {
        return;
    };
    // The status line is drawn last: wait for it rather than catch the frame half drawn.
    let s = t.wait_for("no data directory");
    assert!(s.contains(".git/countersign"), "{s}");
    t.keys(&["v"]);
    t.wait_for("1/5 viewed");
    t.keys(&["q"]);
    assert_restored(&t, "0");
    let reviews = d.repo.join(".git/countersign/reviews");
    let saved: Vec<_> = std::fs::read_dir(&reviews)
        .unwrap_or_else(|e| panic!("{}: {e}", reviews.display()))
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(saved.len(), 1);
    let json = std::fs::read_to_string(saved[0].path()).unwrap();
    assert!(json.contains("\"viewed\": [\n    \""), "{json}");
}

/// An unrunnable `PAGER` on a terminal: `status` says so and exits 2 before writing (its
/// output went to the missing pager and it exited 0).
#[test]
fn an_unrunnable_pager_is_an_error_not_lost_output() {
    let d = demo();
    let script = format!(
        "cd {repo} && PAGER=no-such-pager-anywhere {bin} status; echo EXIT=$?; sleep 60",
        repo = sh_path(&d.repo),
        bin = env!("CARGO_BIN_EXE_countersign"),
    );
    let Some(t) = Tmux::start(&script, 200, 30) else {
        return;
    };
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=2"), "{s}");
    assert!(
        s.contains("the pager cannot be run: PAGER is `no-such-pager-anywhere`")
            && s.contains("--no-pager"),
        "{s}"
    );
}

/// The note lines on `refs/notes/countersign`, as git lists them (one per annotated commit).
fn note_list(repo: &Path) -> String {
    let out = Command::new("git")
        .args([
            "-C",
            &sh_path(repo),
            "notes",
            "--ref=refs/notes/countersign",
            "list",
        ])
        .output()
        .expect("git notes list");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The issue's paste attack: the comment pasted into the comment box holds a line break, an
/// `A` (from "Also") and `y`s. With bracketed paste it lands whole in the box; pasted again
/// outside a text field it is ignored with a message. Nothing is signed either way.
#[test]
fn a_pasted_comment_signs_nothing_and_lands_whole_in_the_comment_box() {
    let d = demo();
    let before = note_list(&d.repo);
    let Some(t) = Tmux::start(&script(&d, ""), 130, 36) else {
        return;
    };
    t.wait_for("0/5 viewed");
    t.keys(&["]", "]"]);
    t.wait_for("crates/auth/src/tokens.rs · unified");
    t.keys(&["c"]);
    t.wait_for("Comment on crates/auth/src/tokens.rs");
    let attack = "Please handle the empty array case here.\nAlso rename it to decode_any, and say why: any day, yes? yay\n";
    t.paste(attack);
    let s = t.wait_for("Also rename it to decode_any");
    assert!(s.contains("Comment on crates/auth/src/tokens.rs"), "{s}");
    std::thread::sleep(Duration::from_millis(600));
    let s = t.screen();
    assert!(
        !s.contains("Approve and sign"),
        "the paste opened the dialog:\n{s}"
    );
    // Saved with Enter, the comment keeps both lines.
    t.keys(&["Enter"]);
    t.wait_for(" c comment ");
    // Outside a text field the same paste does nothing but say so.
    t.paste(attack);
    t.wait_for("paste is ignored");
    std::thread::sleep(Duration::from_millis(600));
    let s = t.screen();
    assert!(!s.contains("Approve and sign"), "{s}");
    assert!(!s.contains("signed:"), "{s}");
    t.keys(&["q"]);
    assert_restored(&t, "0");
    // Bracketed paste is off again: a paste into the shell's terminal arrives unbracketed.
    t.paste("after-exit");
    let s = t.wait_for("after-exit");
    assert!(!s.contains("200~"), "bracketed paste left on:\n{s}");
    assert_eq!(note_list(&d.repo), before, "nothing was signed");
    let saved = std::fs::read_dir(d.data.join("reviews"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let json = std::fs::read_to_string(saved).unwrap();
    assert!(
        json.contains("empty array case here.\\nAlso rename it"),
        "the comment kept its line break: {json}"
    );
}

/// The issue's too-small attack: below the smallest screen the workstation draws in it says
/// it needs more room, and `] ] ] v a y` (each key alone, slowly) signs nothing, because the
/// dialog was never shown.
#[test]
fn keys_sent_to_a_terminal_too_small_for_the_dialog_sign_nothing() {
    let d = demo();
    let before = note_list(&d.repo);
    let Some(t) = Tmux::start(&script(&d, ""), 50, 8) else {
        return;
    };
    t.wait_for("needs");
    for k in ["]", "]", "]", "v", "a", "y", "y"] {
        t.confirm(k);
    }
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(note_list(&d.repo), before, "signed blind");
    t.tmux(&["resize-window", "-t", "t", "-x", "130", "-y", "36"]);
    let s = t.wait_for("Approve and sign");
    // The dialog names the tier it would sign ("tier signed: …"); no result line says signed.
    assert!(!s.replace("tier signed:", "").contains("signed:"), "{s}");
    t.keys(&["Escape", "q"]);
    assert_restored(&t, "0");
    assert_eq!(note_list(&d.repo), before, "nothing was signed");
}

use crate::signoff_common::sk;

/// Adds `line` to the demo's roster on its trusted branch (main), through a worktree.
fn add_to_trusted_roster(repo: &Path, line: &str) {
    let wt = tempfile::tempdir().unwrap();
    let wt_path = wt.path().join("main");
    let git = |dir: &Path, args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(repo, &["worktree", "add", "-q", &sh_path(&wt_path), "main"]);
    let roster = wt_path.join(".countersign/allowed_signers");
    let mut text = std::fs::read_to_string(&roster).unwrap();
    text.push_str(line);
    std::fs::write(&roster, text).unwrap();
    git(
        &wt_path,
        &["commit", "-q", "-am", "Roster: alice's security key"],
    );
    git(repo, &["worktree", "remove", "--force", &sh_path(&wt_path)]);
}

/// Signing with a security key through ssh-agent: the dialog says to touch the key while the
/// agent waits, and Esc ends the wait: nothing is signed, and the workstation goes on.
#[test]
fn esc_cancels_the_wait_for_a_security_keys_touch() {
    let d = demo();
    let key = std::sync::Arc::new(sk::SoftSk::new(sk::TOUCH));
    add_to_trusted_roster(
        &d.repo,
        &format!(
            "alice@example.com namespaces=\"countersign\" {}\n",
            key.openssh()
        ),
    );
    let before = note_list(&d.repo);
    let agent = sk::TestAgent::start(std::sync::Arc::clone(&key), sk::Answer::Never);
    let env = format!(
        "SSH_AUTH_SOCK={} COUNTERSIGN_KEY=\"key::{}\"",
        sh_path(&agent.socket),
        key.openssh()
    );
    let Some(t) = Tmux::start(&script(&d, &env), 130, 36) else {
        return;
    };
    t.wait_for("0/5 viewed");
    t.open_sign_dialog("A");
    t.confirm("y");
    t.wait_for("not marked viewed");
    t.confirm("y");
    t.wait_for("touch it when it blinks");
    t.keys(&["Escape"]);
    t.wait_for("cancelled: nothing was signed");
    let s = t.screen();
    assert!(!s.contains("Approve and sign"), "{s}");
    t.keys(&["q"]);
    assert_restored(&t, "0");
    assert_eq!(note_list(&d.repo), before, "nothing was signed");
}

/// Sign what is current, from the command line: `countersign sign` shows its plan and asks;
/// while it waits, the same reviewer rejects the commit in another terminal. The `y` that
/// follows must not sign an approval that would silently lift that reject (planned again at
/// signing, it would name the reject in `supersedes`): the one signing path sees the standing
/// changed, says what changed and exits 2, and the reject stands.
#[test]
fn cli_sign_refuses_when_a_reject_was_signed_while_it_asked() {
    let d = demo();
    let commit = commit_with(&d.repo, "Cache decoded tokens");
    let script = format!(
        "cd {repo} && {bin} sign {commit} --decision approve; echo EXIT=$?; sleep 60",
        repo = sh_path(&d.repo),
        bin = env!("CARGO_BIN_EXE_countersign"),
    );
    let Some(t) = Tmux::start(&script, 160, 40) else {
        return;
    };
    t.wait_for("[y/N]");
    let reject = countersign(
        &d.repo,
        &[
            "sign",
            &commit,
            "--decision",
            "reject",
            "--yes",
            "--comment",
            "no",
        ],
    );
    assert!(reject.status.success(), "{reject:?}");
    t.text("y");
    t.keys(&["Enter"]);
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=2"), "{s}");
    let joined = s.replace('\n', "");
    assert!(
        joined.contains("nothing was signed") && joined.contains("rejected by alice@example.com"),
        "{s}"
    );
    let status = countersign(&d.repo, &["status", &commit, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json[0]["state"], "rejected", "{json:#}");
    assert_eq!(
        json[0]["signoffs"].as_array().map(Vec::len),
        Some(1),
        "{json:#}"
    );
}

/// The script of the README's "For agents: the loop until approved", as printed.
fn readme_agent_loop() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = &readme[readme
        .find("### For agents: the loop until approved")
        .expect("the agent loop section")..];
    let start = section.find("```sh\n").expect("its sh block") + 6;
    section[start..start + section[start..].find("```").expect("block end")].to_string()
}

/// Runs the README's agent loop (a file under `root`) in `repo`, with the built countersign on
/// PATH and the workstation's data directory: (exit code, stdout).
fn agent_loop(root: &Path, repo: &Path) -> (i32, String) {
    let script = root.join("countersign-loop.sh");
    std::fs::write(&script, readme_agent_loop()).expect("write the loop");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_countersign"));
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg(&script)
        .current_dir(repo)
        .env("PATH", path)
        .env("COUNTERSIGN_DATA_DIR", root.join("data"))
        .output()
        .expect("the loop runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `feedback --format json`'s `state`, with the workstation's data directory.
fn feedback_state(root: &Path, repo: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_countersign"))
        .current_dir(repo)
        .env("COUNTERSIGN_DATA_DIR", root.join("data"))
        .args(["feedback", "--format", "json"])
        .output()
        .expect("feedback runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("feedback json");
    json["state"].as_str().unwrap_or_default().to_string()
}

/// Waits for the workstation to close its dialog and quits it.
fn close_dialog_and_quit(t: &Tmux) {
    t.keys(&["y"]);
    wait_until("the dialog to close", || !t.screen().contains("and sign"));
    t.keys(&["q"]);
    assert_restored(t, "0");
}

/// Issue 25's whole journey in a real terminal, on a Cargo workspace with agent commits made
/// by the binary (`demo --no-tui`): the agent loop of the README says "waiting"; the reviewer
/// opens the workstation, goes to the agent's supervised commit, comments on a line and
/// rejects it (signed); `feedback` says changes requested, naming the comment and "amend";
/// the "agent" fixes the commit as the README says (`--fixup`, `rebase -i --autosquash`);
/// `feedback` is back to pending (a reject of a replaced patch no longer stands); the reviewer
/// re-reviews and approves with `A` (signed); `verify` passes the range and the loop says
/// approved.
#[test]
fn the_whole_loop_reject_amend_rereview_approve_verify() {
    if !support::require_tool("jq") {
        return;
    }
    let (root, demo) = demo_by_cli();
    let repo = demo.join("repo");
    let rejected = commit_with(&repo, "Cache decoded tokens");
    let (code, out) = agent_loop(root.path(), &repo);
    assert_eq!(code, 11, "nothing reviewed yet: waiting\n{out}");
    assert_eq!(feedback_state(root.path(), &repo), "pending");

    // The reviewer: to the agent's commit, a comment on a line of its hunk, reject and sign.
    let Some(t) = Tmux::start(&review_script(root.path(), &repo), 130, 40) else {
        return;
    };
    t.wait_for("0/5 viewed");
    t.wait_for("gate: 2 need approval");
    t.keys(&["]", "]"]);
    t.wait_for("crates/auth/src/tokens.rs · unified");
    t.wait_for("@@");
    t.keys(&["}", "j", "j", "v", "c"]);
    t.wait_for("Comment on crates/auth/src/tokens.rs:");
    t.text("bound this cache: it grows without limit");
    t.keys(&["Enter"]);
    t.wait_for("grows without limit");
    t.keys(&["r"]);
    t.wait_for("Reject (request changes) and sign · commit");
    t.confirm("y");
    t.wait_for("signed: reject");
    close_dialog_and_quit(&t);
    drop(t);

    assert_eq!(
        countersign(&repo, &["verify"]).status.code(),
        Some(1),
        "a reject stands: the gate fails"
    );
    assert_eq!(feedback_state(root.path(), &repo), "changes-requested");
    let (code, prompt) = agent_loop(root.path(), &repo);
    assert_eq!(code, 10, "{prompt}");
    assert!(prompt.contains("Changes requested"), "{prompt}");
    assert!(prompt.contains("grows without limit"), "{prompt}");
    assert!(
        prompt.contains(&rejected[..7]),
        "the commit is named:\n{prompt}"
    );
    assert!(prompt.contains("amend"), "the remedy is said:\n{prompt}");

    // The agent: the fix folded into the rejected commit, as the README's loop says.
    let tokens = repo.join("crates/auth/src/tokens.rs");
    let text = std::fs::read_to_string(&tokens).expect("tokens.rs");
    std::fs::write(
        &tokens,
        format!("{text}\n/// The cache holds at most this many tokens.\npub const CACHE_LIMIT: usize = 1024;\n"),
    )
    .expect("write tokens.rs");
    let agent = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "git add crates/auth/src/tokens.rs && git commit -q --fixup={rejected} && \
             GIT_SEQUENCE_EDITOR=: git rebase -q -i --autosquash main"
        ))
        .current_dir(&repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "claude")
        .env("GIT_AUTHOR_EMAIL", "noreply@anthropic.com")
        .env("GIT_COMMITTER_NAME", "claude")
        .env("GIT_COMMITTER_EMAIL", "noreply@anthropic.com")
        .output()
        .expect("the agent's git runs");
    assert!(
        agent.status.success(),
        "{}",
        String::from_utf8_lossy(&agent.stderr)
    );
    let amended = commit_with(&repo, "Cache decoded tokens");
    assert_ne!(amended, rejected, "the commit was rewritten");
    let log = String::from_utf8_lossy(
        &Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["log", "--format=%s", "main..HEAD"])
            .output()
            .expect("git log")
            .stdout,
    )
    .into_owned();
    assert_eq!(log.lines().count(), 4, "squashed, not stacked:\n{log}");
    assert_eq!(feedback_state(root.path(), &repo), "pending");
    let (code, out) = agent_loop(root.path(), &repo);
    assert_eq!(code, 11, "the fix waits for the reviewer\n{out}");

    // The reviewer again: the fix is in the diff; `A` approves what needs approving.
    let Some(t) = Tmux::start(&review_script(root.path(), &repo), 130, 40) else {
        return;
    };
    t.wait_for("0/5 viewed");
    t.keys(&["/"]);
    t.text("CACHE_LIMIT");
    t.keys(&["Enter"]);
    // Counted across the change: not in the first file, one match in another; `n` goes there.
    t.wait_for("1 in 1 other file");
    t.keys(&["n"]);
    let s = t.wait_for("pub const CACHE_LIMIT");
    assert!(s.contains("crates/auth/src/tokens.rs · unified"), "{s}");
    t.keys(&["A"]);
    t.wait_for("Approve and sign");
    t.confirm("y");
    t.wait_for("not marked viewed");
    t.confirm("y");
    let s = t.wait_for("signed: approve");
    assert!(s.contains("as alice@example.com"), "{s}");
    t.keys(&["y"]);
    t.wait_for("gate: passes");
    t.keys(&["q"]);
    assert_restored(&t, "0");
    drop(t);

    let verify = countersign(&repo, &["verify"]);
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    assert_eq!(feedback_state(root.path(), &repo), "approved");
    let (code, out) = agent_loop(root.path(), &repo);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("approved, nothing left to do"), "{out}");
}

/// The text-field rows of the one key table, through a real terminal: what tmux sends for
/// Left, Home, End, Ctrl-J, Alt-Enter, Tab, Backspace and Delete is parsed to the bindings the
/// table names, and the comment box edits at its cursor; Enter saves the draft.
#[test]
fn the_comment_box_keys_of_the_key_table_work_in_a_real_terminal() {
    let d = demo();
    let Some(t) = Tmux::start(&script(&d, ""), 120, 30) else {
        return;
    };
    t.wait_for("0/5 viewed");
    t.wait_for("@@");
    t.keys(&["j", "c"]);
    t.wait_for("Comment on");
    t.text("ab");
    t.keys(&["Left"]);
    t.text("X");
    t.keys(&["Home"]);
    t.text("<");
    t.keys(&["End"]);
    t.text(">");
    t.keys(&["C-j"]);
    t.text("c");
    t.keys(&["M-Enter"]);
    t.text("d");
    t.keys(&["Tab"]);
    t.text("e");
    t.keys(&["BSpace"]);
    t.text("g");
    t.keys(&["Left", "Left", "Left", "DC"]);
    t.text("f");
    t.keys(&["Enter"]);
    t.wait_for("<aXb>");
    t.keys(&["q"]);
    assert_restored(&t, "0");
    let saved = std::fs::read_dir(d.data.join("reviews"))
        .expect("the review state")
        .next()
        .expect("one review")
        .expect("entry")
        .path();
    let json = std::fs::read_to_string(saved).expect("readable");
    assert!(json.contains(r#""<aXb>\nc\nf\tg""#), "{json}");
}

/// A commit of more than `FIRST_JUDGED_PATHS` files (issue 29): the workstation draws it
/// before judging it, and the verdict arrives from the background by itself, then the full
/// lists; the header ends on the gate's verdict without a key pressed.
#[test]
fn a_giant_commit_is_judged_behind_the_first_screen_by_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    let key = countersign_core::signoff::keys::generate_ed25519("alice@example.com").unwrap();
    let files = countersign::tui::data::FIRST_JUDGED_PATHS + 1;
    countersign_testkit::governed_giant_commit(&repo, &key, files);
    let Some(t) = Tmux::start(&review_script(dir.path(), &repo), 170, 40) else {
        return;
    };
    let s = t.wait_for(&format!("Change · 0/{files} viewed"));
    assert!(s.contains("gate: 1 needs approval"), "{s}");
    assert!(s.contains("SUPV"), "{s}");
    assert!(!s.contains("judging"), "{s}");
    t.keys(&["q"]);
    assert_restored(&t, "0");
}
