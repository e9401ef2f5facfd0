//! SSHSIG (OpenSSH `PROTOCOL.sshsig`) over payloads, in the `countersign` namespace, so that
//! `ssh-keygen -Y verify -n countersign` accepts what countersign signs.

use ssh_key::{LineEnding, PublicKey, SshSig};

use super::keys::SigningKey;
use crate::{Error, Result};

/// The SSHSIG namespace of every countersign signature.
pub const NAMESPACE: &str = "countersign";

/// Signs `payload` (its exact UTF-8 bytes) and returns the armored signature
/// (`-----BEGIN SSH SIGNATURE-----` … with `\n` line endings, no trailing newline).
pub fn sign(key: &SigningKey, payload: &str) -> Result<String> {
    let sig = key.sign(NAMESPACE, payload.as_bytes())?;
    let armored = sig
        .to_pem(LineEnding::LF)
        .map_err(|e| Error::Message(format!("encoding the signature failed: {e}")))?;
    Ok(armored.trim_end().to_string())
}

/// Parses an armored signature.
pub fn parse(armored: &str) -> Result<SshSig, String> {
    SshSig::from_pem(armored.trim().as_bytes())
        .map_err(|e| format!("the signature is not an armored SSH signature: {e}"))
}

/// Checks that `sig` is a signature by `key` over `payload` in the countersign namespace.
/// The error says which of the three failed.
pub fn verify(key: &PublicKey, payload: &str, sig: &SshSig) -> Result<(), String> {
    verify_known(key, payload, sig, None)
}

/// [`verify`], taking the outcome of the signature arithmetic from `known` when it was
/// computed ahead (by [`matches`], with a key of the same key data) instead of again.
pub fn verify_known(
    key: &PublicKey,
    payload: &str,
    sig: &SshSig,
    known: Option<bool>,
) -> Result<(), String> {
    if sig.namespace() != NAMESPACE {
        return Err(format!(
            "it was signed for namespace `{}`, not `{NAMESPACE}`",
            sig.namespace()
        ));
    }
    if sig.public_key() != key.key_data() {
        return Err("it was made by a different key".to_string());
    }
    if known.unwrap_or_else(|| matches(key, payload, sig)) {
        Ok(())
    } else {
        Err("the signature does not match the payload (the payload was altered after signing, or the signature is corrupt)".to_string())
    }
}

/// The signature arithmetic alone: `sig` is `key`'s signature over `payload` in the
/// countersign namespace.
pub fn matches(key: &PublicKey, payload: &str, sig: &SshSig) -> bool {
    key.verify(NAMESPACE, payload.as_bytes(), sig).is_ok()
}

/// The public key a signature claims to be made by.
pub fn signer(sig: &SshSig) -> PublicKey {
    PublicKey::from(sig.public_key().clone())
}
