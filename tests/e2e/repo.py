#!/usr/bin/env python3
"""repo.py - the release side end to end: `ward repo` with separate approver
keys, every refusal (below threshold, altered change, wrong key, revoked
key, expired change), root and targets key rotation followed by a real
`ward client`, delegations, refresh, status findings, and a publish killed
at every step that never leaves the served repository broken."""

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

PASSPHRASE = "correct horse battery staple"


class Keys:
    """Approver keys, each generated separately (one per person)."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "keys")
        os.makedirs(self.dir)

    def make(self, name):
        key = os.path.join(self.dir, name + ".key")
        r, w = os.pipe()
        os.write(w, (PASSPHRASE + "\n" + PASSPHRASE + "\n").encode())
        os.close(w)
        p = subprocess.run([harness.WARD, "key", "generate", "--passphrase-fd", str(r), key],
                           capture_output=True, text=True, pass_fds=(r,))
        os.close(r)
        assert p.returncode == 0, p.stderr
        return key

    def pub(self, name):
        return os.path.join(self.dir, name + ".pub")

    def key(self, name):
        return os.path.join(self.dir, name + ".key")


def ward(*args, check=None):
    """ward with the test passphrase on a pipe."""
    r, w = os.pipe()
    os.write(w, ((PASSPHRASE + "\n") * 8).encode())
    os.close(w)
    p = subprocess.run([harness.WARD, *args, "--passphrase-fd", str(r)], capture_output=True,
                       text=True, pass_fds=(r,), timeout=120)
    os.close(r)
    if check is not None and p.returncode != harness.EXIT[check]:
        raise AssertionError("ward %s: exit %d, expected %s\nstdout: %s\nstderr: %s" % (
            " ".join(args), p.returncode, check, p.stdout, p.stderr))
    return p.returncode, p.stdout, p.stderr


def softhsm_key(tmp, label):
    """A P-256 key generated inside a fresh SoftHSM2 token: it never exists
    outside the token.  Returns its pkcs11: URI (PIN from a file)."""
    tokdir = os.path.join(tmp, "tokens")
    os.makedirs(tokdir, exist_ok=True)
    conf = os.path.join(tmp, "softhsm2.conf")
    with open(conf, "w") as f:
        f.write("directories.tokendir = %s\nobjectstore.backend = file\n" % tokdir)
    os.environ["SOFTHSM2_CONF"] = conf
    module = "/usr/lib/softhsm/libsofthsm2.so"
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "ward-online",
                    "--so-pin", "5678", "--pin", "1234"], check=True, capture_output=True)
    subprocess.run(["pkcs11-tool", "--module", module, "--token-label", "ward-online", "--login",
                    "--pin", "1234", "--keypairgen", "--key-type", "EC:prime256v1", "--label",
                    label, "--id", "01"], check=True, capture_output=True)
    pin = os.path.join(tmp, "pin")
    with open(pin, "w") as f:
        f.write("1234\n")
    return "pkcs11:token=ward-online;object=%s;type=private?module-path=%s&pin-source=%s" % (
        label, module, pin)


class Release:
    def __init__(self, tmp, res, token=True):
        self.tmp, self.res = tmp, res
        self.keys = Keys(tmp)
        for n in ("alice", "bob", "carol", "dave", "ts", "snap", "team"):
            self.keys.make(n)
        self.repo = os.path.join(tmp, "repo")
        self.change = os.path.join(self.repo, "staged", "change.json")
        self.device = os.path.join(tmp, "device")
        # The online timestamp key lives in a SoftHSM2 token; the crash test
        # uses a key file instead, since killing the process inside
        # SoftHSM's own token writes would corrupt the token, not test ward.
        self.ts_key = softhsm_key(tmp, "timestamp") if token else self.keys.key("ts")

    def init(self):
        k = self.keys
        ward("repo", "init", self.repo,
             "--root-key", k.pub("alice"), "--root-key", k.pub("bob"), "--root-key", k.pub("carol"),
             "--root-threshold", "2",
             "--targets-key", k.pub("alice"), "--targets-key", k.pub("bob"),
             "--targets-key", k.pub("carol"), "--targets-threshold", "2",
             "--timestamp-key", self.ts_key, "--snapshot-key", k.key("snap"), check="ok")

    def sign(self, who, change=None, check="ok"):
        return ward("repo", "sign", change or self.change, "--key", self.keys.key(who), check=check)

    def publish(self, check="ok"):
        return ward("repo", "publish", self.repo, check=check)

    def expect(self, name, result, status, fragment=""):
        rc, out, err = result
        ok = rc == harness.EXIT[status] and fragment in (out + err)
        self.res.check("%s -> %s" % (name, status), ok,
                       "exit %d; expected %s and %r\n%s%s" % (rc, status, fragment, out, err))


def main():
    res = harness.Results()
    tmp = tempfile.mkdtemp(prefix="ward-repo-")
    try:
        rel = Release(tmp, res)
        rel.init()
        rel.expect("publish with no signatures", rel.publish(check=None), "verify",
                   "root v1: signed by 0 of 2 required keys of root v1")
        rel.sign("alice")
        rel.expect("publish with one of two signatures", rel.publish(check=None), "verify",
                   "1 more signature needed")
        rel.expect("a key that is not a signer", rel.sign("team", check=None), "notfound",
                   "is not a signer")
        r, w = os.pipe()
        os.write(w, b"not the passphrase\n")
        os.close(w)
        p = subprocess.run([harness.WARD, "repo", "sign", rel.change, "--key", rel.keys.key("alice"),
                            "--passphrase-fd", str(r)], capture_output=True, text=True, pass_fds=(r,))
        os.close(r)
        rel.expect("signing with a wrong passphrase", (p.returncode, p.stdout, p.stderr), "verify",
                   "wrong passphrase")
        rel.sign("bob")
        rel.expect("publish with two of three", rel.publish(check=None), "ok", "threshold met")

        with harness.http_server(os.path.join(rel.repo, "published")) as url:
            harness.ward("client", "init", "-q", "-d", rel.device,
                         os.path.join(rel.repo, "published", "metadata", "1.root.json"), check="ok")
            img = os.path.join(tmp, "fw.img")
            with open(img, "w") as f:
                f.write("firmware 1.0\n")
            ward("repo", "add-target", rel.repo, "firmware/a.img", img,
                 "--custom", '{"hardware":["board-a"],"version":"1.0"}', check="ok")
            # approvers sign separate copies of the change; copies merge
            copy = os.path.join(tmp, "copy-for-bob.json")
            shutil.copy(rel.change, copy)
            rel.sign("carol")
            rel.sign("bob", change=copy)
            rel.expect("merge of a separately signed copy",
                       ward("repo", "merge", rel.change, copy, check=None), "ok")
            rel.expect("release 2-of-3", rel.publish(check=None), "ok")
            out = os.path.join(tmp, "out")
            rc, _, err = harness.ward("client", "download", "-d", rel.device, "-m", url + "/metadata",
                                      "firmware/a.img", url + "/targets", out)
            res.check("device downloads the release", rc == 0 and
                      open(os.path.join(out, "firmware/a.img")).read() == "firmware 1.0\n", err)

            # editing merges into the staged targets in key order, keeps what
            # it does not touch byte for byte, and copes with a change whose
            # targets someone reordered by hand
            for name in ("firmware/m.img", "firmware/c.img", "firmware/\u00e9t\u00e9.img"):
                ward("repo", "add-target", rel.repo, name, img, check="ok")
            with open(rel.change) as f:
                doc = json.load(f)
            ts = doc["roles"]["targets"]["signed"]["targets"]
            names = list(ts)
            res.check("staged targets in key order", names == sorted(names), repr(names))
            res.check("published targets kept", "firmware/a.img" in ts and
                      ts["firmware/a.img"]["custom"] == {"hardware": ["board-a"], "version": "1.0"},
                      repr(ts.get("firmware/a.img")))
            doc["roles"]["targets"]["signed"]["targets"] = dict(reversed(list(ts.items())))
            with open(rel.change, "w") as f:
                json.dump(doc, f, indent=2)
            ward("repo", "add-target", rel.repo, "firmware/d.img", img, check="ok")
            ward("repo", "remove-target", rel.repo, "firmware/m.img", check="ok")
            rel.expect("removing a target that is not there",
                       ward("repo", "remove-target", rel.repo, "firmware/m.img", check=None),
                       "notfound", "no target firmware/m.img")
            with open(rel.change) as f:
                ts = json.load(f)["roles"]["targets"]["signed"]["targets"]
            res.check("hand-reordered change edited correctly",
                      sorted(ts) == ["firmware/a.img", "firmware/c.img", "firmware/d.img",
                                     "firmware/\u00e9t\u00e9.img"], repr(list(ts)))
            os.unlink(rel.change)

            # an altered change is refused
            ward("repo", "add-target", rel.repo, "firmware/b.img", img, check="ok")
            rel.sign("alice")
            rel.sign("bob")
            with open(rel.change) as f:
                doc = json.load(f)
            doc["roles"]["targets"]["signed"]["targets"]["firmware/b.img"]["length"] = 99
            with open(rel.change, "w") as f:
                json.dump(doc, f)
            rel.expect("change altered after signing", rel.publish(check=None), "verify",
                       "altered after it was signed")
            # a staged file swapped after the approvers signed is refused
            ward("repo", "remove-target", rel.repo, "firmware/b.img", check="ok")
            ward("repo", "add-target", rel.repo, "firmware/b.img", img, check="ok")
            rel.sign("alice")
            rel.sign("bob")
            with open(rel.change) as f:
                sha = json.load(f)["roles"]["targets"]["signed"]["targets"]["firmware/b.img"][
                    "hashes"]["sha256"]
            staged_file = os.path.join(rel.repo, "staged", "files", sha)
            with open(staged_file, "r+b") as f:
                f.write(b"X")
            rel.expect("staged file altered after signing", rel.publish(check=None), "verify",
                       "not what was signed")
            rel.res.check("nothing of the refused release is published",
                          not os.path.exists(os.path.join(rel.repo, "published", "targets",
                                                          "firmware", sha + ".b.img")))
            # a change that travelled and came back with a target name
            # pointing outside the repository is refused, though signed
            ward("repo", "add-target", rel.repo, "firmware/b.img", img, check="ok")
            with open(rel.change) as f:
                doc = json.load(f)
            ts = doc["roles"]["targets"]["signed"]["targets"]
            ts["../../escape.img"] = ts.pop("firmware/b.img")
            with open(rel.change, "w") as f:
                json.dump(doc, f)
            rel.sign("alice")
            rel.sign("bob")
            rel.expect("target name escaping the repository", rel.publish(check=None), "invalid",
                       "not a valid target name")
            rel.res.check("nothing written outside published/targets",
                          not any(n.endswith("escape.img")
                                  for d in (rel.repo, os.path.dirname(rel.repo),
                                            os.path.join(rel.repo, "published"))
                                  for n in os.listdir(d)))
            os.unlink(rel.change)
            ward("repo", "add-target", rel.repo, "firmware/b.img", img, check="ok")
            # a copy of a different change does not merge
            ward("repo", "remove-target", rel.repo, "firmware/b.img", check="ok")
            rel.expect("merging a different change", ward("repo", "merge", rel.change, copy, check=None),
                       "verify", "not the same change")
            os.unlink(rel.change)

            # root rotation: carol's key is revoked, dave's added; the new
            # root needs the old and the new threshold; the client follows
            ward("repo", "rotate", rel.repo, "root", "--add-key", rel.keys.pub("dave"),
                 "--remove-key", keyid(rel.keys.pub("carol")), check="ok")
            rel.sign("dave")
            rel.expect("new root signed by a new key only", rel.publish(check=None), "verify",
                       "root v2: signed by 0 of 2 required keys of root v1")
            rel.sign("alice")
            rel.expect("new root meets its own threshold but not the old one",
                       rel.publish(check=None), "verify",
                       "root v2: signed by 1 of 2 required keys of root v1")
            rel.sign("bob")
            rel.expect("root rotation", rel.publish(check=None), "ok")
            rc, out_, err = harness.ward("client", "refresh", "-d", rel.device, url + "/metadata")
            res.check("device follows the root rotation",
                      rc == 0 and harness.trusted_versions(out_).get("root") == 2, out_ + err)
            # the revoked key can no longer sign a root
            ward("repo", "rotate", rel.repo, "root", "--threshold", "3", check="ok")
            rel.sign("carol", check=None)
            rel.sign("alice")
            rel.expect("revoked key's signature does not count", rel.publish(check=None), "verify",
                       "root v3: signed by 1 of 2 required keys of root v2")
            os.unlink(rel.change)

            # delegation to a team, which releases within its paths only
            ward("repo", "delegate", rel.repo, "team-a", "--key", rel.keys.pub("team"),
                 "--threshold", "1", "--path", "apps/*", check="ok")
            rel.sign("alice")
            rel.sign("bob")
            rel.sign("team")
            rel.expect("delegation published", rel.publish(check=None), "ok")
            app = os.path.join(tmp, "app.bin")
            with open(app, "w") as f:
                f.write("app\n")
            ward("repo", "add-target", rel.repo, "apps/app.bin", app, "--role", "team-a", check="ok")
            rel.sign("team")
            rel.expect("team release", rel.publish(check=None), "ok")
            rc, _, err = harness.ward("client", "download", "-d", rel.device, "-m", url + "/metadata",
                                      "apps/app.bin", url + "/targets", out)
            res.check("device downloads the team's release", rc == 0, err)

            # the online timestamp key moves from the token to a key file
            ward("repo", "rotate", rel.repo, "timestamp", "--online-key", rel.keys.key("ts"),
                 check="ok")
            rel.sign("alice")
            rel.sign("bob")
            rel.expect("online key rotation", rel.publish(check=None), "ok")
            rc, out_, err = harness.ward("client", "refresh", "-d", rel.device, url + "/metadata")
            res.check("device accepts the timestamp signed by the new online key",
                      rc == 0 and harness.trusted_versions(out_).get("root") == 3, out_ + err)

            # targets keys rotate too: carol out, dave in, and a release
            # signed by the new set reaches the device
            ward("repo", "rotate", rel.repo, "targets", "--add-key", rel.keys.pub("dave"),
                 "--remove-key", keyid(rel.keys.pub("carol")), check="ok")
            rel.sign("alice")
            rel.sign("bob")
            rel.expect("targets key rotation", rel.publish(check=None), "ok")
            with open(img, "w") as f:
                f.write("firmware 3.0\n")
            ward("repo", "add-target", rel.repo, "firmware/c.img", img, check="ok")
            rel.sign("carol", check=None)
            rel.sign("dave")
            rel.expect("a revoked targets key does not count", rel.publish(check=None), "verify",
                       "targets v4: signed by 1 of 2 required keys of root v4")
            rel.sign("alice")
            rel.expect("release by the rotated targets keys", rel.publish(check=None), "ok")
            rc, _, err = harness.ward("client", "download", "-d", rel.device, "-m", url + "/metadata",
                                      "firmware/c.img", url + "/targets", out)
            res.check("device downloads a release signed by the new targets keys", rc == 0, err)

            # a staged change that sat until it expired is refused
            ward("repo", "add-target", rel.repo, "firmware/d.img", img, check="ok")
            rel.sign("alice")
            rel.sign("dave")
            rel.expect("an expired staged change", ward("repo", "publish", rel.repo, "--time",
                                                        "2031-01-01T00:00:00Z", check=None),
                       "expired", "has expired")
            os.unlink(rel.change)

            # refresh, as cron would run it
            rel.expect("refresh timestamp", ward("repo", "refresh", rel.repo, check=None), "ok",
                       "re-signed")
            rc, out_, err = harness.ward("client", "refresh", "-d", rel.device, url + "/metadata")
            res.check("device accepts the refreshed timestamp", rc == 0, err)

            # the repository's lock: a refresh from a timer while another command
            # holds it (here this test, by flock on DIR/.lock) waits, or gives up.
            # sign of the repository's own staged change takes the same lock; a copy
            # that travelled to an approver does not need it
            ward("repo", "remove-target", rel.repo, "firmware/a.img", check="ok")
            travelled = os.path.join(tmp, "travelled-change.json")
            shutil.copy(rel.change, travelled)
            lockf = open(os.path.join(rel.repo, ".lock"), "a")
            fcntl.flock(lockf, fcntl.LOCK_EX)
            rel.expect("sign the staged change while the repository is locked, --wait 1",
                       ward("repo", "sign", rel.change, "--key", rel.keys.key("alice"), "--wait", "1",
                            check=None), "io", "another ward command is changing this repository")
            rel.expect("sign a copy of the change elsewhere while the repository is locked",
                       ward("repo", "sign", travelled, "--key", rel.keys.key("alice"), "--wait", "1",
                            check=None), "ok")
            os.unlink(rel.change)  # not to be published
            rel.expect("refresh while the repository is locked, --wait 1", ward(
                "repo", "refresh", rel.repo, "--force", "--wait", "1", check=None), "io",
                "another ward command is changing this repository")
            ts = os.path.join(rel.repo, "published", "metadata", "timestamp.json")
            before = open(ts, "rb").read()
            r_, w_ = os.pipe()
            os.write(w_, ((PASSPHRASE + "\n") * 8).encode())
            os.close(w_)
            waiting = subprocess.Popen([harness.WARD, "repo", "refresh", rel.repo, "--force",
                                        "--passphrase-fd", str(r_)], pass_fds=(r_,),
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            os.close(r_)
            time.sleep(1.0)
            unchanged_while_held = open(ts, "rb").read() == before and waiting.poll() is None
            fcntl.flock(lockf, fcntl.LOCK_UN)
            lockf.close()
            out_, err = waiting.communicate(timeout=60)
            res.check("a refresh waits for the lock, then re-signs",
                      unchanged_while_held and waiting.returncode == 0 and open(ts, "rb").read() != before,
                      (unchanged_while_held, waiting.returncode, err))

            # an independent client (tuf-js) walks the same repository from
            # root v1: root rotation, delegation, PKCS#11-signed timestamp
            interop = os.path.join(os.path.dirname(__file__), "..", "interop")
            setup = subprocess.run(["bash", os.path.join(interop, "setup.sh")],
                                   capture_output=True, text=True, timeout=300)
            res.check("tuf-js is installed", setup.returncode == 0, setup.stderr)
            tj = subprocess.run(["node", os.path.join(interop, "client.mjs"), "--metadata-dir",
                                 os.path.join(tmp, "tufjs"), "--root",
                                 os.path.join(rel.repo, "published", "metadata", "1.root.json"),
                                 "--metadata-url", url + "/metadata", "--targets-url",
                                 url + "/targets", "--out", os.path.join(tmp, "tufjs-out"),
                                 "firmware/a.img", "firmware/c.img", "apps/app.bin"],
                                capture_output=True, text=True, timeout=120)
            res.check("tuf-js accepts ward's repository after root, targets and online key "
                      "rotation and a delegation",
                      tj.returncode == 0 and tj.stdout.count("downloaded") == 3,
                      tj.stdout + tj.stderr)

        # status
        rc, out_, err = ward("repo", "status", rel.repo, "--json")
        st = json.loads(out_)
        res.check("status lists every role", set(st["roles"]) == {"root", "timestamp", "snapshot", "targets"})
        res.check("status: no findings on a 2-of-3 repository", st["findings"] == [], str(st["findings"]))

        # hash-bin delegation: targets spread over 16 bins by path hash
        bins = Release.__new__(Release)
        bins.tmp, bins.res, bins.keys = tmp, res, rel.keys
        bins.repo = os.path.join(tmp, "binrepo")
        bins.change = os.path.join(bins.repo, "staged", "change.json")
        bins.ts_key = rel.keys.key("ts")
        bins.init()
        bins.sign("alice")
        bins.sign("bob")
        bins.publish()
        ward("repo", "delegate-bins", bins.repo, "--bits", "4", "--key", rel.keys.pub("team"),
             "--threshold", "1", check="ok")
        src = os.path.join(tmp, "many")
        for i in range(60):
            os.makedirs(os.path.join(src, "pkg%d" % (i % 3)), exist_ok=True)
            with open(os.path.join(src, "pkg%d" % (i % 3), "file%02d.bin" % i), "w") as f:
                f.write("content %d\n" % i)
        rc, out_, err = ward("repo", "add-targets", bins.repo, src, "--prefix", "pool")
        res.check("add-targets stages a directory", rc == 0 and "staged 60 targets" in out_, out_ + err)
        # one batch directory per add-targets, renamed into place whole
        files_dir = os.path.join(bins.repo, "staged", "files")
        batches = [n for n in os.listdir(files_dir) if n.startswith("batch-")]
        res.check("add-targets stages its files in one batch directory, none left incoming",
                  len(batches) == 1 and len(os.listdir(os.path.join(files_dir, batches[0]))) == 60
                  and not any(n.startswith(".") for n in os.listdir(files_dir)),
                  str(os.listdir(files_dir)))
        dup = os.path.join(tmp, "dup")
        os.makedirs(dup)
        for n in ("one.bin", "two.bin"):
            with open(os.path.join(dup, n), "w") as f:
                f.write("the same bytes\n")
        with open(os.path.join(dup, "big.bin"), "wb") as f:  # > one 64 KiB chunk
            f.write(bytes(range(256)) * 800)
        rc, out_, err = ward("repo", "add-targets", bins.repo, dup, "--prefix", "dup")
        batches2 = [n for n in os.listdir(files_dir) if n.startswith("batch-") and n not in batches]
        res.check("the same bytes twice in a directory are one staged file",
                  rc == 0 and "staged 3 targets" in out_ and len(batches2) == 1 and
                  len(os.listdir(os.path.join(files_dir, batches2[0]))) == 2, out_ + err)
        bad = os.path.join(tmp, "bad")
        os.makedirs(bad)
        for n in ("a.bin", "b\x01.bin"):
            with open(os.path.join(bad, n), "w") as f:
                f.write("bad %s\n" % n)
        before = sorted(os.listdir(files_dir))
        rc, out_, err = ward("repo", "add-targets", bins.repo, bad)
        res.check("a refused add-targets leaves no staged files behind",
                  rc != 0 and sorted(os.listdir(files_dir)) == before,
                  err + str(os.listdir(files_dir)))
        bins.sign("alice")
        bins.sign("bob")
        bins.sign("team")
        # a staged file of a batch altered after signing is refused
        victim = os.path.join(files_dir, batches[0], sorted(os.listdir(os.path.join(files_dir, batches[0])))[0])
        with open(victim, "rb") as f:
            orig = f.read()
        with open(victim, "r+b") as f:
            f.write(b"X")
        bins.expect("staged file of a batch altered after signing", bins.publish(check=None),
                    "verify", "not what was signed")
        with open(victim, "wb") as f:
            f.write(orig)
        bins.expect("hash-bin release", bins.publish(check=None), "ok")
        res.check("publish removes the batches it published", os.listdir(files_dir) == [],
                  str(os.listdir(files_dir)))
        with open(os.path.join(bins.repo, "published", "metadata", "targets.json")) as f:
            roles = json.load(f)["signed"]["delegations"]["roles"]
        res.check("16 bins with path_hash_prefixes", len(roles) == 16 and
                  all(len(r["path_hash_prefixes"]) == 1 for r in roles))
        # 256 bins: one change holds 257 roles, each signed and published
        big = Release.__new__(Release)
        big.tmp, big.res, big.keys = tmp, res, rel.keys
        big.repo = os.path.join(tmp, "binrepo256")
        big.change = os.path.join(big.repo, "staged", "change.json")
        big.ts_key = rel.keys.key("ts")
        big.init()
        big.sign("alice")
        big.sign("bob")
        big.publish()
        ward("repo", "delegate-bins", big.repo, "--bits", "8", "--key", rel.keys.pub("team"),
             "--threshold", "1", check="ok")
        big.sign("alice")
        big.sign("bob")
        big.sign("team")
        big.expect("a change of 256 hash bins signed and published", big.publish(check=None), "ok")
        ward("repo", "add-targets", big.repo, src, "--prefix", "pool", check="ok")
        big.sign("team")
        copy256 = os.path.join(tmp, "copy256.json")
        shutil.copy(big.change, copy256)
        big.expect("copies of a many-bin change merge", ward("repo", "merge", big.change, copy256,
                                                              check=None), "ok")
        big.expect("targets spread over many bins published", big.publish(check=None), "ok")
        with harness.http_server(os.path.join(bins.repo, "published")) as burl:
            bdev = os.path.join(tmp, "bdev")
            harness.ward("client", "init", "-q", "-d", bdev,
                         os.path.join(bins.repo, "published", "metadata", "1.root.json"), check="ok")
            for name in ("pool/pkg0/file00.bin", "pool/pkg1/file31.bin", "pool/pkg2/file59.bin"):
                rc, _, err = harness.ward("client", "download", "-d", bdev, "-m", burl + "/metadata",
                                          name, burl + "/targets", os.path.join(tmp, "bout"))
                res.check("device finds %s in its bin" % name, rc == 0, err)
            interop = os.path.join(os.path.dirname(__file__), "..", "interop")
            tj = subprocess.run(["node", os.path.join(interop, "client.mjs"), "--metadata-dir",
                                 os.path.join(tmp, "tufjs-bins"), "--root",
                                 os.path.join(bins.repo, "published", "metadata", "1.root.json"),
                                 "--metadata-url", burl + "/metadata", "--targets-url",
                                 burl + "/targets", "--out", os.path.join(tmp, "tufjs-bout"),
                                 "pool/pkg1/file31.bin"], capture_output=True, text=True, timeout=120)
            res.check("tuf-js finds a target in ward's hash bins", tj.returncode == 0,
                      tj.stdout + tj.stderr)

        # quick start: one development key for everything, and status says
        # so in every way the field report warns about
        qs = os.path.join(tmp, "quick")
        r, w = os.pipe()
        os.write(w, ((PASSPHRASE + "\n") * 2).encode())
        os.close(w)
        p = subprocess.run([harness.WARD, "repo", "init", qs, "--quick-start", "--passphrase-fd",
                            str(r), "--expiry", "timestamp=30"], capture_output=True, text=True,
                           pass_fds=(r,))
        os.close(r)
        res.check("quick start publishes", p.returncode == 0, p.stderr)
        rc, out_, err = ward("repo", "status", qs, "--json")
        ids = {f["id"] for f in json.loads(out_)["findings"]}
        for finding in ("development-key", "single-signer", "offline-key-on-host", "expiry-far"):
            res.check("quick start: status finds %s" % finding, finding in ids, str(ids))
        with open(os.path.join(qs, "keys", "dev.key")) as f:
            res.check("quick start: the development key is encrypted",
                      "ENCRYPTED PRIVATE KEY" in f.read())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res.finish()


def keyid(pub):
    """TUF 4.2 keyid of a public key file: SHA-256 of its canonical JSON
    (ed25519 hex values need no escaping, so sorted compact JSON is it)."""
    import hashlib
    with open(pub) as f:
        k = json.load(f)
    k = k.get("key", k)
    k = {"keytype": k["keytype"], "scheme": k["scheme"], "keyval": {"public": k["keyval"]["public"]}}
    return hashlib.sha256(json.dumps(k, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


if __name__ == "__main__":
    main()
