/*
 * test_tok.c - the zero-copy JSON reader: strictness, and canonical output
 * identical to the jansson-based encoder on every real metadata file.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "json/json.h"
#include "json/tok.h"
#include "util/fs.h"

static int parse(const char *s, wj_doc *d)
{
	return wj_parse(d, (const uint8_t *)s, strlen(s), 1 << 20, "t", NULL);
}

static void invalid_json_is_refused(void **state)
{
	(void)state;
	static const char *bad[] = {
		"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "[1 2]",
		"01", "-", "1.", ".5", "1e", "+1", "tru", "nulls", "\"abc", "\"a\nb\"", "\"\\x\"",
		"\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\u0000\"",
		"\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
		"{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}", "[1] x", "9223372036854775808",
		"-9223372036854775809", "{\"a\":[}", "[{]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wj_doc d;
		int rc = parse(bad[i], &d);
		if (rc == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(rc, WARD_EINVAL);
	}
}

static void valid_json_is_accepted(void **state)
{
	(void)state;
	static const char *good[] = {
		"0", "-0", "1.5e-3", "[]", "{}", "\"\"", "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"",
		"9223372036854775807", "-9223372036854775808", " { \"a\" : [ 1 , { } ] } ",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		wj_doc d;
		if (parse(good[i], &d) != 0)
			fail_msg("refused: %s", good[i]);
		wj_dispose(&d);
	}
}

static void duplicate_keys_are_found_in_large_objects(void **state)
{
	(void)state;
	char big[8192];
	size_t n = 0;
	n += (size_t)snprintf(big + n, sizeof(big) - n, "{");
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s\"k%d\":%d", i ? "," : "", i, i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, ",\"k\\u0031\\u0037\":1}"); /* "k17" */
	wj_doc d;
	assert_int_equal(parse(big, &d), WARD_EINVAL);
}

static void nesting_is_bounded(void **state)
{
	(void)state;
	char deep[300];
	memset(deep, '[', 150);
	memset(deep + 150, ']', 150);
	wj_doc d;
	assert_int_equal(wj_parse(&d, (const uint8_t *)deep, 300, 1 << 20, "t", NULL), WARD_ELIMIT);
}

static int sink_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n);
}

static int zero_copy_checked;

/* canonical(tok) == canonical(jansson) for one input */
static void compare_canonical(const uint8_t *p, size_t len, const char *name)
{
	json_t *j = NULL;
	if (wjson_parse(&j, p, len, 1 << 24, name, NULL) != 0)
		return; /* jansson refuses: nothing to compare */
	wj_doc d;
	ward_error e = { 0 };
	if (wj_parse(&d, p, len, 1 << 24, name, &e) != 0)
		fail_msg("%s: tok refused what jansson accepts: %s", name, e.msg);
	ward_buf a = WARD_BUF_INIT(1 << 24), b = WARD_BUF_INIT(1 << 24);
	int ra = wjson_canonical(&a, j);
	int rb = wj_canonical(&d, 0, sink_buf, &b);
	assert_int_equal(ra == 0, rb == 0);
	if (ra == 0 && (a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0))
		fail_msg("%s: canonical forms differ", name);
	/* and the zero-copy path agrees */
	const uint8_t *m;
	size_t mlen;
	ward_buf owned = WARD_BUF_INIT(1 << 24);
	if (ra == 0) {
		assert_int_equal(wj_canonical_bytes(&d, 0, &m, &mlen, &owned), 0);
		assert_int_equal(mlen, a.len);
		assert_memory_equal(m, a.ptr, a.len);
	}
	buf_dispose(&owned);
	/* Input that already is canonical is used in place, not copied. */
	bool has_ctl = false;
	for (size_t k = 0; k < a.len; k++)
		has_ctl |= a.ptr[k] < 0x20;
	if (ra == 0 && !has_ctl) {
		wj_doc c;
		assert_int_equal(wj_parse(&c, a.ptr, a.len, 1 << 24, name, NULL), 0);
		ward_buf o2 = WARD_BUF_INIT(1 << 24);
		assert_int_equal(wj_canonical_bytes(&c, 0, &m, &mlen, &o2), 0);
		assert_ptr_equal(m, a.ptr);
		assert_int_equal(mlen, a.len);
		assert_int_equal(o2.len, 0);
		wj_dispose(&c);
		zero_copy_checked++;
	}
	buf_dispose(&a);
	buf_dispose(&b);
	wj_dispose(&d);
	json_decref(j);
}

