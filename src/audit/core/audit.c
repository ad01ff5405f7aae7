/*
 * audit.c - the audit context: findings, waivers, and the three renderings
 * of the report (human, JSON, SARIF 2.1.0).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "audit/boot/boot.h"
#include "audit/core/core.h"

static const char *const SEV_NAMES[] = { "info", "low", "medium", "high", "critical" };

const char *audit_severity_name(audit_severity s)
{
	return (unsigned)s < WARD_ARRAY_LEN(SEV_NAMES) ? SEV_NAMES[s] : "?";
}

int audit_severity_parse(const char *s)
{
	for (size_t i = 0; i < WARD_ARRAY_LEN(SEV_NAMES); i++)
		if (strcasecmp(s, SEV_NAMES[i]) == 0)
			return (int)i;
	return -1;
}

static const char *class_name(audit_class c)
{
	switch (c) {
	case AUDIT_BASIC: return "basic security functions missing";
	case AUDIT_PROCESS: return "operational process";
	case AUDIT_CONFIG: return "configuration";
	}
	return "?";
}

static const char *class_key(audit_class c)
{
	switch (c) {
	case AUDIT_BASIC: return "basic";
	case AUDIT_PROCESS: return "process";
	case AUDIT_CONFIG: return "config";
	}
	return "?";
}

/* The OTA column: explicit about what an update can and cannot fix. */
static const char *ota_text(audit_ota o)
{
	switch (o) {
	case AUDIT_OTA_YES: return "yes: a rootfs/app update fixes it";
	case AUDIT_OTA_BOOT: return "only if the boot firmware is updatable over the air";
	case AUDIT_OTA_NO: return "no: fuse/ROM level, needs factory rework";
	case AUDIT_OTA_NA: return "not applicable";
	}
	return "?";
}

static const char *ota_key(audit_ota o)
{
	switch (o) {
	case AUDIT_OTA_YES: return "yes";
	case AUDIT_OTA_BOOT: return "boot";
	case AUDIT_OTA_NO: return "no";
	case AUDIT_OTA_NA: return "n/a";
	}
	return "?";
}

int audit_ctx_new(audit_ctx **out, ward_error *err)
{
	audit_ctx *a = calloc(1, sizeof(*a));
	if (!a)
		return ward_err(err, WARD_ENOMEM, "audit: out of memory");
	a->now = (long long)time(NULL);
	*out = a;
	return 0;
}

static void finding_dispose(audit_finding *f)
{
	free(f->id);
	free(f->file);
	free(f->location);
	free(f->remedy);
	free(f->evidence);
}

void audit_ctx_drop(audit_ctx *a, bool (*drop)(const audit_finding *f, const void *arg), const void *arg)
{
	size_t k = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (drop(&a->f[i], arg))
			finding_dispose(&a->f[i]);
		else
			a->f[k++] = a->f[i];
	}
	a->n = k;
}

void audit_ctx_free(audit_ctx *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		finding_dispose(&a->f[i]);
	free(a->f);
	for (size_t i = 0; i < a->nw; i++) {
		free(a->w[i].id);
		free(a->w[i].path);
		free(a->w[i].reason);
		free(a->w[i].expires);
	}
	free(a->w);
	audit_boot_state_free(a->boot);
	free(a);
}

audit_boot_state **audit_ctx_boot_state(audit_ctx *a)
{
	return a ? &a->boot : NULL;
}

const audit_denyset *audit_ctx_denyset(const audit_ctx *a)
{
	return a ? a->deny : NULL;
}

