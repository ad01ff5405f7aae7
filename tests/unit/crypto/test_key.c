/*
 * test_key.c - unit tests of src/crypto/key.c: TUF public keys, signature
 * verification, signing keys and digests.
 *
 * Besides round trips through our own signer, the real-vector tests verify
 * signatures that other implementations made: python-tuf's test repository
 * (RSASSA-PSS and ed25519, signed with securesystemslib) and Sigstore's
 * production repository (ECDSA P-256, hex points in early roots and PEM
 * later, signed with go-tuf/tuf-on-ci).  The signed bytes are the OLPC
 * canonical JSON of "signed", rebuilt here by a small encoder.  The
 * fixtures are found through WARD_SHARED_DIR, set by meson.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/key.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/hex.h"

#define PYTUF_META "tuf-fixtures/python-tuf/tests/repository_data/repository/metadata/"
#define PYTUF_KEYSTORE "tuf-fixtures/python-tuf/tests/repository_data/keystore/"
#define SIGSTORE_META "tuf-fixtures/sigstore/prod-20260821/metadata/"

static const char *const SCHEMES[] = {
	"ed25519",
	"ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp384",
	"rsassa-pss-sha256",
};
#define N_SCHEMES WARD_ARRAY_LEN(SCHEMES)

/* One generated signer per scheme, shared by the tests: RSA-3072 key
 * generation is slow enough to matter. */
static crypto_signer *signers[N_SCHEMES];

static const uint8_t MSG[] = "{\"signed\":{\"_type\":\"timestamp\",\"version\":1}}";

WARD_DEFINE_AUTO(json_t *, json_decref)
WARD_DEFINE_AUTO(EVP_PKEY *, EVP_PKEY_free)
WARD_DEFINE_AUTO(BIO *, BIO_free_all)
WARD_DEFINE_AUTO(EVP_MD_CTX *, EVP_MD_CTX_free)

/* ---- helpers ---- */

static char *shared_path(const char *rel)
{
	const char *dir = getenv("WARD_SHARED_DIR");
	assert_non_null(dir);
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", dir, rel) > 0);
	return p;
}

static void read_shared(ward_buf *out, const char *rel)
{
	WARD_AUTO(free) char *path = shared_path(rel);
	ward_error err = { 0 };
	buf_init(out, 4u << 20);
	int rc = fs_read_file(out, path, 4u << 20, &err);
	if (rc)
		fail_msg("%s: %s", path, err.msg);
}

static json_t *load_json(const char *rel)
{
	WARD_AUTO(free) char *path = shared_path(rel);
	json_error_t jerr;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		fail_msg("%s: %s", path, jerr.text);
	return j;
}

static void put(ward_buf *b, const void *p, size_t n)
{
	assert_int_equal(buf_append(b, p, n), 0);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* OLPC canonical JSON as securesystemslib and go-tuf write it: keys sorted
 * by code point (UTF-8 byte order is the same), no whitespace, strings with
 * only '"' and '\\' escaped, integers only. */
static void canon(ward_buf *b, json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		const char **keys = calloc(n ? n : 1, sizeof(*keys));
		assert_non_null(keys);
		const char *key;
		json_t *val;
		json_object_foreach(v, key, val)
			keys[i++] = key;
		qsort(keys, n, sizeof(*keys), cmp_cstr);
		put(b, "{", 1);
		for (i = 0; i < n; i++) {
			if (i)
				put(b, ",", 1);
			json_t *k = json_string(keys[i]);
			canon(b, k);
			json_decref(k);
			put(b, ":", 1);
			canon(b, json_object_get(v, keys[i]));
		}
		put(b, "}", 1);
		free(keys);
		break;
	}
	case JSON_ARRAY:
		put(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				put(b, ",", 1);
			canon(b, json_array_get(v, i));
		}
		put(b, "]", 1);
		break;
	case JSON_STRING: {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		put(b, "\"", 1);
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '"' || s[i] == '\\')
				put(b, "\\", 1);
			put(b, &s[i], 1);
		}
		put(b, "\"", 1);
		break;
	}
	case JSON_INTEGER: {
		char num[32];
		int n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		assert_true(n > 0 && (size_t)n < sizeof(num));
		put(b, num, (size_t)n);
		break;
	}
	case JSON_TRUE:
		put(b, "true", 4);
		break;
	case JSON_FALSE:
		put(b, "false", 5);
		break;
	case JSON_NULL:
		put(b, "null", 4);
		break;
	case JSON_REAL:
		fail_msg("canonical JSON has no floating point numbers");
	}
}

/* A crypto_key from a TUF key object ({keytype, scheme, keyval.public}). */
static crypto_key *key_from_json(json_t *key)
{
	crypto_key *k = NULL;
	ward_error err = { 0 };
	int rc = crypto_key_from_tuf(&k, json_string_value(json_object_get(key, "keytype")),
				     json_string_value(json_object_get(key, "scheme")),
				     json_string_value(json_object_get(json_object_get(key, "keyval"), "public")),
				     &err);
	if (rc)
		fail_msg("key: %s", err.msg);
	return k;
}

static void sign_msg(const crypto_signer *s, const uint8_t *msg, size_t len, ward_buf *sig)
{
	ward_error err = { 0 };
	buf_init(sig, 4096);
	int rc = crypto_signer_sign(s, msg, len, sig, &err);
	if (rc)
		fail_msg("%s: %s", crypto_signer_scheme(s), err.msg);
}

static crypto_key *key_of_signer(const crypto_signer *s)
{
	crypto_key *k = NULL;
	ward_error err = { 0 };
	int rc = crypto_key_from_tuf(&k, crypto_signer_keytype(s), crypto_signer_scheme(s),
				     crypto_signer_public(s), &err);
	if (rc)
		fail_msg("%s: %s", crypto_signer_scheme(s), err.msg);
	return k;
}

/* crypto_key_from_tuf is expected to fail with code; checks that the message
 * is set and that OpenSSL's queue was left empty. */
