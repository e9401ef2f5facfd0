//! Size limits on what a note carries, checked before anything costly is done with it.
//!
//! Anyone who can push the notes ref writes these bytes, so every check that `verify` makes
//! must cost time in proportion to them, and the bytes themselves are capped (the Decisions
//! "Read caps" and "Payload versions"): a note line 1 MiB, a payload 64 KiB, and each field
//! no longer than any honest value can be. The caps are checked first, so a 1 MB principal
//! never reaches pattern matching and a huge line never reaches the JSON parser.

use super::record::Payload;

/// The longest note line read (a record's JSON: payload plus armored signature).
pub(crate) const MAX_NOTE_LINE: usize = 1024 * 1024;

/// The longest payload (the signed bytes).
pub(crate) const MAX_PAYLOAD: usize = 64 * 1024;

/// The longest principal: an e-mail address is at most 254 bytes; OpenSSH's patterns stop at
/// 1,023. Anything longer is not a principal a roster can name.
pub(crate) const MAX_PRINCIPAL: usize = 1024;

/// The longest of the short fields (`timestamp`, `key_fingerprint`, `tool`, `tier`, ids, the
/// digests, `supersedes`, `evidence.interface`).
pub(crate) const MAX_SHORT_FIELD: usize = 256;

/// The most structured comments one payload carries.
pub(crate) const MAX_COMMENTS: usize = 200;

/// The quoting caps live with the quoting ([`super::comment`]), listed here with the rest.
pub(crate) use super::comment::MAX_QUOTED_LINES;

/// Refuses a note line over [`MAX_NOTE_LINE`], before it is parsed.
pub(crate) fn check_line(line: &str) -> Result<(), String> {
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
pub(crate) fn check_payload_text(payload: &str) -> Result<(), String> {
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
pub(crate) fn check_fields(p: &Payload) -> Result<(), String> {
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
    check_comments(&p.comments)?;
    if let Some(long) = p.parents.iter().find(|id| id.len() > MAX_SHORT_FIELD) {
        return Err(format!(
            "it names a parent id {} bytes long, over the {MAX_SHORT_FIELD} bytes it can take",
            long.len()
        ));
    }
    Ok(())
}

/// Refuses more than [`MAX_COMMENTS`] comments, a comment quoting more than
/// [`MAX_QUOTED_LINES`] lines, or one naming a commit id longer than any id.
pub(crate) fn check_comments(comments: &[super::comment::ReviewComment]) -> Result<(), String> {
    if comments.len() > MAX_COMMENTS {
        return Err(format!(
            "it carries {} comments, over the {MAX_COMMENTS} a sign-off can take",
            comments.len()
        ));
    }
    for c in comments {
        if c.quoted_lines() > MAX_QUOTED_LINES {
            return Err(format!(
                "its comment on {}:{} quotes {} lines, over the {MAX_QUOTED_LINES} a comment can \
                 take",
                c.path,
                c.range(),
                c.quoted_lines()
            ));
        }
        if c.commit.len() > MAX_SHORT_FIELD {
            return Err(format!(
                "a comment names a commit id {} bytes long, over the {MAX_SHORT_FIELD} bytes it \
                 can take",
                c.commit.len()
            ));
        }
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

    #[test]
    fn caps_refuse_too_many_comments_and_long_quotes() {
        use crate::model::Side;
        use crate::signoff::comment::ReviewComment;
        let one = ReviewComment {
            commit: "a".repeat(40),
            path: "src/lib.rs".into(),
            side: Side::New,
            start: 1,
            end: 1,
            text: "t".into(),
            code: vec!["x".into()],
            before: vec![],
            after: vec![],
            resolved: false,
        };
        assert!(check_comments(&vec![one.clone(); MAX_COMMENTS]).is_ok());
        assert!(check_comments(&vec![one.clone(); MAX_COMMENTS + 1]).is_err());
        let long = ReviewComment {
            code: vec!["x".into(); MAX_QUOTED_LINES + 1],
            ..one
        };
        assert!(check_comments(&[long]).is_err());
    }
}
