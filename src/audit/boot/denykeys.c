/*
 * denykeys.c - the denylist of keys that must never sign a product: the
 * published demo and development keys compiled in (data/demo-keys.tsv) and
 * the product team's own, from `ward audit --deny-keys FILE` (its
 * development keys, keys known to have leaked).  Every check that matches a
 * key -- KEY-01 to KEY-07, SB-09 -- asks boot_deny_find or walks
 * boot_deny_at, so both lists count everywhere.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "audit/boot/boot_int.h"
#include "util/limits.h"

/* Keys one --deny-keys file may list. */
#define BOOT_DENY_MAX 256

WARD_DEFINE_AUTO(EVP_PKEY *, EVP_PKEY_free)
WARD_DEFINE_AUTO(BIO *, BIO_free)
WARD_DEFINE_AUTO(X509 *, X509_free)

struct audit_denyset {
	boot_denykey key[BOOT_DENY_MAX];
	char *type[BOOT_DENY_MAX];    /* owned: key[i].type, key[i].spki */
	uint8_t *spki[BOOT_DENY_MAX];
	size_t n;
	char *where; /* "FILE (--deny-keys)", shared by every key */
};

/* The core keeps the run's set in its context (audit.c); a program that
 * links the boot checks without the core has none. */
__attribute__((weak)) const audit_denyset *audit_ctx_denyset(const audit_ctx *a)
{
	(void)a;
	return NULL;
}

const boot_denykey *boot_deny_find(const audit_ctx *a, const uint8_t fp[static 32])
{
	size_t lo = 0, hi = boot_denylist_len;
	while (lo < hi) { /* the built-in table is sorted by fingerprint */
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(fp, boot_denylist[mid].sha256, 32);
		if (c == 0)
			return &boot_denylist[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	const audit_denyset *d = audit_ctx_denyset(a);
	for (size_t i = 0; d && i < d->n; i++)
		if (memcmp(fp, d->key[i].sha256, 32) == 0)
			return &d->key[i];
	return NULL;
}

const boot_denykey *boot_deny_at(const audit_ctx *a, size_t i)
{
	if (i < boot_denylist_len)
		return &boot_denylist[i];
	i -= boot_denylist_len;
	const audit_denyset *d = audit_ctx_denyset(a);
	return d && i < d->n ? &d->key[i] : NULL;
}

void audit_denyset_free(audit_denyset *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->type[i]);
		free(d->spki[i]);
	}
	free(d->where);
	free(d);
}

/* Adds the public half of pkey; 0, WARD_ELIMIT, WARD_EINVAL or WARD_ENOMEM. */
static int add_key(audit_denyset *d, EVP_PKEY *pkey)
{
	if (d->n == BOOT_DENY_MAX)
		return WARD_ELIMIT;
	boot_denykey *k = &d->key[d->n];
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pkey, &der);
	if (n <= 0) {
		ERR_clear_error();
		return WARD_EINVAL;
	}
	char type[48];
	const char *name = EVP_PKEY_get0_type_name(pkey);
	int r = snprintf(type, sizeof(type), "%s-%d", name ? name : "key", EVP_PKEY_get_bits(pkey));
	uint8_t *spki = malloc((size_t)n);
	char *t = r > 0 && (size_t)r < sizeof(type) ? strdup(type) : strdup("key");
	if (!spki || !t ||
	    !EVP_Digest(der, (size_t)n, k->sha256, NULL, EVP_sha256(), NULL)) {
		OPENSSL_free(der);
		free(spki);
		free(t);
		ERR_clear_error();
		return WARD_ENOMEM;
	}
	memcpy(spki, der, (size_t)n);
	OPENSSL_free(der);
	d->type[d->n] = t;
	d->spki[d->n] = spki;
	k->type = t;
	k->where = d->where;
	k->spki = spki;
	k->spki_len = (size_t)n;
	k->modulus = NULL; /* raw-modulus search is for the TA keys only */
	k->modulus_len = 0;
	k->ta = false;
	k->own = true;
	d->n++;
	return 0;
}

/* The key of one PEM block, by its label; NULL when it does not load.
 * Private keys are accepted (a team's development key file): only the
 * public half is kept, the DER is wiped. */
