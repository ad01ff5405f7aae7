/*
 * pkcs11_uri.h - PKCS#11 URIs (RFC 7512) as ward reads them, and the PIN a
 * URI supplies.  Used by pkcs11.c; separate so that the parser, which sees
 * configuration typed by people, is tested and fuzzed on its own.
 *
 * Subset (RFC 7512 section 2.3):
 *   path   token, manufacturer, serial, model   select exactly one token
 *          object (CKA_LABEL), id (CKA_ID, percent-encoded bytes)
 *                                               select exactly one private key
 *          type=private                         the only type that signs
 *   query  module-path (absolute), module-name (a p11-kit registered module
 *          name, e.g. "softhsm2"), pin-value, pin-source (a file path or a
 *          file: URI whose content, less one final newline, is the PIN)
 * Strictness: any other path attribute (the RFC's library-* and slot-*
 * ones, vendor ones) is refused, because an attribute we do not act on
 * could only have narrowed the match; unknown query attributes are ignored
 * as the RFC asks; a repeated attribute, an empty value, a bad percent
 * escape, a character the RFC grammar does not allow there, pin-value with
 * pin-source, module-path with module-name all make the URI malformed
 * (WARD_EINVAL).  Messages never quote the URI or a value from it: the URI
 * may carry the PIN.
 */
#ifndef WARD_CRYPTO_PKCS11_URI_H
#define WARD_CRYPTO_PKCS11_URI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

/* A PKCS#11 URI is configuration typed by a person: 4 KiB is far above any
 * real one (a module path is at most PATH_MAX, the token fields 32 bytes). */
#define PKCS11_URI_MAX ((size_t)4096)

/* PINs: PKCS#11 tokens cap them far lower (SoftHSM 255, smart cards 8-16);
 * a longer pin-source file is not a PIN file. */
#define PKCS11_PIN_MAX ((size_t)256)

/* A parsed URI.  Strings are NUL-terminated and percent-decoded (a decoded
 * NUL byte is refused); id is raw bytes.  NULL / has_id false = absent. */
typedef struct pkcs11_uri {
	char *token;
	char *manufacturer;
	char *serial;
	char *model;
	char *object;
	uint8_t *id;
	size_t id_len;
	bool has_id;
	char *module_path;
	char *module_name;
	char *pin_value; /* secret: wiped by pkcs11_uri_dispose */
	char *pin_source;
} pkcs11_uri;

/* Parses uri into *out (caller-owned struct, released with
 * pkcs11_uri_dispose).  WARD_EINVAL for a malformed URI (the message names
 * the attribute, never its value), WARD_ELIMIT over PKCS11_URI_MAX bytes,
 * WARD_ENOMEM.  *out is written only on success. */
int pkcs11_uri_parse(pkcs11_uri *out, const char *uri, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Frees the contents of u, wiping the PIN; accepts a zeroed struct. */
void pkcs11_uri_dispose(pkcs11_uri *u) WARD_INTERNAL;

static inline void ward_auto_pkcs11_uri_dispose(pkcs11_uri *u)
{
	pkcs11_uri_dispose(u);
}

/* A PIN on the caller's stack; wipe it with pkcs11_pin_wipe (or declare it
 * `WARD_AUTO(pkcs11_pin_wipe)`). */
typedef struct pkcs11_pin {
	char buf[PKCS11_PIN_MAX + 3]; /* room for a final "\r\n" to strip */
	size_t len;
	bool set; /* false: no PIN from anywhere */
} pkcs11_pin;

/* The PIN to log in with: explicit_pin when not NULL, else the URI's
 * pin-value, else the content of its pin-source file less one final "\n"
 * or "\r\n"; none of them leaves pin->set false.  WARD_ELIMIT for a PIN
 * over PKCS11_PIN_MAX bytes, WARD_ENOTFOUND for a missing pin-source file,
 * WARD_EIO for an unreadable one, WARD_EINVAL for a NUL byte in it or a
 * file: URI naming a remote host. */
int pkcs11_pin_resolve(pkcs11_pin *pin, const pkcs11_uri *u, const char *explicit_pin,
		       ward_error *err) WARD_INTERNAL WARD_NODISCARD;

void pkcs11_pin_wipe(pkcs11_pin *pin) WARD_INTERNAL;

static inline void ward_auto_pkcs11_pin_wipe(pkcs11_pin *pin)
{
	pkcs11_pin_wipe(pin);
}

#endif
