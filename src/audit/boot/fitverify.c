/*
 * fitverify.c - the key side of SB-06's signature check: the control DTBs
 * of the run, their /signature/key-* RSA and ECDSA keys, and the verdict on each FIT
 * once every input is read (audit_boot_finish).  The policy is U-Boot's
 * (boot/image-fit-sig.c, lib/rsa/rsa-verify.c):
 *  - every key with required = "conf" must verify one signature-* node of
 *    each configuration; with /signature required-mode = "any", one
 *    required key is enough;
 *  - with a key required = "image", each image a configuration loads needs
 *    a signature-* node that some key verifies (the key-name-hint's key
 *    first, then any other);
 *  - RSA: the key's algo must be the signature's, the signature exactly as
 *    long as the key, PKCS#1 v1.5 or PSS padding;
 *  - ECDSA (lib/ecdsa/ecdsa-verify.c): ecdsa256 on prime256v1 only, the
 *    key's algo not read, the signature r||s of 32 bytes each.
 * A FIT passes when one control DTB of the run accepts it: SPL's and U-Boot
 * proper's verify different FITs.  When no key is required U-Boot checks
 * nothing (SB-05 says so); the signatures are then tried against every key,
 * which tells whether requiring that key would still boot this FIT.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "audit/boot/fit.h"

WARD_DEFINE_AUTO(EVP_PKEY *, EVP_PKEY_free)
WARD_DEFINE_AUTO(EVP_PKEY_CTX *, EVP_PKEY_CTX_free)

/* The core keeps the state in its context (audit.c).  A program that links
 * the boot checks without the core -- a test double, a fuzz target -- gets
 * this stand-in: no state, so no check across inputs. */
__attribute__((weak)) audit_boot_state **audit_ctx_boot_state(audit_ctx *a)
{
	(void)a;
	return NULL;
}

static void setf(char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void setf(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
	if (r < 0)
		out[0] = '\0'; /* cut when too long: fine for a reason */
}

int fit_state(audit_ctx *a, audit_boot_state **out)
{
	audit_boot_state **slot = audit_ctx_boot_state(a);
	*out = NULL;
	if (!slot)
		return 0;
	if (!*slot) {
		*slot = calloc(1, sizeof(**slot));
		if (!*slot)
			return WARD_ENOMEM;
		buf_init(&(*slot)->units, (size_t)BOOT_FIT_MAX_UNITS * sizeof(fit_unit));
	}
	*out = *slot;
	return 0;
}

void audit_boot_state_free(audit_boot_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nctl; i++)
		free(st->ctl[i].fdt);
	buf_dispose(&st->units);
	free(st);
}

const EVP_MD *fit_algo(const char *algo, size_t *sig_bytes, bool *ecdsa)
{
	static const struct {
		const char *name;
		size_t bytes;
		bool ecdsa;
	} crypto[] = {{"rsa2048", 256, false},
		      {"rsa3072", 384, false},
		      {"rsa4096", 512, false},
		      {"ecdsa256", 2 * 32, true}};
	const char *comma = strchr(algo, ',');
	if (!comma)
		return NULL;
	size_t hl = (size_t)(comma - algo);
	const EVP_MD *md = hl == 4 && strncmp(algo, "sha1", 4) == 0     ? EVP_sha1()
			   : hl == 6 && strncmp(algo, "sha256", 6) == 0 ? EVP_sha256()
			   : hl == 6 && strncmp(algo, "sha384", 6) == 0 ? EVP_sha384()
			   : hl == 6 && strncmp(algo, "sha512", 6) == 0 ? EVP_sha512()
									: NULL;
	for (size_t i = 0; md && i < WARD_ARRAY_LEN(crypto); i++)
		if (strcmp(comma + 1, crypto[i].name) == 0) {
			*sig_bytes = crypto[i].bytes;
			*ecdsa = crypto[i].ecdsa;
			return md;
		}
	return NULL; /* ecdsa384 and others: not in U-Boot 2023.01 */
}

