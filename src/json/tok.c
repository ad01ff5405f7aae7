/* tok.c - zero-copy strict JSON tokenizer and canonical encoder. */
#include "json/tok.h"

#include <string.h>

#include "util/limits.h"

/* ---- parsing ------------------------------------------------------------ */

struct parser {
	wj_doc *d;
	uint32_t cap;
	const uint8_t *s;
	size_t len, pos;
	const char *what;
	ward_error *err;
};

static int fail(struct parser *p, const char *why)
{
	return ward_err(p->err, WARD_EINVAL, "%s: invalid JSON at byte %zu: %s", p->what, p->pos,
			why);
}

static int push_tok(struct parser *p, wj_type type, size_t start, uint32_t *idx)
{
	wj_doc *d = p->d;
	if (d->n == p->cap) {
		uint32_t ncap = p->cap ? p->cap : 64;
		if (ncap > UINT32_MAX / 2 - 1)
			return ward_err(p->err, WARD_ELIMIT, "%s: too many JSON values", p->what);
		ncap *= 2;
		wj_tok *t = realloc(d->t, (size_t)ncap * sizeof(*t));
		if (!t)
			return ward_err(p->err, WARD_ENOMEM, "%s: out of memory", p->what);
		d->t = t;
		p->cap = ncap;
	}
	*idx = d->n;
	d->t[d->n++] = (wj_tok){ .start = (uint32_t)start, .type = type & 15u };
	return 0;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		uint8_t c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_u4(const uint8_t *s, size_t avail, uint32_t *out)
{
	if (avail < 4)
		return -1;
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (uint32_t)h;
	}
	*out = v;
	return 0;
}

/* Length of the valid UTF-8 sequence at s (lead byte >= 0x80), or 0. */
static size_t utf8_len(const uint8_t *s, size_t avail)
{
	uint8_t c = s[0];
	size_t n;
	uint32_t min, cp;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, min = 0x80, cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, min = 0x800, cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, min = 0x10000, cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int parse_string(struct parser *p, uint32_t *idx)
{
	size_t start = ++p->pos; /* after the opening quote */
	bool escaped = false;
	const uint8_t *s = p->s;
	for (;;) {
		while (p->pos < p->len) {
			uint8_t c = s[p->pos];
			if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
				break;
			p->pos++;
		}
		if (p->pos >= p->len)
			return fail(p, "unterminated string");
		uint8_t c = s[p->pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(p, "control character in string");
		if (c >= 0x80) {
			size_t n = utf8_len(s + p->pos, p->len - p->pos);
			if (!n)
				return fail(p, "invalid UTF-8");
			p->pos += n;
			continue;
		}
		/* backslash */
		escaped = true;
		if (p->pos + 1 >= p->len)
			return fail(p, "unterminated escape");
		uint8_t e = s[p->pos + 1];
		if (strchr("\"\\/bfnrt", e) && e) {
			p->pos += 2;
			continue;
		}
		if (e != 'u')
			return fail(p, "invalid escape");
		uint32_t cp;
		if (read_u4(s + p->pos + 2, p->len - p->pos - 2, &cp))
			return fail(p, "invalid \\u escape");
		p->pos += 6;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return fail(p, "unpaired surrogate");
		if (cp >= 0xd800 && cp <= 0xdbff) {
			uint32_t lo;
			if (p->pos + 1 >= p->len || s[p->pos] != '\\' || s[p->pos + 1] != 'u' ||
			    read_u4(s + p->pos + 2, p->len - p->pos - 2, &lo) || lo < 0xdc00 ||
			    lo > 0xdfff)
				return fail(p, "unpaired surrogate");
			p->pos += 6;
		}
		if (cp == 0)
			return fail(p, "NUL character in string");
	}
	if (p->pos - start > UINT32_MAX)
		return fail(p, "string too long");
	int rc = push_tok(p, WJ_STR, start, idx);
	if (rc)
		return rc;
	p->d->t[*idx].n = (uint32_t)(p->pos - start);
	p->d->t[*idx].escaped = escaped;
	p->pos++; /* closing quote */
	return 0;
}

static int parse_number(struct parser *p, uint32_t *idx)
{
	size_t start = p->pos;
	const uint8_t *s = p->s;
	bool neg = false, real = false;
	if (s[p->pos] == '-') {
		neg = true;
		p->pos++;
	}
	if (p->pos >= p->len || s[p->pos] < '0' || s[p->pos] > '9')
		return fail(p, "invalid number");
	uint64_t v = 0;
	bool overflow = false;
	if (s[p->pos] == '0') {
		p->pos++;
	} else {
		while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9') {
			overflow |= __builtin_mul_overflow(v, 10, &v) ||
				    __builtin_add_overflow(v, (uint64_t)(s[p->pos] - '0'), &v);
			p->pos++;
		}
	}
	if (p->pos < p->len && s[p->pos] == '.') {
		real = true;
		p->pos++;
		size_t d0 = p->pos;
		while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9')
			p->pos++;
		if (p->pos == d0)
			return fail(p, "invalid number");
	}
	if (p->pos < p->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
		real = true;
		p->pos++;
		if (p->pos < p->len && (s[p->pos] == '+' || s[p->pos] == '-'))
			p->pos++;
		size_t d0 = p->pos;
		while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9')
			p->pos++;
		if (p->pos == d0)
			return fail(p, "invalid number");
	}
	if (!real && (overflow || v > (uint64_t)INT64_MAX + (neg ? 1u : 0u)))
		return fail(p, "integer out of range");
	int rc = push_tok(p, real ? WJ_REAL : WJ_INT, start, idx);
	if (rc)
		return rc;
	p->d->t[*idx].n = (uint32_t)(p->pos - start);
	return 0;
}

static int parse_literal(struct parser *p, uint32_t *idx)
{
	static const struct {
		const char *text;
		wj_type type;
	} lits[] = { { "true", WJ_TRUE }, { "false", WJ_FALSE }, { "null", WJ_NULL } };
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(lits[i].text);
		if (p->len - p->pos >= n && memcmp(p->s + p->pos, lits[i].text, n) == 0) {
			int rc = push_tok(p, lits[i].type, p->pos, idx);
			if (rc)
				return rc;
			p->d->t[*idx].n = (uint32_t)n;
			p->pos += n;
			return 0;
		}
	}
	return fail(p, "unexpected character");
}

