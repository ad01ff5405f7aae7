/*
 * test_keyfile.c - unit tests of src/keys/keyfile.c and newfile.c:
 * encrypted PKCS#8 key files.
 *
 * Besides our own round trips, OpenSSL's command line must read what we
 * write (`openssl pkey -passin`), and we must read what it writes (PBES2
 * with PBKDF2, as `openssl genpkey -aes256` makes).
 */
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
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "crypto/key.h"
#include "helpers.h"
#include "keys/keyfile.h"
#include "keys/newfile.h"
#include "tuf/sign.h"
#include "util/buf.h"
#include "util/limits.h"

static const char PASS[] = "correct horse battery staple";

static const char *const SCHEMES[] = {
	"ed25519",
	"ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp384",
	"rsassa-pss-sha256",
};
#define N_SCHEMES WARD_ARRAY_LEN(SCHEMES)

/* One signer per scheme for the whole file: RSA generation is slow. */
static crypto_signer *signers[N_SCHEMES];

WARD_DEFINE_AUTO(EVP_PKEY *, EVP_PKEY_free)
WARD_DEFINE_AUTO(BIO *, BIO_free_all)
WARD_DEFINE_AUTO(X509_SIG *, X509_SIG_free)
WARD_DEFINE_AUTO(PKCS8_PRIV_KEY_INFO *, PKCS8_PRIV_KEY_INFO_free)

static int setup_signers(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++)
		if (crypto_signer_generate(&signers[i], SCHEMES[i], NULL) != 0)
			return -1;
	return 0;
}

static int teardown_signers(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++)
		crypto_signer_free(signers[i]);
	return 0;
}

static void assert_same_key(const crypto_signer *a, const crypto_signer *b)
{
	char ida[65], idb[65];
	assert_int_equal(tuf_keyid(ida, a), 0);
	assert_int_equal(tuf_keyid(idb, b), 0);
	assert_string_equal(ida, idb);
}

static ward_passphrase_opts pass_opts(const char *pass)
{
	ward_passphrase_opts o = WARD_PASSPHRASE_OPTS_INIT;
	o.passphrase = pass;
	return o;
}

/* ---- in memory ---- */

static void encrypt_then_decrypt_round_trips_for_every_scheme(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++) {
		WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(1 << 16);
		ward_error err = { 0 };
		assert_int_equal(keyfile_encrypt(&pem, signers[i], PASS, strlen(PASS), &err), 0);
		WARD_AUTO(crypto_signer_free) crypto_signer *back = NULL;
		if (keyfile_decrypt(&back, (const char *)pem.ptr, pem.len, PASS, strlen(PASS), "k",
				    &err) != 0)
			fail_msg("%s: %s", SCHEMES[i], err.msg);
		assert_same_key(signers[i], back);
		assert_string_equal(crypto_signer_scheme(back), SCHEMES[i]);
	}
}

