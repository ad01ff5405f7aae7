#!/usr/bin/env bash
# Benchmark (b): a repository with 100,000 targets, once all in the top-level
# targets role and once spread over 256 hash-bin delegations
# (path_hash_prefixes); a cold refresh and the lookup + download of one
# target, ward vs tuf-js, over HTTP on 127.0.0.1.
#
#   bash bench/many_targets.sh               RUNS=5 BUILDTYPE=debugoptimized
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup tufjs
exec python3 "$BENCH_DIR/many_targets.py" "$@"
