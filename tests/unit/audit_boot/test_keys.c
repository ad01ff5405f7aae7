/*
 * test_keys.c - the key detector: each finding with a case where it must
 * fire and a twin where it must stay silent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "audit/boot/boot_int.h"
#include "double.h"

static char *read_shared(const char *rel, size_t *len)
{
	const char *dir = getenv("WARD_SHARED_DIR");
	assert_non_null(dir);
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "rbe");
	assert_non_null(f);
	char *buf = malloc(65536);
	assert_non_null(buf);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

static EVP_PKEY *demo_pub(const char *name)
{
	char rel[256];
	size_t len;
	snprintf(rel, sizeof(rel), "data/demo-public-keys/%s", name);
	char *pem = read_shared(rel, &len);
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	free(pem);
	assert_non_null(k);
	return k;
}

static int scan(const void *data, size_t len, const char *file, bool rootfs)
{
	double_reset();
	ward_error err = {0};
	int rc = audit_keys_scan(NULL, file, data, len, rootfs, &err);
	assert_int_equal(rc, 0);
	return (int)double_count;
}

/* A blob of pseudo-random bytes with `ins` copied in at `at`. */
static uint8_t *blob_with(const void *ins, size_t inslen, size_t total, size_t at)
{
	uint8_t *b = malloc(total);
	assert_non_null(b);
	uint32_t x = 12345;
	for (size_t i = 0; i < total; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
	memcpy(b + at, ins, inslen);
	return b;
}

static void test_demo_public_pem_fires(void **state)
{
	(void)state;
	size_t len;
	char *pem = read_shared("data/demo-public-keys/optee-default.pub.pem", &len);
	scan(pem, len, "/etc/keys/ta.pem", true);
	assert_int_equal(double_has("KEY-01"), 1);
	assert_int_equal(double_has("SEC-01"), 0); /* public */
	assert_non_null(strstr(double_findings[0].evidence, "OP-TEE/optee_os"));
	free(pem);
}

static void test_fresh_public_pem_silent(void **state)
{
	(void)state;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIO *bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PUBKEY(bio, k));
	char *p;
	long n = BIO_get_mem_data(bio, &p);
	assert_int_equal(scan(p, (size_t)n, "/etc/keys/pub.pem", true), 0);
	BIO_free(bio);
	EVP_PKEY_free(k);
}

static void test_private_key_in_rootfs_sec01(void **state)
{
	(void)state;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIO *bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL));
	char *p;
	long n = BIO_get_mem_data(bio, &p);
	/* fires inside a rootfs, in the middle of other text too */
	scan(p, (size_t)n, "/var/sota/pkey.pem", true);
	assert_int_equal(double_has("SEC-01"), 1);
	assert_int_equal(double_has("KEY-01"), 0);
	assert_null(strstr(double_findings[0].evidence, "BEGIN"));
	/* silent: not a rootfs (a key handed in on purpose), or an allowlisted path */
	assert_int_equal(scan(p, (size_t)n, "signing.key", false), 0);
	assert_int_equal(scan(p, (size_t)n, "/usr/share/doc/openssl/example.pem", true), 0);
	/* silent: an encrypted key does not load without its passphrase */
	BIO *enc = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PKCS8PrivateKey(enc, k, EVP_aes_256_cbc(), "pw", 2, NULL, NULL));
	long en = BIO_get_mem_data(enc, &p);
	assert_int_equal(scan(p, (size_t)en, "/var/sota/pkey.pem", true), 0);
	BIO_free(enc);
	BIO_free(bio);
	EVP_PKEY_free(k);
}

static void test_label_strings_silent(void **state)
{
	(void)state;
	/* what libssl.so and libmbedtls carry: labels, and a body that is
	 * long enough but does not parse */
	static const char table[] =
		"\x7f" "ELF\0\0-----BEGIN RSA PRIVATE KEY-----\0-----END RSA PRIVATE KEY-----\0"
		"-----BEGIN PRIVATE KEY-----\n"
		"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n"
		"-----END PRIVATE KEY-----\n"
		"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
	assert_int_equal(scan(table, sizeof(table), "/usr/lib/libssl.so.3", true), 0);
}

