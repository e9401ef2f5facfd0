//! The policy `countersign init` writes: the workspace's crates listed (commented, ready to
//! be given a tier), sensible default tiers, the default AI rules, and the adopting user as
//! the first senior.

use crate::impact::Workspace;

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
    out.push_str("# use_defaults = true\n\n");
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
