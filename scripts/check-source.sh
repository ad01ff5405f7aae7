#!/usr/bin/env bash
# check-source.sh BUILD_DIR - the house rules a compiler does not check:
# banned functions, open/fopen without close-on-exec, each public header
# compiling alone, and libward.so exporting only ward_* symbols.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
fail=0

banned='\b(strcpy|strcat|strncpy|strncat|sprintf|vsprintf|gets|strtok|atoi|atol|sscanf|alloca)\s*\('
if grep -rnP "$banned" src include fuzz tests/unit tests/tools 2>/dev/null; then
  echo "check-source: banned function used (see STYLE.md)"; fail=1
fi
# open() must carry O_CLOEXEC, fopen() mode must carry "e"
if grep -rnP '\bopen\((?![^;]*O_CLOEXEC)[^;]*;' src | grep -v '^\s*\*'; then
  echo "check-source: open() without O_CLOEXEC"; fail=1
fi
if grep -rnP '\bfopen\([^,]*,\s*"[^"e]*"\)' src; then
  echo "check-source: fopen() without \"e\""; fail=1
fi

for h in include/ward/*.h; do
  if ! echo "#include \"${h#include/}\"" | cc -std=c17 -Wall -Wextra -Werror -Iinclude -x c -fsyntax-only -; then
    echo "check-source: $h does not compile alone"; fail=1
  fi
done

lib=$(find "$build" -maxdepth 1 -name 'libward.so.*.*' | head -n1)
if [ -n "$lib" ]; then
  bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | grep -v '^ward_' || true)
  if [ -n "$bad" ]; then
    echo "check-source: libward.so exports non-ward symbols:"; echo "$bad"; fail=1
  fi
fi
[ $fail = 0 ] && echo "source checks passed"
exit $fail
