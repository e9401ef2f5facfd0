//! A clone set up to share sign-offs (`countersign init`): the notes fetch refspec on every
//! remote, so that `git fetch` brings the team's sign-offs where `countersign sync` merges
//! them, and `notes.rewriteRef`, so that `git rebase` and `commit --amend` carry them along.

use super::notes::NOTES_REF;
use crate::{Error, Result};

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
}
