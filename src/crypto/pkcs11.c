/*
 * pkcs11.c - signing with private keys held by a PKCS#11 token: module
 * loading through p11-kit, token and key lookup by a parsed URI
 * (pkcs11_uri.c), login, and the three signature mechanisms TUF's schemes
 * need.
 *
 * Modules are loaded "managed" by p11-kit (flags 0), so that several keys,
 * or other libraries in the process, can initialise and finalise the same
 * module independently.  A key keeps its module and one session for its
 * lifetime; the PIN is used once, at login, and wiped (except for keys
 * that demand a login before every signature).
 *
 * The public half is read from the token and turned into an OpenSSL key;
 * key.c derives the TUF public description from it exactly as it does for
 * a key file, so a token key and the same key in a file describe alike.
 */
#include "crypto/pkcs11.h"

#include "crypto/pkcs11_uri.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>

#include "util/hex.h"

/* Largest attribute value read from a token: an RSA-16384 modulus is 2 KiB,
 * an EC point or curve OID under 200 bytes. */
#define ATTR_MAX ((size_t)4096)

/* Slots looked at per module: far above any real module (SoftHSM shows one
 * per token plus one free), and it bounds the allocation. */
#define SLOTS_MAX ((CK_ULONG)1024)

/* Largest signature a token may return: RSA-16384. */
#define SIG_MAX ((CK_ULONG)2048)

WARD_DEFINE_AUTO(EVP_PKEY *, EVP_PKEY_free)
WARD_DEFINE_AUTO(EVP_PKEY_CTX *, EVP_PKEY_CTX_free)
WARD_DEFINE_AUTO(OSSL_PARAM_BLD *, OSSL_PARAM_BLD_free)
WARD_DEFINE_AUTO(OSSL_PARAM *, OSSL_PARAM_free)
WARD_DEFINE_AUTO(BIGNUM *, BN_free)
WARD_DEFINE_AUTO(ECDSA_SIG *, ECDSA_SIG_free)

/* ---- errors ---- */

#define fail ward_err_clear_ssl

/* What a caller can do about a PKCS#11 return value. */
static int rv_code(CK_RV rv)
{
	switch (rv) {
	case CKR_HOST_MEMORY:
	case CKR_DEVICE_MEMORY:
		return WARD_ENOMEM;
	case CKR_PIN_INCORRECT:
	case CKR_PIN_INVALID:
	case CKR_PIN_LEN_RANGE:
	case CKR_PIN_EXPIRED:
	case CKR_PIN_LOCKED:
	case CKR_USER_NOT_LOGGED_IN:
		return WARD_EVERIFY;
	case CKR_GENERAL_ERROR:
	case CKR_FUNCTION_FAILED:
	case CKR_DEVICE_ERROR:
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_SESSION_CLOSED:
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_CRYPTOKI_NOT_INITIALIZED:
		return WARD_EIO;
	default:
		return WARD_EINVAL;
	}
}

/* "<what>: <p11-kit's text for rv>", with rv's code. */
static int __attribute__((format(printf, 3, 4)))
fail_rv(ward_error *err, CK_RV rv, const char *fmt, ...)
{
	int code = rv_code(rv);
	ERR_clear_error();
	if (!err)
		return code;
	char what[WARD_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n < 0)
		what[0] = '\0';
	const char *text = p11_kit_strerror(rv);
	return ward_err(err, code, "%s: %s (CKR 0x%lx)", what, text ? text : "error", (unsigned long)rv);
}

/* ---- modules and tokens ---- */

/* The modules searched: a NULL-terminated malloc'd array of initialised
 * modules.  keep (the one a key holds on to) is not finalised on close. */
struct modset {
	CK_FUNCTION_LIST **mods;
	CK_FUNCTION_LIST *keep;
};

static void module_close(CK_FUNCTION_LIST *m)
{
	p11_kit_module_finalize(m);
	p11_kit_module_release(m);
}

static inline void ward_auto_modset_close(struct modset *ms)
{
	if (!ms->mods)
		return;
	for (size_t i = 0; ms->mods[i]; i++)
		if (ms->mods[i] != ms->keep)
			module_close(ms->mods[i]);
	free(ms->mods);
	ms->mods = NULL;
}