static void expect_from_tuf(int code, const char *keytype, const char *scheme, const char *value)
{
	crypto_key *k = NULL;
	ward_error err = { 0 };
	int rc = crypto_key_from_tuf(&k, keytype, scheme, value, &err);
	if (rc != code)
		fail_msg("%s/%s \"%.60s\": got %d (%s), want %d", keytype, scheme, value, rc, err.msg,
			 code);
	assert_null(k);
	assert_int_equal(err.code, code);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(ERR_peek_error(), 0);
}

/* The PEM SPKI of a key generated here with OpenSSL directly. */
static char *pem_public_of(EVP_PKEY *pkey)
{
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new(BIO_s_mem());
	assert_non_null(bio);
	assert_int_equal(PEM_write_bio_PUBKEY(bio, pkey), 1);
	char *data = NULL;
	long len = BIO_get_mem_data(bio, &data);
	assert_true(len > 0);
	return strndup(data, (size_t)len);
}

static char *pem_private_of(EVP_PKEY *pkey, bool traditional)
{
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new(BIO_s_mem());
	assert_non_null(bio);
	if (traditional)
		assert_int_equal(PEM_write_bio_PrivateKey_traditional(bio, pkey, NULL, NULL, 0, NULL, NULL), 1);
	else
		assert_int_equal(PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL), 1);
	char *data = NULL;
	long len = BIO_get_mem_data(bio, &data);
	assert_true(len > 0);
	return strndup(data, (size_t)len);
}

/* The hex SEC1 encoding of an EC public key, uncompressed or compressed. */
static char *ec_point_hex(const char *pem, bool compressed)
{
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new_mem_buf(pem, -1);
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	assert_non_null(pkey);
	uint8_t pt[133];
	size_t len = 0;
	assert_int_equal(EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
							 sizeof(pt), &len), 1);
	assert_int_equal(pt[0], 0x04);
	if (compressed) {
		size_t coord = (len - 1) / 2;
		pt[0] = (uint8_t)(0x02 | (pt[len - 1] & 1));
		len = coord + 1;
	}
	char *hex = malloc(2 * len + 1);
	assert_non_null(hex);
	hex_encode(hex, pt, len);
	return hex;
}

/* Private key of a signer as an OpenSSL object, via its PKCS#8 PEM. */
static EVP_PKEY *pkey_of_signer(const crypto_signer *s)
{
	WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(65536);
	ward_error err = { 0 };
	assert_int_equal(crypto_signer_to_pem(s, &pem, &err), 0);
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new_mem_buf(pem.ptr, (int)pem.len);
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	assert_non_null(pkey);
	OPENSSL_cleanse(pem.ptr, pem.len);
	return pkey;
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++) {
		ward_error err = { 0 };
		if (crypto_signer_generate(&signers[i], SCHEMES[i], &err) != 0)
			return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++) {
		crypto_signer_free(signers[i]);
		signers[i] = NULL;
	}
	return 0;
}

/* ---- round trips ---- */

static void sign_then_verify_round_trips_for_every_scheme(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++) {
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
		sign_msg(signers[i], MSG, sizeof(MSG) - 1, &sig);
		WARD_AUTO(crypto_key_free) crypto_key *k = key_of_signer(signers[i]);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 1), 0);
		assert_int_equal(ERR_peek_error(), 0);
	}
}

static void sign_then_verify_round_trips_for_an_empty_message(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++) {
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
		sign_msg(signers[i], NULL, 0, &sig);
		WARD_AUTO(crypto_key_free) crypto_key *k = key_of_signer(signers[i]);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, NULL, 0), 0);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, 1), WARD_EVERIFY);
	}
}

static void sign_appends_to_the_signature_buffer(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(4096);
	ward_error err = { 0 };
	assert_int_equal(buf_append(&sig, "xy", 2), 0);
	assert_int_equal(crypto_signer_sign(signers[0], MSG, sizeof(MSG) - 1, &sig, &err), 0);
	assert_int_equal(sig.len, 2 + 64);
	assert_memory_equal(sig.ptr, "xy", 2);
	WARD_AUTO(crypto_key_free) crypto_key *k = key_of_signer(signers[0]);
	assert_int_equal(crypto_key_verify(k, sig.ptr + 2, 64, MSG, sizeof(MSG) - 1), 0);
}

static void sign_refuses_a_buffer_too_small_with_elimit(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(10);
	ward_error err = { 0 };
	assert_int_equal(crypto_signer_sign(signers[3], MSG, sizeof(MSG) - 1, &sig, &err), WARD_ELIMIT);
	assert_int_equal(err.code, WARD_ELIMIT);
	assert_int_equal(sig.len, 0);
}

static void verify_refuses_a_tampered_message(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++) {
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
		sign_msg(signers[i], MSG, sizeof(MSG) - 1, &sig);
		WARD_AUTO(crypto_key_free) crypto_key *k = key_of_signer(signers[i]);
		uint8_t msg[sizeof(MSG)];
		memcpy(msg, MSG, sizeof(MSG));
		msg[10] ^= 0x01;
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, msg, sizeof(MSG) - 1), WARD_EVERIFY);
		/* One byte longer or shorter is a different message too. */
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG)), WARD_EVERIFY);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 2), WARD_EVERIFY);
		assert_int_equal(ERR_peek_error(), 0);
	}
}

static void verify_refuses_a_tampered_signature(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++) {
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
		sign_msg(signers[i], MSG, sizeof(MSG) - 1, &sig);
		WARD_AUTO(crypto_key_free) crypto_key *k = key_of_signer(signers[i]);
		/* Flip one bit at the start, in the middle and at the end. */
		size_t where[] = { 0, sig.len / 2, sig.len - 1 };
		for (size_t j = 0; j < WARD_ARRAY_LEN(where); j++) {
			sig.ptr[where[j]] ^= 0x01;
			assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 1),
					 WARD_EVERIFY);
			sig.ptr[where[j]] ^= 0x01;
		}
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 1), 0);
		assert_int_equal(ERR_peek_error(), 0);
	}
}

static void verify_refuses_a_signature_by_another_key(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++) {
		crypto_signer *other = NULL;
		ward_error err = { 0 };
		assert_int_equal(crypto_signer_generate(&other, SCHEMES[i], &err), 0);
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
		sign_msg(other, MSG, sizeof(MSG) - 1, &sig);
		WARD_AUTO(crypto_key_free) crypto_key *k = key_of_signer(signers[i]);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 1), WARD_EVERIFY);
		crypto_signer_free(other);
	}
}

