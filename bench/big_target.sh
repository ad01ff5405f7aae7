#!/usr/bin/env bash
# Benchmark (c): download and verify a 1 GiB target over HTTP on 127.0.0.1
# with ward, against sha256sum of the same file (throughput ratio).  The
# repository and the download live under a temporary directory in /tmp
# (about 3 GiB at the peak) and are removed afterwards.
#
#   bash bench/big_target.sh                 RUNS=5 BUILDTYPE=debugoptimized
#   SIZE_MIB=256 bash bench/big_target.sh    a smaller target
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup no-tufjs
bench_need_pkg curl curl
exec python3 "$BENCH_DIR/big_target.py" "$@"