static void test_der_spki_in_binary(void **state)
{
	(void)state;
	EVP_PKEY *demo = demo_pub("tfa-arm_rotprivk_rsa.pub.pem");
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(demo, &der);
	assert_true(n > 0);
	uint8_t *b = blob_with(der, (size_t)n, 100000, 4321);
	scan(b, 100000, "/boot/bl1.bin", false);
	assert_int_equal(double_has("KEY-01"), 1);
	assert_string_equal(double_findings[0].location, "offset 4321");
	free(b);
	OPENSSL_free(der);
	EVP_PKEY_free(demo);

	/* twin: a fresh key's DER in the same place */
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	der = NULL;
	n = i2d_PUBKEY(k, &der);
	b = blob_with(der, (size_t)n, 100000, 4321);
	assert_int_equal(scan(b, 100000, "/boot/bl1.bin", false), 0);
	free(b);
	OPENSSL_free(der);
	EVP_PKEY_free(k);
}

static void test_pkcs1_in_binary(void **state)
{
	(void)state;
	EVP_PKEY *demo = demo_pub("optee-default.pub.pem");
	unsigned char *der = NULL;
	int n = i2d_PublicKey(demo, &der); /* PKCS#1 RSAPublicKey */
	assert_true(n > 0);
	uint8_t *b = blob_with(der, (size_t)n, 20000, 333);
	scan(b, 20000, "tee.bin", false);
	assert_int_equal(double_has("KEY-01"), 1);
	assert_string_equal(double_findings[0].location, "offset 333");
	free(b);
	OPENSSL_free(der);
	/* the SPKI form is reported once, not again for the PKCS#1 inside it */
	der = NULL;
	n = i2d_PUBKEY(demo, &der);
	b = blob_with(der, (size_t)n, 20000, 333);
	scan(b, 20000, "tee.bin", false);
	assert_int_equal(double_has("KEY-01"), 1);
	free(b);
	OPENSSL_free(der);
	EVP_PKEY_free(demo);
	/* twin: a fresh key */
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	der = NULL;
	n = i2d_PublicKey(k, &der);
	b = blob_with(der, (size_t)n, 20000, 333);
	assert_int_equal(scan(b, 20000, "tee.bin", false), 0);
	free(b);
	OPENSSL_free(der);
	EVP_PKEY_free(k);
}

static void test_ec_der_and_hash(void **state)
{
	(void)state;
	EVP_PKEY *demo = demo_pub("tfa-arm_rotprivk_ecdsa.pub.pem");
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(demo, &der);
	uint8_t *b = blob_with(der, (size_t)n, 5000, 17);
	scan(b, 5000, "tee.bin", false);
	assert_int_equal(double_has("KEY-01"), 1);
	free(b);
	/* KEY-03: the 32-byte SPKI hash itself, as a TF-A ROTPK hash */
	uint8_t fp[32];
	assert_true(EVP_Digest(der, (size_t)n, fp, NULL, EVP_sha256(), NULL));
	b = blob_with(fp, 32, 5000, 999);
	scan(b, 5000, "bl2.bin", false);
	assert_int_equal(double_has("KEY-03"), 1);
	fp[31] ^= 1; /* twin: one bit off */
	free(b);
	b = blob_with(fp, 32, 5000, 999);
	assert_int_equal(scan(b, 5000, "bl2.bin", false), 0);
	free(b);
	OPENSSL_free(der);
	EVP_PKEY_free(demo);
}

/* KEY-03 looks at every 16th byte first: a hash is found wherever it starts,
 * at the very start and end of a file too, and two hashes back to back are
 * two findings. */
static void test_hash_found_at_every_offset(void **state)
{
	(void)state;
	EVP_PKEY *demo = demo_pub("tfa-arm_rotprivk_ecdsa.pub.pem");
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(demo, &der);
	uint8_t fp[32];
	assert_true(EVP_Digest(der, (size_t)n, fp, NULL, EVP_sha256(), NULL));
	for (size_t total = 32; total <= 80; total += 7) {
		for (size_t at = 0; at + 32 <= total; at++) {
			uint8_t *b = blob_with(fp, 32, total, at);
			scan(b, total, "bl2.bin", false);
			assert_int_equal(double_has("KEY-03"), 1);
			free(b);
		}
	}
	uint8_t two[64];
	memcpy(two, fp, 32);
	memcpy(two + 32, fp, 32);
	for (size_t at = 0; at < 20; at++) {
		uint8_t *b = blob_with(two, 64, 100, at);
		scan(b, 100, "bl2.bin", false);
		assert_int_equal(double_has("KEY-03"), 2);
		free(b);
	}
	OPENSSL_free(der);
	EVP_PKEY_free(demo);
}

