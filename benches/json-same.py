#!/usr/bin/env python3
"""Speed work must not change what countersign says: every JSON output of two builds, compared
byte for byte on the same repositories.

    python3 benches/json-same.py OLD_BINARY NEW_BINARY          # the demo and a generated workspace
    DIEM=/path/to/diem python3 benches/json-same.py OLD NEW     # and diem

The repositories are made once and read by both builds: the demo (`demo --dir --no-tui`, built
by OLD), the generated 400-crate workspace of benches/gen-workspace.py judged by a policy on a
scratch ref, and, with DIEM, a clone of diem (its scratch ref refs/countersign-bench/trusted is
rewritten; nothing else changes). Each command's stdout and exit status must be the same; the
first difference is printed and the script exits 1.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale  # noqa: E402  (the benches' shared set-up: environment, scratch policy ref)


def outputs(binary, cwd, env, cases):
    got = []
    for args in cases:
        out = subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True)
        if out.returncode not in (0, 1):
            sys.exit(f"{binary} {' '.join(args)} failed ({out.returncode}): {out.stderr.decode()[-1000:]}")
        got.append((out.returncode, out.stdout))
    return got


def compare(name, old, new, cwd, env, cases):
    a, b = outputs(old, cwd, env, cases), outputs(new, cwd, env, cases)
    for args, x, y in zip(cases, a, b):
        if x != y:
            print(f"DIFFERENT: {name}: {' '.join(args)} (exit {x[0]} vs {y[0]}, {len(x[1])} vs {len(y[1])} bytes)")
            for i, (p, q) in enumerate(zip(x[1], y[1])):
                if p != q:
                    print(f"  first difference at byte {i}:\n  old: {x[1][max(0, i - 200):i + 200]!r}\n"
                          f"  new: {y[1][max(0, i - 200):i + 200]!r}")
                    break
            return False
        print(f"same: {name}: {' '.join(args)} ({len(x[1])} bytes, exit {x[0]})", flush=True)
    return True


def judged(spec, ref):
    """The JSON of every judging command on `spec` under trusted ref `ref`."""
    t = ["--trusted-ref", ref] if ref else []
    return [
        ["status", spec, *t, "--format", "json"],
        ["verify", spec, *t, "--format", "json"],
        ["impact", spec, *t, "--format", "json"],
        ["feedback", spec, *t, "--format", "json"],
        ["report", spec, *t, "--format", "json"],
    ]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    old, new = (os.path.abspath(p) for p in sys.argv[1:])
    ok = True
    with tempfile.TemporaryDirectory() as scratch:
        env = scale.env_for(scratch)
        demo = os.path.join(scratch, "demo")
        # The demo exits with the triage table's status (1: commits wait for sign-offs).
        subprocess.run([old, "demo", "--dir", demo, "--no-tui"], env=env, capture_output=True)
        repo = os.path.join(demo, "repo")
        if not os.path.isdir(repo):
            sys.exit(f"{old} demo --dir {demo} made no repository")
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, env=env, check=True, capture_output=True,
                              text=True).stdout.strip()
        cases = [[*c[:1], *c[2:]] for c in judged("", None)]  # the default range and trusted ref
        cases += [["show", head, "--format", "json"]]
        ok &= compare("demo", old, new, repo, env, cases)

        out = subprocess.run([sys.executable, os.path.join(scale.ROOT, "benches", "gen-workspace.py"),
                              os.path.join(scratch, "ws"), "--crates", "400", "--files", "25", "--changed", "20"],
                             check=True, capture_output=True, text=True, env=env)
        ws = os.path.join(scratch, "ws")
        ref = scale.trusted_with_policy(ws, env, "HEAD~1")
        cases = judged("HEAD~1..HEAD", ref) + [["show", "HEAD", "--trusted-ref", ref, "--format", "json"]]
        ok &= compare("generated workspace", old, new, ws, env, cases)

        path = os.environ.get("DIEM")
        if path:
            ref = scale.trusted_with_policy(path, env, "HEAD")
            tip = subprocess.run(["git", "rev-parse", "HEAD~1000"], cwd=path, env=env, check=True,
                                 capture_output=True, text=True).stdout.strip()
            cases = judged(f"{tip}~300..{tip}", ref)
            cases += [[c, "76576974dc", "--trusted-ref", ref, "--format", "json"] for c in ("status", "impact", "show")]
            ok &= compare("diem", old, new, path, env, cases)
        else:
            print("(diem skipped: set DIEM to a clone of github.com/diem/diem)")
    print("all the same" if ok else "OUTPUTS DIFFER")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
