/*
 * keys.c - the key detector (KEY-01, KEY-03, SEC-01).
 *
 * A finding needs evidence that parses: a PEM block counts only when its
 * base64 body has at least BOOT_PEM_MIN_B64 characters and OpenSSL loads the
 * key or certificate from it, so the label tables inside libssl.so or
 * libmbedtls (mithril#26, gitleaks#795) stay silent.  Binaries are searched
 * for DER SubjectPublicKeyInfo structures (found by their AlgorithmIdentifier)
 * and for the raw 32-byte SPKI hashes of the denylist (TF-A ROTPK hashes).
 * Fingerprints are SHA-256 of the DER SPKI, as in data/demo-keys.tsv.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "audit/boot/boot_int.h"
#include "util/bytes.h"

/* A PEM body shorter than this is a label in a string table, not a key. */
#define BOOT_PEM_MIN_B64 64
/* Largest PEM block considered (a 16384-bit RSA key is ~13 KiB). */
#define BOOT_PEM_MAX (64 * 1024)
/* Findings per file before the detector stops (a key bundle, a corpus). */
#define BOOT_KEYS_MAX_FINDINGS 64

WARD_DEFINE_AUTO(EVP_PKEY *, EVP_PKEY_free)
WARD_DEFINE_AUTO(BIO *, BIO_free)
WARD_DEFINE_AUTO(X509 *, X509_free)
WARD_DEFINE_AUTO(OSSL_PARAM_BLD *, OSSL_PARAM_BLD_free)
WARD_DEFINE_AUTO(OSSL_PARAM *, OSSL_PARAM_free)
WARD_DEFINE_AUTO(EVP_PKEY_CTX *, EVP_PKEY_CTX_free)
WARD_DEFINE_AUTO(BIGNUM *, BN_free)

/* Private keys expected in an image: documentation and language test
 * suites ship sample keys that are not the product's (SEC-01 allowlist). */
static const char *const sec01_allow[] = {
	"/usr/share/doc/*",
	"/usr/lib/python3*/test/*",
	"/usr/share/ca-certificates/*",
};

/* Reported by another check, one finding per mistake: SSH host keys are
 * AUTH-06 (devices sharing one identity). */
static const char *const sec01_elsewhere[] = {
	"/etc/ssh/ssh_host_*_key",
	"/etc/dropbear/dropbear_*_host_key",
};

/* Private keys that libraries embed for their own power-on self-tests,
 * by SPKI SHA-256: public constants, not anyone's secret.  Matched by
 * fingerprint, not by file name, so a product key placed in the same
 * library would still be found. */
static const struct {
	const char *sha256, *what;
} sample_keys[] = {
	{ "5bd7bad40971be901e68d9b97405c3a3e996adbede885869b270185ad499108e",
	  "GnuTLS self-test EC key (lib/crypto-selftests-pk.c)" },
	{ "5a9214aa789ffe021992636dd17ca313f340948e604d4122735160f3d46688a0",
	  "GnuTLS self-test RSA key (lib/crypto-selftests-pk.c)" },
	{ "dd0701715ac41b7b96a2c8fe7a762b0ee05215f4f21c44d9458f1d2e2d57427d",
	  "GnuTLS self-test DSA key (lib/crypto-selftests-pk.c)" },
};

static bool sample_key(const uint8_t fp[static 32])
{
	char hex[65];
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < 32; i++) {
		hex[2 * i] = digits[fp[i] >> 4];
		hex[2 * i + 1] = digits[fp[i] & 15];
	}
	hex[64] = '\0';
	for (size_t i = 0; i < WARD_ARRAY_LEN(sample_keys); i++)
		if (strcmp(hex, sample_keys[i].sha256) == 0)
			return true;
	return false;
}

int boot_spki_sha256(EVP_PKEY *pkey, uint8_t fp[static 32])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pkey, &der);
	if (n <= 0) {
		ERR_clear_error();
		return WARD_EINVAL;
	}
	int ok = EVP_Digest(der, (size_t)n, fp, NULL, EVP_sha256(), NULL);
	OPENSSL_free(der);
	ERR_clear_error();
	return ok ? 0 : WARD_ENOMEM;
}

