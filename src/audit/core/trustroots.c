/*
 * trustroots.c - KEY-07: the keys an update client trusts to sign updates,
 * read from the client's own configuration, checked against the denylist
 * of published demo and development keys.  A device whose RAUC keyring,
 * SWUpdate public key or Mender artifact key is a published one installs
 * updates anyone can sign.
 *
 * KEY-06 likewise: a kernel module-signing certificate shipped in the image
 * (x509_modsign.crt, signing_key.x509) that is a published key lets anyone
 * build modules the kernel loads.
 *
 * The key detector (src/audit/boot/keys.c) does the matching; this module
 * only knows where each client keeps its trust roots.  The same file is
 * also seen by the image-wide key scan as KEY-01; the more specific KEY-07
 * replaces that finding (one finding per mistake).
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "audit/boot/boot.h"
#include "audit/core/core.h"

/* Trust-root files of one image: few (a keyring, a key or two). */
enum { MAX_ROOTS = 16 };

struct roots {
	char path[MAX_ROOTS][AUDIT_LIMIT_PATH];
	char via[MAX_ROOTS][96]; /* "RAUC /etc/rauc/system.conf [keyring] path" */
	size_t n;
};

static void add_root(struct roots *r, const char *path, size_t len, const char *base_dir, const char *via)
{
	if (r->n == MAX_ROOTS || len == 0)
		return;
	int w = path[0] == '/' ? snprintf(r->path[r->n], sizeof(r->path[0]), "%.*s", (int)len, path)
			       : snprintf(r->path[r->n], sizeof(r->path[0]), "%s/%.*s", base_dir, (int)len, path);
	if (w < 0 || (size_t)w >= sizeof(r->path[0]))
		return;
	snprintf(r->via[r->n], sizeof(r->via[0]), "%s", via);
	r->n++;
}

/* RAUC: [keyring] path= (relative to /etc/rauc). */
static void rauc(struct roots *r, const ward_buf *b)
{
	char line[AUDIT_LIMIT_PATH + 64];
	size_t pos = 0, ln = 0;
	bool keyring = false;
	while (audit_next_line(b, &pos, line, sizeof(line), &ln)) {
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '[') {
			keyring = strncmp(p, "[keyring]", 9) == 0;
			continue;
		}
		if (!keyring || strncmp(p, "path", 4) != 0)
			continue;
		p += 4;
		while (isspace((unsigned char)*p))
			p++;
		if (*p++ != '=')
			continue;
		while (isspace((unsigned char)*p))
			p++;
		size_t l = strlen(p);
		while (l && isspace((unsigned char)p[l - 1]))
			l--;
		add_root(r, p, l, "/etc/rauc", "RAUC /etc/rauc/system.conf [keyring] path");
	}
}

/* SWUpdate: public-key-file = "..." in swupdate.cfg (libconfig), or -k in
 * its argument file. */
static void swupdate(struct roots *r, const ward_buf *b, bool args)
{
	const char *t = b->ptr ? (const char *)b->ptr : "";
	const char *key = args ? "-k " : "public-key-file";
	for (const char *f = strstr(t, key); f; f = strstr(f + 1, key)) {
		const char *p = f + strlen(key);
		while (*p == ' ' || *p == '\t' || *p == '=' || *p == ':')
			p++;
		bool quoted = *p == '"';
		p += quoted;
		size_t l = strcspn(p, quoted ? "\"\n" : " \t\"'\n");
		add_root(r, p, l, "/etc", args ? "SWUpdate -k" : "SWUpdate /etc/swupdate.cfg public-key-file");
	}
}

/* Mender: ArtifactVerifyKey / ArtifactVerifyKeys in mender.conf (JSON). */
static void mender(struct roots *r, const ward_buf *b)
{
	json_error_t je;
	json_t *doc = b->ptr ? json_loadb((const char *)b->ptr, b->len, JSON_REJECT_DUPLICATES, &je) : NULL;
	const char *one = json_string_value(json_object_get(doc, "ArtifactVerifyKey"));
	if (one)
		add_root(r, one, strlen(one), "/etc/mender", "Mender mender.conf ArtifactVerifyKey");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(doc, "ArtifactVerifyKeys"), i, v) if (json_is_string(v))
		add_root(r, json_string_value(v), strlen(json_string_value(v)), "/etc/mender",
			 "Mender mender.conf ArtifactVerifyKeys");
	json_decref(doc);
}

/* The image-wide scan's KEY-01 on a file KEY-07 reported. */
static bool key01_on(const audit_finding *f, const void *file)
{
	return strcmp(f->id, "KEY-01") == 0 && strcmp(f->file, file) == 0;
}

