//! Signing keys: making ed25519 keys and writing them safely (mode 0600, never overwriting).

use std::io::Write;
use std::path::Path;

use ssh_key::{Algorithm, LineEnding, PrivateKey};

use crate::{Error, Result};

/// A new random ed25519 key with `comment` (usually the principal).
pub fn generate_ed25519(comment: &str) -> Result<PrivateKey> {
    let mut key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519)
        .map_err(|e| Error::Message(format!("generating an ed25519 key failed: {e}")))?;
    key.set_comment(comment);
    Ok(key)
}

/// Writes `key` in OpenSSH format to `path` with mode 0600 and its public half to
/// `path.pub`; refuses to overwrite either file.
pub fn write_new_key_pair(key: &PrivateKey, path: &Path) -> Result<()> {
    let private = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| Error::Message(format!("encoding the private key failed: {e}")))?;
    let public = key
        .public_key()
        .to_openssh()
        .map_err(|e| Error::Message(format!("encoding the public key failed: {e}")))?;
    let pub_path = path.with_extension(match path.extension() {
        Some(ext) => format!("{}.pub", ext.to_string_lossy()),
        None => "pub".to_string(),
    });
    write_new_file(path, private.as_bytes(), 0o600)?;
    write_new_file(&pub_path, format!("{public}\n").as_bytes(), 0o644)
}

/// Creates `path` (failing if it exists) with `mode` on Unix and writes `bytes`.
fn write_new_file(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::Message(format!(
                "{} already exists; countersign never overwrites a key: choose another path with --out",
                path.display()
            ))
        } else {
            Error::io(path)(e)
        }
    })?;
    file.write_all(bytes).map_err(Error::io(path))
}
