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
        // A glob (`countersign*`), not the exact name: an exact source the remote lacks makes
        // every plain `git fetch` and `git pull` fail ("couldn't find remote ref") until
        // someone pushes the first sign-off; a glob that matches nothing fetches nothing.
        let refspec = format!("+{NOTES_REF}*:refs/notes/remotes/{remote}/countersign*");
        let key = format!("remote.{remote}.fetch");
        if has_value(&config, &key, &refspec) {
            setup.kept.push(format!("{key} = {refspec}"));
            continue;
        }
        // The exact refspec an earlier init wrote: replaced by the glob.
        let exact = format!("+{NOTES_REF}:refs/notes/remotes/{remote}/countersign");
        if has_value(&config, &key, &exact) {
            config
                .set_multivar(&key, &regex_escape(&exact), &escape_config_value(&refspec))
                .map_err(Error::git(format!("replacing {key} = {exact}")))?;
            setup
                .changed
                .push(format!("{key} = {refspec} (was {exact})"));
            continue;
        }
        // libgit2 (1.9) escapes a value in `set_str` but writes a multivar's value as it is
        // given: a remote named `we"ird` would put a bare `"` in the file and every git
        // command would then stop at "bad config line". Escape it as git does, then read it
        // back to be sure the file still says what was meant.
        config
            .set_multivar(&key, "^$", &escape_config_value(&refspec))
            .map_err(Error::git(format!("adding {key}")))?;
        let reread = repo
            .config()
            .and_then(|mut c| c.snapshot())
            .map_err(Error::git("reading the repository's config back"))?;
        if !has_value(&reread, &key, &refspec) {
            return Err(Error::Message(format!(
                "adding {key} = {refspec} did not read back as written; check .git/config with \
                 `git config --list --show-origin` and add the refspec with `git config --add`"
            )));
        }
        setup.changed.push(format!("{key} = {refspec}"));
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

/// `s` as a POSIX extended regular expression matching exactly it (for `set_multivar`).
fn regex_escape(s: &str) -> String {
    let mut out = String::from("^");
    for c in s.chars() {
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('$');
    out
}

/// Does multivar `key` hold `value`?
fn has_value(config: &git2::Config, key: &str, value: &str) -> bool {
    let Ok(mut entries) = config.multivar(key, None) else {
        return false;
    };
    let mut found = false;
    while let Some(Ok(entry)) = entries.next() {
        if entry.value_bytes() == value.as_bytes() {
            found = true;
        }
    }
    found
}

/// A value escaped as git's config format wants it inside a line (`"` and `\\` escaped, and
/// the control characters git names): what libgit2's `set_str` does and `set_multivar` does
/// not.
fn escape_config_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            c => out.push(c),
        }
    }
    out
}

/// The trusted ref `init` records as git config `countersign.trustedRef`, as a full ref name
/// (Decision "Default trusted ref"): the target of `refs/remotes/origin/HEAD` (set from the
/// remote's HEAD at clone time, which branch pushers cannot move); in a repository with no
/// remote, whichever one of `refs/heads/main` and `refs/heads/master` exists; otherwise the
/// current branch. None when HEAD is detached and nothing else applies.
pub fn trusted_ref_for_init(repo: &git2::Repository) -> Option<String> {
    if let Some(target) = repo
        .find_reference("refs/remotes/origin/HEAD")
        .ok()
        .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string))
    {
        return Some(target);
    }
    let no_remote = repo.remotes().map(|r| r.is_empty()).unwrap_or(false);
    if no_remote {
        let existing: Vec<&str> = ["refs/heads/main", "refs/heads/master"]
            .into_iter()
            .filter(|r| repo.find_reference(r).is_ok())
            .collect();
        if let [only] = existing.as_slice() {
            return Some(only.to_string());
        }
    }
    repo.find_reference("HEAD")
        .ok()
        .and_then(|h| h.symbolic_target().ok().flatten().map(str::to_string))
        .filter(|t| t.starts_with("refs/heads/"))
}

/// The branch name the policy's `base` is written with: `main` for `refs/heads/main` or
/// `refs/remotes/origin/main`.
pub fn branch_short_name(full: &str) -> &str {
    if let Some(rest) = full.strip_prefix("refs/heads/") {
        return rest;
    }
    if let Some(rest) = full.strip_prefix("refs/remotes/") {
        return rest.split_once('/').map_or(rest, |(_, branch)| branch);
    }
    full
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_values_are_escaped_as_git_reads_them() {
        assert_eq!(
            escape_config_value("+refs/notes/countersign:refs/notes/remotes/we\"ird/countersign"),
            "+refs/notes/countersign:refs/notes/remotes/we\\\"ird/countersign"
        );
        assert_eq!(escape_config_value("a\\b\tc"), "a\\\\b\\tc");
    }

    #[test]
    fn base_is_the_branch_name_of_the_trusted_ref() {
        assert_eq!(branch_short_name("refs/remotes/origin/main"), "main");
        assert_eq!(branch_short_name("refs/heads/release/2.x"), "release/2.x");
        assert_eq!(branch_short_name("refs/remotes/up/master"), "master");
    }
}