EVP_PKEY *boot_rsa_from_ne(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen)
{
	if (nlen == 0 || nlen > 2048 || elen == 0 || elen > 64 || nlen > INT32_MAX)
		return NULL;
	WARD_AUTO(BN_free) BIGNUM *bn = BN_bin2bn(n, (int)nlen, NULL);
	WARD_AUTO(BN_free) BIGNUM *be = BN_bin2bn(e, (int)elen, NULL);
	WARD_AUTO(OSSL_PARAM_BLD_free) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	if (!bn || !be || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be)) {
		ERR_clear_error();
		return NULL;
	}
	WARD_AUTO(OSSL_PARAM_free) OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	WARD_AUTO(EVP_PKEY_CTX_free) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pkey = NULL;
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	ERR_clear_error();
	return pkey;
}

/* Never prompt for a passphrase: an encrypted key simply does not load. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

typedef struct scan {
	audit_ctx *a;
	const char *file;
	bool in_rootfs;
	bool whole_der; /* the file itself was a DER key or certificate */
	unsigned findings;
	unsigned keys;  /* keys parsed in the file */
	bool published; /* one of them is on the denylist (KEY-01) */
} scan;

static void key_desc(EVP_PKEY *pkey, char *out, size_t outlen)
{
	const char *name = EVP_PKEY_get0_type_name(pkey);
	int r = snprintf(out, outlen, "%s-%d", name ? name : "key", EVP_PKEY_get_bits(pkey));
	if (r < 0 || (size_t)r >= outlen)
		out[0] = '\0';
}

static bool sec01_allowed(const char *file)
{
	for (size_t i = 0; i < WARD_ARRAY_LEN(sec01_allow); i++)
		if (fnmatch(sec01_allow[i], file, 0) == 0)
			return true;
	for (size_t i = 0; i < WARD_ARRAY_LEN(sec01_elsewhere); i++)
		if (fnmatch(sec01_elsewhere[i], file, FNM_PATHNAME) == 0)
			return true;
	return false;
}

/* Reports what one parsed key means.  form: "PEM PRIVATE KEY", "DER SPKI"... */
static int report_key(scan *s, EVP_PKEY *pkey, bool is_private, const char *form,
		      size_t offset)
{
	uint8_t fp[32];
	int rc = boot_spki_sha256(pkey, fp);
	if (rc == WARD_EINVAL)
		return 0; /* a key type OpenSSL cannot encode: nothing to match */
	if (rc)
		return rc;
	char loc[48], desc[48], hex[17];
	int r = snprintf(loc, sizeof(loc), "offset %zu", offset);
	if (r < 0 || (size_t)r >= sizeof(loc))
		loc[0] = '\0';
	key_desc(pkey, desc, sizeof(desc));
	for (size_t i = 0; i < 8; i++) {
		static const char digits[] = "0123456789abcdef";
		hex[2 * i] = digits[fp[i] >> 4];
		hex[2 * i + 1] = digits[fp[i] & 15];
	}
	hex[16] = '\0';

	s->keys++;
	const boot_denykey *d = boot_deny_find(s->a, fp);
	if (d) {
		s->published = true;
		s->findings++;
		audit_report(s->a, "KEY-01", AUDIT_CRITICAL, AUDIT_PROCESS,
			     s->in_rootfs ? AUDIT_OTA_YES : AUDIT_OTA_BOOT, s->file, loc,
			     "Generate a new key pair, keep the private key offline (HSM), and "
			     "re-sign and re-provision everything that trusted the published one.",
			     "%s %s (%s) is a %s key: SPKI SHA-256 %s..., %s %s",
			     is_private ? "private" : "public", desc, form,
			     d->own ? "denylisted" : "published demo/development", hex,
			     d->own ? "listed in" : "published at", d->where);
	}
	if (is_private && s->in_rootfs && !sec01_allowed(s->file) && !sample_key(fp)) {
		s->findings++;
		audit_report(s->a, "SEC-01", AUDIT_HIGH, AUDIT_PROCESS, AUDIT_OTA_YES, s->file, loc,
			     "Keep private keys in secure storage (TPM, secure element, OP-TEE via "
			     "PKCS#11) or provision them per device; rotate this key.",
			     "unencrypted %s private key (%s) on the filesystem, SPKI SHA-256 %s...",
			     desc, form, hex);
	}
	return 0;
}

