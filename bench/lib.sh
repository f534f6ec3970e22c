# bench/lib.sh: what bench/compare.sh and bench/diff.sh share, sourced by
# both: Debian's time, timing one command line, and the table of two sides
# with their ratio. Sourcing it needs $tmp (a scratch directory) and $N,
# $RUNS for the table's heading.

# need_time NAME: installs Debian's time (user CPU and peak RSS) if missing.
need_time() {
  if [[ ! -x /usr/bin/time ]]; then
    echo "installing time ..." >&2
    local sudo=
    (( EUID == 0 )) || sudo=sudo
    $sudo apt-get install -y -qq time >/dev/null 2>&1 || { $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq time >/dev/null; }
  fi
  [[ -x /usr/bin/time ]] || { echo "$1: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
}

# timed TIMES OUT CMD...: runs CMD with stdout to OUT and stderr to
# $tmp/err, appends "wall_s cpu_s rss_kb" to TIMES, and returns CMD's status.
timed() {
  local times=$1 out=$2 start end rc=0 u s m
  shift 2
  start=$EPOCHREALTIME
  /usr/bin/time -o "$tmp/t" -f '%U %S %M' "$@" >"$out" 2>"$tmp/err" || rc=$?
  end=$EPOCHREALTIME
  read -r u s m < <(tail -1 "$tmp/t")
  awk -v a="$start" -v b="$end" -v u="$u" -v s="$s" -v m="$m" 'BEGIN{printf "%.4f %.2f %d\n", b-a, u+s, m}' >>"$times"
  return "$rc"
}

# stats TIMES: "mean median best cpu_mean rss_max" of a TIMES file.
stats() {
  sort -n "$1" | awk '{w[NR]=$1; c+=$2; if ($3>m) m=$3; s+=$1}
    END{med = (NR%2) ? w[(NR+1)/2] : (w[NR/2]+w[NR/2+1])/2; printf "%.4f %.4f %.4f %.4f %d\n", s/NR, med, w[1], c/NR, m}'
}

# table LABEL_A TIMES_A LABEL_B TIMES_B RATIO_LABEL: a row of each side's
# stats, then B / A.
table() {
  local am amed ab ac ar bm bmed bb bc br
  read -r am amed ab ac ar < <(stats "$2")
  read -r bm bmed bb bc br < <(stats "$4")
  printf '\n%-24s %9s %9s %9s %9s %9s\n' "$N files, $RUNS runs" mean_s median_s best_s cpu_s rss_MiB
  awk -v l="$1" -v a="$am" -v b="$amed" -v c="$ab" -v d="$ac" -v e="$ar" 'BEGIN{printf "%-24s %9.3f %9.3f %9.3f %9.3f %9.1f\n", l, a, b, c, d, e/1024}'
  awk -v l="$3" -v a="$bm" -v b="$bmed" -v c="$bb" -v d="$bc" -v e="$br" 'BEGIN{printf "%-24s %9.3f %9.3f %9.3f %9.3f %9.1f\n", l, a, b, c, d, e/1024}'
  awk -v l="$5" -v a="$bm" -v b="$am" -v c="$bmed" -v d="$amed" -v e="$bb" -v f="$ab" -v g="$bc" -v h="$ac" -v i="$br" -v j="$ar" \
    'BEGIN{printf "%-24s %8.3fx %8.3fx %8.3fx %8.3fx %8.3fx\n", l, a/b, c/d, e/f, g/h, i/j}'
}