/* KEY-06: the scan's KEY-01 on a module-signing certificate says more as
 * what it is. */
static int relabel_modsign(audit_ctx *a, ward_error *err)
{
	static const char *const names[] = { "x509_modsign.crt", "signing_key.x509", "signing_key.pem",
					     "*modsign*.crt", "*modsign*.pem", "*modsign*.der" };
	for (size_t i = 0; i < a->n; i++) {
		audit_finding *f = &a->f[i];
		const char *base = strrchr(f->file, '/');
		base = base ? base + 1 : f->file;
		bool modsign = false;
		for (size_t k = 0; k < WARD_ARRAY_LEN(names) && !modsign; k++)
			modsign = fnmatch(names[k], base, 0) == 0;
		if (strcmp(f->id, "KEY-01") != 0 || !modsign)
			continue;
		char *id = strdup("KEY-06");
		char *remedy = strdup("Build the kernel with your own module-signing key "
				      "(CONFIG_MODULE_SIG_KEY), kept offline, and ship its certificate.");
		size_t el = strlen(f->evidence) + 96;
		char *ev = malloc(el);
		if (!id || !remedy || !ev) {
			free(id);
			free(remedy);
			free(ev);
			return ward_err(err, WARD_ENOMEM, "out of memory");
		}
		snprintf(ev, el, "the kernel's module-signing certificate is a published key: anyone can "
				 "sign modules it loads (%s)", f->evidence);
		free(f->id);
		free(f->remedy);
		free(f->evidence);
		f->id = id;
		f->remedy = remedy;
		f->evidence = ev;
		f->sev = AUDIT_HIGH;
		f->ota = AUDIT_OTA_YES;
	}
	return 0;
}

int audit_check_trust_roots(audit_ctx *a, audit_fs *fs, ward_error *err)
{
	static const struct {
		const char *file;
		int kind; /* 0 RAUC, 1 swupdate.cfg, 2 SWUpdate arguments, 3 Mender */
	} configs[] = {
		{ "/etc/rauc/system.conf", 0 },	       { "/etc/swupdate.cfg", 1 },
		{ "/etc/default/swupdate", 2 },	       { "/usr/lib/swupdate/conf.d/10-args", 2 },
		{ "/etc/mender/mender.conf", 3 },      { "/var/lib/mender/mender.conf", 3 },
	};
	struct roots *r = calloc(1, sizeof(*r));
	if (!r)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; !rc && i < WARD_ARRAY_LEN(configs); i++) {
		WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
		bool found;
		rc = audit_read_conf(fs, configs[i].file, &b, &found, err);
		if (rc || !found || buf_putc(&b, '\0') != 0)
			continue;
		b.len--; /* NUL-terminated for the text searches */
		switch (configs[i].kind) {
		case 0: rauc(r, &b); break;
		case 1: swupdate(r, &b, false); break;
		case 2: swupdate(r, &b, true); break;
		default: mender(r, &b); break;
		}
	}
	for (size_t i = 0; !rc && i < r->n; i++) {
		WARD_AUTO(buf_dispose) ward_buf key = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
		int frc = audit_fs_read(fs, r->path[i], AUDIT_LIMIT_CONFIG_BYTES, &key, NULL);
		if (frc)
			continue; /* missing or unreadable: the client refuses every update */
		audit_ctx *probe = NULL;
		rc = audit_ctx_new(&probe, err);
		if (rc)
			break;
		probe->deny = a->deny; /* the team's own keys count too */
		ward_error perr = { 0 };
		if (audit_keys_scan(probe, r->path[i], key.ptr, key.len, false, &perr) == 0) {
			bool hit = false;
			for (size_t j = 0; j < probe->n; j++) {
				if (strcmp(probe->f[j].id, "KEY-01") != 0)
					continue;
				hit = true;
				audit_report(a, "KEY-07", AUDIT_CRITICAL, AUDIT_PROCESS, AUDIT_OTA_YES, r->path[i],
					     r->via[i],
					     "Generate your own update-signing key, keep it offline (HSM), ship "
					     "its certificate as the trust root, and re-sign your updates.",
					     "the update client trusts a published key: anyone can sign updates "
					     "these devices install (%s)",
					     probe->f[j].evidence);
			}
			if (hit)
				audit_ctx_drop(a, key01_on, r->path[i]);
		}
		audit_ctx_free(probe);
	}
	free(r);
	return rc ? rc : relabel_modsign(a, err);
}
