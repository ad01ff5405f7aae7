/*
 * repo_publish.c - turning an approved change into a servable static
 * directory, and keeping timestamp and snapshot fresh.
 *
 * Crash safety: every file is written atomically, and in this order:
 * target files, the changed roles (as VERSION.ROLE.json), the snapshot,
 * the new root, and last timestamp.json, the one file clients start from.
 * Until that final rename, clients see the previous release, complete;
 * the change stays staged, so running publish again finishes the job.
 */
#include "repo/repo_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "tuf/sign.h"
#include "tuf/time.h"
#include "util/fs.h"
#include "util/hex.h"
#include "util/limits.h"

static int dump_cb(const char *p, size_t n, void *ctx)
{
	return buf_append(ctx, p, n) == 0 ? 0 : -1;
}

static json_t *hashes_of(const ward_buf *b)
{
	uint8_t d256[32], d512[64];
	char h256[65], h512[129];
	EVP_Digest(b->ptr, b->len, d256, NULL, EVP_sha256(), NULL);
	EVP_Digest(b->ptr, b->len, d512, NULL, EVP_sha512(), NULL);
	hex_encode(h256, d256, 32);
	hex_encode(h512, d512, 64);
	return json_pack("{s:s, s:s}", "sha256", h256, "sha512", h512);
}

/* Writes {"signatures","signed"} as VERSION.NAME.json and NAME.json;
 * returns the bytes in out for snapshot/timestamp to reference. */
static int write_role(const char *metadir, const char *name, const json_t *signed_obj,
		      const json_t *sigs, ward_buf *out, ward_error *err)
{
	WARD_AUTO(json_decref) json_t *env = json_pack("{s:O, s:O}", "signatures", sigs, "signed",
						       signed_obj);
	buf_init(out, WARD_LIMIT_METADATA_MAX_BYTES);
	if (!env || json_dump_callback(env, dump_cb, out, JSON_COMPACT | JSON_SORT_KEYS) != 0)
		return ward_err(err, WARD_ELIMIT, "%s: cannot encode", name);
	char file[WARD_LIMIT_ROLE_NAME * 3 + 48];
	long long v = (long long)json_integer_value(json_object_get(signed_obj, "version"));
	snprintf(file, sizeof(file), "%lld.%s.json", v, name);
	int rc = fs_write_atomic(metadir, file, out->ptr, out->len, 0644, err);
	if (!rc && strcmp(name, "timestamp") != 0) {
		snprintf(file, sizeof(file), "%s.json", name);
		rc = fs_write_atomic(metadir, file, out->ptr, out->len, 0644, err);
	}
	return rc;
}

static int write_timestamp(const char *metadir, const json_t *signed_obj, const json_t *sigs,
			   ward_error *err)
{
	WARD_AUTO(json_decref) json_t *env = json_pack("{s:O, s:O}", "signatures", sigs, "signed",
						       signed_obj);
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(WARD_LIMIT_TIMESTAMP_BYTES);
	if (!env || json_dump_callback(env, dump_cb, &b, JSON_COMPACT | JSON_SORT_KEYS) != 0)
		return ward_err(err, WARD_ELIMIT, "timestamp: cannot encode");
	return fs_write_atomic(metadir, "timestamp.json", b.ptr, b.len, 0644, err);
}

