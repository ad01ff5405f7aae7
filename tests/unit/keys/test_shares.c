/*
 * test_shares.c - unit tests of src/keys/shares.c: K-of-N backup shares.
 *
 * Every subset of the shares is tried: each of at least K shares restores
 * the same keyid, each smaller one is refused.  Then every way a set of
 * shares can be wrong: corrupted, duplicated, of another key, of another
 * backup of the same key, and forged so that the checksum and backup id
 * match and the combination is a valid key - but another one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libgfshare.h>
#include <openssl/rand.h>

#include "crypto/key.h"
#include "keys/keyfile.h"
#include "keys/shares.h"
#include "tuf/sign.h"
#include "util/buf.h"
#include "util/limits.h"

static const char *const SCHEMES[] = {
	"ed25519",
	"ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp384",
	"rsassa-pss-sha256",
};
#define N_SCHEMES WARD_ARRAY_LEN(SCHEMES)

static crypto_signer *signers[N_SCHEMES];
static crypto_signer *other; /* a second ed25519 key */

static int setup_signers(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++)
		if (crypto_signer_generate(&signers[i], SCHEMES[i], NULL) != 0)
			return -1;
	return crypto_signer_generate(&other, "ed25519", NULL) == 0 ? 0 : -1;
}

static int teardown_signers(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++)
		crypto_signer_free(signers[i]);
	crypto_signer_free(other);
	return 0;
}

/* A backup: the texts and the shares parsed from them. */
struct backup {
	unsigned k, n;
	ward_buf texts[8];
	char names[8][32];
	share_set set;
	char keyid[65];
};

static void backup_make(struct backup *b, const crypto_signer *s, unsigned k, unsigned n)
{
	assert_true(n <= 8);
	b->k = k;
	b->n = n;
	assert_int_equal(tuf_keyid(b->keyid, s), 0);
	ward_error err = { 0 };
	if (shares_split(b->texts, k, n, s, &err) != 0)
		fail_msg("split %u of %u: %s", k, n, err.msg);
	assert_int_equal(share_set_init(&b->set, n), 0);
	for (unsigned i = 0; i < n; i++) {
		snprintf(b->names[i], sizeof(b->names[i]), "key.share-%u-of-%u", i + 1, n);
		if (shares_parse(&b->set.v[i], (const char *)b->texts[i].ptr, b->texts[i].len,
				 b->names[i], &err) != 0)
			fail_msg("%s: %s", b->names[i], err.msg);
		assert_int_equal(b->set.v[i].number, i + 1);
	}
}

static void backup_dispose(struct backup *b)
{
	for (unsigned i = 0; i < b->n; i++)
		buf_dispose_secret(&b->texts[i]);
	share_set_dispose(&b->set);
}

static inline void ward_auto_backup_dispose(struct backup *b)
{
	backup_dispose(b);
}

/* Recovers from the shares listed (0-based indexes into b, or into the
 * shares given). */
static int recover_from(const share *const *list, size_t m, char keyid[65], ward_error *err)
{
	share v[8];
	for (size_t i = 0; i < m; i++)
		v[i] = *list[i]; /* shallow: the data stays owned by its set */
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	return shares_recover(&s, keyid, v, m, err);
}

/* ---- every subset ---- */

static void check_every_subset(const crypto_signer *s, unsigned k, unsigned n)
{
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&b, s, k, n);
	for (unsigned mask = 1; mask < (1u << n); mask++) {
		const share *list[8];
		size_t m = 0;
		for (unsigned i = 0; i < n; i++)
			if (mask & (1u << i))
				list[m++] = &b.set.v[i];
		char keyid[65] = "";
		ward_error err = { 0 };
		int rc = recover_from(list, m, keyid, &err);
		if (m >= k) {
			if (rc != 0)
				fail_msg("%s %u of %u, subset %#x: %s", crypto_signer_scheme(s), k, n,
					 mask, err.msg);
			assert_string_equal(keyid, b.keyid);
		} else {
			assert_int_equal(rc, WARD_EVERIFY);
			char want[128];
			snprintf(want, sizeof(want), "key %.16s: %zu share%s given, %u of the %u needed",
				 b.keyid, m, m == 1 ? "" : "s", k, n);
			assert_non_null(strstr(err.msg, want));
		}
	}
}

static void every_k_subset_of_2_of_3_shares_restores_the_same_keyid(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++)
		check_every_subset(signers[i], 2, 3);
}

