#!/usr/bin/env python3
"""keys.py - key custody end to end: the real `ward key` commands with
passphrases from a descriptor and from a terminal (a pseudo-terminal), the
files they leave, OpenSSL reading the keys (`openssl pkey -passin`), and
backup shares restored from every 3-of-5 subset, while wrong, mixed,
duplicated and corrupted shares are refused with the right exit status."""

import hashlib
import itertools
import json
import os
import pty
import re
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

OPENSSL = shutil.which("openssl")
PASS = "e2e passphrase one"
NEWPASS = "e2e passphrase two"


def ward_pp(passphrase, *args, check=None):
    """Runs `ward ARGS` with --passphrase-fd N, N a pipe holding passphrase
    (a str, or a list of lines).  Returns (status, stdout, stderr)."""
    r, w = os.pipe()
    lines = passphrase if isinstance(passphrase, list) else [passphrase]
    os.write(w, "".join(line + "\n" for line in lines).encode())
    os.close(w)
    try:
        argv = [harness.WARD, args[0], args[1], "--passphrase-fd", str(r), *args[2:]]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120, pass_fds=(r,))
    finally:
        os.close(r)
    if check is not None and p.returncode != harness.EXIT[check]:
        raise AssertionError("%s: exit %d, expected %s\nstdout: %s\nstderr: %s" % (
            " ".join(argv), p.returncode, check, p.stdout, p.stderr))
    return p.returncode, p.stdout, p.stderr


