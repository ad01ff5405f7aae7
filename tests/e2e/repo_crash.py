#!/usr/bin/env python3
"""repo_crash.py - `ward repo publish` killed (SIGKILL from strace) at every
rename, fsync, write, link and unlink, for every occurrence until it
completes.  After each kill, a device that trusted the previous release
must still refresh successfully from the served directory (it sees the old
release or the new one, never a broken mix), and running publish again must
finish the job."""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from repo import PASSPHRASE, Release, ward  # noqa: E402

SYSCALLS = ["rename", "fsync", "write", "link", "unlink"]


def killed_publish(repo, syscall, n):
    r, w = os.pipe()
    os.write(w, ((PASSPHRASE + "\n") * 8).encode())
    os.close(w)
    p = subprocess.run(["strace", "-f", "-o", "/dev/null", "-e", "trace=" + syscall,
                        "-e", "inject=%s:signal=KILL:when=%d" % (syscall, n),
                        harness.WARD, "repo", "publish", repo, "--passphrase-fd", str(r)],
                       capture_output=True, text=True, pass_fds=(r,), timeout=120)
    os.close(r)
    return p.returncode in (137, -9) or "Killed" in p.stderr


def main():
    if shutil.which("strace") is None:
        print("repo_crash.py: strace is required (scripts/deps.sh installs it)")
        sys.exit(1)
    res = harness.Results()
    tmp = tempfile.mkdtemp(prefix="ward-repo-crash-")
    try:
        rel = Release(tmp, res, token=False)
        rel.init()
        rel.sign("alice")
        rel.sign("bob")
        rel.publish()
        img = os.path.join(tmp, "fw.img")
        with open(img, "w") as f:
            f.write("firmware 2.0\n")
        ward("repo", "add-target", rel.repo, "firmware/a.img", img, check="ok")
        rel.sign("alice")
        rel.sign("bob")
        pristine = os.path.join(tmp, "pristine")
        shutil.copytree(rel.repo, pristine)
        served = os.path.join(tmp, "served")
        shutil.copytree(os.path.join(rel.repo, "published"), served)
        with harness.http_server(served) as url:
            device0 = os.path.join(tmp, "device0")
            harness.ward("client", "init", "-q", "-d", device0,
                         os.path.join(served, "metadata", "1.root.json"), check="ok")
            harness.ward("client", "refresh", "-q", "-d", device0, url + "/metadata", check="ok")
            kills = 0
            for syscall in SYSCALLS:
                for n in range(1, 400):
                    shutil.rmtree(rel.repo)
                    shutil.copytree(pristine, rel.repo)
                    if not killed_publish(rel.repo, syscall, n):
                        break
                    kills += 1
                    label = "publish killed at %s #%d" % (syscall, n)
                    shutil.rmtree(served)
                    shutil.copytree(os.path.join(rel.repo, "published"), served)
                    dev = os.path.join(tmp, "dev")
                    shutil.rmtree(dev, ignore_errors=True)
                    shutil.copytree(device0, dev)
                    rc, out, err = harness.ward("client", "refresh", "-d", dev, url + "/metadata")
                    if rc != 0:
                        res.check(label + ": served repository still works", False, err)
                    rc2, _, err2 = ward("repo", "publish", rel.repo)
                    shutil.rmtree(served)
                    shutil.copytree(os.path.join(rel.repo, "published"), served)
                    rc3, out3, err3 = harness.ward("client", "download", "-d", dev, "-m",
                                                   url + "/metadata", "firmware/a.img",
                                                   url + "/targets", os.path.join(tmp, "o"))
                    # killed after the commit point: nothing is left to publish
                    done_before = rc2 == harness.EXIT["notfound"] and "no staged change" in err2
                    if (rc2 != 0 and not done_before) or rc3 != 0:
                        res.check(label + ": publishing again completes the release", False,
                                  err2 + err3)
            res.check("publish was killed at %d distinct points, each recoverable" % kills,
                      kills > 10)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res.finish()


if __name__ == "__main__":
    main()
