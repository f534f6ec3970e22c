#!/usr/bin/env bash
# bench/multidoc.sh: one file of 10,000 documents against 10,000 files of one
# document, side by side in one run (issue 14's target: wall <= 1.2x, peak RSS
# <= 1.5x). Whole-process wall and peak RSS of `daestro-jobs validate`, RUNS
# repetitions interleaved, best wall and highest RSS of each kept. Not part of
# .ci/run.
#
#   bench/multidoc.sh            # builds the working tree
#   BIN=/path/to/daestro-jobs bench/multidoc.sh   # measures another build
set -euo pipefail
RUNS=${RUNS:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/multidoc-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
[[ -x /usr/bin/time ]] || { echo "bench/multidoc.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
bin=${BIN:-}
if [[ -z $bin ]]; then
  (cd "$repo" && go build -o "$tmp/daestro-jobs" .)
  bin=$tmp/daestro-jobs
fi
(cd "$repo" && go build -o "$tmp/gen" ./bench/gen)
"$tmp/gen" -out "$tmp/c" -n 10000 -k8s "" -multi 10000 >/dev/null
c=$tmp/c
best_w=(1e9 1e9) max_m=(0 0)
for ((r = 0; r < RUNS; r++)); do
  i=0
  for dir in "$c/files-10000" "$c/multi-10000"; do
    /usr/bin/time -o "$tmp/t" -f '%e %M' "$bin" validate --env-file "$c/bench.env" -f "$dir" >/dev/null 2>&1 || true
    read -r w m < <(tail -1 "$tmp/t")
    best_w[i]=$(awk -v a="${best_w[i]}" -v b="$w" 'BEGIN{print (b<a)?b:a}')
    max_m[i]=$(awk -v a="${max_m[i]}" -v b="$m" 'BEGIN{print (b>a)?b:a}')
    i=$((i + 1))
  done
done
awk -v fw="${best_w[0]}" -v fm="${max_m[0]}" -v mw="${best_w[1]}" -v mm="${max_m[1]}" 'BEGIN{
  printf "10,000 files of one document: %.2f s, %.1f MiB\n", fw, fm/1024
  printf "one file of 10,000 documents: %.2f s, %.1f MiB\n", mw, mm/1024
  printf "one file / many files: wall %.2fx (<=1.2x), peak RSS %.2fx (<=1.5x)\n", mw/fw, mm/fm
}'