/* Unescaped comparison of two string tokens: <0, 0, >0 by bytes. */
static int key_cmp(const wj_doc *d, uint32_t a, uint32_t b);

static int cmp_idx(const void *x, const void *y, void *ctx)
{
	return key_cmp(ctx, *(const uint32_t *)x, *(const uint32_t *)y);
}

/* Sorted member keys of object obj into a new array (count entries). */
static uint32_t *sorted_keys(const wj_doc *d, uint32_t obj)
{
	uint32_t n = d->t[obj].count;
	uint32_t *keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys)
		return NULL;
	uint32_t k = obj + 1;
	for (uint32_t i = 0; i < n; i++) {
		keys[i] = k;
		k = wj_next(d, k + 1);
	}
	if (n > 1)
		qsort_r(keys, n, sizeof(*keys), cmp_idx, (void *)(uintptr_t)d);
	return keys;
}

static int check_duplicates(struct parser *p, uint32_t obj)
{
	const wj_doc *d = p->d;
	uint32_t n = d->t[obj].count;
	if (n < 2)
		return 0;
	if (n <= 16) {
		uint32_t a = obj + 1;
		for (uint32_t i = 0; i < n; i++, a = wj_next(d, a + 1)) {
			uint32_t b = wj_next(d, a + 1);
			for (uint32_t j = i + 1; j < n; j++, b = wj_next(d, b + 1))
				if (key_cmp(d, a, b) == 0)
					return ward_err(p->err, WARD_EINVAL, "%s: duplicate key in object",
							p->what);
		}
		return 0;
	}
	uint32_t *keys = sorted_keys(d, obj);
	if (!keys)
		return ward_err(p->err, WARD_ENOMEM, "%s: out of memory", p->what);
	int rc = 0;
	for (uint32_t i = 1; i < n && !rc; i++)
		if (key_cmp(d, keys[i - 1], keys[i]) == 0)
			rc = ward_err(p->err, WARD_EINVAL, "%s: duplicate key in object", p->what);
	free(keys);
	return rc;
}

