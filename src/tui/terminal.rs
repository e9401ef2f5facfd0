//! The interactive loop and the terminal's safety: raw mode and the alternate screen are
//! entered by a guard that restores them when dropped, and a panic hook restores them before
//! the panic message prints, so no exit path (quit, Ctrl-C, an error, a panic, SIGTERM or
//! SIGHUP) leaves the terminal raw. A signal is turned into the same quit as Ctrl-C (the
//! loop ends, the guard restores the terminal, the exit status is 128 + the signal); should
//! the loop not end within two seconds, the signal's thread restores the terminal and exits.
//!
//! With `review --stdout` ([`run_for_prompt`]) the screen is drawn on `/dev/tty` instead of
//! stdout, so that stdout carries only the review prompt printed at the end.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::mpsc;
use std::sync::Once;
use std::thread;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
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
static TO_TTY: AtomicBool = AtomicBool::new(false);

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

/// Turns SIGTERM and SIGHUP into a quit: the loop gets Ctrl-C (which quits from anywhere) and
/// ends as on `q`, its guard restoring the terminal. The returned handle unregisters them.
fn watch_signals(tx: mpsc::Sender<Event>) -> io::Result<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP])?;
    let handle = signals.handle();
    thread::spawn(move || {
        let Some(sig) = signals.forever().next() else {
            return;
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

/// Puts the terminal back: mouse off, main screen, cursor shown, raw mode off. Does nothing
/// unless the workstation holds the terminal, so the panic hook and the guard's drop can
/// both call it (leaving the alternate screen twice would move the cursor back up over the
/// panic message).
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = screen();
    let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
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
    if !has_terminal() {
        return Err(Error::Message(
            "countersign review needs a terminal: run it in one, or use --snapshot WxH to print the first screen"
                .to_string(),
        ));
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
        if app.dirty {
            terminal.draw(|f| view::draw(f, &app)).map_err(io_err)?;
            app.dirty = false;
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
            let effects = match ev {
                Event::Term(t) => match keys::map_event(&t, keys::mode(&app)) {
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
