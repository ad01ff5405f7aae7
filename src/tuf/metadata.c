/*
 * metadata.c - strict parsing and signature thresholds for TUF metadata,
 * over the zero-copy token reader (json/tok.h).
 */
#include "tuf/metadata.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "tuf/time.h"
#include "util/bytes.h"
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
	wj_dispose(&m->doc);
	buf_dispose(&m->canonical);
	for (size_t i = 0; i < m->nstrs; i++)
		free(m->strs[i]);
	free(m->strs);
	free(m->sigs);
	for (size_t i = 0; m->verified && i < m->verified->n; i++)
		free(m->verified->pub[i]);
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

/* ---- typed access to the document --------------------------------------- */

/* A decoded, NUL-terminated copy of string token i, owned by m. */
static const char *intern(tuf_meta *m, uint32_t i)
{
	if (m->nstrs == m->capstrs) {
		size_t ncap = m->capstrs ? m->capstrs * 2 : 32;
		char **p = realloc(m->strs, ncap * sizeof(*p));
		if (!p)
			return NULL;
		m->strs = p;
		m->capstrs = ncap;
	}
	char *s = wj_str_dup(&m->doc, i);
	if (s)
		m->strs[m->nstrs++] = s;
	return s;
}

static const char *type_word(wj_type t)
{
	switch (t) {
	case WJ_OBJ: return "an object";
	case WJ_ARR: return "an array";
	case WJ_STR: return "a string";
	case WJ_INT: return "an integer";
	case WJ_TRUE: return "a boolean";
	default: return "a value of the right type";
	}
}

/* Member `key` of obj with the given type: *out is its token or WJ_NONE
 * when optional and absent. */
static int member(uint32_t *out, const tuf_meta *m, uint32_t obj, const char *key, wj_type type,
		  bool optional, const char *what, ward_error *err)
{
	uint32_t v = wj_get(&m->doc, obj, key);
	*out = WJ_NONE;
	if (v == WJ_NONE) {
		return optional ? 0 : ward_err(err, WARD_EINVAL, "%s: missing \"%s\"", what, key);
	}
	wj_type t = wj_typeof(&m->doc, v);
	bool ok = t == type || (type == WJ_TRUE && t == WJ_FALSE);
	if (!ok)
		return ward_err(err, WARD_EINVAL, "%s: \"%s\" is not %s", what, key, type_word(type));
	*out = v;
	return 0;
}

static int get_str(const char **out, tuf_meta *m, uint32_t obj, const char *key, bool optional,
		   const char *what, ward_error *err)
{
	uint32_t v;
	int rc = member(&v, m, obj, key, WJ_STR, optional, what, err);
	if (rc)
		return rc;
	*out = NULL;
	if (v != WJ_NONE && !(*out = intern(m, v)))
		return ward_err(err, WARD_ENOMEM, "out of memory");
	return 0;
}

static int get_int(long long *out, const tuf_meta *m, uint32_t obj, const char *key,
		   long long min, long long max, bool optional, const char *what, ward_error *err)
{
	uint32_t v;
	int rc = member(&v, m, obj, key, WJ_INT, optional, what, err);
	if (rc || v == WJ_NONE)
		return rc;
	long long n = (long long)wj_int(&m->doc, v);
	if (n < min || n > max)
		return ward_err(err, WARD_EINVAL, "%s: \"%s\" = %lld is outside [%lld, %lld]", what,
				key, n, min, max);
	*out = n;
	return 0;
}

static int get_bool(bool *out, const tuf_meta *m, uint32_t obj, const char *key, bool optional,
		    const char *what, ward_error *err)
{
	uint32_t v;
	int rc = member(&v, m, obj, key, WJ_TRUE, optional, what, err);
	if (!rc && v != WJ_NONE)
		*out = wj_typeof(&m->doc, v) == WJ_TRUE;
	return rc;
}

/* ---- pieces of metadata ------------------------------------------------- */

/* An array of strings.  TUF 4.3: keyids in a role are unique; duplicates
 * would let one key count twice in naive clients. */
