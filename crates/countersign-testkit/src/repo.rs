//! A throwaway git repository with the developer's git config shut out.
//!
//! Files are staged as they are written ([`TestRepo::write`], [`TestRepo::remove`],
//! [`TestRepo::symlink`], [`TestRepo::set_executable`], [`TestRepo::gitlink`]); a commit records
//! exactly the index, so a commit with no staged change is an empty commit.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

use git2::{Oid, Repository, Signature, Time};

/// The human every plain commit is made by.
pub const HUMAN_NAME: &str = "Dana Human";
/// Their e-mail.
pub const HUMAN_EMAIL: &str = "dana@example.com";

/// The first commit's time; each commit is one minute later than the one before.
const EPOCH: i64 = 1_700_000_000;

static ISOLATE: Once = Once::new();

/// Points libgit2's global, XDG and system config search paths at an empty directory, once
/// per test binary, so that no test reads the developer's `~/.gitconfig`. [`TestRepo::new`]
/// calls it; call it yourself before using git2 without a `TestRepo`.
pub fn isolate_git_config() {
    ISOLATE.call_once(|| {
        let empty = std::env::temp_dir().join("countersign-tests-no-git-config");
        let _ = std::fs::create_dir_all(&empty);
        for level in [
            git2::ConfigLevel::Global,
            git2::ConfigLevel::XDG,
            git2::ConfigLevel::System,
            git2::ConfigLevel::ProgramData,
        ] {
            // SAFETY: libgit2's search paths are global state. `Once` runs this before any
            // test of this binary goes on to use git2 through the harness.
            unsafe { git2::opts::set_search_path(level, &empty) }.expect("set git search path");
        }
    });
}

/// A temporary repository on branch `main`, removed when dropped.
pub struct TestRepo {
    dir: tempfile::TempDir,
    /// The repository (work tree at [`TestRepo::path`]).
    pub repo: Repository,
    clock: Cell<i64>,
}

impl TestRepo {
    /// `git init` on branch `main` in a new temporary directory, with a local user identity.
    pub fn new() -> Self {
        isolate_git_config();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = Repository::init_opts(dir.path(), &opts).expect("git init");
        {
            let mut cfg = repo.config().expect("config");
            cfg.set_str("user.name", HUMAN_NAME).unwrap();
            cfg.set_str("user.email", HUMAN_EMAIL).unwrap();
            cfg.set_bool("commit.gpgsign", false).unwrap();
        }
        TestRepo {
            dir,
            repo,
            clock: Cell::new(EPOCH),
        }
    }

