//! `countersign init`: adopt countersign in an existing Cargo repository.

use std::path::Path;

use super::{Context, EXIT_OK};
use crate::assess::default_trusted_ref;
use crate::git::WorkTree;
use crate::impact::Workspace;
use crate::init::{configure_clone, policy_template};
use crate::policy::{POLICY_PATH, ROSTER_PATH};
use crate::signoff::keys;
use crate::util::escape::line as esc;
use crate::util::pipe::Printer;
use crate::{Error, Result};

/// Runs `init`: writes the policy and roster unless they exist, configures the clone, and
/// prints the next steps.
pub fn run(cwd: &Path) -> Result<i32> {
    let ctx = Context::open(cwd)?;
    let root = ctx
        .repo
        .workdir()
        .ok_or_else(|| Error::BareRepository(ctx.repo.path().to_path_buf()))?
        .to_path_buf();
    let config = ctx
        .repo
        .config()
        .map_err(Error::git("reading git config"))?;
    let email = config.get_string("user.email").ok();
    let has_key = config.get_string("user.signingKey").is_ok()
        || std::env::var_os(keys::KEY_ENV).is_some_and(|v| !v.is_empty());
    let base = default_trusted_ref(&ctx.repo)
        .map(|r| r.trim_start_matches("origin/").to_string())
        .or_else(|| {
            ctx.repo
                .head()
                .ok()
                .and_then(|h| h.shorthand().ok().map(str::to_string))
        })
        .unwrap_or_else(|| "main".to_string());

    let signer = match (&email, has_key) {
        (Some(email), true) => {
            let public = keys::public_key_at(&keys::locate(&ctx.repo, None)?)?;
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
    let policy = policy_template(&base, &workspace, signer.as_ref().map(|(p, _)| p.as_str()));
    let roster = match &signer {
        Some((_, line)) => {
            format!("# Who may sign off, with which key: git's allowed_signers format.\n{line}\n")
        }
        None => "# Who may sign off, with which key: git's allowed_signers format, e.g.\n\
                 # alice@example.com namespaces=\"countersign\" ssh-ed25519 AAAA...\n"
            .to_string(),
    };
    let mut out = Printer::stdout();
    std::fs::create_dir_all(root.join(".countersign"))
        .map_err(Error::io(root.join(".countersign")))?;
    for (rel, text) in [(POLICY_PATH, &policy), (ROSTER_PATH, &roster)] {
        let path = root.join(rel);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                use std::io::Write;
                f.write_all(text.as_bytes()).map_err(Error::io(&path))?;
                out.line(format_args!("wrote {rel}"));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                out.line(format_args!(
                    "kept {rel} (it exists; init never overwrites)"
                ));
            }
            Err(e) => return Err(Error::io(path)(e)),
        }
    }
    let setup = configure_clone(&ctx.repo)?;
    for s in &setup.changed {
        out.line(format_args!("set {}", esc(s)));
    }
    for s in &setup.kept {
        out.line(format_args!("kept {}", esc(s)));
    }
    out.line("");
    out.line("Next steps:");
    let mut n = 0;
    let mut step = |text: String| {
        n += 1;
        out.line(format_args!("  {n}. {text}"));
    };
    if signer.is_none() {
        step(format!(
            "make a signing key and tell git about it:\n       countersign keygen --out ~/.ssh/countersign && git config user.signingKey ~/.ssh/countersign\n     then add the printed line to {ROSTER_PATH} and your e-mail to [roles] senior"
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
    out.finish(EXIT_OK)
}