int boot_fit_control(audit_ctx *a, const char *where, const void *fdt, ward_error *err)
{
	audit_boot_state *st;
	if (fit_state(a, &st))
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", where);
	if (!st)
		return 0;
	size_t size = fdt_totalsize(fdt);
	if (st->nctl >= BOOT_FIT_MAX_CTL || size > BOOT_FIT_CTL_MAX_SIZE) {
		st->dropped = true;
		return 0;
	}
	uint8_t *copy = malloc(size);
	if (!copy)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", where);
	memcpy(copy, fdt, size);
	fit_ctl *c = &st->ctl[st->nctl++];
	c->fdt = copy;
	setf(c->where, sizeof(c->where), "%s", where);
	return 0;
}

EVP_PKEY *boot_fit_rsa_key(const void *ctl, int key, char *why, size_t whylen)
{
	int bl, ml, el;
	const fdt32_t *nb = fdt_getprop(ctl, key, "rsa,num-bits", &bl);
	const uint8_t *mod = fdt_getprop(ctl, key, "rsa,modulus", &ml);
	const uint8_t *exp = fdt_getprop(ctl, key, "rsa,exponent", &el);
	uint32_t bits = nb && bl >= 4 ? fdt32_to_cpu(*nb) : 0;
	if (!bits || !mod || !fdt_getprop(ctl, key, "rsa,r-squared", NULL)) {
		setf(why, whylen, "the key lacks rsa,num-bits, rsa,modulus or rsa,r-squared");
		return NULL;
	}
	if (bits % 32 || bits > BOOT_FIT_SIG_MAX * 8 || ml < 0 || (size_t)ml < bits / 8) {
		setf(why, whylen, "the key's rsa,num-bits (%u) does not fit its rsa,modulus", bits);
		return NULL;
	}
	/* a 64-bit big-endian cell pair; U-Boot takes 65537 when shorter */
	uint8_t e[8] = {0, 0, 0, 0, 0, 1, 0, 1};
	if (exp && el >= 8)
		memcpy(e, exp, 8);
	size_t skip = 0;
	while (skip < 7 && e[skip] == 0)
		skip++;
	EVP_PKEY *k = boot_rsa_from_ne(mod, bits / 8, e + skip, 8 - skip);
	if (!k)
		setf(why, whylen, "the key is not a valid RSA public key");
	return k;
}

EVP_PKEY *boot_fit_ec_key(const void *ctl, int key, char *why, size_t whylen)
{
	const char *curve = fit_prop_str(ctl, key, "ecdsa,curve");
	if (!curve || strcmp(curve, "prime256v1") != 0) {
		setf(why, whylen, "the key's ecdsa,curve is %s%s%s, U-Boot knows only prime256v1",
		     curve ? "\"" : "", curve ? curve : "missing", curve ? "\"" : "");
		return NULL;
	}
	enum { PB = 32 };
	int xl, yl;
	const uint8_t *x = fdt_getprop(ctl, key, "ecdsa,x-point", &xl);
	const uint8_t *y = fdt_getprop(ctl, key, "ecdsa,y-point", &yl);
	if (!x || !y || xl != PB || yl != PB) {
		setf(why, whylen, "the key's ecdsa,x-point and ecdsa,y-point are not %d bytes each", PB);
		return NULL;
	}
	uint8_t pub[1 + 2 * PB];
	pub[0] = 0x04; /* uncompressed */
	memcpy(pub + 1, x, PB);
	memcpy(pub + 1 + PB, y, PB);
	char group[] = "prime256v1";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY *k = NULL;
	WARD_AUTO(EVP_PKEY_CTX_free) EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!c || EVP_PKEY_fromdata_init(c) <= 0 ||
	    EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		EVP_PKEY_free(k);
		k = NULL;
		setf(why, whylen, "the key's point is not on prime256v1");
	}
	ERR_clear_error();
	return k;
}