enum expect { VALUE, VALUE_OR_CLOSE, KEY, KEY_OR_CLOSE, COLON, COMMA_OR_CLOSE };

int wj_parse(wj_doc *doc, const uint8_t *src, size_t len, size_t max, const char *what,
	     ward_error *err)
{
	memset(doc, 0, sizeof(*doc));
	if (len > max)
		return ward_err(err, WARD_ELIMIT, "%s is %zu bytes > %zu byte limit", what, len, max);
	if (len >= UINT32_MAX)
		return ward_err(err, WARD_ELIMIT, "%s is too large", what);
	struct parser p = { doc, 0, src, len, 0, what, err };
	doc->src = src;
	doc->len = len;
	uint32_t stack[WARD_LIMIT_JSON_DEPTH];
	size_t sp = 0;
	enum expect want = VALUE;
	int rc = 0;
	/* A first guess: TUF metadata has about one token per 25 bytes. */
	p.cap = (uint32_t)(len / 24 + 16);
	doc->t = malloc((size_t)p.cap * sizeof(*doc->t));
	if (!doc->t)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", what);
	for (;;) {
		skip_ws(&p);
		if (p.pos >= len) {
			rc = sp || want != COMMA_OR_CLOSE ? fail(&p, "unexpected end of input") : 0;
			break;
		}
		uint8_t c = src[p.pos];
		uint32_t idx;
		if (want == COMMA_OR_CLOSE) {
			if (!sp) {
				rc = fail(&p, "trailing data after the value");
				break;
			}
			wj_tok *top = &doc->t[stack[sp - 1]];
			bool obj = top->type == WJ_OBJ;
			if (c == ',') {
				p.pos++;
				want = obj ? KEY : VALUE;
				continue;
			}
			if (c != (obj ? '}' : ']')) {
				rc = fail(&p, "expected ',' or a closing bracket");
				break;
			}
			goto close;
		}
		if (want == COLON) {
			if (c != ':') {
				rc = fail(&p, "expected ':'");
				break;
			}
			p.pos++;
			want = VALUE;
			continue;
		}
		if ((want == KEY_OR_CLOSE && c == '}') || (want == VALUE_OR_CLOSE && c == ']'))
			goto close;
		if (want == KEY || want == KEY_OR_CLOSE) {
			if (c != '"') {
				rc = fail(&p, "expected a string key");
				break;
			}
			rc = parse_string(&p, &idx);
			if (rc)
				break;
			if (doc->t[stack[sp - 1]].count == WJ_MAX_COUNT) {
				rc = ward_err(err, WARD_ELIMIT, "%s: object too large", what);
				break;
			}
			doc->t[stack[sp - 1]].count++;
			want = COLON;
			continue;
		}
		/* a value */
		if (sp && doc->t[stack[sp - 1]].type == WJ_ARR) {
			if (doc->t[stack[sp - 1]].count == WJ_MAX_COUNT) {
				rc = ward_err(err, WARD_ELIMIT, "%s: array too large", what);
				break;
			}
			doc->t[stack[sp - 1]].count++;
		}
		if (c == '{' || c == '[') {
			if (sp == WARD_LIMIT_JSON_DEPTH) {
				rc = ward_err(err, WARD_ELIMIT, "%s: JSON nested deeper than %d levels",
					      what, WARD_LIMIT_JSON_DEPTH);
				break;
			}
			rc = push_tok(&p, c == '{' ? WJ_OBJ : WJ_ARR, p.pos, &idx);
			if (rc)
				break;
			stack[sp++] = idx;
			p.pos++;
			want = c == '{' ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
			continue;
		}
		if (c == '"')
			rc = parse_string(&p, &idx);
		else if (c == '-' || (c >= '0' && c <= '9'))
			rc = parse_number(&p, &idx);
		else
			rc = parse_literal(&p, &idx);
		if (rc)
			break;
		want = COMMA_OR_CLOSE;
		continue;
close:
		p.pos++;
		{
			uint32_t top = stack[--sp];
			doc->t[top].n = doc->n;
			if (doc->t[top].type == WJ_OBJ && (rc = check_duplicates(&p, top)) != 0)
				break;
		}
		want = COMMA_OR_CLOSE;
	}
	if (rc) {
		wj_dispose(doc);
		return rc;
	}
	return 0;
}