/* Moves staged/files/SHA256 into published/targets as DIR/SHA256.NAME. */
static int publish_target(const char *dir, const char *name, const json_t *entry, ward_error *err)
{
	const char *sha = json_string_value(json_object_get(json_object_get(entry, "hashes"), "sha256"));
	if (!sha)
		return 0;
	char rel[128];
	snprintf(rel, sizeof(rel), "staged/files/%.64s", sha);
	WARD_AUTO(free) char *src = repo_path(dir, rel);
	if (!src || access(src, F_OK) != 0)
		return 0; /* published earlier (an unchanged entry of a changed role) */
	const char *slash = strrchr(name, '/');
	size_t dirlen = slash ? (size_t)(slash - name) : 0;
	char sub[WARD_LIMIT_TARGET_NAME + 32];
	snprintf(sub, sizeof(sub), "published/targets%s%.*s", dirlen ? "/" : "", (int)dirlen, name);
	WARD_AUTO(free) char *tdir = repo_path(dir, sub);
	if (!tdir)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int rc = fs_mkdirs(tdir, err);
	if (rc)
		return rc;
	char base[WARD_LIMIT_TARGET_NAME + 80];
	snprintf(base, sizeof(base), "%.64s.%s", sha, slash ? slash + 1 : name);
	WARD_AUTO(free) char *dst = fs_join(tdir, base);
	if (!dst)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	/* A hard link is atomic and costs no copy of a large image. */
	if (link(src, dst) != 0 && errno != EEXIST)
		return ward_err(err, WARD_EIO, "publish %s: %s", name, strerror(errno));
	return fs_sync_dir(tdir, err);
}

static int sign_with(json_t **sigs, const json_t *signed_obj, const char *ref, const json_t *root,
		     const char *role, repo_load_fn load, void *ctx, ward_error *err)
{
	crypto_signer *s = NULL;
	int rc = load(&s, ref, ctx, err);
	if (rc)
		return ward_err_prefix(err, rc, "online %s key: ", role);
	char id[65];
	rc = tuf_keyid(id, s) ? WARD_ENOMEM : 0;
	bool ok = false;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(json_object_get(root, "roles"), role), "keyids"), i, v)
		ok |= strcmp(json_string_value(v), id) == 0;
	json_t *sig = NULL;
	if (!rc && !ok)
		rc = ward_err(err, WARD_EVERIFY, "online %s key %.8s is not a %s key of root v%lld", role,
			      id, role, (long long)json_integer_value(json_object_get(root, "version")));
	if (!rc)
		rc = tuf_sign_one(&sig, signed_obj, s, err);
	crypto_signer_free(s);
	if (rc)
		return rc;
	*sigs = json_pack("[o]", sig);
	return 0;
}

/* New snapshot and timestamp over the roles listed in `meta`. */
static int write_online(const char *dir, const json_t *cfg, const json_t *root, json_t *snapmeta,
			repo_load_fn load, void *ctx, int64_t now, bool new_snapshot,
			ward_error *err)
{
	WARD_AUTO(free) char *metadir = repo_path(dir, "published/metadata");
	WARD_AUTO(json_decref) json_t *oldsnap = NULL;
	WARD_AUTO(json_decref) json_t *oldts = NULL;
	int rc = repo_published(&oldsnap, dir, "snapshot", err);
	if (!rc)
		rc = repo_published(&oldts, dir, "timestamp", err);
	if (rc)
		return rc;
	const json_t *online = json_object_get(cfg, "online_keys");
	WARD_AUTO(buf_dispose) ward_buf snapbytes = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	long long sv;
	char exp[32];
	if (new_snapshot || !oldsnap) {
		sv = oldsnap ? (long long)json_integer_value(json_object_get(oldsnap, "version")) + 1 : 1;
		repo_expires(exp, now, repo_expiry_days(cfg, "snapshot"));
		WARD_AUTO(json_decref) json_t *snap = json_pack("{s:s, s:s, s:I, s:s, s:O}", "_type",
								"snapshot", "spec_version", "1.0.31",
								"version", (json_int_t)sv, "expires", exp,
								"meta", snapmeta);
		json_t *sigs = NULL;
		rc = sign_with(&sigs, snap, json_string_value(json_object_get(online, "snapshot")), root,
			       "snapshot", load, ctx, err);
		if (!rc)
			rc = write_role(metadir, "snapshot", snap, sigs, &snapbytes, err);
		json_decref(sigs);
		if (rc)
			return rc;
	} else {
		sv = (long long)json_integer_value(json_object_get(oldsnap, "version"));
		char rel[64];
		snprintf(rel, sizeof(rel), "published/metadata/%lld.snapshot.json", sv);
		WARD_AUTO(free) char *p = repo_path(dir, rel);
		rc = fs_read_file(&snapbytes, p, WARD_LIMIT_METADATA_MAX_BYTES, err);
		if (rc)
			return rc;
	}
	long long tv = oldts ? (long long)json_integer_value(json_object_get(oldts, "version")) + 1 : 1;
	repo_expires(exp, now, repo_expiry_days(cfg, "timestamp"));
	WARD_AUTO(json_decref) json_t *ts = json_pack(
		"{s:s, s:s, s:I, s:s, s:{s:{s:I, s:I, s:o}}}", "_type", "timestamp", "spec_version",
		"1.0.31", "version", (json_int_t)tv, "expires", exp, "meta", "snapshot.json", "version",
		(json_int_t)sv, "length", (json_int_t)snapbytes.len, "hashes", hashes_of(&snapbytes));
	json_t *sigs = NULL;
	rc = sign_with(&sigs, ts, json_string_value(json_object_get(online, "timestamp")), root,
		       "timestamp", load, ctx, err);
	if (!rc)
		rc = write_timestamp(metadir, ts, sigs, err);
	json_decref(sigs);
	return rc;
}

