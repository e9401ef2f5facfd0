//! One large blob in memory at a time. libgit2 reads a blob whole; the workstation's workers
//! (the content scan, the diff being loaded, the change loaded for the gate) each read a
//! changed file's blobs, and on a 182 MB file their copies at once tripled the memory of the
//! first screen. A reader of a blob over [`LARGE_BLOB`] bytes waits its turn; smaller blobs
//! never wait.

use std::sync::{Mutex, MutexGuard};

/// Blobs above this size take turns.
pub const LARGE_BLOB: usize = 16 << 20;

static TURN: Mutex<()> = Mutex::new(());

/// The turn to read the blobs `ids`, when one of them is large (sizes from the object
/// headers, without reading the content); None when none is, or when a size cannot be read
/// (the read that follows reports the problem). Hold it while the content is in memory, and
/// never ask for it again while holding it (it is not reentrant).
pub fn large_blob_turn(
    repo: &git2::Repository,
    ids: &[Option<git2::Oid>],
) -> Option<MutexGuard<'static, ()>> {
    let odb = repo.odb().ok()?;
    let large = ids.iter().flatten().any(|oid| {
        odb.read_header(*oid)
            .is_ok_and(|(size, _)| size > LARGE_BLOB)
    });
    // A worker that panicked while holding the turn left nothing to protect.
    large.then(|| TURN.lock().unwrap_or_else(|e| e.into_inner()))
}
