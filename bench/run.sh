#!/usr/bin/env bash
# bench/run.sh: the performance comparison of the README's "Performance"
# section. Whole-process wall time and peak RSS of `daestro-jobs validate` against
# kubeconform v0.8.0 and a minimal Go floor, apply efficiency against the
# emulator with 50 ms latency, and start-up time. Not part of .ci/run.
#
#   bench/run.sh              # everything, 100,000 files included (a few minutes)
#   bench/run.sh --skip-100k  # 10,000 files only
#   RUNS=5 bench/run.sh       # repetitions of each validate measurement (best wall kept)
#
# Work goes to a temporary directory outside the repository (kept with --keep).
set -euo pipefail

skip100k=0 keep=0 skipapply=0
for a in "$@"; do
  case $a in
    --skip-100k) skip100k=1 ;;
    --skip-apply) skipapply=1 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done
RUNS=${RUNS:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jobs-bench.XXXXXX")
emu_pid=
cleanup() {
  [[ -n $emu_pid ]] && kill "$emu_pid" 2>/dev/null || true
  if (( keep )); then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

need_apt() { # install a Debian package when its command is missing
  command -v "$2" >/dev/null 2>&1 || [[ -x $2 ]] && return 0
  echo "installing $1 ..." >&2
  local sudo=; (( EUID == 0 )) || sudo=sudo
  $sudo apt-get install -y -qq "$1" >/dev/null 2>&1 || { $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq "$1" >/dev/null; } || true
}
need_apt time /usr/bin/time
need_apt hyperfine hyperfine
[[ -x /usr/bin/time ]] || { echo "bench/run.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }

echo "== building (into $tmp)" >&2
(cd "$repo" && go build -o "$tmp/daestro-jobs" . && go build -o "$tmp/floor" ./bench/floor && go build -o "$tmp/gen" ./bench/gen)
(cd "$tmp" && GOBIN=$tmp GOFLAGS=-mod=mod go install github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0)

sizes=10000; (( skip100k )) || sizes=10000,100000
echo "== generating corpora ($sizes files, 10,000-document file)" >&2
"$tmp/gen" -out "$tmp/c" -n "1,$sizes" -k8s "$sizes" -multi 10000 -apply 100,200,800,1000,10000
c=$tmp/c
schema_loc="$c/schemas/{{ .ResourceKind }}-{{ .ResourceAPIVersion }}.json"

# measure NAME CMD...: one run; prints "wall_s rss_kb user_s sys_s"
measure() {
  local f=$tmp/time.last rc=0
  /usr/bin/time -o "$f" -f '%e %M %U %S' "$@" >"$tmp/out.last" 2>&1 || rc=$?
  if (( rc > 1 )); then echo "bench/run.sh: $* exited $rc" >&2; tail -5 "$tmp/out.last" >&2; fi
  tail -1 "$f"
}

declare -A wall rss
# best-of-RUNS, the tools interleaved in each repetition so that load from
# elsewhere on the machine falls on all of them alike.
compare() { # SIZE DIR K8SDIR
  local n=$1 dir=$2 kdir=$3 r t
  for ((r = 0; r < RUNS; r++)); do
    for t in jobs kubeconform floor parse; do
      case $t in
        jobs) set -- "$tmp/daestro-jobs" validate --env-file "$c/bench.env" -f "$dir" ;;
        kubeconform) set -- "$tmp/kubeconform" -summary -schema-location "$schema_loc" "$kdir" ;;
        floor) set -- "$tmp/floor" "$dir" ;;
        parse) set -- "$tmp/floor" -parse-only "$dir" ;;
      esac
      read -r w m _ _ < <(measure "$@")
      local k="$t/$n"
      if [[ -z ${wall[$k]:-} ]] || awk -v a="$w" -v b="${wall[$k]}" 'BEGIN{exit !(a<b)}'; then
        wall[$k]=$w
      fi
      if [[ -z ${rss[$k]:-} ]] || (( m > ${rss[$k]} )); then rss[$k]=$m; fi
    done
  done
}

printf '\n== validate: whole process, best wall of %d runs, peak RSS (machine: %s cores)\n' "$RUNS" "$(nproc)"
pgrep -fa -- '-test.fuzz' >/dev/null && echo "note: a fuzzer is running on this machine; numbers are noisy"
printf '%-34s %8s %12s %9s %10s\n' tool files docs/s wall_s rss_MiB
for n in ${sizes//,/ }; do
  compare "$n" "$c/files-$n" "$c/k8s-$n"
  for t in jobs kubeconform floor parse; do
    label=$t
    case $t in
      jobs) label="daestro-jobs validate" ;;
      kubeconform) label="kubeconform v0.8.0" ;;
      floor) label="floor (yaml.v3 + jsonschema/v5)" ;;
      parse) label="yaml.v3 parse only" ;;
    esac
    awk -v l="$label" -v n="$n" -v w="${wall[$t/$n]}" -v m="${rss[$t/$n]}" \
      'BEGIN{printf "%-34s %8d %12.0f %9.2f %10.1f\n", l, n, n/w, w, m/1024}'
  done
