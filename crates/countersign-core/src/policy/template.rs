//! The policy `countersign init` writes: the workspace's crates listed (commented, ready to
//! be given a tier), sensible default tiers, the default AI rules, and the adopting user as
//! the first senior.

use crate::impact::Workspace;

/// CI configuration files and folders (the path that shows a CI system is used, and the
/// glob its rule names): they run with the repository's secrets, so `init` makes them
/// supervised (DESIGN, "Build-time code").
pub const CI_PATHS: &[(&str, &str)] = &[
    (".github", ".github/**"),
    (".gitlab-ci.yml", ".gitlab-ci.yml"),
    (".circleci", ".circleci/**"),
    (".buildkite", ".buildkite/**"),
    ("Jenkinsfile", "Jenkinsfile"),
    ("azure-pipelines.yml", "azure-pipelines.yml"),
];

/// A policy for `workspace` with `principal` (if known) as the first senior. `ci` holds the
/// globs of [`CI_PATHS`] whose path exists: their rule is written live; with none it is
/// written commented out (a rule matching no file only draws a `policy check` warning).
pub fn policy_template(
    base: &str,
    workspace: &Workspace,
    principal: Option<&str>,
    ci: &[&str],
) -> String {
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
    let principals: Vec<&str> = principal.into_iter().collect();
    match principal {
        Some(p) => out.push_str(&format!("senior = [\"{p}\"]\n\n")),
        None => out.push_str("senior = []                   # add your e-mail once your key is in allowed_signers\n\n"),
    }
    out.push_str(
        "# [ai] is optional: the common agents' trailers, e-mails and markers always count;\n\
         # lists written here add to them (use_defaults = false makes them replace them).\n",
    );
    out.push_str("# [ai]\n# trailers = [\"Co-authored-by\", \"Assisted-by\", \"Generated-by\"]\n");
    out.push_str("# agents = [\"kiro\", \"claude\", \"copilot\", \"cursor\", \"codex\", \"devin\", \"gemini\", \"aider\"]\n");
    out.push_str("# authors = [\"*@agents.example\"]\n");
    out.push_str("# use_defaults = true\n");
    out.push_str(&format!(
        "# line_notes = [\"{}\"]   # notes refs with line-level provenance (git-ai, Agent Trace):\n\
         #                               # a commit they say has AI lines counts as AI\n\n",
        crate::policy::defaults::LINE_NOTES
    ));
    out.push_str("[tiers.autonomous]             # AI may ship alone\napprovals = 0\n\n");
    out.push_str("[tiers.supervised]             # a senior approves before it ships\napprovals = 1\nrole = \"senior\"\n");
    out.push_str("# carry = \"rebase\"             # an approval also counts after a rebase or amend that keeps the\n                                 # patch byte for byte (git patch-id --verbatim) onto the base branch;\n                                 # risk: the same patch on a new base can behave differently\n");
    // Independence needs a second senior: with one, the senior's own AI commits could never
    // pass. So it is written only once the role has two principals.
    if principals.len() >= 2 {
        out.push_str("independent = true            # the commit's author, committer and co-authors cannot approve it\n");
    } else {
        out.push_str("# independent = true          # once [roles] senior lists two people: the commit's author cannot approve it\n");
    }
    out.push_str("# presence = \"touch\"          # approvals only by a security key's touch (countersign keygen --type ed25519-sk)\n\n");
    out.push_str("[tiers.prohibited]             # a human must make the change; AI commits here always fail\napprovals = 2\nrole = \"senior\"\n\n");
    out.push_str("[[rules]]                      # documentation may be changed by AI alone\npaths = [\"docs/**\", \"**/*.md\"]\ntier = \"autonomous\"\n");
    let quoted = |globs: &mut dyn Iterator<Item = &str>| {
        globs
            .map(|g| format!("\"{g}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if ci.is_empty() {
        let all = quoted(&mut CI_PATHS.iter().map(|(_, g)| *g));
        out.push_str(&format!(
            "# [[rules]]                    # CI configuration runs with the repository's secrets\n\
             # paths = [{all}]\n# tier = \"supervised\"\n"
        ));
    } else {
        let found = quoted(&mut ci.iter().copied());
        out.push_str(&format!(
            "[[rules]]                      # CI configuration runs with the repository's secrets\n\
             paths = [{found}]\ntier = \"supervised\"\n"
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::parse::parse_policy;
    use crate::policy::types::PolicySource;

    /// The `[ai]` block `init` writes commented out parses as written once uncommented, and
    /// names the line-provenance refs the README describes.
    #[test]
    fn the_commented_ai_block_parses_when_uncommented_and_names_line_notes() {
        let text = policy_template(
            "main",
            &Workspace::default(),
            Some("alice@example.com"),
            &[".github/**"],
        );
        assert!(
            text.contains("# line_notes = [\"refs/notes/ai\"]"),
            "{text}"
        );
        // Uncomment the `# [ai]` header and the `# key = value` lines under it.
        let mut in_ai = false;
        let uncommented: String = text
            .lines()
            .map(|line| {
                in_ai = line == "# [ai]" || (in_ai && line.starts_with("# "));
                let key = line
                    .get(2..)
                    .and_then(|rest| rest.split_once(" = "))
                    .map(|(k, _)| k);
                let is_key =
                    key.is_some_and(|k| k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
                match line.strip_prefix("# ") {
                    Some(rest) if in_ai && (is_key || line == "# [ai]") => format!("{rest}\n"),
                    _ => format!("{line}\n"),
                }
            })
            .collect();
        assert!(uncommented.contains("\n[ai]\n"), "{uncommented}");
        let source = PolicySource {
            rev: "work tree".to_string(),
            commit: None,
        };
        let policy = match parse_policy(&uncommented, "policy.toml", source) {
            Ok(p) => p,
            Err(d) => panic!("the uncommented template does not parse: {d}\n{uncommented}"),
        };
        assert_eq!(policy.ai.line_notes, vec!["refs/notes/ai".to_string()]);
        // `use_defaults = true`: the built-in agents stay beside the ones listed.
        assert!(
            policy.ai.agents.iter().any(|a| a == "jules"),
            "{:?}",
            policy.ai.agents
        );
    }
}

#[cfg(test)]
mod ci_tests {
    use super::*;

    #[test]
    fn without_ci_configuration_the_ci_rule_is_written_commented_out() {
        let text = policy_template("main", &Workspace::default(), None, &[]);
        assert!(
            text.contains("# paths = [\".github/**\", \".gitlab-ci.yml\""),
            "{text}"
        );
        assert!(!text.contains("\npaths = [\".github"), "{text}");
    }
}
