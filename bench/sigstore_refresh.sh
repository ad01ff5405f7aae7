#!/usr/bin/env bash
# Benchmark (a): cold refresh of the Sigstore production repository
# (root 1 -> 15, timestamp, snapshot, targets, the registry.npmjs.org
# delegation) and one target, ward vs tuf-js, both over HTTP on 127.0.0.1
# from shared/tuf-fixtures/sigstore/prod-20260821.
#
#   bash bench/sigstore_refresh.sh           RUNS=5 BUILDTYPE=debugoptimized
#   BUILDTYPE=release bash bench/sigstore_refresh.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup tufjs
bench_need_pkg curl curl
exec python3 "$BENCH_DIR/sigstore_refresh.py" "$@"
