#!/bin/sh
# Byte-for-byte: do two builds of countersign print the same machine-readable outputs?
#
#   benches/same-outputs.sh OLD_BIN NEW_BIN [REPO RANGE TRUSTED_REF]...
#
# On the demo (built once, by OLD_BIN) and on each REPO given (a real workspace, with its
# RANGE and the ref that holds its policy), both builds run every JSON, JUnit, GitHub,
# Markdown, Mermaid and DOT output, and sign the same commit with the same key and comments
# (each in its own copy of the repository). Outputs are compared byte for byte; the signed
# notes are compared with the signing time (`timestamp`) masked, the one field that must
# differ, and the signature with it (each build's sign-off is checked by `show`). Exit 0 when everything is identical; otherwise the differences are printed.
set -eu
old=$(realpath "$1"); new=$(realpath "$2"); shift 2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$old" demo --dir "$work/demo" --no-tui --color never >/dev/null

outputs() { # BIN REPO RANGE TRUSTED DIR
  b=$1; r=$2; range=$3; t=$4; d=$5; mkdir -p "$d"
  run() { name=$1; shift; "$b" -C "$r" --color never "$@" >"$d/$name" 2>"$d/$name.err" || echo "exit $?" >>"$d/$name.err"; }
  for f in json github junit markdown; do run "verify.$f" verify "$range" --trusted-ref "$t" --format "$f"; done
  run status.json status "$range" --trusted-ref "$t" --format json
  for f in json mermaid dot; do run "impact.$f" impact "$range" --trusted-ref "$t" --format "$f"; done
  for f in json markdown; do run "feedback.$f" feedback "$range" --trusted-ref "$t" --format "$f"; done
  for f in json markdown html; do run "report.$f" report "$range" --trusted-ref "$t" --format "$f"; done
}

signed() { # BIN DIR: sign the demo's second commit in a copy, print its note (timestamp masked)
  cp -r "$work/demo" "$2"
  c=$(git -C "$2/repo" rev-parse HEAD~2)
  printf '[{"path":"crates/core-types/src/codec.rs","side":"new","start":1,"end":2,"text":"look"}]' >"$2/c.json"
  "$1" -C "$2/repo" sign "$c" --decision approve --key "$2/keys/alice" --comments-from "$2/c.json" \
    --comment "checked" --trusted-ref refs/heads/main --yes >/dev/null 2>"$2/sign.err"
  git -C "$2/repo" notes --ref countersign show "$c" |
    sed 's/\\"timestamp\\":\\"[^\\]*\\"/\\"timestamp\\":MASKED/; s/"signature":"[^"]*"/"signature":MASKED/'
  "$1" -C "$2/repo" show "$c" --format json --trusted-ref refs/heads/main >"$2/show.json"
}

status=0
# An output both builds fail to make is no evidence: every one must be non-empty.
nonempty() { for f in "$1"/*; do case $f in *.err) ;; *) [ -s "$f" ] || { echo "EMPTY: $f: $(cat "$f.err")"; status=1; } ;; esac; done; }
compare() { if ! diff -r "$1" "$2" >"$work/diff"; then echo "DIFFERENT: $3"; head -40 "$work/diff"; status=1; else echo "identical: $3"; fi; }

outputs "$old" "$work/demo/repo" main..agent/speedups refs/heads/main "$work/out-old/demo"
outputs "$new" "$work/demo/repo" main..agent/speedups refs/heads/main "$work/out-new/demo"
nonempty "$work/out-old/demo"
compare "$work/out-old/demo" "$work/out-new/demo" "demo outputs ($(ls "$work/out-old/demo" | grep -vc err) files)"
signed "$old" "$work/sign-old" >"$work/note-old"
signed "$new" "$work/sign-new" >"$work/note-new"
compare "$work/note-old" "$work/note-new" "demo note and payload, signing time masked"
# The new build reads the old build's sign-off as the old build does.
"$new" -C "$work/sign-old/repo" show HEAD~2 --format json --trusted-ref refs/heads/main >"$work/show-new-of-old.json"
compare "$work/sign-old/show.json" "$work/show-new-of-old.json" "show of the old build's sign-off"
while [ $# -ge 3 ]; do
  outputs "$old" "$1" "$2" "$3" "$work/out-old/$(basename "$1")"
  outputs "$new" "$1" "$2" "$3" "$work/out-new/$(basename "$1")"
  nonempty "$work/out-old/$(basename "$1")"
  compare "$work/out-old/$(basename "$1")" "$work/out-new/$(basename "$1")" "$1 $2"
  shift 3
done
exit $status
