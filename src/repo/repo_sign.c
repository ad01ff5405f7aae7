/*
 * repo_sign.c - approving a staged change: each approver signs with their
 * own key; signatures from separate copies merge; the threshold check is
 * the client's own verifier (tuf_meta_verify), so the repository applies
 * exactly the rule devices will.
 */
#include "repo/repo_int.h"

#include <stdio.h>
#include <string.h>

#include "tuf/metadata.h"
#include "tuf/sign.h"
#include "util/fs.h"
#include "util/limits.h"

static int bprintf(ward_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bprintf(ward_buf *b, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return WARD_EINVAL;
	return b ? buf_append(b, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) : 0;
}

/* The role that delegates `role`, looked up in the change first, then in
 * the published metadata.  *parent gets a new reference. */
static int find_delegator(json_t **parent, char *pname, size_t plen, const char *dir,
			  const json_t *change, const char *role, ward_error *err)
{
	/* candidates: targets and every delegated role known to the change or
	 * to the published snapshot */
	WARD_AUTO(json_decref) json_t *snap = NULL;
	int rc = repo_published(&snap, dir, "snapshot", err);
	if (rc)
		return rc;
	WARD_AUTO(json_decref) json_t *names = json_array();
	json_array_append_new(names, json_string("targets"));
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(change, "roles"), k, v) json_array_append_new(names, json_string(k));
	json_object_foreach(json_object_get(snap, "meta"), k, v)
	{
		size_t n = strlen(k);
		if (n > 5 && strcmp(k + n - 5, ".json") == 0)
			json_array_append_new(names, json_stringn(k, n - 5));
	}
	size_t i;
	json_array_foreach(names, i, v)
	{
		const char *cand = json_string_value(v);
		if (strcmp(cand, "root") == 0 || strcmp(cand, role) == 0)
			continue;
		json_t *s = json_object_get(json_object_get(json_object_get(change, "roles"), cand), "signed");
		json_t *owned = NULL;
		if (!s) {
			rc = repo_published(&owned, dir, cand, err);
			if (rc)
				return rc;
			s = owned;
		}
		size_t j;
		json_t *r;
		json_array_foreach(json_object_get(json_object_get(s, "delegations"), "roles"), j, r)
		{
			if (json_is_string(json_object_get(r, "name")) &&
			    strcmp(json_string_value(json_object_get(r, "name")), role) == 0) {
				*parent = owned ? owned : json_incref(s);
				snprintf(pname, plen, "%s", cand);
				return 0;
			}
		}
		json_decref(owned);
	}
	return ward_err(err, WARD_ENOTFOUND, "no role delegates to %s", role);
}

/* refs (a JSON array) keeps alive what out[] borrows. */
int repo_authorisations(repo_auth out[2], size_t *n, json_t *refs, const char *dir,
			const json_t *change, const char *role, ward_error *err)
{
	json_t *auth_refs = refs;
	const json_t *croles = json_object_get(change, "roles");
	json_t *pubroot = NULL;
	int rc = repo_published(&pubroot, dir, "root", err);
	if (rc)
		return rc;
	if (pubroot)
		json_array_append_new(auth_refs, pubroot);
	const json_t *newroot = json_object_get(json_object_get(croles, "root"), "signed");
	const json_t *root = newroot ? newroot : pubroot;
	*n = 0;
	if (!root)
		return ward_err(err, WARD_EINVAL, "no root: the repository was never published");
	int top = -1;
	for (int i = 0; i < 4; i++)
		if (strcmp(role, repo_role_names[i]) == 0)
			top = i;
	if (top >= 0) {
		/* TUF 5.3.4: a new root needs the old root's threshold too. */
		const json_t *grants[2] = { pubroot && strcmp(role, "root") == 0 ? pubroot : NULL, root };
		for (int g = 0; g < 2; g++) {
			if (!grants[g])
				continue;
			const json_t *r = json_object_get(json_object_get(grants[g], "roles"), role);
			out[*n].keys = json_object_get(grants[g], "keys");
			out[*n].keyids = json_object_get(r, "keyids");
			out[*n].threshold = (unsigned)json_integer_value(json_object_get(r, "threshold"));
			snprintf(out[*n].by, sizeof(out[*n].by), "root v%lld",
				 (long long)json_integer_value(json_object_get(grants[g], "version")));
			(*n)++;
		}
		return 0;
	}
	json_t *parent = NULL;
	char pname[WARD_LIMIT_ROLE_NAME + 1];
	rc = find_delegator(&parent, pname, sizeof(pname), dir, change, role, err);
	if (rc)
		return rc;
	json_array_append_new(auth_refs, parent);
	const json_t *d = json_object_get(parent, "delegations");
	size_t j;
	json_t *r;
	json_array_foreach(json_object_get(d, "roles"), j, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "name")), role) != 0)
			continue;
		out[0].keys = json_object_get(d, "keys");
		out[0].keyids = json_object_get(r, "keyids");
		out[0].threshold = (unsigned)json_integer_value(json_object_get(r, "threshold"));
		snprintf(out[0].by, sizeof(out[0].by), "%.64s v%lld", pname,
			 (long long)json_integer_value(json_object_get(parent, "version")));
		*n = 1;
	}
	return 0;
}

