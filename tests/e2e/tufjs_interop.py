#!/usr/bin/env python3
"""tufjs_interop.py - repositories written by libward (ward-mkrepo) are
refreshed and their targets downloaded by tuf-js, a TUF client written
independently of ward (tests/interop/client.mjs on npm tuf-js 5, versions
locked in tests/interop/package-lock.json).  Each downloaded file must be
byte-for-byte the published one, and `ward client` must download the same.

Covered: plain top-level targets without consistent snapshots; ed25519,
ecdsa-sha2-nistp256 and rsassa-pss-sha256 keys, alone and mixed; consistent
snapshots with versions above 1; delegated roles with paths (nested, a role
name that needs percent-encoding); 256 hash-bin delegations with
path_hash_prefixes; a root rotation chain (new root keys signed by old and
new, timestamp key rotated); 2-of-3 thresholds; non-ASCII target names and
custom fields with characters canonical JSON leaves unescaped.

Negative controls prove the harness can fail: tuf-js must refuse a tampered
target, a tampered metadata file, an under-signed role, a root signed only
by its new keys, and (through client.mjs --time) an expired repository.

Runs tests/interop/setup.sh first, which installs tuf-js with `npm ci` when
node_modules is missing.  Without Node.js the test FAILS with a message; it
never skips."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.normpath(os.path.join(HERE, "..", "interop"))
CLIENT = os.path.join(INTEROP, "client.mjs")
FAR = "2099-01-01T00:00:00Z"  # repositories stay valid with the real clock


def setup(res):
    p = subprocess.run(["bash", os.path.join(INTEROP, "setup.sh")], capture_output=True,
                       text=True, timeout=300)
    if p.returncode != 0:
        sys.stdout.write(p.stderr)
    res.check("tests/interop/setup.sh: node and the locked tuf-js are ready",
              p.returncode == 0, p.stderr.strip())
    return p.returncode == 0


def tufjs(meta_dir, root, url, out, targets, time=None):
    args = ["node", CLIENT, "--metadata-dir", meta_dir, "--metadata-url", url + "/metadata",
            "--targets-url", url + "/targets", "--out", out]
    if root:
        args += ["--root", root]
    if time:
        args += ["--time", time]
    p = subprocess.run(args + list(targets), capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


class Repo:
    """One repository built by ward-mkrepo and served on 127.0.0.1."""

    def __init__(self, tmp, spec):
        self.tmp = tmp
        self.keys = os.path.join(tmp, "keys")
        self.dir = os.path.join(tmp, "repo")
        self.meta = os.path.join(self.dir, "metadata")
        self.tdir = os.path.join(self.dir, "targets")
        self.spec = spec
        path = os.path.join(tmp, "spec.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(spec, f, ensure_ascii=False)
        p = subprocess.run([harness.MKREPO, self.keys, self.dir, path], capture_output=True,
                           text=True)
        if p.returncode != 0:
            raise RuntimeError("ward-mkrepo failed: " + p.stderr)

    def publish_synthetic(self, names):
        """mkrepo lists synthetic targets without writing them; a synthetic
        target's content is its own name.  Writes NAME and HASH.NAME."""
        for n in names:
            data = n.encode()
            h = hashlib.sha256(data).hexdigest()
            for rel in (n, h + "." + n):
                with open(os.path.join(self.tdir, rel), "wb") as f:
                    f.write(data)

    def consistent_path(self, name, content):
        d, _, base = name.rpartition("/")
        h = hashlib.sha256(content.encode()).hexdigest()
        return os.path.join(self.tdir, d, h + "." + base)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def canonical(o):
    """OLPC canonical JSON as securesystemslib writes it: sorted keys (code
    point order), no whitespace, only " and \\ escaped, integers only."""
    if isinstance(o, dict):
        return "{" + ",".join(canonical(k) + ":" + canonical(o[k]) for k in sorted(o)) + "}"
    if isinstance(o, list):
        return "[" + ",".join(canonical(v) for v in o) + "]"
    if isinstance(o, str):
        return '"' + o.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if o is True or o is False or o is None:
        return json.dumps(o)
    if isinstance(o, int):
        return str(o)
    raise TypeError(o)