void wj_dispose(wj_doc *doc)
{
	free(doc->t);
	doc->t = NULL;
	doc->n = 0;
}

/* ---- access ------------------------------------------------------------- */

/* Decodes one escape at s (pointing at the backslash); writes UTF-8 into
 * out (>= 4 bytes); returns bytes written and advances *adv. */
static size_t decode_escape(const uint8_t *s, uint8_t out[static 4], size_t *adv)
{
	uint8_t e = s[1];
	*adv = 2;
	switch (e) {
	case 'b': out[0] = '\b'; return 1;
	case 'f': out[0] = '\f'; return 1;
	case 'n': out[0] = '\n'; return 1;
	case 'r': out[0] = '\r'; return 1;
	case 't': out[0] = '\t'; return 1;
	case 'u': break;
	default: out[0] = e; return 1;
	}
	uint32_t cp = 0, lo = 0;
	(void)read_u4(s + 2, 4, &cp); /* validated by the parser */
	*adv = 6;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		(void)read_u4(s + 8, 4, &lo);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		*adv = 12;
	}
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | cp >> 12);
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uint8_t)(0xf0 | cp >> 18);
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* Streams the unescaped bytes of string token i, one run at a time. */
struct decoder {
	const uint8_t *s, *end;
	uint8_t tmp[4];
};

static size_t decoder_next(struct decoder *dc, const uint8_t **chunk)
{
	if (dc->s >= dc->end)
		return 0;
	if (*dc->s == '\\') {
		size_t adv;
		size_t n = decode_escape(dc->s, dc->tmp, &adv);
		dc->s += adv;
		*chunk = dc->tmp;
		return n;
	}
	const uint8_t *bs = memchr(dc->s, '\\', (size_t)(dc->end - dc->s));
	const uint8_t *stop = bs ? bs : dc->end;
	*chunk = dc->s;
	size_t n = (size_t)(stop - dc->s);
	dc->s = stop;
	return n;
}

static int key_cmp(const wj_doc *d, uint32_t a, uint32_t b)
{
	const wj_tok *x = &d->t[a], *y = &d->t[b];
	if (!x->escaped && !y->escaped) {
		size_t n = x->n < y->n ? x->n : y->n;
		int c = memcmp(d->src + x->start, d->src + y->start, n);
		if (c)
			return c;
		return (x->n > y->n) - (x->n < y->n);
	}
	struct decoder da = { d->src + x->start, d->src + x->start + x->n, { 0 } };
	struct decoder db = { d->src + y->start, d->src + y->start + y->n, { 0 } };
	const uint8_t *pa = NULL, *pb = NULL;
	size_t na = 0, nb = 0;
	for (;;) {
		if (!na)
			na = decoder_next(&da, &pa);
		if (!nb)
			nb = decoder_next(&db, &pb);
		if (!na || !nb)
			return (na > 0) - (nb > 0);
		size_t n = na < nb ? na : nb;
		int c = memcmp(pa, pb, n);
		if (c)
			return c;
		pa += n, pb += n, na -= n, nb -= n;
	}
}

bool wj_str_eq(const wj_doc *d, uint32_t i, const char *s, size_t slen)
{
	const wj_tok *t = &d->t[i];
	if (t->type != WJ_STR)
		return false;
	if (!t->escaped)
		return t->n == slen && memcmp(d->src + t->start, s, slen) == 0;
	struct decoder dc = { d->src + t->start, d->src + t->start + t->n, { 0 } };
	const uint8_t *chunk;
	size_t n, off = 0;
	while ((n = decoder_next(&dc, &chunk)) > 0) {
		if (off + n > slen || memcmp(s + off, chunk, n) != 0)
			return false;
		off += n;
	}
	return off == slen;
}

