#!/usr/bin/env python3
"""attacks.py - each attack the TUF specification names (section 1.5.2),
mounted against repositories built with libward (ward-mkrepo), served over
HTTP on 127.0.0.1, and refused by the real `ward client` with the right exit
status and message.  A few benign cases prove each setup would otherwise
succeed, so a refusal is never an accident of a broken fixture."""

import copy
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

NOW = "2026-06-01T00:00:00Z"
IMG = "firmware/board-a.img"
IMG_V1 = "firmware image 1.0\n"
IMG_V2 = "firmware image 2.0 with the fix\n"


def base_spec(version=1, image=IMG_V1):
    return {
        "expires": "2027-01-01T00:00:00Z",
        "root": {"version": 1, "expires": "2030-01-01T00:00:00Z", "roles": {
            "root": {"keys": ["root1", "root2"], "threshold": 2},
            "timestamp": {"keys": ["ts1"]},
            "snapshot": {"keys": ["snap1"]},
            "targets": {"keys": ["tgt1", "tgt2"], "threshold": 2}}},
        "targets": {"version": version, "files": {
            IMG: {"content": image, "custom": {"hardware": ["board-a"], "depends": []}}},
            "delegations": [{"name": "team-b", "keys": ["teamb"], "paths": ["apps/*"],
                             "terminating": True}]},
        "roles": {"team-b": {"version": version, "files": {
            "apps/hello.txt": {"content": "hello from team b %d\n" % version}}}},
        "snapshot": {"version": version},
        "timestamp": {"version": version},
    }


class Repo:
    """A repository on disk, its keys, a server and one device's state."""

    def __init__(self, tmp, res):
        self.tmp = tmp
        self.res = res
        self.keys = os.path.join(tmp, "keys")
        self.dir = os.path.join(tmp, "repo")
        self.meta = os.path.join(self.dir, "metadata")
        self.device = os.path.join(tmp, "device", "metadata")
        self.out = os.path.join(tmp, "device", "out")

    def publish(self, spec):
        path = os.path.join(self.tmp, "spec.json")
        with open(path, "w") as f:
            json.dump(spec, f)
        subprocess.run([harness.MKREPO, self.keys, self.dir, path], check=True)

    def init_device(self, root_file=None):
        shutil.rmtree(os.path.join(self.tmp, "device"), ignore_errors=True)
        harness.ward("client", "init", "-q", "-d", self.device,
                     root_file or os.path.join(self.meta, "1.root.json"), check="ok")

    def refresh(self, time=NOW):
        return harness.ward("client", "refresh", "-d", self.device, "--time", time,
                            self.url + "/metadata")

    def download(self, target, time=NOW):
        return harness.ward("client", "download", "-d", self.device, "-m",
                            self.url + "/metadata", "--time", time, target,
                            self.url + "/targets", self.out)

    def faults(self, mapping):
        with open(os.path.join(self.dir, ".faults.json"), "w") as f:
            json.dump(mapping, f)

    def expect(self, name, result, status, fragment=""):
        rc, out, err = result
        ok = rc == harness.EXIT[status] and fragment in err
        self.res.check("%s -> %s%s" % (name, status, (" (%s)" % err.strip()) if err else ""), ok,
                       "exit %d, stderr %r; expected %s and %r" % (rc, err, status, fragment))


def scenario(res, name):
    """Decorator: each scenario gets a fresh repository and server."""
    def wrap(fn):
        tmp = tempfile.mkdtemp(prefix="ward-attack-")
        try:
            repo = Repo(tmp, res)
            os.makedirs(repo.dir)
            with harness.http_server(repo.dir) as url:
                repo.url = url
                repo.publish(base_spec())
                repo.init_device()
                fn(repo)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return fn
    return wrap


def consistent_target(repo, name):
    d, _, base = name.rpartition("/")
    hits = glob.glob(os.path.join(repo.dir, "targets", d, "*." + base))
    assert hits, name
    return hits[0]


