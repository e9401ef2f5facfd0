//! AI provenance: is a commit AI-generated (or AI-touched), by which agent, and which rule
//! said so?
//!
//! A commit has two people on it, and both count: the **author** (who wrote the change) and the
//! **committer** (who last made the commit: an agent that amends or rebases a human's commit
//! is its committer). A commit whose committer is an agent is judged as AI (Decision "Agent as
//! committer"), whoever wrote it first. The rules, from the policy's `[ai]` table (or its
//! defaults), in the order they are tried:
//!
//! 1. a **trailer** whose key is listed (`Co-authored-by`, `Assisted-by`, `Generated-by`) and
//!    whose value names a listed agent as a whole word (`Claude`, `Assisted-by: claude:opus-4`,
//!    `github-copilot[bot]`); only real trailers count — git's own trailer parser decides, so a
//!    name in the body text never matches (merge commits alike: a `Conflicts:` block after the
//!    trailers does not hide them);
//! 2. the **author's or committer's e-mail** matching an `authors` glob (`*@agents.example`),
//!    case-insensitively (globset compiles globs to a regex: linear time);
//! 3. an agent's **own marker** on the author or committer: aider appends ` (aider)` to both
//!    names; GitHub apps commit as `NAME[bot]` (`devin-ai-integration[bot]`); GitHub's agent
//!    commits as `Copilot`, Cursor's as `Cursor Agent`. A name that is only a listed agent's
//!    name (with `agent`, `bot` or `ai` at most) counts, so a person whose git name is just
//!    `Devin` is taken for the agent: a false alarm asks for a review, a miss would skip one.
//!
//! 4. an agent's **signature line** in the message, on a line of its own: Claude Code's
//!    `🤖 Generated with [Claude Code](https://claude.com/claude-code)` (written even where its
//!    `Co-Authored-By` trailer is turned off), or `Generated with [NAME](…)` naming a listed
//!    agent;
//!
//! 5. a **self-declared agent** in a listed trailer that names no product: a name made only of
//!    words that say what it is (`AI`, `AI Assistant`, `Coding Agent`, `LLM`), an e-mail local
//!    part that does (`ai-assistant@…`, `agent@…`), a tag (`Dana (AI)`, `[agent]`), or the
//!    kernel's `Assisted-by: AGENT:MODEL` form (`Assisted-by: OpenCode:qwen3-coder`). People
//!    are not caught by it: a name counts only when every word is such a word, `AI` counts in
//!    capitals only (the given name `Ai` does not), and `bot` alone says nothing of AI
//!    (`dependabot[bot]` is no agent).
//!
//! An agent that lies about itself (a human's name and e-mail, no trailer) is not caught:
//! that is a limit of any provenance rule, named in the README's threat model.

use serde::Serialize;

use super::line_evidence::{LineShare, Reading};
use super::AiRules;
use crate::git::{CommitChange, Person};

/// Why a commit counts as AI-generated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The agent, as named in the policy (`kiro`), or the person's name for e-mail rules.
    pub agent: String,
    /// The rule that matched, as a person reads it (`trailer Co-authored-by: Kiro <kiro@agents.example>`).
    pub rule: String,
    /// What a line-provenance note (`[ai] line_notes`) attests of the commit's added lines,
    /// when one does. With `sole_evidence`, the note alone makes the commit AI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<LineShare>,
}

impl Provenance {
    /// True when only a line-provenance note makes the commit AI: the branch author can write
    /// notes, so such a commit needs its tier's approvals but is never forbidden.
    pub fn only_from_notes(&self) -> bool {
        self.lines.as_ref().is_some_and(|l| l.sole_evidence)
    }
}

/// The commit's provenance with line-level evidence added: `rules` as [`detect`] found it,
/// raised to AI by the note with most AI-attested lines when the rules found nothing. A note
/// never lowers what the rules said.
pub(crate) fn with_line_notes(rules: Option<Provenance>, reading: &Reading) -> Option<Provenance> {
    let best = reading.shares.first().cloned();
    match (rules, best) {
        (Some(mut p), best) => {
            p.lines = best;
            Some(p)
        }
        (None, Some(mut share)) => {
            share.sole_evidence = true;
            Some(Provenance {
                agent: share.top_agent().to_string(),
                rule: share.sentence(),
                lines: Some(share),
            })
        }
        (None, None) => None,
    }
}

