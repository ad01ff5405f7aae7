/*
 * key.c - TUF public keys, signature verification and signing keys, on
 * OpenSSL 3's provider (EVP) interfaces only.
 *
 * Every key value and signature reaching this file is untrusted: a key
 * value comes from metadata that is not yet verified (a new root lists the
 * keys that are to verify it), and a signature is whatever the repository
 * served.  So values are length-bounded before OpenSSL sees them, PEM must
 * hold exactly one public key, curves are checked against the scheme, and
 * OpenSSL's error queue is cleared on every way out so that nothing leaks
 * into an unrelated later call.
 *
 * The schemes follow securesystemslib (python-tuf's crypto layer), which is
 * what the TUF specification defers to:
 *   ed25519              RFC 8032 pure Ed25519, raw 32-byte key in hex
 *   ecdsa-sha2-nistp256  ECDSA over P-256 with SHA-256, DER signature
 *   ecdsa-sha2-nistp384  ECDSA over P-384 with SHA-384, DER signature
 *   rsassa-pss-sha256    RSASSA-PSS, SHA-256, MGF1-SHA-256
 */
#include "crypto/key.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/pkcs11.h"
#include "util/hex.h"
#include "util/limits.h"

#define KEY_PUBLIC_MAX WARD_LIMIT_KEY_PUBLIC
#define KEY_PRIVATE_PEM_MAX WARD_LIMIT_KEY_PRIVATE_PEM

/* RSA moduli below this are refused: NIST SP 800-131A disallows them for
 * signatures, and python-tuf has never generated one. */
#define KEY_RSA_MIN_BITS 2048

/* Generated RSA keys: securesystemslib's default size. */
#define KEY_RSA_GEN_BITS ((size_t)3072)

WARD_DEFINE_AUTO(EVP_PKEY *, EVP_PKEY_free)
WARD_DEFINE_AUTO(EVP_PKEY_CTX *, EVP_PKEY_CTX_free)
WARD_DEFINE_AUTO(EVP_MD_CTX *, EVP_MD_CTX_free)
WARD_DEFINE_AUTO(BIO *, BIO_free_all)
WARD_DEFINE_AUTO(OSSL_PARAM_BLD *, OSSL_PARAM_BLD_free)
WARD_DEFINE_AUTO(OSSL_PARAM *, OSSL_PARAM_free)

enum key_family {
	FAMILY_ED25519,
	FAMILY_ECDSA,
	FAMILY_RSA,
};

/* One signature scheme and everything needed to use it. */
struct scheme {
	const char *name;     /* TUF "scheme" */
	enum key_family family;
	const char *keytype;  /* TUF "keytype" the signer writes */
	const char *md;       /* digest for EVP_DigestSign/Verify; NULL for ed25519 */
	const char *group;    /* EC group name as OpenSSL reports it */
	size_t point_len;     /* uncompressed SEC1 point length (EC only) */
};

static const struct scheme SCHEMES[] = {
	{ "ed25519", FAMILY_ED25519, "ed25519", NULL, NULL, 0 },
	{ "ecdsa-sha2-nistp256", FAMILY_ECDSA, "ecdsa", "SHA256", "prime256v1", 65 },
	{ "ecdsa-sha2-nistp384", FAMILY_ECDSA, "ecdsa", "SHA384", "secp384r1", 97 },
	{ "rsassa-pss-sha256", FAMILY_RSA, "rsa", "SHA256", NULL, 0 },
};

/* Accepted keytype/scheme pairs.  "ecdsa-sha2-nistp256" as a keytype is
 * deprecated by TUF but is what Sigstore's roots 1-8 carry; securesystemslib
 * still accepts it for the matching scheme only. */
static const struct {
	const char *keytype;
	const char *scheme;
} PAIRS[] = {
	{ "ed25519", "ed25519" },
	{ "ecdsa", "ecdsa-sha2-nistp256" },
	{ "ecdsa", "ecdsa-sha2-nistp384" },
	{ "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256" },
	{ "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384" },
	{ "rsa", "rsassa-pss-sha256" },
};

