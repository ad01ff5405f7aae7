"""benchlib.py - what bench/*.py share: the machine description, a test
HTTP server on 127.0.0.1, and interleaved, repeated measurements through
`/usr/bin/time -f '%e %M'` (peak RSS in KiB; see timed() for the times).

Each run of a client is one or more commands run one after another (e.g.
`ward client init` then `ward client download`); its time is the sum of
their wall-clock times, measured here with a nanosecond clock because
%e's 10 ms resolution is too coarse for ward, and its peak RSS is the
largest %M of its commands.  Runs of the compared clients alternate
(A B A B ...) after one unmeasured warm-up run each, so drift in the machine
hits both alike; the median of the runs is reported.  CPU time (user +
system, summed over a run's commands) is reported beside wall time: on a
shared machine it moves much less with the load than wall time does."""

import contextlib
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
SRC_DIR = os.path.dirname(BENCH_DIR)
sys.path.insert(0, os.path.join(SRC_DIR, "tests", "e2e"))

WARD = os.environ.get("WARD_BIN", "ward")
MKREPO = os.environ.get("WARD_MKREPO", "ward-mkrepo")
CLIENT_MJS = os.path.join(SRC_DIR, "tests", "interop", "client.mjs")
RUNS = int(os.environ.get("RUNS", "5"))
BUILDTYPE = os.environ.get("BUILDTYPE", "debugoptimized")
HTTPD_PLAIN = os.path.join(SRC_DIR, "tests", "e2e", "httpd.py")
HTTPD_NODELAY = os.path.join(BENCH_DIR, "httpd_nodelay.py")


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() \
        if shutil.which("node") else "absent"
    ossl = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip() \
        if shutil.which("openssl") else "?"
    rev = os.environ.get("WARD_REV") or subprocess.run(["git", "-C", SRC_DIR, "describe", "--always", "--dirty"],
                         capture_output=True, text=True,
                         env=dict(os.environ, GIT_OPTIONAL_LOCKS="0")).stdout.strip() or "?"
    return ("nproc %d, CPU %s, RAM %s, %s %s, %s, node %s, ward %s build %s, load average %s" % (
        os.cpu_count(), model, mem, platform.system(), platform.release(), ossl, node, rev,
        BUILDTYPE, " ".join(open("/proc/loadavg").read().split()[:3])))


@contextlib.contextmanager
def http_server(root, httpd=HTTPD_NODELAY):
    """Serves root on 127.0.0.1 with tests/e2e/httpd.py (by default through
    bench/httpd_nodelay.py); yields the base URL."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        proc = subprocess.Popen([sys.executable, httpd, "--root", root, "--port", "0",
                                 "--port-file", port_file])
        try:
            for _ in range(200):
                if os.path.exists(port_file):
                    break
                if proc.poll() is not None:
                    raise RuntimeError("httpd exited early")
                time.sleep(0.05)
            else:
                raise RuntimeError("httpd did not start")
            with open(port_file) as f:
                port = int(f.read().strip())
            yield "http://127.0.0.1:%d" % port
        finally:
            proc.terminate()
            proc.wait(timeout=10)


class TimeLimit(Exception):
    pass


def timed(cmd, limit=None):
    """Runs one command (argv list) under /usr/bin/time -f '%e %M'; returns
    (wall seconds, CPU seconds, peak RSS KiB, stdout).  Peak RSS is time's
    %M; wall time is measured here with a nanosecond clock and CPU time
    (user + system, microseconds) comes from wait4() on /usr/bin/time, which
    includes the command it waited for, because %e, %U and %S have 10 ms
    resolution, too coarse for ward.  Past `limit` seconds the command's
    whole process group is killed and TimeLimit raised."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf, \
            tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        killed = []

        def kill():
            killed.append(True)
            os.killpg(p.pid, signal.SIGKILL)

        t0 = time.perf_counter_ns()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%e %M", "-o", tf.name, *cmd],
                             stdout=out, stderr=err, text=True, start_new_session=True)
        timer = threading.Timer(limit, kill) if limit else None
        if timer:
            timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = (time.perf_counter_ns() - t0) / 1e9
        if timer:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        if killed:
            raise TimeLimit()
        out.seek(0)
        err.seek(0)
        o = out.read()
        if p.returncode != 0:
            raise RuntimeError("failed (exit %d): %s\n%s%s" % (
                p.returncode, " ".join(shlex.quote(c) for c in cmd), o, err.read()))
        m = int(tf.read().split()[-1])
        return wall, ru.ru_utime + ru.ru_stime, m, o


