#!/usr/bin/env python3
"""Speed at real scale: countersign beside the tool a user would compare it with, in one run.

    cargo build --release
    python3 benches/scale.py                       # the generated cases
    DIEM=/path/to/diem python3 benches/scale.py    # and the diem cases (a clone of diem/diem)

Every figure is a whole process (start-up included), the median of RUNS runs (default 5),
each countersign run paired with a run of its peer so that machine load hits both alike.
Prints one table: case, countersign, peer, ratio.

Cases:
- generated (always): a 400-crate workspace from benches/gen-workspace.py with a bulk edit of
  400 files (~48k lines), judged by a policy on a scratch trusted ref: `review --snapshot
  160x50` vs `git show`; `impact` vs `cargo metadata --no-deps --offline` (skipped without
  cargo), with the generated repository's objects loose, then packed by `git gc`.
- many crates (with cargo): `verify`, `status` and `impact` of the generator's change on a
  workspace of CRATES_MANY (default 5,000) crates, judged by a policy, vs `cargo metadata
  --no-deps --offline` (DESIGN's bound for the crate-level work: at most 1.0x).
- diem (when DIEM names a clone): `review COMMIT --snapshot 160x50` vs `git show COMMIT` for
  76576974dc (2,179 files) and 401773f574; `status COMMIT`; `verify` over 300 commits of
  history vs `git log --stat` and vs `git log --name-status` (the changed paths, what judging
  needs at least), then over 1,000 commits (and VERIFY_LONG, e.g. `VERIFY_LONG=9999` for the
  whole history) once each with the cost per commit and peak memory; `report` over
  REPORT_COMMITS (default 1,000; the whole history is ~9,300) vs `git log --numstat` over the
  same range, with peak memory. A policy is committed on a scratch ref
  (refs/countersign-bench/trusted, on top of the clone's HEAD) so that status and verify have
  one; nothing else in the clone changes.

`benches/json-same.py OLD NEW` checks that a speed change leaves every JSON output as it was.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("COUNTERSIGN_BIN", os.path.join(ROOT, "target", "release", "countersign"))
RUNS = int(os.environ.get("RUNS", "5"))

POLICY = """base = "main"
default_tier = "supervised"

[roles]
senior = ["alice@example.com"]

[[rules]]
paths = ["**/*.md", "documentation/**"]
tier = "autonomous"
"""


def run_measured(cmd, cwd, env=None, ok=(0,)):
    """(seconds, peak resident MiB) of `cmd`; stops the bench when it exits with a code not in
    `ok` (a peer that fails fast must never be timed as if it had done the work)."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        took = time.perf_counter() - t
        code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            err.seek(0)
            sys.exit(f"{' '.join(cmd)} failed ({code}): {err.read().decode()[-2000:]}")
    return took, usage.ru_maxrss / 1024


def run(cmd, cwd, env=None, ok=(0,)):
    """Seconds `cmd` took (see run_measured)."""
    return run_measured(cmd, cwd, env, ok)[0]


def pair(ours, peer, cwd, env=None, runs=None, warm=True):
    """Median seconds of `ours` and of `peer`, run alternately. Ours may exit 1 (a verdict:
    `status` and `verify` find commits needing a sign-off); the peer must exit 0."""
    a, b = [], []
    if warm:
        run(ours, cwd, env, ok=(0, 1))  # warm the page cache once
        if peer:
            run(peer, cwd, env)
    for _ in range(runs or RUNS):
        a.append(run(ours, cwd, env, ok=(0, 1)))
        if peer:
            b.append(run(peer, cwd, env))
    return statistics.median(a), (statistics.median(b) if b else None)


def pair_memory(ours, peer, cwd, env=None):
    """(seconds, peak MiB) of one run of `ours`, then of `peer`: for the long cases, where one
    run each is what the machine affords."""
    return run_measured(ours, cwd, env, ok=(0, 1)), run_measured(peer, cwd, env)


def memory_row(case, ours, peer_name, peer):
    (t, m), (pt, pm) = ours, peer
    print(f"| {case} | {t:.2f} s, {m:.0f} MiB | {peer_name} {pt:.2f} s, {pm:.0f} MiB | "
          f"{t / pt:.2f}x time, {m / pm:.2f}x memory |", flush=True)


def row(case, ours, peer_name, peer):
    ratio = f"{ours / peer:.2f}x" if peer else ""
    peer_text = f"{peer_name} {peer * 1000:.0f} ms" if peer else ""
    print(f"| {case} | {ours * 1000:.0f} ms | {peer_text} | {ratio} |", flush=True)


