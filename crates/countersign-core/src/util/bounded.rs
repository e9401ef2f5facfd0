//! Bounded reads: only regular files, never more than a cap, and a refusal that says which
//! file, what was refused and what to do.
//!
//! A branch author chooses what sits in the work tree: `.countersign/policy.toml` can be a
//! symlink to `/proc/self/environ` (whose text an error would then quote), `Cargo.toml` a
//! symlink to `/dev/zero` (read forever) or a FIFO (blocks forever). So:
//!
//! - [`read_in_tree`] reads a file of a work tree: no path component may be a symlink, the
//!   file must be a regular file, and it is opened without following a symlink and without
//!   blocking (`O_NOFOLLOW | O_NONBLOCK`), then checked again on the open handle;
//! - [`read_own_file`] reads a file the user named (a `--key` path): symlinks are followed
//!   (it is the user's own choice), but the target must be a regular file;
//! - [`read_blob`] reads a git blob after checking its size in the object header, before
//!   its content is loaded.
//!
//! Every read stops at [`Limit::bytes`] plus one byte, whatever the file system says the
//! size is (`/proc` files say 0).

use std::io::Read;
use std::path::{Component, Path};

use crate::{Error, Result};

/// What kind of file is read and how much of it may be: the caps settled in the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The kind, for messages: "policy file", "key file".
    pub what: &'static str,
    /// The most bytes accepted.
    pub bytes: u64,
}

const MIB: u64 = 1024 * 1024;

/// `.countersign/policy.toml`: 4 MiB.
pub const POLICY: Limit = Limit {
    what: "policy file",
    bytes: 4 * MIB,
};
/// `.countersign/allowed_signers`: 4 MiB.
pub const ROSTER: Limit = Limit {
    what: "roster (allowed_signers)",
    bytes: 4 * MIB,
};
/// An SSH key file (private or public): 64 KiB.
pub const KEY: Limit = Limit {
    what: "key file",
    bytes: 64 * 1024,
};
/// A `Cargo.toml`: 4 MiB.
pub const MANIFEST: Limit = Limit {
    what: "Cargo manifest",
    bytes: 4 * MIB,
};
/// A Rust source file: 8 MiB.
pub const SOURCE: Limit = Limit {
    what: "source file",
    bytes: 8 * MIB,
};
/// One line of a sign-off note: 1 MiB.
pub const NOTE_LINE: Limit = Limit {
    what: "note line",
    bytes: MIB,
};
/// The TUI's saved review state (viewed marks, comment drafts): 16 MiB.
pub const REVIEW_STATE: Limit = Limit {
    what: "review state file",
    bytes: 16 * MIB,
};

