/*
 * exposure.c - what a device exposes to the networks it joins, and where
 * it could keep its secrets:
 *   SVC-02  an inventory of the listeners the image configures (sshd,
 *           enabled systemd sockets, inetd, nginx, lighttpd, mosquitto);
 *           plain-text protocols on every address are flagged.  Inferred
 *           from configuration only: nothing is run.  Compose port
 *           bindings are CTR-09 (compose.c).
 *   SVC-04  no firewall rules shipped, or rules that are never loaded.
 *   SEC-04  no secure-storage backend (OP-TEE, TPM, a hardware PKCS#11
 *           module, a secure element) for the device's credentials.
 * The tables below are the data: a new service, firewall or backend is
 * a line.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/core/core.h"

/* Enabled systemd units and SysV links seen, by name; bounded. */
enum { MAX_ENABLED = 4096 };

struct exposure {
	audit_ctx *a;
	audit_fs *fs;
	char *enabled[MAX_ENABLED]; /* unit or init-script names */
	char *sockets[256];         /* image paths of enabled .socket units */
	size_t nenabled, nsockets;
	/* SEC-04 evidence: the first file found of a backend, by table row */
	char backend_file[AUDIT_LIMIT_PATH];
	const char *backend;
	char update_client[AUDIT_LIMIT_PATH]; /* its file, if the image has one */
};

static void exposure_free(struct exposure *x)
{
	for (size_t i = 0; i < x->nenabled; i++)
		free(x->enabled[i]);
	for (size_t i = 0; i < x->nsockets; i++)
		free(x->sockets[i]);
}

static bool enabled(const struct exposure *x, const char *pattern)
{
	for (size_t i = 0; i < x->nenabled; i++)
		if (fnmatch(pattern, x->enabled[i], 0) == 0)
			return true;
	return false;
}

static int visit_wants(void *ctx, const char *path, audit_ftype type, uint64_t size)
{
	(void)size;
	struct exposure *x = ctx;
	const char *slash = strrchr(path, '/');
	if (type == AUDIT_F_DIR || !slash || slash - path < 6 || strncmp(slash - 6, ".wants", 6) != 0)
		return 0;
	const char *unit = slash + 1;
	if (x->nenabled < MAX_ENABLED && (x->enabled[x->nenabled] = strdup(unit)) != NULL)
		x->nenabled++;
	size_t l = strlen(unit);
	if (l > 7 && strcmp(unit + l - 7, ".socket") == 0 &&
	    x->nsockets < WARD_ARRAY_LEN(x->sockets) && (x->sockets[x->nsockets] = strdup(path)) != NULL)
		x->nsockets++;
	return 0;
}

static int visit_rc(void *ctx, const char *path, audit_ftype type, uint64_t size)
{
	(void)size;
	(void)type;
	struct exposure *x = ctx;
	const char *slash = strrchr(path, '/');
	if (slash && slash[1] == 'S' && isdigit((unsigned char)slash[2]) && isdigit((unsigned char)slash[3]) &&
	    x->nenabled < MAX_ENABLED && (x->enabled[x->nenabled] = strdup(slash + 4)) != NULL)
		x->nenabled++;
	return 0;
}

/* ---- SVC-02 ------------------------------------------------------------- */

/* Ports whose protocols carry logins, commands or data in plain text. */
static const struct plain {
	const char *port, *what;
} PLAIN[] = {
	{ "21", "FTP" },           { "23", "telnet" },         { "69", "TFTP" },
	{ "80", "HTTP" },          { "111", "RPC portmapper" }, { "161", "SNMP" },
	{ "445", "SMB" },          { "502", "Modbus/TCP" },    { "512", "rexec" },
	{ "513", "rlogin" },       { "514", "rsh" },           { "1883", "MQTT" },
	{ "2375", "Docker API" },  { "5555", "adb" },          { "5900", "VNC" },
	{ "6379", "Redis" },       { "8080", "HTTP" },         { "11211", "memcached" },
};

