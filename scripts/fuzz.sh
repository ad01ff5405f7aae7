#!/usr/bin/env bash
# fuzz.sh - builds ward's libFuzzer targets with clang (ASan + UBSan) and runs
# each for FUZZ_SECONDS.  Any crash, leak, timeout or out-of-memory input is
# copied into fuzz/regress/<target>/ under a descriptive name, where the
# ordinary test suite replays it from then on; the script then exits 1.
#
#   FUZZ_SECONDS=30          seconds per target
#   FUZZ_TARGETS="json ..."  subset of: json metadata verify time shares pkcs11_uri change
#                            dtb env compose kconfig keys tokens accounts sshd rootfs waivers optee kernel fip
#   FUZZ_BUILD=build-fuzz    build directory (set up on first use)
#   FUZZ_JOBS=1              parallel fuzzing processes per target
#
# The growing corpus is kept in $FUZZ_BUILD/fuzz-corpus/<target>/, not in
# fuzz/corpus/: the checked-in seeds stay small and reviewable.  Needs clang
# and, on Debian 12, libclang-rt-14-dev.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

seconds=${FUZZ_SECONDS:-30}
targets=${FUZZ_TARGETS:-"json metadata verify time shares pkcs11_uri change dtb env compose kconfig keys tokens accounts sshd rootfs waivers optee kernel fip"}
build=${FUZZ_BUILD:-build-fuzz}
jobs=${FUZZ_JOBS:-1}

# Longest input worth trying per target: the largest real metadata in the
# seeds is ~7 KB (a Sigstore root); metadata goes past the 16 KiB timestamp
# limit so that refusal runs too; expiry strings are at most 40 bytes; a
# share of an RSA-3072 key is ~4 KB (an RSA-16384 one would approach the
# 64 KiB WARD_LIMIT_KEY_SHARE_BYTES, far too slow to mutate); URIs go just
# past PKCS11_URI_MAX (4096).  The audit's inputs: the seeds are under 3 KB
# (a FIT with an embedded DTB, a whole rootfs as "=== /path" files, PEM keys
# and OpenSSH keys); their limits (MiB per file) are far past what is worth
# mutating, so max_len stays a few times the largest seed.
max_len() {
  case $1 in
    json) echo 16384 ;;
    metadata) echo 20000 ;;
    verify) echo 8192 ;;
    time) echo 64 ;;
    shares) echo 8192 ;;
    pkcs11_uri) echo 4200 ;;
    change) echo 16384 ;;
    dtb | compose | keys | rootfs) echo 8192 ;;
    env | kconfig | tokens | accounts | sshd | waivers) echo 4096 ;;
    *) echo 4096 ;;
  esac
}

if [ ! -d "$build" ]; then
  CC=${CC:-clang} meson setup "$build" -Dfuzz=true -Dtests=false \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$build" $(for t in $targets; do printf 'fuzz/%s_fuzz ' "$t"; done)

export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
for t in $targets; do
  exe=$build/fuzz/${t}_fuzz
  work=$build/fuzz-corpus/$t
  artifacts=$build/fuzz-artifacts/$t
  regress=$top/fuzz/regress/$t
  mkdir -p "$work" "$artifacts" "$regress"
  extra=()
  [ "$jobs" -gt 1 ] && extra+=(-jobs="$jobs" -workers="$jobs")
  case $t in
    json | metadata | verify) extra+=(-dict="$top/fuzz/tuf.dict") ;;
    shares | pkcs11_uri | dtb | compose | env | keys) extra+=(-dict="$top/fuzz/$t.dict") ;;
    kconfig) extra+=(-dict="$top/fuzz/env.dict") ;;
    tokens) extra+=(-dict="$top/fuzz/keys.dict") ;;
    rootfs | sshd | accounts) extra+=(-dict="$top/fuzz/rootfs.dict") ;;
  esac
  printf '\n== fuzz %s for %ss ==\n' "$t" "$seconds"
  rc=0
  # The work corpus comes first: libFuzzer writes new inputs there only.
  "$exe" -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "${extra[@]}" \
    "$work" "$top/fuzz/corpus/$t" "$regress" || rc=$?
  found=0
  for f in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
    [ -f "$f" ] || continue
    base=$(basename "$f")
    kind=${base%%-*}
    found=1
    # A kept regression that still fails is reported, not kept twice.
    known=""
    for r in "$regress"/*; do
      if [ -f "$r" ] && cmp -s "$f" "$r"; then known=$(basename "$r"); break; fi
    done
    mv "$f" "$artifacts/kept-$base"
    if [ -n "$known" ]; then
      echo "fuzz.sh: $t: fuzz/regress/$t/$known still fails ($kind)"
      continue
    fi
    sum=$(sha1sum "$artifacts/kept-$base" | cut -c1-12)
    name="$kind-$(date -u +%Y%m%d)-$sum"
    cp "$artifacts/kept-$base" "$regress/$name"
    echo "fuzz.sh: $t: $kind kept as fuzz/regress/$t/$name"
    echo "         reproduce: $build/fuzz/${t}_fuzz fuzz/regress/$t/$name"
  done
  if [ $rc -ne 0 ] || [ $found -ne 0 ]; then
    echo "fuzz.sh: $t failed (exit $rc)"
    failed=1
  fi
done

if [ $failed -ne 0 ]; then
  echo "fuzz.sh: failures found (above); rename new fuzz/regress/ inputs after their bug"
  exit 1
fi
echo "fuzz.sh: no failures"
