"""audit_rootfs.py - `ward audit` end to end on root filesystems built here:
a firmware with findings from every rootfs group, hostile paths (links to
the host's files, ../ chains, loops, a device) that must never be followed
out of the image, and its hardened twin, which must have no finding above
info.  Each is audited as a directory and as a tar archive, in all three
formats; --fail-on, waivers (valid and expired) and SARIF's shape are
checked."""

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from harness import WARD, Results, ward  # noqa: E402

# SHA-512 crypt of "root" with salt "abc" (openssl passwd -6 -salt abc root)
ROOT_HASH = "$6$abc$WVzy1mzYOy5NbS.iVoa0XmNYJ6YUTZvtfDgbXOJ2AVO/IWzz5.koR6GZdcjtK6As0Rw.UtsEl/1qT4nKeCxKT1"


def write(root, path, text, mode=0o644):
    full = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)
    os.chmod(full, mode)


def link(root, path, target):
    full = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    os.symlink(target, full)


def build_findings(root, host):
    write(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\n"
          "guest:x:1000:1000::/home/guest:/bin/sh\n")
    write(root, "/etc/shadow", "root:%s:19000:0:99999:7:::\nguest::19000:0:99999:7:::\n" % ROOT_HASH)
    write(root, "/usr/sbin/sshd", "")
    write(root, "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n"
          "#PermitRootLogin prohibit-password\n"
          "Match User backup\n    PasswordAuthentication no\n")
    write(root, "/etc/ssh/sshd_config.d/10-debug.conf", "PermitRootLogin yes\n")
    write(root, "/etc/ssh/sshd_config.d/20-later.conf", "PermitRootLogin no\n")  # first match wins
    write(root, "/etc/ssh/ssh_host_ed25519_key", "not really a key\n", 0o600)
    write(root, "/root/.ssh/authorized_keys", "ssh-ed25519 AAAA... ops\n")
    write(root, "/etc/fw_env.config", "/dev/mmcblk0 0x400000 0x4000\n")
    write(root, "/usr/bin/swupdate", "")
    write(root, "/etc/swupdate.cfg", "globals: { verbose = true;\n  public-key-file = \"/etc/swupdate/public.pem\"; };\n")
    write(root, "/var/sota/sota.toml", "[import]\ntls_pkey_path = \"/var/sota/pkey.pem\"\n")
    link(root, "/etc/systemd/system/multi-user.target.wants/telnetd.service",
         "/lib/systemd/system/telnetd.service")
    link(root, "/etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service",
         "/lib/systemd/system/serial-getty@.service")
    write(root, "/etc/systemd/system/docker.service.d/override.conf",
          "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\n")
    write(root, "/etc/docker/daemon.json", '{"insecure-registries": ["10.0.0.1:5000"]}\n')
    write(root, "/opt/app/docker-compose.yml", """services:
  app:
    image: vendor/app:latest
    privileged: true
    network_mode: host
    cap_add: [SYS_ADMIN]
    devices: ["/dev/mem:/dev/mem"]
    security_opt: ["seccomp:unconfined"]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - /etc:/host-etc
    environment:
      API_TOKEN: s3cr3t-value
    ports:
      - "8080:80"
""")
    write(root, "/etc/app.conf", "aws = AKIAABCDEFGHIJKLMNOP\npassword=hunter22\n")
    # update clients that trust published development keys (KEY-07)
    demo = os.path.join(harness.SHARED, "data", "demo-public-keys")
    write(root, "/etc/rauc/system.conf", "[system]\ncompatible=board\n\n[keyring]\npath=ca.cert.pem\n")
    write(root, "/etc/rauc/ca.cert.pem", open(os.path.join(demo, "lmp-dev.pub.pem")).read())
    write(root, "/etc/swupdate/public.pem", open(os.path.join(demo, "uboot-dev.pub.pem")).read())
    write(root, "/etc/mender/mender.conf",
          '{"ArtifactVerifyKey": "/etc/mender/artifact-verify-key.pem"}\n')
    write(root, "/etc/mender/artifact-verify-key.pem",
          open(os.path.join(demo, "mcuboot-root-ec-p256.pub.pem")).read())
    # hostile: every one of these must stay inside the image
    link(root, "/etc/evil-abs", os.path.join(host, "passwd"))
    link(root, "/etc/evil-rel", "../../../../../../../../.." + os.path.join(host, "passwd"))
    link(root, "/etc/loop1", "loop2")
    link(root, "/etc/loop2", "loop1")
    link(root, "/etc/zero.conf", "/dev/zero")
    link(root, "/etc/host-shadow", "/etc/shadow")
    link(root, "/opt/app/compose.yml", "../../../../.." + os.path.join(host, "compose.yml"))


