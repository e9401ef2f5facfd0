//! `countersign init`: adopt countersign in an existing Cargo repository.
//!
//! It writes only inside the repository: `.countersign/` must be a real directory (a symbolic
//! link there is refused, whatever it points at), the two files are created new (never
//! overwritten, never through a link), and git config is written through git2's config API.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::style::finish;
use super::EXIT_OK;
use crate::git::WorkTree;
use crate::impact::Workspace;
use crate::policy::template::policy_template;
use crate::policy::{POLICY_PATH, ROSTER_PATH};
use crate::review::trusted::{branch_short_name, trusted_ref_for_init};
use crate::signoff::clone_setup::configure_clone;
use crate::signoff::keys;
use crate::util::escape::line as esc;
use crate::{Error, Result};

/// The git config key holding the trusted ref (a full ref name), as the review layer reads it.
const TRUSTED_REF_KEY: &str = crate::review::trusted::CONFIG_KEY;

/// Runs `init`: writes the policy and roster unless they exist, configures the clone, and
/// prints the next steps. What it did is printed even when a later step fails; a closed
/// stdout (`init | head`) ends the printing quietly, not the work.
pub fn run(cwd: &Path) -> Result<i32> {
    let mut out = String::new();
    let result = init(cwd, &mut out);
    use std::io::Write;
    let written = std::io::stdout().lock().write_all(out.as_bytes());
    let code = finish(written, EXIT_OK)?;
    result.map(|()| code)
}

/// True when the trusted ref already carries a policy: the repository has adopted countersign
/// and this clone joins it.
fn adopted_at(repo: &git2::Repository, trusted: &str) -> bool {
    repo.revparse_single(trusted)
        .and_then(|o| o.peel_to_tree())
        .is_ok_and(|t| t.get_path(Path::new(POLICY_PATH)).is_ok())
}

/// The steps for joining a repository that already uses countersign: fetch the sign-offs,
/// have a key, and ask a maintainer to list it (the roster on the trusted branch is theirs).
fn join_steps(out: &mut String, trusted: &str, has_key: bool, email: Option<&str>) {
    let _ = writeln!(
        out,
        "This repository already uses countersign (its policy is on {}). To join:",
        esc(trusted)
    );
    let mut n = 0;
    let mut step = |text: String| {
        n += 1;
        let _ = writeln!(out, "  {n}. {text}");
    };
    step("fetch the team's sign-offs: countersign sync".to_string());
    if !has_key {
        step(
            "make a signing key and tell git about it (and your e-mail, your principal):\n       \
             countersign keygen --out ~/.ssh/countersign_ed25519 && git config user.signingKey \
             ~/.ssh/countersign_ed25519\n       git config user.email you@example.com"
                .to_string(),
        );
    }
    step(format!(
        "ask a maintainer to add your allowed_signers line (printed by keygen{}) to {ROSTER_PATH} \
         and your principal to the role you review in, on {}",
        email.map_or(String::new(), |e| format!(", principal {}", esc(e))),
        esc(trusted)
    ));
    step("then: countersign status, countersign review".to_string());
}

