/*
 * keyfile.c - encrypted PKCS#8 key files (see keyfile.h).
 *
 * crypto_signer keeps its EVP_PKEY private to src/crypto, so keys cross that
 * boundary as unencrypted PKCS#8 PEM in OpenSSL secure-heap memory BIOs
 * (cleared when freed) or in ward_bufs disposed with buf_dispose_secret.
 * crypto_signer_from_pem reads the caller's bytes in place, without a copy.
 */
#include "keys/keyfile.h"

#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "keys/newfile.h"
#include "keys/passphrase.h"
#include "util/fs.h"
#include "util/limits.h"

/* scrypt cost (RFC 7914).  N and r take 128·r·N = 16 MiB of memory, the
 * most OpenSSL's readers accept: EVP_PBE_scrypt refuses parameters needing
 * over 32 MiB by default, and N = 2^15 needs just over that, so `openssl
 * pkey` could not open the key.  p = 4 quadruples the work per guess (about
 * 0.15 s on one core) without more memory.  The salt is 16 random bytes
 * (RFC 8018 asks for at least 8). */
#define KEYFILE_SCRYPT_N 16384
#define KEYFILE_SCRYPT_R 8
#define KEYFILE_SCRYPT_P 4
#define KEYFILE_SALT_LEN 16

WARD_DEFINE_AUTO(EVP_PKEY *, EVP_PKEY_free)
WARD_DEFINE_AUTO(BIO *, BIO_free_all)
WARD_DEFINE_AUTO(PKCS8_PRIV_KEY_INFO *, PKCS8_PRIV_KEY_INFO_free)
WARD_DEFINE_AUTO(X509_SIG *, X509_SIG_free)
WARD_DEFINE_AUTO(X509_ALGOR *, X509_ALGOR_free)

/* Refuses any passphrase request: a plaintext PEM needs none, and OpenSSL's
 * default callback would prompt on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The EVP_PKEY of a signer, through its unencrypted PEM. */
static int signer_pkey(EVP_PKEY **out, const crypto_signer *s, ward_error *err)
{
	WARD_AUTO(buf_dispose_secret) ward_buf pem = WARD_BUF_INIT(WARD_LIMIT_KEY_PRIVATE_PEM);
	int rc = crypto_signer_to_pem(s, &pem, err);
	if (rc)
		return rc;
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new_mem_buf(pem.ptr, (int)pem.len);
	if (!bio)
		return ward_err_openssl(err, WARD_ENOMEM, "private key: out of memory");
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase, NULL, NULL, NULL);
	if (!pkey)
		return ward_err_openssl(err, WARD_ENOMEM, "private key: cannot re-read it");
	*out = pkey;
	return 0;
}

/* A signer from an EVP_PKEY, through unencrypted PEM in secure memory. */
static int pkey_signer(crypto_signer **out, EVP_PKEY *pkey, const char *scheme, ward_error *err)
{
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new(BIO_s_secmem());
	if (!bio || PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1)
		return ward_err_openssl(err, WARD_ENOMEM, "private key: cannot encode it");
	char *data = NULL;
	long len = BIO_get_mem_data(bio, &data);
	if (len <= 0 || !data)
		return ward_err_openssl(err, WARD_ENOMEM, "private key: cannot encode it");
	return crypto_signer_from_pem(out, data, (size_t)len, scheme, err);
}

