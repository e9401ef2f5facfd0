//! `countersign demo`: builds, without network, a small but real Cargo workspace repository
//! with a human base commit on `main` and a branch of AI-authored commits of different tiers,
//! a policy, a roster and unencrypted demo keys, so that reviewing and signing work at once.
//!
//! The workspace (six crates, real path dependencies):
//!
//! ```text
//! core-types ◄── auth ◄── billing-api (prohibited by its Cargo.toml)
//!     ▲            ▲
//!     │            └─ qa (dev-dependency, tests only)
//!     └── reporting ◄── ledger-cli (binary)
//! ```
//!
//! The branch `agent/speedups` carries an autonomous docs+reporting commit, a supervised
//! change to `auth`, a change to the low-criticality `core-types` that reaches `billing-api`
//! through `auth`, and a human commit.

use std::path::{Path, PathBuf};

use crate::signoff::keys;
use crate::{Error, Result};

/// The demo's senior reviewer, whose key is the repository's `user.signingKey`.
pub const DEMO_PRINCIPAL: &str = "alice@example.com";
/// The branch left checked out.
pub const DEMO_BRANCH: &str = "agent/speedups";

/// What `build` made.
#[derive(Clone, Debug)]
pub struct Demo {
    /// The directory holding `repo/` and `keys/`.
    pub dir: PathBuf,
    /// The repository's work tree.
    pub repo: PathBuf,
    /// The senior's private key (unencrypted; the repository's `user.signingKey`).
    pub key: PathBuf,
}

/// Builds the demo in `dir` (created if needed; `dir/repo` and `dir/keys` must not exist).
pub fn build(dir: &Path) -> Result<Demo> {
    let repo_dir = dir.join("repo");
    let keys_dir = dir.join("keys");
    for d in [&repo_dir, &keys_dir] {
        if d.exists() {
            return Err(Error::Message(format!(
                "{} already exists: give `countersign demo --dir` an empty or new directory",
                d.display()
            )));
        }
    }
    std::fs::create_dir_all(&keys_dir).map_err(Error::io(&keys_dir))?;
    let alice = keys::generate_ed25519(DEMO_PRINCIPAL)?;
    let bob = keys::generate_ed25519("bob@example.com")?;
    let alice_path = keys_dir.join("alice");
    keys::write_new_key_pair(&alice, &alice_path)?;
    keys::write_new_key_pair(&bob, &keys_dir.join("bob"))?;
    let roster = format!(
        "# Who may sign off, with which key (git's allowed_signers format).\n\
         {DEMO_PRINCIPAL} namespaces=\"countersign\" {}\n\
         bob@example.com namespaces=\"countersign\" {}\n",
        public_line(&alice)?,
        public_line(&bob)?,
    );

    let repo = git2::Repository::init_opts(
        &repo_dir,
        git2::RepositoryInitOptions::new().initial_head("main"),
    )
    .map_err(Error::git(format!("creating {}", repo_dir.display())))?;
    let mut config = repo
        .config()
        .map_err(Error::git("opening the demo's git config"))?;
    for (k, v) in [
        ("user.name", "Alice Senior"),
        ("user.email", DEMO_PRINCIPAL),
        ("gpg.format", "ssh"),
        ("gpg.ssh.allowedSignersFile", ".countersign/allowed_signers"),
    ] {
        config
            .set_str(k, v)
            .map_err(Error::git(format!("setting {k}")))?;
    }
    config
        .set_str("user.signingKey", &alice_path.to_string_lossy())
        .map_err(Error::git("setting user.signingKey"))?;

    let mut writer = Writer {
        repo: &repo,
        root: &repo_dir,
        clock: 1_767_225_600,
    };
    for (path, text) in base_files() {
        writer.write(path, text)?;
    }
    writer.write(".countersign/allowed_signers", &roster)?;
    writer.commit(HUMAN, "Initial workspace: ledger, auth and billing")?;

    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(Error::git("reading main"))?;
    repo.branch(DEMO_BRANCH, &head, false)
        .map_err(Error::git("creating the demo branch"))?;
    repo.set_head(&format!("refs/heads/{DEMO_BRANCH}"))
        .map_err(Error::git("checking out the demo branch"))?;

    for step in agent_commits() {
        for (path, text) in step.files {
            writer.write(path, text)?;
        }
        writer.commit(step.author, step.message)?;
    }
    Ok(Demo {
        dir: dir.to_path_buf(),
        repo: repo_dir,
        key: alice_path,
    })
}

fn public_line(key: &ssh_key::PrivateKey) -> Result<String> {
    key.public_key()
        .to_openssh()
        .map_err(|e| Error::Message(format!("encoding a demo public key failed: {e}")))
}

/// Who made a commit.
struct Author {
    name: &'static str,
    email: &'static str,
}

const HUMAN: Author = Author {
    name: "Dana Human",
    email: "dana@example.com",
};
const KIRO: Author = Author {
    name: "Kiro Agent",
    email: "kiro-bot@example.com",
};

/// Writes files to the work tree and commits them with deterministic times.
struct Writer<'a> {
    repo: &'a git2::Repository,
    root: &'a Path,
    clock: i64,
}

impl Writer<'_> {
    fn write(&self, path: &str, text: &str) -> Result<()> {
        let full = self.root.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
        }
        std::fs::write(&full, text).map_err(Error::io(&full))
    }

    fn commit(&mut self, author: Author, message: &str) -> Result<git2::Oid> {
        self.clock += 3600;
        let when = git2::Time::new(self.clock, 0);
        let sig = git2::Signature::new(author.name, author.email, &when)
            .map_err(Error::git("making a signature"))?;
        let mut index = self.repo.index().map_err(Error::git("opening the index"))?;
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .map_err(Error::git("staging the demo files"))?;
        index.write().map_err(Error::git("writing the index"))?;
        let tree_id = index.write_tree().map_err(Error::git("writing a tree"))?;
        let tree = self
            .repo
            .find_tree(tree_id)
            .map_err(Error::git("reading a tree"))?;
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .map_err(Error::git("committing"))
    }
}

