/*
 * shares_fuzz.c - fuzzes the backup share parser (src/keys/shares.c):
 * shares_parse on the raw bytes of one share file, as `ward key restore`
 * reads it, with the production limit (WARD_LIMIT_KEY_SHARE_BYTES, which
 * shares_parse itself enforces; max_len in scripts/fuzz.sh goes past it so
 * that the refusal runs too), then shares_format on what was parsed.
 *
 * Properties (abort = a bug in ward):
 *  - a failure is one of the documented codes and fills ward_error with a
 *    message; the output share is written only on success;
 *  - a parsed share keeps the format's invariants: version 1, a lowercase
 *    64-digit keyid, a scheme of [a-z0-9-], 2 <= threshold <= shares <=
 *    WARD_LIMIT_KEY_SHARES, 1 <= share <= shares, 1 <= length <=
 *    WARD_LIMIT_KEY_PRIVATE_PEM with that many data bytes;
 *  - a parsed share renders (within WARD_LIMIT_KEY_SHARE_BYTES) to a text
 *    that parses back to the same fields and data, and that text is a
 *    fixed point: rendering the second parse gives the same bytes;
 *  - shares_recover refuses the share alone (below its threshold,
 *    WARD_EVERIFY) and the share with its re-parsed copy (a duplicate,
 *    WARD_EINVAL) before combining anything;
 *  - every message is one line of printable ASCII.
 *
 * The checksum (SHA-256 over the header and data) means that a mutation
 * of a header value or of the data is refused at the very end of the
 * parse, after every line has been read; the success path is reached by
 * mutations of the layout (comments, blank lines, spacing, CRLF, digit
 * case, data line breaks) and by the seeds (see fuzz/README.md).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "keys/shares.h"
#include "util/limits.h"

static const char NAME[] = "fuzz.share";

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A message is one line of printable ASCII: nothing from the file but
 * numbers reaches it. */
static void check_failure(int rc, const ward_error *err)
{
	if (rc != WARD_EINVAL && rc != WARD_EVERIFY && rc != WARD_ELIMIT && rc != WARD_ENOMEM)
		abort();
	size_t n = strnlen(err->msg, sizeof(err->msg));
	if (err->code != rc || n == 0 || n == sizeof(err->msg))
		abort();
	for (size_t i = 0; i < n; i++)
		if (err->msg[i] < 0x20 || err->msg[i] > 0x7e)
			abort();
}

static void check_share(const share *s)
{
	if (s->name != NAME || s->version != SHARES_FORMAT_VERSION)
		abort();
	if (strnlen(s->keyid, sizeof(s->keyid)) != 64 || !is_lower_hex(s->keyid, 64))
		abort();
	size_t sl = strnlen(s->scheme, sizeof(s->scheme));
	if (sl == 0 || sl == sizeof(s->scheme))
		abort();
	for (size_t i = 0; i < sl; i++) {
		char c = s->scheme[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			abort();
	}
	if (s->threshold < 2 || s->threshold > s->count || s->count > WARD_LIMIT_KEY_SHARES ||
	    s->number < 1 || s->number > s->count)
		abort();
	if (s->len < 1 || s->len > WARD_LIMIT_KEY_PRIVATE_PEM || !s->data)
		abort();
}

static bool same_share(const share *a, const share *b)
{
	return a->version == b->version && strcmp(a->keyid, b->keyid) == 0 &&
	       strcmp(a->scheme, b->scheme) == 0 && memcmp(a->split, b->split, sizeof(a->split)) == 0 &&
	       a->number == b->number && a->threshold == b->threshold && a->count == b->count &&
	       a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* shares_format, then shares_parse: same share, and the text is a fixed
 * point. */
static void check_round_trip(const share *s)
{
	WARD_AUTO(buf_dispose_secret) ward_buf text = WARD_BUF_INIT(WARD_LIMIT_KEY_SHARE_BYTES);
	ward_error err = { 0, "" };
	int rc = shares_format(&text, s, &err);
	if (rc == WARD_ENOMEM)
		return;
	if (rc)
		abort();
	WARD_AUTO(share_dispose) share again = { 0 };
	rc = shares_parse(&again, (const char *)text.ptr, text.len, NAME, &err);
	if (rc == WARD_ENOMEM)
		return;
	if (rc || !same_share(s, &again))
		abort();
	/* One share is below any threshold (at least 2), and the same share
	 * twice is a duplicate: recovery refuses both before combining. */
	crypto_signer *signer = NULL;
	char keyid[65];
	const share one[1] = { *s }, two[2] = { *s, again };
	rc = shares_recover(&signer, keyid, one, 1, &err);
	if (rc != WARD_EVERIFY || signer)
		abort();
	check_failure(rc, &err);
	rc = shares_recover(&signer, keyid, two, 2, &err);
	if (rc != WARD_EINVAL || signer)
		abort();
	check_failure(rc, &err);
	WARD_AUTO(buf_dispose_secret) ward_buf text2 = WARD_BUF_INIT(WARD_LIMIT_KEY_SHARE_BYTES);
	rc = shares_format(&text2, &again, &err);
	if (rc == WARD_ENOMEM)
		return;
	if (rc || text2.len != text.len || memcmp(text2.ptr, text.ptr, text.len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A pattern the parser must leave alone unless it succeeds. */
	share s, before;
	memset(&s, 0xa5, sizeof(s));
	memcpy(&before, &s, sizeof(s));
	ward_error err = { 0, "" };
	int rc = shares_parse(&s, (const char *)data, size, NAME, &err);
	if (rc) {
		if (memcmp(&s, &before, sizeof(s)) != 0)
			abort();
		check_failure(rc, &err);
		if (size > WARD_LIMIT_KEY_SHARE_BYTES && rc != WARD_ELIMIT)
			abort();
		return 0;
	}
	if (size > WARD_LIMIT_KEY_SHARE_BYTES)
		abort();
	check_share(&s);
	check_round_trip(&s);
	share_dispose(&s);
	return 0;
}
