#!/usr/bin/env bash
# Benchmark (issue 3, item 10): publish a release that adds 10,000 targets to
# a 100,000-target repository, signed by 2 of 3 keys: ward against the same
# work done in Node with @tufjs/models (bench/publish_tufjs.mjs), in the same
# run.  Goal: ward >= 10x faster.
#
#   bash bench/publish.sh                  RUNS=3 BUILDTYPE=release
#
# Setup (not timed): five ed25519 keys from `ward key generate` (alice, bob,
# carol: root and targets, 2 of 3; ts, snap: online), `ward repo init`,
# signed by alice and bob, published; then 100,000 files of 32 bytes
# (base/bNNN/tNNNNNN.bin, 1,000 a directory) through `ward repo add-targets`,
# signed 2 of 3 and published (targets v2, 26 MB).  The setup runs under
# eatmydata when it is there (fsync made a no-op: it is not what is measured)
# and is kept as a template that every run copies.
#
# Timed, ward: `ward repo add-targets DIR new` (10,000 more files of 32
# bytes, new/nNNN/tNNNNNN.bin) + `ward repo sign` (alice) + `ward repo sign`
# (bob) + `ward repo publish`: the sum of their wall times, the largest of
# their peak RSS (/usr/bin/time -f '%e %U %S %M').
# Timed, node: one `node bench/publish_tufjs.mjs` on a copy of the published
# metadata, the same release: targets hashed (length, sha256, sha512) and
# stored as targets/DIR/SHA256.NAME, targets v3 signed by alice and bob,
# snapshot and timestamp by the online keys (see that file).  Both decrypt
# the same scrypt-encrypted PKCS#8 key files with the passphrase.
# Variants: node --fsync (durable like ward: every file and directory
# fsync'd); one diagnostic ward run under eatmydata (what ward costs without
# its fsyncs); one run of node --as-is (the library's own Targets.fromJSON /
# toJSON, quadratic) with a time limit.
# Every run is checked: `ward client download` of a new target from the
# result (file:// URLs) must succeed and give the file's bytes.
#
# Environment: RUNS (3), BUILDTYPE (release), BUILD_DIR (as bench/lib.sh),
# AS_IS_LIMIT (seconds for node --as-is, default 60; 0 skips it),
# NODE_FSYNC (1: run the node --fsync variant, default; 0 skips it),
# KEEP (1: keep the work directory under ${TMPDIR:-/tmp}), BASE_TARGETS
# and NEW_TARGETS (100000 and 10000; smaller for a quick try).
# The results (markdown) go to stdout and bench/out/publish-results.md.
BUILDTYPE="${BUILDTYPE:-release}"
RUNS="${RUNS:-3}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup no-tufjs

# eatmydata only speeds up the untimed setup and the diagnostic run.
if ! command -v eatmydata >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	$sudo apt-get install -y -q eatmydata >/dev/null 2>&1 ||
		{ $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q eatmydata >/dev/null 2>&1; } ||
		echo "bench: eatmydata not available: setup will be slower, no fsync-free diagnostic run" >&2
fi

# Node (>= 20.17, as @tufjs/models 4 needs) and the locked @tufjs/models.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
	bench_die "node and npm are needed (Debian: apt-get install nodejs npm)"
node -e '
const [maj, min] = process.versions.node.split(".").map(Number);
process.exit((maj === 20 && min >= 17) || (maj === 22 && min >= 9) || maj > 22 ? 0 : 1);' ||
	bench_die "node $(node --version) is too old: @tufjs/models 4 needs ^20.17.0 or >=22.9.0"
