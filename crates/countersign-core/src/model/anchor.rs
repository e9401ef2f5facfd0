//! Where a line comment sits: a side of the diff and an inclusive range of line numbers on it.
//!
//! The review state file keeps a draft's anchor as text (`"line": "+12"`, `"end": 14`), a
//! contract; this is the one parse of that text, at the boundary, so the workstation's
//! gutter, the sign dialog and `feedback` agree on what a draft covers. Anything else in the
//! file (empty, no sign, no number, a multi-byte character) is no anchor: the draft is then a
//! whole-file comment everywhere, never a panic.

use super::Side;

/// A side and the lines on it, `start..=end` (1-based; `end >= start`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LineAnchor {
    /// Which side of the diff the lines are on.
    pub side: Side,
    /// The first line.
    pub start: u32,
    /// The last line (equal to `start` for one line).
    pub end: u32,
}

impl LineAnchor {
    /// From the state file's text: `+N` (new side) or `-N` (old side), and the range's last
    /// line `end` (missing, or before `N`: one line). None for anything else.
    pub fn parse(line: &str, end: Option<u32>) -> Option<LineAnchor> {
        let (side, digits) = if let Some(n) = line.strip_prefix('+') {
            (Side::New, n)
        } else if let Some(n) = line.strip_prefix('-') {
            (Side::Old, n)
        } else {
            return None;
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let start: u32 = digits.parse().ok()?;
        Some(LineAnchor {
            side,
            start,
            end: end.filter(|e| *e >= start).unwrap_or(start),
        })
    }

    /// The state file's text of the first line: `+12` or `-12`.
    pub fn mark(&self) -> String {
        let sign = match self.side {
            Side::New => '+',
            Side::Old => '-',
        };
        format!("{sign}{}", self.start)
    }

    /// Whether it covers line `n` on `side`.
    pub fn covers(&self, side: Side, n: u32) -> bool {
        self.side == side && (self.start..=self.end).contains(&n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_sign_and_digits_make_an_anchor() {
        for bad in [
            "", "+", "-", "12", "é12", "±3", "+-1", "-+1", "+1x", "x12", "+ 1", "+١٢",
        ] {
            assert_eq!(LineAnchor::parse(bad, None), None, "{bad:?}");
        }
        let a = LineAnchor::parse("+12", Some(14)).expect("new side");
        assert_eq!((a.side, a.start, a.end), (Side::New, 12, 14));
        assert_eq!(a.mark(), "+12");
        let b = LineAnchor::parse("-3", Some(1)).expect("old side");
        assert_eq!((b.side, b.start, b.end), (Side::Old, 3, 3));
        assert!(b.covers(Side::Old, 3) && !b.covers(Side::New, 3));
        assert_eq!(LineAnchor::parse("+99999999999", None), None);
    }
}