static bool listed(const json_t *keyids, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach(keyids, i, v) if (strcmp(json_string_value(v), id) == 0) return true;
	return false;
}

int repo_verify_role(const tuf_meta *m, const repo_auth *a, const char *role, ward_error *err)
{
	/* The authorisation as a keyset and a role, through a tiny targets
	 * document, so that the key parsing is the client's too. */
	WARD_AUTO(json_decref) json_t *fake = json_pack("{s:s, s:s, s:i, s:s, s:o, s:{}}", "_type",
							"targets", "spec_version", "1.0.31", "version",
							1, "expires", "2100-01-01T00:00:00Z", "delegations",
							json_object(), "targets");
	if (!fake)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	json_object_set(json_object_get(fake, "delegations"), "keys", (json_t *)(uintptr_t)a->keys);
	json_object_set_new(json_object_get(fake, "delegations"), "roles",
			    json_pack("[{s:s, s:O, s:i, s:b, s:[]}]", "name", "x", "keyids",
				      a->keyids, "threshold", (int)a->threshold, "terminating", 0,
				      "paths"));
	WARD_AUTO(json_decref) json_t *fenv = json_pack("{s:[], s:O}", "signatures", "signed", fake);
	WARD_AUTO(free) char *ftext = fenv ? json_dumps(fenv, JSON_COMPACT) : NULL;
	tuf_meta *auth = NULL;
	if (!ftext)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int rc = tuf_meta_parse_copy(&auth, (const uint8_t *)ftext, strlen(ftext),
				     WARD_LIMIT_METADATA_MAX_BYTES, TUF_TARGETS, "keys", err);
	if (rc)
		return rc;
	char what[WARD_LIMIT_ROLE_NAME + 32];
	snprintf(what, sizeof(what), "%s v%lld", role, m->version);
	rc = tuf_meta_verify(m, &auth->keys, &auth->delegations[0], what, a->by, err);
	tuf_meta_free(auth);
	return rc;
}

/* Lists the targets of a staged role for the approver: all of them up to
 * a screenful, else the first ones and a count. */
enum { LIST_TARGETS_MAX = 100 };

static void report_targets(ward_buf *report, const wj_doc *d, uint32_t signed_tok)
{
	uint32_t t = wj_get(d, signed_tok, "targets");
	if (!report || t == WJ_NONE || wj_typeof(d, t) != WJ_OBJ)
		return;
	size_t shown = 0, total = d->t[t].count;
	for (uint32_t k = wj_first(d, t); k != WJ_NONE && shown < LIST_TARGETS_MAX;
	     k = wj_next_member(d, t, k), shown++) {
		WARD_AUTO(free) char *name = wj_str_dup(d, k);
		uint32_t len = wj_get(d, k + 1, "length");
		uint32_t sha = wj_get(d, wj_get(d, k + 1, "hashes"), "sha256");
		bprintf(report, "  target %s  %lld bytes  sha256 %.16s…\n", name ? name : "?",
			len != WJ_NONE && wj_typeof(d, len) == WJ_INT ? (long long)wj_int(d, len) : -1LL,
			sha != WJ_NONE && wj_typeof(d, sha) == WJ_STR ? (const char *)d->src + d->t[sha].start : "?");
	}
	if (total > shown)
		bprintf(report, "  … and %zu more targets (%zu in all)\n", total - shown, total);
}

