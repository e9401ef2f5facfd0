//! Line-level provenance logs, as AI tools leave them in git notes: which lines of a commit an
//! agent wrote.
//!
//! Two formats are read, both detected from the note's first byte:
//!
//! - **git-ai authorship logs** (the Git AI Standard, `authorship/3.0.0`, kept under
//!   `refs/notes/ai`): an attestation section — a file path at the start of a line (in double
//!   quotes when it holds whitespace), then entries indented by two spaces, each an attestation
//!   key and line ranges (`1-4,9,12-20`) — a divider line `---`, and a JSON metadata object
//!   whose `sessions` (keys `s_<hex>::t_<hex>`), legacy `prompts` (bare hex keys, the form
//!   before git-ai 1.4.0) and `humans` (`h_<hex>`) name who each key stands for. Human keys
//!   attest nothing about AI and are skipped.
//! - **Agent Trace records** (the Agent Trace RFC 0.1.0): one JSON trace record, several one
//!   per line, or an array of them; each lists `files`, each file `conversations` with a
//!   `contributor` (`ai`, `mixed`, `human`, `unknown`) and line `ranges`. `ai` and `mixed`
//!   count as an agent's lines.
//!
//! The note is written by whoever can push the notes ref, so parsing is bounded: at most
//! `MAX_NOTE_BYTES`, `MAX_ENTRIES` attestation lines and `MAX_RANGES` ranges, line numbers
//! at most [`MAX_LINE`], one pass over the text (JSON nesting is capped by serde_json). Any
//! departure from the format is an error naming the line: a malformed log is reported and
//! never used, in part or whole.

use std::collections::BTreeMap;

use serde_json::Value;

/// The largest note read (4 MiB): a log for a commit of a hundred thousand files fits.
pub(crate) const MAX_NOTE_BYTES: usize = 4 * 1024 * 1024;
/// The most attestation lines (paths and entries) or Agent Trace files in one note.
pub(crate) const MAX_ENTRIES: usize = 100_000;
/// The most line ranges in one note.
pub(crate) const MAX_RANGES: usize = 1_000_000;
/// The highest line number accepted: past any file countersign reads (8 MiB of text).
pub const MAX_LINE: u32 = 10_000_000;

/// Which format a log was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum LogFormat {
    /// git-ai `authorship/3.x` with session keys (or a mix).
    #[serde(rename = "git-ai authorship/3.0.0")]
    GitAi,
    /// git-ai `authorship/3.x` whose AI keys are all legacy prompt hashes.
    #[serde(rename = "git-ai authorship/3.0.0 (legacy keys)")]
    GitAiLegacy,
    /// An Agent Trace record.
    #[serde(rename = "Agent Trace")]
    AgentTrace,
}

impl LogFormat {
    /// As a person reads it.
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::GitAi => "git-ai authorship log",
            LogFormat::GitAiLegacy => "git-ai authorship log (legacy keys)",
            LogFormat::AgentTrace => "Agent Trace record",
        }
    }
}

/// Lines of one file that one agent wrote, as the log states them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attested {
    /// The file, as written in the log (slash-separated, relative to the repository root).
    pub path: String,
    /// The agent: the tool the log names (`cursor`, `claude`), or what identifies it.
    pub agent: String,
    /// Inclusive line ranges, 1-based, each `start <= end <= MAX_LINE`.
    pub ranges: Vec<(u32, u32)>,
}

/// A parsed log: the AI-attested lines it states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineLog {
    /// Which of the formats it parsed as.
    pub format: LogFormat,
    /// Every AI attestation, in the log's order.
    pub attested: Vec<Attested>,
    /// The commit the log says it describes (Agent Trace `vcs.revision` for git), if it says.
    pub revision: Option<String>,
}

