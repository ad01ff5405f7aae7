"""audit_sample.py - the README demo's sample firmware (scripts/
sample_firmware.py), audited as the demo audits it: the shipped product has
findings from every group of the catalogue, and the hardened one none above
info."""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import Results, ward  # noqa: E402

GROUPS = ("SB", "KEY", "AUTH", "SVC", "HW", "CTR", "RB", "SEC", "ENV")


def main():
    r = Results()
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with tempfile.TemporaryDirectory(prefix="ward-sample-") as tmp:
        subprocess.run([sys.executable, os.path.join(top, "scripts", "sample_firmware.py"), tmp], check=True)

        def inputs(kind):
            d = os.path.join(tmp, kind)
            return [os.path.join(d, "rootfs")] + [os.path.join(d, "boot", f) for f in
                                                  ("u-boot.config", "uboot.env", "board.dtb", "tee.bin")]

        code, out, err = ward("audit", "--format", "json", "--fail-on", "high", *inputs("shipped"))
        found = {f["id"] for f in json.loads(out)["findings"]} if out else set()
        missing = [g for g in GROUPS if not any(i.startswith(g + "-") for i in found)]
        r.check("shipped sample: findings from every group, the gate fails", code == 1 and not missing,
                (code, missing, err))
        r.check("shipped sample: OP-TEE with the published TA key and TAs on the filesystem (SB-09)",
                "SB-09" in found, sorted(found))
        code, out, err = ward("audit", "--format", "json", "--fail-on", "low", *inputs("hardened"))
        above = [(f["id"], f["file"]) for f in json.loads(out)["findings"] if f["severity"] != "info"] if out else None
        r.check("hardened sample: nothing above info", code == 0 and above == [], (code, above, err))
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
