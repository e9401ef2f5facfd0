//! Signing keys: making ed25519 keys, writing them safely (mode 0600, never overwriting),
//! finding the key to sign with and opening it (asking for its passphrase through a callback,
//! so the CLI can prompt on the terminal and the TUI inside its own dialog).
//!
//! Lookup order for the key to sign with: the `--key` flag, then `$COUNTERSIGN_KEY`, then git's
//! `user.signingKey` (a private key file; or, with the private half in ssh-agent, a public key
//! file or a `key::ssh-ed25519 AAAA…` literal).

use std::io::Write;
use std::path::{Path, PathBuf};

use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey};

use super::agent;
use crate::util::bounded;
use crate::{Error, Result};

/// Environment variable naming the private key to sign with (after `--key`).
pub const KEY_ENV: &str = "COUNTERSIGN_KEY";
/// Environment variable holding the passphrase, for automation (never logged).
pub const PASSPHRASE_ENV: &str = "COUNTERSIGN_PASSPHRASE";

/// Asks for the passphrase of the encrypted key at the given path. The CLI reads the terminal
/// without echo; the TUI opens a dialog. Returning an error aborts the signing.
pub(crate) type PassphraseFn<'a> = dyn FnMut(&Path) -> Result<String> + 'a;

/// A new random ed25519 key with `comment` (usually the principal).
pub fn generate_ed25519(comment: &str) -> Result<PrivateKey> {
    let mut key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519)
        .map_err(|e| Error::Message(format!("generating an ed25519 key failed: {e}")))?;
    key.set_comment(comment);
    Ok(key)
}

/// `key` encrypted with `passphrase` the way `ssh-keygen` does (bcrypt-pbkdf, aes256-ctr).
pub fn encrypt(key: &PrivateKey, passphrase: &str) -> Result<PrivateKey> {
    key.encrypt(&mut ssh_key::rand_core::OsRng, passphrase)
        .map_err(|e| Error::Message(format!("encrypting the private key failed: {e}")))
}

/// The path of the public half of the key at `path`: `path.pub`.
pub fn public_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Writes `key` in OpenSSH format to `path` with mode 0600 and its public half to
/// `path.pub`; refuses to overwrite either file (checked before anything is written).
pub fn write_new_key_pair(key: &PrivateKey, path: &Path) -> Result<()> {
    let private = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| Error::Message(format!("encoding the private key failed: {e}")))?;
    let public = key
        .public_key()
        .to_openssh()
        .map_err(|e| Error::Message(format!("encoding the public key failed: {e}")))?;
    check_new_key_paths(path)?;
    write_new_file(path, private.as_bytes(), 0o600)?;
    write_new_file(&public_path(path), format!("{public}\n").as_bytes(), 0o644)
}

/// Refuses a new key at `path` when it or its `.pub` exists (checked before asking for a
/// passphrase, and again when writing).
pub fn check_new_key_paths(path: &Path) -> Result<()> {
    let pub_path = public_path(path);
    for p in [path, pub_path.as_path()] {
        if p.symlink_metadata().is_ok() {
            return Err(already_exists(p));
        }
    }
    Ok(())
}

fn already_exists(path: &Path) -> Error {
    Error::Message(format!(
        "{} already exists; countersign never overwrites a key: choose another path with --out",
        path.display()
    ))
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
            already_exists(path)
        } else {
            Error::io(path)(e)
        }
    })?;
    file.write_all(bytes).map_err(Error::io(path))
}

/// The `SHA256:…` fingerprint of a public key, as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &PublicKey) -> String {
    super::keyid::fingerprint(key)
}

/// The line to add to `.countersign/allowed_signers` for `principal` and `key`.
pub fn allowed_signers_line(principal: &str, key: &PublicKey) -> Result<String> {
    let mut bare = key.clone();
    bare.set_comment("");
    let text = bare
        .to_openssh()
        .map_err(|e| Error::Message(format!("encoding the public key failed: {e}")))?;
    Ok(format!(
        "{principal} namespaces=\"{}\" {}",
        super::NAMESPACE,
        text.trim_end()
    ))
}

