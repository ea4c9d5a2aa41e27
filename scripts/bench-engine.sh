#!/usr/bin/env bash
# Strata's engine vs LevelDB vs RocksDB on db_bench-style workloads (bench/engine_bench.cc):
# fillseq, fillrandom, overwrite, readrandom, readmissing, seekrandom, readseq, fillsync, with
# the same options on every engine (16 B keys, 100 B values, 4 MiB memtable, 64 MiB block
# cache, 10 bloom bits/key, 4 KiB blocks, no compression, WAL on, no sync except fillsync,
# tables read through memory mappings as LevelDB always does: engine_bench --mmap_reads=1).
# Each engine runs in its own process with a fresh directory under $BENCH_TMPDIR (default
# /tmp); the engines are alternated (strata leveldb rocksdb strata leveldb rocksdb ...) for R
# rounds and the tables show medians. A fourth "engine", raw, measures one append + fdatasync
# per write: the floor for fillsync. Absolute numbers drift on a shared machine; quote the
# side-by-side ratios.
#
#   scripts/bench-engine.sh [--quick] [--rounds R] [--nums "1000000 5000000"] [--reads N]
#                           [--duration S] [--out FILE]
#     --quick      1 round, 200000 keys only, 50000 reads per read benchmark
#     --reads N    read ops per read benchmark (default: the key count)
#     --duration S stop each benchmark after S seconds (ops/s stay comparable)
#     --out FILE   also write the markdown report to FILE
# Raw outputs are kept in build/bench/engine-*.out.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=0; ROUNDS=3; NUMS="1000000 5000000"; READS=""; DURATION=""; OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --nums) NUMS="$2"; shift ;;
    --reads) READS="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# Quick: a smoke test that fits in `make bench QUICK=1`'s two minutes; reads are capped because
# a read benchmark on an engine without compaction can be slow.
if [ "$QUICK" = 1 ]; then ROUNDS=1; NUMS=200000; READS=${READS:-50000}; fi

ENGINES="strata leveldb rocksdb"
BENCHMARKS=fillseq,fillrandom,overwrite,readrandom,readmissing,seekrandom,readseq,fillsync
SYNC_NUM=1000
COMMON=(--key_size=16 --value_size=100 --cache_mb=64 --memtable_mb=4 --bloom_bits=10
        --seek_nexts=10 "--sync_num=$SYNC_NUM")
[ -n "$READS" ] && COMMON+=(--reads="$READS")
[ -n "$DURATION" ] && COMMON+=(--duration_s="$DURATION")

# Build (a no-op when up to date); bench/bench.mk's guard allows naming it when the Makefile
# includes it too.
BIN=build/engine_bench
nice make --no-print-directory -s -f Makefile -f bench/bench.mk -j"$(nproc)" "$BIN"

LOGDIR=build/bench
mkdir -p "$LOGDIR"
WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/strata-engine-bench.XXXXXX")
RESULTS="$WORK/results.tsv"   # num engine key value p50 p99
FOUND="$WORK/found.tsv"       # num round engine benchmark found-or-scanned
FAILED="$WORK/failed.txt"
: > "$RESULTS"; : > "$FOUND"; : > "$FAILED"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# run_engine NUM ROUND ENGINE BENCHMARKS: one process, one fresh directory.
run_engine() {
  local num=$1 round=$2 engine=$3 benchmarks=$4
  local dir="$WORK/$engine-$num-$round" out="$LOGDIR/engine-$num-$round-$engine.out"
  echo "bench-engine: $engine num=$num round $round/$ROUNDS" >&2
  if ! "$BIN" --engine="$engine" --benchmarks="$benchmarks" --num="$num" --db="$dir/db" \
       "${COMMON[@]}" > "$out" 2> "$out.err"; then
    echo "bench-engine: $engine num=$num round $round FAILED:" >&2
    tail -5 "$out.err" >&2
    echo "$engine, $num keys, round $round: $(tail -1 "$out.err")" >> "$FAILED"
  fi
  rm -rf "$dir"
  awk -v n="$num" -v e="$engine" '
    /^#/ { next }
    NF == 7 && $1 == e { print n "\t" e "\t" $2 "\t" $4 "\t" $6 "\t" $7 }
    NF == 3 && $1 == e && $2 ~ /^(write_amp|disk_bytes|peak_rss_kb|peak_anon_rss_kb)$/ { print n "\t" e "\t" $2 "\t" $3 "\t0\t0" }
  ' "$out" >> "$RESULTS"
  awk -v n="$num" -v r="$round" -v e="$engine" \
    '$1 == "#" && ($4 == "found" || $4 == "entries") { print n "\t" r "\t" e "\t" $3 "\t" $5 }' "$out" >> "$FOUND"
}

