#!/usr/bin/env bash
# bench/compare.sh: what a change costs, before it lands. Builds the working
# tree and an earlier commit, generates one corpus of one-job files with the
# working tree's bench/gen, and times `daestro-jobs validate` of both on it,
# side by side: the two binaries alternate within each repetition (and swap
# which goes first every other one), so load from elsewhere on the machine
# falls on both alike. Prints mean, median and best wall time, mean user+sys
# CPU and peak RSS of each, and the ratios current / REV. Not part of .ci/run.
#
#   bench/compare.sh 894f4ed          # 10,000 files, 15 repetitions
#   RUNS=31 N=100000 bench/compare.sh main
#   CMD='validate -o json' bench/compare.sh HEAD~3   # another command line (-f DIR is appended)
#
# The earlier commit is checked out with `git worktree add --detach` into a
# temporary directory, removed on exit; nothing in the working tree changes.
set -euo pipefail

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,15p' "$0"
  [[ $# -eq 1 ]] && exit 0 || exit 2
fi
rev=$1
RUNS=${RUNS:-15}
N=${N:-10000}
CMD=${CMD:-validate}
repo=$(cd "$(dirname "$0")/.." && pwd)
sha=$(git -C "$repo" rev-parse --verify --quiet "$rev^{commit}") || { echo "bench/compare.sh: $rev is not a commit" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jobs-compare.XXXXXX")
cleanup() {
  git -C "$repo" worktree remove --force "$tmp/old-src" >/dev/null 2>&1 || true
  git -C "$repo" worktree prune >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
need_time bench/compare.sh

echo "== building the working tree and $rev (${sha:0:12}) into $tmp" >&2
(cd "$repo" && go build -o "$tmp/new" . && go build -o "$tmp/gen" ./bench/gen)
git -C "$repo" worktree add --detach --quiet "$tmp/old-src" "$sha"
(cd "$tmp/old-src" && go build -o "$tmp/old" .)

echo "== generating $N one-job files" >&2
"$tmp/gen" -out "$tmp/c" -n "$N" -k8s "" -multi 0 >/dev/null
dir=$tmp/c/files-$N
read -r -a args <<<"$CMD"
args+=(--env-file "$tmp/c/bench.env" -f "$dir")

# one BIN: appends "wall_s cpu_s rss_kb" to $tmp/BIN.times
one() {
  local rc=0
  timed "$tmp/$1.times" /dev/null "$tmp/$1" "${args[@]}" || rc=$?
  if (( rc > 1 )); then # 1 is expected: the corpus holds invalid documents
    echo "bench/compare.sh: $1 exited $rc:" >&2; tail -3 "$tmp/err" >&2; exit 1
  fi
}

echo "== $RUNS repetitions, interleaved: daestro-jobs ${args[*]:0:${#args[@]}-4} -f files-$N" >&2
one new >/dev/null; one old >/dev/null; : >"$tmp/new.times"; : >"$tmp/old.times" # warm the page cache
for ((r = 0; r < RUNS; r++)); do
  if (( r % 2 )); then one old; one new; else one new; one old; fi
done

table "$rev (${sha:0:9})" "$tmp/old.times" "working tree" "$tmp/new.times" "working tree / $rev"
