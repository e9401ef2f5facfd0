//! `.countersign/policy.toml` text, built from its parts in the order the README writes them.

/// A policy file under construction. [`PolicyToml::render`] gives the TOML.
#[derive(Clone, Debug, Default)]
pub struct PolicyToml {
    base: Option<String>,
    default_tier: String,
    roles: Vec<(String, Vec<String>)>,
    escalation: Option<(String, String)>,
    ai: Option<(Vec<String>, Vec<String>)>,
    tiers: Vec<(String, u32, Option<String>)>,
    rules: Vec<(&'static str, Vec<String>, String)>,
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl PolicyToml {
    /// A policy whose unmatched changes fall to `default_tier`.
    pub fn new(default_tier: &str) -> Self {
        PolicyToml {
            default_tier: default_tier.to_string(),
            ..Self::default()
        }
    }

    /// Everything supervised by one senior, `principal`; the three usual tiers (autonomous 0,
    /// supervised 1 senior, prohibited 2 seniors); base `main`.
    pub fn one_senior(principal: &str) -> Self {
        Self::new("supervised")
            .base("main")
            .role("senior", &[principal])
            .tier("autonomous", 0, None)
            .tier("supervised", 1, Some("senior"))
            .tier("prohibited", 2, Some("senior"))
    }

    /// `default_tier = "TIER"`, replacing the one given to [`PolicyToml::new`].
    pub fn default_tier(mut self, tier: &str) -> Self {
        self.default_tier = tier.to_string();
        self
    }

    /// `base = "BRANCH"`.
    pub fn base(mut self, branch: &str) -> Self {
        self.base = Some(branch.to_string());
        self
    }

    /// `[escalation] reach = "REACH"`, `cap = "CAP"`: how far a change's impact raises its tier.
    pub fn escalation(mut self, reach: &str, cap: &str) -> Self {
        self.escalation = Some((reach.to_string(), cap.to_string()));
        self
    }

    /// `[roles] NAME = [MEMBERS]`.
    pub fn role(mut self, name: &str, members: &[&str]) -> Self {
        self.roles.push((name.to_string(), owned(members)));
        self
    }

    /// `[ai] trailers = [..]`, `agents = [..]`.
    pub fn ai(mut self, trailers: &[&str], agents: &[&str]) -> Self {
        self.ai = Some((owned(trailers), owned(agents)));
        self
    }

    /// `[tiers.NAME] approvals = N` and, when given, `role = "ROLE"`.
    pub fn tier(mut self, name: &str, approvals: u32, role: Option<&str>) -> Self {
        self.tiers
            .push((name.to_string(), approvals, role.map(str::to_string)));
        self
    }

    /// `[[rules]] paths = [GLOBS]`, `tier = "TIER"`.
    pub fn path_rule(mut self, globs: &[&str], tier: &str) -> Self {
        self.rules.push(("paths", owned(globs), tier.to_string()));
        self
    }

    /// `[[rules]] crates = [NAMES]`, `tier = "TIER"`.
    pub fn crate_rule(mut self, crates: &[&str], tier: &str) -> Self {
        self.rules.push(("crates", owned(crates), tier.to_string()));
        self
    }

    /// The TOML text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(base) = &self.base {
            out.push_str(&format!("base = \"{base}\"\n"));
        }
        out.push_str(&format!("default_tier = \"{}\"\n", self.default_tier));
        if let Some((reach, cap)) = &self.escalation {
            out.push_str(&format!(
                "\n[escalation]\nreach = \"{reach}\"\ncap = \"{cap}\"\n"
            ));
        }
        if !self.roles.is_empty() {
            out.push_str("\n[roles]\n");
            for (name, members) in &self.roles {
                out.push_str(&format!("{name} = {}\n", list(members)));
            }
        }
        if let Some((trailers, agents)) = &self.ai {
            out.push_str(&format!(
                "\n[ai]\ntrailers = {}\nagents = {}\n",
                list(trailers),
                list(agents)
            ));
        }
        if !self.tiers.is_empty() {
            out.push('\n');
        }
        for (name, approvals, role) in &self.tiers {
            out.push_str(&format!("[tiers.{name}]\napprovals = {approvals}\n"));
            if let Some(role) = role {
                out.push_str(&format!("role = \"{role}\"\n"));
            }
        }
        for (kind, items, tier) in &self.rules {
            out.push_str(&format!(
                "\n[[rules]]\n{kind} = {}\ntier = \"{tier}\"\n",
                list(items)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::PolicyToml;

    #[test]
    fn renders_the_policies_the_tests_and_benches_wrote_by_hand_to_the_letter() {
        assert_eq!(
            PolicyToml::one_senior("alice@example.com").render(),
            "base = \"main\"\ndefault_tier = \"supervised\"\n\n[roles]\nsenior = [\"alice@example.com\"]\n\n[tiers.autonomous]\napprovals = 0\n[tiers.supervised]\napprovals = 1\nrole = \"senior\"\n[tiers.prohibited]\napprovals = 2\nrole = \"senior\"\n"
        );
        let full = PolicyToml::new("supervised")
            .base("main")
            .role(
                "senior",
                &["alice@example.com", "bob@example.com", "dave@example.com"],
            )
            .ai(&["Co-authored-by"], &["kiro", "claude"])
            .tier("autonomous", 0, None)
            .tier("supervised", 1, Some("senior"))
            .tier("prohibited", 2, Some("senior"))
            .path_rule(&["docs/**"], "autonomous")
            .path_rule(&["billing/**"], "prohibited")
            .render();
        assert_eq!(
            full,
            "base = \"main\"\ndefault_tier = \"supervised\"\n\n[roles]\nsenior = [\"alice@example.com\", \"bob@example.com\", \"dave@example.com\"]\n\n[ai]\ntrailers = [\"Co-authored-by\"]\nagents = [\"kiro\", \"claude\"]\n\n[tiers.autonomous]\napprovals = 0\n[tiers.supervised]\napprovals = 1\nrole = \"senior\"\n[tiers.prohibited]\napprovals = 2\nrole = \"senior\"\n\n[[rules]]\npaths = [\"docs/**\"]\ntier = \"autonomous\"\n\n[[rules]]\npaths = [\"billing/**\"]\ntier = \"prohibited\"\n"
        );
        assert_eq!(
            PolicyToml::one_senior("alice@example.com")
                .default_tier("autonomous")
                .escalation("transitive", "supervised")
                .crate_rule(&["billing-api"], "prohibited")
                .render(),
            "base = \"main\"\ndefault_tier = \"autonomous\"\n\n[escalation]\nreach = \"transitive\"\ncap = \"supervised\"\n\n[roles]\nsenior = [\"alice@example.com\"]\n\n[tiers.autonomous]\napprovals = 0\n[tiers.supervised]\napprovals = 1\nrole = \"senior\"\n[tiers.prohibited]\napprovals = 2\nrole = \"senior\"\n\n[[rules]]\ncrates = [\"billing-api\"]\ntier = \"prohibited\"\n"
        );
        countersign_core::policy::parse_policy(
            &full,
            "policy.toml",
            countersign_core::policy::PolicySource {
                rev: "test".to_string(),
                commit: None,
            },
        )
        .expect("the rendered policy parses");
    }
}