static void put_str(uint8_t *out, size_t *n, const void *s, size_t len)
{
	out[(*n)++] = (uint8_t)(len >> 24);
	out[(*n)++] = (uint8_t)(len >> 16);
	out[(*n)++] = (uint8_t)(len >> 8);
	out[(*n)++] = (uint8_t)len;
	memcpy(out + *n, s, len);
	*n += len;
}

/* An "OPENSSH PRIVATE KEY" around an Ed25519 public key. */
static size_t openssh_pem(EVP_PKEY *k, char *out, size_t outlen)
{
	uint8_t pub[32], blob[128], file[512];
	size_t plen = 32, bn = 0, fn = 0;
	assert_true(EVP_PKEY_get_raw_public_key(k, pub, &plen));
	put_str(blob, &bn, "ssh-ed25519", 11);
	put_str(blob, &bn, pub, 32);
	memcpy(file, "openssh-key-v1", 15);
	fn = 15;
	put_str(file, &fn, "none", 4);
	put_str(file, &fn, "none", 4);
	put_str(file, &fn, "", 0);
	static const uint8_t one[4] = {0, 0, 0, 1};
	memcpy(file + fn, one, 4);
	fn += 4;
	put_str(file, &fn, blob, bn);
	uint8_t priv[64] = {0};
	put_str(file, &fn, priv, sizeof(priv));
	unsigned char b64[1024];
	int bl = EVP_EncodeBlock(b64, file, (int)fn);
	int r = snprintf(out, outlen,
			 "-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n",
			 b64);
	assert_true(r > 0 && (size_t)r < outlen && bl > 0);
	return (size_t)r;
}

static void test_openssh_private(void **state)
{
	(void)state;
	char pem[2048];
	EVP_PKEY *demo = demo_pub("mcuboot-root-ed25519.pub.pem");
	size_t n = openssh_pem(demo, pem, sizeof(pem));
	scan(pem, n, "/root/.ssh/id_ed25519", true);
	assert_int_equal(double_has("KEY-01"), 1);
	assert_int_equal(double_has("SEC-01"), 1);
	EVP_PKEY_free(demo);
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	n = openssh_pem(k, pem, sizeof(pem));
	scan(pem, n, "/root/.ssh/id_ed25519", true);
	assert_int_equal(double_has("KEY-01"), 0);
	assert_int_equal(double_has("SEC-01"), 1);
	EVP_PKEY_free(k);
}

static void test_truncated_inputs(void **state)
{
	(void)state;
	size_t len;
	char *pem = read_shared("data/demo-public-keys/optee-default.pub.pem", &len);
	for (size_t cut = 0; cut < len; cut += 7) {
		double_reset();
		ward_error err = {0};
		assert_int_equal(audit_keys_scan(NULL, "x", (uint8_t *)pem, cut, true, &err), 0);
		assert_int_equal(double_has("KEY-01"), 0);
	}
	free(pem);
}

/* BEGIN lines without their END, short blocks, then real keys: each END
 * is searched once per label (searching every BEGIN's 64 KiB window cost
 * O(n * 64 KiB), found reviewing keys.c), and the keys after the noise
 * are still found. */
static void test_many_begin_lines_then_keys(void **state)
{
	(void)state;
	size_t len;
	char *pem = read_shared("data/demo-public-keys/optee-default.pub.pem", &len);
	static const char noise[] = "-----BEGIN PUBLIC KEY-----\n";
	static const char shorty[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
	size_t n = 20000 * (sizeof(noise) - 1) + 3 * (sizeof(shorty) - 1) + 2 * len;
	char *b = malloc(n), *p = b;
	assert_non_null(b);
	for (int i = 0; i < 20000; i++, p += sizeof(noise) - 1)
		memcpy(p, noise, sizeof(noise) - 1);
	for (int i = 0; i < 3; i++, p += sizeof(shorty) - 1)
		memcpy(p, shorty, sizeof(shorty) - 1);
	memcpy(p, pem, len);
	memcpy(p + len, pem, len);
	/* the BEGINs before the first real key share its END: the first of
	 * them makes a block of 500 KiB, beyond BOOT_PEM_MAX, so none loads */
	scan(b, n, "/etc/keys/noise.pem", true);
	assert_int_equal(double_has("KEY-01"), 2);
	free(b);
	free(pem);
}

/* A PEM certificate (nul-terminated, malloc'd) for pub with subject
 * CN=cn, O=org, signed by a fresh key. */
static char *cert_pem(EVP_PKEY *pub, const char *cn, const char *org, size_t *len)
{
	EVP_PKEY *ca = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	assert_non_null(x);
	X509_NAME *name = X509_get_subject_name(x);
	assert_true(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)org, -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0));
	assert_true(X509_set_issuer_name(x, name));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 1));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	assert_true(X509_set_pubkey(x, pub));
	assert_true(X509_sign(x, ca, EVP_sha256()));
	BIO *bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_X509(bio, x));
	char *p;
	long n = BIO_get_mem_data(bio, &p);
	char *out = malloc((size_t)n + 1);
	assert_non_null(out);
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	*len = (size_t)n;
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(ca);
	return out;
}

