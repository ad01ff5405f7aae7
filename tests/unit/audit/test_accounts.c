/*
 * test_accounts.c - AUTH-01..03 from /etc/passwd and /etc/shadow, each with
 * a twin that must stay silent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "helpers.h"

#define PASSWD "root:x:0:0:root:/root:/bin/sh\nsvc:x:1000:1000::/home/svc:/bin/sh\n"
/* SHA-512 crypt of "root" with salt "abc" */
#define ROOT_ROOT "$6$abc$WVzy1mzYOy5NbS.iVoa0XmNYJ6YUTZvtfDgbXOJ2AVO/IWzz5.koR6GZdcjtK6As0Rw.UtsEl/1qT4nKeCxKT1"

static audit_ctx *run(const char *passwd, const char *shadow)
{
	struct tentry t[] = { { "/etc/passwd", passwd, NULL }, { "/etc/shadow", shadow, NULL } };
	audit_ctx *a = audit_tree(t, shadow ? 2 : 1);
	assert_non_null(a);
	return a;
}

static void empty_root_password_fires_auth01_and_locked_root_is_silent(void **state)
{
	(void)state;
	audit_ctx *a = run(PASSWD, "root::19000:0:99999:7:::\n");
	assert_int_equal(count_id(a, "AUTH-01", "/etc/shadow", NULL), 1);
	assert_int_equal(a->f[0].sev, AUDIT_CRITICAL);
	audit_ctx_free(a);
	a = run(PASSWD, "root:*:19000:0:99999:7:::\nsvc:!:1:0:::::\n");
	assert_int_equal(a->n, 0);
	audit_ctx_free(a);
}

static void empty_passwd_field_without_shadow_fires_auth01(void **state)
{
	(void)state;
	audit_ctx *a = run("root::0:0:root:/root:/bin/sh\n", NULL);
	assert_int_equal(count_id(a, "AUTH-01", "/etc/passwd", NULL), 1);
	audit_ctx_free(a);
	a = run("root:x:0:0:root:/root:/bin/sh\n", NULL);
	assert_int_equal(a->n, 0);
	audit_ctx_free(a);
}

static void usable_root_hash_is_high_and_a_well_known_one_critical(void **state)
{
	(void)state;
	audit_ctx *a = run(PASSWD, "root:" ROOT_ROOT ":19000:0:99999:7:::\n");
	assert_int_equal(count_id(a, "AUTH-02", NULL, "well-known"), 1);
	assert_int_equal(a->f[0].sev, AUDIT_CRITICAL);
	audit_ctx_free(a);
	/* a hash that matches none of the list: high, not critical */
	a = run(PASSWD, "root:$6$abc$xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx:1::::::\n");
	assert_int_equal(count_id(a, "AUTH-02", NULL, NULL), 1);
	assert_int_equal(a->f[0].sev, AUDIT_HIGH);
	audit_ctx_free(a);
}

static void second_uid0_empty_user_and_md5_fire_auth03(void **state)
{
	(void)state;
	audit_ctx *a = run(PASSWD "toor:x:0:0::/root:/bin/sh\n",
			   "root:*:1::::::\nsvc::1::::::\ntoor:$1$abc$abcdefghijklmnopqrstuv:1::::::\n");
	assert_int_equal(count_id(a, "AUTH-03", "/etc/passwd", "UID 0"), 1);
	assert_int_equal(count_id(a, "AUTH-03", "/etc/shadow", "empty password"), 1);
	assert_int_equal(count_id(a, "AUTH-03", "/etc/shadow", "MD5"), 1);
	audit_ctx_free(a);
}

/* The hash chooses what crypt(3) costs (core.h AUDIT_LIMIT_CRYPT_*):
 * rounds=999999999 took 265 s a try (measured making the seeds of
 * fuzz/accounts_fuzz.c).  Such a hash is reported as not checked (INPUT-01) without calling crypt. */
static void costly_hashes_are_not_tried_but_reported_unchecked(void **state)
{
	(void)state;
	/* at the bound: tried, and "root" is found */
	audit_ctx *a = run(PASSWD, "root:$6$rounds=10000$abc$oVk4ytGxyGgS9w.1XG4kbheupjWRZCxdd/E23wrkP0t4hBa/"
				   "oUX9c.Xbhv2NxL52DAtJLMCozP4BJi7O8ewkn1:1::::::\n"
				   "svc:$2b$04$Djox4k5//nYxRrSDd.oLoukQh9dEyCJykuRCQrKrPikKpTiklV2lm:1::::::\n");
	assert_int_equal(count_id(a, "AUTH-02", NULL, "well-known password: root"), 1);
	assert_int_equal(count_id(a, "AUTH-03", NULL, "well-known"), 1);
	assert_int_equal(count_id(a, "INPUT-01", NULL, NULL), 0);
	audit_ctx_free(a);
	/* above it, or unknown: not tried, AUTH-02 still high, INPUT-01 says why */
	a = run(PASSWD, "root:$6$rounds=999999999$abc$xxxx:1::::::\n"
			"svc:$2b$31$Djox4k5//nYxRrSDd.oLoukQh9dEyCJykuRCQrKrPikKpTiklV2lm:1::::::\n"
			"ops:$y$jFT$PiHAmoFc4zOPOYr16WpZ6/$AtBf07E1d2/sV5ZPqA/Sn6ZHfOitl7mjpSAYsUnuCvD:1::::::\n"
			"gost:$gy$j9T$abc$def:1::::::\n");
	assert_int_equal(count_id(a, "AUTH-02", NULL, NULL), 1);
	assert_int_equal(count_id(a, "AUTH-02", NULL, "well-known"), 0);
	assert_int_equal(count_id(a, "INPUT-01", "/etc/shadow", "cost above"), 4);
	audit_ctx_free(a);
}

/* Only the first AUDIT_LIMIT_CRYPT_ACCOUNTS hashes are tried. */
static void only_the_first_accounts_are_tried(void **state)
{
	(void)state;
	char shadow[8192] = "";
	size_t used = 0;
	for (int i = 0; i < AUDIT_LIMIT_CRYPT_ACCOUNTS + 2; i++) {
		int r = snprintf(shadow + used, sizeof(shadow) - used, "u%d:$1$salt$nothashed:1::::::\n", i);
		assert_true(r > 0 && (size_t)r < sizeof(shadow) - used);
		used += (size_t)r;
	}
	audit_ctx *a = run(PASSWD, shadow);
	assert_int_equal(count_id(a, "INPUT-01", "/etc/shadow", "too many accounts"), 2);
	audit_ctx_free(a);
}

static void malformed_lines_are_skipped_not_fatal(void **state)
{
	(void)state;
	audit_ctx *a = run("garbage\n\n:::\nroot\n", "no colons here\n\xff\xfe\n");
	assert_int_equal(a->n, 0);
	audit_ctx_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_root_password_fires_auth01_and_locked_root_is_silent),
		cmocka_unit_test(empty_passwd_field_without_shadow_fires_auth01),
		cmocka_unit_test(usable_root_hash_is_high_and_a_well_known_one_critical),
		cmocka_unit_test(second_uid0_empty_user_and_md5_fire_auth03),
		cmocka_unit_test(malformed_lines_are_skipped_not_fatal),
		cmocka_unit_test(costly_hashes_are_not_tried_but_reported_unchecked),
		cmocka_unit_test(only_the_first_accounts_are_tried),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
