/*
 * test_sshd.c - sshd's effective global settings: OpenSSH's compiled-in
 * defaults where a setting is absent or commented out, first match wins,
 * the .conf files of sshd_config.d included in order, Match blocks not applied
 * globally (and ended at the end of the file they began in).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static audit_sshd eff(const struct tentry *t, size_t n)
{
	const char *dir = tree_make(t, n);
	assert_non_null(dir);
	audit_fs *fs = NULL;
	assert_int_equal(audit_fs_open(&fs, dir, NULL), 0);
	audit_sshd s;
	assert_int_equal(audit_sshd_effective(&s, fs, NULL), 0);
	audit_fs_free(fs);
	tree_remove(dir);
	return s;
}

static void commented_out_settings_take_openssh_defaults(void **state)
{
	(void)state;
	struct tentry t[] = { { "/etc/ssh/sshd_config", "#PermitRootLogin yes\n#PasswordAuthentication no\n", NULL } };
	audit_sshd s = eff(t, 1);
	assert_string_equal(s.permit_root_login, "prohibit-password");
	assert_string_equal(s.password_authentication, "yes");
	assert_string_equal(s.permit_empty_passwords, "no");
	assert_string_equal(s.where_pass, "OpenSSH default");
}

static void first_match_wins_and_dropins_come_where_included(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n"
					  "PasswordAuthentication no\n", NULL },
		{ "/etc/ssh/sshd_config.d/50-b.conf", "PermitRootLogin without-password\n", NULL },
		{ "/etc/ssh/sshd_config.d/10-a.conf", "permitrootlogin YES\n", NULL },
		{ "/etc/ssh/sshd_config.d/notes.txt", "PasswordAuthentication yes\n", NULL },
	};
	audit_sshd s = eff(t, WARD_ARRAY_LEN(t));
	assert_string_equal(s.permit_root_login, "yes"); /* 10-a before 50-b before the main file */
	assert_non_null(strstr(s.where_root, "10-a.conf line 1"));
	assert_string_equal(s.password_authentication, "no"); /* .txt is not *.conf */
}

static void include_after_a_setting_does_not_override_it(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/etc/ssh/sshd_config", "PermitRootLogin no\nInclude sshd_config.d/*.conf\n", NULL },
		{ "/etc/ssh/sshd_config.d/x.conf", "PermitRootLogin yes\nPermitEmptyPasswords=yes\n", NULL },
	};
	audit_sshd s = eff(t, WARD_ARRAY_LEN(t));
	assert_string_equal(s.permit_root_login, "no");
	assert_string_equal(s.permit_empty_passwords, "yes"); /* relative Include, "=" syntax */
}

static void include_glob_in_the_image_root(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/etc/ssh/sshd_config", "Include /*.conf\n", NULL },
		{ "/zz-debug.conf", "PermitRootLogin yes\n", NULL },
		{ "/etc/deeper.conf", "PasswordAuthentication no\n", NULL }, /* not in / itself */
	};
	audit_sshd s = eff(t, WARD_ARRAY_LEN(t));
	assert_string_equal(s.permit_root_login, "yes");
	assert_non_null(strstr(s.where_root, "/zz-debug.conf"));
	assert_string_equal(s.password_authentication, "yes"); /* OpenSSH's default */
}

static void match_blocks_are_not_global(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n"
					  "Match User admin\n  PermitRootLogin yes\n  PasswordAuthentication no\n"
					  "Match all\nPermitEmptyPasswords yes\n", NULL },
		/* a Match in an included file ends with that file */
		{ "/etc/ssh/sshd_config.d/1.conf", "Match Address 10.0.0.1\nPasswordAuthentication yes\n", NULL },
		{ "/etc/ssh/sshd_config.d/2.conf", "PasswordAuthentication no\n", NULL },
	};
	audit_sshd s = eff(t, WARD_ARRAY_LEN(t));
	assert_string_equal(s.permit_root_login, "prohibit-password");
	assert_string_equal(s.password_authentication, "no");
	assert_non_null(strstr(s.where_pass, "2.conf"));
	assert_string_equal(s.permit_empty_passwords, "yes");
}