/* snapshot.meta of the published repository, as a starting point. */
static json_t *published_snapmeta(const char *dir)
{
	json_t *snap = NULL;
	if (repo_published(&snap, dir, "snapshot", NULL) != 0 || !snap)
		return json_object();
	json_t *m = json_deep_copy(json_object_get(snap, "meta"));
	json_decref(snap);
	return m ? m : json_object();
}

int repo_publish(const char *dir, repo_load_fn load, void *ctx, int64_t now, ward_buf *report,
		 ward_error *err)
{
	WARD_AUTO(json_decref) json_t *cfg = NULL;
	WARD_AUTO(json_decref) json_t *change = NULL;
	int rc = repo_config_load(&cfg, dir, err);
	if (!rc)
		rc = repo_change_load(&change, dir, false, err);
	if (rc)
		return rc;
	/* Every changed role must meet its threshold (the client's rule). */
	rc = repo_check_change(dir, report, err);
	if (rc)
		return ward_err_prefix(err, rc, "publish refused: ");
	const json_t *roles = json_object_get(change, "roles");
	const char *role;
	json_t *entry;
	/* The change must apply to what is published now. */
	json_object_foreach((json_t *)(uintptr_t)roles, role, entry)
	{
		WARD_AUTO(json_decref) json_t *pub = NULL;
		rc = repo_published(&pub, dir, role, err);
		if (rc)
			return rc;
		json_int_t want = pub ? json_integer_value(json_object_get(pub, "version")) + 1 : 1;
		json_int_t have = json_integer_value(json_object_get(json_object_get(entry, "signed"), "version"));
		/* Already written by an interrupted publish: resume. */
		bool resumed = pub && have == want - 1 && json_equal(pub, json_object_get(entry, "signed"));
		if (have != want && !resumed)
			return ward_err(err, WARD_EROLLBACK,
					"publish refused: staged %s v%lld, but v%lld is next (published meanwhile?)",
					role, (long long)have, (long long)want);
		int64_t exp;
		if (tuf_time_parse(&exp, json_string_value(json_object_get(json_object_get(entry, "signed"), "expires"))) != 0 ||
		    exp <= now)
			return ward_err(err, WARD_EEXPIRED, "publish refused: staged %s has expired; stage it again",
					role);
	}
	WARD_AUTO(free) char *metadir = repo_path(dir, "published/metadata");
	WARD_AUTO(json_decref) json_t *snapmeta = published_snapmeta(dir);
	/* 1. target files */
	json_object_foreach((json_t *)(uintptr_t)roles, role, entry)
	{
		const char *t;
		json_t *te;
		json_object_foreach(json_object_get(json_object_get(entry, "signed"), "targets"), t, te)
		{
			rc = publish_target(dir, t, te, err);
			if (rc)
				return rc;
		}
	}
	/* 2. targets and delegated roles */
	json_object_foreach((json_t *)(uintptr_t)roles, role, entry)
	{
		if (strcmp(role, "root") == 0)
			continue;
		WARD_AUTO(buf_dispose) ward_buf bytes = WARD_BUF_INIT(0);
		rc = write_role(metadir, role, json_object_get(entry, "signed"),
				json_object_get(entry, "signatures"), &bytes, err);
		if (rc)
			return rc;
		char mname[WARD_LIMIT_ROLE_NAME + 8];
		snprintf(mname, sizeof(mname), "%s.json", role);
		json_object_set_new(snapmeta, mname,
				    json_pack("{s:O, s:I, s:o}", "version",
					      json_object_get(json_object_get(entry, "signed"), "version"),
					      "length", (json_int_t)bytes.len, "hashes", hashes_of(&bytes)));
	}
	/* 3. the root clients will trust, then snapshot and timestamp */
	const json_t *newroot = json_object_get(roles, "root");
	WARD_AUTO(json_decref) json_t *pubroot = NULL;
	rc = repo_published(&pubroot, dir, "root", err);
	if (rc)
		return rc;
	const json_t *root = newroot ? json_object_get(newroot, "signed") : pubroot;
	if (newroot) {
		WARD_AUTO(buf_dispose) ward_buf bytes = WARD_BUF_INIT(0);
		rc = write_role(metadir, "root", json_object_get(newroot, "signed"),
				json_object_get(newroot, "signatures"), &bytes, err);
		if (rc)
			return rc;
	}
	/* a staged online key rotation takes effect with the root that lists it */
	const char *orole;
	json_t *oref;
	json_object_foreach(json_object_get(change, "online_keys"), orole, oref)
		json_object_set(json_object_get(cfg, "online_keys"), orole, oref);
	rc = write_online(dir, cfg, root, snapmeta, load, ctx, now, true, err);
	if (!rc && json_object_size(json_object_get(change, "online_keys")))
		rc = repo_save_json(dir, "ward-repo.json", cfg, err);
	if (rc)
		return rc;
	/* 4. the change is done */
	json_object_foreach((json_t *)(uintptr_t)roles, role, entry)
	{
		const char *t;
		json_t *te;
		json_object_foreach(json_object_get(json_object_get(entry, "signed"), "targets"), t, te)
		{
			char rel[128];
			snprintf(rel, sizeof(rel), "staged/files/%.64s",
				 json_string_value(json_object_get(json_object_get(te, "hashes"), "sha256")));
			WARD_AUTO(free) char *p = repo_path(dir, rel);
			if (p)
				unlink(p);
		}
	}
	WARD_AUTO(free) char *staged = repo_path(dir, "staged");
	return fs_remove(staged, "change.json", err);
}

