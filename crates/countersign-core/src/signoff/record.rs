//! The sign-off record: the payload a reviewer signs, its canonical bytes, and the note line
//! that carries payload and signature together.
//!
//! The payload is bound by its **canonical bytes**: one line of UTF-8 JSON whose object keys
//! are sorted (at every depth) and which has no insignificant whitespace. Those exact bytes are
//! what SSHSIG signs and what a note line stores as a string, so a verifier never re-serialises
//! anything: it checks the signature over the stored string, then parses the same string.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::comment::ReviewComment;

/// The payload format version of a sign-off without structured comments: what every
/// countersign reads, so a sign-off with only a free-text comment stays readable by older gates.
pub(crate) const PAYLOAD_VERSION: u32 = 1;

/// The payload format version of a sign-off that carries structured comments
/// ([`Payload::comments`]). A gate older than it refuses such records, which is why the README
/// says to upgrade the gate before the reviewers.
pub(crate) const PAYLOAD_VERSION_COMMENTS: u32 = 2;

/// The payload format version of a sign-off whose evidence says which hunks were viewed
/// ([`Evidence::hunks`]). Written only where the trusted policy asks `require_viewed =
/// "hunks"` of the commit's tier, so a gate that reads only 1 and 2 still reads the rest.
pub(crate) const PAYLOAD_VERSION_HUNKS: u32 = 3;

/// The lowest version a payload with `comments` and `evidence` can be written in: 3 with
/// hunk evidence, else 2 with structured comments, else 1.
pub(crate) fn version_for(comments: &[ReviewComment], evidence: &Evidence) -> u32 {
    if evidence.hunks.is_some() {
        PAYLOAD_VERSION_HUNKS
    } else if comments.is_empty() {
        PAYLOAD_VERSION
    } else {
        PAYLOAD_VERSION_COMMENTS
    }
}

/// What a reviewer decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The change may ship.
    Approve,
    /// The change must not ship as it is; withdraws the same reviewer's earlier approval.
    Reject,
}

impl Decision {
    /// The name used in payloads, JSON and messages.
    pub fn name(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the reviewer had in front of them when signing, as the signing tool saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Files of the commit the reviewer marked viewed.
    pub files_viewed: u32,
    /// Files the commit changes.
    pub files_total: u32,
    /// Whether the impact panel (blast radius) was shown.
    pub impact_shown: bool,
    /// Where the sign-off was made: `cli` or `tui`.
    pub interface: String,
    /// Which hunks were viewed (payload version 3 only). Absent from the canonical bytes when
    /// None, so version 1 and 2 payloads keep their exact bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hunks: Option<HunkEvidence>,
}

/// Which hunks of the commit's hunk list (`super::hunks`) the reviewer viewed: each line of
/// a viewed hunk was on the workstation's screen whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HunkEvidence {
    /// How many hunks the list holds.
    pub total: u32,
    /// `sha256:…` of the list (`super::hunks::HunkList::digest`): the bitmap indexes this
    /// list and no other.
    pub list_digest: String,
    /// Base64 bitmap, bit `i` (most significant first) set when hunk `i` was viewed.
    pub viewed: String,
}

impl Evidence {
    /// Evidence for a sign-off made without the workstation: no file marked viewed, impact
    /// not shown.
    pub fn none(files_total: u32, interface: &str) -> Self {
        Evidence {
            files_viewed: 0,
            files_total,
            impact_shown: false,
            interface: interface.to_string(),
            hunks: None,
        }
    }
}

/// The signed statement: who decided what about exactly which change, under which policy.
///
/// Serialised only through [`Payload::canonical`]; parsed back from those bytes with
/// [`Payload::parse`] (unknown fields are refused, so nothing unsigned can ride along).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// Format version: `PAYLOAD_VERSION` (1), or `PAYLOAD_VERSION_COMMENTS` (2) when it
    /// carries structured comments.
    pub version: u32,
    /// Full id of the commit signed off.
    pub commit: String,
    /// Full id of its tree.
    pub tree: String,
    /// Full ids of its parents, in order.
    pub parents: Vec<String>,
    /// The commit's [`crate::git::CommitChange::patch_digest`]: the exact change.
    pub patch_digest: String,
    /// The effective tier the reviewer saw (`autonomous`, `supervised`, `prohibited`).
    pub tier: String,
    /// Digest of the policy and roster the tier was computed under.
    pub policy_digest: String,
    /// Approve or reject.
    pub decision: Decision,
    /// Free text (empty when none).
    pub comment: String,
    /// The roster principal signing.
    pub principal: String,
    /// `SHA256:…` fingerprint of the signing key.
    pub key_fingerprint: String,
    /// When it was signed, RFC 3339 in UTC (`2026-05-01T09:30:00Z`).
    pub timestamp: String,
    /// The tool and version that made it (`countersign 0.1.0`).
    pub tool: String,
    /// What the reviewer had seen.
    pub evidence: Evidence,
    /// For an approval: the `payload_digest` of this principal's earlier reject that it
    /// lifts. A signed reject stands until its own principal names it here, whatever the
    /// timestamps say. Absent from the canonical bytes when None, so payloads made before it
    /// existed keep their exact bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    /// Structured comments on line ranges of this commit (version 2 only). Absent from the
    /// canonical bytes when empty, so a version 1 payload keeps its exact bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<ReviewComment>,
}

