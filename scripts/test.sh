#!/usr/bin/env bash
# test.sh - runs every test of ward, on a fresh Debian 12 machine too:
#   1. installs what is missing (scripts/deps.sh)
#   2. gcc build with -Werror, the whole suite (unit, end-to-end, fuzz replay)
#   3. source checks: banned functions, each public header alone, exports
#   4. clang build with AddressSanitizer + UndefinedBehaviorSanitizer, the
#      whole suite again
#   5. each libFuzzer target for FUZZ_SECONDS (default 20)
# Set WARD_QUICK=1 to stop after step 3.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

bash scripts/deps.sh

step() { printf '\n== %s ==\n' "$*"; }

step "gcc build (-Werror)"
if [ ! -d build-ci ]; then
  CC=gcc meson setup build-ci -Dwerror=true >/dev/null
fi
ninja -C build-ci
step "test suite (gcc)"
meson test -C build-ci --print-errorlogs

step "source checks"
bash scripts/check-source.sh build-ci

[ "${WARD_QUICK:-0}" = 1 ] && exit 0

step "clang build with ASan + UBSan"
if [ ! -d build-asan ]; then
  CC=clang meson setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all >/dev/null
fi
ninja -C build-asan
step "test suite (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  meson test -C build-asan --print-errorlogs --timeout-multiplier 3

if [ -x scripts/fuzz.sh ] || [ -f scripts/fuzz.sh ]; then
  step "fuzzing (${FUZZ_SECONDS:-20} s per target)"
  FUZZ_SECONDS=${FUZZ_SECONDS:-20} bash scripts/fuzz.sh
fi
echo "all tests passed"
