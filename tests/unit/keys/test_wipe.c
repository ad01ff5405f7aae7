/*
 * test_wipe.c - secrets are wiped before their memory is freed
 * (Monocypher's test_wipe, systemd's erase_and_freep).
 *
 * ward's own malloc, calloc, realloc and free are wrapped at link time
 * (-Wl,--wrap).  While recording, every block ward frees or moves with
 * realloc is copied to a log first; afterwards the log is searched for the
 * secrets of the operation: the private key's bytes, its PKCS#8 DER, the
 * passphrases.  A copy found there was left in freed memory unwiped.
 * OpenSSL's and libgfshare's own allocations are theirs and not recorded
 * (both wipe: OPENSSL_clear_free, gfshare_ctx_free's overwrite).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/key.h"
#include "helpers.h"
#include "keys/keyfile.h"
#include "keys/passphrase.h"
#include "keys/shares.h"
#include "tuf/sign.h"
#include "util/buf.h"
#include "ward/key.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

/* ---- the recorder ---- */

/* Live blocks ward allocated, with their sizes. */
static struct block {
	void *ptr;
	size_t len;
} *live;
static size_t nlive, caplive;

/* Copies of the blocks freed while recording. */
static struct block *freed;
static size_t nfreed, capfreed;
static bool recording;

static void track(void *p, size_t len)
{
	if (!p)
		return;
	if (nlive == caplive) {
		caplive = caplive ? 2 * caplive : 1024;
		live = __real_realloc(live, caplive * sizeof(*live));
		if (!live)
			abort();
	}
	live[nlive].ptr = p;
	live[nlive++].len = len;
}

/* Forgets p; returns its size, or SIZE_MAX if ward did not allocate it. */
static size_t untrack(void *p)
{
	for (size_t i = nlive; i-- > 0;) {
		if (live[i].ptr == p) {
			size_t len = live[i].len;
			live[i] = live[--nlive];
			return len;
		}
	}
	return SIZE_MAX;
}

static void record(const void *p, size_t len)
{
	if (!recording || len == 0 || len == SIZE_MAX)
		return;
	if (nfreed == capfreed) {
		capfreed = capfreed ? 2 * capfreed : 1024;
		freed = __real_realloc(freed, capfreed * sizeof(*freed));
		if (!freed)
			abort();
	}
	void *copy = __real_malloc(len);
	if (!copy)
		abort();
	memcpy(copy, p, len);
	freed[nfreed].ptr = copy;
	freed[nfreed++].len = len;
}

void *__wrap_malloc(size_t n)
{
	void *p = __real_malloc(n);
	track(p, n);
	return p;
}

void *__wrap_calloc(size_t n, size_t m)
{
	void *p = __real_calloc(n, m);
	track(p, n * m);
	return p;
}

void *__wrap_realloc(void *p, size_t n)
{
	size_t old = p ? untrack(p) : SIZE_MAX;
	if (p)
		record(p, old); /* realloc may move it and free the old block */
	void *q = __real_realloc(p, n);
	if (q)
		track(q, n);
	else if (p)
		track(p, old);
	return q;
}

void __wrap_free(void *p)
{
	if (p)
		record(p, untrack(p));
	__real_free(p);
}

static void start_recording(void)
{
	for (size_t i = 0; i < nfreed; i++)
		__real_free(freed[i].ptr);
	nfreed = 0;
	recording = true;
}

static void stop_recording(void)
{
	recording = false;
}

/* How many recorded blocks hold the needle. */
static size_t leaks_of(const void *needle, size_t len)
{
	size_t found = 0;
	for (size_t i = 0; i < nfreed; i++)
		if (freed[i].len >= len && memmem(freed[i].ptr, freed[i].len, needle, len))
			found++;
	return found;
}

static size_t leaks_of_string(const char *s)
{
	return leaks_of(s, strlen(s));
}

/* ---- secrets of a key ---- */

