/*
 * test_custody.c - unit tests of the public key custody API (ward/key.h,
 * src/keys/custody.c): generate, public, backup and restore on real files,
 * including every refusal to overwrite and the clean-up after a failure.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "helpers.h"
#include "util/buf.h"
#include "ward/key.h"

static const char PASS[] = "a passphrase for tests";

static ward_passphrase_opts pass_opts(const char *pass)
{
	ward_passphrase_opts o = WARD_PASSPHRASE_OPTS_INIT;
	o.passphrase = pass;
	return o;
}

static unsigned file_mode(const char *path)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	return st.st_mode & 07777;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static size_t entries(const char *dir)
{
	size_t n = 0;
	for (unsigned i = 1; i <= 9; i++) {
		char name[64];
		snprintf(name, sizeof(name), "root.share-%u-of-5", i);
		WARD_AUTO(free) char *p = path_in(dir, name);
		n += exists(p);
	}
	return n;
}

static void generate_writes_a_0600_encrypted_key_and_its_public_key(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *key = path_in(dir, "root.key");
	WARD_AUTO(free) char *pub = path_in(dir, "root.pub");
	ward_passphrase_opts pp = pass_opts(PASS);
	char keyid[WARD_KEYID_SIZE];
	ward_error err = { 0 };
	if (ward_key_generate(keyid, key, pub, "ecdsa-sha2-nistp256", &pp, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(strlen(keyid), 64);
	assert_int_equal(file_mode(key), 0600);
	assert_true((file_mode(pub) & 0600) == 0600);
	WARD_AUTO(buf_dispose) ward_buf text;
	read_whole(&text, key);
	assert_int_equal(memcmp(text.ptr, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 38), 0);
	assert_null(strstr((const char *)text.ptr, "BEGIN PRIVATE KEY"));
	/* the public key file is the TUF key object */
	json_error_t jerr;
	json_t *k = json_load_file(pub, 0, &jerr);
	assert_non_null(k);
	assert_string_equal(json_string_value(json_object_get(k, "keytype")), "ecdsa");
	assert_string_equal(json_string_value(json_object_get(k, "scheme")), "ecdsa-sha2-nistp256");
	const char *pem = json_string_value(json_object_get(json_object_get(k, "keyval"), "public"));
	assert_non_null(pem);
	assert_int_equal(strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27), 0);
	/* and `public` agrees, keyid included */
	char *json = NULL;
	char keyid2[WARD_KEYID_SIZE];
	assert_int_equal(ward_key_public(&json, keyid2, key, &pp, NULL), 0);
	assert_string_equal(keyid2, keyid);
	json_t *k2 = json_loads(json, 0, &jerr);
	assert_non_null(k2);
	assert_true(json_equal(k, k2));
	free(json);
	json_decref(k);
	json_decref(k2);
	scratch_remove(dir);
}

static void generate_defaults_to_ed25519(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *key = path_in(dir, "a.key");
	ward_passphrase_opts pp = pass_opts(PASS);
	char keyid[WARD_KEYID_SIZE];
	assert_int_equal(ward_key_generate(keyid, key, NULL, NULL, &pp, NULL), 0);
	char *json = NULL;
	assert_int_equal(ward_key_public(&json, keyid, key, &pp, NULL), 0);
	assert_non_null(strstr(json, "\"scheme\":\"ed25519\""));
	free(json);
	scratch_remove(dir);
}

static void generate_refuses_existing_files_and_writes_nothing(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *key = path_in(dir, "root.key");
	WARD_AUTO(free) char *pub = path_in(dir, "root.pub");
	ward_passphrase_opts pp = pass_opts(PASS);
	char keyid[WARD_KEYID_SIZE];
	ward_error err = { 0 };
	write_whole(pub, "{}\n", 3);
	assert_int_equal(ward_key_generate(keyid, key, pub, NULL, &pp, &err), WARD_EINVAL);
	assert_non_null(strstr(err.msg, "root.pub: already exists; not overwriting it"));
	assert_false(exists(key));
	unlink(pub);
	write_whole(key, "old key\n", 8);
	assert_int_equal(ward_key_generate(keyid, key, pub, NULL, &pp, &err), WARD_EINVAL);
	assert_non_null(strstr(err.msg, "root.key: already exists; not overwriting it"));
	assert_false(exists(pub));
	scratch_remove(dir);
}