uint32_t wj_get(const wj_doc *d, uint32_t obj, const char *key)
{
	if (obj == WJ_NONE || d->t[obj].type != WJ_OBJ)
		return WJ_NONE;
	size_t klen = strlen(key);
	for (uint32_t k = wj_first(d, obj); k != WJ_NONE; k = wj_next_member(d, obj, k))
		if (wj_str_eq(d, k, key, klen))
			return k + 1;
	return WJ_NONE;
}

char *wj_str_dup(const wj_doc *d, uint32_t i)
{
	const wj_tok *t = &d->t[i];
	char *out = malloc((size_t)t->n + 1); /* unescaping never grows */
	if (!out)
		return NULL;
	struct decoder dc = { d->src + t->start, d->src + t->start + t->n, { 0 } };
	const uint8_t *chunk;
	size_t n, off = 0;
	while ((n = decoder_next(&dc, &chunk)) > 0) {
		memcpy(out + off, chunk, n);
		off += n;
	}
	out[off] = '\0';
	return out;
}

int64_t wj_int(const wj_doc *d, uint32_t i)
{
	const wj_tok *t = &d->t[i];
	const uint8_t *s = d->src + t->start;
	bool neg = s[0] == '-';
	uint64_t v = 0;
	for (uint32_t k = neg; k < t->n; k++)
		v = v * 10 + (uint64_t)(s[k] - '0');
	/* range checked by the parser */
	return neg ? (int64_t)(0 - v) : (int64_t)v;
}

/* ---- canonical JSON ----------------------------------------------------- */

#define EMIT(p, n)                                  \
	do {                                        \
		int rc_ = sink(ctx, (const uint8_t *)(p), (n)); \
		if (rc_)                            \
			return rc_;                 \
	} while (0)

static int canon_str(const wj_doc *d, uint32_t i, wj_sink sink, void *ctx)
{
	const wj_tok *t = &d->t[i];
	EMIT("\"", 1);
	if (!t->escaped) {
		/* no backslash, so no '"' either: the raw bytes are canonical */
		EMIT(d->src + t->start, t->n);
	} else {
		struct decoder dc = { d->src + t->start, d->src + t->start + t->n, { 0 } };
		const uint8_t *chunk;
		size_t n;
		while ((n = decoder_next(&dc, &chunk)) > 0) {
			size_t from = 0;
			for (size_t k = 0; k < n; k++) {
				if (chunk[k] == '"' || chunk[k] == '\\') {
					EMIT(chunk + from, k - from);
					EMIT("\\", 1);
					from = k;
				}
			}
			EMIT(chunk + from, n - from);
		}
	}
	EMIT("\"", 1);
	return 0;
}

static int canon_at(const wj_doc *d, uint32_t i, wj_sink sink, void *ctx)
{
	const wj_tok *t = &d->t[i];
	switch ((wj_type)t->type) {
	case WJ_OBJ: {
		uint32_t *keys = sorted_keys(d, i);
		if (!keys)
			return WARD_ENOMEM;
		int rc = sink(ctx, (const uint8_t *)"{", 1);
		for (uint32_t k = 0; k < t->count && !rc; k++) {
			if (k)
				rc = sink(ctx, (const uint8_t *)",", 1);
			if (!rc)
				rc = canon_str(d, keys[k], sink, ctx);
			if (!rc)
				rc = sink(ctx, (const uint8_t *)":", 1);
			if (!rc)
				rc = canon_at(d, keys[k] + 1, sink, ctx);
		}
		free(keys);
		if (rc)
			return rc;
		EMIT("}", 1);
		return 0;
	}
	case WJ_ARR:
		EMIT("[", 1);
		for (uint32_t e = wj_first(d, i), k = 0; e != WJ_NONE; e = wj_next_elem(d, i, e), k++) {
			if (k)
				EMIT(",", 1);
			int rc = canon_at(d, e, sink, ctx);
			if (rc)
				return rc;
		}
		EMIT("]", 1);
		return 0;
	case WJ_STR:
		return canon_str(d, i, sink, ctx);
	case WJ_INT:
		/* JSON integers have no leading zeros or '+'; only -0 differs. */
		if (t->n == 2 && memcmp(d->src + t->start, "-0", 2) == 0)
			EMIT("0", 1);
		else
			EMIT(d->src + t->start, t->n);
		return 0;
	case WJ_TRUE:
	case WJ_FALSE:
	case WJ_NULL:
		EMIT(d->src + t->start, t->n);
		return 0;
	case WJ_REAL:
	default:
		return WARD_EINVAL; /* canonical JSON has no floating point */
	}
}

