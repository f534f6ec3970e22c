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

if [[ ! -x /usr/bin/time ]]; then # Debian's time, for user CPU and peak RSS
  echo "installing time ..." >&2
  sudo=; (( EUID == 0 )) || sudo=sudo
  $sudo apt-get install -y -qq time >/dev/null 2>&1 || { $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq time >/dev/null; }
fi
[[ -x /usr/bin/time ]] || { echo "bench/diff.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }

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
  local name=$1 start end rc=0
  read -r -a args <<<"${cmd[$name]}"
  start=$EPOCHREALTIME
  /usr/bin/time -o "$tmp/t" -f '%U %S %M' "$tmp/daestro-jobs" "${args[@]}" >"$tmp/$name.out" 2>"$tmp/err" || rc=$?
  end=$EPOCHREALTIME
  if (( rc != 0 )); then
    echo "bench/diff.sh: $name exited $rc:" >&2; tail -3 "$tmp/err" "$tmp/$name.out" >&2; exit 1
  fi
  read -r u s m < <(tail -1 "$tmp/t")
  awk -v a="$start" -v b="$end" -v u="$u" -v s="$s" -v m="$m" 'BEGIN{printf "%.4f %.2f %d\n", b-a, u+s, m}' >>"$tmp/$name.times"
}

one validate; one diff # warm the page cache
tail -1 "$tmp/diff.out" >&2
: >"$tmp/validate.times"; : >"$tmp/diff.times"
echo "== $RUNS repetitions, interleaved" >&2
for ((r = 0; r < RUNS; r++)); do
  if (( r % 2 )); then one diff; one validate; else one validate; one diff; fi
done

stats() { # FILE: "mean median best cpu_mean rss_max"
  sort -n "$1" | awk '{w[NR]=$1; c+=$2; if ($3>m) m=$3; s+=$1}
    END{med = (NR%2) ? w[(NR+1)/2] : (w[NR/2]+w[NR/2+1])/2; printf "%.4f %.4f %.4f %.4f %d\n", s/NR, med, w[1], c/NR, m}'
}
read -r vm vmed vb vc vr < <(stats "$tmp/validate.times")
read -r dm dmed db dc dr < <(stats "$tmp/diff.times")
printf '\n%-24s %9s %9s %9s %9s %9s\n' "$N files, $RUNS runs" mean_s median_s best_s cpu_s rss_MiB
awk -v l="validate" -v a="$vm" -v b="$vmed" -v c="$vb" -v d="$vc" -v e="$vr" 'BEGIN{printf "%-24s %9.3f %9.3f %9.3f %9.3f %9.1f\n", l, a, b, c, d, e/1024}'
awk -v l="diff --base HEAD" -v a="$dm" -v b="$dmed" -v c="$db" -v d="$dc" -v e="$dr" 'BEGIN{printf "%-24s %9.3f %9.3f %9.3f %9.3f %9.1f\n", l, a, b, c, d, e/1024}'
awk -v a="$dm" -v b="$vm" -v c="$dmed" -v d="$vmed" -v e="$db" -v f="$vb" -v g="$dc" -v h="$vc" -v i="$dr" -v j="$vr" \
  'BEGIN{printf "%-24s %8.2fx %8.2fx %8.2fx %8.2fx %8.2fx\n", "diff / validate", a/b, c/d, e/f, g/h, i/j}'
