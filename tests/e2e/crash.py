#!/usr/bin/env python3
"""crash.py - power loss at every step.  `ward client refresh` and
`download` are killed (SIGKILL, injected by strace) at the Nth call of each
system call that touches the trusted store or the output directory, for
every N until the command completes.  After each kill:
  - every ROLE.json in the metadata directory is byte-for-byte a file the
    repository published (never a torn or partial write);
  - no partial target sits at its final path;
  - an ordinary refresh/download then succeeds with the new versions."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from attacks import IMG, IMG_V2, NOW, Repo, base_spec  # noqa: E402

SYSCALLS = ["openat", "write", "fsync", "rename", "unlink", "close"]


def published(repo):
    """All metadata bytes the repository ever published."""
    out = set()
    for name in os.listdir(repo.meta):
        with open(os.path.join(repo.meta, name), "rb") as f:
            out.add(f.read())
    return out


def killed_run(args, syscall, n):
    """Runs ward under strace, killing it at the nth `syscall`.  Returns
    True if the kill happened (False: the command finished first)."""
    p = subprocess.run(["strace", "-f", "-o", "/dev/null", "-e", "trace=" + syscall,
                        "-e", "inject=%s:signal=KILL:when=%d" % (syscall, n),
                        harness.WARD, *args], capture_output=True, text=True, timeout=60)
    return p.returncode in (137, -9) or "Killed" in p.stderr


def check_store(res, repo, label, good):
    bad = []
    for name in os.listdir(repo.device):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(repo.device, name), "rb") as f:
            if f.read() not in good:
                bad.append(name)
    res.check(label + ": every ROLE.json is a complete published file", not bad, str(bad))


def main():
    if shutil.which("strace") is None:
        print("crash.py: strace is required (scripts/deps.sh installs it)")
        sys.exit(1)
    res = harness.Results()
    tmp = tempfile.mkdtemp(prefix="ward-crash-")
    try:
        repo = Repo(tmp, res)
        os.makedirs(repo.dir)
        with harness.http_server(repo.dir) as url:
            repo.url = url
            repo.publish(base_spec(1))
            v1_state = os.path.join(tmp, "device-v1")
            repo.init_device()
            repo.expect("setup: device at v1", repo.refresh(), "ok")
            shutil.copytree(repo.device, v1_state)
            good = published(repo)
            # v2 rotates the root (2.root.json) and changes every role
            spec = base_spec(2, IMG_V2)
            r2 = json.loads(json.dumps(spec["root"]))
            r2["version"] = 2
            r2["roles"]["timestamp"]["keys"] = ["ts2"]
            spec["root"] = [spec["root"], r2]
            repo.publish(spec)
            good |= published(repo)
            refresh = ["client", "refresh", "-q", "-d", repo.device, "--time", NOW,
                       url + "/metadata"]
            download = ["client", "download", "-q", "-d", repo.device, "-m", url + "/metadata",
                        "--time", NOW, IMG, url + "/targets", repo.out]
            kills = 0
            for syscall in SYSCALLS:
                for n in range(1, 500):
                    shutil.rmtree(repo.device)
                    shutil.copytree(v1_state, repo.device)
                    if not killed_run(refresh, syscall, n):
                        break
                    kills += 1
                    label = "refresh killed at %s #%d" % (syscall, n)
                    check_store(res, repo, label, good)
                    rc, out, err = repo.refresh()
                    if rc != 0:
                        res.check(label + ": next refresh succeeds", False, err)
                    leftovers = [f for f in os.listdir(repo.device) if f.startswith(".")]
                    if leftovers:
                        res.check(label + ": temp files are cleaned up", False, str(leftovers))
            res.check("refresh was killed at %d distinct points" % kills, kills > 20)
            # downloads: the image must never appear half-written
            dkills = 0
            target = os.path.join(repo.out, IMG)
            for syscall in SYSCALLS:
                for n in range(1, 500):
                    shutil.rmtree(repo.out, ignore_errors=True)
                    if not killed_run(download, syscall, n):
                        break
                    dkills += 1
                    label = "download killed at %s #%d" % (syscall, n)
                    if os.path.exists(target):
                        with open(target) as f:
                            res.check(label + ": a present target is complete",
                                      f.read() == IMG_V2)
                    rc, _, err = repo.download(IMG)
                    leftovers = [f for f in os.listdir(os.path.dirname(target))
                                 if f.startswith(".")]
                    if leftovers:
                        res.check(label + ": partial downloads are cleaned up", False,
                                  str(leftovers))
                    if rc != 0:
                        res.check(label + ": next download succeeds", False, err)
                    else:
                        with open(target) as f:
                            if f.read() != IMG_V2:
                                res.check(label + ": next download is the release", False)
            res.check("download was killed at %d distinct points" % dkills, dkills > 10)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res.finish()


if __name__ == "__main__":
    main()
