#!/usr/bin/env python3
"""audit_boot.py - the boot-chain checks of `ward audit` on real inputs.

Environments made by the real mkenvimage (single, redundant, corrupted), device
trees compiled by dtc and hardened with fdtput, FIT images made and signed by
mkimage (the signing key also written into a control DTB with -K), and real
U-Boot board packages from Debian (arm64), downloaded once through a private
APT configuration into $XDG_CACHE_HOME/ward (or ~/.cache/ward).  Each check
has a case where it must fire and a hardened twin where it must stay silent.

Drives tests/unit/audit_boot/audit-boot-run (the boot checks with a recording
audit_report) until `ward audit` is wired to the same code.
"""
import glob
import gzip
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile

RUN = os.environ['WARD_AUDIT_BOOT_RUN']
SHARED = os.environ['WARD_SHARED_DIR']
failures = []
checks = 0


def run(kind, path, *extra):
    p = subprocess.run([RUN, kind, path, *extra], capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise RuntimeError('%s %s: %s' % (kind, path, p.stderr.strip()))
    return [line.split('\t') for line in p.stdout.splitlines()]


def expect(name, findings, fire=(), silent=(), clean=False):
    """fire: ids that must be present; silent: ids that must be absent;
    clean: nothing above info at all."""
    global checks
    checks += 1
    ids = {f[0] for f in findings}
    bad = []
    for i in fire:
        if i not in ids:
            bad.append('%s did not fire' % i)
    for i in silent:
        if i in ids:
            bad.append('%s fired' % i)
    if clean:
        bad += ['%s fired (%s)' % (f[0], f[3]) for f in findings if f[1] != 'info']
    if bad:
        failures.append('%s: %s' % (name, '; '.join(bad)))
        print('FAIL', name, '; '.join(bad))
    else:
        print('ok  ', name, ' '.join(sorted(ids)) or '(none)')


def sh(*args, **kw):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kw)


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


# ---- environments (mkenvimage) ---------------------------------------------

BAD_ENV = '''bootdelay=3
bootcmd=run distro_bootcmd
boot_targets=mmc0 usb0 pxe dhcp
preboot=usb start
bootargs=console=ttyS0,115200 root=/dev/mmcblk0p2 rootwait
rollback_protection=0
bootfirmware_version=3
'''
GOOD_ENV = '''bootdelay=-2
bootcmd=run boot_fit
bootargs=root=/dev/mmcblk0p2 rootwait quiet
rollback_protection=1
bootfirmware_version=3
'''


def test_env(tmp):
    for name, text in (('bad', BAD_ENV), ('good', GOOD_ENV)):
        src = os.path.join(tmp, name + '.txt')
        write(src, text)
        for redundant in (False, True):
            img = os.path.join(tmp, '%s%s.env' % (name, '-r' if redundant else ''))
            sh('mkenvimage', *(['-r'] if redundant else []), '-s', '16384', '-o', img, src)
            f = run('env-image', img)
            label = 'env %s mkenvimage%s' % (name, ' -r' if redundant else '')
            if name == 'bad':
                expect(label, f, fire=['ENV-03', 'RB-01', 'HW-05'], silent=['ENV-04'])
            else:
                expect(label, f, clean=True, silent=['ENV-04'])
        expect('env text %s' % name, run('env-text', src),
               **({'fire': ['ENV-03', 'RB-01', 'HW-05']} if name == 'bad' else {'clean': True}))
    img = os.path.join(tmp, 'good.env')
    with open(img, 'r+b') as f:
        f.seek(100)
        b = f.read(1)
        f.seek(100)
        f.write(bytes([b[0] ^ 0x01]))
    expect('env corrupted CRC', run('env-image', img), fire=['ENV-04'])


# ---- device trees (dtc, fdtput) -----------------------------------------------

BOARD_DTS = '''/dts-v1/;
/ {
	compatible = "acme,board";
	#address-cells = <1>; #size-cells = <1>;
	chosen { stdout-path = "serial0:115200n8"; bootargs = "console=ttyS0 earlycon"; };
	aliases { serial0 = "/soc/serial@1000"; };
	soc {
		#address-cells = <1>; #size-cells = <1>;
		serial@1000 { compatible = "ns16550a"; reg = <0x1000 0x100>; };
		serial@2000 { compatible = "snps,dw-apb-uart"; reg = <0x2000 0x100>; status = "disabled"; };
		usb@3000 { compatible = "snps,dwc3"; reg = <0x3000 0x100>; dr_mode = "otg"; status = "okay"; };
		hdmi@4000 { compatible = "acme,hdmi-tx"; reg = <0x4000 0x100>; };
		etm@5000 { compatible = "arm,coresight-etm4x", "arm,primecell"; reg = <0x5000 0x100>; };
	};
};
'''


def dtc(tmp, name, source):
    dts = os.path.join(tmp, name + '.dts')
    dtb = os.path.join(tmp, name + '.dtb')
    write(dts, source)
    sh('dtc', '-q', '-I', 'dts', '-O', 'dtb', '-o', dtb, dts)
    return dtb


def harden(dtb, kind='dtb'):
    """Disables what the HW checks report, one node at a time, as a product
    team would with fdtput; returns the findings left."""
    for _ in range(200):
        f = [x for x in run(kind, dtb) if x[0] in ('HW-01', 'HW-02', 'HW-03', 'HW-04', 'HW-05')]
        if not f:
            return []
        node = f[0][2]
        if node == '/chosen' or 'stdout-path' in f[0][3] and f[0][3].startswith('0 '):
            sh('fdtput', '-d', dtb, '/chosen', 'stdout-path')
        elif node == '/chosen/bootargs':
            sh('fdtput', '-t', 's', dtb, '/chosen', 'bootargs', 'root=/dev/mmcblk0p2 quiet')
        else:
            sh('fdtput', '-t', 's', dtb, node, 'status', 'disabled')
    return run(kind, dtb)


def test_dtb(tmp):
    dtb = dtc(tmp, 'board', BOARD_DTS)
    f = run('dtb', dtb)
    expect('dtb board', f, fire=['HW-01', 'HW-02', 'HW-03', 'HW-04', 'HW-05'], silent=['SB-05'])
    for x in f:
        if x[0] == 'HW-01' and 'serial@2000' in x[3]:
            failures.append('dtb: a disabled UART was reported')
    # hardened twin: every reported node disabled, console options removed
    expect('dtb board hardened (fdtput)', harden(dtb), clean=True)


