/*
 * json_fuzz.c - fuzzes the strict JSON parser and the canonical encoder
 * (src/json/json.c) with the production limit for a metadata file.
 *
 * Property: canonical JSON is a fixed point.  Whatever parses and has a
 * canonical form must parse again from its canonical bytes to an equal
 * document whose canonical bytes are identical.  A difference means the
 * bytes ward verifies signatures over depend on more than the document,
 * so it aborts.
 *
 * One exception is allowed and not an abort: canonical JSON (OLPC,
 * securesystemslib) writes control characters in strings as raw bytes, and
 * a strict JSON parser (jansson, Python's json) refuses raw control
 * characters.  Such canonical output is correct for signing, but is not
 * JSON that can be read back; see fuzz/README.md.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json/json.h"
#include "util/limits.h"

static bool has_control_byte(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	WARD_AUTO(json_decref) json_t *v = NULL;
	if (wjson_parse(&v, data, size, WARD_LIMIT_METADATA_MAX_BYTES, "input", NULL) != 0)
		return 0;

	WARD_AUTO(buf_dispose) ward_buf c1 = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	int rc = wjson_canonical(&c1, v);
	if (rc == WARD_ENOMEM)
		return 0;
	if (rc) {
		/* Only reals have no canonical form (depth was bounded by the
		 * parser with the same limit the encoder checks). */
		if (rc != WARD_EINVAL)
			abort();
		return 0;
	}
	if (has_control_byte(c1.ptr, c1.len))
		return 0;

	WARD_AUTO(json_decref) json_t *v2 = NULL;
	rc = wjson_parse(&v2, c1.ptr, c1.len, WARD_LIMIT_METADATA_MAX_BYTES, "canonical", NULL);
	if (rc == WARD_ENOMEM)
		return 0;
	if (rc) /* ward's own canonical output must be readable JSON */
		abort();
	if (!json_equal(v, v2))
		abort();

	WARD_AUTO(buf_dispose) ward_buf c2 = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	rc = wjson_canonical(&c2, v2);
	if (rc == WARD_ENOMEM)
		return 0;
	if (rc || c1.len != c2.len || memcmp(c1.ptr, c2.ptr, c1.len) != 0)
		abort();
	return 0;
}
