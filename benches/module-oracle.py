#!/usr/bin/env python3
"""Precision and recall of `countersign impact`'s `modules` against the compiler's own references.

The oracle is rustdoc's link-to-definition output over every crate of the workspace: one
`cargo check --workspace --all-targets` runs with this script as its RUSTC_WRAPPER, and each
rustc call on a workspace crate also runs rustdoc with the same inputs and

    -Zunstable-options --generate-link-to-definition --document-private-items [--cfg test]

so libraries (with their unit tests and dev-dependencies), binaries, examples, integration
tests (`tests/NAME/main.rs` and its modules) and benches are all documented, into one
directory where links cross into sibling crates' pages (registry crates are not documented,
so nothing links into them). Every path, `use` and method call in the generated
`target/doc/src/**.rs.html` pages links to the line that defines it, through re-exports (a
facade's `pub use other::Item` page leads to the definition's source). Read per file, that
is "the files whose definitions this file references". For each commit, the truth is the
reverse transitive closure of that graph from what the commit changed:

- changed `.rs` files (on the tip's graph; deleted or moved-away files on the parent's graph,
  mapped to files that still exist);
- non-Rust files the compiler reads (`include_str!`/`include_bytes!`/`include!` literals):
  the files that include them;
- `Cargo.lock`: the files that name (`lib::`) a direct dependency whose locked tree holds a
  changed package;
- a member's `Cargo.toml`: descriptive `[package]` keys reach that package's files that read
  `CARGO_PKG_*` (or clap's `#[command(version)]`); dependency entries the files naming them;
  an `[[example]]`, `[[test]]`, `[[bench]]` or `[[bin]]` entry that target's files; anything
  else the package's files; the root's `[workspace]` table likewise for every member
  (`[workspace.dependencies]` by name, `[workspace.package]` as `[package]`, lints and member
  lists nothing).

Links that are module declarations (`mod x;`, whole-file ranges) are not references to a
definition and are left out. Three kinds of reference rustdoc leaves unlinked are added:
test functions' bodies (a test build is documented from a copy of its sources in which
`#[test]` reads `#[cold]`: outside `rustc --test` the attribute deletes the function),
`use` declarations of a workspace crate's items (resolved through rustdoc's own item pages;
a glob import references the module it globs) and macro expansions (an invocation references
what the macro body's `$crate::` paths name). What rustdoc still does not link is not in the
truth: references inside macro invocations' arguments, what a derive expands to and
type-relative paths (`Type::assoc_fn`) whose trait no `use` names; a false alarm there is
the oracle's blind spot, to be checked by hand. A target that fails to document is left out,
with a warning. Cargo recompiles only what a commit changed (and its dependents), so the
commits are taken oldest first and each graph costs what `cargo check` of the change costs.

Usage:
    benches/module-oracle.py --repo CHECKOUT --countersign BIN [--cache DIR]
        [--target-dir DIR] [--trusted-ref REF] (--last N [--from REV] | COMMIT...)

The checkout's work tree is moved to each commit and back (it must be clean). Every target is
checked with `--all-features`; ORACLE_FEATURES replaces that (e.g. ORACLE_FEATURES= for the
default features, where a feature needs a system library). Oracle graphs
are cached per commit in --cache (default: CHECKOUT/../module-oracle-cache).
ORACLE_VERBOSE=1 lists each commit's false alarms and misses.

Measured across crates (rustc 1.95, dependents only, 20 consecutive first-parent commits each):
github:extrawurst/gitui up to 99f69671 (ORACLE_FEATURES=, cmake installed for libz-ng):
precision 0.995, recall 0.974 (0.834 / 0.987 before this turn's module work, on the oracle of
then); github:clap-rs/clap up to 6982fb1c9: precision 0.989, recall 0.994 (0.539 / 0.659).
The misses on gitui are the oracle's file granularity (a file counts whole where countersign
follows one inline module: 30 of the 47 are env_logger named in `mod tests` of
asyncgit's sync/mod.rs); clap's are `mod x;` lines counted as references (2) and one test.

Measured (rustc 1.95, github:agavra/tuicr, the 25 first-parent commits up to 0dacb6b, which
touch docs, CI files, Cargo.lock and the manifest besides sources), dependents only:
before this work precision 0.581, recall 0.945; after, precision 0.969, recall 1.000.
39 of the 46 remaining false alarms are test files calling `App::assoc_fn(..)` or using
items inside `assert!(..)`: references rustdoc does not link (type-relative paths, macro
arguments), so the oracle misses them, not the scanner.
"""

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import defaultdict, deque