# ---- FIT and control DTB (mkimage) ---------------------------------------------

def its(signed, hint='prod'):
    hashes = 'hash-1 { algo = "sha256"; };' if signed else ''
    sig = ('signature-1 { algo = "sha256,rsa2048"; key-name-hint = "%s"; '
           'sign-images = "kernel", "fdt"; };' % hint) if signed else ''
    return '''/dts-v1/;
/ {
	description = "test"; #address-cells = <1>;
	images {
		kernel { data = /incbin/("kernel.bin"); type = "kernel"; arch = "arm64"; os = "linux";
			 compression = "none"; load = <0x80000>; entry = <0x80000>; %s };
		fdt-1 { data = /incbin/("board.dtb"); type = "flat_dt"; arch = "arm64";
			compression = "none"; %s };
	};
	configurations { default = "conf-1"; conf-1 { kernel = "kernel"; fdt = "fdt-1"; %s }; };
};
''' % (hashes, hashes, sig)


def openssl_key(keydir, name):
    key = os.path.join(keydir, name + '.key')
    sh('openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key,
       stderr=subprocess.DEVNULL)
    sh('openssl', 'req', '-batch', '-new', '-x509', '-key', key, '-subj', '/CN=' + name,
       '-out', os.path.join(keydir, name + '.crt'))


def test_fit(tmp):
    with open(os.path.join(tmp, 'kernel.bin'), 'wb') as f:
        f.write(os.urandom(4096))
    write(os.path.join(tmp, 'unsigned.its'), its(False))
    sh('mkimage', '-f', os.path.join(tmp, 'unsigned.its'), os.path.join(tmp, 'unsigned.itb'),
       cwd=tmp)
    f = run('fit', os.path.join(tmp, 'unsigned.itb'))
    expect('FIT unsigned (mkimage -f)', f, fire=['SB-06'])

    keydir = os.path.join(tmp, 'keys')
    os.mkdir(keydir)
    for hint in ('prod', 'dev'):
        openssl_key(keydir, hint)
        write(os.path.join(tmp, 'signed.its'), its(True, hint))
        ctl = dtc(tmp, 'u-boot-' + hint, '/dts-v1/;\n/ { model = "control"; };\n')
        sh('mkimage', '-f', os.path.join(tmp, 'signed.its'), '-k', keydir, '-K', ctl, '-r',
           os.path.join(tmp, 'signed.itb'), cwd=tmp)
        if hint == 'prod':
            expect('FIT signed (mkimage -k -r), with its control DTB',
                   run('fit', os.path.join(tmp, 'signed.itb'), '--and', 'dtb', ctl),
                   silent=['SB-06'], clean=True)
            # alone, the signature cannot be checked: an info finding says so
            expect('FIT signed (mkimage -k -r), no control DTB',
                   run('fit', os.path.join(tmp, 'signed.itb')), fire=['SB-06'], clean=True)
            expect('control DTB with required key (mkimage -K -r)', run('dtb', ctl),
                   silent=['SB-05', 'KEY-02', 'KEY-04'], clean=True)
        else:
            expect('control DTB with a "dev" key', run('dtb', ctl), fire=['KEY-04'],
                   silent=['SB-05', 'KEY-02'])
    ctl = dtc(tmp, 'u-boot', '/dts-v1/;\n/ { model = "control"; };\n')
    expect('control DTB without /signature', run('dtb', ctl), fire=['SB-05'])

    # KEY-02: the published TF-A RSA demo key as U-Boot stores a key
    pem = os.path.join(SHARED, 'data', 'demo-public-keys', 'tfa-arm_rotprivk_rsa.pub.pem')
    mod = subprocess.run(['openssl', 'rsa', '-pubin', '-in', pem, '-noout', '-modulus'],
                         capture_output=True, text=True, check=True).stdout.strip().split('=')[1]
    demo = dtc(tmp, 'u-boot-demo', '''/dts-v1/;
/ { signature { key-tfa { required = "conf"; algo = "sha256,rsa2048"; key-name-hint = "tfa";
	rsa,num-bits = <2048>; rsa,exponent = <0x0 0x10001>; rsa,modulus = [%s]; }; }; };
''' % mod)
    expect('control DTB with the TF-A demo key', run('dtb', demo), fire=['KEY-02'],
           silent=['SB-05'])

    # u-boot.bin: code, a version string, the control DTB appended
    for ver, fire in (('2020.10', True), ('2023.01', False)):
        binp = os.path.join(tmp, 'u-boot-%s.bin' % ver)
        with open(binp, 'wb') as out:
            out.write(os.urandom(70000) + b'\0U-Boot %s (Jan 01 2024 - 00:00:00 +0000)\0' %
                      ver.encode() + os.urandom(333))
            with open(os.path.join(tmp, 'u-boot-prod.dtb'), 'rb') as d:
                out.write(d.read())
        f = run('uboot-bin', binp)
        if fire:
            expect('u-boot.bin %s, appended DTB' % ver, f, fire=['SB-03'], silent=['SB-05'])
        else:
            expect('u-boot.bin %s, appended DTB' % ver, f, clean=True)

# ---- FIT signatures against the control DTB, cross-tested with U-Boot -------------