def keyid_of(key):
    """TUF keyid: SHA-256 of the canonical JSON of the key object."""
    canon = json.dumps(key, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canon.encode()).hexdigest()


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def openssl(*args, passphrase=None):
    argv = [OPENSSL, *args]
    if passphrase is not None:
        argv += ["-passin", "pass:" + passphrase]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def at_terminal(argv, answers, timeout=60):
    """Runs argv on a new pseudo-terminal (its controlling terminal, so
    /dev/tty), typing each answer after each prompt.  Returns (status,
    everything the terminal showed)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    seen = b""
    pending = list(answers)
    deadline = time.time() + timeout
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if pending and seen.rstrip().endswith(b":"):
                time.sleep(0.05)
                os.write(fd, (pending.pop(0) + "\n").encode())
                seen += b"\x00"  # mark the answer, so one prompt gets one answer
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.replace(b"\x00", b"").decode(errors="replace")


def main():
    res = harness.Results()
    with tempfile.TemporaryDirectory() as tmp:
        key = os.path.join(tmp, "root.key")
        pub = os.path.join(tmp, "root.pub")

        # ---- generate ----
        _, out, err = ward_pp(PASS, "key", "generate", key, check="ok")
        keyid = out.strip()
        res.check("generate prints a 64-hex keyid", re.fullmatch(r"[0-9a-f]{64}", keyid) is not None,
                  out)
        res.check("key file is mode 0600", mode(key) == 0o600, oct(mode(key)))
        with open(key) as f:
            text = f.read()
        res.check("key file is encrypted PKCS#8",
                  text.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
                  and "BEGIN PRIVATE KEY" not in text, text[:60])
        with open(pub) as f:
            pubkey = json.load(f)
        res.check("public key file is the TUF key object of an ed25519 key",
                  pubkey.get("keytype") == "ed25519" and pubkey.get("scheme") == "ed25519"
                  and re.fullmatch(r"[0-9a-f]{64}", pubkey["keyval"]["public"]) is not None,
                  json.dumps(pubkey))
        res.check("keyid is the SHA-256 of the canonical public key", keyid_of(pubkey) == keyid)

        _, out, _ = ward_pp(PASS, "key", "public", key, check="ok")
        res.check("public prints {keyid: key} as in root.json",
                  json.loads(out) == {keyid: pubkey}, out)

        rc, _, err = ward_pp("not the passphrase", "key", "public", key)
        res.check("wrong passphrase: exit 10 and a clear message",
                  rc == harness.EXIT["verify"]
                  and "wrong passphrase or corrupted key file" in err, "%d %s" % (rc, err))
        with open(key) as f:
            before = f.read()
        rc, _, err = ward_pp(PASS, "key", "generate", key)
        with open(key) as f:
            after = f.read()
        res.check("generate refuses to overwrite a key (exit 18), which is unchanged",
                  rc == harness.EXIT["invalid"] and "already exists" in err and before == after,
                  "%d %s" % (rc, err))
        rc, _, err = ward_pp("short", "key", "generate", os.path.join(tmp, "short.key"))
        res.check("generate refuses a passphrase under 8 bytes",
                  rc == harness.EXIT["invalid"] and "at least 8 bytes" in err
                  and not os.path.exists(os.path.join(tmp, "short.key")), err)
        rc, _, _ = harness.ward("key", "backup", key, tmp)
        res.check("backup without --shares/--threshold is a usage error",
                  rc == harness.EXIT["usage"], str(rc))

        # ---- OpenSSL interop ----
        if OPENSSL:
            p = openssl("pkey", "-in", key, "-noout", passphrase=PASS)
            res.check("openssl pkey -passin opens the key", p.returncode == 0, p.stderr)
            p = openssl("pkey", "-in", key, "-noout", passphrase="not the passphrase")
            res.check("openssl pkey refuses a wrong passphrase", p.returncode != 0)
            p = openssl("asn1parse", "-in", key)
            res.check("openssl asn1parse shows PBES2, scrypt, AES-256-CBC",
                      all(s in p.stdout for s in (":PBES2", ":scrypt", ":aes-256-cbc")), p.stdout)
            ec = os.path.join(tmp, "ec.key")
            _, out, _ = ward_pp(PASS, "key", "generate", "--scheme", "ecdsa-sha2-nistp256", ec,
                                check="ok")
            with open(os.path.join(tmp, "ec.pub")) as f:
                ecpub = json.load(f)
            p = openssl("pkey", "-in", ec, "-pubout", passphrase=PASS)
            res.check("openssl derives the same ECDSA public key as ec.pub",
                      p.returncode == 0 and p.stdout == ecpub["keyval"]["public"], p.stdout)
            # and ward reads a key OpenSSL encrypted (PBES2 with PBKDF2)
            theirs = os.path.join(tmp, "openssl.key")
            p = subprocess.run([OPENSSL, "genpkey", "-algorithm", "ed25519", "-aes-256-cbc",
                                "-pass", "pass:" + PASS, "-out", theirs],
                               capture_output=True, text=True)
            rc, out, err = ward_pp(PASS, "key", "public", theirs)
            res.check("ward reads a key openssl genpkey encrypted", p.returncode == 0 and rc == 0,
                      err)
        else:
            print("# openssl not found: interop checks skipped")

        # ---- backup and restore ----
        shares = os.path.join(tmp, "shares")
        _, out, _ = ward_pp(PASS, "key", "backup", "--shares", "5", "--threshold", "3", key,
                            shares, check="ok")
        names = sorted(os.listdir(shares))
        res.check("backup writes root.share-1-of-5 .. root.share-5-of-5",
                  names == ["root.share-%d-of-5" % i for i in range(1, 6)], str(names))
        paths = [os.path.join(shares, "root.share-%d-of-5" % i) for i in range(1, 6)]
        res.check("share files are mode 0600", all(mode(p) == 0o600 for p in paths))
        with open(paths[2]) as f:
            share3 = f.read()
        res.check("a share names its key, number, threshold, count and version",
                  all(s in share3 for s in ("ward-key-share: 1\n", "keyid: %s\n" % keyid,
                                             "share: 3\n", "threshold: 3\n", "shares: 5\n")),
                  share3)

        restored_ok = True
        for n, subset in enumerate(itertools.combinations(paths, 3)):
            out_key = os.path.join(tmp, "restored-%d.key" % n)
            rc, out, err = ward_pp(NEWPASS, "key", "restore", "-q", out_key, *subset)
            if rc != 0 or out.strip() != keyid:
                restored_ok = False
                print("# restore from %s: %d %s %s" % (subset, rc, out, err))
        res.check("every 3 of the 5 shares restore the same keyid", restored_ok)
        r0 = os.path.join(tmp, "restored-0.key")
        _, out, _ = ward_pp(NEWPASS, "key", "public", "-q", r0, check="ok")
        res.check("the restored key opens with the new passphrase", out.strip() == keyid, out)
        rc, _, _ = ward_pp(PASS, "key", "public", r0)
        res.check("... and not with the old one", rc == harness.EXIT["verify"])
        if OPENSSL:
            p = openssl("pkey", "-in", r0, "-noout", passphrase=NEWPASS)
            res.check("openssl opens the restored key", p.returncode == 0, p.stderr)
        _, out, _ = ward_pp(NEWPASS, "key", "restore", "-q", os.path.join(tmp, "all.key"), *paths,
                            check="ok")
        res.check("all 5 shares restore it too", out.strip() == keyid)

        out_key = os.path.join(tmp, "bad.key")
        rc, _, err = ward_pp(NEWPASS, "key", "restore", out_key, paths[0], paths[1])
        res.check("2 of 3 needed shares: exit 10", rc == harness.EXIT["verify"]
                  and "2 shares given, 3 of the 5 needed" in err, err)
        rc, _, err = ward_pp(NEWPASS, "key", "restore", out_key, paths[0], paths[1], paths[1])
        res.check("a duplicated share: exit 18", rc == harness.EXIT["invalid"]
                  and "given twice" in err, err)

        corrupt = os.path.join(tmp, "corrupt.share")
        lines = share3.split("\n")
        i = lines.index("data:") + 2
        lines[i] = ("1" if lines[i][0] != "1" else "2") + lines[i][1:]
        with open(corrupt, "w") as f:
            f.write("\n".join(lines))
        rc, _, err = ward_pp(NEWPASS, "key", "restore", out_key, paths[0], corrupt, paths[4])
        res.check("a corrupted share: exit 10, naming the file",
                  rc == harness.EXIT["verify"] and corrupt in err and "checksum mismatch" in err,
                  err)

        again = os.path.join(tmp, "again")
        ward_pp(PASS, "key", "backup", "--shares", "5", "--threshold", "3", key, again, check="ok")
        rc, _, err = ward_pp(NEWPASS, "key", "restore", out_key, paths[0], paths[1],
                             os.path.join(again, "root.share-3-of-5"))
        res.check("shares of two backups of one key: exit 10",
                  rc == harness.EXIT["verify"] and "different backups" in err, err)

        other = os.path.join(tmp, "other.key")
        ward_pp(PASS, "key", "generate", other, check="ok")
        oshares = os.path.join(tmp, "oshares")
        ward_pp(PASS, "key", "backup", "-n", "3", "-k", "2", other, oshares, check="ok")
        rc, _, err = ward_pp(NEWPASS, "key", "restore", out_key, paths[0], paths[1],
                             os.path.join(oshares, "other.share-3-of-3"))
        res.check("shares of two keys: exit 10",
                  rc == harness.EXIT["verify"] and "different keys" in err, err)
        res.check("no failed restore left a key behind", not os.path.exists(out_key))

        rc, _, err = ward_pp(PASS, "key", "backup", "-n", "5", "-k", "3", key, shares)
        res.check("backup refuses to overwrite shares (exit 18)",
                  rc == harness.EXIT["invalid"] and "already exists" in err, err)

        # ---- RSA through the same path ----
        rsa = os.path.join(tmp, "rsa.key")
        _, out, _ = ward_pp(PASS, "key", "generate", "-q", "--scheme", "rsassa-pss-sha256", rsa,
                            check="ok")
        rsa_id = out.strip()
        rshares = os.path.join(tmp, "rshares")
        ward_pp(PASS, "key", "backup", "-n", "3", "-k", "2", rsa, rshares, check="ok")
        _, out, _ = ward_pp(NEWPASS, "key", "restore", "-q", os.path.join(tmp, "rsa2.key"),
                            os.path.join(rshares, "rsa.share-3-of-3"),
                            os.path.join(rshares, "rsa.share-1-of-3"), check="ok")
        res.check("an RSA key backs up and restores", out.strip() == rsa_id, out)

        # ---- the terminal ----
        tkey = os.path.join(tmp, "tty.key")
        rc, seen = at_terminal([harness.WARD, "key", "generate", tkey],
                               ["typed at the tty", "typed at the tty"])
        res.check("generate asks twice on the terminal",
                  rc == 0 and "New passphrase for" in seen and "Repeat the new passphrase:" in seen,
                  "%d %r" % (rc, seen))
        res.check("the typed passphrase is not echoed", "typed at the tty" not in seen, repr(seen))
        rc, seen = at_terminal([harness.WARD, "key", "public", "-q", tkey], ["typed at the tty"])
        res.check("public asks once on the terminal and opens the key",
                  rc == 0 and "Passphrase for" in seen and "typed" not in seen, repr(seen))
        rc, seen = at_terminal([harness.WARD, "key", "generate", os.path.join(tmp, "tty2.key")],
                               ["first version", "second version"])
        res.check("a passphrase not repeated exactly: exit 18",
                  rc == harness.EXIT["invalid"] and "do not match" in seen
                  and not os.path.exists(os.path.join(tmp, "tty2.key")), "%d %r" % (rc, seen))
        # no terminal and no descriptor: refused, not hung
        p = subprocess.run([harness.WARD, "key", "public", tkey], capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL, start_new_session=True)
        res.check("no terminal and no --passphrase-fd: exit 18",
                  p.returncode == harness.EXIT["invalid"] and "no terminal" in p.stderr, p.stderr)
    res.finish()


if __name__ == "__main__":
    main()
