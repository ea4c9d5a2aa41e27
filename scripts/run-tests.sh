#!/usr/bin/env bash
# Runs GoogleTest binaries one after another and prints one closing line for them all:
# "N passed, N failed, N skipped". An argument may be "VAR=value ... binary" to run that
# binary with those variables set (e.g. the integration tests against another server build).
# Exits non-zero if any test failed or any binary crashed.
set -uo pipefail
passed=0; failed=0; skipped=0; crashed=0
for bin in "$@"; do
  echo "=== $bin"
  out=$(mktemp)
  read -ra cmd <<< "$bin"   # an entry may start with VAR=value words
  env "${cmd[@]}" --gtest_brief=1 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$out" | grep -Eo '[0-9]+$' || echo 0)
  f=$(grep -Eo '^\[  FAILED  \] [0-9]+ test' "$out" | grep -Eo '[0-9]+' || echo 0)
  k=$(grep -Eo '^\[  SKIPPED \] [0-9]+' "$out" | grep -Eo '[0-9]+$' || echo 0)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${k:-0}))
  if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
    echo "!!! $bin exited with $rc without a failed test (crash?)"; crashed=$((crashed + 1))
  fi
  rm -f "$out"
done
echo "tests: $passed passed, $((failed + crashed)) failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$crashed" -eq 0 ]