/// Returns the first matching rule: trailers in message order, then the author's and the
/// committer's e-mail, then the agents' own markers on their names.
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
                lines: None,
            });
        }
    }
    for trailer in &commit.trailers {
        let listed = rules
            .trailers
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&trailer.key));
        if let Some(how) = listed
            .then(|| self_declared(&trailer.key, &trailer.value))
            .flatten()
        {
            let name = trailer.value.split('<').next().unwrap_or("").trim();
            return Some(Provenance {
                agent: if name.is_empty() {
                    trailer.value.clone()
                } else {
                    name.to_string()
                },
                rule: format!(
                    "trailer {}: {} declares an AI agent ({how})",
                    trailer.key, trailer.value
                ),
                lines: None,
            });
        }
    }
    let people = [("author", &commit.author), ("committer", &commit.committer)];
    for (role, person) in people {
        let email = person.email.to_lowercase();
        let Some(glob) = rules
            .author_set
            .matches(&email)
            .first()
            .and_then(|i| rules.authors.get(*i))
        else {
            continue;
        };
        let agent = named_agent(&person.name, &rules.agents)
            .map(str::to_string)
            .unwrap_or_else(|| person.name.clone());
        return Some(Provenance {
            agent,
            rule: format!("{role} e-mail {} matches {glob}", person.email),
            lines: None,
        });
    }
    for (role, person) in people {
        if let Some((agent, marker)) = own_marker(person, &rules.agents) {
            return Some(Provenance {
                agent: agent.to_string(),
                rule: format!(
                    "{role} {} <{}> carries {agent}'s own marker ({marker})",
                    person.name, person.email
                ),
                lines: None,
            });
        }
    }
    if let Some((agent, line)) = signature_line(&commit.message, &rules.agents) {
        return Some(Provenance {
            agent: agent.to_string(),
            rule: format!("message line `{line}`: {agent}'s signature line"),
            lines: None,
        });
    }
    None
}

/// The first line of `message` that is an agent's signature line (`🤖 Generated with
/// [Claude Code](…)`, `Generated with [NAME](…)`), with the listed agent it names.
fn signature_line<'m, 'a>(message: &'m str, agents: &'a [String]) -> Option<(&'a str, &'m str)> {
    message.lines().map(str::trim).find_map(|line| {
        let rest = line.trim_start_matches('🤖').trim_start();
        let name = rest
            .strip_prefix("Generated with [")
            .and_then(|r| r.split_once("]("))
            .filter(|(_, url)| url.ends_with(')') && !url.contains(char::is_whitespace))
            .map(|(name, _)| name)?;
        named_agent(name, agents).map(|a| (a, line))
    })
}

/// The agent whose own marker `person` carries, with the marker as a person reads it.
fn own_marker<'a>(person: &Person, agents: &'a [String]) -> Option<(&'a str, &'static str)> {
    let name = person.name.trim();
    // aider: `Dana Human (aider)` as author and committer.
    if let Some(inner) = name
        .strip_suffix(')')
        .and_then(|n| n.rfind('(').map(|i| &n[i + 1..]))
    {
        if let Some(agent) = named_agent(inner, agents) {
            if agent == "aider" {
                return Some((agent, "aider adds ` (aider)` to the names it commits under"));
            }
            return Some((agent, "the agent's name in parentheses after the person's"));
        }
    }
    // A GitHub app: `devin-ai-integration[bot]`, in the name or the e-mail's local part.
    let local = person.email.split('@').next().unwrap_or("");
    let local = local.rsplit('+').next().unwrap_or(local);
    for text in [name, local] {
        if text.to_lowercase().contains("[bot]") {
            if let Some(agent) = named_agent(text, agents) {
                return Some((agent, "a `[bot]` account"));
            }
        }
    }
    // The agent's own name and nothing more: `Copilot`, `Cursor Agent`, `Devin AI`.
    let words: Vec<String> = name
        .split_whitespace()
        .map(str::to_lowercase)
        .filter(|w| !matches!(w.as_str(), "agent" | "bot" | "ai"))
        .collect();
    if let [only] = words.as_slice() {
        if let Some(agent) = agents.iter().find(|a| *a == only) {
            return Some((agent.as_str(), "the agent's own name"));
        }
    }
    None
}

