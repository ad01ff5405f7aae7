/* sign.c - key descriptions, keyids and signed envelopes. */
#include "tuf/sign.h"

#include <openssl/evp.h>

#include "json/json.h"
#include "util/hex.h"
#include "util/limits.h"

json_t *tuf_key_json(const crypto_signer *s)
{
	return json_pack("{s:s, s:s, s:{s:s}}", "keytype", crypto_signer_keytype(s), "scheme",
			 crypto_signer_scheme(s), "keyval", "public", crypto_signer_public(s));
}

int tuf_keyid(char out[static 65], const crypto_signer *s)
{
	WARD_AUTO(json_decref) json_t *k = tuf_key_json(s);
	if (!k)
		return WARD_ENOMEM;
	return tuf_keyid_of(out, k);
}

int tuf_keyid_of(char out[static 65], const json_t *k)
{
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(1 << 20);
	const json_t *kv = json_object_get(k, "keyval");
	if (!json_is_string(json_object_get(k, "keytype")) ||
	    !json_is_string(json_object_get(k, "scheme")) ||
	    !json_is_string(json_object_get(kv, "public")))
		return WARD_EINVAL;
	/* Only the three fields: extra members would change the hash. */
	WARD_AUTO(json_decref) json_t *clean = json_pack(
		"{s:O, s:O, s:{s:O}}", "keytype", json_object_get(k, "keytype"), "scheme",
		json_object_get(k, "scheme"), "keyval", "public", json_object_get(kv, "public"));
	if (!clean)
		return WARD_ENOMEM;
	int rc = wjson_canonical(&b, clean);
	if (rc)
		return rc;
	uint8_t d[32];
	if (!EVP_Digest(b.ptr, b.len, d, NULL, EVP_sha256(), NULL))
		return WARD_ENOMEM;
	hex_encode(out, d, sizeof(d));
	return 0;
}

int tuf_sign_bytes(json_t **out, const uint8_t *msg, size_t len, const crypto_signer *s,
		   ward_error *err)
{
	WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(1 << 16);
	char keyid[65];
	if (tuf_keyid(keyid, s) != 0)
		return ward_err(err, WARD_ENOMEM, "cannot compute keyid");
	int rc = crypto_signer_sign(s, msg, len, &sig, err);
	if (rc)
		return rc;
	WARD_AUTO(free) char *hex = malloc(2 * sig.len + 1);
	if (!hex)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	hex_encode(hex, sig.ptr, sig.len);
	*out = json_pack("{s:s, s:s}", "keyid", keyid, "sig", hex);
	return *out ? 0 : ward_err(err, WARD_ENOMEM, "out of memory");
}

int tuf_sign_one(json_t **out, const json_t *signed_obj, const crypto_signer *s,
		 ward_error *err)
{
	WARD_AUTO(buf_dispose) ward_buf msg = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	int rc = wjson_canonical(&msg, signed_obj);
	if (rc)
		return ward_err(err, rc, "signed metadata has no canonical form");
	return tuf_sign_bytes(out, msg.ptr, msg.len, s, err);
}

static int dump_to_buf(const char *buffer, size_t size, void *data)
{
	return buf_append(data, buffer, size) == 0 ? 0 : -1;
}

int tuf_sign_envelope(ward_buf *out, const json_t *signed_obj, crypto_signer *const *signers,
		      size_t nsigners, ward_error *err)
{
	WARD_AUTO(buf_dispose) ward_buf msg = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	WARD_AUTO(json_decref) json_t *sigs = json_array();
	WARD_AUTO(json_decref) json_t *env = NULL;
	if (!sigs)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int rc = wjson_canonical(&msg, signed_obj);
	if (rc)
		return ward_err(err, rc, "signed metadata has no canonical form");
	for (size_t i = 0; i < nsigners; i++) {
		char keyid[65];
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(1 << 16);
		rc = tuf_keyid(keyid, signers[i]);
		if (rc)
			return ward_err(err, rc, "cannot compute keyid");
		rc = crypto_signer_sign(signers[i], msg.ptr, msg.len, &sig, err);
		if (rc)
			return rc;
		WARD_AUTO(free) char *hex = malloc(2 * sig.len + 1);
		if (!hex)
			return ward_err(err, WARD_ENOMEM, "out of memory");
		hex_encode(hex, sig.ptr, sig.len);
		if (json_array_append_new(sigs, json_pack("{s:s, s:s}", "keyid", keyid, "sig", hex)))
			return ward_err(err, WARD_ENOMEM, "out of memory");
	}
	env = json_pack("{s:O, s:O}", "signatures", sigs, "signed", signed_obj);
	if (!env)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	/* The file itself is ordinary compact JSON with sorted keys, not the
	 * canonical form: canonical JSON writes control characters (the
	 * newlines of a PEM key) raw, which is not valid JSON for readers. */
	if (json_dump_callback(env, dump_to_buf, out, JSON_COMPACT | JSON_SORT_KEYS) != 0)
		return ward_err(err, WARD_ELIMIT, "cannot encode metadata: too large");
	return 0;
}
