/*
 * optee.c - OP-TEE trusted applications: who signed each TA (KEY-05) and
 * whether the OP-TEE that runs them trusts a published key while loading
 * TAs from the normal world's filesystem (SB-09).
 *
 * A TA as OP-TEE's scripts/sign_encrypt.py writes it starts with a signed
 * header (struct shdr, little-endian): magic "HSTO", image type, image
 * size, algorithm, hash size, signature size; then the SHA-256 of the
 * header and the image, and an RSA signature (PKCS#1 v1.5 or PSS) over that
 * hash.  Who signed is settled by verifying the signature with each key of
 * the denylist: the key either verifies it or not, no guessing from names.
 * The TA-verification key OP-TEE checks them with is compiled into tee.bin
 * as the raw modulus; the key detector finds it (keys.c) and reports it
 * here, and the verdict waits for the end of the run, when it is known
 * whether TAs ship on the filesystem.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "audit/boot/fit.h"
#include "util/bytes.h"

WARD_DEFINE_AUTO(EVP_PKEY *, EVP_PKEY_free)
WARD_DEFINE_AUTO(EVP_PKEY_CTX *, EVP_PKEY_CTX_free)
WARD_DEFINE_AUTO(EVP_MD_CTX *, EVP_MD_CTX_free)

#define SHDR_MAGIC 0x4f545348u /* "HSTO" */
#define SHDR_SIZE 20
#define SHDR_TA 0u
#define SHDR_BOOTSTRAP_TA 1u
#define SHDR_ENCRYPTED_TA 2u
#define SHDR_SUBKEY 3u
#define SHDR_BOOTSTRAP_SIZE 20 /* uuid[16], ta_version */
#define SHDR_ENC_SIZE 12       /* enc_algo, flags, iv_size, tag_size */
#define TEE_ALG_RSASSA_PKCS1_V1_5_SHA256 0x70004830u
#define TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256 0x70414930u
/* Largest signature read: RSA-8192. */
#define SHDR_SIG_MAX 1024

bool boot_is_ta(const uint8_t *data, size_t len)
{
	return len >= SHDR_SIZE && bytes_le32(data) == SHDR_MAGIC;
}

typedef struct shdr {
	uint32_t type, img_size, algo;
	size_t hash_size, sig_size;
	const uint8_t *hash, *sig;
	size_t body; /* offset of what follows the signature */
} shdr;

static int parse(const char *file, const uint8_t *d, size_t len, shdr *h, ward_error *err)
{
	if (!boot_is_ta(d, len))
		return ward_err(err, WARD_EINVAL, "%s: not an OP-TEE signed TA (no SHDR magic)", file);
	h->type = bytes_le32(d + 4);
	h->img_size = bytes_le32(d + 8);
	h->algo = bytes_le32(d + 12);
	h->hash_size = bytes_le16(d + 16);
	h->sig_size = bytes_le16(d + 18);
	if (h->type > SHDR_SUBKEY)
		return ward_err(err, WARD_EINVAL, "%s: SHDR image type %u unknown", file, h->type);
	if (h->algo != TEE_ALG_RSASSA_PKCS1_V1_5_SHA256 && h->algo != TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256)
		return ward_err(err, WARD_EINVAL, "%s: SHDR algorithm 0x%08x unknown", file, h->algo);
	if (h->hash_size != 32 || h->sig_size < 64 || h->sig_size > SHDR_SIG_MAX)
		return ward_err(err, WARD_EINVAL, "%s: SHDR hash size %zu or signature size %zu invalid",
				file, h->hash_size, h->sig_size);
	/* sizes are at most 32 + 1024: no overflow */
	if (len - SHDR_SIZE < h->hash_size + h->sig_size)
		return ward_err(err, WARD_EINVAL, "%s: truncated inside the SHDR signature", file);
	h->hash = d + SHDR_SIZE;
	h->sig = h->hash + h->hash_size;
	h->body = SHDR_SIZE + h->hash_size + h->sig_size;
	return 0;
}

/* Whether the hash in the header is that of the TA's bytes, as OP-TEE
 * computes it (core/crypto/signed_hdr.c, ta/...): the 20-byte header, the
 * bootstrap header, for encrypted TAs the encryption header with IV and
 * tag, then the image.  -1: cannot tell (subkeys, a shape not covered). */
static int hash_matches(const uint8_t *d, size_t len, const shdr *h)
{
	if (h->type == SHDR_SUBKEY)
		return -1;
	size_t off = h->body, pre = 0;
	if (h->type == SHDR_BOOTSTRAP_TA || h->type == SHDR_ENCRYPTED_TA)
		pre = SHDR_BOOTSTRAP_SIZE;
	if (h->type == SHDR_ENCRYPTED_TA) {
		if (len - off < pre + SHDR_ENC_SIZE)
			return 0;
		const uint8_t *e = d + off + pre;
		pre += SHDR_ENC_SIZE + (size_t)bytes_le16(e + 8) + bytes_le16(e + 10);
	}
	if (len - off < pre || len - off - pre < h->img_size)
		return 0; /* truncated: the image is not all there */
	WARD_AUTO(EVP_MD_CTX_free) EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t got[32];
	unsigned gl = 0;
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL) || !EVP_DigestUpdate(md, d, SHDR_SIZE) ||
	    !EVP_DigestUpdate(md, d + off, pre + h->img_size) || !EVP_DigestFinal_ex(md, got, &gl)) {
		ERR_clear_error();
		return -1;
	}
	return gl == 32 && CRYPTO_memcmp(got, h->hash, 32) == 0;
}