static void verify_refuses_garbage_empty_and_truncated_signatures(void **state)
{
	(void)state;
	static uint8_t big[1 << 20];
	memset(big, 0x30, sizeof(big));
	for (size_t i = 0; i < N_SCHEMES; i++) {
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
		sign_msg(signers[i], MSG, sizeof(MSG) - 1, &sig);
		WARD_AUTO(crypto_key_free) crypto_key *k = key_of_signer(signers[i]);
		const uint8_t *m = MSG;
		size_t ml = sizeof(MSG) - 1;

		assert_int_equal(crypto_key_verify(k, NULL, 0, m, ml), WARD_EVERIFY);
		assert_int_equal(crypto_key_verify(k, sig.ptr, 0, m, ml), WARD_EVERIFY);
		assert_int_equal(crypto_key_verify(k, NULL, 64, m, ml), WARD_EVERIFY);
		assert_int_equal(crypto_key_verify(k, sig.ptr, 1, m, ml), WARD_EVERIFY);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len / 2, m, ml), WARD_EVERIFY);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len - 1, m, ml), WARD_EVERIFY);
		/* Trailing bytes after a valid signature (DER or raw) are refused. */
		assert_int_equal(buf_putc(&sig, 0), 0);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, m, ml), WARD_EVERIFY);
		/* Zeros and 0xff of the right length, and ASN.1-looking junk. */
		uint8_t junk[1024];
		size_t jl = sig.len - 1;
		memset(junk, 0, jl);
		assert_int_equal(crypto_key_verify(k, junk, jl, m, ml), WARD_EVERIFY);
		memset(junk, 0xff, jl);
		assert_int_equal(crypto_key_verify(k, junk, jl, m, ml), WARD_EVERIFY);
		static const uint8_t der_lies[] = { 0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01 };
		assert_int_equal(crypto_key_verify(k, der_lies, sizeof(der_lies), m, ml), WARD_EVERIFY);
		static const uint8_t der_zero[] = { 0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00 };
		assert_int_equal(crypto_key_verify(k, der_zero, sizeof(der_zero), m, ml), WARD_EVERIFY);
		assert_int_equal(crypto_key_verify(k, big, sizeof(big), m, ml), WARD_EVERIFY);
		/* Message pointer missing with a length: refused, not a crash. */
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len - 1, NULL, ml), WARD_EVERIFY);
		assert_int_equal(ERR_peek_error(), 0);
	}
	assert_int_equal(crypto_key_verify(NULL, big, 64, MSG, 1), WARD_EVERIFY);
}

static void ecdsa_verify_refuses_a_non_canonical_der_signature(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
	sign_msg(signers[1], MSG, sizeof(MSG) - 1, &sig);
	WARD_AUTO(crypto_key_free) crypto_key *k = key_of_signer(signers[1]);
	/* Re-encode the outer SEQUENCE length in long form (0x81 len): the
	 * same (r,s), but not DER, so a second valid encoding must not exist. */
	assert_int_equal(sig.ptr[0], 0x30);
	assert_true(sig.ptr[1] < 0x80);
	uint8_t alt[256];
	alt[0] = 0x30;
	alt[1] = 0x81;
	memcpy(alt + 2, sig.ptr + 1, sig.len - 1);
	assert_int_equal(crypto_key_verify(k, alt, sig.len + 1, MSG, sizeof(MSG) - 1), WARD_EVERIFY);
	assert_int_equal(ERR_peek_error(), 0);
}

/* ---- key parsing ---- */

static void key_from_tuf_refuses_unknown_keytype_and_scheme_pairs(void **state)
{
	(void)state;
	const char *ed = crypto_signer_public(signers[0]);
	const char *ec = crypto_signer_public(signers[1]);
	const char *rsa = crypto_signer_public(signers[3]);
	expect_from_tuf(WARD_EINVAL, "rsa", "ed25519", ed);
	expect_from_tuf(WARD_EINVAL, "ed25519", "ecdsa-sha2-nistp256", ec);
	expect_from_tuf(WARD_EINVAL, "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", ec);
	expect_from_tuf(WARD_EINVAL, "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp256", ec);
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp521", ec);
	expect_from_tuf(WARD_EINVAL, "rsa", "rsassa-pss-sha512", rsa);
	expect_from_tuf(WARD_EINVAL, "rsa", "rsa-pkcs1v15-sha256", rsa);
	expect_from_tuf(WARD_EINVAL, "ECDSA", "ecdsa-sha2-nistp256", ec);
	expect_from_tuf(WARD_EINVAL, "", "", ed);
	expect_from_tuf(WARD_EINVAL, NULL, "ed25519", ed);
	expect_from_tuf(WARD_EINVAL, "ed25519", "ed25519", NULL);
}

static void key_from_tuf_refuses_a_curve_that_does_not_match_the_scheme(void **state)
{
	(void)state;
	const char *p256 = crypto_signer_public(signers[1]);
	const char *p384 = crypto_signer_public(signers[2]);
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", p384);
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp384", p256);
	expect_from_tuf(WARD_EINVAL, "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", p384);
	/* As hex points: the length gives the curve away. */
	WARD_AUTO(free) char *h256 = ec_point_hex(p256, false);
	WARD_AUTO(free) char *h384 = ec_point_hex(p384, false);
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp384", h256);
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", h384);
	/* Keys of another algorithm under an ECDSA or RSA scheme. */
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", crypto_signer_public(signers[3]));
	expect_from_tuf(WARD_EINVAL, "rsa", "rsassa-pss-sha256", p256);
	expect_from_tuf(WARD_EINVAL, "ed25519", "ed25519", p256);
	/* A secp256k1 key: a named curve, but not the scheme's. */
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *k1 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	assert_non_null(k1);
	WARD_AUTO(free) char *k1pem = pem_public_of(k1);
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", k1pem);
}

