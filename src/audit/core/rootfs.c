/*
 * rootfs.c - the checks of a root filesystem: accounts and login (AUTH),
 * services (SVC), the U-Boot environment reachable from Linux (ENV-02),
 * update clients (RB-02, SEC-03), and one sequential pass over every file
 * for secrets (SEC-02), keys (the key detector) and the boot, compose and
 * daemon.json files inside the image.  Every read goes through audit_fs.
 */
#include <crypt.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/boot/boot.h"
#include "audit/core/core.h"

static const char RM_ROOTPW[] = "Lock root's password (`passwd -l root` in the image build, '*' in /etc/shadow) "
				"and give operators named accounts with keys.";
static const char RM_USERPW[] = "Lock the account ('*' or '!' in /etc/shadow) or provision a per-device password.";

/* ---- small helpers ------------------------------------------------------ */

/* Reads a configuration file; *found false if absent.  Larger than the cap
 * or unreadable is an error the caller passes on. */
int audit_read_conf(audit_fs *fs, const char *path, ward_buf *b, bool *found, ward_error *err)
{
	*found = false;
	int rc = audit_fs_read(fs, path, AUDIT_LIMIT_CONFIG_BYTES, b, err);
	if (rc == WARD_ENOTFOUND || rc == WARD_EINVAL)
		return 0; /* absent, or not a regular file */
	*found = rc == 0;
	return rc;
}

/* Iterates lines: returns the next line in line (NUL-terminated, cut at
 * size) and advances *pos; false at the end. */
static bool next_line(const uint8_t *d, size_t n, size_t *pos, char *line, size_t size, size_t *lineno)
{
	if (*pos >= n)
		return false;
	size_t e = *pos;
	while (e < n && d[e] != '\n')
		e++;
	size_t l = e - *pos < size - 1 ? e - *pos : size - 1;
	memcpy(line, d + *pos, l);
	line[l] = '\0';
	if (l && line[l - 1] == '\r')
		line[l - 1] = '\0';
	*pos = e + 1;
	(*lineno)++;
	return true;
}

bool audit_next_line(const ward_buf *b, size_t *pos, char *line, size_t size, size_t *lineno)
{
	return next_line(b->ptr, b->len, pos, line, size, lineno);
}

static void loc_line(char *loc, size_t n, size_t lineno)
{
	int r = snprintf(loc, n, "line %zu", lineno);
	if (r < 0 || (size_t)r >= n)
		loc[0] = '\0';
}

/* Field i (0-based) of a ':'-separated line, copied into out. */
static bool field(const char *line, unsigned i, char *out, size_t n)
{
	const char *p = line;
	for (unsigned k = 0; k < i; k++) {
		p = strchr(p, ':');
		if (!p)
			return false;
		p++;
	}
	size_t l = strcspn(p, ":");
	if (l >= n)
		l = n - 1;
	memcpy(out, p, l);
	out[l] = '\0';
	return true;
}

/* ---- AUTH-01..03 -------------------------------------------------------- */

/* Passwords a first attacker tries (AUTH-02 critical when one matches). */
static const char *const WEAK_PASSWORDS[] = {
	"root", "admin", "toor", "password", "1234", "12345", "123456", "12345678", "default", "changeme",
	"raspberry", "debian", "ubuntu", "linux", "pass", "test", "guest", "user", "letmein", "",
};

static bool hash_usable(const char *h)
{
	return h[0] && h[0] != '*' && h[0] != '!';
}

static bool hash_weak_scheme(const char *h)
{
	return strncmp(h, "$1$", 3) == 0 || (h[0] != '$' && strlen(h) == 13);
}

/* Whether crypt(3) of a hash costs at most the bounds of core.h: the
 * scheme is known and its cost parameter (rounds, log2 of the work) is at
 * most the scheme's default.  Anything else is never handed to crypt. */
