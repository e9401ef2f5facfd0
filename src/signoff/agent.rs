//! Keys held by ssh-agent (git's `user.signingKey = key::ssh-ed25519 AAAA…`, or a `.pub` path).
//!
//! The agent protocol needed is two messages (draft-miller-ssh-agent): list identities
//! (`SSH_AGENTC_REQUEST_IDENTITIES`, 11 → 12) to check the agent holds the key, and sign
//! (`SSH_AGENTC_SIGN_REQUEST`, 13 → 14) over the SSHSIG "signed data" blob. The key and
//! signature encodings are the `ssh-key` crate's own, and every signature the agent returns
//! is verified against the public key before it is used, so a confused or hostile agent can
//! make signing fail but never produce a bad sign-off.

use std::io::{Read, Write};
use std::path::PathBuf;

use ssh_key::{HashAlg, PublicKey, Signature, SshSig};

use crate::{Error, Result};

const REQUEST_IDENTITIES: u8 = 11;
const IDENTITIES_ANSWER: u8 = 12;
const SIGN_REQUEST: u8 = 13;
const SIGN_RESPONSE: u8 = 14;
/// Refuse absurd replies rather than allocate them.
const MAX_MESSAGE: usize = 256 * 1024;

/// A public key whose private half ssh-agent holds.
pub struct AgentKey {
    public: PublicKey,
    socket: PathBuf,
}

impl AgentKey {
    /// Connects to `$SSH_AUTH_SOCK` and checks that the agent holds `public`.
    pub fn connect(public: PublicKey) -> Result<Self> {
        let socket = std::env::var_os("SSH_AUTH_SOCK")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .ok_or_else(|| {
                Error::Agent(
                    "the signing key is an ssh-agent key (user.signingKey names a public key), \
                     but SSH_AUTH_SOCK is not set: start ssh-agent and `ssh-add` the key, or \
                     point --key at the private key file"
                        .to_string(),
                )
            })?;
        let key = AgentKey { public, socket };
        let blob = key.public.to_bytes().map_err(encoding)?;
        let reply = key.request(&[REQUEST_IDENTITIES])?;
        if !holds(&reply, &blob) {
            return Err(Error::Agent(format!(
                "ssh-agent ({}) does not hold the key {}: `ssh-add` its private key first, or \
                 point --key at the private key file",
                key.socket.display(),
                super::keyid::fingerprint(&key.public)
            )));
        }
        Ok(key)
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Signs `msg` as SSHSIG (SHA-512) under `namespace` through the agent, and checks the
    /// result before returning it.
    pub fn sign(&self, namespace: &str, msg: &[u8]) -> Result<SshSig> {
        let data = SshSig::signed_data(namespace, HashAlg::Sha512, msg).map_err(encoding)?;
        let blob = self.public.to_bytes().map_err(encoding)?;
        let mut req = vec![SIGN_REQUEST];
        put_string(&mut req, &blob);
        put_string(&mut req, &data);
        req.extend_from_slice(&0u32.to_be_bytes());
        let reply = self.request(&req)?;
        let sig_blob = match reply.split_first() {
            Some((&SIGN_RESPONSE, rest)) => {
                read_string(&mut &rest[..]).ok_or_else(|| agent_error("a malformed signature"))?
            }
            _ => {
                return Err(Error::Agent(format!(
                    "ssh-agent refused to sign with {} (is the key confirmed or locked?)",
                    super::keyid::fingerprint(&self.public)
                )))
            }
        };
        let signature = Signature::try_from(sig_blob.as_slice())
            .map_err(|e| agent_error(&format!("an unreadable signature ({e})")))?;
        let sig = SshSig::new(
            self.public.key_data().clone(),
            namespace,
            HashAlg::Sha512,
            signature,
        )
        .map_err(encoding)?;
        self.public
            .verify(namespace, msg, &sig)
            .map_err(|_| agent_error("a signature that does not verify"))?;
        Ok(sig)
    }

    /// Sends one message and reads the reply (without its length).
    fn request(&self, body: &[u8]) -> Result<Vec<u8>> {
        #[cfg(unix)]
        {
            let mut stream =
                std::os::unix::net::UnixStream::connect(&self.socket).map_err(|e| {
                    Error::Agent(format!(
                        "cannot reach ssh-agent at {} (SSH_AUTH_SOCK): {e}",
                        self.socket.display()
                    ))
                })?;
            let len = u32::try_from(body.len()).map_err(|_| agent_error("an oversized request"))?;
            let io = |e: std::io::Error| {
                Error::Agent(format!(
                    "talking to ssh-agent at {}: {e}",
                    self.socket.display()
                ))
            };
            stream.write_all(&len.to_be_bytes()).map_err(io)?;
            stream.write_all(body).map_err(io)?;
            let mut len = [0u8; 4];
            stream.read_exact(&mut len).map_err(io)?;
            let len = u32::from_be_bytes(len) as usize;
            if len == 0 || len > MAX_MESSAGE {
                return Err(agent_error("a reply of impossible length"));
            }
            let mut reply = vec![0u8; len];
            stream.read_exact(&mut reply).map_err(io)?;
            Ok(reply)
        }
        #[cfg(not(unix))]
        {
            let _ = body;
            Err(Error::Agent(
                "ssh-agent keys are supported on Unix only: point --key at the private key file"
                    .to_string(),
            ))
        }
    }
}

/// True when an identities answer lists the key `blob`.
fn holds(reply: &[u8], blob: &[u8]) -> bool {
    let Some((&IDENTITIES_ANSWER, mut rest)) = reply.split_first() else {
        return false;
    };
    let Some(count) = read_u32(&mut rest) else {
        return false;
    };
    for _ in 0..count {
        let (Some(key), Some(_comment)) = (read_string(&mut rest), read_string(&mut rest)) else {
            return false;
        };
        if key == blob {
            return true;
        }
    }
    false
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn read_u32(input: &mut &[u8]) -> Option<u32> {
    let (head, rest) = input.split_first_chunk::<4>()?;
    *input = rest;
    Some(u32::from_be_bytes(*head))
}

fn read_string(input: &mut &[u8]) -> Option<Vec<u8>> {
    let len = read_u32(input)? as usize;
    if input.len() < len {
        return None;
    }
    let (s, rest) = input.split_at(len);
    *input = rest;
    Some(s.to_vec())
}

fn agent_error(what: &str) -> Error {
    Error::Agent(format!("ssh-agent returned {what}; nothing was signed"))
}

fn encoding(e: ssh_key::Error) -> Error {
    Error::Agent(format!("encoding for ssh-agent failed: {e}"))
}
