/* trusted.c - the trusted metadata set: every TUF trust decision. */
#include "tuf/trusted.h"

#include <stdio.h>
#include <string.h>

#include "tuf/time.h"
#include "util/limits.h"

struct deleg_entry {
	char *name;
	tuf_meta *meta;
};

struct tuf_trusted {
	int64_t now;
	tuf_meta *top[4];
	struct deleg_entry *deleg;
	size_t ndeleg, capdeleg;
};

void trusted_free(tuf_trusted *t)
{
	if (!t)
		return;
	for (int i = 0; i < 4; i++)
		tuf_meta_free(t->top[i]);
	for (size_t i = 0; i < t->ndeleg; i++) {
		free(t->deleg[i].name);
		tuf_meta_free(t->deleg[i].meta);
	}
	free(t->deleg);
	free(t);
}

int64_t trusted_now(const tuf_trusted *t)
{
	return t->now;
}

const tuf_meta *trusted_get(const tuf_trusted *t, tuf_type type)
{
	return t->top[type];
}

const tuf_meta *trusted_delegated(const tuf_trusted *t, const char *role)
{
	if (strcmp(role, "targets") == 0)
		return t->top[TUF_TARGETS];
	for (size_t i = 0; i < t->ndeleg; i++)
		if (strcmp(t->deleg[i].name, role) == 0)
			return t->deleg[i].meta;
	return NULL;
}

void trusted_forget(tuf_trusted *t, tuf_type type)
{
	tuf_meta_free(t->top[type]);
	t->top[type] = NULL;
}

static int expired(const tuf_meta *m, ward_error *err)
{
	char when[32];
	tuf_time_format(when, m->expires);
	return ward_err(err, WARD_EEXPIRED, "%s v%lld: expired at %s", tuf_type_name(m->type),
			m->version, when);
}

int trusted_new(tuf_trusted **out, ward_buf *root, int64_t now, ward_error *err)
{
	WARD_AUTO(tuf_meta_free) tuf_meta *m = NULL;
	int rc = tuf_meta_parse(&m, root, WARD_LIMIT_ROOT_BYTES, TUF_ROOT, "trusted root", err);
	if (rc)
		return rc;
	char what[48];
	snprintf(what, sizeof(what), "root v%lld", m->version);
	/* TUF 5.2: the trusted root is trusted on first use, but it must still
	 * be well-formed and signed by its own threshold. */
	rc = tuf_meta_verify(m, &m->keys, &m->roles[TUF_ROOT], what, what, err);
	if (rc)
		return rc;
	tuf_trusted *t = calloc(1, sizeof(*t));
	if (!t)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	t->now = now;
	t->top[TUF_ROOT] = WARD_TAKE_PTR(m);
	*out = t;
	return 0;
}

static bool same_role_keys(const tuf_role *a, const tuf_role *b)
{
	if (a->nkeyids != b->nkeyids || a->threshold != b->threshold)
		return false;
	for (size_t i = 0; i < a->nkeyids; i++) {
		bool found = false;
		for (size_t j = 0; j < b->nkeyids && !found; j++)
			found = strcmp(a->keyids[i], b->keyids[j]) == 0;
		if (!found)
			return false;
	}
	return true;
}

int trusted_update_root(tuf_trusted *t, ward_buf *data, bool *ts_rotated,
			bool *snap_rotated, ward_error *err)
{
	const tuf_meta *old = t->top[TUF_ROOT];
	long long want = old->version + 1;
	char what[48], by[48];
	snprintf(what, sizeof(what), "root v%lld", want);
	snprintf(by, sizeof(by), "root v%lld", old->version);
	WARD_AUTO(tuf_meta_free) tuf_meta *m = NULL;
	int rc = tuf_meta_parse(&m, data, WARD_LIMIT_ROOT_BYTES, TUF_ROOT, what, err);
	if (rc)
		return rc;
	/* TUF 5.3.4: signed by the threshold of the trusted root ... */
	rc = tuf_meta_verify(m, &old->keys, &old->roles[TUF_ROOT], what, by, err);
	if (rc)
		return rc;
	/* TUF 5.3.5: the version must be exactly N+1. */
	if (m->version != want)
		return ward_err(err, m->version < want ? WARD_EROLLBACK : WARD_EVERIFY,
				"%lld.root.json claims version %lld%s", want, m->version,
				m->version < want ? " (rollback)" : "");
	/* ... and by its own threshold (TUF 5.3.4). */
	rc = tuf_meta_verify(m, &m->keys, &m->roles[TUF_ROOT], what, what, err);
	if (rc)
		return rc;
	*ts_rotated = !same_role_keys(&old->roles[TUF_TIMESTAMP], &m->roles[TUF_TIMESTAMP]);
	*snap_rotated = !same_role_keys(&old->roles[TUF_SNAPSHOT], &m->roles[TUF_SNAPSHOT]);
	tuf_meta_free(t->top[TUF_ROOT]);
	t->top[TUF_ROOT] = WARD_TAKE_PTR(m);
	return 0;
}

