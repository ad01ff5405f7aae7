/*
 * shares.c - K-of-N backup shares of a private key (see shares.h for the
 * format and the defences).
 *
 * libgfshare does the field arithmetic.  It draws the polynomial's random
 * coefficients through its global gfshare_fill_rand hook, which we point at
 * OpenSSL's private DRBG before every use, and it overwrites its buffers
 * (the secret, the coefficients, the shares) through the same hook before
 * freeing them.  Should the DRBG ever fail, our hook zeroes instead and the
 * split is refused, so no share is made from predictable coefficients.
 */
#include "keys/shares.h"

#include <string.h>

#include <libgfshare.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "keys/keyfile.h"
#include "tuf/sign.h"
#include "util/hex.h"
#include "util/limits.h"

WARD_DEFINE_AUTO(gfshare_ctx *, gfshare_ctx_free)
WARD_DEFINE_AUTO(EVP_MD_CTX *, EVP_MD_CTX_free)

/* The header lines, in the order they must appear. */
static const char *const FIELDS[] = {
	"ward-key-share", "keyid", "scheme", "split", "share", "threshold", "shares", "length", "data",
};
enum { F_VERSION, F_KEYID, F_SCHEME, F_SPLIT, F_SHARE, F_THRESHOLD, F_SHARES, F_LENGTH, F_DATA };

/* Data bytes per line, written as 4-digit groups. */
#define BYTES_PER_LINE 16

static _Thread_local bool rand_failed;

static void fill_rand(unsigned char *buf, unsigned int n)
{
	if (n > INT32_MAX || RAND_priv_bytes(buf, (int)n) != 1) {
		OPENSSL_cleanse(buf, n);
		rand_failed = true;
	}
}

void share_dispose(share *s)
{
	if (!s)
		return;
	if (s->data)
		OPENSSL_cleanse(s->data, s->len);
	free(s->data);
	s->data = NULL;
	s->len = 0;
}

int share_set_init(share_set *set, size_t n)
{
	set->n = 0;
	set->v = calloc(n ? n : 1, sizeof(share));
	if (!set->v)
		return WARD_ENOMEM;
	set->n = n;
	return 0;
}

