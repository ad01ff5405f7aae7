#!/usr/bin/env bash
# setup.sh - makes tests/interop ready to run: checks that Node.js and npm are
# there (tuf-js 5 needs Node ^20.17 or >=22.9) and installs the locked
# dependencies (package-lock.json) with `npm ci` when node_modules is missing
# or does not hold the locked tuf-js version.  npm's own cache (~/.npm) makes
# a repeated install cheap; concurrent runs are serialised with flock.
#
#   bash tests/interop/setup.sh        exit 0: ready; exit 1: why not, on stderr
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() { echo "tests/interop/setup.sh: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 ||
	die "node (Node.js >= 20.17) is not installed; the tuf-js interop test needs it (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 ||
	die "npm is not installed; the tuf-js interop test needs it (Debian: apt-get install npm)"
node -e '
const [maj, min] = process.versions.node.split(".").map(Number);
process.exit((maj === 20 && min >= 17) || (maj === 22 && min >= 9) || maj > 22 ? 0 : 1);' ||
	die "node $(node --version) is too old: tuf-js 5 needs ^20.17.0 or >=22.9.0"

# Installed tuf-js is the locked one?
ready() {
	(cd "$here" && node -e '
const fs = require("fs");
const want = JSON.parse(fs.readFileSync("package-lock.json")).packages["node_modules/tuf-js"].version;
let have = null;
try { have = JSON.parse(fs.readFileSync("node_modules/tuf-js/package.json")).version; } catch (e) {}
process.exit(have === want ? 0 : 1);') 2>/dev/null
}

ready && exit 0
exec 9>"$here/.setup.lock"
flock 9
ready && exit 0
echo "tests/interop/setup.sh: installing locked dependencies (npm ci)" >&2
(cd "$here" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error) >&2 ||
	die "npm ci failed in $here (is the npm registry reachable, or the package in ~/.npm?)"
ready || die "npm ci finished but node_modules/tuf-js is not the locked version"