LINK = re.compile(r'<a(?: [^>]*?)? href="([^"]+)"')
SRC_LINK = re.compile(r'class="src" href="([^"]+)"')
MOD_DECL = re.compile(r'^\s*(pub(\s*\([^)]*\))?\s+)?mod\s+\w+\s*;')
FIRST_SEG = re.compile(r'(?<![\w:$])([a-z_][a-z0-9_]*)::')
INCLUDE = re.compile(r'include(?:_str|_bytes)?!\s*\(\s*"([^"]+)"\s*\)')
PKG_META = re.compile(r'CARGO_PKG_|#\[(?:command|clap|structopt)\([^\]]*\b(?:version|author|about)\b\s*[,)]', re.S)
DESCRIPTIVE = {"version", "description", "readme", "keywords", "categories", "homepage",
               "repository", "documentation", "license", "license-file", "authors",
               "metadata", "publish", "exclude", "include", "rust-version"}
DEP_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True,
                          text=True).stdout


def norm(path):
    parts = []
    for p in path.split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            if parts:
                parts.pop()
            continue
        parts.append(p)
    return "/".join(parts)


FLAGS = ["-Zunstable-options", "--generate-link-to-definition", "--document-private-items"]


def stable_env():
    return dict(os.environ, RUSTUP_TOOLCHAIN=os.environ.get("RUSTUP_TOOLCHAIN", "stable"))


def metadata(repo):
    return json.loads(subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"],
        cwd=repo, capture_output=True, text=True, check=True, env=stable_env()).stdout)


DOC_KINDS = ("lib", "proc-macro", "rlib", "bin", "example", "test", "bench")
# rustc options rustdoc does not take, with the number of values each carries.
RUSTC_ONLY = {"--emit": 1, "-C": 1, "--codegen": 1, "--error-format": 1, "--json": 1,
              "--diagnostic-width": 1, "--out-dir": 1, "--test": 0, "-g": 0, "-O": 0}


def as_rustdoc(args, out):
    """A rustc command line for one crate, turned into the rustdoc one that documents it:
    the same sources, cfgs, editions and `--extern`s (a test crate's dev-dependencies too)."""
    doc, i, tested = [], 0, False
    while i < len(args):
        a = args[i]
        name = a.split("=", 1)[0]
        if a.startswith("-C") and len(a) > 2:
            i += 1  # -Cname=value
            continue
        if name in RUSTC_ONLY:
            tested |= a == "--test"
            i += 1 if "=" in a else 1 + RUSTC_ONLY[name]
            continue
        doc.append(a)
        i += 1
    return ["rustdoc", *doc, *FLAGS, *(["--cfg", "test"] if tested else []), "-o", out], tested


def unit_name(package, target):
    return f"{package.replace('-', '_')}__{target.replace('-', '_')}"


def wrap(argv):
    """RUSTC_WRAPPER mode: compile as asked, and document each crate of the workspace with
    exactly the inputs cargo gives rustc (`cargo doc` cannot document integration tests, and
    documents a library's test code without its dev-dependencies)."""
    rustc, args = argv[0], argv[1:]
    src = next((a for a in args if a.endswith(".rs") and not a.startswith("-")), None)
    repo = os.environ["ORACLE_REPO"]
    ours = src is not None and "--print" not in " ".join(args) and \
        os.path.realpath(src).startswith(repo + os.sep)
    if ours and not any(a.startswith("--cap-lints") for a in args):
        # An old commit's `#![deny(..)]` meets a newer compiler's lints: warn, don't fail.
        args = [*args, "--cap-lints", "warn"]
    r = subprocess.run([rustc, *args])
    if r.returncode != 0 or not ours:
        sys.exit(r.returncode)
    doc, tested = as_rustdoc(args, os.environ["ORACLE_DOC"])
    crate = args[args.index("--crate-name") + 1] if "--crate-name" in args else ""
    if not tested and crate in os.environ.get("ORACLE_TESTED", "").split(","):
        sys.exit(0)  # its test build is documented instead (a superset: `--cfg test`)
    if os.path.realpath(src) not in os.environ.get("ORACLE_LIB_ROOTS", "").split("\n"):
        # Binaries, examples and tests of different packages share names (`testsuite`);
        # nothing links to them, so each gets a name of its own.
        k = doc.index("--crate-name") + 1
        doc[k] = unit_name(os.environ.get("CARGO_PKG_NAME", ""), crate)
    cwd = shadow_with_tests(args, repo) if tested else None
    d = subprocess.run(doc, env=dict(os.environ, RUSTC_BOOTSTRAP="1"), capture_output=True,
                       text=True, cwd=cwd)
    if d.returncode != 0 and tested and "--crate-type" not in doc:
        # A proc-macro crate's test build carries no crate type; rustdoc needs it.
        d = subprocess.run([*doc, "--crate-type", "proc-macro"],
                           env=dict(os.environ, RUSTC_BOOTSTRAP="1"), capture_output=True,
                           text=True, cwd=cwd)
    if cwd:
        shutil.rmtree(cwd, ignore_errors=True)
    if d.returncode != 0:
        errors = " | ".join(l for l in d.stderr.splitlines() if l.startswith("error"))
        print(f"warning: oracle: rustdoc of {crate} failed: {errors[:600]}", file=sys.stderr)
    sys.exit(0)


TEST_ATTR = re.compile(rb"#\[test\]")