/* Whether key (a DER SPKI) verifies the header's signature. */
static bool signed_by(const boot_denykey *k, const shdr *h)
{
	const unsigned char *p = k->spki;
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pk = k->spki_len <= LONG_MAX ? d2i_PUBKEY(NULL, &p, (long)k->spki_len) : NULL;
	if (!pk || EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA || (size_t)EVP_PKEY_get_size(pk) != h->sig_size) {
		ERR_clear_error();
		return false;
	}
	WARD_AUTO(EVP_PKEY_CTX_free) EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
	bool pss = h->algo == TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256;
	bool ok = c && EVP_PKEY_verify_init(c) > 0 &&
		  EVP_PKEY_CTX_set_rsa_padding(c, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) > 0 &&
		  EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) > 0 &&
		  (!pss || EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_AUTO) > 0) &&
		  EVP_PKEY_verify(c, h->sig, h->sig_size, h->hash, h->hash_size) == 1;
	ERR_clear_error();
	return ok;
}

static void uuid_str(const uint8_t *d, size_t len, const shdr *h, char out[static 40])
{
	out[0] = '\0';
	if ((h->type != SHDR_BOOTSTRAP_TA && h->type != SHDR_ENCRYPTED_TA) ||
	    len - h->body < SHDR_BOOTSTRAP_SIZE)
		return;
	const uint8_t *u = d + h->body;
	snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

static void note_ree_ta(audit_ctx *a, const char *file)
{
	audit_boot_state *st = NULL;
	if (fit_state(a, &st) || !st)
		return; /* no state: no verdict across inputs */
	if (st->ree_tas++ == 0)
		snprintf(st->ree_ta, sizeof(st->ree_ta), "%s", file);
}

int boot_ta(audit_ctx *a, const char *file, const uint8_t *data, size_t len, ward_error *err)
{
	shdr h = { 0 };
	int rc = parse(file, data, len, &h, err);
	if (rc)
		return rc;
	note_ree_ta(a, file);
	char uuid[40];
	uuid_str(data, len, &h, uuid);
	const char *what = h.type == SHDR_SUBKEY ? "subkey" : "TA";
	const boot_denykey *k;
	for (size_t i = 0; (k = boot_deny_at(a, i)) != NULL; i++) {
		if (!signed_by(k, &h))
			continue;
		audit_report(a, "KEY-05", AUDIT_CRITICAL, AUDIT_PROCESS, AUDIT_OTA_BOOT, file, "SHDR",
			     "Sign TAs with a key of your own kept offline (TA_SIGN_KEY), build OP-TEE "
			     "with its public half (CFG_TA_PUBLIC_KEY), and re-sign every TA.",
			     "%s%s%s is signed with the %s %s key from %s (%s, SHA-256)", what,
			     uuid[0] ? " " : "", uuid, BOOT_DENY_ADJ(k), k->type, k->where,
			     h.algo == TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256 ? "RSASSA-PSS" : "PKCS#1 v1.5");
		break;
	}
	if (hash_matches(data, len, &h) == 0)
		audit_report(a, "INPUT-01", AUDIT_INFO, AUDIT_CONFIG, AUDIT_OTA_NA, file, "SHDR",
			     "Check that the TA was not altered or truncated after signing.",
			     "the SHA-256 in the TA's signed header is not that of its contents: OP-TEE "
			     "would refuse to load it");
	return 0;
}

void boot_optee_ta_key(audit_ctx *a, const char *file, size_t offset, const boot_denykey *d)
{
	audit_boot_state *st = NULL;
	if (fit_state(a, &st) == 0 && st && st->ntakey < WARD_ARRAY_LEN(st->takey)) {
		snprintf(st->takey[st->ntakey].file, sizeof(st->takey[0].file), "%s", file);
		st->takey[st->ntakey].offset = offset;
		st->takey[st->ntakey].d = d;
		st->ntakey++;
		return;
	}
	boot_optee_report(a, file, offset, d, 0, NULL);
}

void boot_optee_report(audit_ctx *a, const char *file, size_t offset, const boot_denykey *d,
		       unsigned ree_tas, const char *example)
{
	char loc[48];
	snprintf(loc, sizeof(loc), "offset %zu", offset);
	if (ree_tas)
		audit_report(a, "SB-09", AUDIT_CRITICAL, AUDIT_BASIC, AUDIT_OTA_BOOT, file, loc,
			     "Build OP-TEE with CFG_TA_PUBLIC_KEY set to a key of your own kept offline "
			     "and re-sign every TA; prefer early TAs built into OP-TEE over TAs on the "
			     "filesystem.",
			     "OP-TEE verifies TAs with the %s %s key from %s and loads them from "
			     "the normal world's filesystem (%u TA%s, e.g. %s): anyone can sign code "
			     "this device runs in the secure world",
			     BOOT_DENY_ADJ(d), d->type, d->where, ree_tas, ree_tas == 1 ? "" : "s", example);
	else
		audit_report(a, "KEY-03", AUDIT_CRITICAL, AUDIT_PROCESS, AUDIT_OTA_BOOT, file, loc,
			     "Build OP-TEE with CFG_TA_PUBLIC_KEY set to a key of your own kept offline "
			     "and re-sign every TA.",
			     "the TA-verification key compiled into OP-TEE is the %s %s key from "
			     "%s (raw RSA modulus)", BOOT_DENY_ADJ(d), d->type, d->where);
}

void boot_optee_finish(audit_ctx *a, const audit_boot_state *st)
{
	for (size_t i = 0; i < st->ntakey; i++)
		boot_optee_report(a, st->takey[i].file, st->takey[i].offset, st->takey[i].d, st->ree_tas,
				  st->ree_ta);
}
