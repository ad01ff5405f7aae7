/*
 * repo_change.c - reading a staged change for signing, checking and
 * publishing without building a tree of its targets.
 *
 * Why: a release of a 100,000-target repository stages a 26 MB targets
 * role.  jansson turns that into a ~120 MB tree in about a second, and
 * every signer and the publisher would pay it again, plus an encoding pass
 * to get canonical bytes back.  None of them edits the targets: they need
 * the canonical bytes (to sign and verify), the target names and hashes
 * (to move files), and the small fields around them.  So the file is
 * tokenised in place (json/tok.h), and the small fields are read through a
 * "light" jansson view: the same document with every role's
 * signed.targets replaced by {}.  The light view is never written back;
 * signing splices new "signatures" arrays into the original bytes.
 */
#include "repo/repo_int.h"

#include <stdio.h>
#include <string.h>

#include "util/fs.h"
#include "util/limits.h"

void repo_change_dispose(repo_change *c)
{
	json_decref(c->light);
	wj_dispose(&c->doc);
	buf_dispose(&c->bytes);
	*c = (repo_change){ 0 };
}

int repo_change_read(repo_change *c, const char *path, ward_error *err)
{
	*c = (repo_change){ 0 };
	buf_init(&c->bytes, WARD_LIMIT_METADATA_MAX_BYTES);
	int rc = fs_read_file(&c->bytes, path, WARD_LIMIT_METADATA_MAX_BYTES, err);
	if (!rc)
		rc = wj_parse(&c->doc, c->bytes.ptr, c->bytes.len, WARD_LIMIT_METADATA_MAX_BYTES, path,
			      err);
	if (rc) {
		repo_change_dispose(c);
		return rc;
	}
	uint32_t roles = wj_get(&c->doc, 0, "roles");
	if (wj_typeof(&c->doc, 0) != WJ_OBJ || roles == WJ_NONE || wj_typeof(&c->doc, roles) != WJ_OBJ) {
		repo_change_dispose(c);
		return ward_err(err, WARD_EINVAL, "%s: not a ward change (no \"roles\" object)", path);
	}
	/* The light text: the file with each signed.targets object cut out. */
	WARD_AUTO(buf_dispose) ward_buf light = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	size_t at = 0;
	for (uint32_t k = wj_first(&c->doc, roles); !rc && k != WJ_NONE;
	     k = wj_next_member(&c->doc, roles, k)) {
		uint32_t t = wj_get(&c->doc, wj_get(&c->doc, k + 1, "signed"), "targets");
		if (t == WJ_NONE || wj_typeof(&c->doc, t) != WJ_OBJ)
			continue;
		size_t b, e;
		wj_span(&c->doc, t, &b, &e);
		if (buf_append(&light, c->bytes.ptr + at, b - at) != 0 || buf_append(&light, "{}", 2) != 0)
			rc = ward_err(err, WARD_ENOMEM, "out of memory");
		at = e;
	}
	if (!rc && buf_append(&light, c->bytes.ptr + at, c->bytes.len - at) != 0)
		rc = ward_err(err, WARD_ENOMEM, "out of memory");
	if (!rc)
		rc = wjson_parse(&c->light, light.ptr, light.len, WARD_LIMIT_METADATA_MAX_BYTES, path, err);
	if (rc)
		repo_change_dispose(c);
	return rc;
}

/* Token of roles.ROLE, or WJ_NONE. */
static uint32_t role_entry(const repo_change *c, const char *role)
{
	return wj_get(&c->doc, wj_get(&c->doc, 0, "roles"), role);
}

uint32_t repo_change_signed(const repo_change *c, const char *role)
{
	return wj_get(&c->doc, role_entry(c, role), "signed");
}

