//! Long histories written straight into the object database: no work tree, no index, so a
//! bench can build tens of thousands of commits in seconds.

use std::path::Path;

use git2::{Oid, Repository, Signature, Time};

use crate::{AllowedSigners, Package, PolicyToml};

/// A repository on branch `main` whose commits are written from trees and blobs; each commit
/// is one minute after the one before, starting at 1,700,000,000, by `Dana <dana@example.com>`.
pub struct History {
    /// Its work tree is a temporary directory, removed with the `History`.
    pub repo: Repository,
    tree: Option<Oid>,
    tip: Option<Oid>,
    clock: i64,
}

impl History {
    /// `git init` at `dir` (HEAD on `main`), with the developer's git config shut out and a
    /// local identity for the notes commits.
    pub fn init(dir: &Path) -> Self {
        crate::isolate_git_config();
        let repo =
            Repository::init_opts(dir, git2::RepositoryInitOptions::new().initial_head("main"))
                .expect("init");
        {
            let mut cfg = repo.config().expect("config");
            cfg.set_str("user.name", "Bench").expect("name");
            cfg.set_str("user.email", "bench@example.com")
                .expect("email");
        }
        History {
            repo,
            tree: None,
            tip: None,
            clock: 1_700_000_000 - 60,
        }
    }

    /// A commit on the tip with `files` written over the tip's tree.
    pub fn commit(&mut self, files: &[(String, String)], msg: &str) -> Oid {
        self.clock += 60;
        let tree = self.write_tree(files);
        let sig = Signature::new("Dana", "dana@example.com", &Time::new(self.clock, 0))
            .expect("signature");
        let tree_obj = self.repo.find_tree(tree).expect("tree");
        let parent = self.tip.map(|p| self.repo.find_commit(p).expect("parent"));
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let id = self
            .repo
            .commit(None, &sig, &sig, msg, &tree_obj, &parents)
            .expect("commit");
        self.tree = Some(tree);
        self.tip = Some(id);
        id
    }

    /// As [`History::commit`], with a `Co-authored-by: AGENT <agent@agents.example>` trailer.
    pub fn ai_commit(&mut self, agent: &str, files: &[(String, String)], msg: &str) -> Oid {
        let email = agent.to_lowercase();
        self.commit(
            files,
            &format!("{msg}\n\nCo-authored-by: {agent} <{email}@agents.example>\n"),
        )
    }

    /// Points branch `name` at the tip.
    pub fn branch(&self, name: &str) -> &Self {
        let tip = self.tip.expect("a commit to point at");
        self.repo
            .reference(&format!("refs/heads/{name}"), tip, true, name)
            .expect("branch");
        self
    }

    /// HEAD names branch `name` (nothing is checked out: there is no work tree to fill).
    pub fn set_head(&self, name: &str) -> &Self {
        self.repo
            .set_head(&format!("refs/heads/{name}"))
            .expect("HEAD");
        self
    }

    fn write_tree(&self, files: &[(String, String)]) -> Oid {
        let mut index = git2::Index::new().expect("index");
        if let Some(base) = self.tree {
            index
                .read_tree(&self.repo.find_tree(base).expect("tree"))
                .expect("read tree");
        }
        for (path, text) in files {
            let blob = self.repo.blob(text.as_bytes()).expect("blob");
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: text.len() as u32,
                id: blob,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).expect("add");
        }
        index.write_tree_to(&self.repo).expect("write tree")
    }
}

/// The benches' governed repository at `dir`: on `main`, a one-crate workspace (`app`), the
/// one-senior policy ([`PolicyToml::one_senior`]) and a roster naming `key` for
/// alice@example.com; on `feature` (HEAD), `n` AI commits by Kiro, each editing `src/lib.rs`.
/// Nothing is signed yet ([`crate::sign_range`] does that).
pub fn governed_history(dir: &Path, key: &ssh_key::PrivateKey, n: usize) -> Repository {
    let mut h = governed_base(dir, key);
    for i in 1..=n {
        let text = format!("pub fn f() -> u32 {{ {i} }}\n");
        h.ai_commit("Kiro", &[("src/lib.rs".into(), text)], &format!("Step {i}"));
    }
    h.branch("feature").set_head("feature");
    h.repo
}

/// [`governed_history`]'s `main`, and on `feature` (HEAD) one AI commit by Kiro adding `files`
/// two-line text files, 500 to a directory (`data/d000/f00000.txt`, …), as the scale bench's
/// giant commit.
pub fn governed_giant_commit(dir: &Path, key: &ssh_key::PrivateKey, files: usize) -> Repository {
    let mut h = governed_base(dir, key);
    let added: Vec<(String, String)> = (0..files)
        .map(|j| {
            (
                format!("data/d{:03}/f{j:05}.txt", j / 500),
                format!("line one of file {j}\nline two\n"),
            )
        })
        .collect();
    h.ai_commit("Kiro", &added, &format!("Add {files} files"));
    h.branch("feature").set_head("feature");
    h.repo
}

/// `main`: the one-crate workspace, the policy and the roster of [`governed_history`].
fn governed_base(dir: &Path, key: &ssh_key::PrivateKey) -> History {
    let mut h = History::init(dir);
    let mut base = Package::new("app")
        .at("")
        .lib("pub fn f() -> u32 { 0 }\n")
        .files();
    base.push((
        ".countersign/policy.toml".into(),
        PolicyToml::one_senior("alice@example.com").render(),
    ));
    base.push((
        ".countersign/allowed_signers".into(),
        AllowedSigners::new()
            .signer("alice@example.com", key.public_key())
            .render(),
    ));
    h.commit(&base, "Base");
    h.branch("main");
    h
}
