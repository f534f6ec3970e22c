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

if [[ ! -x /usr/bin/time ]]; then # Debian's time, for user CPU and peak RSS
  echo "installing time ..." >&2
  sudo=; (( EUID == 0 )) || sudo=sudo
  $sudo apt-get install -y -qq time >/dev/null 2>&1 || { $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq time >/dev/null; }
fi
[[ -x /usr/bin/time ]] || { echo "bench/compare.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }

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
  local bin=$1 start end rc=0
  start=$EPOCHREALTIME
  /usr/bin/time -o "$tmp/t" -f '%U %S %M' "$tmp/$bin" "${args[@]}" >/dev/null 2>"$tmp/err" || rc=$?
  end=$EPOCHREALTIME
  if (( rc > 1 )); then # 1 is expected: the corpus holds invalid documents
    echo "bench/compare.sh: $bin exited $rc:" >&2; tail -3 "$tmp/err" >&2; exit 1
  fi
  read -r u s m < <(tail -1 "$tmp/t")
  awk -v a="$start" -v b="$end" -v u="$u" -v s="$s" -v m="$m" 'BEGIN{printf "%.4f %.2f %d\n", b-a, u+s, m}' >>"$tmp/$bin.times"
}

echo "== $RUNS repetitions, interleaved: daestro-jobs ${args[*]:0:${#args[@]}-4} -f files-$N" >&2
one new >/dev/null; one old >/dev/null; : >"$tmp/new.times"; : >"$tmp/old.times" # warm the page cache
for ((r = 0; r < RUNS; r++)); do
  if (( r % 2 )); then one old; one new; else one new; one old; fi
done

stats() { # FILE: "mean median best cpu_mean rss_max"
  sort -n "$1" | awk '{w[NR]=$1; c+=$2; if ($3>m) m=$3; s+=$1}
    END{med = (NR%2) ? w[(NR+1)/2] : (w[NR/2]+w[NR/2+1])/2; printf "%.4f %.4f %.4f %.4f %d\n", s/NR, med, w[1], c/NR, m}'
}
read -r nm nmed nb nc nr < <(stats "$tmp/new.times")
read -r om omed ob oc or < <(stats "$tmp/old.times")
printf '\n%-24s %9s %9s %9s %9s %9s\n' "$N files, $RUNS runs" mean_s median_s best_s cpu_s rss_MiB
awk -v l="$rev (${sha:0:9})" -v a="$om" -v b="$omed" -v c="$ob" -v d="$oc" -v e="$or" 'BEGIN{printf "%-24s %9.3f %9.3f %9.3f %9.3f %9.1f\n", l, a, b, c, d, e/1024}'
awk -v l="working tree" -v a="$nm" -v b="$nmed" -v c="$nb" -v d="$nc" -v e="$nr" 'BEGIN{printf "%-24s %9.3f %9.3f %9.3f %9.3f %9.1f\n", l, a, b, c, d, e/1024}'
awk -v a="$nm/$om" -v b="$nmed/$omed" -v c="$nb/$ob" -v d="$nc/$oc" -v e="$nr/$or" \
  'BEGIN{split(a,x,"/"); split(b,y,"/"); split(c,z,"/"); split(d,u,"/"); split(e,v,"/");
    printf "%-24s %8.3fx %8.3fx %8.3fx %8.3fx %8.3fx\n", "working tree / " "'"$rev"'", x[1]/x[2], y[1]/y[2], z[1]/z[2], u[1]/u[2], v[1]/v[2]}'
