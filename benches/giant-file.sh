#!/bin/sh
# The workstation's first screen on a giant file, beside `git show` of the same commit:
# peak memory (max RSS) and wall time of each, from GNU time.
#
#   benches/giant-file.sh [COUNTERSIGN_BINARY] [LINES]
#
# Builds a repository whose HEAD adds one generated 2,000,000-line Rust file (182 MB, as in
# issue 26), then runs `git show HEAD > /dev/null` and `countersign review HEAD --snapshot
# 200x50` (the first screen rendered headless: the same loading, layout and drawing as the
# terminal). The binary defaults to target/release/countersign (`cargo build --release`).
# Goal: countersign's peak at most 2x git show's.
set -eu
bin=${1:-target/release/countersign}
lines=${2:-2000000}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || { echo "no countersign binary at $bin (cargo build --release, or pass its path)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
repo=$dir/repo
git init -q "$repo"
cd "$repo"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME=$dir NO_COLOR=1
git config user.name Bench
git config user.email bench@example.com
mkdir src
printf '[package]\nname = "giant"\nversion = "0.1.0"\nedition = "2021"\n' > Cargo.toml
echo 'pub fn f() {}' > src/lib.rs
git add -A && git commit -qm base && git branch -M main
git checkout -qb feature
python3 - "$lines" <<'PY'
import sys
with open('data.rs', 'w') as f:
    for i in range(int(sys.argv[1])):
        f.write('    let value_%07d = compute(%d, "some text here to pad the line out a bit more");\n' % (i, i * 7))
PY
git add data.rs && git commit -qm "Add a giant generated file"
size=$(wc -c < data.rs)
measure() {
    /usr/bin/time -f '%M %e' -o "$dir/time" "$@" > "$dir/out" 2> "$dir/err" || {
        echo "failed: $*" >&2; cat "$dir/err" >&2; exit 1; }
    read -r kb secs < "$dir/time"
    echo "$((kb / 1024)) $secs"
}
set -- $(measure git show HEAD)
git_mb=$1 git_s=$2
set -- $(measure "$bin" review HEAD --snapshot 200x50)
cs_mb=$1 cs_s=$2
grep -q 'shown plain' "$dir/out" || echo "note: the first screen does not say the file is shown plain" >&2
echo "file: data.rs, $lines lines, $size bytes"
printf '%-40s %10s %10s\n' command 'peak MiB' 'wall s'
printf '%-40s %10s %10s\n' 'git show HEAD' "$git_mb" "$git_s"
printf '%-40s %10s %10s\n' 'countersign review --snapshot 200x50' "$cs_mb" "$cs_s"
awk -v a="$cs_mb" -v b="$git_mb" -v c="$cs_s" -v d="$git_s" \
    'BEGIN { printf "ratio: memory %.2fx, time %.2fx git show (goal: memory <= 2x)\n", a / b, c / d }'