def build_fit_check_sign():
    """U-Boot's own fit_check_sign, the oracle for SB-06's signature check.
    Debian's u-boot-tools does not ship it, so it is built once from
    Debian's u-boot source package (the same 2023.01 with Debian's security
    fixes), fetched with apt-get source through a private APT configuration
    as the .debs above (apt checks it against the signed Sources index), and
    kept in the cache.  Returns (path, None) or (None, why)."""
    exe = shutil.which('fit_check_sign')
    if exe:
        return exe, None
    c = cache_dir()
    out = os.path.join(c, 'fit_check_sign', 'fit_check_sign')
    if os.path.exists(out):
        return out, None
    for tool in ('make', 'gcc', 'bison', 'flex', 'dpkg-source', 'apt-get'):
        if not shutil.which(tool):
            return None, '%s not installed (scripts/deps.sh)' % tool
    apt = os.path.join(c, 'apt-src')
    for d in ('lists/partial', 'archives/partial', 'etc'):
        os.makedirs(os.path.join(apt, d), exist_ok=True)
    write(os.path.join(apt, 'etc', 'ward-src.sources'),
          'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\n'
          'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n')
    open(os.path.join(apt, 'status'), 'a', encoding='utf-8').close()
    opts = ['-q', '-o', 'Dir::Etc::SourceList=/dev/null',
            '-o', 'Dir::Etc::SourceParts=' + os.path.join(apt, 'etc'),
            '-o', 'Dir::State::Lists=' + os.path.join(apt, 'lists'),
            '-o', 'Dir::State::status=' + os.path.join(apt, 'status'), '-o', 'Dir::Cache=' + apt]
    if os.getuid() == 0:
        opts += ['-o', 'APT::Sandbox::User=root']
    work = tempfile.mkdtemp(prefix='ward-uboot-src-', dir=c)
    try:
        sh('apt-get', *opts, 'update', stderr=subprocess.DEVNULL)
        sh('apt-get', *opts, 'source', '--download-only', 'u-boot', cwd=work,
           stderr=subprocess.DEVNULL)
        dsc = glob.glob(os.path.join(work, 'u-boot_*.dsc'))[0]
        # the signature was checked by apt (signed index, file hashes)
        sh('dpkg-source', '-x', '--no-check', dsc, os.path.join(work, 'src'), cwd=work,
           stderr=subprocess.DEVNULL)
        obj = os.path.join(work, 'obj')
        sh('make', '-s', '-C', os.path.join(work, 'src'), 'O=' + obj, 'tools-only_defconfig',
           stderr=subprocess.DEVNULL)
        sh('make', '-s', '-j2', '-C', os.path.join(work, 'src'), 'O=' + obj, 'NO_PYTHON=1',
           'tools-only', stderr=subprocess.DEVNULL)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copy(os.path.join(obj, 'tools', 'fit_check_sign'), out + '.tmp')
        os.replace(out + '.tmp', out)
    except (subprocess.CalledProcessError, OSError, IndexError) as e:
        return None, 'could not build fit_check_sign from Debian\'s u-boot source: %s' % e
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out, None


def its_sig(algo='sha256,rsa2048', hint='prod', padding=None):
    return its(True, hint).replace('algo = "sha256,rsa2048"', 'algo = "%s"%s' % (
        algo, '; padding = "%s"' % padding if padding else ''))


def patch_byte(src, dst, needle, at):
    with open(src, 'rb') as f:
        d = bytearray(f.read())
    i = d.find(needle)
    assert i >= 0, 'needle not found in %s' % src
    d[i + at] ^= 0x01
    with open(dst, 'wb') as f:
        f.write(d)


def ward_rejects(findings):
    """ward's verdict: any high SB-06 finding (signature, hash)."""
    return any(f[0] == 'SB-06' and f[1] == 'high' for f in findings)