static void key_from_tuf_refuses_bad_hex_with_einval(void **state)
{
	(void)state;
	static const char good[] = "edcd0a32a07dce33f7c7873aaffbff36d20ea30787574ead335eefd337e4dacd";
	crypto_key *k = NULL;
	assert_int_equal(crypto_key_from_tuf(&k, "ed25519", "ed25519", good, NULL), 0);
	crypto_key_free(k);

	expect_from_tuf(WARD_EINVAL, "ed25519", "ed25519", "");
	expect_from_tuf(WARD_EINVAL, "ed25519", "ed25519", "edcd0a32");
	expect_from_tuf(WARD_EINVAL, "ed25519", "ed25519",
			"edcd0a32a07dce33f7c7873aaffbff36d20ea30787574ead335eefd337e4dac");
	expect_from_tuf(WARD_EINVAL, "ed25519", "ed25519",
			"edcd0a32a07dce33f7c7873aaffbff36d20ea30787574ead335eefd337e4dacd00");
	expect_from_tuf(WARD_EINVAL, "ed25519", "ed25519",
			"gdcd0a32a07dce33f7c7873aaffbff36d20ea30787574ead335eefd337e4dacd");
	expect_from_tuf(WARD_EINVAL, "ed25519", "ed25519",
			" dcd0a32a07dce33f7c7873aaffbff36d20ea30787574ead335eefd337e4dacd");
	/* A PEM value for an ed25519 key: TUF wants raw hex. */
	expect_from_tuf(WARD_EINVAL, "ed25519", "ed25519", crypto_signer_public(signers[1]));

	/* SEC1 points: Sigstore root v1's first key, altered. */
	static const char pt[] = "04cbc5cab2684160323c25cd06c3307178a6b1d1c9b949328453ae473c5ba7527e"
				 "35b13f298b41633382241f3fd8526c262d43b45adee5c618fa0642c82b8a9803";
	assert_int_equal(crypto_key_from_tuf(&k, "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", pt, NULL),
			 0);
	crypto_key_free(k);
	char bad[sizeof(pt)];
	memcpy(bad, pt, sizeof(pt));
	bad[0] = '0', bad[1] = '5'; /* not a SEC1 tag */
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", bad);
	bad[1] = '6'; /* hybrid encoding */
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", bad);
	memcpy(bad, pt, sizeof(pt));
	bad[sizeof(pt) - 2] = bad[sizeof(pt) - 2] == '0' ? '1' : '0'; /* off the curve */
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", bad);
	memcpy(bad, pt, sizeof(pt));
	bad[7] = 'x';
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", bad);
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", "00"); /* infinity */
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", "");
	/* Compressed form with an x that has no point on P-256 (x = 1:
	 * x^3 - 3x + b is not a square mod p). */
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256",
			"020000000000000000000000000000000000000000000000000000000000000001");
}

static void key_from_tuf_refuses_bad_pem_with_einval(void **state)
{
	(void)state;
	const char *good = crypto_signer_public(signers[1]);
	size_t len = strlen(good);
	WARD_AUTO(free) char *v = malloc(2 * len + 64);
	assert_non_null(v);

	/* Cut in the middle of the base64. */
	memcpy(v, good, len / 2);
	v[len / 2] = '\0';
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", v);
	/* Base64 damaged. */
	memcpy(v, good, len + 1);
	v[40] = '!';
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", v);
	/* Two keys in one value. */
	memcpy(v, good, len);
	memcpy(v + len, crypto_signer_public(signers[1]), len + 1);
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", v);
	/* Junk after the END line, and before the BEGIN line. */
	memcpy(v, good, len);
	memcpy(v + len, "junk", 5);
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", v);
	v[0] = '\n';
	memcpy(v + 1, good, len + 1);
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", v);
	/* A private key is not a public key. */
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pk = pkey_of_signer(signers[1]);
	WARD_AUTO(free) char *priv = pem_private_of(pk, false);
	expect_from_tuf(WARD_EINVAL, "ecdsa", "ecdsa-sha2-nistp256", priv);
	/* Labels only, and a label with nothing in it. */
	expect_from_tuf(WARD_EINVAL, "rsa", "rsassa-pss-sha256",
			"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
	expect_from_tuf(WARD_EINVAL, "rsa", "rsassa-pss-sha256", "-----BEGIN PUBLIC KEY-----");
	expect_from_tuf(WARD_EINVAL, "rsa", "rsassa-pss-sha256", "");
	expect_from_tuf(WARD_EINVAL, "rsa", "rsassa-pss-sha256", "00");
	/* RSA values are PEM only: a hex string is refused. */
	expect_from_tuf(WARD_EINVAL, "rsa", "rsassa-pss-sha256",
			"edcd0a32a07dce33f7c7873aaffbff36d20ea30787574ead335eefd337e4dacd");
}

static void key_from_tuf_refuses_an_oversized_public_value_with_elimit(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	WARD_AUTO(free) char *v = malloc(n + 1);
	assert_non_null(v);
	memset(v, 'a', n);
	v[n] = '\0';
	memcpy(v, "-----BEGIN PUBLIC KEY-----\n", 27);
	expect_from_tuf(WARD_ELIMIT, "rsa", "rsassa-pss-sha256", v);
	expect_from_tuf(WARD_ELIMIT, "ecdsa", "ecdsa-sha2-nistp256", v);
	expect_from_tuf(WARD_ELIMIT, "ed25519", "ed25519", v + 27);
}

static void key_from_tuf_refuses_rsa_keys_under_2048_bits(void **state)
{
	(void)state;
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(small);
	WARD_AUTO(free) char *pub = pem_public_of(small);
	expect_from_tuf(WARD_EINVAL, "rsa", "rsassa-pss-sha256", pub);

	WARD_AUTO(free) char *priv = pem_private_of(small, false);
	crypto_signer *s = NULL;
	ward_error err = { 0 };
	assert_int_equal(crypto_signer_from_pem(&s, priv, strlen(priv), NULL, &err), WARD_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err.msg, "1024"));
	OPENSSL_cleanse(priv, strlen(priv));
}