int trusted_check_root_expiry(const tuf_trusted *t, ward_error *err)
{
	const tuf_meta *root = t->top[TUF_ROOT];
	return tuf_meta_is_expired(root, t->now) ? expired(root, err) : 0;
}

static int verify_by_root(const tuf_trusted *t, const tuf_meta *m, const char *what,
			  ward_error *err)
{
	const tuf_meta *root = t->top[TUF_ROOT];
	char by[48];
	snprintf(by, sizeof(by), "root v%lld", root->version);
	return tuf_meta_verify(m, &root->keys, &root->roles[m->type], what, by, err);
}

int trusted_update_timestamp(tuf_trusted *t, ward_buf *data, bool *unchanged,
			     ward_error *err)
{
	*unchanged = false;
	WARD_AUTO(tuf_meta_free) tuf_meta *m = NULL;
	int rc = tuf_meta_parse(&m, data, WARD_LIMIT_TIMESTAMP_BYTES, TUF_TIMESTAMP, "timestamp",
				err);
	if (rc)
		return rc;
	char what[48];
	snprintf(what, sizeof(what), "timestamp v%lld", m->version);
	/* TUF 5.4.2: signed by the root's timestamp threshold. */
	rc = verify_by_root(t, m, what, err);
	if (rc)
		return rc;
	tuf_metafile snap;
	rc = tuf_meta_file(&snap, m, "snapshot.json", err);
	if (rc)
		return rc;
	const tuf_meta *old = t->top[TUF_TIMESTAMP];
	if (old) {
		/* TUF 5.4.3.1: no older timestamp. */
		if (m->version < old->version)
			return ward_err(err, WARD_EROLLBACK, "timestamp rollback %lld < %lld",
					m->version, old->version);
		tuf_metafile oldsnap;
		rc = tuf_meta_file(&oldsnap, old, "snapshot.json", err);
		if (rc)
			return rc;
		if (m->version == old->version) {
			/* Same version: keep what we trust (python-tuf does too). */
			*unchanged = true;
			return tuf_meta_is_expired(old, t->now) ? expired(old, err) : 0;
		}
		/* TUF 5.4.3.2: no older snapshot. */
		if (snap.version < oldsnap.version)
			return ward_err(err, WARD_EROLLBACK,
					"%s: snapshot rollback %lld < %lld", what, snap.version,
					oldsnap.version);
	}
	tuf_meta_free(t->top[TUF_TIMESTAMP]);
	t->top[TUF_TIMESTAMP] = WARD_TAKE_PTR(m);
	/* TUF 5.4.4: freeze attack.  The new timestamp stays trusted in memory
	 * for rollback checks, but the refresh fails. */
	const tuf_meta *ts = t->top[TUF_TIMESTAMP];
	return tuf_meta_is_expired(ts, t->now) ? expired(ts, err) : 0;
}

static int check_length_hashes(const tuf_metafile *mf, const ward_buf *data, const char *what,
			       ward_error *err)
{
	if (mf->length >= 0 && (unsigned long long)data->len != (unsigned long long)mf->length)
		return ward_err(err, WARD_EVERIFY, "%s: length %zu != %lld listed", what, data->len,
				mf->length);
	return tuf_check_hashes(&mf->hashes, data->ptr, data->len, what, err);
}