void audit_progress(audit_ctx *a, const char *what)
{
	if (a->progress)
		a->progress(a->progress_ctx, what);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void audit_report(audit_ctx *a, const char *id, audit_severity sev, audit_class cls,
		  audit_ota ota, const char *file, const char *location, const char *remedy,
		  const char *evidence_fmt, ...)
{
	if (a->n >= AUDIT_LIMIT_FINDINGS) {
		a->truncated = true;
		return;
	}
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 32;
		audit_finding *nf = realloc(a->f, ncap * sizeof(*nf));
		if (!nf) {
			a->failed_alloc = true;
			return;
		}
		a->f = nf;
		a->cap = ncap;
	}
	char ev[1024];
	va_list ap;
	va_start(ap, evidence_fmt);
	int r = vsnprintf(ev, sizeof(ev), evidence_fmt, ap);
	va_end(ap);
	if (r < 0)
		ev[0] = '\0';
	/* r >= sizeof(ev): the evidence is cut, which is acceptable for a note */
	audit_finding f = { .sev = sev, .cls = cls, .ota = ota };
	f.id = strdup(id);
	f.file = strdup(file ? file : "");
	f.location = dup_or_null(location);
	f.remedy = strdup(remedy ? remedy : "");
	f.evidence = strdup(ev);
	if (!f.id || !f.file || (location && !f.location) || !f.remedy || !f.evidence) {
		finding_dispose(&f);
		a->failed_alloc = true;
		return;
	}
	a->f[a->n++] = f;
}

/* ---- waivers ------------------------------------------------------------ */

/* YYYY-MM-DD -> the first second (UTC) after that day; -1 if malformed. */
static long long parse_day_end(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	struct tm tm = { 0 };
	tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
	tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
	tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
		return -1;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	return (long long)t + 86400;
}

static int add_waiver(audit_ctx *a, const char *id, const char *path, const char *reason,
		      const char *expires, size_t lineno, ward_error *err)
{
	if (!id || !*id || !path || !*path || !reason || !*reason || !expires)
		return ward_err(err, WARD_EINVAL,
				"waivers: entry %zu: needs id, path, reason and expiry date", lineno);
	long long at = parse_day_end(expires);
	if (at < 0)
		return ward_err(err, WARD_EINVAL, "waivers: entry %zu: expiry \"%.32s\" is not YYYY-MM-DD",
				lineno, expires);
	if (a->nw >= AUDIT_LIMIT_FINDINGS)
		return ward_err(err, WARD_ELIMIT, "waivers: more than %d entries", AUDIT_LIMIT_FINDINGS);
	audit_waiver *nw = realloc(a->w, (a->nw + 1) * sizeof(*nw));
	if (!nw)
		return ward_err(err, WARD_ENOMEM, "waivers: out of memory");
	a->w = nw;
	audit_waiver w = { strdup(id), strdup(path), strdup(reason), strdup(expires), at };
	if (!w.id || !w.path || !w.reason || !w.expires) {
		free(w.id);
		free(w.path);
		free(w.reason);
		free(w.expires);
		return ward_err(err, WARD_ENOMEM, "waivers: out of memory");
	}
	a->w[a->nw++] = w;
	return 0;
}

static int load_waivers_json(audit_ctx *a, const uint8_t *data, size_t len, ward_error *err)
{
	json_error_t je;
	json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return ward_err(err, WARD_EINVAL, "waivers: line %d: %s", je.line, je.text);
	json_t *list = json_is_array(root) ? root : json_object_get(root, "waivers");
	int rc = 0;
	if (!json_is_array(list)) {
		rc = ward_err(err, WARD_EINVAL, "waivers: expected a \"waivers\" array");
	} else {
		size_t i;
		json_t *e;
		json_array_foreach(list, i, e) {
			rc = add_waiver(a, json_string_value(json_object_get(e, "id")),
					json_string_value(json_object_get(e, "path")),
					json_string_value(json_object_get(e, "reason")),
					json_string_value(json_object_get(e, "expires")), i + 1, err);
			if (rc)
				break;
		}
	}
	json_decref(root);
	return rc;
}

/* Text: one waiver a line, "ID PATH EXPIRES REASON...", '#' comments. */
static int load_waivers_text(audit_ctx *a, const uint8_t *data, size_t len, ward_error *err)
{
	size_t lineno = 0;
	for (size_t p = 0; p < len;) {
		size_t e = p;
		while (e < len && data[e] != '\n')
			e++;
		lineno++;
		char line[2048];
		size_t l = e - p;
		if (l >= sizeof(line))
			return ward_err(err, WARD_ELIMIT, "waivers: line %zu too long", lineno);
		memcpy(line, data + p, l);
		line[l] = '\0';
		p = e + 1;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#' || *s == '\r')
			continue;
		char *f[3];
		for (int i = 0; i < 3; i++) {
			f[i] = s;
			while (*s && *s != ' ' && *s != '\t')
				s++;
			if (*s)
				*s++ = '\0';
			while (*s == ' ' || *s == '\t')
				s++;
		}
		size_t rl = strlen(s);
		while (rl && (s[rl - 1] == '\r' || s[rl - 1] == ' '))
			s[--rl] = '\0';
		int rc = add_waiver(a, f[0], f[1], s, f[2], lineno, err);
		if (rc)
			return rc;
	}
	return 0;
}