static EVP_PKEY *block_key(const char *label, const unsigned char *der, long len)
{
	const unsigned char *p = der;
	EVP_PKEY *k = NULL;
	if (strcmp(label, "PUBLIC KEY") == 0) {
		k = d2i_PUBKEY(NULL, &p, len);
	} else if (strcmp(label, "RSA PUBLIC KEY") == 0) {
		k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, len);
	} else if (strcmp(label, "CERTIFICATE") == 0) {
		WARD_AUTO(X509_free) X509 *x = d2i_X509(NULL, &p, len);
		k = x ? X509_get_pubkey(x) : NULL;
	} else if (strcmp(label, "TRUSTED CERTIFICATE") == 0) { /* OpenSSL's, with trust settings */
		WARD_AUTO(X509_free) X509 *x = d2i_X509_AUX(NULL, &p, len);
		k = x ? X509_get_pubkey(x) : NULL;
	} else if (strcmp(label, "PRIVATE KEY") == 0 || strcmp(label, "RSA PRIVATE KEY") == 0 ||
		   strcmp(label, "EC PRIVATE KEY") == 0) {
		k = d2i_AutoPrivateKey(NULL, &p, len);
	}
	ERR_clear_error();
	return k;
}

static int load_pem(audit_denyset *d, const char *file, const uint8_t *data, size_t len,
		    ward_error *err)
{
	WARD_AUTO(BIO_free) BIO *bio = BIO_new_mem_buf(data, (int)len);
	if (!bio)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
	for (unsigned block = 1;; block++) {
		char *name = NULL, *header = NULL;
		unsigned char *der = NULL;
		long dlen = 0;
		if (!PEM_read_bio(bio, &name, &header, &der, &dlen)) {
			unsigned long e = ERR_peek_last_error();
			ERR_clear_error();
			if (ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
				return 0; /* no more blocks */
			return ward_err(err, WARD_EINVAL, "%s: PEM block %u is malformed", file, block);
		}
		int rc = 0;
		bool encrypted = header && strstr(header, "ENCRYPTED");
		/* what CA bundles carry besides certificates: no key in them */
		bool keyless = strcmp(name, "X509 CRL") == 0 || strcmp(name, "EC PARAMETERS") == 0 ||
			       strcmp(name, "DH PARAMETERS") == 0;
		if (keyless) {
			/* skipped */
		} else if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0 || encrypted) {
			rc = ward_err(err, WARD_EINVAL,
				      "%s: PEM block %u is an encrypted private key: list the public key "
				      "(openssl pkey -pubout)", file, block);
		} else {
			WARD_AUTO(EVP_PKEY_free) EVP_PKEY *k = block_key(name, der, dlen);
			if (!k)
				rc = ward_err(err, WARD_EINVAL, "%s: PEM block %u (%s) is not a key or "
					      "certificate ward can read", file, block, name);
			else if ((rc = add_key(d, k)) == WARD_ELIMIT)
				rc = ward_err(err, rc, "%s: more than %d keys", file, BOOT_DENY_MAX);
			else if (rc)
				rc = ward_err(err, rc, "%s: PEM block %u: the key cannot be encoded", file,
					      block);
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(der, dlen > 0 ? (size_t)dlen : 0);
		if (rc)
			return rc;
	}
}

int audit_denyset_load(audit_denyset **out, const char *file, const uint8_t *data, size_t len,
		       ward_error *err)
{
	*out = NULL;
	if (len > AUDIT_LIMIT_CONFIG_BYTES)
		return ward_err(err, WARD_ELIMIT, "%s: larger than %zu bytes", file,
				(size_t)AUDIT_LIMIT_CONFIG_BYTES);
	audit_denyset *d = calloc(1, sizeof(*d));
	size_t wl = strlen(file) + sizeof(" (--deny-keys)");
	if (!d || !(d->where = malloc(wl))) {
		free(d);
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
	}
	snprintf(d->where, wl, "%s (--deny-keys)", file);
	int rc = 0;
	if (memmem(data, len, "-----BEGIN ", 11)) {
		rc = load_pem(d, file, data, len, err);
	} else if (len > 0 && len <= LONG_MAX) { /* one DER key or certificate */
		const unsigned char *p = data;
		WARD_AUTO(EVP_PKEY_free) EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);
		if (!k) {
			p = data;
			WARD_AUTO(X509_free) X509 *x = d2i_X509(NULL, &p, (long)len);
			k = x ? X509_get_pubkey(x) : NULL;
		}
		ERR_clear_error();
		rc = k ? add_key(d, k) : 0;
		if (rc)
			rc = ward_err(err, rc, "%s: the key cannot be encoded", file);
	}
	if (!rc && d->n == 0)
		rc = ward_err(err, WARD_EINVAL, "%s: no public key, certificate or private key in it "
			      "(PEM, or one DER public key or certificate)", file);
	if (rc) {
		audit_denyset_free(d);
		return rc;
	}
	*out = d;
	return 0;
}
