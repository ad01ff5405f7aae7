/*
 * repo_edit.c - adding and removing targets in the staged change without
 * building a tree of the roles' targets.
 *
 * Why: adding 10,000 targets to a 100,000-target role through jansson
 * means parsing the 26 MB role into a ~120 MB tree and encoding it all
 * back, about a second of work for a few hundred kilobytes of news.  Here
 * the roles' targets stay text: the staged change and the published roles
 * are tokenised in place (json/tok.h), the small parts are edited as a
 * jansson "light" view (repo_change.c), and each edited role's targets
 * object is rebuilt by merging the new entries, in key order, into the
 * existing members copied as they are.  Members come out in the order
 * canonical JSON wants when the input was in it, as ward writes it; if a
 * role's members are out of order (a change edited by hand), the role
 * takes the slow path through jansson instead of guessing.
 */
#include "repo/repo_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/limits.h"

/* A published role read for its targets. */
typedef struct pub_role {
	char *name;
	ward_buf bytes;
	wj_doc doc;
} pub_role;

struct repo_edit {
	const char *dir;
	const json_t *cfg;
	int64_t now;
	repo_change c;      /* the staged change as read, if there is one */
	bool have_change;
	json_t *light;      /* the change being edited, targets left out */
	json_t *adds;       /* role -> {name -> entry} */
	json_t *removes;    /* role -> {name -> true} */
	pub_role *pubs;
	size_t npubs;
};

void repo_edit_free(repo_edit *e)
{
	if (!e)
		return;
	repo_change_dispose(&e->c);
	json_decref(e->light);
	json_decref(e->adds);
	json_decref(e->removes);
	for (size_t i = 0; i < e->npubs; i++) {
		free(e->pubs[i].name);
		wj_dispose(&e->pubs[i].doc);
		buf_dispose(&e->pubs[i].bytes);
	}
	free(e->pubs);
	free(e);
}