static int module_by_path(struct modset *ms, const char *path, ward_error *err)
{
	ms->mods = calloc(2, sizeof(*ms->mods));
	if (!ms->mods)
		return fail(err, WARD_ENOMEM, "pkcs11: out of memory");
	CK_FUNCTION_LIST *m = p11_kit_module_load(path, 0);
	if (!m) {
		if (access(path, F_OK) != 0)
			return fail(err, WARD_ENOTFOUND, "pkcs11 module \"%.200s\": no such file", path);
		const char *why = p11_kit_message();
		return fail(err, WARD_EINVAL, "pkcs11 module \"%.200s\": cannot be loaded: %.120s", path,
			    why ? why : "not a PKCS#11 module");
	}
	CK_RV rv = p11_kit_module_initialize(m);
	if (rv != CKR_OK) {
		p11_kit_module_release(m);
		return fail_rv(err, rv, "pkcs11 module \"%.200s\": C_Initialize failed", path);
	}
	ms->mods[0] = m;
	return 0;
}

/* The modules registered with p11-kit (its configuration), or the one
 * registered under name.  Modules that fail to initialise are dropped: a
 * broken smart-card driver must not keep a working token from signing. */
static int modules_registered(struct modset *ms, const char *name, ward_error *err)
{
	CK_FUNCTION_LIST **all = p11_kit_modules_load(NULL, 0);
	if (!all) {
		const char *why = p11_kit_message();
		return fail(err, WARD_EIO, "pkcs11: cannot load the p11-kit registered modules: %.120s",
			    why ? why : "unknown error");
	}
	size_t n = 0;
	CK_RV last = CKR_OK;
	for (size_t i = 0; all[i]; i++) {
		CK_FUNCTION_LIST *m = all[i];
		bool wanted = true;
		if (name) {
			char *mname = p11_kit_module_get_name(m);
			wanted = mname && strcmp(mname, name) == 0;
			free(mname);
		}
		if (!wanted) {
			p11_kit_module_release(m);
			continue;
		}
		CK_RV rv = p11_kit_module_initialize(m);
		if (rv != CKR_OK) {
			last = rv;
			p11_kit_module_release(m);
			continue;
		}
		all[n++] = m;
	}
	all[n] = NULL;
	ms->mods = all;
	if (n == 0 && last != CKR_OK)
		return fail_rv(err, last, "pkcs11 module \"%.64s\": C_Initialize failed",
			       name ? name : "(registered)");
	if (n == 0 && name)
		return fail(err, WARD_ENOTFOUND, "pkcs11: no module named \"%.64s\" is registered with p11-kit",
			    name);
	if (n == 0)
		return fail(err, WARD_ENOTFOUND, "pkcs11: no module is registered with p11-kit");
	return 0;
}

/* A blank-padded CK_TOKEN_INFO field equals want. */
static bool field_is(const unsigned char *field, size_t max, const char *want)
{
	if (!want)
		return true;
	size_t len = p11_kit_space_strlen(field, max);
	return len == strlen(want) && memcmp(field, want, len) == 0;
}

/* A printable copy of a label for messages (labels are token data). */
static void printable(char *out, size_t cap, const void *in, size_t len)
{
	const unsigned char *s = in;
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < cap; i++)
		out[n++] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' ? (char)s[i] : '?';
	out[n] = '\0';
}

struct pkcs11_key {
	CK_FUNCTION_LIST *module;
	CK_SLOT_ID slot;
	CK_FLAGS token_flags;
	CK_SESSION_HANDLE session;
	bool has_session;
	CK_OBJECT_HANDLE priv;
	CK_OBJECT_HANDLE pub; /* the matching public key object, once found */
	bool has_pub;
	CK_KEY_TYPE type;
	CK_MECHANISM_TYPE mech;
	const struct curve *curve; /* CKK_EC only */
	uint8_t *id;               /* CKA_ID and CKA_LABEL of the private key */
	size_t id_len;
	char *label;
	size_t label_len;
	bool always_auth;
	char *pin; /* secure heap; only for always_auth keys */
	size_t pin_len;
	pthread_mutex_t lock;
	bool has_lock;
	char token[40];
	char name[120]; /* "pkcs11 key \"token/label\"" for messages */
};

