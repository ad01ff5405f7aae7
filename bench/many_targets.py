#!/usr/bin/env python3
"""Benchmark (b), driven by bench/many_targets.sh.

Two repositories built by ward-mkrepo, 100,000 targets each:
  one role   "targets": {"synthetic": 100000}             -> targets.json ~26 MB
  hash bins  "targets": {"hash_bins": {"count": 256, "keys": ["bins"],
                                       "synthetic": 100000}}  -> 256 bins of ~100 KB
ward-mkrepo lists synthetic targets without writing them; a synthetic
target's content is its own name, so this script writes the one looked up
(NAME and HASH.NAME) into the repository's targets/.

Each client starts from a fresh metadata directory with 1.root.json and
refreshes, looks up TARGET (walking the delegations in the hash-bin case)
and downloads and verifies it:
  ward:   ward client init, then ward client download (which refreshes)
  tuf-js: tests/interop/client.mjs (Updater.refresh, getTargetInfo,
          downloadTarget)
Goals: ward >= 10x faster; ward peak RSS <= 2x the largest metadata file.

tuf-js 5 (@tufjs/models 4.1.1) parses a targets role in time quadratic in
its number of targets (targetsFromJSON and targetsToJSON build the map with
`reduce((acc, ...) => ({...acc, [path]: ...}))`, copying it per entry), so
with 100,000 targets in one role it does not finish in any reasonable time
(~80 min extrapolated here).  That case runs tuf-js once with a limit
(TUFJS_LIMIT seconds, default 300) and reports it as not finished; a
scaling table (SCALING="2500 5000 10000" targets, one run each) shows the
growth."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

N = int(os.environ.get("TARGETS", "100000"))
LIMIT = int(os.environ.get("TUFJS_LIMIT", "300"))
SCALING = [int(x) for x in os.environ.get("SCALING", "2500 5000 10000").split()]
TARGET = "file-%07d.bin" % (N * 54321 // 100000)
ROLES = {"root": {"keys": ["root1"]}, "timestamp": {"keys": ["ts1"]},
         "snapshot": {"keys": ["snap1"]}, "targets": {"keys": ["tgt1"]}}


def build(tmp, name, targets, target=None):
    target = target or TARGET
    spec = {"expires": "2099-01-01T00:00:00Z", "root": {"roles": ROLES}, "targets": targets}
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(spec, f)
    repo = os.path.join(tmp, name)
    subprocess.run([B.MKREPO, os.path.join(tmp, "keys"), repo, path], check=True)
    data = target.encode()
    for rel in (target, hashlib.sha256(data).hexdigest() + "." + target):
        with open(os.path.join(repo, "targets", rel), "wb") as f:
            f.write(data)
    meta = os.path.join(repo, "metadata")
    largest = max((os.path.getsize(os.path.join(meta, f)), f) for f in os.listdir(meta))
    return repo, largest


def clients(tmp, repo, url, target, tufjs_limit=None, ward_limit=None):
    root = os.path.join(repo, "metadata", "1.root.json")
    wd, wo = os.path.join(tmp, "ward-md"), os.path.join(tmp, "ward-out")
    td, to = os.path.join(tmp, "tufjs-md"), os.path.join(tmp, "tufjs-out")

    def fresh(*dirs):
        return lambda: [shutil.rmtree(d, ignore_errors=True) for d in dirs]

    def check(out_dir):
        def f(_):
            with open(os.path.join(out_dir, target), "rb") as fh:
                if fh.read() != target.encode():
                    raise RuntimeError("wrong bytes in " + out_dir)
        return f

    ward = B.Client("ward", lambda: [
        [B.WARD, "client", "init", "-q", "-d", wd, root],
        [B.WARD, "client", "download", "-d", wd, "-m", url + "/metadata",
         target, url + "/targets", wo]], fresh(wd, wo), check(wo), ward_limit)
    tufjs = B.Client("tuf-js", lambda: [
        ["node", B.CLIENT_MJS, "--metadata-dir", td, "--root", root,
         "--metadata-url", url + "/metadata", "--targets-url", url + "/targets",
         "--out", to, target]], fresh(td, to), check(to), tufjs_limit)
    return ward, tufjs


def main():
    tmp = tempfile.mkdtemp(prefix="ward-bench-b-")
    print("## (b) %d targets: cold refresh + lookup + download of one\n" % N)
    print("machine: %s  \ntarget looked up: %s, %d runs (median), 1 warm-up each, "
          "server bench/httpd_nodelay.py\n" % (B.machine(), TARGET, B.RUNS))
    floor = B.ward_floor_rss()
    try:
        for name, targets, limit in (
                ("one targets role", {"synthetic": N}, LIMIT),
                ("256 hash bins", {"hash_bins": {"count": 256, "keys": ["bins"],
                                                 "synthetic": N}}, None)):
            repo, (lsize, lname) = build(tmp, name.replace(" ", "-"), targets)
            with B.http_server(repo) as url:
                ward, tufjs = clients(tmp, repo, url, TARGET, limit)
                B.compare([ward, tufjs])
            print("### %s (largest metadata file: %s, %s bytes)\n"
                  % (name, lname, format(lsize, ",")))
            print(B.table([ward, tufjs], ward))
            ratio = ("> %.0f×" % (LIMIT / ward.wall)) if tufjs.dnf else \
                ("%.1f×" % (tufjs.wall / ward.wall))
            print("\ntuf-js ÷ ward: **%s time** (goal ≥ 10×); ward peak RSS ÷ largest "
                  "metadata file: **%.2f×** (goal ≤ 2×); ward peak RSS above its floor "
                  "(`ward --help`, %s) ÷ largest metadata file: %.2f×\n" % (
                      ratio, ward.peak * 1024 / lsize, B.fmt_kib(floor),
                      (ward.peak - floor) * 1024 / lsize))
            shutil.rmtree(repo)

        if SCALING:
            print("### one targets role, growing (one run each, no warm-up)\n")
            print("| targets | targets.json | ward | tuf-js | tuf-js ÷ ward |")
            print("|---|---|---|---|---|")
            for n in SCALING:
                t = "file-%07d.bin" % (n // 2)
                repo, (lsize, _) = build(tmp, "scale-%d" % n, {"synthetic": n}, t)
                with B.http_server(repo) as url:
                    ward, tufjs = clients(tmp, repo, url, t, LIMIT, LIMIT)
                    B.compare([ward, tufjs], runs=1)
                tj = ("> %d s" % LIMIT) if tufjs.dnf else B.fmt_s(tufjs.wall)
                print("| %s | %s bytes | %s | %s | %s |" % (
                    format(n, ","), format(lsize, ","), B.fmt_s(ward.wall), tj,
                    "-" if tufjs.dnf else "%.0f×" % (tufjs.wall / ward.wall)))
                shutil.rmtree(repo)
            print()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
