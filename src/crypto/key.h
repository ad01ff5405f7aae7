/*
 * key.h - TUF public keys and signatures, through OpenSSL 3.
 *
 * Supported (keytype / scheme / keyval.public encoding):
 *   ed25519 / ed25519 / 64 hex chars (raw 32-byte key)
 *   ecdsa-sha2-nistp256, ecdsa / ecdsa-sha2-nistp256 / PEM SPKI or hex SEC1 point
 *   ecdsa-sha2-nistp384, ecdsa / ecdsa-sha2-nistp384 / PEM SPKI or hex SEC1 point
 *   rsa / rsassa-pss-sha256 / PEM SPKI
 * Signatures are hex in metadata; the caller decodes them.  ECDSA signatures
 * are DER (r,s); ed25519 raw 64 bytes; RSA-PSS with MGF1-SHA256, any salt
 * length on verification.  We sign with a salt of the digest length (32),
 * as securesystemslib's CryptoSigner does (PSS.DIGEST_LENGTH; python-tuf's
 * test root is signed that way) while it verifies with PSS.AUTO.
 */
#ifndef WARD_CRYPTO_KEY_H
#define WARD_CRYPTO_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/common.h"

typedef struct crypto_key crypto_key;

/* Builds a public key from its TUF description.  WARD_EINVAL for an unknown
 * keytype/scheme pair or a value that does not decode to a key of that type
 * (the message names which): an EC key on another curve than the scheme's,
 * an RSA key under 2048 bits, PEM with anything but whitespace after the
 * key.  WARD_ELIMIT for a public value over 16 KiB, WARD_ENOMEM.  The
 * strings are copied. */
int crypto_key_from_tuf(crypto_key **out, const char *keytype, const char *scheme,
			const char *public_value, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* 0 if sig is a valid signature of msg by k, WARD_EVERIFY otherwise
 * (including malformed signatures).  Never sets anything else. */
int crypto_key_verify(const crypto_key *k, const uint8_t *sig, size_t siglen,
		      const uint8_t *msg, size_t msglen) WARD_INTERNAL WARD_NODISCARD;

const char *crypto_key_keytype(const crypto_key *k) WARD_INTERNAL;
const char *crypto_key_scheme(const crypto_key *k) WARD_INTERNAL;
const char *crypto_key_public(const crypto_key *k) WARD_INTERNAL;

void crypto_key_free(crypto_key *k) WARD_INTERNAL;
WARD_DEFINE_AUTO(crypto_key *, crypto_key_free)

/* A private key that signs: held in OpenSSL's memory and freed with wipe,
 * or held by a PKCS#11 token and never seen here. */
typedef struct crypto_signer crypto_signer;

/* Generates a fresh key for a scheme: "ed25519", "ecdsa-sha2-nistp256",
 * "ecdsa-sha2-nistp384", "rsassa-pss-sha256" (3072 bits). */
int crypto_signer_generate(crypto_signer **out, const char *scheme, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Loads an unencrypted PKCS#8 / traditional PEM private key (the python-tuf
 * keystore and test keys).  scheme as above; NULL picks the key's natural
 * scheme (ed25519, ecdsa-sha2-nistp256/384, rsassa-pss-sha256). */
int crypto_signer_from_pem(crypto_signer **out, const char *pem, size_t len,
			   const char *scheme, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Opens a private key that stays on a PKCS#11 token, named by a PKCS#11
 * URI (RFC 7512; the accepted subset is in pkcs11_uri.h), e.g.
 *   pkcs11:token=ward;object=root-1;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so
 * The scheme is the key's natural one (ed25519, ecdsa-sha2-nistp256/384,
 * rsassa-pss-sha256), and the public description is read from the token,
 * identical to what the same key loaded from a file gives.  pin overrides
 * the URI's pin-value / pin-source; NULL takes the PIN from the URI.  The
 * PIN is wiped once the token has accepted it.
 * WARD_EINVAL: malformed URI, no PIN, several tokens or keys match, key
 * type or curve unsupported, token lacks the mechanism.  WARD_EVERIFY: the
 * token refused the PIN (wrong, locked, expired).  WARD_ENOTFOUND: no such
 * module, token, key, public key object or pin-source file.  WARD_EIO:
 * device or module failure.  WARD_ELIMIT, WARD_ENOMEM.  See pkcs11.h. */
int crypto_signer_from_pkcs11(crypto_signer **out, const char *uri, const char *pin,
			      ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* True if s signs on a PKCS#11 token (crypto_signer_from_pkcs11). */
bool crypto_signer_is_pkcs11(const crypto_signer *s) WARD_INTERNAL;

/* Writes the private key as unencrypted PKCS#8 PEM (tests only; the key
 * tools of the repository side write encrypted PKCS#8).  A PKCS#11 key is
 * refused with WARD_EINVAL: it does not leave the token. */
int crypto_signer_to_pem(const crypto_signer *s, ward_buf *out, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Signs msg; appends the raw signature bytes (DER for ECDSA) to sig.  A
 * PKCS#11 signer signs on its token (one signature at a time per key). */
int crypto_signer_sign(const crypto_signer *s, const uint8_t *msg, size_t msglen,
		       ward_buf *sig, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* The TUF public description of the signer: keytype, scheme and
 * keyval.public as crypto_key_from_tuf accepts them (ed25519: hex;
 * ecdsa: keytype "ecdsa", PEM; rsa: PEM).  Valid while s lives. */
const char *crypto_signer_keytype(const crypto_signer *s) WARD_INTERNAL;
const char *crypto_signer_scheme(const crypto_signer *s) WARD_INTERNAL;
const char *crypto_signer_public(const crypto_signer *s) WARD_INTERNAL;

void crypto_signer_free(crypto_signer *s) WARD_INTERNAL;
WARD_DEFINE_AUTO(crypto_signer *, crypto_signer_free)

/* Hash helpers.  alg: "sha256" or "sha512" (others -> WARD_EINVAL).  out
 * must have room for the digest (32 or 64 bytes); *outlen receives its
 * length.  No ward_error: the only other failure is WARD_ENOMEM. */
int crypto_digest(const char *alg, const uint8_t *data, size_t len, uint8_t *out,
		  size_t *outlen) WARD_INTERNAL WARD_NODISCARD;

#endif