static void encrypted_pem_is_pbes2_with_scrypt_and_aes_256_cbc(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(1 << 16);
	assert_int_equal(keyfile_encrypt(&pem, signers[0], PASS, strlen(PASS), NULL), 0);
	assert_non_null(strstr((const char *)pem.ptr, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
	assert_null(strstr((const char *)pem.ptr, "-----BEGIN PRIVATE KEY-----"));
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new_mem_buf(pem.ptr, (int)pem.len);
	WARD_AUTO(X509_SIG_free) X509_SIG *p8 = PEM_read_bio_PKCS8(bio, NULL, NULL, NULL);
	assert_non_null(p8);
	const X509_ALGOR *alg;
	const ASN1_OBJECT *oid;
	const void *param;
	int ptype;
	X509_SIG_get0(p8, &alg, NULL);
	X509_ALGOR_get0(&oid, &ptype, &param, alg);
	assert_int_equal(OBJ_obj2nid(oid), NID_pbes2);
	/* PBES2-params: keyDerivationFunc scrypt, encryptionScheme aes-256-cbc */
	const ASN1_STRING *seq = param;
	const unsigned char *p = ASN1_STRING_get0_data(seq);
	PBE2PARAM *pbe2 = d2i_PBE2PARAM(NULL, &p, ASN1_STRING_length(seq));
	assert_non_null(pbe2);
	X509_ALGOR_get0(&oid, NULL, NULL, pbe2->keyfunc);
	assert_int_equal(OBJ_obj2nid(oid), NID_id_scrypt);
	X509_ALGOR_get0(&oid, NULL, NULL, pbe2->encryption);
	assert_int_equal(OBJ_obj2nid(oid), NID_aes_256_cbc);
	PBE2PARAM_free(pbe2);
}

static void two_encryptions_of_one_key_differ_in_salt_and_iv(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose) ward_buf a = WARD_BUF_INIT(1 << 16);
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(1 << 16);
	assert_int_equal(keyfile_encrypt(&a, signers[0], PASS, strlen(PASS), NULL), 0);
	assert_int_equal(keyfile_encrypt(&b, signers[0], PASS, strlen(PASS), NULL), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_not_equal(a.ptr, b.ptr, a.len);
}

static void decrypt_refuses_a_wrong_passphrase_with_everify(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(1 << 16);
	assert_int_equal(keyfile_encrypt(&pem, signers[1], PASS, strlen(PASS), NULL), 0);
	static const char *const wrong[] = { "correct horse battery stapl",
					     "correct horse battery staple ", "Correct horse battery staple",
					     "x" };
	for (size_t i = 0; i < WARD_ARRAY_LEN(wrong); i++) {
		WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
		ward_error err = { 0 };
		assert_int_equal(keyfile_decrypt(&s, (const char *)pem.ptr, pem.len, wrong[i],
						 strlen(wrong[i]), "root.key", &err),
				 WARD_EVERIFY);
		assert_int_equal(err.code, WARD_EVERIFY);
		assert_string_equal(err.msg, "root.key: wrong passphrase or corrupted key file");
		assert_null(s);
	}
}

static void decrypt_refuses_a_corrupted_ciphertext_with_everify(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(1 << 16);
	assert_int_equal(keyfile_encrypt(&pem, signers[0], PASS, strlen(PASS), NULL), 0);
	/* Flip a bit in the first ciphertext block: it decrypts to garbage
	 * where the PKCS#8 structure begins (a change in the last block could
	 * give valid padding and trailing bytes d2i ignores). */
	WARD_AUTO(BIO_free_all) BIO *in = BIO_new_mem_buf(pem.ptr, (int)pem.len);
	WARD_AUTO(X509_SIG_free) X509_SIG *p8 = PEM_read_bio_PKCS8(in, NULL, NULL, NULL);
	assert_non_null(p8);
	ASN1_OCTET_STRING *ct = NULL;
	X509_SIG_getm(p8, NULL, &ct);
	unsigned char flipped[4096];
	int ctlen = ASN1_STRING_length(ct);
	assert_in_range(ctlen, 16, sizeof(flipped));
	memcpy(flipped, ASN1_STRING_get0_data(ct), (size_t)ctlen);
	flipped[0] ^= 1;
	assert_int_equal(ASN1_OCTET_STRING_set(ct, flipped, ctlen), 1);
	WARD_AUTO(BIO_free_all) BIO *o = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PKCS8(o, p8), 1);
	char *data;
	long len = BIO_get_mem_data(o, &data);
	ward_error err = { 0 };
	crypto_signer *s = NULL;
	assert_int_equal(keyfile_decrypt(&s, data, (size_t)len, PASS, strlen(PASS), "k", &err),
			 WARD_EVERIFY);
	assert_string_equal(err.msg, "k: wrong passphrase or corrupted key file");
	assert_null(s);
}

static void decrypt_refuses_a_plaintext_key_with_einval(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose_secret) ward_buf pem = WARD_BUF_INIT(1 << 16);
	assert_int_equal(crypto_signer_to_pem(signers[0], &pem, NULL), 0);
	ward_error err = { 0 };
	crypto_signer *s = NULL;
	assert_int_equal(keyfile_decrypt(&s, (const char *)pem.ptr, pem.len, PASS, strlen(PASS),
					 "old.key", &err),
			 WARD_EINVAL);
	assert_string_equal(err.msg, "old.key: private key is not encrypted (ward keeps keys only "
				     "in encrypted PKCS#8)");
	assert_int_equal(keyfile_decrypt(&s, "hello\n", 6, PASS, strlen(PASS), "x", &err),
			 WARD_EINVAL);
	assert_string_equal(err.msg, "x: not an encrypted PKCS#8 private key");
	assert_null(s);
}