def shadow_with_tests(args, repo):
    """A copy of the crate's sources (the files rustc's dep-info lists, at their paths
    relative to the workspace) in which `#[test]` reads `#[cold]`, for rustdoc to run in.
    Outside `rustc --test`, the `#[test]` attribute deletes the function it marks, and
    rustdoc takes no `--test`: every test function's body would be missing from the graph.
    `#[cold]` keeps the function and its length, so lines and columns stay as they are."""
    try:
        out_dir = args[args.index("--out-dir") + 1]
        name = args[args.index("--crate-name") + 1]
        extra = next(a.split("=", 1)[1] for i, a in enumerate(args)
                     if a.startswith("extra-filename=") and args[i - 1] == "-C")
    except (ValueError, IndexError, StopIteration):
        return None
    try:
        with open(os.path.join(out_dir, f"{name}{extra}.d"), encoding="utf-8") as fh:
            first = fh.readline()
    except OSError:
        return None
    deps = re.split(r"(?<!\\) ", first.partition(": ")[2].strip())
    root = os.path.realpath(repo)
    shadow = tempfile.mkdtemp(prefix="oracle-shadow-")
    for dep in deps:
        dep = dep.replace("\\ ", " ")
        full = os.path.realpath(dep if os.path.isabs(dep) else os.path.join(root, dep))
        if not full.startswith(root + os.sep) or not os.path.isfile(full):
            continue
        to = os.path.join(shadow, os.path.relpath(full, root))
        os.makedirs(os.path.dirname(to), exist_ok=True)
        with open(full, "rb") as fh:
            data = fh.read()
        if full.endswith(".rs"):
            data = TEST_ATTR.sub(b"#[cold]", data)
        with open(to, "wb") as fh:
            fh.write(data)
    return shadow


def document(repo, meta, target_dir):
    """Documents every target of every workspace member (libraries with their unit tests,
    binaries, examples, integration tests, benches) through one `cargo check --all-targets`
    whose rustc calls also run rustdoc. Cargo recompiles exactly the crates whose inputs
    changed since the last commit documented in this target directory (and their
    dependents), so each crate's pages are those of the commit checked out; pages of files
    the commit does not have are left out when the graph is read."""
    doc = os.path.join(target_dir, "doc")
    tested, lib_roots = set(), []
    for p in meta["packages"]:
        for t in p["targets"]:
            name = t["name"].replace("-", "_")
            if any(k in ("lib", "proc-macro", "rlib") for k in t["kind"]):
                os.makedirs(os.path.join(doc, name), exist_ok=True)  # links into siblings
                lib_roots.append(os.path.realpath(t["src_path"]))
                if t.get("test"):
                    tested.add(name)
    env = dict(stable_env(), RUSTC_WRAPPER=os.path.realpath(__file__),
               ORACLE_WRAP="1", ORACLE_REPO=os.path.realpath(repo), ORACLE_DOC=doc,
               ORACLE_TESTED=",".join(sorted(tested)), ORACLE_LIB_ROOTS="\n".join(lib_roots),
               CARGO_TARGET_DIR=target_dir)
    features = os.environ.get("ORACLE_FEATURES", "--all-features").split()
    r = subprocess.run(["cargo", "check", "--workspace", "--all-targets", *features],
                       cwd=repo, env=env, capture_output=True, text=True)
    for line in r.stderr.splitlines():
        if line.startswith("warning: oracle:"):
            print(line, file=sys.stderr)
    if r.returncode != 0:
        sys.exit(f"cargo check failed:\n{r.stderr[-3000:]}")