int keyfile_encrypt(ward_buf *out, const crypto_signer *s, const char *pass, size_t passlen,
		    ward_error *err)
{
	if (!out || !s || !pass || passlen > WARD_LIMIT_PASSPHRASE)
		return ward_err(err, WARD_EINVAL, "private key: nothing to encrypt");
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = NULL;
	int rc = signer_pkey(&pkey, s, err);
	if (rc)
		return rc;
	WARD_AUTO(PKCS8_PRIV_KEY_INFO_free) PKCS8_PRIV_KEY_INFO *p8inf = EVP_PKEY2PKCS8(pkey);
	/* salt NULL: PKCS5_pbe2_set_scrypt draws KEYFILE_SALT_LEN random
	 * bytes; iv NULL: a random IV. */
	WARD_AUTO(X509_ALGOR_free) X509_ALGOR *pbe =
		PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), NULL, KEYFILE_SALT_LEN, NULL,
				      KEYFILE_SCRYPT_N, KEYFILE_SCRYPT_R, KEYFILE_SCRYPT_P);
	if (!p8inf || !pbe)
		return ward_err_openssl(err, WARD_ENOMEM, "private key: cannot set up encryption");
	/* PKCS8_set0_pbe takes pbe only when it succeeds; it wipes the
	 * plaintext DER it encrypts. */
	WARD_AUTO(X509_SIG_free) X509_SIG *p8 = PKCS8_set0_pbe(pass, (int)passlen, p8inf, pbe);
	if (!p8)
		return ward_err_openssl(err, WARD_ENOMEM, "private key: encryption failed");
	pbe = NULL;
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new(BIO_s_mem());
	if (!bio || PEM_write_bio_PKCS8(bio, p8) != 1)
		return ward_err_openssl(err, WARD_ENOMEM, "private key: cannot encode it");
	char *data = NULL;
	long len = BIO_get_mem_data(bio, &data);
	if (len <= 0 || !data)
		return ward_err_openssl(err, WARD_ENOMEM, "private key: cannot encode it");
	rc = buf_append(out, data, (size_t)len);
	if (rc)
		return ward_err(err, rc, "private key: encrypted PEM does not fit the buffer");
	ERR_clear_error();
	return 0;
}

/* Names the plaintext PEM labels OpenSSL writes for private keys. */
static bool is_plaintext_pem(const char *pem, size_t len)
{
	static const char *const labels[] = {
		"-----BEGIN PRIVATE KEY-----",
		"-----BEGIN RSA PRIVATE KEY-----",
		"-----BEGIN EC PRIVATE KEY-----",
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(labels); i++)
		if (memmem(pem, len, labels[i], strlen(labels[i])))
			return true;
	return false;
}

int keyfile_decrypt(crypto_signer **out, const char *pem, size_t len, const char *pass,
		    size_t passlen, const char *what, ward_error *err)
{
	if (!what)
		what = "private key";
	if (!out || !pem || !pass || passlen > WARD_LIMIT_PASSPHRASE)
		return ward_err(err, WARD_EINVAL, "%s: nothing to decrypt", what);
	if (len > WARD_LIMIT_KEY_PRIVATE_PEM)
		return ward_err(err, WARD_ELIMIT, "%s: exceeds %zu bytes", what,
				WARD_LIMIT_KEY_PRIVATE_PEM);
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return ward_err_openssl(err, WARD_ENOMEM, "out of memory");
	WARD_AUTO(X509_SIG_free) X509_SIG *p8 = PEM_read_bio_PKCS8(bio, NULL, no_passphrase, NULL);
	if (!p8) {
		ERR_clear_error();
		if (is_plaintext_pem(pem, len))
			return ward_err(err, WARD_EINVAL,
					"%s: private key is not encrypted (ward keeps keys only "
					"in encrypted PKCS#8)", what);
		return ward_err(err, WARD_EINVAL, "%s: not an encrypted PKCS#8 private key", what);
	}
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *oid = NULL;
	X509_SIG_get0(p8, &alg, NULL);
	X509_ALGOR_get0(&oid, NULL, NULL, alg);
	if (OBJ_obj2nid(oid) != NID_pbes2)
		return ward_err(err, WARD_EINVAL,
				"%s: encrypted with legacy PKCS#5 v1.5 (PBES1); re-encrypt it with "
				"PBES2", what);
	/* CBC padding and then the DER parse catch a wrong passphrase; they
	 * cannot tell it from a corrupted file (PBES2 has no MAC). */
	WARD_AUTO(PKCS8_PRIV_KEY_INFO_free) PKCS8_PRIV_KEY_INFO *p8inf =
		PKCS8_decrypt_ex(p8, pass, (int)passlen, NULL, NULL);
	if (!p8inf) {
		ERR_clear_error();
		return ward_err(err, WARD_EVERIFY, "%s: wrong passphrase or corrupted key file", what);
	}
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = EVP_PKCS82PKEY_ex(p8inf, NULL, NULL);
	if (!pkey)
		return ward_err_openssl(err, WARD_EINVAL, "decrypted key does not decode");
	int rc = pkey_signer(out, pkey, NULL, err);
	if (rc)
		return ward_err_prefix(err, rc, "%s: ", what);
	ERR_clear_error();
	return 0;
}