int repo_refresh(const char *dir, repo_load_fn load, void *ctx, int64_t now, bool force,
		 ward_buf *report, ward_error *err)
{
	WARD_AUTO(json_decref) json_t *cfg = NULL;
	WARD_AUTO(json_decref) json_t *root = NULL;
	WARD_AUTO(json_decref) json_t *snap = NULL;
	int rc = repo_config_load(&cfg, dir, err);
	if (!rc)
		rc = repo_published(&root, dir, "root", err);
	if (!rc)
		rc = repo_published(&snap, dir, "snapshot", err);
	if (rc)
		return rc;
	if (!root || !snap)
		return ward_err(err, WARD_EINVAL, "%s: nothing published yet", dir);
	int64_t exp = 0;
	if (tuf_time_parse(&exp, json_string_value(json_object_get(snap, "expires"))) != 0)
		exp = 0; /* unreadable: re-sign */
	int64_t half = (int64_t)repo_expiry_days(cfg, "snapshot") * 86400 / 2;
	bool new_snapshot = force || exp - now < half;
	WARD_AUTO(json_decref) json_t *meta = published_snapmeta(dir);
	rc = write_online(dir, cfg, root, meta, load, ctx, now, new_snapshot, err);
	if (!rc && report) {
		char line[128];
		int n = snprintf(line, sizeof(line), "re-signed %stimestamp\n",
				 new_snapshot ? "snapshot and " : "");
		if (n > 0)
			rc = buf_append(report, line, (size_t)n);
	}
	return rc;
}