struct crypto_key {
	EVP_PKEY *pkey;
	const struct scheme *scheme;
	char *keytype;
	char *scheme_name;
	char *public_value;
};

struct crypto_signer {
	EVP_PKEY *pkey; /* the private key, or for p11 only its public half */
	pkcs11_key *p11; /* non-NULL: the private key is on a token */
	const struct scheme *scheme;
	char *public_value; /* hex (ed25519) or PEM SPKI ending in "\n" */
};

static const char PEM_PUBLIC_BEGIN[] = "-----BEGIN PUBLIC KEY-----";

static const struct scheme *scheme_find(const char *name)
{
	for (size_t i = 0; i < WARD_ARRAY_LEN(SCHEMES); i++)
		if (strcmp(SCHEMES[i].name, name) == 0)
			return &SCHEMES[i];
	return NULL;
}

static bool pair_is_known(const char *keytype, const char *scheme)
{
	for (size_t i = 0; i < WARD_ARRAY_LEN(PAIRS); i++)
		if (strcmp(PAIRS[i].keytype, keytype) == 0 && strcmp(PAIRS[i].scheme, scheme) == 0)
			return true;
	return false;
}

/* ward_err_openssl with a formatted "what". */
static int __attribute__((format(printf, 3, 4)))
err_ssl(ward_error *err, int code, const char *fmt, ...)
{
	char what[WARD_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n < 0)
		what[0] = '\0';
	return ward_err_openssl(err, code, what);
}

/* ward_err that also discards whatever OpenSSL queued on the way here. */
#define err_plain ward_err_clear_ssl

/* The EC group of pkey as OpenSSL names it ("prime256v1"); false for keys
 * with explicit curve parameters, which are refused. */
static bool ec_group_name(EVP_PKEY *pkey, char *out, size_t outlen)
{
	size_t len = 0;
	return EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, out, outlen,
					      &len) == 1;
}

/* Checks that pkey is a usable key of the scheme's family (and curve, and
 * size).  what names the key in messages. */
static int check_pkey(EVP_PKEY *pkey, const struct scheme *sc, bool is_public, const char *what,
		      ward_error *err)
{
	switch (sc->family) {
	case FAMILY_ED25519:
		if (!EVP_PKEY_is_a(pkey, "ED25519"))
			return err_plain(err, WARD_EINVAL, "%s: not an ed25519 key", what);
		return 0;
	case FAMILY_ECDSA: {
		if (!EVP_PKEY_is_a(pkey, "EC"))
			return err_plain(err, WARD_EINVAL, "%s: not an EC key, as scheme %s requires",
					 what, sc->name);
		char group[64];
		if (!ec_group_name(pkey, group, sizeof(group)))
			return err_plain(err, WARD_EINVAL, "%s: EC key has no named curve", what);
		if (strcmp(group, sc->group) != 0)
			return err_plain(err, WARD_EINVAL, "%s: curve %s does not match scheme %s",
					 what, group, sc->name);
		/* Public keys: on the curve and not the point at infinity.  The
		 * full check also multiplies by the group order, which proves
		 * nothing more on P-256 and P-384 (cofactor 1) and costs a
		 * scalar multiplication per key. */
		WARD_AUTO(EVP_PKEY_CTX_free) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
		if (!ctx)
			return err_ssl(err, WARD_ENOMEM, "%s: cannot check EC key", what);
		if ((is_public ? EVP_PKEY_public_check_quick(ctx) : EVP_PKEY_check(ctx)) != 1)
			return err_ssl(err, WARD_EINVAL, "%s: EC key fails validation", what);
		return 0;
	}
	case FAMILY_RSA: {
		if (!EVP_PKEY_is_a(pkey, "RSA"))
			return err_plain(err, WARD_EINVAL, "%s: not an RSA key, as scheme %s requires",
					 what, sc->name);
		int bits = EVP_PKEY_get_bits(pkey);
		if (bits < KEY_RSA_MIN_BITS)
			return err_plain(err, WARD_EINVAL, "%s: RSA key of %d bits is under the %d-bit minimum",
					 what, bits, KEY_RSA_MIN_BITS);
		return 0;
	}
	}
	return err_plain(err, WARD_EINVAL, "%s: unsupported key family", what);
}