/// Parses a note. `Err` says what is wrong and where, as a sentence.
pub fn parse(bytes: &[u8]) -> Result<LineLog, String> {
    if bytes.len() > MAX_NOTE_BYTES {
        return Err(format!(
            "it is {} bytes, over the {} MiB cap",
            bytes.len(),
            MAX_NOTE_BYTES / (1024 * 1024)
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "it is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        )
    })?;
    match text.trim_start().as_bytes().first() {
        None => Err("it is empty".to_string()),
        Some(b'{') | Some(b'[') => parse_agent_trace(text),
        Some(_) => parse_git_ai(text),
    }
}

/// Who an attestation key stands for.
enum Key<'a> {
    /// An AI session (`s_…::t_…`), by its session id.
    Session(&'a str),
    /// A legacy AI prompt hash.
    Legacy(&'a str),
    /// A known human.
    Human,
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn key_kind(key: &str) -> Option<Key<'_>> {
    if let Some(rest) = key.strip_prefix("s_") {
        let (session, trace) = rest.split_once("::")?;
        let trace = trace.strip_prefix("t_")?;
        return (is_hex(session) && is_hex(trace) && session.len() <= 64 && trace.len() <= 64)
            .then(|| Key::Session(&key[..2 + session.len()]));
    }
    if let Some(rest) = key.strip_prefix("h_") {
        return (is_hex(rest) && rest.len() <= 64).then_some(Key::Human);
    }
    (is_hex(key) && (7..=64).contains(&key.len())).then_some(Key::Legacy(key))
}

/// Parses `1-4,9,12-20` into ranges, adding to `count` and refusing past [`MAX_RANGES`].
fn parse_ranges(spec: &str, count: &mut usize) -> Result<Vec<(u32, u32)>, String> {
    let number = |s: &str| -> Result<u32, String> {
        if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{}` is not a line number", clip(s)));
        }
        let n: u32 = s
            .parse()
            .map_err(|_| format!("`{}` is not a line number", clip(s)))?;
        if n == 0 {
            return Err("line 0 does not exist (lines count from 1)".to_string());
        }
        if n > MAX_LINE {
            return Err(format!("line {n} is past any file countersign reads"));
        }
        Ok(n)
    };
    let mut out = Vec::new();
    for part in spec.split(',') {
        *count += 1;
        if *count > MAX_RANGES {
            return Err(format!("more than {MAX_RANGES} line ranges"));
        }
        let (start, end) = match part.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let n = number(part)?;
                (n, n)
            }
        };
        if start > end {
            return Err(format!("range {start}-{end} ends before it starts"));
        }
        out.push((start, end));
    }
    Ok(out)
}

/// A short, printable excerpt of log text for an error message.
fn clip(s: &str) -> String {
    let cut: String = s.chars().take(40).collect();
    let more = if cut.len() < s.len() { "…" } else { "" };
    format!("{}{more}", cut.escape_debug())
}

fn parse_git_ai(text: &str) -> Result<LineLog, String> {
    let mut lines = text.split('\n');
    // The attestation section, up to the divider.
    struct Entry<'a> {
        path: String,
        key: &'a str,
        ranges: Vec<(u32, u32)>,
    }
    let mut entries: Vec<Entry<'_>> = Vec::new();
    let mut path: Option<String> = None;
    let mut seen_divider = false;
    let mut ranges_seen = 0usize;
    for (n, line) in lines.by_ref().enumerate() {
        let no = n + 1;
        if no > MAX_ENTRIES {
            return Err(format!(
                "its attestation section is over {MAX_ENTRIES} lines"
            ));
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line == "---" {
            seen_divider = true;
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        if let Some(entry) = line.strip_prefix("  ") {
            if entry.starts_with([' ', '\t']) {
                return Err(format!(
                    "line {no}: entries are indented by exactly two spaces"
                ));
            }
            let Some(file) = &path else {
                return Err(format!(
                    "line {no}: an attestation entry before any file path"
                ));
            };
            let Some((key, spec)) = entry.split_once(' ') else {
                return Err(format!("line {no}: `{}` is not `KEY RANGES`", clip(entry)));
            };
            if key_kind(key).is_none() {
                return Err(format!(
                    "line {no}: `{}` is not an attestation key (s_…::t_…, h_…, or a hex prompt hash)",
                    clip(key)
                ));
            }
            let ranges = parse_ranges(spec.trim_end(), &mut ranges_seen)
                .map_err(|e| format!("line {no}: {e}"))?;
            entries.push(Entry {
                path: file.clone(),
                key,
                ranges,
            });
        } else if line.starts_with(' ') || line.starts_with('\t') {
            return Err(format!(
                "line {no}: entries are indented by exactly two spaces"
            ));
        } else if let Some(quoted) = line.strip_prefix('"') {
            let Some(inner) = quoted.strip_suffix('"').filter(|i| !i.is_empty()) else {
                return Err(format!(
                    "line {no}: the quoted path `{}` has no closing quote",
                    clip(line)
                ));
            };
            path = Some(inner.to_string());
        } else {
            path = Some(line.trim_end().to_string());
        }
    }
    if !seen_divider {
        return Err("it has no `---` divider line".to_string());
    }
    let rest: Vec<&str> = lines.collect();
    let metadata: Value = serde_json::from_str(&rest.join("\n"))
        .map_err(|e| format!("its metadata is not JSON ({e})"))?;
    let Some(meta) = metadata.as_object() else {
        return Err("its metadata is not a JSON object".to_string());
    };
    let version = meta
        .get("schema_version")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !version.starts_with("authorship/3.") {
        return Err(format!(
            "its schema_version `{}` is not authorship/3.x",
            clip(version)
        ));
    }
    let tool_of = |map: &str, id: &str| -> Option<String> {
        let record = meta.get(map)?.get(id)?;
        let agent = record.get("agent_id")?;
        agent
            .get("tool")
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
            .map(|t| clip(t.trim()))
    };
    let mut attested = Vec::new();
    let mut legacy_only = true;
    for e in entries {
        let agent = match key_kind(e.key) {
            Some(Key::Human) | None => continue,
            Some(Key::Session(id)) => {
                legacy_only = false;
                tool_of("sessions", id).unwrap_or_else(|| format!("git-ai session {id}"))
            }
            Some(Key::Legacy(id)) => {
                tool_of("prompts", id).unwrap_or_else(|| format!("git-ai prompt {id}"))
            }
        };
        attested.push(Attested {
            path: e.path,
            agent,
            ranges: e.ranges,
        });
    }
    Ok(LineLog {
        format: if legacy_only && !attested.is_empty() {
            LogFormat::GitAiLegacy
        } else {
            LogFormat::GitAi
        },
        attested,
        revision: None,
    })
}

fn parse_agent_trace(text: &str) -> Result<LineLog, String> {
    let mut records = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        let value = value.map_err(|e| format!("it is not JSON ({e})"))?;
        match value {
            Value::Array(items) => records.extend(items),
            other => records.push(other),
        }
        if records.len() > MAX_ENTRIES {
            return Err(format!("it holds over {MAX_ENTRIES} trace records"));
        }
    }
    let mut attested = Vec::new();
    let mut revision = None;
    let mut ranges_seen = 0usize;
    let mut files_seen = 0usize;
    for (i, record) in records.iter().enumerate() {
        let at = format!("record {}", i + 1);
        let Some(obj) = record.as_object() else {
            return Err(format!("{at} is not a JSON object"));
        };
        let version = obj.get("version").and_then(Value::as_str).unwrap_or("");
        let parts: Vec<&str> = version.split('.').collect();
        if parts.len() != 3 || !parts.iter().all(|p| is_digits(p)) {
            return Err(format!(
                "{at} has no Agent Trace `version` (MAJOR.MINOR.PATCH)"
            ));
        }
        if let Some(vcs) = obj.get("vcs") {
            if vcs.get("type").and_then(Value::as_str) == Some("git") {
                let rev = vcs
                    .get("revision")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_ascii_lowercase();
                match &revision {
                    Some(r) if *r != rev => {
                        return Err(format!(
                            "{at} names another revision than the records before it"
                        ))
                    }
                    _ => revision = Some(rev),
                }
            }
        }
        let tool = obj
            .get("tool")
            .and_then(|t| t.get("name"))
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
            .map(|t| clip(t.trim()));
        let Some(files) = obj.get("files").and_then(Value::as_array) else {
            return Err(format!("{at} has no `files` array"));
        };
        for file in files {
            files_seen += 1;
            if files_seen > MAX_ENTRIES {
                return Err(format!("over {MAX_ENTRIES} files"));
            }
            let Some(path) = file.get("path").and_then(Value::as_str) else {
                return Err(format!("{at}: a file has no `path`"));
            };
            let Some(conversations) = file.get("conversations").and_then(Value::as_array) else {
                return Err(format!(
                    "{at}: file `{}` has no `conversations`",
                    clip(path)
                ));
            };
            for conv in conversations {
                let Some(ranges) = conv.get("ranges").and_then(Value::as_array) else {
                    return Err(format!(
                        "{at}: a conversation on `{}` has no `ranges`",
                        clip(path)
                    ));
                };
                let outer = conv.get("contributor");
                let mut by_agent: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
                for r in ranges {
                    ranges_seen += 1;
                    if ranges_seen > MAX_RANGES {
                        return Err(format!("more than {MAX_RANGES} line ranges"));
                    }
                    let line = |k: &str| -> Result<u32, String> {
                        let n = r.get(k).and_then(Value::as_u64).ok_or_else(|| {
                            format!("{at}: a range on `{}` has no whole `{k}`", clip(path))
                        })?;
                        if n == 0 || n > u64::from(MAX_LINE) {
                            return Err(format!(
                                "{at}: {k} {n} on `{}` is not a line countersign reads",
                                clip(path)
                            ));
                        }
                        Ok(n as u32)
                    };
                    let (start, end) = (line("start_line")?, line("end_line")?);
                    if start > end {
                        return Err(format!(
                            "{at}: range {start}-{end} on `{}` ends before it starts",
                            clip(path)
                        ));
                    }
                    let contributor = r.get("contributor").or(outer);
                    let Some(agent) = ai_contributor(contributor, tool.as_deref()) else {
                        continue;
                    };
                    by_agent.entry(agent).or_default().push((start, end));
                }
                for (agent, ranges) in by_agent {
                    attested.push(Attested {
                        path: path.to_string(),
                        agent,
                        ranges,
                    });
                }
            }
        }
    }
    Ok(LineLog {
        format: LogFormat::AgentTrace,
        attested,
        revision,
    })
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The agent an Agent Trace contributor names, when it is an AI (`ai` or `mixed`): the tool,
/// else the model, else "an Agent Trace agent".
fn ai_contributor(contributor: Option<&Value>, tool: Option<&str>) -> Option<String> {
    let c = contributor?;
    let kind = c.get("type").and_then(Value::as_str)?;
    if !matches!(kind, "ai" | "mixed") {
        return None;
    }
    let model = c
        .get("model_id")
        .and_then(Value::as_str)
        .filter(|m| !m.trim().is_empty())
        .map(|m| clip(m.trim()));
    Some(
        tool.map(str::to_string)
            .or(model)
            .unwrap_or_else(|| "Agent Trace agent".to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The standard's example 1.2.5 (sessions format), `specs/git_ai_standard_v3.0.0.md` in
    /// github.com/git-ai-project/git-ai.
    pub const STANDARD_SESSIONS: &str = r#"src/main.rs
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
  s_c9883b05a2487d::t_a1b2c3d4e5f678 25,30-35
  h_31dce776f88375 42-50
src/lib.rs
  s_e7f2a90b31cc48::t_deadbeef012345 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.4.5",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {},
  "humans": {
    "h_31dce776f88375": {
      "author": "Developer <dev@example.com>"
    }
  },
  "sessions": {
    "s_c9883b05a2487d": {
      "agent_id": {
        "tool": "cursor",
        "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999",
        "model": "claude-sonnet-4-5-20250514"
      },
      "human_author": "dev@example.com"
    },
    "s_e7f2a90b31cc48": {
      "agent_id": {
        "tool": "claude",
        "id": "conv_abc123def456",
        "model": "claude-sonnet-4-5-20250514"
      },
      "human_author": "dev@example.com",
      "custom_attributes": {
        "team": "backend"
      }
    }
  }
}"#;

    /// The standard's example 1.2.6 (legacy format).
    pub const STANDARD_LEGACY: &str = r#"src/main.rs
  abcd1234abcd1234 1-10,15-20
  ef0b5678ef0b5678 25,30-35
src/lib.rs
  abcd1234abcd1234 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.0.23",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {
    "abcd1234abcd1234": {
      "agent_id": {
        "tool": "cursor",
        "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999",
        "model": "claude-4.5-opus"
      },
      "human_author": "Developer <dev@example.com>",
      "total_additions": 25,
      "total_deletions": 5,
      "accepted_lines": 20,
      "overriden_lines": 0
    },
    "ef0b5678ef0b5678": {
      "agent_id": {
        "tool": "cursor",
        "id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "model": "claude-3-sonnet"
      },
      "human_author": "Developer <dev@example.com>",
      "total_additions": 6,
      "total_deletions": 0,
      "accepted_lines": 6,
      "overriden_lines": 0
    }
  }
}"#;

    /// The RFC's example 6.2 (github.com/cursor/agent-trace, README.md).
    pub const RFC_EXAMPLE: &str = r#"{
  "version": "0.1.0",
  "id": "550e8400-e29b-41d4-a716-446655440000",
  "timestamp": "2026-01-23T14:30:00Z",
  "vcs": { "type": "git", "revision": "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0" },
  "tool": { "name": "cursor", "version": "2.4.0" },
  "files": [
    { "path": "src/utils/parser.ts",
      "conversations": [ { "url": "https://api.cursor.com/v1/conversations/12345",
          "contributor": { "type": "ai", "model_id": "anthropic/claude-opus-4-5-20251101" },
          "ranges": [ { "start_line": 42, "end_line": 67, "content_hash": "murmur3:9f2e8a1b" } ] } ] },
    { "path": "src/utils/helpers.ts",
      "conversations": [ { "contributor": { "type": "ai", "model_id": "openai/gpt-4o" },
          "ranges": [ { "start_line": 10, "end_line": 25 } ] } ] }
  ]
}"#;

    #[test]
    fn reads_the_standards_sessions_example_and_skips_the_known_human() {
        let log = parse(STANDARD_SESSIONS.as_bytes()).unwrap();
        assert_eq!(log.format, LogFormat::GitAi);
        let summary: Vec<_> = log
            .attested
            .iter()
            .map(|a| (a.path.as_str(), a.agent.as_str(), a.ranges.clone()))
            .collect::<Vec<(&str, &str, _)>>();
        assert_eq!(
            summary,
            vec![
                ("src/main.rs", "cursor", vec![(1, 10), (15, 20)]),
                ("src/main.rs", "cursor", vec![(25, 25), (30, 35)]),
                ("src/lib.rs", "claude", vec![(1, 50)]),
            ]
        );
    }

    #[test]
    fn reads_the_standards_legacy_example() {
        let log = parse(STANDARD_LEGACY.as_bytes()).unwrap();
        assert_eq!(log.format, LogFormat::GitAiLegacy);
        assert_eq!(log.attested.len(), 3);
        assert!(log.attested.iter().all(|a| a.agent == "cursor"));
    }

    #[test]
    fn reads_the_rfc_example_with_its_revision() {
        let log = parse(RFC_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(log.format, LogFormat::AgentTrace);
        assert_eq!(
            log.revision.as_deref(),
            Some("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0")
        );
        assert_eq!(log.attested.len(), 2);
        assert_eq!(log.attested[0].ranges, vec![(42, 67)]);
        assert_eq!(log.attested[0].agent, "cursor");
    }

    #[test]
    fn agent_trace_human_and_unknown_lines_are_not_an_agents() {
        let note = r#"{"version":"0.1.0","id":"x","timestamp":"t","files":[{"path":"a.rs","conversations":[
            {"contributor":{"type":"human"},"ranges":[{"start_line":1,"end_line":9}]},
            {"contributor":{"type":"unknown"},"ranges":[{"start_line":10,"end_line":12}]},
            {"contributor":{"type":"human"},"ranges":[{"start_line":13,"end_line":14,"contributor":{"type":"mixed","model_id":"m/x"}}]}]}]}"#;
        let log = parse(note.as_bytes()).unwrap();
        assert_eq!(log.attested.len(), 1);
        assert_eq!(log.attested[0].agent, "m/x");
        assert_eq!(log.attested[0].ranges, vec![(13, 14)]);
    }

    /// Hostile and malformed notes: each is an error naming what is wrong, never a panic,
    /// never a partial log.
    #[test]
    fn hostile_notes_are_errors_not_partial_logs() {
        let meta = "---\n{\"schema_version\":\"authorship/3.0.0\",\"base_commit_sha\":\"x\",\"prompts\":{}}";
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (format!("a.rs\n  abcd1234abcd1234 1-4294967295\n{meta}").into_bytes(), "is not a line number"),
            (format!("a.rs\n  abcd1234abcd1234 1-99999999\n{meta}").into_bytes(), "past any file"),
            (format!("a.rs\n  abcd1234abcd1234 9-3\n{meta}").into_bytes(), "ends before it starts"),
            (format!("a.rs\n  abcd1234abcd1234 0\n{meta}").into_bytes(), "line 0"),
            (format!("a.rs\n  abcd1234abcd1234 1,,2\n{meta}").into_bytes(), "not a line number"),
            (format!("\"a.rs\n  abcd1234abcd1234 1\n{meta}").into_bytes(), "no closing quote"),
            (format!("  abcd1234abcd1234 1\n{meta}").into_bytes(), "before any file path"),
            (format!("a.rs\n  not-a-key 1\n{meta}").into_bytes(), "not an attestation key"),
            (format!("a.rs\n   abcd1234abcd1234 1\n{meta}").into_bytes(), "exactly two spaces"),
            (b"a.rs\n  abcd1234abcd1234 1\n".to_vec(), "no `---` divider"),
            (b"a.rs\n  abcd1234abcd1234 1\n---\n{not json".to_vec(), "not JSON"),
            (b"a.rs\n  abcd1234abcd1234 1\n---\n{\"schema_version\":\"authorship/2.0.0\"}".to_vec(), "not authorship/3.x"),
            (b"a.rs\n  abcd\xff1234abcd1234 1\n---\n{}".to_vec(), "not UTF-8"),
            (vec![b'a'; MAX_NOTE_BYTES + 1], "cap"),
            (br#"{"version":"0.1.0","files":[{"path":"a","conversations":[{"contributor":{"type":"ai"},"ranges":[{"start_line":1,"end_line":1e30}]}]}]}"#.to_vec(), "no whole `end_line`"),
            (br#"{"version":"0.1.0","files":[{"path":"a","conversations":[{"contributor":{"type":"ai"},"ranges":[{"start_line":-1,"end_line":2}]}]}]}"#.to_vec(), "no whole `start_line`"),
            (br#"{"version":"x","files":[]}"#.to_vec(), "version"),
            (br#"{"version":"0.1.0"}"#.to_vec(), "no `files`"),
            (format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(), "not JSON"),
        ];
        for (note, says) in cases {
            let err =
                parse(&note).expect_err(&String::from_utf8_lossy(&note[..note.len().min(80)]));
            assert!(err.contains(says), "{err:?} should say {says:?}");
        }
    }

    /// Quotes inside a quoted path are kept literally (the standard says paths should not
    /// hold them; git-ai strips only the outer pair): the path then matches no file, which
    /// the reader reports.
    #[test]
    fn quotes_in_paths_are_literal() {
        let note = "\"a \"b\".rs\"\n  abcd1234abcd1234 1\n---\n{\"schema_version\":\"authorship/3.0.0\",\"prompts\":{}}";
        let log = parse(note.as_bytes()).unwrap();
        assert_eq!(log.attested[0].path, "a \"b\".rs");
        assert_eq!(log.attested[0].agent, "git-ai prompt abcd1234abcd1234");
    }

    /// Linear work on the largest inputs the caps allow: a note of a million ranges parses
    /// (a hang guard, not a timing test); one more is refused.
    #[test]
    fn a_note_at_the_range_cap_parses_and_one_over_is_refused() {
        let note = |n: usize| {
            let mut s = String::from("a.rs\n  abcd1234abcd1234 ");
            s.push_str(&vec!["7"; n].join(","));
            s.push_str("\n---\n{\"schema_version\":\"authorship/3.0.0\",\"prompts\":{}}");
            s
        };
        let at_cap = parse(note(MAX_RANGES).as_bytes()).unwrap();
        assert_eq!(at_cap.attested[0].ranges.len(), MAX_RANGES);
        let err = parse(note(MAX_RANGES + 1).as_bytes()).unwrap_err();
        assert!(err.contains("more than"), "{err}");
    }

    /// Property: whatever bytes the standard's and the RFC's examples are mutated into (bytes
    /// flipped, digits and quotes and newlines inserted, text cut), parsing never panics, and
    /// a log that parses states only ranges within the caps.
    #[test]
    fn mutated_examples_never_panic_and_parsed_ranges_stay_in_bounds() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let inserts: [&[u8]; 8] = [
            b"\"",
            b"\n",
            b"-",
            b",",
            b"4294967295",
            b"\xff\xfe",
            b"  ",
            b"---\n",
        ];
        for base in [STANDARD_SESSIONS, STANDARD_LEGACY, RFC_EXAMPLE] {
            for _ in 0..3000 {
                let mut bytes = base.as_bytes().to_vec();
                for _ in 0..(next() % 4 + 1) {
                    let at = (next() as usize) % (bytes.len() + 1);
                    match next() % 3 {
                        0 if at < bytes.len() => bytes[at] = next() as u8,
                        1 => {
                            let ins = inserts[(next() as usize) % inserts.len()];
                            bytes.splice(at..at, ins.iter().copied());
                        }
                        _ => bytes.truncate(at.max(1)),
                    }
                }
                if let Ok(log) = parse(&bytes) {
                    for a in &log.attested {
                        for (s, e) in &a.ranges {
                            assert!(1 <= *s && s <= e && *e <= MAX_LINE, "{a:?}");
                        }
                    }
                }
            }
        }
    }
}