/* inetd service names as ports (the usual /etc/services entries). */
static const struct {
	const char *name, *port;
} INETD_PORTS[] = {
	{ "ftp", "21" }, { "telnet", "23" }, { "tftp", "69" }, { "finger", "79" },
	{ "exec", "512" }, { "login", "513" }, { "shell", "514" }, { "http", "80" },
};

static bool all_addresses(const char *addr)
{
	return !addr[0] || strcmp(addr, "*") == 0 || strcmp(addr, "0.0.0.0") == 0 ||
	       strcmp(addr, "::") == 0 || strcmp(addr, "[::]") == 0;
}

/* Splits "ADDR:PORT", "[V6]:PORT", "PORT" or "ADDR" (port empty). */
static void split_hostport(const char *in, char *addr, size_t an, char *port, size_t pn)
{
	const char *colon = NULL;
	if (in[0] == '[') {
		const char *close = strchr(in, ']');
		colon = close && close[1] == ':' ? close + 1 : NULL;
	} else if (strchr(in, ':') == strrchr(in, ':')) {
		colon = strchr(in, ':'); /* one colon: IPv4 or name with a port */
	}
	bool digits = in[0] && strspn(in, "0123456789") == strlen(in);
	if (digits) {
		snprintf(addr, an, "%s", "");
		snprintf(port, pn, "%s", in);
	} else if (colon) {
		snprintf(addr, an, "%.*s", (int)(colon - in), in);
		snprintf(port, pn, "%s", colon + 1);
	} else {
		snprintf(addr, an, "%s", in);
		snprintf(port, pn, "%s", "");
	}
}

static void listener(struct exposure *x, const char *file, const char *loc, const char *service,
		     const char *addr, const char *port, bool tls)
{
	const char *plain = NULL;
	for (size_t i = 0; !tls && i < WARD_ARRAY_LEN(PLAIN); i++)
		if (strcmp(port, PLAIN[i].port) == 0)
			plain = PLAIN[i].what;
	bool everywhere = all_addresses(addr);
	if (plain && everywhere)
		audit_report(x->a, "SVC-02", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_YES, file, loc,
			     "Bind it to 127.0.0.1 or the one interface that needs it, use the TLS "
			     "variant of the protocol, or remove the service.",
			     "%.64s listens on port %.16s on every address, in plain text (%s)", service, port,
			     plain);
	else
		audit_report(x->a, "SVC-02", AUDIT_INFO, AUDIT_CONFIG, AUDIT_OTA_YES, file, loc,
			     "Check that the product needs this listener.",
			     "%.64s listens on %.64s%s%.16s%s", service, everywhere ? "every address" : addr,
			     port[0] ? " port " : "", port, tls ? " (encrypted)" : "");
}

static int listeners_sshd(struct exposure *x, ward_error *err)
{
	if (!audit_fs_exists(x->fs, "/usr/sbin/sshd"))
		return 0;
	audit_sshd s;
	int rc = audit_sshd_effective(&s, x->fs, err);
	if (rc)
		return rc;
	const char *file = "/etc/ssh/sshd_config";
	char loc[128];
	snprintf(loc, sizeof(loc), "%s", s.where_listen[0] ? s.where_listen : "OpenSSH default");
	char *where = strstr(loc, " line ");
	if (where) {
		*where = '\0';
		file = loc;
	}
	const char *l = where ? where + 1 : loc;
	char buf[sizeof(s.ports)];
	snprintf(buf, sizeof(buf), "%s", s.ports[0] ? s.ports : "22");
	char *save = NULL;
	for (char *p = strtok_r(buf, " \t", &save); p; p = strtok_r(NULL, " \t", &save))
		listener(x, file, l, "sshd", s.listen, p, true);
	return 0;
}