/* The DER SubjectPublicKeyInfo prefixes of named-curve P-256 and P-384 keys
 * with an uncompressed point (RFC 5480): algorithm id-ecPublicKey, the
 * curve OID, a BIT STRING of the point.  Every such key encodes to exactly
 * these bytes followed by the point, so an exact match is not parsing; it
 * lets the common case skip OpenSSL's generic decoder, which costs about
 * two million instructions per key.  Anything else takes the generic path. */
static const uint8_t SPKI_P256[] = { 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
				     0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
				     0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00 };
static const uint8_t SPKI_P384[] = { 0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86,
				     0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
				     0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00 };

static int ec_raw_point_key(EVP_PKEY **out, const struct scheme *sc, const uint8_t *raw,
			    size_t rawlen, const char *what, ward_error *err);

/* Decodes the base64 body of a PEM public key block into der (cap bytes);
 * returns the length, or 0 if the value is not exactly one well-formed
 * block (then the caller's generic path decides, and reports). */
static size_t pem_body_decode(const char *pem, size_t len, uint8_t *der, size_t cap)
{
	static const char end_line[] = "-----END PUBLIC KEY-----";
	size_t blen = sizeof(PEM_PUBLIC_BEGIN) - 1;
	if (len <= blen || memcmp(pem, PEM_PUBLIC_BEGIN, blen) != 0 ||
	    (pem[blen] != '\n' && pem[blen] != '\r'))
		return 0;
	const char *body = pem + blen;
	const char *end = strstr(body, end_line);
	if (!end || (size_t)(end - body) > 2 * cap)
		return 0;
	for (const char *p = end + sizeof(end_line) - 1; p < pem + len; p++)
		if (!strchr(" \t\r\n", *p) || *p == '\0')
			return 0;
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (const char *p = body; p < end; p++) {
		int v;
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+')
			v = 62;
		else if (c == '/')
			v = 63;
		else if (c == '=' || c == '\n' || c == '\r')
			continue;
		else
			return 0;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return 0;
			der[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

static bool ec_spki_fast(EVP_PKEY **out, const struct scheme *sc, const char *pem, size_t len)
{
	uint8_t der[160];
	size_t n = pem_body_decode(pem, len, der, sizeof(der));
	const uint8_t *prefix = sc->point_len == 65 ? SPKI_P256 : SPKI_P384;
	size_t plen = sc->point_len == 65 ? sizeof(SPKI_P256) : sizeof(SPKI_P384);
	if (n != plen + sc->point_len || memcmp(der, prefix, plen) != 0 || der[plen] != 0x04)
		return false;
	return ec_raw_point_key(out, sc, der + plen, sc->point_len, "", NULL) == 0;
}

/* Parses a PEM SubjectPublicKeyInfo holding exactly one key.  The value must
 * start with the BEGIN line; after the END line only whitespace may follow
 * (TUF metadata has it both with and without a final newline). */
static int pem_public_parse(EVP_PKEY **out, const char *pem, size_t len, const char *what,
			    ward_error *err)
{
	if (len < sizeof(PEM_PUBLIC_BEGIN) - 1 ||
	    memcmp(pem, PEM_PUBLIC_BEGIN, sizeof(PEM_PUBLIC_BEGIN) - 1) != 0)
		return err_plain(err, WARD_EINVAL, "%s: public value is not a PEM public key", what);
	if (len > INT_MAX)
		return err_plain(err, WARD_ELIMIT, "%s: public value is too long", what);
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return err_ssl(err, WARD_ENOMEM, "%s: cannot read PEM", what);
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (!pkey)
		return err_ssl(err, WARD_EINVAL, "%s: PEM public key does not decode", what);
	char rest[64];
	int n;
	while ((n = BIO_read(bio, rest, (int)sizeof(rest))) > 0) {
		for (int i = 0; i < n; i++)
			if (!strchr(" \t\r\n", rest[i]) || rest[i] == '\0')
				return err_plain(err, WARD_EINVAL,
						 "%s: PEM public value has data after the key", what);
	}
	ERR_clear_error();
	*out = WARD_TAKE_PTR(pkey);
	return 0;
}

/* Builds an EC public key from a hex SEC1 point on the scheme's curve:
 * uncompressed (04||X||Y) as Sigstore's early roots carry, or compressed
 * (02/03||X).  Hybrid encodings and the point at infinity are refused. */
static int ec_point_parse(EVP_PKEY **out, const struct scheme *sc, const char *hex, size_t hexlen,
			  const char *what, ward_error *err)
{
	size_t coord = (sc->point_len - 1) / 2;
	if (hexlen != 2 * sc->point_len && hexlen != 2 * (coord + 1))
		return err_plain(err, WARD_EINVAL,
				 "%s: public value is neither PEM nor a hex point on the curve of %s", what,
				 sc->name);
	WARD_AUTO(free) uint8_t *raw = NULL;
	size_t rawlen = 0;
	if (hex_decode(&raw, &rawlen, hex, hexlen) != 0)
		return err_plain(err, WARD_EINVAL, "%s: public value is not valid hex", what);
	uint8_t tag = raw[0];
	bool ok = (rawlen == sc->point_len && tag == 0x04) ||
		  (rawlen == coord + 1 && (tag == 0x02 || tag == 0x03));
	if (!ok)
		return err_plain(err, WARD_EINVAL, "%s: public value is not a SEC1 point encoding", what);
	return ec_raw_point_key(out, sc, raw, rawlen, what, err);
}

/* An EC public key from a SEC1 point on the scheme's curve. */
static int ec_raw_point_key(EVP_PKEY **out, const struct scheme *sc, const uint8_t *raw,
			    size_t rawlen, const char *what, ward_error *err)
{
	WARD_AUTO(OSSL_PARAM_BLD_free) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, sc->group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, raw, rawlen))
		return err_ssl(err, WARD_ENOMEM, "%s: cannot build EC parameters", what);
	WARD_AUTO(OSSL_PARAM_free) OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	WARD_AUTO(EVP_PKEY_CTX_free) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1)
		return err_ssl(err, WARD_ENOMEM, "%s: cannot build EC key", what);
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = NULL;
	if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1 || !pkey)
		return err_ssl(err, WARD_EINVAL, "%s: public value is not a point on the curve of %s",
			       what, sc->name);
	*out = WARD_TAKE_PTR(pkey);
	return 0;
}