int wj_canonical(const wj_doc *d, uint32_t i, wj_sink sink, void *ctx)
{
	return canon_at(d, i, sink, ctx);
}

struct cmp_sink {
	const uint8_t *p;
	size_t left;
};

#define NOT_CANONICAL 1

static int sink_compare(void *ctx, const uint8_t *p, size_t n)
{
	struct cmp_sink *c = ctx;
	if (n > c->left || memcmp(c->p, p, n) != 0)
		return NOT_CANONICAL;
	c->p += n;
	c->left -= n;
	return 0;
}

static int sink_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n);
}

static size_t skip_ws_at(const wj_doc *d, size_t pos)
{
	while (pos < d->len && strchr(" \t\r\n", d->src[pos]) && d->src[pos])
		pos++;
	return pos;
}

/* Offset just past the closing bracket of container i.  Only containers
 * store their subtree end, not their byte span (tokens stay 12 bytes), so
 * descend to the last leaf, then step over the closing brackets. */
static size_t container_end(const wj_doc *d, uint32_t i)
{
	uint32_t depth = 0, c = i;
	while (wj_is_container(d, c) && d->t[c].count > 0) {
		uint32_t last = c + 1, k = c + 1;
		if (d->t[c].type == WJ_OBJ) {
			for (; k != WJ_NONE; k = wj_next_member(d, c, k))
				last = k + 1; /* the member's value */
		} else {
			for (; k != WJ_NONE; k = wj_next_elem(d, c, k))
				last = k;
		}
		c = last;
		depth++;
	}
	size_t pos;
	if (wj_is_container(d, c))
		pos = skip_ws_at(d, d->t[c].start + 1) + 1; /* empty: "{ }" */
	else
		pos = d->t[c].start + d->t[c].n + (d->t[c].type == WJ_STR ? 1 : 0);
	for (uint32_t k = 0; k < depth; k++)
		pos = skip_ws_at(d, pos) + 1;
	return pos;
}

void wj_span(const wj_doc *d, uint32_t i, size_t *begin, size_t *end)
{
	const wj_tok *t = &d->t[i];
	if (wj_is_container(d, i)) {
		*begin = t->start;
		*end = container_end(d, i);
	} else if (t->type == WJ_STR) {
		*begin = t->start - 1;
		*end = (size_t)t->start + t->n + 1;
	} else {
		*begin = t->start;
		*end = (size_t)t->start + t->n;
	}
}

int wj_canonical_bytes(const wj_doc *d, uint32_t i, const uint8_t **out, size_t *outlen,
		       ward_buf *owned)
{
	const wj_tok *t = &d->t[i];
	size_t span = wj_is_container(d, i) ? container_end(d, i) - t->start : t->n;
	struct cmp_sink c = { d->src + t->start, span };
	int rc = canon_at(d, i, sink_compare, &c);
	if (rc == 0 && c.left == 0) {
		*out = d->src + t->start;
		*outlen = span;
		return 0;
	}
	if (rc != 0 && rc != NOT_CANONICAL)
		return rc;
	/* The input is not canonical here (pretty-printed, escapes, key
	 * order): build the canonical bytes. */
	rc = canon_at(d, i, sink_buf, owned);
	if (rc)
		return rc;
	*out = owned->ptr;
	*outlen = owned->len;
	return 0;
}
