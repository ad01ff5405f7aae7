/*
 * verify_fuzz.c - fuzzes the trusted metadata set (src/tuf/trusted.c), the
 * one place that decides whether new metadata is accepted.
 *
 * Input byte 0 selects a step of the client workflow (table `steps`); the
 * rest is the metadata offered to it.  A step starts from a trusted root
 * (trusted_new) at a fixed reference time, loads the genuine metadata the
 * step needs (so the checks behind them are reachable), then offers the
 * input.  Two real repositories, embedded at build time by fuzz/embed.py
 * from fuzz/trust/:
 *  - python-tuf's test repository (expires 2030): every role, including
 *    delegations two levels deep;
 *  - Sigstore's production repository in two states (root 14 / timestamp
 *    582 and root 15 / timestamp 762): genuine root rotation, and genuine
 *    older timestamp, snapshot, targets and delegated metadata, so that the
 *    rollback, version and expiry rules run on correctly signed input.
 * Because the signatures are real, the fuzzer also reaches those rules by
 * mutating what lies outside the signed bytes (whitespace, the signature
 * list, key order).
 *
 * Oracle: nobody can forge a signature, so whatever the trusted set accepts
 * must carry the signed bytes (canonical form) of a genuine file that the
 * step's delegator signed.  Accepting anything else, or changing trusted
 * state on malformed input, is a verification bypass and aborts.  So does
 * a failing call that leaves its ward_error unfilled (ward.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tuf/metadata.h"
#include "tuf/trusted.h"
#include "util/limits.h"
#include "verify_data.h"

/* 2026-08-21T00:00:00Z, the day of the later Sigstore snapshot: root 15 and
 * timestamp 762 are valid, root 14, timestamp 582 and registry.npmjs.org 7
 * have expired, python-tuf's metadata is valid. */
#define FUZZ_NOW ((int64_t)1787270400)

enum genuine_id {
	PY_TIMESTAMP,
	PY_SNAPSHOT,
	PY_TARGETS,
	PY_ROLE1,
	PY_ROLE2,
	SG_ROOT15,
	SG_TIMESTAMP582,
	SG_TIMESTAMP762,
	SG_SNAPSHOT163,
	SG_SNAPSHOT165,
	SG_TARGETS13,
	SG_TARGETS14,
	SG_NPM7,
	SG_NPM8,
	GENUINE_COUNT,
	NONE = -1,
};

struct genuine {
	const uint8_t *data;
	size_t len;
	tuf_type type;
	tuf_meta *meta; /* parsed once; its canonical bytes are the oracle */
};

#define G(name, type) { embed_##name, embed_##name##_len, type, NULL }
static struct genuine genuine[GENUINE_COUNT] = {
	[PY_TIMESTAMP] = G(python_tuf_timestamp_json, TUF_TIMESTAMP),
	[PY_SNAPSHOT] = G(python_tuf_snapshot_json, TUF_SNAPSHOT),
	[PY_TARGETS] = G(python_tuf_targets_json, TUF_TARGETS),
	[PY_ROLE1] = G(python_tuf_role1_json, TUF_TARGETS),
	[PY_ROLE2] = G(python_tuf_role2_json, TUF_TARGETS),
	[SG_ROOT15] = G(sigstore_15_root_json, TUF_ROOT),
	[SG_TIMESTAMP582] = G(sigstore_582_timestamp_json, TUF_TIMESTAMP),
	[SG_TIMESTAMP762] = G(sigstore_762_timestamp_json, TUF_TIMESTAMP),
	[SG_SNAPSHOT163] = G(sigstore_163_snapshot_json, TUF_SNAPSHOT),
	[SG_SNAPSHOT165] = G(sigstore_165_snapshot_json, TUF_SNAPSHOT),
	[SG_TARGETS13] = G(sigstore_13_targets_json, TUF_TARGETS),
	[SG_TARGETS14] = G(sigstore_14_targets_json, TUF_TARGETS),
	[SG_NPM7] = G(sigstore_7_registry_npmjs_org_json, TUF_TARGETS),
	[SG_NPM8] = G(sigstore_8_registry_npmjs_org_json, TUF_TARGETS),
};

enum op { OP_ROOT, OP_TIMESTAMP, OP_SNAPSHOT, OP_SNAPSHOT_LOCAL, OP_TARGETS };

/* One update: which, for which role (targets only), and with what. */
struct update {
	enum op op;
	const char *role, *delegator;
	enum genuine_id g; /* the genuine file, when loading */
};

struct step {
	int repo;		/* 0: python-tuf, 1: Sigstore */
	struct update pre[5];	/* loaded first; op OP_ROOT with g NONE ends */
	struct update fuzz;	/* applied to the input */
	enum genuine_id ok[2];	/* what it may accept */
	bool role_from_input;	/* fuzz.role is the input up to '\n' */
};