static bool crypt_cost_bounded(const char *h)
{
	static const char itoa64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	if (h[0] != '$') /* traditional DES: 13 characters, fixed cost */
		return strlen(h) == 13 && strspn(h, itoa64) == 13;
	if (strncmp(h, "$1$", 3) == 0) /* MD5 crypt: fixed cost */
		return true;
	if (strncmp(h, "$5$", 3) == 0 || strncmp(h, "$6$", 3) == 0) {
		if (strncmp(h + 3, "rounds=", 7) != 0)
			return true; /* the default, 5000 */
		size_t nd = strspn(h + 10, "0123456789");
		if (nd == 0 || nd > 9 || h[10 + nd] != '$')
			return false;
		unsigned long rounds = strtoul(h + 10, NULL, 10);
		return rounds <= AUDIT_LIMIT_CRYPT_SHA_ROUNDS;
	}
	if (strncmp(h, "$2a$", 4) == 0 || strncmp(h, "$2b$", 4) == 0 || strncmp(h, "$2y$", 4) == 0)
		return h[4] >= '0' && h[4] <= '9' && h[5] >= '0' && h[5] <= '9' && h[6] == '$' &&
		       (h[4] - '0') * 10 + (h[5] - '0') <= AUDIT_LIMIT_CRYPT_BCRYPT_COST;
	/* yescrypt: "$y$j" then N as log2 in itoa64 and r; "j9T" (N = 2^12,
	 * r = 32, 16 MiB) is the default of Debian, Yocto and libxcrypt */
	if (strncmp(h, "$y$j", 4) == 0) {
		const char *n = memchr(itoa64, h[4], 12); /* '.' to '9': N <= 2^12 */
		return h[4] && n && h[5] == 'T' && h[6] == '$';
	}
	return false;
}

static const char *cracks(const char *hash)
{
	struct crypt_data cd;
	for (size_t i = 0; i < WARD_ARRAY_LEN(WEAK_PASSWORDS); i++) {
		memset(&cd, 0, sizeof(cd));
		/* crypt_rn, not crypt_r: sanitizer runtimes intercept crypt_r, and
		 * with --as-needed libcrypt is then dropped and the real one is NULL */
		const char *c = crypt_rn(WEAK_PASSWORDS[i], hash, &cd, (int)sizeof(cd));
		if (c && c[0] != '*' && strcmp(c, hash) == 0)
			return WEAK_PASSWORDS[i][0] ? WEAK_PASSWORDS[i] : "(empty)";
	}
	return NULL;
}

void audit_check_passwd(audit_ctx *a, const uint8_t *data, size_t len)
{
	char line[1024], name[256], hash[512], uid[32], loc[32];
	size_t pos = 0, ln = 0;
	/* UID 0 other than root; an empty password field with no shadow */
	while (next_line(data, len, &pos, line, sizeof(line), &ln)) {
		if (!field(line, 0, name, sizeof(name)) || !field(line, 1, hash, sizeof(hash)) ||
		    !field(line, 2, uid, sizeof(uid)) || !name[0] || name[0] == '#')
			continue;
		loc_line(loc, sizeof(loc), ln);
		if (strcmp(uid, "0") == 0 && strcmp(name, "root") != 0)
			audit_report(a, "AUTH-03", AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_YES, "/etc/passwd", loc,
				     "Give only root UID 0; remove or renumber the other account.",
				     "account \"%.64s\" has UID 0", name);
		if (hash[0] == '\0') {
			bool root = strcmp(name, "root") == 0;
			audit_report(a, root ? "AUTH-01" : "AUTH-03", root ? AUDIT_CRITICAL : AUDIT_HIGH,
				     AUDIT_CONFIG, AUDIT_OTA_YES, "/etc/passwd", loc, root ? RM_ROOTPW : RM_USERPW,
				     "account \"%.64s\" has an empty password field in /etc/passwd: login "
				     "without a password", name);
		} else if (strcmp(hash, "x") != 0 && hash_usable(hash)) {
			audit_report(a, strcmp(name, "root") == 0 ? "AUTH-02" : "AUTH-03", AUDIT_HIGH, AUDIT_CONFIG,
				     AUDIT_OTA_YES, "/etc/passwd", loc, RM_ROOTPW,
				     "account \"%.64s\" has a password hash in world-readable /etc/passwd", name);
		}
	}
}