/// Where the key to sign with was found, and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyLocation {
    /// What it is: a private key file, or a public key whose private half is in ssh-agent.
    pub kind: KeyKind,
    /// Where it came from, for messages: `--key`, `$COUNTERSIGN_KEY`, `git config user.signingKey`.
    pub origin: &'static str,
}

/// A key to sign with, before it is opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// An OpenSSH private key file (encrypted or not).
    File(PathBuf),
    /// A public key whose private half ssh-agent holds (`$SSH_AUTH_SOCK`).
    Agent(PublicKey),
}

/// Finds the key to sign with: `flag` (`--key`), then `$COUNTERSIGN_KEY`, then git's
/// `user.signingKey` from `repo`'s configuration.
pub fn locate(repo: &git2::Repository, flag: Option<&Path>) -> Result<KeyLocation> {
    if let Some(p) = flag {
        return from_value(&p.to_string_lossy(), "--key");
    }
    if let Some(p) = std::env::var_os(KEY_ENV).filter(|v| !v.is_empty()) {
        return from_value(&p.to_string_lossy(), "$COUNTERSIGN_KEY");
    }
    let config = repo
        .config()
        .map_err(Error::git("reading git config for user.signingKey"))?;
    match config.get_string("user.signingKey") {
        Ok(value) => from_value(&value, "git config user.signingKey"),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Err(Error::Key(
            "no signing key: pass --key PATH, set COUNTERSIGN_KEY, or set git's user.signingKey \
             (git config user.signingKey ~/.ssh/id_ed25519); make one with `countersign keygen`"
                .to_string(),
        )),
        Err(e) => Err(Error::git("reading git config user.signingKey")(e)),
    }
}

/// Interprets a key as `--key`, `$COUNTERSIGN_KEY` and git's `user.signingKey` may give it:
/// `key::<public key>` (its private half in ssh-agent), a `~/` path, a path.
fn from_value(value: &str, origin: &'static str) -> Result<KeyLocation> {
    let value = value.trim();
    if let Some(literal) = value.strip_prefix("key::") {
        let key = PublicKey::from_openssh(literal.trim()).map_err(|e| {
            Error::Key(format!(
                "{origin} holds `key::…` but it is not an OpenSSH public key ({e}); use \
                 `key::ssh-ed25519 AAAA…` or the path of the private key file"
            ))
        })?;
        return Ok(KeyLocation {
            kind: KeyKind::Agent(key),
            origin,
        });
    }
    // git still reads a bare `ssh-ed25519 AAAA…` (any value starting `ssh-`) as `key::…`.
    if value.starts_with("ssh-")
        || value.starts_with("sk-ssh-")
        || value.starts_with("ecdsa-sha2-")
        || value.starts_with("sk-ecdsa-sha2-")
    {
        if let Ok(key) = PublicKey::from_openssh(value) {
            return Ok(KeyLocation {
                kind: KeyKind::Agent(key),
                origin,
            });
        }
        if !Path::new(value).exists() {
            return Err(Error::Key(format!(
                "{origin} holds `{}` but it is not an OpenSSH public key; use \
                 `key::ssh-ed25519 AAAA…` or the path of the private key file",
                crate::model::clip(value, 60)
            )));
        }
    }
    let path = match value.strip_prefix("~/") {
        Some(rest) => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(rest),
            None => PathBuf::from(value),
        },
        None => PathBuf::from(value),
    };
    classify_path(&path, origin)
}

/// A path names a private key file, or a public key file whose private half is in the agent
/// (as git allows for `user.signingKey`).
fn classify_path(path: &Path, origin: &'static str) -> Result<KeyLocation> {
    let text = read_key_text(path)
        .map_err(|e| Error::Key(format!("cannot use the signing key from {origin}: {e}")))?;
    if !text.contains("PRIVATE KEY") {
        if let Ok(public) = PublicKey::from_openssh(text.trim()) {
            return Ok(KeyLocation {
                kind: KeyKind::Agent(public),
                origin,
            });
        }
    }
    Ok(KeyLocation {
        kind: KeyKind::File(path.to_path_buf()),
        origin,
    })
}

