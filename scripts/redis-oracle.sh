#!/usr/bin/env bash
# Asks the reference redis-server how it answers raw bytes: the oracle behind the expectations
# in tests/integration/. Starts a throwaway redis-server (the integration harness's Redis-flavor
# arguments) on a free port and a temp dir, sends each request on a fresh connection, and
# prints the exact reply bytes (sed -n l: \r, \000, $ = end of line) and whether the server
# closed the connection. Run by hand; the tests never call it.
#
#   scripts/redis-oracle.sh 'PING\r\n' '*2\r\n$3\r\nGET\r\n$-5\r\n' 'HELLO 3\r\nGET x\r\n'
#   scripts/redis-oracle.sh -a --requirepass -a pw 'GET a\r\n'     # extra server arguments
#   WAIT=2 scripts/redis-oracle.sh ...                               # seconds to wait per reply
#   SERVER=/path/to/strata-server scripts/redis-oracle.sh ...        # ask Strata instead
#
# Requests are expanded by printf %b, so \r \n \0 \xHH work. Needs bash (/dev/tcp) and timeout.
set -euo pipefail

SERVER=${SERVER:-/usr/bin/redis-server}
WAIT=${WAIT:-0.5}
extra=()
while getopts "a:" opt; do
  case $opt in
    a) extra+=("$OPTARG") ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { sed -n '2,13p' "$0"; exit 2; }

dir=$(mktemp -d /tmp/redis-oracle-XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

if [ "$(basename "$SERVER")" = redis-server ]; then
  flavor=(--save '' --appendonly yes --enable-debug-command yes --daemonize no)
else
  flavor=(--logfile "$dir/server.log" --enable-debug-command yes)
fi

ready() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  ready "$port" && continue  # taken
  "$SERVER" --port "$port" --bind 127.0.0.1 --dir "$dir" --appendfsync everysec \
    "${flavor[@]}" "${extra[@]}" >"$dir/stdout.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    ready "$port" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  ready "$port" && break
  wait "$pid" 2>/dev/null || true
  pid=""
done
[ -n "$pid" ] || { echo "could not start $SERVER:"; tail -20 "$dir"/*.log; exit 1; }
echo "# $("$SERVER" --version 2>/dev/null | head -1) on port $port"

for req in "$@"; do
  out="$dir/reply"
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf '%b' "$req" >&3 || true
  state=closed
  timeout "$WAIT" cat <&3 >"$out" || { [ $? -eq 124 ] && state=open; }
  exec 3>&-
  echo "== $req"
  LC_ALL=C sed -n l "$out"
  echo "-- connection $state"
done