/* r||s, half bytes each, re-encoded as the DER OpenSSL verifies. */
static bool ecdsa_verifies(const fit_sigrec *s, EVP_PKEY *pk, size_t sb)
{
	size_t half = sb / 2;
	BIGNUM *r = BN_bin2bn(s->value, (int)half, NULL);
	BIGNUM *sv = BN_bin2bn(s->value + half, (int)half, NULL);
	ECDSA_SIG *es = ECDSA_SIG_new();
	uint8_t *der = NULL;
	int dl = -1;
	if (r && sv && es && ECDSA_SIG_set0(es, r, sv) == 1) {
		r = sv = NULL; /* es owns them */
		dl = i2d_ECDSA_SIG(es, &der);
	}
	BN_free(r);
	BN_free(sv);
	ECDSA_SIG_free(es);
	WARD_AUTO(EVP_PKEY_CTX_free) EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	bool ok = dl > 0 && c && EVP_PKEY_verify_init(c) > 0 &&
		  EVP_PKEY_verify(c, der, (size_t)dl, s->digest, s->dlen) == 1;
	OPENSSL_free(der);
	ERR_clear_error();
	return ok;
}

/* RSA with s's padding (PKCS#1 v1.5, or PSS with any salt) and digest. */
static bool rsa_verifies(const fit_sigrec *s, EVP_PKEY *pk, const EVP_MD *md)
{
	WARD_AUTO(EVP_PKEY_CTX_free) EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	bool ok = c && EVP_PKEY_verify_init(c) > 0 &&
		  EVP_PKEY_CTX_set_rsa_padding(c, s->pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) > 0 &&
		  EVP_PKEY_CTX_set_signature_md(c, md) > 0 &&
		  (!s->pss || (EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_AUTO) > 0 &&
			       EVP_PKEY_CTX_set_rsa_mgf1_md(c, md) > 0)) &&
		  EVP_PKEY_verify(c, s->value, s->vlen, s->digest, s->dlen) == 1;
	ERR_clear_error();
	return ok;
}

/* U-Boot's ECDSA check (lib/ecdsa/ecdsa-verify.c): the key node's algo is
 * not read, the signature is r||s of 32 bytes each. */
static bool verify_ecdsa(const fit_sigrec *s, const void *ctl, int key, bool image, char *why,
			 size_t wl, size_t sb)
{
	char kwhy[96];
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pk = boot_fit_ec_key(ctl, key, kwhy, sizeof(kwhy));
	if (!pk) {
		setf(why, wl, "%s: %s", s->node, kwhy);
		return false;
	}
	if (s->vlen != sb) {
		setf(why, wl, "%s: a %zu-byte signature for %s, not %zu", s->node, s->vlen, s->algo,
		     sb);
		return false;
	}
	bool ok = ecdsa_verifies(s, pk, sb);
	if (!ok)
		setf(why, wl,
		     "%s: does not verify with %s (signed with another key, key-name-hint \"%s\", "
		     "or %s changed after signing)",
		     s->node, fdt_get_name(ctl, key, NULL), s->hint,
		     image ? "the image data" : "the configuration or a node it covers");
	return ok;
}

/* U-Boot's check of one signature with one key node.  On failure, why
 * says which of: not signable (s->bad), another algorithm, a malformed
 * key, the wrong length, another key, or data changed after signing. */