static int ed25519_parse(EVP_PKEY **out, const char *hex, size_t hexlen, const char *what,
			 ward_error *err)
{
	if (hexlen != 64)
		return err_plain(err, WARD_EINVAL, "%s: public value is not 64 hex characters", what);
	WARD_AUTO(free) uint8_t *raw = NULL;
	size_t rawlen = 0;
	if (hex_decode(&raw, &rawlen, hex, hexlen) != 0)
		return err_plain(err, WARD_EINVAL, "%s: public value is not valid hex", what);
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, raw, rawlen);
	if (!pkey)
		return err_ssl(err, WARD_EINVAL, "%s: public value is not an ed25519 key", what);
	*out = pkey;
	return 0;
}

void crypto_key_free(crypto_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->keytype);
	free(k->scheme_name);
	free(k->public_value);
	free(k);
}

int crypto_key_from_tuf(crypto_key **out, const char *keytype, const char *scheme,
			const char *public_value, ward_error *err)
{
	if (!out || !keytype || !scheme || !public_value)
		return err_plain(err, WARD_EINVAL, "key: keytype, scheme and public value are required");
	const struct scheme *sc = scheme_find(scheme);
	if (!sc || !pair_is_known(keytype, scheme))
		return err_plain(err, WARD_EINVAL,
				 "key: keytype \"%.40s\" with scheme \"%.40s\" is not supported", keytype,
				 scheme);
	size_t len = strnlen(public_value, KEY_PUBLIC_MAX + 1);
	if (len > KEY_PUBLIC_MAX)
		return err_plain(err, WARD_ELIMIT, "%s key: public value exceeds %zu bytes", sc->name,
				 KEY_PUBLIC_MAX);

	char what[64];
	int n = snprintf(what, sizeof(what), "%s key", sc->name);
	if (n < 0 || (size_t)n >= sizeof(what))
		what[0] = '\0';

	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = NULL;
	int rc;
	switch (sc->family) {
	case FAMILY_ED25519:
		rc = ed25519_parse(&pkey, public_value, len, what, err);
		break;
	case FAMILY_ECDSA:
		if (len >= 5 && memcmp(public_value, "-----", 5) == 0)
			rc = ec_spki_fast(&pkey, sc, public_value, len)
				     ? 0
				     : pem_public_parse(&pkey, public_value, len, what, err);
		else
			rc = ec_point_parse(&pkey, sc, public_value, len, what, err);
		break;
	case FAMILY_RSA:
		rc = pem_public_parse(&pkey, public_value, len, what, err);
		break;
	default:
		rc = err_plain(err, WARD_EINVAL, "%s: unsupported key family", what);
		break;
	}
	if (rc)
		return rc;
	rc = check_pkey(pkey, sc, true, what, err);
	if (rc)
		return rc;

	WARD_AUTO(crypto_key_free) crypto_key *k = calloc(1, sizeof(*k));
	if (!k)
		return err_plain(err, WARD_ENOMEM, "%s: out of memory", what);
	k->keytype = strdup(keytype);
	k->scheme_name = strdup(scheme);
	k->public_value = strndup(public_value, len);
	if (!k->keytype || !k->scheme_name || !k->public_value)
		return err_plain(err, WARD_ENOMEM, "%s: out of memory", what);
	k->scheme = sc;
	k->pkey = WARD_TAKE_PTR(pkey);
	ERR_clear_error();
	*out = WARD_TAKE_PTR(k);
	return 0;
}

