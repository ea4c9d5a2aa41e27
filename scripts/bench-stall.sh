#!/usr/bin/env bash
# Write stalls: one long fillrandom (default 10M keys of 16 B + 100 B) on each engine with
# per-interval throughput (engine_bench --stats_interval_ms), plotted over time, so that a
# writer waiting on flush or compaction shows as a dip to zero. Prints, per engine, the
# longest run of intervals with zero or near-zero throughput (below --threshold-pct of that
# engine's median interval rate). The DB directories go under $BENCH_TMPDIR (default /tmp).
#
#   scripts/bench-stall.sh [--quick] [--num N] [--interval-ms MS] [--engines "strata rocksdb"]
#                          [--threshold-pct P] [--png FILE] [--out FILE]
#     --quick        1M keys instead of 10M
#     --interval-ms  interval length (default 100; 1000 gives a smoother, coarser plot)
#     --engines      default "strata rocksdb"; add leveldb to see its classic stalls
#     --png          the plot (default docs/stall.png); the series go to build/bench/stall.dat
#     --out          also write the markdown summary to FILE
set -euo pipefail
cd "$(dirname "$0")/.."

NUM=10000000; INTERVAL=100; ENGINES="strata rocksdb"; THRESHOLD=5; PNG=docs/stall.png; OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) NUM=1000000 ;;
    --num) NUM="$2"; shift ;;
    --interval-ms) INTERVAL="$2"; shift ;;
    --engines) ENGINES="$2"; shift ;;
    --threshold-pct) THRESHOLD="$2"; shift ;;
    --png) PNG="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

BIN=build/engine_bench
nice make --no-print-directory -s -f Makefile -f bench/bench.mk -j"$(nproc)" "$BIN"
command -v gnuplot >/dev/null || { echo "gnuplot missing: scripts/deps.sh --bench" >&2; exit 1; }

LOGDIR=build/bench
DAT="$LOGDIR/stall.dat"
mkdir -p "$LOGDIR" "$(dirname "$PNG")"
WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/strata-stall-bench.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

display_name() {
  case "$1" in
    strata) echo Strata ;; leveldb) echo LevelDB ;; rocksdb) echo RocksDB ;; *) echo "$1" ;;
  esac
}

# One gnuplot data block per engine ("index i"): time in seconds, ops/s in the interval.
: > "$DAT"
SUMMARY="$WORK/summary.txt"
: > "$SUMMARY"
i=0
for engine in $ENGINES; do
  out="$LOGDIR/stall-$engine.out"
  echo "bench-stall: $engine fillrandom num=$NUM interval=${INTERVAL}ms" >&2
  if ! "$BIN" --engine="$engine" --benchmarks=fillrandom --num="$NUM" --db="$WORK/$engine/db" \
       --key_size=16 --value_size=100 --cache_mb=64 --memtable_mb=4 --bloom_bits=10 \
       --stats_interval_ms="$INTERVAL" > "$out" 2> "$out.err"; then
    echo "bench-stall: $engine FAILED:" >&2
    tail -5 "$out.err" >&2
    echo "| $(display_name "$engine") | run failed: $(tail -1 "$out.err") | | | | |" >> "$SUMMARY"
    continue
  fi
  rm -rf "${WORK:?}/$engine"
  [ "$i" -gt 0 ] && printf '\n\n' >> "$DAT"
  echo "# $engine" >> "$DAT"
  awk -v e="$engine" -v ms="$INTERVAL" \
    '$1 == e && $2 == "interval" { printf "%.3f %.0f\n", $3 / 1000, $4 * 1000 / ms }' "$out" >> "$DAT"
  TITLES[i]=$(display_name "$engine")
  i=$((i + 1))
  # The stall: the longest run of consecutive intervals below THRESHOLD% of the median rate.
  awk -v e="$engine" -v name="$(display_name "$engine")" -v ms="$INTERVAL" -v pct="$THRESHOLD" '
    $1 == e && $2 == "interval" { n++; t[n] = $3; r[n] = $4 * 1000 / ms; s[n] = r[n] }
    $1 == e && $2 == "fillrandom" { total = $4 }
    END {
      if (n == 0) { printf "| %s | %.0f | no full interval | | | |\n", name, total; exit }
      for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++) if (s[b] < s[a]) { x = s[a]; s[a] = s[b]; s[b] = x }
      med = n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
      limit = med * pct / 100
      best = 0; run = 0; zero = 0
      for (k = 1; k <= n; k++) {
        if (r[k] == 0) zero++
        if (r[k] <= limit) { run++; if (run > best) { best = run; end = t[k] } } else run = 0
      }
      stall = best > 0 ? sprintf("%.1f s (%d × %d ms, ending at t = %.1f s)", best * ms / 1000, best, ms, (end) / 1000) : "none"
      printf "| %s | %.0f | %.0f | %.0f | %d of %d | %s |\n", name, total, med, s[1], zero, n, stall
    }' "$out" >> "$SUMMARY"
done

if [ "$i" -gt 0 ]; then
  TERM_NAME=png
  gnuplot -e 'set terminal' 2>&1 | grep -qw pngcairo && TERM_NAME=pngcairo
  PLOT=""
  for ((k = 0; k < i; k++)); do
    [ -n "$PLOT" ] && PLOT+=", "
    PLOT+="'$DAT' index $k using 1:2 with lines lw 1.5 title '${TITLES[k]}'"
  done
  gnuplot <<EOF
set terminal $TERM_NAME size 1100,500
set output '$PNG'
set title "fillrandom, $NUM keys (16 B + 100 B), 4 MiB memtable: writes/s per ${INTERVAL} ms interval"
set xlabel 'time (s)'
set ylabel 'writes/s'
set yrange [0:*]
set format y '%.0s%c'
set grid
set key top right
plot $PLOT
EOF
  echo "bench-stall: plot in $PNG, series in $DAT" >&2
fi

report() {
  echo "fillrandom of $NUM keys, one writer, throughput sampled every $INTERVAL ms. A stall is the"
  echo "longest run of intervals below $THRESHOLD% of the engine's median interval rate."
  echo
  echo "| engine | overall writes/s | median writes/s per interval | slowest interval writes/s | intervals with 0 writes | longest stall |"
  echo "|---|---:|---:|---:|---:|---|"
  cat "$SUMMARY"
}
if [ -n "$OUT" ]; then report | tee "$OUT"; else report; fi
