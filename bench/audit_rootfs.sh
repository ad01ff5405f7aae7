#!/usr/bin/env bash
# `ward audit` speed (issue 4, item 7): a debootstrap root filesystem
# (bookworm minbase with openssh-server, systemd-sysv and docker.io; about
# 575 MB) as an extracted tree with a warm page cache, against
# `grep -rIl 'PRIVATE KEY'` over the same tree, and as its .tar.gz against
# `gzip -dc`.  The archive is built once with debootstrap (root, network to
# deb.debian.org) into $WARD_CACHE_DIR (else ~/.cache/ward); the tree is
# extracted under $TMPDIR and removed afterwards.
#
#   bash bench/audit_rootfs.sh               RUNS=5 BUILDTYPE=release
#   ROOTFS_TARBALL=FILE bash bench/audit_rootfs.sh   another archive
: "${BUILDTYPE:=release}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup no-tufjs
exec python3 "$BENCH_DIR/audit_rootfs.py" "$@"
