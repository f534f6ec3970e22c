#!/usr/bin/env bash
# bench/diff.sh: the cost of `daestro-jobs diff` against `validate` on the
# same tree (issue 18: within 2.5x). Generates N all-valid one-job files
# (bench/gen -apply), commits them in a fresh git repository, edits 10 of
# them in the working tree, then times, interleaved within each repetition
# (and swapping which goes first every other one):
#   daestro-jobs validate     --env-file bench.env -f jobs
#   daestro-jobs diff --base HEAD --env-file bench.env -f jobs
# Prints mean, median and best wall time, mean user+sys CPU and peak RSS of
# each, and diff / validate. Not part of .ci/run.
#
#   bench/diff.sh                 # 10,000 files, 15 repetitions
#   RUNS=31 N=100000 bench/diff.sh
set -euo pipefail

if [[ $# -ne 0 ]]; then
  sed -n '2,13p' "$0"
  [[ $1 == -h || $1 == --help ]] && exit 0 || exit 2
fi
RUNS=${RUNS:-15}
N=${N:-10000}
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jobs-diff.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
need_time bench/diff.sh

echo "== building into $tmp" >&2
(cd "$repo" && go build -o "$tmp/daestro-jobs" . && go build -o "$tmp/gen" ./bench/gen)

echo "== generating $N one-job files, committing them, editing 10" >&2
"$tmp/gen" -out "$tmp/c" -n "" -k8s "" -multi 0 -apply "$N" >/dev/null
cd "$tmp/c"
mv "apply-$N" jobs
git init -q -b main .
git add jobs
git -c user.name=bench -c user.email=bench@example.com commit -q -m base
mapfile -t files < <(find jobs -name '*.yaml' | sort)
for f in "${files[@]:0:10}"; do
  sed -i 's/day: "\([0-9-]*\)"/day: "\1-edited"/' "$f"
done
if git diff --quiet; then echo "bench/diff.sh: the edits changed nothing" >&2; exit 1; fi

declare -A cmd=(
  [validate]="validate --env-file bench.env -f jobs"
  [diff]="diff --base HEAD --env-file bench.env -f jobs"
)
# one NAME: appends "wall_s cpu_s rss_kb" to $tmp/NAME.times
one() {
  local args rc=0
  read -r -a args <<<"${cmd[$1]}"
  timed "$tmp/$1.times" "$tmp/$1.out" "$tmp/daestro-jobs" "${args[@]}" || rc=$?
  if (( rc != 0 )); then
    echo "bench/diff.sh: $1 exited $rc:" >&2; tail -3 "$tmp/err" "$tmp/$1.out" >&2; exit 1
  fi
}

one validate; one diff # warm the page cache
tail -1 "$tmp/diff.out" >&2
: >"$tmp/validate.times"; : >"$tmp/diff.times"
echo "== $RUNS repetitions, interleaved" >&2
for ((r = 0; r < RUNS; r++)); do
  if (( r % 2 )); then one diff; one validate; else one validate; one diff; fi
done

table validate "$tmp/validate.times" "diff --base HEAD" "$tmp/diff.times" "diff / validate"