    /// The work tree's root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn index(&self) -> git2::Index {
        let mut index = self.repo.index().expect("index");
        // The git CLI may have changed it on disk.
        index.read(true).expect("read index");
        index
    }

    /// Writes a file (creating directories) and stages it. `path` is raw bytes, so non-UTF-8
    /// names work: `t.write(b"caf\xe9.txt", "x")`.
    pub fn write(&self, path: impl AsRef<[u8]>, bytes: impl AsRef<[u8]>) {
        let rel = bytes_path(path.as_ref());
        let full = self.path().join(&rel);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        if full.is_symlink() {
            std::fs::remove_file(&full).expect("remove symlink");
        }
        std::fs::write(&full, bytes).expect("write file");
        self.stage(&rel);
    }

    /// Replaces `path` with a symlink to `target` and stages it.
    pub fn symlink(&self, path: &str, target: &str) {
        let full = self.path().join(path);
        if full.exists() || full.is_symlink() {
            std::fs::remove_file(&full).expect("remove file");
        }
        std::os::unix::fs::symlink(target, &full).expect("symlink");
        self.stage(Path::new(path));
    }

    /// `chmod +x` (or `-x`) and stage.
    pub fn set_executable(&self, path: &str, exec: bool) {
        use std::os::unix::fs::PermissionsExt;
        let full = self.path().join(path);
        let mode = if exec { 0o755 } else { 0o644 };
        std::fs::set_permissions(&full, std::fs::Permissions::from_mode(mode)).expect("chmod");
        self.stage(Path::new(path));
    }

    /// Deletes a file from the work tree and the index.
    pub fn remove(&self, path: impl AsRef<[u8]>) {
        let rel = bytes_path(path.as_ref());
        std::fs::remove_file(self.path().join(&rel)).expect("remove file");
        let mut index = self.index();
        index.remove_path(&rel).expect("unstage");
        index.write().expect("write index");
    }

    /// Stages a submodule pointer (mode 160000) at `path` to `commit`, without a work tree.
    pub fn gitlink(&self, path: &str, commit: Oid) {
        let mut index = self.index();
        index
            .add(&git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o160000,
                uid: 0,
                gid: 0,
                file_size: 0,
                id: commit,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            })
            .expect("stage gitlink");
        index.write().expect("write index");
    }

    fn stage(&self, rel: &Path) {
        let mut index = self.index();
        index.add_path(rel).expect("stage");
        index.write().expect("write index");
    }

    fn tick(&self) -> Time {
        let t = self.clock.get() + 60;
        self.clock.set(t);
        Time::new(t, 0)
    }

    /// Commits the index as Dana Human on the current branch.
    pub fn commit(&self, msg: &str) -> Oid {
        self.commit_as(HUMAN_NAME, HUMAN_EMAIL, msg)
    }

    /// Commits the index with `name <email>` as author and committer.
    pub fn commit_as(&self, name: &str, email: &str, msg: &str) -> Oid {
        let sig = Signature::new(name, email, &self.tick()).expect("signature");
        let mut index = self.index();
        let tree_id = index.write_tree().expect("write tree");
        let tree = self.repo.find_tree(tree_id).expect("tree");
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
            .expect("commit")
    }

    /// Commits as Dana Human with a `Co-authored-by: AGENT <AGENT@agents.example>` trailer.
    pub fn commit_ai(&self, agent: &str, msg: &str) -> Oid {
        let email = agent.to_lowercase();
        self.commit(&format!(
            "{msg}\n\nCo-authored-by: {agent} <{email}@agents.example>\n"
        ))
    }

    /// Creates branch `name` at HEAD.
    pub fn branch(&self, name: &str) {
        let head = self.repo.head().unwrap().peel_to_commit().unwrap();
        self.repo.branch(name, &head, false).expect("branch");
    }

    /// Checks out branch `name` (work tree and index follow).
    pub fn checkout(&self, name: &str) {
        let refname = format!("refs/heads/{name}");
        let obj = self.repo.revparse_single(&refname).expect("branch exists");
        let mut co = git2::build::CheckoutBuilder::new();
        co.force();
        self.repo
            .checkout_tree(&obj, Some(&mut co))
            .expect("checkout");
        self.repo.set_head(&refname).expect("set HEAD");
    }

    /// Runs the real `git` CLI in the work tree with the user's config shut out and a fixed
    /// identity and date; panics with git's stderr when it fails. Returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }
}

impl Default for TestRepo {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs the real `git` CLI in `dir` with `input` on stdin (plumbing such as `hash-object
/// --literally`, which writes objects no porcelain would); returns its stdout, trimmed.
pub fn git_stdin(dir: &Path, args: &[&str], input: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    let out = child.wait_with_output().expect("git ends");
    assert!(out.status.success(), "git {args:?} failed");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs the real `git` CLI in `dir`, isolated as [`TestRepo::git`] describes.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let home = std::env::temp_dir().join("countersign-tests-no-git-config");
    let _ = std::fs::create_dir_all(&home);
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", &home)
        .env("GIT_AUTHOR_NAME", HUMAN_NAME)
        .env("GIT_AUTHOR_EMAIL", HUMAN_EMAIL)
        .env("GIT_COMMITTER_NAME", HUMAN_NAME)
        .env("GIT_COMMITTER_EMAIL", HUMAN_EMAIL)
        .env("GIT_AUTHOR_DATE", "1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "1700000000 +0000")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn bytes_path(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}