/* Finds the one initialised token the URI selects among all slots. */
static int token_find(pkcs11_key *k, struct modset *ms, const pkcs11_uri *u, ward_error *err)
{
	size_t matches = 0;
	for (size_t i = 0; ms->mods && ms->mods[i]; i++) {
		CK_FUNCTION_LIST *m = ms->mods[i];
		CK_ULONG count = 0;
		if (m->C_GetSlotList(CK_TRUE, NULL, &count) != CKR_OK || count == 0)
			continue;
		if (count > SLOTS_MAX)
			count = SLOTS_MAX;
		CK_ULONG cap = count;
		WARD_AUTO(free) CK_SLOT_ID *slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return fail(err, WARD_ENOMEM, "pkcs11: out of memory");
		/* A module whose slots changed in between (or that has more than
		 * SLOTS_MAX) answers CKR_BUFFER_TOO_SMALL and is passed over. */
		if (m->C_GetSlotList(CK_TRUE, slots, &count) != CKR_OK)
			continue;
		if (count > cap)
			count = cap;
		for (CK_ULONG s = 0; s < count; s++) {
			CK_TOKEN_INFO info;
			if (m->C_GetTokenInfo(slots[s], &info) != CKR_OK)
				continue;
			/* SoftHSM, among others, shows a free uninitialised token. */
			if (!(info.flags & CKF_TOKEN_INITIALIZED))
				continue;
			if (!field_is(info.label, sizeof(info.label), u->token) ||
			    !field_is(info.manufacturerID, sizeof(info.manufacturerID), u->manufacturer) ||
			    !field_is(info.serialNumber, sizeof(info.serialNumber), u->serial) ||
			    !field_is(info.model, sizeof(info.model), u->model))
				continue;
			if (matches++ == 0) {
				k->module = m;
				k->slot = slots[s];
				k->token_flags = info.flags;
				printable(k->token, sizeof(k->token), info.label,
					  p11_kit_space_strlen(info.label, sizeof(info.label)));
			}
		}
	}
	if (matches == 0) {
		k->module = NULL;
		if (u->token)
			return fail(err, WARD_ENOTFOUND, "pkcs11: no token labelled \"%.32s\" matches the URI",
				    u->token);
		return fail(err, WARD_ENOTFOUND, "pkcs11: no initialised token matches the URI");
	}
	if (matches > 1) {
		k->module = NULL;
		return fail(err, WARD_EINVAL,
			    "pkcs11: %zu tokens match the URI; name one with token=, serial= or module-path=",
			    matches);
	}
	ms->keep = k->module;
	return 0;
}

static int session_login(pkcs11_key *k, pkcs11_pin *pin, ward_error *err)
{
	CK_RV rv = k->module->C_OpenSession(k->slot, CKF_SERIAL_SESSION, NULL, NULL, &k->session);
	if (rv != CKR_OK)
		return fail_rv(err, rv, "pkcs11 token \"%s\": cannot open a session", k->token);
	k->has_session = true;
	if (pin->set)
		rv = k->module->C_Login(k->session, CKU_USER, (CK_UTF8CHAR *)pin->buf, pin->len);
	else if (k->token_flags & CKF_PROTECTED_AUTHENTICATION_PATH)
		rv = k->module->C_Login(k->session, CKU_USER, NULL, 0); /* PIN pad */
	else if (k->token_flags & CKF_LOGIN_REQUIRED)
		return fail(err, WARD_EINVAL,
			    "pkcs11 token \"%s\": a PIN is required (pin-value or pin-source in the URI, or given)",
			    k->token);
	/* Login is per process and token: another key of ours may have done
	 * it already. */
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		return fail_rv(err, rv, "pkcs11 token \"%s\": login refused", k->token);
	return 0;
}

/* Up to two objects matching tmpl (two tell "ambiguous"). */
static int objects_find(pkcs11_key *k, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE found[2],
			CK_ULONG *count, ward_error *err)
{
	CK_RV rv = k->module->C_FindObjectsInit(k->session, tmpl, n);
	if (rv != CKR_OK)
		return fail_rv(err, rv, "pkcs11 token \"%s\": cannot search objects", k->token);
	rv = k->module->C_FindObjects(k->session, found, 2, count);
	CK_RV rv2 = k->module->C_FindObjectsFinal(k->session);
	if (rv == CKR_OK)
		rv = rv2;
	if (rv != CKR_OK)
		return fail_rv(err, rv, "pkcs11 token \"%s\": cannot search objects", k->token);
	return 0;
}

/* Reads one attribute into a malloc'd buffer (NUL-terminated, not counted
 * in *len).  WARD_ENOTFOUND, without touching err, if the object does not
 * have it or keeps it secret. */
