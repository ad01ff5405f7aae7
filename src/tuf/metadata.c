/* metadata.c - strict parsing and signature thresholds for TUF metadata. */
#include "tuf/metadata.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "json/json.h"
#include "tuf/time.h"
#include "util/hex.h"
#include "util/limits.h"

static const char *const type_names[] = { "root", "timestamp", "snapshot", "targets" };

const char *tuf_type_name(tuf_type t)
{
	return type_names[t];
}

static void role_dispose(tuf_role *r)
{
	free(r->keyids);
	free(r->paths);
	free(r->prefixes);
}

static void keyset_dispose(tuf_keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		crypto_key_free(ks->v[i].key);
	free(ks->v);
}

void tuf_meta_free(tuf_meta *m)
{
	if (!m)
		return;
	free(m->raw);
	json_decref(m->doc);
	buf_dispose(&m->canonical);
	free(m->sigs);
	free(m->verified);
	keyset_dispose(&m->keys);
	for (size_t i = 0; i < 4; i++)
		role_dispose(&m->roles[i]);
	for (size_t i = 0; i < m->ndelegations; i++)
		role_dispose(&m->delegations[i]);
	free(m->delegations);
	role_dispose(&m->succinct.role);
	free(m);
}

/* An array of distinct strings, borrowed.  TUF 4.3: keyids in a role are
 * unique; duplicates would let one key count twice in naive clients. */
static int str_array(const char ***out, size_t *n, const json_t *arr, size_t max, bool distinct,
		     const char *what, const char *field, ward_error *err)
{
	size_t len = json_array_size(arr);
	if (len > max)
		return ward_err(err, WARD_ELIMIT, "%s: \"%s\" has %zu entries > limit %zu", what,
				field, len, max);
	const char **v = calloc(len ? len : 1, sizeof(*v));
	if (!v)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		const json_t *e = json_array_get(arr, i);
		if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e)) {
			free(v);
			return ward_err(err, WARD_EINVAL, "%s: \"%s\"[%zu] is not a string", what,
					field, i);
		}
		const char *s = json_string_value(e);
		for (size_t j = 0; distinct && j < i; j++) {
			if (strcmp(v[j], s) == 0) {
				free(v);
				return ward_err(err, WARD_EINVAL, "%s: \"%s\" lists %.64s twice", what,
						field, s);
			}
		}
		v[i] = s;
	}
	*out = v;
	*n = len;
	return 0;
}

static int parse_role(tuf_role *r, const json_t *obj, const char *what, ward_error *err)
{
	if (!json_is_object(obj))
		return ward_err(err, WARD_EINVAL, "%s: role is not an object", what);
	json_t *keyids;
	long long thr = 0;
	int rc = wjson_get_arr(&keyids, obj, "keyids", false, what, err);
	if (!rc)
		rc = wjson_get_int(&thr, obj, "threshold", 1, WARD_LIMIT_KEYS, false, what, err);
	if (!rc)
		rc = str_array(&r->keyids, &r->nkeyids, keyids, WARD_LIMIT_KEYS, true, what,
			       "keyids", err);
	r->threshold = (unsigned)thr;
	return rc;
}

static int parse_keys(tuf_keyset *ks, const json_t *keys, const char *what, ward_error *err)
{
	size_t n = json_object_size(keys);
	if (n > WARD_LIMIT_KEYS)
		return ward_err(err, WARD_ELIMIT, "%s: %zu keys > limit %d", what, n, WARD_LIMIT_KEYS);
	ks->v = calloc(n ? n : 1, sizeof(*ks->v));
	if (!ks->v)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	const char *keyid;
	json_t *k;
	json_object_foreach((json_t *)(uintptr_t)keys, keyid, k)
	{
		char kwhat[128];
		snprintf(kwhat, sizeof(kwhat), "%s: key %.16s", what, keyid);
		if (!json_is_object(k))
			return ward_err(err, WARD_EINVAL, "%s is not an object", kwhat);
		const char *keytype, *scheme, *pub;
		json_t *keyval;
		int rc = wjson_get_str(&keytype, k, "keytype", false, kwhat, err);
		if (!rc)
			rc = wjson_get_str(&scheme, k, "scheme", false, kwhat, err);
		if (!rc)
			rc = wjson_get_obj(&keyval, k, "keyval", false, kwhat, err);
		if (!rc)
			rc = wjson_get_str(&pub, keyval, "public", false, kwhat, err);
		if (rc)
			return rc;
		tuf_keyref *ref = &ks->v[ks->n++];
		ref->keyid = keyid;
		/* Unsupported or undecodable keys stay NULL: never verify. */
		if (crypto_key_from_tuf(&ref->key, keytype, scheme, pub, NULL) != 0)
			ref->key = NULL;
	}
	return 0;
}