static void every_k_subset_of_3_of_5_shares_restores_the_same_keyid(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++)
		check_every_subset(signers[i], 3, 5);
}

static void k_equal_to_n_needs_every_share(void **state)
{
	(void)state;
	check_every_subset(signers[0], 4, 4);
}

static void split_supports_up_to_255_shares(void **state)
{
	(void)state;
	ward_buf *texts = calloc(255, sizeof(ward_buf));
	assert_non_null(texts);
	ward_error err = { 0 };
	if (shares_split(texts, 2, 255, signers[0], &err) != 0)
		fail_msg("%s", err.msg);
	assert_non_null(strstr((const char *)texts[254].ptr, "\nshare: 255\n"));
	for (unsigned i = 0; i < 255; i++)
		buf_dispose_secret(&texts[i]);
	if (shares_split(texts, 255, 255, signers[0], &err) != 0)
		fail_msg("%s", err.msg);
	for (unsigned i = 0; i < 255; i++)
		buf_dispose_secret(&texts[i]);
	free(texts);
}

static void split_refuses_impossible_counts_with_einval(void **state)
{
	(void)state;
	static const unsigned bad[][2] = { { 1, 3 }, { 0, 3 }, { 4, 3 }, { 2, 256 }, { 0, 0 }, { 1, 1 } };
	ward_buf texts[8];
	for (size_t i = 0; i < WARD_ARRAY_LEN(bad); i++) {
		ward_error err = { 0 };
		assert_int_equal(shares_split(texts, bad[i][0], bad[i][1], signers[0], &err),
				 WARD_EINVAL);
		assert_non_null(strstr(err.msg, "need 2 <= threshold <= shares <= 255"));
	}
}

static void two_backups_of_one_key_have_different_shares(void **state)
{
	(void)state;
	WARD_AUTO(backup_dispose) struct backup a = { 0 };
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&a, signers[0], 2, 3);
	backup_make(&b, signers[0], 2, 3);
	assert_memory_not_equal(a.set.v[0].split, b.set.v[0].split, SHARES_SPLIT_ID_LEN);
	assert_memory_not_equal(a.set.v[0].data, b.set.v[0].data, a.set.v[0].len);
}

/* ---- wrong sets ---- */

static void a_duplicated_share_is_refused_with_einval(void **state)
{
	(void)state;
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&b, signers[0], 2, 3);
	const share *list[] = { &b.set.v[1], &b.set.v[1] };
	char keyid[65];
	ward_error err = { 0 };
	assert_int_equal(recover_from(list, 2, keyid, &err), WARD_EINVAL);
	assert_string_equal(err.msg, "key.share-2-of-3 and key.share-2-of-3 are the same share "
				     "(2 of 3) given twice");
	/* even alongside enough distinct shares */
	const share *more[] = { &b.set.v[0], &b.set.v[2], &b.set.v[0] };
	assert_int_equal(recover_from(more, 3, keyid, &err), WARD_EINVAL);
}

/* Changes one hex digit of the data (the second data line's first digit). */
static void corrupt_data(ward_buf *text)
{
	char *data = strstr((char *)text->ptr, "\ndata:\n");
	assert_non_null(data);
	char *line2 = strchr(data + 7, '\n');
	assert_non_null(line2);
	line2[1] = line2[1] == '0' ? '1' : '0';
}

static void a_corrupted_share_is_refused_naming_it(void **state)
{
	(void)state;
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&b, signers[1], 3, 5);
	corrupt_data(&b.texts[3]);
	WARD_AUTO(share_dispose) share s = { 0 };
	ward_error err = { 0 };
	assert_int_equal(shares_parse(&s, (const char *)b.texts[3].ptr, b.texts[3].len,
				      "/media/usb4/root.share-4-of-5", &err),
			 WARD_EVERIFY);
	assert_string_equal(err.msg, "/media/usb4/root.share-4-of-5: checksum mismatch: the share is "
				     "corrupted or mistyped");
	assert_null(s.data);
}