def check_keyids(res, name, repo):
    """Every keyid ward wrote is the SHA-256 of the key's canonical JSON,
    computed here independently of libward (python-tuf's definition)."""
    bad, n = [], 0
    for f in sorted(os.listdir(repo.meta)):
        signed = json.loads(read(os.path.join(repo.meta, f)))["signed"]
        keys = signed.get("keys") or (signed.get("delegations") or {}).get("keys") or {}
        for keyid, key in keys.items():
            n += 1
            if hashlib.sha256(canonical(key).encode()).hexdigest() != keyid:
                bad.append("%s: %s" % (f, keyid))
    res.check("%s: all %d keyids are sha256(canonical key)" % (name, n), n > 0 and not bad,
              ", ".join(bad))


def both_clients(res, name, repo, url, expected, time=None):
    """tuf-js then ward download every target of `expected` (name -> bytes)
    into fresh directories; both must succeed with the published bytes."""
    check_keyids(res, name, repo)
    root = os.path.join(repo.meta, "1.root.json")
    tj_meta = os.path.join(repo.tmp, "tufjs", "metadata")
    tj_out = os.path.join(repo.tmp, "tufjs", "out")
    rc, out, err = tufjs(tj_meta, root, url, tj_out, expected, time)
    res.check("%s: tuf-js refreshes and downloads %d target(s)" % (name, len(expected)),
              rc == 0, "exit %d\nstdout: %s\nstderr: %s" % (rc, out, err))
    for t, data in expected.items():
        p = os.path.join(tj_out, *t.split("/"))
        got = read(p) if os.path.exists(p) else None
        res.check("%s: tuf-js: %s is the published bytes" % (name, t), got == data,
                  "got %r" % (got[:80] if got else got))
        line = "downloaded %s %d %s" % (t, len(data), hashlib.sha256(data).hexdigest())
        res.check("%s: tuf-js reports %s" % (name, t), line in out.splitlines(), out)
    # A second run starts from what tuf-js persisted (local metadata path).
    rc, out, err = tufjs(tj_meta, None, url, tj_out + "2", expected, time)
    res.check("%s: tuf-js again from its own trusted store" % name, rc == 0,
              "exit %d: %s" % (rc, err))

    dev = os.path.join(repo.tmp, "ward", "metadata")
    w_out = os.path.join(repo.tmp, "ward", "out")
    harness.ward("client", "init", "-q", "-d", dev, root, check="ok")
    tflag = ["--time", time] if time else []
    for t, data in expected.items():
        rc, out, err = harness.ward("client", "download", "-d", dev, "-m", url + "/metadata",
                                    *tflag, t, url + "/targets", w_out)
        p = os.path.join(w_out, *t.split("/"))
        got = read(p) if os.path.exists(p) else None
        res.check("%s: ward downloads %s, same bytes" % (name, t), rc == 0 and got == data,
                  "exit %d, stderr %r, got %r" % (rc, err, got[:80] if got else got))

    # tuf-js accepts ward's trusted store (same ROLE.json layout) as its own.
    tj2 = os.path.join(repo.tmp, "tufjs-on-ward-store")
    shutil.copytree(dev, tj2)
    rc, out, err = tufjs(tj2, None, url, tj2 + "-out", expected, time)
    res.check("%s: tuf-js starts from ward's trusted store" % name, rc == 0,
              "exit %d: %s" % (rc, err))


def expect_tufjs_refusal(res, name, repo, url, targets, fragment, time=None):
    tj_meta = os.path.join(repo.tmp, "tufjs-neg", "metadata")
    shutil.rmtree(os.path.dirname(tj_meta), ignore_errors=True)
    tj_out = os.path.join(repo.tmp, "tufjs-neg", "out")
    rc, out, err = tufjs(tj_meta, os.path.join(repo.meta, "1.root.json"), url, tj_out,
                         targets, time)
    leaked = [t for t in targets if os.path.exists(os.path.join(tj_out, *t.split("/")))]
    res.check("negative control: %s -> tuf-js refuses (%s)" % (name, err.strip()[:160]),
              rc != 0 and fragment in err and not leaked,
              "exit %d, stdout %r, stderr %r, expected %r; written: %s" % (
                  rc, out, err, fragment, leaked))