/* KEY-04 by whole words of a certificate's CN and O. */
static void test_cert_dev_naming(void **state)
{
	(void)state;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	static const struct {
		const char *cn, *org;
		size_t fires;
	} cases[] = {
		{ "Acme Development CA", "Acme", 1 },
		{ "Update signing", "Test Org", 1 },
		{ "DO NOT TRUST - AMI Test PK", "AMI", 1 },
		{ "device.example.com", "Acme", 1 },
		{ "Acme Devices CA", "Acme", 0 },     /* "Devices" is not "dev" */
		{ "Contest Results", "Latest Ltd", 0 }, /* nor "test" inside a word */
		{ "Acme Release CA 2026", "Acme", 0 },
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
		size_t len;
		char *pem = cert_pem(k, cases[i].cn, cases[i].org, &len);
		scan(pem, len, "/etc/update/ca.crt", true);
		assert_int_equal(double_has("KEY-04"), cases[i].fires);
		assert_int_equal(double_count, cases[i].fires);
		/* documentation ships sample certificates */
		scan(pem, len, "/usr/share/doc/acme/ca.crt", true);
		assert_int_equal(double_count, 0);
		free(pem);
	}
	EVP_PKEY_free(k);
	/* a published key named "Test": KEY-01 says it, not also KEY-04 */
	EVP_PKEY *demo = demo_pub("optee-default.pub.pem");
	size_t len;
	char *pem = cert_pem(demo, "Test TA signing", "Test Org", &len);
	scan(pem, len, "/etc/update/ca.crt", true);
	assert_int_equal(double_has("KEY-01"), 1);
	assert_int_equal(double_has("KEY-04"), 0);
	free(pem);
	EVP_PKEY_free(demo);
}

/* KEY-04 by file name: LmP's and U-Boot's development key names. */
static void test_dev_key_file_names(void **state)
{
	(void)state;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIO *bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL));
	char *p;
	long n = BIO_get_mem_data(bio, &p);
	scan(p, (size_t)n, "/etc/keys/ubootdev.key", true);
	assert_int_equal(double_has("KEY-04"), 1);
	assert_int_equal(double_has("SEC-01"), 1);
	scan(p, (size_t)n, "/etc/keys/device.key", true);
	assert_int_equal(double_has("KEY-04"), 0);
	scan(p, (size_t)n, "/usr/share/doc/lmp/dev.key", true); /* documentation */
	assert_int_equal(double_count, 0);
	scan(p, (size_t)n, "conf/keys/opteedev.key", false);
	assert_int_equal(double_has("KEY-04"), 1);
	/* a name alone is not a key */
	scan("not a key\n", 10, "/etc/keys/dev.key", true);
	assert_int_equal(double_count, 0);
	BIO_free(bio);
	EVP_PKEY_free(k);
	/* the published key under its own name: KEY-01 says it */
	EVP_PKEY *demo = demo_pub("lmp-ubootdev.pub.pem");
	bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PUBKEY(bio, demo));
	n = BIO_get_mem_data(bio, &p);
	scan(p, (size_t)n, "conf/keys/ubootdev.crt", false);
	assert_int_equal(double_has("KEY-01"), 1);
	assert_int_equal(double_has("KEY-04"), 0);
	BIO_free(bio);
	EVP_PKEY_free(demo);
}

/* The built-in denylist as gen_denylist.py embeds it: each fingerprint is
 * the SHA-256 of the SPKI shipped with it, each RSA modulus is that key's,
 * the table is sorted (boot_deny_find's binary search), and exactly the
 * OP-TEE TA-signing keys are marked as such. */