static void canonical_matches_jansson_on_literals(void **state)
{
	(void)state;
	static const char *in[] = {
		"{\"b\":1,\"a\":[true,false,null,-0,\"x\\ny\\\"z\\\\\"]}",
		"{\"\\u00e9\":1,\"e\":2,\"E\":3,\"\\ud83d\\ude00\":4,\"a\\/b\":\"\\u002f\"}",
		"{\"k\":{\"z\":{},\"y\":[]}}",
	};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		compare_canonical((const uint8_t *)in[i], strlen(in[i]), in[i]);
}

static int walk(const char *dir, int depth)
{
	int files = 0;
	DIR *dp = opendir(dir);
	if (!dp || depth > 8)
		return 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			files += walk(path, depth + 1);
		} else if (strstr(e->d_name, ".json")) {
			ward_buf b = WARD_BUF_INIT(1 << 24);
			if (fs_read_file(&b, path, 1 << 24, NULL) == 0) {
				compare_canonical(b.ptr, b.len, path);
				files++;
			}
			buf_dispose(&b);
		}
	}
	closedir(dp);
	return files;
}

static void canonical_matches_jansson_on_every_fixture(void **state)
{
	(void)state;
	const char *shared = getenv("WARD_SHARED_DIR");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/tuf-fixtures", shared ? shared : "../shared");
	int n = walk(dir, 0);
	print_message("%d fixture files compared, %d zero-copy\n", n, zero_copy_checked);
	assert_true(n > 100);
	assert_true(zero_copy_checked > 100);
}

/* wj_span gives each value's exact bytes, whitespace around it excluded,
 * for every kind of value and for empty and nested containers. */
static void spans_cover_exactly_the_value(void **state)
{
	(void)state;
	static const char src[] = " { \"a\" : [ 1 , \"x\\\"y\" , { } , [ ] ] ,\n \"b\":{\"c\":{\"d\":null}} , \"e\" : -12 } ";
	static const struct {
		const char *path[3];
		const char *bytes;
	} want[] = {
		{ { "a" }, "[ 1 , \"x\\\"y\" , { } , [ ] ]" },
		{ { "b" }, "{\"c\":{\"d\":null}}" },
		{ { "b", "c" }, "{\"d\":null}" },
		{ { "b", "c", "d" }, "null" },
		{ { "e" }, "-12" },
	};
	wj_doc d;
	assert_int_equal(wj_parse(&d, (const uint8_t *)src, sizeof(src) - 1, 4096, "t", NULL), 0);
	size_t b, e;
	wj_span(&d, 0, &b, &e);
	assert_int_equal(b, 1);
	assert_int_equal(e, sizeof(src) - 2);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		uint32_t t = 0;
		for (int k = 0; k < 3 && want[i].path[k]; k++)
			t = wj_get(&d, t, want[i].path[k]);
		assert_int_not_equal(t, WJ_NONE);
		wj_span(&d, t, &b, &e);
		assert_int_equal(e - b, strlen(want[i].bytes));
		assert_memory_equal(src + b, want[i].bytes, e - b);
	}
	/* elements of the array: 1, the escaped string, {}, [] */
	static const char *const elems[] = { "1", "\"x\\\"y\"", "{ }", "[ ]" };
	uint32_t a = wj_get(&d, 0, "a"), el = wj_first(&d, a);
	for (size_t i = 0; i < 4; i++, el = wj_next_elem(&d, a, el)) {
		assert_int_not_equal(el, WJ_NONE);
		wj_span(&d, el, &b, &e);
		assert_int_equal(e - b, strlen(elems[i]));
		assert_memory_equal(src + b, elems[i], e - b);
	}
	wj_dispose(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(invalid_json_is_refused),
		cmocka_unit_test(valid_json_is_accepted),
		cmocka_unit_test(duplicate_keys_are_found_in_large_objects),
		cmocka_unit_test(nesting_is_bounded),
		cmocka_unit_test(canonical_matches_jansson_on_literals),
		cmocka_unit_test(canonical_matches_jansson_on_every_fixture),
		cmocka_unit_test(spans_cover_exactly_the_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