int repo_edit_begin(repo_edit **out, const char *dir, const json_t *cfg, int64_t now,
		    ward_error *err)
{
	repo_edit *e = calloc(1, sizeof(*e));
	if (!e)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	e->dir = dir;
	e->cfg = cfg;
	e->now = now;
	e->adds = json_object();
	e->removes = json_object();
	WARD_AUTO(free) char *p = repo_path(dir, "staged/change.json");
	int rc = e->adds && e->removes && p ? 0 : ward_err(err, WARD_ENOMEM, "out of memory");
	if (!rc) {
		rc = repo_change_read(&e->c, p, err);
		if (rc == WARD_ENOTFOUND) {
			if (err)
				*err = (ward_error){ 0 };
			rc = 0;
			e->light = json_pack("{s:i, s:{}}", "ward_change", 1, "roles");
			if (!e->light)
				rc = ward_err(err, WARD_ENOMEM, "out of memory");
		} else if (!rc) {
			e->have_change = true;
			e->light = json_incref(e->c.light);
		}
	}
	if (rc) {
		repo_edit_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

/* The published role's bytes and tokens, read once. */
static int published_role(pub_role **out, repo_edit *e, const char *role, ward_error *err)
{
	*out = NULL;
	for (size_t i = 0; i < e->npubs; i++)
		if (strcmp(e->pubs[i].name, role) == 0) {
			*out = &e->pubs[i];
			return 0;
		}
	char rel[WARD_LIMIT_ROLE_NAME + 32];
	snprintf(rel, sizeof(rel), "published/metadata/%s.json", role);
	WARD_AUTO(free) char *p = repo_path(e->dir, rel);
	void *grown = p ? realloc(e->pubs, (e->npubs + 1) * sizeof(*e->pubs)) : NULL;
	if (!grown)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	e->pubs = grown;
	pub_role *r = &e->pubs[e->npubs];
	*r = (pub_role){ .bytes = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES) };
	int rc = fs_read_file(&r->bytes, p, WARD_LIMIT_METADATA_MAX_BYTES, err);
	if (!rc)
		rc = wj_parse(&r->doc, r->bytes.ptr, r->bytes.len, WARD_LIMIT_METADATA_MAX_BYTES, rel, err);
	if (!rc && !(r->name = strdup(role)))
		rc = ward_err(err, WARD_ENOMEM, "out of memory");
	if (rc) {
		wj_dispose(&r->doc);
		buf_dispose(&r->bytes);
		return rc;
	}
	e->npubs++;
	*out = r;
	return 0;
}

/* Where the role's current targets are: the staged change, else the
 * published role.  *t is WJ_NONE if the role has no targets object. */
static void base_targets(const repo_edit *e, const char *role, const wj_doc **d, uint32_t *t)
{
	*d = NULL;
	*t = WJ_NONE;
	if (e->have_change && repo_change_signed(&e->c, role) != WJ_NONE) {
		*d = &e->c.doc;
		*t = wj_get(*d, repo_change_signed(&e->c, role), "targets");
		return;
	}
	for (size_t i = 0; i < e->npubs; i++)
		if (strcmp(e->pubs[i].name, role) == 0) {
			*d = &e->pubs[i].doc;
			*t = wj_get(*d, wj_get(*d, 0, "signed"), "targets");
		}
}

int repo_edit_role(repo_edit *e, const char *role, ward_error *err)
{
	json_t *roles = json_object_get(e->light, "roles");
	json_t *entry = json_object_get(roles, role);
	char expires[32];
	repo_expires(expires, e->now, repo_expiry_days(e->cfg, role));
	if (!entry) {
		/* First edit: from the published role, next version. */
		pub_role *r = NULL;
		int rc = published_role(&r, e, role, err);
		if (rc == WARD_ENOTFOUND)
			return ward_err(err, rc, "role %s does not exist", role);
		if (rc)
			return rc;
		uint32_t s = wj_get(&r->doc, 0, "signed");
		if (s == WJ_NONE || wj_typeof(&r->doc, s) != WJ_OBJ)
			return ward_err(err, WARD_EINVAL, "published %s: no signed part", role);
		json_t *signed_obj = NULL;
		rc = repo_light_signed(&signed_obj, &r->doc, s, role, err);
		if (rc)
			return rc;
		json_int_t v = json_integer_value(json_object_get(signed_obj, "version"));
		json_object_set_new(signed_obj, "version", json_integer(v + 1));
		entry = json_pack("{s:o, s:[]}", "signed", signed_obj, "signatures");
		if (!entry || json_object_set_new(roles, role, entry) != 0)
			return ward_err(err, WARD_ENOMEM, "out of memory");
	}
	/* Editing a role voids the signatures collected for it. */
	json_object_set_new(entry, "signatures", json_array());
	json_object_set_new(json_object_get(entry, "signed"), "expires", json_string(expires));
	if (!json_object_get(e->adds, role)) {
		json_object_set_new(e->adds, role, json_object());
		json_object_set_new(e->removes, role, json_object());
	}
	return 0;
}

int repo_edit_add(repo_edit *e, const char *role, const char *name, json_t *entry,
		  ward_error *err)
{
	int rc = repo_edit_role(e, role, err);
	if (rc) {
		json_decref(entry);
		return rc;
	}
	json_object_del(json_object_get(e->removes, role), name);
	if (json_object_set_new(json_object_get(e->adds, role), name, entry) != 0)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	return 0;
}

/* Does the role have target `name` now (staged or published, with this
 * edit's additions)? */
static bool has_target(const repo_edit *e, const char *role, const char *name)
{
	if (json_object_get(json_object_get(e->adds, role), name))
		return true;
	const wj_doc *d;
	uint32_t t;
	base_targets(e, role, &d, &t);
	return d && t != WJ_NONE && wj_typeof(d, t) == WJ_OBJ && wj_get(d, t, name) != WJ_NONE &&
	       !json_object_get(json_object_get(e->removes, role), name);
}

int repo_edit_remove(repo_edit *e, const char *role, const char *name, ward_error *err)
{
	int rc = repo_edit_role(e, role, err);
	if (rc)
		return rc;
	if (!has_target(e, role, name))
		return ward_err(err, WARD_ENOTFOUND, "%s: no target %s", role, name);
	json_object_del(json_object_get(e->adds, role), name);
	if (json_object_set_new(json_object_get(e->removes, role), name, json_true()) != 0)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends `"name":` as JSON. */
static int put_key(ward_buf *out, const char *name)
{
	WARD_AUTO(json_decref) json_t *s = json_string(name);
	WARD_AUTO(free) char *k = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
	return !k || buf_append(out, k, strlen(k)) || buf_putc(out, ':') ? -1 : 0;
}

/* The slow path: the role's targets through jansson, edited, encoded with
 * sorted keys. */
static int merge_slow(ward_buf *out, const wj_doc *d, uint32_t t, const json_t *adds,
		      const json_t *removes, ward_error *err)
{
	json_t *obj = NULL;
	if (d && t != WJ_NONE) {
		size_t b, en;
		wj_span(d, t, &b, &en);
		int rc = wjson_parse(&obj, d->src + b, en - b, WARD_LIMIT_METADATA_MAX_BYTES, "targets", err);
		if (rc)
			return rc;
	} else if (!(obj = json_object())) {
		return ward_err(err, WARD_ENOMEM, "out of memory");
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)(uintptr_t)removes, k, v) json_object_del(obj, k);
	json_object_update(obj, (json_t *)(uintptr_t)adds);
	WARD_AUTO(free) char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(obj);
	if (!text || buf_append(out, text, strlen(text)) != 0)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	return 0;
}

int repo_edit_merge(ward_buf *out, const wj_doc *d, uint32_t t, const json_t *adds,
			 const json_t *removes, ward_error *err)
{
	size_t n = json_object_size(adds), j = 0;
	WARD_AUTO(free) const char **names = calloc(n ? n : 1, sizeof(*names));
	if (!names)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)(uintptr_t)adds, k, v) names[j++] = k;
	qsort(names, n, sizeof(*names), cmp_str);
	size_t start = out->len;
	bool first = true;
	j = 0;
	if (buf_putc(out, '{'))
		return ward_err(err, WARD_ENOMEM, "out of memory");
	WARD_AUTO(free) char *prev = NULL;
	for (uint32_t m = d && t != WJ_NONE ? wj_first(d, t) : WJ_NONE; m != WJ_NONE;
	     m = wj_next_member(d, t, m)) {
		char *key = wj_str_dup(d, m);
		if (!key)
			return ward_err(err, WARD_EINVAL, "targets: a name holds a NUL character");
		bool ordered = !prev || strcmp(prev, key) < 0;
		free(prev);
		prev = key;
		if (!ordered) {
			/* Not in key order: merging would be wrong; start over. */
			out->len = start;
			return merge_slow(out, d, t, adds, removes, err);
		}
		for (; j < n && strcmp(names[j], key) < 0; j++, first = false)
			if ((!first && buf_putc(out, ',')) || put_key(out, names[j]) ||
			    wjson_dump_append(out, json_object_get(adds, names[j])))
				return ward_err(err, WARD_ELIMIT, "targets: too large");
		if (j < n && strcmp(names[j], key) == 0)
			continue; /* replaced: written when its turn comes */
		if (json_object_get(removes, key))
			continue;
		size_t kb, ke, vb, ve;
		wj_span(d, m, &kb, &ke);
		wj_span(d, m + 1, &vb, &ve);
		if ((!first && buf_putc(out, ',')) || buf_append(out, d->src + kb, ve - kb))
			return ward_err(err, WARD_ELIMIT, "targets: too large");
		first = false;
	}
	for (; j < n; j++, first = false)
		if ((!first && buf_putc(out, ',')) || put_key(out, names[j]) ||
		    wjson_dump_append(out, json_object_get(adds, names[j])))
			return ward_err(err, WARD_ELIMIT, "targets: too large");
	if (buf_putc(out, '}'))
		return ward_err(err, WARD_ELIMIT, "targets: too large");
	return 0;
}

