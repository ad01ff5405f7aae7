/*
 * env.c - U-Boot environments: binary images as mkenvimage writes them
 * (single: CRC32 + data; redundant: CRC32 + flag byte + data; the CRC covers
 * the whole data area) and text environments (uEnv.txt, mkenvimage input).
 * ENV-03 (boot from removable media, console delay), ENV-04 (parse sanity),
 * RB-01 (LmP rollback_protection), HW-05 (bootargs).
 */
#include <stdlib.h>
#include <string.h>

#include "audit/boot/boot_int.h"
#include "util/bytes.h"

/* Variables kept per environment; a real one has a few hundred. */
#define BOOT_ENV_MAX_VARS 4096
/* Largest environment image read (U-Boot's are 8 KiB to 1 MiB). */
#define BOOT_ENV_MAX_SIZE (16u * 1024 * 1024)

typedef struct env_var {
	const char *name, *val;
	size_t nlen, vlen;
} env_var;

typedef struct env {
	env_var *v;
	size_t n;
} env;

static void ward_auto_env_dispose(env *e)
{
	free(e->v);
}

static uint32_t crc32_le(const uint8_t *p, size_t n)
{
	uint32_t table[256];
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++)
		c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static int env_add(env *e, const char *line, size_t l)
{
	const char *eq = memchr(line, '=', l);
	if (!eq || eq == line)
		return 0;
	if (e->n >= BOOT_ENV_MAX_VARS)
		return WARD_ELIMIT;
	if (!e->v) {
		e->v = calloc(BOOT_ENV_MAX_VARS, sizeof(*e->v));
		if (!e->v)
			return WARD_ENOMEM;
	}
	e->v[e->n++] = (env_var){line, eq + 1, (size_t)(eq - line), l - (size_t)(eq - line) - 1};
	return 0;
}

static const env_var *env_get(const env *e, const char *name)
{
	size_t l = strlen(name);
	for (size_t i = e->n; i-- > 0;) /* the last definition wins */
		if (e->v[i].nlen == l && memcmp(e->v[i].name, name, l) == 0)
			return &e->v[i];
	return NULL;
}

static bool has(const env_var *v, const char *needle)
{
	return v && memmem(v->val, v->vlen, needle, strlen(needle)) != NULL;
}

/* Kernel command-line options that open a console or a debugger, and how
 * bad each is (HW-05). */
static const struct {
	const char *opt;
	audit_severity sev;
} cmdline_bad[] = {
	{"init=/bin/sh", AUDIT_HIGH}, {"kgdboc", AUDIT_HIGH},  {"rd.break", AUDIT_HIGH},
	{"console=", AUDIT_MEDIUM},   {"earlycon", AUDIT_MEDIUM}, {"loglevel=8", AUDIT_MEDIUM},
	{" single", AUDIT_MEDIUM},
};

void boot_cmdline_check(audit_ctx *a, const char *file, const char *loc, const char *s,
			size_t n)
{
	char found[160];
	size_t used = 0;
	audit_severity sev = AUDIT_INFO;
	found[0] = '\0';
	for (size_t i = 0; i < WARD_ARRAY_LEN(cmdline_bad); i++) {
		if (!memmem(s, n, cmdline_bad[i].opt, strlen(cmdline_bad[i].opt)))
			continue;
		if (cmdline_bad[i].sev > sev)
			sev = cmdline_bad[i].sev;
		const char *o = cmdline_bad[i].opt[0] == ' ' ? cmdline_bad[i].opt + 1
							       : cmdline_bad[i].opt;
		int r = snprintf(found + used, sizeof(found) - used, "%s%s", used ? ", " : "", o);
		if (r < 0 || (size_t)r >= sizeof(found) - used)
			break;
		used += (size_t)r;
	}
	if (used)
		audit_report(a, "HW-05", sev, AUDIT_CONFIG, AUDIT_OTA_BOOT, file, loc,
			     "Remove console and debug options from the production kernel "
			     "command line.",
			     "kernel command line opens a console or debugger: %s", found);
}

static void env_checks(audit_ctx *a, const char *file, const env *e)
{
	const env_var *v = env_get(e, "bootdelay");
	if (v && v->vlen > 0 && v->vlen < 12) {
		char tmp[16];
		memcpy(tmp, v->val, v->vlen);
		tmp[v->vlen] = '\0';
		long d = strtol(tmp, NULL, 10);
		if (d > 0)
			audit_report(a, "ENV-03", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_BOOT, file,
				     "bootdelay",
				     "Set bootdelay=-2 (or 0 with a keyed autoboot).",
				     "bootdelay=%ld lets anyone on the console stop the boot", d);
	}
	v = env_get(e, "preboot");
	if (has(v, "usb start") || has(v, "dhcp") || has(v, "tftp") || has(v, "pxe"))
		audit_report(a, "ENV-03", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_BOOT, file, "preboot",
			     "Do not start USB or the network before boot.",
			     "preboot starts USB or the network before the boot command");
	v = env_get(e, "bootcmd");
	const env_var *targets = env_get(e, "boot_targets");
	bool distro = has(v, "distro_bootcmd") || has(v, "bootflow");
	bool removable = has(v, "usb") || has(v, "dhcp") || has(v, "pxe") || has(v, "tftp");
	if (distro && (!targets || has(targets, "usb") || has(targets, "pxe") ||
		       has(targets, "dhcp")))
		removable = true;
	if (removable)
		audit_report(a, "ENV-03", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_BOOT, file, "bootcmd",
			     "Boot only from the product's own storage, with a fixed, signed boot "
			     "script or FIT.",
			     "bootcmd can boot from removable media or the network%s",
			     distro ? " (distro boot)" : "");

	v = env_get(e, "rollback_protection");
	if ((v || env_get(e, "bootfirmware_version")) && !(v && v->vlen == 1 && v->val[0] == '1'))
		audit_report(a, "RB-01", AUDIT_HIGH, AUDIT_PROCESS, AUDIT_OTA_BOOT, file,
			     "rollback_protection",
			     "Set rollback_protection=1 so older boot firmware is refused.",
			     "boot firmware rollback protection is off (rollback_protection %s)",
			     v ? "is not 1" : "unset");

	v = env_get(e, "bootargs");
	if (v)
		boot_cmdline_check(a, file, "bootargs", v->val, v->vlen);
}