static void a_changed_header_is_refused_by_the_checksum(void **state)
{
	(void)state;
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&b, signers[0], 2, 3);
	static const char *const edits[][2] = {
		{ "\nshare: 2\n", "\nshare: 3\n" },
		{ "\nthreshold: 2\n", "\nthreshold: 3\n" },
		{ "\nscheme: ed25519\n", "\nscheme: ed25518\n" },
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(edits); i++) {
		WARD_AUTO(buf_dispose) ward_buf t = WARD_BUF_INIT(1 << 16);
		assert_int_equal(buf_append(&t, b.texts[1].ptr, b.texts[1].len), 0);
		char *at = strstr((char *)t.ptr, edits[i][0]);
		assert_non_null(at);
		memcpy(at, edits[i][1], strlen(edits[i][1]));
		share s = { 0 };
		ward_error err = { 0 };
		assert_int_equal(shares_parse(&s, (const char *)t.ptr, t.len, "s2", &err), WARD_EVERIFY);
		assert_string_equal(err.msg, "s2: checksum mismatch: the share is corrupted or mistyped");
	}
}

static void missing_or_extra_data_is_refused_with_everify(void **state)
{
	(void)state;
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&b, signers[0], 2, 3);
	/* drop the first group of 4 digits */
	WARD_AUTO(buf_dispose) ward_buf t = WARD_BUF_INIT(1 << 16);
	assert_int_equal(buf_append(&t, b.texts[0].ptr, b.texts[0].len), 0);
	char *data = strstr((char *)t.ptr, "\ndata:\n") + 7;
	memset(data, ' ', 4);
	share s = { 0 };
	ward_error err = { 0 };
	assert_int_equal(shares_parse(&s, (const char *)t.ptr, t.len, "s1", &err), WARD_EVERIFY);
	assert_string_equal(err.msg, "s1: 46 bytes of data where its header gives 48: the share is "
				     "corrupted or mistyped");
	/* one digit too many */
	t.len = 0;
	assert_int_equal(buf_append(&t, b.texts[0].ptr, b.texts[0].len), 0);
	data = strstr((char *)t.ptr, "\ndata:\n") + 7;
	data[4] = 'f'; /* the space between the first two groups */
	assert_int_equal(shares_parse(&s, (const char *)t.ptr, t.len, "s1", &err), WARD_EVERIFY);
}

static void shares_of_two_different_keys_are_refused_with_everify(void **state)
{
	(void)state;
	WARD_AUTO(backup_dispose) struct backup a = { 0 };
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&a, signers[0], 2, 3);
	backup_make(&b, other, 2, 3);
	const share *list[] = { &a.set.v[0], &b.set.v[1] };
	char keyid[65];
	ward_error err = { 0 };
	assert_int_equal(recover_from(list, 2, keyid, &err), WARD_EVERIFY);
	char want[256];
	snprintf(want, sizeof(want),
		 "key.share-2-of-3 is a share of key %.16s, key.share-1-of-3 of key %.16s: shares "
		 "of different keys cannot be combined", b.keyid, a.keyid);
	assert_string_equal(err.msg, want);
}

static void shares_of_two_backups_of_one_key_are_refused_with_everify(void **state)
{
	(void)state;
	WARD_AUTO(backup_dispose) struct backup a = { 0 };
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&a, signers[0], 2, 3);
	backup_make(&b, signers[0], 2, 3);
	const share *list[] = { &a.set.v[0], &b.set.v[1] };
	char keyid[65];
	ward_error err = { 0 };
	assert_int_equal(recover_from(list, 2, keyid, &err), WARD_EVERIFY);
	char want[256];
	snprintf(want, sizeof(want),
		 "key.share-2-of-3 and key.share-1-of-3 are shares of different backups of key "
		 "%.16s: shares of different backups cannot be combined", a.keyid);
	assert_string_equal(err.msg, want);
}

/* Re-renders a share with a fresh checksum and parses it back: what a
 * forger who edits a share file can do. */
static void forge(share *out, const share *s, const char *name)
{
	WARD_AUTO(buf_dispose) ward_buf t = WARD_BUF_INIT(1 << 16);
	assert_int_equal(shares_format(&t, s, NULL), 0);
	assert_int_equal(shares_parse(out, (const char *)t.ptr, t.len, name, NULL), 0);
}

static void a_share_of_another_backup_relabelled_as_this_one_never_gives_a_wrong_key(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SCHEMES; i++) {
		WARD_AUTO(backup_dispose) struct backup a = { 0 };
		WARD_AUTO(backup_dispose) struct backup b = { 0 };
		backup_make(&a, signers[i], 2, 3);
		backup_make(&b, signers[i], 2, 3);
		share relabelled = b.set.v[1];
		memcpy(relabelled.split, a.set.v[0].split, SHARES_SPLIT_ID_LEN);
		WARD_AUTO(share_dispose) share forged = { 0 };
		forge(&forged, &relabelled, "forged");
		const share *list[] = { &a.set.v[0], &forged };
		char keyid[65];
		ward_error err = { 0 };
		assert_int_equal(recover_from(list, 2, keyid, &err), WARD_EVERIFY);
		assert_non_null(strstr(err.msg, "a share is forged or damaged"));
	}
}