static void generate_refuses_an_unknown_scheme_and_a_short_passphrase(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *key = path_in(dir, "root.key");
	WARD_AUTO(free) char *pub = path_in(dir, "root.pub");
	ward_passphrase_opts pp = pass_opts(PASS);
	char keyid[WARD_KEYID_SIZE];
	ward_error err = { 0 };
	assert_int_equal(ward_key_generate(keyid, key, pub, "dsa", &pp, &err), WARD_EINVAL);
	ward_passphrase_opts shortpp = pass_opts("short");
	assert_int_equal(ward_key_generate(keyid, key, pub, NULL, &shortpp, &err), WARD_EINVAL);
	assert_false(exists(key));
	assert_false(exists(pub));
	scratch_remove(dir);
}

static void public_refuses_a_wrong_passphrase_with_everify(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *key = path_in(dir, "root.key");
	ward_passphrase_opts pp = pass_opts(PASS);
	char keyid[WARD_KEYID_SIZE];
	assert_int_equal(ward_key_generate(keyid, key, NULL, NULL, &pp, NULL), 0);
	ward_passphrase_opts bad = pass_opts("a passphrase for tests!");
	char *json = NULL;
	ward_error err = { 0 };
	assert_int_equal(ward_key_public(&json, keyid, key, &bad, &err), WARD_EVERIFY);
	assert_null(json);
	assert_non_null(strstr(err.msg, "root.key: wrong passphrase or corrupted key file"));
	scratch_remove(dir);
}

