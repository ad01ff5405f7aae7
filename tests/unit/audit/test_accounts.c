/*
 * test_accounts.c - AUTH-01..03 from /etc/passwd and /etc/shadow, each with
 * a twin that must stay silent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