static int parse_hashes(const json_t *hashes, const char *what, ward_error *err)
{
	if (!json_is_object(hashes) || json_object_size(hashes) == 0)
		return ward_err(err, WARD_EINVAL, "%s: \"hashes\" is not a non-empty object", what);
	const char *alg;
	json_t *h;
	json_object_foreach((json_t *)(uintptr_t)hashes, alg, h)
	{
		if (!json_is_string(h))
			return ward_err(err, WARD_EINVAL, "%s: hash %s is not a string", what, alg);
	}
	return 0;
}

static int parse_metafile(tuf_metafile *out, const json_t *e, const char *what, ward_error *err)
{
	if (!json_is_object(e))
		return ward_err(err, WARD_EINVAL, "%s: entry is not an object", what);
	out->length = -1;
	out->hashes = NULL;
	int rc = wjson_get_int(&out->version, e, "version", 1, WARD_LIMIT_VERSION_MAX, false,
			       what, err);
	if (!rc)
		rc = wjson_get_int(&out->length, e, "length", 0, WARD_LIMIT_VERSION_MAX, true, what,
				   err);
	json_t *h = json_object_get(e, "hashes");
	if (!rc && h) {
		rc = parse_hashes(h, what, err);
		out->hashes = h;
	}
	return rc;
}

static int parse_meta_map(tuf_meta *m, const char *what, ward_error *err)
{
	json_t *meta;
	int rc = wjson_get_obj(&meta, m->signed_obj, "meta", false, what, err);
	if (rc)
		return rc;
	const char *name;
	json_t *e;
	json_object_foreach(meta, name, e)
	{
		char ewhat[160];
		snprintf(ewhat, sizeof(ewhat), "%s: meta \"%.64s\"", what, name);
		tuf_metafile mf;
		rc = parse_metafile(&mf, e, ewhat, err);
		if (rc)
			return rc;
	}
	if (m->type == TUF_TIMESTAMP &&
	    (json_object_size(meta) != 1 || !json_object_get(meta, "snapshot.json")))
		return ward_err(err, WARD_EINVAL, "%s: meta must list exactly snapshot.json", what);
	m->meta = meta;
	return 0;
}

