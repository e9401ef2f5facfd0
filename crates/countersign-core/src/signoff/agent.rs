//! Keys held by ssh-agent (git's `user.signingKey = key::ssh-ed25519 AAAA…`, or a `.pub` path).
//!
//! The agent protocol needed is two messages (draft-miller-ssh-agent): list identities
//! (`SSH_AGENTC_REQUEST_IDENTITIES`, 11 → 12) to check the agent holds the key, and sign
//! (`SSH_AGENTC_SIGN_REQUEST`, 13 → 14) over the SSHSIG "signed data" blob. The key and
//! signature encodings are the `ssh-key` crate's own, and every signature the agent returns
//! is verified against the public key before it is used, so a confused or hostile agent can
//! make signing fail but never produce a bad sign-off.
//!
//! A security key's sign request waits in the agent until a human touches the key: every
//! wait ends after [`timeout`] (60 s; `COUNTERSIGN_AGENT_TIMEOUT_MS` shortens it for tests)
//! with a message, and a [`Cancel`] flag (the workstation's Esc) ends it at once. An agent
//! that accepts the connection and never answers cannot hang `sign`.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ssh_key::{HashAlg, PublicKey, Signature, SshSig};

use crate::{Error, Result};

const REQUEST_IDENTITIES: u8 = 11;
const IDENTITIES_ANSWER: u8 = 12;
const SIGN_REQUEST: u8 = 13;
const SIGN_RESPONSE: u8 = 14;
/// Refuse absurd replies rather than allocate them.
const MAX_MESSAGE: usize = 256 * 1024;
/// How long any wait for ssh-agent lasts (DESIGN: "Any agent wait ends at 60 s").
pub(crate) const TIMEOUT: Duration = Duration::from_secs(60);
/// Milliseconds that replace [`TIMEOUT`] (tests of the wait's end).
pub(crate) const TIMEOUT_ENV: &str = "COUNTERSIGN_AGENT_TIMEOUT_MS";
/// How often a wait looks at its [`Cancel`] flag.
const POLL: Duration = Duration::from_millis(100);

/// The wait for ssh-agent: `TIMEOUT`, or `$COUNTERSIGN_AGENT_TIMEOUT_MS`.
pub fn timeout() -> Duration {
    std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(TIMEOUT, Duration::from_millis)
}

/// Set from another thread (the workstation's Esc) to end a wait for ssh-agent at once;
/// nothing is signed then.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// Ends the wait.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Two flags are the same flag when they share their state.
impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Cancel {}

/// A public key whose private half ssh-agent holds.
pub struct AgentKey {
    public: PublicKey,
    socket: PathBuf,
    cancel: Cancel,
}

impl AgentKey {
    /// Connects to `$SSH_AUTH_SOCK` and checks that the agent holds `public`.
    pub(crate) fn connect(public: PublicKey) -> Result<Self> {
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
        let key = AgentKey {
            public,
            socket,
            cancel: Cancel::default(),
        };
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

    /// Lets `cancel` end the wait for a signature.
    pub(crate) fn with_cancel(mut self, cancel: Cancel) -> Self {
        self.cancel = cancel;
        self
    }

    /// Signs `msg` as SSHSIG (SHA-512) under `namespace` through the agent, checks the result
    /// against the public key, and returns it armored with the agent's signature blob as it
    /// came (a security key's flags and counter where OpenSSH puts them).
    pub(crate) fn sign_armored(&self, namespace: &str, msg: &[u8]) -> Result<String> {
        let data = SshSig::signed_data(namespace, HashAlg::Sha512, msg).map_err(encoding)?;
        let blob = self.public.to_bytes().map_err(encoding)?;
        let mut req = vec![SIGN_REQUEST];
        put_string(&mut req, &blob);
        put_string(&mut req, &data);
        // An RSA key signs rsa-sha2-512 (SSH_AGENT_RSA_SHA2_512), never SHA-1 `ssh-rsa`.
        let flags: u32 = if matches!(self.public.algorithm(), ssh_key::Algorithm::Rsa { .. }) {
            4
        } else {
            0
        };
        req.extend_from_slice(&flags.to_be_bytes());
        let reply = self.request(&req)?;
        let sig_blob = match reply.split_first() {
            Some((&SIGN_RESPONSE, rest)) => {
                read_string(&mut &rest[..]).ok_or_else(|| agent_error("a malformed signature"))?
            }
            _ => {
                return Err(Error::Agent(format!(
                    "ssh-agent refused to sign with {} (is the key confirmed or locked? a \
                     security key not touched?); nothing was signed",
                    super::keyid::fingerprint(&self.public)
                )))
            }
        };
        // The signature must read as one of its key's kind before it is armored.
        Signature::try_from(sig_blob.as_slice())
            .map_err(|e| agent_error(&format!("an unreadable signature ({e})")))?;
        let armored = super::sshsig::armor_parts(&blob, namespace, "sha512", &sig_blob);
        let sig = SshSig::from_pem(armored.as_bytes())
            .map_err(|e| agent_error(&format!("an unreadable signature ({e})")))?;
        self.public
            .verify(namespace, msg, &sig)
            .map_err(|_| agent_error("a signature that does not verify"))?;
        Ok(armored)
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
            let deadline = Instant::now() + timeout();
            stream
                .set_write_timeout(Some(timeout().max(POLL)))
                .map_err(io)?;
            stream.write_all(&len.to_be_bytes()).map_err(io)?;
            stream.write_all(body).map_err(io)?;
            let mut len = [0u8; 4];
            self.read_until(&mut stream, &mut len, deadline)?;
            let len = u32::from_be_bytes(len) as usize;
            if len == 0 || len > MAX_MESSAGE {
                return Err(agent_error("a reply of impossible length"));
            }
            let mut reply = vec![0u8; len];
            self.read_until(&mut stream, &mut reply, deadline)?;
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

    /// Fills `buf` from the agent, giving up at `deadline` or when the wait is cancelled.
    #[cfg(unix)]
    fn read_until(
        &self,
        stream: &mut std::os::unix::net::UnixStream,
        buf: &mut [u8],
        deadline: Instant,
    ) -> Result<()> {
        let mut filled = 0;
        while filled < buf.len() {
            if self.cancel.is_cancelled() {
                return Err(Error::Agent(
                    "cancelled while waiting for ssh-agent; nothing was signed".to_string(),
                ));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Agent(format!(
                    "ssh-agent at {} did not answer within {} s (a security key waits for a \
                     touch: touch it when it blinks, then sign again); nothing was signed",
                    self.socket.display(),
                    timeout().as_secs_f32()
                )));
            }
            let io = |e: std::io::Error| {
                Error::Agent(format!(
                    "talking to ssh-agent at {}: {e}",
                    self.socket.display()
                ))
            };
            stream.set_read_timeout(Some(left.min(POLL))).map_err(io)?;
            match stream.read(&mut buf[filled..]) {
                Ok(0) => {
                    return Err(agent_error("no answer (it closed the connection)"));
                }
                Ok(n) => filled += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock
                            | std::io::ErrorKind::TimedOut
                            | std::io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(io(e)),
            }
        }
        Ok(())
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