int repo_sign(const char *change_file, const crypto_signer *key, ward_buf *report, ward_error *err)
{
	WARD_AUTO(repo_change_dispose) repo_change c = { 0 };
	int rc = repo_change_read(&c, change_file, err);
	if (rc)
		return rc;
	char keyid[65];
	if (tuf_keyid(keyid, key) != 0)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	const wj_doc *d = &c.doc;
	uint32_t roles = wj_get(d, 0, "roles");
	/* one splice per role at most: a change of 2^16 hash bins is fine */
	WARD_AUTO(free) repo_splice *sp = calloc(d->t[roles].count + 1u, sizeof(*sp));
	size_t nsp = 0;
	if (!sp)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (uint32_t k = wj_first(d, roles); !rc && k != WJ_NONE; k = wj_next_member(d, roles, k)) {
		WARD_AUTO(free) char *role = wj_str_dup(d, k);
		if (!role) {
			rc = ward_err(err, WARD_ENOMEM, "out of memory");
			break;
		}
		const json_t *entry = json_object_get(json_object_get(c.light, "roles"), role);
		const json_t *s = json_object_get(entry, "signed");
		const json_t *who = json_object_get(json_object_get(c.light, "signers"), role);
		/* The change names the keys that may sign each role (written at
		 * staging time, for approvers away from the repository); publish
		 * re-derives them from trusted state and ignores this list. */
		if (who && !listed(who, keyid))
			continue;
		uint32_t st = wj_get(d, k + 1, "signed"), gt = wj_get(d, k + 1, "signatures");
		if (st == WJ_NONE || gt == WJ_NONE || wj_typeof(d, gt) != WJ_ARR || !json_is_object(s)) {
			rc = ward_err(err, WARD_EINVAL, "%s: staged %s needs \"signatures\" and \"signed\"",
				      change_file, role);
			break;
		}
		WARD_AUTO(buf_dispose) ward_buf owned = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
		const uint8_t *msg;
		size_t msglen;
		json_t *sig = NULL;
		rc = wj_canonical_bytes(d, st, &msg, &msglen, &owned);
		if (rc) {
			rc = ward_err(err, rc, "staged %s has no canonical form", role);
			break;
		}
		rc = tuf_sign_bytes(&sig, msg, msglen, key, err);
		if (rc)
			break;
		/* This key's earlier signature, if any, is replaced. */
		WARD_AUTO(json_decref) json_t *sigs = json_array();
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(entry, "signatures"), i, v)
			if (!json_is_object(v) || !json_is_string(json_object_get(v, "keyid")) ||
			    strcmp(json_string_value(json_object_get(v, "keyid")), keyid) != 0)
				json_array_append(sigs, v);
		json_array_append_new(sigs, sig);
		wj_span(d, gt, &sp[nsp].begin, &sp[nsp].end);
		sp[nsp].text = json_dumps(sigs, JSON_COMPACT | JSON_SORT_KEYS);
		if (!sp[nsp++].text) {
			rc = ward_err(err, WARD_ENOMEM, "out of memory");
			break;
		}
		bprintf(report, "signed %s v%lld (expires %s)\n", role,
			(long long)json_integer_value(json_object_get(s, "version")),
			json_string_value(json_object_get(s, "expires")));
		report_targets(report, d, st);
	}
	if (!rc && !nsp)
		rc = ward_err(err, WARD_ENOTFOUND, "key %.8s is not a signer of any role in %s", keyid,
			      change_file);
	if (!rc)
		rc = repo_change_write_spliced(&c, change_file, sp, nsp, err);
	for (size_t i = 0; i < nsp; i++)
		free(sp[i].text);
	return rc;
}