static bool role_name_ok(const char *name)
{
	size_t len = strlen(name);
	return len > 0 && len <= WARD_LIMIT_ROLE_NAME && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

static int parse_delegations(tuf_meta *m, const json_t *d, const char *what, ward_error *err)
{
	json_t *keys, *roles, *succ;
	int rc = wjson_get_obj(&keys, d, "keys", false, what, err);
	if (!rc)
		rc = wjson_get_arr(&roles, d, "roles", true, what, err);
	if (!rc)
		rc = wjson_get_obj(&succ, d, "succinct_roles", true, what, err);
	if (!rc && !!roles == !!succ)
		rc = ward_err(err, WARD_EINVAL,
			      "%s: delegations need exactly one of roles and succinct_roles", what);
	if (!rc)
		rc = parse_keys(&m->keys, keys, what, err);
	if (rc)
		return rc;
	m->has_delegations = true;
	if (succ) {
		long long bits = 0;
		rc = parse_role(&m->succinct.role, succ, what, err);
		if (!rc)
			rc = wjson_get_int(&bits, succ, "bit_length", 1, 32, false, what, err);
		if (!rc)
			rc = wjson_get_str(&m->succinct.name_prefix, succ, "name_prefix", false, what,
					   err);
		m->succinct.bit_length = (unsigned)bits;
		m->succinct.present = rc == 0;
		return rc;
	}
	size_t n = json_array_size(roles);
	if (n > WARD_LIMIT_KEYS)
		return ward_err(err, WARD_ELIMIT, "%s: %zu delegated roles > limit", what, n);
	m->delegations = calloc(n ? n : 1, sizeof(*m->delegations));
	if (!m->delegations)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *r = json_array_get(roles, i);
		tuf_role *role = &m->delegations[i];
		m->ndelegations++;
		rc = parse_role(role, r, what, err);
		if (!rc)
			rc = wjson_get_str(&role->name, r, "name", false, what, err);
		if (!rc)
			rc = wjson_get_bool(&role->terminating, r, "terminating", false, what, err);
		if (rc)
			return rc;
		if (!role_name_ok(role->name))
			return ward_err(err, WARD_EINVAL, "%s: invalid delegated role name \"%.64s\"",
					what, role->name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(m->delegations[j].name, role->name) == 0)
				return ward_err(err, WARD_EINVAL, "%s: role %.64s delegated twice",
						what, role->name);
		for (size_t j = 0; j < 4; j++)
			if (strcmp(type_names[j], role->name) == 0)
				return ward_err(err, WARD_EINVAL,
						"%s: delegation to top-level role name %s", what,
						role->name);
		json_t *paths, *prefixes;
		rc = wjson_get_arr(&paths, r, "paths", true, what, err);
		if (!rc)
			rc = wjson_get_arr(&prefixes, r, "path_hash_prefixes", true, what, err);
		if (!rc && paths && prefixes)
			rc = ward_err(err, WARD_EINVAL,
				      "%s: role %.64s has both paths and path_hash_prefixes", what,
				      role->name);
		if (!rc && paths)
			rc = str_array(&role->paths, &role->npaths, paths, 1u << 20, false, what,
				       "paths", err);
		if (!rc && prefixes)
			rc = str_array(&role->prefixes, &role->nprefixes, prefixes, 1u << 20, false,
				       what, "path_hash_prefixes", err);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_targets(tuf_meta *m, const char *what, ward_error *err)
{
	json_t *targets, *deleg;
	int rc = wjson_get_obj(&targets, m->signed_obj, "targets", false, what, err);
	if (!rc)
		rc = wjson_get_obj(&deleg, m->signed_obj, "delegations", true, what, err);
	if (rc)
		return rc;
	m->targets = targets;
	const char *path;
	json_t *t;
	json_object_foreach(targets, path, t)
	{
		tuf_targetfile tf;
		rc = tuf_meta_target(&tf, m, path);
		if (rc)
			return ward_err(err, WARD_EINVAL, "%s: target \"%.64s\" is malformed", what,
					path);
	}
	return deleg ? parse_delegations(m, deleg, what, err) : 0;
}

static int parse_root(tuf_meta *m, const char *what, ward_error *err)
{
	json_t *keys, *roles;
	int rc = wjson_get_bool(&m->consistent_snapshot, m->signed_obj, "consistent_snapshot",
				true, what, err);
	if (!rc)
		rc = wjson_get_obj(&keys, m->signed_obj, "keys", false, what, err);
	if (!rc)
		rc = wjson_get_obj(&roles, m->signed_obj, "roles", false, what, err);
	if (!rc)
		rc = parse_keys(&m->keys, keys, what, err);
	if (rc)
		return rc;
	/* TUF 4.3: the top-level roles, and only those. */
	if (json_object_size(roles) != 4)
		return ward_err(err, WARD_EINVAL, "%s: roles must be exactly the four top-level roles",
				what);
	for (int i = 0; i < 4; i++) {
		json_t *r = json_object_get(roles, type_names[i]);
		if (!r)
			return ward_err(err, WARD_EINVAL, "%s: no %s role", what, type_names[i]);
		char rwhat[96];
		snprintf(rwhat, sizeof(rwhat), "%s: role %s", what, type_names[i]);
		rc = parse_role(&m->roles[i], r, rwhat, err);
		if (rc)
			return rc;
		m->roles[i].name = type_names[i];
	}
	return 0;
}

static int parse_signatures(tuf_meta *m, const json_t *sigs, const char *what, ward_error *err)
{
	size_t n = json_array_size(sigs);
	if (n > WARD_LIMIT_SIGNATURES)
		return ward_err(err, WARD_ELIMIT, "%s: %zu signatures > limit %d", what, n,
				WARD_LIMIT_SIGNATURES);
	m->sigs = calloc(n ? n : 1, sizeof(*m->sigs));
	if (!m->sigs)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_array_get(sigs, i);
		const json_t *kid = json_object_get(s, "keyid");
		const json_t *sig = json_object_get(s, "sig");
		/* A malformed entry cannot verify; ignore it (TUF 5.4.2 counts
		 * valid signatures, it does not fail on invalid ones). */
		if (!json_is_string(kid) || !json_is_string(sig))
			continue;
		m->sigs[m->nsigs].keyid = json_string_value(kid);
		m->sigs[m->nsigs].hex = json_string_value(sig);
		m->nsigs++;
	}
	return 0;
}

int tuf_meta_parse(tuf_meta **out, const uint8_t *data, size_t len, size_t max,
		   tuf_type expected, const char *what, ward_error *err)
{
	WARD_AUTO(tuf_meta_free) tuf_meta *m = calloc(1, sizeof(*m));
	if (!m)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	m->type = expected;
	buf_init(&m->canonical, WARD_LIMIT_METADATA_MAX_BYTES);
	m->verified = calloc(1, sizeof(*m->verified));
	if (!m->verified)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int rc = wjson_parse(&m->doc, data, len, max, what, err);
	if (rc)
		return rc;
	m->raw = malloc(len ? len : 1);
	if (!m->raw)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	memcpy(m->raw, data, len);
	m->rawlen = len;
	if (!json_is_object(m->doc))
		return ward_err(err, WARD_EINVAL, "%s: not a JSON object", what);
	json_t *sigs, *sobj;
	rc = wjson_get_arr(&sigs, m->doc, "signatures", false, what, err);
	if (!rc)
		rc = wjson_get_obj(&sobj, m->doc, "signed", false, what, err);
	if (!rc)
		rc = parse_signatures(m, sigs, what, err);
	if (rc)
		return rc;
	m->signed_obj = sobj;

	const char *type;
	rc = wjson_get_str(&type, sobj, "_type", false, what, err);
	if (rc)
		return rc;
	if (strcmp(type, type_names[expected]) != 0)
		return ward_err(err, WARD_EINVAL, "%s: _type is \"%.32s\", expected \"%s\"", what,
				type, type_names[expected]);
	rc = wjson_get_str(&m->spec_version, sobj, "spec_version", false, what, err);
	if (!rc)
		rc = wjson_get_int(&m->version, sobj, "version", 1, WARD_LIMIT_VERSION_MAX, false,
				   what, err);
	if (!rc)
		rc = wjson_get_str(&m->expires_str, sobj, "expires", false, what, err);
	if (rc)
		return rc;
	/* Spec version: major 1 only (TUF 4.2: clients reject other majors). */
	if (strncmp(m->spec_version, "1.", 2) != 0 && strcmp(m->spec_version, "1") != 0)
		return ward_err(err, WARD_EINVAL, "%s: unsupported spec_version \"%.32s\"", what,
				m->spec_version);
	if (tuf_time_parse(&m->expires, m->expires_str) != 0)
		return ward_err(err, WARD_EINVAL, "%s: malformed expires \"%.40s\"", what,
				m->expires_str);

	switch (expected) {
	case TUF_ROOT: rc = parse_root(m, what, err); break;
	case TUF_TIMESTAMP:
	case TUF_SNAPSHOT: rc = parse_meta_map(m, what, err); break;
	case TUF_TARGETS: rc = parse_targets(m, what, err); break;
	}
	if (rc)
		return rc;
	rc = wjson_canonical(&m->canonical, sobj);
	if (rc)
		return ward_err(err, rc == WARD_ENOMEM ? rc : WARD_EINVAL,
				"%s: signed part has no canonical form (floating-point number?)",
				what);
	*out = WARD_TAKE_PTR(m);
	return 0;
}

static const tuf_keyref *find_key(const tuf_keyset *ks, const char *keyid)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcmp(ks->v[i].keyid, keyid) == 0)
			return &ks->v[i];
	return NULL;
}