def build_oracle(repo, commit, target_dir):
    """The reference graph at `commit`: {file: [files it references]}, and side facts."""
    git(repo, "checkout", "-q", "--detach", commit)
    doc_src = os.path.join(target_dir, "doc", "src")
    meta = metadata(repo)
    document(repo, meta, target_dir)
    root = os.path.realpath(repo)
    crates = {}  # doc crate dir name -> repo dir of its root file
    for p in meta["packages"]:
        for t in p["targets"]:
            if not any(k in DOC_KINDS for k in t["kind"]):
                continue
            d = os.path.relpath(os.path.dirname(os.path.realpath(t["src_path"])), root)
            name = t["name"].replace("-", "_")
            if not any(k in ("lib", "proc-macro", "rlib") for k in t["kind"]):
                name = unit_name(p["name"], t["name"])
            if name in crates and crates[name] != ("" if d == "." else d):
                print(f"warning: two targets named {name}; the first is kept", file=sys.stderr)
                continue
            crates[name] = "" if d == "." else d
    libs = {t["name"].replace("-", "_") for p in meta["packages"] for t in p["targets"]
            if any(k in ("lib", "proc-macro", "rlib") for k in t["kind"])}
    doc_root = os.path.dirname(doc_src)
    lines_of = {}

    def nlines(f):
        if f not in lines_of:
            try:
                with open(os.path.join(repo, f), encoding="utf-8", errors="replace") as fh:
                    lines_of[f] = fh.read().split("\n")
            except OSError:
                lines_of[f] = []
        return lines_of[f]

    def page_to_file(page):
        rel = os.path.relpath(page, doc_src)
        krate, _, rest = rel.partition("/")
        if krate not in crates or not rest.endswith(".html"):
            return None
        rest = "/".join(".." if p == "_" else p for p in rest[:-5].split("/"))
        return norm(os.path.join(crates[krate], rest))

    item_pages = {}

    def item_src(page):
        if page not in item_pages:
            item_pages[page] = None
            try:
                with open(page, encoding="utf-8") as fh:
                    m = SRC_LINK.search(fh.read())
                if m:
                    item_pages[page] = os.path.normpath(
                        os.path.join(os.path.dirname(page), html.unescape(m.group(1))))
            except OSError:
                pass
        return item_pages[page]

    graph = {}
    for dirpath, _, names in os.walk(doc_src):
        for n in names:
            if not n.endswith(".rs.html"):
                continue
            page = os.path.join(dirpath, n)
            f = page_to_file(page)
            if f is None:
                continue
            refs = set()
            with open(page, encoding="utf-8") as fh:
                text = fh.read()
            for href in LINK.findall(text):
                href = html.unescape(href)
                if href.startswith(("http:", "https:", "#")):
                    continue
                target, _, frag = href.partition("#")
                target = os.path.normpath(os.path.join(dirpath, target))
                if not target.startswith(doc_src + os.sep):
                    target = item_src(target)
                    if target is None:
                        continue
                    target, _, frag = target.partition("#")
                tf = page_to_file(target)
                if tf is None or tf == f:
                    continue
                lines = nlines(tf)
                first, _, last = frag.partition("-")
                refs.update(r for r in expanded(target, lines, first, last, page_to_file,
                                                 item_src, doc_src) if r != f)
                if first == "1" and last and int(last) >= len(lines) - 1:
                    continue  # the whole module: a `mod x;` declaration's link
                if first.isdigit() and not last and 0 < int(first) <= len(lines) \
                        and MOD_DECL.match(lines[int(first) - 1]):
                    continue  # a module named in a path links to its `mod x;` line
                refs.add(tf)
            refs.update(r for r in imported("\n".join(nlines(f)), page_to_file,
                                                  item_src, doc_root, libs) if r != f)
            graph[f] = sorted(refs)
    present = set(git(repo, "ls-tree", "-r", "--name-only", commit).splitlines())
    graph = {f: [r for r in refs if r in present] for f, refs in graph.items() if f in present}
    facts = {"names": {}, "includes": defaultdict(list), "pkg_meta": []}
    for f in graph:
        text = "\n".join(nlines(f))
        facts["names"][f] = sorted(set(FIRST_SEG.findall(text)))
        for lit in INCLUDE.findall(text):
            facts["includes"][norm(os.path.join(os.path.dirname(f), lit))].append(f)
        if PKG_META.search(text):
            facts["pkg_meta"].append(f)
    return {"graph": graph, "facts": facts}


USE_STMT = re.compile(r'(?<![\w$])use\s+(::\s*)?([A-Za-z_][^;]*);')
# Strings, character literals and comments, in one pass (a `//` inside a string is no comment).
CODE_NOISE = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])\'|//[^\n]*|/\*.*?\*/', re.S)
ITEM_KINDS = ("struct", "enum", "trait", "fn", "macro", "type", "derive", "attr", "constant",
              "static", "union", "traitalias")


def use_leaves(tree):
    """The paths a `use` tree names: `a::{b, c::{d as e, *}}` gives a::b, a::c::d, a::c::*."""
    tree = re.sub(r"\s+", " ", tree).strip()
    depth, cut = 0, -1
    for i, ch in enumerate(tree):
        if ch == "{" and depth == 0:
            cut = i
            break
    if cut < 0:
        leaf = re.sub(r"\s+as\s+\w+$", "", tree).replace(" ", "")
        return [leaf.split("::")] if leaf else []
    prefix = tree[:cut].replace(" ", "").rstrip(":")
    inner, parts, depth, start = tree[cut + 1:tree.rfind("}")], [], 0, 0
    for i, ch in enumerate(inner):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    out = []
    for part in parts:
        for leaf in use_leaves(part):
            if leaf and leaf != ["self"]:
                out.append((prefix.split("::") if prefix else []) + leaf)
    return out


def imported(text, page_to_file, item_src, doc_root, libs):
    """Files a `use` of a workspace crate's item refers to, found as rustdoc's own item pages
    (`clap/trait.Parser.html`, inlined through a glob re-export, leads to clap_builder's
    source). rustdoc's link-to-definition leaves some imports unlinked (a name in two name
    spaces, such as clap's `Parser` trait and derive), and with them every type-relative call
    (`Opt::parse()`) the import makes possible; what the compiler resolves here it
    references. A glob import (`pub use clap_builder::*`) references the module it globs."""
    text = CODE_NOISE.sub(lambda m: '""' if m.group(0)[0] == '"' else " ", text)
    out = set()
    for m in USE_STMT.finditer(text):
        for path in use_leaves(m.group(2)):
            if len(path) < 2 or path[0] not in libs:
                continue
            *mods, name = path
            base = os.path.join(doc_root, *mods)
            pages = ([os.path.join(base, "index.html")] if name == "*" else
                     [os.path.join(base, f"{k}.{name}.html") for k in ITEM_KINDS])
            for page in pages:
                if not os.path.exists(page):
                    continue
                target = item_src(page)
                if target is None:
                    continue
                tf = page_to_file(target.partition("#")[0])
                if tf is not None:
                    out.add(tf)
    return out


