//! The command line: argument definitions (clap) and one module per subcommand. `main.rs`
//! only calls [`main`].

pub mod args;
mod completions;
mod context;
mod demo;
mod feedback;
mod hook;
mod impact;
mod init;
mod keygen;
mod notes_anchor;
mod pager;
mod policy_check;
mod progress;
mod remote_notes;
mod report;
mod review;
mod show;
mod sign;
mod status;
mod style;
mod sync;
pub mod verify;

use std::io::Write;

use clap::Parser;

use crate::util::escape;

pub use args::Cli;
use args::Command;
pub use context::Context;

/// Exit status: everything passed.
pub const EXIT_OK: i32 = 0;
/// Exit status: a violation or a refusal (verify found a problem; sign refused).
pub const EXIT_VIOLATION: i32 = 1;
/// Exit status: an error (bad arguments, bad policy, not a repository).
pub const EXIT_ERROR: i32 = 2;

/// Prints the review's notices (built-in policy, a policy base that is not followed) on
/// stderr, one line each.
fn notify(notices: &[String]) {
    let mut err = std::io::stderr().lock();
    for n in notices {
        let _ = writeln!(err, "countersign: {n}");
    }
}

/// Parses the process arguments, runs the subcommand and returns the exit status.
/// A closed stdout ends a command quietly (see [`crate::util::pipe`]); an error is printed
/// with whatever it quotes from the repository escaped.
pub fn main() -> i32 {
    crate::util::pipe::install_panic_net();
    bound_pack_mappings();
    let cli = Cli::parse();
    anchor_git_environment(cli.dir.as_deref());
    style::init_colour(cli.color);
    pager::init(cli.no_pager);
    let json = cli.command.wants_json();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let mut err = std::io::stderr().lock();
            let text = e.to_string();
            let text = escape::text(&text, "");
            if json {
                let doc = serde_json::json!({ "error": text, "exit": EXIT_ERROR });
                let _ = writeln!(err, "{doc}");
            } else {
                let _ = writeln!(err, "countersign: error: {text}");
            }
            EXIT_ERROR
        }
    }
}

/// `GIT_DIR` and `GIT_WORK_TREE` made absolute (relative ones are relative to the directory
/// countersign runs in, after `-C`, as git has them), so that every repository countersign
/// opens and every `git` it runs, whatever its working directory, sees the same repository.
fn anchor_git_environment(dir: Option<&std::path::Path>) {
    let Ok(cwd) = std::env::current_dir() else {
        return;
    };
    let base = dir.map_or(cwd.clone(), |d| cwd.join(d));
    for var in ["GIT_DIR", "GIT_WORK_TREE"] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            let p = std::path::Path::new(&v);
            if p.is_relative() {
                // Runs before any thread exists (first thing in `main` after parsing).
                std::env::set_var(var, base.join(p));
            }
        }
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> crate::Result<i32> {
    let cwd = match &cli.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().map_err(crate::Error::io("the current directory"))?,
    };
    match cli.command {
        Command::Status(a) => status::run(&cwd, &a),
        Command::Policy(args::PolicyCommand::Check(a)) => policy_check::run(&cwd, &a),
        Command::Demo(a) => demo::run(&a),
        Command::Init => init::run(&cwd),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man { dir } => completions::man(dir.as_deref()),
        Command::Sync { remote } => sync::run(&cwd, &remote),
        Command::Review(a) => review::run(&cwd, &a),
        Command::Impact(a) => impact::run(&cwd, &a),
        Command::Sign(a) => sign::run(&cwd, &a),
        Command::Verify(a) => verify::run(&cwd, &a),
        Command::Feedback(a) => feedback::run(&cwd, &a),
        Command::Show(a) => show::run(&cwd, &a),
        Command::Keygen(a) => keygen::run(&cwd, &a),
        Command::Report(a) => report::run(&cwd, &a),
        Command::Hook { kind } => hook::run(kind),
    }
}

/// Pack files are read through memory-mapped windows, which count as resident once touched:
/// libgit2's defaults (1 GiB windows, 8 GiB mapped at most) let a review of a large commit in
/// a large repository grow past a hundred megabytes of mapped pack that it has long done
/// with. Windows of 8 MiB and 32 MiB mapped at most keep the resident size to what is in use
/// (diem's largest commit, settled: 103 -> 92 MB) at no measurable cost in time.
fn bound_pack_mappings() {
    const WINDOW: usize = 8 << 20;
    const MAPPED: usize = 32 << 20;
    // SAFETY: libgit2's global options are not synchronised; this runs first in `main`,
    // before any thread exists and before libgit2 is used.
    unsafe {
        let _ = git2::opts::set_mwindow_size(WINDOW);
        let _ = git2::opts::set_mwindow_mapped_limit(MAPPED);
    }
}