for num in $NUMS; do
  for round in $(seq 1 "$ROUNDS"); do
    for engine in $ENGINES; do
      run_engine "$num" "$round" "$engine" "$BENCHMARKS"
    done
    run_engine "$num" "$round" raw fillsync
  done
done

report() {
  echo "Engines: Strata $(git rev-parse --short HEAD 2>/dev/null || echo '?'), LevelDB" \
       "$(dpkg-query -W -f='${Version}' libleveldb-dev 2>/dev/null || echo '?'), RocksDB" \
       "$(dpkg-query -W -f='${Version}' librocksdb-dev 2>/dev/null || echo '?');" \
       "$(nproc) cores, $(date -u +%F). Medians of $ROUNDS round(s), engines alternated."
  echo
  awk -F'\t' -v rounds="$ROUNDS" -v sync_num="$SYNC_NUM" '
    function median(arr, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
      return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
    }
    # med(num, engine, key, column) -> median over rounds, or "" when there is no sample
    function med(num, e, key, col,   n, i, a) {
      n = cnt[num, e, key]; if (n == 0) return ""
      for (i = 1; i <= n; i++) a[i] = val[num, e, key, i, col]
      return median(a, n)
    }
    function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "-" : sprintf("%.2f", a / b) }
    function fmt(v, f) { return v == "" ? "-" : sprintf(f, v) }
    function fmtdiv(v, d, f) { return v == "" ? "-" : sprintf(f, v / d) }
    function lat(num, e, key) {
      return med(num, e, key, 5) == "" ? "-" : sprintf("%.1f / %.1f", med(num, e, key, 5), med(num, e, key, 6))
    }
    {
      if (!($1 in seen_num)) { seen_num[$1] = 1; nums[++nn] = $1 }
      if (!(($1, $3) in seen_key)) { seen_key[$1, $3] = 1; keys[$1, ++nk[$1]] = $3 }
      i = ++cnt[$1, $2, $3]
      val[$1, $2, $3, i, 4] = $4; val[$1, $2, $3, i, 5] = $5; val[$1, $2, $3, i, 6] = $6
    }
    END {
      for (x = 1; x <= nn; x++) {
        num = nums[x]
        printf "### %d keys (16 B keys, 100 B values)\n\n", num
        print "| benchmark | LevelDB ops/s | RocksDB ops/s | Strata ops/s | Strata/LevelDB | Strata/RocksDB | LevelDB p50 / p99 µs | RocksDB p50 / p99 µs | Strata p50 / p99 µs |"
        print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        for (y = 1; y <= nk[num]; y++) {
          k = keys[num, y]
          if (k ~ /^(write_amp|disk_bytes|peak_rss_kb|peak_anon_rss_kb)$/) continue
          l = med(num, "leveldb", k, 4); r = med(num, "rocksdb", k, 4); s = med(num, "strata", k, 4)
          if (l == "" && r == "" && s == "") continue
          label = k == "fillsync" ? "fillsync (" sync_num " ops)" : k
          printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label, fmt(l, "%.0f"), fmt(r, "%.0f"),
            fmt(s, "%.0f"), ratio(s, l), ratio(s, r), lat(num, "leveldb", k), lat(num, "rocksdb", k), lat(num, "strata", k)
        }
        raw = med(num, "raw", "fillsync", 4)
        if (raw != "") {
          l = med(num, "leveldb", "fillsync", 4); r = med(num, "rocksdb", "fillsync", 4); s = med(num, "strata", "fillsync", 4)
          printf "| fillsync ÷ raw fdatasync | %s | %s | %s | | | | | |\n", ratio(l, raw), ratio(r, raw), ratio(s, raw)
        }
        l = med(num, "leveldb", "write_amp", 4); r = med(num, "rocksdb", "write_amp", 4); s = med(num, "strata", "write_amp", 4)
        printf "| write amplification (wchar ÷ user bytes) | %s | %s | %s | %s | %s | | | |\n", fmt(l, "%.2f"), fmt(r, "%.2f"), fmt(s, "%.2f"), ratio(s, l), ratio(s, r)
        l = med(num, "leveldb", "disk_bytes", 4); r = med(num, "rocksdb", "disk_bytes", 4); s = med(num, "strata", "disk_bytes", 4)
        printf "| disk after run (MB) | %s | %s | %s | %s | %s | | | |\n", fmtdiv(l, 1e6, "%.1f"), fmtdiv(r, 1e6, "%.1f"), fmtdiv(s, 1e6, "%.1f"), ratio(s, l), ratio(s, r)
        l = med(num, "leveldb", "peak_rss_kb", 4); r = med(num, "rocksdb", "peak_rss_kb", 4); s = med(num, "strata", "peak_rss_kb", 4)
        printf "| peak RSS (MB) | %s | %s | %s | %s | %s | | | |\n", fmtdiv(l, 1024, "%.0f"), fmtdiv(r, 1024, "%.0f"), fmtdiv(s, 1024, "%.0f"), ratio(s, l), ratio(s, r)
        l = med(num, "leveldb", "peak_anon_rss_kb", 4); r = med(num, "rocksdb", "peak_anon_rss_kb", 4); s = med(num, "strata", "peak_anon_rss_kb", 4)
        printf "| peak anonymous RSS (MB) | %s | %s | %s | %s | %s | | | |\n", fmtdiv(l, 1024, "%.0f"), fmtdiv(r, 1024, "%.0f"), fmtdiv(s, 1024, "%.0f"), ratio(s, l), ratio(s, r)
        print ""
        if (raw != "")
          printf "Raw floor for fillsync: one write(2) of a 120 B record + fdatasync per op, %.0f ops/s (p50 / p99 %s µs).\n\n", raw, lat(num, "raw", "fillsync")
      }
    }' "$RESULTS"
  echo "Ratios above 1 are better for Strata in the ops/s rows and worse in the write"
  echo "amplification, disk and RSS rows. Latencies include the benchmark loop (one clock read"
  echo "per op)."
  # Every engine sees the same key sequence, so the keys found and scanned must agree.
  local mismatch
  mismatch=$(awk -F'\t' '{ k = $1 " keys, round " $2 ", " $4; if (k in f && f[k] != $5) bad[k] = 1; f[k] = $5; all[k] = all[k] " " $3 "=" $5 }
                END { for (k in bad) print k ":" all[k] }' "$FOUND")
  if [ -n "$mismatch" ]; then
    echo
    echo "**WARNING: the engines disagree on how many keys exist (a correctness bug):**"
    echo "$mismatch" | sed 's/^/- /'
  fi
  if [ -s "$FAILED" ]; then
    echo
    echo "**Runs that failed (their rows are missing or partial):**"
    sed 's/^/- /' "$FAILED"
  fi
}
if [ -n "$OUT" ]; then report | tee "$OUT"; else report; fi
