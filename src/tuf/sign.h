/*
 * sign.h - producing TUF metadata: key descriptions, keyids and signed
 * envelopes.  The repository tools, the tests and the demo build
 * metadata with these, over the same canonical encoder the verifier uses.
 */
#ifndef WARD_TUF_SIGN_H
#define WARD_TUF_SIGN_H

#include <jansson.h>

#include "crypto/key.h"
#include "util/buf.h"
#include "util/common.h"

/* {"keytype":…,"scheme":…,"keyval":{"public":…}} for a signer; NULL on ENOMEM. */
json_t *tuf_key_json(const crypto_signer *s) WARD_INTERNAL;

/* The keyid: hex SHA-256 of the canonical key JSON (TUF 4.2). */
int tuf_keyid(char out[static 65], const crypto_signer *s) WARD_INTERNAL WARD_NODISCARD;

/* The keyid of a key description {"keytype","scheme","keyval"} (TUF 4.2);
 * WARD_EINVAL if it is not one. */
int tuf_keyid_of(char out[static 65], const json_t *key) WARD_INTERNAL WARD_NODISCARD;

/* One signature over msg, which must already be the canonical bytes of a
 * "signed" object: {"keyid": …, "sig": hex}. */
int tuf_sign_bytes(json_t **out, const uint8_t *msg, size_t len, const crypto_signer *s,
		   ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* One signature over canonical(signed_obj): {"keyid": …, "sig": hex}. */
int tuf_sign_one(json_t **out, const json_t *signed_obj, const crypto_signer *s,
		 ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Signs canonical(signed_obj) with each signer and appends the envelope
 * {"signatures":[{"keyid","sig"}…],"signed":…} to out as compact JSON with
 * sorted keys (valid JSON; the canonical form is only what is signed). */
int tuf_sign_envelope(ward_buf *out, const json_t *signed_obj, crypto_signer *const *signers,
		      size_t nsigners, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

#endif