/* ListenStream=/ListenDatagram= of an enabled socket unit. */
static int listeners_sockets(struct exposure *x, ward_error *err)
{
	for (size_t i = 0; i < x->nsockets; i++) {
		WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
		bool found;
		int rc = audit_read_conf(x->fs, x->sockets[i], &b, &found, err);
		if (rc == WARD_ELIMIT || rc == WARD_EINVAL)
			continue; /* a broken link or an odd file: not a listener we can infer */
		if (rc)
			return rc;
		const char *unit = strrchr(x->sockets[i], '/') + 1;
		char line[512], loc[32];
		size_t pos = 0, ln = 0;
		while (found && audit_next_line(&b, &pos, line, sizeof(line), &ln)) {
			const char *v = NULL;
			if (strncmp(line, "ListenStream=", 13) == 0)
				v = line + 13;
			else if (strncmp(line, "ListenDatagram=", 15) == 0)
				v = line + 15;
			if (!v || !*v || *v == '/' || *v == '@' || strncmp(v, "vsock:", 6) == 0)
				continue;
			char addr[128], port[32];
			split_hostport(v, addr, sizeof(addr), port, sizeof(port));
			snprintf(loc, sizeof(loc), "line %zu", ln);
			listener(x, x->sockets[i], loc, unit, addr, port, false);
		}
	}
	return 0;
}

static int listeners_inetd(struct exposure *x, ward_error *err)
{
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
	bool found;
	int rc = audit_read_conf(x->fs, "/etc/inetd.conf", &b, &found, err);
	char line[512], name[64], loc[32];
	size_t pos = 0, ln = 0;
	while (!rc && found && audit_next_line(&b, &pos, line, sizeof(line), &ln)) {
		const char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		size_t l = strcspn(p, " \t");
		snprintf(name, sizeof(name), "%.*s", (int)(l < sizeof(name) - 1 ? l : sizeof(name) - 1), p);
		const char *port = name;
		for (size_t i = 0; i < WARD_ARRAY_LEN(INETD_PORTS); i++)
			if (strcmp(name, INETD_PORTS[i].name) == 0)
				port = INETD_PORTS[i].port;
		snprintf(loc, sizeof(loc), "line %zu", ln);
		listener(x, "/etc/inetd.conf", loc, "inetd", "", port, false);
	}
	return rc;
}

/* Configuration files of servers with their own listen syntax. */
enum syntax { NGINX, LIGHTTPD, MOSQUITTO };

static const struct server {
	const char *dir, *pattern; /* files: dir/pattern (fnmatch), or dir alone */
	const char *service;
	enum syntax syntax;
} SERVERS[] = {
	{ "/etc/nginx/nginx.conf", NULL, "nginx", NGINX },
	{ "/etc/nginx/sites-enabled", "*", "nginx", NGINX },
	{ "/etc/nginx/conf.d", "*.conf", "nginx", NGINX },
	{ "/etc/lighttpd/lighttpd.conf", NULL, "lighttpd", LIGHTTPD },
	{ "/etc/mosquitto/mosquitto.conf", NULL, "mosquitto", MOSQUITTO },
	{ "/etc/mosquitto/conf.d", "*.conf", "mosquitto", MOSQUITTO },
};