/// `n` bytes as people read sizes: `4 MiB`, `64 KiB`, `512 bytes`.
pub fn human_size(n: u64) -> String {
    if n >= MIB && n % MIB == 0 {
        format!("{} MiB", n / MIB)
    } else if n >= 1024 && n % 1024 == 0 {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// The refusal for a file over its cap.
pub fn too_large(shown: &str, limit: Limit, size: Option<u64>) -> Error {
    let size = size.map_or("more than that".to_string(), |s| {
        format!("it has {}", human_size(s))
    });
    Error::Message(format!(
        "refused to read {shown}: a {} may hold at most {} and {size}; \
         make it smaller (or check that the right file is named)",
        limit.what,
        human_size(limit.bytes)
    ))
}

fn not_regular(shown: &str, limit: Limit, kind: &str, fix: &str) -> Error {
    Error::Message(format!(
        "refused to read {shown}: it is {kind}, not a regular file, and a {} is only read \
         from a regular file; {fix}",
        limit.what
    ))
}

/// What a non-regular file is, for messages.
fn describe(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Reads `rel` (a `/`-separated path relative to `root`) from a work tree, following no
/// symlink: None when it does not exist (or is a directory); an error when it, or a folder
/// on the way to it, is a symlink, when it is a FIFO, device or socket, or when it is larger
/// than `limit`. `shown` names the file in messages.
pub fn read_in_tree(root: &Path, rel: &str, limit: Limit) -> Result<Option<Vec<u8>>> {
    let shown = rel;
    let mut at = root.to_path_buf();
    let parts: Vec<Component<'_>> = Path::new(rel).components().collect();
    for (i, part) in parts.iter().enumerate() {
        let Component::Normal(name) = part else {
            return Err(Error::Message(format!(
                "refused to read {shown}: the path leaves the work tree or is not relative"
            )));
        };
        at.push(name);
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(m) => m,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(Error::io(&at)(e)),
        };
        let last = i + 1 == parts.len();
        if meta.file_type().is_symlink() {
            return Err(not_regular(
                shown,
                limit,
                if last {
                    "a symbolic link"
                } else {
                    "inside a folder that is a symbolic link"
                },
                "countersign never follows a symlink in the work tree (it could point anywhere, \
                 e.g. at /proc/self/environ); put the file itself there",
            ));
        }
        if !last && !meta.is_dir() {
            return Ok(None);
        }
        if last && meta.is_dir() {
            return Ok(None);
        }
        if last && !meta.is_file() {
            return Err(not_regular(
                shown,
                limit,
                describe(meta.file_type()),
                "put a regular file there",
            ));
        }
    }
    let file = open_no_follow(&at).map_err(|e| {
        if is_symlink_error(&e) {
            not_regular(
                shown,
                limit,
                "a symbolic link",
                "countersign never follows a symlink in the work tree; put the file itself there",
            )
        } else {
            Error::io(&at)(e)
        }
    })?;
    read_open(file, &at, shown, limit, "put a regular file there").map(Some)
}

/// Reads a file the user named themselves (`--key`, `user.signingKey`): symlinks are
/// followed, but what they lead to must be a regular file no larger than `limit`.
pub fn read_own_file(path: &Path, limit: Limit) -> Result<Vec<u8>> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(Error::io(path))?;
    if !meta.is_file() {
        return Err(not_regular(
            &shown,
            limit,
            describe(meta.file_type()),
            "name the file itself",
        ));
    }
    let file = open_nonblocking(path).map_err(Error::io(path))?;
    read_open(file, path, &shown, limit, "name the file itself")
}

/// Checks the open file again (it may have been swapped since it was looked at), then reads
/// at most `limit.bytes`, refusing more.
fn read_open(
    file: std::fs::File,
    path: &Path,
    shown: &str,
    limit: Limit,
    fix: &str,
) -> Result<Vec<u8>> {
    let meta = file.metadata().map_err(Error::io(path))?;
    if !meta.is_file() {
        return Err(not_regular(shown, limit, describe(meta.file_type()), fix));
    }
    if meta.len() > limit.bytes {
        return Err(too_large(shown, limit, Some(meta.len())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(Error::io(path))?;
    if bytes.len() as u64 > limit.bytes {
        return Err(too_large(shown, limit, None));
    }
    Ok(bytes)
}

/// Reads a blob of `repo` after checking its size in the object header (the content is not
/// loaded when it is over `limit`). `shown` names it in messages (`main:Cargo.toml`).
pub fn read_blob(
    repo: &git2::Repository,
    id: git2::Oid,
    shown: &str,
    limit: Limit,
) -> Result<Vec<u8>> {
    let odb = repo
        .odb()
        .map_err(|e| Error::Message(format!("cannot read {shown}: {}", e.message())))?;
    let (size, _) = odb
        .read_header(id)
        .map_err(|e| Error::Message(format!("cannot read {shown}: {}", e.message())))?;
    if size as u64 > limit.bytes {
        return Err(too_large(shown, limit, Some(size as u64)));
    }
    let blob = repo
        .find_blob(id)
        .map_err(|e| Error::Message(format!("cannot read {shown}: {}", e.message())))?;
    Ok(blob.content().to_vec())
}

fn is_absent(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

#[cfg(unix)]
fn is_symlink_error(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_symlink_error(_: &std::io::Error) -> bool {
    false
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limit = Limit {
        what: "test file",
        bytes: 16,
    };

    #[test]
    fn reads_a_regular_file_and_misses_an_absent_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("d")).unwrap();
        std::fs::write(dir.path().join("d/f"), "hello").unwrap();
        let got = read_in_tree(dir.path(), "d/f", SMALL).unwrap();
        assert_eq!(got.as_deref(), Some(&b"hello"[..]));
        assert!(read_in_tree(dir.path(), "d/none", SMALL).unwrap().is_none());
        assert!(read_in_tree(dir.path(), "none/f", SMALL).unwrap().is_none());
        assert!(read_in_tree(dir.path(), "d", SMALL).unwrap().is_none());
    }

    #[test]
    fn refuses_a_file_over_its_cap_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big"), [b'x'; 17]).unwrap();
        let e = read_in_tree(dir.path(), "big", SMALL)
            .unwrap_err()
            .to_string();
        assert!(e.contains("refused to read big"), "{e}");
        assert!(e.contains("at most 16 bytes"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_symlink_in_the_tree_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/proc/self/environ", dir.path().join("p")).unwrap();
        let e = read_in_tree(dir.path(), "p", SMALL)
            .unwrap_err()
            .to_string();
        assert!(e.contains("symbolic link"), "{e}");
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::fs::write(dir.path().join("real/f"), "x").unwrap();
        std::os::unix::fs::symlink("real", dir.path().join("link")).unwrap();
        let e = read_in_tree(dir.path(), "link/f", SMALL)
            .unwrap_err()
            .to_string();
        assert!(e.contains("folder that is a symbolic link"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_devices_and_fifos_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let e = read_in_tree(dir.path(), "fifo", SMALL)
            .unwrap_err()
            .to_string();
        assert!(e.contains("FIFO"), "{e}");
        let e = read_own_file(&fifo, SMALL).unwrap_err().to_string();
        assert!(e.contains("FIFO"), "{e}");
        let e = read_own_file(Path::new("/dev/zero"), SMALL)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a device"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn follows_the_users_own_symlink_to_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key"), "k").unwrap();
        std::os::unix::fs::symlink(dir.path().join("key"), dir.path().join("link")).unwrap();
        assert_eq!(
            read_own_file(&dir.path().join("link"), SMALL).unwrap(),
            b"k"
        );
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(4 * MIB), "4 MiB");
        assert_eq!(human_size(64 * 1024), "64 KiB");
        assert_eq!(human_size(17), "17 bytes");
    }
}
