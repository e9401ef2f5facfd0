//! Shared leaf types: what several layers speak of and none of them owns. Nothing here imports
//! any other module of countersign, so every layer may import it.
//!
//! - [`Tier`]: autonomous < supervised < prohibited;
//! - [`Diagnostic`] / [`Diagnostics`]: a problem in a file, with its place and the fix;
//! - [`CommitId`]: a commit id as it travels between layers.

mod commit_id;
pub(crate) mod diagnostic;
mod tier;

pub use commit_id::CommitId;
pub use diagnostic::{Diagnostic, Diagnostics};
pub use tier::Tier;
