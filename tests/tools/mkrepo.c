/*
 * ward-mkrepo - writes a TUF repository from a JSON description, with
 * libward's metadata model and signing.  For tests, the demo and the
 * benchmarks: keys are kept UNENCRYPTED in KEYS_DIR (0600) and generated on
 * first use, which is fine for throwaway test repositories and wrong for
 * anything else (`ward repo` is the tool for real repositories).
 *
 *   ward-mkrepo KEYS_DIR OUT_DIR SPEC.json
 *
 * SPEC (every field optional unless noted):
 * {
 *   "expires": "2030-01-01T00:00:00Z",       default expiry of every role
 *   "consistent_snapshot": true,
 *   "schemes": {"keyname": "ecdsa-sha2-nistp256"},   default ed25519
 *   "root": {"version": 1, "roles": {"root": {"keys": ["r1"], "threshold": 1},
 *            "timestamp": {...}, "snapshot": {...}, "targets": {...}},
 *            "sign": ["r1"]},                  or an array of such, written in order
 *   "targets": {"version": 1, "sign": [...], "expires": ...,
 *               "files": {"name": {"content": "text", "custom": {...}}},
 *               "synthetic": 1000,             N listed targets without files
 *               "hash_bins": {"count": 256, "keys": ["b"], "threshold": 1,
 *                             "synthetic": N},   256 bins, bin-XX = hash prefix XX
 *               (a synthetic target "file-NNNNNNN.bin" has its own name as content)
 *               "delegations": [{"name": "team", "keys": ["d1"], "threshold": 1,
 *                                "paths": ["team/STAR"], "terminating": false}]},  (STAR = *)
 *   "roles": {"team": {same fields as targets}},
 *   "snapshot": {"version": 1, "sign": [...]},
 *   "timestamp": {"version": 1, "sign": [...]}
 * }
 * "sign" defaults to the role's keys.  Snapshot and timestamp list the
 * lengths and hashes of what was written.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/key.h"
#include "json/json.h"
#include "tuf/sign.h"
#include "util/fs.h"
#include "util/hex.h"

static const char *keys_dir, *out_dir;
static const json_t *spec;
static char meta_dir[4096], tgt_dir[4096];

static void die(const char *what, const ward_error *e)
{
	fprintf(stderr, "ward-mkrepo: %s: %s\n", what, e && e->msg[0] ? e->msg : "failed");
	exit(1);
}

static const char *str_or(const json_t *o, const char *k, const char *dflt)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : dflt;
}

static long long int_or(const json_t *o, const char *k, long long dflt)
{
	const json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* Loads keys_dir/NAME.pem, generating it on first use. */
static crypto_signer *load_key(const char *name)
{
	static struct {
		char name[64];
		crypto_signer *s;
	} cache[256];
	static size_t ncache;
	for (size_t i = 0; i < ncache; i++)
		if (strcmp(cache[i].name, name) == 0)
			return cache[i].s;
	ward_error e = { 0 };
	char file[128];
	snprintf(file, sizeof(file), "%s.pem", name);
	WARD_AUTO(free) char *path = fs_join(keys_dir, file);
	ward_buf pem = WARD_BUF_INIT(1 << 16);
	crypto_signer *s = NULL;
	if (fs_read_file(&pem, path, 1 << 16, &e) == 0) {
		if (crypto_signer_from_pem(&s, (const char *)pem.ptr, pem.len, NULL, &e))
			die(name, &e);
	} else {
		const char *scheme = str_or(json_object_get(spec, "schemes"), name, "ed25519");
		if (crypto_signer_generate(&s, scheme, &e) != 0)
			die(name, &e);
		ward_buf out = WARD_BUF_INIT(1 << 16);
		if (crypto_signer_to_pem(s, &out, &e) != 0 ||
		    fs_write_atomic(keys_dir, file, out.ptr, out.len, 0600, &e) != 0)
			die(name, &e);
		buf_dispose_secret(&out);
	}
	buf_dispose_secret(&pem);
	if (ncache == 256 || strlen(name) >= 64) {
		fprintf(stderr, "ward-mkrepo: too many keys or name too long\n");
		exit(1);
	}
	snprintf(cache[ncache].name, 64, "%s", name);
	cache[ncache++].s = s;
	return s;
}

static json_t *keyids_of(const json_t *names, json_t *keys_out)
{
	json_t *ids = json_array();
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n)
	{
		crypto_signer *s = load_key(json_string_value(n));
		char id[65];
		if (tuf_keyid(id, s) != 0)
			die("keyid", NULL);
		json_array_append_new(ids, json_string(id));
		json_object_set_new(keys_out, id, tuf_key_json(s));
	}
	return ids;
}

