/*
 * tok.h - a zero-copy JSON reader for TUF metadata.
 *
 * Why not jansson here: measured on a 100,000-target role (26 MB), jansson
 * builds a 120 MB tree in 1.1 s, and the signature check needs yet another
 * copy (the canonical bytes).  A device must verify such a role in a small,
 * predictable amount of memory.  This reader validates the input once and
 * records a flat array of 16-byte tokens pointing into the caller's bytes:
 * about 0.6x the input for TUF metadata, nothing copied.  jansson remains
 * the tool for building metadata (json.h); both canonical encoders are
 * cross-checked on every fixture and in the fuzzer.
 *
 * Strict: RFC 8259 grammar, valid UTF-8, no control characters in strings,
 * escapes checked (including surrogate pairs), duplicate object keys
 * rejected (compared after unescaping), nesting bounded by
 * WARD_LIMIT_JSON_DEPTH, no trailing data.  Integers must fit in int64;
 * numbers with a fraction or exponent are kept as WJ_REAL (canonical JSON
 * refuses them).
 */
#ifndef WARD_JSON_TOK_H
#define WARD_JSON_TOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/common.h"

typedef enum wj_type {
	WJ_OBJ = 1,
	WJ_ARR,
	WJ_STR,
	WJ_INT,
	WJ_REAL,
	WJ_TRUE,
	WJ_FALSE,
	WJ_NULL,
} wj_type;

/* One value, 12 bytes.  Object members are a key (WJ_STR) token followed
 * by the value's tokens.  `n` is, for objects and arrays, the index just
 * past the subtree; for scalars, the length in bytes (strings: between the
 * quotes, still escaped).  Use wj_next() and wj_len(). */
typedef struct wj_tok {
	uint32_t start;       /* offset of the value (strings: after the quote) */
	uint32_t n;
	uint32_t count : 27;  /* members (objects) or elements (arrays) */
	uint32_t type : 4;    /* wj_type */
	uint32_t escaped : 1; /* string holds a backslash escape */
} wj_tok;

typedef struct wj_doc {
	const uint8_t *src;
	size_t len;
	wj_tok *t;
	uint32_t n;
} wj_doc;

#define WJ_NONE UINT32_MAX
#define WJ_MAX_COUNT ((1u << 27) - 1)

/* Tokenises src[0..len) (which must outlive the document).  WARD_ELIMIT for
 * len > max or nesting too deep, WARD_EINVAL (with "what: ... at byte N")
 * for anything malformed, WARD_ENOMEM. */
int wj_parse(wj_doc *doc, const uint8_t *src, size_t len, size_t max, const char *what,
	     ward_error *err) WARD_INTERNAL WARD_NODISCARD;
void wj_dispose(wj_doc *doc) WARD_INTERNAL;

static inline wj_type wj_typeof(const wj_doc *d, uint32_t i)
{
	return (wj_type)d->t[i].type;
}

static inline bool wj_is_container(const wj_doc *d, uint32_t i)
{
	return d->t[i].type == WJ_OBJ || d->t[i].type == WJ_ARR;
}

/* The index just past token i's subtree. */
static inline uint32_t wj_next(const wj_doc *d, uint32_t i)
{
	return wj_is_container(d, i) ? d->t[i].n : i + 1;
}

/* Bytes of scalar token i (strings: between the quotes, escaped). */
static inline uint32_t wj_len(const wj_doc *d, uint32_t i)
{
	return d->t[i].n;
}

/* The value of member `key` of object i, or WJ_NONE. */
uint32_t wj_get(const wj_doc *d, uint32_t obj, const char *key) WARD_INTERNAL;

/* Iteration: first member key (objects) / element (arrays), then next.
 * For objects, the value of key k is k + 1. */
static inline uint32_t wj_first(const wj_doc *d, uint32_t i)
{
	return d->t[i].count ? i + 1 : WJ_NONE;
}
static inline uint32_t wj_next_elem(const wj_doc *d, uint32_t parent, uint32_t i)
{
	uint32_t n = wj_next(d, i);
	return n < d->t[parent].n ? n : WJ_NONE;
}
/* next member key after key k of object obj */
static inline uint32_t wj_next_member(const wj_doc *d, uint32_t obj, uint32_t k)
{
	uint32_t n = wj_next(d, k + 1);
	return n < d->t[obj].n ? n : WJ_NONE;
}

/* The bytes of value i in the input: [*begin, *end), quotes and brackets
 * included.  For splicing a document without re-encoding it. */
void wj_span(const wj_doc *d, uint32_t i, size_t *begin, size_t *end) WARD_INTERNAL;

/* Does string token i equal s (after unescaping)? */
bool wj_str_eq(const wj_doc *d, uint32_t i, const char *s, size_t slen) WARD_INTERNAL;

/* Unescaped string into a new NUL-terminated allocation; NULL if it holds a
 * NUL character or on ENOMEM. */
char *wj_str_dup(const wj_doc *d, uint32_t i) WARD_INTERNAL;

/* The integer value of token i (WJ_INT). */
int64_t wj_int(const wj_doc *d, uint32_t i) WARD_INTERNAL;

/* Canonical JSON (OLPC/securesystemslib) of the subtree at i, written
 * through sink in pieces.  WARD_EINVAL for reals; sink errors propagate. */
typedef int (*wj_sink)(void *ctx, const uint8_t *p, size_t n);
int wj_canonical(const wj_doc *d, uint32_t i, wj_sink sink, void *ctx) WARD_INTERNAL WARD_NODISCARD;

/* Canonical bytes of subtree i as a slice of the input when the input
 * already is canonical there (no copy), else in *owned (caller disposes).
 * The message is at *out, *outlen bytes, either way. */
int wj_canonical_bytes(const wj_doc *d, uint32_t i, const uint8_t **out, size_t *outlen,
		       ward_buf *owned) WARD_INTERNAL WARD_NODISCARD;

#endif
