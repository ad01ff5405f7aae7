/*
 * pkcs11.h - private keys that never leave a PKCS#11 token, addressed by
 * PKCS#11 URIs (RFC 7512).  crypto_signer (key.h) wraps these; callers
 * outside src/crypto use crypto_signer_from_pkcs11 instead.
 *
 * The URI grammar ward accepts is in pkcs11_uri.h.  Without module-path
 * or module-name, every module registered with p11-kit is searched.
 *
 * Loading a module runs its code in this process: the URI is trusted
 * configuration, never input from the network.
 */
#ifndef WARD_CRYPTO_PKCS11_H
#define WARD_CRYPTO_PKCS11_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "util/buf.h"
#include "util/common.h"

/* An open private key on a token: the module stays loaded and one session
 * stays open (and logged in) until pkcs11_key_free. */
typedef struct pkcs11_key pkcs11_key;

/* Opens the private key that uri names and logs in.  The PIN is, in order:
 * pin (when not NULL), the URI's pin-value, the content of its pin-source
 * file; with none of them, a token with a protected authentication path
 * (PIN pad) is logged into without one, and any other token that requires
 * a login is refused.  The PIN is wiped once used, unless the key demands a
 * login before each signature (CKA_ALWAYS_AUTHENTICATE): then it is kept,
 * in OpenSSL's secure heap, until pkcs11_key_free.
 *
 * *public_key receives the key's public half as OpenSSL sees it (read from
 * the token: CKA_EC_PARAMS/CKA_EC_POINT, CKA_MODULUS/CKA_PUBLIC_EXPONENT);
 * the caller frees it.  Supported: EC keys on P-256 and P-384, Ed25519
 * (CKK_EC_EDWARDS), RSA.
 *
 * Errors: WARD_EINVAL malformed URI, no PIN for a token that needs one, a
 * URI matching several tokens or keys, an unsupported key type or curve, a
 * token lacking the signing mechanism (CKM_ECDSA, CKM_EDDSA,
 * CKM_SHA256_RSA_PKCS_PSS); WARD_EVERIFY the token refused the PIN (wrong,
 * locked, expired); WARD_ENOTFOUND no such module, token, key, public key
 * object or pin-source file; WARD_EIO the device or module failed, or the
 * pin-source file could not be read; WARD_ELIMIT an oversized URI, PIN or
 * attribute; WARD_ENOMEM.
 *
 * PKCS#11 login is per process and token: while another open key of this
 * process is logged into the same token, the token accepts the login
 * without checking the PIN again (CKR_USER_ALREADY_LOGGED_IN). */
int pkcs11_key_open(pkcs11_key **out, EVP_PKEY **public_key, const char *uri, const char *pin,
		    ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Signs msg on the token and appends the signature to sig:
 *   EC       CKM_ECDSA over SHA-256 (P-256) or SHA-384 (P-384) of msg,
 *            computed here; the token's r||s is returned as DER (r,s)
 *   Ed25519  CKM_EDDSA over msg (pure Ed25519), 64 bytes
 *   RSA      CKM_SHA256_RSA_PKCS_PSS, MGF1-SHA256, 32-byte salt
 * Serialised by a lock: a PKCS#11 session runs one operation at a time.
 * Errors as for pkcs11_key_open, plus WARD_ELIMIT if sig is full. */
int pkcs11_key_sign(pkcs11_key *k, const uint8_t *msg, size_t msglen, ward_buf *sig,
		    ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Closes the session, finalises and releases the module, wipes a kept PIN.
 * Accepts NULL. */
void pkcs11_key_free(pkcs11_key *k) WARD_INTERNAL;
WARD_DEFINE_AUTO(pkcs11_key *, pkcs11_key_free)

#endif
