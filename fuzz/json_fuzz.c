/*
 * json_fuzz.c - fuzzes ward's two JSON readers and their canonical
 * encoders with the production limit for a metadata file:
 *   - src/json/json.c: wjson_parse (jansson) and wjson_canonical, used to
 *     build metadata;
 *   - src/json/tok.c: wj_parse, the zero-copy tokenizer the client parses
 *     untrusted metadata with, wj_canonical and wj_canonical_bytes (which
 *     hands out a slice of the input when it is already canonical).
 *
 * Properties (abort = a bug in ward):
 *  - the token array is well formed, and every string and member lookup
 *    agrees with the decoded strings;
 *  - the readers agree on what is JSON (jansson refuses scalar documents
 *    and reals beyond double range, which the tokenizer keeps as WJ_REAL);
 *  - both encoders write identical canonical bytes, and wj_canonical_bytes
 *    returns exactly those bytes, for the document and for sub-values;
 *  - canonical JSON is a fixed point: it parses back to an equal document
 *    whose canonical bytes are identical.
 *
 * One exception to the last: canonical JSON (OLPC, securesystemslib)
 * writes control characters in strings as raw bytes, and a strict JSON
 * parser refuses raw control characters, so such output is not read back
 * (see fuzz/README.md).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json/json.h"
#include "json/tok.h"
#include "util/limits.h"

#define MAX WARD_LIMIT_METADATA_MAX_BYTES

/* Sub-values whose wj_canonical_bytes is checked, per input. */
#define SUBTREES_CHECKED 16

static void doc_cleanup(wj_doc *d)
{
	wj_dispose(d);
}

static int sink_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n);
}

static bool has_control_byte(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20)
			return true;
	return false;
}

static bool same(const ward_buf *a, const uint8_t *p, size_t n)
{
	return a->len == n && (n == 0 || memcmp(a->ptr, p, n) == 0);
}

/* Token structure and the string accessors.  Returns whether the document
 * holds a WJ_REAL. */
static bool check_tokens(const wj_doc *d)
{
	bool real = false;
	if (d->n == 0 || wj_next(d, 0) != d->n)
		abort();
	for (uint32_t i = 0; i < d->n; i++) {
		const wj_tok *t = &d->t[i];
		if (t->start >= d->len)
			abort();
		switch (wj_typeof(d, i)) {
		case WJ_OBJ:
		case WJ_ARR: {
			if (t->n <= i || t->n > d->n)
				abort();
			uint32_t count = 0, e = wj_first(d, i);
			for (; e != WJ_NONE; count++) {
				if (t->type == WJ_OBJ) {
					if (wj_typeof(d, e) != WJ_STR)
						abort();
					WARD_AUTO(free) char *key = wj_str_dup(d, e);
					/* Keys are unique: lookup finds this member. */
					if (key && wj_get(d, i, key) != e + 1)
						abort();
					e = wj_next_member(d, i, e);
				} else {
					e = wj_next_elem(d, i, e);
				}
			}
			if (count != t->count)
				abort();
			break;
		}
		case WJ_STR: {
			if ((size_t)t->start + t->n > d->len)
				abort();
			WARD_AUTO(free) char *s = wj_str_dup(d, i);
			/* The parser refuses \u0000, so a copy is always possible. */
			if (s && !wj_str_eq(d, i, s, strlen(s)))
				abort();
			break;
		}
		case WJ_INT:
			(void)wj_int(d, i);
			break;
		case WJ_REAL: real = true; break;
		case WJ_TRUE:
		case WJ_FALSE:
		case WJ_NULL: break;
		default: abort();
		}
	}
	return real;
}

/* wj_canonical_bytes of token i equals wj_canonical of it. */
static void check_canonical_bytes(const wj_doc *d, uint32_t i, const ward_buf *want, int want_rc)
{
	WARD_AUTO(buf_dispose) ward_buf owned = WARD_BUF_INIT(MAX);
	const uint8_t *p = NULL;
	size_t n = 0;
	int rc = wj_canonical_bytes(d, i, &p, &n, &owned);
	if (rc == WARD_ENOMEM || want_rc == WARD_ENOMEM)
		return;
	if (rc != want_rc || (!rc && !same(want, p, n)))
		abort();
	/* A slice must lie inside the input. */
	if (!rc && p != owned.ptr &&
	    ((uintptr_t)p < (uintptr_t)d->src || n > d->len ||
	     (uintptr_t)p - (uintptr_t)d->src > d->len - n))
		abort();
}

