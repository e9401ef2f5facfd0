//! Paging long text output on a terminal, as git does: the text goes through `PAGER`
//! (default `less -FRX`: quit if it fits one screen, pass colours, leave the text on the
//! screen), never when stdout is not a terminal, with `--no-pager`, or when `PAGER` is empty
//! or `cat`. Commands start the pager only once their work is done and their progress line
//! is cleared, so nothing of the progress reaches the pager's screen.

use std::io::{IsTerminal, Write};
use std::os::fd::AsRawFd;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

/// The pager run when `PAGER` is unset.
pub const DEFAULT_PAGER: &str = "less -FRX";

/// `--no-pager`, recorded once at start.
static NO_PAGER: AtomicBool = AtomicBool::new(false);

/// Records `--no-pager`.
pub fn init(no_pager: bool) {
    NO_PAGER.store(no_pager, Ordering::Relaxed);
}

/// The pager command line for these conditions, or None for no pager.
pub fn choose(no_pager: bool, terminal: bool, pager_env: Option<&str>) -> Option<String> {
    if no_pager || !terminal {
        return None;
    }
    match pager_env.map(str::trim) {
        None => Some(DEFAULT_PAGER.to_string()),
        Some("") | Some("cat") => None,
        Some(p) => Some(p.to_string()),
    }
}

/// A running pager that stdout now feeds; dropping it ends the input, waits for the pager
/// (the user reads to the end and quits) and points stdout back at the terminal, so that a
/// command may go on writing (`demo` opens the workstation after its paged table).
pub struct Pager {
    /// The pager and the saved descriptor of the terminal stdout was before.
    child: Option<(Child, libc::c_int)>,
}

/// Starts the pager for a text output (`text` false: JSON or another format for programs,
/// never paged). A `PAGER` naming a program that cannot be run is an error before anything
/// is written (the output would go to a pager that is not there, as git refuses too); any
/// other failure to start leaves stdout as it was: paging is a comfort.
pub fn start(text: bool) -> crate::Result<Pager> {
    let pager = std::env::var("PAGER").ok();
    let command = choose(
        !text || NO_PAGER.load(Ordering::Relaxed),
        std::io::stdout().is_terminal(),
        pager.as_deref(),
    );
    if let Some(c) = &command {
        if let Err(why) = runnable(c, std::env::var_os("PATH").as_deref()) {
            return Err(crate::Error::Message(format!(
                "the pager cannot be run: PAGER is `{c}`, and {why}; set PAGER to an installed \
                 pager (PAGER=less), or pass --no-pager"
            )));
        }
    }
    Ok(Pager {
        child: command.and_then(|c| spawn(&c)),
    })
}

/// Whether the program of a plain `PROGRAM ARGS…` pager command exists and may be run.
/// A command with shell syntax (pipes, quotes, variables) is left to sh.
fn runnable(command: &str, path: Option<&std::ffi::OsStr>) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    if command.contains(|c: char| "|&;<>()$`\\\"'*?[]#~={}%".contains(c)) {
        return Ok(());
    }
    let Some(program) = command.split_whitespace().next() else {
        return Ok(());
    };
    let executable = |p: &std::path::Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        return if executable(std::path::Path::new(program)) {
            Ok(())
        } else {
            Err(format!("{program} is not an executable file"))
        };
    }
    // sh's own commands need no file.
    if matches!(
        program,
        ":" | "true" | "exec" | "eval" | "command" | "echo" | "printf" | "read"
    ) {
        return Ok(());
    }
    let found = path
        .map(|p| std::env::split_paths(p).any(|dir| executable(&dir.join(program))))
        .unwrap_or(false);
    if found {
        Ok(())
    } else {
        Err(format!("{program} is not found on PATH"))
    }
}

/// Runs `command` with sh (as git runs `PAGER`) and points fd 1 at its input; returns the
/// pager and a saved copy of the old fd 1.
fn spawn(command: &str) -> Option<(Child, libc::c_int)> {
    let _ = std::io::stdout().flush();
    // SAFETY: dup of an open descriptor; the copy is closed when the pager is dropped.
    let saved = unsafe { libc::dup(libc::STDOUT_FILENO) };
    if saved < 0 {
        return None;
    }
    let mut cmd = Command::new("sh");
    cmd.args(["-c", command]).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        cmd.env("LESS", "FRX");
    }
    let close_saved = || {
        // SAFETY: `saved` is ours and open.
        unsafe { libc::close(saved) };
    };
    let Ok(mut child) = cmd.spawn() else {
        close_saved();
        return None;
    };
    let Some(stdin) = child.stdin.take() else {
        close_saved();
        return None;
    };
    // SAFETY: dup2 on two open descriptors; fd 1 now refers to the pager's pipe, and the
    // original pipe end is closed when `stdin` drops.
    let ok = unsafe { libc::dup2(stdin.as_raw_fd(), libc::STDOUT_FILENO) } >= 0;
    drop(stdin);
    if !ok {
        close_saved();
        let _ = child.kill();
        let _ = child.wait();
        return None;
    }
    Some((child, saved))
}

impl Drop for Pager {
    fn drop(&mut self) {
        if let Some((mut child, saved)) = self.child.take() {
            let _ = std::io::stdout().flush();
            // SAFETY: dup2 onto fd 1 closes its pipe end (the pager's only input), so the
            // pager sees the end of the text, and fd 1 is the terminal again; then the saved
            // copy is closed.
            unsafe {
                libc::dup2(saved, libc::STDOUT_FILENO);
                libc::close(saved);
            }
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_choice_follows_git() {
        assert_eq!(choose(false, true, None).as_deref(), Some("less -FRX"));
        assert_eq!(choose(false, true, Some("most")).as_deref(), Some("most"));
        assert_eq!(choose(false, true, Some("")), None);
        assert_eq!(choose(false, true, Some("cat")), None);
        assert_eq!(choose(true, true, None), None, "--no-pager");
        assert_eq!(choose(false, false, None), None, "not a terminal");
    }

    #[test]
    fn a_pager_that_cannot_be_run_is_named() {
        let path = std::env::var_os("PATH");
        assert!(runnable("sh -c cat", path.as_deref()).is_ok());
        let e = runnable("no-such-pager-here -R", path.as_deref()).unwrap_err();
        assert!(e.contains("no-such-pager-here is not found on PATH"), "{e}");
        assert!(runnable("/nonexistent/less", path.as_deref()).is_err());
        assert!(
            runnable("less | tee x", path.as_deref()).is_ok(),
            "shell syntax is sh's"
        );
    }
}
