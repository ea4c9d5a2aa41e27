#!/usr/bin/env bash
# Peak RSS of Strata under a memory budget while it loads more data than the budget holds:
#   scripts/bench-memory.sh [--keys N] [--budget SIZE] [--quick] [--out FILE]
#   (defaults: 2000000 keys, 64mb; --quick: 500000 keys; --out: the report as markdown)
# Starts build/strata-server with --maxmemory BUDGET, loads KEYS distinct keys with 100-byte
# values through `redis-cli --pipe`, reads a sample back, and prints the peak RSS (VmHWM),
# the budget, and the overhead above it. Exits non-zero if a value reads back wrong.
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=2000000; BUDGET=64mb; OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keys) KEYS="$2"; shift ;;
    --budget) BUDGET="$2"; shift ;;
    --quick) KEYS=500000 ;;
    --out) OUT="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
STRATA=${STRATA_SERVER:-build/strata-server}
[ -x "$STRATA" ] || { echo "build $STRATA first (make)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/strata-mem.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$STRATA" --port "$PORT" --dir "$WORK/data" --logfile "$WORK/log" --maxmemory "$BUDGET" &
PID=$!
trap 'kill -9 $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

start=$(date +%s.%N)
python3 - "$KEYS" <<'PY' | redis-cli -p "$PORT" --pipe >/dev/null
import sys
n = int(sys.argv[1]); out = sys.stdout.buffer
val = b"v" * 100
for i in range(n):
    k = b"key:%012d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100\r\n%s\r\n" % (len(k), k, val))
PY
end=$(date +%s.%N)
dbsize=$(redis-cli -p "$PORT" dbsize)
bad=0
for i in 0 1 $((KEYS / 3)) $((KEYS / 2)) $((KEYS - 1)); do
  v=$(redis-cli -p "$PORT" get "$(printf 'key:%012d' "$i")")
  [ "$v" = "$(printf 'v%.0s' $(seq 1 100))" ] || bad=1
done
redis-benchmark -p "$PORT" -t get -n 200000 -r "$KEYS" -P 16 -q >/dev/null 2>&1 || true
hwm_kb=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
budget_b=$(redis-cli -p "$PORT" config get maxmemory | tail -1)
redis-cli -p "$PORT" info memory | grep -E '^strata_' | tr -d '\r'
report=$(python3 - "$KEYS" "$dbsize" "$hwm_kb" "$budget_b" "$start" "$end" <<'PY'
import sys
keys, dbsize, hwm_kb, budget, t0, t1 = sys.argv[1:]
hwm = int(hwm_kb) * 1024; budget = int(budget)
print(f"`scripts/bench-memory.sh --keys {keys}`: {dbsize} distinct keys with 100-byte values "
      f"loaded through `redis-cli --pipe` in {float(t1) - float(t0):.1f} s, then 200k random "
      f"GETs. Peak RSS {hwm / 2**20:.1f} MiB with `maxmemory` {budget / 2**20:.0f} MiB: "
      f"{(hwm - budget) / 2**20:.1f} MiB above the budget.")
PY
)
echo "$report"
[ -n "$OUT" ] && echo "$report" > "$OUT"
[ "$bad" = 0 ] || { echo "a value read back wrong" >&2; exit 1; }