struct Step {
    author: Author,
    message: &'static str,
    files: Vec<(&'static str, &'static str)>,
}

fn agent_commits() -> Vec<Step> {
    vec![
        Step {
            author: KIRO,
            message: "Document the CSV export and quote fields\n\n\
                      Quote every CSV field so that commas in memos survive.\n\n\
                      Co-authored-by: Kiro <kiro@agents.example>\n",
            files: vec![
                ("docs/reporting.md", DOCS_REPORTING_V2),
                ("crates/reporting/src/csv.rs", REPORTING_CSV_V2),
            ],
        },
        Step {
            author: HUMAN,
            message: "Cache decoded tokens in auth\n\n\
                      Decoding dominated login latency; keep the last decoded token.\n\n\
                      Co-authored-by: Claude <noreply@anthropic.com>\n",
            files: vec![("crates/auth/src/tokens.rs", AUTH_TOKENS_V2)],
        },
        Step {
            author: KIRO,
            message: "Speed up value encoding\n\n\
                      Pre-size the output buffer and drop the length check.\n\n\
                      Assisted-by: kiro:claude-sonnet-4\n",
            files: vec![("crates/core-types/src/codec.rs", CORE_CODEC_V2)],
        },
        Step {
            author: HUMAN,
            message: "ledger-cli: say which file was exported\n",
            files: vec![("crates/ledger-cli/src/main.rs", LEDGER_MAIN_V2)],
        },
    ]
}

fn base_files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Cargo.toml", ROOT_MANIFEST),
        (".gitignore", "/target\n"),
        ("README.md", "# ledger\n\nA small ledger service, used by the countersign demo.\n"),
        ("docs/reporting.md", DOCS_REPORTING_V1),
        (".countersign/policy.toml", POLICY),
        ("crates/core-types/Cargo.toml", CORE_MANIFEST),
        ("crates/core-types/src/lib.rs", "//! Values and their wire encoding.\n\npub mod codec;\npub mod value;\n\npub use value::Value;\n"),
        ("crates/core-types/src/value.rs", CORE_VALUE),
        ("crates/core-types/src/codec.rs", CORE_CODEC_V1),
        ("crates/auth/Cargo.toml", AUTH_MANIFEST),
        ("crates/auth/src/lib.rs", "//! Tokens and sessions.\n\npub mod tokens;\n\npub use tokens::{decode_token, Token};\n"),
        ("crates/auth/src/tokens.rs", AUTH_TOKENS_V1),
        ("crates/billing-api/Cargo.toml", BILLING_MANIFEST),
        ("crates/billing-api/src/lib.rs", BILLING_LIB),
        ("crates/billing-api/src/main.rs", BILLING_MAIN),
        ("crates/reporting/Cargo.toml", REPORTING_MANIFEST),
        ("crates/reporting/src/lib.rs", "//! Reports over ledger values.\n\npub mod csv;\n"),
        ("crates/reporting/src/csv.rs", REPORTING_CSV_V1),
        ("crates/ledger-cli/Cargo.toml", LEDGER_MANIFEST),
        ("crates/ledger-cli/src/main.rs", LEDGER_MAIN_V1),
        ("crates/qa/Cargo.toml", QA_MANIFEST),
        ("crates/qa/src/lib.rs", "//! Cross-crate tests.\n"),
        ("crates/qa/tests/login.rs", QA_TEST),
    ]
}

const ROOT_MANIFEST: &str = include_str!("fixtures/root-manifest.toml");

const POLICY: &str = include_str!("fixtures/policy.toml");

const CORE_MANIFEST: &str = include_str!("fixtures/core-manifest.toml");

const CORE_VALUE: &str = include_str!("fixtures/core-value.rs");

const CORE_CODEC_V1: &str = include_str!("fixtures/core-codec-v1.rs");

const CORE_CODEC_V2: &str = include_str!("fixtures/core-codec-v2.rs");

const AUTH_MANIFEST: &str = include_str!("fixtures/auth-manifest.toml");

const AUTH_TOKENS_V1: &str = include_str!("fixtures/auth-tokens-v1.rs");

const AUTH_TOKENS_V2: &str = include_str!("fixtures/auth-tokens-v2.rs");

const BILLING_MANIFEST: &str = include_str!("fixtures/billing-manifest.toml");

const BILLING_LIB: &str = include_str!("fixtures/billing-lib.rs");

const BILLING_MAIN: &str = include_str!("fixtures/billing-main.rs");

const REPORTING_MANIFEST: &str = include_str!("fixtures/reporting-manifest.toml");

const REPORTING_CSV_V1: &str = include_str!("fixtures/reporting-csv-v1.rs");

const REPORTING_CSV_V2: &str = include_str!("fixtures/reporting-csv-v2.rs");

const LEDGER_MANIFEST: &str = include_str!("fixtures/ledger-manifest.toml");

const LEDGER_MAIN_V1: &str = include_str!("fixtures/ledger-main-v1.rs");

const LEDGER_MAIN_V2: &str = include_str!("fixtures/ledger-main-v2.rs");

const QA_MANIFEST: &str = include_str!("fixtures/qa-manifest.toml");

const QA_TEST: &str = include_str!("fixtures/qa-test.rs");

const DOCS_REPORTING_V1: &str = include_str!("fixtures/docs-reporting-v1.md");

const DOCS_REPORTING_V2: &str = include_str!("fixtures/docs-reporting-v2.md");
