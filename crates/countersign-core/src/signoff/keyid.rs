//! How sign-offs and messages name a key: its SHA-256 fingerprint. A leaf, so that the key
//! store and the agent client can both use it without importing each other.

use ssh_key::{HashAlg, PublicKey};

/// `SHA256:…`, the fingerprint `ssh-keygen -l` prints.
pub(super) fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}