void audit_check_shadow(audit_ctx *a, const uint8_t *data, size_t len)
{
	char line[1024], name[256], hash[512], loc[32];
	size_t pos = 0, ln = 0, tried = 0;
	while (next_line(data, len, &pos, line, sizeof(line), &ln)) {
		if (!field(line, 0, name, sizeof(name)) || !field(line, 1, hash, sizeof(hash)) || !name[0])
			continue;
		loc_line(loc, sizeof(loc), ln);
		bool root = strcmp(name, "root") == 0;
		if (hash[0] == '\0') {
			audit_report(a, root ? "AUTH-01" : "AUTH-03", root ? AUDIT_CRITICAL : AUDIT_HIGH, AUDIT_CONFIG,
				     AUDIT_OTA_YES, "/etc/shadow", loc, root ? RM_ROOTPW : RM_USERPW,
				     "account \"%.64s\" has an empty password: login without a password", name);
			continue;
		}
		if (!hash_usable(hash))
			continue;
		/* the hash chooses what crypt costs: try only bounded ones (core.h) */
		const char *weak = NULL;
		if (tried < AUDIT_LIMIT_CRYPT_ACCOUNTS && crypt_cost_bounded(hash)) {
			tried++;
			weak = cracks(hash);
		} else {
			audit_report(a, "INPUT-01", AUDIT_INFO, AUDIT_CONFIG, AUDIT_OTA_NA, "/etc/shadow", loc,
				     "Check the password by other means.",
				     "could not be checked: the password hash of account \"%.64s\" was not "
				     "tried against well-known passwords (%s)", name,
				     tried < AUDIT_LIMIT_CRYPT_ACCOUNTS ? "unknown scheme or cost above the audit's bound"
									: "too many accounts with a hash");
		}
		if (root)
			audit_report(a, "AUTH-02", weak ? AUDIT_CRITICAL : AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_YES,
				     "/etc/shadow", loc, RM_ROOTPW, "root has a usable password hash%s%s",
				     weak ? "; it is a well-known password: " : "", weak ? weak : "");
		else if (weak)
			audit_report(a, "AUTH-03", AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_YES, "/etc/shadow", loc,
				     "Lock the account or provision a per-device password.",
				     "account \"%.64s\" has a well-known password", name);
		if (hash_weak_scheme(hash))
			audit_report(a, "AUTH-03", AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_YES, "/etc/shadow", loc,
				     "Use yescrypt or SHA-512 crypt, or lock the account.",
				     "account \"%.64s\" uses a weak hash scheme (%s)", name,
				     hash[0] == '$' ? "MD5 crypt" : "DES crypt");
	}
}

static int check_accounts(audit_ctx *a, audit_fs *fs, ward_error *err)
{
	WARD_AUTO(buf_dispose) ward_buf pw = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
	WARD_AUTO(buf_dispose) ward_buf sh = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
	bool has_pw, has_sh;
	int rc = audit_read_conf(fs, "/etc/passwd", &pw, &has_pw, err);
	if (!rc)
		rc = audit_read_conf(fs, "/etc/shadow", &sh, &has_sh, err);
	if (rc)
		return rc;
	if (has_pw)
		audit_check_passwd(a, pw.ptr, pw.len);
	if (has_sh)
		audit_check_shadow(a, sh.ptr, sh.len);
	return 0;
}

/* ---- AUTH-04 ------------------------------------------------------------ */

