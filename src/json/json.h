/*
 * json.h - strict JSON input and OLPC canonical JSON output on jansson.
 *
 * Parsing goes through jansson with duplicate object keys rejected and a
 * byte limit checked first.  Canonical JSON (the securesystemslib / OLPC
 * form TUF signs) is written here because jansson's encoder escapes control
 * characters and non-ASCII, which canonical JSON must not: it emits sorted
 * keys, no whitespace, and escapes only '"' and '\\'.  Reals are refused:
 * canonical JSON has integers only.
 */
#ifndef WARD_JSON_JSON_H
#define WARD_JSON_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/common.h"

WARD_DEFINE_AUTO(json_t *, json_decref)

/* Parses data (len bytes, not necessarily NUL-terminated) into *out.
 * WARD_ELIMIT if len > max or nesting is deeper than WARD_LIMIT_JSON_DEPTH;
 * WARD_EINVAL with jansson's line/column reason otherwise.  `what` names
 * the document in messages ("timestamp.json"). */
int wjson_parse(json_t **out, const uint8_t *data, size_t len, size_t max, const char *what,
		ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Appends the canonical encoding of v to out.  WARD_EINVAL for reals or
 * nesting deeper than WARD_LIMIT_JSON_DEPTH, WARD_ELIMIT if out's cap is hit. */
int wjson_canonical(ward_buf *out, const json_t *v) WARD_INTERNAL WARD_NODISCARD;

/* Appends v as compact JSON with sorted keys (jansson's escaping: valid
 * JSON, unlike the canonical form).  -1 if out's cap is hit. */
int wjson_dump_append(ward_buf *out, const json_t *v) WARD_INTERNAL WARD_NODISCARD;

/* Typed member access for strict parsing.  Each returns WARD_EINVAL with a
 * message "<what>: <key> ..." when the member is missing (unless optional)
 * or has the wrong type.  The borrowed pointers live as long as obj. */
int wjson_get_str(const char **out, const json_t *obj, const char *key, bool optional,
		  const char *what, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int wjson_get_int(long long *out, const json_t *obj, const char *key, long long min,
		  long long max, bool optional, const char *what, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int wjson_get_bool(bool *out, const json_t *obj, const char *key, bool optional,
		   const char *what, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int wjson_get_obj(json_t **out, const json_t *obj, const char *key, bool optional,
		  const char *what, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int wjson_get_arr(json_t **out, const json_t *obj, const char *key, bool optional,
		  const char *what, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

#endif
