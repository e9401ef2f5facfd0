//! Size limits on what a note carries, checked before anything costly is done with it.
//!
//! Anyone who can push the notes ref writes these bytes, so every check that `verify` makes
//! must cost time in proportion to them, and the bytes themselves are capped (the Decisions
//! "Read caps" and "Payload versions"): a note line 1 MiB, a payload 64 KiB, and each field
//! no longer than any honest value can be. The caps are checked first, so a 1 MB principal
//! never reaches pattern matching and a huge line never reaches the JSON parser.

use super::record::Payload;

/// The longest note line read (a record's JSON: payload plus armored signature).
pub const MAX_NOTE_LINE: usize = 1024 * 1024;

/// The longest payload (the signed bytes).
pub const MAX_PAYLOAD: usize = 64 * 1024;

/// The longest principal: an e-mail address is at most 254 bytes; OpenSSH's patterns stop at
/// 1,023. Anything longer is not a principal a roster can name.
pub const MAX_PRINCIPAL: usize = 1024;

/// The longest of the short fields (`timestamp`, `key_fingerprint`, `tool`, `tier`, ids, the
/// digests, `supersedes`, `evidence.interface`).
pub const MAX_SHORT_FIELD: usize = 256;

/// Refuses a note line over [`MAX_NOTE_LINE`], before it is parsed.
pub fn check_line(line: &str) -> Result<(), String> {
    if line.len() > MAX_NOTE_LINE {
        return Err(format!(
            "a line of the note is ignored: it is {} bytes long, over the {} bytes a sign-off \
             can take",
            line.len(),
            MAX_NOTE_LINE
        ));
    }
    Ok(())
}

/// Refuses a payload over [`MAX_PAYLOAD`], before it is parsed.
pub fn check_payload_text(payload: &str) -> Result<(), String> {
    if payload.len() > MAX_PAYLOAD {
        return Err(format!(
            "the payload is {} bytes long, over the {} bytes a sign-off can take",
            payload.len(),
            MAX_PAYLOAD
        ));
    }
    Ok(())
}

/// Refuses a parsed payload whose fields are longer than any honest value, before the
/// principal is matched against the roster's patterns.
pub fn check_fields(p: &Payload) -> Result<(), String> {
    if p.principal.len() > MAX_PRINCIPAL {
        return Err(format!(
            "its principal is {} bytes long, over the {MAX_PRINCIPAL} bytes a principal can take",
            p.principal.len()
        ));
    }
    let short = [
        ("timestamp", p.timestamp.as_str()),
        ("key_fingerprint", &p.key_fingerprint),
        ("tool", &p.tool),
        ("tier", &p.tier),
        ("commit", &p.commit),
        ("tree", &p.tree),
        ("patch_digest", &p.patch_digest),
        ("policy_digest", &p.policy_digest),
        ("evidence.interface", &p.evidence.interface),
        ("supersedes", p.supersedes.as_deref().unwrap_or("")),
    ];
    for (name, value) in short {
        if value.len() > MAX_SHORT_FIELD {
            return Err(format!(
                "its {name} is {} bytes long, over the {MAX_SHORT_FIELD} bytes it can take",
                value.len()
            ));
        }
    }
    if let Some(long) = p.parents.iter().find(|id| id.len() > MAX_SHORT_FIELD) {
        return Err(format!(
            "it names a parent id {} bytes long, over the {MAX_SHORT_FIELD} bytes it can take",
            long.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_refuse_oversized_lines_and_payloads() {
        assert!(check_line(&"x".repeat(MAX_NOTE_LINE)).is_ok());
        assert!(check_line(&"x".repeat(MAX_NOTE_LINE + 1)).is_err());
        assert!(check_payload_text(&"x".repeat(MAX_PAYLOAD + 1)).is_err());
    }
}
