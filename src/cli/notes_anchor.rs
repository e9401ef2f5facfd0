//! `verify --notes-anchor FILE`: catches a rewritten notes history in CI where the forge
//! cannot run the server-side hook (hosted GitHub, GitLab).
//!
//! FILE holds one line, the notes commit a previous run judged by. Before judging, the notes
//! ref must still contain it (be it, or descend from it): a history that no longer does was
//! rewritten or deleted, and whatever signed reject it held may be gone, so `verify` stops
//! (exit 2). After a verdict (exit 0 or 1) the tip judged by is written back. A missing FILE
//! is a first run. Only jobs of the base branch should save FILE to their cache; pull-request
//! jobs read it (a change's job could otherwise write an anchor that suits it).

use std::path::Path;

use git2::{Oid, Repository};

use crate::signoff::notes::NOTES_REF;
use crate::util::bounded;
use crate::{Error, Result};

/// The anchor file's cap: one commit id and a newline, with room to spare.
const ANCHOR: bounded::Limit = bounded::Limit {
    what: "notes anchor file",
    bytes: 4096,
};

/// Checks that the notes ref contains the commit recorded in `file` (if any) and returns the
/// notes tip to record after the verdict (None: there are no notes yet).
pub fn check(repo: &Repository, file: &Path) -> Result<Option<Oid>> {
    let tip = match repo.find_reference(NOTES_REF) {
        Ok(r) => r.target(),
        Err(e) if e.code() == git2::ErrorCode::NotFound => None,
        Err(e) => return Err(Error::git(format!("reading {NOTES_REF}"))(e)),
    };
    let shown = file.display();
    let bytes = match std::fs::symlink_metadata(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(tip),
        _ => bounded::read_own_file(file, ANCHOR)?,
    };
    let text = String::from_utf8_lossy(&bytes);
    let recorded = Oid::from_str(text.trim())
        .ok()
        .filter(|_| text.trim().len() == 40 || text.trim().len() == 64)
        .ok_or_else(|| {
            Error::Message(format!(
                "the notes anchor {shown} does not hold a notes commit id (one line of hex); \
                 restore it from the base branch's CI cache, or delete it to start over"
            ))
        })?;
    let contained = match tip {
        Some(t) => {
            t == recorded
                || (repo.find_commit(recorded).is_ok()
                    && repo.graph_descendant_of(t, recorded).unwrap_or(false))
        }
        None => false,
    };
    if !contained {
        return Err(Error::Message(format!(
            "{NOTES_REF} ({}) no longer contains {recorded}, the notes commit recorded in {shown} \
             by an earlier run: the sign-off history was rewritten or deleted, and a signed \
             reject it held may be gone. Restore the notes ref from a clone or backup that has \
             {recorded} (git push origin <that-commit>:{NOTES_REF}); if the rewrite was \
             deliberate, delete {shown} on the base branch's cache",
            tip.map_or("absent".to_string(), |t| t.to_string())
        )));
    }
    Ok(tip)
}

/// Records `tip` in `file` (written whole, then renamed into place); nothing when there is
/// no notes ref yet.
pub fn record(file: &Path, tip: Option<Oid>) -> Result<()> {
    let Some(tip) = tip else {
        return Ok(());
    };
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(Error::io(dir))?;
    std::io::Write::write_all(&mut tmp, format!("{tip}\n").as_bytes()).map_err(Error::io(file))?;
    tmp.persist(file).map_err(|e| Error::io(file)(e.error))?;
    Ok(())
}
