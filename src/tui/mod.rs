//! The review workstation: a terminal UI (ratatui + crossterm) for keyboard-driven triage of a
//! change and a signed decision on it. This is the only module that imports ratatui or
//! crossterm.
//!
//! # Architecture
//!
//! State, update and view are kept apart, as in the Elm architecture (and gitui):
//!
//! ```text
//!  keys, mouse, resize ──► keys::map_event ──► Action ─┐
//!                                                      ├─► update(&mut App) ──► Vec<Effect>
//!  worker threads ─────────────────────► JobResult ────┘          │                │
//!        ▲                                                        ▼                ▼
//!        └────────────── jobs::Jobs::perform ◄───────── view::draw(&App)   (load a diff, save,
//!                                                                           sign, open a file)
//! ```
//!
//! - [`app::App`] is all the state a frame is drawn from: the change ([`data::ReviewData`]),
//!   the selection, each file's diff as it arrives ([`doc::DiffDoc`], flattened once into
//!   unified and side-by-side rows), viewed marks and comment drafts ([`store::Store`]), the
//!   impact analysis ([`impact::ImpactSlot`]), and a stack of overlays (help, search, comment
//!   editor, sign dialog, file viewer, interdiff).
//! - [`update::update`] is the only place the state changes. It never blocks: slow work is
//!   returned as an [`action::Effect`] and carried out by [`jobs::Jobs`] on worker threads,
//!   whose results come back on the same channel as key presses. Keys go to the top overlay
//!   first ([`overlay`], one module per overlay); it uses them or lets them fall through to
//!   the panels.
//! - [`view::draw`] only draws, one file per panel or dialog, and only the rows on screen,
//!   so a frame costs the same on a ten-line change and a hundred-thousand-line one.
//! - The loop ([`terminal`]) redraws only after something changed; a guard and a panic hook
//!   restore the terminal on every exit path.
//! - [`Session`] is the same machine without a terminal: jobs run inline and frames go into
//!   a `TestBackend`. `review --snapshot`, the snapshot tests and the benchmarks use it.
//!
//! The first frame needs only the file lists, the verdicts and the first file's diff; the
//! other files' diffs load in the background as they are selected (with the next one
//! prefetched), and the impact panel fills in when its analysis arrives. A change of more
//! than [`data::FULL_FIRST_FILES`] files opens on its paths alone (rename similarity can cost
//! seconds): the full file lists, with renames and binary flags, follow from a background job
//! ([`full_files`]), and the content scan runs on them. A range of more than
//! [`data::FIRST_SCREEN_COMMITS`] commits opens on its commit ids and its first commit alone,
//! judged; the other commits' files and verdicts arrive part by part from a background job
//! ([`data::load_range`]), and until the last one the header's counts say they are not final
//! and signing waits. A first screen of more than [`data::FIRST_JUDGED_PATHS`] changed paths
//! (a commit adding 50,000 files) is drawn from the paths alone and judged by the same job
//! ([`data::ReviewData::judging`]); signing waits for that verdict too.

pub mod action;
pub mod app;
pub mod data;
pub mod deliberate;
pub mod doc;
pub mod field;
pub mod full_files;
pub mod hunk_marks;
pub mod impact;
pub mod jobs;
pub mod keymap;
pub mod keys;
pub mod layout;
pub mod nav;
pub mod overlay;
pub mod prompt;
#[cfg(test)]
#[path = "../../tests/support/sample.rs"]
mod sample;
mod scan;
mod session;
mod signing;
pub mod store;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_loop;

pub use overlay::interdiff;
pub use session::{buffer_text, Session};

use std::path::Path;

use crate::{Error, Result};

/// What `review` was asked for.
#[derive(Clone, Debug, Default)]
pub struct ReviewOptions {
    /// The REVSPEC (None: the commits of HEAD not on the trusted ref).
    pub revspec: Option<String>,
    /// `--trusted-ref` (None: the settled default, see [`crate::review::trusted`]).
    pub trusted_ref: Option<String>,
    /// The theme name (None: `config.toml`, then `dark`).
    pub theme: Option<String>,
}

impl ReviewOptions {
    /// The selection the review layer opens.
    pub fn selection(&self) -> crate::review::Selection<'_> {
        crate::review::Selection {
            revspec: self.revspec.as_deref(),
            trusted_ref: self.trusted_ref.as_deref(),
        }
    }
}