static int check_sshd(audit_ctx *a, audit_fs *fs, ward_error *err)
{
	if (audit_fs_exists(fs, "/usr/sbin/sshd") || audit_fs_exists(fs, "/etc/ssh/sshd_config")) {
		audit_sshd s;
		int rc = audit_sshd_effective(&s, fs, err);
		if (rc)
			return rc;
		static const char rm[] = "Set it to \"no\" in /etc/ssh/sshd_config (before any Match block) and use keys "
					 "for named accounts.";
		const struct {
			const char *value, *bad, *where, *what;
		} opt[] = {
			{ s.permit_root_login, "yes", s.where_root, "PermitRootLogin" },
			{ s.permit_empty_passwords, "yes", s.where_empty, "PermitEmptyPasswords" },
			{ s.password_authentication, "yes", s.where_pass, "PasswordAuthentication" },
		};
		for (size_t i = 0; i < WARD_ARRAY_LEN(opt); i++) {
			if (strcmp(opt[i].value, opt[i].bad) != 0)
				continue;
			/* "FILE line N" -> file and location; "OpenSSH default" -> sshd_config */
			char file[128];
			const char *line = strstr(opt[i].where, " line ");
			snprintf(file, sizeof(file), "%.*s", line ? (int)(line - opt[i].where) : 0, opt[i].where);
			audit_report(a, "AUTH-04", AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_YES,
				     line ? file : "/etc/ssh/sshd_config", line ? line + 1 : "OpenSSH default", rm,
				     "sshd: %s %s (effective%s)", opt[i].what, opt[i].value,
				     line ? "" : ": compiled-in default, not set in any file");
		}
	}
	if (audit_fs_exists(fs, "/usr/sbin/dropbear")) {
		WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
		bool found;
		int rc = audit_read_conf(fs, "/etc/default/dropbear", &b, &found, err);
		if (rc)
			return rc;
		const char *t = found && b.ptr ? (const char *)b.ptr : "";
		if (!strstr(t, "-w") || !strstr(t, "-s"))
			audit_report(a, "AUTH-04", AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_YES, "/etc/default/dropbear",
				     NULL, "Start dropbear with -w (no root login) and -s (no passwords).",
				     "dropbear allows %s", !strstr(t, "-w") ? "root login" : "password logins");
	}
	return 0;
}

/* ---- enabled services: AUTH-05, SVC-01 ---------------------------------- */

/* SVC-01 denylist: fnmatch patterns on unit or init-script names. */
static const struct deny {
	const char *pattern, *what;
} SVC_DENY[] = {
	{ "*telnet*", "telnet server (plain-text logins)" },
	{ "*ftpd*", "FTP server" },
	{ "*tftp*", "TFTP server" },
	{ "rsh*", "rsh" },
	{ "rlogin*", "rlogin" },
	{ "rexec*", "rexec" },
	{ "snmpd*", "SNMP agent" },
	{ "avahi-daemon*", "mDNS responder (avahi)" },
	{ "rpcbind*", "RPC portmapper" },
	{ "nfs-server*", "NFS server" },
	{ "nfs-kernel-server*", "NFS server" },
	{ "cups*", "print server" },
	{ "gdbserver*", "remote debugger" },
	{ "adbd*", "Android debug bridge" },
	{ "android-tools-adbd*", "Android debug bridge" },
	{ "debug-shell*", "root shell on tty9 (systemd debug-shell)" },
};

static const char *const SERIAL_TTYS[] = { "ttyS", "ttyAMA", "ttymxc", "ttyLP", "ttyUSB", "ttyGS" };

static bool serial_tty(const char *s)
{
	for (size_t i = 0; i < WARD_ARRAY_LEN(SERIAL_TTYS); i++)
		if (strstr(s, SERIAL_TTYS[i]))
			return true;
	return false;
}

struct walk_ctx {
	audit_ctx *a;
	audit_fs *fs;
};

static void deny_service(audit_ctx *a, const char *path, const char *name)
{
	char base[256];
	snprintf(base, sizeof(base), "%s", name);
	for (size_t i = 0; i < WARD_ARRAY_LEN(SVC_DENY); i++)
		if (fnmatch(SVC_DENY[i].pattern, base, 0) == 0) {
			audit_report(a, "SVC-01", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_YES, path, NULL,
				     "Remove the package from the image, or disable the service if the product "
				     "needs it installed.",
				     "%s enabled (%.64s)", SVC_DENY[i].what, base);
			return;
		}
}