def test_fit_verify(tmp):
    global checks
    d = os.path.join(tmp, 'fitsig')
    os.mkdir(d)
    keydir = os.path.join(d, 'keys')
    os.mkdir(keydir)
    for name in ('prod', 'other', 'big'):
        openssl_key(keydir, name)
    sh('openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096', '-out',
       os.path.join(keydir, 'big.key'), stderr=subprocess.DEVNULL)
    sh('openssl', 'req', '-batch', '-new', '-x509', '-key', os.path.join(keydir, 'big.key'),
       '-subj', '/CN=big', '-out', os.path.join(keydir, 'big.crt'))
    with open(os.path.join(d, 'kernel.bin'), 'wb') as f:
        f.write(os.urandom(8192))
    shutil.copy(os.path.join(tmp, 'board.dtb'), os.path.join(d, 'board.dtb'))
    p = lambda name: os.path.join(d, name)  # noqa: E731

    def control(name):
        return dtc(d, name, '/dts-v1/;\n/ { model = "control"; };\n')

    def sign(its_text, fit, ctl, *extra):
        write(p('x.its'), its_text)
        sh('mkimage', *extra, '-f', p('x.its'), '-k', keydir, '-K', ctl, '-r', fit, cwd=d)

    ctl_a, ctl_b, ctl_ab = control('ctl-a'), control('ctl-b'), control('ctl-ab')
    sign(its_sig(), p('a.itb'), ctl_a)
    sign(its_sig(hint='other'), p('b.itb'), ctl_b)
    sign(its_sig(), p('ab1.itb'), ctl_ab)
    sign(its_sig(hint='other'), p('ab2.itb'), ctl_ab)
    sign(its_sig(), p('ext.itb'), ctl_a, '-E')
    sign(its_sig(padding='pss'), p('pss.itb'), control('ctl-pss'))
    sign(its_sig('sha1,rsa2048'), p('sha1.itb'), control('ctl-sha1'))
    sign(its_sig('sha256,rsa4096', 'big'), p('big.itb'), control('ctl-big'))
    with open(p('kernel.bin'), 'rb') as f:
        kernel = f.read(64)
    patch_byte(p('a.itb'), p('data.itb'), kernel, 100)
    patch_byte(p('ext.itb'), p('ext-data.itb'), kernel, 5000)
    shutil.copy(p('a.itb'), p('conf.itb'))
    sh('fdtput', '-t', 's', p('conf.itb'), '/configurations/conf-1', 'kernel', 'fdt-1')
    shutil.copy(p('a.itb'), p('conf-desc.itb'))
    sh('fdtput', '-t', 's', p('conf-desc.itb'), '/configurations/conf-1', 'description', 'evil')
    shutil.copy(p('a.itb'), p('hash.itb'))
    sh('fdtput', '-t', 'x', p('hash.itb'), '/images/kernel/hash-1', 'value', '0 0 0 0 0 0 0 0')
    # CVE-2026-46728: hashed-nodes is not trusted, so rewriting it changes nothing
    shutil.copy(p('a.itb'), p('hashed-nodes.itb'))
    sh('fdtput', '-t', 's', p('hashed-nodes.itb'), '/configurations/conf-1/signature-1',
       'hashed-nodes', '/', '/configurations/conf-1')
    shutil.copy(ctl_ab, p('ctl-ab-any.dtb'))
    sh('fdtput', '-t', 's', p('ctl-ab-any.dtb'), '/signature', 'required-mode', 'any')

    cases = [  # name, FIT, control DTB, U-Boot accepts it
        ('signed with A, control DTB holds A', 'a.itb', ctl_a, True),
        ('signed with A, control DTB holds only B', 'a.itb', ctl_b, False),
        ('signed with B, control DTB holds only A', 'b.itb', ctl_a, False),
        ('kernel data changed after signing', 'data.itb', ctl_a, False),
        ('configuration changed (fdtput kernel)', 'conf.itb', ctl_a, False),
        ('configuration changed (fdtput description)', 'conf-desc.itb', ctl_a, False),
        ('kernel hash node changed', 'hash.itb', ctl_a, False),
        ('hashed-nodes rewritten (ignored, CVE-2026-46728)', 'hashed-nodes.itb', ctl_a, True),
        ('external data (mkimage -E)', 'ext.itb', ctl_a, True),
        ('external data changed', 'ext-data.itb', ctl_a, False),
        ('A and B required (all), signed with A', 'ab1.itb', ctl_ab, False),
        ('A and B required (any), signed with A', 'ab1.itb', p('ctl-ab-any.dtb'), True),
        ('PSS padding', 'pss.itb', p('ctl-pss.dtb'), True),
        ('sha1,rsa2048', 'sha1.itb', p('ctl-sha1.dtb'), True),
        ('sha256,rsa4096', 'big.itb', p('ctl-big.dtb'), True),
        ('sha256,rsa4096 FIT, rsa2048 control DTB', 'big.itb', ctl_a, False),
    ]
    fcs, why = build_fit_check_sign()
    if not fcs:
        print('SKIP fit_check_sign cross-check: %s' % why)
    for name, fit, ctl, accepts in cases:
        f = run('fit', p(fit), '--and', 'dtb', ctl)
        checks += 1
        got = not ward_rejects(f)
        line = 'FIT verify: %s: ward %s' % (name, 'accepts' if got else 'rejects')
        bad = []
        if got != accepts:
            bad.append('ward %s, expected %s' % (got, accepts))
        if fcs:
            r = subprocess.run([fcs, '-f', p(fit), '-k', ctl], capture_output=True, check=False)
            line += ', fit_check_sign %s' % ('accepts' if r.returncode == 0 else 'rejects')
            if (r.returncode == 0) != got:
                bad.append('fit_check_sign exit %d, ward %s' % (r.returncode, got))
        if bad:
            failures.append('%s: %s' % (name, '; '.join(bad)))
            print('FAIL', line, '|', '; '.join(bad), [x[3] for x in f])
        else:
            print('ok  ', line)
    # KEY-02 from the FIT's side, no control DTB needed: the denylist carries
    # public keys, so a FIT signed with one of them is found by its signature
    prod = os.path.join(keydir, 'prod.crt')
    for fit, deny, want in (('a.itb', prod, True), ('pss.itb', prod, True), ('b.itb', prod, False),
                            ('a.itb', None, False)):
        code, found = ward_ids(*(['--deny-keys', prod] if deny else []), p(fit))
        got = isinstance(found, list) and ('KEY-02', '/configurations/conf-1/signature-1') in found
        verdict('FIT %s%s: KEY-02 %s' % (fit, ' with its signing key listed' if deny else '',
                                         'fires' if want else 'silent'), (code, got), (0, want))
    # the findings name the key and the reason
    f = run('fit', p('a.itb'), '--and', 'dtb', ctl_b)
    expect('SB-06 names the missing key', [x for x in f if 'key-other' in x[3] and
                                           'another key' in x[3]], fire=['SB-06'])
    expect('SB-06 names the changed image',
           [x for x in run('fit', p('data.itb'), '--and', 'dtb', ctl_a)
            if 'kernel' in x[3] and 'does not match hash-1' in x[3]], fire=['SB-06'])
    # the order of the inputs does not matter, and `ward audit` agrees
    expect('control DTB given before the FIT', run('dtb', ctl_b, '--and', 'fit', p('a.itb')),
           fire=['SB-06'])
    for fit, ctl, accepts in (('a.itb', ctl_a, True), ('a.itb', ctl_b, False),
                              ('data.itb', ctl_a, False)):
        got = cli_findings([p(fit), ctl])
        if got is None:
            print('SKIP ward audit not available')
            break
        checks += 1
        rejects = any(x['id'] == 'SB-06' and x['severity'] == 'high' for x in got)
        if rejects == accepts:
            failures.append('ward audit %s %s: rejects=%s' % (fit, ctl, rejects))
            print('FAIL ward audit', fit, os.path.basename(ctl), rejects)
        else:
            print('ok   ward audit %s %s: %s' % (fit, os.path.basename(ctl),
                                                 'rejects' if rejects else 'accepts'))


def cli_findings(paths):
    """The findings of `ward audit --format json PATHS...`, or None."""
    ward = os.environ.get('WARD_BIN')
    if not ward or not os.path.exists(ward):
        return None
    r = subprocess.run([ward, 'audit', '--format', 'json', *paths], capture_output=True,
                       text=True, check=False)
    try:
        return json.loads(r.stdout)['findings']
    except (ValueError, KeyError, TypeError):
        failures.append('ward audit %s: %s' % (' '.join(paths), r.stderr.strip()))
        return []


# ---- real firmware: Debian's U-Boot board packages (arm64) -----------------------

def cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache')
    return os.path.join(base, 'ward')


def apt_opts():
    """apt options for the private arm64 configuration in the cache."""
    apt = os.path.join(cache_dir(), 'apt')
    opts = ['-q', '-o', 'Dir::Etc::SourceList=/dev/null',
            '-o', 'Dir::Etc::SourceParts=' + os.path.join(apt, 'etc'),
            '-o', 'Dir::State::Lists=' + os.path.join(apt, 'lists'),
            '-o', 'Dir::State::status=' + os.path.join(apt, 'status'),
            '-o', 'Dir::Cache=' + apt, '-o', 'APT::Architecture=arm64',
            '-o', 'APT::Architectures::=arm64']
    if os.getuid() == 0:
        opts += ['-o', 'APT::Sandbox::User=root']
    return opts


