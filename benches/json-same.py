#!/usr/bin/env python3
"""Speed work and restructuring must not change what countersign says: every machine-read
output of two builds (JSON, JUnit, GitHub annotations, Markdown, Mermaid, DOT, the report's
HTML), compared byte for byte on the same repositories, and the note each build signs.

    python3 benches/json-same.py OLD_BINARY NEW_BINARY          # the demo and a generated workspace
    DIEM=/path/to/diem python3 benches/json-same.py OLD NEW     # and diem

The repositories are made once and read by both builds: the demo (`demo --dir --no-tui`, built
by OLD), the generated 400-crate workspace of benches/gen-workspace.py judged by a policy on a
scratch ref, and, with DIEM, a clone of diem (its scratch ref refs/countersign-bench/trusted is
rewritten; nothing else changes). Each command's stdout and exit status must be the same; the
first difference is printed and the script exits 1. On the demo each build also signs the same
commit with the same key and line comments, in its own copy: the notes must be the same but for
the signing time and the signature over it, and each build must read the other's sign-off as
its own.
"""
import json
import re
import shutil
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
    """Every case is compared (a difference does not hide the next ones); true if all agree."""
    a, b = outputs(old, cwd, env, cases), outputs(new, cwd, env, cases)
    same = True
    for args, x, y in zip(cases, a, b):
        if x != y:
            same = False
            print(f"DIFFERENT: {name}: {' '.join(args)} (exit {x[0]} vs {y[0]}, {len(x[1])} vs {len(y[1])} bytes)")
            for i, (p, q) in enumerate(zip(x[1], y[1])):
                if p != q:
                    print(f"  first difference at byte {i}:\n  old: {x[1][max(0, i - 200):i + 200]!r}\n"
                          f"  new: {y[1][max(0, i - 200):i + 200]!r}")
                    break
            continue
        print(f"same: {name}: {' '.join(args)} ({len(x[1])} bytes, exit {x[0]})", flush=True)
    return same


FORMATS = {"status": ["json"], "verify": ["json", "github", "junit", "markdown"],
           "impact": ["json", "mermaid", "dot"], "feedback": ["json", "markdown"],
           "report": ["json", "markdown", "html"]}


def judged(spec, ref):
    """Every machine-read output of every judging command on `spec` under trusted ref `ref`."""
    t = ["--trusted-ref", ref] if ref else []
    return [[cmd, spec, *t, "--format", f] for cmd, fs in FORMATS.items() for f in fs]


def signed_note(binary, demo, copy, env):
    """`binary` signs the demo's second commit in a copy of the demo; its note, with the
    signing time and the signature over it masked."""
    shutil.copytree(demo, copy, symlinks=True)
    repo = os.path.join(copy, "repo")
    commit = subprocess.run(["git", "rev-parse", "HEAD~2"], cwd=repo, env=env, check=True,
                            capture_output=True, text=True).stdout.strip()
    comments = os.path.join(copy, "comments.json")
    with open(comments, "w") as fh:
        json.dump([{"path": "crates/core-types/src/codec.rs", "side": "new", "start": 1, "end": 2,
                    "text": "look"}], fh)
    subprocess.run([binary, "sign", commit, "--decision", "approve", "--yes",
                    "--key", os.path.join(copy, "keys", "alice"), "--comments-from", comments,
                    "--comment", "checked", "--trusted-ref", "refs/heads/main"],
                   cwd=repo, env=env, check=True, capture_output=True)
    note = subprocess.run(["git", "notes", "--ref", "countersign", "show", commit], cwd=repo,
                          env=env, check=True, capture_output=True, text=True).stdout
    note = re.sub(r'\\"timestamp\\":\\"[^\\]*\\"', "TIMESTAMP", note)
    return repo, commit, re.sub(r'"signature":"[^"]*"', "SIGNATURE", note)


def compare_signing(old, new, demo, scratch, env):
    (old_repo, commit, a), (new_repo, _, b) = (signed_note(x, demo, os.path.join(scratch, n), env)
                                               for x, n in ((old, "sign-old"), (new, "sign-new")))
    if a != b or "TIMESTAMP" not in a or "SIGNATURE" not in a:
        print(f"DIFFERENT: demo: the signed note\n  old: {a[:400]!r}\n  new: {b[:400]!r}")
        return False
    print(f"same: demo: the signed note ({len(a)} bytes, signing time masked)")
    show = ["show", commit, "--trusted-ref", "refs/heads/main", "--format", "json"]
    return compare("demo, the old build's sign-off", old, new, old_repo, env, [show]) and \
        compare("demo, the new build's sign-off", old, new, new_repo, env, [show])


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
        ok &= compare_signing(old, new, demo, scratch, env)

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