static int attr_read(pkcs11_key *k, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type, uint8_t **out,
		     size_t *len, ward_error *err)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_RV rv = k->module->C_GetAttributeValue(k->session, obj, &a, 1);
	if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE ||
	    a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return WARD_ENOTFOUND;
	if (rv != CKR_OK)
		return fail_rv(err, rv, "%s: cannot read attribute 0x%lx", k->name, (unsigned long)type);
	if (a.ulValueLen > ATTR_MAX)
		return fail(err, WARD_ELIMIT, "%s: attribute 0x%lx exceeds %zu bytes", k->name,
			    (unsigned long)type, ATTR_MAX);
	WARD_AUTO(free) uint8_t *v = malloc(a.ulValueLen + 1);
	if (!v)
		return fail(err, WARD_ENOMEM, "%s: out of memory", k->name);
	CK_ULONG cap = a.ulValueLen;
	a.pValue = v;
	rv = k->module->C_GetAttributeValue(k->session, obj, &a, 1);
	if (rv != CKR_OK || a.ulValueLen > cap)
		return fail_rv(err, rv == CKR_OK ? CKR_GENERAL_ERROR : rv,
			       "%s: cannot read attribute 0x%lx", k->name, (unsigned long)type);
	v[a.ulValueLen] = 0;
	*len = a.ulValueLen;
	*out = WARD_TAKE_PTR(v);
	return 0;
}

/* The public key object beside the private key: same CKA_ID, or the same
 * CKA_LABEL when the key has no ID (as pkcs11-tool and p11tool pair them). */
static int public_object(pkcs11_key *k, ward_error *err)
{
	if (k->has_pub)
		return 0;
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE tmpl[3] = { { CKA_CLASS, &cls, sizeof(cls) },
				 { CKA_KEY_TYPE, &k->type, sizeof(k->type) } };
	if (k->id_len)
		tmpl[2] = (CK_ATTRIBUTE){ CKA_ID, k->id, k->id_len };
	else if (k->label_len)
		tmpl[2] = (CK_ATTRIBUTE){ CKA_LABEL, k->label, k->label_len };
	else
		return fail(err, WARD_ENOTFOUND, "%s: the key has neither ID nor label to find its public key by",
			    k->name);
	CK_OBJECT_HANDLE found[2];
	CK_ULONG count = 0;
	int rc = objects_find(k, tmpl, 3, found, &count, err);
	if (rc)
		return rc;
	if (count == 0)
		return fail(err, WARD_ENOTFOUND, "%s: no public key object with the same %s", k->name,
			    k->id_len ? "ID" : "label");
	if (count > 1)
		return fail(err, WARD_EINVAL, "%s: several public key objects share its %s", k->name,
			    k->id_len ? "ID" : "label");
	k->pub = found[0];
	k->has_pub = true;
	return 0;
}

/* An attribute of the key pair: from the private key object if it has it
 * (RSA keys carry their modulus), else from the public key object. */
static int pair_attr(pkcs11_key *k, CK_ATTRIBUTE_TYPE type, const char *what, uint8_t **out,
		     size_t *len, ward_error *err)
{
	int rc = attr_read(k, k->priv, type, out, len, err);
	if (rc != WARD_ENOTFOUND)
		return rc;
	if ((rc = public_object(k, err)))
		return rc;
	rc = attr_read(k, k->pub, type, out, len, err);
	if (rc == WARD_ENOTFOUND)
		return fail(err, rc, "%s: the token does not show its %s", k->name, what);
	return rc;
}

/* ---- the key and its public half ---- */

/* Named curves by their DER OID in CKA_EC_PARAMS: the two TUF signs with. */
static const uint8_t OID_P256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t OID_P384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };

static const struct curve {
	const uint8_t *oid;
	size_t oid_len;
	const char *group; /* OpenSSL's name */
	const char *md;    /* the scheme's digest, computed here for CKM_ECDSA */
	size_t coord;      /* bytes per coordinate: r||s is twice this */
} CURVES[] = {
	{ OID_P256, sizeof(OID_P256), "prime256v1", "SHA256", 32 },
	{ OID_P384, sizeof(OID_P384), "secp384r1", "SHA384", 48 },
};

/* Ed25519's CKA_EC_PARAMS: PKCS#11 3.0 allows the OID 1.3.101.112 or the
 * PrintableString "edwards25519" (what SoftHSM 2.6 writes). */
static const uint8_t ED25519_OID[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const uint8_t ED25519_NAME[] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's',
					'2',  '5',  '5', '1', '9' };