def fetch_debs(pkgs):
    """The .debs of pkgs for arm64, downloaded once into the cache."""
    c = cache_dir()
    debs = os.path.join(c, 'debs')
    os.makedirs(debs, exist_ok=True)
    have = {p: glob.glob(os.path.join(debs, p + '_*.deb')) for p in pkgs}
    missing = [p for p, g in have.items() if not g]
    # no packages asked for: the package lists only, if not there yet
    lists = glob.glob(os.path.join(c, 'apt', 'lists', '*_Packages*'))
    if missing or (not pkgs and not lists):
        apt = os.path.join(c, 'apt')
        for d in ('lists/partial', 'archives/partial', 'etc'):
            os.makedirs(os.path.join(apt, d), exist_ok=True)
        write(os.path.join(apt, 'etc', 'ward.sources'),
              'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\n'
              'Components: main\nArchitectures: arm64\n'
              'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n')
        open(os.path.join(apt, 'status'), 'a', encoding='utf-8').close()
        opts = apt_opts()
        try:
            sh('apt-get', *opts, 'update', stderr=subprocess.DEVNULL)
            if missing:
                sh('apt-get', *opts, 'download', *missing, cwd=debs, stderr=subprocess.DEVNULL)
        except (subprocess.CalledProcessError, FileNotFoundError) as e:
            return None, str(e)
    return [glob.glob(os.path.join(debs, p + '_*.deb'))[0] for p in pkgs], None


def test_debian(tmp):
    pkgs = ['u-boot-rpi', 'u-boot-sunxi', 'u-boot-rockchip', 'linux-config-6.1']
    debs, why = fetch_debs(pkgs)
    if debs is None:
        print('SKIP Debian U-Boot packages: %s' % why)
        return
    root = os.path.join(tmp, 'deb')
    for d in debs:
        sh('dpkg', '-x', d, root)
    configs = sorted(glob.glob(os.path.join(root, 'usr/share/doc/u-boot-*/configs/config.*.gz')))
    if len(configs) < 20:
        failures.append('Debian: only %d board configs found' % len(configs))
    stats = {}
    for cfg in configs:
        board = os.path.basename(cfg)[len('config.'):-3]
        path = os.path.join(tmp, board + '.config')
        with gzip.open(cfg, 'rb') as i, open(path, 'wb') as o:
            o.write(i.read())
        f = run('uboot-config', path)
        for x in f:
            stats[x[0]] = stats.get(x[0], 0) + 1
        # Debian builds general-purpose boards: nothing verifies what it boots
        expect('Debian %s .config' % board, f, fire=['SB-01', 'HW-07', 'RB-04'])
    print('     Debian board configs: %d; findings per check: %s' %
          (len(configs), ', '.join('%s %d' % kv for kv in sorted(stats.items()))))
    spl = [c for c in configs if 'rpi' not in c]
    if stats.get('SB-04', 0) < len(spl) // 2:
        failures.append('Debian: SB-04 fired for only %d SPL boards' % stats.get('SB-04', 0))

    board = os.path.join(root, 'usr/lib/u-boot/pine64-lts')
    f = run('uboot-bin', os.path.join(board, 'u-boot.bin'))
    expect('Debian pine64-lts u-boot.bin (appended control DTB, default env)', f,
           fire=['SB-05', 'HW-01', 'HW-02', 'ENV-03'])
    expect('Debian rpi_arm64 u-boot.bin (default env)',
           run('uboot-bin', os.path.join(root, 'usr/lib/u-boot/rpi_arm64/u-boot.bin')),
           fire=['ENV-03'])
    expect('Debian pine64-lts FIT (u-boot-sunxi-with-spl.fit.itb)',
           run('fit', os.path.join(board, 'u-boot-sunxi-with-spl.fit.itb')), fire=['SB-06'])
    dtb = os.path.join(tmp, 'pine64-lts.dtb')
    shutil.copy(os.path.join(board, 'sun50i-a64-pine64-lts.dtb'), dtb)
    expect('Debian sun50i-a64-pine64-lts.dtb', run('dtb', dtb), fire=['HW-01', 'HW-02', 'HW-03'])
    test_cli_agrees([('uboot-bin', os.path.join(board, 'u-boot.bin')),
                     ('fit', os.path.join(board, 'u-boot-sunxi-with-spl.fit.itb')),
                     ('dtb', dtb), ('uboot-config', os.path.join(tmp, 'pine64-lts.config'))])
    expect('Debian sun50i-a64-pine64-lts.dtb hardened (fdtput)', harden(dtb), clean=True)
    for dtbs in sorted(glob.glob(os.path.join(root, 'usr/lib/u-boot/*/*.dtb'))):
        run('dtb', dtbs)  # every shipped DTB parses without an error

    # Debian's arm64 kernel configuration, and a hardened twin of it
    kcfgs = glob.glob(os.path.join(root, 'usr/src/linux-config-*/config.arm64_none_arm64.xz'))
    if not kcfgs:
        failures.append('Debian: no arm64 kernel config in linux-config')
        return
    kcfg = os.path.join(tmp, 'kernel.config')
    with lzma.open(kcfgs[0], 'rt') as i:
        text = i.read()
    write(kcfg, text)
    expect('Debian arm64 kernel .config', run('kernel-config', kcfg), fire=['SB-08', 'HW-08'])
    for opt in ('DEVMEM', 'DEBUG_FS', 'KGDB', 'MAGIC_SYSRQ', 'PROC_KCORE', 'KEXEC',
                'MODULE_SIG_FORCE'):
        text = text.replace('CONFIG_%s=y\n' % opt, '# CONFIG_%s is not set\n' % opt)
    text = text.replace('# CONFIG_MODULE_SIG_FORCE is not set\n', 'CONFIG_MODULE_SIG_FORCE=y\n')
    write(kcfg, text)
    expect('Debian arm64 kernel .config hardened', run('kernel-config', kcfg), clean=True)


def cli_ids(path):
    """The ids `ward audit --format json` reports for one input, or None when
    the command is not there."""
    ward = os.environ.get('WARD_BIN')
    if not ward or not os.path.exists(ward):
        return None
    p = subprocess.run([ward, 'audit', '--format', 'json', path], capture_output=True,
                       text=True, check=False)
    if p.returncode == 2 and 'audit' not in p.stderr:
        return None
    try:
        return sorted(f['id'] for f in json.loads(p.stdout)['findings'])
    except (ValueError, KeyError, TypeError):
        print('SKIP ward audit --format json: unexpected output: %s' % p.stderr.strip())
        return None