def env_for(home):
    env = dict(os.environ)
    env.update(
        {
            # A fresh HOME keeps the user's git and countersign configuration out; cargo and
            # rustup still find their toolchain where the user's HOME has it.
            "CARGO_HOME": os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo")),
            "RUSTUP_HOME": os.environ.get("RUSTUP_HOME", os.path.expanduser("~/.rustup")),
            "HOME": home,
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_NOSYSTEM": "1",
            "NO_COLOR": "1",
            "GIT_PAGER": "cat",
            "PAGER": "cat",
            # No automatic `git gc` starting in the background while timing (the generator's
            # commits over 11k loose objects start one); the packed case packs explicitly.
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "gc.auto",
            "GIT_CONFIG_VALUE_0": "0",
        }
    )
    return env


def trusted_with_policy(path, env, base):
    """A trusted commit with a policy: `base`'s tree plus .countersign/policy.toml and a roster,
    on the scratch ref refs/countersign-bench/trusted (nothing else in the repository changes)."""
    scratch = tempfile.mkdtemp()
    key = os.path.join(scratch, "alice")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", key], check=True)
    with open(key + ".pub") as fh:
        roster = f'alice@example.com namespaces="countersign" {fh.read().strip()}\n'
    index = os.path.join(scratch, "index")
    ienv = dict(env, GIT_INDEX_FILE=index)
    subprocess.run(["git", "read-tree", base], cwd=path, check=True, env=ienv)
    for name, text in [("policy.toml", POLICY), ("allowed_signers", roster)]:
        blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=path, input=text, check=True,
                              capture_output=True, text=True, env=env).stdout.strip()
        subprocess.run(["git", "update-index", "--add", "--cacheinfo", f"100644,{blob},.countersign/{name}"],
                       cwd=path, check=True, env=ienv)
    tree = subprocess.run(["git", "write-tree"], cwd=path, check=True, capture_output=True, text=True,
                          env=ienv).stdout.strip()
    trusted = subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit-tree", tree, "-p", base,
         "-m", "bench policy"], cwd=path, check=True, capture_output=True, text=True, env=env).stdout.strip()
    ref = "refs/countersign-bench/trusted"
    subprocess.run(["git", "update-ref", ref, trusted], cwd=path, check=True, env=env)
    shutil.rmtree(scratch, ignore_errors=True)
    return ref


def cargo_metadata_works(repo, env):
    """The peer really reads the workspace here: `cargo metadata` lists the 400 packages."""
    out = subprocess.run(["cargo", "metadata", "--no-deps", "--offline", "--format-version", "1"], cwd=repo,
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        print(f"(impact cases skipped: cargo metadata fails here: {out.stderr.strip()[:300]})")
        return False
    packages = len(json.loads(out.stdout)["packages"])
    if packages < 400:
        sys.exit(f"cargo metadata lists {packages} packages, not the 400 generated")
    return True


def generated(scratch, env):
    out = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benches", "gen-workspace.py"), os.path.join(scratch, "ws"),
         "--crates", "400", "--files", "25", "--changed", "20"],
        check=True, capture_output=True, text=True, env=env,
    )
    info = json.loads(out.stdout.strip().splitlines()[-1])
    repo = info["root"]
    # The bulk change: one sed over 400 files, committed by the agent.
    files = subprocess.run(["git", "ls-files", "*.rs"], cwd=repo, check=True, capture_output=True,
                           text=True, env=env).stdout.split()[:400]
    for f in files:
        p = os.path.join(repo, f)
        with open(p) as fh:
            text = fh.read()
        with open(p, "w") as fh:
            fh.write(text.replace("wrapping_add", "wrapping_sub"))
    subprocess.run(["git", "-c", "user.name=Kiro", "-c", "user.email=kiro@agents.example", "commit",
                    "-qam", "Bulk change\n\nCo-authored-by: Kiro <kiro@agents.example>"],
                   cwd=repo, check=True, env=env)
    # Judged by a policy (tiers on the first screen): HEAD~1's tree plus a policy.
    ref = trusted_with_policy(repo, env, "HEAD~1")
    ours, peer = pair([BIN, "review", "HEAD", "--trusted-ref", ref, "--snapshot", "160x50"],
                      ["git", "show", "HEAD"], repo, env)
    row("bulk change, 400 files / 48k lines: first screen", ours, "git show", peer)
    if shutil.which("cargo") and cargo_metadata_works(repo, env):
        ours, peer = pair([BIN, "impact", "HEAD~1", "--trusted-ref", "HEAD~1", "--format", "json"],
                          ["cargo", "metadata", "--no-deps", "--offline", "--format-version", "1"], repo, env)
        row("impact, 400 crates (11k loose objects, as generated)", ours, "cargo metadata --no-deps", peer)
        # A clone has its objects packed: the same analysis after `git gc`.
        subprocess.run(["git", "gc", "-q"], cwd=repo, check=True, env=env)
        ours, peer = pair([BIN, "impact", "HEAD~1", "--trusted-ref", "HEAD~1", "--format", "json"],
                          ["cargo", "metadata", "--no-deps", "--offline", "--format-version", "1"], repo, env)
        row("impact, 400 crates (packed, as a clone has them)", ours, "cargo metadata --no-deps", peer)


