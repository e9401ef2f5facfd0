#!/usr/bin/env python3
"""The house's shape in figures, for before/after comparisons of a restructuring.

    python3 benches/structure.py [--top N] [--json]

Prints, from the checkout it stands in (product code only: each file's text before its
`#[cfg(test)]` module):

- the packages and what each depends on (workspace members and the count of others);
- visibility of items (`fn`, `struct`, `enum`, `trait`, `type`, `const`, `static`, `mod`,
  `use`) per package: `pub`, `pub(crate)`/`pub(super)`/`pub(in …)`, private;
- the largest files and the longest functions (lines from `fn` to its closing brace);
- the test targets cargo builds (each integration-test target links the whole crate graph).

It reads Rust as text (strings, chars and comments blanked before braces are counted), so a
figure can be off by a line where a macro hides braces; the comparisons are like for like.
"""

import argparse
import json
import os
import re
import subprocess
import sys

ITEM = re.compile(r"^\s*(pub(?:\s*\([^)]*\))?\s+)?(?:(?:const|async|unsafe|extern\s+\"C\")\s+)*"
                  r"(fn|struct|enum|trait|type|const|static|mod|use)\b")
FN = re.compile(r"^\s*(?:pub(?:\s*\([^)]*\))?\s+)?(?:(?:const|async|unsafe)\s+)*fn\s+(\w+)")
TEST_MOD = re.compile(r"^\s*#\[cfg\(test\)\]\s*$")


def blank(line):
    """The line with comments, string and char literals blanked (braces inside don't count)."""
    out, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if line.startswith("//", i):
            break
        if c == '"':
            j = i + 1
            while j < n and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            out.append('""')
            i = j + 1
            continue
        if c == "'" and i + 2 < n and (line[i + 2] == "'" or line[i + 1] == "\\"):
            j = line.find("'", i + 2)
            out.append("' '")
            i = (j + 1) if j > 0 else n
            continue
        out.append(c)
        i += 1
    return "".join(out)


def product_lines(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        lines = fh.read().split("\n")
    for k, l in enumerate(lines):
        if TEST_MOD.match(l):
            return lines[:k]
    return lines


def functions(path, lines):
    found = []
    clean = [blank(l) for l in lines]
    for k, l in enumerate(clean):
        m = FN.match(l)
        if not m:
            continue
        depth, started = 0, False
        for j in range(k, len(clean)):
            for ch in clean[j]:
                if ch == "{":
                    depth += 1
                    started = True
                elif ch == "}":
                    depth -= 1
                elif ch == ";" and not started and depth == 0:
                    break
            else:
                if started and depth == 0:
                    found.append((j - k + 1, f"{path}:{k + 1}", m.group(1)))
                    break
                continue
            break  # a declaration without a body
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"],
        capture_output=True, text=True, check=True).stdout)
    root = meta["workspace_root"]
    members = {p["name"] for p in meta["packages"]}
    report = {"packages": [], "largest_files": [], "longest_functions": [], "test_targets": 0}
    all_fns, all_files = [], []
    for p in sorted(meta["packages"], key=lambda p: p["name"]):
        pdir = os.path.dirname(p["manifest_path"])
        inner = sorted({d["name"] + (f" ({d['kind']})" if d["kind"] else "")
                        for d in p["dependencies"] if d["name"] in members})
        normal = [d for d in p["dependencies"] if d["name"] not in members and not d["kind"]]
        vis = {"pub": 0, "restricted": 0, "private": 0}
        src = os.path.join(pdir, "src")
        nested = [os.path.dirname(q["manifest_path"]) for q in meta["packages"] if q is not p]
        for dirpath, dirs, names in os.walk(src):
            dirs[:] = [d for d in dirs if os.path.join(dirpath, d) not in nested]
            for name in names:
                if not name.endswith(".rs"):
                    continue
                path = os.path.join(dirpath, name)
                lines = product_lines(path)
                rel = os.path.relpath(path, root)
                all_files.append((len(lines), rel))
                all_fns.extend(functions(rel, lines))
                for l in lines:
                    m = ITEM.match(l)
                    if not m:
                        continue
                    v = m.group(1)
                    key = "private" if not v else ("pub" if v.strip() == "pub" else "restricted")
                    vis[key] += 1
        tests = [t["name"] for t in p["targets"] if "test" in t["kind"]]
        report["test_targets"] += len(tests)
        report["packages"].append({"name": p["name"], "workspace_deps": inner,
                                   "other_deps": len(normal), "items": vis,
                                   "integration_test_targets": len(tests)})
    report["largest_files"] = [{"lines": n, "file": f}
                               for n, f in sorted(all_files, reverse=True)[:a.top]]
    report["longest_functions"] = [{"lines": n, "at": at, "fn": f}
                                   for n, at, f in sorted(all_fns, reverse=True)[:a.top]]
    if a.json:
        json.dump(report, sys.stdout, indent=1)
        print()
        return
    for p in report["packages"]:
        v = p["items"]
        print(f"package {p['name']}: depends on {', '.join(p['workspace_deps']) or 'no member'}"
              f" and {p['other_deps']} other crates; items pub {v['pub']}, "
              f"pub(crate/super/in) {v['restricted']}, private {v['private']}; "
              f"{p['integration_test_targets']} integration-test targets")
    print("\nlargest files (product lines):")
    for f in report["largest_files"]:
        print(f"  {f['lines']:5}  {f['file']}")
    print("\nlongest functions (lines):")
    for f in report["longest_functions"]:
        print(f"  {f['lines']:5}  {f['fn']}  {f['at']}")


if __name__ == "__main__":
    main()