/* NUL-separated var=value pairs until a double NUL (or the end). */
static int env_parse_bin(env *e, const uint8_t *d, size_t n)
{
	size_t pos = 0;
	while (pos < n && d[pos] != '\0') {
		const uint8_t *z = memchr(d + pos, '\0', n - pos);
		size_t l = z ? (size_t)(z - (d + pos)) : n - pos;
		int rc = env_add(e, (const char *)d + pos, l);
		if (rc)
			return rc;
		pos += l + 1;
	}
	return 0;
}

int boot_env_image(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		   ward_error *err)
{
	if (len < 8)
		return ward_err(err, WARD_EINVAL, "%s: environment image of %zu bytes", file, len);
	if (len > BOOT_ENV_MAX_SIZE)
		return ward_err(err, WARD_ELIMIT, "%s: environment image of %zu bytes", file, len);
	uint32_t stored = bytes_le32(data);
	size_t hdr;
	if (crc32_le(data + 4, len - 4) == stored) {
		hdr = 4;
	} else if (crc32_le(data + 5, len - 5) == stored) {
		hdr = 5;
		if (data[4] == 0)
			audit_report(a, "ENV-04", AUDIT_INFO, AUDIT_CONFIG, AUDIT_OTA_NA, file,
				     "offset 4", "Check which copy U-Boot will use.",
				     "redundant environment copy marked obsolete (flag 0)");
	} else {
		/* guess the layout: a flag byte is 0, 1 or a small counter */
		hdr = data[4] < 0x20 && data[5] >= 0x20 ? 5 : 4;
		audit_report(a, "ENV-04", AUDIT_INFO, AUDIT_CONFIG, AUDIT_OTA_NA, file, "offset 0",
			     "Rewrite the environment; U-Boot ignores a copy whose CRC fails and "
			     "uses its built-in default.",
			     "environment CRC32 mismatch (stored %08x): corrupt or tampered", stored);
	}
	WARD_AUTO(env_dispose) env e = {0};
	int rc = env_parse_bin(&e, data + hdr, len - hdr);
	if (rc)
		return ward_err(err, rc, "%s: environment: %s", file,
				rc == WARD_ELIMIT ? "too many variables" : "out of memory");
	env_checks(a, file, &e);
	return 0;
}

int boot_env_text(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		  ward_error *err)
{
	if (len > BOOT_ENV_MAX_SIZE)
		return ward_err(err, WARD_ELIMIT, "%s: environment of %zu bytes", file, len);
	WARD_AUTO(env_dispose) env e = {0};
	const char *p = (const char *)data, *end = p + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t l = (size_t)(eol - p);
		if (l && p[l - 1] == '\r')
			l--;
		if (l && p[0] != '#') {
			int rc = env_add(&e, p, l);
			if (rc)
				return ward_err(err, rc, "%s: environment: %s", file,
						rc == WARD_ELIMIT ? "too many variables"
								  : "out of memory");
		}
		p = eol + 1;
	}
	env_checks(a, file, &e);
	return 0;
}

static bool env_char(uint8_t c)
{
	return c >= 0x20 && c < 0x7f;
}

int boot_env_default(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		     ward_error *err)
{
	/* U-Boot's built-in default environment: "var=value\0...\0\0" somewhere
	 * in the binary, found by its bootcmd and walked back to its start. */
	static const char key[] = "\0bootcmd=";
	const uint8_t *hit = memmem(data, len, key, sizeof(key) - 1);
	if (!hit)
		return 0;
	size_t start = (size_t)(hit - data) + 1;
	while (start >= 2 && (env_char(data[start - 1]) ||
			      (data[start - 1] == '\0' && env_char(data[start - 2]))))
		start--;
	while (start < len && !env_char(data[start]))
		start++;
	size_t end = start;
	while (end < len && (env_char(data[end]) || (data[end] == '\0' && end + 1 < len &&
						      env_char(data[end + 1]))))
		end++;
	if (end - start > BOOT_ENV_MAX_SIZE)
		return 0;
	WARD_AUTO(env_dispose) env e = {0};
	int rc = env_parse_bin(&e, data + start, end - start);
	if (rc)
		return ward_err(err, rc, "%s: default environment: %s", file,
				rc == WARD_ELIMIT ? "too many variables" : "out of memory");
	char where[300];
	int r = snprintf(where, sizeof(where), "%s (default environment)", file);
	if (r < 0 || (size_t)r >= sizeof(where))
		return ward_err(err, WARD_EINVAL, "file name too long");
	env_checks(a, where, &e);
	return 0;
}
