#!/usr/bin/env python3
"""Benchmark (c), driven by bench/big_target.sh: `ward client download` of a
1 GiB target (refresh of a tiny repository, then the target streamed over
HTTP from bench/httpd_nodelay.py on 127.0.0.1, length-capped, every listed
hash checked, written, fsync'd and renamed) against `sha256sum` of the same
file from the page cache.  Throughput ratio = sha256sum time / ward time;
goal >= 0.9.

ward-mkrepo takes a target's bytes from its JSON spec, so the content is
text: base64 of random bytes, exactly SIZE_MIB MiB.  ward-mkrepo lists
sha256 and sha512 for every target and ward checks every listed hash, so
ward computes both; `sha256sum + sha512sum` (one after the other) is shown
too, and, for context, `openssl dgst -sha256` and curl fetching the target
to /dev/null (the server's and loopback's own speed)."""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

SIZE = int(os.environ.get("SIZE_MIB", "1024")) * 1024 * 1024
NAME = "images/big.img"


def main():
    tmp = tempfile.mkdtemp(prefix="ward-bench-c-", dir="/tmp")
    try:
        spec = os.path.join(tmp, "spec.json")
        h = hashlib.sha256()
        with open(spec, "w") as f:
            f.write('{"expires": "2099-01-01T00:00:00Z", "root": {"roles": {'
                    '"root": {"keys": ["root1"]}, "timestamp": {"keys": ["ts1"]}, '
                    '"snapshot": {"keys": ["snap1"]}, "targets": {"keys": ["tgt1"]}}}, '
                    '"targets": {"files": {"%s": {"content": "' % NAME)
            left, chunk = SIZE, 48 * 1024 * 1024  # 48 MiB of base64 per 36 MiB random
            while left:
                b = base64.b64encode(os.urandom(chunk // 4 * 3)).decode()[:left]
                h.update(b.encode())
                f.write(b)
                left -= len(b)
            f.write('"}}}}')
        repo = os.path.join(tmp, "repo")
        subprocess.run([B.MKREPO, os.path.join(tmp, "keys"), repo, spec], check=True)
        os.unlink(spec)
        digest = h.hexdigest()
        os.unlink(os.path.join(repo, "targets", NAME))  # consistent snapshots: HASH.NAME only
        src = os.path.join(repo, "targets", os.path.dirname(NAME),
                           digest + "." + os.path.basename(NAME))
        assert os.path.getsize(src) == SIZE
        root = os.path.join(repo, "metadata", "1.root.json")
        wd, wo = os.path.join(tmp, "ward-md"), os.path.join(tmp, "ward-out")

        with B.http_server(repo) as url:
            def prep():
                shutil.rmtree(wd, ignore_errors=True)
                shutil.rmtree(wo, ignore_errors=True)
                subprocess.run([B.WARD, "client", "init", "-q", "-d", wd, root], check=True)

            def check(_):
                if os.path.getsize(os.path.join(wo, NAME)) != SIZE:
                    raise RuntimeError("wrong size")

            ward = B.Client("ward client download", lambda: [
                [B.WARD, "client", "download", "-d", wd, "-m", url + "/metadata", NAME,
                 url + "/targets", wo]], prep, check)
            s256 = B.Client("sha256sum", lambda: [["sha256sum", src]])
            both = B.Client("sha256sum + sha512sum", lambda: [["sha256sum", src],
                                                              ["sha512sum", src]])
            ossl = B.Client("openssl dgst -sha256", lambda: [["openssl", "dgst", "-sha256", src]])
            curl = B.Client("curl -o /dev/null (transport only)", lambda: [
                ["curl", "-sS", "-f", "-o", "/dev/null",
                 url + "/targets/" + os.path.relpath(src, os.path.join(repo, "targets"))]])
            B.compare([ward, s256, both, ossl, curl])

        mib = SIZE / 1024 / 1024
        print("## (c) %d MiB target: ward download + verify vs sha256sum\n" % mib)
        print("machine: %s  \n%d runs (median), 1 warm-up each; the target is in the page "
              "cache; ward's output directory is on the same disk (/tmp)\n"
              % (B.machine(), B.RUNS))
        print("| command | median wall time | runs (s) | throughput | median CPU (user+sys) "
              "| peak RSS |")
        print("|---|---|---|---|---|---|")
        for c in (ward, s256, both, ossl, curl):
            print("| %s | %s | %s | %.0f MiB/s | %s | %s |" % (
                c.name, B.fmt_s(c.wall), " ".join("%.3f" % w for w in c.walls),
                mib / c.wall, B.fmt_s(c.cpu), B.fmt_kib(c.peak)))
        print("\nward throughput ÷ sha256sum throughput: **%.2f×** (goal ≥ 0.9×); "
              "÷ (sha256sum + sha512sum): %.2f×\n" % (s256.wall / ward.wall, both.wall / ward.wall))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
