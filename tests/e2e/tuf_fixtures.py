#!/usr/bin/env python3
"""tuf_fixtures.py - every case of ../shared/tuf-fixtures/cases.json against
the real `ward` program, served over HTTP on 127.0.0.1: real repositories
that nobody on this project wrote (Sigstore production, go-tuf, python-tuf).

Each case starts from its trusted root and runs its steps against one
persistent client state; each step must give the expected outcome and, where
listed, the expected trusted versions."""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

FIX = os.path.join(harness.SHARED, "tuf-fixtures")


def run_case(res, base, case):
    name = case["name"]
    with tempfile.TemporaryDirectory() as tmp:
        meta = os.path.join(tmp, "metadata")
        rc, _, err = harness.ward("client", "init", "-q", "-d", meta,
                                  os.path.join(FIX, case["root"]))
        for i, step in enumerate(case["steps"]):
            label = "%s step %d" % (name, i + 1)
            if rc != 0:
                # no usable trusted root: every step must be a failure
                res.check(label + " (no trusted root: %s)" % err.strip(),
                          step["expect"] == "fail", "expected " + step["expect"])
                continue
            murl = "%s/%s" % (base, step["metadata"])
            turl = "%s/%s" % (base, step.get("targets", step["metadata"]))
            src, out, serr = harness.ward("client", "refresh", "-d", meta, "--time", step["time"],
                                          murl)
            ok = src == 0
            got_versions = harness.trusted_versions(out)
            outdir = os.path.join(tmp, "out")
            for target in step.get("get", []) if ok else []:
                drc, _, derr = harness.ward("client", "download", "-q", "-d", meta, "-m", murl,
                                            "--time", step["time"], target, turl, outdir)
                if drc != 0:
                    ok = False
                    serr = derr
                    break
            expect_ok = step["expect"] == "ok"
            res.check("%s: %s%s" % (label, step["expect"],
                                    "" if ok else " (" + serr.strip() + ")"),
                      ok == expect_ok, "expected %s, got %s: %s" % (step["expect"], "ok" if ok else "fail", serr.strip()))
            for role, v in step.get("versions", {}).items():
                res.check("%s: trusted %s v%d" % (label, role, v), got_versions.get(role) == v,
                          "got %s" % got_versions.get(role))


def main():
    with open(os.path.join(FIX, "cases.json")) as f:
        cases = json.load(f)["cases"]
    only = sys.argv[1:]
    res = harness.Results()
    with harness.http_server(FIX) as base:
        for case in cases:
            if only and case["name"] not in only:
                continue
            run_case(res, base, case)
    res.finish()


if __name__ == "__main__":
    main()