/* Encrypts a signer's key with OpenSSL's own PKCS8_encrypt: pbe_nid for
 * PBES1, or -1 and a cipher for PBES2 with PBKDF2. */
static void openssl_encrypt(ward_buf *out, const crypto_signer *s, int pbe_nid,
			    const EVP_CIPHER *cipher)
{
	WARD_AUTO(buf_dispose_secret) ward_buf pem = WARD_BUF_INIT(1 << 16);
	assert_int_equal(crypto_signer_to_pem(s, &pem, NULL), 0);
	WARD_AUTO(BIO_free_all) BIO *in = BIO_new_mem_buf(pem.ptr, (int)pem.len);
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
	assert_non_null(pkey);
	WARD_AUTO(PKCS8_PRIV_KEY_INFO_free) PKCS8_PRIV_KEY_INFO *inf = EVP_PKEY2PKCS8(pkey);
	WARD_AUTO(X509_SIG_free) X509_SIG *p8 =
		PKCS8_encrypt(pbe_nid, cipher, PASS, (int)strlen(PASS), NULL, 0, 2048, inf);
	assert_non_null(p8);
	WARD_AUTO(BIO_free_all) BIO *o = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PKCS8(o, p8), 1);
	char *data;
	long len = BIO_get_mem_data(o, &data);
	buf_init(out, 1 << 16);
	assert_int_equal(buf_append(out, data, (size_t)len), 0);
}

static void decrypt_accepts_pbes2_with_pbkdf2_as_openssl_writes_it(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose) ward_buf pem;
	openssl_encrypt(&pem, signers[1], -1, EVP_aes_256_cbc());
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	ward_error err = { 0 };
	if (keyfile_decrypt(&s, (const char *)pem.ptr, pem.len, PASS, strlen(PASS), "k", &err) != 0)
		fail_msg("%s", err.msg);
	assert_same_key(signers[1], s);
}

static void decrypt_refuses_legacy_pbes1_with_einval(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose) ward_buf pem;
	openssl_encrypt(&pem, signers[1], NID_pbe_WithSHA1And3_Key_TripleDES_CBC, NULL);
	crypto_signer *s = NULL;
	ward_error err = { 0 };
	assert_int_equal(keyfile_decrypt(&s, (const char *)pem.ptr, pem.len, PASS, strlen(PASS), "k",
					 &err),
			 WARD_EINVAL);
	assert_string_equal(err.msg, "k: encrypted with legacy PKCS#5 v1.5 (PBES1); re-encrypt it "
				     "with PBES2");
}

static void decrypt_refuses_an_oversized_file_with_elimit(void **state)
{
	(void)state;
	size_t n = WARD_LIMIT_KEY_PRIVATE_PEM + 1;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, 'A', n);
	crypto_signer *s = NULL;
	assert_int_equal(keyfile_decrypt(&s, big, n, PASS, strlen(PASS), "k", NULL), WARD_ELIMIT);
	free(big);
}

