/*
 * keyfile.h - private keys at rest: standard encrypted PKCS#8 PEM
 * ("-----BEGIN ENCRYPTED PRIVATE KEY-----", PBES2 with scrypt and
 * AES-256-CBC, RFC 8018 and RFC 7914), which `openssl pkey -passin` reads,
 * and the unencrypted PKCS#8 DER that backup shares split.
 *
 * A key is never written unencrypted: the only writer is keyfile_write, and
 * it encrypts.  Loading refuses plaintext keys and legacy PBES1 encryption.
 */
#ifndef WARD_KEYS_KEYFILE_H
#define WARD_KEYS_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "util/buf.h"
#include "util/common.h"
#include "ward/key.h"

/* Appends s as encrypted PKCS#8 PEM to out, under a fresh random salt and
 * IV.  pass is passlen bytes (any bytes; not NUL-terminated).  WARD_ENOMEM,
 * WARD_ELIMIT if out's cap is too small. */
int keyfile_encrypt(ward_buf *out, const crypto_signer *s, const char *pass, size_t passlen,
		    ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Decrypts an encrypted PKCS#8 PEM key; `what` names it in messages.  The
 * key gets its natural scheme (ed25519, ecdsa-sha2-nistp256/384,
 * rsassa-pss-sha256).  WARD_EVERIFY "wrong passphrase or corrupted key
 * file"; WARD_EINVAL for a plaintext key, a PBES1 key or anything else that
 * is not an encrypted PKCS#8 key of a supported type; WARD_ELIMIT over
 * WARD_LIMIT_KEY_PRIVATE_PEM bytes; WARD_ENOMEM. */
int keyfile_decrypt(crypto_signer **out, const char *pem, size_t len, const char *pass,
		    size_t passlen, const char *what, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Asks for a new passphrase for path (pp; confirmed when typed) and writes
 * s encrypted to path, a new file of mode 0600 (see newfile.h).  WARD_EINVAL
 * if path exists, checked before the passphrase is asked. */
int keyfile_write(const char *path, const crypto_signer *s, const ward_passphrase_opts *pp,
		  ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Reads the encrypted key at path and decrypts it with a passphrase from pp:
 * what the repository tools call to get a signer.  Errors as
 * keyfile_decrypt, and WARD_ENOTFOUND, WARD_EIO for the file. */
int keyfile_load_signer(crypto_signer **out, const char *path, const ward_passphrase_opts *pp,
			ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Appends the unencrypted PKCS#8 DER of s's private key to out, reserving
 * the exact size first so that no reallocation leaves a copy behind: pass an
 * empty buffer and dispose of it with buf_dispose_secret. */
int keyfile_signer_to_der(ward_buf *out, const crypto_signer *s, ward_error *err) WARD_INTERNAL
	WARD_NODISCARD;

/* A signer from exactly len bytes of unencrypted PKCS#8 DER; scheme as for
 * crypto_signer_from_pem (NULL: natural).  WARD_EINVAL if the bytes are not
 * one such key (trailing bytes included) or do not fit the scheme. */
int keyfile_signer_from_der(crypto_signer **out, const uint8_t *der, size_t len, const char *scheme,
			    ward_error *err) WARD_INTERNAL WARD_NODISCARD;

#endif
