# shellcheck shell=bash
# bench/lib.sh - sourced by bench/*.sh: builds ward, installs what the
# benchmarks need, then the benchmark's Python half (bench/*.py on
# bench/benchlib.py) does the measuring.
#
# Environment:
#   BUILDTYPE   meson buildtype of the ward under test (default debugoptimized,
#               the project default; release also makes sense)
#   BUILD_DIR   where to build it (default /tmp/ward-bench-$BUILDTYPE; an
#               existing build dir is reused and brought up to date)
#   RUNS        measured runs per client (default 5; the median is reported)

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC_DIR="$(cd "$BENCH_DIR/.." && pwd)"
BUILDTYPE="${BUILDTYPE:-debugoptimized}"
BUILD_DIR="${BUILD_DIR:-/tmp/ward-bench-$BUILDTYPE}"
RUNS="${RUNS:-5}"
export BENCH_DIR SRC_DIR BUILDTYPE BUILD_DIR RUNS

bench_die() { echo "bench: $*" >&2; exit 1; }

# Installs Debian packages that are missing (as root, or through sudo).
bench_need_pkg() { # COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	local sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	echo "bench: installing $2 (for $1)" >&2
	$sudo apt-get install -y -q "$2" >/dev/null 2>&1 ||
		{ $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q "$2" >/dev/null; } ||
		bench_die "cannot install $2"
}

bench_setup() { # tufjs | no-tufjs
	bench_need_pkg meson meson
	bench_need_pkg ninja ninja-build
	bench_need_pkg python3 python3
	[ -x /usr/bin/time ] || { command -v apt-get >/dev/null && bench_need_pkg /usr/bin/time time; }
	[ -x /usr/bin/time ] || bench_die "/usr/bin/time (Debian package 'time') is needed"
	if [ ! -f "$BUILD_DIR/build.ninja" ]; then
		meson setup "$BUILD_DIR" "$SRC_DIR" -Dbuildtype="$BUILDTYPE" >/dev/null ||
			bench_die "meson setup failed"
	fi
	ninja -C "$BUILD_DIR" >/dev/null || bench_die "build failed"
	local bt
	bt="$(meson introspect --buildoptions "$BUILD_DIR" |
		python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"][0])')"
	[ "$bt" = "$BUILDTYPE" ] || bench_die "$BUILD_DIR is a $bt build, not $BUILDTYPE (set BUILD_DIR)"
	export WARD_BIN="$BUILD_DIR/src/bin/ward/ward"
	export WARD_MKREPO="$BUILD_DIR/tests/tools/ward-mkrepo"
	if [ "${1:-}" = tufjs ]; then
		bash "$SRC_DIR/tests/interop/setup.sh" || bench_die "tuf-js is not ready"
	fi
	export PYTHONDONTWRITEBYTECODE=1
}