static int str_array(const char ***out, size_t *n, tuf_meta *m, uint32_t arr, size_t max,
		     bool distinct, const char *what, const char *field, ward_error *err)
{
	size_t len = m->doc.t[arr].count;
	if (len > max)
		return ward_err(err, WARD_ELIMIT, "%s: \"%s\" has %zu entries > limit %zu", what,
				field, len, max);
	const char **v = calloc(len ? len : 1, sizeof(*v));
	if (!v)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	size_t i = 0;
	for (uint32_t e = wj_first(&m->doc, arr); e != WJ_NONE; e = wj_next_elem(&m->doc, arr, e), i++) {
		const char *s = wj_typeof(&m->doc, e) == WJ_STR ? intern(m, e) : NULL;
		if (!s) {
			free(v);
			return ward_err(err, WARD_EINVAL, "%s: \"%s\"[%zu] is not a string", what,
					field, i);
		}
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

static int parse_role(tuf_role *r, tuf_meta *m, uint32_t obj, const char *what, ward_error *err)
{
	if (wj_typeof(&m->doc, obj) != WJ_OBJ)
		return ward_err(err, WARD_EINVAL, "%s: role is not an object", what);
	uint32_t keyids;
	long long thr = 0;
	int rc = member(&keyids, m, obj, "keyids", WJ_ARR, false, what, err);
	if (!rc)
		rc = get_int(&thr, m, obj, "threshold", 1, WARD_LIMIT_KEYS, false, what, err);
	if (!rc)
		rc = str_array(&r->keyids, &r->nkeyids, m, keyids, WARD_LIMIT_KEYS, true, what,
			       "keyids", err);
	r->threshold = (unsigned)thr;
	return rc;
}

static int parse_keys(tuf_keyset *ks, tuf_meta *m, uint32_t keys, const char *what,
		      ward_error *err)
{
	size_t n = m->doc.t[keys].count;
	if (n > WARD_LIMIT_KEYS)
		return ward_err(err, WARD_ELIMIT, "%s: %zu keys > limit %d", what, n, WARD_LIMIT_KEYS);
	ks->v = calloc(n ? n : 1, sizeof(*ks->v));
	if (!ks->v)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (uint32_t k = wj_first(&m->doc, keys); k != WJ_NONE; k = wj_next_member(&m->doc, keys, k)) {
		const char *keyid = intern(m, k);
		if (!keyid)
			return ward_err(err, WARD_ENOMEM, "out of memory");
		char kwhat[128];
		snprintf(kwhat, sizeof(kwhat), "%s: key %.16s", what, keyid);
		uint32_t key = k + 1, keyval;
		if (wj_typeof(&m->doc, key) != WJ_OBJ)
			return ward_err(err, WARD_EINVAL, "%s is not an object", kwhat);
		const char *keytype, *scheme, *pub;
		int rc = get_str(&keytype, m, key, "keytype", false, kwhat, err);
		if (!rc)
			rc = get_str(&scheme, m, key, "scheme", false, kwhat, err);
		if (!rc)
			rc = member(&keyval, m, key, "keyval", WJ_OBJ, false, kwhat, err);
		if (!rc)
			rc = get_str(&pub, m, keyval, "public", false, kwhat, err);
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

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

/* Copies a "hashes" object out: 1..TUF_MAX_HASHES entries of short
 * algorithm names and hex digests of at most 512 bits. */
static int read_hashes(tuf_hashes *out, const wj_doc *d, uint32_t h, const char *what,
		       ward_error *err)
{
	out->n = 0;
	if (wj_typeof(d, h) != WJ_OBJ || d->t[h].count == 0)
		return ward_err(err, WARD_EINVAL, "%s: \"hashes\" is not a non-empty object", what);
	if (d->t[h].count > TUF_MAX_HASHES)
		return ward_err(err, WARD_ELIMIT, "%s: more than %d hashes", what, TUF_MAX_HASHES);
	for (uint32_t k = wj_first(d, h); k != WJ_NONE; k = wj_next_member(d, h, k)) {
		const wj_tok *kt = &d->t[k], *vt = &d->t[k + 1];
		if (kt->escaped || kt->n == 0 || kt->n >= sizeof(out->h[0].alg) ||
		    vt->type != WJ_STR || vt->escaped || vt->n == 0 ||
		    vt->n >= sizeof(out->h[0].hex) || !is_hex((const char *)d->src + vt->start, vt->n))
			return ward_err(err, WARD_EINVAL, "%s: malformed hash entry", what);
		memcpy(out->h[out->n].alg, d->src + kt->start, kt->n);
		out->h[out->n].alg[kt->n] = '\0';
		memcpy(out->h[out->n].hex, d->src + vt->start, vt->n);
		out->h[out->n].hex[vt->n] = '\0';
		out->n++;
	}
	return 0;
}

static int parse_metafile(tuf_metafile *out, const tuf_meta *m, uint32_t e, const char *what,
			  ward_error *err)
{
	if (wj_typeof(&m->doc, e) != WJ_OBJ)
		return ward_err(err, WARD_EINVAL, "%s: entry is not an object", what);
	out->length = -1;
	out->hashes.n = 0;
	int rc = get_int(&out->version, m, e, "version", 1, WARD_LIMIT_VERSION_MAX, false, what,
			 err);
	if (!rc)
		rc = get_int(&out->length, m, e, "length", 0, WARD_LIMIT_VERSION_MAX, true, what, err);
	uint32_t h = wj_get(&m->doc, e, "hashes");
	if (!rc && h != WJ_NONE)
		rc = read_hashes(&out->hashes, &m->doc, h, what, err);
	return rc;
}

static int parse_meta_map(tuf_meta *m, const char *what, ward_error *err)
{
	uint32_t meta;
	int rc = member(&meta, m, m->signed_obj, "meta", WJ_OBJ, false, what, err);
	if (rc)
		return rc;
	for (uint32_t k = wj_first(&m->doc, meta); k != WJ_NONE; k = wj_next_member(&m->doc, meta, k)) {
		tuf_metafile mf;
		rc = parse_metafile(&mf, m, k + 1, what, err);
		if (rc)
			return rc;
	}
	if (m->type == TUF_TIMESTAMP &&
	    (m->doc.t[meta].count != 1 || wj_get(&m->doc, meta, "snapshot.json") == WJ_NONE))
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

static int parse_delegated_role(tuf_meta *m, tuf_role *role, uint32_t r, const char *what,
				ward_error *err)
{
	int rc = parse_role(role, m, r, what, err);
	if (!rc)
		rc = get_str(&role->name, m, r, "name", false, what, err);
	if (!rc)
		rc = get_bool(&role->terminating, m, r, "terminating", false, what, err);
	if (rc)
		return rc;
	if (!role_name_ok(role->name))
		return ward_err(err, WARD_EINVAL, "%s: invalid delegated role name \"%.64s\"", what,
				role->name);
	for (size_t j = 0; j < 4; j++)
		if (strcmp(type_names[j], role->name) == 0)
			return ward_err(err, WARD_EINVAL, "%s: delegation to top-level role name %s",
					what, role->name);
	uint32_t paths, prefixes;
	rc = member(&paths, m, r, "paths", WJ_ARR, true, what, err);
	if (!rc)
		rc = member(&prefixes, m, r, "path_hash_prefixes", WJ_ARR, true, what, err);
	if (!rc && paths != WJ_NONE && prefixes != WJ_NONE)
		rc = ward_err(err, WARD_EINVAL, "%s: role %.64s has both paths and path_hash_prefixes",
			      what, role->name);
	if (!rc && paths != WJ_NONE)
		rc = str_array(&role->paths, &role->npaths, m, paths, 1u << 20, false, what, "paths",
			       err);
	if (!rc && prefixes != WJ_NONE)
		rc = str_array(&role->prefixes, &role->nprefixes, m, prefixes, 1u << 20, false, what,
			       "path_hash_prefixes", err);
	return rc;
}

static int parse_delegations(tuf_meta *m, uint32_t d, const char *what, ward_error *err)
{
	uint32_t keys, roles, succ;
	int rc = member(&keys, m, d, "keys", WJ_OBJ, false, what, err);
	if (!rc)
		rc = member(&roles, m, d, "roles", WJ_ARR, true, what, err);
	if (!rc)
		rc = member(&succ, m, d, "succinct_roles", WJ_OBJ, true, what, err);
	if (!rc && (roles == WJ_NONE) == (succ == WJ_NONE))
		rc = ward_err(err, WARD_EINVAL,
			      "%s: delegations need exactly one of roles and succinct_roles", what);
	if (!rc)
		rc = parse_keys(&m->keys, m, keys, what, err);
	if (rc)
		return rc;
	m->has_delegations = true;
	if (succ != WJ_NONE) {
		long long bits = 0;
		rc = parse_role(&m->succinct.role, m, succ, what, err);
		if (!rc)
			rc = get_int(&bits, m, succ, "bit_length", 1, 32, false, what, err);
		if (!rc)
			rc = get_str(&m->succinct.name_prefix, m, succ, "name_prefix", false, what, err);
		m->succinct.bit_length = (unsigned)bits;
		m->succinct.present = rc == 0;
		return rc;
	}
	size_t n = m->doc.t[roles].count;
	if (n > WARD_LIMIT_KEYS)
		return ward_err(err, WARD_ELIMIT, "%s: %zu delegated roles > limit", what, n);
	m->delegations = calloc(n ? n : 1, sizeof(*m->delegations));
	if (!m->delegations)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (uint32_t r = wj_first(&m->doc, roles); r != WJ_NONE; r = wj_next_elem(&m->doc, roles, r)) {
		tuf_role *role = &m->delegations[m->ndelegations++];
		rc = parse_delegated_role(m, role, r, what, err);
		if (rc)
			return rc;
		for (size_t j = 0; j + 1 < m->ndelegations; j++)
			if (strcmp(m->delegations[j].name, role->name) == 0)
				return ward_err(err, WARD_EINVAL, "%s: role %.64s delegated twice",
						what, role->name);
	}
	return 0;
}

/* A TARGETS entry: {"length": int, "hashes": {...}, "custom": {...}?}. */
static int parse_target_entry(tuf_targetfile *out, const tuf_meta *m, uint32_t t)
{
	const wj_doc *d = &m->doc;
	if (wj_typeof(d, t) != WJ_OBJ)
		return WARD_EINVAL;
	uint32_t len = wj_get(d, t, "length"), hashes = wj_get(d, t, "hashes");
	uint32_t custom = wj_get(d, t, "custom");
	if (len == WJ_NONE || wj_typeof(d, len) != WJ_INT || hashes == WJ_NONE ||
	    (custom != WJ_NONE && wj_typeof(d, custom) != WJ_OBJ))
		return WARD_EINVAL;
	int64_t n = wj_int(d, len);
	if (n < 0 || n > WARD_LIMIT_VERSION_MAX)
		return WARD_EINVAL;
	out->length = (long long)n;
	out->custom = custom;
	return read_hashes(&out->hashes, d, hashes, "target", NULL);
}

static int parse_targets(tuf_meta *m, const char *what, ward_error *err)
{
	uint32_t targets, deleg;
	int rc = member(&targets, m, m->signed_obj, "targets", WJ_OBJ, false, what, err);
	if (!rc)
		rc = member(&deleg, m, m->signed_obj, "delegations", WJ_OBJ, true, what, err);
	if (rc)
		return rc;
	m->targets = targets;
	const wj_doc *d = &m->doc;
	for (uint32_t k = wj_first(d, targets); k != WJ_NONE; k = wj_next_member(d, targets, k)) {
		tuf_targetfile tf;
		if (wj_len(d, k) > WARD_LIMIT_TARGET_NAME || wj_len(d, k) == 0 ||
		    parse_target_entry(&tf, m, k + 1) != 0)
			return ward_err(err, WARD_EINVAL, "%s: target \"%.64s\" is malformed", what,
					(const char *)d->src + d->t[k].start);
	}
	return deleg != WJ_NONE ? parse_delegations(m, deleg, what, err) : 0;
}

static int parse_root(tuf_meta *m, const char *what, ward_error *err)
{
	uint32_t keys, roles;
	int rc = get_bool(&m->consistent_snapshot, m, m->signed_obj, "consistent_snapshot", true,
			  what, err);
	if (!rc)
		rc = member(&keys, m, m->signed_obj, "keys", WJ_OBJ, false, what, err);
	if (!rc)
		rc = member(&roles, m, m->signed_obj, "roles", WJ_OBJ, false, what, err);
	if (!rc)
		rc = parse_keys(&m->keys, m, keys, what, err);
	if (rc)
		return rc;
	/* TUF 4.3: the top-level roles, and only those. */
	if (m->doc.t[roles].count != 4)
		return ward_err(err, WARD_EINVAL, "%s: roles must be exactly the four top-level roles",
				what);
	for (int i = 0; i < 4; i++) {
		uint32_t r = wj_get(&m->doc, roles, type_names[i]);
		if (r == WJ_NONE)
			return ward_err(err, WARD_EINVAL, "%s: no %s role", what, type_names[i]);
		char rwhat[96];
		snprintf(rwhat, sizeof(rwhat), "%s: role %s", what, type_names[i]);
		rc = parse_role(&m->roles[i], m, r, rwhat, err);
		if (rc)
			return rc;
		m->roles[i].name = type_names[i];
	}
	return 0;
}

static int parse_signatures(tuf_meta *m, uint32_t sigs, const char *what, ward_error *err)
{
	size_t n = m->doc.t[sigs].count;
	if (n > WARD_LIMIT_SIGNATURES)
		return ward_err(err, WARD_ELIMIT, "%s: %zu signatures > limit %d", what, n,
				WARD_LIMIT_SIGNATURES);
	m->sigs = calloc(n ? n : 1, sizeof(*m->sigs));
	if (!m->sigs)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (uint32_t s = wj_first(&m->doc, sigs); s != WJ_NONE; s = wj_next_elem(&m->doc, sigs, s)) {
		uint32_t kid = wj_get(&m->doc, s, "keyid");
		uint32_t sig = wj_get(&m->doc, s, "sig");
		/* A malformed entry cannot verify; ignore it (TUF 5.4.2 counts
		 * valid signatures, it does not fail on invalid ones). */
		if (kid == WJ_NONE || sig == WJ_NONE || wj_typeof(&m->doc, kid) != WJ_STR ||
		    wj_typeof(&m->doc, sig) != WJ_STR)
			continue;
		const char *k = intern(m, kid), *h = intern(m, sig);
		if (!k || !h)
			return ward_err(err, WARD_ENOMEM, "out of memory");
		m->sigs[m->nsigs++] = (tuf_sig){ k, h };
	}
	return 0;
}

static int parse_doc(tuf_meta *m, size_t max, tuf_type expected, const char *what,
		     ward_error *err)
{
	int rc = wj_parse(&m->doc, m->raw, m->rawlen, max, what, err);
	if (rc)
		return rc;
	if (wj_typeof(&m->doc, 0) != WJ_OBJ)
		return ward_err(err, WARD_EINVAL, "%s: not a JSON object", what);
	uint32_t sigs;
	rc = member(&sigs, m, 0, "signatures", WJ_ARR, false, what, err);
	if (!rc)
		rc = member(&m->signed_obj, m, 0, "signed", WJ_OBJ, false, what, err);
	if (!rc)
		rc = parse_signatures(m, sigs, what, err);
	if (rc)
		return rc;
	uint32_t so = m->signed_obj;
	const char *type;
	rc = get_str(&type, m, so, "_type", false, what, err);
	if (rc)
		return rc;
	if (strcmp(type, type_names[expected]) != 0)
		return ward_err(err, WARD_EINVAL, "%s: _type is \"%.32s\", expected \"%s\"", what,
				type, type_names[expected]);
	rc = get_str(&m->spec_version, m, so, "spec_version", false, what, err);
	if (!rc)
		rc = get_int(&m->version, m, so, "version", 1, WARD_LIMIT_VERSION_MAX, false, what, err);
	if (!rc)
		rc = get_str(&m->expires_str, m, so, "expires", false, what, err);
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
	/* The signed bytes: the received slice itself when it is already
	 * canonical (what ward and most tools write), else a canonical copy. */
	rc = wj_canonical_bytes(&m->doc, so, &m->msg, &m->msglen, &m->canonical);
	if (rc)
		return ward_err(err, rc == WARD_ENOMEM ? rc : WARD_EINVAL,
				"%s: signed part has no canonical form (floating-point number?)",
				what);
	return 0;
}

int tuf_meta_parse(tuf_meta **out, ward_buf *data, size_t max, tuf_type expected,
		   const char *what, ward_error *err)
{
	size_t len;
	uint8_t *raw = buf_detach(data, &len);
	WARD_AUTO(tuf_meta_free) tuf_meta *m = calloc(1, sizeof(*m));
	if (!m) {
		free(raw);
		return ward_err(err, WARD_ENOMEM, "out of memory");
	}
	m->raw = raw;
	m->rawlen = len;
	m->type = expected;
	m->meta = m->targets = WJ_NONE;
	buf_init(&m->canonical, WARD_LIMIT_METADATA_MAX_BYTES);
	m->verified = calloc(1, sizeof(*m->verified));
	if (!m->verified)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int rc = parse_doc(m, max, expected, what, err);
	if (rc)
		return rc;
	*out = WARD_TAKE_PTR(m);
	return 0;
}

int tuf_meta_parse_copy(tuf_meta **out, const uint8_t *data, size_t len, size_t max,
			tuf_type expected, const char *what, ward_error *err)
{
	ward_buf b = WARD_BUF_INIT(len);
	if (len > max)
		return ward_err(err, WARD_ELIMIT, "%s is %zu bytes > %zu byte limit", what, len, max);
	if (buf_append(&b, data, len) != 0)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	return tuf_meta_parse(out, &b, max, expected, what, err);
}

/* ---- signatures --------------------------------------------------------- */

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
		if (crypto_key_verify(ref->key, sig, siglen, m->msg, m->msglen) == 0) {
			/* a copy: the key belongs to the verifying metadata, which
			 * may be freed first (an old root after rotation) */
			char *copy = m->verified->n < WARD_LIMIT_KEYS_VERIFIED ? strdup(pub) : NULL;
			if (copy)
				m->verified->pub[m->verified->n++] = copy;
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

/* ---- lookups ------------------------------------------------------------ */

int tuf_meta_file(tuf_metafile *out, const tuf_meta *m, const char *name, ward_error *err)
{
	uint32_t e = m->meta != WJ_NONE ? wj_get(&m->doc, m->meta, name) : WJ_NONE;
	if (e == WJ_NONE)
		return ward_err(err, WARD_ENOTFOUND, "%s v%lld does not list %s",
				tuf_type_name(m->type), m->version, name);
	return parse_metafile(out, m, e, name, err);
}

int tuf_meta_each_file(const tuf_meta *m, int (*fn)(void *ctx, const char *name), void *ctx)
{
	if (m->meta == WJ_NONE)
		return 0;
	for (uint32_t k = wj_first(&m->doc, m->meta); k != WJ_NONE;
	     k = wj_next_member(&m->doc, m->meta, k)) {
		WARD_AUTO(free) char *name = wj_str_dup(&m->doc, k);
		if (!name)
			return WARD_ENOMEM;
		int rc = fn(ctx, name);
		if (rc)
			return rc;
	}
	return 0;
}

int tuf_meta_target(tuf_targetfile *out, const tuf_meta *m, const char *path)
{
	uint32_t t = m->targets != WJ_NONE ? wj_get(&m->doc, m->targets, path) : WJ_NONE;
	if (t == WJ_NONE)
		return WARD_ENOTFOUND;
	int rc = parse_target_entry(out, m, t);
	if (rc)
		return WARD_EINVAL;
	out->path = path;
	return 0;
}

static int sink_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n);
}

int tuf_meta_custom_json(const tuf_meta *m, const tuf_targetfile *tf, ward_buf *out)
{
	if (tf->custom == WJ_NONE)
		return WARD_ENOTFOUND;
	return wj_canonical(&m->doc, tf->custom, sink_buf, out);
}

/* TUF 4.5 "paths": shell-style wildcards where '*' matches any characters
 * except '/' (FNM_PATHNAME), so the pattern "targets/STAR.tgz" does not reach
 * into subdirectories (python-tuf and go-tuf match the same way). */
bool tuf_role_matches(const tuf_role *role, const char *path)
{
	for (size_t i = 0; i < role->npaths; i++)
		if (fnmatch(role->paths[i], path, FNM_PATHNAME) == 0)
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
	uint32_t first = bytes_be32(d);
	uint32_t bin = first >> (32 - s->bit_length);
	int width = (int)((s->bit_length + 3) / 4);
	int n = snprintf(out, outlen, "%s-%0*x", s->name_prefix, width, bin);
	return n < 0 || (size_t)n >= outlen ? WARD_ELIMIT : 0;
}

int tuf_check_hashes(const tuf_hashes *hashes, const uint8_t *data, size_t len, const char *what,
		     ward_error *err)
{
	for (size_t i = 0; i < hashes->n; i++) {
		uint8_t d[64];
		size_t dlen;
		if (crypto_digest(hashes->h[i].alg, data, len, d, &dlen) != 0)
			return ward_err(err, WARD_EVERIFY, "%s: unsupported hash algorithm %.15s", what,
					hashes->h[i].alg);
		char got[129];
		hex_encode(got, d, dlen);
		const char *want = hashes->h[i].hex;
		if (strlen(want) != 2 * dlen || CRYPTO_memcmp(got, want, 2 * dlen) != 0)
			return ward_err(err, WARD_EVERIFY, "%s: %s hash mismatch", what, hashes->h[i].alg);
	}
	return 0;
}
