//! `countersign keygen`: a new ed25519 signing key, passphrase-protected unless
//! `--no-passphrase`, written with mode 0600 and never over an existing file; or, with
//! `--type ed25519-sk` / `ecdsa-sk`, a security key made by `ssh-keygen` (which asks for the
//! touch, the PIN and the passphrase itself).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::args::KeygenArgs;
use super::EXIT_OK;
use crate::signoff::keys;
use crate::{Error, Result};

/// Runs `keygen`.
pub fn run(cwd: &Path, args: &KeygenArgs) -> Result<i32> {
    let path = match &args.out {
        Some(p) => p.clone(),
        None => default_path()?,
    };
    // Before the passphrase is asked: a path that cannot be written is said first.
    keys::check_new_key_paths(&path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dir(dir)?;
    }
    let principal = user_email(cwd).unwrap_or_else(|| "YOU@example.com".to_string());
    if args.key_type != "ed25519" {
        return security_key(&path, &principal, &args.key_type, args.no_passphrase);
    }
    let passphrase = if args.no_passphrase {
        None
    } else {
        Some(new_passphrase(&path)?)
    };
    let key = keys::generate_ed25519(&principal)?;
    let stored = match &passphrase {
        Some(p) => keys::encrypt(&key, p)?,
        None => key.clone(),
    };
    keys::write_new_key_pair(&stored, &path)?;
    let public = key
        .public_key()
        .to_openssh()
        .map_err(|e| Error::Message(format!("encoding the public key failed: {e}")))?;
    let line = keys::allowed_signers_line(&principal, key.public_key())?;
    let mut out = std::io::stdout().lock();
    let text = format!(
        "Wrote {} ({}, mode 0600) and {}.\n\
         Public key ({}):\n{public}\n\n\
         Add this line to .countersign/allowed_signers on the base branch (and your principal to \
         a role in policy.toml):\n{line}\n\n\
         Sign with it: git config user.signingKey {}   (or --key, or COUNTERSIGN_KEY)\n",
        path.display(),
        if passphrase.is_some() {
            "encrypted with your passphrase"
        } else {
            "NOT encrypted"
        },
        keys::public_path(&path).display(),
        keys::fingerprint(key.public_key()),
        crate::util::shell::quote(&path.display().to_string()),
    );
    crate::util::pipe::finish(out.write_all(text.as_bytes()), EXIT_OK)
}

/// A security key (`kind` is `ed25519-sk` or `ecdsa-sk`) made by `ssh-keygen`, which talks
/// to the device and asks for its touch, PIN and the key handle's passphrase on the terminal;
/// then the roster line and how to sign with it through ssh-agent.
fn security_key(path: &Path, principal: &str, kind: &str, no_passphrase: bool) -> Result<i32> {
    let mut cmd = std::process::Command::new("ssh-keygen");
    cmd.args(["-t", kind, "-C", principal, "-f"]).arg(path);
    if no_passphrase {
        cmd.args(["-N", ""]);
    }
    let status = cmd.status().map_err(|e| {
        Error::Message(format!(
            "cannot run ssh-keygen ({e}): a security key is made by OpenSSH's ssh-keygen \
             (8.2 or newer); install it, or make an ed25519 key without --type"
        ))
    })?;
    if !status.success() {
        return Err(Error::Message(format!(
            "ssh-keygen could not make the {kind} key ({status}; its message is above): plug \
             in a FIDO2 security key and touch it when it blinks, then run keygen again"
        )));
    }
    let pub_path = keys::public_path(path);
    let text = crate::util::bounded::read_own_file(&pub_path, crate::util::bounded::KEY)?;
    let public =
        ssh_key::PublicKey::from_openssh(String::from_utf8_lossy(&text).trim()).map_err(|e| {
            Error::Key(format!(
                "{} is not the public key ssh-keygen should have written ({e})",
                pub_path.display()
            ))
        })?;
    let line = keys::allowed_signers_line(principal, &public)?;
    let literal = public
        .to_openssh()
        .map_err(|e| Error::Message(format!("encoding the public key failed: {e}")))?;
    let text = format!(
        "Wrote {} (the security key's handle) and {}.\n\n\
         Add this line to .countersign/allowed_signers on the base branch (and your principal to \
         a role in policy.toml):\n{line}\n\n\
         Sign with it through ssh-agent, which asks for the touch:\n\
         ssh-add {}\n\
         git config user.signingKey \"key::{literal}\"\n",
        path.display(),
        pub_path.display(),
        path.display(),
    );
    let mut out = std::io::stdout().lock();
    crate::util::pipe::finish(out.write_all(text.as_bytes()), EXIT_OK)
}

/// `~/.ssh/countersign_ed25519` (`run` creates `~/.ssh`, mode 0700, when missing).
fn default_path() -> Result<PathBuf> {
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .ok_or_else(|| {
            Error::Message("HOME is not set: pass --out PATH for the new key".to_string())
        })?;
    Ok(Path::new(&home).join(".ssh").join("countersign_ed25519"))
}

/// Creates `dir` and its missing parents with mode 0700 (as ssh wants `~/.ssh`), unless it
/// exists.
fn private_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(Error::io(dir))
}

/// git's `user.email` (from the repository around `cwd`, else the user's config).
fn user_email(cwd: &Path) -> Option<String> {
    let config = match git2::Repository::discover(cwd) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => git2::Config::open_default().ok()?,
    };
    config
        .get_string("user.email")
        .ok()
        .filter(|e| !e.trim().is_empty())
}

/// The new key's passphrase: `$COUNTERSIGN_PASSPHRASE`, else asked twice without echo.
fn new_passphrase(path: &Path) -> Result<String> {
    if let Some(p) = keys::passphrase_from_env() {
        if p.is_empty() {
            return Err(empty_passphrase());
        }
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() && !std::io::stderr().is_terminal() {
        return Err(Error::Message(format!(
            "no terminal to ask for the new key's passphrase: set {} or pass --no-passphrase \
             (for CI bots and demos)",
            keys::PASSPHRASE_ENV
        )));
    }
    let read = |prompt: &str| {
        rpassword::prompt_password(prompt).map_err(|e| {
            Error::Message(format!(
                "could not read the passphrase from the terminal: {e}"
            ))
        })
    };
    let first = read(&format!("Passphrase for {}: ", path.display()))?;
    if first.is_empty() {
        return Err(empty_passphrase());
    }
    let second = read("Same passphrase again: ")?;
    if first != second {
        return Err(Error::Message(
            "the passphrases do not match; nothing was written: run keygen again".to_string(),
        ));
    }
    Ok(first)
}

fn empty_passphrase() -> Error {
    Error::Message(
        "an empty passphrase leaves the key unprotected: pass --no-passphrase if that is what \
         you want; nothing was written"
            .to_string(),
    )
}
