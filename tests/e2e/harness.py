"""harness.py - shared pieces of ward's end-to-end tests: start the test
HTTP server on 127.0.0.1, run the real `ward` program, check results.

Environment (set by meson): WARD_BIN, WARD_MKREPO, WARD_HTTPD,
WARD_SHARED_DIR."""

import contextlib
import os
import subprocess
import sys
import tempfile
import time

WARD = os.environ.get("WARD_BIN", "ward")
MKREPO = os.environ.get("WARD_MKREPO", "ward-mkrepo")
HTTPD = os.environ.get("WARD_HTTPD", os.path.join(os.path.dirname(__file__), "httpd.py"))
SHARED = os.environ.get("WARD_SHARED_DIR",
                        os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))

# ward's exit codes (src/bin/ward/main.c): 9 - WARD_E*
EXIT = {"ok": 0, "usage": 2, "verify": 10, "expired": 11, "rollback": 12, "limit": 13,
        "notfound": 14, "io": 15, "net": 16, "nomem": 17, "invalid": 18}


@contextlib.contextmanager
def http_server(root, *extra):
    """Serves root on 127.0.0.1; yields the base URL."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        proc = subprocess.Popen([sys.executable, HTTPD, "--root", root, "--port", "0",
                                 "--port-file", port_file, *extra])
        try:
            for _ in range(200):
                if os.path.exists(port_file):
                    break
                if proc.poll() is not None:
                    raise RuntimeError("httpd.py exited early")
                time.sleep(0.05)
            else:
                raise RuntimeError("httpd.py did not start")
            with open(port_file) as f:
                port = int(f.read().strip())
            yield "http://127.0.0.1:%d" % port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()  # a handler thread stuck in a slow/endless reply
                proc.wait()


def ward(*args, check=None):
    """Runs ward; returns (exit code, stdout, stderr).  check=name asserts
    the exit code by name from EXIT."""
    p = subprocess.run([WARD, *args], capture_output=True, text=True, timeout=120)
    if check is not None and p.returncode != EXIT[check]:
        raise AssertionError("ward %s: exit %d, expected %s (%d)\nstdout: %s\nstderr: %s" % (
            " ".join(args), p.returncode, check, EXIT[check], p.stdout, p.stderr))
    return p.returncode, p.stdout, p.stderr


def trusted_versions(stdout):
    """Parses 'trusted: root v15, timestamp v762, ...' into a dict."""
    out = {}
    for line in stdout.splitlines():
        if line.startswith("trusted: "):
            for part in line[len("trusted: "):].split(", "):
                role, v = part.split(" v")
                out[role] = int(v)
    return out


class Results:
    """Collects named checks; exits non-zero if any failed."""

    def __init__(self):
        self.failed = []
        self.count = 0

    def check(self, name, cond, detail=""):
        self.count += 1
        status = "ok" if cond else "FAIL"
        print("%s %d - %s%s" % (status, self.count, name, "" if cond else ": " + detail))
        if not cond:
            self.failed.append(name)

    def finish(self):
        print("%d checks, %d failed" % (self.count, len(self.failed)))
        sys.exit(1 if self.failed else 0)
