#!/usr/bin/env bash
# redis-benchmark's default test list (no -t: PING, SET, GET, INCR, LPUSH, RPUSH, LPOP, RPOP,
# SADD, HSET, SPOP, ZADD, ZPOPMIN, LPUSH+LRANGE_100/300/500/600, MSET) against Strata and
# Debian's redis-server with the same durability (AOF everysec), at pipeline 1 and 16. Each
# pipeline depth runs on both servers alternately for several rounds, each round on fresh
# servers; the table shows the medians and the Strata/Redis ratio. Any error reply a test
# meets fails the script (the default list must run clean).
#
#   scripts/bench-types.sh [--quick] [--rounds N] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=0; ROUNDS=3; OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; ROUNDS=1 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
STRATA=${STRATA_SERVER:-build/strata-server}
[ -x "$STRATA" ] || { echo "build $STRATA first (make)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server missing: scripts/deps.sh" >&2; exit 1; }

N=200000
[ "$QUICK" = 1 ] && N=50000
WORK=$(mktemp -d /tmp/strata-bench-types.XXXXXX)
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ping() {
  for _ in $(seq 1 200); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server on port $1 did not start" >&2; return 1
}
start_server() {  # NAME -> PORT, PID
  local dir="$WORK/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  PORT=$(free_port)
  if [ "$1" = redis ]; then
    redis-server --port "$PORT" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly yes \
      --appendfsync everysec --daemonize no --logfile "$dir/log" &
  else
    "$STRATA" --port "$PORT" --bind 127.0.0.1 --dir "$dir" --appendfsync everysec \
      --logfile "$dir/log" &
  fi
  PID=$!
  PIDS+=("$PID")
  wait_ping "$PORT"
}

for round in $(seq 1 "$ROUNDS"); do
  for pipe in 1 16; do
    n=$N; [ "$pipe" = 1 ] && n=$((N / 4))
    for server in redis strata; do
      start_server "$server"
      out="$WORK/$server-$pipe-$round.csv"
      redis-benchmark -p "$PORT" -n "$n" -c 50 -P "$pipe" --csv > "$out" 2> "$WORK/err"
      if grep -qi "error" "$out" "$WORK/err"; then
        echo "redis-benchmark reported an error against $server (-P $pipe):" >&2
        grep -i "error" "$out" "$WORK/err" | head -5 >&2
        exit 1
      fi
      grep -v '^"test"' "$out" | awk -F',' -v s="$server" -v p="$pipe" \
        '{ gsub(/"/, ""); print s "\t" p "\t" $1 "\t" $2 }' >> "$RESULTS"
      kill "$PID" 2>/dev/null || true
      wait "$PID" 2>/dev/null || true
    done
  done
done

report() {
  echo "Strata $(git rev-parse --short HEAD 2>/dev/null) vs $(redis-server --version | cut -d' ' -f3) on $(nproc) cores, $(date -u +%F)"
  echo "redis-benchmark (default tests) -c 50 -n $N (P16) / $((N / 4)) (P1), both with appendonly"
  echo "everysec; medians of $ROUNDS round(s), servers alternated, fresh servers per run"
  echo
  printf '| test | Redis P1 | Strata P1 | ratio P1 | Redis P16 | Strata P16 | ratio P16 |\n'
  printf '|---|---:|---:|---:|---:|---:|---:|\n'
  awk -F'\t' '
    function median(arr, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
      return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
    }
    { if (!($3 in seen)) { seen[$3] = 1; order[++no] = $3 }
      k = $1 SUBSEP $2 SUBSEP $3; v[k, ++cnt[k]] = $4 }
    END {
      for (o = 1; o <= no; o++) {
        t = order[o]; line = "| " t
        for (p = 1; p <= 2; p++) {
          pipe = p == 1 ? 1 : 16
          for (s = 1; s <= 2; s++) {
            srv = s == 1 ? "redis" : "strata"; k = srv SUBSEP pipe SUBSEP t; n = cnt[k]
            for (i = 1; i <= n; i++) a[i] = v[k, i]
            m[s] = n ? median(a, n) : 0
          }
          line = line sprintf(" | %.0f | %.0f | %.2f", m[1], m[2], m[1] > 0 ? m[2] / m[1] : 0)
        }
        print line " |"
      }
    }' "$RESULTS"
}
if [ -n "$OUT" ]; then report | tee "$OUT"; else report; fi