/* ---- OpenSSH private keys ("openssh-key-v1"): the public half only ------ */

typedef struct sshr {
	const uint8_t *p;
	size_t n;
} sshr;

static bool ssh_u32(sshr *r, uint32_t *v)
{
	if (r->n < 4)
		return false;
	*v = bytes_be32(r->p);
	r->p += 4;
	r->n -= 4;
	return true;
}

static bool ssh_str(sshr *r, const uint8_t **s, size_t *slen)
{
	uint32_t l;
	if (!ssh_u32(r, &l) || l > r->n)
		return false;
	*s = r->p;
	*slen = l;
	r->p += l;
	r->n -= l;
	return true;
}

static bool ssh_is(const uint8_t *s, size_t slen, const char *want)
{
	return slen == strlen(want) && memcmp(s, want, slen) == 0;
}

/* Strip leading zero bytes of an mpint. */
static void mpint_trim(const uint8_t **s, size_t *slen)
{
	while (*slen > 1 && (*s)[0] == 0) {
		(*s)++;
		(*slen)--;
	}
}

static EVP_PKEY *ssh_pubkey(const uint8_t *blob, size_t len)
{
	sshr r = {blob, len};
	const uint8_t *type, *a, *b, *c;
	size_t tlen, alen, blen, clen;
	if (!ssh_str(&r, &type, &tlen))
		return NULL;
	if (ssh_is(type, tlen, "ssh-ed25519")) {
		if (!ssh_str(&r, &a, &alen) || alen != 32)
			return NULL;
		EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, a, alen);
		ERR_clear_error();
		return k;
	}
	if (ssh_is(type, tlen, "ssh-rsa")) {
		if (!ssh_str(&r, &a, &alen) || !ssh_str(&r, &b, &blen))
			return NULL;
		mpint_trim(&a, &alen);
		mpint_trim(&b, &blen);
		return boot_rsa_from_ne(b, blen, a, alen);
	}
	static const struct {
		const char *ssh, *group;
	} curves[] = {
		{"ecdsa-sha2-nistp256", "P-256"},
		{"ecdsa-sha2-nistp384", "P-384"},
		{"ecdsa-sha2-nistp521", "P-521"},
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(curves); i++) {
		if (!ssh_is(type, tlen, curves[i].ssh))
			continue;
		if (!ssh_str(&r, &a, &alen) || !ssh_str(&r, &c, &clen))
			return NULL;
		WARD_AUTO(OSSL_PARAM_BLD_free) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
		if (!bld ||
		    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						     curves[i].group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, c, clen)) {
			ERR_clear_error();
			return NULL;
		}
		WARD_AUTO(OSSL_PARAM_free) OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
		WARD_AUTO(EVP_PKEY_CTX_free)
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		EVP_PKEY *k = NULL;
		if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
		    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) <= 0)
			k = NULL;
		ERR_clear_error();
		return k;
	}
	return NULL;
}

/* The public key of an openssh-key-v1 blob (already base64-decoded). */
static EVP_PKEY *openssh_private_pub(const uint8_t *d, size_t n)
{
	static const char magic[] = "openssh-key-v1"; /* with its NUL */
	if (n < sizeof(magic) || memcmp(d, magic, sizeof(magic)) != 0)
		return NULL;
	sshr r = {d + sizeof(magic), n - sizeof(magic)};
	const uint8_t *s;
	size_t slen;
	uint32_t nkeys;
	for (int i = 0; i < 3; i++) /* ciphername, kdfname, kdfoptions */
		if (!ssh_str(&r, &s, &slen))
			return NULL;
	if (!ssh_u32(&r, &nkeys) || nkeys < 1 || !ssh_str(&r, &s, &slen))
		return NULL;
	return ssh_pubkey(s, slen);
}

/* ---- PEM blocks ------------------------------------------------------------ */

/* KEY-04: a certificate whose subject says it is not for production
 * ("Development CA", "Test Org", "example.com", "DO NOT TRUST"), by whole
 * words of its CN and O, so "Devices" or "Contest" stay silent.  Not when
 * the key itself is a published one (KEY-01 says more), nor in the paths
 * where sample certificates belong (SEC-01's allowlist). */