CRATE_PATH = re.compile(r"\$crate\s*::\s*((?:[A-Za-z_]\w*\s*::\s*)*[A-Za-z_]\w*)")


def expanded(target, lines, first, last, page_to_file, item_src, doc_src):
    """The files a `macro_rules!` macro's expansion names, for a link to its definition.
    rustdoc links an invocation (`command!()`) to the macro and nothing inside its body;
    what the body's `$crate::Command` names, the compiler resolves at the invocation, so
    the invoking file references it."""
    if not (first.isdigit() and last.isdigit()):
        return set()
    body = "\n".join(lines[int(first) - 1:int(last)])
    if "macro_rules!" not in body:
        return set()
    krate = os.path.relpath(target, doc_src).split(os.sep)[0]
    doc_root = os.path.dirname(doc_src)
    out = set()
    for m in CRATE_PATH.finditer(body):
        *mods, name = re.sub(r"\s+", "", m.group(1)).split("::")
        base = os.path.join(doc_root, krate, *mods)
        for k in ITEM_KINDS:
            page = os.path.join(base, f"{k}.{name}.html")
            if os.path.exists(page):
                t = item_src(page)
                tf = t and page_to_file(t.partition("#")[0])
                if tf:
                    out.add(tf)
    return out


def oracle(repo, commit, cache, target_dir):
    path = os.path.join(cache, commit + ".json")
    if not os.path.exists(path):
        data = build_oracle(repo, commit, target_dir)
        with open(path + ".tmp", "w") as fh:
            json.dump(data, fh)
        os.replace(path + ".tmp", path)
    with open(path) as fh:
        return json.load(fh)


def closure(graph, seeds):
    rev = defaultdict(set)
    for f, refs in graph.items():
        for r in refs:
            rev[r].add(f)
    seen = set(s for s in seeds if s in graph)
    q = deque(seen)
    while q:
        x = q.popleft()
        for y in rev[x]:
            if y not in seen:
                seen.add(y)
                q.append(y)
    return seen


def show(repo, commit, path):
    try:
        return git(repo, "show", f"{commit}:{path}")
    except subprocess.CalledProcessError:
        return None


def lock_libs(old, new, package_names):
    """{workspace package: lib names (guessed `-` → `_`) of its direct dependencies whose
    locked tree holds a package the lock change added, removed or changed}. Packages are told apart by version
    (a lock may hold itertools 0.13 and 0.14; a crate on 0.13 is not reached by 0.14)."""
    def load(t):
        return {(p["name"], p["version"], p.get("source")): p
                for p in tomllib.loads(t).get("package", [])} if t else {}

    def resolver(lock):
        keys = defaultdict(list)
        for k in lock:
            keys[k[0]].append(k)

        def resolve(dep):
            """A `dependencies` entry: "name", "name version" or "name version (source)";
            without a source, a path package is meant where one fits (cargo's rule)."""
            parts = dep.split(" ", 2)
            c = [k for k in keys.get(parts[0], [])
                 if (len(parts) < 2 or k[1] == parts[1])
                 and (len(parts) < 3 or f"({k[2]})" == parts[2])]
            if len({k[1] for k in c}) > 1:
                return None
            if len(c) > 1 and len(parts) < 3:
                c = [k for k in c if k[2] is None] or c
            return c[0] if len(c) == 1 else None
        return resolve

    def canonical(lock):
        """Each package as what it is, its dependencies resolved: a lock that starts writing
        "itertools 0.13.0" where it wrote "itertools" (a second version arrived) changes
        no package that depends on it."""
        r = resolver(lock)
        return {k: (p.get("source"), p.get("checksum"),
                    sorted(str(r(d) or d) for d in p.get("dependencies", [])))
                for k, p in lock.items()}

    o, n = load(old), load(new)
    resolve = resolver(n)
    co, cn = canonical(o), canonical(n)

    local = lambda k, p: p.get("source") is None and k[0] in package_names
    changed = {k for k, p in n.items() if co.get(k) != cn[k] and not local(k, p)}
    rdeps = defaultdict(set)
    for k, p in n.items():
        for d in p.get("dependencies", []):
            r = resolve(d)
            if r:
                rdeps[r].add(k)
    seen, q = set(changed), deque(changed)
    while q:
        x = q.popleft()
        for y in rdeps[x]:
            if y not in seen:
                seen.add(y)
                q.append(y)
    direct = defaultdict(set)  # workspace package -> its direct dependencies reached
    for k, p in n.items():
        if local(k, p):
            for d in p.get("dependencies", []):
                if resolve(d) in seen:
                    direct[k[0]].add(d.split(" ")[0].replace("-", "_"))
    resolve_old = resolver(o)
    for k, p in o.items():  # a registry dependency the old lock resolved to a package now gone
        if local(k, p):
            for d in p.get("dependencies", []):
                r = resolve_old(d)
                if d.split(" ")[0] not in package_names and (r is None or r not in n):
                    direct[k[0]].add(d.split(" ")[0].replace("-", "_"))
    return direct


