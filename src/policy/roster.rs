//! `.countersign/allowed_signers` in git's format (`gpg.ssh.allowedSignersFile`).

use serde::Serialize;

use super::Diagnostics;

/// One line of the roster: who may sign with which key, for which namespaces, when.
#[derive(Clone, Debug)]
pub struct AllowedSigner {
    /// Principals (e-mail addresses as a rule), from the comma-separated first field.
    pub principals: Vec<String>,
    /// `namespaces="a,b"`: None means every namespace.
    pub namespaces: Option<Vec<String>>,
    /// `valid-after=`: the key is not valid before this instant.
    pub valid_after: Option<chrono::DateTime<chrono::Utc>>,
    /// `valid-before=`: the key is not valid from this instant on.
    pub valid_before: Option<chrono::DateTime<chrono::Utc>>,
    /// The public key.
    pub key: ssh_key::PublicKey,
    /// 1-based line in the file.
    pub line: usize,
}

/// The parsed roster.
#[derive(Clone, Debug, Default)]
pub struct Roster {
    /// Entries in file order.
    pub entries: Vec<AllowedSigner>,
}

/// A summary of a roster entry for JSON and messages.
#[derive(Clone, Debug, Serialize)]
pub struct SignerSummary {
    /// Principals.
    pub principals: Vec<String>,
    /// SHA256 fingerprint of the key.
    pub fingerprint: String,
}

impl Roster {
    /// Every principal named by any entry.
    pub fn principals(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .flat_map(|e| e.principals.iter().map(String::as_str))
    }

    /// The entries naming `principal`.
    pub fn entries_for<'a>(
        &'a self,
        principal: &'a str,
    ) -> impl Iterator<Item = &'a AllowedSigner> {
        self.entries
            .iter()
            .filter(move |e| e.principals.iter().any(|p| p == principal))
    }
}

/// Parses git's allowed_signers format: `principals [options] keytype base64 [comment]`, with
/// `#` comments and blank lines. Options: `namespaces="…"`, `valid-after=`, `valid-before=`
/// (`YYYYMMDD[HHMM[SS]][Z]`, as ssh-keygen); `cert-authority` is rejected as not supported yet.
pub fn parse_roster(text: &str, file: &str) -> Result<Roster, Diagnostics> {
    let _ = (text, file);
    todo!("implemented by the policy work")
}
