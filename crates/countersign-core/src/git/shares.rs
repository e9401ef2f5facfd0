//! Repository work spread over the machine's cores. A `git2::Repository` is not shared
//! between threads, so each thread opens its own handle on the same git directory; the
//! calling thread works too, with the handle it has.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// How many pieces each thread's share is cut into (a thread takes the next piece when it
/// finishes one). One: finer pieces balanced nothing measurable on two cores, and each
/// thread then reads all over the pack files, mapping more of them (8 MB more resident for
/// `impact` on diem's largest commit).
const PIECES_PER_THREAD: usize = 1;

/// The machine's cores, asked once: `available_parallelism` reads the cgroup files on every
/// call, which cost a fifth of `verify` over 1,000 commits when asked per commit.
pub(crate) fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Runs `work` over `items` on up to `max_threads` threads (the machine's cores permitting,
/// and at least `per_thread` items each), each with its own repository handle, and returns
/// the results in the order of `items`: one result per piece of consecutive items, the
/// pieces together covering `items` once. Threads take the next piece as they finish one. A
/// thread that cannot open the repository, or stops on a panic, leaves its pieces to this
/// thread.
pub(crate) fn on_threads<T: Sync, R: Send>(
    repo: &git2::Repository,
    items: &[T],
    max_threads: usize,
    per_thread: usize,
    work: &(dyn Fn(&git2::Repository, &[T]) -> R + Sync),
) -> Vec<R> {
    if items.len() < 2 * per_thread.max(1) {
        return vec![work(repo, items)];
    }
    let threads = cores()
        .clamp(1, max_threads.max(1))
        .min(items.len() / per_thread.max(1))
        .max(1);
    if threads == 1 {
        return vec![work(repo, items)];
    }
    let piece = items.len().div_ceil(threads * PIECES_PER_THREAD).max(1);
    let pieces: Vec<&[T]> = items.chunks(piece).collect();
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<R>>> = Mutex::new(pieces.iter().map(|_| None).collect());
    let take_pieces = |repo: &git2::Repository| loop {
        let at = next.fetch_add(1, Ordering::Relaxed);
        let Some(share) = pieces.get(at) else {
            break;
        };
        let result = work(repo, share);
        if let Ok(mut done) = done.lock() {
            done[at] = Some(result);
        }
    };
    let git_dir = repo.path().to_path_buf();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads)
            .map(|_| {
                let (git_dir, take_pieces) = (&git_dir, &take_pieces);
                scope.spawn(move || {
                    if let Ok(own) = git2::Repository::open(git_dir) {
                        take_pieces(&own);
                    }
                })
            })
            .collect();
        take_pieces(repo);
        for worker in workers {
            // A panic is taken here (its piece is redone below), not passed on.
            let _ = worker.join();
        }
    });
    // A piece a thread did not finish (it panicked) is done here.
    let done = done
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    done.into_iter()
        .zip(pieces)
        .map(|(result, share)| result.unwrap_or_else(|| work(repo, share)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> (tempfile::TempDir, git2::Repository) {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = git2::Repository::init(dir.path()).expect("init");
        (dir, repo)
    }

    #[test]
    fn every_item_once_and_in_order_across_threads() {
        let (_dir, repo) = repo();
        let items: Vec<usize> = (0..1_000).collect();
        let parts = on_threads(&repo, &items, 4, 1, &|_, share: &[usize]| share.to_vec());
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if threads > 1 {
            assert!(parts.len() > 1, "the work is cut into pieces");
        }
        let flat: Vec<usize> = parts.into_iter().flatten().collect();
        assert_eq!(flat, items);
    }

    #[test]
    fn a_piece_whose_thread_panics_is_done_by_the_caller() {
        if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
            eprintln!("one core: no worker thread to fail");
            return;
        }
        let (_dir, repo) = repo();
        let items: Vec<usize> = (0..64).collect();
        let caller = std::thread::current().id();
        let failed = std::sync::atomic::AtomicBool::new(false);
        let parts = on_threads(&repo, &items, 2, 1, &|_, share: &[usize]| {
            if std::thread::current().id() != caller {
                failed.store(true, Ordering::SeqCst);
                panic!("a worker fails");
            }
            // The caller waits (a bounded time) until a worker has failed on a piece.
            let start = std::time::Instant::now();
            while !failed.load(Ordering::SeqCst) && start.elapsed().as_secs() < 30 {
                std::thread::yield_now();
            }
            share.to_vec()
        });
        assert!(failed.load(Ordering::SeqCst), "a worker took a piece");
        let flat: Vec<usize> = parts.into_iter().flatten().collect();
        assert_eq!(flat, items);
    }

    #[test]
    fn few_items_stay_on_this_thread() {
        let (_dir, repo) = repo();
        let caller = std::thread::current().id();
        let parts = on_threads(&repo, &[1, 2, 3], 4, 16, &|_, share: &[i32]| {
            (std::thread::current().id() == caller, share.len())
        });
        assert_eq!(parts, vec![(true, 3)]);
    }
}
