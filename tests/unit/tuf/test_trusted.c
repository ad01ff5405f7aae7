/*
 * test_trusted.c - the trusted metadata set, rule by rule (TUF 5.2-5.7).
 * Metadata is built in memory with libward's own signing (tuf/sign.h), so
 * every case controls exactly one deviation from a valid repository.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "json/json.h"
#include "tuf/sign.h"
#include "tuf/trusted.h"
#include "util/limits.h"

#define NOW 1780000000 /* 2026-05-28 */
#define FUTURE "2030-01-01T00:00:00Z"
#define PAST "2020-01-01T00:00:00Z"

enum { K_ROOT1, K_ROOT2, K_ROOT3, K_TS, K_SNAP, K_TGT, K_DELEG, K_EVIL, K_TS2, NKEYS };
static crypto_signer *keys[NKEYS];
static char ids[NKEYS][65];

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < NKEYS; i++) {
		ward_error e;
		if (crypto_signer_generate(&keys[i], i == K_ROOT3 ? "ecdsa-sha2-nistp256" : "ed25519",
					   &e) != 0 ||
		    tuf_keyid(ids[i], keys[i]) != 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NKEYS; i++)
		crypto_signer_free(keys[i]);
	return 0;
}

/* Signs `s` (taking ownership) with the listed keys; returns the bytes. */
static ward_buf sign_with(json_t *s, const int *signers, size_t n)
{
	crypto_signer *sv[8];
	for (size_t i = 0; i < n; i++)
		sv[i] = keys[signers[i]];
	ward_buf b = WARD_BUF_INIT(1 << 24);
	ward_error e = { 0 };
	if (tuf_sign_envelope(&b, s, sv, n, &e) != 0)
		fail_msg("sign: %s", e.msg);
	json_decref(s);
	return b;
}

/* The update functions take the bytes out of their buffer. */
static ward_buf copy_of(const ward_buf *b)
{
	ward_buf c = WARD_BUF_INIT(b->max);
	assert_int_equal(buf_append(&c, b->ptr, b->len), 0);
	return c;
}

/* Ordinary JSON for a hand-edited envelope (canonical JSON writes PEM
 * newlines raw, which JSON readers refuse). */
static ward_buf dump(const json_t *v)
{
	ward_buf b = WARD_BUF_INIT(1 << 20);
	char *s = json_dumps(v, JSON_COMPACT);
	assert_non_null(s);
	assert_int_equal(buf_append(&b, s, strlen(s)), 0);
	free(s);
	return b;
}

static json_t *role(const int *k, size_t n, int threshold)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(ids[k[i]]));
	return json_pack("{s:o, s:i}", "keyids", a, "threshold", threshold);
}

struct root_opts {
	int version;
	const char *expires;
	int root_keys[3];
	size_t nroot;
	int threshold;
	int ts_key;
};

static json_t *root_signed(const struct root_opts *o)
{
	json_t *k = json_object();
	for (int i = 0; i < NKEYS; i++)
		json_object_set_new(k, ids[i], tuf_key_json(keys[i]));
	int ts[] = { o->ts_key }, sn[] = { K_SNAP }, tg[] = { K_TGT };
	return json_pack("{s:s, s:s, s:i, s:s, s:b, s:o, s:{s:o, s:o, s:o, s:o}}", "_type", "root",
			 "spec_version", "1.0.31", "version", o->version, "expires",
			 o->expires ? o->expires : FUTURE, "consistent_snapshot", 1, "keys", k,
			 "roles", "root", role(o->root_keys, o->nroot, o->threshold), "timestamp",
			 role(ts, 1, 1), "snapshot", role(sn, 1, 1), "targets", role(tg, 1, 1));
}

static const struct root_opts ROOT1 = { 1, NULL, { K_ROOT1, K_ROOT2 }, 2, 2, K_TS };

static tuf_trusted *trusted_from(const struct root_opts *o)
{
	int signers[] = { K_ROOT1, K_ROOT2, K_ROOT3 };
	ward_buf b = sign_with(root_signed(o), signers, o->nroot);
	tuf_trusted *t = NULL;
	ward_error e = { 0 };
	if (trusted_new(&t, &b, NOW, &e) != 0)
		fail_msg("trusted_new: %s", e.msg);
	buf_dispose(&b);
	return t;
}

static json_t *hashes(const ward_buf *b)
{
	uint8_t d[32];
	size_t n;
	char hex[65];
	if (crypto_digest("sha256", b->ptr, b->len, d, &n) != 0)
		return NULL;
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return json_pack("{s:s}", "sha256", hex);
}