NODE_PROJECT="$BENCH_DIR/publish-node"
node_ready() {
	(cd "$NODE_PROJECT" && node -e '
const fs = require("fs");
const want = JSON.parse(fs.readFileSync("package-lock.json")).packages["node_modules/@tufjs/models"].version;
let have = null;
try { have = JSON.parse(fs.readFileSync("node_modules/@tufjs/models/package.json")).version; } catch (e) {}
process.exit(have === want ? 0 : 1);') 2>/dev/null
}
if ! node_ready; then
	exec 9>"$NODE_PROJECT/.setup.lock"
	flock 9
	if ! node_ready; then
		echo "bench: installing $NODE_PROJECT's locked dependencies (npm ci)" >&2
		(cd "$NODE_PROJECT" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error) >&2 ||
			bench_die "npm ci failed in $NODE_PROJECT"
		node_ready || bench_die "npm ci did not install the locked @tufjs/models"
	fi
	exec 9>&-
	rm -f "$NODE_PROJECT/.setup.lock"
fi

mkdir -p "$BENCH_DIR/out"
export AS_IS_LIMIT="${AS_IS_LIMIT:-60}" NODE_FSYNC="${NODE_FSYNC:-1}" KEEP="${KEEP:-0}"
export BENCH_COMMAND="RUNS=$RUNS BUILDTYPE=$BUILDTYPE BUILD_DIR=$BUILD_DIR bash bench/publish.sh${*:+ $*}"
python3 - "$@" <<'PYTHON' | tee "$BENCH_DIR/out/publish-results.md"
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.environ["BENCH_DIR"])
import benchlib as B  # noqa: E402