int repo_edit_commit(repo_edit *e, ward_error *err)
{
	WARD_AUTO(free) char *staged = repo_path(e->dir, "staged");
	if (!staged)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int rc = fs_mkdirs(staged, err);
	if (rc)
		return rc;
	repo_change_annotate(e->dir, e->light);
	/* The light change, encoded, then each role's targets put back. */
	WARD_AUTO(free) char *light = json_dumps(e->light, JSON_COMPACT | JSON_SORT_KEYS);
	if (!light)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	wj_doc ld = { 0 };
	rc = wj_parse(&ld, (const uint8_t *)light, strlen(light), WARD_LIMIT_METADATA_MAX_BYTES,
		      "change", err);
	if (rc)
		return rc;
	WARD_AUTO(buf_dispose) ward_buf out = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	uint32_t roles = wj_get(&ld, 0, "roles");
	size_t at = 0;
	for (uint32_t k = wj_first(&ld, roles); !rc && k != WJ_NONE; k = wj_next_member(&ld, roles, k)) {
		uint32_t lt = wj_get(&ld, wj_get(&ld, k + 1, "signed"), "targets");
		if (lt == WJ_NONE || wj_typeof(&ld, lt) != WJ_OBJ)
			continue;
		char *role = wj_str_dup(&ld, k);
		if (!role) {
			rc = ward_err(err, WARD_ENOMEM, "out of memory");
			break;
		}
		const wj_doc *d;
		uint32_t t;
		base_targets(e, role, &d, &t);
		if (t != WJ_NONE && wj_typeof(d, t) != WJ_OBJ) {
			free(role);
			continue; /* light kept the value as it was */
		}
		size_t b, en;
		wj_span(&ld, lt, &b, &en);
		if (buf_append(&out, light + at, b - at))
			rc = ward_err(err, WARD_ELIMIT, "change: too large");
		at = en;
		const json_t *adds = json_object_get(e->adds, role);
		if (!rc && adds) {
			rc = repo_edit_merge(&out, d, t, adds, json_object_get(e->removes, role), err);
		} else if (!rc && d && t != WJ_NONE) {
			size_t tb, te;
			wj_span(d, t, &tb, &te);
			if (buf_append(&out, d->src + tb, te - tb))
				rc = ward_err(err, WARD_ELIMIT, "change: too large");
		} else if (!rc && buf_append(&out, "{}", 2)) {
			rc = ward_err(err, WARD_ELIMIT, "change: too large");
		}
		free(role);
	}
	if (!rc && buf_append(&out, light + at, strlen(light) - at))
		rc = ward_err(err, WARD_ELIMIT, "change: too large");
	wj_dispose(&ld);
	return rc ? rc : fs_write_atomic(staged, "change.json", out.ptr, out.len, 0644, err);
}