static int check_timestamp_fresh(const tuf_trusted *t, ward_error *err)
{
	const tuf_meta *ts = t->top[TUF_TIMESTAMP];
	if (!ts)
		return ward_err(err, WARD_EINVAL, "no trusted timestamp");
	return tuf_meta_is_expired(ts, t->now) ? expired(ts, err) : 0;
}

struct rollback_ctx {
	const tuf_meta *old, *new_;
	const char *what;
	ward_error *err;
};

static int check_not_rolled_back(void *ctx, const char *name)
{
	struct rollback_ctx *c = ctx;
	tuf_metafile o, n;
	if (tuf_meta_file(&o, c->old, name, NULL) != 0)
		return 0;
	if (tuf_meta_file(&n, c->new_, name, NULL) != 0)
		return ward_err(c->err, WARD_EROLLBACK, "%s: %s was removed", c->what, name);
	if (n.version < o.version)
		return ward_err(c->err, WARD_EROLLBACK, "%s: %s rollback %lld < %lld", c->what, name,
				n.version, o.version);
	return 0;
}

int trusted_update_snapshot(tuf_trusted *t, ward_buf *data, bool local,
			    ward_error *err)
{
	int rc = check_timestamp_fresh(t, err);
	if (rc)
		return rc;
	tuf_metafile mf;
	rc = tuf_meta_file(&mf, t->top[TUF_TIMESTAMP], "snapshot.json", err);
	if (rc)
		return rc;
	char what[48];
	snprintf(what, sizeof(what), "snapshot v%lld", mf.version);
	/* TUF 5.5.2: length and hashes from timestamp. */
	if (!local) {
		rc = check_length_hashes(&mf, data, what, err);
		if (rc) {
			buf_dispose(data);
			return rc;
		}
	}
	WARD_AUTO(tuf_meta_free) tuf_meta *m = NULL;
	rc = tuf_meta_parse(&m, data, WARD_LIMIT_METADATA_MAX_BYTES, TUF_SNAPSHOT, what, err);
	if (rc)
		return rc;
	snprintf(what, sizeof(what), "snapshot v%lld", m->version);
	/* TUF 5.5.3: signed by the root's snapshot threshold. */
	rc = verify_by_root(t, m, what, err);
	if (rc)
		return rc;
	const tuf_meta *old = t->top[TUF_SNAPSHOT];
	if (old) {
		/* TUF 5.5.5: no role may disappear or go back. */
		struct rollback_ctx c = { old, m, what, err };
		rc = tuf_meta_each_file(old, check_not_rolled_back, &c);
		if (rc)
			return rc == WARD_ENOMEM ? ward_err(err, rc, "out of memory") : rc;
	}
	/* Trusted from here on for rollback checks, even if it is not the
	 * final snapshot: a stale local copy still bounds what may follow. */
	tuf_meta_free(t->top[TUF_SNAPSHOT]);
	t->top[TUF_SNAPSHOT] = WARD_TAKE_PTR(m);
	const tuf_meta *sn = t->top[TUF_SNAPSHOT];
	/* TUF 5.5.4: the version timestamp lists. */
	if (sn->version != mf.version)
		return ward_err(err, sn->version < mf.version ? WARD_EROLLBACK : WARD_EVERIFY,
				"%s: timestamp lists version %lld", what, mf.version);
	/* TUF 5.5.6: freeze attack. */
	return tuf_meta_is_expired(sn, t->now) ? expired(sn, err) : 0;
}

static int find_delegation(const tuf_meta *delegator, const char *role, const tuf_role **out,
			   char *namebuf, size_t namelen)
{
	for (size_t i = 0; i < delegator->ndelegations; i++) {
		if (strcmp(delegator->delegations[i].name, role) == 0) {
			*out = &delegator->delegations[i];
			return 0;
		}
	}
	if (delegator->succinct.present) {
		/* TAP 15: bins are named prefix-<hex>, with exactly
		 * ceil(bit_length/4) lowercase hex digits and a value below
		 * 2^bit_length. */
		const tuf_succinct *s = &delegator->succinct;
		size_t plen = strlen(s->name_prefix);
		size_t width = (s->bit_length + 3) / 4;
		const char *hex = role + plen + 1;
		bool ok = strncmp(role, s->name_prefix, plen) == 0 && role[plen] == '-' &&
			  strlen(hex) == width && strspn(hex, "0123456789abcdef") == width;
		unsigned long long v = ok ? strtoull(hex, NULL, 16) : 0;
		if (ok && (s->bit_length >= 32 || v < (1ull << s->bit_length))) {
			snprintf(namebuf, namelen, "%s", role);
			*out = &s->role;
			return 0;
		}
	}
	return WARD_ENOTFOUND;
}