static void key_from_tuf_accepts_pem_with_or_without_a_final_newline(void **state)
{
	(void)state;
	for (size_t i = 1; i < N_SCHEMES; i++) {
		const char *pem = crypto_signer_public(signers[i]);
		size_t len = strlen(pem);
		assert_string_equal(pem + len - 2, "-\n");
		WARD_AUTO(free) char *bare = strndup(pem, len - 1);
		WARD_AUTO(free) char *crlf = NULL;
		assert_true(asprintf(&crlf, "%s\r\n", bare) > 0);
		const char *forms[] = { pem, bare, crlf };
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
		sign_msg(signers[i], MSG, sizeof(MSG) - 1, &sig);
		for (size_t j = 0; j < WARD_ARRAY_LEN(forms); j++) {
			crypto_key *k = NULL;
			ward_error err = { 0 };
			int rc = crypto_key_from_tuf(&k, crypto_signer_keytype(signers[i]),
						     crypto_signer_scheme(signers[i]), forms[j], &err);
			if (rc)
				fail_msg("%s form %zu: %s", SCHEMES[i], j, err.msg);
			assert_string_equal(crypto_key_public(k), forms[j]);
			assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 1), 0);
			crypto_key_free(k);
		}
	}
}

static void key_from_tuf_accepts_uncompressed_and_compressed_hex_points(void **state)
{
	(void)state;
	static const char *const keytypes[] = { "ecdsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384" };
	for (size_t i = 1; i <= 2; i++) {
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
		sign_msg(signers[i], MSG, sizeof(MSG) - 1, &sig);
		for (int compressed = 0; compressed <= 1; compressed++) {
			WARD_AUTO(free) char *hex = ec_point_hex(crypto_signer_public(signers[i]), compressed);
			const char *kts[] = { keytypes[0], keytypes[i] };
			for (size_t j = 0; j < 2; j++) {
				crypto_key *k = NULL;
				ward_error err = { 0 };
				int rc = crypto_key_from_tuf(&k, kts[j], SCHEMES[i], hex, &err);
				if (rc)
					fail_msg("%s %s: %s", kts[j], hex, err.msg);
				assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 1), 0);
				crypto_key_free(k);
			}
		}
	}
}

static void key_accessors_return_the_tuf_strings_given(void **state)
{
	(void)state;
	char kt[] = "ecdsa-sha2-nistp256", sc[] = "ecdsa-sha2-nistp256";
	WARD_AUTO(free) char *pub = ec_point_hex(crypto_signer_public(signers[1]), false);
	crypto_key *k = NULL;
	assert_int_equal(crypto_key_from_tuf(&k, kt, sc, pub, NULL), 0);
	/* Copies: the caller's strings may change or go away. */
	kt[0] = sc[0] = pub[0] = 'X';
	assert_string_equal(crypto_key_keytype(k), "ecdsa-sha2-nistp256");
	assert_string_equal(crypto_key_scheme(k), "ecdsa-sha2-nistp256");
	assert_int_equal(crypto_key_public(k)[0], '0');
	assert_string_equal(crypto_key_public(k) + 1, pub + 1);
	crypto_key_free(k);
	crypto_key_free(NULL);
}

/* ---- signers ---- */

static void signer_public_descriptions_follow_securesystemslib(void **state)
{
	(void)state;
	static const char *const keytypes[] = { "ed25519", "ecdsa", "ecdsa", "rsa" };
	for (size_t i = 0; i < N_SCHEMES; i++) {
		assert_string_equal(crypto_signer_keytype(signers[i]), keytypes[i]);
		assert_string_equal(crypto_signer_scheme(signers[i]), SCHEMES[i]);
		const char *pub = crypto_signer_public(signers[i]);
		size_t len = strlen(pub);
		if (i == 0) {
			assert_int_equal(len, 64);
			assert_int_equal(strspn(pub, "0123456789abcdef"), 64);
		} else {
			assert_memory_equal(pub, "-----BEGIN PUBLIC KEY-----\n", 27);
			assert_string_equal(pub + len - 26, "\n-----END PUBLIC KEY-----\n");
		}
	}
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *rsa = pkey_of_signer(signers[3]);
	assert_int_equal(EVP_PKEY_get_bits(rsa), 3072);
}

static void signer_generate_refuses_an_unknown_scheme(void **state)
{
	(void)state;
	crypto_signer *s = NULL;
	ward_error err = { 0 };
	assert_int_equal(crypto_signer_generate(&s, "ecdsa-sha2-nistp521", &err), WARD_EINVAL);
	assert_int_equal(err.code, WARD_EINVAL);
	assert_int_equal(crypto_signer_generate(&s, "rsa", &err), WARD_EINVAL);
	assert_int_equal(crypto_signer_generate(&s, NULL, NULL), WARD_EINVAL);
	assert_null(s);
}

static void signer_to_pem_and_back_keeps_the_key(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++) {
		WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(65536);
		ward_error err = { 0 };
		assert_int_equal(crypto_signer_to_pem(signers[i], &pem, &err), 0);
		assert_memory_equal(pem.ptr, "-----BEGIN PRIVATE KEY-----\n", 28);
		crypto_signer *s = NULL;
		assert_int_equal(crypto_signer_from_pem(&s, (const char *)pem.ptr, pem.len, NULL, &err), 0);
		assert_string_equal(crypto_signer_public(s), crypto_signer_public(signers[i]));
		assert_string_equal(crypto_signer_scheme(s), SCHEMES[i]);
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
		sign_msg(s, MSG, sizeof(MSG) - 1, &sig);
		WARD_AUTO(crypto_key_free) crypto_key *k = key_of_signer(signers[i]);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 1), 0);
		crypto_signer_free(s);
		OPENSSL_cleanse(pem.ptr, pem.len);
	}
}

static void signer_to_pem_refuses_a_buffer_too_small_with_elimit(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(64);
	ward_error err = { 0 };
	assert_int_equal(crypto_signer_to_pem(signers[3], &pem, &err), WARD_ELIMIT);
	assert_int_equal(pem.len, 0);
}