def workspace_effect(o, n):
    """What a root manifest's `[workspace]` change means for its members: dependencies
    (`workspace = true` entries) name libraries; `[workspace.package]` descriptive keys are
    read like `[package]`'s; lints, members and metadata change no reference."""
    out = {"whole": False, "reads": False, "deps": set()}
    for k in set(o) | set(n):
        a, b = o.get(k), n.get(k)
        if a == b:
            continue
        if k == "dependencies":
            a, b = a or {}, b or {}
            for name in set(a) | set(b):
                if a.get(name) != b.get(name):
                    v = b.get(name, a.get(name))
                    pkg = v.get("package", name) if isinstance(v, dict) else name
                    out["deps"] |= {name.replace("-", "_"), pkg.replace("-", "_")}
        elif k == "package":
            a, b = a or {}, b or {}
            for key in set(a) | set(b):
                if a.get(key) != b.get(key):
                    if key in DESCRIPTIVE:
                        out["reads"] = True
                    else:
                        out["whole"] = True
        elif k in ("lints", "members", "exclude", "default-members", "metadata", "resolver"):
            pass
        else:
            out["whole"] = True
    return out


TARGET_TABLES = {"example": "example", "test": "test", "bench": "bench", "bin": "bin"}


def changed_targets(o, n):
    """{kind: names} of the `[[example]]`, `[[test]]`, `[[bench]]` and `[[bin]]` entries a
    manifest change adds, removes or edits: those targets' files, not the package's."""
    out = defaultdict(set)
    for key, kind in TARGET_TABLES.items():
        a = {e.get("name"): e for e in o.get(key, []) if isinstance(e, dict)}
        b = {e.get("name"): e for e in n.get(key, []) if isinstance(e, dict)}
        for name in set(a) | set(b):
            if a.get(name) != b.get(name):
                out[kind].add(name)
    return out


def manifest_effect(old, new):
    """(whole crate?, reads metadata?, dependency lib names changed, workspace effect,
    {target kind: names} changed)."""
    try:
        o, n = tomllib.loads(old or ""), tomllib.loads(new or "")
    except tomllib.TOMLDecodeError:
        return True, False, set(), {"whole": True, "reads": False, "deps": set()}, {}
    whole, meta, deps = False, False, set()
    targets = changed_targets(o, n)
    ws = workspace_effect(o.get("workspace", {}), n.get("workspace", {}))

    def dep_tables(t):
        out = {}
        for k in DEP_TABLES:
            for name, v in t.get(k, {}).items():
                out[(None, k, name)] = v
        for cfg, tt in t.get("target", {}).items():
            for k in DEP_TABLES:
                for name, v in tt.get(k, {}).items():
                    out[(cfg, k, name)] = v
        return out

    for key in set(o) | set(n):
        if o.get(key) == n.get(key):
            continue
        if key == "package":
            po, pn = o.get(key, {}), n.get(key, {})
            for k in set(po) | set(pn):
                if po.get(k) != pn.get(k):
                    if k in DESCRIPTIVE:
                        meta = True
                    else:
                        whole = True
        elif key in DEP_TABLES or key == "target":
            pass
        elif key in ("badges", "workspace", "lints") or key in TARGET_TABLES:
            pass
        else:
            whole = True
    do, dn = dep_tables(o), dep_tables(n)
    for k in set(do) | set(dn):
        a, b = do.get(k), dn.get(k)
        if a == b:
            continue
        strip = lambda v: {x: y for x, y in v.items() if x != "version"} \
            if isinstance(v, dict) else {}
        if a is not None and b is not None and strip(a) != strip(b):
            whole = True
        elif a is not None and b is not None and isinstance(b, dict) and "path" in b:
            # A path dependency's version requirement alone, still matched by the package it
            # points to (every commit measured here): cargo builds the same thing.
            continue
        v = b if b is not None else a
        pkg = v.get("package", k[2]) if isinstance(v, dict) else k[2]
        deps.add(k[2].replace("-", "_"))
        deps.add(pkg.replace("-", "_"))
    return whole, meta, deps, ws, targets


def target_files(root_file, files):
    """The files of one example, test, bench or binary target: its root, and the folder it
    heads (`examples/foo.rs` with `examples/foo/`, `tests/foo/main.rs` with `tests/foo/`);
    a binary rooted at `src/main.rs` shares src/ with the library, so only its root."""
    d, base = os.path.split(root_file)
    if base == "main.rs" and os.path.basename(d) == "src":
        return {root_file} & files
    head = d if base in ("main.rs", "lib.rs") else os.path.join(d, base[:-3])
    return {f for f in files if f == root_file or f.startswith(head + "/")}