/* Sets RSASSA-PSS with MGF1-SHA256 on a sign or verify context. */
static bool pss_setup(EVP_PKEY_CTX *pctx, int saltlen)
{
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) > 0 &&
	       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen) > 0;
}

static int verify_inner(const crypto_key *k, const uint8_t *sig, size_t siglen, const uint8_t *msg,
			size_t msglen)
{
	WARD_AUTO(EVP_MD_CTX_free) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return WARD_EVERIFY;
	EVP_PKEY_CTX *pctx = NULL; /* owned by ctx */
	if (EVP_DigestVerifyInit_ex(ctx, &pctx, k->scheme->md, NULL, NULL, k->pkey, NULL) != 1)
		return WARD_EVERIFY;
	/* securesystemslib verifies PSS with PSS.AUTO (any salt length); other
	 * TUF signers may pick another salt length than its digest length. */
	if (k->scheme->family == FAMILY_RSA && !pss_setup(pctx, RSA_PSS_SALTLEN_AUTO))
		return WARD_EVERIFY;
	/* 1 is the only success; 0 is a bad signature, <0 a malformed one. */
	if (EVP_DigestVerify(ctx, sig, siglen, msg, msglen) != 1)
		return WARD_EVERIFY;
	return 0;
}

int crypto_key_verify(const crypto_key *k, const uint8_t *sig, size_t siglen, const uint8_t *msg,
		      size_t msglen)
{
	static const uint8_t empty[1];
	if (!k || !k->pkey || (!sig && siglen) || (!msg && msglen))
		return WARD_EVERIFY;
	/* No valid signature of any supported scheme is empty; refusing here
	 * keeps NULL pointers away from OpenSSL. */
	if (siglen == 0)
		return WARD_EVERIFY;
	int rc = verify_inner(k, sig, siglen, msg ? msg : empty, msglen);
	ERR_clear_error();
	return rc;
}