/// The digest that names a signed payload (`sha256:` and the hex of the payload's bytes):
/// what an approval's `supersedes` carries to lift a reject.
pub fn payload_digest(payload: &str) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(payload.as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl Payload {
    /// The canonical bytes: sorted-key, one-line JSON.
    pub fn canonical(&self) -> String {
        // Serialising a plain struct of strings and numbers cannot fail.
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        canonical_json(&value)
    }

    /// Parses canonical bytes back into a payload; refuses anything that is not exactly the
    /// canonical form of what it parses to (so two different byte strings never mean the same
    /// payload).
    pub fn parse(text: &str) -> Result<Payload, String> {
        let payload: Payload = serde_json::from_str(text)
            .map_err(|e| format!("the payload is not a countersign record: {e}"))?;
        match payload.version {
            PAYLOAD_VERSION if !payload.comments.is_empty() => {
                return Err(format!(
                    "the payload has format version {PAYLOAD_VERSION} but carries structured \
                     comments, which only version {PAYLOAD_VERSION_COMMENTS} and later may"
                ));
            }
            PAYLOAD_VERSION | PAYLOAD_VERSION_COMMENTS if payload.evidence.hunks.is_some() => {
                return Err(format!(
                    "the payload has format version {} but records hunks viewed, which only \
                     version {PAYLOAD_VERSION_HUNKS} may",
                    payload.version
                ));
            }
            PAYLOAD_VERSION | PAYLOAD_VERSION_COMMENTS | PAYLOAD_VERSION_HUNKS => {}
            other => {
                return Err(format!(
                    "the payload has format version {other}; this countersign reads versions \
                     {PAYLOAD_VERSION} to {PAYLOAD_VERSION_HUNKS} (upgrade countersign)"
                ));
            }
        }
        if payload.canonical() != text {
            return Err("the payload is not in canonical form (sorted keys, one line)".into());
        }
        Ok(payload)
    }

    /// The tier named by the payload, when it is a known one.
    pub fn tier(&self) -> Option<crate::model::Tier> {
        crate::model::Tier::from_name(&self.tier)
    }

    /// The signing time, parsed.
    pub fn time(&self) -> Result<chrono::DateTime<chrono::Utc>, String> {
        chrono::DateTime::parse_from_rfc3339(&self.timestamp)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|e| {
                format!(
                    "the payload's timestamp `{}` is not RFC 3339: {e}",
                    self.timestamp
                )
            })
    }
}

/// Serialises `value` as JSON with every object's keys sorted, on one line. Independent of
/// whether serde_json keeps insertion order, so the bytes never depend on a feature flag.
pub(crate) fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            out.push('{');
            for (i, (k, v)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// One line of a note: the payload's exact bytes and the armored SSHSIG over them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteLine {
    /// The canonical payload, exactly as signed.
    pub payload: String,
    /// `-----BEGIN SSH SIGNATURE-----\n…\n-----END SSH SIGNATURE-----`.
    pub signature: String,
}

impl NoteLine {
    /// The line as stored in the note (one line of JSON, keys sorted, no newline).
    pub fn to_line(&self) -> String {
        let value = serde_json::json!({
            "payload": self.payload,
            "signature": self.signature,
        });
        canonical_json(&value)
    }