def macro_bodies(text):
    """(text without its macro_rules! bodies, {name: body})."""
    text = re.sub(r"//[^\n]*", "", text)  # comments (doc examples are no module code)
    out, bodies, i = [], {}, 0
    for m in re.finditer(r"macro_rules!\s*(\w+)\s*([{(\[])", text):
        if m.start() < i:
            continue
        depth, j = 0, m.end() - 1
        while j < len(text):
            depth += text[j] in "{(["
            depth -= text[j] in "})]"
            if depth == 0:
                break
            j += 1
        out.append(text[i:m.start()])
        bodies[m.group(1)] = bodies.get(m.group(1), "") + text[m.end():j]
        i = j + 1
    out.append(text[i:])
    return "".join(out), bodies


def meta_readers(repo, commit, pkg_meta):
    """`CARGO_PKG_*` readers: in a macro_rules! body it is read where the macro is invoked
    so the defining file is no reader and each invoker is (`env!` expands at the
    call site: clap's `crate_version!`)."""
    readers, bodies = set(), {}
    for f in pkg_meta:
        rest, b = macro_bodies(show(repo, commit, f) or "")
        bodies.update(b)
        if PKG_META.search(rest):
            readers.add(f)
    names = {n for n, b in bodies.items() if PKG_META.search(b)}
    while True:
        more = {n for n, b in bodies.items() if n not in names
                and any(re.search(r"\b" + re.escape(x) + "!", b) for x in names)}
        if not more:
            break
        names |= more
    if names:
        pat = r"\b(" + "|".join(re.escape(n) + "!" for n in names) + ")"
        try:
            hits = git(repo, "grep", "-l", "-E", pat, commit, "--", "*.rs")
        except subprocess.CalledProcessError:
            hits = ""
        for line in hits.splitlines():
            f = line.split(":", 1)[1]
            rest, _ = macro_bodies(show(repo, commit, f) or "")
            if re.search(pat, rest):
                readers.add(f)
    return sorted(readers)


COMMENTS = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.S)


def compiled_includes(repo, commit, includes):
    """The `include_*!` facts, each checked again with comments left out: a doc comment's
    example (`include_str!("../Cargo.toml")` in clap's macros.rs docs) is read by no build."""
    out = {}
    for lit, files in includes.items():
        keep = []
        for f in files:
            text = COMMENTS.sub(lambda m: m.group(1) or " ", show(repo, commit, f) or "")
            if any(norm(os.path.join(os.path.dirname(f), x)) == lit
                   for x in INCLUDE.findall(text)):
                keep.append(f)
        if keep:
            out[lit] = keep
    return out


def truth(repo, commit, parent, tip, base):
    g, facts = tip["graph"], dict(tip["facts"])
    facts["pkg_meta"] = meta_readers(repo, commit, facts["pkg_meta"])
    facts["includes"] = compiled_includes(repo, commit, facts["includes"])
    status = git(repo, "diff-tree", "-r", "-M", "--name-status", parent, commit)
    changed, gone = set(), set()
    for line in status.splitlines():
        parts = line.split("\t")
        if parts[0].startswith("R"):
            gone.add(parts[1])
            changed.add(parts[2])
        elif parts[0] == "D":
            gone.add(parts[1])
        else:
            changed.add(parts[1])
    seeds = {f for f in changed if f in g}
    for f in changed | gone:
        seeds |= set(facts["includes"].get(f, []))
    meta = metadata(repo)
    root = os.path.realpath(repo)
    pkg_dirs = {}  # package name -> its directory in the repository ("" at the root)
    for p in meta.get("packages", []):
        d = os.path.relpath(os.path.dirname(os.path.realpath(p["manifest_path"])), root)
        pkg_dirs[p["name"]] = "" if d == "." else d

    def owner(f):
        best = None
        for name, d in pkg_dirs.items():
            if (d == "" or f == d or f.startswith(d + "/")) and \
                    (best is None or len(d) > len(pkg_dirs[best])):
                best = name
        return best

    files_of = defaultdict(set)
    for f in g:
        files_of[owner(f)].add(f)
    named = []  # (lib names, the files whose naming them counts): a package's own names
    if "Cargo.lock" in changed:
        for pkg, libs in lock_libs(show(repo, parent, "Cargo.lock"),
                                   show(repo, commit, "Cargo.lock"), set(pkg_dirs)).items():
            named.append((libs, files_of[pkg]))
    every = set(g)
    for f in changed:
        if os.path.basename(f) != "Cargo.toml":
            continue
        d = os.path.dirname(f)
        pkg = next((n for n, pd in pkg_dirs.items() if pd == d), None)
        old, new = show(repo, parent, f), show(repo, commit, f)
        scope = files_of[pkg] if pkg else set()
        whole, reads, deps, ws, targets = manifest_effect(old, new)
        if whole:
            seeds |= scope
        for t in (t for p in meta.get("packages", []) if p["name"] == pkg for t in p["targets"]):
            if any(t["name"] in targets.get(k, ()) for k in t["kind"]):
                seeds |= target_files(os.path.relpath(os.path.realpath(t["src_path"]), root),
                                      scope)
        if reads:
            seeds |= set(facts["pkg_meta"]) & scope
        named.append((deps, scope))
        # `[workspace]` of the root manifest: inherited by every member.
        if ws["whole"]:
            seeds |= every
        if ws["reads"]:
            seeds |= set(facts["pkg_meta"])
        named.append((ws["deps"], every))
    for libs, scope in named:
        seeds |= {f for f in scope if libs & set(facts["names"].get(f, ()))}
    affected = closure(g, seeds)
    base_seeds = {f for f in gone if f in base["graph"]}
    affected |= {f for f in closure(base["graph"], base_seeds) if f in g}
    return affected, changed


