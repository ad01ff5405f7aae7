/*
 * verify_fuzz.c - fuzzes the trusted metadata set (src/tuf/trusted.c), the
 * one place that decides whether new metadata is accepted.
 *
 * Every run starts from python-tuf's test repository (fuzz/trust/, embedded
 * at build time by fuzz/embed.py): its root is trusted with trusted_new at
 * a fixed reference time in 2026 (the metadata expires in 2030), and,
 * depending on the step under test, its genuine timestamp, snapshot,
 * targets and role1 are loaded first so that the checks behind them are
 * reachable.
 * Input byte 0 selects the step; the rest is the metadata offered to it:
 *
 *   0  root update (TUF 5.3)          5  snapshot, local, after a snapshot
 *   1  timestamp (5.4)                6  targets (5.6)
 *   2  timestamp, after a timestamp   7  delegated role1 from targets (5.7)
 *   3  snapshot (5.5)                 8  delegated role2 from role1
 *   4  snapshot, local copy           9  a delegated role from targets,
 *                                        named by the input up to '\n'
 *
 * Because the signatures are real, the fuzzer reaches the rollback,
 * version and expiry rules by mutating what lies outside the signed bytes.
 *
 * Oracle: nobody can forge a signature, so whatever the trusted set accepts
 * must carry the signed bytes (canonical form) of a genuine file of that
 * role.  Accepting anything else, or changing trusted state on malformed
 * input, is a verification bypass and aborts.  So does a failing call that
 * leaves its ward_error unfilled (the convention of ward.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tuf/metadata.h"
#include "tuf/trusted.h"
#include "util/limits.h"
#include "verify_data.h"

/* 2026-06-01T00:00:00Z */
#define FUZZ_NOW ((int64_t)1780272000)

enum step {
	STEP_ROOT,
	STEP_TIMESTAMP,
	STEP_TIMESTAMP_AGAIN,
	STEP_SNAPSHOT,
	STEP_SNAPSHOT_LOCAL,
	STEP_SNAPSHOT_LOCAL_AGAIN,
	STEP_TARGETS,
	STEP_ROLE1,
	STEP_ROLE2,
	STEP_ROLE_NAMED,
	STEP_COUNT,
};

struct genuine {
	const uint8_t *data;
	size_t len;
	tuf_type type;
	tuf_meta *meta; /* parsed once; its canonical bytes are the oracle */
};

static struct genuine g_timestamp = { embed_timestamp_json, embed_timestamp_json_len,
				      TUF_TIMESTAMP, NULL };
static struct genuine g_snapshot = { embed_snapshot_json, embed_snapshot_json_len,
				     TUF_SNAPSHOT, NULL };
static struct genuine g_targets = { embed_targets_json, embed_targets_json_len, TUF_TARGETS,
				    NULL };
static struct genuine g_role1 = { embed_role1_json, embed_role1_json_len, TUF_TARGETS, NULL };
static struct genuine g_role2 = { embed_role2_json, embed_role2_json_len, TUF_TARGETS, NULL };

static void load_genuine(void)
{
	static bool done;
	struct genuine *all[] = { &g_timestamp, &g_snapshot, &g_targets, &g_role1, &g_role2 };
	if (done)
		return;
	for (size_t i = 0; i < WARD_ARRAY_LEN(all); i++)
		if (tuf_meta_parse(&all[i]->meta, all[i]->data, all[i]->len,
				   WARD_LIMIT_METADATA_MAX_BYTES, all[i]->type, "genuine", NULL) != 0)
			abort(); /* the embedded fixtures must parse */
	done = true;
}

