//! Dependency impact: what a change can reach.
//!
//! - [`Workspace`] is the Cargo workspace as of a revision, read from git objects (members,
//!   their manifests and Cargo metadata tiers), so it works on revisions that are not checked
//!   out and without any dependency downloaded.
//! - The reverse closure over the workspace graph and the module import graph come with the
//!   impact work.

mod workspace;

pub use workspace::{Member, Workspace};