def predicted(repo, commit, binary, trusted):
    extra = ["--trusted-ref", trusted] if trusted else []
    r = subprocess.run([binary, "impact", commit, "--format", "json", *extra], cwd=repo,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"countersign impact {commit} failed: {r.stderr}")
    d = json.loads(r.stdout)
    return {m["file"] for m in d["modules"]}, d.get("module_fallbacks", [])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repo", required=True)
    ap.add_argument("--countersign", required=True)
    ap.add_argument("--cache")
    ap.add_argument("--target-dir")
    ap.add_argument("--trusted-ref", help="passed to countersign impact")
    ap.add_argument("--last", type=int)
    ap.add_argument("--from", dest="from_rev", default="HEAD")
    ap.add_argument("--oracle-only", action="store_true",
                    help="build the oracle graphs, compare nothing")
    ap.add_argument("commits", nargs="*")
    a = ap.parse_args()
    repo = os.path.abspath(a.repo)
    cache = a.cache or os.path.join(os.path.dirname(repo), "module-oracle-cache")
    target = a.target_dir or os.path.join(os.path.dirname(repo), "module-oracle-target")
    os.makedirs(cache, exist_ok=True)
    start = git(repo, "rev-parse", "HEAD").strip()
    commits = [git(repo, "rev-parse", c).strip() for c in a.commits]
    if a.last:
        commits += git(repo, "rev-list", "--first-parent", f"-{a.last}", a.from_rev).split()
    if a.last and not a.commits:
        commits.reverse()  # oldest first: each documentation build is incremental
    try:
        graphs = {}
        for c in commits:
            p = git(repo, "rev-parse", c + "^").strip()
            for x in (p, c):
                if x not in graphs:
                    graphs[x] = oracle(repo, x, cache, target)
                    print(f"oracle {x[:9]}: {len(graphs[x]['graph'])} files", file=sys.stderr)
    finally:
        git(repo, "checkout", "-q", "--detach", start)
    if a.oracle_only:
        return
    tp = fp = fn = 0
    tp_all = pred_all = true_all = 0
    print(f"{'commit':9} {'truth':>5} {'pred':>5} {'tp':>4} {'fp':>4} {'fn':>4}  subject")
    for c in commits:
        p = git(repo, "rev-parse", c + "^").strip()
        git(repo, "checkout", "-q", "--detach", c)
        want, changed = truth(repo, c, p, graphs[c], graphs[p])
        git(repo, "checkout", "-q", "--detach", start)
        got, fallbacks = predicted(repo, c, a.countersign, a.trusted_ref)
        universe = set(graphs[c]["graph"])
        got &= universe
        # Dependents only: the changed files themselves are on both sides by definition.
        w, g_ = want - changed, got - changed
        t = len(w & g_)
        tp, fp, fn = tp + t, fp + len(g_ - w), fn + len(w - g_)
        tp_all += len(want & got)
        pred_all += len(got)
        true_all += len(want)
        subject = git(repo, "log", "-1", "--format=%s", c).strip()[:50]
        print(f"{c[:9]} {len(w):5} {len(g_):5} {t:4} {len(g_ - w):4} {len(w - g_):4}  {subject}")
        if os.environ.get("ORACLE_VERBOSE"):
            for f in sorted(g_ - w):
                print(f"    false alarm: {f}")
            for f in sorted(w - g_):
                print(f"    missed:      {f}")
            for fb in fallbacks:
                print(f"    fallback: {fb}")
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    print(f"\n{len(commits)} commits, dependents (changed files left out): "
          f"precision {prec:.3f}, recall {rec:.3f} (tp {tp}, fp {fp}, fn {fn})")
    print(f"with the changed files: precision {tp_all / pred_all if pred_all else 1:.3f}, "
          f"recall {tp_all / true_all if true_all else 1:.3f}")


if __name__ == "__main__":
    if os.environ.get("ORACLE_WRAP"):
        wrap(sys.argv[1:])
    main()