static bool verify_one(const fit_sigrec *s, const void *ctl, int key, bool image, char *why,
		       size_t wl)
{
	if (s->bad[0]) {
		setf(why, wl, "%s: %s", s->node, s->bad);
		return false;
	}
	size_t kb = 0;
	bool ecdsa = false;
	const EVP_MD *md = fit_algo(s->algo, &kb, &ecdsa);
	if (md && ecdsa)
		return verify_ecdsa(s, ctl, key, image, why, wl, kb);
	const char *kalgo = fit_prop_str(ctl, key, "algo");
	if (!kalgo || strcmp(kalgo, s->algo) != 0) {
		setf(why, wl, "%s is %s, the key %s", s->node, s->algo, kalgo ? kalgo : "has no algo");
		return false;
	}
	char kwhy[96];
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pk = md ? boot_fit_rsa_key(ctl, key, kwhy, sizeof(kwhy)) : NULL;
	if (!pk) {
		setf(why, wl, "%s: %s", s->node, md ? kwhy : "unsupported algo");
		return false;
	}
	if (s->vlen != kb || (size_t)EVP_PKEY_get_size(pk) != kb) {
		setf(why, wl, "%s: a %zu-byte signature, a %d-bit key, for %s", s->node, s->vlen,
		     EVP_PKEY_get_bits(pk), s->algo);
		return false;
	}
	if (rsa_verifies(s, pk, md))
		return true;
	/* Which failure: the raw RSA result still has the padding's shape when
	 * the key is right and only the digest differs. */
	uint8_t em[BOOT_FIT_SIG_MAX];
	size_t emlen = sizeof(em);
	WARD_AUTO(EVP_PKEY_CTX_free) EVP_PKEY_CTX *r = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	bool shaped = r && EVP_PKEY_verify_recover_init(r) > 0 &&
		      EVP_PKEY_CTX_set_rsa_padding(r, RSA_NO_PADDING) > 0 &&
		      EVP_PKEY_verify_recover(r, em, &emlen, s->value, s->vlen) > 0 && emlen == kb &&
		      (s->pss ? em[kb - 1] == 0xbc : em[0] == 0 && em[1] == 1 && em[2] == 0xff);
	ERR_clear_error();
	if (shaped)
		setf(why, wl, "%s: the key matches, but %s changed after signing", s->node,
		     image ? "the image data" : "the configuration or a node it covers");
	else
		setf(why, wl, "%s: signed with another key (key-name-hint \"%s\")", s->node, s->hint);
	return false;
}

/* U-Boot's search when no particular key is asked for: key-<hint> first,
 * then every key of /signature. */
static bool verify_any_key(const fit_unit *u, const void *ctl, int signode, char *why, size_t wl)
{
	why[0] = '\0';
	for (unsigned i = 0; i < u->nsig; i++) {
		const fit_sigrec *s = &u->sig[i];
		char kn[100], w[256];
		setf(kn, sizeof(kn), "key-%s", s->hint);
		int hk = s->hint[0] ? fdt_subnode_offset(ctl, signode, kn) : -1;
		if (hk >= 0 && verify_one(s, ctl, hk, u->is_image, w, sizeof(w)))
			return true;
		if (!why[0] && hk >= 0)
			setf(why, wl, "%s", w);
		else if (!why[0])
			setf(why, wl, "%s: the control DTB has no key named by key-name-hint \"%s\"",
			     s->node, s->hint);
		int k;
		fdt_for_each_subnode(k, ctl, signode) {
			if (k != hk && verify_one(s, ctl, k, u->is_image, w, sizeof(w)))
				return true;
		}
	}
	if (!u->nsig)
		setf(why, wl, "no signature node");
	return false;
}

typedef struct policy {
	int sig;                 /* /signature, or < 0 */
	bool keyed;              /* it has key nodes */
	bool req_conf, req_image;
	bool any_mode;           /* required-mode = "any" */
} policy;

static void get_policy(const void *ctl, policy *p)
{
	memset(p, 0, sizeof(*p));
	p->sig = fdt_subnode_offset(ctl, 0, "signature");
	if (p->sig < 0)
		return;
	const char *mode = fit_prop_str(ctl, p->sig, "required-mode");
	p->any_mode = mode && strcmp(mode, "any") == 0;
	int k;
	fdt_for_each_subnode(k, ctl, p->sig) {
		const char *req = fit_prop_str(ctl, k, "required");
		p->keyed = true;
		p->req_conf |= req && strcmp(req, "conf") == 0;
		p->req_image |= req && strcmp(req, "image") == 0;
	}
}

static void append(char *out, size_t outlen, const char *s)
{
	size_t used = strlen(out);
	if (used + 3 < outlen)
		setf(out + used, outlen - used, "%s%s", used ? "; " : "", s);
}