WARD = os.environ["WARD_BIN"]
NODE_MJS = os.path.join(os.environ["BENCH_DIR"], "publish_tufjs.mjs")
RUNS = int(os.environ["RUNS"])
AS_IS_LIMIT = int(os.environ["AS_IS_LIMIT"])
NODE_FSYNC = os.environ["NODE_FSYNC"] == "1"
EATMYDATA = shutil.which("eatmydata")
N_BASE = int(os.environ.get("BASE_TARGETS", "100000"))
N_NEW = int(os.environ.get("NEW_TARGETS", "10000"))
PER_DIR, SIZE = 1000, 32
PASSPHRASE = "bench-passphrase"
_c = N_NEW * 7321 // 10000           # a new target, downloaded from every result
CHECK_TARGET = "n%03d/t%06d.bin" % (_c // PER_DIR, _c)
LIMIT = 900                          # seconds, any one command


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def make_files(root, prefix, n):
    """n files of SIZE bytes, PER_DIR a directory: root/PNNN/tNNNNNN.bin."""
    for i in range(n):
        d = os.path.join(root, "%s%03d" % (prefix, i // PER_DIR))
        if i % PER_DIR == 0:
            os.makedirs(d)
        line = ("%s target %06d" % (prefix, i)).ljust(SIZE - 1, ".") + "\n"
        with open(os.path.join(d, "t%06d.bin" % i), "wb") as f:
            f.write(line.encode())


class Work:
    def __init__(self, top):
        self.top = top
        self.keys = os.path.join(top, "keys")
        self.pp = os.path.join(top, "passphrases")

    def key(self, name):
        return os.path.join(self.keys, name + ".key")


def run(cmd, pp=None, nofsync=False, limit=LIMIT):
    """Runs cmd under /usr/bin/time; with pp, the passphrase file is open on
    a descriptor whose number replaces "FD" in cmd.  Returns {wall, user,
    sys, rss (KiB), stdout}; wall from a nanosecond clock around the whole
    command."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf, \
            open(pp or os.devnull, "rb") as fh:
        fd = fh.fileno()
        argv = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf.name]
        if nofsync:
            argv.append(EATMYDATA)
        argv += [str(fd) if a == "FD" else a for a in cmd]
        t0 = time.perf_counter_ns()
        # Its own process group: on a timeout the measured program (a
        # grandchild, under /usr/bin/time) is killed too, not left running.
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             pass_fds=(fd,) if pp else (), start_new_session=True)
        try:
            out, errout = p.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            raise
        p.stdout, p.stderr = out, errout
        wall = (time.perf_counter_ns() - t0) / 1e9
        if p.returncode != 0:
            raise RuntimeError("failed (exit %d): %s\n%s%s" % (
                p.returncode, " ".join(cmd), p.stdout.decode(errors="replace")[-2000:],
                p.stderr.decode(errors="replace")[-2000:]))
        e, u, s, m = tf.read().split()[-4:]
        return {"wall": wall, "user": float(u), "sys": float(s), "rss": int(m),
                "stdout": p.stdout.decode(errors="replace")}


def sync():
    subprocess.run(["sync"], check=True)


def ward_release(w, repo, src, nofsync=False):
    """The timed ward sequence; returns [(name, metrics)...]."""
    change = os.path.join(repo, "staged", "change.json")
    steps = [
        ("add-targets", [WARD, "repo", "add-targets", repo, src], None),
        ("sign (alice)", [WARD, "repo", "sign", change, "--key", w.key("alice"),
                          "--passphrase-fd", "FD"], w.pp),
        ("sign (bob)", [WARD, "repo", "sign", change, "--key", w.key("bob"),
                        "--passphrase-fd", "FD"], w.pp),
        ("publish", [WARD, "repo", "publish", repo, "--passphrase-fd", "FD"], w.pp),
    ]
    return [(name, run(cmd, pp, nofsync)) for name, cmd, pp in steps]


def node_release(w, published, src, *flags, limit=LIMIT):
    m = run(["node", NODE_MJS, "--repo", published, "--source", src,
             "--targets-key", w.key("alice"), "--targets-key", w.key("bob"),
             "--snapshot-key", w.key("snap"), "--timestamp-key", w.key("ts"),
             "--passphrase-file", w.pp, *flags], limit=limit)
    m["detail"] = json.loads(m["stdout"].strip().splitlines()[-1])
    return m


def check(w, published, src, tag):
    """`ward client download` of a new target from the result."""
    md, out = os.path.join(w.top, "check-md"), os.path.join(w.top, "check-out")
    for d in (md, out):
        shutil.rmtree(d, ignore_errors=True)
    meta = os.path.join(published, "metadata")
    subprocess.run([WARD, "client", "init", "-q", "-d", md, os.path.join(meta, "1.root.json")],
                   check=True)
    p = subprocess.run([WARD, "client", "download", "-q", "-d", md, "-m", "file://" + meta,
                        CHECK_TARGET, "file://" + os.path.join(published, "targets"), out],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s: ward client download failed (exit %d): %s"
                           % (tag, p.returncode, p.stderr))
    with open(os.path.join(out, CHECK_TARGET), "rb") as a, \
            open(os.path.join(src, CHECK_TARGET), "rb") as b:
        if a.read() != b.read():
            raise RuntimeError("%s: wrong bytes for %s" % (tag, CHECK_TARGET))
    with open(os.path.join(meta, "timestamp.json")) as f:
        v = json.load(f)["signed"]["version"]
    for d in (md, out):
        shutil.rmtree(d)
    return v


def copy_repo(template, dst):
    """A fresh copy of the ward repository; the 100,000 published target
    files (content-addressed, never rewritten by either side) are hard links."""
    tt = os.path.join(template, "published", "targets")
    shutil.copytree(template, dst, symlinks=True,
                    ignore=lambda d, names: ["targets"] if d == os.path.join(template, "published") else [])
    subprocess.run(["cp", "-al", tt, os.path.join(dst, "published", "targets")], check=True)
    sync()


def copy_published_metadata(template, dst):
    """What the node side starts from: the published metadata, and an empty
    targets/ for the new target files."""
    shutil.copytree(os.path.join(template, "published", "metadata"), os.path.join(dst, "metadata"))
    os.makedirs(os.path.join(dst, "targets"))
    sync()


def med(xs):
    return statistics.median(xs)


def main():
    top = tempfile.mkdtemp(prefix="ward-bench-publish-", dir=os.environ.get("TMPDIR", "/tmp"))
    w = Work(top)
    try:
        bench(w)
    finally:
        if os.environ.get("KEEP") == "1":
            log("kept " + top)
        else:
            shutil.rmtree(top, ignore_errors=True)


def bench(w):
    t_start = time.monotonic()
    base, new = os.path.join(w.top, "base"), os.path.join(w.top, "new")
    template = os.path.join(w.top, "repo-template")
    log("writing %d + %d files of %d bytes" % (N_BASE, N_NEW, SIZE))
    make_files(base, "b", N_BASE)
    make_files(new, "n", N_NEW)

    os.makedirs(w.keys)
    with open(w.pp, "w") as f:
        f.write((PASSPHRASE + "\n") * 16)
    for k in ("alice", "bob", "carol", "ts", "snap"):
        subprocess.run([WARD, "key", "generate", "-q", "--passphrase-fd", "0", w.key(k)],
                       input=(PASSPHRASE + "\n") * 2, text=True, check=True,
                       stdout=subprocess.DEVNULL)

    log("setup: ward repo init + %s targets (untimed%s)"
        % (format(N_BASE, ","), ", under eatmydata" if EATMYDATA else ""))
    pub = lambda k: os.path.join(w.keys, k + ".pub")  # noqa: E731
    nf = bool(EATMYDATA)
    run([WARD, "repo", "init", template,
         "--root-key", pub("alice"), "--root-key", pub("bob"), "--root-key", pub("carol"),
         "--root-threshold", "2",
         "--targets-key", pub("alice"), "--targets-key", pub("bob"), "--targets-key", pub("carol"),
         "--targets-threshold", "2",
         "--timestamp-key", w.key("ts"), "--snapshot-key", w.key("snap"),
         "--passphrase-fd", "FD"], w.pp, nf)
    change = os.path.join(template, "staged", "change.json")
    for k in ("alice", "bob"):
        run([WARD, "repo", "sign", change, "--key", w.key(k), "--passphrase-fd", "FD"], w.pp, nf)
    run([WARD, "repo", "publish", template, "--passphrase-fd", "FD"], w.pp, nf)
    setup = ward_release(w, template, base, nofsync=nf)
    sync()
    with open(os.path.join(template, "published", "metadata", "targets.json"), "rb") as f:
        t2 = json.load(f)
    assert len(t2["signed"]["targets"]) == N_BASE and t2["signed"]["version"] == 2
    t2_size = os.path.getsize(os.path.join(template, "published", "metadata", "targets.json"))
    del t2
    setup_s = time.monotonic() - t_start
    log("setup done in %.0f s (the %s-target release: %s)" % (
        setup_s, format(N_BASE, ","), ", ".join("%s %.1f s" % (n, m["wall"]) for n, m in setup)))

    unlock = [run([WARD, "key", "public", "--passphrase-fd", "FD", w.key("alice")], w.pp)
              for _ in range(5)]
    floor = med([run([WARD, "--help"])["rss"] for _ in range(3)])

    ward_runs, node_runs, nodefs_runs = [], [], []
    for i in range(RUNS):
        d = os.path.join(w.top, "ward-%d" % i)
        copy_repo(template, d)
        log("run %d/%d: ward" % (i + 1, RUNS))
        steps = ward_release(w, d, new)
        v = check(w, os.path.join(d, "published"), new, "ward run %d" % i)
        assert v == 3, v
        ward_runs.append(steps)
        shutil.rmtree(d)

        for flags, runs_list, tag in ((), node_runs, "node"), (("--fsync",), nodefs_runs, "node --fsync"):
            if flags and not NODE_FSYNC:
                continue
            d = os.path.join(w.top, "node-%d" % i)
            copy_published_metadata(template, d)
            log("run %d/%d: %s" % (i + 1, RUNS, tag))
            m = node_release(w, d, new, *flags)
            assert m["detail"]["targets"] == N_BASE + N_NEW, m["detail"]
            v = check(w, d, new, "%s run %d" % (tag, i))
            assert v == 3, v
            runs_list.append(m)
            shutil.rmtree(d)

    diag = None
    if EATMYDATA:
        d = os.path.join(w.top, "ward-nofsync")
        copy_repo(template, d)
        log("diagnostic: ward under eatmydata")
        diag = ward_release(w, d, new, nofsync=True)
        check(w, os.path.join(d, "published"), new, "ward (eatmydata)")
        shutil.rmtree(d)

    as_is = None
    if AS_IS_LIMIT > 0:
        d = os.path.join(w.top, "node-as-is")
        copy_published_metadata(template, d)
        log("node --as-is, limit %d s" % AS_IS_LIMIT)
        try:
            as_is = node_release(w, d, new, "--as-is", limit=AS_IS_LIMIT)
            check(w, d, new, "node --as-is")
        except subprocess.TimeoutExpired:
            as_is = "dnf"
        shutil.rmtree(d)

    report(w, setup, setup_s, t2_size, unlock, floor, ward_runs, node_runs, nodefs_runs, diag,
           as_is, time.monotonic() - t_start)


def report(w, setup, setup_s, t2_size, unlock, floor, ward_runs, node_runs, nodefs_runs, diag,
           as_is, total_s):
    fs_ = B.fmt_s
    mib = lambda k: "%.0f MiB" % (k / 1024)  # noqa: E731
    ward_wall = [sum(m["wall"] for _, m in r) for r in ward_runs]
    ward_cpu = [sum(m["user"] + m["sys"] for _, m in r) for r in ward_runs]
    ward_rss = [max(m["rss"] for _, m in r) for r in ward_runs]
    W, WR = med(ward_wall), med(ward_rss)

    print("## Publish a release: +%s targets to a %s-target repository, 2 of 3 keys\n"
          % (format(N_NEW, ","), format(N_BASE, ",")))
    print("command: `%s`  " % os.environ["BENCH_COMMAND"])
    print("date: %s  " % time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    print("machine: %s  " % B.machine())
    print("work directory on: %s (%s)  " % (
        w.top, subprocess.run(["df", "--output=source,fstype", w.top], capture_output=True,
                              text=True).stdout.split("\n")[1].strip()))
    print("%d runs each, interleaved (ward, node%s per run), no warm-up; medians. "
          "Whole benchmark: %.0f s (setup %.0f s).\n" % (
              len(ward_runs), ", node --fsync" if nodefs_runs else "", total_s, setup_s))

    print("| side | median wall | runs (s) | CPU user+sys (median) | peak RSS (median) "
          "| ward ÷ side: time | ward ÷ side: RSS |")
    print("|---|---|---|---|---|---|---|")
    print("| ward (add-targets + sign + sign + publish) | %s | %s | %s | %s | 1 | 1 |" % (
        fs_(W), " ".join("%.2f" % x for x in ward_wall), fs_(med(ward_cpu)), mib(WR)))
    for name, runs in (("node, @tufjs/models (no fsync)", node_runs),
                       ("node, @tufjs/models --fsync (durable like ward)", nodefs_runs)):
        if not runs:
            continue
        nw = [m["wall"] for m in runs]
        nc = [m["user"] + m["sys"] for m in runs]
        nr = [m["rss"] for m in runs]
        print("| %s | %s | %s | %s | %s | %.2f× | %.2f× |" % (
            name, fs_(med(nw)), " ".join("%.2f" % x for x in nw), fs_(med(nc)), mib(med(nr)),
            W / med(nw), WR / med(nr)))
    if as_is == "dnf":
        print("| node, @tufjs/models as-is (`--as-is`, 1 run) | **did not finish in %d s** "
              "(killed) | - | - | - | < %.2f× | - |" % (AS_IS_LIMIT, W / AS_IS_LIMIT))
    elif as_is:
        print("| node, @tufjs/models as-is (`--as-is`, 1 run) | %s | %.2f | %s | %s | %.2f× "
              "| %.2f× |" % (fs_(as_is["wall"]), as_is["wall"], fs_(as_is["user"] + as_is["sys"]),
                             mib(as_is["rss"]), W / as_is["wall"], WR / as_is["rss"]))
    if node_runs:
        nw = med([m["wall"] for m in node_runs])
        print("\nward ÷ node (no fsync): **%.2f× the time** (goal: ≤ 0.10×, i.e. ward ≥ 10× "
              "faster: **%s**), **%.2f× the peak RSS**." % (
                  W / nw, "met" if W * 10 <= nw else "not met", WR / med([m["rss"] for m in node_runs])))
    if nodefs_runs:
        nw = med([m["wall"] for m in nodefs_runs])
        print("ward ÷ node --fsync: **%.2f× the time**." % (W / nw))
    if node_runs:
        # Both sides unlock the same four scrypt-encrypted keys (alice, bob,
        # snap, ts): a floor that no implementation can go under without
        # weakening the key files.  The rest is what the tools themselves cost.
        ku = med([m["wall"] for m in unlock])
        nk = med([m["detail"]["ms"]["unlock_keys"] for m in node_runs]) / 1000
        nw = med([m["wall"] for m in node_runs])
        print("Without the four key unlocks (ward: 4 × `ward key public`; node: its "
              "`unlock_keys` step): ward %s, node %s: **%.2f× the time**; the unlocks alone "
              "are %s of ward's total." % (fs_(W - 4 * ku), fs_(nw - nk), (W - 4 * ku) / (nw - nk),
                                          "%.0f%%" % (400 * ku / W)))

    print("\n### Where ward's time goes (medians over the runs)\n")
    print("| command | wall | user | sys | wall − CPU (waiting: fsync, I/O) | peak RSS |%s" % (
        " wall without fsync (eatmydata, 1 run) | CPU without fsync |" if diag else ""))
    print("|---|---|---|---|---|---|%s" % ("---|---|" if diag else ""))
    names = [n for n, _ in ward_runs[0]]
    for j, n in enumerate(names):
        col = lambda k: med([r[j][1][k] for r in ward_runs])  # noqa: E731
        wait = med([r[j][1]["wall"] - r[j][1]["user"] - r[j][1]["sys"] for r in ward_runs])
        extra = (" %s | %s |" % (fs_(diag[j][1]["wall"]), fs_(diag[j][1]["user"] + diag[j][1]["sys"]))
                 if diag else "")
        print("| `%s` | %s | %s | %s | %s | %s |%s" % (
            n, fs_(col("wall")), fs_(col("user")), fs_(col("sys")), fs_(max(wait, 0)),
            mib(col("rss")), extra))
    extra = (" %s | %s |" % (fs_(sum(m["wall"] for _, m in diag)),
                             fs_(sum(m["user"] + m["sys"] for _, m in diag))) if diag else "")
    print("| total | %s | | | %s | %s |%s" % (
        fs_(W), fs_(max(W - med(ward_cpu), 0)), mib(WR), extra))
    print("\nPer key unlock (scrypt KDF of the encrypted PKCS#8 file): `ward key public`: "
          "%s median (ward unlocks 4 keys in the release: alice, bob, snap, ts); "
          "node: %s per key (its `unlock_keys` step ÷ 4). ward's RSS floor (`ward --help`): %s."
          % (fs_(med([m["wall"] for m in unlock])),
             fs_(med([m["detail"]["ms"]["unlock_keys"] for m in node_runs]) / 4000)
             if node_runs else "-", B.fmt_kib(floor)))

    for name, runs in (("node", node_runs), ("node --fsync", nodefs_runs)):
        if not runs:
            continue
        steps = list(runs[0]["detail"]["ms"])
        print("\n%s, inside the process (medians, ms): %s; process wall %s." % (
            name, ", ".join("%s %.0f" % (s, med([m["detail"]["ms"][s] for m in runs])) for s in steps),
            fs_(med([m["wall"] for m in runs]))))
    print("\nSetup (untimed%s): the %s-target release took %s; targets.json v2 is %s bytes."
          % (", eatmydata" if EATMYDATA else "", format(N_BASE, ","),
             ", ".join("%s %s" % (n, fs_(m["wall"])) for n, m in setup), format(t2_size, ",")))


main()
PYTHON
exit "${PIPESTATUS[0]}"