const char *crypto_key_keytype(const crypto_key *k)
{
	return k->keytype;
}

const char *crypto_key_scheme(const crypto_key *k)
{
	return k->scheme_name;
}

const char *crypto_key_public(const crypto_key *k)
{
	return k->public_value;
}

/* ---- signing keys ---- */

void crypto_signer_free(crypto_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->pkey); /* OpenSSL wipes private key material on free */
	pkcs11_key_free(s->p11);
	free(s->public_value);
	free(s);
}

/* The PEM SPKI text of pkey's public half, NUL-terminated, malloc'd. */
static int pem_public_write(char **out, EVP_PKEY *pkey, ward_error *err)
{
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new(BIO_s_mem());
	if (!bio || PEM_write_bio_PUBKEY(bio, pkey) != 1)
		return err_ssl(err, WARD_ENOMEM, "signer: cannot encode the public key");
	char *data = NULL;
	long len = BIO_get_mem_data(bio, &data);
	if (len <= 0 || !data)
		return err_ssl(err, WARD_ENOMEM, "signer: cannot encode the public key");
	char *s = strndup(data, (size_t)len);
	if (!s)
		return err_plain(err, WARD_ENOMEM, "signer: out of memory");
	*out = s;
	return 0;
}

static int ed25519_public_hex(char **out, EVP_PKEY *pkey, ward_error *err)
{
	uint8_t raw[32];
	size_t len = sizeof(raw);
	if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != sizeof(raw))
		return err_ssl(err, WARD_EINVAL, "signer: cannot read the ed25519 public key");
	char *s = malloc(2 * sizeof(raw) + 1);
	if (!s)
		return err_plain(err, WARD_ENOMEM, "signer: out of memory");
	hex_encode(s, raw, sizeof(raw));
	*out = s;
	return 0;
}

/* Wraps a checked key into a signer; takes pkey (and *p11, for a token
 * key, when p11 is not NULL) on success. */
static int signer_new(crypto_signer **out, EVP_PKEY **pkey, pkcs11_key **p11,
		      const struct scheme *sc, ward_error *err)
{
	WARD_AUTO(crypto_signer_free) crypto_signer *s = calloc(1, sizeof(*s));
	if (!s)
		return err_plain(err, WARD_ENOMEM, "signer: out of memory");
	int rc = sc->family == FAMILY_ED25519 ? ed25519_public_hex(&s->public_value, *pkey, err)
					      : pem_public_write(&s->public_value, *pkey, err);
	if (rc)
		return rc;
	s->scheme = sc;
	s->pkey = WARD_TAKE_PTR(*pkey);
	if (p11)
		s->p11 = WARD_TAKE_PTR(*p11);
	ERR_clear_error();
	*out = WARD_TAKE_PTR(s);
	return 0;
}

int crypto_signer_generate(crypto_signer **out, const char *scheme, ward_error *err)
{
	const struct scheme *sc = scheme ? scheme_find(scheme) : NULL;
	if (!out || !sc)
		return err_plain(err, WARD_EINVAL, "signer: scheme \"%.40s\" is not supported",
				 scheme ? scheme : "(null)");
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = NULL;
	switch (sc->family) {
	case FAMILY_ED25519:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case FAMILY_ECDSA:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", sc->group);
		break;
	case FAMILY_RSA:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", KEY_RSA_GEN_BITS);
		break;
	}
	if (!pkey)
		return err_ssl(err, WARD_ENOMEM, "signer: cannot generate a %s key", sc->name);
	return signer_new(out, &pkey, NULL, sc, err);
}