/// Words that say what an agent is (matched case-insensitively; `ai` is special-cased).
const AGENT_WORDS: &[&str] = &[
    "ai",
    "llm",
    "agent",
    "agents",
    "assistant",
    "genai",
    "artificial",
    "intelligence",
    "language",
    "large",
    "model",
    "coding",
    "code",
    "automated",
    "autonomous",
    "generated",
    "bot",
    "swe",
];

/// Of [`AGENT_WORDS`], those that declare an AI (`bot`, `code`, `model` alone do not).
const DECLARING: &[&str] = &["llm", "agent", "agents", "assistant", "genai", "artificial"];

/// True when the words of `text` (runs of letters and digits) are all [`AGENT_WORDS`] and one
/// declares an AI: a [`DECLARING`] word, or `AI` in capitals (when `ai_in_capitals`; an
/// e-mail's local part is lower case, so there `ai` alone is not enough).
fn declares(text: &str, ai_in_capitals: bool) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    !words.is_empty()
        && words
            .iter()
            .all(|w| AGENT_WORDS.contains(&w.to_lowercase().as_str()))
        && words.iter().any(|w| {
            DECLARING.contains(&w.to_lowercase().as_str()) || (ai_in_capitals && *w == "AI")
        })
}

/// How a trailer `key: value` declares an AI agent without naming a product, if it does.
fn self_declared(key: &str, value: &str) -> Option<&'static str> {
    let (name, email) = match value.split_once('<') {
        Some((n, rest)) => (n.trim(), rest.split('>').next().unwrap_or("")),
        None => (value.trim(), ""),
    };
    // Tags: `Dana (AI)`, `[agent]`.
    let mut bare = String::new();
    let mut tag = String::new();
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' | '[' => {
                depth += 1;
                tag.push(' ');
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth > 0 => tag.push(c),
            c => bare.push(c),
        }
        if depth == 0 && (c == ')' || c == ']') {
            if declares(&tag, true) {
                return Some("a tag that says so");
            }
            tag.clear();
        }
    }
    if declares(&bare, true) {
        return Some("a name that says what it is");
    }
    let local = email.split('@').next().unwrap_or("");
    let local = local.rsplit('+').next().unwrap_or(local);
    if !local.is_empty() && declares(local, false) {
        return Some("an e-mail that says what it is");
    }
    // The kernel's `Assisted-by: AGENT:MODEL [TOOL…]`.
    if key.eq_ignore_ascii_case("assisted-by") && email.is_empty() {
        let first = name.split_whitespace().next().unwrap_or("");
        if let Some((agent, model)) = first.split_once(':') {
            let word = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            };
            if word(agent) && word(model) {
                return Some("the `AGENT:MODEL` form");
            }
        }
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
    // The agent named first wins: `aider (anthropic/claude-sonnet-4)` is aider running a
    // Claude model, not Claude.
    runs.iter().find_map(|run| {
        agents.iter().map(String::as_str).find(|agent| {
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
        let with_aider = ["claude".to_string(), "aider".to_string()];
        assert_eq!(
            named_agent(
                "aider (anthropic/claude-sonnet-4) <noreply@aider.chat>",
                &with_aider
            ),
            Some("aider"),
            "the agent named first, not the model it runs"
        );
        assert_eq!(named_agent("Kirov Ivanov <k@example.com>", &a), None);
    }

    /// Trailers as real repositories and agent settings write them (Claude Code's documented
    /// `attribution` setting, agents' commit templates, projects' AGENTS.md files following
    /// the kernel's coding-assistants policy), and people's names that must not match.
    #[test]
    fn agents_that_declare_themselves_without_a_product_name_are_caught_and_people_are_not() {
        let yes = [
            ("Co-Authored-By", "AI <ai@example.com>"),
            ("Co-Authored-By", "AI <noreply@ai>"),
            ("Co-authored-by", "AI Assistant"),
            ("Co-authored-by", "AI Assistant <ai@example.com>"),
            (
                "Co-authored-by",
                "AI Assistant <ai-assistant@users.noreply.github.com>",
            ),
            ("Co-authored-by", "Coding Agent <agent@example.com>"),
            ("Co-authored-by", "LLM <llm@example.com>"),
            ("Co-authored-by", "Dana Human (AI) <dana@example.com>"),
            ("Co-authored-by", "Helper [AI agent] <helper@example.com>"),
            ("Co-authored-by", "Dana (on call) (AI) <dana@example.com>"),
            ("Co-authored-by", "Build Helper <ai-agent@example.com>"),
            ("Assisted-by", "OpenCode:qwen3-coder"),
            ("Assisted-by", "SomeAgent:some-model-1.5 coccinelle sparse"),
        ];
        for (key, value) in yes {
            assert!(
                self_declared(key, value).is_some(),
                "{key}: {value} declares an agent"
            );
        }
        let no = [
            ("Co-authored-by", "Ai Weiwei <aiweiwei@example.com>"),
            ("Co-authored-by", "Ai Tanaka <ai@example.jp>"),
            ("Co-authored-by", "Agent Smith <smith@matrix.example>"),
            ("Co-authored-by", "Jane Doe <jane@anthropic.com>"),
            (
                "Co-authored-by",
                "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>",
            ),
            (
                "Co-authored-by",
                "pre-commit-ci[bot] <66853113+pre-commit-ci[bot]@users.noreply.github.com>",
            ),
            ("Co-authored-by", "Code Monkey <monkey@example.com>"),
            ("Co-authored-by", "Amy Assistant-Smith <amy@example.com>"),
            ("Co-authored-by", "Dana Human (on leave) <dana@example.com>"),
            ("Assisted-by", "Jane Doe <jane@example.com>"),
            ("Assisted-by", "see https://example.com/x"),
        ];
        for (key, value) in no {
            assert_eq!(
                self_declared(key, value),
                None,
                "{key}: {value} is a person"
            );
        }
    }

    #[test]
    fn a_signature_line_counts_only_as_a_whole_line_naming_a_listed_agent() {
        let a = agents();
        let msg =
            "Fix it\n\n\u{1f916} Generated with [Claude Code](https://claude.com/claude-code)\n";
        assert_eq!(signature_line(msg, &a).map(|(x, _)| x), Some("claude"));
        for no in [
            "We once Generated with [Claude Code](https://x) in prose",
            "\u{1f916} Generated with [Emacs](https://gnu.org)",
            "Generated with [Claude Code](not a url",
        ] {
            assert_eq!(signature_line(no, &a), None, "{no}");
        }
    }

    fn person(name: &str, email: &str) -> Person {
        Person {
            name: name.into(),
            email: email.into(),
            time: 0,
            offset_minutes: 0,
        }
    }

    #[test]
    fn knows_the_agents_own_markers_and_not_people_who_share_a_name() {
        let a: Vec<String> = ["aider", "devin", "copilot", "cursor"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let agent = |n: &str, e: &str| own_marker(&person(n, e), &a).map(|(agent, _)| agent);
        assert_eq!(
            agent("Dana Human (aider)", "dana@example.com"),
            Some("aider")
        );
        assert_eq!(
            agent("Dana Human (AIDER)", "dana@example.com"),
            Some("aider")
        );
        assert_eq!(
            agent(
                "devin-ai-integration[bot]",
                "158243242+devin-ai-integration[bot]@users.noreply.github.com"
            ),
            Some("devin")
        );
        assert_eq!(
            agent("Copilot", "198982749+Copilot@users.noreply.github.com"),
            Some("copilot")
        );
        assert_eq!(
            agent("Cursor Agent", "cursoragent@cursor.com"),
            Some("cursor")
        );
        assert_eq!(agent("Devin Smith", "devin@example.com"), None);
        assert_eq!(agent("Dana Human (on leave)", "dana@example.com"), None);
    }
}
