//! Signing from the workstation: the same library code as `countersign sign`, fed with what
//! the sign dialog showed (decision, comments, review evidence) and, when the key is
//! encrypted, the passphrase typed in the dialog.

use std::path::Path;

use super::action::{SignOutcome, SignRequest};

/// Signs `request` for the repository at `repo_path`, judged by the policy at `trusted_ref`.
pub fn sign(repo_path: &Path, trusted_ref: Option<&str>, request: &SignRequest) -> SignOutcome {
    let _ = (repo_path, trusted_ref, request);
    SignOutcome::Failed(
        "signing from the workstation needs the sign-off module, which this build does not have yet"
            .to_string(),
    )
}