static ward_buf timestamp(int version, int snap_version, const char *expires, int key,
			  const ward_buf *snap)
{
	json_t *mf = json_pack("{s:i}", "version", snap_version);
	if (snap) {
		json_object_set_new(mf, "length", json_integer((json_int_t)snap->len));
		json_object_set_new(mf, "hashes", hashes(snap));
	}
	json_t *s = json_pack("{s:s, s:s, s:i, s:s, s:{s:o}}", "_type", "timestamp", "spec_version",
			      "1.0.31", "version", version, "expires", expires, "meta",
			      "snapshot.json", mf);
	int k[] = { key };
	return sign_with(s, k, 1);
}

static ward_buf snapshot(int version, int targets_version, const char *expires)
{
	json_t *s = json_pack("{s:s, s:s, s:i, s:s, s:{s:{s:i}}}", "_type", "snapshot",
			      "spec_version", "1.0.31", "version", version, "expires", expires,
			      "meta", "targets.json", "version", targets_version);
	int k[] = { K_SNAP };
	return sign_with(s, k, 1);
}

static ward_buf targets(int version, const char *expires, int key)
{
	json_t *s = json_pack("{s:s, s:s, s:i, s:s, s:{s:{s:i, s:{s:s}}}}", "_type", "targets",
			      "spec_version", "1.0.31", "version", version, "expires", expires,
			      "targets", "a.txt", "length", 1, "hashes", "sha256",
			      "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
	int k[] = { key };
	return sign_with(s, k, 1);
}

static int update_ts(tuf_trusted *t, ward_buf b, ward_error *e)
{
	bool unchanged;
	int rc = trusted_update_timestamp(t, &b, &unchanged, e);
	buf_dispose(&b);
	return rc;
}

static int update_root(tuf_trusted *t, const struct root_opts *o, const int *signers, size_t n,
		       ward_error *e)
{
	ward_buf b = sign_with(root_signed(o), signers, n);
	bool a, c;
	int rc = trusted_update_root(t, &b, &a, &c, e);
	buf_dispose(&b);
	return rc;
}

/* TUF 5.2 */
static void initial_root_must_meet_its_own_threshold(void **state)
{
	(void)state;
	int one[] = { K_ROOT1 };
	ward_buf b = sign_with(root_signed(&ROOT1), one, 1);
	tuf_trusted *t = NULL;
	ward_error e = { 0 };
	assert_int_equal(trusted_new(&t, &b, NOW, &e), WARD_EVERIFY);
	assert_string_equal(e.msg, "root v1: signed by 1 of 2 required keys of root v1");
	buf_dispose(&b);
}

/* TUF 5.3.4 */
static void root_rotation_needs_old_and_new_thresholds(void **state)
{
	(void)state;
	tuf_trusted *t = trusted_from(&ROOT1);
	ward_error e = { 0 };
	/* v2 moves to keys 2+3; signed by the new keys only: old threshold unmet */
	struct root_opts v2 = { 2, NULL, { K_ROOT2, K_ROOT3 }, 2, 2, K_TS };
	int new_only[] = { K_ROOT2, K_ROOT3 };
	assert_int_equal(update_root(t, &v2, new_only, 2, &e), WARD_EVERIFY);
	assert_string_equal(e.msg, "root v2: signed by 1 of 2 required keys of root v1");
	/* signed by the old keys only: new threshold unmet */
	int old_only[] = { K_ROOT1, K_ROOT2 };
	assert_int_equal(update_root(t, &v2, old_only, 2, &e), WARD_EVERIFY);
	assert_string_equal(e.msg, "root v2: signed by 1 of 2 required keys of root v2");
	int all[] = { K_ROOT1, K_ROOT2, K_ROOT3 };
	assert_int_equal(update_root(t, &v2, all, 3, &e), 0);
	assert_int_equal(trusted_get(t, TUF_ROOT)->version, 2);
	trusted_free(t);
}

/* TUF 5.3.5 */
static void root_version_must_be_exactly_next(void **state)
{
	(void)state;
	tuf_trusted *t = trusted_from(&ROOT1);
	ward_error e = { 0 };
	int both[] = { K_ROOT1, K_ROOT2 };
	struct root_opts same = ROOT1;
	assert_int_equal(update_root(t, &same, both, 2, &e), WARD_EROLLBACK);
	struct root_opts skip = ROOT1;
	skip.version = 3;
	assert_int_equal(update_root(t, &skip, both, 2, &e), WARD_EVERIFY);
	assert_string_equal(e.msg, "2.root.json claims version 3");
	trusted_free(t);
}

static void duplicate_signatures_by_one_key_count_once(void **state)
{
	(void)state;
	int twice[] = { K_ROOT1, K_ROOT1 };
	ward_buf b = sign_with(root_signed(&ROOT1), twice, 2);
	tuf_trusted *t = NULL;
	ward_error e = { 0 };
	assert_int_equal(trusted_new(&t, &b, NOW, &e), WARD_EVERIFY);
	assert_string_equal(e.msg, "root v1: signed by 1 of 2 required keys of root v1");
	buf_dispose(&b);
}

static void one_key_listed_under_two_keyids_counts_once(void **state)
{
	(void)state;
	/* root role lists key 1 under its real keyid and under an alias */
	json_t *s = root_signed(&ROOT1);
	json_t *k = json_object_get(s, "keys");
	json_object_set_new(k, "alias", tuf_key_json(keys[K_ROOT1]));
	json_t *r = json_object_get(json_object_get(s, "roles"), "root");
	json_object_set_new(r, "keyids", json_pack("[s,s]", ids[K_ROOT1], "alias"));
	/* sign with key 1 twice: once as keyid, once as alias */
	ward_buf msg = WARD_BUF_INIT(1 << 20);
	assert_int_equal(wjson_canonical(&msg, s), 0);
	ward_buf sig = WARD_BUF_INIT(1 << 16);
	ward_error e = { 0 };
	assert_int_equal(crypto_signer_sign(keys[K_ROOT1], msg.ptr, msg.len, &sig, &e), 0);
	char hex[2 * 64 + 1];
	for (size_t i = 0; i < sig.len; i++)
		snprintf(hex + 2 * i, 3, "%02x", sig.ptr[i]);
	json_t *env = json_pack("{s:[{s:s,s:s},{s:s,s:s}], s:o}", "signatures", "keyid",
				ids[K_ROOT1], "sig", hex, "keyid", "alias", "sig", hex, "signed", s);
	ward_buf b = dump(env);
	tuf_trusted *t = NULL;
	assert_int_equal(trusted_new(&t, &b, NOW, &e), WARD_EVERIFY);
	json_decref(env);
	buf_dispose(&b);
	buf_dispose(&msg);
	buf_dispose(&sig);
}

static void empty_and_garbage_signatures_are_ignored(void **state)
{
	(void)state;
	int both[] = { K_ROOT1, K_ROOT2 };
	ward_buf b = sign_with(root_signed(&ROOT1), both, 2);
	json_t *doc = NULL;
	assert_int_equal(wjson_parse(&doc, b.ptr, b.len, 1 << 20, "t", NULL), 0);
	json_t *sigs = json_object_get(doc, "signatures");
	json_array_append_new(sigs, json_pack("{s:s,s:s}", "keyid", ids[K_ROOT3], "sig", ""));
	json_array_append_new(sigs, json_pack("{s:s,s:s}", "keyid", "unknown", "sig", "zz"));
	json_array_append_new(sigs, json_pack("{s:i}", "keyid", 5));
	ward_buf b2 = dump(doc);
	tuf_trusted *t = NULL;
	assert_int_equal(trusted_new(&t, &b2, NOW, NULL), 0);
	trusted_free(t);
	json_decref(doc);
	buf_dispose(&b);
	buf_dispose(&b2);
}

/* TUF 5.3.10 */
static void final_root_expiry_is_checked_after_the_walk(void **state)
{
	(void)state;
	struct root_opts old = ROOT1;
	old.expires = PAST;
	tuf_trusted *t = trusted_from(&old); /* an expired trusted root loads */
	ward_error e = { 0 };
	assert_int_equal(trusted_check_root_expiry(t, &e), WARD_EEXPIRED);
	assert_string_equal(e.msg, "root v1: expired at 2020-01-01T00:00:00Z");
	trusted_free(t);
}

/* TUF 5.4 */
static void timestamp_rules(void **state)
{
	(void)state;
	tuf_trusted *t = trusted_from(&ROOT1);
	ward_error e = { 0 };
	assert_int_equal(update_ts(t, timestamp(5, 5, FUTURE, K_EVIL, NULL), &e), WARD_EVERIFY);
	assert_string_equal(e.msg, "timestamp v5: signed by 0 of 1 required keys of root v1");
	assert_int_equal(update_ts(t, timestamp(5, 5, FUTURE, K_TS, NULL), &e), 0);
	assert_int_equal(update_ts(t, timestamp(4, 5, FUTURE, K_TS, NULL), &e), WARD_EROLLBACK);
	assert_string_equal(e.msg, "timestamp rollback 4 < 5");
	assert_int_equal(update_ts(t, timestamp(6, 4, FUTURE, K_TS, NULL), &e), WARD_EROLLBACK);
	assert_string_equal(e.msg, "timestamp v6: snapshot rollback 4 < 5");
	assert_int_equal(update_ts(t, timestamp(7, 6, PAST, K_TS, NULL), &e), WARD_EEXPIRED);
	assert_string_equal(e.msg, "timestamp v7: expired at 2020-01-01T00:00:00Z");
	trusted_free(t);
}

static void timestamp_expiring_exactly_now_is_expired(void **state)
{
	(void)state;
	tuf_trusted *t = trusted_from(&ROOT1);
	assert_int_equal(update_ts(t, timestamp(1, 1, "2026-05-28T20:26:40Z", K_TS, NULL), NULL),
			 WARD_EEXPIRED); /* == NOW */
	assert_int_equal(update_ts(t, timestamp(2, 1, "2026-05-28T20:26:41Z", K_TS, NULL), NULL), 0);
	trusted_free(t);
}

/* TUF 5.5 and 5.6 */
static void snapshot_and_targets_rules(void **state)
{
	(void)state;
	tuf_trusted *t = trusted_from(&ROOT1);
	ward_error e = { 0 };
	ward_buf tmp;
	ward_buf snap = snapshot(3, 2, FUTURE);
	assert_int_equal(update_ts(t, timestamp(1, 3, FUTURE, K_TS, &snap), &e), 0);
	/* (each update below consumes a copy: the buffers are reused) */
	/* length and hash from timestamp: one changed byte is refused */
	snap.ptr[snap.len - 2] ^= 1;
	assert_int_equal(trusted_update_snapshot(t, (tmp = copy_of(&snap), &tmp), false, &e), WARD_EVERIFY);
	assert_string_equal(e.msg, "snapshot v3: sha256 hash mismatch");
	snap.ptr[snap.len - 2] ^= 1;
	assert_int_equal(trusted_update_snapshot(t, (tmp = copy_of(&snap), &tmp), false, &e), 0);
	buf_dispose(&tmp);
	ward_buf tg = targets(1, FUTURE, K_TGT);
	assert_int_equal(trusted_update_targets(t, &tg, "targets", "root", &e),
			 WARD_EROLLBACK);
	assert_string_equal(e.msg, "targets v1: snapshot lists version 2");
	buf_dispose(&tg);
	tg = targets(2, FUTURE, K_SNAP);
	assert_int_equal(trusted_update_targets(t, &tg, "targets", "root", &e),
			 WARD_EVERIFY);
	assert_string_equal(e.msg, "targets v2: signed by 0 of 1 required keys of root v1");
	buf_dispose(&tg);
	tg = targets(2, PAST, K_TGT);
	assert_int_equal(trusted_update_targets(t, &tg, "targets", "root", &e),
			 WARD_EEXPIRED);
	buf_dispose(&tg);
	tg = targets(2, FUTURE, K_TGT);
	assert_int_equal(trusted_update_targets(t, &tg, "targets", "root", &e), 0);
	buf_dispose(&tg);
	/* a newer snapshot may not take targets back to v1 */
	ward_buf snap2 = snapshot(4, 1, FUTURE);
	assert_int_equal(update_ts(t, timestamp(2, 4, FUTURE, K_TS, NULL), &e), 0);
	assert_int_equal(trusted_update_snapshot(t, &snap2, false, &e), WARD_EROLLBACK);
	assert_string_equal(e.msg, "snapshot v4: targets.json rollback 1 < 2");
	buf_dispose(&snap2);
	buf_dispose(&snap);
	trusted_free(t);
}

static void metadata_of_the_wrong_type_is_refused(void **state)
{
	(void)state;
	tuf_trusted *t = trusted_from(&ROOT1);
	ward_error e = { 0 };
	ward_buf snap = snapshot(1, 1, FUTURE);
	bool u;
	assert_int_equal(trusted_update_timestamp(t, &snap, &u, &e), WARD_EINVAL);
	assert_string_equal(e.msg, "timestamp: _type is \"snapshot\", expected \"timestamp\"");
	buf_dispose(&snap);
	trusted_free(t);
}

static void oversized_timestamp_is_refused(void **state)
{
	(void)state;
	tuf_trusted *t = trusted_from(&ROOT1);
	size_t n = WARD_LIMIT_TIMESTAMP_BYTES + 1;
	ward_buf big = WARD_BUF_INIT(n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(buf_putc(&big, ' '), 0);
	bool u;
	assert_int_equal(trusted_update_timestamp(t, &big, &u, NULL), WARD_ELIMIT);
	buf_dispose(&big);
	trusted_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(initial_root_must_meet_its_own_threshold),
		cmocka_unit_test(root_rotation_needs_old_and_new_thresholds),
		cmocka_unit_test(root_version_must_be_exactly_next),
		cmocka_unit_test(duplicate_signatures_by_one_key_count_once),
		cmocka_unit_test(one_key_listed_under_two_keyids_counts_once),
		cmocka_unit_test(empty_and_garbage_signatures_are_ignored),
		cmocka_unit_test(final_root_expiry_is_checked_after_the_walk),
		cmocka_unit_test(timestamp_rules),
		cmocka_unit_test(timestamp_expiring_exactly_now_is_expired),
		cmocka_unit_test(snapshot_and_targets_rules),
		cmocka_unit_test(metadata_of_the_wrong_type_is_refused),
		cmocka_unit_test(oversized_timestamp_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