int keyfile_write(const char *path, const crypto_signer *s, const ward_passphrase_opts *pp,
		  ward_error *err)
{
	if (!path || !s)
		return ward_err(err, WARD_EINVAL, "private key: nothing to write");
	if (newfile_exists(path))
		return ward_err(err, WARD_EINVAL, "%s: already exists; not overwriting it", path);
	WARD_AUTO(passphrase_dispose) passphrase pw = { 0 };
	int rc = passphrase_get(&pw, pp, path, true, err);
	if (rc)
		return rc;
	WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(WARD_LIMIT_KEY_PRIVATE_PEM);
	rc = keyfile_encrypt(&pem, s, pw.buf, pw.len, err);
	if (rc)
		return ward_err_prefix(err, rc, "%s: ", path);
	return newfile_write(path, pem.ptr, pem.len, 0600, err);
}

int keyfile_load_signer(crypto_signer **out, const char *path, const ward_passphrase_opts *pp,
			ward_error *err)
{
	if (!out || !path)
		return ward_err(err, WARD_EINVAL, "private key: no file given");
	/* The file first: a missing key is reported before anyone types. */
	WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(WARD_LIMIT_KEY_PRIVATE_PEM);
	int rc = fs_read_file(&pem, path, WARD_LIMIT_KEY_PRIVATE_PEM, err);
	if (rc)
		return rc;
	WARD_AUTO(passphrase_dispose) passphrase pw = { 0 };
	rc = passphrase_get(&pw, pp, path, false, err);
	if (rc)
		return rc;
	return keyfile_decrypt(out, (const char *)pem.ptr, pem.len, pw.buf, pw.len, path, err);
}

int keyfile_signer_to_der(ward_buf *out, const crypto_signer *s, ward_error *err)
{
	if (!out || !s)
		return ward_err(err, WARD_EINVAL, "private key: nothing to encode");
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = NULL;
	int rc = signer_pkey(&pkey, s, err);
	if (rc)
		return rc;
	WARD_AUTO(PKCS8_PRIV_KEY_INFO_free) PKCS8_PRIV_KEY_INFO *p8inf = EVP_PKEY2PKCS8(pkey);
	int n = p8inf ? i2d_PKCS8_PRIV_KEY_INFO(p8inf, NULL) : -1;
	if (n <= 0)
		return ward_err_openssl(err, WARD_ENOMEM, "private key: cannot encode it");
	rc = buf_reserve(out, (size_t)n);
	if (rc)
		return ward_err(err, rc, "private key: PKCS#8 does not fit the buffer");
	unsigned char *p = out->ptr + out->len;
	if (i2d_PKCS8_PRIV_KEY_INFO(p8inf, &p) != n)
		return ward_err_openssl(err, WARD_ENOMEM, "private key: cannot encode it");
	out->len += (size_t)n;
	out->ptr[out->len] = '\0';
	ERR_clear_error();
	return 0;
}

int keyfile_signer_from_der(crypto_signer **out, const uint8_t *der, size_t len, const char *scheme,
			    ward_error *err)
{
	if (!out || !der || len == 0 || len > LONG_MAX)
		return ward_err(err, WARD_EINVAL, "private key: no PKCS#8 given");
	const unsigned char *p = der;
	WARD_AUTO(PKCS8_PRIV_KEY_INFO_free) PKCS8_PRIV_KEY_INFO *p8inf =
		d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
	if (!p8inf || p != der + len) {
		ERR_clear_error();
		return ward_err(err, WARD_EINVAL, "not a PKCS#8 private key");
	}
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = EVP_PKCS82PKEY_ex(p8inf, NULL, NULL);
	if (!pkey) {
		ERR_clear_error();
		return ward_err(err, WARD_EINVAL, "PKCS#8 private key does not decode");
	}
	int rc = pkey_signer(out, pkey, scheme, err);
	ERR_clear_error();
	return rc;
}
