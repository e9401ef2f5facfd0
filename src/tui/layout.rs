//! Where each panel goes for a terminal size. Shared by `view` (to draw) and `update` (to page
//! and to keep the cursor on screen), so both agree without `view` writing to the state.

use ratatui::layout::Rect;

/// The smallest terminal the workstation draws in; below it, it says it needs more room.
pub const MIN_SIZE: (u16, u16) = (60, 10);
/// From this width on, the impact panel has its own column.
pub const WIDE: u16 = 110;

/// The panels' places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    /// The title line.
    pub header: Rect,
    /// Commits and files (None in a narrow terminal while the impact panel is focused).
    pub files: Option<Rect>,
    /// The selected file's diff; always shown.
    pub diff: Rect,
    /// The impact panel (None in a narrow terminal unless it is focused).
    pub impact: Option<Rect>,
    /// The key line.
    pub status: Rect,
}

impl Areas {
    /// Rows of diff inside the diff panel's border.
    pub fn diff_body_height(&self) -> usize {
        usize::from(self.diff.height.saturating_sub(2)).max(1)
    }
}

/// Whether `size` is too small to draw the panels.
pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_SIZE.0 || size.1 < MIN_SIZE.1
}

/// The areas for a terminal of `size`; `impact_focused` decides, in a narrow terminal,
/// whether the impact panel takes the file list's place.
pub fn compute(size: (u16, u16), impact_focused: bool) -> Areas {
    let (w, h) = size;
    let header = Rect::new(0, 0, w, 1.min(h));
    let status = Rect::new(0, h.saturating_sub(1), w, 1.min(h));
    let body_h = h.saturating_sub(2);
    let clamp = |v: u16, lo: u16, hi: u16| v.clamp(lo, hi);
    if w >= WIDE {
        let files_w = clamp(w * 22 / 100, 26, 40);
        let impact_w = clamp(w * 24 / 100, 28, 44);
        let diff_w = w - files_w - impact_w;
        Areas {
            header,
            files: Some(Rect::new(0, 1, files_w, body_h)),
            diff: Rect::new(files_w, 1, diff_w, body_h),
            impact: Some(Rect::new(files_w + diff_w, 1, impact_w, body_h)),
            status,
        }
    } else {
        let side_w = clamp(w * 30 / 100, 22, 36);
        let side = Rect::new(0, 1, side_w, body_h);
        let diff = Rect::new(side_w, 1, w.saturating_sub(side_w), body_h);
        Areas {
            header,
            files: (!impact_focused).then_some(side),
            diff,
            impact: impact_focused.then_some(side),
            status,
        }
    }
}

/// The panel that fills the body when zoomed (`z`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zoom {
    /// The commit and file list.
    Files,
    /// The selected file's diff.
    Diff,
    /// The impact panel.
    Impact,
}

/// [`compute`], or with `zoom` the one panel over the whole body (the others hidden; the
/// diff keeps a zero-width place so that it need not be optional).
pub fn compute_zoomed(size: (u16, u16), impact_focused: bool, zoom: Option<Zoom>) -> Areas {
    let a = compute(size, impact_focused);
    let Some(z) = zoom else { return a };
    let body = Rect::new(0, 1, size.0, size.1.saturating_sub(2));
    let none = Rect::new(size.0, 1, 0, body.height);
    match z {
        Zoom::Diff => Areas {
            files: None,
            diff: body,
            impact: None,
            ..a
        },
        Zoom::Files => Areas {
            files: Some(body),
            diff: none,
            impact: None,
            ..a
        },
        Zoom::Impact => Areas {
            files: None,
            diff: none,
            impact: Some(body),
            ..a
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_tile_the_body() {
        for size in [(60, 10), (100, 30), (120, 40), (250, 70)] {
            let a = compute(size, false);
            let total =
                a.files.map_or(0, |r| r.width) + a.diff.width + a.impact.map_or(0, |r| r.width);
            assert_eq!(total, size.0, "{size:?}");
            assert_eq!(a.diff.height, size.1 - 2);
        }
        assert!(compute((80, 24), true).files.is_none());
    }
}