int audit_ctx_load_waivers(audit_ctx *a, const uint8_t *data, size_t len, ward_error *err)
{
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r'))
		i++;
	/* all or nothing: a file refused at its tenth entry must not leave
	 * the first nine in force (found by fuzz/waivers_fuzz.c) */
	size_t before = a->nw;
	int rc = i < len && (data[i] == '{' || data[i] == '[') ? load_waivers_json(a, data, len, err)
							       : load_waivers_text(a, data, len, err);
	if (rc) {
		for (size_t k = before; k < a->nw; k++) {
			free(a->w[k].id);
			free(a->w[k].path);
			free(a->w[k].reason);
			free(a->w[k].expires);
		}
		a->nw = before;
	}
	return rc;
}

void audit_ctx_apply_waivers(audit_ctx *a)
{
	for (size_t i = 0; i < a->n; i++) {
		audit_finding *f = &a->f[i];
		for (size_t j = 0; j < a->nw; j++) {
			audit_waiver *w = &a->w[j];
			if (strcmp(w->id, f->id) != 0 || (strcmp(w->path, "*") != 0 && strcmp(w->path, f->file) != 0))
				continue;
			bool valid = a->now < w->expires_at;
			/* a valid waiver wins over an expired one for the same finding */
			if (valid || f->waiver == AUDIT_W_NONE) {
				f->waiver = valid ? AUDIT_W_WAIVED : AUDIT_W_EXPIRED;
				f->waiver_reason = w->reason;
				f->waiver_expires = w->expires;
			}
		}
	}
}

size_t audit_ctx_count(const audit_ctx *a, audit_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < a->n; i++)
		if (a->f[i].sev >= sev && a->f[i].waiver != AUDIT_W_WAIVED)
			n++;
	return n;
}

/* ---- human -------------------------------------------------------------- */

static int put(ward_buf *b, ward_error *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int put(ward_buf *b, ward_error *err, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (r < 0)
		return ward_err(err, WARD_EINVAL, "audit: cannot format the report");
	size_t l = (size_t)r >= sizeof(tmp) ? sizeof(tmp) - 1 : (size_t)r;
	if (buf_append(b, tmp, l) != 0)
		return ward_err(err, WARD_ENOMEM, "audit: report too large");
	return 0;
}

int audit_render_human(const audit_ctx *a, ward_buf *out, ward_error *err)
{
	size_t by[5][3] = { { 0 } };
	for (size_t i = 0; i < a->n; i++)
		if (a->f[i].waiver != AUDIT_W_WAIVED)
			by[a->f[i].sev][a->f[i].cls]++;
	int rc = put(out, err, "ward audit: %zu finding%s (%zu waived)\n\n", a->n, a->n == 1 ? "" : "s",
		     a->n - audit_ctx_count(a, AUDIT_INFO));
	rc = rc ? rc : put(out, err, "%-10s %6s %8s %7s\n", "severity", "basic", "process", "config");
	for (int s = AUDIT_CRITICAL; !rc && s >= AUDIT_INFO; s--)
		rc = put(out, err, "%-10s %6zu %8zu %7zu\n", SEV_NAMES[s], by[s][0], by[s][1], by[s][2]);
	for (int s = AUDIT_CRITICAL; !rc && s >= AUDIT_INFO; s--) {
		bool header = false;
		for (int c = AUDIT_BASIC; !rc && c <= AUDIT_CONFIG; c++) {
			bool sub = false;
			for (size_t i = 0; !rc && i < a->n; i++) {
				const audit_finding *f = &a->f[i];
				if ((int)f->sev != s || (int)f->cls != c)
					continue;
				if (!header) {
					rc = put(out, err, "\n== %s ==\n", SEV_NAMES[s]);
					header = true;
				}
				if (!rc && !sub) {
					rc = put(out, err, "\n-- %s --\n", class_name(f->cls));
					sub = true;
				}
				if (!rc)
					rc = put(out, err, "[%s] %s%s%s: %s\n    remedy: %s\n    OTA:    %s\n", f->id,
						 f->file, f->location ? " " : "", f->location ? f->location : "",
						 f->evidence, f->remedy, ota_text(f->ota));
				if (!rc && f->waiver == AUDIT_W_WAIVED)
					rc = put(out, err, "    WAIVED until %s: %s\n", f->waiver_expires, f->waiver_reason);
				if (!rc && f->waiver == AUDIT_W_EXPIRED)
					rc = put(out, err, "    waiver EXPIRED on %s (counts again): %s\n",
						 f->waiver_expires, f->waiver_reason);
			}
		}
	}
	if (!rc && a->truncated)
		rc = put(out, err, "\nmore than %d findings: the rest were not recorded\n", AUDIT_LIMIT_FINDINGS);
	if (!rc && a->n == 0)
		rc = put(out, err, "\nno findings\n");
	return rc;
}

/* ---- JSON --------------------------------------------------------------- */

static int dump(json_t *doc, ward_buf *out, ward_error *err)
{
	if (!doc)
		return ward_err(err, WARD_ENOMEM, "audit: out of memory building the report");
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!s)
		return ward_err(err, WARD_ENOMEM, "audit: out of memory writing the report");
	int rc = buf_append(out, s, strlen(s));
	if (rc == 0)
		rc = buf_append(out, "\n", 1);
	free(s);
	return rc ? ward_err(err, WARD_ENOMEM, "audit: report too large") : 0;
}