class Client:
    """One side of a comparison: prep() (untimed) then cmds() (timed), then
    check(stdout) (untimed) after each run."""

    def __init__(self, name, cmds, prep=None, check=None, limit=None):
        """limit: seconds; a client with a limit runs once, without
        warm-up, and is reported as not finished if it takes longer."""
        self.name = name
        self.limit = limit
        self.dnf = False
        self.cmds = cmds
        self.prep = prep or (lambda: None)
        self.check = check or (lambda out: None)
        self.walls, self.rss, self.cpus = [], [], []

    def run_once(self):
        self.prep()
        total, cpu, peak, out = 0.0, 0.0, 0, ""
        for c in self.cmds():
            wall, c_cpu, rss, o = timed(c, self.limit)
            total += wall
            cpu += c_cpu
            peak = max(peak, rss)
            out += o
        self.check(out)
        return total, peak, cpu

    @property
    def wall(self):
        return statistics.median(self.walls)

    @property
    def cpu(self):
        return statistics.median(self.cpus)

    @property
    def peak(self):
        return statistics.median(self.rss)


def compare(clients, runs=RUNS):
    for c in clients:  # warm-up (page cache, node's module cache), not counted
        if c.limit is None:
            c.run_once()
    for i in range(runs):
        for c in clients:
            if c.limit is not None and i > 0:
                continue
            try:
                w, r, u = c.run_once()
            except TimeLimit:
                c.dnf = True
                continue
            c.walls.append(w)
            c.rss.append(r)
            c.cpus.append(u)
    return clients


def fstype(path):
    """The file system type of the mount holding path (from /proc/mounts)."""
    best, kind = "", "?"
    path = os.path.realpath(path)
    with open("/proc/mounts") as f:
        for line in f:
            mnt, typ = line.split()[1:3]
            if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best):
                best, kind = mnt, typ
    return kind


def ward_floor_rss(runs=5):
    """Median peak RSS of `ward --help`: what the program and its shared
    libraries (libcrypto, libcurl and its dependencies) cost before any work."""
    return statistics.median(timed([WARD, "--help"])[2] for _ in range(runs))


def fmt_s(s):
    return "%.3f s" % s if s >= 0.1 else "%.1f ms" % (s * 1000)


def fmt_kib(k):
    return "%.1f MiB" % (k / 1024)


def table(clients, base):
    """Markdown rows: median wall time, CPU time, peak RSS, and each as a
    ratio to base."""
    b = base.name
    rows = ["| client | median wall time | runs (s) | median CPU (user+sys) | peak RSS (median) "
            "| wall ÷ %s | CPU ÷ %s | RSS ÷ %s |" % (b, b, b), "|---|---|---|---|---|---|---|---|"]
    for c in clients:
        if c.dnf:
            rows.append("| %s | **did not finish in %d s** (killed) | - | - | - | > %.0f× | - | - |"
                        % (c.name, c.limit, c.limit / base.wall))
            continue
        rows.append("| %s | %s | %s | %s | %s | %.2f× | %.2f× | %.2f× |" % (
            c.name, fmt_s(c.wall), " ".join("%.3f" % w for w in c.walls), fmt_s(c.cpu),
            fmt_kib(c.peak), c.wall / base.wall, c.cpu / max(base.cpu, 0.005),
            c.peak / base.peak))
    return "\n".join(rows)