/// The theme to use: `name` if given, else `config.toml`'s, else `dark`. A broken config
/// file or theme is an error naming the file.
pub fn resolve_theme(name: Option<&str>) -> Result<theme::Theme> {
    let dir = store::config_dir();
    let config = match &dir {
        Some(d) => crate::diff::load_config(d).map_err(|e| Error::Message(e.to_string()))?,
        None => crate::diff::Config::default(),
    };
    let chosen = name.unwrap_or_else(|| config.theme_name());
    let theme = theme::Theme::named(chosen, dir.as_deref())?;
    Ok(if theme::Theme::no_colour_requested() {
        theme.without_colour()
    } else {
        theme
    })
}

/// Columns a tab expands to: `config.toml`'s `tab_width`, else 4 (a broken config file is
/// reported by [`resolve_theme`]).
pub fn tab_width() -> usize {
    store::config_dir()
        .and_then(|d| crate::diff::load_config(&d).ok())
        .unwrap_or_default()
        .tab_width()
}

/// Opens the workstation on the change at `dir` and runs it until the user quits. Without a
/// terminal it refuses with one sentence (an error: exit status 2).
pub fn review(dir: &Path, opts: &ReviewOptions) -> Result<i32> {
    if let Some(why) = terminal::refusal() {
        return Err(Error::Message(why));
    }
    let theme = resolve_theme(opts.theme.as_deref())?;
    let data = data::load_review(dir, opts.selection())?;
    let store = store::Store::open_for(&data.repo_path);
    terminal::run(data, store, theme)
}

/// `review --stdout`: the workstation on `/dev/tty`; when the review ends, the review as a
/// prompt for the agent (decision and comments, [`prompt::render`]) on stdout, so that an
/// agent's harness can open the review in a pane and read the result. Returns the exit
/// status.
pub fn review_to_stdout(dir: &Path, opts: &ReviewOptions) -> Result<i32> {
    use std::io::Write;
    terminal::TO_TTY.store(true, std::sync::atomic::Ordering::SeqCst);
    if let Some(why) = terminal::refusal() {
        return Err(Error::Message(why));
    }
    let theme = resolve_theme(opts.theme.as_deref())?;
    let data = data::load_review(dir, opts.selection())?;
    let store = store::Store::open_for(&data.repo_path);
    let (code, prompt) = terminal::run_for_prompt(data, store, theme)?;
    let mut out = std::io::stdout().lock();
    match out.write_all(prompt.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(code),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(code),
        Err(e) => Err(Error::io("stdout")(e)),
    }
}

/// Renders the first screen of `review` into a `size` buffer and returns it as text: what the
/// workstation shows before its background work arrives (renames, the content scan, the
/// impact analysis). With `settled`, every panel has its data first.
pub fn snapshot(
    dir: &Path,
    opts: &ReviewOptions,
    size: (u16, u16),
    settled: bool,
) -> Result<String> {
    let mut session = Session::open_first_screen(dir, opts, size)?;
    if settled {
        session.settle();
    }
    Ok(session.render())
}

/// The largest width or height `--snapshot` renders: a screen is width × height cells in
/// memory, so `60000x60000` would take gigabytes.
pub const MAX_SNAPSHOT_SIDE: u16 = 1000;

/// Parses `WxH` (e.g. `120x40`), each side from 1 to [`MAX_SNAPSHOT_SIDE`].
pub fn parse_size(text: &str) -> Result<(u16, u16)> {
    let bad = || {
        Error::Message(format!(
            "--snapshot wants WIDTHxHEIGHT, like 120x40; `{text}` is not that"
        ))
    };
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let side = |s: &str| -> Result<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        // All digits: too many of them is "too large", not "not a size".
        Ok(s.parse::<u64>().unwrap_or(u64::MAX))
    };
    let (w, h) = (side(w)?, side(h)?);
    if w == 0 || h == 0 {
        return Err(Error::Message(format!(
            "--snapshot {text}: a side of 0 cells shows nothing; give at least 1x1, like 120x40"
        )));
    }
    if w > u64::from(MAX_SNAPSHOT_SIDE) || h > u64::from(MAX_SNAPSHOT_SIDE) {
        return Err(Error::Message(format!(
            "--snapshot {text} is too large: each side may be at most {MAX_SNAPSHOT_SIDE} cells; \
             give a smaller size, like 120x40"
        )));
    }
    Ok((w as u16, h as u16))
}
