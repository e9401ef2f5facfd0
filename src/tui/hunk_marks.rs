//! Per-hunk viewed marks (DESIGN "Attention"): a hunk counts as viewed once each of its lines
//! has been on screen whole — a line cut at the panel's edge only once its end was shown, by
//! scrolling or wrapping. Marks are kept by the hunk's name (its path, header and lines), so
//! a hunk that changes starts unviewed.
//!
//! The event loop calls [`drawn`] after each frame, as it tells [`super::deliberate`]; the
//! lines on screen are worked out by the diff panel's own layout ([`super::view::whole_lines`]).

use super::app::{App, DiffSlot};

/// A frame was drawn: the diff lines it showed whole are marked seen.
pub fn drawn(app: &mut App) {
    let seen = super::view::whole_lines(app);
    if seen.is_empty() {
        return;
    }
    let Some(DiffSlot::Ready(doc)) = app.selected.and_then(|k| app.diffs.get(&k)) else {
        return;
    };
    let doc = doc.clone();
    for (hunk, index) in seen {
        let (Some(name), Some(len)) = (doc.hunk_names.get(hunk), doc.hunk_lens.get(hunk)) else {
            continue;
        };
        let lines = app
            .hunks_seen
            .entry(name.clone())
            .or_insert_with(|| vec![false; *len]);
        if let Some(l) = lines.get_mut(index) {
            *l = true;
        }
    }
}

/// The names of every hunk viewed so far (what a sign-off's hunk evidence is made from).
pub fn viewed(app: &App) -> Vec<String> {
    let mut names: Vec<String> = app
        .hunks_seen
        .keys()
        .filter(|n| app.hunk_viewed(n))
        .cloned()
        .collect();
    names.sort();
    names
}