static void cert_naming(scan *s, X509 *x, size_t offset)
{
	static const char *const words[] = { "dev", "development", "test", "testing", "example", "sample",
					     "demo", "insecure", "dummy" };
	if (!x || (s->in_rootfs && sec01_allowed(s->file)))
		return;
	const X509_NAME *name = X509_get_subject_name(x);
	static const int nids[] = { NID_commonName, NID_organizationName };
	for (size_t n = 0; n < WARD_ARRAY_LEN(nids); n++) {
		char v[256];
		if (X509_NAME_get_text_by_NID(name, nids[n], v, (int)sizeof(v)) <= 0)
			continue;
		const char *hit = NULL;
		if (strcasestr(v, "do not trust"))
			hit = "DO NOT TRUST";
		for (char *w = v; *w && !hit;) {
			while (*w && !isalnum((unsigned char)*w))
				w++;
			char *e = w;
			while (*e && isalnum((unsigned char)*e))
				e++;
			for (size_t i = 0; i < WARD_ARRAY_LEN(words) && !hit; i++)
				if ((size_t)(e - w) == strlen(words[i]) && strncasecmp(w, words[i], (size_t)(e - w)) == 0)
					hit = words[i];
			w = e;
		}
		if (!hit)
			continue;
		char loc[48];
		snprintf(loc, sizeof(loc), "offset %zu", offset);
		s->findings++;
		audit_report(s->a, "KEY-04", AUDIT_MEDIUM, AUDIT_PROCESS,
			     s->in_rootfs ? AUDIT_OTA_YES : AUDIT_OTA_BOOT, s->file, loc,
			     "Issue production certificates from a production CA held offline; keep "
			     "development and test certificates out of release images.",
			     "certificate %s \"%.120s\" names a non-production key (\"%s\")",
			     nids[n] == NID_commonName ? "CN" : "O", v, hit);
		ERR_clear_error();
		return;
	}
	ERR_clear_error();
}

static EVP_PKEY *pem_load(const char *label, const uint8_t *block, size_t len, bool *is_private,
			  X509 **cert)
{
	if (len > BOOT_PEM_MAX)
		return NULL;
	WARD_AUTO(BIO_free) BIO *bio = BIO_new_mem_buf(block, (int)len);
	if (!bio)
		return NULL;
	EVP_PKEY *k = NULL;
	*is_private = false;
	if (strcmp(label, "PRIVATE KEY") == 0 || strcmp(label, "RSA PRIVATE KEY") == 0 ||
	    strcmp(label, "EC PRIVATE KEY") == 0) {
		k = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
		*is_private = true;
	} else if (strcmp(label, "PUBLIC KEY") == 0) {
		k = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	} else if (strcmp(label, "CERTIFICATE") == 0) {
		X509 *x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
		if (x)
			k = X509_get_pubkey(x);
		if (k)
			*cert = x;
		else
			X509_free(x);
	} else if (strcmp(label, "OPENSSH PRIVATE KEY") == 0) {
		char *name = NULL, *header = NULL;
		unsigned char *der = NULL;
		long dlen = 0;
		if (PEM_read_bio(bio, &name, &header, &der, &dlen) && dlen > 0)
			k = openssh_private_pub(der, (size_t)dlen);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(der, dlen > 0 ? (size_t)dlen : 0);
		*is_private = true;
	}
	ERR_clear_error();
	return k;
}

static const char *const pem_labels[] = {
	"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY",
	"CERTIFICATE", "OPENSSH PRIVATE KEY",
};

