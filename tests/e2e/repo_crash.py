#!/usr/bin/env python3
"""repo_crash.py - `ward repo publish` killed (SIGKILL from strace) at every
rename, fsync, write, link and unlink, for every occurrence until it
completes.  After each kill, a device that trusted the previous release
must still refresh successfully from the served directory (it sees the old
release or the new one, never a broken mix), and running publish again must
finish the job.

`ward repo add-targets` killed the same way (at every mkdir, write,
rename, fsync and syncfs): the staged change is the old one or the whole new
one, never a change naming files that are not staged, and running
add-targets again, signing and publishing delivers every file."""

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


def killed(args, syscall, n):
    p = subprocess.run(["strace", "-f", "-o", "/dev/null", "-e", "trace=" + syscall,
                        "-e", "inject=%s:signal=KILL:when=%d" % (syscall, n), harness.WARD, *args],
                       capture_output=True, text=True, timeout=120)
    return p.returncode in (137, -9) or "Killed" in p.stderr


def add_targets_crash(tmp, res):
    os.makedirs(os.path.join(tmp, "at"))
    rel = Release(os.path.join(tmp, "at"), res, token=False)
    rel.init()
    src = os.path.join(rel.tmp, "src")
    os.makedirs(os.path.join(src, "sub"))
    files = {"a.img": b"A" * 100, "b.img": b"B" * 3000, "sub/c.img": b"C" * 70000, "d.img": b"D" * 7}
    for name, data in files.items():
        with open(os.path.join(src, name), "wb") as f:
            f.write(data)
    pristine = os.path.join(rel.tmp, "pristine")
    shutil.copytree(rel.repo, pristine)
    kills = 0
    seen_left = False
    for syscall in ["mkdir", "write", "rename", "fsync", "syncfs"]:
        for n in range(1, 200):
            shutil.rmtree(rel.repo)
            shutil.copytree(pristine, rel.repo)
            if not killed(["repo", "add-targets", rel.repo, src, "--prefix", "fw"], syscall, n):
                break
            kills += 1
            label = "add-targets killed at %s #%d" % (syscall, n)
            # the change is the old state (no change) or whole: status reads it
            rc, out, err = ward("repo", "status", rel.repo)
            if rc != 0:
                res.check(label + ": status still reads the repository", False, err)
                continue
            sf = os.path.join(rel.repo, "staged", "files")
            left = [f for f in os.listdir(sf) if f.startswith(".incoming")] if os.path.isdir(sf) else []
            said = "interrupted-staging" in out or "interrupted add-target" in out
            if bool(left) != said:
                res.check(label + ": status says what an interrupted run left (%s)" % left, False, out)
            seen_left = seen_left or bool(left)
            # again, then the release goes out with every file
            rc, out, err = ward("repo", "add-targets", rel.repo, src, "--prefix", "fw")
            ok = rc == 0
            if ok:
                ok = rel.sign("alice", check=None)[0] == 0 and rel.sign("bob", check=None)[0] == 0
                rc2, _, err2 = rel.publish(check=None)
                ok = ok and rc2 == 0
                for name, data in files.items():
                    path = os.path.join(rel.repo, "published", "targets", "fw", name)
                    d = os.path.dirname(path)
                    got = [f for f in os.listdir(d) if f.endswith("." + os.path.basename(name))] \
                        if os.path.isdir(d) else []
                    if len(got) != 1 or open(os.path.join(d, got[0]), "rb").read() != data:
                        ok = False
            if not ok:
                res.check(label + ": add-targets again, sign, publish delivers every file", False,
                          out + err)
    res.check("add-targets was killed at %d distinct points, each recoverable" % kills, kills > 8)
    res.check("some kill left an interrupted batch, which status reported", seen_left)


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
        add_targets_crash(tmp, res)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res.finish()


if __name__ == "__main__":
    main()
