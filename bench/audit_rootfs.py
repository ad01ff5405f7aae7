#!/usr/bin/env python3
"""`ward audit` speed on a root filesystem, driven by bench/audit_rootfs.sh.

Input: debootstrap --variant=minbase bookworm with openssh-server,
systemd-sysv and docker.io, cached as a .tar.gz (bench/debcache.py; built
once, as root).  ROOTFS_TARBALL=PATH takes another archive instead (e.g. the
audit e2e test's debootstrap-bookworm-ssh.tar.gz, without docker.io).

The archive is extracted into a temporary directory (device nodes and
FIFOs left out, as tests/e2e/audit_debootstrap.py does; not timed) and every
file read once so that the page cache is warm.  Then, alternating:

  ward audit DIR        `ward audit --format json DIR` (report discarded)
  grep -rIl             `grep -rIl 'PRIVATE KEY' DIR`: the issue's floor for
                        reading the tree (-I skips a file once its first
                        buffer shows a NUL, so most binaries are not read)
  grep -rl              the same without -I: every file read up to its first
                        match, a fuller floor
  ward audit TARBALL    the archive itself (gunzip and tar parsing included)
  gzip -dc TARBALL      the floor for reading the archive

Goals (issue 4, item 7): ward audit DIR <= 3 s with a warm page cache, and
memory bounded by the largest file read, not by the image size."""

import json
import os
import shlex
import shutil
import stat
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import debcache  # noqa: E402

GOAL = 3.0


def tree_stats(root):
    """(regular files, their bytes, directories, symlinks, (largest size, path))."""
    files = size = dirs = links = 0
    largest = (0, "")
    for d, dn, fn in os.walk(root):
        dirs += len(dn)
        for n in dn + fn:
            p = os.path.join(d, n)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                links += 1
            elif stat.S_ISREG(st.st_mode):
                files += 1
                size += st.st_size
                largest = max(largest, (st.st_size, os.path.relpath(p, root)))
    return files, size, dirs, links, largest


def warm(root):
    for d, _, fn in os.walk(root):
        for n in fn:
            p = os.path.join(d, n)
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as f:
                    while f.read(1 << 20):
                        pass


def main():
    tarball = os.environ.get("ROOTFS_TARBALL") or debcache.debootstrap_tarball()
    if not tarball:
        sys.exit("bench: no root filesystem archive: run once as root with debootstrap "
                 "installed, or set ROOTFS_TARBALL")
    tmp = tempfile.mkdtemp(prefix="ward-bench-rootfs-")
    try:
        root = os.path.join(tmp, "root")
        with tarfile.open(tarball) as tf:
            tf.extractall(root, filter=lambda m, p: None if m.isdev() or m.isfifo()
                          else tarfile.fully_trusted_filter(m, p))
        files, size, dirs, links, (lsize, lpath) = tree_stats(root)
        warm(root)

        keys = {}

        def check(name):
            def f(out):
                doc = json.loads(out)
                if doc["truncated"]:
                    raise RuntimeError("ward audit %s: report truncated" % name)
                keys[name] = sorted((x["id"], x["file"], x.get("location") or "", x["evidence"])
                                    for x in doc["findings"])
                keys[name + " summary"] = doc["summary"]
            return f

        grep_ok = '"$@" || [ $? = 1 ]'  # grep: 1 is "no match", not an error
        ward_dir = B.Client("ward audit DIR", lambda: [[B.WARD, "audit", "--format", "json", root]],
                            check=check("dir"))
        grep_i = B.Client("grep -rIl", lambda: [["sh", "-c", grep_ok, "sh", "grep", "-rIl",
                                                 "PRIVATE KEY", root]])
        grep_a = B.Client("grep -rl", lambda: [["sh", "-c", grep_ok, "sh", "grep", "-rl",
                                                "PRIVATE KEY", root]])
        ward_tar = B.Client("ward audit TARBALL",
                            lambda: [[B.WARD, "audit", "--format", "json", tarball]],
                            check=check("tar"))
        gunzip = B.Client("gzip -dc TARBALL", lambda: [["sh", "-c", 'gzip -dc "$1" > /dev/null',
                                                        "sh", tarball]])
        B.compare([ward_dir, grep_i, grep_a, ward_tar, gunzip])
        floor = B.ward_floor_rss()

        print("## `ward audit`: a debootstrap root filesystem\n")
        print("machine: %s  \ninput: %s (%s bytes); extracted to %s (%s): %s regular files, "
              "%s bytes, %s directories, %s symlinks; largest file %s, %s bytes; page cache "
              "warm; %d runs (median), 1 warm-up each, alternating\n" % (
                  B.machine(), os.path.basename(tarball), format(os.path.getsize(tarball), ","),
                  os.path.dirname(root), B.fstype(root), format(files, ","), format(size, ","),
                  format(dirs, ","), format(links, ","), lpath, format(lsize, ","), B.RUNS))
        print("commands (DIR the extracted tree):\n\n```\nward audit --format json DIR > report\n"
              "grep -rIl 'PRIVATE KEY' DIR\ngrep -rl 'PRIVATE KEY' DIR\n"
              "ward audit --format json %s > report\ngzip -dc %s > /dev/null\n```\n" % (
                  shlex.quote(os.path.basename(tarball)), shlex.quote(os.path.basename(tarball))))
        print("### the tree\n")
        print(B.table([ward_dir, grep_i, grep_a], ward_dir))
        print("\n### the archive\n")
        print(B.table([ward_tar, gunzip, ward_dir], ward_tar))
        same = keys["dir"] == keys["tar"]
        print("\nward: %d findings (%s); directory and archive agree: %s  \n"
              "goal ward audit DIR ≤ %.0f s: **%s** (median wall %s, CPU %s); "
              "ward ÷ grep -rIl: %.1f× wall, %.1f× CPU; ward ÷ grep -rl: %.1f× wall  \n"
              "memory: largest file %s; ward peak RSS %s (tree), %s (archive); "
              "above its floor (`ward --help`, %s) ÷ largest file: %.2f× (tree), %.2f× "
              "(archive); image ÷ largest file: %.1f×\n" % (
                  len(keys["dir"]), ", ".join("%s %d" % kv for kv in
                                              keys["dir summary"].items() if kv[1]),
                  "yes" if same else "**no**", GOAL,
                  "met" if ward_dir.wall <= GOAL else "missed", B.fmt_s(ward_dir.wall),
                  B.fmt_s(ward_dir.cpu), ward_dir.wall / grep_i.wall,
                  ward_dir.cpu / max(grep_i.cpu, 0.005), ward_dir.wall / grep_a.wall,
                  B.fmt_kib(lsize / 1024), B.fmt_kib(ward_dir.peak), B.fmt_kib(ward_tar.peak),
                  B.fmt_kib(floor), (ward_dir.peak - floor) * 1024 / lsize,
                  (ward_tar.peak - floor) * 1024 / lsize, size / lsize))
        if not same:
            print("differences (dir ^ tar): %r\n" % sorted(set(keys["dir"]) ^
                                                          set(keys["tar"]))[:20])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