/* Entries of *.wants/ directories: enabled systemd units. */
static int visit_units(void *vctx, const char *path, audit_ftype type, uint64_t size)
{
	(void)size;
	struct walk_ctx *w = vctx;
	const char *slash = strrchr(path, '/');
	if (type == AUDIT_F_DIR || !slash || slash - path < 6 || strncmp(slash - 6, ".wants", 6) != 0)
		return 0;
	const char *unit = slash + 1;
	deny_service(w->a, path, unit);
	if (strncmp(unit, "serial-getty@", 13) == 0 || (strncmp(unit, "getty@", 6) == 0 && serial_tty(unit)))
		audit_report(w->a, "AUTH-05", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_YES, path, NULL,
			     "Disable the serial getty in production images (keep it in a debug variant).",
			     "login prompt on serial console enabled (%.64s)", unit);
	return 0;
}

/* SysV: /etc/rc?.d/SNNname. */
static int visit_rc(void *vctx, const char *path, audit_ftype type, uint64_t size)
{
	(void)size;
	(void)type;
	struct walk_ctx *w = vctx;
	const char *slash = strrchr(path, '/');
	if (fnmatch("/etc/rc[2345S].d", path, 0) == 0 || !slash)
		return 0;
	if (slash[1] == 'S' && isdigit((unsigned char)slash[2]) && isdigit((unsigned char)slash[3]))
		deny_service(w->a, path, slash + 4);
	return 0;
}

int audit_walk_enabled(audit_fs *fs, audit_fs_visit units, audit_fs_visit rc_links, void *ctx,
		       ward_error *err)
{
	static const char *const unit_dirs[] = { "/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system" };
	static const char *const rc_dirs[] = { "/etc/rc2.d", "/etc/rc3.d", "/etc/rc4.d", "/etc/rc5.d",
					       "/etc/rcS.d", "/etc/rc.d" /* OpenWrt */ };
	int rc = 0;
	for (size_t i = 0; !rc && i < WARD_ARRAY_LEN(unit_dirs); i++) {
		/* /lib is a link to /usr/lib on merged-/usr systems: walk it once */
		audit_ftype t;
		uint64_t sz;
		if (i == 1 && audit_fs_lstat(fs, "/lib", &t, &sz) == 0 && t == AUDIT_F_LNK)
			continue;
		rc = audit_fs_walk(fs, unit_dirs[i], units, ctx, err);
	}
	for (size_t i = 0; !rc && i < WARD_ARRAY_LEN(rc_dirs); i++)
		rc = audit_fs_walk(fs, rc_dirs[i], rc_links, ctx, err);
	return rc;
}

static int check_services(audit_ctx *a, audit_fs *fs, ward_error *err)
{
	struct walk_ctx w = { a, fs };
	int rc = audit_walk_enabled(fs, visit_units, visit_rc, &w, err);
	if (rc)
		return rc;

	/* inetd.conf: every active line starts a service */
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
	bool found;
	rc = audit_read_conf(fs, "/etc/inetd.conf", &b, &found, err);
	char line[1024], name[128], loc[32];
	size_t pos = 0, ln = 0;
	while (!rc && found && next_line(b.ptr, b.len, &pos, line, sizeof(line), &ln)) {
		const char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		size_t l = strcspn(p, " \t");
		snprintf(name, sizeof(name), "%.*s", (int)(l < sizeof(name) - 1 ? l : sizeof(name) - 1), p);
		loc_line(loc, sizeof(loc), ln);
		audit_report(a, "SVC-01", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_YES, "/etc/inetd.conf", loc,
			     "Remove inetd services the product does not need (telnet, ftp, tftp...).",
			     "inetd starts \"%.64s\"", name);
	}
	b.len = 0;
	/* busybox/SysV inittab: gettys on serial lines, root shells */
	rc = rc ? rc : audit_read_conf(fs, "/etc/inittab", &b, &found, err);
	pos = ln = 0;
	while (!rc && found && next_line(b.ptr, b.len, &pos, line, sizeof(line), &ln)) {
		if (line[0] == '#' || !strstr(line, "respawn"))
			continue;
		loc_line(loc, sizeof(loc), ln);
		bool autologin = strstr(line, "-f root") || strstr(line, "--autologin root") ||
				 strstr(line, ":/bin/sh") || strstr(line, ":-/bin/sh");
		if (autologin)
			audit_report(a, "AUTH-05", AUDIT_CRITICAL, AUDIT_CONFIG, AUDIT_OTA_YES, "/etc/inittab", loc,
				     "Remove the root shell from inittab; require a login, or no console at all.",
				     "inittab gives a root shell without a password");
		else if (strstr(line, "getty") && (serial_tty(line) || strncmp(line, "console:", 8) == 0 ||
						   strncmp(line, "::", 2) == 0))
			audit_report(a, "AUTH-05", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_YES, "/etc/inittab", loc,
				     "Remove the serial getty in production images.",
				     "inittab starts a login prompt on a serial console");
	}
	return rc;
}

