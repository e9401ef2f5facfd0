//! Progress on stderr for long work (`status`, `verify`, `impact`, `sign` over many commits): shown only
//! when stderr is a terminal, the output is not JSON, and the work has run for a while
//! (half a second); one line, redrawn in place and cleared at the end so nothing of it stays
//! in the terminal or reaches a pipe.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::git::CommitChange;

/// How long work runs before progress shows (`COUNTERSIGN_PROGRESS_AFTER_MS` overrides it,
/// for tests).
const AFTER: Duration = Duration::from_millis(500);
/// The least time between two redraws.
const EVERY: Duration = Duration::from_millis(50);

/// A progress line on stderr.
pub struct Progress {
    what: &'static str,
    enabled: bool,
    after: Duration,
    started: Instant,
    drawn: Option<Instant>,
}

impl Progress {
    /// Progress for `what` (`judging`); off when `quiet` (a JSON format) or when stderr is
    /// not a terminal.
    pub fn new(what: &'static str, quiet: bool) -> Self {
        let after = std::env::var("COUNTERSIGN_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(AFTER, Duration::from_millis);
        Progress {
            what,
            enabled: !quiet && std::io::stderr().is_terminal(),
            after,
            started: Instant::now(),
            drawn: None,
        }
    }

    /// Shows `done` of `total`, with the commit being worked on.
    pub fn tick(&mut self, done: usize, total: usize, commit: &CommitChange) {
        if !self.enabled || self.started.elapsed() < self.after {
            return;
        }
        if self.drawn.is_some_and(|t| t.elapsed() < EVERY) {
            return;
        }
        let subject: String = crate::util::escape::line(&commit.summary)
            .chars()
            .take(50)
            .collect();
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{} {}/{total} {} {subject}",
            self.what,
            done + 1,
            commit.id.short()
        );
        let _ = err.flush();
        self.drawn = Some(Instant::now());
    }

    /// Shows `done` of `total` in a phase of the work named `phase` (`judging`).
    pub fn tick_phase(&mut self, phase: &str, done: usize, total: usize) {
        if !self.enabled || self.started.elapsed() < self.after {
            return;
        }
        if self.drawn.is_some_and(|t| t.elapsed() < EVERY) {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{}: {phase} {}/{total}", self.what, done + 1);
        let _ = err.flush();
        self.drawn = Some(Instant::now());
    }

    /// Clears the line, if one was drawn.
    pub fn finish(&mut self) {
        if self.drawn.take().is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