/* U-Boot's verdict on one configuration or image with one control DTB. */
static bool unit_passes(const fit_unit *u, const void *ctl, const policy *p, char *why, size_t wl)
{
	why[0] = '\0';
	if (u->is_image) {
		if (p->req_image && !u->nsig) {
			setf(why, wl, "no signature node, and the control DTB requires signed images");
			return false;
		}
		if (p->req_image || (!p->req_conf && u->nsig))
			return verify_any_key(u, ctl, p->sig, why, wl);
		return true;
	}
	if (!p->req_conf)
		return p->req_image || verify_any_key(u, ctl, p->sig, why, wl);
	int k;
	fdt_for_each_subnode(k, ctl, p->sig) {
		const char *req = fit_prop_str(ctl, k, "required");
		if (!req || strcmp(req, "conf") != 0)
			continue;
		char first[256] = "", w[256];
		bool ok = false;
		for (unsigned i = 0; i < u->nsig && !ok; i++) {
			ok = verify_one(&u->sig[i], ctl, k, false, w, sizeof(w));
			if (!ok && !first[0])
				setf(first, sizeof(first), "%s", w);
		}
		if (ok && p->any_mode)
			return true;
		if (ok)
			continue;
		char line[400];
		setf(line, sizeof(line), "required %s: %s", fdt_get_name(ctl, k, NULL), first);
		append(why, wl, line);
		if (!p->any_mode)
			return false;
	}
	return !p->any_mode;
}

/* The configurations and images of FIT [b, e) against every keyed control
 * DTB: nothing when one accepts it all, else each failure. */
/* Whether signature s verifies with pk as U-Boot would check it (RSA with
 * s's padding and digest; ECDSA P-256 from r||s), whatever key node a
 * control DTB has: for the denylist's keys. */
static bool sig_verifies(const fit_sigrec *s, EVP_PKEY *pk)
{
	size_t kb = 0;
	bool ecdsa = false;
	const EVP_MD *md = fit_algo(s->algo, &kb, &ecdsa);
	if (!md || s->bad[0] || s->unchecked || s->vlen != kb)
		return false;
	if (!ecdsa)
		return EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA && (size_t)EVP_PKEY_get_size(pk) == kb &&
		       rsa_verifies(s, pk, md);
	char group[32] = "";
	bool p256 = EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
		    EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) &&
		    strcmp(group, "prime256v1") == 0;
	ERR_clear_error();
	return p256 && ecdsa_verifies(s, pk, kb);
}

/* KEY-02, from the FIT's side: a signature that a denylisted key verifies
 * was made with that key's private half, so the U-Boot that boots this
 * FIT trusts a published (or the team's development) key.  Needs no
 * control DTB: the denylist carries the public keys.  Once per FIT. */
static void published_signer(audit_ctx *a, const fit_unit *u, size_t n)
{
	const boot_denykey *k;
	for (size_t i = 0; (k = boot_deny_at(a, i)) != NULL; i++) {
		const unsigned char *p = k->spki;
		WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pk = k->spki_len <= LONG_MAX ? d2i_PUBKEY(NULL, &p, (long)k->spki_len) : NULL;
		ERR_clear_error();
		if (!pk)
			continue;
		for (size_t j = 0; j < n; j++)
			for (unsigned s = 0; s < u[j].nsig; s++) {
				if (!sig_verifies(&u[j].sig[s], pk))
					continue;
				char loc[160];
				setf(loc, sizeof(loc), "%s/%s/%s", u[j].is_image ? "/images" : "/configurations",
				     u[j].name, u[j].sig[s].node);
				audit_report(a, "KEY-02", AUDIT_CRITICAL, AUDIT_PROCESS, AUDIT_OTA_BOOT, u[j].file,
					     loc,
					     "Generate a new signing key, rebuild U-Boot with its public half, "
					     "and re-sign every FIT.",
					     "the FIT is signed with the %s %s key from %s (%s): the U-Boot that "
					     "boots it trusts that key",
					     BOOT_DENY_ADJ(k), k->type, k->where, u[j].sig[s].algo);
				return;
			}
	}
}