def run(res):
    @scenario(res, "baseline")
    def baseline(repo):
        repo.expect("baseline: refresh", repo.refresh(), "ok")
        repo.expect("baseline: download", repo.download(IMG), "ok")
        with open(os.path.join(repo.out, IMG)) as f:
            res.check("baseline: downloaded bytes are the release", f.read() == IMG_V1)
        repo.expect("baseline: delegated target", repo.download("apps/hello.txt"), "ok")
        rc, out, _ = repo.download(IMG)
        res.check("baseline: a verified target already present is not fetched again",
                  rc == 0 and "already up to date" in out, out)
        files = sorted(f for f in os.listdir(repo.device) if f.endswith(".json"))
        res.check("baseline: trusted store holds one ROLE.json per role and nothing else",
                  files == ["root.json", "snapshot.json", "targets.json", "team-b.json",
                            "timestamp.json"], str(files))
        with open(os.path.join(repo.meta, "timestamp.json"), "rb") as a, \
                open(os.path.join(repo.device, "timestamp.json"), "rb") as b:
            res.check("baseline: trusted files are the exact bytes received", a.read() == b.read())

    @scenario(res, "arbitrary software")
    def arbitrary_software(repo):
        path = consistent_target(repo, IMG)
        with open(path, "w") as f:
            f.write(IMG_V1.replace("1.0", "6.6"))  # same length, other bytes
        repo.expect("arbitrary software: replaced image", repo.download(IMG), "verify",
                    "sha256 hash mismatch")
        res.check("arbitrary software: nothing left in the output directory",
                  not os.path.exists(os.path.join(repo.out, IMG)) and
                  not [f for f in os.listdir(os.path.join(repo.out, "firmware"))])

    @scenario(res, "arbitrary metadata")
    def arbitrary_metadata(repo):
        path = os.path.join(repo.meta, "timestamp.json")
        doc = json.load(open(path))
        doc["signed"]["expires"] = "2099-01-01T00:00:00Z"
        json.dump(doc, open(path, "w"))
        repo.expect("arbitrary metadata: timestamp altered after signing", repo.refresh(),
                    "verify", "signed by 0 of 1 required keys of root v1")

    @scenario(res, "rollback")
    def rollback(repo):
        repo.expect("rollback: v1 accepted", repo.refresh(), "ok")
        old_ts = open(os.path.join(repo.meta, "timestamp.json"), "rb").read()
        repo.publish(base_spec(2, IMG_V2))
        repo.expect("rollback: v2 accepted", repo.refresh(), "ok")
        open(os.path.join(repo.meta, "timestamp.json"), "wb").write(old_ts)
        repo.expect("rollback: server replays timestamp v1", repo.refresh(), "rollback",
                    "timestamp rollback 1 < 2")
        # An attacker holding the online keys re-signs a newer timestamp and
        # snapshot that point back at targets v1.
        spec = base_spec(3, IMG_V1)
        spec["targets"]["version"] = 1
        spec["roles"]["team-b"]["version"] = 1
        repo.publish(spec)
        repo.expect("rollback: snapshot v3 lists targets v1 after v2", repo.refresh(), "rollback",
                    "targets.json rollback 1 < 2")

    @scenario(res, "indefinite freeze")
    def freeze(repo):
        repo.expect("freeze: fresh metadata", repo.refresh(), "ok")
        repo.expect("freeze: the same metadata a year later", repo.refresh("2027-06-01T00:00:00Z"),
                    "expired", "timestamp v1: expired at 2027-01-01T00:00:00Z")
        repo.expect("freeze: expiry instant itself counts as expired",
                    repo.refresh("2027-01-01T00:00:00Z"), "expired")

    @scenario(res, "endless data")
    def endless(repo):
        repo.faults({"/metadata/timestamp.json": {"endless": True}})
        repo.expect("endless data: timestamp", repo.refresh(), "limit", "16384")
        repo.faults({"/metadata/2.root.json": {"endless": True}})
        repo.expect("endless data: next root", repo.refresh(), "limit")
        repo.faults({})
        repo.expect("endless data: recovers once the server is honest", repo.refresh(), "ok")
        path = consistent_target(repo, IMG)
        with open(path, "a") as f:
            f.write("x" * 100000)
        repo.expect("endless data: target longer than its trusted length", repo.download(IMG),
                    "limit")

    @scenario(res, "slow retrieval")
    def slow(repo):
        repo.faults({"/metadata/timestamp.json": {"slow": True}})
        repo.expect("slow retrieval: 1 byte every 2 s", repo.refresh(), "limit", "slow")

    @scenario(res, "extraneous dependencies")
    def extraneous(repo):
        repo.expect("extraneous dependencies: baseline", repo.refresh(), "ok")
        repo.publish(base_spec(2))
        # Add a dependency to the image's custom metadata without the
        # targets keys: snapshot's hash of targets no longer matches.
        path = os.path.join(repo.meta, "2.targets.json")
        raw = open(path, "rb").read()
        old, new = b'"hardware":["board-a"]', b'"depends":["evilagnt"]'
        assert len(old) == len(new) and old in raw
        open(path, "wb").write(raw.replace(old, new))
        repo.expect("extraneous dependencies: altered custom metadata", repo.refresh(), "verify",
                    "hash mismatch")

    @scenario(res, "mix-and-match")
    def mix_and_match(repo):
        repo.publish(base_spec(2, IMG_V2))
        shutil.copy(os.path.join(repo.meta, "1.targets.json"),
                    os.path.join(repo.meta, "2.targets.json"))
        repo.expect("mix-and-match: targets v1 served as v2", repo.refresh(), "verify",
                    "targets v2")

    @scenario(res, "fast-forward")
    def fast_forward(repo):
        repo.expect("fast-forward: baseline", repo.refresh(), "ok")
        # The attacker holds the timestamp key and pushes version 1000.
        spec = base_spec(1)
        spec["timestamp"]["version"] = 1000
        repo.publish(spec)
        repo.expect("fast-forward: attacker's timestamp v1000 (validly signed)", repo.refresh(), "ok")
        # The owners rotate the timestamp key in root v2 and publish v2.
        spec = base_spec(2)
        spec["root"] = [base_spec()["root"], copy.deepcopy(base_spec()["root"])]
        spec["root"][1]["version"] = 2
        spec["root"][1]["roles"]["timestamp"]["keys"] = ["ts2"]
        repo.publish(spec)
        rc, out, err = repo.refresh()
        res.check("fast-forward: recovery after timestamp key rotation",
                  rc == 0 and harness.trusted_versions(out).get("timestamp") == 2, out + err)

    @scenario(res, "key compromise")
    def compromise(repo):
        repo.expect("key compromise: baseline", repo.refresh(), "ok")
        # One of two targets keys, plus the online keys, are stolen.
        spec = base_spec(2, "malware\n")
        spec["targets"]["sign"] = ["tgt1"]
        repo.publish(spec)
        repo.expect("key compromise: targets signed by 1 of 2", repo.refresh(), "verify",
                    "targets v2: signed by 1 of 2 required keys of root v1")
        # One of two root keys: a root that hands everything to the attacker.
        spec = base_spec(3, "malware\n")
        evil_root = copy.deepcopy(spec["root"])
        evil_root["version"] = 2
        evil_root["sign"] = ["root1", "evil"]
        for role in evil_root["roles"].values():
            role["keys"] = ["evil"]
            role["threshold"] = 1
        evil_root["roles"]["root"]["keys"] = ["evil", "root1"]
        spec["root"] = [spec["root"], evil_root]
        repo.publish(spec)
        repo.expect("key compromise: root v2 signed by 1 of 2 old root keys", repo.refresh(),
                    "verify", "root v2: signed by 1 of 2 required keys of root v1")

    @scenario(res, "wrong software")
    def wrong_software(repo):
        repo.expect("wrong software: baseline", repo.refresh(), "ok")
        # team-b is trusted for apps/* only; it lists a firmware image.
        spec = base_spec(2)
        spec["targets"]["files"] = {}
        spec["roles"]["team-b"]["files"]["firmware/board-b.img"] = {"content": "not for you\n"}
        repo.publish(spec)
        repo.expect("wrong software: delegated role lists a path outside its delegation",
                    repo.download("firmware/board-b.img"), "notfound")
        # metadata from another repository entirely
        other = os.path.join(repo.tmp, "other")
        subprocess.run([harness.MKREPO, os.path.join(repo.tmp, "otherkeys"), other,
                        os.path.join(repo.tmp, "spec.json")], check=True)
        shutil.rmtree(repo.meta)
        shutil.copytree(os.path.join(other, "metadata"), repo.meta)
        repo.expect("wrong software: another repository's metadata", repo.refresh(), "verify",
                    "required keys of root v1")