static bool is_b64(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

/* Where the END line of a label was last found: the first one at or after
 * `from` is at `at` (SIZE_MAX: none in the rest of the data); `short_at` is
 * an END whose block had too little base64, which any later BEGIN before it
 * has too (fewer characters).  Searching each BEGIN's window afresh cost
 * O(n * BOOT_PEM_MAX): a file of BEGIN lines with no END took 10 s of CPU
 * for 8 MiB (found reviewing keys.c).  With the cache, each byte is
 * searched once per label. */
typedef struct pem_end {
	size_t from, at, short_at;
} pem_end;

static int scan_pem(scan *s, const uint8_t *data, size_t len)
{
	static const char begin[] = "-----BEGIN ";
	pem_end ends[WARD_ARRAY_LEN(pem_labels)];
	for (size_t i = 0; i < WARD_ARRAY_LEN(ends); i++)
		ends[i] = (pem_end){ SIZE_MAX, SIZE_MAX, SIZE_MAX };
	size_t pos = 0;
	while (pos < len && s->findings < BOOT_KEYS_MAX_FINDINGS) {
		const uint8_t *hit = memmem(data + pos, len - pos, begin, sizeof(begin) - 1);
		if (!hit)
			break;
		size_t at = (size_t)(hit - data);
		pos = at + sizeof(begin) - 1;
		const char *label = NULL;
		size_t llen = 0, li = 0;
		for (size_t i = 0; i < WARD_ARRAY_LEN(pem_labels); i++) {
			size_t l = strlen(pem_labels[i]);
			if (len - pos >= l + 5 && memcmp(data + pos, pem_labels[i], l) == 0 &&
			    memcmp(data + pos + l, "-----", 5) == 0) {
				label = pem_labels[i];
				llen = l;
				li = i;
			}
		}
		if (!label)
			continue;
		size_t body = pos + llen + 5;
		char end[64];
		int r = snprintf(end, sizeof(end), "-----END %s-----", label);
		if (r < 0 || (size_t)r >= sizeof(end))
			continue;
		size_t window = len - body < BOOT_PEM_MAX ? len - body : BOOT_PEM_MAX;
		pem_end *c = &ends[li];
		if (c->from == SIZE_MAX || body < c->from || (c->at != SIZE_MAX && c->at < body)) {
			const uint8_t *f = memmem(data + body, len - body, end, (size_t)r);
			c->from = body;
			c->at = f ? (size_t)(f - data) : SIZE_MAX;
		}
		/* the END line must lie within the window, as memmem over it found it */
		if (c->at == SIZE_MAX || c->at - body > window - (size_t)r || window < (size_t)r ||
		    c->at == c->short_at)
			continue;
		const uint8_t *e = data + c->at;
		size_t nb64 = 0;
		for (const uint8_t *p = data + body; p < e; p++)
			nb64 += is_b64(*p);
		if (nb64 < BOOT_PEM_MIN_B64) {
			c->short_at = c->at;
			continue;
		}
		size_t blen = (size_t)(e - data) + (size_t)r - at;
		bool priv;
		WARD_AUTO(X509_free) X509 *cert = NULL;
		WARD_AUTO(EVP_PKEY_free) EVP_PKEY *k = pem_load(label, data + at, blen, &priv, &cert);
		pos = (size_t)(e - data) + (size_t)r;
		if (!k)
			continue;
		char form[32];
		r = snprintf(form, sizeof(form), "PEM %s", label);
		if (r < 0 || (size_t)r >= sizeof(form))
			form[0] = '\0';
		unsigned before = s->findings;
		int rc = report_key(s, k, priv, form, at);
		if (rc)
			return rc;
		if (s->findings == before)
			cert_naming(s, cert, at);
	}
	return 0;
}

/* ---- DER in binaries --------------------------------------------------- */

/* AlgorithmIdentifiers that open a SubjectPublicKeyInfo's algorithm field. */
static const struct {
	const uint8_t *bytes;
	size_t len;
} spki_algs[] = {
	/* rsaEncryption, NULL */
	{(const uint8_t *)"\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00", 15},
	/* id-ecPublicKey */
	{(const uint8_t *)"\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01", 11},
	{(const uint8_t *)"\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01", 11},
	/* Ed25519, X25519 */
	{(const uint8_t *)"\x30\x05\x06\x03\x2b\x65\x70", 7},
	{(const uint8_t *)"\x30\x05\x06\x03\x2b\x65\x6e", 7},
};

/* The DER SEQUENCE that would start at `start` and contain `alg` right after
 * its header; returns its total length or 0. */
static size_t der_seq_len(const uint8_t *data, size_t len, size_t start, size_t alg)
{
	size_t hdr = alg - start, content;
	if (data[start] != 0x30)
		return 0;
	uint8_t l0 = data[start + 1];
	if (hdr == 2 && l0 < 0x80)
		content = l0;
	else if (hdr == 3 && l0 == 0x81)
		content = data[start + 2];
	else if (hdr == 4 && l0 == 0x82)
		content = (size_t)data[start + 2] << 8 | data[start + 3];
	else
		return 0;
	if (content > len - alg)
		return 0;
	return hdr + content;
}

static int scan_der(scan *s, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < WARD_ARRAY_LEN(spki_algs); i++) {
		size_t pos = 0;
		while (pos < len && s->findings < BOOT_KEYS_MAX_FINDINGS) {
			const uint8_t *hit = memmem(data + pos, len - pos, spki_algs[i].bytes,
						    spki_algs[i].len);
			if (!hit)
				break;
			size_t alg = (size_t)(hit - data);
			pos = alg + 1;
			for (size_t hdr = 2; hdr <= 4 && hdr <= alg; hdr++) {
				size_t n = der_seq_len(data, len, alg - hdr, alg);
				if (!n || n > LONG_MAX)
					continue;
				const unsigned char *p = data + alg - hdr;
				WARD_AUTO(EVP_PKEY_free) EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)n);
				ERR_clear_error();
				if (!k || p != data + alg - hdr + n)
					continue;
				uint8_t fp[32];
				if (EVP_Digest(data + alg - hdr, n, fp, NULL, EVP_sha256(), NULL) &&
				    boot_deny_find(s->a, fp)) {
					int rc = report_key(s, k, false, "DER SPKI", alg - hdr);
					if (rc)
						return rc;
				}
				pos = alg - hdr + n;
				break;
			}
		}
	}
	return 0;
}

