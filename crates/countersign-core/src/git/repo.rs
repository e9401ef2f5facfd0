//! Opening the repository as git would: `GIT_DIR` and `GIT_WORK_TREE` honoured, ownership
//! checked with git's `safe.directory` (command-line config included), and the repositories
//! libgit2 cannot read correctly — SHA-256 objects, reftable refs, partial clones — refused
//! with a sentence naming the cause and the fix.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::util::shell::quote;
use crate::{Error, Result};

/// Opens the repository containing `path` (searching upwards, like git; or the one `GIT_DIR`
/// names, with `GIT_WORK_TREE`, `core.worktree` or else `path` as its work tree, like git).
/// Refuses bare repositories, non-repositories and unsupported ones with a sentence that says
/// what to do.
pub fn open(path: &Path) -> Result<git2::Repository> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Message(format!(
                "{} does not exist: pass -C with the directory of a clone (or run countersign inside one)",
                path.display()
            )));
        }
        Ok(m) if !m.is_dir() => {
            return Err(Error::Message(format!(
                "{} is not a directory: pass -C with the directory of a clone (or run countersign inside one)",
                path.display()
            )));
        }
        _ => {}
    }
    let repo = match open_as_git(path) {
        Err(e) if e.code() == git2::ErrorCode::Owner => open_if_safe(path, e)?,
        r => r.map_err(|e| opening_error(path, e))?,
    };
    if repo.is_bare() {
        return Err(Error::BareRepository(repo.path().to_path_buf()));
    }
    refuse_partial_clone(&repo)?;
    Ok(repo)
}

/// libgit2's open with git's environment: `GIT_DIR` names the git directory (no search),
/// `GIT_WORK_TREE` the work tree (libgit2 reads it), and without either the current
/// directory (`path`) is the top of the work tree, as git has it.
fn open_as_git(path: &Path) -> std::result::Result<git2::Repository, git2::Error> {
    use git2::RepositoryOpenFlags as F;
    let none: [&std::ffi::OsStr; 0] = [];
    let Some(git_dir) = std::env::var_os("GIT_DIR").filter(|d| !d.is_empty()) else {
        return git2::Repository::open_ext(path, F::FROM_ENV, none);
    };
    let git_dir = path.join(git_dir);
    let repo =
        git2::Repository::open_ext(&git_dir, F::FROM_ENV | F::NO_SEARCH | F::NO_DOTGIT, none)?;
    let worktree_given = std::env::var_os("GIT_WORK_TREE").is_some_and(|w| !w.is_empty())
        || repo
            .config()
            .and_then(|c| c.get_path("core.worktree"))
            .is_ok();
    if !repo.is_bare() && !worktree_given {
        repo.set_workdir(path, false)?;
    }
    Ok(repo)
}

/// Owner validation turned off because `safe.directory` (from the command line's config)
/// trusts the repository: later opens in this process need not ask again.
static TRUSTED: AtomicBool = AtomicBool::new(false);

/// The repository is owned by another user. libgit2 reads `safe.directory` from the global
/// and system config only; git also reads it from `git -c` and `GIT_CONFIG_COUNT`, so this
/// checks those and opens when they trust it; otherwise says what git says to do.
fn open_if_safe(path: &Path, refused: git2::Error) -> Result<git2::Repository> {
    let top = {
        let _unchecked = OwnerCheckOff::new();
        open_as_git(path)
            .ok()
            .map(|r| r.workdir().unwrap_or_else(|| r.path()).to_path_buf())
    };
    let Some(top) = top else {
        return Err(opening_error(path, refused));
    };
    if super::safe_dir::trusted_by_env(&top) {
        TRUSTED.store(true, Ordering::SeqCst);
        // SAFETY: libgit2's global options are not synchronised; turning the check off while
        // another thread opens a repository at worst spares that open the same check, which
        // the user's configuration has just answered for this repository.
        let _ = unsafe { git2::opts::set_verify_owner_validation(false) };
        return open_as_git(path).map_err(|e| opening_error(path, e));
    }
    let shown = top.display().to_string();
    let shown = shown.trim_end_matches('/');
    Err(Error::Message(format!(
        "{shown} is owned by another user, and git does not trust such a repository (\"dubious ownership\"): \
         if you trust it, run `git config --global --add safe.directory {}` (for one run: `GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0={} countersign …`)",
        quote(shown),
        quote(shown)
    )))
}

