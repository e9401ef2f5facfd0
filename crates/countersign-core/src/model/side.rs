//! Which side of a diff: what highlighting, comments and their anchors all speak of.

use serde::{Deserialize, Serialize};

/// Which side of a diff a line is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The file before: the commit's first parent (lines the commit removed or kept).
    Old,
    /// The file after: the commit itself (lines it added or kept).
    New,
}

impl Side {
    /// `old` or `new`.
    pub fn name(self) -> &'static str {
        match self {
            Side::Old => "old",
            Side::New => "new",
        }
    }
}