def build_hardened(root, host):
    write(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nsvc:x:1000:1000::/home/svc:/usr/sbin/nologin\n")
    write(root, "/etc/shadow", "root:*:19000:0:99999:7:::\nsvc:!:19000:0:99999:7:::\n")
    write(root, "/usr/sbin/sshd", "")
    write(root, "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n"
          "PermitRootLogin no\nPasswordAuthentication no\n"
          "Match Address 10.0.0.0/8\n    PasswordAuthentication yes\n    PermitRootLogin yes\n")
    write(root, "/etc/ssh/sshd_config.d/10-ok.conf", "KbdInteractiveAuthentication no\n")
    write(root, "/opt/app/docker-compose.yml", """services:
  app:
    image: vendor/app@sha256:0000000000000000000000000000000000000000000000000000000000000000
    security_opt: ["no-new-privileges:true"]
    volumes:
      - /etc/app:/config:ro
    environment:
      API_TOKEN_FILE: /run/secrets/token
    ports:
      - "127.0.0.1:8080:80"
""")
    write(root, "/etc/docker/daemon.json", '{"userns-remap": "default", "icc": false}\n')
    # the update client trusts the product's own key (KEY-07 silent)
    write(root, "/etc/rauc/system.conf", "[keyring]\npath=/etc/rauc/product.pem\n")
    key = subprocess.run(["openssl", "genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
                         capture_output=True, check=True).stdout
    write(root, "/etc/rauc/product.pem", subprocess.run(["openssl", "pkey", "-pubout"], input=key,
                                                       capture_output=True, check=True).stdout.decode())
    # a default-deny firewall, loaded at boot (SVC-04)
    write(root, "/etc/nftables.conf", "#!/usr/sbin/nft -f\nflush ruleset\ntable inet filter {\n"
          "  chain input { type filter hook input priority 0; policy drop;\n"
          "    ct state established,related accept\n    iif lo accept\n    tcp dport 22 accept\n  }\n}\n")
    link(root, "/etc/systemd/system/sysinit.target.wants/nftables.service",
         "/lib/systemd/system/nftables.service")
    # device keys in OP-TEE secure storage (SEC-04)
    write(root, "/usr/sbin/tee-supplicant", "")
    link(root, "/etc/systemd/system/multi-user.target.wants/tee-supplicant.service",
         "/lib/systemd/system/tee-supplicant.service")
    # hostile links in the hardened image too: no finding may come from the host
    link(root, "/etc/shadow-host", os.path.join(host, "shadow"))
    link(root, "/etc/ssh/sshd_config.d/99-host.conf", os.path.join(host, "sshd.conf"))
    link(root, "/etc/loop", "/etc/loop")


def build_host(host):
    """Files outside every image that would produce findings if read."""
    os.makedirs(host)
    write(host, "/passwd", "evil:x:0:0::/:/bin/sh\n")
    write(host, "/shadow", "root::1:0:99999:7:::\n")
    write(host, "/sshd.conf", "PermitRootLogin yes\nPasswordAuthentication yes\n")
    write(host, "/compose.yml", "services:\n  x:\n    image: a\n    privileged: true\n")


class Checks(Results):
    """Results whose details may be any value."""

    def check(self, name, cond, detail=""):
        return super().check(name, cond, detail if isinstance(detail, str) else repr(detail))


def audit(*args):
    return ward("audit", *args)


def main():
    r = Checks()
    tmp = tempfile.mkdtemp(prefix="ward-audit-")
    try:
        host = os.path.join(tmp, "host")
        build_host(host)
        bad, good = os.path.join(tmp, "bad"), os.path.join(tmp, "good")
        build_findings(bad, host)
        build_hardened(good, host)
        tars = {}
        for name, d in (("bad", bad), ("good", good)):
            t = os.path.join(tmp, name + ".tar.gz")
            with tarfile.open(t, "w:gz") as tf:
                tf.add(d, arcname=".")
            tars[name] = t

        for label, src in (("dir", bad), ("tar", tars["bad"])):
            code, out, err = audit("--format", "json", src)
            r.check("%s: findings audited (exit 0 without --fail-on)" % label, code == 0, err)
            doc = json.loads(out) if code == 0 else {"findings": []}
            ids = {f["id"] for f in doc["findings"]}
            want = {"AUTH-01", "AUTH-02", "AUTH-03", "AUTH-04", "AUTH-05", "AUTH-06", "AUTH-07",
                    "SVC-01", "SVC-02", "SVC-03", "SVC-04", "ENV-02", "RB-02", "SEC-02", "SEC-03",
                    "SEC-04", "KEY-07", "CTR-01", "CTR-02", "CTR-03", "CTR-04", "CTR-05", "CTR-06", "CTR-07", "CTR-08",
                    "CTR-09", "CTR-10", "CTR-11"} - {"AUTH-01"}
            r.check("%s: every rootfs group fires" % label, want <= ids, sorted(want - ids))
            k07 = sorted((f["file"], f["location"]) for f in doc["findings"] if f["id"] == "KEY-07")
            r.check("%s: update clients trusting published keys: KEY-07 on each trust root" % label,
                    k07 == [("/etc/mender/artifact-verify-key.pem", "Mender mender.conf ArtifactVerifyKey"),
                            ("/etc/rauc/ca.cert.pem", "RAUC /etc/rauc/system.conf [keyring] path"),
                            ("/etc/swupdate/public.pem", "SWUpdate /etc/swupdate.cfg public-key-file")], k07)
            dup = [f for f in doc["findings"] if f["id"] == "KEY-01" and f["file"] in
                   ("/etc/rauc/ca.cert.pem", "/etc/mender/artifact-verify-key.pem", "/etc/swupdate/public.pem")]
            r.check("%s: a trust root is one finding (KEY-07), not also KEY-01" % label, not dup, dup)
            sec04 = [f for f in doc["findings"] if f["id"] == "SEC-04"]
            r.check("%s: update clients with no secure storage: SEC-04 medium" % label,
                    sec04 and sec04[0]["severity"] == "medium", sec04)
            auth02 = [f for f in doc["findings"] if f["id"] == "AUTH-02"]
            r.check("%s: root's well-known password is critical" % label,
                    auth02 and auth02[0]["severity"] == "critical", auth02)
            a04 = [f for f in doc["findings"] if f["id"] == "AUTH-04"]
            r.check("%s: sshd first match from sshd_config.d, default PasswordAuthentication" % label,
                    any(f["file"] == "/etc/ssh/sshd_config.d/10-debug.conf" and "PermitRootLogin yes"
                        in f["evidence"] for f in a04) and
                    any("PasswordAuthentication" in f["evidence"] and f["location"] == "OpenSSH default"
                        for f in a04), a04)
            host_hits = [f for f in doc["findings"]
                         if "evil" in f["evidence"] or f["file"].startswith(host) or
                         (f["id"] == "AUTH-01")]
            r.check("%s: nothing read from the host through links" % label, not host_hits, host_hits)
            r.check("%s: every finding has evidence, remedy, class and OTA" % label,
                    all(f["evidence"] and f["remedy"] and f["class"] in ("basic", "process", "config")
                        and f["ota"] in ("yes", "boot", "no", "n/a") for f in doc["findings"]))

        for label, src in (("dir", good), ("tar", tars["good"])):
            code, out, err = audit("--format", "json", "--fail-on", "low", src)
            doc = json.loads(out) if out else {"findings": []}
            above = [f for f in doc["findings"] if f["severity"] != "info"]
            r.check("%s: hardened twin has no finding above info" % label, code == 0 and not above,
                    (code, err, above))

        # human report: grouped by severity and class, explicit OTA column
        code, out, err = audit(bad)
        r.check("human report groups and OTA column", code == 0 and "== critical ==" in out and
                "-- configuration --" in out and "OTA:" in out and "remedy:" in out, err)
        # SARIF 2.1.0 shape
        code, out, err = audit("--format", "sarif", bad)
        ok = code == 0
        if ok:
            s = json.loads(out)
            run = s["runs"][0]
            rules = [x["id"] for x in run["tool"]["driver"]["rules"]]
            ok = (s["version"] == "2.1.0" and "sarif-schema-2.1.0" in s["$schema"] and
                  run["tool"]["driver"]["name"] == "ward" and len(rules) == len(set(rules)) and
                  all(res["ruleId"] == rules[res["ruleIndex"]] and
                      res["level"] in ("error", "warning", "note") and
                      res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                      for res in run["results"]))
        r.check("SARIF 2.1.0: schema, driver, rules, results and locations", ok, err)

        # --fail-on
        code, _, _ = audit("--fail-on", "critical", bad)
        r.check("--fail-on critical fails on the findings image", code == 1)
        code, _, _ = audit("--fail-on", "low", tars["good"])
        r.check("--fail-on low passes on the hardened image", code == 0)
        code, _, _ = audit("--fail-on", "bogus", good)
        r.check("--fail-on with an unknown severity is a usage error", code == 2)

        # waivers: valid until its date, counted again after it
        wj = os.path.join(tmp, "waivers.json")
        crit = [("CTR-01", "/opt/app/docker-compose.yml"), ("CTR-02", "/opt/app/docker-compose.yml"),
                ("AUTH-02", "/etc/shadow"), ("SVC-03", "*"), ("KEY-07", "*")]
        with open(wj, "w") as f:
            json.dump({"waivers": [{"id": i, "path": p, "reason": "lab unit only",
                                    "expires": "2030-01-01"} for i, p in crit]}, f)
        code, out, err = audit("--fail-on", "critical", "--waivers", wj, "--time", "@1893369600", bad)
        r.check("waivers accept every critical finding until they expire", code == 0, out + err)
        code, out, err = audit("--fail-on", "critical", "--waivers", wj, "--time", "@1893542401",
                               "--format", "json", bad)
        doc = json.loads(out) if out else {"findings": []}
        r.check("expired waivers count again and are reported as expired",
                code == 1 and any(f.get("waiver", {}).get("state") == "expired"
                                  for f in doc["findings"]), err)
        wt = os.path.join(tmp, "waivers.txt")
        with open(wt, "w") as f:
            f.write("# id path expires reason\n")
            for i, p in crit:
                f.write("%s %s 2030-01-01 accepted for the pilot\n" % (i, p))
        code, out, err = audit("--fail-on", "critical", "--waivers", wt, "--time", "@1893369600", bad)
        r.check("text waiver file", code == 0 and "WAIVED until 2030-01-01" in out, err)
        with open(wt, "w") as f:
            f.write("CTR-01 /x not-a-date reason\n")
        code, _, err = audit("--waivers", wt, bad)
        r.check("malformed waiver file is invalid input", code == 18, err)

        # no progress line when stderr is not a terminal
        code, out, err = audit(bad)
        r.check("no progress output when stderr is not a terminal", err == "", err)

        # hostile: the host file is never opened (strace proves it where present)
        strace = shutil.which("strace")
        if strace:
            p = subprocess.run([strace, "-f", "-e", "trace=open,openat,openat2", "-o",
                                os.path.join(tmp, "trace"), WARD, "audit", bad, good],
                               capture_output=True, text=True, timeout=120,
                               # LeakSanitizer cannot run under ptrace
                               env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
            with open(os.path.join(tmp, "trace")) as f:
                trace = f.read()
            r.check("strace: no host file opened through an image link",
                    p.returncode == 0 and host not in trace,
                    (p.returncode, p.stderr[-300:], [x for x in trace.splitlines() if host in x][:5]))

        # malformed inputs: a clear message, no crash
        junk = os.path.join(tmp, "junk.tar")
        with open(junk, "wb") as f:
            f.write(b"\x1f\x8b" + os.urandom(4000))
        code, _, err = audit(junk)
        r.check("corrupt archive: invalid input with a message", code == 18 and err.startswith("ward: "),
                (code, err))
        code, _, err = audit(os.path.join(tmp, "absent"))
        r.check("absent input: not found", code == 14, err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