static void judge_fit(audit_ctx *a, const audit_boot_state *st, const fit_unit *u, size_t n)
{
	published_signer(a, u, n);
	policy pol[BOOT_FIT_MAX_CTL];
	size_t keyed = 0;
	for (size_t c = 0; c < st->nctl; c++) {
		get_policy(st->ctl[c].fdt, &pol[c]);
		keyed += pol[c].keyed;
	}
	if (!keyed) {
		audit_report(a, "SB-06", AUDIT_INFO, AUDIT_BASIC, AUDIT_OTA_NA, u[0].file, NULL,
			     st->nctl ? "Give the control DTB that holds the signing keys."
				      : "Give the U-Boot binary (with its appended control DTB) or "
					"the control DTB in the same run.",
			     "FIT signatures not checked: %s",
			     st->nctl ? "no control DTB of the run holds a public key (SB-05)"
				      : "give the U-Boot binary or control DTB");
		return;
	}
	for (size_t i = 0; i < n; i++)
		for (unsigned s = 0; s < u[i].nsig; s++)
			if (u[i].sig[s].unchecked) {
				audit_report(a, "SB-06", AUDIT_INFO, AUDIT_BASIC, AUDIT_OTA_NA,
					     u[i].file, NULL, "Check the signature with fit_check_sign.",
					     "FIT signatures not checked: %s uses %s, which U-Boot "
					     "2023.01 does not have and ward does not verify", u[i].sig[s].node, u[i].sig[s].algo);
				return;
			}
	char why[1024];
	for (size_t c = 0; c < st->nctl; c++) {
		bool all = pol[c].keyed;
		for (size_t i = 0; all && i < n; i++)
			all = unit_passes(&u[i], st->ctl[c].fdt, &pol[c], why, sizeof(why));
		if (all)
			return;
	}
	for (size_t c = 0; c < st->nctl; c++) {
		if (!pol[c].keyed)
			continue;
		bool enforced = pol[c].req_conf || pol[c].req_image;
		for (size_t i = 0; i < n; i++) {
			if (unit_passes(&u[i], st->ctl[c].fdt, &pol[c], why, sizeof(why)))
				continue;
			char loc[160];
			setf(loc, sizeof(loc), "%s/%s", u[i].is_image ? "/images" : "/configurations",
			     u[i].name);
			audit_report(a, "SB-06", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_YES, u[i].file, loc,
				     "Sign the FIT with the key whose public half U-Boot holds "
				     "(mkimage -k KEYDIR -K u-boot.dtb -r), and ship no FIT that "
				     "fails to verify.",
				     "FIT %s %s does not verify with the control DTB %s: %s%s",
				     u[i].is_image ? "image" : "configuration", u[i].name,
				     st->ctl[c].where, why,
				     enforced ? "" : " (no key there is required, so U-Boot boots it "
						     "unchecked: SB-05)");
		}
	}
}

int audit_boot_finish(audit_ctx *a, ward_error *err)
{
	(void)err;
	audit_boot_state **slot = audit_ctx_boot_state(a);
	audit_boot_state *st = slot ? *slot : NULL;
	if (!st)
		return 0;
	const fit_unit *u = (const fit_unit *)(const void *)st->units.ptr;
	size_t n = st->units.len / sizeof(fit_unit);
	for (size_t b = 0; b < n;) {
		size_t e = b + 1;
		while (e < n && u[e].fit == u[b].fit)
			e++;
		judge_fit(a, st, u + b, e - b);
		b = e;
	}
	boot_optee_finish(a, st);
	if (st->dropped)
		audit_report(a, "SB-06", AUDIT_INFO, AUDIT_BASIC, AUDIT_OTA_NA, "", NULL,
			     "Audit the FITs and control DTBs in smaller runs.",
			     "more FIT signatures or control DTBs than one run keeps (%d, %d): "
			     "some were not checked", BOOT_FIT_MAX_UNITS, BOOT_FIT_MAX_CTL);
	audit_boot_state_free(st);
	*slot = NULL;
	return 0;
}