/* A key and a 3-of-5 backup in dir/shares. */
static void make_backup(const char *dir, char keyid[static WARD_KEYID_SIZE])
{
	WARD_AUTO(free) char *key = path_in(dir, "root.key");
	WARD_AUTO(free) char *sdir = path_in(dir, "shares");
	ward_passphrase_opts pp = pass_opts(PASS);
	char keyid2[WARD_KEYID_SIZE];
	assert_int_equal(ward_key_generate(keyid, key, NULL, NULL, &pp, NULL), 0);
	ward_error err = { 0 };
	if (ward_key_backup(keyid2, key, sdir, 3, 5, &pp, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(keyid, keyid2);
}

static char *share_path(const char *dir, unsigned i)
{
	char name[64];
	snprintf(name, sizeof(name), "shares/root.share-%u-of-5", i);
	return path_in(dir, name);
}

static void backup_writes_0600_share_files_and_restore_rebuilds_the_key(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	char keyid[WARD_KEYID_SIZE];
	make_backup(dir, keyid);
	char *paths[5];
	for (unsigned i = 0; i < 5; i++) {
		paths[i] = share_path(dir, i + 1);
		assert_int_equal(file_mode(paths[i]), 0600);
		WARD_AUTO(buf_dispose) ward_buf text;
		read_whole(&text, paths[i]);
		char want[128];
		snprintf(want, sizeof(want), "\nkeyid: %s\n", keyid);
		assert_non_null(strstr((const char *)text.ptr, want));
	}
	WARD_AUTO(free) char *out = path_in(dir, "restored.key");
	ward_passphrase_opts newpp = pass_opts("a brand new passphrase");
	const char *pick[] = { paths[4], paths[0], paths[2] };
	char got[WARD_KEYID_SIZE];
	ward_error err = { 0 };
	if (ward_key_restore(got, out, pick, 3, &newpp, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(got, keyid);
	assert_int_equal(file_mode(out), 0600);
	/* encrypted with the new passphrase, not the old one */
	char *json = NULL;
	assert_int_equal(ward_key_public(&json, got, out, &newpp, NULL), 0);
	assert_string_equal(got, keyid);
	free(json);
	ward_passphrase_opts oldpp = pass_opts(PASS);
	assert_int_equal(ward_key_public(&json, got, out, &oldpp, NULL), WARD_EVERIFY);
	for (unsigned i = 0; i < 5; i++)
		free(paths[i]);
	scratch_remove(dir);
}

static void backup_refuses_existing_share_files_and_writes_none(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *key = path_in(dir, "root.key");
	WARD_AUTO(free) char *sdir = path_in(dir, "shares");
	ward_passphrase_opts pp = pass_opts(PASS);
	char keyid[WARD_KEYID_SIZE];
	assert_int_equal(ward_key_generate(keyid, key, NULL, NULL, &pp, NULL), 0);
	assert_int_equal(mkdir(sdir, 0700), 0);
	WARD_AUTO(free) char *third = share_path(dir, 3);
	write_whole(third, "an older share\n", 15);
	ward_error err = { 0 };
	assert_int_equal(ward_key_backup(keyid, key, sdir, 3, 5, &pp, &err), WARD_EINVAL);
	assert_non_null(strstr(err.msg, "root.share-3-of-5: already exists; not overwriting it"));
	assert_int_equal(entries(sdir), 1);
	scratch_remove(dir);
}

static void backup_refuses_impossible_counts_before_asking_for_a_passphrase(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *key = path_in(dir, "root.key");
	WARD_AUTO(free) char *sdir = path_in(dir, "shares");
	ward_passphrase_opts none = WARD_PASSPHRASE_OPTS_INIT;
	none.tty = "/nonexistent/tty"; /* would fail differently if asked */
	char keyid[WARD_KEYID_SIZE];
	ward_error err = { 0 };
	assert_int_equal(ward_key_backup(keyid, key, sdir, 1, 5, &none, &err), WARD_EINVAL);
	assert_string_equal(err.msg, "threshold 1 of 5 shares: need 2 <= threshold <= shares <= 255");
	assert_int_equal(ward_key_backup(keyid, key, sdir, 6, 5, &none, &err), WARD_EINVAL);
	assert_int_equal(ward_key_backup(keyid, key, sdir, 2, 256, &none, &err), WARD_EINVAL);
	assert_false(exists(sdir));
	scratch_remove(dir);
}

static void backup_refuses_a_wrong_passphrase_and_writes_no_share(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *key = path_in(dir, "root.key");
	WARD_AUTO(free) char *sdir = path_in(dir, "shares");
	ward_passphrase_opts pp = pass_opts(PASS);
	char keyid[WARD_KEYID_SIZE];
	assert_int_equal(ward_key_generate(keyid, key, NULL, NULL, &pp, NULL), 0);
	ward_passphrase_opts bad = pass_opts("not it at all");
	assert_int_equal(ward_key_backup(keyid, key, sdir, 2, 3, &bad, NULL), WARD_EVERIFY);
	assert_false(exists(sdir));
	scratch_remove(dir);
}

static void restore_refuses_to_overwrite_an_existing_key(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	char keyid[WARD_KEYID_SIZE];
	make_backup(dir, keyid);
	WARD_AUTO(free) char *key = path_in(dir, "root.key");
	WARD_AUTO(free) char *s1 = share_path(dir, 1);
	WARD_AUTO(free) char *s2 = share_path(dir, 2);
	WARD_AUTO(free) char *s3 = share_path(dir, 3);
	const char *pick[] = { s1, s2, s3 };
	ward_passphrase_opts pp = pass_opts(PASS);
	ward_error err = { 0 };
	assert_int_equal(ward_key_restore(keyid, key, pick, 3, &pp, &err), WARD_EINVAL);
	assert_non_null(strstr(err.msg, "root.key: already exists; not overwriting it"));
	scratch_remove(dir);
}

static void restore_names_a_corrupted_share_file_and_writes_nothing(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	char keyid[WARD_KEYID_SIZE];
	make_backup(dir, keyid);
	WARD_AUTO(free) char *s1 = share_path(dir, 1);
	WARD_AUTO(free) char *s2 = share_path(dir, 2);
	WARD_AUTO(free) char *s4 = share_path(dir, 4);
	/* flip one digit of the data of share 2, on disk */
	WARD_AUTO(buf_dispose) ward_buf text;
	read_whole(&text, s2);
	char *data = strstr((char *)text.ptr, "\ndata:\n") + 7;
	data[0] = data[0] == 'a' ? 'b' : 'a';
	unlink(s2);
	write_whole(s2, text.ptr, text.len);
	WARD_AUTO(free) char *out = path_in(dir, "out.key");
	const char *pick[] = { s1, s2, s4 };
	ward_passphrase_opts pp = pass_opts(PASS);
	ward_error err = { 0 };
	assert_int_equal(ward_key_restore(keyid, out, pick, 3, &pp, &err), WARD_EVERIFY);
	char want[512];
	snprintf(want, sizeof(want), "%s: checksum mismatch: the share is corrupted or mistyped", s2);
	assert_string_equal(err.msg, want);
	assert_false(exists(out));
	scratch_remove(dir);
}

static void restore_refuses_shares_of_two_backups_and_missing_files(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	char keyid[WARD_KEYID_SIZE];
	make_backup(dir, keyid);
	WARD_AUTO(free) char *key = path_in(dir, "root.key");
	WARD_AUTO(free) char *again = path_in(dir, "again");
	ward_passphrase_opts pp = pass_opts(PASS);
	assert_int_equal(ward_key_backup(keyid, key, again, 3, 5, &pp, NULL), 0);
	WARD_AUTO(free) char *a1 = share_path(dir, 1);
	WARD_AUTO(free) char *a2 = share_path(dir, 2);
	WARD_AUTO(free) char *b3 = path_in(again, "root.share-3-of-5");
	WARD_AUTO(free) char *out = path_in(dir, "out.key");
	const char *pick[] = { a1, a2, b3 };
	ward_error err = { 0 };
	assert_int_equal(ward_key_restore(keyid, out, pick, 3, &pp, &err), WARD_EVERIFY);
	assert_non_null(strstr(err.msg, "are shares of different backups of key"));
	WARD_AUTO(free) char *nope = path_in(dir, "nope");
	const char *missing[] = { a1, nope };
	assert_int_equal(ward_key_restore(keyid, out, missing, 2, &pp, &err), WARD_ENOTFOUND);
	assert_int_equal(ward_key_restore(keyid, out, missing, 0, &pp, &err), WARD_EINVAL);
	assert_false(exists(out));
	scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(generate_writes_a_0600_encrypted_key_and_its_public_key),
		cmocka_unit_test(generate_defaults_to_ed25519),
		cmocka_unit_test(generate_refuses_existing_files_and_writes_nothing),
		cmocka_unit_test(generate_refuses_an_unknown_scheme_and_a_short_passphrase),
		cmocka_unit_test(public_refuses_a_wrong_passphrase_with_everify),
		cmocka_unit_test(backup_writes_0600_share_files_and_restore_rebuilds_the_key),
		cmocka_unit_test(backup_refuses_existing_share_files_and_writes_none),
		cmocka_unit_test(backup_refuses_impossible_counts_before_asking_for_a_passphrase),
		cmocka_unit_test(backup_refuses_a_wrong_passphrase_and_writes_no_share),
		cmocka_unit_test(restore_refuses_to_overwrite_an_existing_key),
		cmocka_unit_test(restore_names_a_corrupted_share_file_and_writes_nothing),
		cmocka_unit_test(restore_refuses_shares_of_two_backups_and_missing_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
