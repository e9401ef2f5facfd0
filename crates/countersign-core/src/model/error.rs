//! The library's error type: every variant reads as a sentence that says what went wrong
//! and, where the user can act, what to do about it. A leaf type like the rest of `model`
//! (it speaks of [`Diagnostics`] and nothing else of ours), so every layer may return it.

use std::path::PathBuf;

use super::Diagnostics;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors the library reports. The binary prints them and exits with status 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path given (or the current directory) is not inside a git work tree.
    #[error("{} is not inside a git repository: run countersign from a clone of the repository to review (or pass -C DIR)", .0.display())]
    NotARepository(PathBuf),
    /// countersign needs a work tree (the policy check and the demo read files).
    #[error("{} is a bare repository: countersign needs a clone with a work tree; clone it (git clone {} work) and run countersign inside", .0.display(), .0.display())]
    BareRepository(PathBuf),
    /// A revspec that git cannot resolve.
    #[error("unknown revision or range `{spec}`: {reason}; give a commit (HEAD~1), a range (refs/heads/main..HEAD) or nothing for the commits of HEAD not on the trusted ref")]
    UnknownRevision {
        /// What the user typed.
        spec: String,
        /// Why git rejected it.
        reason: String,
    },
    /// A short name that several refs (or a ref and a commit id) answer to, such as a tag
    /// `origin/main` beside the remote-tracking branch: refused rather than guessed.
    #[error("`{name}` is ambiguous: it names {}; write the one you mean in full (e.g. {})", .matches.join(" and "), .matches.last().map_or("refs/heads/NAME", String::as_str))]
    AmbiguousRevision {
        /// What the user (or the configuration) wrote.
        name: String,
        /// The full names it matches.
        matches: Vec<String>,
    },
    /// The trusted revision has no policy file.
    #[error("no policy at {rev}:.countersign/policy.toml: run `countersign init` to write .countersign/policy.toml and .countersign/allowed_signers, commit them on the trusted branch (see the README's \"Policy\" section), or point --trusted-ref at a revision that has them")]
    NoPolicy {
        /// The revision the policy was looked for in.
        rev: String,
    },
    /// The policy or roster has errors; each one carries its file, line and column.
    #[error("{0}")]
    Policy(Diagnostics),
    /// A git operation failed in a way the user cannot fix by changing arguments.
    #[error("git: {context}: {}", .source.message())]
    Git {
        /// What countersign was doing.
        context: String,
        /// libgit2's error.
        #[source]
        source: git2::Error,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The passphrase given for an encrypted key does not open it: the one failure a caller
    /// answers by asking again (the workstation's sign dialog does).
    #[error("wrong passphrase for {}: nothing was signed; try again (or check COUNTERSIGN_PASSPHRASE)", .path.display())]
    WrongPassphrase {
        /// The key file.
        path: PathBuf,
    },
    /// The signing key cannot be found, read or used (not the passphrase), as a sentence
    /// with the fix.
    #[error("{0}")]
    Key(String),
    /// ssh-agent failed or refused, as a sentence with the fix.
    #[error("{0}")]
    Agent(String),
    /// Anything else, already phrased as a sentence with the fix.
    #[error("{0}")]
    Message(String),
}

impl Error {
    /// Wraps a git2 error with what countersign was doing when it happened.
    pub fn git(context: impl Into<String>) -> impl FnOnce(git2::Error) -> Error {
        let context = context.into();
        move |source| Error::Git { context, source }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