static bool same_signed(const tuf_meta *m, const struct genuine *g)
{
	const ward_buf *a = &m->canonical, *b = &g->meta->canonical;
	return m->type == g->meta->type && a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

/* A failing call fills err; only the documented codes come back. */
static void check_result(int rc, const ward_error *err)
{
	switch (rc) {
	case WARD_OK: return;
	case WARD_EVERIFY:
	case WARD_EEXPIRED:
	case WARD_EROLLBACK:
	case WARD_ELIMIT:
	case WARD_ENOTFOUND:
	case WARD_ENOMEM:
	case WARD_EINVAL:
		if (err->code != rc || err->msg[0] == '\0')
			abort();
		return;
	default: abort();
	}
}

/* Trusted state may change only to genuine signed content, and never on
 * input that is malformed or over a limit. */
static void check_change(const tuf_meta *before, const tuf_meta *after, int rc,
			 const struct genuine *const *ok, size_t nok)
{
	if (before == after)
		return;
	if (rc == WARD_EINVAL || rc == WARD_ELIMIT || rc == WARD_ENOTFOUND || !after)
		abort();
	for (size_t i = 0; i < nok; i++)
		if (same_signed(after, ok[i]))
			return;
	abort();
}

/* Sets up the trusted state a step needs.  The genuine files must load. */
static tuf_trusted *setup(enum step s)
{
	tuf_trusted *t = NULL;
	bool unchanged;
	if (trusted_new(&t, embed_1_root_json, embed_1_root_json_len, FUZZ_NOW, NULL) != 0)
		abort();
	if (s == STEP_ROOT || s == STEP_TIMESTAMP)
		return t;
	if (trusted_update_timestamp(t, g_timestamp.data, g_timestamp.len, &unchanged, NULL) != 0)
		abort();
	if (s == STEP_TIMESTAMP_AGAIN || s == STEP_SNAPSHOT || s == STEP_SNAPSHOT_LOCAL)
		return t;
	if (trusted_update_snapshot(t, g_snapshot.data, g_snapshot.len, false, NULL) != 0)
		abort();
	if (s == STEP_SNAPSHOT_LOCAL_AGAIN || s == STEP_TARGETS)
		return t;
	if (trusted_update_targets(t, g_targets.data, g_targets.len, "targets", "targets", NULL) !=
	    0)
		abort();
	if (s == STEP_ROLE1 || s == STEP_ROLE_NAMED)
		return t;
	if (trusted_update_targets(t, g_role1.data, g_role1.len, "role1", "targets", NULL) != 0)
		abort();
	return t;
}

/* Step 9: the role name is the input up to the first '\n'. */
static bool split_role(const uint8_t **data, size_t *size,
		       char name[static WARD_LIMIT_ROLE_NAME + 1])
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	if (!nl)
		return false;
	size_t n = (size_t)(nl - *data);
	if (n == 0 || n > WARD_LIMIT_ROLE_NAME || memchr(*data, '\0', n))
		return false;
	memcpy(name, *data, n);
	name[n] = '\0';
	*size -= n + 1;
	*data = nl + 1;
	return true;
}