def delegation_graph(res):
    """TUF 5.7: the search is bounded, cycles end, terminating roles stop
    backtracking, and the first matching role in order wins."""
    tmp = tempfile.mkdtemp(prefix="ward-deleg-")
    try:
        repo = Repo(tmp, res)
        os.makedirs(repo.dir)
        with harness.http_server(repo.dir) as url:
            repo.url = url
            spec = base_spec()
            # a chain of 40 roles, each delegating deep/* to the next
            chain = 40
            spec["targets"]["delegations"] = [
                {"name": "c0", "keys": ["d"], "paths": ["deep/*"]},
                {"name": "loop-a", "keys": ["d"], "paths": ["loop/*"]},
                {"name": "first", "keys": ["d"], "paths": ["order/*"]},
                {"name": "second", "keys": ["d"], "paths": ["order/*"]},
                {"name": "stop", "keys": ["d"], "paths": ["term/*"], "terminating": True},
                {"name": "after-stop", "keys": ["d"], "paths": ["term/*"]},
            ]
            roles = {}
            for i in range(chain):
                roles["c%d" % i] = {"delegations": [{"name": "c%d" % (i + 1), "keys": ["d"],
                                                     "paths": ["deep/*"]}] if i + 1 < chain else [],
                                    "files": {"deep/x%d" % i: {"content": "x"}}}
            roles["c%d" % (chain - 1)]["files"]["deep/end"] = {"content": "end\n"}
            roles["loop-a"] = {"delegations": [{"name": "loop-b", "keys": ["d"], "paths": ["loop/*"]}]}
            roles["loop-b"] = {"delegations": [{"name": "loop-a", "keys": ["d"], "paths": ["loop/*"]}]}
            roles["first"] = {"files": {"order/x": {"content": "first\n"}}}
            roles["second"] = {"files": {"order/x": {"content": "second!\n"}}}
            roles["stop"] = {}
            roles["after-stop"] = {"files": {"term/x": {"content": "should not be found\n"}}}
            spec["roles"] = roles
            repo.publish(spec)
            repo.init_device()
            repo.expect("delegations: near target in a long chain", repo.download("deep/x3"), "ok")
            repo.expect("delegations: target 40 roles deep is beyond the search bound",
                        repo.download("deep/end"), "limit", "delegated roles searched")
            repo.expect("delegations: a cycle ends", repo.download("loop/x"), "notfound")
            repo.expect("delegations: first matching role wins", repo.download("order/x"), "ok")
            with open(os.path.join(repo.out, "order/x")) as f:
                res.check("delegations: the first role's target was downloaded", f.read() == "first\n")
            repo.expect("delegations: terminating role stops the search", repo.download("term/x"),
                        "notfound")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    res = harness.Results()
    run(res)
    delegation_graph(res)
    res.finish()


if __name__ == "__main__":
    main()