static void test_denylist_table(void **state)
{
	(void)state;
	size_t ta = 0;
	for (size_t i = 0; i < boot_denylist_len; i++) {
		const boot_denykey *d = &boot_denylist[i];
		uint8_t fp[32];
		assert_true(EVP_Digest(d->spki, d->spki_len, fp, NULL, EVP_sha256(), NULL));
		assert_memory_equal(fp, d->sha256, 32);
		assert_ptr_equal(boot_deny_find(NULL, fp), d);
		assert_ptr_equal(boot_deny_at(NULL, i), d);
		if (i > 0)
			assert_true(memcmp(boot_denylist[i - 1].sha256, d->sha256, 32) < 0);
		const unsigned char *p = d->spki;
		EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)d->spki_len);
		assert_non_null(k);
		BIGNUM *n = NULL;
		if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA) {
			assert_true(EVP_PKEY_get_bn_param(k, "n", &n));
			uint8_t mod[1024];
			int ml = BN_bn2bin(n, mod);
			assert_int_equal((size_t)ml, d->modulus_len);
			assert_memory_equal(mod, d->modulus, d->modulus_len);
		} else {
			assert_null(d->modulus);
		}
		ta += d->ta;
		assert_int_equal(d->ta, strstr(d->where, "optee") != NULL);
		assert_false(d->own);
		BN_free(n);
		EVP_PKEY_free(k);
	}
	assert_int_equal(ta, 2); /* OP-TEE's default.pem, LmP's opteedev.key */
	assert_null(boot_deny_at(NULL, boot_denylist_len));
}

/* SB-09's half in the key detector: OP-TEE's default.pem modulus as raw
 * bytes (how tee.bin carries it) at every offset; with no TA in the run the
 * verdict at the end is KEY-03.  The same bytes inside a DER INTEGER are
 * the DER scanners' to judge. */
static void test_ta_modulus_every_offset(void **state)
{
	(void)state;
	EVP_PKEY *k = demo_pub("optee-default.pub.pem");
	BIGNUM *n = NULL;
	assert_true(EVP_PKEY_get_bn_param(k, "n", &n));
	uint8_t mod[256];
	assert_int_equal(BN_bn2bin(n, mod), 256);
	for (size_t at = 0; at < 40; at++) {
		uint8_t *b = blob_with(mod, 256, 300, at);
		scan(b, 300, "tee.bin", false);
		assert_int_equal(double_count, 0); /* decided at the end of the run */
		ward_error err = {0};
		assert_int_equal(audit_boot_finish(NULL, &err), 0);
		assert_int_equal(double_has("KEY-03"), 1);
		free(b);
	}
	/* one byte short of the whole modulus: nothing */
	uint8_t *b = blob_with(mod, 255, 300, 10);
	b[265] ^= 0xff;
	scan(b, 300, "tee.bin", false);
	ward_error err = {0};
	assert_int_equal(audit_boot_finish(NULL, &err), 0);
	assert_int_equal(double_count, 0);
	free(b);
	/* 02 82 01 01 00 MODULUS: inside a DER key, not a raw one */
	uint8_t der[261] = {0x02, 0x82, 0x01, 0x01, 0x00};
	memcpy(der + 5, mod, 256);
	b = blob_with(der, sizeof(der), 400, 50);
	scan(b, 400, "tee.bin", false);
	assert_int_equal(audit_boot_finish(NULL, &err), 0);
	assert_int_equal(double_has("KEY-03"), 0);
	free(b);
	BN_free(n);
	EVP_PKEY_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_public_pem_fires),
		cmocka_unit_test(test_fresh_public_pem_silent),
		cmocka_unit_test(test_private_key_in_rootfs_sec01),
		cmocka_unit_test(test_label_strings_silent),
		cmocka_unit_test(test_der_spki_in_binary),
		cmocka_unit_test(test_pkcs1_in_binary),
		cmocka_unit_test(test_ec_der_and_hash),
		cmocka_unit_test(test_hash_found_at_every_offset),
		cmocka_unit_test(test_openssh_private),
		cmocka_unit_test(test_truncated_inputs),
		cmocka_unit_test(test_many_begin_lines_then_keys),
		cmocka_unit_test(test_denylist_table),
		cmocka_unit_test(test_cert_dev_naming),
		cmocka_unit_test(test_dev_key_file_names),
		cmocka_unit_test(test_ta_modulus_every_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