static void server_file(struct exposure *x, const struct server *sv, const char *path, const ward_buf *b)
{
	char line[512], loc[32], addr[128] = "", port[32] = "";
	size_t pos = 0, ln = 0;
	bool tls_file = sv->syntax == MOSQUITTO && b->ptr && strstr((const char *)b->ptr, "certfile");
	while (audit_next_line(b, &pos, line, sizeof(line), &ln)) {
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#')
			continue;
		snprintf(loc, sizeof(loc), "line %zu", ln);
		if (sv->syntax == NGINX && strncmp(p, "listen", 6) == 0 && isspace((unsigned char)p[6])) {
			char *arg = p + 7;
			while (isspace((unsigned char)*arg))
				arg++;
			size_t l = strcspn(arg, " \t;");
			bool tls = strstr(arg + l, " ssl") != NULL || strstr(arg + l, "\tssl") != NULL ||
				   strstr(arg + l, " quic") != NULL;
			arg[l] = '\0';
			if (strncmp(arg, "unix:", 5) == 0)
				continue;
			split_hostport(arg, addr, sizeof(addr), port, sizeof(port));
			if (!port[0]) {
				snprintf(port, sizeof(port), "%s", "80"); /* "listen 10.0.0.1;" */
			}
			listener(x, path, loc, sv->service, addr, port, tls);
		} else if (sv->syntax == LIGHTTPD && strncmp(p, "server.port", 11) == 0) {
			const char *eq = strchr(p, '=');
			if (!eq)
				continue;
			eq++;
			while (isspace((unsigned char)*eq))
				eq++;
			snprintf(port, sizeof(port), "%.*s", (int)strspn(eq, "0123456789"), eq);
			listener(x, path, loc, sv->service, "", port, false);
		} else if (sv->syntax == MOSQUITTO &&
			   (strncmp(p, "listener", 8) == 0 || strncmp(p, "port", 4) == 0) &&
			   isspace((unsigned char)p[p[0] == 'l' ? 8 : 4])) {
			char *arg = p + (p[0] == 'l' ? 8 : 4);
			char *save = NULL;
			char *pt = strtok_r(arg, " \t", &save);
			char *ad = strtok_r(NULL, " \t", &save);
			if (!pt)
				continue;
			snprintf(port, sizeof(port), "%s", pt);
			snprintf(addr, sizeof(addr), "%s", ad ? ad : "");
			listener(x, path, loc, sv->service, addr, port, tls_file || strcmp(pt, "8883") == 0);
		}
	}
}

struct server_walk {
	struct exposure *x;
	const struct server *sv;
	ward_error *err;
	int rc;
};

static int visit_server(void *ctx, const char *path, audit_ftype type, uint64_t size)
{
	(void)size;
	struct server_walk *w = ctx;
	const char *base = strrchr(path, '/') + 1;
	if (type == AUDIT_F_DIR || fnmatch(w->sv->pattern, base, 0) != 0)
		return 0;
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
	bool found;
	int rc = audit_read_conf(w->x->fs, path, &b, &found, w->err);
	if (rc == WARD_ELIMIT || rc == WARD_EINVAL)
		return 0;
	if (rc) {
		w->rc = rc;
		return 1;
	}
	if (found)
		server_file(w->x, w->sv, path, &b);
	return 0;
}

static int listeners_servers(struct exposure *x, ward_error *err)
{
	for (size_t i = 0; i < WARD_ARRAY_LEN(SERVERS); i++) {
		const struct server *sv = &SERVERS[i];
		if (sv->pattern) {
			struct server_walk w = { x, sv, err, 0 };
			int rc = audit_fs_walk(x->fs, sv->dir, visit_server, &w, err);
			if (rc || w.rc)
				return rc ? rc : w.rc;
			continue;
		}
		WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
		bool found;
		int rc = audit_read_conf(x->fs, sv->dir, &b, &found, err);
		if (rc)
			return rc;
		if (found)
			server_file(x, sv, sv->dir, &b);
	}
	return 0;
}

/* ---- SVC-04 ------------------------------------------------------------- */

/* Rule files, what in them shows rules that filter, and the units or init
 * scripts that load them at boot. */
static const struct firewall {
	const char *file, *rule_words, *loaders;
} FIREWALLS[] = {
	{ "/etc/nftables.conf", "drop reject", "nftables.service nftables" },
	{ "/etc/iptables/rules.v4", "DROP REJECT", "netfilter-persistent.service iptables-persistent "
						   "netfilter-persistent iptables.service" },
	{ "/etc/iptables/rules.v6", "DROP REJECT", "netfilter-persistent.service ip6tables.service "
						   "netfilter-persistent" },
	{ "/etc/sysconfig/iptables", "DROP REJECT", "iptables.service iptables" },
	{ "/etc/ufw/ufw.conf", "ENABLED=yes", "ufw.service ufw" },
	{ "/etc/config/firewall", "DROP REJECT", "firewall" }, /* OpenWrt fw3/fw4 */
	{ "/etc/firewalld/firewalld.conf", "DefaultZone", "firewalld.service" },
};