static void fill_rand(unsigned char *buf, unsigned int n)
{
	assert_int_equal(RAND_bytes(buf, (int)n), 1);
}

/* y = the secret libgfshare interpolates at 0 from (x1, a) and (x2, b). */
static void interpolate(uint8_t *y, uint8_t x1, const uint8_t *a, uint8_t x2, const uint8_t *b,
			size_t len)
{
	uint8_t nrs[2] = { x1, x2 };
	gfshare_fill_rand = fill_rand;
	gfshare_ctx *ctx = gfshare_ctx_init_dec(nrs, 2, (unsigned)len);
	assert_non_null(ctx);
	gfshare_ctx_dec_giveshare(ctx, 0, (unsigned char *)(uintptr_t)a);
	gfshare_ctx_dec_giveshare(ctx, 1, (unsigned char *)(uintptr_t)b);
	gfshare_ctx_dec_extract(ctx, y);
	gfshare_ctx_free(ctx);
}

static void a_forged_share_that_combines_to_another_valid_key_is_refused(void **state)
{
	(void)state;
	/* Shamir's scheme is linear: with share 1 fixed, adding d to share 2
	 * adds L2*d to the secret.  So a forger who knows the key (or here,
	 * the test) can make share 2 combine to another key of the same
	 * length.  Checksum and backup id are recomputed; only the keyid
	 * check after combining stands in the way. */
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&b, signers[0], 2, 3);
	WARD_AUTO(buf_dispose_secret) ward_buf mine = WARD_BUF_INIT(1 << 16);
	WARD_AUTO(buf_dispose_secret) ward_buf theirs = WARD_BUF_INIT(1 << 16);
	assert_int_equal(keyfile_signer_to_der(&mine, signers[0], NULL), 0);
	assert_int_equal(keyfile_signer_to_der(&theirs, other, NULL), 0);
	assert_int_equal(mine.len, theirs.len);
	size_t len = mine.len;
	/* m[e] = what a share-2 byte e contributes alone (share 1 zero) */
	uint8_t zero[256] = { 0 }, all[256], m[256], inv[256];
	for (unsigned e = 0; e < 256; e++)
		all[e] = (uint8_t)e;
	interpolate(m, 1, zero, 2, all, 256);
	for (unsigned e = 0; e < 256; e++)
		inv[m[e]] = (uint8_t)e;
	share target = b.set.v[1];
	uint8_t *data = malloc(len);
	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = target.data[i] ^ inv[mine.ptr[i] ^ theirs.ptr[i]];
	target.data = data;
	WARD_AUTO(share_dispose) share forged = { 0 };
	forge(&forged, &target, "forged");
	free(data);
	/* the forgery works as intended: it combines to the other key's DER */
	uint8_t *combined = malloc(len);
	assert_non_null(combined);
	interpolate(combined, 1, b.set.v[0].data, 2, forged.data, len);
	assert_memory_equal(combined, theirs.ptr, len);
	free(combined);
	/* and is refused */
	const share *list[] = { &b.set.v[0], &forged };
	char keyid[65], other_id[65];
	assert_int_equal(tuf_keyid(other_id, other), 0);
	ward_error err = { 0 };
	assert_int_equal(recover_from(list, 2, keyid, &err), WARD_EVERIFY);
	char want[256];
	snprintf(want, sizeof(want),
		 "the shares combine to key %.16s, not to key %.16s they name: a share is forged or "
		 "damaged", other_id, b.keyid);
	assert_string_equal(err.msg, want);
}

/* ---- the text format ---- */