/* ---- AUTH-06/07 --------------------------------------------------------- */

static int visit_hostkeys(void *vctx, const char *path, audit_ftype type, uint64_t size)
{
	(void)size;
	struct walk_ctx *w = vctx;
	const char *base = strrchr(path, '/') + 1;
	if (type == AUDIT_F_DIR)
		return 0;
	if (fnmatch("ssh_host_*_key", base, 0) == 0 || fnmatch("dropbear_*_host_key", base, 0) == 0)
		audit_report(w->a, "AUTH-06", AUDIT_HIGH, AUDIT_PROCESS, AUDIT_OTA_YES, path, NULL,
			     "Remove host keys from the image; generate them on each device at first boot "
			     "(ssh-keygen -A / sshd-keygen), so devices do not share one identity.",
			     "SSH host private key baked into the image: every device has the same one");
	return 0;
}

static int visit_homes(void *vctx, const char *path, audit_ftype type, uint64_t size)
{
	(void)size;
	struct walk_ctx *w = vctx;
	if (type == AUDIT_F_DIR)
		return 0;
	if (fnmatch("/home/*/.ssh/authorized_keys*", path, FNM_PATHNAME) == 0 ||
	    fnmatch("/root/.ssh/authorized_keys*", path, FNM_PATHNAME) == 0)
		audit_report(w->a, "AUTH-07", AUDIT_MEDIUM, AUDIT_PROCESS, AUDIT_OTA_YES, path, NULL,
			     "Provision operator keys per device or fleet at deployment, not in the image.",
			     "authorized_keys shipped in the image: whoever holds these keys logs in to every "
			     "device");
	return 0;
}

/* ---- ENV-02, RB-02, SEC-03 ---------------------------------------------- */

static bool buf_has(const ward_buf *b, const char *s)
{
	return b->ptr && strstr((const char *)b->ptr, s) != NULL;
}

/* "-N" as a word of a command line ("... -N 2.0", "ARGS=\"-N 2.0\"", "-N2.0"). */
static bool has_short_flag(const ward_buf *b, char flag)
{
	for (size_t i = 1; b->ptr && i + 1 < b->len; i++) {
		if (b->ptr[i] != flag || b->ptr[i - 1] != '-')
			continue;
		uint8_t before = i >= 2 ? b->ptr[i - 2] : ' ';
		if (before == ' ' || before == '\t' || before == '"' || before == '\'' || before == '=')
			return true;
	}
	return false;
}