static bool bytes_are(const uint8_t *v, size_t len, const uint8_t *want, size_t wlen)
{
	return len == wlen && memcmp(v, want, wlen) == 0;
}

/* CKA_EC_POINT is a DER OCTET STRING around the point (PKCS#11); a few
 * tokens give the bare point.  Either, of exactly want bytes. */
static const uint8_t *point_unwrap(const uint8_t *v, size_t len, size_t want)
{
	if (want < 128 && len == want + 2 && v[0] == 0x04 && v[1] == want)
		return v + 2;
	if (len == want)
		return v;
	return NULL;
}

static int ec_public(pkcs11_key *k, EVP_PKEY **out, ward_error *err)
{
	WARD_AUTO(free) uint8_t *params = NULL;
	WARD_AUTO(free) uint8_t *point = NULL;
	size_t plen = 0, qlen = 0;
	int rc = pair_attr(k, CKA_EC_PARAMS, "curve (CKA_EC_PARAMS)", &params, &plen, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < WARD_ARRAY_LEN(CURVES) && !k->curve; i++)
		if (bytes_are(params, plen, CURVES[i].oid, CURVES[i].oid_len))
			k->curve = &CURVES[i];
	if (!k->curve)
		return fail(err, WARD_EINVAL, "%s: EC key on a curve other than P-256 or P-384", k->name);
	if ((rc = pair_attr(k, CKA_EC_POINT, "public point (CKA_EC_POINT)", &point, &qlen, err)))
		return rc;
	size_t want = 2 * k->curve->coord + 1;
	const uint8_t *raw = point_unwrap(point, qlen, want);
	if (!raw || raw[0] != 0x04)
		return fail(err, WARD_EINVAL, "%s: CKA_EC_POINT is not an uncompressed point on %s",
			    k->name, k->curve->group);

	WARD_AUTO(OSSL_PARAM_BLD_free) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, k->curve->group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, raw, want))
		return ward_err_openssl(err, WARD_ENOMEM, "pkcs11: cannot build EC parameters");
	WARD_AUTO(OSSL_PARAM_free) OSSL_PARAM *ossl = OSSL_PARAM_BLD_to_param(bld);
	WARD_AUTO(EVP_PKEY_CTX_free) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ossl || !ctx || EVP_PKEY_fromdata_init(ctx) != 1)
		return ward_err_openssl(err, WARD_ENOMEM, "pkcs11: cannot build an EC key");
	EVP_PKEY *pkey = NULL;
	if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, ossl) != 1 || !pkey)
		return ward_err_openssl(err, WARD_EINVAL, "pkcs11: CKA_EC_POINT is not on the curve");
	*out = pkey;
	return 0;
}

static int ed25519_public(pkcs11_key *k, EVP_PKEY **out, ward_error *err)
{
	WARD_AUTO(free) uint8_t *params = NULL;
	WARD_AUTO(free) uint8_t *point = NULL;
	size_t plen = 0, qlen = 0;
	int rc = pair_attr(k, CKA_EC_PARAMS, "curve (CKA_EC_PARAMS)", &params, &plen, err);
	if (rc)
		return rc;
	if (!bytes_are(params, plen, ED25519_OID, sizeof(ED25519_OID)) &&
	    !bytes_are(params, plen, ED25519_NAME, sizeof(ED25519_NAME)))
		return fail(err, WARD_EINVAL, "%s: Edwards key that is not Ed25519", k->name);
	if ((rc = pair_attr(k, CKA_EC_POINT, "public key (CKA_EC_POINT)", &point, &qlen, err)))
		return rc;
	const uint8_t *raw = point_unwrap(point, qlen, 32);
	if (!raw)
		return fail(err, WARD_EINVAL, "%s: CKA_EC_POINT is not a 32-byte Ed25519 key", k->name);
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, raw, 32);
	if (!pkey)
		return ward_err_openssl(err, WARD_EINVAL, "pkcs11: not an Ed25519 public key");
	*out = pkey;
	return 0;
}

