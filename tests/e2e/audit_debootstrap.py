"""audit_debootstrap.py - `ward audit` on a real Debian root filesystem:
debootstrap bookworm with openssh-server and systemd, packed as a tar
archive.  The archive is cached ($WARD_CACHE_DIR, else
$XDG_CACHE_HOME/ward, else ~/.cache/ward), so only the first run needs the
network and root.  Skipped (exit 77) when the archive is absent and cannot
be built here.

Checks: the real image's real findings (sshd's compiled-in
PasswordAuthentication default under Debian's commented-out setting, host
keys baked in by openssh-server's postinst), no key or secret finding from
the crypto libraries' PEM label strings (the noise peers are known for), and
the directory and the archive giving the same findings."""

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import Results, ward  # noqa: E402

SKIP = 77
SUITE = "bookworm"
INCLUDE = "openssh-server,systemd-sysv"


def cache_dir():
    d = os.environ.get("WARD_CACHE_DIR")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "ward")
    os.makedirs(d, exist_ok=True)
    return d


def build(tarball):
    if os.geteuid() != 0 or not shutil.which("debootstrap"):
        return False
    with tempfile.TemporaryDirectory(prefix="ward-deb-") as tmp:
        root = os.path.join(tmp, "root")
        p = subprocess.run(["debootstrap", "--variant=minbase", "--include=" + INCLUDE, SUITE, root,
                            "http://deb.debian.org/debian"], capture_output=True, text=True, timeout=1500)
        if p.returncode != 0:
            sys.stderr.write("debootstrap failed: %s\n" % p.stderr[-2000:])
            return False
        part = tarball + ".part"
        subprocess.run(["tar", "-C", root, "--numeric-owner", "-czf", part, "."], check=True)
        os.replace(part, tarball)
    return True


def main():
    tarball = os.path.join(cache_dir(), "debootstrap-%s-ssh.tar.gz" % SUITE)
    if not os.path.exists(tarball) and not build(tarball):
        print("skip: no cached rootfs and debootstrap unavailable (needs root and network)")
        return SKIP
    r = Results()
    t0 = time.monotonic()
    code, out, err = ward("audit", "--format", "json", tarball)
    took = time.monotonic() - t0
    r.check("real rootfs audited", code == 0, err)
    doc = json.loads(out) if code == 0 else {"findings": []}
    f = doc["findings"]
    r.check("sshd compiled-in PasswordAuthentication default is found under Debian's comment",
            any(x["id"] == "AUTH-04" and "PasswordAuthentication" in x["evidence"] for x in f),
            repr([x for x in f if x["id"] == "AUTH-04"]))
    r.check("openssh-server's host keys baked into the image are found",
            any(x["id"] == "AUTH-06" for x in f))
    # OpenSSL's PEM label tables must not be keys; GnuTLS embeds real self-test
    # keys that do parse: allowlisted by fingerprint
    noise = [x for x in f if x["id"] in ("SEC-01", "KEY-01") and
             ("libssl" in x["file"] or "libcrypto" in x["file"])]
    r.check("no key finding from OpenSSL's PEM label strings", not noise, repr(noise[:5]))
    gnutls = [x for x in f if x["id"] == "SEC-01" and "libgnutls" in x["file"]]
    r.check("GnuTLS's self-test keys are not the product's (SEC-01 allowlist)", not gnutls,
            repr(gnutls[:5]))
    hostkeys = [x for x in f if x["id"] == "SEC-01" and x["file"].startswith("/etc/ssh/")]
    r.check("a baked-in host key is one finding (AUTH-06), not also SEC-01", not hostkeys,
            repr(hostkeys[:5]))
    r.check("no SEC-01 at all in a stock Debian image",
            not [x for x in f if x["id"] == "SEC-01"], repr([x for x in f if x["id"] == "SEC-01"][:5]))
    tokens = [x for x in f if x["id"] == "SEC-02"]
    r.check("no token or password finding in a stock Debian image", not tokens, repr(tokens[:5]))
    exp = {(f["id"], f["severity"], f["file"]) for f in doc["findings"]
           if f["id"] in ("SVC-02", "SVC-04", "SEC-04")}
    r.check("sshd inventoried on port 22, every address, as info (SVC-02)",
            any(f["id"] == "SVC-02" and f["severity"] == "info" and "every address port 22" in f["evidence"]
                for f in doc["findings"]), repr(sorted(exp)))
    r.check("Debian ships no firewall rules (SVC-04); no update client, so SEC-04 is info",
            ("SVC-04", "low", "/etc") in exp and ("SEC-04", "info", "/usr/lib") in exp, repr(sorted(exp)))
    r.check("root is locked in debootstrap: no AUTH-01/02",
            not any(x["id"] in ("AUTH-01", "AUTH-02") for x in f))
    sys.stdout.write("# %d findings in %.2f s\n" % (len(f), took))
    # the same image as a directory gives the same findings
    with tempfile.TemporaryDirectory(prefix="ward-deb-") as tmp:
        with tarfile.open(tarball) as tf:
            tf.extractall(tmp, filter=lambda m, p: m if not (m.isdev() or m.isfifo()) else None)
        code, out2, err = ward("audit", "--format", "json", tmp)
        f2 = json.loads(out2)["findings"] if code == 0 else []
        key = lambda x: (x["id"], x["file"], x.get("location") or "", x["evidence"])  # noqa: E731
        r.check("directory and archive give the same findings", sorted(map(key, f)) == sorted(map(key, f2)),
                repr(set(map(key, f)) ^ set(map(key, f2)))[:1500])
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