static int add_delegated(tuf_trusted *t, const char *role, tuf_meta *m)
{
	for (size_t i = 0; i < t->ndeleg; i++) {
		if (strcmp(t->deleg[i].name, role) == 0) {
			tuf_meta_free(t->deleg[i].meta);
			t->deleg[i].meta = m;
			return 0;
		}
	}
	if (t->ndeleg == t->capdeleg) {
		size_t ncap = t->capdeleg ? t->capdeleg * 2 : 8;
		struct deleg_entry *p = realloc(t->deleg, ncap * sizeof(*p));
		if (!p)
			return WARD_ENOMEM;
		t->deleg = p;
		t->capdeleg = ncap;
	}
	char *name = strdup(role);
	if (!name)
		return WARD_ENOMEM;
	t->deleg[t->ndeleg++] = (struct deleg_entry){ name, m };
	return 0;
}

int trusted_update_targets(tuf_trusted *t, ward_buf *data, const char *role,
			   const char *delegator, ward_error *err)
{
	const tuf_meta *snap = t->top[TUF_SNAPSHOT];
	if (!snap)
		return ward_err(err, WARD_EINVAL, "no trusted snapshot");
	if (tuf_meta_is_expired(snap, t->now))
		return expired(snap, err);
	char fname[WARD_LIMIT_ROLE_NAME + 8];
	snprintf(fname, sizeof(fname), "%s.json", role);
	tuf_metafile mf;
	int rc = tuf_meta_file(&mf, snap, fname, err);
	if (rc)
		return rc;
	char what[WARD_LIMIT_ROLE_NAME + 32];
	snprintf(what, sizeof(what), "%s v%lld", role, mf.version);
	/* TUF 5.6.2: length and hashes from snapshot, when listed. */
	rc = check_length_hashes(&mf, data, what, err);
	if (rc) {
		buf_dispose(data);
		return rc;
	}
	WARD_AUTO(tuf_meta_free) tuf_meta *m = NULL;
	rc = tuf_meta_parse(&m, data, WARD_LIMIT_METADATA_MAX_BYTES, TUF_TARGETS, what, err);
	if (rc)
		return rc;
	snprintf(what, sizeof(what), "%s v%lld", role, m->version);
	/* TUF 5.6.3 / 5.7: signed by the delegator's threshold for this role. */
	if (strcmp(role, "targets") == 0) {
		rc = verify_by_root(t, m, what, err);
	} else {
		const tuf_meta *parent = trusted_delegated(t, delegator);
		const tuf_role *r = NULL;
		char namebuf[WARD_LIMIT_ROLE_NAME + 1];
		if (!parent || find_delegation(parent, role, &r, namebuf, sizeof(namebuf)) != 0)
			return ward_err(err, WARD_EVERIFY, "%s: not delegated by %s", what,
					delegator);
		char by[WARD_LIMIT_ROLE_NAME + 32];
		snprintf(by, sizeof(by), "%s v%lld", delegator, parent->version);
		rc = tuf_meta_verify(m, &parent->keys, r, what, by, err);
	}
	if (rc)
		return rc;
	/* TUF 5.6.4: the version snapshot lists. */
	if (m->version != mf.version)
		return ward_err(err, m->version < mf.version ? WARD_EROLLBACK : WARD_EVERIFY,
				"%s: snapshot lists version %lld", what, mf.version);
	/* TUF 5.6.5: freeze attack. */
	if (tuf_meta_is_expired(m, t->now))
		return expired(m, err);
	if (strcmp(role, "targets") == 0) {
		tuf_meta_free(t->top[TUF_TARGETS]);
		t->top[TUF_TARGETS] = WARD_TAKE_PTR(m);
		return 0;
	}
	rc = add_delegated(t, role, m);
	if (rc)
		return ward_err(err, rc, "out of memory");
	m = NULL;
	return 0;
}