static void write_meta(const char *name, long long version, bool versioned_copy,
		       const json_t *signed_obj, const json_t *signers, ward_buf *out)
{
	crypto_signer *s[64];
	size_t n = 0;
	size_t i;
	json_t *k;
	json_array_foreach(signers, i, k) if (n < 64) s[n++] = load_key(json_string_value(k));
	ward_error e = { 0 };
	buf_init(out, (size_t)1 << 30);
	if (tuf_sign_envelope(out, signed_obj, s, n, &e) != 0)
		die(name, &e);
	char file[512];
	snprintf(file, sizeof(file), "%s.json", name);
	if (fs_write_atomic(meta_dir, file, out->ptr, out->len, 0644, &e) != 0)
		die(file, &e);
	if (versioned_copy) {
		snprintf(file, sizeof(file), "%lld.%s.json", version, name);
		if (fs_write_atomic(meta_dir, file, out->ptr, out->len, 0644, &e) != 0)
			die(file, &e);
	}
}

static json_t *hashes_of(const uint8_t *p, size_t len)
{
	uint8_t d256[32], d512[64];
	char h256[65], h512[129];
	EVP_Digest(p, len, d256, NULL, EVP_sha256(), NULL);
	EVP_Digest(p, len, d512, NULL, EVP_sha512(), NULL);
	hex_encode(h256, d256, 32);
	hex_encode(h512, d512, 64);
	return json_pack("{s:s, s:s}", "sha256", h256, "sha512", h512);
}

static const char *expires_of(const json_t *role)
{
	return str_or(role, "expires", str_or(spec, "expires", "2030-01-01T00:00:00Z"));
}

static json_t *role_header(const char *type, const json_t *role)
{
	return json_pack("{s:s, s:s, s:I, s:s}", "_type", type, "spec_version", "1.0.31", "version",
			 (json_int_t)int_or(role, "version", 1), "expires", expires_of(role));
}

static void write_root(const json_t *r)
{
	json_t *s = role_header("root", r);
	json_t *keys = json_object(), *roles = json_object();
	const json_t *rs = json_object_get(r, "roles");
	const char *names[] = { "root", "timestamp", "snapshot", "targets" };
	for (int i = 0; i < 4; i++) {
		const json_t *role = json_object_get(rs, names[i]);
		json_t *ids = keyids_of(json_object_get(role, "keys"), keys);
		json_object_set_new(roles, names[i],
				    json_pack("{s:o, s:I}", "keyids", ids, "threshold",
					      (json_int_t)int_or(role, "threshold", 1)));
	}
	json_object_set_new(s, "keys", keys);
	json_object_set_new(s, "roles", roles);
	json_object_set(s, "consistent_snapshot",
			json_is_false(json_object_get(spec, "consistent_snapshot")) ? json_false()
										     : json_true());
	const json_t *sign = json_object_get(r, "sign");
	if (!sign)
		sign = json_object_get(json_object_get(rs, "root"), "keys");
	ward_buf out;
	write_meta("root", int_or(r, "version", 1), true, s, sign, &out);
	buf_dispose(&out);
	json_decref(s);
}

static void write_target_file(const char *name, const uint8_t *p, size_t len, const char *sha256)
{
	/* Both the plain name and the consistent HASH.NAME are written. */
	char rel[4096], full[8192];
	const char *slash = strrchr(name, '/');
	size_t dirlen = slash ? (size_t)(slash - name) + 1 : 0;
	snprintf(rel, sizeof(rel), "%.*s%s.%s", (int)dirlen, name, sha256, name + dirlen);
	const char *both[] = { name, rel };
	for (int i = 0; i < 2; i++) {
		snprintf(full, sizeof(full), "%s/%s", tgt_dir, both[i]);
		char *d = strdup(full);
		*strrchr(d, '/') = '\0';
		ward_error e = { 0 };
		if (fs_mkdirs(d, &e) != 0 ||
		    fs_write_atomic(d, strrchr(full, '/') + 1, p, len, 0644, &e) != 0)
			die(full, &e);
		free(d);
	}
}