/* Do two changes propose the same signed bytes for the role? */
static bool same_signed(const repo_change *a, const repo_change *b, const char *role)
{
	uint32_t sa = repo_change_signed(a, role), sb = repo_change_signed(b, role);
	if (sa == WJ_NONE || sb == WJ_NONE)
		return false;
	WARD_AUTO(buf_dispose) ward_buf oa = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	WARD_AUTO(buf_dispose) ward_buf ob = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	const uint8_t *ma, *mb;
	size_t la, lb;
	return wj_canonical_bytes(&a->doc, sa, &ma, &la, &oa) == 0 &&
	       wj_canonical_bytes(&b->doc, sb, &mb, &lb, &ob) == 0 && la == lb && memcmp(ma, mb, la) == 0;
}

int repo_merge(const char *change_file, const char *const *others, size_t nothers,
	       ward_error *err)
{
	WARD_AUTO(repo_change_dispose) repo_change c = { 0 };
	int rc = repo_change_read(&c, change_file, err);
	if (rc)
		return rc;
	json_t *mine = json_object_get(c.light, "roles");
	for (size_t i = 0; i < nothers; i++) {
		WARD_AUTO(repo_change_dispose) repo_change o = { 0 };
		rc = repo_change_read(&o, others[i], err);
		if (rc)
			return rc;
		const char *role;
		json_t *entry;
		json_object_foreach(json_object_get(o.light, "roles"), role, entry)
		{
			if (!json_object_get(mine, role) || !same_signed(&c, &o, role))
				return ward_err(err, WARD_EVERIFY,
						"%s proposes different %s metadata than %s: not the same change",
						others[i], role, change_file);
			json_t *sigs = json_object_get(json_object_get(mine, role), "signatures");
			size_t j;
			json_t *sg;
			json_array_foreach(json_object_get(entry, "signatures"), j, sg)
			{
				bool have = false;
				size_t k;
				json_t *m;
				json_array_foreach(sigs, k, m) have |= json_equal(m, sg);
				if (!have && json_array_append(sigs, sg) != 0)
					return ward_err(err, WARD_ENOMEM, "out of memory");
			}
		}
	}
	/* Every role's signatures, as merged, spliced into the file. */
	uint32_t roles = wj_get(&c.doc, 0, "roles");
	WARD_AUTO(free) repo_splice *sp = calloc(c.doc.t[roles].count + 1u, sizeof(*sp));
	size_t nsp = 0;
	if (!sp)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (uint32_t k = wj_first(&c.doc, roles); !rc && k != WJ_NONE; k = wj_next_member(&c.doc, roles, k)) {
		uint32_t gt = wj_get(&c.doc, k + 1, "signatures");
		WARD_AUTO(free) char *role = wj_str_dup(&c.doc, k);
		if (gt == WJ_NONE || !role)
			continue;
		wj_span(&c.doc, gt, &sp[nsp].begin, &sp[nsp].end);
		sp[nsp].text = json_dumps(json_object_get(json_object_get(mine, role), "signatures"),
					  JSON_COMPACT | JSON_SORT_KEYS);
		if (!sp[nsp++].text)
			rc = ward_err(err, WARD_ENOMEM, "out of memory");
	}
	if (!rc)
		rc = repo_change_write_spliced(&c, change_file, sp, nsp, err);
	for (size_t i = 0; i < nsp; i++)
		free(sp[i].text);
	return rc;
}

void repo_change_annotate(const char *dir, json_t *change)
{
	json_t *signers = json_object();
	const char *role;
	json_t *entry;
	json_object_foreach(json_object_get(change, "roles"), role, entry)
	{
		repo_auth a[2];
		size_t n = 0;
		WARD_AUTO(json_decref) json_t *refs = json_array();
		if (repo_authorisations(a, &n, refs, dir, change, role, NULL) != 0)
			continue;
		json_t *ids = json_array();
		for (size_t g = 0; g < n; g++) {
			size_t i;
			json_t *v;
			json_array_foreach(a[g].keyids, i, v) if (!listed(ids, json_string_value(v)))
				json_array_append(ids, v);
		}
		json_object_set_new(signers, role, ids);
	}
	json_object_set_new(change, "signers", signers);
}

static const char *key_name(const json_t *cfg, const char *id)
{
	const json_t *n = json_object_get(json_object_get(cfg, "key_names"), id);
	return json_is_string(n) ? json_string_value(n) : "";
}

