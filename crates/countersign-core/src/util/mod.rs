//! Small helpers every command uses at its edges, one job each, importing nothing of
//! ours but [`crate::Error`]:
//!
//! - [`escape`]: text from a repository is escaped before it reaches a terminal;
//! - [`bounded`]: files are read only when regular, and never beyond a size cap;
//! - [`pipe`]: a closed stdout ends a command quietly, with its own exit status;
//! - [`shell`]: a path in a printed command is quoted so the command runs as printed.

pub mod bounded;
pub mod escape;
pub mod pipe;
pub mod shell;
