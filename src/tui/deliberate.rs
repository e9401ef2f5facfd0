//! Deliberate acts: a dialog's confirming key counts only once the dialog's question has been
//! drawn on a screen large enough to show it and has stayed there for [`SETTLE`]. So a paste,
//! a key repeat, type-ahead read together with the key that opened the dialog, or keys sent to
//! a terminal too small to show it can never sign (DESIGN, "Deliberate acts").
//!
//! The event loop tells this module when a frame was drawn ([`drawn`]) and stamps each action
//! with the time it was read ([`crate::tui::app::App::now`]); tests inject both times, so the
//! rule is tested without sleeping.

use std::time::{Duration, Instant};

use super::app::{App, Overlay, SignScope, SignStage};
use super::layout;

/// How long a dialog's question must have been on screen before its confirming key counts.
pub const SETTLE: Duration = Duration::from_millis(250);

/// One question a dialog asks: a new stage, or a changed scope (`e`), is a new question that
/// must be shown anew.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question {
    depth: usize,
    stage: &'static str,
    every: bool,
}

/// The question on top, if a dialog that signs is asking one.
fn question(app: &App) -> Option<Question> {
    let Some(Overlay::Sign { scope, stage, .. }) = app.top() else {
        return None;
    };
    let stage = match stage {
        SignStage::Review => "review",
        SignStage::ConfirmUnviewed => "unviewed",
        SignStage::Passphrase { .. } => "passphrase",
        SignStage::Signing | SignStage::Done { .. } => return None,
    };
    Some(Question {
        depth: app.overlays.len(),
        stage,
        every: matches!(scope, SignScope::Range { every: true }),
    })
}

/// A frame was drawn at `now`: the question on screen (if the screen could show it) starts
/// its time on screen, unless it was already there.
pub fn drawn(app: &mut App, now: Instant) {
    let shown = match question(app) {
        Some(q) if !layout::too_small(app.size) => q,
        _ => {
            app.dialog_shown = None;
            return;
        }
    };
    if app.dialog_shown.map(|(q, _)| q) != Some(shown) {
        app.dialog_shown = Some((shown, now));
    }
}

/// Whether a confirming key read at [`App::now`] counts: the question on top has been on a
/// large enough screen for at least [`SETTLE`], and the screen still shows it.
pub fn may_confirm(app: &App) -> bool {
    let (Some(q), Some((shown, since))) = (question(app), app.dialog_shown) else {
        return false;
    };
    q == shown && !layout::too_small(app.size) && app.now.saturating_duration_since(since) >= SETTLE
}

/// What the status line says when a confirming key came too early.
pub const TOO_EARLY: &str =
    "that key did not count: a dialog must be on screen a moment before it can be confirmed (press it again)";
