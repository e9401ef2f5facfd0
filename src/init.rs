//! `countersign init`: the files and settings a repository needs to adopt countersign.
//!
//! - [`policy_template`] writes a policy that lists the workspace's crates (commented, ready
//!   to be given a tier), sensible default tiers and the default AI rules;
//! - the user's key (found as `sign` finds it: `$COUNTERSIGN_KEY`, then git's
//!   `user.signingKey`) becomes the roster's first line;
//! - [`configure_clone`] sets the clone's notes fetch refspec and `notes.rewriteRef`, so
//!   `git fetch` brings sign-offs and `git rebase`/`commit --amend` carry them along.

use crate::impact::Workspace;
use crate::signoff::notes::NOTES_REF;
use crate::{Error, Result};

/// A policy for `workspace` with `principal` (if known) as the first senior.
pub fn policy_template(base: &str, workspace: &Workspace, principal: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str("# countersign policy: which AI-generated changes need whose sign-off.\n");
    out.push_str("# Check it with `countersign policy check`; the README's \"Policy\" section explains each key.\n");
    out.push_str(&format!("base = \"{base}\"                 # the trusted branch: policy and roster are read from it\n"));
    out.push_str("default_tier = \"supervised\"   # for paths no rule matches\n\n");
    out.push_str(
        "[escalation]                  # a crate that depends on the change can raise its tier\n",
    );
    out.push_str("reach = \"transitive\"\ncap = \"supervised\"\n\n");
    out.push_str("[roles]                       # principals, as written in allowed_signers\n");
    match principal {
        Some(p) => out.push_str(&format!("senior = [\"{p}\"]\n\n")),
        None => out.push_str("senior = []                   # add your e-mail once your key is in allowed_signers\n\n"),
    }
    out.push_str(
        "# [ai] is optional: without it, the common agents' trailers and e-mails count.\n",
    );
    out.push_str("# [ai]\n# trailers = [\"Co-authored-by\", \"Assisted-by\", \"Generated-by\"]\n");
    out.push_str("# agents = [\"kiro\", \"claude\", \"copilot\", \"cursor\", \"codex\", \"devin\", \"gemini\", \"aider\"]\n");
    out.push_str("# authors = [\"*@agents.example\"]\n\n");
    out.push_str("[tiers.autonomous]             # AI may ship alone\napprovals = 0\n\n");
    out.push_str("[tiers.supervised]             # a senior approves before it ships\napprovals = 1\nrole = \"senior\"\n\n");
    out.push_str("[tiers.prohibited]             # a human must make the change; AI commits here always fail\napprovals = 2\nrole = \"senior\"\n\n");
    out.push_str("[[rules]]                      # documentation may be changed by AI alone\npaths = [\"docs/**\", \"**/*.md\"]\ntier = \"autonomous\"\n");
    if workspace.members.is_empty() {
        out.push_str("\n# No Cargo workspace members were found; add rules by path.\n");
        return out;
    }
    out.push_str("\n# The workspace's crates. Give the critical ones a tier, for example:\n");
    out.push_str("# [[rules]]\n# crates = [\"billing\"]\n# tier = \"prohibited\"\n#\n");
    let width = workspace
        .members
        .iter()
        .map(|m| m.name.len())
        .max()
        .unwrap_or(0);
    for m in &workspace.members {
        let dir = if m.dir.is_empty() {
            "."
        } else {
            m.dir.as_str()
        };
        let tier = m
            .metadata_tier
            .map(|t| format!("  ({t} by its Cargo.toml)"))
            .unwrap_or_default();
        out.push_str(&format!("#   {:width$}  {dir}{tier}\n", m.name));
    }
    out
}

/// What [`configure_clone`] changed, for the report.
#[derive(Debug, Default)]
pub struct CloneSetup {
    /// Settings written, as `key = value`.
    pub changed: Vec<String>,
    /// Settings that were already there.
    pub kept: Vec<String>,
}

/// Adds the notes fetch refspec to every remote (so `git fetch` brings the remote's
/// sign-offs into `refs/notes/remotes/REMOTE/countersign`, where `countersign sync` merges
/// them) and sets `notes.rewriteRef`, so rebases and amends copy sign-offs to the rewritten
/// commits (where `verify` rejects them until re-reviewed). Adds no push refspec: once any
/// is configured, a bare `git push` pushes only those; `countersign sync` pushes notes.
pub fn configure_clone(repo: &git2::Repository) -> Result<CloneSetup> {
    let mut setup = CloneSetup::default();
    let mut config = repo
        .config()
        .map_err(Error::git("opening the repository's config"))?;
    let remotes = repo.remotes().map_err(Error::git("listing remotes"))?;
    for remote in remotes.iter().filter_map(|r| r.ok().flatten()) {
        let refspec = format!("+{NOTES_REF}:refs/notes/remotes/{remote}/countersign");
        let key = format!("remote.{remote}.fetch");
        let mut present = false;
        if let Ok(entries) = config.multivar(&key, None) {
            let mut entries = entries;
            while let Some(Ok(entry)) = entries.next() {
                if entry.value().ok() == Some(refspec.as_str()) {
                    present = true;
                }
            }
        }
        if present {
            setup.kept.push(format!("{key} = {refspec}"));
        } else {
            config
                .set_multivar(&key, "^$", &refspec)
                .map_err(Error::git(format!("adding {key}")))?;
            setup.changed.push(format!("{key} = {refspec}"));
        }
    }
    match config.get_string("notes.rewriteRef") {
        Ok(v) if v == NOTES_REF => setup.kept.push(format!("notes.rewriteRef = {v}")),
        Ok(v) => setup.kept.push(format!(
            "notes.rewriteRef = {v} (left alone: add {NOTES_REF} yourself if you want sign-offs carried through rebases)"
        )),
        Err(_) => {
            config
                .set_str("notes.rewriteRef", NOTES_REF)
                .map_err(Error::git("setting notes.rewriteRef"))?;
            setup.changed.push(format!("notes.rewriteRef = {NOTES_REF}"));
        }
    }
    Ok(setup)
}
