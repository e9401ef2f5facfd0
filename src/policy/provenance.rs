//! AI provenance: is a commit AI-generated, by which agent, and which rule said so?
//!
//! Two kinds of rule, from the policy's `[ai]` table (or its defaults):
//! - a **trailer** whose key is listed (`Co-authored-by`, `Assisted-by`, `Generated-by`) and
//!   whose value names a listed agent as a whole word (`Claude`, `Assisted-by: claude:opus-4`,
//!   `github-copilot[bot]`); only real trailers count — git's own trailer parser decides, so a
//!   name in the body text never matches;
//! - the **author e-mail** matching a glob (`*@agents.example`).

use serde::Serialize;

use super::AiRules;
use crate::git::CommitChange;

/// Why a commit counts as AI-generated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The agent, as named in the policy (`kiro`), or the author's name for e-mail rules.
    pub agent: String,
    /// The rule that matched, as a person reads it (`trailer Co-authored-by: Kiro <kiro@agents.example>`).
    pub rule: String,
}

/// Returns the first matching rule: trailers in message order, then the author e-mail.
pub fn detect(commit: &CommitChange, rules: &AiRules) -> Option<Provenance> {
    for trailer in &commit.trailers {
        if !rules
            .trailers
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&trailer.key))
        {
            continue;
        }
        if let Some(agent) = named_agent(&trailer.value, &rules.agents) {
            return Some(Provenance {
                agent: agent.to_string(),
                rule: format!("trailer {}: {}", trailer.key, trailer.value),
            });
        }
    }
    let email = commit.author.email.to_lowercase();
    if rules.author_set.is_match(&email) {
        let glob = rules
            .authors
            .iter()
            .zip(rules.author_set.matches(&email))
            .map(|(g, _)| g.as_str())
            .next()
            .unwrap_or("an [ai] authors glob");
        let agent = named_agent(&commit.author.name, &rules.agents)
            .map(str::to_string)
            .unwrap_or_else(|| commit.author.name.clone());
        return Some(Provenance {
            agent,
            rule: format!("author e-mail {} matches {glob}", commit.author.email),
        });
    }
    None
}

/// The first listed agent that `value` names as a whole word (words are runs of letters,
/// digits, `-` and `_`… split also at `-` so `github-copilot[bot]` names `copilot`; multi-word
/// agent names like `amazon-q` match the hyphenated run as a whole).
fn named_agent<'a>(value: &str, agents: &'a [String]) -> Option<&'a str> {
    let lower = value.to_lowercase();
    let runs: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    agents.iter().map(String::as_str).find(|agent| {
        runs.iter().any(|run| {
            *run == *agent || run.split(['-', '_']).any(|w| !w.is_empty() && w == *agent)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agents() -> Vec<String> {
        ["kiro", "claude", "copilot", "amazon-q"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn names_agents_as_whole_words_only() {
        let a = agents();
        assert_eq!(
            named_agent("Claude <noreply@anthropic.com>", &a),
            Some("claude")
        );
        assert_eq!(named_agent("claude:claude-opus-4", &a), Some("claude"));
        assert_eq!(
            named_agent("github-copilot[bot] <x@y>", &a),
            Some("copilot")
        );
        assert_eq!(named_agent("Amazon-Q Developer", &a), Some("amazon-q"));
        assert_eq!(named_agent("Claudette Smith <c@example.com>", &a), None);
        assert_eq!(named_agent("Kirov Ivanov <k@example.com>", &a), None);
    }
}
