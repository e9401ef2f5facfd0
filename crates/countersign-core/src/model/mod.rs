//! Shared leaf types: what several layers speak of and none of them owns. Nothing here imports
//! any other module of countersign, so every layer may import it.
//!
//! - [`Tier`]: autonomous < supervised < prohibited;
//! - [`Diagnostic`] / [`Diagnostics`]: a problem in a file, with its place and the fix;
//! - [`CommitId`]: a commit id as it travels between layers;
//! - [`Error`] / [`Result`]: the library's error, every variant a sentence with the fix;
//! - [`Side`]: which side of a diff (highlighting, comments and their anchors);
//! - [`LineAnchor`]: a side and a line range, the one parse of a draft's `+12`;
//! - [`clip`]: quoted text cut to a length, so a message never repeats a megabyte of input.

mod anchor;
mod clip;
mod commit_id;
pub(crate) mod diagnostic;
mod error;
mod side;
mod tier;

pub use anchor::LineAnchor;
pub use clip::clip;
pub use commit_id::CommitId;
pub use diagnostic::{thousands, Diagnostic, Diagnostics};
pub use error::{Error, Result};
pub use side::Side;
pub use tier::Tier;
