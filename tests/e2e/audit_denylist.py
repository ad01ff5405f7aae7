"""audit_denylist.py - `ward audit` and its key denylist: who signed each
OP-TEE TA (KEY-05), the TA-verification key compiled into tee.bin (SB-09
when TAs load from the filesystem, KEY-03 otherwise), --deny-keys, the
product team's own keys that must never sign it, honoured by every key
check, and the hand-kept list of published test CAs (data/test-keys.tsv:
RAUC's) as update-client trust roots (KEY-07).

TAs are written in OP-TEE's format (tests/e2e/optee_ta.py) and signed with
the OpenSSL CLI as OP-TEE documents offline signing.  The published
default.pem's private half is not on this machine (only its public key, in
../shared/data), so KEY-05's positive cases sign with a fresh key named by
--deny-keys; SB-09's use the real published public keys of OP-TEE
(default.pem) and LmP (opteedev.key), compiled into tee.bin as OP-TEE
compiles them."""

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
import optee_ta as o  # noqa: E402
from harness import Results, ward  # noqa: E402

DEMO = os.path.join(harness.SHARED, "data", "demo-public-keys")


def audit(*args):
    code, out, err = ward("audit", "--format", "json", *args)
    findings = json.loads(out)["findings"] if code in (0, 1) and out else []
    return code, findings, err


def ids(findings, want=None):
    return sorted(f["id"] for f in findings if want is None or f["id"] in want)