static int tok_canonical(const wj_doc *d, uint32_t i, ward_buf *out)
{
	return wj_canonical(d, i, sink_buf, out);
}

/* canonical -> parse -> canonical gives the same bytes, with both readers. */
static void check_fixed_point(const ward_buf *c)
{
	if (has_control_byte(c->ptr, c->len))
		return;
	WARD_AUTO(json_decref) json_t *v = NULL;
	int rc = wjson_parse(&v, c->ptr, c->len, MAX, "canonical", NULL);
	if (rc == WARD_ENOMEM)
		return;
	/* A scalar document is canonical too, but jansson reads only objects
	 * and arrays. */
	if (rc == 0) {
		WARD_AUTO(buf_dispose) ward_buf c2 = WARD_BUF_INIT(MAX);
		rc = wjson_canonical(&c2, v);
		if (rc != WARD_ENOMEM && (rc || !same(&c2, c->ptr, c->len)))
			abort();
	} else if (c->ptr[0] == '{' || c->ptr[0] == '[') {
		abort();
	}
	__attribute__((cleanup(doc_cleanup))) wj_doc d = { 0 };
	rc = wj_parse(&d, c->ptr, c->len, MAX, "canonical", NULL);
	if (rc == WARD_ENOMEM)
		return;
	if (rc)
		abort();
	WARD_AUTO(buf_dispose) ward_buf c3 = WARD_BUF_INIT(MAX);
	rc = tok_canonical(&d, 0, &c3);
	if (rc != WARD_ENOMEM && (rc || !same(&c3, c->ptr, c->len)))
		abort();
	/* A canonical object or array is handed out as a slice, not copied
	 * (a string token starts after its quote, so strings are copied). */
	const uint8_t *p = NULL;
	size_t n = 0;
	WARD_AUTO(buf_dispose) ward_buf owned = WARD_BUF_INIT(MAX);
	rc = wj_canonical_bytes(&d, 0, &p, &n, &owned);
	if (rc == WARD_ENOMEM)
		return;
	if (rc || n != c->len || memcmp(p, c->ptr, n) != 0)
		abort();
	if (wj_is_container(&d, 0) && p != d.src)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* jansson */
	WARD_AUTO(json_decref) json_t *v = NULL;
	int jrc = wjson_parse(&v, data, size, MAX, "input", NULL);
	if (jrc == WARD_ENOMEM)
		return 0;
	WARD_AUTO(buf_dispose) ward_buf cj = WARD_BUF_INIT(MAX);
	int cjrc = jrc ? 0 : wjson_canonical(&cj, v);

	/* the tokenizer */
	__attribute__((cleanup(doc_cleanup))) wj_doc d = { 0 };
	ward_error err = { 0, "" };
	int trc = wj_parse(&d, data, size, MAX, "input", &err);
	if (trc == WARD_ENOMEM)
		return 0;
	if (trc && (trc > 0 || err.code != trc || err.msg[0] == '\0'))
		abort();

	if (trc) {
		if (jrc == 0) /* jansson read it, the tokenizer did not */
			abort();
		return 0;
	}
	bool real = check_tokens(&d);
	bool container = wj_is_container(&d, 0);
	if (jrc && container && !real) /* the tokenizer read it, jansson did not */
		abort();

	WARD_AUTO(buf_dispose) ward_buf ct = WARD_BUF_INIT(MAX);
	int ctrc = tok_canonical(&d, 0, &ct);
	if (ctrc == WARD_ENOMEM || cjrc == WARD_ENOMEM)
		return 0;
	/* Only reals have no canonical form. */
	if (ctrc && (ctrc != WARD_EINVAL || !real))
		abort();
	if (jrc == 0 && (cjrc != ctrc || (!ctrc && !same(&cj, ct.ptr, ct.len))))
		abort();
	check_canonical_bytes(&d, 0, &ct, ctrc);

	/* Sub-values: container_end() and the slice logic at every depth. */
	size_t checked = 0;
	for (uint32_t i = 1; i < d.n && checked < SUBTREES_CHECKED; i++) {
		if (!wj_is_container(&d, i))
			continue;
		WARD_AUTO(buf_dispose) ward_buf sub = WARD_BUF_INIT(MAX);
		int src = tok_canonical(&d, i, &sub);
		if (src == WARD_ENOMEM)
			return 0;
		check_canonical_bytes(&d, i, &sub, src);
		checked++;
	}

	if (!ctrc)
		check_fixed_point(&ct);
	return 0;
}