#define PY_TS { OP_TIMESTAMP, NULL, NULL, PY_TIMESTAMP }
#define PY_SNAP { OP_SNAPSHOT, NULL, NULL, PY_SNAPSHOT }
#define PY_TGT { OP_TARGETS, "targets", "targets", PY_TARGETS }
#define PY_R1 { OP_TARGETS, "role1", "targets", PY_ROLE1 }
#define SG_R15 { OP_ROOT, NULL, NULL, SG_ROOT15 }
#define SG_TS { OP_TIMESTAMP, NULL, NULL, SG_TIMESTAMP762 }
#define SG_SNAP { OP_SNAPSHOT, NULL, NULL, SG_SNAPSHOT165 }
#define SG_TGT { OP_TARGETS, "targets", "targets", SG_TARGETS14 }
#define END { OP_ROOT, NULL, NULL, NONE }
#define ON(op) { op, NULL, NULL, NONE }
#define ON_ROLE(role, by) { OP_TARGETS, role, by, NONE }

/* Role names are not inside signed metadata (TUF binds them through
 * snapshot) and python-tuf's role1 and role2 share a key: either content
 * may be accepted under either delegated name. */
static const struct step steps[] = {
	/* python-tuf: TUF 5.3 root (there is no genuine v2: accept nothing) */
	{ 0, { END }, ON(OP_ROOT), { NONE, NONE }, false },
	/* 5.4 timestamp, first and over a trusted one */
	{ 0, { END }, ON(OP_TIMESTAMP), { PY_TIMESTAMP, NONE }, false },
	{ 0, { PY_TS, END }, ON(OP_TIMESTAMP), { PY_TIMESTAMP, NONE }, false },
	/* 5.5 snapshot: fetched (length and hashes from timestamp), a local
	 * copy, a local copy over a trusted one */
	{ 0, { PY_TS, END }, ON(OP_SNAPSHOT), { PY_SNAPSHOT, NONE }, false },
	{ 0, { PY_TS, END }, ON(OP_SNAPSHOT_LOCAL), { PY_SNAPSHOT, NONE }, false },
	{ 0, { PY_TS, PY_SNAP, END }, ON(OP_SNAPSHOT_LOCAL), { PY_SNAPSHOT, NONE }, false },
	/* 5.6 targets, 5.7 delegated roles */
	{ 0, { PY_TS, PY_SNAP, END }, ON_ROLE("targets", "targets"), { PY_TARGETS, NONE },
	  false },
	{ 0, { PY_TS, PY_SNAP, PY_TGT, END }, ON_ROLE("role1", "targets"), { PY_ROLE1, PY_ROLE2 },
	  false },
	{ 0, { PY_TS, PY_SNAP, PY_TGT, PY_R1, END }, ON_ROLE("role2", "role1"),
	  { PY_ROLE1, PY_ROLE2 }, false },
	{ 0, { PY_TS, PY_SNAP, PY_TGT, END }, ON_ROLE(NULL, "targets"), { PY_ROLE1, PY_ROLE2 },
	  true },
	/* Sigstore: root 14 -> 15 */
	{ 1, { END }, ON(OP_ROOT), { SG_ROOT15, NONE }, false },
	/* timestamp 582 (expired) or 762, first and over 762 */
	{ 1, { SG_R15, END }, ON(OP_TIMESTAMP), { SG_TIMESTAMP582, SG_TIMESTAMP762 }, false },
	{ 1, { SG_R15, SG_TS, END }, ON(OP_TIMESTAMP), { SG_TIMESTAMP582, SG_TIMESTAMP762 },
	  false },
	/* snapshot 163 (not what timestamp lists) or 165, first and over 165 */
	{ 1, { SG_R15, SG_TS, END }, ON(OP_SNAPSHOT), { SG_SNAPSHOT163, SG_SNAPSHOT165 }, false },
	{ 1, { SG_R15, SG_TS, SG_SNAP, END }, ON(OP_SNAPSHOT_LOCAL),
	  { SG_SNAPSHOT163, SG_SNAPSHOT165 }, false },
	/* targets 13 or 14; registry.npmjs.org 7 (expired) or 8 */
	{ 1, { SG_R15, SG_TS, SG_SNAP, END }, ON_ROLE("targets", "targets"),
	  { SG_TARGETS13, SG_TARGETS14 }, false },
	{ 1, { SG_R15, SG_TS, SG_SNAP, SG_TGT, END }, ON_ROLE("registry.npmjs.org", "targets"),
	  { SG_NPM7, SG_NPM8 }, false },
};
#define STEP_COUNT WARD_ARRAY_LEN(steps)

static void load_genuine(void)
{
	static bool done;
	if (done)
		return;
	for (size_t i = 0; i < GENUINE_COUNT; i++)
		if (tuf_meta_parse_copy(&genuine[i].meta, genuine[i].data, genuine[i].len,
					WARD_LIMIT_METADATA_MAX_BYTES, genuine[i].type, "genuine",
					NULL) != 0)
			abort(); /* the embedded fixtures must parse */
	done = true;
}

