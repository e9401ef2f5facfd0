//! The interactive loop and the terminal's safety: raw mode and the alternate screen are
//! entered by a guard that restores them when dropped, and a panic hook restores them before
//! the panic message prints, so no exit path (quit, Ctrl-C, an error, a panic, SIGTERM or
//! SIGHUP) leaves the terminal raw. A signal is turned into the same quit as Ctrl-C (the
//! loop ends, the guard restores the terminal, the exit status is 128 + the signal); should
//! the loop not end within two seconds, the signal's thread restores the terminal and exits.
//! Ctrl-Z and SIGTSTP suspend (terminal restored, process stopped); `fg` takes the terminal
//! back and redraws the whole screen.
//!
//! With `review --stdout` ([`run_for_prompt`]) the screen is drawn on `/dev/tty` instead of
//! stdout, so that stdout carries only the review prompt printed at the end.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::mpsc;
use std::sync::Once;
use std::thread;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use super::action::{Action, Effect};
use super::app::App;
use super::data::ReviewData;
use super::jobs::{Event, Jobs};
use super::keys;
use super::store::Store;
use super::theme::Theme;
use super::{update, view};
use crate::{Error, Result};

/// Exit status after Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Whether the screen goes to `/dev/tty` (`review --stdout`) rather than stdout.
pub(super) static TO_TTY: AtomicBool = AtomicBool::new(false);

/// Why the full-screen workstation cannot run here, as the sentence `review` exits 2 with:
/// no terminal, or one that says it cannot draw (`TERM=dumb`, as Emacs shells and some CI
/// runners set). None when it can.
pub fn refusal() -> Option<String> {
    let next = "`countersign status` lists the commits with their state, and `countersign \
                review --snapshot 120x40` prints the first screen as text";
    if std::env::var_os("TERM").is_some_and(|t| t == "dumb") {
        return Some(format!(
            "countersign review needs a full-screen terminal, and TERM=dumb says this one \
             cannot draw one: {next}"
        ));
    }
    (!has_terminal()).then(|| format!("countersign review needs a terminal: run it in one; {next}"))
}

/// Whether stdin and stdout are both terminals (with `--stdout`: whether `/dev/tty` opens).
pub fn has_terminal() -> bool {
    if TO_TTY.load(Ordering::SeqCst) {
        return open_tty().is_ok();
    }
    io::stdin().is_terminal() && io::stdout().is_terminal()
}

fn open_tty() -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
}

/// Where the screen is drawn: stdout, or `/dev/tty` under `--stdout`.
fn screen() -> Box<dyn Write + Send> {
    if TO_TTY.load(Ordering::SeqCst) {
        if let Ok(f) = open_tty() {
            return Box::new(f);
        }
    }
    Box::new(io::stdout())
}

/// Whether the workstation holds the terminal (raw mode, alternate screen).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// The termination signal received (SIGTERM, SIGHUP), 0 for none.
static SIGNALLED: AtomicI32 = AtomicI32::new(0);

/// Set when the screen must be drawn again in full (after the process was stopped and
/// continued: the shell drew over it).
static REDRAW: AtomicBool = AtomicBool::new(false);

/// Stops the process as Ctrl-Z does in a shell, with the terminal given back first (main
/// screen, mouse reporting off, cursor shown, cooked mode), and takes the terminal again
/// when it continues (`fg`, SIGCONT), asking for a full redraw.
fn suspend() {
    let held = ACTIVE.load(Ordering::SeqCst);
    restore();
    let _ = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP);
    if held {
        retake();
    }
}

/// Takes the terminal again after a stop: raw mode, alternate screen, mouse reporting,
/// hidden cursor (each harmless if already so), and a full redraw.
fn retake() {
    if terminal::enable_raw_mode().is_ok() {
        ACTIVE.store(true, Ordering::SeqCst);
        let _ = execute!(
            screen(),
            EnterAlternateScreen,
            EnableMouseCapture,
            cursor::Hide
        );
    }
    REDRAW.store(true, Ordering::SeqCst);
}

