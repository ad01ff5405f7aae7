#!/usr/bin/env bash
# `ward audit` speed (issue 4, item 7): every board device tree of Debian
# bookworm's arm64 kernel package (576 .dtb in 6.1.0-50) in one `ward audit`,
# against `dtc -I dtb -O dts` over the same files.  The package is
# downloaded once from deb.debian.org through a private APT configuration
# into $WARD_CACHE_DIR (else ~/.cache/ward) and unpacked there with dpkg -x.
#
#   bash bench/audit_dtbs.sh                 RUNS=5 BUILDTYPE=release
: "${BUILDTYPE:=release}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup no-tufjs
bench_need_pkg dtc device-tree-compiler
bench_need_pkg dpkg dpkg
exec python3 "$BENCH_DIR/audit_dtbs.py" "$@"
