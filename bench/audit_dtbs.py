#!/usr/bin/env python3
"""`ward audit` speed on device trees, driven by bench/audit_dtbs.sh.

Input: every .dtb of Debian bookworm's arm64 kernel package
(linux-image-<abi>-arm64-unsigned, the newest in the arm64 lists; 576
board device trees in 6.1.0-50), downloaded once and unpacked with
dpkg -x into the cache (bench/debcache.py).

  ward: one `ward audit --format json` with every .dtb as an input
        (all inputs of a run are one product; the report is discarded)
  dtc:  `dtc -q -I dtb -O dts -o /dev/null FILE` for each file, from one
        shell loop (dtc takes one input per run)

Goal (issue 4, item 7): ward <= 0.5 s for all of them."""

import glob
import json
import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import debcache  # noqa: E402

GOAL = 0.5


def main():
    pkg = debcache.newest_kernel_package()
    deb = debcache.fetch_deb(pkg)
    root = debcache.unpacked(deb)
    dtbs = sorted(glob.glob(os.path.join(root, "usr", "lib", "linux-image-*", "**", "*.dtb"),
                            recursive=True))
    if not dtbs:
        sys.exit("bench: no .dtb in " + deb)
    size = sum(os.path.getsize(f) for f in dtbs)
    largest = max(os.path.getsize(f) for f in dtbs)

    def check_ward(out):
        doc = json.loads(out)
        if doc["truncated"]:
            raise RuntimeError("ward audit: report truncated")
        check_ward.findings = len(doc["findings"])
        check_ward.files = len({f["file"] for f in doc["findings"]})
        check_ward.summary = doc["summary"]

    ward = B.Client("ward audit", lambda: [[B.WARD, "audit", "--format", "json", *dtbs]],
                    check=check_ward)
    loop = 'for f; do dtc -q -I dtb -O dts -o /dev/null "$f" || exit 1; done'
    dtc = B.Client("dtc -I dtb -O dts", lambda: [["sh", "-c", loop, "sh", *dtbs]])
    B.compare([ward, dtc])

    print("## `ward audit`: %d device trees\n" % len(dtbs))
    print("machine: %s  \ninput: %s, %d .dtb files under usr/lib/linux-image-*/, %s bytes "
          "(largest %s), page cache warm; %d runs (median), 1 warm-up each, alternating\n" % (
              B.machine(), os.path.basename(deb), len(dtbs), format(size, ","),
              format(largest, ","), B.RUNS))
    print("commands:\n\n```\n%s --format json DTB... > report\n"
          "sh -c %s sh DTB...\n```\n" % (
              shlex.join([os.path.basename(B.WARD), "audit"]), shlex.quote(loop)))
    print(B.table([ward, dtc], ward))
    print("\nward: %d findings on %d of the %d files (%s); floor (`ward --help`) %s  \n"
          "goal ward ≤ %.1f s: **%s** (median wall %s, median CPU %s); dtc ÷ ward: "
          "%.1f× wall, %.1f× CPU\n" % (
              check_ward.findings, check_ward.files, len(dtbs),
              ", ".join("%s %d" % kv for kv in check_ward.summary.items() if kv[1]),
              B.fmt_kib(B.ward_floor_rss()), GOAL, "met" if ward.wall <= GOAL else "missed",
              B.fmt_s(ward.wall), B.fmt_s(ward.cpu), dtc.wall / ward.wall,
              dtc.cpu / ward.cpu))


if __name__ == "__main__":
    main()