/* PKCS#1 RSAPublicKey SEQUENCE { INTEGER n, INTEGER e } as some firmware
 * embeds it: found by the modulus INTEGER header of common key sizes. */
static const struct {
	const uint8_t *bytes;
	size_t len;
} pkcs1_moduli[] = {
	{(const uint8_t *)"\x02\x81\x81\x00", 4},         /* 1024 */
	{(const uint8_t *)"\x02\x82\x01\x01\x00", 5},     /* 2048 */
	{(const uint8_t *)"\x02\x82\x01\x81\x00", 5},     /* 3072 */
	{(const uint8_t *)"\x02\x82\x02\x01\x00", 5},     /* 4096 */
};

static int scan_pkcs1(scan *s, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < WARD_ARRAY_LEN(pkcs1_moduli); i++) {
		size_t pos = 0;
		while (pos < len && s->findings < BOOT_KEYS_MAX_FINDINGS) {
			const uint8_t *hit = memmem(data + pos, len - pos, pkcs1_moduli[i].bytes,
						    pkcs1_moduli[i].len);
			if (!hit)
				break;
			size_t mod = (size_t)(hit - data);
			pos = mod + 1;
			/* inside an SPKI's BIT STRING: scan_der has seen it */
			if (mod >= 9 && data[mod - 9] == 0x03 && data[mod - 5] == 0x00)
				continue;
			for (size_t hdr = 3; hdr <= 4 && hdr <= mod; hdr++) {
				size_t n = der_seq_len(data, len, mod - hdr, mod);
				if (!n || n > LONG_MAX)
					continue;
				const unsigned char *p = data + mod - hdr;
				WARD_AUTO(EVP_PKEY_free)
				EVP_PKEY *k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)n);
				ERR_clear_error();
				if (!k || p != data + mod - hdr + n)
					continue;
				uint8_t fp[32];
				if (boot_spki_sha256(k, fp) == 0 && boot_deny_find(s->a, fp)) {
					int rc = report_key(s, k, false, "DER PKCS#1 RSA public key",
							    mod - hdr);
					if (rc)
						return rc;
				}
				pos = mod - hdr + n;
				break;
			}
		}
	}
	return 0;
}

/* KEY-03: the 32-byte SPKI hash itself (TF-A ROTPK hash, STM32 PKH), and
 * SB-09: the raw big-endian modulus of an OP-TEE TA-verification key, as
 * OP-TEE compiles it into tee.bin (scripts/pem_to_pub_c.py), found by its
 * first 32 bytes.
 *
 * Every byte may start a needle, but looking at each one is the audit's
 * most expensive loop.  A needle at `at` covers exactly one position q in
 * [at, at + HASH_STRIDE) with q a multiple of HASH_STRIDE, and the two bytes
 * at q are its bytes off, off + 1 with off = q - at < HASH_STRIDE.  So only
 * every HASH_STRIDE-th position is looked at: a bitmap of every needle's
 * two-byte grams at offsets 0..HASH_STRIDE-1 says whether q can lie inside
 * one, and only then are the HASH_STRIDE starts at <= q tried, in increasing
 * order, against a bitmap of the needles' first two bytes and then the
 * needles.  The needles found, and their order, are those of trying every
 * byte. */