fn init(cwd: &Path, out: &mut String) -> Result<()> {
    let repo = crate::git::open(cwd)?;
    let root = repo
        .workdir()
        .ok_or_else(|| Error::BareRepository(repo.path().to_path_buf()))?
        .to_path_buf();
    let mut config = repo.config().map_err(Error::git("reading git config"))?;
    let email = config.get_string("user.email").ok();
    let has_key = config.get_string("user.signingKey").is_ok()
        || std::env::var_os(keys::KEY_ENV).is_some_and(|v| !v.is_empty());
    let configured = config.get_string(TRUSTED_REF_KEY).ok();
    let (trusted, no_default) = match &configured {
        Some(r) => (Some(r.clone()), None),
        None => match trusted_ref_for_init(&repo) {
            Ok(r) => (Some(r), None),
            Err(why) => (None, Some(why)),
        },
    };
    let base = trusted
        .as_deref()
        .map_or("main", branch_short_name)
        .to_string();

    let signer = match (&email, has_key) {
        (Some(email), true) => {
            let public = keys::public_key_at(&keys::locate(&repo, None)?)?;
            Some((email.clone(), keys::allowed_signers_line(email, &public)?))
        }
        _ => None,
    };
    let workspace = Workspace::load(&WorkTree { root: root.clone() })?;
    if !workspace.problems.is_empty() {
        // The template lists the crates it found; say why some (or all) are missing.
        let report = crate::policy::Diagnostics(workspace.problems.clone()).to_string();
        crate::util::pipe::warn(format_args!(
            "countersign: warning: the Cargo workspace has problems, so the policy template \
             may miss crates:\n{}",
            crate::util::escape::text(&report, "")
        ));
    }
    let ci: Vec<&str> = crate::policy::template::CI_PATHS
        .iter()
        .filter(|(probe, _)| root.join(probe).exists())
        .map(|(_, glob)| *glob)
        .collect();
    let policy = policy_template(
        &base,
        &workspace,
        signer.as_ref().map(|(p, _)| p.as_str()),
        &ci,
    );
    let roster = match &signer {
        Some((_, line)) => {
            format!("# Who may sign off, with which key: git's allowed_signers format.\n{line}\n")
        }
        None => "# Who may sign off, with which key: git's allowed_signers format, e.g.\n\
                 # alice@example.com namespaces=\"countersign\" ssh-ed25519 AAAA...\n"
            .to_string(),
    };
    let dir = countersign_dir(&root)?;
    for (rel, text) in [(POLICY_PATH, &policy), (ROSTER_PATH, &roster)] {
        let name = Path::new(rel).file_name().unwrap_or_default();
        if write_new(&dir.join(name), text)? {
            let _ = writeln!(out, "wrote {rel}");
        } else {
            let _ = writeln!(out, "kept {rel} (it exists; init never overwrites)");
        }
    }
    match (&configured, &trusted) {
        (Some(r), _) => {
            let _ = writeln!(out, "kept {TRUSTED_REF_KEY} = {r}");
        }
        (None, Some(r)) => {
            config
                .set_str(TRUSTED_REF_KEY, r)
                .map_err(Error::git(format!("setting {TRUSTED_REF_KEY}")))?;
            let _ = writeln!(out, "set {TRUSTED_REF_KEY} = {r}");
        }
        (None, None) => {
            let _ = writeln!(
                out,
                "did not set {TRUSTED_REF_KEY}: {}; set it to the base branch's full ref: \
                 git config {TRUSTED_REF_KEY} refs/heads/main",
                esc(no_default.as_deref().unwrap_or("no default trusted ref"))
            );
        }
    }
    let setup = configure_clone(&repo)?;
    for s in &setup.changed {
        let _ = writeln!(out, "set {}", esc(s));
    }
    for s in &setup.kept {
        let _ = writeln!(out, "kept {}", esc(s));
    }
    let _ = writeln!(out);
    if let Some(trusted) = trusted.as_deref().filter(|r| adopted_at(&repo, r)) {
        join_steps(out, trusted, signer.is_some(), email.as_deref());
        return Ok(());
    }
    let _ = writeln!(out, "Next steps:");
    let mut n = 0;
    let mut step = |text: String| {
        n += 1;
        let _ = writeln!(out, "  {n}. {text}");
    };
    if signer.is_none() {
        step(format!(
            "make a signing key and tell git about it:\n       countersign keygen --out ~/.ssh/countersign_ed25519 && git config user.signingKey ~/.ssh/countersign_ed25519\n     then add the printed line to {ROSTER_PATH} and your e-mail to [roles] senior"
        ));
    }
    step(format!(
        "give critical crates a tier in {POLICY_PATH} (its comments list the crates)"
    ));
    step("check it: countersign policy check".to_string());
    step(format!(
        "commit .countersign/ on {} (the trusted branch: its policy judges every change)",
        esc(&base)
    ));
    step("review AI commits: countersign status, countersign review".to_string());
    step(
        "share sign-offs: countersign sync (or git push origin refs/notes/countersign)".to_string(),
    );
    step(
        "gate CI: countersign verify (the README has GitHub Actions and GitLab CI recipes)"
            .to_string(),
    );
    Ok(())
}

/// `ROOT/.countersign`, made if absent. A symbolic link there is refused, wherever it points:
/// following it would write the policy outside the repository (or over another file).
fn countersign_dir(root: &Path) -> Result<PathBuf> {
    let dir = root.join(".countersign");
    let refuse = |what: &str| {
        Err(Error::Message(format!(
            "{} is {what}; init writes only into a real .countersign/ directory inside the \
             repository: remove it (or replace it with a directory) and run init again",
            dir.display()
        )))
    };
    match std::fs::symlink_metadata(&dir) {
        Ok(m) if m.file_type().is_symlink() => {
            let target = std::fs::read_link(&dir)
                .map(|t| format!(" (to {})", t.display()))
                .unwrap_or_default();
            return refuse(&format!("a symbolic link{target}"));
        }
        Ok(m) if !m.is_dir() => return refuse("not a directory"),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir(&dir).map_err(Error::io(&dir))?;
        }
        Err(e) => return Err(Error::io(&dir)(e)),
    }
    Ok(dir)
}

/// Creates `path` with `text`; false when it already exists (as a file, a link or anything
/// else: `create_new` never follows a link, and nothing is overwritten).
fn write_new(path: &Path, text: &str) -> Result<bool> {
    use std::io::Write;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut f) => {
            f.write_all(text.as_bytes()).map_err(Error::io(path))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::io(path)(e)),
    }
}