/* Writes a targets role (top-level or delegated) and records it in snap. */
static void write_targets(const char *name, const json_t *t, json_t *snapmeta)
{
	json_t *s = role_header("targets", t);
	json_t *targets = json_object();
	const char *path;
	json_t *f;
	json_object_foreach(json_object_get(t, "files"), path, f)
	{
		const char *content = str_or(f, "content", "");
		json_t *h = hashes_of((const uint8_t *)content, strlen(content));
		write_target_file(path, (const uint8_t *)content, strlen(content),
				  json_string_value(json_object_get(h, "sha256")));
		json_t *entry = json_pack("{s:I, s:o}", "length", (json_int_t)strlen(content),
					  "hashes", h);
		json_t *custom = json_object_get(f, "custom");
		if (custom)
			json_object_set(entry, "custom", custom);
		json_object_set_new(targets, path, entry);
	}
	long long synth = int_or(t, "synthetic", 0);
	for (long long i = 0; i < synth; i++) {
		char tname[64];
		snprintf(tname, sizeof(tname), "file-%07lld.bin", i);
		json_object_set_new(targets, tname,
				    json_pack("{s:I, s:o}", "length", (json_int_t)strlen(tname),
					      "hashes",
					      hashes_of((const uint8_t *)tname, strlen(tname))));
	}
	json_t *deleg = NULL;
	const json_t *bins = json_object_get(t, "hash_bins");
	const json_t *dl = json_object_get(t, "delegations");
	if (bins || dl) {
		json_t *keys = json_object(), *roles = json_array();
		size_t i;
		json_t *d;
		json_array_foreach(dl, i, d)
		{
			json_t *r = json_pack("{s:s, s:o, s:I, s:b}", "name",
					      str_or(d, "name", ""), "keyids",
					      keyids_of(json_object_get(d, "keys"), keys),
					      "threshold", (json_int_t)int_or(d, "threshold", 1),
					      "terminating",
					      json_is_true(json_object_get(d, "terminating")));
			if (json_object_get(d, "paths"))
				json_object_set(r, "paths", json_object_get(d, "paths"));
			if (json_object_get(d, "path_hash_prefixes"))
				json_object_set(r, "path_hash_prefixes",
						json_object_get(d, "path_hash_prefixes"));
			json_array_append_new(roles, r);
		}
		if (bins) {
			/* Hash-bin delegation with path_hash_prefixes, as
			 * python-tuf's hashed_bin_delegation example does. */
			long long count = int_or(bins, "count", 256);
			json_t *ids = keyids_of(json_object_get(bins, "keys"), keys);
			/* each bin gets its own targets from the synthetic set */
			for (long long b = 0; b < count; b++) {
				char bname[64], prefix[24];
				snprintf(bname, sizeof(bname), "bin-%02llx", b);
				snprintf(prefix, sizeof(prefix), "%02llx", b);
				json_array_append_new(
					roles, json_pack("{s:s, s:O, s:I, s:b, s:[s]}", "name", bname,
							 "keyids", ids, "threshold",
							 (json_int_t)int_or(bins, "threshold", 1),
							 "terminating", 0, "path_hash_prefixes",
							 prefix));
			}
			json_decref(ids);
		}
		deleg = json_pack("{s:o, s:o}", "keys", keys, "roles", roles);
		json_object_set_new(s, "delegations", deleg);
	}
	json_object_set_new(s, "targets", targets);
	const json_t *sign = json_object_get(t, "sign");
	json_t *dflt = NULL;
	if (!sign && strcmp(name, "targets") == 0)
		sign = json_object_get(json_object_get(json_object_get(json_object_get(spec, "root"), "roles"), "targets"), "keys");
	if (!sign) {
		/* a delegated role: the keys its delegation (from any role) names */
		const char *rn;
		json_t *r;
		json_t *all = json_object();
		json_object_set(all, "targets", json_object_get(spec, "targets"));
		json_object_update(all, json_object_get(spec, "roles"));
		json_object_foreach(all, rn, r)
		{
			size_t i;
			json_t *d;
			json_array_foreach(json_object_get(r, "delegations"), i, d)
				if (strcmp(str_or(d, "name", ""), name) == 0)
					sign = json_object_get(d, "keys");
		}
		json_decref(all);
	}
	if (!sign) {
		dflt = json_array();
		sign = dflt;
	}
	ward_buf out;
	long long version = int_or(t, "version", 1);
	write_meta(name, version, true, s, sign, &out);
	char mname[512];
	snprintf(mname, sizeof(mname), "%s.json", name);
	json_object_set_new(snapmeta, mname,
			    json_pack("{s:I, s:I, s:o}", "version", (json_int_t)version, "length",
				      (json_int_t)out.len, "hashes", hashes_of(out.ptr, out.len)));
	buf_dispose(&out);
	json_decref(dflt);
	json_decref(s);
}

/* Hash-bin roles of a targets spec with "hash_bins" share its synthetic
 * targets: bin-XX holds the names whose SHA-256 starts with XX. */
