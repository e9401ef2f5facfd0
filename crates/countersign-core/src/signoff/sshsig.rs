//! SSHSIG (OpenSSH `PROTOCOL.sshsig`) over payloads, in the `countersign` namespace, so that
//! `ssh-keygen -Y verify -n countersign` accepts what countersign signs.

use serde::Serialize;
use ssh_key::{Algorithm, LineEnding, PublicKey, SshSig};

use super::keys::SigningKey;
use crate::{Error, Result};

/// The SSHSIG namespace of every countersign signature.
pub(crate) const NAMESPACE: &str = "countersign";

/// Signs `payload` (its exact UTF-8 bytes) and returns the armored signature
/// (`-----BEGIN SSH SIGNATURE-----` … with `\n` line endings, no trailing newline).
pub fn sign(key: &SigningKey, payload: &str) -> Result<String> {
    let armored = key.sign_armored(NAMESPACE, payload.as_bytes())?;
    Ok(armored.trim_end().to_string())
}

/// The armored text of `sig` (`-----BEGIN SSH SIGNATURE-----` …).
pub fn armor(sig: &SshSig) -> Result<String> {
    sig.to_pem(LineEnding::LF)
        .map_err(|e| Error::Message(format!("encoding the signature failed: {e}")))
}

/// An SSHSIG assembled from its wire parts as `PROTOCOL.sshsig` lays it out (magic, version,
/// public key, namespace, reserved, hash algorithm, signature), armored as `ssh-keygen -Y
/// sign` writes it (base64 in lines of 70). `signature` is the signature blob exactly as the
/// signer (ssh-agent) returned it, so a security key's flags and counter stay where OpenSSH
/// puts them for every key type.
pub fn armor_parts(public_key: &[u8], namespace: &str, hash: &str, signature: &[u8]) -> String {
    let mut blob = b"SSHSIG".to_vec();
    blob.extend_from_slice(&1u32.to_be_bytes());
    for part in [
        public_key,
        namespace.as_bytes(),
        b"",
        hash.as_bytes(),
        signature,
    ] {
        blob.extend_from_slice(&(part.len() as u32).to_be_bytes());
        blob.extend_from_slice(part);
    }
    let text = <base64ct::Base64 as base64ct::Encoding>::encode_string(&blob);
    let mut out = String::from("-----BEGIN SSH SIGNATURE-----\n");
    for chunk in text.as_bytes().chunks(70) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END SSH SIGNATURE-----");
    out
}

/// Parses an armored signature.
pub fn parse(armored: &str) -> Result<SshSig, String> {
    SshSig::from_pem(armored.trim().as_bytes())
        .map_err(|e| format!("the signature is not an armored SSH signature: {e}"))
}

/// Checks that `sig` is a signature by `key` over `payload` in the countersign namespace,
/// taking the outcome of the signature arithmetic from `known` when it was computed ahead
/// (by [`fn@matches`], with a key of the same key data) instead of again. The error says which
/// of the three failed.
pub(crate) fn verify_known(
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

/// The user-presence flag of a security key's signature (OpenSSH `SSH_SK_USER_PRESENCE_REQD`).
pub(crate) const SK_USER_PRESENT: u8 = 0x01;
/// The user-verification flag (`SSH_SK_USER_VERIFICATION_REQD`: the PIN was given).
pub(crate) const SK_USER_VERIFIED: u8 = 0x04;

/// What a security key's signature attests (`PROTOCOL.u2f`): its flags and counter. The
/// flags are signed with the message (the key signs sha256(application) || flags || counter
/// || sha256(message)), so they cannot be edited without breaking the signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Attestation {
    /// A human touched the key.
    pub user_present: bool,
    /// The key verified its user (PIN or biometrics).
    pub user_verified: bool,
    /// The key's signature counter (recorded, not judged).
    pub counter: u32,
}

/// The attestation of a security-key signature (`sk-ssh-ed25519@openssh.com`,
/// `sk-ecdsa-sha2-nistp256@openssh.com`); None for any other key, or a signature whose
/// algorithm is not its key's.
pub(crate) fn attestation(sig: &SshSig) -> Option<Attestation> {
    let key = sig.public_key().algorithm();
    if !matches!(key, Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256)
        || sig.signature().algorithm() != key
    {
        return None;
    }
    // ssh-key keeps the flags byte and the counter after the signature proper.
    let bytes = sig.signature().as_bytes();
    let (head, counter) = bytes.split_last_chunk::<4>()?;
    let flags = *head.last()?;
    Some(Attestation {
        user_present: flags & SK_USER_PRESENT != 0,
        user_verified: flags & SK_USER_VERIFIED != 0,
        counter: u32::from_be_bytes(*counter),
    })
}
