//! What the application (the command line, the workstation, the demo) may see of the layers
//! under `review`, and nothing more.
//!
//! `git`, `diff`, `impact`, `policy` and `signoff` are private to this package (public only
//! with the `test-support` feature, for tests and benches). The application reaches them
//! through these views, each a list of the data types and entry points it needs; a new use of
//! a lower layer from the application is a compile error until it is listed here, so the
//! surface the application depends on is this one file.

/// Commits, files, hunks and lines as git gives them; opening and naming revisions.
pub mod git {
    pub use crate::git::{
        large_blob_turn, limit_object_cache, open, resolve_range, resolve_rev, short_id,
        verify_every_read, CommitChange, DiffBase, DiffLine, FileChange, FileStatus, GitPath,
        GitTree, Hunk, LineKind, LoadDepth, Person, SubmoduleChange, WorkTree, LARGE_BLOB,
    };

    /// What a blob holds (binary, LFS pointer), judged as the workstation shows it.
    pub mod content {
        pub use crate::git::content::{is_lfs_pointer, looks_binary};
    }
}

/// What a reviewer reads: display text, highlighting, themes, invisible characters.
pub mod diff {
    pub use crate::diff::{
        display_text, hunk_emphasis, load_config, load_theme, Config, Highlighter, LineHighlight,
        LoadedTheme, Rgb, Syntaxes, DEFAULT_THEME,
    };

    /// Invisible and confusable characters marked in the diff.
    pub mod invisible {
        pub use crate::diff::invisible::{is_invisible, marker, mixed_script_ranges, Findings};
    }
}

/// The workspace graph and what a change reaches, for `impact` and `policy check`.
pub mod impact {
    pub use crate::impact::{CrateImpact, Options, Workspace};

    /// What a crate compiles from outside its module tree.
    pub mod compiled {
        pub use crate::impact::compiled::{is_symlink_mode, scan_tree, Inclusions};
    }
}

/// The policy file, the roster and tiers.
pub mod policy {
    pub use crate::policy::{
        load_trusted, load_trusted_at, load_worktree, summary, Diagnostics, TierRequirement,
        Trusted, POLICY_PATH, ROSTER_PATH,
    };

    /// The built-in lists (agents, line-note refs).
    pub mod defaults {
        pub use crate::policy::defaults::LINE_NOTES;
    }

    /// `policy check`'s findings.
    pub mod lint {
        pub use crate::policy::lint::{lint, unmatched_globs, Finding};
    }

    /// The policy `init` writes.
    pub mod template {
        pub use crate::policy::template::{policy_template, CI_PATHS};
    }

    /// Tier classification of paths.
    pub mod tier {
        pub use crate::policy::tier::Classifier;
    }
}

/// Sign-offs: their records, keys, the notes store and sharing them.
pub mod signoff {
    pub use crate::signoff::{
        Decision, Evidence, HunkEvidence, NoteLine, Payload, ReviewState, SignPlan, SignRequest,
        SignoffVerdict,
    };

    /// ssh-agent signing.
    pub mod agent {
        pub use crate::signoff::agent::Cancel;
    }

    /// A clone's notes refspec.
    pub mod clone_setup {
        pub use crate::signoff::clone_setup::configure_clone;
    }

    /// Line comments carried in a payload.
    pub mod comment {
        pub use crate::signoff::comment::{quote, CommentFileEntry, CommentInput, ReviewComment};
    }

    /// The hunk list a sign-off's evidence covers.
    pub mod hunks {
        pub use crate::signoff::hunks::{encode_bitmap, hunk_name, list};
    }

    /// Signing keys.
    pub mod keys {
        pub use crate::signoff::keys::{
            allowed_signers_line, check_new_key_paths, encrypt, fingerprint, generate_ed25519,
            locate, passphrase_from_env, public_key_at, public_path, write_new_key_pair, KEY_ENV,
            PASSPHRASE_ENV,
        };
    }

    /// Sharing line-level provenance notes.
    pub mod line_notes_sync {
        pub use crate::signoff::line_notes_sync::{sync, NOTHING};
    }

    /// The notes ref sign-offs live in.
    pub mod notes {
        pub use crate::signoff::notes::{NotesReader, NOTES_REF};
    }

    /// Rewrites of a reviewed commit and the interdiff between versions.
    pub mod rewrite {
        pub use crate::signoff::rewrite::{interdiff, InterdiffFile, RewrittenFrom};
    }

    /// Sharing sign-offs with a remote.
    pub mod sync {
        pub use crate::signoff::sync::sync;
    }

    /// Verification of one sign-off.
    pub mod verify {
        pub use crate::signoff::verify::CarriedFrom;
    }
}