static void parse_tolerates_crlf_uppercase_hex_regrouping_and_comments(void **state)
{
	(void)state;
	/* as someone might retype a printed share */
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&b, signers[0], 2, 3);
	WARD_AUTO(buf_dispose) ward_buf t = WARD_BUF_INIT(1 << 16);
	const char *p = (const char *)b.texts[2].ptr;
	bool in_data = false;
	assert_int_equal(buf_append(&t, "# retyped from paper\r\n\r\n", 24), 0);
	for (; *p; p++) {
		if (p - (const char *)b.texts[2].ptr >= 6 && strncmp(p - 6, "data:\n", 6) == 0)
			in_data = true;
		if (strncmp(p, "checksum:", 9) == 0)
			in_data = false;
		char c = *p;
		if (in_data && c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		if (in_data && c == ' ')
			continue; /* regroup: no spaces at all */
		if (c == '\n')
			assert_int_equal(buf_append(&t, "  \r", 3), 0);
		assert_int_equal(buf_putc(&t, (uint8_t)c), 0);
	}
	WARD_AUTO(share_dispose) share s = { 0 };
	ward_error err = { 0 };
	if (shares_parse(&s, (const char *)t.ptr, t.len, "typed", &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(s.len, b.set.v[2].len);
	assert_memory_equal(s.data, b.set.v[2].data, s.len);
}

static void format_then_parse_round_trips(void **state)
{
	(void)state;
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&b, signers[3], 3, 5);
	for (unsigned i = 0; i < 5; i++) {
		const share *s = &b.set.v[i];
		assert_string_equal(s->keyid, b.keyid);
		assert_string_equal(s->scheme, "rsassa-pss-sha256");
		assert_int_equal(s->version, 1);
		assert_int_equal(s->threshold, 3);
		assert_int_equal(s->count, 5);
		WARD_AUTO(buf_dispose) ward_buf t = WARD_BUF_INIT(1 << 16);
		assert_int_equal(shares_format(&t, s, NULL), 0);
		assert_int_equal(t.len, b.texts[i].len);
		assert_memory_equal(t.ptr, b.texts[i].ptr, t.len);
	}
}

static void parse_refuses_an_unsupported_version_with_einval(void **state)
{
	(void)state;
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&b, signers[0], 2, 3);
	WARD_AUTO(buf_dispose) ward_buf t = WARD_BUF_INIT(1 << 16);
	assert_int_equal(buf_append(&t, b.texts[0].ptr, b.texts[0].len), 0);
	char *v = strstr((char *)t.ptr, "ward-key-share: 1\n");
	assert_non_null(v);
	v[16] = '2';
	share s = { 0 };
	ward_error err = { 0 };
	assert_int_equal(shares_parse(&s, (const char *)t.ptr, t.len, "s", &err), WARD_EINVAL);
	assert_string_equal(err.msg, "s: share format version 2 is not supported (this ward reads "
				     "version 1)");
}

/* Replaces the first occurrence of from in text by to; returns the parse. */
static int parse_edited(const ward_buf *text, const char *from, const char *to, ward_error *err)
{
	WARD_AUTO(buf_dispose) ward_buf t = WARD_BUF_INIT(1 << 16);
	const char *s = (const char *)text->ptr;
	const char *at = strstr(s, from);
	assert_non_null(at);
	assert_int_equal(buf_append(&t, s, (size_t)(at - s)), 0);
	assert_int_equal(buf_append(&t, to, strlen(to)), 0);
	const char *rest = at + strlen(from);
	assert_int_equal(buf_append(&t, rest, strlen(rest)), 0);
	WARD_AUTO(share_dispose) share out = { 0 };
	return shares_parse(&out, (const char *)t.ptr, t.len, "s", err);
}