static void write_bins(const json_t *t, json_t *snapmeta)
{
	const json_t *bins = json_object_get(t, "hash_bins");
	if (!bins)
		return;
	long long count = int_or(bins, "count", 256), synth = int_or(bins, "synthetic", 0);
	/* One bin per first byte of the path hash: prefixes are two hex digits. */
	if (count != 256) {
		fprintf(stderr, "ward-mkrepo: hash_bins.count must be 256\n");
		exit(2);
	}
	json_t **per = calloc((size_t)count, sizeof(*per));
	for (long long b = 0; b < count; b++)
		per[b] = json_object();
	for (long long i = 0; i < synth; i++) {
		char tname[64];
		uint8_t d[32];
		snprintf(tname, sizeof(tname), "file-%07lld.bin", i);
		EVP_Digest(tname, strlen(tname), d, NULL, EVP_sha256(), NULL);
		json_object_set_new(per[d[0] % count], tname,
				    json_pack("{s:I, s:o}", "length", (json_int_t)strlen(tname),
					      "hashes",
					      hashes_of((const uint8_t *)tname, strlen(tname))));
	}
	for (long long b = 0; b < count; b++) {
		char bname[64];
		snprintf(bname, sizeof(bname), "bin-%02llx", b);
		json_t *role = json_pack("{s:I, s:s, s:O}", "version", (json_int_t)int_or(t, "version", 1),
					 "expires", expires_of(t), "sign", json_object_get(bins, "keys"));
		json_t *s = role_header("targets", role);
		json_object_set_new(s, "targets", per[b]);
		ward_buf out;
		write_meta(bname, int_or(t, "version", 1), true, s, json_object_get(bins, "keys"), &out);
		char mname[80];
		snprintf(mname, sizeof(mname), "%s.json", bname);
		json_object_set_new(snapmeta, mname,
				    json_pack("{s:I, s:I, s:o}", "version",
					      (json_int_t)int_or(t, "version", 1), "length",
					      (json_int_t)out.len, "hashes", hashes_of(out.ptr, out.len)));
		buf_dispose(&out);
		json_decref(s);
		json_decref(role);
	}
	free(per);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: ward-mkrepo KEYS_DIR OUT_DIR SPEC.json\n");
		return 2;
	}
	keys_dir = argv[1];
	out_dir = argv[2];
	json_error_t jerr;
	json_t *sp = json_load_file(argv[3], JSON_REJECT_DUPLICATES, &jerr);
	if (!sp) {
		fprintf(stderr, "ward-mkrepo: %s:%d: %s\n", argv[3], jerr.line, jerr.text);
		return 2;
	}
	spec = sp;
	snprintf(meta_dir, sizeof(meta_dir), "%s/metadata", out_dir);
	snprintf(tgt_dir, sizeof(tgt_dir), "%s/targets", out_dir);
	ward_error e = { 0 };
	if (fs_mkdirs(keys_dir, &e) || fs_mkdirs(meta_dir, &e) || fs_mkdirs(tgt_dir, &e))
		die(out_dir, &e);

	const json_t *root = json_object_get(spec, "root");
	if (json_is_array(root)) {
		size_t i;
		json_t *r;
		json_array_foreach(root, i, r) write_root(r);
		json_object_set(sp, "root", json_array_get(root, json_array_size(root) - 1));
	} else if (root) {
		write_root(root);
	}

	json_t *snapmeta = json_object();
	const json_t *targets = json_object_get(spec, "targets");
	if (targets) {
		write_targets("targets", targets, snapmeta);
		write_bins(targets, snapmeta);
	}
	const char *rname;
	json_t *r;
	json_object_foreach(json_object_get(spec, "roles"), rname, r) write_targets(rname, r, snapmeta);

	const json_t *snap = json_object_get(spec, "snapshot");
	const json_t *rroles = json_object_get(json_object_get(spec, "root"), "roles");
	json_t *s = role_header("snapshot", snap);
	json_object_set_new(s, "meta", snapmeta);
	const json_t *sign = json_object_get(snap, "sign");
	if (!sign)
		sign = json_object_get(json_object_get(rroles, "snapshot"), "keys");
	ward_buf out;
	long long sv = int_or(snap, "version", 1);
	write_meta("snapshot", sv, true, s, sign, &out);
	json_decref(s);

	const json_t *ts = json_object_get(spec, "timestamp");
	s = role_header("timestamp", ts);
	json_object_set_new(s, "meta",
			    json_pack("{s:{s:I, s:I, s:o}}", "snapshot.json", "version",
				      (json_int_t)sv, "length", (json_int_t)out.len, "hashes",
				      hashes_of(out.ptr, out.len)));
	buf_dispose(&out);
	sign = json_object_get(ts, "sign");
	if (!sign)
		sign = json_object_get(json_object_get(rroles, "timestamp"), "keys");
	write_meta("timestamp", int_or(ts, "version", 1), false, s, sign, &out);
	buf_dispose(&out);
	json_decref(s);
	json_decref(sp);
	return 0;
}