static int check_update_clients(audit_ctx *a, audit_fs *fs, ward_error *err)
{
	if (audit_fs_exists(fs, "/etc/fw_env.config"))
		audit_report(a, "ENV-02", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_YES, "/etc/fw_env.config", NULL,
			     "Do not ship fw_env.config/fw_setenv unless the update client needs it; restrict "
			     "U-Boot to an allow-list of variables (ENV_WRITEABLE_LIST).",
			     "the U-Boot environment is writable from Linux (fw_env.config present)");

	/* RB-02: SWUpdate must run with -N/--no-downgrading */
	if (audit_fs_exists(fs, "/usr/bin/swupdate") || audit_fs_exists(fs, "/etc/swupdate.cfg")) {
		static const char *const where[] = { "/etc/swupdate.cfg", "/etc/default/swupdate",
						     "/lib/systemd/system/swupdate.service",
						     "/etc/systemd/system/swupdate.service",
						     "/usr/lib/swupdate/conf.d/10-args" };
		bool protected = false;
		for (size_t i = 0; i < WARD_ARRAY_LEN(where) && !protected; i++) {
			WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
			bool found;
			int rc = audit_read_conf(fs, where[i], &b, &found, err);
			if (rc)
				return rc;
			protected = found && (buf_has(&b, "no-downgrading") || has_short_flag(&b, 'N'));
		}
		if (!protected)
			audit_report(a, "RB-02", AUDIT_HIGH, AUDIT_PROCESS, AUDIT_OTA_YES, "/usr/bin/swupdate", NULL,
				     "Run SWUpdate with -N <current version> (or set no-downgrading in "
				     "swupdate.cfg) so old, vulnerable images are refused.",
				     "SWUpdate accepts downgrades: no -N/--no-downgrading found");
	}

	/* SEC-03: aktualizr-lite with its TLS key in a file */
	static const char *const sota[] = { "/var/sota/sota.toml", "/etc/sota/conf.d/z-50-fioctl.toml",
					    "/usr/lib/sota/conf.d/50-default.toml", "/etc/sota/sota.toml" };
	bool key_file = false, p11 = false;
	const char *where_key = NULL;
	for (size_t i = 0; i < WARD_ARRAY_LEN(sota); i++) {
		WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
		bool found;
		int rc = audit_read_conf(fs, sota[i], &b, &found, err);
		if (rc)
			return rc;
		if (!found)
			continue;
		if (buf_has(&b, "tls_pkey_path") && !where_key) {
			key_file = true;
			where_key = sota[i];
		}
		p11 = p11 || (buf_has(&b, "[p11]") && buf_has(&b, "module")) || buf_has(&b, "tls_pkey_id") ||
		      buf_has(&b, "pkey_source = \"pkcs11\"");
	}
	if (key_file && !p11)
		audit_report(a, "SEC-03", AUDIT_MEDIUM, AUDIT_BASIC, AUDIT_OTA_YES, where_key, NULL,
			     "Keep the device's TLS key in a secure element, TPM or OP-TEE through PKCS#11 "
			     "([p11] module, tls_pkey_id).",
			     "the update client's TLS private key is a file on the normal filesystem");
	return 0;
}

/* ---- one pass over every file ------------------------------------------- */

struct scan_ctx {
	audit_ctx *a;
	ward_error *err;
	int rc;
};

static bool text_like(const uint8_t *d, size_t n)
{
	size_t k = n < 8192 ? n : 8192;
	return memchr(d, '\0', k) == NULL;
}

static bool under(const char *path, const char *const *dirs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(dirs[i]);
		if (strncmp(path, dirs[i], l) == 0 && path[l] == '/')
			return true;
	}
	return false;
}