static bool signed_by(const tuf_meta *m, const tuf_keyref *ref)
{
	/* The cache holds public values of keys whose signature over these
	 * exact canonical bytes verified; the keyid must still match a
	 * signature entry, as below. */
	const char *pub = crypto_key_public(ref->key);
	bool cached = false;
	for (size_t i = 0; i < m->verified->n && !cached; i++)
		cached = strcmp(m->verified->pub[i], pub) == 0;
	for (size_t i = 0; i < m->nsigs; i++) {
		const tuf_sig *s = &m->sigs[i];
		if (strcmp(s->keyid, ref->keyid) != 0 || !s->hex[0])
			continue;
		if (cached)
			return true;
		WARD_AUTO(free) uint8_t *sig = NULL;
		size_t siglen;
		if (hex_decode(&sig, &siglen, s->hex, strlen(s->hex)) != 0)
			continue;
		if (crypto_key_verify(ref->key, sig, siglen, m->canonical.ptr, m->canonical.len) == 0) {
			if (m->verified->n < WARD_LIMIT_KEYS_VERIFIED)
				m->verified->pub[m->verified->n++] = pub;
			return true;
		}
	}
	return false;
}

int tuf_meta_verify(const tuf_meta *m, const tuf_keyset *keys, const tuf_role *role,
		    const char *what, const char *by, ward_error *err)
{
	const char *seen[WARD_LIMIT_KEYS];
	size_t count = 0;
	for (size_t i = 0; i < role->nkeyids && count < role->threshold; i++) {
		const tuf_keyref *ref = find_key(keys, role->keyids[i]);
		if (!ref || !ref->key || !signed_by(m, ref))
			continue;
		/* The same public key under two keyids counts once. */
		const char *pub = crypto_key_public(ref->key);
		bool dup = false;
		for (size_t j = 0; j < count && !dup; j++)
			dup = strcmp(seen[j], pub) == 0;
		if (!dup)
			seen[count++] = pub;
	}
	if (count >= role->threshold)
		return 0;
	return ward_err(err, WARD_EVERIFY, "%s: signed by %zu of %u required keys of %s", what,
			count, role->threshold, by);
}