#define HASH_STRIDE 16
/* Needles per scan: every denylisted key's hash, the TA keys' moduli. */
#define NEEDLES_MAX (2 * 512)

typedef struct needle {
	const uint8_t *head; /* 32 bytes */
	const boot_denykey *d;
	bool modulus;
} needle;

static void bitmap_set(uint8_t map[static 65536 / 8], const uint8_t *two)
{
	unsigned v = (unsigned)two[0] << 8 | two[1];
	map[v >> 3] |= (uint8_t)(1u << (v & 7));
}

static bool bitmap_has(const uint8_t map[static 65536 / 8], const uint8_t *two)
{
	unsigned v = (unsigned)two[0] << 8 | two[1];
	return map[v >> 3] & (1u << (v & 7));
}

/* A modulus right after a DER INTEGER header (02 81|82 LEN.. 00) is inside
 * a DER key or certificate: the DER scanners judge those. */
static bool in_der_integer(const uint8_t *data, size_t at, size_t mlen)
{
	size_t ilen = mlen + 1; /* the sign byte */
	if (at < 3 || data[at - 1] != 0)
		return false;
	if (data[at - 3] == 0x02 && data[at - 2] == ilen)
		return true;
	if (at >= 4 && data[at - 4] == 0x02 && data[at - 3] == 0x81 && data[at - 2] == ilen)
		return true;
	return at >= 5 && data[at - 5] == 0x02 && data[at - 4] == 0x82 &&
	       ((size_t)data[at - 3] << 8 | data[at - 2]) == ilen;
}

/* Length of the needle that matches at `at` (0: none); sets *hit. */
static size_t needle_match(const needle *nd, size_t nn, const uint8_t *data, size_t len,
			   size_t at, const needle **hit)
{
	for (size_t i = 0; i < nn; i++) {
		if (memcmp(data + at, nd[i].head, 32) != 0)
			continue;
		if (!nd[i].modulus) {
			*hit = &nd[i];
			return 32;
		}
		size_t ml = nd[i].d->modulus_len;
		if (ml <= len - at && memcmp(data + at, nd[i].d->modulus, ml) == 0 &&
		    !in_der_integer(data, at, ml)) {
			*hit = &nd[i];
			return ml;
		}
	}
	return 0;
}

static void report_needle(scan *s, const needle *n, size_t at)
{
	char loc[48];
	int r = snprintf(loc, sizeof(loc), "offset %zu", at);
	if (r < 0 || (size_t)r >= sizeof(loc))
		loc[0] = '\0';
	s->findings++;
	if (n->modulus) { /* SB-09 when TAs load from the REE FS: decided at the end */
		boot_optee_ta_key(s->a, s->file, at, n->d);
		return;
	}
	audit_report(s->a, "KEY-03", AUDIT_CRITICAL, AUDIT_PROCESS, AUDIT_OTA_NO, s->file, loc,
		     "Provision the device's root of trust with a key of your own; a fused demo "
		     "key hash needs factory rework.",
		     "the SPKI SHA-256 of the %s %s key from %s is embedded", BOOT_DENY_ADJ(n->d),
		     n->d->type, n->d->where);
}