static void parse_refuses_malformed_shares_with_einval_naming_the_line(void **state)
{
	(void)state;
	WARD_AUTO(backup_dispose) struct backup b = { 0 };
	backup_make(&b, signers[0], 2, 3);
	const ward_buf *t = &b.texts[1];
	static const struct {
		const char *from, *to, *msg;
	} cases[] = {
		{ "\nshare: 2\n", "\nshare: 02\n", "s: line 8: bad share" },
		{ "\nshare: 2\n", "\nshare: 0\n", "s: line 8: bad share" },
		{ "\nshare: 2\n", "\nshare: 4\n", "s: share 4, threshold 2 of 3 shares is impossible" },
		{ "\nthreshold: 2\n", "\nthreshold: 1\n",
		  "s: share 2, threshold 1 of 3 shares is impossible" },
		{ "\nshares: 3\n", "\nshares: 256\n", "s: line 10: bad shares" },
		{ "\nlength: 48\n", "\nlength: -48\n", "s: line 11: bad length" },
		{ "\nlength: 48\n", "\nlength: 99999999\n", "s: line 11: bad length" },
		{ "\nkeyid: ", "\nkeyid: z", "s: line 5: bad keyid" },
		{ "\nscheme: ed25519\n", "\nscheme: Ed25519!\n", "s: line 6: bad scheme" },
		{ "\nsplit: ", "\nsplit: 00", "s: line 7: bad split" },
		{ "\nthreshold: ", "\nthresh: ", "s: line 9: expected \"threshold:\"" },
		{ "\ndata:\n", "\ndata: x\n", "s: line 12: bad data" },
		{ "\ndata:\n", "\ndata:\nzz\n", "s: line 13: not a hex digit in the data" },
		{ "\nchecksum: ", "\nchecksum: 0", "s: line 16: bad checksum" },
		{ "\nchecksum: ", "\nchecksum:\n", "s: line 16: bad checksum" },
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
		ward_error err = { 0 };
		assert_int_equal(parse_edited(t, cases[i].from, cases[i].to, &err), WARD_EINVAL);
		assert_string_equal(err.msg, cases[i].msg);
	}
	/* text after the checksum; no checksum; nothing at all; a NUL */
	ward_error err = { 0 };
	WARD_AUTO(buf_dispose) ward_buf more = WARD_BUF_INIT(1 << 16);
	assert_int_equal(buf_append(&more, t->ptr, t->len), 0);
	assert_int_equal(buf_append(&more, "extra\n", 6), 0);
	share s = { 0 };
	assert_int_equal(shares_parse(&s, (const char *)more.ptr, more.len, "s", &err), WARD_EINVAL);
	assert_string_equal(err.msg, "s: line 17: text after the checksum");
	const char *ck = strstr((const char *)t->ptr, "checksum:");
	assert_int_equal(shares_parse(&s, (const char *)t->ptr, (size_t)(ck - (const char *)t->ptr),
				      "s", &err),
			 WARD_EINVAL);
	assert_string_equal(err.msg, "s: incomplete share (no \"checksum:\" line)");
	assert_int_equal(shares_parse(&s, "", 0, "s", &err), WARD_EINVAL);
	assert_string_equal(err.msg, "s: incomplete share (no \"ward-key-share:\" line)");
	assert_int_equal(shares_parse(&s, "ward-key-share: 1\0", 18, "s", &err), WARD_EINVAL);
	assert_string_equal(err.msg, "s: not a text file");
	assert_null(s.data);
}

static void parse_refuses_an_oversized_share_with_elimit(void **state)
{
	(void)state;
	size_t n = WARD_LIMIT_KEY_SHARE_BYTES + 1;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, '#', n);
	share s = { 0 };
	assert_int_equal(shares_parse(&s, big, n, "s", NULL), WARD_ELIMIT);
	free(big);
}

static void recover_refuses_no_shares_with_einval(void **state)
{
	(void)state;
	char keyid[65];
	crypto_signer *s = NULL;
	assert_int_equal(shares_recover(&s, keyid, NULL, 0, NULL), WARD_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_k_subset_of_2_of_3_shares_restores_the_same_keyid),
		cmocka_unit_test(every_k_subset_of_3_of_5_shares_restores_the_same_keyid),
		cmocka_unit_test(k_equal_to_n_needs_every_share),
		cmocka_unit_test(split_supports_up_to_255_shares),
		cmocka_unit_test(split_refuses_impossible_counts_with_einval),
		cmocka_unit_test(two_backups_of_one_key_have_different_shares),
		cmocka_unit_test(a_duplicated_share_is_refused_with_einval),
		cmocka_unit_test(a_corrupted_share_is_refused_naming_it),
		cmocka_unit_test(a_changed_header_is_refused_by_the_checksum),
		cmocka_unit_test(missing_or_extra_data_is_refused_with_everify),
		cmocka_unit_test(shares_of_two_different_keys_are_refused_with_everify),
		cmocka_unit_test(shares_of_two_backups_of_one_key_are_refused_with_everify),
		cmocka_unit_test(a_share_of_another_backup_relabelled_as_this_one_never_gives_a_wrong_key),
		cmocka_unit_test(a_forged_share_that_combines_to_another_valid_key_is_refused),
		cmocka_unit_test(parse_tolerates_crlf_uppercase_hex_regrouping_and_comments),
		cmocka_unit_test(format_then_parse_round_trips),
		cmocka_unit_test(parse_refuses_an_unsupported_version_with_einval),
		cmocka_unit_test(parse_refuses_malformed_shares_with_einval_naming_the_line),
		cmocka_unit_test(parse_refuses_an_oversized_share_with_elimit),
		cmocka_unit_test(recover_refuses_no_shares_with_einval),
	};
	return cmocka_run_group_tests(tests, setup_signers, teardown_signers);
}