static int scan_file(void *vctx, const char *path, const uint8_t *data, size_t len)
{
	struct scan_ctx *s = vctx;
	audit_ctx *a = s->a;
	audit_progress(a, path);
	const char *base = strrchr(path, '/') + 1;
	audit_kind k = audit_detect(base, data, len);
	static const char *const kernel_dirs[] = { "/boot", "/lib/modules", "/usr/lib/modules", "/usr/lib/linux" };
	bool kernel = k == AUDIT_K_KERNEL_IMAGE && under(path, kernel_dirs, WARD_ARRAY_LEN(kernel_dirs));
	bool boot_area = strncmp(path, "/boot/", 6) == 0;
	/* found by content wherever they are: TAs, tee.bin, FIPs */
	bool blob = k == AUDIT_K_TA || k == AUDIT_K_OPTEE || k == AUDIT_K_FIP;
	bool dispatch = k == AUDIT_K_COMPOSE || k == AUDIT_K_DOCKER_DAEMON || kernel || blob ||
			(boot_area && k != AUDIT_K_UNKNOWN && k != AUDIT_K_KEY && k != AUDIT_K_KERNEL_IMAGE);
	/* these checks run the key detector themselves (a kernel on its
	 * decompressed image): scanning here too would report each key twice */
	bool self_scan = dispatch && (kernel || k == AUDIT_K_OPTEE || k == AUDIT_K_FIP || k == AUDIT_K_UBOOT_BIN);
	int rc = self_scan ? 0 : audit_keys_scan(a, path, data, len, true, s->err);
	if (!rc && dispatch)
		rc = audit_check_file(a, k, path, data, len, s->err);
	if (rc) {
		/* a malformed file inside the image is reported, not fatal */
		if (rc == WARD_ENOMEM) {
			s->rc = rc;
			return 1;
		}
		audit_report(a, "INPUT-01", AUDIT_INFO, AUDIT_CONFIG, AUDIT_OTA_NA, path, NULL,
			     "Check that the file is what its name says.", "could not be checked: %s",
			     s->err && s->err->msg[0] ? s->err->msg : "malformed");
	}
	static const char *const secret_dirs[] = { "/etc", "/home", "/root", "/opt", "/srv", "/var", "/usr/local/etc" };
	/* package manager state: package names and descriptions, not configuration */
	static const char *const not_config[] = { "/var/lib/apt", "/var/lib/dpkg", "/var/cache", "/var/lib/opkg",
						  "/var/lib/rpm", "/etc/ssl/certs" };
	if (text_like(data, len) && under(path, secret_dirs, WARD_ARRAY_LEN(secret_dirs)) &&
	    !under(path, not_config, WARD_ARRAY_LEN(not_config)) && k != AUDIT_K_COMPOSE)
		audit_scan_tokens(a, "SEC-02", path, data, len);
	/* SVC-03: dockerd on TCP without TLS, from a unit or /etc/default/docker */
	bool unit = fnmatch("*.service", base, 0) == 0 || fnmatch("*.conf", base, 0) == 0;
	if ((unit || strcmp(path, "/etc/default/docker") == 0) && text_like(data, len)) {
		char *t = strndup((const char *)data, len);
		if (t && (strstr(t, "dockerd") != NULL || strcmp(path, "/etc/default/docker") == 0)) {
			char *tcp = strstr(t, "tcp://");
			if (tcp && !strstr(t, "tlsverify"))
				audit_report(a, "SVC-03", AUDIT_CRITICAL, AUDIT_CONFIG, AUDIT_OTA_YES, path, NULL,
					     "Use the local socket only, or require TLS client certificates "
					     "(--tlsverify).",
					     "dockerd listens on TCP without TLS: anyone on the network is root");
		}
		free(t);
	}
	return 0;
}

int audit_check_rootfs(audit_ctx *a, audit_fs *fs, ward_error *err)
{
	struct walk_ctx w = { a, fs };
	int rc = check_accounts(a, fs, err);
	rc = rc ? rc : check_sshd(a, fs, err);
	rc = rc ? rc : check_services(a, fs, err);
	rc = rc ? rc : audit_fs_walk(fs, "/etc/ssh", visit_hostkeys, &w, err);
	rc = rc ? rc : audit_fs_walk(fs, "/etc/dropbear", visit_hostkeys, &w, err);
	rc = rc ? rc : audit_fs_walk(fs, "/root", visit_homes, &w, err);
	rc = rc ? rc : audit_fs_walk(fs, "/home", visit_homes, &w, err);
	rc = rc ? rc : check_update_clients(a, fs, err);
	rc = rc ? rc : audit_check_exposure(a, fs, err);
	if (rc)
		return rc;
	struct scan_ctx s = { a, err, 0 };
	size_t skipped = 0;
	rc = audit_fs_scan(fs, AUDIT_LIMIT_FILE_BYTES, scan_file, &s, &skipped, err);
	if (!rc && !s.rc)
		rc = audit_check_trust_roots(a, fs, err);
	if (!rc && skipped)
		audit_report(a, "INPUT-02", AUDIT_INFO, AUDIT_CONFIG, AUDIT_OTA_NA, "/", NULL,
			     "Check those files by other means; the per-file cap bounds memory.",
			     "%zu file%s larger than %zu MiB not scanned for keys and secrets", skipped,
			     skipped == 1 ? "" : "s", AUDIT_LIMIT_FILE_BYTES >> 20);
	return rc ? rc : s.rc;
}