done
read -r w m _ _ < <(measure "$tmp/daestro-jobs" validate --env-file "$c/bench.env" -f "$c/multi-10000")
awk -v w="$w" -v m="$m" 'BEGIN{printf "%-34s %8s %12.0f %9.2f %10.1f\n", "daestro-jobs validate, one 10k-doc file", "1", 10000/w, w, m/1024}'

printf '\n== ratios (target)\n'
for n in ${sizes//,/ }; do
  awk -v n="$n" -v jw="${wall[jobs/$n]}" -v kw="${wall[kubeconform/$n]}" -v fw="${wall[floor/$n]}" \
      -v jm="${rss[jobs/$n]}" -v fm="${rss[floor/$n]}" 'BEGIN{
    printf "%6d files: jobs/kubeconform docs/s %.2fx (>=1.5x)   jobs/floor wall %.2fx (<=1.2x)   jobs/floor RSS %.2fx%s\n",
      n, kw/jw, jw/fw, jm/fm, (n >= 100000 ? " (<=1.5x)" : "")}'
done

if (( ! skipapply )); then
  port=$(( 20000 + RANDOM % 20000 ))
  start_emulator() {
    [[ -n $emu_pid ]] && { kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; }
    "$tmp/daestro-jobs" emulator --addr "127.0.0.1:$port" --latency 50ms >"$tmp/emulator.log" 2>&1 &
    emu_pid=$!
    for _ in $(seq 100); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
      sleep 0.05
    done
    echo "bench/run.sh: the emulator did not start" >&2; exit 1
  }
  # apply N CONCURRENCY: a fresh emulator each time, so every job is created
  apply() {
    start_emulator
    DAESTRO_API_URL=http://127.0.0.1:$port DAESTRO_API_KEY=bench \
      measure "$tmp/daestro-jobs" apply --env-file "$c/bench.env" -f "$c/apply-$1" --concurrency "$2"
    grep -q "$1 created" "$tmp/out.last" || { echo "bench/run.sh: apply $1 at $2 did not create every job:" >&2; tail -3 "$tmp/out.last" >&2; }
  }
  printf '\n== apply against the emulator, 50 ms latency per request, loopback\n'
  printf '%6s %5s %9s %9s %9s %13s %9s\n' N conc ideal_s wall_s ratio cpu_ms/job rss_MiB
  row() {
    apply "$1" "$2" >/dev/null
    read -r w m u s <"$tmp/time.last"
    awk -v n="$1" -v k="$2" -v w="$w" -v m="$m" -v u="$u" -v s="$s" -v t="$3" 'BEGIN{
      ideal = n / k * 0.05
      printf "%6d %5d %9.3f %9.2f %8.2fx %13.3f %9.1f%s\n", n, k, ideal, w, w/ideal, (u+s)*1000/n, m/1024, t}'
  }
  row 800 16 "   target <=1.10x, <0.5 ms/job"
  row 800 64 "   target <=1.2x"
  printf -- '-- scaling in N (concurrency 64)\n'
  for n in 100 1000 10000; do row "$n" 64 ""; done
  printf -- '-- scaling in concurrency (N 200)\n'
  for k in 1 4 16 64; do row 200 "$k" ""; done
  kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; emu_pid=
fi

printf '\n== start-up (target < 15 ms)\n'
one=$(find "$c/files-1" -name '*.yaml' | head -1)
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 10 --runs 100 --style basic --export-csv "$tmp/start.csv" \
    "$tmp/daestro-jobs version" "$tmp/daestro-jobs validate --env-file $c/bench.env -f $one" >/dev/null 2>&1
  awk -F, 'NR>1{sub(".*/daestro-jobs ","daestro-jobs ",$1); printf "%-28s mean %6.1f ms  median %6.1f ms\n", substr($1,1,28), $2*1000, $4*1000}' "$tmp/start.csv"
else
  for cmd in version validate; do
    args=(version); [[ $cmd == validate ]] && args=(validate --env-file "$c/bench.env" -f "$one")
    s=$(date +%s%N); for _ in $(seq 100); do "$tmp/daestro-jobs" "${args[@]}" >/dev/null; done; e=$(date +%s%N)
    awk -v d=$((e - s)) -v c="daestro-jobs $cmd" 'BEGIN{printf "%-28s mean %6.1f ms (loop of 100)\n", c, d/100/1e6}'
  done
fi