static bool same_signed(const tuf_meta *m, enum genuine_id id)
{
	if (id == NONE)
		return false;
	const tuf_meta *g = genuine[id].meta;
	return m->type == g->type && m->msglen == g->msglen &&
	       memcmp(m->msg, g->msg, m->msglen) == 0;
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

static const tuf_meta *current(const tuf_trusted *t, const struct update *u)
{
	switch (u->op) {
	case OP_ROOT: return trusted_get(t, TUF_ROOT);
	case OP_TIMESTAMP: return trusted_get(t, TUF_TIMESTAMP);
	case OP_SNAPSHOT:
	case OP_SNAPSHOT_LOCAL: return trusted_get(t, TUF_SNAPSHOT);
	case OP_TARGETS: break;
	}
	return trusted_delegated(t, u->role);
}

static int apply(tuf_trusted *t, const struct update *u, const uint8_t *data, size_t size,
		 ward_error *err)
{
	/* As the updater hands the bytes over: in a buffer the call may take. */
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(size);
	if (buf_append(&b, data, size) != 0)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	bool b1, b2;
	switch (u->op) {
	case OP_ROOT: return trusted_update_root(t, &b, &b1, &b2, err);
	case OP_TIMESTAMP: return trusted_update_timestamp(t, &b, &b1, err);
	case OP_SNAPSHOT: return trusted_update_snapshot(t, &b, false, err);
	case OP_SNAPSHOT_LOCAL: return trusted_update_snapshot(t, &b, true, err);
	case OP_TARGETS: break;
	}
	return trusted_update_targets(t, &b, u->role, u->delegator, err);
}

/* The trusted state a step starts from.  The genuine files must load. */
static tuf_trusted *setup(const struct step *st)
{
	tuf_trusted *t = NULL;
	const uint8_t *root = st->repo ? embed_sigstore_14_root_json : embed_python_tuf_1_root_json;
	size_t rootlen = st->repo ? embed_sigstore_14_root_json_len :
				    embed_python_tuf_1_root_json_len;
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(rootlen);
	if (buf_append(&b, root, rootlen) != 0 || trusted_new(&t, &b, FUZZ_NOW, NULL) != 0)
		abort();
	for (size_t i = 0; i < WARD_ARRAY_LEN(st->pre) && st->pre[i].g != NONE; i++) {
		const struct genuine *g = &genuine[st->pre[i].g];
		if (apply(t, &st->pre[i], g->data, g->len, NULL) != 0)
			abort();
	}
	return t;
}

/* Trusted state may change only to genuine signed content, and never on
 * input that is malformed or over a limit. */
static void check_change(const tuf_meta *before, const tuf_meta *after, int rc,
			 const enum genuine_id ok[static 2])
{
	if (before == after)
		return;
	if (rc == WARD_EINVAL || rc == WARD_ELIMIT || rc == WARD_ENOTFOUND || !after)
		abort();
	if (!same_signed(after, ok[0]) && !same_signed(after, ok[1]))
		abort();
}

/* The role name is the input up to the first '\n'. */
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

/* The pointers that make up the trusted state a step can change. */
struct state {
	const tuf_meta *top[4];
	const tuf_meta *fuzzed;
};

static void state_of(struct state *s, const tuf_trusted *t, const struct update *u)
{
	for (int i = 0; i < 4; i++)
		s->top[i] = trusted_get(t, (tuf_type)i);
	s->fuzzed = current(t, u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Building a step's starting state costs about a millisecond (PEM and
	 * signature checks of each genuine file), ten times a typical run.  So
	 * each step's state is kept and reused until a run changes it.  Every
	 * change replaces a tuf_meta (allocated while the old one is alive) or
	 * adds a delegated role, and state_of() compares those pointers. */
	static tuf_trusted *cache[STEP_COUNT];
	if (size < 1)
		return 0;
	load_genuine();
	size_t i = data[0] % STEP_COUNT;
	const struct step *st = &steps[i];
	data++;
	size--;
	struct update u = st->fuzz;
	char role[WARD_LIMIT_ROLE_NAME + 1];
	enum genuine_id ok[2] = { st->ok[0], st->ok[1] };
	if (st->role_from_input) {
		if (!split_role(&data, &size, role))
			return 0;
		u.role = role;
		if (strcmp(role, "targets") == 0) {
			ok[0] = PY_TARGETS;
			ok[1] = NONE;
		}
	}
	if (!cache[i])
		cache[i] = setup(st);
	tuf_trusted *t = cache[i];

	struct state before, after;
	state_of(&before, t, &u);
	ward_error err = { 0, "" };
	int rc = apply(t, &u, data, size, &err);
	check_result(rc, &err);
	check_change(before.fuzzed, current(t, &u), rc, ok);
	/* Whatever happened, the set stays consistent enough to answer. */
	if (!trusted_get(t, TUF_ROOT) || trusted_now(t) != FUZZ_NOW)
		abort();
	(void)!trusted_check_root_expiry(t, NULL);

	state_of(&after, t, &u);
	if (memcmp(&before, &after, sizeof(before)) != 0) {
		trusted_free(t);
		cache[i] = NULL;
	}
	return 0;
}