/// The public half of the key at `location`, read without asking for any passphrase (an
/// encrypted OpenSSH key stores its public key in the clear), so a plan can be checked
/// against the roster before the reviewer types anything.
pub fn public_key_at(location: &KeyLocation) -> Result<PublicKey> {
    match &location.kind {
        KeyKind::Agent(public) => Ok(public.clone()),
        KeyKind::File(path) => Ok(read_private_key(path)?.public_key().clone()),
    }
}

/// The text of a key file: the user's own path, so a symlink is followed, but it must lead to
/// a regular file of at most 64 KiB (not `/dev/zero`, not a FIFO) holding text.
fn read_key_text(path: &Path) -> Result<String> {
    let bytes = bounded::read_own_file(path, bounded::KEY)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Key(format!(
            "{} is empty: it holds no key (a failed copy?); give the private key file written \
             by `countersign keygen` or `ssh-keygen -t ed25519`",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|_| {
        Error::Message(format!(
            "{} is not a key file: it is not text, and OpenSSH keys are text files \
             (`-----BEGIN OPENSSH PRIVATE KEY-----` or `ssh-ed25519 AAAA…`); give the key \
             written by `countersign keygen` or `ssh-keygen -t ed25519`",
            path.display()
        ))
    })
}

fn read_private_key(path: &Path) -> Result<PrivateKey> {
    let text = read_key_text(path)?;
    PrivateKey::from_openssh(text.trim()).map_err(|e| {
        Error::Key(format!(
            "{} is not an OpenSSH private key ({e}); give the private key file (id_ed25519, not \
             id_ed25519.pub), as written by `countersign keygen` or `ssh-keygen -t ed25519`",
            path.display()
        ))
    })
}

/// Reads the OpenSSH private key at `path`, asking `passphrase` for the passphrase when it is
/// encrypted. A wrong passphrase is an error that says so; nothing is written either way.
pub(crate) fn load_private_key(
    path: &Path,
    passphrase: &mut PassphraseFn<'_>,
) -> Result<PrivateKey> {
    let key = read_private_key(path)?;
    if !key.is_encrypted() {
        return Ok(key);
    }
    let secret = passphrase(path)?;
    key.decrypt(secret.as_bytes())
        .map_err(|_| Error::WrongPassphrase {
            path: path.to_path_buf(),
        })
}

/// The passphrase from `$COUNTERSIGN_PASSPHRASE`, when set (for automation).
pub fn passphrase_from_env() -> Option<String> {
    std::env::var(PASSPHRASE_ENV).ok()
}

/// An opened key, ready to make SSHSIG signatures.
pub enum SigningKey {
    /// A private key held in memory.
    InMemory(Box<PrivateKey>),
    /// A key whose private half ssh-agent holds.
    Agent(agent::AgentKey),
}

impl SigningKey {
    /// Opens the key at `location`: reads (and decrypts) a key file, or checks that ssh-agent
    /// holds the private half of an agent key.
    pub fn open(location: &KeyLocation, passphrase: &mut PassphraseFn<'_>) -> Result<Self> {
        match &location.kind {
            KeyKind::File(path) => Ok(SigningKey::InMemory(Box::new(load_private_key(
                path, passphrase,
            )?))),
            KeyKind::Agent(public) => {
                if std::env::var_os("SSH_AUTH_SOCK").is_none_or(|s| s.is_empty()) {
                    return Err(Error::Agent(format!(
                        "the signing key from {} is a public key, whose private half must be in \
                         ssh-agent, but SSH_AUTH_SOCK is not set: start ssh-agent and `ssh-add` the \
                         private key, or give {} the private key file instead",
                        location.origin, location.origin
                    )));
                }
                Ok(SigningKey::Agent(agent::AgentKey::connect(public.clone())?))
            }
        }
    }

    /// Lets `cancel` end a wait for ssh-agent (an in-memory key never waits).
    pub(crate) fn with_cancel(self, cancel: agent::Cancel) -> Self {
        match self {
            SigningKey::Agent(a) => SigningKey::Agent(a.with_cancel(cancel)),
            other => other,
        }
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        match self {
            SigningKey::InMemory(k) => k.public_key(),
            SigningKey::Agent(a) => a.public_key(),
        }
    }

    /// Signs `msg` as SSHSIG (SHA-512) under `namespace` and returns it armored.
    pub(crate) fn sign_armored(&self, namespace: &str, msg: &[u8]) -> Result<String> {
        match self {
            SigningKey::InMemory(k) => {
                let sig = match k.key_data().rsa() {
                    Some(rsa) => sign_rsa(k.public_key(), rsa, namespace, msg)?,
                    None => k
                        .sign(namespace, HashAlg::Sha512, msg)
                        .map_err(|e| Error::Message(format!("signing failed: {e}")))?,
                };
                super::sshsig::armor(&sig)
            }
            SigningKey::Agent(a) => a.sign_armored(namespace, msg),
        }
    }
}

/// An SSHSIG by an RSA key, `rsa-sha2-512` as `ssh-keygen -Y sign` makes it. The private key
/// is rebuilt from its own primes p and q (ssh-key 0.6.7 passes p twice and fails).
fn sign_rsa(
    public: &PublicKey,
    key: &ssh_key::private::RsaKeypair,
    namespace: &str,
    msg: &[u8],
) -> Result<ssh_key::SshSig> {
    use rsa::signature::{SignatureEncoding, Signer};
    use rsa::traits::PublicKeyParts;
    let failed = |what: &str| Error::Message(format!("signing with the RSA key failed: {what}"));
    let big = |m: &ssh_key::Mpint| {
        m.as_positive_bytes()
            .map(rsa::BigUint::from_bytes_be)
            .ok_or_else(|| failed("a component of the key is not a positive number"))
    };
    let private = rsa::RsaPrivateKey::from_components(
        big(&key.public.n)?,
        big(&key.public.e)?,
        big(&key.private.d)?,
        vec![big(&key.private.p)?, big(&key.private.q)?],
    )
    .map_err(|e| failed(&e.to_string()))?;
    if private.size() * 8 < 2048 {
        return Err(Error::Key(
            "RSA keys under 2048 bits are refused (as OpenSSH refuses them): make an ed25519 \
             key with `countersign keygen`"
                .to_string(),
        ));
    }
    let data = ssh_key::SshSig::signed_data(namespace, HashAlg::Sha512, msg)
        .map_err(|e| failed(&e.to_string()))?;
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(private);
    let raw = signer
        .try_sign(&data)
        .map_err(|e| failed(&e.to_string()))?
        .to_vec();
    let signature = ssh_key::Signature::new(
        Algorithm::Rsa {
            hash: Some(HashAlg::Sha512),
        },
        raw,
    )
    .map_err(|e| failed(&e.to_string()))?;
    ssh_key::SshSig::new(
        public.key_data().clone(),
        namespace,
        HashAlg::Sha512,
        signature,
    )
    .map_err(|e| failed(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_file(dir: &Path, passphrase: Option<&str>) -> PathBuf {
        let key = generate_ed25519("t@example.com").expect("key");
        let key = match passphrase {
            Some(p) => encrypt(&key, p).expect("encrypt"),
            None => key,
        };
        let path = dir.join("id");
        write_new_key_pair(&key, &path).expect("write");
        path
    }

    #[test]
    fn a_wrong_passphrase_is_told_apart_from_an_unusable_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = key_file(dir.path(), Some("right"));
        let wrong = load_private_key(&path, &mut |_| Ok("wrong".to_string()));
        assert!(
            matches!(wrong, Err(Error::WrongPassphrase { .. })),
            "{wrong:?}"
        );
        assert!(load_private_key(&path, &mut |_| Ok("right".to_string())).is_ok());
        std::fs::write(&path, "not a key\n").expect("overwrite");
        let garbage = load_private_key(&path, &mut |_| Ok("right".to_string()));
        assert!(matches!(garbage, Err(Error::Key(_))), "{garbage:?}");
    }

    #[test]
    fn a_key_literal_works_through_the_flag_and_the_environment_too() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = key_file(dir.path(), None);
        let public = std::fs::read_to_string(public_path(&path)).expect("public");
        let literal = format!("key::{}", public.trim());
        let location = from_value(&literal, "--key").expect("a key literal");
        assert!(matches!(location.kind, KeyKind::Agent(_)), "{location:?}");
        let bad = from_value("key::ssh-ed25519 nonsense", "$COUNTERSIGN_KEY");
        assert!(matches!(bad, Err(Error::Key(_))));
    }
}