static void signer_from_pem_accepts_traditional_pem(void **state)
{
	(void)state;
	for (size_t i = 1; i < N_SCHEMES; i++) {
		WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pk = pkey_of_signer(signers[i]);
		WARD_AUTO(free) char *pem = pem_private_of(pk, true);
		const char *label = i == 3 ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----";
		assert_memory_equal(pem, label, strlen(label));
		crypto_signer *s = NULL;
		ward_error err = { 0 };
		int rc = crypto_signer_from_pem(&s, pem, strlen(pem), SCHEMES[i], &err);
		if (rc)
			fail_msg("%s: %s", SCHEMES[i], err.msg);
		assert_string_equal(crypto_signer_public(s), crypto_signer_public(signers[i]));
		crypto_signer_free(s);
		OPENSSL_cleanse(pem, strlen(pem));
	}
}

static void signer_from_pem_refuses_a_scheme_that_does_not_fit_the_key(void **state)
{
	(void)state;
	static const struct {
		size_t key;
		const char *scheme;
	} cases[] = {
		{ 0, "rsassa-pss-sha256" },   { 0, "ecdsa-sha2-nistp256" }, { 1, "ecdsa-sha2-nistp384" },
		{ 2, "ecdsa-sha2-nistp256" }, { 1, "ed25519" },             { 3, "ecdsa-sha2-nistp256" },
		{ 3, "rsassa-pss-sha512" },
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
		WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(65536);
		ward_error err = { 0 };
		assert_int_equal(crypto_signer_to_pem(signers[cases[i].key], &pem, &err), 0);
		crypto_signer *s = NULL;
		assert_int_equal(crypto_signer_from_pem(&s, (const char *)pem.ptr, pem.len, cases[i].scheme,
							&err),
				 WARD_EINVAL);
		assert_null(s);
		assert_int_equal(ERR_peek_error(), 0);
		OPENSSL_cleanse(pem.ptr, pem.len);
	}
}

static void signer_from_pem_refuses_encrypted_and_malformed_keys(void **state)
{
	(void)state;
	crypto_signer *s = NULL;
	ward_error err = { 0 };

	/* python-tuf's root_key2 is securesystemslib's own encrypted format. */
	WARD_AUTO(buf_dispose) ward_buf sslib = WARD_BUF_INIT(0);
	read_shared(&sslib, PYTUF_KEYSTORE "root_key2");
	assert_int_equal(crypto_signer_from_pem(&s, (const char *)sslib.ptr, sslib.len, NULL, &err),
			 WARD_EINVAL);
	assert_int_equal(ERR_peek_error(), 0);

	/* Encrypted PKCS#8: refused, and no passphrase prompt. */
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pk = pkey_of_signer(signers[1]);
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PKCS8PrivateKey(bio, pk, EVP_aes_256_cbc(), "pw", 2, NULL, NULL),
			 1);
	char *enc = NULL;
	long enclen = BIO_get_mem_data(bio, &enc);
	assert_int_equal(crypto_signer_from_pem(&s, enc, (size_t)enclen, NULL, &err), WARD_EINVAL);
	assert_non_null(strstr(err.msg, "encrypted"));

	/* A public key, garbage, nothing, too much. */
	const char *pub = crypto_signer_public(signers[1]);
	assert_int_equal(crypto_signer_from_pem(&s, pub, strlen(pub), NULL, &err), WARD_EINVAL);
	assert_int_equal(crypto_signer_from_pem(&s, "garbage", 7, NULL, &err), WARD_EINVAL);
	assert_int_equal(crypto_signer_from_pem(&s, "", 0, NULL, &err), WARD_EINVAL);
	assert_int_equal(crypto_signer_from_pem(&s, NULL, 0, NULL, &err), WARD_EINVAL);
	assert_int_equal(crypto_signer_from_pem(&s, NULL, 5, NULL, &err), WARD_EINVAL);
	static char big[1 << 20];
	memset(big, 'A', sizeof(big));
	assert_int_equal(crypto_signer_from_pem(&s, big, sizeof(big), NULL, &err), WARD_ELIMIT);
	/* A key of a type TUF has no scheme for. */
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *x = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	WARD_AUTO(free) char *xpem = pem_private_of(x, false);
	assert_int_equal(crypto_signer_from_pem(&s, xpem, strlen(xpem), NULL, &err), WARD_EINVAL);
	assert_null(s);
	assert_int_equal(ERR_peek_error(), 0);
}

/* ---- RSASSA-PSS parameters ---- */

/* Signs MSG with the RSA signer's key through OpenSSL directly. */
static void rsa_sign_raw(ward_buf *sig, int padding, int saltlen)
{
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pk = pkey_of_signer(signers[3]);
	WARD_AUTO(EVP_MD_CTX_free) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	assert_int_equal(EVP_DigestSignInit_ex(ctx, &pctx, "SHA256", NULL, NULL, pk, NULL), 1);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, padding) > 0);
	if (padding == RSA_PKCS1_PSS_PADDING)
		assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen) > 0);
	size_t len = 384;
	buf_init(sig, 4096);
	assert_int_equal(buf_reserve(sig, len), 0);
	assert_int_equal(EVP_DigestSign(ctx, sig->ptr, &len, MSG, sizeof(MSG) - 1), 1);
	sig->len = len;
}

static void rsa_signatures_use_pss_with_a_digest_length_salt(void **state)
{
	(void)state;
	WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
	sign_msg(signers[3], MSG, sizeof(MSG) - 1, &sig);
	/* Verify with the salt length pinned to 32: only a 32-byte salt passes. */
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pk = pkey_of_signer(signers[3]);
	for (int salt = 31; salt <= 33; salt++) {
		WARD_AUTO(EVP_MD_CTX_free) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pctx = NULL;
		assert_int_equal(EVP_DigestVerifyInit_ex(ctx, &pctx, "SHA256", NULL, NULL, pk, NULL), 1);
		assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) > 0);
		int ok = EVP_DigestVerify(ctx, sig.ptr, sig.len, MSG, sizeof(MSG) - 1);
		assert_int_equal(ok == 1, salt == 32);
	}
	ERR_clear_error();
}

