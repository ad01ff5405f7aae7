/*
 * sshd.c - OpenSSH's effective global server settings in an image, as
 * sshd itself derives them: its compiled-in defaults, then sshd_config
 * with `Include` files expanded in place (sorted, as glob(3) returns them),
 * the first value obtained for a keyword winning.  Lines after `Match` are
 * conditional and do not set global values; a Match block ends at the next
 * `Match all`, or at the end of the file it began in (sshd restores the
 * including file's state after an Include).
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "audit/core/core.h"

/* OpenSSH's own bound on nested Include. */
#define SSHD_INCLUDE_DEPTH 16
#define SSHD_INCLUDE_FILES 256
/* Files read for one sshd_config, each Include counted every time it is
 * read: the depth bound alone lets a few lines of "Include a a a ..." fan
 * out to 20^16 reads (found reviewing sshd.c).  A real configuration
 * reads a handful. */
#define SSHD_FILES_READ 256

struct names {
	char *v[SSHD_INCLUDE_FILES];
	size_t n;
	const char *dir, *pattern;
};

static int collect(void *ctx, const char *path, audit_ftype type, uint64_t size)
{
	(void)size;
	struct names *n = ctx;
	const char *slash = strrchr(path, '/');
	size_t dl = (size_t)(slash - path);
	if (type == AUDIT_F_DIR || n->n >= SSHD_INCLUDE_FILES)
		return 0;
	/* the image root's files are "/NAME": their directory part is empty */
	size_t want = strcmp(n->dir, "/") == 0 ? 0 : strlen(n->dir);
	if (dl != want || strncmp(path, n->dir, dl) != 0)
		return 0; /* deeper than the pattern's directory */
	if (fnmatch(n->pattern, slash + 1, FNM_PERIOD) != 0)
		return 0;
	char *s = strdup(path);
	if (s)
		n->v[n->n++] = s;
	return 0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void set(char *dst, size_t dl, char *where, size_t wl, const char *val, const char *file, size_t line)
{
	if (dst[0])
		return; /* first obtained value wins */
	snprintf(dst, dl, "%s", val);
	int r = line ? snprintf(where, wl, "%s line %zu", file, line) : snprintf(where, wl, "%s", file);
	if (r < 0 || (size_t)r >= wl)
		snprintf(where, wl, "%s", "(long path)");
}

static int parse_file(audit_sshd *s, audit_fs *fs, const char *path, unsigned depth, bool in_match,
		      size_t *files, ward_error *err);

static int include(audit_sshd *s, audit_fs *fs, const char *arg, unsigned depth, bool in_match, size_t *files,
		   ward_error *err)
{
	char full[AUDIT_LIMIT_PATH];
	int r = snprintf(full, sizeof(full), "%s%s", arg[0] == '/' ? "" : "/etc/ssh/", arg);
	if (r < 0 || (size_t)r >= sizeof(full))
		return 0;
	if (!strpbrk(full, "*?["))
		return parse_file(s, fs, full, depth + 1, in_match, files, err);
	char *slash = strrchr(full, '/');
	*slash = '\0';
	if (strpbrk(full, "*?["))
		return 0; /* wildcards in directories: not used by any distribution */
	struct names n = { .dir = full[0] ? full : "/", .pattern = slash + 1 };
	int rc = audit_fs_walk(fs, n.dir, collect, &n, err);
	qsort(n.v, n.n, sizeof(n.v[0]), cmp_str);
	for (size_t i = 0; i < n.n; i++) {
		if (!rc)
			rc = parse_file(s, fs, n.v[i], depth + 1, in_match, files, err);
		free(n.v[i]);
	}
	return rc;
}

static int parse_file(audit_sshd *s, audit_fs *fs, const char *path, unsigned depth, bool in_match,
		      size_t *files, ward_error *err)
{
	if (depth > SSHD_INCLUDE_DEPTH)
		return ward_err(err, WARD_ELIMIT, "%s: Include nested more than %d deep", path, SSHD_INCLUDE_DEPTH);
	if (++*files > SSHD_FILES_READ)
		return ward_err(err, WARD_ELIMIT, "%s: sshd_config includes more than %d files", path,
				SSHD_FILES_READ);
	ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
	int rc = audit_fs_read(fs, path, AUDIT_LIMIT_CONFIG_BYTES, &b, err);
	if (rc) {
		buf_dispose(&b);
		return rc == WARD_ENOTFOUND ? 0 : rc;
	}
	size_t lineno = 0;
	for (size_t p = 0; !rc && p < b.len;) {
		size_t e = p;
		while (e < b.len && b.ptr[e] != '\n')
			e++;
		lineno++;
		char line[1024];
		size_t l = e - p < sizeof(line) - 1 ? e - p : sizeof(line) - 1;
		memcpy(line, b.ptr + p, l);
		line[l] = '\0';
		p = e + 1;
		char *kw = line;
		while (isspace((unsigned char)*kw))
			kw++;
		if (!*kw || *kw == '#')
			continue;
		char *arg = kw;
		while (*arg && !isspace((unsigned char)*arg) && *arg != '=')
			arg++;
		if (*arg)
			*arg++ = '\0';
		while (isspace((unsigned char)*arg) || *arg == '=')
			arg++;
		char *end = arg + strlen(arg);
		while (end > arg && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (strcasecmp(kw, "Match") == 0) {
			in_match = strcasecmp(arg, "all") != 0;
			continue;
		}
		if (strcasecmp(kw, "Include") == 0) {
			/* several space-separated patterns */
			char *save = NULL;
			for (char *tok = strtok_r(arg, " \t", &save); tok && !rc; tok = strtok_r(NULL, " \t", &save))
				rc = include(s, fs, tok, depth, in_match, files, err);
			continue;
		}
		if (in_match)
			continue;
		if (strcasecmp(kw, "Port") == 0 || strcasecmp(kw, "ListenAddress") == 0) {
			bool port = strcasecmp(kw, "Port") == 0;
			char *dst = port ? s->ports : s->listen;
			size_t cap = port ? sizeof(s->ports) : sizeof(s->listen), used = strlen(dst);
			if (used + strlen(arg) + 2 <= cap)
				snprintf(dst + used, cap - used, "%s%s", used ? " " : "", arg);
			if (!s->where_listen[0])
				snprintf(s->where_listen, sizeof(s->where_listen), "%s line %zu", path, lineno);
			continue;
		}
		char val[32];
		snprintf(val, sizeof(val), "%s", arg);
		for (char *c = val; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (strcasecmp(kw, "PermitRootLogin") == 0)
			set(s->permit_root_login, sizeof(s->permit_root_login), s->where_root, sizeof(s->where_root),
			    val, path, lineno);
		else if (strcasecmp(kw, "PasswordAuthentication") == 0)
			set(s->password_authentication, sizeof(s->password_authentication), s->where_pass,
			    sizeof(s->where_pass), val, path, lineno);
		else if (strcasecmp(kw, "PermitEmptyPasswords") == 0)
			set(s->permit_empty_passwords, sizeof(s->permit_empty_passwords), s->where_empty,
			    sizeof(s->where_empty), val, path, lineno);
	}
	buf_dispose(&b);
	return rc;
}

int audit_sshd_effective(audit_sshd *out, audit_fs *fs, ward_error *err)
{
	audit_sshd s = { 0 };
	size_t files = 0;
	int rc = parse_file(&s, fs, "/etc/ssh/sshd_config", 0, false, &files, err);
	if (rc)
		return rc;
	/* OpenSSH's compiled-in defaults (servconf.c fill_default_server_options) */
	set(s.permit_root_login, sizeof(s.permit_root_login), s.where_root, sizeof(s.where_root),
	    "prohibit-password", "OpenSSH default", 0);
	set(s.password_authentication, sizeof(s.password_authentication), s.where_pass, sizeof(s.where_pass),
	    "yes", "OpenSSH default", 0);
	set(s.permit_empty_passwords, sizeof(s.permit_empty_passwords), s.where_empty, sizeof(s.where_empty),
	    "no", "OpenSSH default", 0);
	*out = s;
	return 0;
}