def files(d):
    return {k: v.encode() for k, v in d.items()}


def roles4(root, ts, snap, tgt, root_threshold=1, tgt_threshold=1):
    return {"root": {"keys": root, "threshold": root_threshold},
            "timestamp": {"keys": ts}, "snapshot": {"keys": snap},
            "targets": {"keys": tgt, "threshold": tgt_threshold}}


def scenarios():
    """(name, spec, expected contents, post-build hook or None, --time)."""
    out = []

    plain_files = {"hello.txt": "hello, world\n", "firmware/board-a-1.0.img": "image 1.0\n" * 50,
                   "empty.bin": ""}
    out.append(("plain top-level targets", {
        "expires": FAR, "consistent_snapshot": False,
        "root": {"roles": roles4(["root1"], ["ts1"], ["snap1"], ["tgt1"])},
        "targets": {"files": {k: {"content": v} for k, v in plain_files.items()}},
    }, files(plain_files), None, None))

    for scheme, tag in (("ed25519", "ed"), ("ecdsa-sha2-nistp256", "ec"),
                        ("rsassa-pss-sha256", "rsa")):
        names = ["%s-%s" % (tag, r) for r in ("root", "ts", "snap", "tgt", "team")]
        f = {"pkg/%s.txt" % tag: "signed with %s\n" % scheme,
             "team/%s.txt" % tag: "delegated, %s\n" % scheme}
        out.append(("%s keys" % scheme, {
            "expires": FAR, "schemes": {n: scheme for n in names},
            "root": {"roles": roles4([names[0]], [names[1]], [names[2]], [names[3]])},
            "targets": {"files": {"pkg/%s.txt" % tag: {"content": f["pkg/%s.txt" % tag]}},
                        "delegations": [{"name": "team", "keys": [names[4]],
                                         "paths": ["team/*"]}]},
            "roles": {"team": {"files": {"team/%s.txt" % tag:
                                         {"content": f["team/%s.txt" % tag]}}}},
        }, files(f), None, None))

    mixed = {"r-ed": "ed25519", "r-ec": "ecdsa-sha2-nistp256", "r-rsa": "rsassa-pss-sha256",
             "t-ec": "ecdsa-sha2-nistp256", "t-rsa": "rsassa-pss-sha256",
             "s-rsa": "rsassa-pss-sha256", "ts-ec": "ecdsa-sha2-nistp256"}
    mf = {"mixed.txt": "three key types, one root\n"}
    out.append(("mixed key types, root 3-of-3 (ed25519+ecdsa+rsa)", {
        "expires": FAR, "schemes": mixed,
        "root": {"roles": roles4(["r-ed", "r-ec", "r-rsa"], ["ts-ec"], ["s-rsa"],
                                 ["t-ec", "t-rsa"], root_threshold=3, tgt_threshold=2)},
        "targets": {"files": {k: {"content": v} for k, v in mf.items()}},
    }, files(mf), None, None))

    cf = {"dist/v3/app.tar": "app release 3\n" * 100, "dist/v3/README": "read me\n",
          "top.txt": "top\n"}
    out.append(("consistent snapshots, versions > 1", {
        "expires": FAR, "consistent_snapshot": True,
        "root": {"version": 1, "roles": roles4(["root1"], ["ts1"], ["snap1"], ["tgt1"])},
        "targets": {"version": 4, "files": {k: {"content": v} for k, v in cf.items()}},
        "snapshot": {"version": 7}, "timestamp": {"version": 9},
    }, files(cf), None, None))

    df = {"apps/hello.txt": "hello from team b\n",
          "apps/deep-1.txt": "from the nested role\n",
          "qa/report.txt": "qa report\n", "base.txt": "top-level\n"}
    out.append(("delegated roles with paths (nested; role name needing encoding)", {
        "expires": FAR,
        "root": {"roles": roles4(["root1"], ["ts1"], ["snap1"], ["tgt1"])},
        "targets": {"version": 2, "files": {"base.txt": {"content": df["base.txt"]}},
                    "delegations": [
                        {"name": "team-b", "keys": ["teamb"], "paths": ["apps/*"]},
                        {"name": "qa team", "keys": ["qa"], "paths": ["qa/*"],
                         "terminating": True}]},
        "roles": {
            "team-b": {"version": 3, "files": {"apps/hello.txt": {"content": df["apps/hello.txt"]}},
                       "delegations": [{"name": "team-b-nested", "keys": ["nested"],
                                        "paths": ["apps/deep-*"], "terminating": True}]},
            "team-b-nested": {"files": {"apps/deep-1.txt":
                                        {"content": df["apps/deep-1.txt"]}}},
            "qa team": {"files": {"qa/report.txt": {"content": df["qa/report.txt"]}}}},
    }, files(df), None, None))

    synth = ["file-%07d.bin" % i for i in (0, 1, 7, 23, 39)]
    hf = {"index.txt": "the index, in top-level targets\n"}
    exp = files(hf)
    exp.update({n: n.encode() for n in synth})
    out.append(("256 hash-bin delegations (path_hash_prefixes)", {
        "expires": FAR,
        "root": {"roles": roles4(["root1"], ["ts1"], ["snap1"], ["tgt1"])},
        "targets": {"files": {k: {"content": v} for k, v in hf.items()},
                    "hash_bins": {"count": 256, "keys": ["bins"], "synthetic": 40}},
    }, exp, lambda repo: repo.publish_synthetic(synth), None))

    rf = {"after-rotation.txt": "signed under root v3\n"}
    out.append(("root rotation chain v1 -> v2 -> v3 (timestamp key rotated)", {
        "expires": FAR, "schemes": {"rC1": "ecdsa-sha2-nistp256", "ts2": "rsassa-pss-sha256"},
        "root": [
            {"version": 1, "roles": roles4(["rA1", "rA2"], ["ts1"], ["snap1"], ["tgt1"],
                                           root_threshold=2)},
            {"version": 2, "roles": roles4(["rB1", "rB2"], ["ts1"], ["snap1"], ["tgt1"],
                                           root_threshold=2),
             "sign": ["rA1", "rA2", "rB1", "rB2"]},
            {"version": 3, "roles": roles4(["rC1"], ["ts2"], ["snap1"], ["tgt1"]),
             "sign": ["rB1", "rB2", "rC1"]}],
        "targets": {"files": {k: {"content": v} for k, v in rf.items()}},
    }, files(rf), None, None))

    tf = {"fw/2of3.img": "needs two of three\n", "team/x.txt": "delegated 2-of-3\n"}
    out.append(("threshold 2-of-3 (targets and a delegation)", {
        "expires": FAR,
        "root": {"roles": roles4(["root1", "root2", "root3"], ["ts1"], ["snap1"],
                                 ["t1", "t2", "t3"], root_threshold=2, tgt_threshold=2),
                 "sign": ["root1", "root3"]},
        "targets": {"sign": ["t1", "t3"],
                    "files": {"fw/2of3.img": {"content": tf["fw/2of3.img"]}},
                    "delegations": [{"name": "team", "keys": ["d1", "d2", "d3"],
                                     "threshold": 2, "paths": ["team/*"]}]},
        "roles": {"team": {"sign": ["d2", "d3"],
                           "files": {"team/x.txt": {"content": tf["team/x.txt"]}}}},
    }, files(tf), None, None))

    uf = {"docs/naïve café.txt": "non-ASCII name\n", "docs/a b+c=d.txt": "odd characters\n"}
    out.append(("canonical JSON: non-ASCII names, escapes in custom", {
        "expires": FAR,
        "root": {"roles": roles4(["root1"], ["ts1"], ["snap1"], ["tgt1"])},
        "targets": {"files": {
            "docs/naïve café.txt": {"content": uf["docs/naïve café.txt"],
                                    "custom": {"quote": "say \"hi\"", "backslash": "C:\\dir",
                                               "newline": "a\nb\tc\u0001", "ü": ["ß", 1, True,
                                                                                None, {}],
                                               "Z": {"b": 1, "a": -2, "B": 0}}},
            "docs/a b+c=d.txt": {"content": uf["docs/a b+c=d.txt"]}}},
    }, files(uf), None, None))

    return out