static void rsa_verify_accepts_any_pss_salt_length_and_refuses_pkcs1(void **state)
{
	(void)state;
	WARD_AUTO(crypto_key_free) crypto_key *k = key_of_signer(signers[3]);
	static const int salts[] = { 0, 20, RSA_PSS_SALTLEN_DIGEST, RSA_PSS_SALTLEN_MAX };
	for (size_t i = 0; i < WARD_ARRAY_LEN(salts); i++) {
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
		rsa_sign_raw(&sig, RSA_PKCS1_PSS_PADDING, salts[i]);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 1), 0);
	}
	WARD_AUTO(buf_dispose) ward_buf v15 = WARD_BUF_INIT(0);
	rsa_sign_raw(&v15, RSA_PKCS1_PADDING, 0);
	assert_int_equal(crypto_key_verify(k, v15.ptr, v15.len, MSG, sizeof(MSG) - 1), WARD_EVERIFY);
	assert_int_equal(ERR_peek_error(), 0);
}

/* ---- real vectors ---- */

/* python-tuf's keystore: unencrypted PKCS#8 files whose public halves are
 * listed in the repository's root.json (and targets.json for role1). */
static void signer_from_pem_loads_python_tuf_keystore_keys_matching_their_metadata(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		const char *meta; /* metadata listing the key */
		const char *role; /* role whose first keyid is the key */
	} cases[] = {
		{ "root_key", "root.json", "root" },
		{ "snapshot_key", "root.json", "snapshot" },
		{ "targets_key", "root.json", "targets" },
		{ "timestamp_key", "root.json", "timestamp" },
		{ "delegation_key", "targets.json", "role1" },
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
		char rel[256];
		assert_true(snprintf(rel, sizeof(rel), PYTUF_META "%s", cases[i].meta) < (int)sizeof(rel));
		WARD_AUTO(json_decref) json_t *meta = load_json(rel);
		json_t *signed_ = json_object_get(meta, "signed");
		json_t *keys, *keyids;
		if (strcmp(cases[i].meta, "root.json") == 0) {
			keys = json_object_get(signed_, "keys");
			keyids = json_object_get(json_object_get(json_object_get(signed_, "roles"), cases[i].role),
						 "keyids");
		} else {
			json_t *del = json_object_get(signed_, "delegations");
			keys = json_object_get(del, "keys");
			keyids = json_object_get(json_array_get(json_object_get(del, "roles"), 0), "keyids");
			assert_string_equal(json_string_value(json_object_get(
						    json_array_get(json_object_get(del, "roles"), 0), "name")),
					    cases[i].role);
		}
		json_t *key = json_object_get(keys, json_string_value(json_array_get(keyids, 0)));
		assert_non_null(key);

		WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(0);
		assert_true(snprintf(rel, sizeof(rel), PYTUF_KEYSTORE "%s", cases[i].file) < (int)sizeof(rel));
		read_shared(&pem, rel);
		crypto_signer *s = NULL;
		ward_error err = { 0 };
		int rc = crypto_signer_from_pem(&s, (const char *)pem.ptr, pem.len, NULL, &err);
		if (rc)
			fail_msg("%s: %s", cases[i].file, err.msg);

		assert_string_equal(crypto_signer_keytype(s), json_string_value(json_object_get(key, "keytype")));
		assert_string_equal(crypto_signer_scheme(s), json_string_value(json_object_get(key, "scheme")));
		/* python-tuf stored its PEM without the final newline that
		 * OpenSSL (and we) write; the key itself must be identical. */
		const char *want = json_string_value(json_object_get(json_object_get(key, "keyval"), "public"));
		const char *got = crypto_signer_public(s);
		size_t wl = strlen(want), gl = strlen(got);
		if (gl == wl + 1 && got[gl - 1] == '\n')
			gl--;
		assert_int_equal(gl, wl);
		assert_memory_equal(got, want, wl);

		/* And the listed public key verifies what the private key signs. */
		WARD_AUTO(crypto_key_free) crypto_key *k = key_from_json(key);
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(0);
		sign_msg(s, MSG, sizeof(MSG) - 1, &sig);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 1), 0);
		crypto_signer_free(s);
	}
}

/* Verifies every signature of a metadata file by the keys in a keys object
 * found at path (signed.keys or signed.delegations.keys) of another file.
 * Signatures by keys not listed, and empty ones, are skipped; every other
 * one must verify, and must fail once the signed bytes are altered. */
static size_t verify_metadata(const char *meta_rel, const char *keys_rel, bool delegated)
{
	WARD_AUTO(json_decref) json_t *meta = load_json(meta_rel);
	WARD_AUTO(json_decref) json_t *src = load_json(keys_rel);
	json_t *keys = json_object_get(json_object_get(src, "signed"), "keys");
	if (delegated)
		keys = json_object_get(json_object_get(json_object_get(src, "signed"), "delegations"), "keys");
	assert_non_null(keys);

	WARD_AUTO(buf_dispose) ward_buf bytes = WARD_BUF_INIT(8u << 20);
	canon(&bytes, json_object_get(meta, "signed"));

	size_t verified = 0;
	json_t *sigs = json_object_get(meta, "signatures");
	for (size_t i = 0; i < json_array_size(sigs); i++) {
		json_t *entry = json_array_get(sigs, i);
		const char *keyid = json_string_value(json_object_get(entry, "keyid"));
		const char *hex = json_string_value(json_object_get(entry, "sig"));
		json_t *key = json_object_get(keys, keyid);
		if (!key || !hex || !hex[0])
			continue;
		WARD_AUTO(crypto_key_free) crypto_key *k = key_from_json(key);
		WARD_AUTO(free) uint8_t *sig = NULL;
		size_t siglen = 0;
		assert_int_equal(hex_decode(&sig, &siglen, hex, strlen(hex)), 0);
		if (crypto_key_verify(k, sig, siglen, bytes.ptr, bytes.len) != 0)
			fail_msg("%s: signature by %.16s does not verify", meta_rel, keyid);
		bytes.ptr[bytes.len / 2] ^= 0x20;
		assert_int_equal(crypto_key_verify(k, sig, siglen, bytes.ptr, bytes.len), WARD_EVERIFY);
		bytes.ptr[bytes.len / 2] ^= 0x20;
		verified++;
	}
	assert_int_equal(ERR_peek_error(), 0);
	return verified;
}