    /// Parses one line of a note.
    pub fn parse(line: &str) -> Result<NoteLine, String> {
        serde_json::from_str(line).map_err(|e| {
            format!("it is not a sign-off record ({{\"payload\": …, \"signature\": …}}): {e}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tier;

    fn sample() -> Payload {
        Payload {
            version: PAYLOAD_VERSION,
            commit: "a".repeat(40),
            tree: "b".repeat(40),
            parents: vec!["c".repeat(40)],
            patch_digest: "sha256:00".into(),
            tier: Tier::Supervised.name().into(),
            policy_digest: "sha256:11".into(),
            decision: Decision::Approve,
            comment: "looks \"fine\"\nreally".into(),
            principal: "alice@example.com".into(),
            key_fingerprint: "SHA256:xyz".into(),
            timestamp: "2026-05-01T09:30:00Z".into(),
            tool: "countersign 0.1.0".into(),
            evidence: Evidence::none(3, "cli"),
            supersedes: None,
            comments: Vec::new(),
        }
    }

    fn structured() -> Payload {
        use crate::model::Side;
        Payload {
            version: PAYLOAD_VERSION_COMMENTS,
            comments: vec![ReviewComment {
                commit: "a".repeat(40),
                path: "src/lib.rs".into(),
                side: Side::New,
                start: 2,
                end: 3,
                text: "why \"unwrap\"?".into(),
                code: vec!["let x = y.unwrap();".into(), "x".into()],
                before: vec!["fn f() {".into()],
                after: vec!["}".into()],
                resolved: false,
            }],
            ..sample()
        }
    }

    #[test]
    fn version_2_payload_with_structured_comments_round_trips_canonically() {
        let p = structured();
        let text = p.canonical();
        assert!(!text.contains('\n'));
        assert!(
            text.contains("\"comments\":[{\"after\":[\"}\"],\"before\""),
            "{text}"
        );
        assert_eq!(Payload::parse(&text).unwrap(), p);
        // Re-ordered keys inside a comment are a different byte string: refused.
        let swapped = text.replace("\"end\":3,\"path\"", "\"path\"");
        assert!(Payload::parse(&swapped).is_err());
    }

    #[test]
    fn version_1_payload_keeps_its_bytes_and_may_not_carry_comments() {
        let text = sample().canonical();
        assert!(!text.contains("comments"), "{text}");
        assert_eq!(version_for(&[], &Evidence::none(1, "cli")), PAYLOAD_VERSION);
        let mut forged = structured();
        forged.version = PAYLOAD_VERSION;
        assert!(Payload::parse(&forged.canonical()).is_err());
        let mut future = sample();
        future.version = 4;
        assert!(Payload::parse(&future.canonical()).is_err());
    }

    #[test]
    fn version_3_carries_hunk_evidence_and_lower_versions_may_not() {
        let mut p = sample();
        p.evidence.hunks = Some(HunkEvidence {
            total: 10,
            list_digest: "sha256:22".into(),
            viewed: "gEA=".into(),
        });
        p.version = version_for(&p.comments, &p.evidence);
        assert_eq!(p.version, PAYLOAD_VERSION_HUNKS);
        let text = p.canonical();
        assert!(
            text.contains(
                "\"hunks\":{\"list_digest\":\"sha256:22\",\"total\":10,\"viewed\":\"gEA=\"}"
            ),
            "{text}"
        );
        assert_eq!(Payload::parse(&text).unwrap(), p);
        for lower in [PAYLOAD_VERSION, PAYLOAD_VERSION_COMMENTS] {
            let mut forged = p.clone();
            forged.version = lower;
            assert!(Payload::parse(&forged.canonical()).is_err(), "{lower}");
        }
        let extra = text.replace("\"total\":10,", "\"total\":10,\"x\":1,");
        assert!(Payload::parse(&extra).is_err());
    }

    #[test]
    fn canonical_payload_is_one_sorted_line_and_round_trips() {
        let p = sample();
        let text = p.canonical();
        assert!(!text.contains('\n'));
        assert!(text.starts_with("{\"comment\":"), "{text}");
        let keys: Vec<&str> = [
            "\"comment\"",
            "\"commit\"",
            "\"decision\"",
            "\"evidence\"",
            "\"key_fingerprint\"",
            "\"parents\"",
            "\"patch_digest\"",
            "\"policy_digest\"",
            "\"principal\"",
            "\"tier\"",
            "\"timestamp\"",
            "\"tool\"",
            "\"tree\"",
            "\"version\"",
        ]
        .to_vec();
        let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert_eq!(Payload::parse(&text).unwrap(), p);
    }

    #[test]
    fn non_canonical_or_extended_payloads_are_refused() {
        let text = sample().canonical();
        let spaced = text.replace(",\"commit\"", ", \"commit\"");
        assert!(Payload::parse(&spaced).is_err());
        let extra = text.replacen('{', "{\"admin\":true,", 1);
        assert!(Payload::parse(&extra).is_err());
    }

    #[test]
    fn note_line_round_trips_with_a_multiline_signature() {
        let line = NoteLine {
            payload: sample().canonical(),
            signature: "-----BEGIN SSH SIGNATURE-----\nabc\n-----END SSH SIGNATURE-----".into(),
        };
        let text = line.to_line();
        assert!(!text.contains('\n'));
        assert_eq!(NoteLine::parse(&text).unwrap(), line);
    }
}
