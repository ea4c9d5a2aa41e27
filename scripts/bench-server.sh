#!/usr/bin/env bash
# Strata vs Debian's redis-server under redis-benchmark, same durability, same machine, same
# run. Each cell runs on both servers alternately (A B A B ...) for several rounds; the table
# shows medians and the Strata/Redis ratio. Absolute numbers drift between runs on a shared
# machine; the ratios measured side by side are what to quote.
#
#   scripts/bench-server.sh [--quick] [--fsync everysec|always] [--rounds N] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=0; FSYNCS="everysec always"; ROUNDS=3; OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; ROUNDS=1 ;;
    --fsync) FSYNCS="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
STRATA=${STRATA_SERVER:-build/strata-server}
[ -x "$STRATA" ] || { echo "build $STRATA first (make)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server missing: scripts/deps.sh" >&2; exit 1; }

N=1000000; NLOAD=1000000
[ "$QUICK" = 1 ] && { N=200000; NLOAD=200000; }
KEYS=1000000
WORK=$(mktemp -d /tmp/strata-bench.XXXXXX)
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }

wait_ping() {
  for _ in $(seq 1 200); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server on port $1 did not start" >&2; return 1
}

# start_server NAME FSYNC -> sets PORT and PID
start_server() {
  local name=$1 fsync=$2 dir="$WORK/$1-$2"
  rm -rf "$dir"; mkdir -p "$dir"
  PORT=$(free_port)
  if [ "$name" = redis ]; then
    redis-server --port "$PORT" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly yes \
      --appendfsync "$fsync" --daemonize no --logfile "$dir/log" &
  else
    "$STRATA" --port "$PORT" --bind 127.0.0.1 --dir "$dir" --appendfsync "$fsync" \
      --logfile "$dir/log" &
  fi
  PID=$!
  PIDS+=("$PID")
  wait_ping "$PORT"
}

peak_rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# run_cell SERVER FSYNC PORT CELL TEST PIPELINE N -> appends "server fsync cell rps p50 p99"
run_cell() {
  local server=$1 fsync=$2 port=$3 cell=$4 test=$5 pipe=$6 n=$7
  local csv
  csv=$(redis-benchmark -p "$port" -t "$test" -n "$n" -r "$KEYS" -d 100 -c 50 -P "$pipe" --csv 2>/dev/null |
        grep -v '^"test"' | head -1)
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  echo "$csv" | awk -F',' -v s="$server" -v f="$fsync" -v c="$cell" \
    '{gsub(/"/,""); print s "\t" f "\t" c "\t" $2 "\t" $5 "\t" $7}' >> "$RESULTS"
}

CELLS=("SET-P1 set 1" "GET-P1 get 1" "INCR-P1 incr 1" "MSET-P1 mset 1"
       "SET-P16 set 16" "GET-P16 get 16" "INCR-P16 incr 16" "MSET-P16 mset 16")

for fsync in $FSYNCS; do
  for round in $(seq 1 "$ROUNDS"); do
    for server in redis strata; do
      start_server "$server" "$fsync"; eval "PORT_$server=$PORT PID_$server=$PID"
    done
    for spec in "${CELLS[@]}"; do
      read -r cell test pipe <<< "$spec"
      n=$N; [ "$pipe" = 1 ] && n=$((N / 5))
      [ "$test" = mset ] && n=$((n / 5))
      for server in redis strata; do
        eval "port=\$PORT_$server"
        run_cell "$server" "$fsync" "$port" "$cell" "$test" "$pipe" "$n"
      done
    done
    # Read-after-load: every key of the range exists before GET runs.
    for server in redis strata; do
      eval "port=\$PORT_$server"
      redis-benchmark -p "$port" -t set -n "$NLOAD" -r "$KEYS" -d 100 -c 50 -P 64 -q >/dev/null 2>&1
    done
    for server in redis strata; do
      eval "port=\$PORT_$server"
      run_cell "$server" "$fsync" "$port" "GET-loaded-P16" get 16 "$N"
    done
    for server in redis strata; do
      eval "pid=\$PID_$server"
      printf '%s\t%s\tpeak-rss-kb\t%s\t0\t0\n' "$server" "$fsync" "$(peak_rss_kb "$pid")" >> "$RESULTS"
      kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    done
  done
done

report() {
  echo "Strata $(git rev-parse --short HEAD 2>/dev/null) vs $(redis-server --version | cut -d' ' -f3) on $(nproc) cores, $(date -u +%F)"
  echo "redis-benchmark -r $KEYS -d 100 -c 50; medians of $ROUNDS round(s), servers alternated"
  echo
  printf '| fsync | cell | Redis ops/s | Strata ops/s | ratio | Redis p50/p99 ms | Strata p50/p99 ms |\n'
  printf '|---|---|---:|---:|---:|---|---|\n'
  awk -F'\t' '
    function median(arr, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
      return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
    }
    { k = $2 SUBSEP $3; if (!(k in seen)) { seen[k] = 1; order[++no] = k }
      i = ++cnt[$1, k]; rps[$1, k, i] = $4; p50[$1, k, i] = $5; p99[$1, k, i] = $6 }
    END {
      for (o = 1; o <= no; o++) {
        k = order[o]; split(k, kk, SUBSEP)
        for (s = 1; s <= 2; s++) {
          srv = s == 1 ? "redis" : "strata"; n = cnt[srv, k]
          for (i = 1; i <= n; i++) { a[i] = rps[srv, k, i]; b[i] = p50[srv, k, i]; c[i] = p99[srv, k, i] }
          mr[s] = median(a, n); m50[s] = median(b, n); m99[s] = median(c, n)
        }
        ratio = mr[1] > 0 ? mr[2] / mr[1] : 0
        if (kk[2] == "peak-rss-kb")
          printf "| %s | peak RSS (MB) | %.0f | %.0f | %.2f | | |\n", kk[1], mr[1] / 1024, mr[2] / 1024, ratio
        else
          printf "| %s | %s | %.0f | %.0f | %.2f | %.3f / %.3f | %.3f / %.3f |\n", kk[1], kk[2], mr[1], mr[2], ratio, m50[1], m99[1], m50[2], m99[2]
      }
    }' "$RESULTS"
}
if [ -n "$OUT" ]; then report | tee "$OUT"; else report; fi
