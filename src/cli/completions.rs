//! Shell completions and the man page, generated from the CLI definition itself.

use std::io::Write;

use clap::CommandFactory;

use super::{Cli, EXIT_OK};
use crate::{Error, Result};

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<i32> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "countersign", &mut std::io::stdout());
    Ok(EXIT_OK)
}

/// Prints the man page (roff) on stdout.
pub fn man() -> Result<i32> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(Error::io("the man page"))?;
    std::io::stdout()
        .write_all(&buf)
        .map_err(Error::io("stdout"))?;
    Ok(EXIT_OK)
}