static bool has_word(const ward_buf *b, const char *words)
{
	char w[64];
	for (const char *p = words; *p;) {
		size_t l = strcspn(p, " ");
		snprintf(w, sizeof(w), "%.*s", (int)l, p);
		p += l + (p[l] == ' ');
		const char *t = b->ptr ? (const char *)b->ptr : "";
		for (const char *f = strstr(t, w); f; f = strstr(f + 1, w)) {
			/* a word, and not inside a comment line */
			const char *bol = f;
			while (bol > t && bol[-1] != '\n')
				bol--;
			while (*bol == ' ' || *bol == '\t')
				bol++;
			bool word = (f == t || !isalnum((unsigned char)f[-1])) && !isalnum((unsigned char)f[l]);
			if (word && *bol != '#')
				return true;
		}
	}
	return false;
}

static bool loaded_at_boot(const struct exposure *x, const char *loaders)
{
	char w[64];
	for (const char *p = loaders; *p;) {
		size_t l = strcspn(p, " ");
		snprintf(w, sizeof(w), "%.*s", (int)l, p);
		p += l + (p[l] == ' ');
		if (enabled(x, w))
			return true;
	}
	return false;
}

static int check_firewall(struct exposure *x, ward_error *err)
{
	const char *unloaded = NULL;
	for (size_t i = 0; i < WARD_ARRAY_LEN(FIREWALLS); i++) {
		WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
		bool found;
		int rc = audit_read_conf(x->fs, FIREWALLS[i].file, &b, &found, err);
		if (rc == WARD_ELIMIT)
			continue;
		if (rc)
			return rc;
		if (!found || !has_word(&b, FIREWALLS[i].rule_words))
			continue;
		if (loaded_at_boot(x, FIREWALLS[i].loaders))
			return 0;
		unloaded = unloaded ? unloaded : FIREWALLS[i].file;
	}
	if (unloaded)
		audit_report(x->a, "SVC-04", AUDIT_LOW, AUDIT_CONFIG, AUDIT_OTA_YES, unloaded, NULL,
			     "Enable the unit that loads the rules at boot (e.g. systemctl enable nftables).",
			     "firewall rules are shipped but nothing loads them at boot");
	else
		audit_report(x->a, "SVC-04", AUDIT_LOW, AUDIT_CONFIG, AUDIT_OTA_YES, "/etc", NULL,
			     "Ship a default-deny input policy (/etc/nftables.conf with policy drop, and "
			     "nftables.service enabled) that opens only the ports the product serves.",
			     "no firewall rules shipped (nftables, iptables, ufw, firewalld, OpenWrt): every "
			     "listener is reachable from any network the device joins");
	return 0;
}

/* ---- SEC-04 ------------------------------------------------------------- */

/* Files that show a secure-storage backend, by basename (fnmatch). */
static const struct backend {
	const char *pattern, *what;
} BACKENDS[] = {
	{ "tee-supplicant", "OP-TEE (tee-supplicant)" },
	{ "libteec.so*", "OP-TEE client library" },
	{ "libckteec.so*", "OP-TEE PKCS#11" },
	{ "libtss2-esys.so*", "TPM 2.0 (tpm2-tss)" },
	{ "libtss2-tcti-device.so*", "TPM 2.0 (tpm2-tss)" },
	{ "tpm2-abrmd", "TPM 2.0 (tpm2-abrmd)" },
	{ "libtpm2_pkcs11.so*", "TPM 2.0 PKCS#11" },
	{ "libcryptoauth.so*", "secure element (Microchip CryptoAuthLib)" },
	{ "libsss_engine.so*", "secure element (NXP SE05x)" },
	{ "libse05x*.so*", "secure element (NXP SE05x)" },
	{ "libsss_pkcs11*", "secure element (NXP SE05x PKCS#11)" },
	{ "libpkcs11-se05x*", "secure element (NXP SE05x PKCS#11)" },
};

