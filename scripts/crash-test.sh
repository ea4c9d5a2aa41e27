#!/usr/bin/env bash
# Long crash torture: SIGKILL the server at random moments under pipelined overwrite/delete
# load (with a small memtable, so flushes and compactions are in flight), restart, and check
# that every acknowledged write is there, for appendfsync always, everysec and no.
#   scripts/crash-test.sh [cycles-per-mode] [max-ms-per-cycle]     (default 100 cycles, 3000 ms)
# `make test` runs the same test with 3 cycles per mode.
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${1:-100}
MS=${2:-3000}
make --no-print-directory all build/tests/integration_tests >/dev/null
STRATA_CRASH_CYCLES=$CYCLES STRATA_CRASH_MS=$MS \
  build/tests/integration_tests --gtest_filter='*CrashTorture*'