static int rsa_public(pkcs11_key *k, EVP_PKEY **out, ward_error *err)
{
	WARD_AUTO(free) uint8_t *n = NULL;
	WARD_AUTO(free) uint8_t *e = NULL;
	size_t nlen = 0, elen = 0;
	int rc = pair_attr(k, CKA_MODULUS, "modulus (CKA_MODULUS)", &n, &nlen, err);
	if (rc)
		return rc;
	if ((rc = pair_attr(k, CKA_PUBLIC_EXPONENT, "public exponent (CKA_PUBLIC_EXPONENT)", &e,
			    &elen, err)))
		return rc;
	if (nlen == 0 || nlen > SIG_MAX || elen == 0 || elen > 8)
		return fail(err, WARD_EINVAL, "%s: RSA modulus or exponent of an unusable size", k->name);
	WARD_AUTO(BN_free) BIGNUM *bn_n = BN_bin2bn(n, (int)nlen, NULL);
	WARD_AUTO(BN_free) BIGNUM *bn_e = BN_bin2bn(e, (int)elen, NULL);
	WARD_AUTO(OSSL_PARAM_BLD_free) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	if (!bn_n || !bn_e || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
		return ward_err_openssl(err, WARD_ENOMEM, "pkcs11: cannot build RSA parameters");
	WARD_AUTO(OSSL_PARAM_free) OSSL_PARAM *ossl = OSSL_PARAM_BLD_to_param(bld);
	WARD_AUTO(EVP_PKEY_CTX_free) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!ossl || !ctx || EVP_PKEY_fromdata_init(ctx) != 1)
		return ward_err_openssl(err, WARD_ENOMEM, "pkcs11: cannot build an RSA key");
	EVP_PKEY *pkey = NULL;
	if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, ossl) != 1 || !pkey)
		return ward_err_openssl(err, WARD_EINVAL, "pkcs11: not an RSA public key");
	*out = pkey;
	return 0;
}

/* The one private key the URI selects, its type, ID and label. */
static int key_find(pkcs11_key *k, const pkcs11_uri *u, ward_error *err)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[3] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_ULONG n = 1;
	if (u->object)
		tmpl[n++] = (CK_ATTRIBUTE){ CKA_LABEL, u->object, strlen(u->object) };
	if (u->has_id)
		tmpl[n++] = (CK_ATTRIBUTE){ CKA_ID, u->id, u->id_len };
	CK_OBJECT_HANDLE found[2];
	CK_ULONG count = 0;
	int rc = objects_find(k, tmpl, n, found, &count, err);
	if (rc)
		return rc;
	if (count == 0)
		return fail(err, WARD_ENOTFOUND, "pkcs11 token \"%s\": no private key %s%.64s%s", k->token,
			    u->object ? "labelled \"" : "matches the URI", u->object ? u->object : "",
			    u->object ? "\"" : "");
	if (count > 1)
		return fail(err, WARD_EINVAL,
			    "pkcs11 token \"%s\": several private keys match the URI; name one with object= or id=",
			    k->token);
	k->priv = found[0];

	CK_BBOOL always = CK_FALSE;
	CK_ATTRIBUTE a[2] = { { CKA_KEY_TYPE, &k->type, sizeof(k->type) },
			      { CKA_ALWAYS_AUTHENTICATE, &always, sizeof(always) } };
	CK_RV rv = k->module->C_GetAttributeValue(k->session, k->priv, a, 2);
	/* CKA_ALWAYS_AUTHENTICATE may be absent (false); CKA_KEY_TYPE may not. */
	if ((rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID) ||
	    a[0].ulValueLen != sizeof(k->type))
		return fail_rv(err, rv == CKR_OK ? CKR_GENERAL_ERROR : rv,
			       "pkcs11 token \"%s\": cannot read the key type", k->token);
	k->always_auth = a[1].ulValueLen == sizeof(always) && always == CK_TRUE;

	rc = attr_read(k, k->priv, CKA_ID, &k->id, &k->id_len, err);
	if (rc && rc != WARD_ENOTFOUND)
		return rc;
	rc = attr_read(k, k->priv, CKA_LABEL, (uint8_t **)&k->label, &k->label_len, err);
	if (rc && rc != WARD_ENOTFOUND)
		return rc;
	char label[64];
	if (k->label_len) {
		printable(label, sizeof(label), k->label, k->label_len);
	} else {
		/* No label: name the key by (the start of) its ID in hex. */
		hex_encode(label, k->id, k->id_len < 16 ? k->id_len : 16);
	}
	int w = snprintf(k->name, sizeof(k->name), "pkcs11 key \"%s/%s\"", k->token, label);
	if (w < 0 || (size_t)w >= sizeof(k->name))
		k->name[0] = '\0';
	return 0;
}