/* Files of update clients and device agents: a device that holds
 * credentials worth protecting. */
static const char *const UPDATE_CLIENTS[] = {
	"aktualizr", "aktualizr-lite", "mender", "mender-update", "swupdate", "rauc", "hawkbit-updater",
};

static int visit_storage(void *ctx, const char *path, audit_ftype type, uint64_t size)
{
	(void)size;
	struct exposure *x = ctx;
	if (type == AUDIT_F_DIR)
		return 0;
	const char *base = strrchr(path, '/') + 1;
	for (size_t i = 0; !x->backend && i < WARD_ARRAY_LEN(BACKENDS); i++)
		if (fnmatch(BACKENDS[i].pattern, base, 0) == 0) {
			x->backend = BACKENDS[i].what;
			snprintf(x->backend_file, sizeof(x->backend_file), "%s", path);
		}
	for (size_t i = 0; i < WARD_ARRAY_LEN(UPDATE_CLIENTS); i++)
		if (strcmp(base, UPDATE_CLIENTS[i]) == 0 && !x->update_client[0])
			snprintf(x->update_client, sizeof(x->update_client), "%s", path);
	return 0;
}

static int check_secure_storage(struct exposure *x, ward_error *err)
{
	static const char *const dirs[] = { "/usr/lib", "/usr/sbin", "/usr/bin", "/lib", "/sbin", "/bin",
					    "/usr/local" };
	for (size_t i = 0; i < WARD_ARRAY_LEN(dirs) && !x->backend; i++) {
		/* merged /usr: /lib, /sbin, /bin are links to /usr's */
		audit_ftype t;
		uint64_t sz;
		if (audit_fs_lstat(x->fs, dirs[i], &t, &sz) != 0 || t != AUDIT_F_DIR)
			continue;
		int rc = audit_fs_walk(x->fs, dirs[i], visit_storage, x, err);
		if (rc)
			return rc;
	}
	if (x->backend)
		return 0;
	static const char *const client_dirs[] = { "/var/sota", "/etc/mender", "/etc/swupdate.cfg", "/etc/rauc" };
	for (size_t i = 0; i < WARD_ARRAY_LEN(client_dirs) && !x->update_client[0]; i++)
		if (audit_fs_exists(x->fs, client_dirs[i]))
			snprintf(x->update_client, sizeof(x->update_client), "%s", client_dirs[i]);
	bool client = x->update_client[0] != '\0';
	/* the file: the update client whose credentials are exposed, else
	 * where a backend's libraries would be */
	audit_report(x->a, "SEC-04", client ? AUDIT_MEDIUM : AUDIT_INFO, AUDIT_BASIC,
		     AUDIT_OTA_BOOT, client ? x->update_client : "/usr/lib", NULL,
		     "Keep device keys and tokens in OP-TEE secure storage (RPMB), a TPM or a secure "
		     "element, reached through PKCS#11; ship its client (tee-supplicant, tpm2-tss, "
		     "the vendor's PKCS#11 module).",
		     "no secure-storage backend in the image (no OP-TEE client, TPM stack or hardware "
		     "PKCS#11 module)%s",
		     client ? ": the update client's credentials can only live in files" : "");
	return 0;
}

int audit_check_exposure(audit_ctx *a, audit_fs *fs, ward_error *err)
{
	struct exposure *x = calloc(1, sizeof(*x));
	if (!x)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	x->a = a;
	x->fs = fs;
	int rc = audit_walk_enabled(fs, visit_wants, visit_rc, x, err);
	rc = rc ? rc : listeners_sshd(x, err);
	rc = rc ? rc : listeners_sockets(x, err);
	rc = rc ? rc : listeners_inetd(x, err);
	rc = rc ? rc : listeners_servers(x, err);
	rc = rc ? rc : check_firewall(x, err);
	rc = rc ? rc : check_secure_storage(x, err);
	exposure_free(x);
	free(x);
	return rc;
}
