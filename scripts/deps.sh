#!/usr/bin/env bash
# deps.sh - installs what ward needs to build and test on Debian 12, and
# nothing that is already there.  Safe to run repeatedly.
set -euo pipefail

PKGS=(
  build-essential meson ninja-build pkg-config
  libssl-dev libcurl4-openssl-dev libjansson-dev libcmocka-dev
  libgfshare-dev libp11-kit-dev softhsm2 opensc
  libarchive-dev libyaml-dev libcrypt-dev
  clang libclang-rt-14-dev llvm
  python3 openssl strace curl ca-certificates debootstrap
  libfdt-dev u-boot-tools device-tree-compiler bison flex
  libext2fs-dev e2fsprogs libsquashfs-dev squashfs-tools squashfs-tools-ng
  arm-trusted-firmware-tools xz-utils zstd lz4
)
if [ "${WARD_WITH_NODE:-1}" = 1 ]; then
  command -v node >/dev/null 2>&1 || PKGS+=(nodejs npm)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || true
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