static void include_loop_is_a_limit(void **state)
{
	(void)state;
	struct tentry t[] = { { "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config\n", NULL } };
	const char *dir = tree_make(t, 1);
	audit_fs *fs = NULL;
	assert_int_equal(audit_fs_open(&fs, dir, NULL), 0);
	audit_sshd s;
	ward_error err = { 0 };
	assert_int_equal(audit_sshd_effective(&s, fs, &err), WARD_ELIMIT);
	audit_fs_free(fs);
	tree_remove(dir);
}

/* Seven files, each including the next 20 times: within the depth bound,
 * but 20^7 reads (found reviewing sshd.c).  The count of files read is
 * bounded too. */
static void include_fan_out_is_a_limit(void **state)
{
	(void)state;
	static const char inc[] = " x x x x x x x x x x x x x x x x x x x\n";
	char text[7][64];
	struct tentry t[8];
	const char *names = "abcdefg";
	for (int i = 0; i < 7; i++) {
		int r = snprintf(text[i], sizeof(text[i]), "Include %c%s", names[i], inc);
		assert_true(r > 0 && (size_t)r < sizeof(text[i]));
		for (char *c = text[i] + 9; *c; c++)
			if (*c == 'x')
				*c = names[i];
	}
	static const char *const paths[] = { "/etc/ssh/sshd_config", "/etc/ssh/a", "/etc/ssh/b", "/etc/ssh/c",
					     "/etc/ssh/d", "/etc/ssh/e", "/etc/ssh/f" };
	for (int i = 0; i < 7; i++)
		t[i] = (struct tentry){ paths[i], text[i], NULL };
	t[7] = (struct tentry){ "/etc/ssh/g", "PermitRootLogin yes\n", NULL };
	const char *dir = tree_make(t, 8);
	audit_fs *fs = NULL;
	assert_int_equal(audit_fs_open(&fs, dir, NULL), 0);
	audit_sshd s;
	ward_error err = { 0 };
	assert_int_equal(audit_sshd_effective(&s, fs, &err), WARD_ELIMIT);
	assert_non_null(strstr(err.msg, "more than 256 files"));
	audit_fs_free(fs);
	tree_remove(dir);
}

static void auth04_fires_on_root_login_and_is_silent_when_hardened(void **state)
{
	(void)state;
	struct tentry bad[] = { { "/usr/sbin/sshd", "", NULL },
				{ "/etc/ssh/sshd_config", "PermitRootLogin yes\n", NULL } };
	audit_ctx *a = audit_tree(bad, 2);
	assert_int_equal(count_id(a, "AUTH-04", NULL, "PermitRootLogin yes"), 1);
	assert_int_equal(count_id(a, "AUTH-04", NULL, "PasswordAuthentication yes"), 1); /* the default */
	audit_ctx_free(a);
	struct tentry good[] = { { "/usr/sbin/sshd", "", NULL },
				 { "/etc/ssh/sshd_config", "PermitRootLogin no\nPasswordAuthentication no\n", NULL } };
	a = audit_tree(good, 2);
	assert_int_equal(count_id(a, "AUTH-04", NULL, NULL), 0);
	audit_ctx_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commented_out_settings_take_openssh_defaults),
		cmocka_unit_test(first_match_wins_and_dropins_come_where_included),
		cmocka_unit_test(include_after_a_setting_does_not_override_it),
		cmocka_unit_test(match_blocks_are_not_global),
		cmocka_unit_test(include_glob_in_the_image_root),
		cmocka_unit_test(include_loop_is_a_limit),
		cmocka_unit_test(include_fan_out_is_a_limit),
		cmocka_unit_test(auth04_fires_on_root_login_and_is_silent_when_hardened),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
