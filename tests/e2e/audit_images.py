"""audit_images.py - `ward audit` end to end on filesystem images built here
with the real tools (mke2fs -d, mksquashfs, gensquashfs) from the same trees
as audit_rootfs.py: every image must give exactly the findings (id, file,
location, severity, evidence) of the directory and of the tar archive of its
tree; the hardened tree none above info.  Hostile images: links escaping the
root (absolute with ../, relative ../ chains) resolve inside the image,
link loops are refused, and truncated or corrupt images, an ext4 journal
still to replay and a directory loop are each refused with one clear line
and the exit code of invalid input."""

import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import WARD, ward  # noqa: E402
from audit_rootfs import Checks, build_findings, build_hardened, build_host, link, write  # noqa: E402

EXIT_INVALID = 18  # WARD_EINVAL


def run(*cmd):
    p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), p.stderr.strip()[-500:]))


def tree_kib(tree):
    total = 0
    for d, _, files in os.walk(tree):
        total += 1
        for f in files:
            p = os.path.join(d, f)
            total += 1 + (os.lstat(p).st_size // 1024)
    return total


def make_images(tree, out, tools):
    """Every image format of one tree: name -> path."""
    imgs = {"dir": tree}
    t = out + ".tar.gz"
    with tarfile.open(t, "w:gz") as tf:
        tf.add(tree, arcname=".")
    imgs["tar"] = t
    size = "%dk" % (4096 + 4 * tree_kib(tree))
    if tools["mke2fs"]:
        run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, out + ".ext4", size)
        imgs["ext4"] = out + ".ext4"
        # small files and directories stored inside their inodes
        run("mke2fs", "-q", "-F", "-t", "ext4", "-O", "inline_data", "-d", tree, out + ".inline.ext4", size)
        imgs["ext4-inline"] = out + ".inline.ext4"
        run("mke2fs", "-q", "-F", "-t", "ext2", "-d", tree, out + ".ext2", size)
        imgs["ext2"] = out + ".ext2"
    if tools["mksquashfs"]:
        run("mksquashfs", tree, out + ".sqfs", "-quiet", "-noappend", "-no-progress")
        imgs["squashfs"] = out + ".sqfs"
    if tools["gensquashfs"]:
        run("gensquashfs", "-q", "-c", "xz", "-D", tree, out + ".ng.sqfs")
        imgs["squashfs-ng"] = out + ".ng.sqfs"
    return imgs


def findings(src):
    code, out, err = ward("audit", "--format", "json", src)
    if code != 0:
        return code, err, None
    doc = json.loads(out)
    return code, err, sorted((f["id"], f["file"], f.get("location") or "", f["severity"], f["evidence"])
                             for f in doc["findings"])


def build_escapes(root):
    """Links that leave the root if resolved on the host: they must resolve
    inside the image, where they give AUTH-01 (root without a password)."""
    write(root, "/real/shadow", "root::19000:0:99999:7:::\n")
    write(root, "/real/passwd", "root:x:0:0:root:/root:/bin/sh\n")
    link(root, "/etc/shadow", "/../../real/shadow")
    link(root, "/etc/passwd", "../../../../../../../../real/passwd")
    # loops: refused, never followed for ever
    link(root, "/etc/fw_env.config", "/etc/fw_env.config")
    link(root, "/etc/ssh/a", "b")
    link(root, "/etc/ssh/b", "../ssh/a")
    write(root, "/usr/sbin/sshd", "")


def one_line_refusal(r, label, path, needle):
    code, out, err = ward("audit", path)
    r.check("%s: refused as invalid input with one line naming the cause" % label,
            code == EXIT_INVALID and err.startswith("ward: ") and err.count("\n") == 1 and needle in err
            and out == "", (code, err))


def truncate(src, dst, size):
    with open(src, "rb") as f:
        data = f.read(size)
    with open(dst, "wb") as f:
        f.write(data)


