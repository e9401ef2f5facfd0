//! Repository work spread over the machine's cores. A `git2::Repository` is not shared
//! between threads, so each thread opens its own handle on the same git directory; the
//! calling thread takes the first share with the handle it has.

/// Runs `work` over `items` in up to `max_threads` shares of at least `per_thread` items
/// (the machine's cores permitting), each share on its own thread with its own repository
/// handle, and returns the shares' results in the order of `items`. A thread that cannot open
/// the repository leaves its share to this thread.
pub fn on_threads<T: Sync, R: Send>(
    repo: &git2::Repository,
    items: &[T],
    max_threads: usize,
    per_thread: usize,
    work: &(dyn Fn(&git2::Repository, &[T]) -> R + Sync),
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, max_threads.max(1))
        .min(items.len() / per_thread.max(1))
        .max(1);
    if threads == 1 {
        return vec![work(repo, items)];
    }
    let git_dir = repo.path().to_path_buf();
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .skip(1)
            .map(|share| {
                let git_dir = &git_dir;
                scope.spawn(move || {
                    git2::Repository::open(git_dir)
                        .ok()
                        .map(|r| work(&r, share))
                })
            })
            .collect();
        let mut out = vec![work(repo, &items[..chunk.min(items.len())])];
        for (worker, share) in workers.into_iter().zip(items.chunks(chunk).skip(1)) {
            let done = worker.join().ok().flatten();
            out.push(done.unwrap_or_else(|| work(repo, share)));
        }
        out
    })
}