def test_cli_agrees(inputs):
    """`ward audit` (the core's detection and dispatch) reports what the boot
    checks report for each real input."""
    global checks
    for kind, path in inputs:
        want = sorted(f[0] for f in run(kind, path))
        got = cli_ids(path)
        if got is None:
            print('SKIP ward audit not available')
            return
        checks += 1
        if got != want:
            failures.append('ward audit %s: %s, boot checks %s' % (path, got, want))
            print('FAIL ward audit', os.path.basename(path), got, want)
        else:
            print('ok   ward audit %s agrees (%d findings)' % (os.path.basename(path), len(got)))


def test_denylist_current(tmp):
    """data/demo-keys.tsv, which the build embeds, is what
    scripts/gen-demo-keys.sh makes from ../shared/data today."""
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = os.path.join(tmp, 'demo-keys.tsv')
    sh(os.path.join(src, 'scripts', 'gen-demo-keys.sh'), os.path.join(SHARED, 'data'), out)
    global checks
    checks += 1
    with open(out, encoding='utf-8') as a, \
            open(os.path.join(src, 'data', 'demo-keys.tsv'), encoding='utf-8') as b:
        if a.read() != b.read():
            failures.append('data/demo-keys.tsv is stale: run scripts/gen-demo-keys.sh')
            return
    print('ok   data/demo-keys.tsv matches ../shared/data (fingerprints recomputed)')


def newest_kernel_package():
    """The newest bookworm linux-image-<abi>-arm64-unsigned (the package that
    ships the board DTBs): a cached .deb if there is one, else from the
    arm64 package lists (downloaded by fetch_debs)."""
    cached = glob.glob(os.path.join(cache_dir(), 'debs', 'linux-image-*-arm64-unsigned_*.deb'))
    abi = lambda n: int(re.search(r'-([0-9]+)-arm64-unsigned', n).group(1))  # noqa: E731
    if cached:
        return max((os.path.basename(c).split('_')[0] for c in cached), key=abi), None
    _, why = fetch_debs([])  # the package lists
    if why:
        return None, why
    p = subprocess.run(['apt-cache', *apt_opts(), 'pkgnames', 'linux-image-'], capture_output=True,
                       text=True, check=False)
    names = set()
    for n in p.stdout.split():
        m = re.fullmatch(r'linux-image-[0-9.]+-([0-9]+)-arm64-unsigned', n)
        if m:
            names.add((int(m.group(1)), n))
    if not names:
        return None, 'no linux-image-*-arm64-unsigned in the arm64 package lists'
    return max(names)[1], None


def test_kernel_dtbs(tmp):
    """Every board device tree of Debian's arm64 kernel (~576) is read
    without an error, in one `ward audit` run; a Raspberry Pi 4 tree fires
    the interface checks, and its hardened twin (fdtput) is clean."""
    global checks
    pkg, why = newest_kernel_package()
    debs, why = fetch_debs([pkg]) if pkg else (None, why)
    if debs is None:
        print('SKIP Debian kernel DTBs: %s' % why)
        return
    root = os.path.join(tmp, 'kernel')
    sh('dpkg', '-x', debs[0], root)
    dtbs = sorted(glob.glob(os.path.join(root, 'usr/lib/linux-image-*/**/*.dtb'), recursive=True))
    checks += 1
    if len(dtbs) < 400:
        failures.append('Debian kernel: only %d DTBs in %s' % (len(dtbs), os.path.basename(debs[0])))
        return
    ward = os.environ.get('WARD_BIN')
    if ward and os.path.exists(ward):
        p = subprocess.run([ward, 'audit', '--format', 'json', *dtbs], capture_output=True, text=True,
                           check=False)
        checks += 1
        try:
            doc = json.loads(p.stdout)
            unread = [f for f in doc['findings'] if f['id'].startswith('INPUT')]
            hw = {f['file'] for f in doc['findings'] if f['id'].startswith('HW-')}
        except (ValueError, KeyError, TypeError):
            doc, unread, hw = None, [], set()
        if p.returncode != 0 or doc is None or unread:
            failures.append('ward audit of %d kernel DTBs: exit %d, %s %s' % (
                len(dtbs), p.returncode, unread[:3], p.stderr.strip()[:300]))
            print('FAIL ward audit of the kernel DTBs')
        else:
            print('ok   ward audit read all %d Debian arm64 kernel DTBs; %d with HW findings' %
                  (len(dtbs), len(hw)))
        kernel_image(tmp, ward, root)
    rpi = [d for d in dtbs if d.endswith('/bcm2711-rpi-4-b.dtb')]
    if not rpi:
        failures.append('Debian kernel: no bcm2711-rpi-4-b.dtb')
        return
    dtb = os.path.join(tmp, 'bcm2711-rpi-4-b.dtb')
    shutil.copy(rpi[0], dtb)
    expect('Debian kernel bcm2711-rpi-4-b.dtb', run('dtb', dtb), fire=['HW-01'])
    expect('Debian kernel bcm2711-rpi-4-b.dtb hardened (fdtput)', harden(dtb), clean=True)


def kernel_image(tmp, ward, root):
    """KEY-06 on a real kernel: Debian's arm64 vmlinuz (an uncompressed
    Image, ~32 MB) has no published key in it; the same Image with LmP's
    module-signing certificate appended, gzip'd as Image.gz kernels ship, in a
    rootfs's /boot: KEY-06 once, from the decompressed image."""
    global checks
    images = glob.glob(os.path.join(root, 'boot', 'vmlinuz-*'))
    checks += 1
    if len(images) != 1:
        failures.append('Debian kernel: %d vmlinuz in the package' % len(images))
        return
    p = subprocess.run([ward, 'audit', '--format', 'json', images[0]], capture_output=True, text=True,
                       check=False)
    if p.returncode != 0 or json.loads(p.stdout or '{"findings": [1]}')['findings']:
        failures.append('Debian vmlinuz: exit %d, %s %s' % (p.returncode, p.stdout[:300], p.stderr[:300]))
        print('FAIL Debian vmlinuz')
        return
    print('ok   Debian arm64 vmlinuz (%d MB): no key finding' % (os.path.getsize(images[0]) >> 20))
    ca = os.path.join(tmp, 'kernel-ca.pem')
    sh('openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', ca)
    cert = subprocess.run(['openssl', 'x509', '-new', '-subj', '/CN=Build time autogenerated kernel key',
                           '-key', ca, '-force_pubkey',
                           os.path.join(SHARED, 'data', 'demo-public-keys', 'lmp-privkey_modsign.pub.pem'),
                           '-days', '30', '-outform', 'DER'], capture_output=True, check=True).stdout
    with open(images[0], 'rb') as f:
        image = f.read()
    rootfs = os.path.join(tmp, 'kernel-rootfs')
    os.makedirs(os.path.join(rootfs, 'boot'))
    with open(os.path.join(rootfs, 'boot', 'vmlinuz-6.1.0-lmp'), 'wb') as f:
        f.write(gzip.compress(image + cert, 1))
    p = subprocess.run([ward, 'audit', '--format', 'json', rootfs], capture_output=True, text=True, check=False)
    checks += 1
    try:
        found = [(f['id'], f['file']) for f in json.loads(p.stdout)['findings'] if f['id'].startswith('KEY')]
    except (ValueError, KeyError):
        found = None
    if found != [('KEY-06', '/boot/vmlinuz-6.1.0-lmp')]:
        failures.append('Debian Image + LmP modsign cert, gzip: %s %s' % (found, p.stderr[:300]))
        print('FAIL Debian Image + LmP modsign certificate')
    else:
        print('ok   Debian Image + LmP module-signing certificate, gzip\'d in /boot: KEY-06')