/* The mechanism for the key type, and a check that the token has it. */
static int mech_check(pkcs11_key *k, ward_error *err)
{
	const char *mname;
	switch (k->type) {
	case CKK_EC:
		k->mech = CKM_ECDSA;
		mname = "CKM_ECDSA";
		break;
	case CKK_EC_EDWARDS:
		k->mech = CKM_EDDSA;
		mname = "CKM_EDDSA (ed25519)";
		break;
	case CKK_RSA:
		k->mech = CKM_SHA256_RSA_PKCS_PSS;
		mname = "CKM_SHA256_RSA_PKCS_PSS";
		break;
	default:
		return fail(err, WARD_EINVAL, "%s: key type 0x%lx is not supported", k->name,
			    (unsigned long)k->type);
	}
	CK_MECHANISM_INFO info;
	CK_RV rv = k->module->C_GetMechanismInfo(k->slot, k->mech, &info);
	if (rv == CKR_MECHANISM_INVALID || (rv == CKR_OK && !(info.flags & CKF_SIGN)))
		return fail(err, WARD_EINVAL, "%s: the token cannot sign with %s", k->name, mname);
	if (rv != CKR_OK)
		return fail_rv(err, rv, "%s: cannot query %s", k->name, mname);
	return 0;
}

void pkcs11_key_free(pkcs11_key *k)
{
	if (!k)
		return;
	if (k->module) {
		if (k->has_session)
			k->module->C_CloseSession(k->session);
		module_close(k->module);
	}
	if (k->pin)
		OPENSSL_secure_clear_free(k->pin, k->pin_len + 1);
	if (k->has_lock)
		pthread_mutex_destroy(&k->lock);
	free(k->id);
	free(k->label);
	free(k);
}

int pkcs11_key_open(pkcs11_key **out, EVP_PKEY **public_key, const char *uri, const char *pin,
		    ward_error *err)
{
	if (!out || !public_key)
		return fail(err, WARD_EINVAL, "pkcs11: no output given");
	WARD_AUTO(pkcs11_uri_dispose) pkcs11_uri u = { 0 };
	int rc = pkcs11_uri_parse(&u, uri, err);
	if (rc)
		return rc;
	WARD_AUTO(pkcs11_pin_wipe) pkcs11_pin pw = { 0 };
	if ((rc = pkcs11_pin_resolve(&pw, &u, pin, err)))
		return rc;

	WARD_AUTO(pkcs11_key_free) pkcs11_key *k = calloc(1, sizeof(*k));
	if (!k)
		return fail(err, WARD_ENOMEM, "pkcs11: out of memory");
	if (pthread_mutex_init(&k->lock, NULL) != 0)
		return fail(err, WARD_ENOMEM, "pkcs11: cannot create a lock");
	k->has_lock = true;

	WARD_AUTO(modset_close) struct modset ms = { 0 };
	rc = u.module_path ? module_by_path(&ms, u.module_path, err)
			   : modules_registered(&ms, u.module_name, err);
	if (rc)
		return rc;
	if ((rc = token_find(k, &ms, &u, err)) || (rc = session_login(k, &pw, err)) ||
	    (rc = key_find(k, &u, err)) || (rc = mech_check(k, err)))
		return rc;

	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pub = NULL;
	if (k->type == CKK_EC)
		rc = ec_public(k, &pub, err);
	else if (k->type == CKK_EC_EDWARDS)
		rc = ed25519_public(k, &pub, err);
	else
		rc = rsa_public(k, &pub, err);
	if (rc)
		return rc;

	/* A key that wants the PIN before every signature keeps it, in memory
	 * that is locked and wiped when freed. */
	if (k->always_auth && pw.set) {
		k->pin = OPENSSL_secure_malloc(pw.len + 1);
		if (!k->pin)
			return fail(err, WARD_ENOMEM, "%s: out of memory", k->name);
		memcpy(k->pin, pw.buf, pw.len);
		k->pin[pw.len] = '\0';
		k->pin_len = pw.len;
	}
	ERR_clear_error();
	*public_key = WARD_TAKE_PTR(pub);
	*out = WARD_TAKE_PTR(k);
	return 0;
}

/* ---- signing ---- */

/* One C_SignInit/C_Sign on the token; the caller holds k->lock.  *out is
 * malloc'd. */
