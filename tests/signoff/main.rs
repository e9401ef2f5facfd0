//! Sign-offs, one test binary: signing and verifying, key types and presence, interop with
//! `git` and `ssh-keygen`, the notes ref, and what an approval or a reject carries.
//!
//! Each file is a module here, so the whole group links once; helpers live in
//! `tests/support` (a throwaway repository, the binary, optional tools) and
//! `tests/signoff_common` (a governed repository with real keys).

#[path = "../signoff_common/mod.rs"]
mod signoff_common;
#[path = "../support/mod.rs"]
mod support;

mod approval_carries;
mod line_provenance;
mod notes_history_scale;
mod notes_protection;
mod payload_comments;
mod reject_carries;
mod reject_stands;
mod rewrite_rereview;
mod signoff_attacks;
mod signoff_flow;
mod signoff_interop;
mod signoff_keytypes;
mod signoff_presence;
mod squash_credit;