static void scan_hashes(scan *s, const uint8_t *data, size_t len)
{
	if (len < 32)
		return;
	needle nd[NEEDLES_MAX];
	size_t nn = 0;
	const boot_denykey *d;
	for (size_t i = 0; (d = boot_deny_at(s->a, i)) != NULL && nn + 2 <= NEEDLES_MAX; i++) {
		nd[nn++] = (needle){ d->sha256, d, false };
		if (d->ta && d->modulus_len >= 32)
			nd[nn++] = (needle){ d->modulus, d, true };
	}
	uint8_t first2[65536 / 8] = {0}, inner2[65536 / 8] = {0};
	for (size_t i = 0; i < nn; i++) {
		bitmap_set(first2, nd[i].head);
		for (size_t off = 0; off < HASH_STRIDE; off++)
			bitmap_set(inner2, nd[i].head + off);
	}
	size_t next = 0; /* the first start not inside a needle already reported */
	/* q + 1 < len: every needle (at + 32 <= len) has its q at <= at + 15 */
	for (size_t q = 0; q + 1 < len && s->findings < BOOT_KEYS_MAX_FINDINGS; q += HASH_STRIDE) {
		if (!bitmap_has(inner2, data + q))
			continue;
		for (size_t back = HASH_STRIDE; back-- > 0;) {
			if (back > q || q - back < next)
				continue;
			size_t at = q - back;
			if (at + 32 > len || !bitmap_has(first2, data + at))
				continue;
			const needle *hit = NULL;
			size_t hl = needle_match(nd, nn, data, len, at, &hit);
			if (!hl)
				continue;
			report_needle(s, hit, at);
			next = at + hl;
			if (s->findings >= BOOT_KEYS_MAX_FINDINGS)
				break;
		}
	}
}

/* A whole file in DER: PKCS#8/PKCS#1 private key, SPKI or certificate. */
static int scan_der_file(scan *s, const uint8_t *data, size_t len)
{
	if (len < 32 || len > BOOT_PEM_MAX || data[0] != 0x30)
		return 0;
	const unsigned char *p = data;
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)len);
	ERR_clear_error();
	if (k) {
		s->whole_der = true;
		return report_key(s, k, true, "DER private key", 0);
	}
	p = data;
	WARD_AUTO(X509_free) X509 *x = d2i_X509(NULL, &p, (long)len);
	ERR_clear_error();
	if (x) {
		WARD_AUTO(EVP_PKEY_free) EVP_PKEY *xk = X509_get_pubkey(x);
		ERR_clear_error();
		s->whole_der = true;
		unsigned before = s->findings;
		int rc = xk ? report_key(s, xk, false, "DER certificate", 0) : 0;
		if (!rc && xk && s->findings == before)
			cert_naming(s, x, 0);
		return rc;
	}
	return 0; /* a bare DER SPKI is found by scan_der */
}

/* KEY-04: key files named as Linux microPlatform (LmP) and U-Boot name their
 * development keys (conf/keys/dev.key, ubootdev.key, spldev.key,
 * opteedev.key): a regenerated key under that name is still a development
 * key.  Only for a file holding a key that parses and is not already a
 * published one (KEY-01 says more). */
static const char *const dev_key_files[] = { "dev.key", "dev.crt", "dev.pem", "ubootdev.*", "spldev.*",
					     "opteedev.*", "test.key", "example.key" };

static void key_file_naming(scan *s)
{
	const char *base = strrchr(s->file, '/');
	base = base ? base + 1 : s->file;
	if (!s->keys || s->published || (s->in_rootfs && sec01_allowed(s->file)))
		return;
	for (size_t i = 0; i < WARD_ARRAY_LEN(dev_key_files); i++)
		if (fnmatch(dev_key_files[i], base, 0) == 0) {
			s->findings++;
			audit_report(s->a, "KEY-04", AUDIT_MEDIUM, AUDIT_PROCESS,
				     s->in_rootfs ? AUDIT_OTA_YES : AUDIT_OTA_BOOT, s->file, NULL,
				     "Use production keys held offline for release builds; development "
				     "keys stay out of release images.",
				     "a key file named like a development key (\"%s\", the name LmP and "
				     "U-Boot give theirs)", base);
			return;
		}
}

int audit_keys_scan(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		    bool in_rootfs, ward_error *err)
{
	(void)err;
	scan s = {.a = a, .file = file, .in_rootfs = in_rootfs};
	if (!data || len == 0)
		return 0;
	int rc = scan_pem(&s, data, len);
	if (!rc)
		rc = scan_der_file(&s, data, len);
	if (!rc && !s.whole_der)
		rc = scan_der(&s, data, len);
	if (!rc && !s.whole_der)
		rc = scan_pkcs1(&s, data, len);
	if (!rc)
		scan_hashes(&s, data, len);
	if (!rc)
		key_file_naming(&s);
	if (rc)
		return ward_err(err, rc, "%s: key scan: out of memory", file);
	return 0;
}