/// Turns SIGTERM and SIGHUP into a quit: the loop gets Ctrl-C (which quits from anywhere) and
/// ends as on `q`, its guard restoring the terminal. SIGTSTP from outside (`kill -TSTP`)
/// suspends as Ctrl-Z does, and SIGCONT (after a SIGSTOP, which cannot be caught) takes the
/// terminal back and redraws. The returned handle unregisters them.
fn watch_signals(tx: mpsc::Sender<Event>) -> io::Result<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGTERM, SIGTSTP};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGTSTP, SIGCONT])?;
    let handle = signals.handle();
    let wake = tx.clone();
    thread::spawn(move || {
        let mut next = signals.forever();
        let sig = loop {
            match next.next() {
                None => return,
                Some(SIGTSTP) => suspend(),
                Some(SIGCONT) if ACTIVE.load(Ordering::SeqCst) => retake(),
                Some(SIGCONT) => continue,
                Some(sig) => break sig,
            }
            // Wake the loop so that it redraws.
            let _ = wake.send(Event::Term(crossterm::event::Event::FocusGained));
        };
        SIGNALLED.store(sig, Ordering::SeqCst);
        let quit = crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('c'),
            crossterm::event::KeyModifiers::CONTROL,
        );
        let _ = tx.send(Event::Term(crossterm::event::Event::Key(quit)));
        // The loop normally ends at once; if it cannot, do not leave the terminal raw.
        thread::sleep(std::time::Duration::from_secs(2));
        restore();
        std::process::exit(128 + sig);
    });
    Ok(handle)
}

/// Puts the terminal back: mouse off, bracketed paste off, main screen, cursor shown, raw
/// mode off. Does nothing
/// unless the workstation holds the terminal, so the panic hook and the guard's drop can
/// both call it (leaving the alternate screen twice would move the cursor back up over the
/// panic message).
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = screen();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

/// Holds the terminal in raw mode on the alternate screen while alive.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        terminal::enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        // From here on, dropping the guard restores whatever was entered.
        let guard = TerminalGuard;
        execute!(
            screen(),
            EnterAlternateScreen,
            EnableMouseCapture,
            // A paste arrives as one event of text, never as keys (an approval's `y`).
            EnableBracketedPaste,
            cursor::Hide
        )?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Runs the workstation on the terminal until the user quits; returns the exit status.
pub fn run(data: ReviewData, store: Store, theme: Theme) -> Result<i32> {
    run_loop(data, store, theme).map(|(code, _)| code)
}

/// `review --stdout`: runs the workstation on `/dev/tty` and returns the exit status and the
/// review as a prompt for the agent ([`super::prompt::render`]) as it stands when the review
/// ends, for the caller to print on stdout.
pub fn run_for_prompt(data: ReviewData, store: Store, theme: Theme) -> Result<(i32, String)> {
    TO_TTY.store(true, Ordering::SeqCst);
    run_loop(data, store, theme)
}

fn run_loop(data: ReviewData, store: Store, theme: Theme) -> Result<(i32, String)> {
    if let Some(why) = refusal() {
        return Err(Error::Message(why));
    }
    let guard = TerminalGuard::enter().map_err(Error::io("the terminal"))?;
    let result = event_loop(data, store, theme);
    drop(guard);
    result
}

