#!/usr/bin/env bash
# demo.sh - ward end to end on 127.0.0.1, no configuration:
#   1. build a small TUF repository with libward (ward-mkrepo)
#   2. serve it over HTTP on 127.0.0.1
#   3. `ward client init`, `refresh`, `download`
#   4. a tampered target and a rolled-back timestamp are refused
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
WARD_WITH_NODE=0 bash scripts/deps.sh
if [ ! -d build ]; then meson setup build >/dev/null; fi
ninja -C build >/dev/null

ward=$top/build/src/bin/ward/ward
mkrepo=$top/build/tests/tools/ward-mkrepo
work=$(mktemp -d /tmp/ward-demo.XXXXXX)
srv_pid=
cleanup() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "1. A repository: root, targets, snapshot, timestamp; one firmware image"
# Online roles expire in a week, as a real repository's would; root in 5 years.
ts_expires=$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)
root_expires=$(date -u -d '+5 years' +%Y-%m-%dT%H:%M:%SZ)
cat > "$work/v1.json" <<JSON
{
  "expires": "$root_expires",
  "root": {"version": 1, "roles": {
    "root": {"keys": ["root-a", "root-b"], "threshold": 2},
    "timestamp": {"keys": ["timestamp"]},
    "snapshot": {"keys": ["snapshot"]},
    "targets": {"keys": ["targets"]}}},
  "targets": {"version": 1, "files": {
    "firmware/board-a-1.0.img": {"content": "firmware image 1.0 for board A\n",
                                  "custom": {"hardware": ["board-a"], "version": "1.0"}}}},
  "snapshot": {"version": 1, "expires": "$ts_expires"},
  "timestamp": {"version": 1, "expires": "$ts_expires"}
}
JSON
run "$mkrepo" "$work/keys" "$work/repo" "$work/v1.json"
ls "$work/repo/metadata"

say "2. Serve it on 127.0.0.1"
python3 tests/e2e/httpd.py --root "$work/repo" --port 0 --port-file "$work/port" &
srv_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$work/port")"
echo "serving $base"

say "3. A device trusts root v1 and updates"
run "$ward" client init -d "$work/device/metadata" "$work/repo/metadata/1.root.json"
run "$ward" client refresh -d "$work/device/metadata" "$base/metadata"
run "$ward" client download -d "$work/device/metadata" -m "$base/metadata" \
  firmware/board-a-1.0.img "$base/targets" "$work/device/downloads"
cat "$work/device/downloads/firmware/board-a-1.0.img"

say "4a. Attack: the server's copy of the image is replaced"
rm -rf "$work/device/downloads"
for f in "$work"/repo/targets/firmware/*board-a-1.0.img; do
  printf 'firmware image 1.0 for board A\x00' > "$f"   # same length, different bytes
done
set +e
run "$ward" client download -d "$work/device/metadata" -m "$base/metadata" \
  firmware/board-a-1.0.img "$base/targets" "$work/device/downloads"
rc=$?
set -e
echo "exit status $rc (10 = verification failed); nothing was written:"
ls "$work/device/downloads/firmware" 2>/dev/null | grep -v '^\.' || echo "  (no file)"

say "4b. Attack: release v2 is published, then the server is rolled back to v1"
cp "$work/repo/metadata/timestamp.json" "$work/timestamp-v1.json"
sed -e 's/"version": 1,\( "expires"\)/"version": 2,\1/g' "$work/v1.json" > "$work/v2.json"
run "$mkrepo" "$work/keys" "$work/repo" "$work/v2.json"
run "$ward" client refresh -d "$work/device/metadata" "$base/metadata"
cp "$work/repo/metadata/timestamp.json" "$work/timestamp-v2.json"
cp "$work/timestamp-v1.json" "$work/repo/metadata/timestamp.json"
set +e
run "$ward" client refresh -d "$work/device/metadata" "$base/metadata"
rc=$?
set -e
echo "exit status $rc (12 = rollback refused); the device still trusts v2."

say "4c. Attack: the server keeps serving the same metadata for a month (freeze)"
cp "$work/timestamp-v2.json" "$work/repo/metadata/timestamp.json"
set +e
run "$ward" client refresh -d "$work/device/metadata" --time "$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)" "$base/metadata"
rc=$?
set -e
echo "exit status $rc (11 = expired)"
say "Demo complete"
