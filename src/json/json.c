/* json.c - strict parsing on jansson and the canonical JSON encoder. */
#include "json/json.h"

#include <string.h>

#include "util/limits.h"

/* Iterative depth check: jansson bounds its own recursion at 2048 levels;
 * ours is tighter, and this walk must not recurse either. */
static bool depth_ok(const json_t *root)
{
	struct frame {
		const json_t *v;
		size_t i;
		void *iter;
	} stack[WARD_LIMIT_JSON_DEPTH + 1];
	size_t sp = 0;
	stack[0] = (struct frame){ root, 0, NULL };
	if (json_is_object(root))
		stack[0].iter = json_object_iter((json_t *)(uintptr_t)root);
	for (;;) {
		struct frame *f = &stack[sp];
		const json_t *child = NULL;
		if (json_is_object(f->v)) {
			if (f->iter) {
				child = json_object_iter_value(f->iter);
				f->iter = json_object_iter_next((json_t *)(uintptr_t)f->v, f->iter);
			}
		} else if (json_is_array(f->v)) {
			if (f->i < json_array_size(f->v))
				child = json_array_get(f->v, f->i++);
		}
		if (!child) {
			if (sp == 0)
				return true;
			sp--;
			continue;
		}
		if (json_is_object(child) || json_is_array(child)) {
			if (sp + 1 >= WARD_LIMIT_JSON_DEPTH)
				return false;
			sp++;
			stack[sp] = (struct frame){ child, 0, NULL };
			if (json_is_object(child))
				stack[sp].iter = json_object_iter((json_t *)(uintptr_t)child);
		}
	}
}

int wjson_parse(json_t **out, const uint8_t *data, size_t len, size_t max, const char *what,
		ward_error *err)
{
	if (len > max)
		return ward_err(err, WARD_ELIMIT, "%s is %zu bytes > %zu byte limit", what, len, max);
	/* jansson skips a raw NUL between tokens as if it were whitespace; the
	 * client's reader refuses it, and so must this one (found by fuzzing). */
	if (memchr(data, 0, len))
		return ward_err(err, WARD_EINVAL, "%s: NUL byte in JSON", what);
	json_error_t jerr;
	json_t *v = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v)
		return ward_err(err, WARD_EINVAL, "%s: invalid JSON at line %d column %d: %s", what,
				jerr.line, jerr.column, jerr.text);
	if (!depth_ok(v)) {
		json_decref(v);
		return ward_err(err, WARD_ELIMIT, "%s: JSON nested deeper than %d levels", what,
				WARD_LIMIT_JSON_DEPTH);
	}
	*out = v;
	return 0;
}

static int put_str(ward_buf *out, const char *s, size_t len)
{
	int rc = buf_putc(out, '"');
	size_t start = 0;
	for (size_t i = 0; i < len && !rc; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			rc = buf_append(out, s + start, i - start);
			if (!rc)
				rc = buf_putc(out, '\\');
			start = i;
		}
	}
	if (!rc)
		rc = buf_append(out, s + start, len - start);
	if (!rc)
		rc = buf_putc(out, '"');
	return rc;
}

struct kv {
	const char *key;
	size_t keylen;
	const json_t *val;
};

static int kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	return (x->keylen > y->keylen) - (x->keylen < y->keylen);
}

