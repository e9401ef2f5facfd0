//! `.countersign/allowed_signers` text, and changing the roster on the trusted branch.

use ssh_key::PublicKey;

use crate::TestRepo;

/// A roster under construction, one `allowed_signers` line per signer.
#[derive(Clone, Debug, Default)]
pub struct AllowedSigners {
    text: String,
}

impl AllowedSigners {
    /// No lines yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `# TEXT`.
    pub fn comment(mut self, text: &str) -> Self {
        self.text.push_str(&format!("# {text}\n"));
        self
    }

    /// `PRINCIPAL namespaces="countersign" KEY`: may sign off as `principal`.
    pub fn signer(self, principal: &str, key: &PublicKey) -> Self {
        self.signer_with(principal, "namespaces=\"countersign\"", key)
    }

    /// `PRINCIPAL OPTIONS KEY`, with `options` as written (`valid-before="20200101"`, …).
    pub fn signer_with(mut self, principal: &str, options: &str, key: &PublicKey) -> Self {
        let key = key.to_openssh().expect("encode the public key");
        self.text
            .push_str(&format!("{principal} {options} {key}\n"));
        self
    }

    /// A raw line (or several), as written.
    pub fn raw(mut self, text: &str) -> Self {
        self.text.push_str(text);
        self
    }

    /// The file's text.
    pub fn render(&self) -> String {
        self.text.clone()
    }
}

impl TestRepo {
    /// Appends `line` to the roster on `trusted` (the branch verify trusts) in a commit of its
    /// own, then checks the branch that was checked out before out again.
    pub fn add_to_roster_on(&self, trusted: &str, line: &str) -> &Self {
        let back = self
            .repo
            .head()
            .expect("HEAD")
            .shorthand()
            .expect("a branch is checked out")
            .to_string();
        self.checkout(trusted);
        let path = self.path().join(".countersign/allowed_signers");
        let mut text = std::fs::read_to_string(&path).expect("roster");
        text.push_str(line);
        self.write(".countersign/allowed_signers", text);
        self.commit("Roster: one more line");
        self.checkout(&back);
        self
    }
}