static void verify_accepts_real_signatures_from_python_tuf_and_sigstore(void **state)
{
	(void)state;
	/* BearSSL-style table: file, where its keys are, how many signatures
	 * must verify (all non-empty ones by listed keys). */
	static const struct {
		const char *meta;
		const char *keys;
		bool delegated;
		size_t want;
	} cases[] = {
		/* rsassa-pss-sha256, PEM without a final newline, self-signed */
		{ PYTUF_META "root.json", PYTUF_META "root.json", false, 1 },
		/* ed25519 */
		{ PYTUF_META "timestamp.json", PYTUF_META "root.json", false, 1 },
		{ PYTUF_META "snapshot.json", PYTUF_META "root.json", false, 1 },
		{ PYTUF_META "targets.json", PYTUF_META "root.json", false, 1 },
		{ PYTUF_META "role1.json", PYTUF_META "targets.json", true, 1 },
		/* ecdsa-sha2-nistp256 keytype, hex SEC1 points */
		{ SIGSTORE_META "1.root.json", SIGSTORE_META "1.root.json", false, 5 },
		{ SIGSTORE_META "2.root.json", SIGSTORE_META "1.root.json", false, 5 },
		/* keytype ecdsa, PEM SPKI with a final newline */
		{ SIGSTORE_META "15.root.json", SIGSTORE_META "15.root.json", false, 5 },
		{ SIGSTORE_META "14.targets.json", SIGSTORE_META "15.root.json", false, 5 },
		{ SIGSTORE_META "timestamp.json", SIGSTORE_META "15.root.json", false, 1 },
		{ SIGSTORE_META "165.snapshot.json", SIGSTORE_META "15.root.json", false, 1 },
		{ SIGSTORE_META "8.registry.npmjs.org.json", SIGSTORE_META "14.targets.json", true, 1 },
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
		size_t n = verify_metadata(cases[i].meta, cases[i].keys, cases[i].delegated);
		if (n != cases[i].want)
			fail_msg("%s: %zu signatures verified, want %zu", cases[i].meta, n, cases[i].want);
	}
}

/* ---- digests ---- */

static void digest_computes_sha256_and_sha512(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t len = 0;
	char hex[129];
	assert_int_equal(crypto_digest("sha256", (const uint8_t *)"abc", 3, out, &len), 0);
	assert_int_equal(len, 32);
	hex_encode(hex, out, len);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(crypto_digest("sha256", NULL, 0, out, &len), 0);
	hex_encode(hex, out, len);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(crypto_digest("sha512", (const uint8_t *)"abc", 3, out, &len), 0);
	assert_int_equal(len, 64);
	hex_encode(hex, out, len);
	assert_string_equal(hex, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
				 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

static void digest_refuses_other_algorithms_with_einval(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t len = 0;
	assert_int_equal(crypto_digest("md5", (const uint8_t *)"abc", 3, out, &len), WARD_EINVAL);
	assert_int_equal(crypto_digest("SHA256", (const uint8_t *)"abc", 3, out, &len), WARD_EINVAL);
	assert_int_equal(crypto_digest("sha384", (const uint8_t *)"abc", 3, out, &len), WARD_EINVAL);
	assert_int_equal(crypto_digest(NULL, (const uint8_t *)"abc", 3, out, &len), WARD_EINVAL);
	assert_int_equal(crypto_digest("sha256", NULL, 3, out, &len), WARD_EINVAL);
	assert_int_equal(len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sign_then_verify_round_trips_for_every_scheme),
		cmocka_unit_test(sign_then_verify_round_trips_for_an_empty_message),
		cmocka_unit_test(sign_appends_to_the_signature_buffer),
		cmocka_unit_test(sign_refuses_a_buffer_too_small_with_elimit),
		cmocka_unit_test(verify_refuses_a_tampered_message),
		cmocka_unit_test(verify_refuses_a_tampered_signature),
		cmocka_unit_test(verify_refuses_a_signature_by_another_key),
		cmocka_unit_test(verify_refuses_garbage_empty_and_truncated_signatures),
		cmocka_unit_test(ecdsa_verify_refuses_a_non_canonical_der_signature),
		cmocka_unit_test(key_from_tuf_refuses_unknown_keytype_and_scheme_pairs),
		cmocka_unit_test(key_from_tuf_refuses_a_curve_that_does_not_match_the_scheme),
		cmocka_unit_test(key_from_tuf_refuses_bad_hex_with_einval),
		cmocka_unit_test(key_from_tuf_refuses_bad_pem_with_einval),
		cmocka_unit_test(key_from_tuf_refuses_an_oversized_public_value_with_elimit),
		cmocka_unit_test(key_from_tuf_refuses_rsa_keys_under_2048_bits),
		cmocka_unit_test(key_from_tuf_accepts_pem_with_or_without_a_final_newline),
		cmocka_unit_test(key_from_tuf_accepts_uncompressed_and_compressed_hex_points),
		cmocka_unit_test(key_accessors_return_the_tuf_strings_given),
		cmocka_unit_test(signer_public_descriptions_follow_securesystemslib),
		cmocka_unit_test(signer_generate_refuses_an_unknown_scheme),
		cmocka_unit_test(signer_to_pem_and_back_keeps_the_key),
		cmocka_unit_test(signer_to_pem_refuses_a_buffer_too_small_with_elimit),
		cmocka_unit_test(signer_from_pem_accepts_traditional_pem),
		cmocka_unit_test(signer_from_pem_refuses_a_scheme_that_does_not_fit_the_key),
		cmocka_unit_test(signer_from_pem_refuses_encrypted_and_malformed_keys),
		cmocka_unit_test(rsa_signatures_use_pss_with_a_digest_length_salt),
		cmocka_unit_test(rsa_verify_accepts_any_pss_salt_length_and_refuses_pkcs1),
		cmocka_unit_test(signer_from_pem_loads_python_tuf_keystore_keys_matching_their_metadata),
		cmocka_unit_test(verify_accepts_real_signatures_from_python_tuf_and_sigstore),
		cmocka_unit_test(digest_computes_sha256_and_sha512),
		cmocka_unit_test(digest_refuses_other_algorithms_with_einval),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
