/*
 * repo.c - the repository on the publishing host: settings, the staged
 * change and the operations that edit it (init, targets, delegations, key
 * rotation).  Signing and merging are in repo_sign.c, publishing in
 * repo_publish.c, findings in repo_status.c.
 */
#include "repo/repo_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "tuf/sign.h"
#include "tuf/time.h"
#include "util/fs.h"
#include "util/hex.h"
#include "util/limits.h"

const char *const repo_role_names[4] = { "root", "timestamp", "snapshot", "targets" };
static const unsigned default_days[5] = { 365, 1, 7, 90, 90 };

char *repo_path(const char *dir, const char *rel)
{
	return fs_join(dir, rel);
}

int repo_lock(const char *dir, unsigned wait_s, int *fd, ward_error *err)
{
	*fd = -1;
	WARD_AUTO(free) char *path = repo_path(dir, ".lock");
	if (!path)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int l = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (l < 0)
		return ward_err(err, errno == ENOENT ? WARD_ENOTFOUND : WARD_EIO, "%s: %s", path,
				errno == ENOENT ? "no repository here" : strerror(errno));
	/* 100 ms steps: a refresh from a timer waits out a publish by hand */
	for (unsigned i = 0;; i++) {
		if (flock(l, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;
			close(l);
			return ward_err(err, WARD_EIO, "%s: %s", path, strerror(e));
		}
		if (i >= wait_s * 10u) {
			close(l);
			return ward_err(err, WARD_EIO,
					"%s: another ward command is changing this repository (waited %u s)",
					dir, wait_s);
		}
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	*fd = l;
	return 0;
}

void repo_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing the descriptor releases the flock */
}

int repo_load_json(json_t **out, const char *path, size_t max, ward_error *err)
{
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(max);
	int rc = fs_read_file(&b, path, max, err);
	if (rc)
		return rc;
	return wjson_parse(out, b.ptr, b.len, max, path, err);
}

static int dump_cb(const char *p, size_t n, void *ctx)
{
	return buf_append(ctx, p, n) == 0 ? 0 : -1;
}

int repo_save_json(const char *dir, const char *name, const json_t *v, ward_error *err)
{
	/* Settings are for people to read; a change is compact so that
	 * signing finds its "signed" parts already canonical (tok.h). */
	size_t flags = strcmp(name, "ward-repo.json") == 0 ? JSON_INDENT(1) : JSON_COMPACT;
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	if (json_dump_callback(v, dump_cb, &b, flags | JSON_SORT_KEYS) != 0 ||
	    buf_putc(&b, '\n') != 0)
		return ward_err(err, WARD_ELIMIT, "%s: too large to write", name);
	return fs_write_atomic(dir, name, b.ptr, b.len, 0644, err);
}

int repo_config_load(json_t **out, const char *dir, ward_error *err)
{
	WARD_AUTO(free) char *p = repo_path(dir, "ward-repo.json");
	if (!p)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int rc = repo_load_json(out, p, 1 << 20, err);
	if (rc == WARD_ENOTFOUND)
		return ward_err(err, rc, "%s is not a ward repository (no ward-repo.json)", dir);
	return rc;
}

unsigned repo_expiry_days(const json_t *cfg, const char *role)
{
	const json_t *d = json_object_get(json_object_get(cfg, "expiry_days"), role);
	if (json_is_integer(d) && json_integer_value(d) > 0 && json_integer_value(d) < 36600)
		return (unsigned)json_integer_value(d);
	for (int i = 0; i < 4; i++)
		if (strcmp(role, repo_role_names[i]) == 0)
			return default_days[i];
	return default_days[REPO_DELEGATED];
}

void repo_expires(char out[static 32], int64_t now, unsigned days)
{
	tuf_time_format(out, now + (int64_t)days * 86400);
}

/* The "signed" object of the published metadata of a role, or NULL. */
int repo_published(json_t **out, const char *dir, const char *role, ward_error *err)
{
	char rel[WARD_LIMIT_ROLE_NAME + 32];
	snprintf(rel, sizeof(rel), "published/metadata/%s.json", role);
	WARD_AUTO(free) char *p = repo_path(dir, rel);
	json_t *doc = NULL;
	*out = NULL;
	int rc = repo_load_json(&doc, p, WARD_LIMIT_METADATA_MAX_BYTES, err);
	if (rc == WARD_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	*out = json_incref(json_object_get(doc, "signed"));
	json_decref(doc);
	return *out ? 0 : ward_err(err, WARD_EINVAL, "%s: no signed part", rel);
}

int repo_change_load(json_t **out, const char *dir, bool create, ward_error *err)
{
	WARD_AUTO(free) char *p = repo_path(dir, "staged/change.json");
	int rc = repo_load_json(out, p, WARD_LIMIT_METADATA_MAX_BYTES, err);
	if (rc == WARD_ENOTFOUND && create) {
		*out = json_pack("{s:i, s:{}}", "ward_change", 1, "roles");
		return *out ? 0 : ward_err(err, WARD_ENOMEM, "out of memory");
	}
	if (rc == WARD_ENOTFOUND)
		return ward_err(err, rc, "%s: no staged change", dir);
	return rc;
}

int repo_change_save(const char *dir, const json_t *change, ward_error *err)
{
	WARD_AUTO(free) char *staged = repo_path(dir, "staged");
	if (!staged)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int rc = fs_mkdirs(staged, err);
	repo_change_annotate(dir, (json_t *)(uintptr_t)change);
	return rc ? rc : repo_save_json(staged, "change.json", change, err);
}

/* The role's proposed "signed" object in the change, created from the
 * published one (next version, fresh expiry) on first edit.  Editing a
 * role voids the signatures collected for it. */
int repo_change_role(json_t **out, json_t *change, const char *dir, const json_t *cfg,
		     const char *role, int64_t now, ward_error *err)
{
	json_t *roles = json_object_get(change, "roles");
	json_t *entry = json_object_get(roles, role);
	char expires[32];
	repo_expires(expires, now, repo_expiry_days(cfg, role));
	if (entry) {
		json_object_set_new(entry, "signatures", json_array());
		json_t *s = json_object_get(entry, "signed");
		json_object_set_new(s, "expires", json_string(expires));
		*out = s;
		return 0;
	}
	json_t *pub = NULL;
	int rc = repo_published(&pub, dir, role, err);
	if (rc)
		return rc;
	if (!pub)
		return ward_err(err, WARD_ENOTFOUND, "role %s does not exist", role);
	/* pub is the only reference to the published role: edit it in place
	 * (a deep copy of a 100,000-target role costs 0.2 s). */
	json_t *s = pub;
	json_int_t v = json_integer_value(json_object_get(s, "version"));
	json_object_set_new(s, "version", json_integer(v + 1));
	json_object_set_new(s, "expires", json_string(expires));
	json_object_set_new(roles, role, json_pack("{s:o, s:[]}", "signed", s, "signatures"));
	*out = s;
	return 0;
}

/* Reads a TUF key JSON file (as `ward key generate` writes it): either the
 * bare key description or {"keyid":…, "key":{…}}.  *name gets the file's
 * base name without extension, for reports. */
int repo_read_pub(json_t **key, char keyid[static 65], char name[static 64], const char *path,
		  ward_error *err)
{
	json_t *doc = NULL;
	int rc = repo_load_json(&doc, path, WARD_LIMIT_KEY_PUBLIC * 2, err);
	if (rc)
		return rc;
	json_t *k = json_object_get(doc, "key") ? json_object_get(doc, "key") : doc;
	if (tuf_keyid_of(keyid, k) != 0) {
		json_decref(doc);
		return ward_err(err, WARD_EINVAL, "%s: not a TUF public key", path);
	}
	/* Refuse public keys ward cannot verify with: a typo here would lock
	 * the role. */
	crypto_key *ck = NULL;
	rc = crypto_key_from_tuf(&ck, json_string_value(json_object_get(k, "keytype")),
				 json_string_value(json_object_get(k, "scheme")),
				 json_string_value(json_object_get(json_object_get(k, "keyval"), "public")),
				 err);
	crypto_key_free(ck);
	if (rc) {
		json_decref(doc);
		return ward_err_prefix(err, rc, "%s: ", path);
	}
	*key = json_pack("{s:O, s:O, s:{s:O}}", "keytype", json_object_get(k, "keytype"), "scheme",
			 json_object_get(k, "scheme"), "keyval", "public",
			 json_object_get(json_object_get(k, "keyval"), "public"));
	json_decref(doc);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(name, 64, "%.*s", (int)strcspn(base, "."), base);
	return *key ? 0 : ward_err(err, WARD_ENOMEM, "out of memory");
}

static int add_keys(json_t *keys, json_t *keyids, json_t *names, const char *const *pubs,
		    size_t n, ward_error *err)
{
	for (size_t i = 0; i < n; i++) {
		json_t *k;
		char id[65], name[64];
		int rc = repo_read_pub(&k, id, name, pubs[i], err);
		if (rc)
			return rc;
		json_object_set_new(keys, id, k);
		bool dup = false;
		size_t j;
		json_t *v;
		json_array_foreach(keyids, j, v) dup |= strcmp(json_string_value(v), id) == 0;
		if (dup)
			return ward_err(err, WARD_EINVAL, "%s: key %.8s listed twice", pubs[i], id);
		json_array_append_new(keyids, json_string(id));
		if (names && !json_object_get(names, id))
			json_object_set_new(names, id, json_string(name));
	}
	return 0;
}

static int online_keyid(char id[static 65], const char *ref, repo_load_fn load, void *ctx,
			json_t **key, ward_error *err)
{
	crypto_signer *s = NULL;
	int rc = load(&s, ref, ctx, err);
	if (rc)
		return rc;
	rc = tuf_keyid(id, s);
	*key = tuf_key_json(s);
	crypto_signer_free(s);
	if (rc || !*key)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	return 0;
}

int repo_init(const repo_init_opts *o, repo_load_fn load, void *ctx, ward_error *err)
{
	if (!o->nroot || !o->ntargets || !o->timestamp_key || !o->snapshot_key)
		return ward_err(err, WARD_EINVAL,
				"init needs root keys, targets keys, a timestamp key and a snapshot key");
	if (o->root_threshold < 1 || o->root_threshold > o->nroot || o->targets_threshold < 1 ||
	    o->targets_threshold > o->ntargets)
		return ward_err(err, WARD_EINVAL, "a threshold must be between 1 and the number of keys");
	WARD_AUTO(free) char *cfgpath = repo_path(o->dir, "ward-repo.json");
	if (!cfgpath)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	if (access(cfgpath, F_OK) == 0)
		return ward_err(err, WARD_EINVAL, "%s already exists", cfgpath);

	WARD_AUTO(json_decref) json_t *names = json_object();
	WARD_AUTO(json_decref) json_t *keys = json_object();
	WARD_AUTO(json_decref) json_t *rk = json_array();
	WARD_AUTO(json_decref) json_t *tk = json_array();
	int rc = add_keys(keys, rk, names, o->root_pubs, o->nroot, err);
	if (!rc)
		rc = add_keys(keys, tk, names, o->targets_pubs, o->ntargets, err);
	if (rc)
		return rc;
	char tsid[65], snid[65];
	json_t *tskey = NULL, *snkey = NULL;
	rc = online_keyid(tsid, o->timestamp_key, load, ctx, &tskey, err);
	if (!rc)
		rc = online_keyid(snid, o->snapshot_key, load, ctx, &snkey, err);
	if (rc) {
		json_decref(tskey);
		return rc;
	}
	json_object_set_new(keys, tsid, tskey);
	json_object_set_new(keys, snid, snkey);
	if (!json_object_get(names, tsid))
		json_object_set_new(names, tsid, json_string("timestamp (online)"));
	if (!json_object_get(names, snid))
		json_object_set_new(names, snid, json_string("snapshot (online)"));

	json_t *days = json_object();
	const char *dnames[5] = { "root", "timestamp", "snapshot", "targets", "delegated" };
	for (int i = 0; i < 5; i++)
		json_object_set_new(days, dnames[i],
				    json_integer(o->expiry_days[i] ? o->expiry_days[i] : default_days[i]));
	json_t *dev = json_array();
	for (size_t i = 0; i < o->ndev; i++)
		json_array_append_new(dev, json_string(o->dev_keyids[i]));
	WARD_AUTO(json_decref) json_t *cfg = json_pack(
		"{s:i, s:b, s:o, s:{s:s, s:s}, s:O, s:o}", "ward_repo", 1, "consistent_snapshot", 1,
		"expiry_days", days, "online_keys", "timestamp", o->timestamp_key, "snapshot",
		o->snapshot_key, "key_names", names, "dev_keys", dev);

	char rexp[32], texp[32];
	repo_expires(rexp, o->now, repo_expiry_days(cfg, "root"));
	repo_expires(texp, o->now, repo_expiry_days(cfg, "targets"));
	json_t *root = json_pack(
		"{s:s, s:s, s:i, s:s, s:b, s:O, s:{s:{s:O, s:i}, s:{s:[s], s:i}, s:{s:[s], s:i}, s:{s:O, s:i}}}",
		"_type", "root", "spec_version", "1.0.31", "version", 1, "expires", rexp,
		"consistent_snapshot", 1, "keys", keys, "roles", "root", "keyids", rk, "threshold",
		(int)o->root_threshold, "timestamp", "keyids", tsid, "threshold", 1, "snapshot",
		"keyids", snid, "threshold", 1, "targets", "keyids", tk, "threshold",
		(int)o->targets_threshold);
	json_t *targets = json_pack("{s:s, s:s, s:i, s:s, s:{}}", "_type", "targets", "spec_version",
				    "1.0.31", "version", 1, "expires", texp, "targets");
	WARD_AUTO(json_decref) json_t *change = json_pack(
		"{s:i, s:{s:{s:o, s:[]}, s:{s:o, s:[]}}}", "ward_change", 1, "roles", "root", "signed",
		root, "signatures", "targets", "signed", targets, "signatures");
	if (!cfg || !change)
		return ward_err(err, WARD_ENOMEM, "out of memory");

	static const char *const subdirs[] = { "published/metadata", "published/targets",
					       "staged/files" };
	for (size_t i = 0; i < 3; i++) {
		WARD_AUTO(free) char *d = repo_path(o->dir, subdirs[i]);
		if (!d)
			return ward_err(err, WARD_ENOMEM, "out of memory");
		rc = fs_mkdirs(d, err);
		if (rc)
			return rc;
	}
	rc = repo_change_save(o->dir, change, err);
	if (!rc)
		rc = repo_save_json(o->dir, "ward-repo.json", cfg, err);
	return rc;
}

/* The role a target goes to when none is named: its hash bin if the
 * repository uses hash-bin delegation, else "targets". */
static void default_role(char *out, size_t outlen, const json_t *cfg, const char *name)
{
	const json_t *bins = json_object_get(cfg, "bins");
	if (!bins) {
		snprintf(out, outlen, "targets");
		return;
	}
	unsigned bits = (unsigned)json_integer_value(json_object_get(bins, "bits"));
	uint8_t d[32];
	char hex[65];
	EVP_Digest(name, strlen(name), d, NULL, EVP_sha256(), NULL);
	hex_encode(hex, d, 32);
	snprintf(out, outlen, "%s-%.*s", json_string_value(json_object_get(bins, "prefix")),
		 (int)(bits / 4), hex);
}

bool repo_target_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (!n || n > WARD_LIMIT_TARGET_NAME || name[0] == '/' || name[n - 1] == '/')
		return false;
	for (const char *p = name; *p; p++) {
		if ((unsigned char)*p < 0x20)
			return false;
		if (p == name || p[-1] == '/') {
			size_t seg = strcspn(p, "/");
			if (seg == 0 || (seg == 1 && p[0] == '.') || (seg == 2 && p[0] == '.' && p[1] == '.'))
				return false;
		}
	}
	return true;
}

int repo_add_target(const char *dir, const char *name, const char *file, const char *custom,
		    const char *role, int64_t now, ward_error *err)
{
	if (!repo_target_name_ok(name))
		return ward_err(err, WARD_EINVAL, "\"%s\": not a valid target name", name);
	WARD_AUTO(json_decref) json_t *cfg = NULL;
	WARD_AUTO(json_decref) json_t *cj = NULL;
	WARD_AUTO(repo_edit_free) repo_edit *ed = NULL;
	int rc = repo_config_load(&cfg, dir, err);
	if (!rc && custom) {
		rc = wjson_parse(&cj, (const uint8_t *)custom, strlen(custom), 1 << 20, "--custom", err);
		if (!rc && !json_is_object(cj))
			rc = ward_err(err, WARD_EINVAL, "--custom must be a JSON object");
	}
	if (!rc)
		rc = repo_edit_begin(&ed, dir, cfg, now, err);
	char binrole[WARD_LIMIT_ROLE_NAME + 1];
	if (!rc && !role)
		default_role(binrole, sizeof(binrole), cfg, name);
	if (!rc)
		rc = repo_edit_role(ed, role ? role : binrole, err);
	json_int_t length = 0;
	json_t *hashes = NULL;
	if (!rc)
		rc = repo_stage_file(dir, file, &length, &hashes, err);
	if (rc)
		return rc;
	json_t *entry = json_pack("{s:I, s:o}", "length", length, "hashes", hashes);
	if (entry && cj)
		json_object_set(entry, "custom", cj);
	if (!entry)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	rc = repo_edit_add(ed, role ? role : binrole, name, entry, err);
	return rc ? rc : repo_edit_commit(ed, err);
}

struct walk {
	const char *repo;
	const char *role; /* the named role, or NULL: route to bins */
	repo_edit *ed;
	repo_stage *st;
	const json_t *cfg;
	size_t count;
	ward_error *err;
};

static int walk_dir(struct walk *w, const char *path, const char *name, int depth)
{
	if (depth > 32)
		return ward_err(w->err, WARD_ELIMIT, "%s: directories nested too deep", path);
	DIR *d = opendir(path);
	if (!d)
		return ward_err(w->err, WARD_EIO, "%s: %s", path, strerror(errno));
	int rc = 0;
	struct dirent *e;
	while (!rc && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		WARD_AUTO(free) char *p = fs_join(path, e->d_name);
		WARD_AUTO(free) char *n = name[0] ? fs_join(name, e->d_name) : strdup(e->d_name);
		struct stat st;
		if (!p || !n) {
			rc = ward_err(w->err, WARD_ENOMEM, "out of memory");
		} else if (lstat(p, &st) != 0) {
			rc = ward_err(w->err, WARD_EIO, "%s: %s", p, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk_dir(w, p, n, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			if (!repo_target_name_ok(n)) {
				rc = ward_err(w->err, WARD_EINVAL, "\"%s\": not a valid target name", n);
				break;
			}
			json_int_t length;
			json_t *hashes;
			rc = repo_stage_add(w->st, p, &length, &hashes, w->err);
			if (rc)
				break;
			char r[WARD_LIMIT_ROLE_NAME + 1];
			if (!w->role)
				default_role(r, sizeof(r), w->cfg, n);
			json_t *entry = json_pack("{s:I, s:o}", "length", length, "hashes", hashes);
			rc = entry ? repo_edit_add(w->ed, w->role ? w->role : r, n, entry, w->err)
				   : ward_err(w->err, WARD_ENOMEM, "out of memory");
			w->count++;
		}
	}
	closedir(d);
	return rc;
}

int repo_add_targets_dir(const char *dir, const char *src_dir, const char *prefix,
			 const char *role, int64_t now, size_t *count, ward_error *err)
{
	WARD_AUTO(json_decref) json_t *cfg = NULL;
	WARD_AUTO(repo_edit_free) repo_edit *ed = NULL;
	int rc = repo_config_load(&cfg, dir, err);
	if (!rc)
		rc = repo_edit_begin(&ed, dir, cfg, now, err);
	bool routed = !role && json_object_get(cfg, "bins");
	if (!rc && !routed)
		rc = repo_edit_role(ed, role ? role : "targets", err);
	if (rc)
		return rc;
	char pfx[WARD_LIMIT_TARGET_NAME];
	snprintf(pfx, sizeof(pfx), "%s", prefix ? prefix : "");
	size_t pl = strlen(pfx);
	while (pl && pfx[pl - 1] == '/')
		pfx[--pl] = '\0';
	WARD_AUTO(repo_stage_free) repo_stage *st = NULL;
	rc = repo_stage_begin(&st, dir, err);
	if (rc)
		return rc;
	struct walk w = { dir, routed ? NULL : role ? role : "targets", ed, st, cfg, 0, err };
	rc = walk_dir(&w, src_dir, pfx, 0);
	if (!rc)
		rc = repo_stage_commit(st, err); /* durable before the change names the files */
	if (rc)
		return rc;
	*count = w.count;
	return repo_edit_commit(ed, err);
}

int repo_remove_target(const char *dir, const char *name, const char *role, int64_t now,
		       ward_error *err)
{
	WARD_AUTO(json_decref) json_t *cfg = NULL;
	WARD_AUTO(repo_edit_free) repo_edit *ed = NULL;
	int rc = repo_config_load(&cfg, dir, err);
	if (!rc)
		rc = repo_edit_begin(&ed, dir, cfg, now, err);
	char binrole[WARD_LIMIT_ROLE_NAME + 1];
	if (!rc && !role) {
		default_role(binrole, sizeof(binrole), cfg, name);
		role = binrole;
	}
	if (!rc)
		rc = repo_edit_remove(ed, role, name, err);
	return rc ? rc : repo_edit_commit(ed, err);
}

int repo_delegate(const char *dir, const char *from, const char *name,
		  const char *const *pubs, size_t npubs, unsigned threshold,
		  const char *const *paths, size_t npaths, bool terminating, int64_t now,
		  ward_error *err)
{
	if (!npubs || threshold < 1 || threshold > npubs || !npaths)
		return ward_err(err, WARD_EINVAL,
				"a delegation needs keys, a threshold between 1 and their number, and paths");
	if (!name[0] || strlen(name) > WARD_LIMIT_ROLE_NAME || strchr(name, '/') ||
	    name[0] == '.' || strcmp(name, "root") == 0 || strcmp(name, "targets") == 0 ||
	    strcmp(name, "snapshot") == 0 || strcmp(name, "timestamp") == 0)
		return ward_err(err, WARD_EINVAL, "\"%s\": not a valid role name", name);
	WARD_AUTO(json_decref) json_t *cfg = NULL;
	WARD_AUTO(json_decref) json_t *change = NULL;
	int rc = repo_config_load(&cfg, dir, err);
	if (!rc)
		rc = repo_change_load(&change, dir, true, err);
	json_t *s = NULL;
	if (!rc)
		rc = repo_change_role(&s, change, dir, cfg, from, now, err);
	if (rc)
		return rc;
	json_t *d = json_object_get(s, "delegations");
	if (!d) {
		d = json_pack("{s:{}, s:[]}", "keys", "roles");
		json_object_set_new(s, "delegations", d);
	}
	json_t *roles = json_object_get(d, "roles");
	size_t i;
	json_t *r;
	json_array_foreach(roles, i, r) if (strcmp(json_string_value(json_object_get(r, "name")), name) == 0)
		return ward_err(err, WARD_EINVAL, "%s already delegates to %s", from, name);
	json_t *keyids = json_array(), *pj = json_array();
	rc = add_keys(json_object_get(d, "keys"), keyids, json_object_get(cfg, "key_names"), pubs,
		      npubs, err);
	for (i = 0; i < npaths; i++)
		json_array_append_new(pj, json_string(paths[i]));
	json_array_append_new(roles, json_pack("{s:s, s:o, s:i, s:b, s:o}", "name", name, "keyids",
					       keyids, "threshold", (int)threshold, "terminating",
					       terminating, "paths", pj));
	if (rc)
		return rc;
	/* The new role starts empty, version 1, signed by its own keys. */
	char exp[32];
	repo_expires(exp, now, repo_expiry_days(cfg, "delegated"));
	json_object_set_new(json_object_get(change, "roles"), name,
			    json_pack("{s:{s:s, s:s, s:i, s:s, s:{}}, s:[]}", "signed", "_type",
				      "targets", "spec_version", "1.0.31", "version", 1, "expires",
				      exp, "targets", "signatures"));
	rc = repo_save_json(dir, "ward-repo.json", cfg, err);
	return rc ? rc : repo_change_save(dir, change, err);
}

int repo_delegate_bins(const char *dir, const char *from, const char *prefix, unsigned bits,
		       const char *const *pubs, size_t npubs, unsigned threshold, int64_t now,
		       ward_error *err)
{
	if (bits != 4 && bits != 8 && bits != 12 && bits != 16)
		return ward_err(err, WARD_EINVAL, "--bits must be 4, 8, 12 or 16");
	if (!npubs || threshold < 1 || threshold > npubs)
		return ward_err(err, WARD_EINVAL, "hash bins need keys and a threshold between 1 and their number");
	if (!prefix[0] || strlen(prefix) > 64 || strchr(prefix, '/') || prefix[0] == '.')
		return ward_err(err, WARD_EINVAL, "\"%s\": not a valid bin name prefix", prefix);
	WARD_AUTO(json_decref) json_t *cfg = NULL;
	WARD_AUTO(json_decref) json_t *change = NULL;
	int rc = repo_config_load(&cfg, dir, err);
	if (!rc && json_object_get(cfg, "bins"))
		rc = ward_err(err, WARD_EINVAL, "%s already uses hash-bin delegation", dir);
	if (!rc)
		rc = repo_change_load(&change, dir, true, err);
	json_t *s = NULL;
	if (!rc)
		rc = repo_change_role(&s, change, dir, cfg, from, now, err);
	if (rc)
		return rc;
	json_t *d = json_object_get(s, "delegations");
	if (!d) {
		d = json_pack("{s:{}, s:[]}", "keys", "roles");
		json_object_set_new(s, "delegations", d);
	}
	WARD_AUTO(json_decref) json_t *keyids = json_array();
	rc = add_keys(json_object_get(d, "keys"), keyids, json_object_get(cfg, "key_names"), pubs,
		      npubs, err);
	if (rc)
		return rc;
	char exp[32];
	repo_expires(exp, now, repo_expiry_days(cfg, "delegated"));
	unsigned n = 1u << bits, width = bits / 4;
	for (unsigned b = 0; b < n; b++) {
		char name[96], hex[16];
		snprintf(hex, sizeof(hex), "%0*x", (int)width, b);
		snprintf(name, sizeof(name), "%s-%s", prefix, hex);
		json_array_append_new(json_object_get(d, "roles"),
				      json_pack("{s:s, s:O, s:i, s:b, s:[s]}", "name", name, "keyids",
						keyids, "threshold", (int)threshold, "terminating", 1,
						"path_hash_prefixes", hex));
		json_object_set_new(json_object_get(change, "roles"), name,
				    json_pack("{s:{s:s, s:s, s:i, s:s, s:{}}, s:[]}", "signed", "_type",
					      "targets", "spec_version", "1.0.31", "version", 1,
					      "expires", exp, "targets", "signatures"));
	}
	json_object_set_new(cfg, "bins", json_pack("{s:s, s:s, s:i}", "from", from, "prefix", prefix,
						    "bits", (int)bits));
	rc = repo_save_json(dir, "ward-repo.json", cfg, err);
	return rc ? rc : repo_change_save(dir, change, err);
}

int repo_rotate_online(const char *dir, const char *role, const char *ref, repo_load_fn load,
		       void *ctx, int64_t now, ward_error *err)
{
	if (strcmp(role, "timestamp") != 0 && strcmp(role, "snapshot") != 0)
		return ward_err(err, WARD_EINVAL, "%s is not an online role", role);
	WARD_AUTO(json_decref) json_t *cfg = NULL;
	WARD_AUTO(json_decref) json_t *change = NULL;
	json_t *key = NULL;
	char id[65];
	int rc = repo_config_load(&cfg, dir, err);
	if (!rc)
		rc = online_keyid(id, ref, load, ctx, &key, err);
	if (rc)
		return rc;
	rc = repo_change_load(&change, dir, true, err);
	json_t *s = NULL;
	if (!rc)
		rc = repo_change_role(&s, change, dir, cfg, "root", now, err);
	if (rc) {
		json_decref(key);
		return rc;
	}
	json_object_set_new(json_object_get(s, "keys"), id, key);
	json_t *r = json_object_get(json_object_get(s, "roles"), role);
	json_object_set_new(r, "keyids", json_pack("[s]", id));
	json_object_set_new(r, "threshold", json_integer(1));
	/* applied to ward-repo.json by publish, once root carries the key */
	json_t *pending = json_object_get(change, "online_keys");
	if (!pending) {
		pending = json_object();
		json_object_set_new(change, "online_keys", pending);
	}
	json_object_set_new(pending, role, json_string(ref));
	char name[64];
	snprintf(name, sizeof(name), "%s (online)", role);
	json_object_set_new(json_object_get(cfg, "key_names"), id, json_string(name));
	rc = repo_save_json(dir, "ward-repo.json", cfg, err);
	return rc ? rc : repo_change_save(dir, change, err);
}

int repo_rotate(const char *dir, const char *role, const char *const *add_pubs, size_t nadd,
		const char *const *remove_keyids, size_t nremove, unsigned threshold, int64_t now,
		ward_error *err)
{
	int idx = -1;
	for (int i = 0; i < 4; i++)
		if (strcmp(role, repo_role_names[i]) == 0)
			idx = i;
	if (idx < 0)
		return ward_err(err, WARD_EINVAL,
				"%s: rotate works on root, timestamp, snapshot and targets; "
				"delegated roles are re-delegated", role);
	WARD_AUTO(json_decref) json_t *cfg = NULL;
	WARD_AUTO(json_decref) json_t *change = NULL;
	int rc = repo_config_load(&cfg, dir, err);
	if (!rc)
		rc = repo_change_load(&change, dir, true, err);
	json_t *s = NULL;
	if (!rc)
		rc = repo_change_role(&s, change, dir, cfg, "root", now, err);
	if (rc)
		return rc;
	json_t *r = json_object_get(json_object_get(s, "roles"), role);
	json_t *keyids = json_object_get(r, "keyids");
	for (size_t i = 0; i < nremove; i++) {
		size_t j, found = SIZE_MAX;
		json_t *v;
		json_array_foreach(keyids, j, v)
			if (strncmp(json_string_value(v), remove_keyids[i], strlen(remove_keyids[i])) == 0 &&
			    strlen(remove_keyids[i]) >= 8)
				found = j;
		if (found == SIZE_MAX)
			return ward_err(err, WARD_ENOTFOUND, "%s has no key %.64s", role, remove_keyids[i]);
		json_array_remove(keyids, found);
	}
	rc = add_keys(json_object_get(s, "keys"), keyids, json_object_get(cfg, "key_names"), add_pubs,
		      nadd, err);
	if (rc)
		return rc;
	if (threshold)
		json_object_set_new(r, "threshold", json_integer(threshold));
	size_t nk = json_array_size(keyids);
	json_int_t thr = json_integer_value(json_object_get(r, "threshold"));
	if (nk == 0 || thr < 1 || (size_t)thr > nk)
		return ward_err(err, WARD_EINVAL, "%s would have %zu keys and threshold %lld", role, nk,
				(long long)thr);
	/* Drop keys no role uses any more. */
	const char *kid;
	json_t *kv, *tmp;
	json_t *allkeys = json_object_get(s, "keys");
	json_object_foreach_safe(allkeys, tmp, kid, kv)
	{
		bool used = false;
		for (int i = 0; i < 4 && !used; i++) {
			size_t j;
			json_t *v;
			json_array_foreach(json_object_get(json_object_get(json_object_get(s, "roles"),
									   repo_role_names[i]),
							   "keyids"),
					   j, v) used |= strcmp(json_string_value(v), kid) == 0;
		}
		if (!used)
			json_object_del(allkeys, kid);
	}
	rc = repo_save_json(dir, "ward-repo.json", cfg, err);
	return rc ? rc : repo_change_save(dir, change, err);
}