static int sign_locked(pkcs11_key *k, CK_MECHANISM *mech, const uint8_t *data, size_t len,
		       uint8_t **out, size_t *outlen, ward_error *err)
{
	CK_FUNCTION_LIST *m = k->module;
	/* C_Sign takes its input through a non-const pointer it never writes. */
	CK_BYTE *in = (CK_BYTE *)(uintptr_t)data;
	CK_RV rv = m->C_SignInit(k->session, mech, k->priv);
	if (rv != CKR_OK)
		return fail_rv(err, rv, "%s: C_SignInit failed", k->name);
	if (k->always_auth) {
		rv = m->C_Login(k->session, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR *)k->pin, k->pin_len);
		if (rv != CKR_OK)
			return fail_rv(err, rv, "%s: per-signature login refused", k->name);
	}
	/* The length query leaves the operation active; the second call, made
	 * whenever the first succeeds, ends it. */
	CK_ULONG siglen = 0;
	rv = m->C_Sign(k->session, in, len, NULL, &siglen);
	if (rv != CKR_OK)
		return fail_rv(err, rv, "%s: C_Sign failed", k->name);
	CK_ULONG cap = siglen && siglen <= SIG_MAX ? siglen : SIG_MAX;
	WARD_AUTO(free) uint8_t *sig = malloc(cap);
	if (!sig)
		return fail(err, WARD_ENOMEM, "%s: out of memory", k->name);
	siglen = cap;
	rv = m->C_Sign(k->session, in, len, sig, &siglen);
	if (rv != CKR_OK)
		return fail_rv(err, rv, "%s: C_Sign failed", k->name);
	*outlen = siglen;
	*out = WARD_TAKE_PTR(sig);
	return 0;
}

/* PKCS#11 ECDSA signatures are r||s, each coord bytes; TUF's are DER. */
static int ecdsa_to_der(pkcs11_key *k, const uint8_t *raw, size_t len, ward_buf *sig,
			ward_error *err)
{
	size_t coord = k->curve->coord;
	if (len != 2 * coord)
		return fail(err, WARD_EINVAL, "%s: the token returned an ECDSA signature of %zu bytes",
			    k->name, len);
	WARD_AUTO(ECDSA_SIG_free) ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)coord, NULL);
	BIGNUM *s = BN_bin2bn(raw + coord, (int)coord, NULL);
	if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		return ward_err_openssl(err, WARD_ENOMEM, "pkcs11: cannot encode the ECDSA signature");
	}
	uint8_t der[160]; /* DER of two 48-byte integers is at most 104 bytes */
	uint8_t *p = der;
	int dlen = i2d_ECDSA_SIG(es, NULL);
	if (dlen <= 0 || (size_t)dlen > sizeof(der) || i2d_ECDSA_SIG(es, &p) != dlen)
		return ward_err_openssl(err, WARD_EINVAL, "pkcs11: cannot encode the ECDSA signature");
	int rc = buf_append(sig, der, (size_t)dlen);
	if (rc)
		return fail(err, rc, "%s: signature does not fit the buffer", k->name);
	return 0;
}

int pkcs11_key_sign(pkcs11_key *k, const uint8_t *msg, size_t msglen, ward_buf *sig,
		    ward_error *err)
{
	static const uint8_t empty[1];
	if (!k || !sig || (!msg && msglen))
		return fail(err, WARD_EINVAL, "pkcs11: nothing to sign");
	if (!msg)
		msg = empty;
	const uint8_t *data = msg;
	size_t len = msglen;
	uint8_t digest[EVP_MAX_MD_SIZE];
	CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	CK_MECHANISM mech = { k->mech, NULL, 0 };
	if (k->type == CKK_EC) {
		/* CKM_ECDSA signs a digest; the scheme's hash is ours to compute. */
		if (EVP_Q_digest(NULL, k->curve->md, NULL, msg, msglen, digest, &len) != 1)
			return ward_err_openssl(err, WARD_ENOMEM, "pkcs11: cannot hash the message");
		data = digest;
	} else if (k->type == CKK_RSA) {
		/* Salt of the digest length, as crypto_signer signs with a key file. */
		mech.pParameter = &pss;
		mech.ulParameterLen = sizeof(pss);
	}
	WARD_AUTO(free) uint8_t *raw = NULL;
	size_t rawlen = 0;
	pthread_mutex_lock(&k->lock);
	int rc = sign_locked(k, &mech, data, len, &raw, &rawlen, err);
	pthread_mutex_unlock(&k->lock);
	if (rc)
		return rc;
	if (k->type == CKK_EC)
		return ecdsa_to_der(k, raw, rawlen, sig, err);
	rc = buf_append(sig, raw, rawlen);
	if (rc)
		return fail(err, rc, "%s: signature does not fit the buffer", k->name);
	return 0;
}
