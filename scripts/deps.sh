#!/usr/bin/env bash
# Installs the Debian packages Strata needs to build, test and benchmark. Idempotent: a
# package that is already installed is skipped, and nothing runs when all are present.
# Works as root; uses sudo otherwise.
set -euo pipefail

# build + run:  g++, make, libuv (event loop), spdlog (logging), xxhash (checksums),
#               lz4/zstd (SSTable block compression), Lua 5.1 (EVAL: the Lua Redis embeds;
#               lua-cjson and lua-bitop give scripts Redis's cjson and bit libraries),
#               libssl-dev (libcrypto's SHA1 for script names)
# tests:        gtest, hiredis (integration client), redis-tools (redis-cli, redis-benchmark),
#               redis-server (the reference the compatibility tests compare against),
#               python3-redis (redis-py for /usr/bin/python3: the client-library test),
#               clang + libclang-rt-14-dev (libFuzzer runtime for the fuzz targets)
# benchmarks:   leveldb, rocksdb (linked only into bench/), gnuplot-nox (stall plot)
PKGS=(g++ make pkg-config libuv1-dev libspdlog-dev libxxhash-dev liblz4-dev libzstd-dev
      liblua5.1-0-dev lua-cjson lua-bitop libssl-dev libgtest-dev libhiredis-dev redis-tools redis-server python3-redis clang libclang-rt-14-dev)
if [ "${1:-}" = "--bench" ]; then
  PKGS+=(libleveldb-dev librocksdb-dev gnuplot-nox)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts redis-server on 6379 when it is installed; that port is Strata's default,
# and the tests start their own reference server on a free port, so stop the service.
if printf '%s\n' "${missing[@]}" | grep -qx redis-server; then
  ($SUDO service redis-server stop || $SUDO pkill -x redis-server) >/dev/null 2>&1 || true
fi
