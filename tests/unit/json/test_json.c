/* test_json.c - strict JSON input and canonical JSON output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "json/json.h"
#include "util/limits.h"

static char *canon(const char *in, int *rc_out)
{
	json_t *v = NULL;
	ward_error e = { 0 };
	int rc = wjson_parse(&v, (const uint8_t *)in, strlen(in), 1 << 20, "test", &e);
	if (rc) {
		*rc_out = rc;
		return NULL;
	}
	ward_buf b = WARD_BUF_INIT(1 << 20);
	rc = wjson_canonical(&b, v);
	json_decref(v);
	*rc_out = rc;
	if (rc) {
		buf_dispose(&b);
		return NULL;
	}
	return (char *)buf_detach(&b, NULL);
}

static void canonical_sorts_keys_and_drops_whitespace(void **state)
{
	(void)state;
	int rc;
	char *s = canon("{ \"b\" : [1, 2 ,{\"z\":true,\"a\":null}], \"a\": \"x\" }", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "{\"a\":\"x\",\"b\":[1,2,{\"a\":null,\"z\":true}]}");
	free(s);
}

static void canonical_escapes_only_quote_and_backslash(void **state)
{
	(void)state;
	int rc;
	/* \n in the input becomes a raw 0x0A byte; \u00e9 raw UTF-8. */
	char *s = canon("{\"k\":\"a\\nb\\\"c\\\\d\\u00e9\\t\"}", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "{\"k\":\"a\nb\\\"c\\\\d\xc3\xa9\t\"}");
	free(s);
}

static void canonical_sorts_keys_by_bytes_not_locale(void **state)
{
	(void)state;
	int rc;
	char *s = canon("{\"b\":1,\"B\":2,\"\xc3\xa9\":3,\"a\":4,\"ab\":5}", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "{\"B\":2,\"a\":4,\"ab\":5,\"b\":1,\"\xc3\xa9\":3}");
	free(s);
}

static void canonical_refuses_floating_point(void **state)
{
	(void)state;
	int rc;
	char *s = canon("{\"k\":1.5}", &rc);
	assert_null(s);
	assert_int_equal(rc, WARD_EINVAL);
}

static void parse_rejects_duplicate_keys(void **state)
{
	(void)state;
	json_t *v = NULL;
	ward_error e = { 0 };
	const char *in = "{\"version\":1,\"version\":2}";
	assert_int_equal(wjson_parse(&v, (const uint8_t *)in, strlen(in), 100, "dup", &e),
			 WARD_EINVAL);
	assert_non_null(strstr(e.msg, "dup"));
}

static void parse_enforces_byte_limit(void **state)
{
	(void)state;
	json_t *v = NULL;
	ward_error e = { 0 };
	const char *in = "{\"a\":1}";
	assert_int_equal(wjson_parse(&v, (const uint8_t *)in, strlen(in), 6, "big", &e), WARD_ELIMIT);
	assert_int_equal(wjson_parse(&v, (const uint8_t *)in, strlen(in), 7, "big", &e), 0);
	json_decref(v);
}

static void parse_refuses_nesting_beyond_limit(void **state)
{
	(void)state;
	char deep[2 * (WARD_LIMIT_JSON_DEPTH + 2) + 1];
	size_t n = WARD_LIMIT_JSON_DEPTH + 2;
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	json_t *v = NULL;
	ward_error e = { 0 };
	assert_int_equal(wjson_parse(&v, (const uint8_t *)deep, 2 * n, 1 << 20, "deep", &e),
			 WARD_ELIMIT);
	/* one level inside the limit is fine */
	n = WARD_LIMIT_JSON_DEPTH - 1;
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	assert_int_equal(wjson_parse(&v, (const uint8_t *)deep, 2 * n, 1 << 20, "deep", &e), 0);
	json_decref(v);
}

static void parse_rejects_trailing_garbage_and_nul(void **state)
{
	(void)state;
	json_t *v = NULL;
	const char in[] = "{\"a\":1} x";
	assert_int_equal(wjson_parse(&v, (const uint8_t *)in, strlen(in), 100, "t", NULL), WARD_EINVAL);
	const char nul[] = "{\"a\":\"x\\u0000y\"}";
	assert_int_equal(wjson_parse(&v, (const uint8_t *)nul, strlen(nul), 100, "t", NULL), WARD_EINVAL);
}

static void typed_getters_reject_wrong_types_and_ranges(void **state)
{
	(void)state;
	json_t *v = NULL;
	const char in[] = "{\"s\":\"x\",\"i\":5,\"b\":true,\"neg\":-1}";
	assert_int_equal(wjson_parse(&v, (const uint8_t *)in, strlen(in), 100, "t", NULL), 0);
	const char *s;
	long long i;
	bool b;
	ward_error e = { 0 };
	assert_int_equal(wjson_get_str(&s, v, "i", false, "t", &e), WARD_EINVAL);
	assert_int_equal(wjson_get_int(&i, v, "s", 0, 10, false, "t", &e), WARD_EINVAL);
	assert_int_equal(wjson_get_int(&i, v, "neg", 1, 10, false, "t", &e), WARD_EINVAL);
	assert_int_equal(wjson_get_int(&i, v, "i", 1, 4, false, "t", &e), WARD_EINVAL);
	assert_int_equal(wjson_get_int(&i, v, "i", 1, 5, false, "t", &e), 0);
	assert_int_equal(i, 5);
	assert_int_equal(wjson_get_bool(&b, v, "b", false, "t", &e), 0);
	assert_true(b);
	assert_int_equal(wjson_get_str(&s, v, "missing", false, "t", &e), WARD_EINVAL);
	assert_non_null(strstr(e.msg, "missing"));
	s = "untouched";
	assert_int_equal(wjson_get_str(&s, v, "missing", true, "t", &e), 0);
	assert_null(s);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canonical_sorts_keys_and_drops_whitespace),
		cmocka_unit_test(canonical_escapes_only_quote_and_backslash),
		cmocka_unit_test(canonical_sorts_keys_by_bytes_not_locale),
		cmocka_unit_test(canonical_refuses_floating_point),
		cmocka_unit_test(parse_rejects_duplicate_keys),
		cmocka_unit_test(parse_enforces_byte_limit),
		cmocka_unit_test(parse_refuses_nesting_beyond_limit),
		cmocka_unit_test(parse_rejects_trailing_garbage_and_nul),
		cmocka_unit_test(typed_getters_reject_wrong_types_and_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