WARD_DEFINE_AUTO(EVP_PKEY *, EVP_PKEY_free)
WARD_DEFINE_AUTO(BIO *, BIO_free_all)

/* The raw 32-byte ed25519 private key. */
static void ed25519_secret(uint8_t out[static 32], const crypto_signer *s)
{
	WARD_AUTO(buf_dispose_secret) ward_buf pem = WARD_BUF_INIT(1 << 16);
	assert_int_equal(crypto_signer_to_pem(s, &pem, NULL), 0);
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new_mem_buf(pem.ptr, (int)pem.len);
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	assert_non_null(pkey);
	size_t len = 32;
	assert_int_equal(EVP_PKEY_get_raw_private_key(pkey, out, &len), 1);
	assert_int_equal(len, 32);
}

static void assert_no_key_leaked(const crypto_signer *s)
{
	uint8_t seed[32];
	ed25519_secret(seed, s);
	assert_int_equal(leaks_of(seed, sizeof(seed)), 0);
	WARD_AUTO(buf_dispose_secret) ward_buf der = WARD_BUF_INIT(1 << 16);
	assert_int_equal(keyfile_signer_to_der(&der, s, NULL), 0);
	assert_int_equal(leaks_of(der.ptr, der.len), 0);
	OPENSSL_cleanse(seed, sizeof(seed));
}

static int pipe_with(const char *text)
{
	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	size_t len = strlen(text);
	assert_int_equal(write(fds[1], text, len), (ssize_t)len);
	close(fds[1]);
	return fds[0];
}

/* ---- tests ---- */

static void the_recorder_finds_a_secret_freed_without_a_wipe(void **state)
{
	(void)state;
	static const char secret[] = "this is a secret nobody wiped";
	/* through volatile pointers, or the compiler drops the pair */
	void *(*volatile alloc)(size_t) = malloc;
	void (*volatile release)(void *) = free;
	start_recording();
	char *p = alloc(sizeof(secret));
	assert_non_null(p);
	memcpy(p, secret, sizeof(secret));
	release(p);
	stop_recording();
	assert_int_equal(leaks_of_string(secret), 1);
}

static void buf_dispose_secret_wipes_before_freeing_and_buf_dispose_does_not(void **state)
{
	(void)state;
	static const char secret[] = "0123456789abcdef secret bytes";
	start_recording();
	ward_buf a = WARD_BUF_INIT(1024), b = WARD_BUF_INIT(1024);
	assert_int_equal(buf_append(&a, secret, sizeof(secret) - 1), 0);
	assert_int_equal(buf_append(&b, secret, sizeof(secret) - 1), 0);
	buf_dispose_secret(&a);
	assert_null(a.ptr);
	stop_recording();
	assert_int_equal(leaks_of_string(secret), 0);
	start_recording();
	buf_dispose(&b); /* the control: plain dispose leaves it */
	stop_recording();
	assert_int_equal(leaks_of_string(secret), 1);
}

static void passphrase_dispose_wipes_the_whole_buffer(void **state)
{
	(void)state;
	passphrase p;
	memset(&p, 'x', sizeof(p));
	p.len = 42;
	passphrase_dispose(&p);
	const uint8_t *bytes = (const uint8_t *)&p;
	for (size_t i = 0; i < sizeof(p); i++)
		assert_int_equal(bytes[i], 0);
}

static void share_dispose_wipes_the_share_data(void **state)
{
	(void)state;
	static const uint8_t data[] = "share data that must not stay in memory";
	start_recording();
	share s = { .len = sizeof(data) };
	s.data = malloc(sizeof(data));
	assert_non_null(s.data);
	memcpy(s.data, data, sizeof(data));
	share_dispose(&s);
	stop_recording();
	assert_null(s.data);
	assert_int_equal(leaks_of(data, sizeof(data)), 0);
}