def put(path, data, mode="wb"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


def openssl(*args, **kw):
    return subprocess.run(["openssl", *args], capture_output=True, check=True, **kw).stdout


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="ward-optee-")
    try:
        dev = os.path.join(tmp, "dev.pem")          # the team's development TA key
        prod = os.path.join(tmp, "prod.pem")        # the production TA key
        for k in (dev, prod):
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", k)
        dev_pub = os.path.join(tmp, "dev.pub")
        prod_pub = os.path.join(tmp, "prod.pub")
        openssl("pkey", "-in", dev, "-pubout", "-out", dev_pub)
        openssl("pkey", "-in", prod, "-pubout", "-out", prod_pub)

        ta_dev = os.path.join(tmp, "dev-signed.ta")
        ta_prod = os.path.join(tmp, "prod-signed.ta")
        put(ta_dev, o.make_ta(dev))
        put(ta_prod, o.make_ta(prod))

        # ---- KEY-05 ---------------------------------------------------------
        code, f, err = audit(ta_dev, ta_prod)
        r.check("TAs signed by keys nobody listed: no finding", code == 0 and f == [], (code, f, err))

        code, f, err = audit("--deny-keys", dev_pub, ta_dev, ta_prod)
        k5 = [x for x in f if x["id"] == "KEY-05"]
        r.check("KEY-05: the TA signed with the listed key, and only that one",
                code == 0 and len(k5) == 1 and k5[0]["file"] == ta_dev and
                k5[0]["severity"] == "critical" and "8aaaf200-2450-11e4-abe2-0002a5d5c51b" in k5[0]["evidence"] and
                "RSASSA-PSS" in k5[0]["evidence"] and "--deny-keys" in k5[0]["evidence"],
                (code, f, err))

        for name, kw in (("PKCS#1 v1.5", {"pss": False}), ("legacy SHDR_TA", {"ttype": o.TA}),
                         ("encrypted TA", {"ttype": o.ENCRYPTED_TA}), ("subkey", {"ttype": o.SUBKEY})):
            p = os.path.join(tmp, "variant.ta")
            put(p, o.make_ta(dev, **kw))
            code, f, err = audit("--deny-keys", dev_pub, p)
            r.check("KEY-05 on a %s signed with the listed key" % name,
                    code == 0 and ids(f) == ["KEY-05"], (code, f, err))

        # the deny list as a certificate, as the private key, as a bundle: same verdict
        cert = os.path.join(tmp, "dev.crt")
        openssl("req", "-new", "-x509", "-key", dev, "-subj", "/CN=TA signing (development)", "-days", "30",
                "-out", cert)
        bundle = os.path.join(tmp, "bundle.pem")
        with open(bundle, "wb") as b:
            for src in (os.path.join(DEMO, "lmp-dev.pub.pem"), cert):
                with open(src, "rb") as s:
                    b.write(s.read())
        for label, path in (("certificate", cert), ("private key", dev), ("bundle", bundle)):
            code, f, err = audit("--deny-keys", path, ta_dev)
            r.check("--deny-keys as a %s" % label, code == 0 and ids(f) == ["KEY-05"], (code, f, err))

        # a TA altered after signing: its hash no longer matches (info), who signed still shows
        altered = bytearray(o.make_ta(dev))
        altered[-1] ^= 1
        p = os.path.join(tmp, "altered.ta")
        put(p, bytes(altered))
        code, f, err = audit("--deny-keys", dev_pub, p)
        r.check("altered TA: INPUT-01 (would not load) and KEY-05",
                code == 0 and ids(f) == ["INPUT-01", "KEY-05"], (code, f, err))
        code, f, err = audit(ta_prod)
        r.check("intact TA: no INPUT-01", code == 0 and f == [], (code, f, err))

        # a truncated TA given as input: refused with a message
        p = os.path.join(tmp, "cut.ta")
        put(p, o.make_ta(dev)[:200])
        code, f, err = audit(p)
        r.check("truncated TA input: invalid input, one line", code == 18 and "truncated" in err and
                err.count("\n") == 1, (code, err))

        # ---- bad --deny-keys files: refused, never silently empty -------------
        enc = os.path.join(tmp, "enc.pem")
        openssl("pkey", "-in", dev, "-aes256", "-passout", "pass:secret-pass", "-out", enc)
        junk = os.path.join(tmp, "junk.pem")
        put(junk, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "w")
        empty = os.path.join(tmp, "empty.txt")
        put(empty, "nothing here\n", "w")
        for label, path, want in (("encrypted private key", enc, "encrypted private key"),
                                  ("malformed block", junk, "PEM block 1"),
                                  ("no key at all", empty, "no public key")):
            code, f, err = audit("--deny-keys", path, ta_dev)
            r.check("--deny-keys %s: refused with a message" % label,
                    code == 18 and want in err, (code, err))
        code, _, err = audit("--deny-keys", os.path.join(tmp, "absent.pem"), ta_dev)
        r.check("--deny-keys absent file: not found", code == 14, (code, err))

        # ---- --deny-keys counts in the other key checks ------------------------
        root = os.path.join(tmp, "rootfs")
        put(os.path.join(root, "etc", "app", "signing.pem"), open(dev, "rb").read())
        code, f, err = audit("--deny-keys", dev_pub, root)
        k1 = [x for x in f if x["id"] == "KEY-01"]
        r.check("KEY-01 on a denylisted key in a rootfs",
                len(k1) == 1 and "denylisted" in k1[0]["evidence"] and "--deny-keys" in k1[0]["evidence"],
                (code, f, err))
        code, f, err = audit(root)
        r.check("without --deny-keys: only SEC-01 for that key", ids(f, {"KEY-01", "SEC-01"}) == ["SEC-01"],
                (code, f, err))
        shutil.rmtree(root)

        # ---- SB-09 / KEY-03: the TA-verification key in tee.bin ----------------
        for demo in ("optee-default.pub.pem", "lmp-opteedev.pub.pem"):
            tee = os.path.join(tmp, "tee.bin")
            put(tee, o.make_tee_bin(os.path.join(DEMO, demo)))
            code, f, err = audit(tee)
            r.check("%s in tee.bin, no TA on a filesystem: KEY-03" % demo,
                    ids(f) == ["KEY-03"] and "TA-verification key" in f[0]["evidence"] and
                    f[0]["location"] == "offset 2052", (code, f, err))
            root = os.path.join(tmp, "rootfs")
            put(os.path.join(root, "lib", "optee_armtz", "8aaaf200-2450-11e4-abe2-0002a5d5c51b.ta"),
                open(ta_prod, "rb").read())
            code, f, err = audit(tee, root)
            sb = [x for x in f if x["id"] == "SB-09"]
            r.check("%s in tee.bin and a TA in /lib/optee_armtz: SB-09, not also KEY-03" % demo,
                    len(sb) == 1 and sb[0]["file"] == tee and sb[0]["severity"] == "critical" and
                    "/lib/optee_armtz/8aaaf200" in sb[0]["evidence"] and not ids(f, {"KEY-03"}),
                    (code, f, err))
            # the same, all inside one image, in either order of the files
            put(os.path.join(root, "lib", "firmware", "tee.bin"), open(tee, "rb").read())
            tar = os.path.join(tmp, "rootfs.tar")
            with tarfile.open(tar, "w") as t:
                t.add(root, arcname=".")
            code, f, err = audit(tar)
            r.check("%s: tee.bin and the TA inside one image: SB-09" % demo,
                    ids(f, {"SB-09", "KEY-03"}) == ["SB-09"] and
                    [x["file"] for x in f if x["id"] == "SB-09"] == ["/lib/firmware/tee.bin"], (code, f, err))
            shutil.rmtree(root)

        # hardened twin: OP-TEE built with the product's own key, TAs signed with it
        tee = os.path.join(tmp, "tee.bin")
        put(tee, o.make_tee_bin(prod_pub))
        root = os.path.join(tmp, "rootfs")
        put(os.path.join(root, "lib", "optee_armtz", "x.ta"), open(ta_prod, "rb").read())
        code, f, err = audit(tee, root)
        r.check("hardened: own TA key in tee.bin, TA signed with it: no KEY-03/05, SB-09",
                ids(f, {"KEY-03", "KEY-05", "SB-09"}) == [], (code, f, err))
        # the team lists its development key: the production build stays clean
        code, f, err = audit("--deny-keys", dev_pub, tee, root)
        r.check("hardened, with the dev key listed: still clean",
                ids(f, {"KEY-03", "KEY-05", "SB-09", "KEY-01"}) == [], (code, f, err))
        shutil.rmtree(root)

        # RAUC's test CAs (data/test-keys.tsv) as the keyring: KEY-07
        src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        rows = [line.rstrip("\n").split("\t") for line in open(os.path.join(src, "data", "test-keys.tsv"))
                if line.strip() and not line.startswith("#")]
        r.check("data/test-keys.tsv lists RAUC's three test CAs",
                len(rows) == 3 and all("rauc/rauc:test/openssl-ca/" in x[2] for x in rows), rows)
        for fp, _, where, der in rows:
            root = os.path.join(tmp, "rootfs")
            pem = "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n" % "\n".join(
                der[i:i + 64] for i in range(0, len(der), 64))
            put(os.path.join(root, "etc", "rauc", "system.conf"), "[keyring]\npath=ca.cert.pem\n", "w")
            put(os.path.join(root, "etc", "rauc", "ca.cert.pem"), pem, "w")
            put(os.path.join(root, "usr", "bin", "rauc"), b"")
            code, f, err = audit(root)
            k7 = [x for x in f if x["id"] == "KEY-07"]
            r.check("KEY-07: RAUC keyring is %s" % where.split(" ")[0],
                    len(k7) == 1 and k7[0]["file"] == "/etc/rauc/ca.cert.pem" and where in k7[0]["evidence"]
                    and not ids(f, {"KEY-01"}), (code, f, err))
            shutil.rmtree(root)

        # a published key as a DER SPKI inside tee.bin: KEY-01 once, not also KEY-03
        put(tee, o.make_tee_bin(os.path.join(DEMO, "optee-default.pub.pem"), der=True))
        code, f, err = audit(tee)
        r.check("DER SPKI of default.pem in tee.bin: one KEY-01, no raw-modulus duplicate",
                ids(f) == ["KEY-01"], (code, f, err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