def patch(src, dst, offset, data):
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        f.seek(offset)
        f.write(data)


def main():
    r = Checks()
    tools = {t: shutil.which(t) for t in ("mke2fs", "debugfs", "mksquashfs", "gensquashfs")}
    missing = [t for t, p in tools.items() if not p]
    if missing:
        # scripts/deps.sh installs them; say so rather than pass quietly
        print("note: not found, their images are not tested: %s" % " ".join(missing))
    tmp = tempfile.mkdtemp(prefix="ward-images-")
    try:
        host = os.path.join(tmp, "host")
        build_host(host)
        trees = {n: os.path.join(tmp, n) for n in ("bad", "good", "esc")}
        build_findings(trees["bad"], host)
        build_hardened(trees["good"], host)
        build_escapes(trees["esc"])
        imgs = {n: make_images(d, os.path.join(tmp, "img-" + n), tools) for n, d in trees.items()}
        kinds = [k for k in imgs["bad"] if k not in ("dir", "tar")]
        r.check("images of every format were built", len(kinds) >= 1, sorted(imgs["bad"]))

        # the same findings as the directory and the tar archive of the tree
        for name in ("bad", "esc"):
            _, err, want = findings(imgs[name]["dir"])
            _, _, tar = findings(imgs[name]["tar"])
            r.check("%s: directory audited, and its tar gives the same findings" % name,
                    want is not None and want == tar, err)
            for k in kinds:
                code, err, got = findings(imgs[name][k])
                r.check("%s/%s: audited (exit 0)" % (name, k), code == 0, (code, err))
                diff = [x for x in (got or []) if x not in want] + [x for x in want if x not in (got or [])]
                r.check("%s/%s: findings identical to the directory's" % (name, k), got == want, diff[:6])
                host_hits = [f for f in (got or []) if host in f[1] or "evil" in f[4]]
                r.check("%s/%s: nothing from the host" % (name, k), not host_hits, host_hits)

        # the findings image has a finding of every rootfs group, so the
        # comparison above compares something
        _, _, want = findings(imgs["bad"]["dir"])
        ids = {f[0] for f in want or []}
        r.check("bad: the directory has findings of every group", {"AUTH-02", "SVC-01", "SEC-02", "CTR-01",
                                                                  "ENV-02", "RB-02"} <= ids, sorted(ids))
        # escapes resolved inside the image: root's empty password is found
        # there; the loops give nothing (ENV-02 needs fw_env.config to exist)
        for k in ["dir"] + kinds:
            _, _, got = findings(imgs["esc"][k])
            got = got or []
            a01 = [f for f in got if f[0] == "AUTH-01" and f[1] == "/etc/shadow" and "empty password" in f[4]]
            r.check("esc/%s: /../../ and ../../.. links resolved inside the image" % k, len(a01) == 1, got)
            r.check("esc/%s: a link loop is not followed (no ENV-02)" % k,
                    not [f for f in got if f[0] == "ENV-02"], got)

        for k in kinds:
            code, out, err = ward("audit", "--format", "json", "--fail-on", "low", imgs["good"][k])
            doc = json.loads(out) if out else {"findings": []}
            above = [f for f in doc["findings"] if f["severity"] != "info"]
            r.check("good/%s: hardened image has no finding above info" % k, code == 0 and not above,
                    (code, err, above))
        for k in kinds:
            code, _, _ = ward("audit", "--fail-on", "critical", imgs["bad"][k])
            r.check("bad/%s: --fail-on critical fails" % k, code == 1)

        # hostile images
        if "ext4" in imgs["bad"]:
            e4 = imgs["bad"]["ext4"]
            size = os.path.getsize(e4)
            t = os.path.join(tmp, "trunc.ext4")
            truncate(e4, t, size // 8)
            one_line_refusal(r, "truncated ext4", t, "truncated ext4 image")
            with open(e4, "rb") as f:
                sb = f.read(2048)[1024:]
            first, log = struct.unpack_from("<II", sb, 20)
            block = 1024 << log
            t = os.path.join(tmp, "gdt.ext4")
            patch(e4, t, (first + 1) * block, b"\xa5" * 64)
            one_line_refusal(r, "ext4 with its group descriptors overwritten", t,
                             "corrupt or truncated ext4 image")
            t = os.path.join(tmp, "sb.ext4")
            patch(e4, t, 1024 + 0, b"\x00\x00\x00\x00")  # s_inodes_count: superblock checksum fails
            one_line_refusal(r, "ext4 with a corrupted superblock", t, "ext4 image")
            t = os.path.join(tmp, "sb.ext2")
            patch(imgs["bad"]["ext2"], t, 1024 + 32, b"\x00\x00\x00\x00")  # s_blocks_per_group = 0
            one_line_refusal(r, "ext2 with a corrupted superblock (no checksum)", t, "ext4 image")
            if tools["debugfs"]:
                t = os.path.join(tmp, "journal.ext4")
                shutil.copyfile(e4, t)
                run("debugfs", "-w", "-R", "feature needs_recovery", t)
                one_line_refusal(r, "ext4 whose journal holds changes", t, "journal")
                t = os.path.join(tmp, "dirloop.ext4")
                shutil.copyfile(e4, t)
                run("debugfs", "-w", "-R", "link /etc /etc/ssh/up", t)
                one_line_refusal(r, "ext4 with a directory linked into itself", t, "loop")
        if "squashfs" in imgs["bad"]:
            sq = os.path.join(tmp, "nopad.sqfs")
            run("mksquashfs", trees["bad"], sq, "-quiet", "-noappend", "-no-progress", "-nopad")
            size = os.path.getsize(sq)
            for frac in (2, 4):
                t = os.path.join(tmp, "trunc%d.sqfs" % frac)
                truncate(sq, t, size * (frac - 1) // frac)
                one_line_refusal(r, "squashfs cut to %d/%d" % (frac - 1, frac), t, "truncated squashfs image")
            with open(sq, "rb") as f:
                sb = f.read(96)
            inodes, dirs = struct.unpack_from("<QQ", sb, 64)
            for what, at in (("inode", inodes), ("directory", dirs)):
                t = os.path.join(tmp, what + ".sqfs")
                patch(sq, t, at, b"\xa5" * 24)
                one_line_refusal(r, "squashfs with its %s table overwritten" % what, t,
                                 "corrupt or truncated squashfs image")
            t = os.path.join(tmp, "sb.sqfs")
            patch(sq, t, 22, b"\x30\x00")  # block_log disagrees with block_size
            one_line_refusal(r, "squashfs with a corrupted superblock", t, "squashfs image")
            t = os.path.join(tmp, "root.sqfs")
            patch(sq, t, 32, b"\xff\xff\xff\xff\xff\x00\x00\x00")  # root inode reference
            one_line_refusal(r, "squashfs whose root inode lies outside", t, "squashfs image")
            t = os.path.join(tmp, "hdr.sqfs")
            truncate(sq, t, 64)
            one_line_refusal(r, "squashfs of only a superblock's start", t, "squashfs image")

        # no host file is opened through an image's links
        strace = shutil.which("strace")
        if strace and kinds:
            srcs = [imgs["bad"][k] for k in kinds] + [imgs["esc"][k] for k in kinds]
            p = subprocess.run([strace, "-f", "-e", "trace=open,openat,openat2", "-o",
                                os.path.join(tmp, "trace"), WARD, "audit", *srcs],
                               capture_output=True, text=True, timeout=120,
                               env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
            with open(os.path.join(tmp, "trace")) as f:
                trace = f.read()
            opened = [x for x in trace.splitlines() if host in x or "/real/" in x]
            r.check("strace: nothing of the host opened while auditing images", p.returncode == 0 and not opened,
                    (p.returncode, p.stderr[-300:], opened[:5]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