def test_fit_verify_ecdsa(tmp):
    """ECDSA (sha256,ecdsa256, P-256): mkimage 2023.01 signs with KEYDIR/NAME.pem
    and writes /signature/NAME (no "key-" prefix) with ecdsa,curve and the
    x/y points only -- no algo, required or key-name-hint -- so required =
    "conf" is added with fdtput.  Its fit_check_sign verifies ECDSA with the
    private key file (lib/ecdsa/ecdsa-libcrypto.c), never with the control
    DTB: with a required ECDSA key it rejects every FIT ("keyfile, keyname,
    or key-name-hint missing"), so it is compared only when it does read the
    control DTB."""
    global checks
    d = os.path.join(tmp, 'fitsig-ec')
    os.mkdir(d)
    p = lambda name: os.path.join(d, name)  # noqa: E731
    for kd in ('keys', 'keys-other'):
        os.mkdir(p(kd))
        sh('openssl', 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out',
           os.path.join(p(kd), 'prod.pem'))
    with open(p('kernel.bin'), 'wb') as f:
        f.write(os.urandom(8192))
    shutil.copy(os.path.join(tmp, 'board.dtb'), p('board.dtb'))

    def sign(keydir, fit, ctl):
        dtc(d, ctl, '/dts-v1/;\n/ { model = "control"; signature { }; };\n')
        write(p('x.its'), its_sig('sha256,ecdsa256'))
        sh('mkimage', '-f', p('x.its'), '-k', p(keydir), '-K', p(ctl + '.dtb'), '-r', p(fit),
           cwd=d)
        sh('fdtput', '-t', 's', p(ctl + '.dtb'), '/signature/prod', 'required', 'conf')
        return p(ctl + '.dtb')

    ctl = sign('keys', 'a.itb', 'ctl')
    ctl_other = sign('keys-other', 'other.itb', 'ctl-other')
    shutil.copy(p('a.itb'), p('conf.itb'))
    sh('fdtput', '-t', 's', p('conf.itb'), '/configurations/conf-1', 'kernel', 'fdt-1')
    shutil.copy(p('a.itb'), p('conf-desc.itb'))
    sh('fdtput', '-t', 's', p('conf-desc.itb'), '/configurations/conf-1', 'description', 'evil')
    with open(p('kernel.bin'), 'rb') as f:
        kernel = f.read(64)
    patch_byte(p('a.itb'), p('data.itb'), kernel, 100)
    shutil.copy(p('a.itb'), p('sig.itb'))
    val = subprocess.run(['fdtget', '-t', 'bx', p('a.itb'), '/configurations/conf-1/signature-1',
                          'value'], capture_output=True, text=True, check=True).stdout.split()
    val[-1] = '%x' % (int(val[-1], 16) ^ 1)
    sh('fdtput', '-t', 'bx', p('sig.itb'), '/configurations/conf-1/signature-1', 'value', *val)

    cases = [  # name, FIT, control DTB, U-Boot accepts it
        ('ECDSA P-256, control DTB holds its key', 'a.itb', ctl, True),
        ('ECDSA P-256, control DTB holds another key', 'a.itb', ctl_other, False),
        ('ECDSA P-256, other key signed, control DTB holds the first', 'other.itb', ctl, False),
        ('ECDSA configuration changed (fdtput kernel)', 'conf.itb', ctl, False),
        ('ECDSA configuration changed (fdtput description)', 'conf-desc.itb', ctl, False),
        ('ECDSA kernel data changed', 'data.itb', ctl, False),
        ('ECDSA signature value changed (s, last bit)', 'sig.itb', ctl, False),
    ]
    # KEY-02 from the FIT's side with an ECDSA key: the signing key listed
    deny = p('prod-ec.pub')
    sh('openssl', 'pkey', '-in', os.path.join(p('keys'), 'prod.pem'), '-pubout', '-out', deny)
    for fit, want in (('a.itb', True), ('other.itb', False), ('sig.itb', False)):
        code, found = ward_ids('--deny-keys', deny, p(fit))
        got = isinstance(found, list) and ('KEY-02', '/configurations/conf-1/signature-1') in found
        verdict('ECDSA FIT %s, prod key listed: KEY-02 %s' % (fit, 'fires' if want else 'silent'),
                (code, got), (0, want))
    fcs, why = build_fit_check_sign()
    if not fcs:
        print('SKIP fit_check_sign cross-check (ECDSA): %s' % why)
    for name, fit, c, accepts in cases:
        f = run('fit', p(fit), '--and', 'dtb', c)
        checks += 1
        got = not ward_rejects(f)
        line = 'FIT verify: %s: ward %s' % (name, 'accepts' if got else 'rejects')
        bad = []
        if got != accepts:
            bad.append('ward %s, expected %s' % (got, accepts))
        if [x for x in f if x[0] == 'SB-05']:
            bad.append('SB-05 on a control DTB with a required ECDSA key')
        if fcs:
            r = subprocess.run([fcs, '-f', p(fit), '-k', c], capture_output=True, text=True,
                               check=False)
            if 'keyfile, keyname, or key-name-hint missing' in r.stdout + r.stderr:
                line += ', fit_check_sign cannot verify ECDSA with a control DTB (skipped)'
            else:
                line += ', fit_check_sign %s' % ('accepts' if r.returncode == 0 else 'rejects')
                if (r.returncode == 0) != got:
                    bad.append('fit_check_sign exit %d, ward %s' % (r.returncode, got))
        if bad:
            failures.append('%s: %s' % (name, '; '.join(bad)))
            print('FAIL', line, '|', '; '.join(bad), [x[3] for x in f])
        else:
            print('ok  ', line)


