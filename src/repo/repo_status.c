/*
 * repo_status.c - what a release manager needs to see: roles, keys,
 * thresholds, versions, expiry, the staged change and its missing
 * signatures, and the field report's operational mistakes as findings.
 */
#include "repo/repo_int.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tuf/time.h"
#include "util/fs.h"

static void add(json_t *findings, const char *id, const char *severity, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(json_t *findings, const char *id, const char *severity, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	json_array_append_new(findings, json_pack("{s:s, s:s, s:s}", "id", id, "severity", severity,
						  "message", msg));
}

static bool in_array(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

/* The longest validity a role should have, in days: past it, a stolen key
 * or a frozen repository stays useful too long.  Timestamp and snapshot are
 * signed online and cheap to refresh, so their windows are short. */
static unsigned max_days(const char *role)
{
	if (strcmp(role, "root") == 0)
		return 3 * 366;
	if (strcmp(role, "timestamp") == 0)
		return 7;
	if (strcmp(role, "snapshot") == 0)
		return 31;
	return 366;
}

/* Expiry warnings: too close (less than a quarter of the period left, or
 * expired) and too far (beyond the role's recommended maximum). */
static void check_expiry(json_t *findings, const char *role, const json_t *s, unsigned days,
			 int64_t now)
{
	int64_t exp;
	const char *e = json_string_value(json_object_get(s, "expires"));
	if (!e || tuf_time_parse(&exp, e) != 0)
		return;
	int64_t left = exp - now, period = (int64_t)days * 86400;
	if (left <= 0)
		add(findings, "expired", "high", "%s expired at %s: clients refuse it", role, e);
	else if (left < period / 4)
		add(findings, "expiry-close", "medium", "%s expires at %s (less than a quarter of its %u-day period left)",
		    role, e, days);
	else if (left > (int64_t)max_days(role) * 86400)
		add(findings, "expiry-far", "medium",
		    "%s expires at %s, more than %u days away: a stolen key or a frozen "
		    "repository stays useful that long", role, e, max_days(role));
}

/* Private key files next to their .pub whose key is a root or targets key:
 * an offline key that lives on the publishing host. */
static void check_offline_keys_on_host(json_t *findings, const char *dir, const json_t *root)
{
	static const char *const where[] = { "", "keys" };
	for (size_t w = 0; w < 2; w++) {
		WARD_AUTO(free) char *d = w ? repo_path(dir, where[w]) : strdup(dir);
		DIR *dp = d ? opendir(d) : NULL;
		if (!dp)
			continue;
		struct dirent *e;
		while ((e = readdir(dp)) != NULL) {
			size_t n = strlen(e->d_name);
			if (n < 5 || strcmp(e->d_name + n - 4, ".pub") != 0)
				continue;
			char keyname[512];
			snprintf(keyname, sizeof(keyname), "%s/%.*s.key", d, (int)(n - 4), e->d_name);
			if (access(keyname, F_OK) != 0)
				continue;
			char pub[512], id[65], name[64];
			snprintf(pub, sizeof(pub), "%s/%s", d, e->d_name);
			json_t *k = NULL;
			if (repo_read_pub(&k, id, name, pub, NULL) != 0)
				continue;
			json_decref(k);
			for (int r = 0; r < 4; r += 3) { /* root, targets */
				const json_t *ids = json_object_get(
					json_object_get(json_object_get(root, "roles"), repo_role_names[r]), "keyids");
				if (in_array(ids, id))
					add(findings, "offline-key-on-host", "high",
					    "%s is a %s private key stored on the publishing host; keep it offline",
					    keyname, repo_role_names[r]);
			}
		}
		closedir(dp);
	}
}

/* What an interrupted add-targets leaves: staged/files/.incoming-* (its
 * files were never named by the change, so nothing refers to them).  Not
 * removed here -- another add-targets may be writing it right now -- but
 * said, with the command that removes it. */
static void check_interrupted(json_t *findings, const char *dir)
{
	WARD_AUTO(free) char *files = repo_path(dir, "staged/files");
	DIR *d = files ? opendir(files) : NULL;
	if (!d)
		return;
	size_t n = 0;
	char first[256] = "";
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (strncmp(e->d_name, ".incoming", 9) == 0 && n++ == 0)
			snprintf(first, sizeof(first), "%s", e->d_name);
	closedir(d);
	if (n)
		add(findings, "interrupted-staging", "low",
		    "%zu interrupted add-target%s left %s in staged/files (not part of any change): when no "
		    "add-targets is running, remove with rm -r '%s/staged/files/'.incoming*",
		    n, n == 1 ? "" : "s", first, dir);
}

int repo_status(const char *dir, int64_t now, bool as_json, ward_buf *out, size_t *nfindings,
		ward_error *err)
{
	WARD_AUTO(json_decref) json_t *cfg = NULL;
	int rc = repo_config_load(&cfg, dir, err);
	if (rc)
		return rc;
	WARD_AUTO(json_decref) json_t *findings = json_array();
	WARD_AUTO(json_decref) json_t *roles = json_object();
	WARD_AUTO(json_decref) json_t *root = NULL;
	rc = repo_published(&root, dir, "root", err);
	if (rc)
		return rc;
	const json_t *names = json_object_get(cfg, "key_names");
	const json_t *dev = json_object_get(cfg, "dev_keys");
	if (!root)
		add(findings, "not-published", "info", "nothing is published yet");
	for (int i = 0; root && i < 4; i++) {
		const char *rn = repo_role_names[i];
		const json_t *r = json_object_get(json_object_get(root, "roles"), rn);
		WARD_AUTO(json_decref) json_t *pub = NULL;
		if (repo_published_light(&pub, dir, rn, NULL) != 0)
			pub = NULL;
		json_t *keys = json_array();
		size_t j;
		json_t *id;
		json_array_foreach(json_object_get(r, "keyids"), j, id)
		{
			const char *kid = json_string_value(id);
			const json_t *nm = json_object_get(names, kid);
			json_array_append_new(keys, json_pack("{s:s, s:s, s:b}", "keyid", kid, "name",
							      json_is_string(nm) ? json_string_value(nm) : "",
							      "development", in_array(dev, kid)));
			if (in_array(dev, kid))
				add(findings, "development-key", "high",
				    "%s is signed by development key %.8s; rotate it before production", rn, kid);
		}
		json_int_t thr = json_integer_value(json_object_get(r, "threshold"));
		json_object_set_new(roles, rn,
				    json_pack("{s:O, s:O, s:I, s:o}", "version",
					      pub ? json_object_get(pub, "version") : json_null(),
					      "expires", pub ? json_object_get(pub, "expires") : json_null(),
					      "threshold", thr, "keys", keys));
		if ((i == 0 || i == 3) && thr < 2)
			add(findings, "single-signer", "high",
			    "%s needs only %lld signature: one person can %s", rn, (long long)thr,
			    i == 0 ? "replace every key of the fleet" : "release to every device");
		if (pub)
			check_expiry(findings, rn, pub, repo_expiry_days(cfg, rn), now);
	}
	/* online keys must not double as offline ones */
	if (root) {
		const json_t *rr = json_object_get(root, "roles");
		for (int on = 1; on <= 2; on++) {
			size_t j;
			json_t *id;
			json_array_foreach(json_object_get(json_object_get(rr, repo_role_names[on]), "keyids"), j, id)
				for (int off = 0; off <= 3; off += 3)
					if (in_array(json_object_get(json_object_get(rr, repo_role_names[off]), "keyids"),
						     json_string_value(id)))
						add(findings, "offline-key-on-host", "high",
						    "%s key %.8s is also a %s key: it is online on this host",
						    repo_role_names[off], json_string_value(id), repo_role_names[on]);
		}
		check_offline_keys_on_host(findings, dir, root);
	}
	/* the staged change */
	WARD_AUTO(buf_dispose) ward_buf report = WARD_BUF_INIT(1 << 20);
	WARD_AUTO(free) char *cpath = repo_path(dir, "staged/change.json");
	bool staged = cpath && access(cpath, F_OK) == 0;
	bool ready = false;
	if (staged) {
		ready = repo_check_change(dir, &report, NULL) == 0;
		add(findings, "staged-change", ready ? "info" : "low",
		    "a staged change %s", ready ? "is fully signed and ready to publish"
						: "is waiting for signatures");
	}
	check_interrupted(findings, dir);
	*nfindings = 0;
	size_t i;
	json_t *f;
	json_array_foreach(findings, i, f) if (strcmp(json_string_value(json_object_get(f, "severity")), "info") != 0)
		(*nfindings)++;

	if (as_json) {
		WARD_AUTO(json_decref) json_t *doc = json_pack(
			"{s:s, s:O, s:{s:b, s:b, s:s%}, s:O}", "repository", dir, "roles", roles, "staged",
			"present", staged, "ready", ready, "report", report.ptr ? (const char *)report.ptr : "",
			report.len, "findings", findings);
		char *s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
		if (!s)
			return ward_err(err, WARD_ENOMEM, "out of memory");
		rc = buf_append(out, s, strlen(s));
		free(s);
		return rc ? rc : buf_putc(out, '\n');
	}
	char line[1024];
	const char *rn;
	json_t *r;
	json_object_foreach(roles, rn, r)
	{
		int n = snprintf(line, sizeof(line), "%-9s v%-4lld expires %-20s threshold %lld of %zu\n", rn,
				 (long long)json_integer_value(json_object_get(r, "version")),
				 json_is_string(json_object_get(r, "expires")) ? json_string_value(json_object_get(r, "expires")) : "-",
				 (long long)json_integer_value(json_object_get(r, "threshold")),
				 json_array_size(json_object_get(r, "keys")));
		if (n > 0 && buf_append(out, line, (size_t)n) != 0)
			return WARD_ENOMEM;
		size_t j;
		json_t *k;
		json_array_foreach(json_object_get(r, "keys"), j, k)
		{
			n = snprintf(line, sizeof(line), "          key %.16s %s%s\n",
				     json_string_value(json_object_get(k, "keyid")),
				     json_string_value(json_object_get(k, "name")),
				     json_is_true(json_object_get(k, "development")) ? " (DEVELOPMENT KEY)" : "");
			if (n > 0 && buf_append(out, line, (size_t)n) != 0)
				return WARD_ENOMEM;
		}
	}
	if (staged) {
		static const char hdr[] = "\nstaged change:\n";
		if (buf_append(out, hdr, sizeof(hdr) - 1) != 0 || buf_append(out, report.ptr, report.len) != 0)
			return WARD_ENOMEM;
	}
	static const char fh[] = "\nfindings:\n";
	if (buf_append(out, fh, sizeof(fh) - 1) != 0)
		return WARD_ENOMEM;
	json_array_foreach(findings, i, f)
	{
		int n = snprintf(line, sizeof(line), "  [%-6s] %-20s %s\n",
				 json_string_value(json_object_get(f, "severity")),
				 json_string_value(json_object_get(f, "id")),
				 json_string_value(json_object_get(f, "message")));
		if (n > 0 && buf_append(out, line, (size_t)n) != 0)
			return WARD_ENOMEM;
	}
	if (!json_array_size(findings)) {
		static const char none[] = "  none\n";
		if (buf_append(out, none, sizeof(none) - 1) != 0)
			return WARD_ENOMEM;
	}
	return 0;
}