def run(res):
    for name, spec, expected, hook, time in scenarios():
        tmp = tempfile.mkdtemp(prefix="ward-tufjs-")
        try:
            repo = Repo(tmp, spec)
            if hook:
                hook(repo)
            with harness.http_server(repo.dir) as url:
                both_clients(res, name, repo, url, expected, time)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # -- negative controls ------------------------------------------------
    tmp = tempfile.mkdtemp(prefix="ward-tufjs-neg-")
    try:
        content = "the real image\n"
        spec = {"expires": "2027-06-01T00:00:00Z",
                "root": {"roles": roles4(["root1"], ["ts1"], ["snap1"], ["t1", "t2", "t3"],
                                         tgt_threshold=2)},
                "targets": {"files": {"fw/image.bin": {"content": content}}}}
        repo = Repo(tmp, spec)
        when = "2026-06-01T00:00:00Z"
        with harness.http_server(repo.dir) as url:
            both_clients(res, "negative-control baseline (fixed clock)", repo, url,
                         {"fw/image.bin": content.encode()}, when)
            expect_tufjs_refusal(res, "repository expired at the fixed time", repo, url,
                                 ["fw/image.bin"], "expired", "2027-06-01T00:00:00Z")
            target = repo.consistent_path("fw/image.bin", content)
            with open(target, "w") as f:
                f.write(content.replace("real", "evil"))  # same length, other bytes
            expect_tufjs_refusal(res, "tampered target", repo, url, ["fw/image.bin"],
                                 "hash", when)
            rc, _, err = harness.ward("client", "download", "-d",
                                      os.path.join(tmp, "ward", "metadata"), "-m",
                                      url + "/metadata", "--time", when, "fw/image.bin",
                                      url + "/targets", os.path.join(tmp, "ward", "out2"))
            res.check("negative control: tampered target -> ward refuses too",
                      rc == harness.EXIT["verify"], "exit %d: %s" % (rc, err))
            with open(target, "w") as f:
                f.write(content)
            ts = os.path.join(repo.meta, "timestamp.json")
            doc = json.load(open(ts))
            doc["signed"]["expires"] = "2099-01-01T00:00:00Z"
            with open(ts, "w") as f:
                json.dump(doc, f)
            expect_tufjs_refusal(res, "timestamp altered after signing", repo, url,
                                 ["fw/image.bin"], "timestamp was signed by 0/1 keys", when)
        shutil.rmtree(tmp)

        tmp = tempfile.mkdtemp(prefix="ward-tufjs-neg-")
        spec["targets"]["sign"] = ["t2"]  # 1 of the 2 required
        repo = Repo(tmp, spec)
        with harness.http_server(repo.dir) as url:
            expect_tufjs_refusal(res, "targets signed by 1 of 2 required keys", repo, url,
                                 ["fw/image.bin"], "targets was signed by 1/2 keys", when)
        shutil.rmtree(tmp)

        tmp = tempfile.mkdtemp(prefix="ward-tufjs-neg-")
        repo = Repo(tmp, {
            "expires": FAR,
            "root": [{"version": 1, "roles": roles4(["rA1"], ["ts1"], ["snap1"], ["tgt1"])},
                     {"version": 2, "roles": roles4(["rB1"], ["ts1"], ["snap1"], ["tgt1"]),
                      "sign": ["rB1"]}],
            "targets": {"files": {"a.txt": {"content": "a\n"}}}})
        with harness.http_server(repo.dir) as url:
            expect_tufjs_refusal(res, "root v2 signed only by its new key", repo, url,
                                 ["a.txt"], "root was signed by 0/1 keys")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    res = harness.Results()
    if setup(res):
        run(res)
    res.finish()


if __name__ == "__main__":
    main()
