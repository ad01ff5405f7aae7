"""debcache.py - the real inputs of the `ward audit` benchmarks, downloaded
once from deb.debian.org into the same cache as the audit e2e tests
($WARD_CACHE_DIR, else $XDG_CACHE_HOME/ward, else ~/.cache/ward).

arm64 packages come through a private APT configuration (the same one as
tests/e2e/audit_boot.py's fetch_debs, in CACHE/apt), so the host's APT
state is neither read nor changed.  The debootstrap root filesystem is built
as tests/e2e/audit_debootstrap.py builds its own (root and debootstrap
needed the first time), with docker.io added as the issue specifies."""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile


def cache_dir():
    d = os.environ.get("WARD_CACHE_DIR")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "ward")
    os.makedirs(d, exist_ok=True)
    return d


def _apt_opts():
    apt = os.path.join(cache_dir(), "apt")
    for d in ("lists/partial", "archives/partial", "etc"):
        os.makedirs(os.path.join(apt, d), exist_ok=True)
    src = os.path.join(apt, "etc", "ward.sources")
    if not os.path.exists(src):
        with open(src, "w", encoding="utf-8") as f:
            f.write("Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\n"
                    "Components: main\nArchitectures: arm64\n"
                    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
    open(os.path.join(apt, "status"), "a", encoding="utf-8").close()
    opts = ["-q", "-o", "Dir::Etc::SourceList=/dev/null",
            "-o", "Dir::Etc::SourceParts=" + os.path.join(apt, "etc"),
            "-o", "Dir::State::Lists=" + os.path.join(apt, "lists"),
            "-o", "Dir::State::status=" + os.path.join(apt, "status"),
            "-o", "Dir::Cache=" + apt, "-o", "APT::Architecture=arm64",
            "-o", "APT::Architectures::=arm64"]
    if os.getuid() == 0:
        opts += ["-o", "APT::Sandbox::User=root"]
    return opts


def _apt(*args, **kw):
    return subprocess.run(["apt-get" if args[0] in ("update", "download") else "apt-cache",
                           *_apt_opts(), *args], check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, **kw).stdout


def _lists_present():
    return glob.glob(os.path.join(cache_dir(), "apt", "lists", "*_Packages*"))


def newest_kernel_package():
    """The newest bookworm linux-image-<abi>-arm64-unsigned: the arm64
    kernel package that ships the board device trees
    (/usr/lib/linux-image-<abi>/**/*.dtb) and no signature wrapper."""
    if not _lists_present():
        _apt("update")
    names = [n for n in _apt("pkgnames", "linux-image-").split()
             if re.fullmatch(r"linux-image-[0-9.]+-[0-9]+-arm64-unsigned", n)]
    if not names:
        sys.exit("bench: no linux-image-*-arm64-unsigned in the arm64 package lists")
    return max(names, key=lambda n: [int(x) for x in re.findall(r"[0-9]+", n)])


def fetch_deb(pkg):
    """The path of pkg's arm64 .deb, downloaded once into CACHE/debs."""
    debs = os.path.join(cache_dir(), "debs")
    os.makedirs(debs, exist_ok=True)
    have = glob.glob(os.path.join(debs, pkg + "_*.deb"))
    if not have:
        print("bench: downloading %s (arm64) from deb.debian.org" % pkg, file=sys.stderr)
        try:
            _apt("download", pkg, cwd=debs)
        except subprocess.CalledProcessError:  # stale lists: the version moved on
            _apt("update")
            _apt("download", pkg, cwd=debs)
        have = glob.glob(os.path.join(debs, pkg + "_*.deb"))
    return sorted(have)[-1]


def unpacked(deb):
    """deb unpacked with dpkg -x, once, into CACHE/unpacked/<deb name>."""
    root = os.path.join(cache_dir(), "unpacked", os.path.basename(deb)[:-len(".deb")])
    if not os.path.isdir(root):
        part = root + ".part"
        shutil.rmtree(part, ignore_errors=True)
        os.makedirs(part)
        subprocess.run(["dpkg", "-x", deb, part], check=True)
        os.replace(part, root)
    return root


ROOTFS_INCLUDE = "openssh-server,systemd-sysv,docker.io"


def debootstrap_tarball():
    """CACHE/debootstrap-bookworm-ssh-docker.tar.gz: debootstrap --variant=
    minbase bookworm with openssh-server, systemd-sysv and docker.io, built
    once (needs root, debootstrap and deb.debian.org).  None if absent and
    it cannot be built here."""
    tarball = os.path.join(cache_dir(), "debootstrap-bookworm-ssh-docker.tar.gz")
    if os.path.exists(tarball):
        return tarball
    if os.geteuid() != 0 or not shutil.which("debootstrap"):
        return None
    print("bench: building %s with debootstrap (once)" % tarball, file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="ward-deb-") as tmp:
        root = os.path.join(tmp, "root")
        p = subprocess.run(["debootstrap", "--variant=minbase", "--include=" + ROOTFS_INCLUDE,
                            "bookworm", root, "http://deb.debian.org/debian"],
                           capture_output=True, text=True, timeout=3000)
        if p.returncode != 0:
            sys.stderr.write("debootstrap failed: %s\n" % p.stderr[-2000:])
            return None
        part = tarball + ".part"
        subprocess.run(["tar", "-C", root, "--numeric-owner", "-czf", part, "."], check=True)
        os.replace(part, tarball)
    return tarball
