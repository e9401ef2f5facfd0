//! A workstation without a terminal: the same state, update and view, with every job run
//! inline and frames drawn into a ratatui `TestBackend`. `--snapshot`, the snapshot tests and
//! the benchmarks use it.
//!
//! ```no_run
//! # use countersign::tui::{Session, ReviewOptions};
//! let mut s = Session::open(std::path::Path::new("."), &ReviewOptions::default(), (120, 40))?;
//! s.press("]]v}s");          // next file twice, mark viewed, next hunk, side-by-side
//! println!("{}", s.render());
//! # Ok::<(), countersign_core::Error>(())
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

use super::action::{Action, Effect, JobResult};
use super::app::App;
use super::data::{self, ReviewData};
use super::impact::ImpactSlot;
use super::jobs::Jobs;
use super::keys::{self, parse_keys};
use super::store::Store;
use super::theme::Theme;
use super::{update, view, ReviewOptions};
use crate::Result;

/// A headless workstation.
pub struct Session {
    app: App,
    jobs: Jobs,
    /// Work the interactive loop leaves to the background, held back until [`Session::settle`]
    /// (a session opened with [`Session::open_first_screen`]); None runs everything inline.
    deferred: Option<Vec<Effect>>,
    /// The injected clock: what [`App::now`] says when the next key is read.
    clock: Instant,
    /// How long a pretend user takes between keys ([`Session::set_pace`]).
    pace: Duration,
}

/// A pretend user's time between keys: slow enough that a dialog's confirming key counts
/// ([`super::deliberate::SETTLE`]).
pub const HUMAN_PACE: Duration = Duration::from_millis(300);

impl Session {
    /// Loads the change at `dir` as `review` would and shows its first file, with every job
    /// run inline (the rest of a long range, the full file lists and the content scan
    /// included; the impact analysis waits for [`Session::settle`]).
    pub fn open(dir: &Path, opts: &ReviewOptions, size: (u16, u16)) -> Result<Session> {
        Self::open_deferring(dir, opts, size, None)
    }

    /// A session over data built elsewhere (tests construct it by hand). Such data need not
    /// come from a repository, so its impact panel stays unavailable until a test delivers
    /// an analysis ([`Session::deliver`]).
    pub fn from_data(data: ReviewData, store: Store, theme: Theme, size: (u16, u16)) -> Session {
        let jobs = Jobs::inline(&data.repo_path, data.resolved.clone());
        let mut s = Session::with(data, store, theme, size, jobs);
        s.app.impact = ImpactSlot::Unavailable;
        s
    }

    /// Like [`Session::open`], but what the interactive workstation computes in the
    /// background after its first frame (the rest of a long range, the full file lists with
    /// renames, then the content scan, and the impact analysis) waits for
    /// [`Session::settle`]: the screen a user sees first, which `review --snapshot` prints.
    pub fn open_first_screen(
        dir: &Path,
        opts: &ReviewOptions,
        size: (u16, u16),
    ) -> Result<Session> {
        Self::open_deferring(dir, opts, size, Some(Vec::new()))
    }

    fn open_deferring(
        dir: &Path,
        opts: &ReviewOptions,
        size: (u16, u16),
        deferred: Option<Vec<Effect>>,
    ) -> Result<Session> {
        let data = data::load_review(dir, opts.selection())?;
        let store = Store::open_for(&data.repo_path);
        let theme = super::resolve_theme(opts.theme.as_deref())?;
        let jobs = Jobs::inline(&data.repo_path, data.resolved.clone());
        let mut app = App::new(data, store, theme, size);
        app.tab_width = super::tab_width();
        let mut s = Session {
            app,
            jobs,
            deferred,
            clock: Instant::now(),
            pace: HUMAN_PACE,
        };
        let effects = update::start(&mut s.app);
        s.run(effects);
        s.frame();
        Ok(s)
    }

    fn with(data: ReviewData, store: Store, theme: Theme, size: (u16, u16), jobs: Jobs) -> Session {
        let app = App::new(data, store, theme, size);
        let mut s = Session {
            app,
            jobs,
            deferred: None,
            clock: Instant::now(),
            pace: HUMAN_PACE,
        };
        let effects = update::start(&mut s.app);
        s.run(effects);
        s.frame();
        s
    }

