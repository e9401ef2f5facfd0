//! Shell completions and the man page, generated from the CLI definition itself.

use std::io::Write;

use clap::CommandFactory;

use super::style::finish;
use super::{Cli, EXIT_OK};
use crate::{Error, Result};

/// Prints the completion script for `shell` on stdout. Generated into memory first: clap's
/// generator panics when a write fails, and `completions bash | head -c1` closes the pipe.
pub fn completions(shell: clap_complete::Shell) -> Result<i32> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "countersign", &mut buf);
    finish(std::io::stdout().lock().write_all(&buf), EXIT_OK)
}

/// Prints the man page (roff) on stdout.
pub fn man() -> Result<i32> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(Error::io("the man page"))?;
    finish(std::io::stdout().lock().write_all(&buf), EXIT_OK)
}
