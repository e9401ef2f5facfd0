//! Quiet exit on a closed pipe: `countersign status | head` is not an error.
//!
//! When the reader of stdout goes away (`head` has read enough), writes fail with `EPIPE`.
//! git, killed by `SIGPIPE`, stops silently; ripgrep stops silently too. countersign does the
//! same, and keeps its own exit status: the output was only for the reader that left, while
//! the status is the verdict (`verify | head` in CI still fails on a violation). Every
//! command writes its output through a writer and hands the result to [`finish`]; messages
//! for stderr go through [`warn`], which never fails (a closed stderr loses the message, it
//! does not turn into a second error).
//!
//! Rust's `print!` panics on a closed pipe. [`install_panic_net`] catches such a panic
//! (from a dependency, or a `print!` that slipped in) and exits quietly with status 141, as
//! a shell reports a command ended by `SIGPIPE`: never 0, since the command did not finish.

use std::io::Write;

use crate::{Error, Result};

/// The status a shell reports for a command ended by `SIGPIPE` (128 + 13).
pub const SIGPIPE_STATUS: i32 = 141;

/// True when `e` says the reader of the pipe has gone.
pub fn is_closed_pipe(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

/// The exit status once a command's output is written: `code` when writing succeeded or
/// stopped at a closed pipe; any other write error is an error naming stdout.
pub fn finish(written: std::io::Result<()>, code: i32) -> Result<i32> {
    match written {
        Err(e) if is_closed_pipe(&e) => Ok(code),
        Err(e) => Err(Error::io("stdout")(e)),
        Ok(()) => Ok(code),
    }
}

/// Writes `value` as pretty JSON and a newline: the one JSON document a command prints. The
/// document is built in memory first, so a closed pipe is reported as the I/O error it is
/// (not hidden inside a serialisation error).
pub fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    out.write_all(&bytes)?;
    out.flush()
}

/// Writes everything in `bytes` to stdout and flushes: for output made elsewhere (the man
/// page, completion scripts).
pub fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}

/// Prints a command's output line by line; after the first failed write (a closed pipe) it
/// writes nothing more, and [`Printer::finish`] turns the outcome into the exit status.
pub struct Printer<W: Write> {
    out: W,
    result: std::io::Result<()>,
}

impl Printer<std::io::StdoutLock<'static>> {
    /// A printer on stdout.
    pub fn stdout() -> Self {
        Printer::new(std::io::stdout().lock())
    }
}

impl<W: Write> Printer<W> {
    /// A printer on `out`.
    pub fn new(out: W) -> Self {
        Printer {
            out,
            result: Ok(()),
        }
    }

    /// Writes `text` and a newline, unless an earlier write failed.
    pub fn line(&mut self, text: impl std::fmt::Display) {
        if self.result.is_ok() {
            self.result = writeln!(self.out, "{text}");
        }
    }

    /// Flushes and returns the exit status as [`finish`] does.
    pub fn finish(mut self, code: i32) -> Result<i32> {
        let result = std::mem::replace(&mut self.result, Ok(()));
        finish(result.and_then(|()| self.out.flush()), code)
    }
}

/// Writes one line to stderr; a failure (stderr closed) is ignored.
pub fn warn(line: impl std::fmt::Display) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Makes a panic caused by printing to a closed pipe end the process quietly with
/// [`SIGPIPE_STATUS`]; any other panic goes to the hook installed before. Call once, first
/// thing in `main`.
pub fn install_panic_net() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if is_closed_pipe_panic(message) {
            std::process::exit(SIGPIPE_STATUS);
        }
        previous(info);
    }));
}

/// True for the panic message of a `print!`/`eprint!` (or a dependency's `expect`) that hit a
/// closed pipe.
fn is_closed_pipe_panic(message: &str) -> bool {
    message.contains("Broken pipe") || message.contains("BrokenPipe")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_keeps_the_commands_status() {
        let written = write_json(&mut Closed, &serde_json::json!({"a": [1, 2, 3]}));
        assert_eq!(finish(written, 1).unwrap(), 1);
        assert_eq!(finish(Ok(()), 0).unwrap(), 0);
        let other = finish(Err(std::io::ErrorKind::PermissionDenied.into()), 0);
        assert!(other.unwrap_err().to_string().contains("stdout"));
    }

    #[test]
    fn a_printer_stops_quietly_at_a_closed_pipe() {
        let mut p = Printer::new(Closed);
        p.line("one");
        p.line("two");
        assert_eq!(p.finish(0).unwrap(), 0);
    }

    #[test]
    fn print_panics_on_a_closed_pipe_are_recognised() {
        assert!(is_closed_pipe_panic(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        assert!(!is_closed_pipe_panic("index out of bounds"));
    }
}