static void run_step(tuf_trusted *t, enum step s, const uint8_t *data, size_t size,
		     const char *role)
{
	static const struct genuine *const ts_ok[] = { &g_timestamp };
	static const struct genuine *const snap_ok[] = { &g_snapshot };
	static const struct genuine *const targets_ok[] = { &g_targets };
	/* Role names are not inside signed metadata (TUF binds them through
	 * snapshot), and role1 and role2 share a key: either content may be
	 * accepted under either delegated name. */
	static const struct genuine *const deleg_ok[] = { &g_role1, &g_role2 };
	ward_error err = { 0, "" };
	int rc;
	bool b1, b2;
	switch (s) {
	case STEP_ROOT: {
		const tuf_meta *before = trusted_get(t, TUF_ROOT);
		rc = trusted_update_root(t, data, size, &b1, &b2, &err);
		check_result(rc, &err);
		/* There is no genuine root v2: nothing may be accepted. */
		check_change(before, trusted_get(t, TUF_ROOT), rc, NULL, 0);
		if (rc == 0)
			abort();
		break;
	}
	case STEP_TIMESTAMP:
	case STEP_TIMESTAMP_AGAIN: {
		const tuf_meta *before = trusted_get(t, TUF_TIMESTAMP);
		rc = trusted_update_timestamp(t, data, size, &b1, &err);
		check_result(rc, &err);
		check_change(before, trusted_get(t, TUF_TIMESTAMP), rc, ts_ok, 1);
		break;
	}
	case STEP_SNAPSHOT:
	case STEP_SNAPSHOT_LOCAL:
	case STEP_SNAPSHOT_LOCAL_AGAIN: {
		const tuf_meta *before = trusted_get(t, TUF_SNAPSHOT);
		rc = trusted_update_snapshot(t, data, size, s != STEP_SNAPSHOT, &err);
		check_result(rc, &err);
		check_change(before, trusted_get(t, TUF_SNAPSHOT), rc, snap_ok, 1);
		break;
	}
	case STEP_TARGETS: {
		const tuf_meta *before = trusted_get(t, TUF_TARGETS);
		rc = trusted_update_targets(t, data, size, "targets", "targets", &err);
		check_result(rc, &err);
		check_change(before, trusted_get(t, TUF_TARGETS), rc, targets_ok, 1);
		break;
	}
	case STEP_ROLE1:
	case STEP_ROLE2: {
		const char *name = s == STEP_ROLE1 ? "role1" : "role2";
		const char *by = s == STEP_ROLE1 ? "targets" : "role1";
		const tuf_meta *before = trusted_delegated(t, name);
		rc = trusted_update_targets(t, data, size, name, by, &err);
		check_result(rc, &err);
		check_change(before, trusted_delegated(t, name), rc, deleg_ok, 2);
		break;
	}
	case STEP_ROLE_NAMED: {
		const tuf_meta *before = trusted_delegated(t, role);
		rc = trusted_update_targets(t, data, size, role, "targets", &err);
		check_result(rc, &err);
		if (strcmp(role, "targets") == 0)
			check_change(before, trusted_delegated(t, role), rc, targets_ok, 1);
		else
			check_change(before, trusted_delegated(t, role), rc, deleg_ok, 2);
		break;
	}
	case STEP_COUNT: break;
	}
}

/* The pointers that make up the trusted state a step can change. */
struct state {
	const tuf_meta *top[4];
	const tuf_meta *role1, *role2, *named;
};

static void state_of(struct state *st, const tuf_trusted *t, const char *named)
{
	for (int i = 0; i < 4; i++)
		st->top[i] = trusted_get(t, (tuf_type)i);
	st->role1 = trusted_delegated(t, "role1");
	st->role2 = trusted_delegated(t, "role2");
	st->named = named[0] ? trusted_delegated(t, named) : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Building a step's starting state costs a millisecond (the RSA root
	 * key's PEM decoding dominates), ten times a typical run.  So each
	 * step's state is kept and reused until a run changes it.  Every
	 * change replaces a tuf_meta (a new allocation made while the old is
	 * alive) or adds a delegated role, so comparing the pointers of
	 * state_of() detects it. */
	static tuf_trusted *cache[STEP_COUNT];
	if (size < 1)
		return 0;
	load_genuine();
	enum step s = (enum step)(data[0] % STEP_COUNT);
	data++;
	size--;
	char role[WARD_LIMIT_ROLE_NAME + 1] = "";
	if (s == STEP_ROLE_NAMED && !split_role(&data, &size, role))
		return 0;
	if (!cache[s])
		cache[s] = setup(s);
	tuf_trusted *t = cache[s];
	struct state before, after;
	state_of(&before, t, role);
	run_step(t, s, data, size, role);
	/* Whatever happened, the set stays consistent enough to answer. */
	if (!trusted_get(t, TUF_ROOT) || trusted_now(t) != FUZZ_NOW)
		abort();
	(void)!trusted_check_root_expiry(t, NULL);
	state_of(&after, t, role);
	if (memcmp(&before, &after, sizeof(before)) != 0) {
		trusted_free(t);
		cache[s] = NULL;
	}
	return 0;
}
