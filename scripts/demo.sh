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
kill "$srv_pid" 2>/dev/null; srv_pid=

# ---------------------------------------------------------------------------
say "5. The release side: three approvers, each with their own encrypted key"
mkdir -p "$work/people" "$work/online"
pw() { printf '%s\n%s\n' "demo passphrase for $1" "demo passphrase for $1"; }
for who in alice bob carol; do
  run "$ward" key generate --passphrase-fd 3 "$work/people/$who.key" 3< <(pw $who)
done
run "$ward" key generate -q --passphrase-fd 3 "$work/online/timestamp.key" 3< <(pw online)
run "$ward" key generate -q --passphrase-fd 3 "$work/online/snapshot.key" 3< <(pw online)
echo "(private keys are encrypted PKCS#8; \`openssl pkey\` reads them:)"
openssl pkey -in "$work/people/alice.key" -passin "pass:demo passphrase for alice" -noout -text 2>/dev/null | head -n 1

say "6. A repository where releases need 2 of 3 approvers"
run "$ward" repo init "$work/release" \
  --root-key "$work/people/alice.pub" --root-key "$work/people/bob.pub" --root-key "$work/people/carol.pub" \
  --root-threshold 2 \
  --targets-key "$work/people/alice.pub" --targets-key "$work/people/bob.pub" --targets-key "$work/people/carol.pub" \
  --targets-threshold 2 \
  --timestamp-key "$work/online/timestamp.key" --snapshot-key "$work/online/snapshot.key" \
  --passphrase-fd 3 3< <(printf 'demo passphrase for online\n%.0s' 1 2)
change="$work/release/staged/change.json"
sign() { run "$ward" repo sign "$change" --key "$work/people/$1.key" --passphrase-fd 3 3< <(pw "$1"); }
publish() { "$ward" repo publish "$work/release" --passphrase-fd 3 3< <(printf 'demo passphrase for online\n%.0s' 1 2); }
sign alice
sign bob
publish >/dev/null
echo "root v1 published, signed by alice and bob"
printf 'firmware image 2.0 for board A\n' > "$work/fw-2.0.img"
run "$ward" repo add-target "$work/release" firmware/board-a-2.0.img "$work/fw-2.0.img" \
  --custom '{"hardware":["board-a"],"version":"2.0"}'
sign alice
echo '$ ward repo publish (one signature only)'
set +e
publish
rc=$?
set -e
echo "exit status $rc: refused, one person cannot release to the fleet"
sign carol
echo '$ ward repo publish'
publish | grep "^published"
python3 tests/e2e/httpd.py --root "$work/release/published" --port 0 --port-file "$work/port2" &
srv_pid=$!
for _ in $(seq 100); do [ -s "$work/port2" ] && break; sleep 0.05; done
rbase="http://127.0.0.1:$(cat "$work/port2")"
run "$ward" client init -d "$work/device2" "$work/release/published/metadata/1.root.json"
run "$ward" client download -d "$work/device2" -m "$rbase/metadata" \
  firmware/board-a-2.0.img "$rbase/targets" "$work/device2-dl"

say "7. Root key rotation: carol's key is replaced by dave's; the device follows"
run "$ward" key generate -q --passphrase-fd 3 "$work/people/dave.key" 3< <(pw dave)
carol_id=$("$ward" key public --passphrase-fd 3 "$work/people/carol.key" 3< <(pw carol) | python3 -c 'import json,sys; print(next(iter(json.load(sys.stdin))))')
run "$ward" repo rotate "$work/release" root --add-key "$work/people/dave.pub" --remove-key "$carol_id"
sign alice
sign dave
set +e
publish >/dev/null 2>&1
echo "publish with alice+dave: exit $? (the old root's threshold needs a second old key)"
set -e
sign bob
publish | grep "^published"
run "$ward" client refresh -d "$work/device2" "$rbase/metadata"

say "8. An offline root key backed up as 3-of-5 shares, restored from three"
run "$ward" key backup --shares 5 --threshold 3 --passphrase-fd 3 "$work/people/alice.key" "$work/shares" 3< <(pw alice)
ls "$work/shares"
run "$ward" key restore --passphrase-fd 3 "$work/alice-restored.key" \
  "$work/shares/alice.share-1-of-5" "$work/shares/alice.share-3-of-5" "$work/shares/alice.share-5-of-5" \
  3< <(pw restored)
"$ward" key public --passphrase-fd 3 "$work/alice-restored.key" 3< <(pw restored) | head -c 80; echo " ..."
echo "(same keyid as alice.pub: the restored key is alice's)"
set +e
"$ward" key restore --passphrase-fd 3 "$work/x.key" "$work/shares/alice.share-1-of-5" "$work/shares/alice.share-2-of-5" 3< <(pw x)
echo "two shares: exit $? (refused)"
set -e

say "9. Repository status: the field report's mistakes as findings"
run "$ward" repo status "$work/release"
kill "$srv_pid" 2>/dev/null; srv_pid=

# ---------------------------------------------------------------------------
say "10. Before it ships: ward audit of a sample firmware (rootfs + U-Boot + env + DTB + OP-TEE)"
python3 scripts/sample_firmware.py "$work/firmware"
fw() { echo "$work/firmware/$1/rootfs" "$work/firmware/$1/boot/u-boot.config" \
       "$work/firmware/$1/boot/uboot.env" "$work/firmware/$1/boot/board.dtb" \
       "$work/firmware/$1/boot/tee.bin"; }
set +e
# shellcheck disable=SC2046
run "$ward" audit --fail-on high $(fw shipped)
rc=$?
set -e
echo "exit status $rc: findings at or above high block the release"
# shellcheck disable=SC2046
"$ward" audit --format sarif $(fw shipped) > "$work/audit.sarif"
echo "SARIF 2.1.0 for code-scanning dashboards: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["runs"][0]["results"]), "results")' "$work/audit.sarif")"
say "11. The same product, hardened"
# shellcheck disable=SC2046
run "$ward" audit --fail-on low $(fw hardened)
say "Demo complete"