    /// The workstation's state after the keys and results given so far, for tests to read.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The state, to set up a test.
    pub fn app_mut(&mut self) -> &mut App {
        &mut self.app
    }

    /// Presses keys written in the notation of [`keys::parse_keys`] (`]]v<Enter><Esc>`), as a
    /// user does: each key read alone, a frame drawn after it, then [`Session::set_pace`]'s
    /// time passes.
    pub fn press(&mut self, notation: &str) {
        for key in parse_keys(notation) {
            let mode = keys::mode(&self.app);
            if let Some(action) = keys::map_key(&key, mode) {
                self.act(action);
            }
        }
    }

    /// Presses keys that arrive in one input read (type-ahead, a paste without bracketed
    /// paste): no frame is drawn and no time passes between them; one frame after the last.
    pub fn press_in_one_read(&mut self, notation: &str) {
        for key in parse_keys(notation) {
            let mode = keys::mode(&self.app);
            if let Some(action) = keys::map_key(&key, mode) {
                self.app.now = self.clock;
                let effects = update::update(&mut self.app, action);
                self.run(effects);
            }
        }
        self.frame();
        self.clock += self.pace;
    }

    /// Applies one action read at the injected clock's time, runs its effects, draws a frame
    /// and lets [`Session::set_pace`]'s time pass.
    pub fn act(&mut self, action: Action) {
        self.app.now = self.clock;
        let effects = update::update(&mut self.app, action);
        self.run(effects);
        self.frame();
        self.clock += self.pace;
    }

    /// Sets the time that passes after each key (default `HUMAN_PACE`).
    pub fn set_pace(&mut self, pace: Duration) {
        self.pace = pace;
    }

    /// Lets `time` pass on the injected clock.
    pub fn advance(&mut self, time: Duration) {
        self.clock += time;
    }

    /// What the event loop does after drawing a frame (without drawing it: the headless
    /// frame is drawn by [`Session::render`]).
    fn frame(&mut self) {
        super::deliberate::drawn(&mut self.app, self.clock);
        super::hunk_marks::drawn(&mut self.app);
    }

    /// Applies a job result (e.g. an impact analysis built by a test).
    pub fn deliver(&mut self, result: JobResult) {
        let effects = update::apply_job(&mut self.app, result);
        self.run(effects);
        self.frame();
    }

    fn run(&mut self, effects: Vec<Effect>) {
        let mut queue = effects;
        while !queue.is_empty() {
            let mut next = Vec::new();
            for e in queue {
                if let (Some(held), Effect::LoadFullFiles(_) | Effect::LoadRange) =
                    (&mut self.deferred, &e)
                {
                    held.push(e);
                    continue;
                }
                for r in self.jobs.perform(&self.app, e) {
                    next.extend(update::apply_job(&mut self.app, r));
                }
            }
            queue = next;
        }
    }

    /// Waits for every panel: runs the jobs that the interactive loop would leave in the
    /// background (the impact analysis) and applies their results.
    pub fn settle(&mut self) {
        if let Some(held) = self.deferred.take() {
            self.run(held);
        }
        let results = self.jobs.settle(&self.app);
        for r in results {
            self.deliver(r);
        }
    }

    /// Resizes the pretend terminal.
    pub fn resize(&mut self, w: u16, h: u16) {
        self.act(Action::Resize(w, h));
    }

    /// Draws a frame and returns its buffer.
    pub fn render_buffer(&mut self) -> Buffer {
        let (w, h) = self.app.size;
        let mut terminal = match Terminal::new(TestBackend::new(w, h)) {
            Ok(t) => t,
            Err(never) => match never {},
        };
        let drawn = terminal.draw(|f| view::draw(f, &self.app));
        match drawn {
            Ok(frame) => frame.buffer.clone(),
            Err(never) => match never {},
        }
    }

    /// Draws a frame and returns it as plain text, one line per row, trailing spaces trimmed.
    pub fn render(&mut self) -> String {
        buffer_text(&self.render_buffer())
    }
}

/// A buffer as plain text: one line per row, trailing spaces trimmed.
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::with_capacity(usize::from(area.width + 1) * usize::from(area.height));
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut hidden = 0usize;
        for x in area.left()..area.right() {
            // Cells covered by a wide character before them are not printed.
            if hidden > 0 {
                hidden -= 1;
                continue;
            }
            let symbol = buf[(x, y)].symbol();
            hidden = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
            line.push_str(symbol);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