int repo_check_change(const char *dir, ward_buf *report, ward_error *err)
{
	WARD_AUTO(free) char *p = repo_path(dir, "staged/change.json");
	if (!p)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	WARD_AUTO(repo_change_dispose) repo_change c = { 0 };
	int rc = repo_change_read(&c, p, err);
	if (rc == WARD_ENOTFOUND)
		return ward_err(err, rc, "%s: no staged change", dir);
	return rc ? rc : repo_check_read(dir, &c, report, err);
}

/* The staged role parsed as a client would receive it. */
static int parse_staged(tuf_meta **m, const repo_change *c, const char *role, ward_error *err)
{
	const char *type = json_string_value(json_object_get(
		json_object_get(json_object_get(json_object_get(c->light, "roles"), role), "signed"), "_type"));
	tuf_type t = TUF_TARGETS;
	for (int i = 0; i < 4; i++)
		if (type && strcmp(type, repo_role_names[i]) == 0)
			t = (tuf_type)i;
	ward_buf env = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	int rc = repo_change_envelope(c, role, &env, err);
	if (!rc)
		rc = tuf_meta_parse(m, &env, WARD_LIMIT_METADATA_MAX_BYTES, t, role, err);
	buf_dispose(&env);
	return rc;
}

int repo_check_read(const char *dir, const repo_change *c, ward_buf *report, ward_error *err)
{
	WARD_AUTO(json_decref) json_t *cfg = NULL;
	int rc = repo_config_load(&cfg, dir, err);
	if (rc)
		return rc;
	int result = 0;
	ward_error first = { 0 };
	const char *role;
	json_t *entry;
	json_object_foreach(json_object_get(c->light, "roles"), role, entry)
	{
		repo_auth a[2];
		size_t n = 0;
		WARD_AUTO(json_decref) json_t *refs = json_array();
		rc = repo_authorisations(a, &n, refs, dir, c->light, role, err);
		if (rc)
			return rc;
		if (n == 0)
			return ward_err(err, WARD_EVERIFY, "%s: no role delegates it", role);
		WARD_AUTO(tuf_meta_free) tuf_meta *m = NULL;
		rc = parse_staged(&m, c, role, err);
		if (rc)
			return ward_err_prefix(err, rc, "staged change: ");
		for (size_t g = 0; g < n; g++) {
			ward_error e = { 0 };
			int vrc = repo_verify_role(m, &a[g], role, &e);
			size_t have = 0;
			bprintf(report, "%s v%lld — %u of %zu keys of %s must sign:\n", role,
				(long long)json_integer_value(json_object_get(json_object_get(entry, "signed"), "version")),
				a[g].threshold, json_array_size(a[g].keyids), a[g].by);
			size_t i;
			json_t *id;
			json_array_foreach(a[g].keyids, i, id)
			{
				const char *kid = json_string_value(id);
				bool present = false;
				size_t j;
				json_t *s;
				json_array_foreach(json_object_get(entry, "signatures"), j, s)
					present |= json_is_string(json_object_get(s, "keyid")) &&
						   strcmp(json_string_value(json_object_get(s, "keyid")), kid) == 0;
				/* A signature that is present but does not count means the
				 * change was altered after it was signed (or forged). */
				bool counts = false;
				if (present) {
					repo_auth one = a[g];
					json_t *single = json_pack("[s]", kid);
					one.keyids = single;
					one.threshold = 1;
					counts = repo_verify_role(m, &one, role, NULL) == 0;
					json_decref(single);
					have += counts;
				}
				bprintf(report, "  %s %.8s %s%s\n",
					counts ? "signed " : present ? "INVALID" : "missing", kid,
					key_name(cfg, kid),
					present && !counts ? " (signature does not match: the change was altered after it was signed)" : "");
			}
			if (vrc) {
				bprintf(report, "  => %zu more signature%s needed\n",
					a[g].threshold > have ? a[g].threshold - have : 1,
					a[g].threshold - have == 1 ? "" : "s");
				if (!result)
					first = e;
				result = WARD_EVERIFY;
			} else {
				bprintf(report, "  => threshold met\n");
			}
		}
	}
	if (result && err)
		*err = first;
	return result;
}