/* Refuses any passphrase request: the default callback would prompt on the
 * terminal, and a library never reads from one. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The natural scheme of a private key, or NULL if unsupported. */
static const struct scheme *scheme_for_pkey(EVP_PKEY *pkey)
{
	if (EVP_PKEY_is_a(pkey, "ED25519"))
		return scheme_find("ed25519");
	if (EVP_PKEY_is_a(pkey, "RSA"))
		return scheme_find("rsassa-pss-sha256");
	if (EVP_PKEY_is_a(pkey, "EC")) {
		char group[64];
		if (!ec_group_name(pkey, group, sizeof(group)))
			return NULL;
		for (size_t i = 0; i < WARD_ARRAY_LEN(SCHEMES); i++)
			if (SCHEMES[i].group && strcmp(SCHEMES[i].group, group) == 0)
				return &SCHEMES[i];
	}
	return NULL;
}

int crypto_signer_from_pem(crypto_signer **out, const char *pem, size_t len, const char *scheme,
			   ward_error *err)
{
	if (!out || (!pem && len))
		return err_plain(err, WARD_EINVAL, "signer: no PEM given");
	const struct scheme *sc = NULL;
	if (scheme && !(sc = scheme_find(scheme)))
		return err_plain(err, WARD_EINVAL, "signer: scheme \"%.40s\" is not supported", scheme);
	if (len > KEY_PRIVATE_PEM_MAX)
		return err_plain(err, WARD_ELIMIT, "signer: private key PEM exceeds %zu bytes",
				 KEY_PRIVATE_PEM_MAX);
	/* Reads the caller's bytes in place: no copy of the secret is made. */
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new_mem_buf(len ? pem : "", (int)len);
	if (!bio)
		return err_ssl(err, WARD_ENOMEM, "signer: cannot read PEM");
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey =
		PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase, NULL, NULL, NULL);
	if (!pkey) {
		if (len && memmem(pem, len, "ENCRYPTED", 9))
			return err_plain(err, WARD_EINVAL, "signer: private key PEM is encrypted");
		return err_ssl(err, WARD_EINVAL, "signer: private key PEM does not decode");
	}
	if (!sc && !(sc = scheme_for_pkey(pkey)))
		return err_plain(err, WARD_EINVAL, "signer: private key is of an unsupported type");
	int rc = check_pkey(pkey, sc, false, "signer", err);
	if (rc)
		return rc;
	return signer_new(out, &pkey, NULL, sc, err);
}

int crypto_signer_from_pkcs11(crypto_signer **out, const char *uri, const char *pin,
			      ward_error *err)
{
	if (!out || !uri)
		return err_plain(err, WARD_EINVAL, "signer: no PKCS#11 URI given");
	WARD_AUTO(pkcs11_key_free) pkcs11_key *p11 = NULL;
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pub = NULL;
	int rc = pkcs11_key_open(&p11, &pub, uri, pin, err);
	if (rc)
		return rc;
	/* The scheme and the checks are those of a key file: the token key's
	 * public half goes through the same path as a PEM key's would. */
	const struct scheme *sc = scheme_for_pkey(pub);
	if (!sc)
		return err_plain(err, WARD_EINVAL, "pkcs11 signer: key of an unsupported type");
	rc = check_pkey(pub, sc, true, "pkcs11 signer", err);
	if (rc)
		return rc;
	return signer_new(out, &pub, &p11, sc, err);
}

bool crypto_signer_is_pkcs11(const crypto_signer *s)
{
	return s && s->p11;
}