static void der_round_trips_and_refuses_trailing_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++) {
		WARD_AUTO(buf_dispose_secret) ward_buf der = WARD_BUF_INIT(1 << 16);
		assert_int_equal(keyfile_signer_to_der(&der, signers[i], NULL), 0);
		WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
		assert_int_equal(keyfile_signer_from_der(&s, der.ptr, der.len, SCHEMES[i], NULL), 0);
		assert_same_key(signers[i], s);
		assert_int_equal(buf_putc(&der, 0), 0);
		crypto_signer *t = NULL;
		ward_error err = { 0 };
		assert_int_equal(keyfile_signer_from_der(&t, der.ptr, der.len, NULL, &err), WARD_EINVAL);
		assert_string_equal(err.msg, "not a PKCS#8 private key");
		assert_int_equal(keyfile_signer_from_der(&t, der.ptr, der.len - 2, NULL, &err),
				 WARD_EINVAL);
		assert_null(t);
	}
}

/* ---- files ---- */

static void write_then_load_round_trips_through_a_0600_encrypted_file(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *path = path_in(dir, "root.key");
	ward_passphrase_opts pp = pass_opts(PASS);
	ward_error err = { 0 };
	if (keyfile_write(path, signers[0], &pp, &err) != 0)
		fail_msg("%s", err.msg);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	WARD_AUTO(buf_dispose) ward_buf text;
	read_whole(&text, path);
	assert_non_null(strstr((const char *)text.ptr, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
	assert_null(strstr((const char *)text.ptr, "-----BEGIN PRIVATE KEY-----"));
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	assert_int_equal(keyfile_load_signer(&s, path, &pp, &err), 0);
	assert_same_key(signers[0], s);
	scratch_remove(dir);
}

static void load_refuses_a_wrong_passphrase_and_a_missing_file(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *path = path_in(dir, "t.key");
	ward_passphrase_opts pp = pass_opts(PASS);
	assert_int_equal(keyfile_write(path, signers[0], &pp, NULL), 0);
	ward_passphrase_opts bad = pass_opts("not the passphrase");
	crypto_signer *s = NULL;
	ward_error err = { 0 };
	assert_int_equal(keyfile_load_signer(&s, path, &bad, &err), WARD_EVERIFY);
	assert_non_null(strstr(err.msg, "t.key: wrong passphrase or corrupted key file"));
	WARD_AUTO(free) char *missing = path_in(dir, "missing.key");
	assert_int_equal(keyfile_load_signer(&s, missing, &pp, &err), WARD_ENOTFOUND);
	assert_null(s);
	scratch_remove(dir);
}

static void write_refuses_to_overwrite_an_existing_file(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *path = path_in(dir, "root.key");
	write_whole(path, "precious\n", 9);
	ward_passphrase_opts pp = pass_opts(PASS);
	ward_error err = { 0 };
	assert_int_equal(keyfile_write(path, signers[0], &pp, &err), WARD_EINVAL);
	assert_non_null(strstr(err.msg, "root.key: already exists; not overwriting it"));
	WARD_AUTO(buf_dispose) ward_buf text;
	read_whole(&text, path);
	assert_int_equal(text.len, 9);
	assert_memory_equal(text.ptr, "precious\n", 9);
	scratch_remove(dir);
}

static void write_refuses_a_symbolic_link_even_a_dangling_one(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *path = path_in(dir, "root.key");
	WARD_AUTO(free) char *target = path_in(dir, "elsewhere");
	assert_int_equal(symlink(target, path), 0);
	ward_passphrase_opts pp = pass_opts(PASS);
	assert_int_equal(keyfile_write(path, signers[0], &pp, NULL), WARD_EINVAL);
	/* newfile_write on its own, past the early check: O_NOFOLLOW|O_EXCL */
	ward_error err = { 0 };
	assert_int_equal(newfile_write(path, "x", 1, 0600, &err), WARD_EINVAL);
	assert_int_equal(access(target, F_OK), -1);
	scratch_remove(dir);
}

static void write_refuses_a_short_new_passphrase(void **state)
{
	(void)state;
	WARD_AUTO(free) char *dir = scratch_dir();
	WARD_AUTO(free) char *path = path_in(dir, "root.key");
	ward_passphrase_opts pp = pass_opts("1234567");
	ward_error err = { 0 };
	assert_int_equal(keyfile_write(path, signers[0], &pp, &err), WARD_EINVAL);
	assert_non_null(strstr(err.msg, "a new passphrase needs at least 8 bytes"));
	assert_int_equal(access(path, F_OK), -1);
	scratch_remove(dir);
}

static void openssl_pkey_reads_the_file_with_the_passphrase(void **state)
{
	(void)state;
	const char *openssl = openssl_program();
	if (!openssl)
		skip();
	WARD_AUTO(free) char *dir = scratch_dir();
	/* ECDSA: crypto_signer_public is the SPKI PEM, as `-pubout` prints */
	WARD_AUTO(free) char *path = path_in(dir, "p256.key");
	WARD_AUTO(free) char *pub = path_in(dir, "p256.pem");
	ward_passphrase_opts pp = pass_opts(PASS);
	assert_int_equal(keyfile_write(path, signers[1], &pp, NULL), 0);
	char pass_arg[64];
	snprintf(pass_arg, sizeof(pass_arg), "pass:%s", PASS);
	const char *ok[] = { openssl, "pkey", "-in", path, "-passin", pass_arg, "-pubout", NULL };
	assert_int_equal(run_program(ok, pub), 0);
	WARD_AUTO(buf_dispose) ward_buf text;
	read_whole(&text, pub);
	assert_string_equal((const char *)text.ptr, crypto_signer_public(signers[1]));
	const char *bad[] = { openssl, "pkey", "-in", path, "-passin", "pass:wrong passphrase",
			"-noout", NULL };
	assert_int_not_equal(run_program(bad, "/dev/null"), 0);
	/* and `openssl asn1parse` names scrypt */
	WARD_AUTO(free) char *asn1 = path_in(dir, "asn1.txt");
	const char *parse[] = { openssl, "asn1parse", "-in", path, NULL };
	assert_int_equal(run_program(parse, asn1), 0);
	WARD_AUTO(buf_dispose) ward_buf dump;
	read_whole(&dump, asn1);
	assert_non_null(strstr((const char *)dump.ptr, ":PBES2"));
	assert_non_null(strstr((const char *)dump.ptr, ":scrypt"));
	assert_non_null(strstr((const char *)dump.ptr, ":aes-256-cbc"));
	scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encrypt_then_decrypt_round_trips_for_every_scheme),
		cmocka_unit_test(encrypted_pem_is_pbes2_with_scrypt_and_aes_256_cbc),
		cmocka_unit_test(two_encryptions_of_one_key_differ_in_salt_and_iv),
		cmocka_unit_test(decrypt_refuses_a_wrong_passphrase_with_everify),
		cmocka_unit_test(decrypt_refuses_a_corrupted_ciphertext_with_everify),
		cmocka_unit_test(decrypt_refuses_a_plaintext_key_with_einval),
		cmocka_unit_test(decrypt_accepts_pbes2_with_pbkdf2_as_openssl_writes_it),
		cmocka_unit_test(decrypt_refuses_legacy_pbes1_with_einval),
		cmocka_unit_test(decrypt_refuses_an_oversized_file_with_elimit),
		cmocka_unit_test(der_round_trips_and_refuses_trailing_bytes),
		cmocka_unit_test(write_then_load_round_trips_through_a_0600_encrypted_file),
		cmocka_unit_test(load_refuses_a_wrong_passphrase_and_a_missing_file),
		cmocka_unit_test(write_refuses_to_overwrite_an_existing_file),
		cmocka_unit_test(write_refuses_a_symbolic_link_even_a_dangling_one),
		cmocka_unit_test(write_refuses_a_short_new_passphrase),
		cmocka_unit_test(openssl_pkey_reads_the_file_with_the_passphrase),
	};
	return cmocka_run_group_tests(tests, setup_signers, teardown_signers);
}