static void generate_and_load_leave_no_key_or_passphrase_in_freed_memory(void **state)
{
	(void)state;
	static const char pass[] = "generate-passphrase-7f3a";
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *key = path_in(dir, "k.key");
	WARD_AUTO(free) char *pub = path_in(dir, "k.pub");
	char keyid[WARD_KEYID_SIZE];
	int fd = pipe_with("generate-passphrase-7f3a\ngenerate-passphrase-7f3a\n");
	ward_passphrase_opts pp = WARD_PASSPHRASE_OPTS_INIT;
	pp.fd = fd;
	start_recording();
	int rc = ward_key_generate(keyid, key, pub, "ed25519", &pp, NULL);
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	int rc2 = keyfile_load_signer(&s, key, &pp, NULL);
	stop_recording();
	close(fd);
	assert_int_equal(rc, 0);
	assert_int_equal(rc2, 0);
	assert_int_equal(leaks_of_string(pass), 0);
	assert_no_key_leaked(s);
	scratch_remove(dir);
}

static void backup_and_restore_leave_no_key_share_or_passphrase_in_freed_memory(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *key = path_in(dir, "root.key");
	WARD_AUTO(free) char *out = path_in(dir, "restored.key");
	WARD_AUTO(free) char *sdir = path_in(dir, "shares");
	ward_passphrase_opts pp = WARD_PASSPHRASE_OPTS_INIT;
	pp.passphrase = "the old passphrase 1";
	char keyid[WARD_KEYID_SIZE], keyid2[WARD_KEYID_SIZE];
	assert_int_equal(ward_key_generate(keyid, key, NULL, NULL, &pp, NULL), 0);
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	assert_int_equal(keyfile_load_signer(&s, key, &pp, NULL), 0);

	int fd = pipe_with("the old passphrase 1\nthe new passphrase 2\n");
	ward_passphrase_opts from_fd = WARD_PASSPHRASE_OPTS_INIT;
	from_fd.fd = fd;
	char *paths[3];
	for (unsigned i = 0; i < 3; i++) {
		char name[64];
		snprintf(name, sizeof(name), "root.share-%u-of-3", i + 1);
		paths[i] = path_in(sdir, name);
	}
	start_recording();
	int rc = ward_key_backup(keyid2, key, sdir, 2, 3, &from_fd, NULL);
	ward_error err = { 0 };
	int rc2 = ward_key_restore(keyid2, out, (const char *const *)paths + 1, 2, &from_fd, &err);
	stop_recording();
	close(fd);
	assert_int_equal(rc, 0);
	if (rc2)
		fail_msg("%s", err.msg);
	assert_string_equal(keyid, keyid2);
	assert_no_key_leaked(s);
	assert_int_equal(leaks_of_string("the old passphrase 1"), 0);
	assert_int_equal(leaks_of_string("the new passphrase 2"), 0);
	/* nor the share data: 16 bytes of the first data line of each share */
	for (unsigned i = 0; i < 3; i++) {
		WARD_AUTO(buf_dispose) ward_buf text;
		read_whole(&text, paths[i]);
		WARD_AUTO(share_dispose) share sh = { 0 };
		assert_int_equal(shares_parse(&sh, (const char *)text.ptr, text.len, "s", NULL), 0);
		assert_int_equal(leaks_of(sh.data, 16), 0);
		free(paths[i]);
	}
	scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_recorder_finds_a_secret_freed_without_a_wipe),
		cmocka_unit_test(buf_dispose_secret_wipes_before_freeing_and_buf_dispose_does_not),
		cmocka_unit_test(passphrase_dispose_wipes_the_whole_buffer),
		cmocka_unit_test(share_dispose_wipes_the_share_data),
		cmocka_unit_test(generate_and_load_leave_no_key_or_passphrase_in_freed_memory),
		cmocka_unit_test(backup_and_restore_leave_no_key_share_or_passphrase_in_freed_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