int repo_change_envelope(const repo_change *c, const char *role, ward_buf *out, ward_error *err)
{
	uint32_t e = role_entry(c, role);
	uint32_t sigs = wj_get(&c->doc, e, "signatures");
	uint32_t s = wj_get(&c->doc, e, "signed");
	if (sigs == WJ_NONE || s == WJ_NONE || wj_typeof(&c->doc, sigs) != WJ_ARR ||
	    wj_typeof(&c->doc, s) != WJ_OBJ)
		return ward_err(err, WARD_EINVAL, "staged %s: needs \"signatures\" and \"signed\"", role);
	size_t sb, se, gb, ge;
	wj_span(&c->doc, sigs, &gb, &ge);
	wj_span(&c->doc, s, &sb, &se);
	const char *p = (const char *)c->bytes.ptr;
	if (buf_append(out, "{\"signatures\":", 14) != 0 || buf_append(out, p + gb, ge - gb) != 0 ||
	    buf_append(out, ",\"signed\":", 10) != 0 || buf_append(out, p + sb, se - sb) != 0 ||
	    buf_putc(out, '}') != 0)
		return ward_err(err, WARD_ELIMIT, "staged %s: too large", role);
	return 0;
}

static int by_offset(const void *x, const void *y)
{
	const repo_splice *a = x, *b = y;
	return a->begin < b->begin ? -1 : a->begin > b->begin;
}

int repo_change_write_spliced(const repo_change *c, const char *path, repo_splice *sp, size_t n,
			      ward_error *err)
{
	qsort(sp, n, sizeof(*sp), by_offset);
	WARD_AUTO(buf_dispose) ward_buf out = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		if (sp[i].begin < at || sp[i].end < sp[i].begin || sp[i].end > c->bytes.len)
			return ward_err(err, WARD_EINVAL, "%s: overlapping edits", path);
		if (buf_append(&out, c->bytes.ptr + at, sp[i].begin - at) != 0 ||
		    buf_append(&out, sp[i].text, strlen(sp[i].text)) != 0)
			return ward_err(err, WARD_ELIMIT, "%s: too large to write", path);
		at = sp[i].end;
	}
	if (buf_append(&out, c->bytes.ptr + at, c->bytes.len - at) != 0)
		return ward_err(err, WARD_ELIMIT, "%s: too large to write", path);
	WARD_AUTO(free) char *dir = strdup(path);
	if (!dir)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	const char *d = !slash ? "." : slash == dir ? "/" : dir;
	return fs_write_atomic(d, slash ? slash + 1 : path, out.ptr, out.len, 0644, err);
}

/* The signed object of d's subtree `s` as jansson, with its targets cut
 * out. */
int repo_light_signed(json_t **out, const wj_doc *d, uint32_t s, const char *what,
			ward_error *err)
{
	size_t sb, se, tb = 0, te = 0;
	wj_span(d, s, &sb, &se);
	uint32_t t = wj_get(d, s, "targets");
	WARD_AUTO(buf_dispose) ward_buf text = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	int rc = 0;
	if (t != WJ_NONE && wj_typeof(d, t) == WJ_OBJ) {
		wj_span(d, t, &tb, &te);
		rc = buf_append(&text, d->src + sb, tb - sb) || buf_append(&text, "{}", 2) ||
		     buf_append(&text, d->src + te, se - te);
	} else {
		rc = buf_append(&text, d->src + sb, se - sb);
	}
	if (rc)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	return wjson_parse(out, text.ptr, text.len, WARD_LIMIT_METADATA_MAX_BYTES, what, err);
}

int repo_published_light(json_t **out, const char *dir, const char *role, ward_error *err)
{
	char rel[WARD_LIMIT_ROLE_NAME + 32];
	snprintf(rel, sizeof(rel), "published/metadata/%s.json", role);
	WARD_AUTO(free) char *p = repo_path(dir, rel);
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	*out = NULL;
	if (!p)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int rc = fs_read_file(&b, p, WARD_LIMIT_METADATA_MAX_BYTES, err);
	if (rc == WARD_ENOTFOUND)
		return 0;
	wj_doc d = { 0 };
	if (!rc)
		rc = wj_parse(&d, b.ptr, b.len, WARD_LIMIT_METADATA_MAX_BYTES, rel, err);
	if (rc)
		return rc;
	uint32_t s = wj_get(&d, 0, "signed");
	if (s == WJ_NONE || wj_typeof(&d, s) != WJ_OBJ)
		rc = ward_err(err, WARD_EINVAL, "%s: no signed part", rel);
	else
		rc = repo_light_signed(out, &d, s, rel, err);
	wj_dispose(&d);
	return rc;
}