fn event_loop(data: ReviewData, store: Store, theme: Theme) -> Result<(i32, String)> {
    let io_err = |e: io::Error| Error::io("the terminal")(e);
    let mut terminal = Terminal::new(CrosstermBackend::new(screen())).map_err(io_err)?;
    let size = terminal.size().map_err(io_err)?;
    let (tx, rx) = mpsc::channel::<Event>();
    let signals = watch_signals(tx.clone()).map_err(Error::io("watching for SIGTERM"))?;
    let input = tx.clone();
    thread::spawn(move || {
        while let Ok(ev) = crossterm::event::read() {
            if input.send(Event::Term(ev)).is_err() {
                break;
            }
        }
    });
    let jobs = Jobs::background(&data.repo_path, data.resolved.clone(), tx);
    let mut app = App::new(data, store, theme, (size.width, size.height));
    app.tab_width = super::tab_width();
    let mut effects = update::start(&mut app);
    effects.push(Effect::LoadHighlighter);
    perform(&jobs, &mut app, effects);
    let mut interrupted = false;
    let mut first_frame = true;
    loop {
        if REDRAW.swap(false, Ordering::SeqCst) {
            // The shell drew over the screen while stopped: clear it and start from fresh
            // buffers, so that the next frame writes every cell. (Terminal::clear asks the
            // terminal for the cursor position, whose reply the input thread may take.)
            execute!(
                terminal.backend_mut(),
                terminal::Clear(terminal::ClearType::All)
            )
            .map_err(io_err)?;
            terminal = Terminal::new(CrosstermBackend::new(screen())).map_err(io_err)?;
            app.dirty = true;
        }
        if app.dirty {
            terminal.draw(|f| view::draw(f, &app)).map_err(io_err)?;
            app.dirty = false;
            super::deliberate::drawn(&mut app, std::time::Instant::now());
            super::hunk_marks::drawn(&mut app);
            // Sequences for the terminal itself (the OSC 52 clipboard), after the frame.
            for seq in std::mem::take(&mut app.outbox) {
                let out = terminal.backend_mut();
                out.write_all(seq.as_bytes()).map_err(io_err)?;
                out.flush().map_err(io_err)?;
            }
            if first_frame {
                first_frame = false;
                injected_panic();
            }
        }
        if app.quit {
            break;
        }
        let Ok(first) = rx.recv() else { break };
        // Handle everything already waiting before drawing again.
        let mut next = Some(first);
        while let Some(ev) = next {
            app.now = std::time::Instant::now();
            let effects = match ev {
                Event::Term(t) => match keys::map_event(&t, keys::mode(&app)) {
                    Some(Action::Suspend) => {
                        suspend();
                        Vec::new()
                    }
                    // A termination signal quits from anywhere (even the comment box, where
                    // Ctrl-C only closes the box).
                    Some(Action::Interrupt) if SIGNALLED.load(Ordering::SeqCst) != 0 => {
                        app.quit = true;
                        Vec::new()
                    }
                    Some(action) => {
                        interrupted |= action == Action::Interrupt;
                        update::update(&mut app, action)
                    }
                    None => Vec::new(),
                },
                Event::Job(j) => update::apply_job(&mut app, j),
            };
            perform(&jobs, &mut app, effects);
            if app.quit {
                break;
            }
            next = rx.try_recv().ok();
        }
    }
    signals.close();
    let code = match SIGNALLED.load(Ordering::SeqCst) {
        0 if interrupted => EXIT_INTERRUPTED,
        0 => 0,
        sig => 128 + sig,
    };
    Ok((code, super::prompt::render(&app)))
}

fn perform(jobs: &Jobs, app: &mut App, effects: Vec<Effect>) {
    let mut queue = effects;
    while !queue.is_empty() {
        let mut next = Vec::new();
        for e in queue {
            for r in jobs.perform(app, e) {
                next.extend(update::apply_job(app, r));
            }
        }
        queue = next;
    }
}

/// Test builds only: `COUNTERSIGN_TEST_PANIC=1` panics after the first frame, so the
/// end-to-end tests can check that a panic restores the terminal.
fn injected_panic() {
    #[cfg(debug_assertions)]
    if std::env::var_os("COUNTERSIGN_TEST_PANIC").is_some() {
        panic!("injected panic (COUNTERSIGN_TEST_PANIC)");
    }
}