int tuf_meta_file(tuf_metafile *out, const tuf_meta *m, const char *name, ward_error *err)
{
	const json_t *e = m->meta ? json_object_get(m->meta, name) : NULL;
	if (!e)
		return ward_err(err, WARD_ENOTFOUND, "%s v%lld does not list %s",
				tuf_type_name(m->type), m->version, name);
	return parse_metafile(out, e, name, err);
}

int tuf_meta_target(tuf_targetfile *out, const tuf_meta *m, const char *path)
{
	const json_t *t = m->targets ? json_object_get(m->targets, path) : NULL;
	if (!t)
		return WARD_ENOTFOUND;
	long long length = -1;
	const json_t *hashes = json_object_get(t, "hashes");
	const json_t *custom = json_object_get(t, "custom");
	if (!json_is_object(t) ||
	    wjson_get_int(&length, t, "length", 0, WARD_LIMIT_VERSION_MAX, false, path, NULL) ||
	    parse_hashes(hashes, path, NULL) != 0 || (custom && !json_is_object(custom)) ||
	    strlen(path) > WARD_LIMIT_TARGET_NAME)
		return WARD_EINVAL;
	out->path = path;
	out->length = length;
	out->hashes = hashes;
	out->custom = custom;
	return 0;
}

/* TUF 4.5 "paths": shell-style wildcards where '*' matches any characters
 * except '/' (FNM_PATHNAME), so the pattern "targets/STAR.tgz" does not reach into
 * subdirectories (python-tuf and go-tuf match the same way). */
static bool path_matches(const char *pattern, const char *path)
{
	/* Each pattern component must match the same-numbered path component;
	 * fnmatch with FNM_PATHNAME implements exactly that. */
	return fnmatch(pattern, path, FNM_PATHNAME) == 0;
}

bool tuf_role_matches(const tuf_role *role, const char *path)
{
	for (size_t i = 0; i < role->npaths; i++)
		if (path_matches(role->paths[i], path))
			return true;
	if (role->nprefixes) {
		uint8_t d[32];
		char hex[65];
		if (!EVP_Digest(path, strlen(path), d, NULL, EVP_sha256(), NULL))
			return false;
		hex_encode(hex, d, 32);
		for (size_t i = 0; i < role->nprefixes; i++) {
			size_t n = strlen(role->prefixes[i]);
			if (n <= 64 && strncmp(hex, role->prefixes[i], n) == 0)
				return true;
		}
	}
	return false;
}

int tuf_succinct_role_for(const tuf_succinct *s, const char *path, char *out, size_t outlen)
{
	uint8_t d[32];
	if (!EVP_Digest(path, strlen(path), d, NULL, EVP_sha256(), NULL))
		return WARD_EINVAL;
	uint32_t first = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
	uint32_t bin = first >> (32 - s->bit_length);
	int width = (int)((s->bit_length + 3) / 4);
	int n = snprintf(out, outlen, "%s-%0*x", s->name_prefix, width, bin);
	return n < 0 || (size_t)n >= outlen ? WARD_ELIMIT : 0;
}

int tuf_check_hashes(const json_t *hashes, const uint8_t *data, size_t len, const char *what,
		     ward_error *err)
{
	const char *alg;
	json_t *h;
	json_object_foreach((json_t *)(uintptr_t)hashes, alg, h)
	{
		uint8_t d[64];
		size_t dlen;
		if (crypto_digest(alg, data, len, d, &dlen) != 0)
			return ward_err(err, WARD_EINVAL, "%s: unsupported hash algorithm %.32s", what,
					alg);
		const char *want = json_string_value(h);
		char got[129];
		hex_encode(got, d, dlen);
		if (strlen(want) != 2 * dlen || CRYPTO_memcmp(got, want, 2 * dlen) != 0)
			return ward_err(err, WARD_EVERIFY, "%s: %s hash mismatch", what, alg);
	}
	return 0;
}
