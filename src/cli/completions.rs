//! Shell completions and the man page, generated from the CLI definition itself.

use clap::CommandFactory;

use super::{Cli, EXIT_OK};
use crate::util::pipe;
use crate::{Error, Result};

/// Prints the completion script for `shell` on stdout. Generated into memory first: clap's
/// generator panics when a write fails, and `completions bash | head -c1` closes the pipe.
pub fn completions(shell: clap_complete::Shell) -> Result<i32> {
    let mut cmd = Cli::command();
    // Made in memory, then written: clap_complete panics on a failed write (`| head -c1`).
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "countersign", &mut buf);
    pipe::finish(pipe::write_stdout(&buf), EXIT_OK)
}

/// Prints the man page (roff) on stdout.
pub fn man() -> Result<i32> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(Error::io("the man page"))?;
    pipe::finish(pipe::write_stdout(&buf), EXIT_OK)
}
