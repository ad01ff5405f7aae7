#!/usr/bin/env python3
"""Benchmark (a), driven by bench/sigstore_refresh.sh: a cold refresh of the
Sigstore production repository from 1.root.json through root v15, the
registry.npmjs.org delegation and one target (registry.npmjs.org/keys.json),
by `ward client init` + `ward client download` and by tuf-js
(tests/interop/client.mjs), each run from a fresh metadata directory.

The fixture's metadata expired after it was captured, so both clients run at
the capture time 2026-08-21T19:25:56Z: ward with --time, tuf-js with
client.mjs --time (a replaced global Date; tuf-js has no reference-time
option).

Served twice: by tests/e2e/httpd.py as it is, and through
bench/httpd_nodelay.py (the same server with TCP_NODELAY), because httpd.py
as it is adds ~40 ms per keep-alive request (Nagle + delayed ACK) to both
clients.  A third row, curl fetching the same URLs over one connection,
is the server's own share.  The goal (ward >= 20x faster, >= 20x less memory) is judged on
the second.

ward fsyncs every file it accepts (38 fsync calls here); tuf-js fsyncs
nothing.  TMPDIR=/dev/shm puts both clients' directories on tmpfs, which
takes the disk out of the comparison."""

import hashlib
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

FIXTURE = os.environ.get("SIGSTORE_FIXTURE", os.path.join(
    B.SRC_DIR, "..", "shared", "tuf-fixtures", "sigstore", "prod-20260821"))
if not os.path.isdir(FIXTURE):
    FIXTURE = "/work/shared/tuf-fixtures/sigstore/prod-20260821"
WHEN = "2026-08-21T19:25:56Z"
TARGET = "registry.npmjs.org/keys.json"


def requests(target_hash):
    """The GETs of a cold refresh + download, in order: the floor any
    client pays to this server (the last root GET is a 404)."""
    meta = os.path.join(FIXTURE, "metadata")
    n = max(int(f.split(".")[0]) for f in os.listdir(meta) if f.endswith(".root.json"))
    gets = ["metadata/%d.root.json" % v for v in range(2, n + 2)] + ["metadata/timestamp.json"]
    with open(os.path.join(meta, "timestamp.json")) as f:
        sv = json.load(f)["signed"]["meta"]["snapshot.json"]["version"]
    gets.append("metadata/%d.snapshot.json" % sv)
    with open(os.path.join(meta, "%d.snapshot.json" % sv)) as f:
        sm = json.load(f)["signed"]["meta"]
    gets.append("metadata/%d.targets.json" % sm["targets.json"]["version"])
    gets.append("metadata/%d.registry.npmjs.org.json" % sm["registry.npmjs.org.json"]["version"])
    gets.append("targets/registry.npmjs.org/%s.keys.json" % target_hash)
    return gets


def main():
    root = os.path.join(FIXTURE, "metadata", "1.root.json")
    want = None
    for dirpath, _, names in os.walk(os.path.join(FIXTURE, "targets", "registry.npmjs.org")):
        for n in names:
            if n.endswith(".keys.json"):
                want = n.split(".", 1)[0]
    gets = requests(want)
    tmp = tempfile.mkdtemp(prefix="ward-bench-a-")
    print("## (a) Sigstore cold refresh + 1 target\n")
    print("machine: %s  \nfixture: %s, target %s, --time %s, %d runs (median), 1 warm-up each; "
          "metadata and output directories under %s (%s)\n"
          % (B.machine(), os.path.normpath(FIXTURE), TARGET, WHEN, B.RUNS,
             tempfile.gettempdir(), B.fstype(tempfile.gettempdir())))
    try:
        for label, httpd in (("httpd.py + TCP_NODELAY (bench/httpd_nodelay.py)", B.HTTPD_NODELAY),
                             ("tests/e2e/httpd.py as it is", B.HTTPD_PLAIN)):
            with B.http_server(FIXTURE, httpd) as url:
                wd, wo = os.path.join(tmp, "ward-md"), os.path.join(tmp, "ward-out")
                td, to = os.path.join(tmp, "tufjs-md"), os.path.join(tmp, "tufjs-out")

                def fresh(*dirs):
                    return lambda: [shutil.rmtree(d, ignore_errors=True) for d in dirs]

                def check(out_dir):
                    def f(_):
                        with open(os.path.join(out_dir, TARGET), "rb") as fh:
                            got = hashlib.sha256(fh.read()).hexdigest()
                        if got != want:
                            raise RuntimeError("wrong bytes in %s" % out_dir)
                    return f

                ward = B.Client("ward", lambda: [
                    [B.WARD, "client", "init", "-q", "-d", wd, root],
                    [B.WARD, "client", "download", "-d", wd, "-m", url + "/metadata",
                     "--time", WHEN, TARGET, url + "/targets", wo]], fresh(wd, wo), check(wo))
                tufjs = B.Client("tuf-js", lambda: [
                    ["node", B.CLIENT_MJS, "--metadata-dir", td, "--root", root,
                     "--metadata-url", url + "/metadata", "--targets-url", url + "/targets",
                     "--out", to, "--time", WHEN, TARGET]], fresh(td, to), check(to))
                curl = B.Client("curl, same GETs (no TUF)", lambda: [
                    ["curl", "-s", "-o", "/dev/null", *[url + "/" + u for u in gets]]])
                B.compare([ward, tufjs, curl])
                print("### server: %s\n" % label)
                print(B.table([ward, tufjs, curl], ward))
                print("\ntuf-js ÷ ward: **%.1f× time, %.1f× peak RSS** (goal ≥ 20× and ≥ 20×)\n"
                      % (tufjs.wall / ward.wall, tufjs.peak / ward.peak))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