static int canonical_at(ward_buf *out, const json_t *v, int depth)
{
	int rc = 0;
	if (depth > WARD_LIMIT_JSON_DEPTH)
		return WARD_EINVAL;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v);
		struct kv *kvs = n ? calloc(n, sizeof(*kvs)) : NULL;
		if (n && !kvs)
			return WARD_ENOMEM;
		size_t i = 0;
		const char *key;
		size_t keylen;
		json_t *val;
		json_object_keylen_foreach((json_t *)(uintptr_t)v, key, keylen, val)
			kvs[i++] = (struct kv){ key, keylen, val };
		if (n > 1)
			qsort(kvs, n, sizeof(*kvs), kv_cmp);
		rc = buf_putc(out, '{');
		for (i = 0; i < n && !rc; i++) {
			if (i)
				rc = buf_putc(out, ',');
			if (!rc)
				rc = put_str(out, kvs[i].key, kvs[i].keylen);
			if (!rc)
				rc = buf_putc(out, ':');
			if (!rc)
				rc = canonical_at(out, kvs[i].val, depth + 1);
		}
		free(kvs);
		return rc ? rc : buf_putc(out, '}');
	}
	case JSON_ARRAY:
		rc = buf_putc(out, '[');
		for (size_t i = 0; i < json_array_size(v) && !rc; i++) {
			if (i)
				rc = buf_putc(out, ',');
			if (!rc)
				rc = canonical_at(out, json_array_get(v, i), depth + 1);
		}
		return rc ? rc : buf_putc(out, ']');
	case JSON_STRING:
		return put_str(out, json_string_value(v), json_string_length(v));
	case JSON_INTEGER: {
		char num[32];
		int n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		if (n < 0 || (size_t)n >= sizeof(num))
			return WARD_EINVAL;
		return buf_append(out, num, (size_t)n);
	}
	case JSON_TRUE:
		return buf_append(out, "true", 4);
	case JSON_FALSE:
		return buf_append(out, "false", 5);
	case JSON_NULL:
		return buf_append(out, "null", 4);
	case JSON_REAL:
	default:
		return WARD_EINVAL; /* canonical JSON has no floating point */
	}
}

int wjson_canonical(ward_buf *out, const json_t *v)
{
	return canonical_at(out, v, 0);
}

static int member(json_t **out, const json_t *obj, const char *key, json_type type,
		  const char *tname, bool optional, const char *what, ward_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (optional) {
			*out = NULL;
			return 0;
		}
		return ward_err(err, WARD_EINVAL, "%s: missing \"%s\"", what, key);
	}
	if (json_typeof(v) != type && !(type == JSON_TRUE && json_is_boolean(v)))
		return ward_err(err, WARD_EINVAL, "%s: \"%s\" is not %s", what, key, tname);
	*out = v;
	return 0;
}

int wjson_get_str(const char **out, const json_t *obj, const char *key, bool optional,
		  const char *what, ward_error *err)
{
	json_t *v = NULL;
	int rc = member(&v, obj, key, JSON_STRING, "a string", optional, what, err);
	if (rc)
		return rc;
	if (v && strlen(json_string_value(v)) != json_string_length(v))
		return ward_err(err, WARD_EINVAL, "%s: \"%s\" contains a NUL byte", what, key);
	*out = v ? json_string_value(v) : NULL;
	return 0;
}

int wjson_get_int(long long *out, const json_t *obj, const char *key, long long min,
		  long long max, bool optional, const char *what, ward_error *err)
{
	json_t *v = NULL;
	int rc = member(&v, obj, key, JSON_INTEGER, "an integer", optional, what, err);
	if (rc)
		return rc;
	if (!v)
		return 0; /* optional and absent: *out untouched */
	long long n = json_integer_value(v);
	if (n < min || n > max)
		return ward_err(err, WARD_EINVAL, "%s: \"%s\" = %lld is outside [%lld, %lld]", what,
				key, n, min, max);
	*out = n;
	return 0;
}

int wjson_get_bool(bool *out, const json_t *obj, const char *key, bool optional,
		   const char *what, ward_error *err)
{
	json_t *v = NULL;
	int rc = member(&v, obj, key, JSON_TRUE, "a boolean", optional, what, err);
	if (rc)
		return rc;
	if (v)
		*out = json_is_true(v);
	return 0;
}

int wjson_get_obj(json_t **out, const json_t *obj, const char *key, bool optional,
		  const char *what, ward_error *err)
{
	return member(out, obj, key, JSON_OBJECT, "an object", optional, what, err);
}

int wjson_get_arr(json_t **out, const json_t *obj, const char *key, bool optional,
		  const char *what, ward_error *err)
{
	return member(out, obj, key, JSON_ARRAY, "an array", optional, what, err);
}

static int dump_append_cb(const char *p, size_t n, void *ctx)
{
	return buf_append(ctx, p, n) == 0 ? 0 : -1;
}

int wjson_dump_append(ward_buf *out, const json_t *v)
{
	return json_dump_callback(v, dump_append_cb, out, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}
