//! Keys held by ssh-agent (git's `user.signingKey = key::ssh-ed25519 AAAA…`).
//!
//! Not supported yet: opening such a key fails with a sentence that says what to do instead.

use ssh_key::PublicKey;

use crate::{Error, Result};

/// A public key whose private half ssh-agent would hold.
pub struct AgentKey {
    public: PublicKey,
}

impl AgentKey {
    /// Would connect to `$SSH_AUTH_SOCK` and check that the agent holds `public`; for now,
    /// always refuses with the way around.
    pub fn connect(public: PublicKey) -> Result<Self> {
        let _ = AgentKey { public };
        Err(Error::Message(
            "agent keys are not supported yet: point user.signingKey (or --key, or \
             COUNTERSIGN_KEY) at the private key file instead"
                .to_string(),
        ))
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Signs `msg` as SSHSIG under `namespace` through the agent.
    pub fn sign(&self, namespace: &str, msg: &[u8]) -> Result<ssh_key::SshSig> {
        let _ = (namespace, msg);
        Err(Error::Message(
            "agent keys are not supported yet".to_string(),
        ))
    }
}