void share_set_dispose(share_set *set)
{
	if (!set || !set->v)
		return;
	for (size_t i = 0; i < set->n; i++)
		share_dispose(&set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

/* ---- rendering ---- */

/* The lines the checksum covers, exactly as written. */
static int render_header(char *out, size_t size, const share *s)
{
	char split[2 * SHARES_SPLIT_ID_LEN + 1];
	hex_encode(split, s->split, sizeof(s->split));
	int n = snprintf(out, size,
			 "ward-key-share: %u\nkeyid: %s\nscheme: %s\nsplit: %s\nshare: %u\n"
			 "threshold: %u\nshares: %u\nlength: %zu\n",
			 s->version, s->keyid, s->scheme, split, s->number, s->threshold, s->count,
			 s->len);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

static int checksum(uint8_t out[static 32], const share *s)
{
	char hdr[512];
	int n = render_header(hdr, sizeof(hdr), s);
	WARD_AUTO(EVP_MD_CTX_free) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	if (n < 0 || !ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, hdr, (size_t)n) != 1 ||
	    EVP_DigestUpdate(ctx, s->data, s->len) != 1 || EVP_DigestFinal_ex(ctx, out, &len) != 1 ||
	    len != 32)
		return WARD_ENOMEM;
	return 0;
}

int shares_format(ward_buf *out, const share *s, ward_error *err)
{
	char hdr[512], intro[256];
	uint8_t sum[32];
	char sumhex[65];
	int n = render_header(hdr, sizeof(hdr), s);
	int m = snprintf(intro, sizeof(intro),
			 "# ward key share %u of %u: any %u of the %u shares restore the key.\n"
			 "# Keep each share apart from the others.  To restore:\n"
			 "#   ward key restore NEW.key SHARE...\n",
			 s->number, s->count, s->threshold, s->count);
	if (n < 0 || m < 0 || (size_t)m >= sizeof(intro))
		return ward_err(err, WARD_EINVAL, "share: header does not fit");
	if (checksum(sum, s) != 0)
		return ward_err(err, WARD_ENOMEM, "share: cannot compute its checksum");
	hex_encode(sumhex, sum, sizeof(sum));
	/* Reserve it all at once: a reallocation would leave a copy of the
	 * share in freed memory. */
	size_t lines = s->len / BYTES_PER_LINE + 1, need;
	if (!size_mul_ok(lines, 5 * BYTES_PER_LINE / 2 + 1, &need) ||
	    !size_add_ok(need, (size_t)n + (size_t)m + 100, &need))
		return ward_err(err, WARD_ELIMIT, "share: too large");
	int rc = buf_reserve(out, need);
	if (rc)
		return ward_err(err, rc, "share: does not fit the buffer");
	rc = buf_append(out, intro, (size_t)m);
	if (!rc)
		rc = buf_append(out, hdr, (size_t)n);
	if (!rc)
		rc = buf_append(out, "data:\n", 6);
	char line[5 * BYTES_PER_LINE / 2 + 1];
	for (size_t i = 0; !rc && i < s->len; i += BYTES_PER_LINE) {
		size_t k = 0;
		for (size_t j = i; j < s->len && j < i + BYTES_PER_LINE; j++) {
			if (j > i && (j - i) % 2 == 0)
				line[k++] = ' ';
			hex_encode(line + k, s->data + j, 1);
			k += 2;
		}
		line[k++] = '\n';
		rc = buf_append(out, line, k);
	}
	OPENSSL_cleanse(line, sizeof(line));
	if (!rc)
		rc = buf_append(out, "checksum: ", 10);
	if (!rc)
		rc = buf_append(out, sumhex, 64);
	if (!rc)
		rc = buf_putc(out, '\n');
	if (rc)
		return ward_err(err, rc, "share: does not fit the buffer");
	return 0;
}

/* ---- parsing ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 2*len hex digits into out. */
static bool hex_exact(uint8_t *out, size_t len, const char *s, size_t slen)
{
	if (slen != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* A decimal in [lo, hi], no sign, no leading zero. */
static bool parse_num(const char *s, size_t len, size_t lo, size_t hi, size_t *out)
{
	if (len == 0 || len > 9 || (len > 1 && s[0] == '0'))
		return false;
	size_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

struct parser {
	share s;
	int field;       /* next header field expected, F_DATA + 1 once in the data */
	bool done;       /* the checksum line was read */
	size_t got;      /* data bytes decoded */
	int nibble;      /* a pending high half-byte, or -1 */
	uint8_t sum[32]; /* the checksum as written */
};

static void parser_dispose(struct parser *p)
{
	share_dispose(&p->s);
}

static inline void ward_auto_parser_dispose(struct parser *p)
{
	parser_dispose(p);
}

static int header_line(struct parser *p, const char *line, size_t len, size_t lineno,
		       ward_error *err)
{
	const char *name = p->s.name, *field = FIELDS[p->field];
	size_t flen = strlen(field);
	if (len <= flen || memcmp(line, field, flen) != 0 || line[flen] != ':')
		return ward_err(err, WARD_EINVAL, "%s: line %zu: expected \"%s:\"", name, lineno,
				field);
	const char *v = line + flen + 1;
	size_t vlen = len - flen - 1;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	size_t num = 0;
	bool ok = true;
	share *s = &p->s;
	switch (p->field) {
	case F_VERSION:
		if (!parse_num(v, vlen, 1, 1000000, &num))
			ok = false;
		else if (num != SHARES_FORMAT_VERSION)
			return ward_err(err, WARD_EINVAL,
					"%s: share format version %zu is not supported (this ward "
					"reads version %d)", name, num, SHARES_FORMAT_VERSION);
		s->version = (unsigned)num;
		break;
	case F_KEYID:
		ok = vlen == 64;
		for (size_t i = 0; ok && i < 64; i++) {
			int d = hexval(v[i]);
			ok = d >= 0;
			s->keyid[i] = "0123456789abcdef"[d & 15];
		}
		s->keyid[64] = '\0';
		break;
	case F_SCHEME:
		ok = vlen > 0 && vlen < sizeof(s->scheme);
		for (size_t i = 0; ok && i < vlen; i++)
			ok = (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-';
		if (ok) {
			memcpy(s->scheme, v, vlen);
			s->scheme[vlen] = '\0';
		}
		break;
	case F_SPLIT:
		ok = hex_exact(s->split, sizeof(s->split), v, vlen);
		break;
	case F_SHARE:
		ok = parse_num(v, vlen, 1, WARD_LIMIT_KEY_SHARES, &num);
		s->number = (unsigned)num;
		break;
	case F_THRESHOLD:
		ok = parse_num(v, vlen, 1, WARD_LIMIT_KEY_SHARES, &num);
		s->threshold = (unsigned)num;
		break;
	case F_SHARES:
		ok = parse_num(v, vlen, 1, WARD_LIMIT_KEY_SHARES, &num);
		s->count = (unsigned)num;
		break;
	case F_LENGTH:
		/* The DER of a key whose PEM fits WARD_LIMIT_KEY_PRIVATE_PEM. */
		ok = parse_num(v, vlen, 1, WARD_LIMIT_KEY_PRIVATE_PEM, &s->len);
		if (ok && !(s->data = malloc(s->len)))
			return ward_err(err, WARD_ENOMEM, "%s: out of memory", name);
		break;
	case F_DATA:
		ok = vlen == 0;
		if (ok && (s->threshold < 2 || s->threshold > s->count || s->number > s->count))
			return ward_err(err, WARD_EINVAL,
					"%s: share %u, threshold %u of %u shares is impossible", name,
					s->number, s->threshold, s->count);
		break;
	}
	if (!ok)
		return ward_err(err, WARD_EINVAL, "%s: line %zu: bad %s", name, lineno, field);
	p->field++;
	return 0;
}

static int data_line(struct parser *p, const char *line, size_t len, size_t lineno,
		     ward_error *err)
{
	static const char ck[] = "checksum:";
	if (len >= sizeof(ck) - 1 && memcmp(line, ck, sizeof(ck) - 1) == 0) {
		const char *v = line + sizeof(ck) - 1;
		size_t vlen = len - (sizeof(ck) - 1);
		while (vlen && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		if (!hex_exact(p->sum, sizeof(p->sum), v, vlen))
			return ward_err(err, WARD_EINVAL, "%s: line %zu: bad checksum", p->s.name,
					lineno);
		p->done = true;
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		if (line[i] == ' ' || line[i] == '\t')
			continue;
		int d = hexval(line[i]);
		if (d < 0)
			return ward_err(err, WARD_EINVAL, "%s: line %zu: not a hex digit in the data",
					p->s.name, lineno);
		if (p->nibble < 0) {
			p->nibble = d;
			continue;
		}
		if (p->got >= p->s.len)
			return ward_err(err, WARD_EVERIFY,
					"%s: more data than the %zu bytes its header gives: the share "
					"is corrupted or mistyped", p->s.name, p->s.len);
		p->s.data[p->got++] = (uint8_t)(p->nibble << 4 | d);
		p->nibble = -1;
	}
	return 0;
}

int shares_parse(share *out, const char *text, size_t len, const char *name, ward_error *err)
{
	if (!name)
		name = "share";
	if (!out || (!text && len))
		return ward_err(err, WARD_EINVAL, "%s: nothing to parse", name);
	if (len > WARD_LIMIT_KEY_SHARE_BYTES)
		return ward_err(err, WARD_ELIMIT, "%s: exceeds %zu bytes", name,
				WARD_LIMIT_KEY_SHARE_BYTES);
	if (len && memchr(text, '\0', len))
		return ward_err(err, WARD_EINVAL, "%s: not a text file", name);
	WARD_AUTO(parser_dispose) struct parser p = { .s = { .name = name }, .nibble = -1 };
	size_t pos = 0, lineno = 0;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		pos += ll + (nl ? 1 : 0);
		lineno++;
		while (ll && (line[ll - 1] == '\r' || line[ll - 1] == ' ' || line[ll - 1] == '\t'))
			ll--;
		if (ll == 0 || line[0] == '#')
			continue;
		if (p.done)
			return ward_err(err, WARD_EINVAL, "%s: line %zu: text after the checksum", name,
					lineno);
		int rc = p.field <= F_DATA ? header_line(&p, line, ll, lineno, err)
					   : data_line(&p, line, ll, lineno, err);
		if (rc)
			return rc;
	}
	if (!p.done)
		return ward_err(err, WARD_EINVAL, "%s: incomplete share (no \"%s:\" line)", name,
				p.field <= F_DATA ? FIELDS[p.field] : "checksum");
	if (p.nibble >= 0)
		return ward_err(err, WARD_EVERIFY,
				"%s: an odd number of hex digits in the data: the share is corrupted "
				"or mistyped", name);
	if (p.got != p.s.len)
		return ward_err(err, WARD_EVERIFY,
				"%s: %zu bytes of data where its header gives %zu: the share is "
				"corrupted or mistyped", name, p.got, p.s.len);
	uint8_t sum[32];
	if (checksum(sum, &p.s) != 0)
		return ward_err(err, WARD_ENOMEM, "%s: cannot compute its checksum", name);
	if (CRYPTO_memcmp(sum, p.sum, sizeof(sum)) != 0)
		return ward_err(err, WARD_EVERIFY,
				"%s: checksum mismatch: the share is corrupted or mistyped", name);
	*out = p.s;
	p.s.data = NULL;
	return 0;
}

/* ---- combining ---- */

/* Signs a message and verifies it with the public key the keyid names: a
 * combined key must be the private half of that public key. */
static int signs_for_its_keyid(const crypto_signer *s, ward_error *err)
{
	static const uint8_t msg[] = "ward key restore: does this key sign for its keyid?";
	WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT((size_t)1 << 16);
	WARD_AUTO(crypto_key_free) crypto_key *k = NULL;
	int rc = crypto_signer_sign(s, msg, sizeof(msg) - 1, &sig, err);
	if (!rc)
		rc = crypto_key_from_tuf(&k, crypto_signer_keytype(s), crypto_signer_scheme(s),
					 crypto_signer_public(s), err);
	if (!rc && crypto_key_verify(k, sig.ptr, sig.len, msg, sizeof(msg) - 1) != 0)
		rc = WARD_EVERIFY;
	return rc;
}

/* Lagrange interpolation at 0 over all n shares (checked consistent). */
static int combine(ward_buf *secret, const share *sh, size_t n, ward_error *err)
{
	uint8_t nrs[WARD_LIMIT_KEY_SHARES];
	size_t len = sh[0].len;
	for (size_t i = 0; i < n; i++)
		nrs[i] = (uint8_t)sh[i].number;
	int rc = buf_reserve(secret, len);
	if (rc)
		return ward_err(err, rc, "out of memory");
	gfshare_fill_rand = fill_rand; /* also what gfshare_ctx_free wipes with */
	WARD_AUTO(gfshare_ctx_free) gfshare_ctx *ctx =
		gfshare_ctx_init_dec(nrs, (unsigned)n, (unsigned)len);
	if (!ctx)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		gfshare_ctx_dec_giveshare(ctx, (unsigned char)i, sh[i].data);
	gfshare_ctx_dec_extract(ctx, secret->ptr);
	secret->len = len;
	secret->ptr[len] = '\0';
	return 0;
}

/* Everything that can be checked before combining. */
static int check_set(const share *sh, size_t n, ward_error *err)
{
	const share *a = &sh[0];
	for (size_t i = 1; i < n; i++) {
		const share *b = &sh[i];
		if (strcmp(a->keyid, b->keyid) != 0)
			return ward_err(err, WARD_EVERIFY,
					"%s is a share of key %.16s, %s of key %.16s: shares of "
					"different keys cannot be combined",
					b->name, b->keyid, a->name, a->keyid);
		if (memcmp(a->split, b->split, sizeof(a->split)) != 0)
			return ward_err(err, WARD_EVERIFY,
					"%s and %s are shares of different backups of key %.16s: "
					"shares of different backups cannot be combined",
					b->name, a->name, a->keyid);
		if (strcmp(a->scheme, b->scheme) != 0 || a->threshold != b->threshold ||
		    a->count != b->count || a->len != b->len)
			return ward_err(err, WARD_EVERIFY,
					"%s disagrees with %s on the key's scheme, threshold, share "
					"count or length", b->name, a->name);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (sh[i].number == sh[j].number)
				return ward_err(err, WARD_EINVAL,
						"%s and %s are the same share (%u of %u) given twice",
						sh[j].name, sh[i].name, sh[i].number, sh[i].count);
	if (n < a->threshold)
		return ward_err(err, WARD_EVERIFY,
				"key %.16s: %zu share%s given, %u of the %u needed to restore it", a->keyid,
				n, n == 1 ? "" : "s", a->threshold, a->count);
	return 0;
}

int shares_recover(crypto_signer **out, char keyid_out[static 65], const share *sh, size_t n,
		   ward_error *err)
{
	if (!out || !sh || n == 0)
		return ward_err(err, WARD_EINVAL, "no shares given");
	if (n > WARD_LIMIT_KEY_SHARES)
		return ward_err(err, WARD_EINVAL, "%zu shares given; a key has at most %d", n,
				WARD_LIMIT_KEY_SHARES);
	int rc = check_set(sh, n, err);
	if (rc)
		return rc;
	const share *a = &sh[0];
	WARD_AUTO(buf_dispose_secret) ward_buf der = WARD_BUF_INIT(a->len);
	rc = combine(&der, sh, n, err);
	if (rc)
		return rc;
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	ward_error inner = { 0 };
	if (keyfile_signer_from_der(&s, der.ptr, der.len, a->scheme, &inner) != 0)
		return ward_err(err, WARD_EVERIFY,
				"key %.16s: the shares do not combine to a %s private key (%s): a "
				"share is forged or damaged", a->keyid, a->scheme, inner.msg);
	char keyid[65];
	rc = tuf_keyid(keyid, s);
	if (rc)
		return ward_err(err, rc, "key %.16s: cannot compute the restored keyid", a->keyid);
	if (strcmp(keyid, a->keyid) != 0)
		return ward_err(err, WARD_EVERIFY,
				"the shares combine to key %.16s, not to key %.16s they name: a share "
				"is forged or damaged", keyid, a->keyid);
	if (signs_for_its_keyid(s, &inner) != 0)
		return ward_err(err, WARD_EVERIFY,
				"key %.16s: the restored private key does not sign for its public key",
				a->keyid);
	memcpy(keyid_out, keyid, sizeof(keyid));
	*out = WARD_TAKE_PTR(s);
	return 0;
}

/* ---- splitting ---- */

/* Parses texts[first..first+k-1] back and recombines them: what was
 * rendered must restore the key before anyone relies on it. */
static int check_restores(const ward_buf *texts, unsigned first, unsigned k, const char *keyid,
			  ward_error *err)
{
	WARD_AUTO(share_set_dispose) share_set set = { 0 };
	if (share_set_init(&set, k) != 0)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (unsigned i = 0; i < k; i++) {
		const ward_buf *t = &texts[first + i];
		int rc = shares_parse(&set.v[i], (const char *)t->ptr, t->len, "new share", err);
		if (rc)
			return rc;
	}
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	char got[65];
	int rc = shares_recover(&s, got, set.v, set.n, err);
	if (rc)
		return rc;
	if (strcmp(got, keyid) != 0)
		return ward_err(err, WARD_EVERIFY, "key %.16s: new shares restore another key", keyid);
	return 0;
}

static int split_into(ward_buf *texts, unsigned threshold, unsigned count, const crypto_signer *s,
		      ward_error *err)
{
	share tmpl = { .version = SHARES_FORMAT_VERSION, .threshold = threshold, .count = count };
	if (tuf_keyid(tmpl.keyid, s) != 0)
		return ward_err(err, WARD_ENOMEM, "cannot compute the keyid");
	const char *scheme = crypto_signer_scheme(s);
	if (strlen(scheme) >= sizeof(tmpl.scheme))
		return ward_err(err, WARD_EINVAL, "scheme \"%.40s\" is too long", scheme);
	memcpy(tmpl.scheme, scheme, strlen(scheme) + 1);
	WARD_AUTO(buf_dispose_secret) ward_buf der = WARD_BUF_INIT(WARD_LIMIT_KEY_PRIVATE_PEM);
	int rc = keyfile_signer_to_der(&der, s, err);
	if (rc)
		return rc;
	tmpl.len = der.len;
	if (RAND_bytes(tmpl.split, sizeof(tmpl.split)) != 1)
		return ward_err_openssl(err, WARD_EIO, "no randomness for the backup id");

	uint8_t nrs[WARD_LIMIT_KEY_SHARES];
	for (unsigned i = 0; i < count; i++)
		nrs[i] = (uint8_t)(i + 1); /* share i+1 is the polynomial at x = i+1 */
	rand_failed = false;
	gfshare_fill_rand = fill_rand;
	WARD_AUTO(gfshare_ctx_free) gfshare_ctx *ctx =
		gfshare_ctx_init_enc(nrs, count, (unsigned char)threshold, (unsigned)der.len);
	if (!ctx)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	gfshare_ctx_enc_setsecret(ctx, der.ptr);
	if (rand_failed)
		return ward_err(err, WARD_EIO, "no randomness for the share polynomial");
	WARD_AUTO(buf_dispose_secret) ward_buf one = WARD_BUF_INIT(der.len);
	rc = buf_reserve(&one, der.len);
	if (rc)
		return ward_err(err, rc, "out of memory");
	for (unsigned i = 0; i < count; i++) {
		gfshare_ctx_enc_getshare(ctx, (unsigned char)i, one.ptr);
		share sh = tmpl;
		sh.number = i + 1;
		sh.data = one.ptr; /* borrowed */
		rc = shares_format(&texts[i], &sh, err);
		if (rc)
			return rc;
	}
	rc = check_restores(texts, 0, threshold, tmpl.keyid, err);
	if (!rc)
		rc = check_restores(texts, count - threshold, threshold, tmpl.keyid, err);
	return rc;
}

int shares_split(ward_buf *texts, unsigned threshold, unsigned count, const crypto_signer *s,
		 ward_error *err)
{
	if (!texts || !s)
		return ward_err(err, WARD_EINVAL, "nothing to split");
	if (threshold < 2 || threshold > count || count > WARD_LIMIT_KEY_SHARES)
		return ward_err(err, WARD_EINVAL,
				"threshold %u of %u shares: need 2 <= threshold <= shares <= %d",
				threshold, count, WARD_LIMIT_KEY_SHARES);
	for (unsigned i = 0; i < count; i++)
		buf_init(&texts[i], WARD_LIMIT_KEY_SHARE_BYTES);
	int rc = split_into(texts, threshold, count, s, err);
	if (rc)
		for (unsigned i = 0; i < count; i++)
			buf_dispose_secret(&texts[i]);
	return rc;
}