def many_crates(scratch, env):
    """The crate-level work (`verify`, `status`, `impact`) on a generated workspace of CRATES_MANY
    (default 5,000) crates, beside `cargo metadata --no-deps` reading the same manifests."""
    n = int(os.environ.get("CRATES_MANY", "5000"))
    repo = os.path.join(scratch, "many")
    subprocess.run([sys.executable, os.path.join(ROOT, "benches", "gen-workspace.py"), repo, "--crates", str(n),
                    "--files", "2", "--lines", "12", "--changed", "20"], check=True, capture_output=True, env=env)
    subprocess.run(["git", "gc", "-q"], cwd=repo, check=True, env=env)
    ref = trusted_with_policy(repo, env, "HEAD~1")
    peer = ["cargo", "metadata", "--no-deps", "--offline", "--format-version", "1"]
    for command in ["verify", "status", "impact"]:
        ours, theirs = pair([BIN, command, "HEAD~1..HEAD", "--trusted-ref", ref, "--format", "json"], peer, repo, env,
                            runs=3)
        row(f"{command}, {n} crates (packed)", ours, "cargo metadata --no-deps", theirs)


def diem(path, env):
    def git(*args):
        return subprocess.run(["git", *args], cwd=path, check=True, capture_output=True, text=True,
                              env=env).stdout.strip()

    ref = trusted_with_policy(path, env, "HEAD")
    for commit in ["76576974dc", "401773f574"]:
        files = len(git("diff-tree", "--no-commit-id", "-r", "--name-only", "-M", commit).splitlines())
        ours, peer = pair([BIN, "review", commit, "--trusted-ref", ref, "--snapshot", "160x50"],
                          ["git", "show", commit], path, env)
        row(f"diem {commit} ({files} files): review --snapshot 160x50", ours, "git show", peer)
        ours, peer = pair([BIN, "status", commit, "--trusted-ref", ref], ["git", "show", commit], path, env)
        row(f"diem {commit}: status", ours, "git show", peer)
    tip = git("rev-parse", "HEAD~1000")
    ours, peer = pair([BIN, "verify", f"{tip}~300..{tip}", "--trusted-ref", ref, "--format", "json"],
                      ["git", "log", "--stat", f"{tip}~300..{tip}"], path, env)
    row("diem: verify over 300 commits", ours, "git log --stat", peer)
    # The gate's own peer: the changed paths of each commit, what judging needs at least.
    # Longer ranges show whether the cost per commit stays flat (one run each past 1,000).
    for n in [300, 1000] + [int(x) for x in os.environ.get("VERIFY_LONG", "").split(",") if x]:
        base = f"{tip}~{n}" if n <= 8000 else git("rev-list", "--max-parents=0", "HEAD")
        spec = f"{base}..{tip}" if n <= 8000 else f"{base}..HEAD"
        count = int(git("rev-list", "--count", spec))
        ours_cmd = [BIN, "verify", spec, "--trusted-ref", ref, "--format", "json"]
        peer_cmd = ["git", "log", "--name-status", spec]
        if n <= 300:
            ours, peer = pair(ours_cmd, peer_cmd, path, env)
            row(f"diem: verify over {count} commits", ours, "git log --name-status", peer)
        else:
            (t, m), (pt, pm) = pair_memory(ours_cmd, peer_cmd, path, env)
            memory_row(f"diem: verify over {count} commits ({t / count * 1000:.1f} ms a commit)", (t, m),
                       "git log --name-status", (pt, pm))
    n = int(os.environ.get("REPORT_COMMITS", "1000"))
    ours, peer = pair_memory([BIN, "report", f"HEAD~{n}..HEAD", "--trusted-ref", ref, "--format", "json"],
                             ["git", "log", "--numstat", "--no-renames", "--diff-merges=first-parent",
                              f"HEAD~{n}..HEAD"], path, env)
    memory_row(f"diem: report over {n} commits of history", ours, "git log --numstat", peer)


def main():
    if not os.path.exists(BIN):
        sys.exit("build the release binary first: cargo build --release")
    with tempfile.TemporaryDirectory() as scratch:
        env = env_for(scratch)
        print(f"runs per figure: {RUNS} (medians)")
        print("| case | countersign | peer | ratio |")
        print("|---|---|---|---|")
        generated(scratch, env)
        if shutil.which("cargo"):
            many_crates(scratch, env)
        path = os.environ.get("DIEM")
        if path:
            diem(path, env)
        else:
            print("(diem cases skipped: set DIEM to a clone of github.com/diem/diem)")


if __name__ == "__main__":
    main()