/// Turns libgit2's owner check off while alive (unless the user's config already did).
struct OwnerCheckOff;

impl OwnerCheckOff {
    fn new() -> OwnerCheckOff {
        // SAFETY: see `open_if_safe`; this only reads where the repository's top is.
        let _ = unsafe { git2::opts::set_verify_owner_validation(false) };
        OwnerCheckOff
    }
}

impl Drop for OwnerCheckOff {
    fn drop(&mut self) {
        if !TRUSTED.load(Ordering::SeqCst) {
            // SAFETY: as in `new`.
            let _ = unsafe { git2::opts::set_verify_owner_validation(true) };
        }
    }
}

/// libgit2's refusal to open, as a sentence: repository formats it cannot read are named.
fn opening_error(path: &Path, e: git2::Error) -> Error {
    let msg = e.message();
    if e.code() == git2::ErrorCode::NotFound && !msg.contains("format") {
        return Error::NotARepository(path.to_path_buf());
    }
    if msg.contains("object format") || msg.contains("objectformat") {
        return Error::Message(format!(
            "{} uses SHA-256 object ids (extensions.objectFormat = sha256), which countersign does not support: review a SHA-1 clone of it",
            path.display()
        ));
    }
    if msg.contains("refstorage") {
        return Error::Message(format!(
            "{} stores its refs in the reftable format (extensions.refStorage = reftable), which countersign does not support: convert it with `git refs migrate --ref-format=files` (git 2.46 or later) or clone it with `git clone --ref-format=files`",
            path.display()
        ));
    }
    if let Some(ext) = msg.strip_prefix("unsupported extension name ") {
        return Error::Message(format!(
            "{} uses the repository extension {ext}, which countersign does not support: review a clone made without it",
            path.display()
        ));
    }
    Error::git(format!("opening the repository at {}", path.display()))(e)
}

/// A partial clone (`git clone --filter=…`, `actions/checkout`'s `filter:`) lacks objects that
/// git fetches on demand and libgit2 cannot: a missing tree would read as a missing file. So
/// it is refused, naming the remote and the fix.
fn refuse_partial_clone(repo: &git2::Repository) -> Result<()> {
    let Ok(config) = repo.config().and_then(|mut c| c.snapshot()) else {
        return Ok(());
    };
    let mut promisor: Option<(String, Option<String>)> = None;
    if let Ok(mut entries) = config.entries(Some(r"remote\..*\.promisor")) {
        while let Some(Ok(e)) = entries.next() {
            let name = e.name().ok().unwrap_or_default();
            if e.value()
                .ok()
                .is_some_and(|v| git2::Config::parse_bool(v).unwrap_or(true))
            {
                let remote = name
                    .strip_prefix("remote.")
                    .and_then(|n| n.strip_suffix(".promisor"))
                    .unwrap_or("origin")
                    .to_string();
                let filter = config
                    .get_string(&format!("remote.{remote}.partialclonefilter"))
                    .ok();
                promisor = Some((remote, filter));
            }
        }
    }
    if promisor.is_none() {
        if let Ok(remote) = config.get_string("extensions.partialclone") {
            promisor = Some((remote, None));
        }
    }
    let Some((remote, filter)) = promisor else {
        return Ok(());
    };
    let how = filter.map_or_else(String::new, |f| format!(" (--filter={f})"));
    let r = quote(&remote);
    Err(Error::Message(format!(
        "this is a partial clone{how}: objects countersign must read are missing, and it cannot fetch them on demand as git does; \
         fetch them all with `git fetch --refetch --no-filter {r} && git config --unset remote.{r}.partialclonefilter; git config remote.{r}.promisor false`, \
         or make a full clone (in actions/checkout, remove `filter:`)"
    )))
}