int crypto_signer_to_pem(const crypto_signer *s, ward_buf *out, ward_error *err)
{
	if (!s || !out)
		return err_plain(err, WARD_EINVAL, "signer: nothing to write");
	if (s->p11)
		return err_plain(err, WARD_EINVAL, "%s signer: key does not leave the token",
				 s->scheme->name);
	/* Secure-heap memory BIO: cleared when freed, so the only copy left is
	 * the caller's. */
	WARD_AUTO(BIO_free_all) BIO *bio = BIO_new(BIO_s_secmem());
	if (!bio || PEM_write_bio_PrivateKey(bio, s->pkey, NULL, NULL, 0, NULL, NULL) != 1)
		return err_ssl(err, WARD_ENOMEM, "signer: cannot encode the private key");
	char *data = NULL;
	long len = BIO_get_mem_data(bio, &data);
	if (len <= 0 || !data)
		return err_ssl(err, WARD_ENOMEM, "signer: cannot encode the private key");
	int rc = buf_append(out, data, (size_t)len);
	if (rc)
		return err_plain(err, rc, "signer: private key PEM does not fit the buffer");
	return 0;
}

int crypto_signer_sign(const crypto_signer *s, const uint8_t *msg, size_t msglen, ward_buf *sig,
		       ward_error *err)
{
	static const uint8_t empty[1];
	if (!s || !sig || (!msg && msglen))
		return err_plain(err, WARD_EINVAL, "signer: nothing to sign");
	if (s->p11)
		return pkcs11_key_sign(s->p11, msg, msglen, sig, err);
	WARD_AUTO(EVP_MD_CTX_free) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL; /* owned by ctx */
	if (!ctx || EVP_DigestSignInit_ex(ctx, &pctx, s->scheme->md, NULL, NULL, s->pkey, NULL) != 1)
		return err_ssl(err, WARD_ENOMEM, "%s signer: cannot start signing", s->scheme->name);
	/* Salt length = digest length, as securesystemslib's CryptoSigner signs
	 * (PSS.DIGEST_LENGTH); verifiers accept any length. */
	if (s->scheme->family == FAMILY_RSA && !pss_setup(pctx, RSA_PSS_SALTLEN_DIGEST))
		return err_ssl(err, WARD_EINVAL, "%s signer: cannot set PSS parameters", s->scheme->name);
	int max = EVP_PKEY_get_size(s->pkey);
	if (max <= 0)
		return err_ssl(err, WARD_EINVAL, "%s signer: key has no signature size", s->scheme->name);
	size_t len = (size_t)max;
	WARD_AUTO(free) uint8_t *tmp = malloc(len);
	if (!tmp)
		return err_plain(err, WARD_ENOMEM, "%s signer: out of memory", s->scheme->name);
	if (EVP_DigestSign(ctx, tmp, &len, msg ? msg : empty, msglen) != 1)
		return err_ssl(err, WARD_EINVAL, "%s signer: signing failed", s->scheme->name);
	int rc = buf_append(sig, tmp, len);
	if (rc)
		return err_plain(err, rc, "%s signer: signature does not fit the buffer", s->scheme->name);
	ERR_clear_error();
	return 0;
}

const char *crypto_signer_keytype(const crypto_signer *s)
{
	return s->scheme->keytype;
}

const char *crypto_signer_scheme(const crypto_signer *s)
{
	return s->scheme->name;
}

const char *crypto_signer_public(const crypto_signer *s)
{
	return s->public_value;
}

/* ---- digests ---- */

int crypto_digest(const char *alg, const uint8_t *data, size_t len, uint8_t *out, size_t *outlen)
{
	static const uint8_t empty[1];
	const char *name;
	if (!alg || !out || !outlen || (!data && len))
		return WARD_EINVAL;
	if (strcmp(alg, "sha256") == 0)
		name = "SHA256";
	else if (strcmp(alg, "sha512") == 0)
		name = "SHA512";
	else
		return WARD_EINVAL;
	size_t n = 0;
	if (EVP_Q_digest(NULL, name, NULL, data ? data : empty, len, out, &n) != 1) {
		ERR_clear_error();
		return WARD_ENOMEM;
	}
	*outlen = n;
	return 0;
}