def ward_ids(*args):
    """ward audit --format json ARGS: (exit code, [(id, location)])."""
    p = subprocess.run([os.environ['WARD_BIN'], 'audit', '--format', 'json', *args], capture_output=True,
                       text=True, check=False)
    try:
        return p.returncode, [(f['id'], f['location']) for f in json.loads(p.stdout)['findings']]
    except ValueError:
        return p.returncode, p.stderr.strip()


def verdict(name, got, want):
    global checks
    checks += 1
    if got != want:
        failures.append('%s: got %s, want %s' % (name, got, want))
        print('FAIL %s: got %s' % (name, got))
    else:
        print('ok   %s' % name)


def wbin(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def test_boot_images(tmp):
    """SB-07 and RB-03 from the boot images themselves, made by the real
    tools: U-Boot's mkimage -T imximage (an i.MX IVT with and without a CSF)
    and TF-A's cert_create and fiptool (a FIP without TBB certificates, with
    NV counters left at 0, and advanced)."""
    d = os.path.join(tmp, 'bootimg')
    os.makedirs(d)
    with open(os.path.join(d, 'u-boot.bin'), 'wb') as f:
        f.write(os.urandom(200000))
    for name, csf in (('u-boot.imx', ''), ('u-boot-signed.imx', 'CSF 0x2000\n')):
        cfg = os.path.join(d, name + '.cfg')
        write(cfg, 'IMAGE_VERSION 2\nBOOT_FROM sd\n%sDATA 4 0x020c4068 0xffffffff\n' % csf)
        sh('mkimage', '-n', cfg, '-T', 'imximage', '-e', '0x17800000', '-d', os.path.join(d, 'u-boot.bin'),
           os.path.join(d, name))
    verdict('mkimage imximage without CSF: SB-07', ward_ids(os.path.join(d, 'u-boot.imx')),
            (0, [('SB-07', 'IVT at offset 0')]))
    verdict('mkimage imximage with a CSF: silent', ward_ids(os.path.join(d, 'u-boot-signed.imx')), (0, []))
    # the image where the ROM reads it on an SD card: 1 KiB in
    with open(os.path.join(d, 'u-boot.imx'), 'rb') as f:
        wbin(os.path.join(d, 'u-boot-sdcard.bin'), b'\0' * 0x400 + f.read())
    verdict('unsigned i.MX image at 1 KiB of a card image: SB-07',
            ward_ids(os.path.join(d, 'u-boot-sdcard.bin')), (0, [('SB-07', 'IVT at offset 1024')]))

    if not shutil.which('fiptool') or not shutil.which('cert_create'):
        print('SKIP TF-A FIP: fiptool/cert_create not installed (arm-trusted-firmware-tools)')
        return
    imgs = {}
    for n, size in (('bl2', 20000), ('bl31', 30000), ('bl33', 40000)):
        imgs[n] = os.path.join(d, n + '.bin')
        wbin(imgs[n], os.urandom(size))
    images = ['--tb-fw', imgs['bl2'], '--soc-fw', imgs['bl31'], '--nt-fw', imgs['bl33']]
    sh('fiptool', 'create', *images, os.path.join(d, 'fip-nottb.bin'))
    verdict('FIP without TBB certificates: SB-07', ward_ids(os.path.join(d, 'fip-nottb.bin')),
            (0, [('SB-07', 'FIP')]))
    certs = []
    for opt in ('tb-fw-cert', 'trusted-key-cert', 'soc-fw-key-cert', 'soc-fw-cert', 'nt-fw-key-cert',
                'nt-fw-cert'):
        certs += ['--' + opt, os.path.join(d, opt + '.crt')]
    for name, tctr, ntctr, want in (('fip-ctr0.bin', 0, 0, [('RB-03', 'FIP')]), ('fip-ctr.bin', 5, 3, [])):
        # cert_create 2.8.0 reads memory it never set: with meson's
        # MALLOC_PERTURB_ it aborts for some values (1, 137, 255...)
        env = {k: v for k, v in os.environ.items() if k != 'MALLOC_PERTURB_'}
        sh('cert_create', '-n', '--key-alg', 'rsa', '--tfw-nvctr', str(tctr), '--ntfw-nvctr', str(ntctr),
           *images, *certs, env=env)
        sh('fiptool', 'create', *images, *certs, os.path.join(d, name))
        verdict('cert_create NV counters %d/%d: %s' % (tctr, ntctr, want or 'silent'),
                ward_ids(os.path.join(d, name)), (0, want))
    # a FIP whose table of contents points past its end: refused, one line
    with open(os.path.join(d, 'fip-ctr.bin'), 'rb') as f:
        fip = bytearray(f.read())
    fip[16 + 16:16 + 24] = (len(fip) + 1).to_bytes(8, 'little')
    wbin(os.path.join(d, 'fip-bad.bin'), bytes(fip))
    code, why = ward_ids(os.path.join(d, 'fip-bad.bin'))
    verdict('FIP entry outside the file: invalid input', (code, 'outside the file' in str(why)), (18, True))


def main():
    for tool in ('mkenvimage', 'mkimage', 'dtc', 'fdtput', 'fdtget', 'openssl'):
        if not shutil.which(tool):
            print('SKIP: %s not installed (scripts/deps.sh)' % tool)
            return 77
    with tempfile.TemporaryDirectory(prefix='ward-audit-boot-') as tmp:
        test_denylist_current(tmp)
        test_env(tmp)
        test_dtb(tmp)
        test_fit(tmp)
        test_fit_verify(tmp)
        test_fit_verify_ecdsa(tmp)
        test_debian(tmp)
        test_kernel_dtbs(tmp)
        test_boot_images(tmp)
    print('%d checks, %d failed' % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