/// The 7-digit short form of an id for display. Ids read from notes and payloads are
/// attacker text until checked, so this cuts at a character boundary (never panics on one
/// that is not hex).
pub fn short_id(id: &str) -> &str {
    id.char_indices().nth(7).map_or(id, |(end, _)| &id[..end])
}

/// The most memory libgit2's object cache (trees and commits, shared by every repository
/// handle of the process) may hold: its default of 256 MiB filled up over a long range's
/// trees (`verify` of diem's 9,321 commits peaked at 403 MB, `git log` at 174 MB), while a
/// range judged oldest first seldom reads a tree again after its neighbours.
const OBJECT_CACHE: isize = 32 << 20;

/// Caps libgit2's object cache at 32 MiB (`OBJECT_CACHE`): for a command reading a long history
/// (`verify`, `report`), called before it starts any thread.
pub fn limit_object_cache() {
    // SAFETY: libgit2's global options are not synchronised; this runs on the main thread
    // before the command opens a repository or starts a thread.
    let _ = unsafe { git2::opts::set_cache_max_size(OBJECT_CACHE) };
}

/// Set once a process reads objects on several threads at once (the workstation's workers):
/// from then on [`ReadsWithout::hash_check`] leaves the check on.
static EVERY_READ_VERIFIED: AtomicBool = AtomicBool::new(false);

/// From now on every object this process reads is hash-checked, whatever asks otherwise. For
/// a process about to read objects on several threads: libgit2's switch is process-wide, so
/// one thread's unchecked reads (the inclusion scan judging a change) would leave another
/// thread's reads unchecked too — the diff a reviewer is shown and then signs, which an
/// object rewritten under its id (a loose object written by anything in the reviewer's shell)
/// would otherwise replace unnoticed. Called before the workstation starts its workers.
pub fn verify_every_read() {
    EVERY_READ_VERIFIED.store(true, Ordering::SeqCst);
    git2::opts::strict_hash_verification(true);
}

/// One of libgit2's process-wide read settings, off until dropped (then on again, libgit2's
/// default, which the gate keeps for every other read).
pub struct ReadsWithout(fn(bool));

impl ReadsWithout {
    /// libgit2's hash check of every object read: for reads that git itself does not verify
    /// either and whose objects are read again, verified, before anything is judged or signed
    /// on them (the notes history's trees; the commit ids of a long range listed for the
    /// workstation's first screen), and for the inclusion scan's reads of source files, whose
    /// bytes are what a checkout writes and the build compiles (git does not re-hash them).
    /// After [`verify_every_read`], the check stays on.
    pub fn hash_check() -> Self {
        if EVERY_READ_VERIFIED.load(Ordering::SeqCst) {
            return ReadsWithout(|_| {});
        }
        Self::off(git2::opts::strict_hash_verification)
    }

    /// libgit2's object cache: for a read of thousands of objects each needed once (a long
    /// range's commits listed by a revision walk), where storing and then freeing them all
    /// costs more than the walk gains.
    pub fn cache() -> Self {
        Self::off(git2::opts::enable_caching)
    }

    fn off(set: fn(bool)) -> Self {
        set(false);
        ReadsWithout(set)
    }
}

impl Drop for ReadsWithout {
    fn drop(&mut self) {
        (self.0)(true);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_ids_cut_at_a_character_boundary() {
        assert_eq!(super::short_id("0123456789abcdef"), "0123456");
        assert_eq!(super::short_id("abc"), "abc");
        assert_eq!(super::short_id("ééééééééé"), "ééééééé");
        assert_eq!(super::short_id("012345é89"), "012345é");
    }
}