static json_t *jstr(const char *s)
{
	/* image paths and evidence may hold invalid UTF-8 */
	json_t *v = json_string(s);
	return v ? v : json_string("(not UTF-8)");
}

int audit_render_json(const audit_ctx *a, ward_buf *out, ward_error *err)
{
	json_t *doc = json_object(), *list = json_array();
	bool ok = doc && list;
	for (size_t i = 0; ok && i < a->n; i++) {
		const audit_finding *f = &a->f[i];
		json_t *o = json_pack("{s:o,s:s,s:s,s:s,s:o,s:o?,s:o,s:o,s:b}", "id", jstr(f->id), "severity",
				      SEV_NAMES[f->sev], "class", class_key(f->cls), "ota", ota_key(f->ota), "file",
				      jstr(f->file), "location", f->location ? jstr(f->location) : NULL,
				      "evidence", jstr(f->evidence), "remedy", jstr(f->remedy), "counts",
				      f->waiver != AUDIT_W_WAIVED);
		if (o && f->waiver != AUDIT_W_NONE)
			json_object_set_new(o, "waiver",
					    json_pack("{s:s,s:s,s:o}", "state",
						      f->waiver == AUDIT_W_WAIVED ? "waived" : "expired", "expires",
						      f->waiver_expires, "reason", jstr(f->waiver_reason)));
		ok = o && json_array_append_new(list, o) == 0;
	}
	json_t *summary = json_object();
	for (int s = AUDIT_INFO; ok && summary && s <= AUDIT_CRITICAL; s++) {
		size_t n = 0;
		for (size_t i = 0; i < a->n; i++)
			n += a->f[i].sev == (audit_severity)s && a->f[i].waiver != AUDIT_W_WAIVED;
		json_object_set_new(summary, SEV_NAMES[s], json_integer((json_int_t)n));
	}
	if (ok && summary) {
		json_object_set_new(doc, "tool", json_string("ward audit"));
		json_object_set_new(doc, "version", json_string(WARD_VERSION));
		json_object_set_new(doc, "summary", summary);
		json_object_set_new(doc, "truncated", json_boolean(a->truncated));
		json_object_set_new(doc, "findings", list);
		return dump(doc, out, err);
	}
	json_decref(summary);
	json_decref(list);
	json_decref(doc);
	return ward_err(err, WARD_ENOMEM, "audit: out of memory building the report");
}

/* ---- SARIF 2.1.0 -------------------------------------------------------- */

static const char *sarif_level(audit_severity s)
{
	return s >= AUDIT_HIGH ? "error" : s == AUDIT_MEDIUM ? "warning" : "note";
}

/* GitHub code scanning reads properties.security-severity (CVSS-like). */
static const char *sarif_score(audit_severity s)
{
	static const char *const sc[] = { "0.0", "3.0", "5.0", "8.0", "9.5" };
	return sc[s];
}

/* A relative URI reference: image paths lose their leading '/', and bytes
 * outside the unreserved set and '/' are percent-encoded. */
static json_t *sarif_uri(const char *path)
{
	char u[AUDIT_LIMIT_PATH * 3 + 1];
	size_t o = 0;
	while (*path == '/')
		path++;
	for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < sizeof(u); p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p)) {
			u[o++] = (char)*p;
		} else {
			static const char hex[] = "0123456789ABCDEF";
			u[o++] = '%';
			u[o++] = hex[*p >> 4];
			u[o++] = hex[*p & 15];
		}
	}
	u[o] = '\0';
	return json_string(u);
}

int audit_render_sarif(const audit_ctx *a, ward_buf *out, ward_error *err)
{
	json_t *rules = json_array(), *results = json_array(), *index = json_object();
	bool ok = rules && results && index;
	for (size_t i = 0; ok && i < a->n; i++) {
		const audit_finding *f = &a->f[i];
		json_t *ri = json_object_get(index, f->id);
		if (!ri) {
			ri = json_integer((json_int_t)json_array_size(rules));
			json_t *rule = json_pack(
				"{s:o,s:{s:o},s:{s:o},s:{s:s},s:{s:s,s:[s,s],s:s,s:s}}", "id", jstr(f->id),
				"shortDescription", "text", jstr(f->id), "help", "text", jstr(f->remedy),
				"defaultConfiguration", "level", sarif_level(f->sev), "properties",
				"security-severity", sarif_score(f->sev), "tags", "security", class_key(f->cls),
				"class", class_name(f->cls), "ota", ota_text(f->ota));
			ok = ri && rule && json_array_append_new(rules, rule) == 0 &&
			     json_object_set_new(index, f->id, ri) == 0;
			if (!ok)
				break;
		}
		json_t *loc = json_pack("{s:{s:{s:o}}}", "physicalLocation", "artifactLocation", "uri",
					sarif_uri(f->file));
		unsigned long line = 0;
		if (loc && f->location) {
			char *end;
			if (strncmp(f->location, "line ", 5) == 0)
				line = strtoul(f->location + 5, &end, 10);
			if (line > 0 && line < (1UL << 31))
				json_object_set_new(json_object_get(loc, "physicalLocation"), "region",
						    json_pack("{s:I}", "startLine", (json_int_t)line));
			else
				json_object_set_new(loc, "logicalLocations",
						    json_pack("[{s:o}]", "name", jstr(f->location)));
		}
		char msg[2048];
		int r = snprintf(msg, sizeof(msg), "%s Remedy: %s", f->evidence, f->remedy);
		if (r < 0)
			msg[0] = '\0';
		json_t *res = json_pack("{s:o,s:O,s:s,s:{s:o},s:[o],s:{s:s,s:s}}", "ruleId", jstr(f->id),
					"ruleIndex", ri, "level", sarif_level(f->sev), "message", "text",
					jstr(msg), "locations", loc, "properties", "severity",
					SEV_NAMES[f->sev], "ota", ota_key(f->ota));
		if (res && f->waiver == AUDIT_W_WAIVED)
			json_object_set_new(res, "suppressions",
					    json_pack("[{s:s,s:s,s:o}]", "kind", "external", "status", "accepted",
						      "justification", jstr(f->waiver_reason)));
		ok = res && json_array_append_new(results, res) == 0;
	}
	json_decref(index);
	if (!ok) {
		json_decref(rules);
		json_decref(results);
		return ward_err(err, WARD_ENOMEM, "audit: out of memory building the report");
	}
	json_t *doc = json_pack(
		"{s:s,s:s,s:[{s:{s:{s:s,s:s,s:o}},s:o}]}", "$schema",
		"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
		"version", "2.1.0", "runs", "tool", "driver", "name", "ward", "version", WARD_VERSION,
		"rules", rules, "results", results);
	return dump(doc, out, err);
}
