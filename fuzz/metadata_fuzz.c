/*
 * metadata_fuzz.c - fuzzes the TUF metadata model (src/tuf/metadata.c):
 * tuf_meta_parse as each of the four roles with the limit the client
 * applies to that role, then everything the client later does with a
 * parsed document that does not need a trusted key: target lookups, the
 * METAFILES entries, hash checks, delegation path matching, hash-bin
 * names, and signature counting against the document's own keys (which
 * runs hex decoding and every signature scheme on hostile values).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json/tok.h"
#include "tuf/metadata.h"
#include "util/limits.h"

/* Paths a client asks about: plain, nested, a pattern's own text, empty,
 * dot segments, absolute, non-ASCII. */
static const char *const paths[] = {
	"file1.txt",	     "file3.txt", "targets/foo.tgz", "a/b/c/d.txt", "*",
	"",		     "../a",	  "/abs",	     "ö/é.bin",	    "rekor.pub",
	"registry.npmjs.org/x/y",
};

static size_t role_limit(tuf_type t)
{
	switch (t) {
	case TUF_ROOT: return WARD_LIMIT_ROOT_BYTES;
	case TUF_TIMESTAMP: return WARD_LIMIT_TIMESTAMP_BYTES;
	case TUF_SNAPSHOT:
	case TUF_TARGETS: break;
	}
	return WARD_LIMIT_METADATA_MAX_BYTES;
}

static int sink_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n);
}

/* The signed bytes, whether a slice of the input or a copy, are exactly
 * the canonical form of "signed": the one thing signatures cover. */
static void check_signed_bytes(const tuf_meta *m)
{
	WARD_AUTO(buf_dispose) ward_buf c = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
	int rc = wj_canonical(&m->doc, m->signed_obj, sink_buf, &c);
	if (rc == WARD_ENOMEM)
		return;
	if (rc || c.len != m->msglen || memcmp(c.ptr, m->msg, c.len) != 0)
		abort();
	/* A slice must lie inside the received bytes. */
	uintptr_t msg = (uintptr_t)m->msg, raw = (uintptr_t)m->raw;
	if (m->msg != m->canonical.ptr &&
	    (msg < raw || m->msglen > m->rawlen || msg - raw > m->rawlen - m->msglen))
		abort();
}

static void check_role_lookup(const tuf_meta *m, const tuf_role *r)
{
	for (size_t i = 0; i < WARD_ARRAY_LEN(paths); i++)
		(void)tuf_role_matches(r, paths[i]);
	(void)!tuf_meta_verify(m, &m->keys, r, "fuzz", "fuzz", NULL);
}

static void exercise_targets(const tuf_meta *m, const uint8_t *data, size_t size)
{
	const wj_doc *d = &m->doc;
	for (uint32_t k = wj_first(d, m->targets); k != WJ_NONE;
	     k = wj_next_member(d, m->targets, k)) {
		WARD_AUTO(free) char *path = wj_str_dup(d, k);
		if (!path)
			continue; /* out of memory */
		tuf_targetfile tf;
		/* The parser checked every entry: lookups of listed names succeed. */
		if (tuf_meta_target(&tf, m, path) != 0 || tf.hashes.n == 0 || tf.length < 0)
			abort();
		(void)!tuf_check_hashes(&tf.hashes, data, size, "fuzz", NULL);
		WARD_AUTO(buf_dispose) ward_buf custom = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
		int rc = tuf_meta_custom_json(m, &tf, &custom);
		if (rc != 0 && rc != WARD_ENOTFOUND && rc != WARD_EINVAL && rc != WARD_ENOMEM)
			abort();
	}
	for (size_t i = 0; i < WARD_ARRAY_LEN(paths); i++) {
		tuf_targetfile tf;
		(void)!tuf_meta_target(&tf, m, paths[i]);
	}
	for (size_t i = 0; i < m->ndelegations; i++)
		check_role_lookup(m, &m->delegations[i]);
	if (m->succinct.present) {
		for (size_t i = 0; i < WARD_ARRAY_LEN(paths); i++) {
			/* The updater's buffer: one role name. */
			char name[WARD_LIMIT_ROLE_NAME + 1];
			(void)tuf_succinct_role_for(&m->succinct, paths[i], name, sizeof(name));
		}
		check_role_lookup(m, &m->succinct.role);
	}
}

struct each_ctx {
	const tuf_meta *m;
	const uint8_t *data;
	size_t size;
};

static int check_file(void *ctx, const char *name)
{
	const struct each_ctx *c = ctx;
	tuf_metafile mf;
	/* The parser checked every entry: lookups of listed names succeed. */
	if (tuf_meta_file(&mf, c->m, name, NULL) != 0 || mf.version < 1)
		abort();
	(void)!tuf_check_hashes(&mf.hashes, c->data, c->size, "fuzz", NULL);
	return 0;
}

static void exercise_meta(const tuf_meta *m, const uint8_t *data, size_t size)
{
	static const char *const names[] = { "snapshot.json", "targets.json", "role1.json",
					     "" };
	for (size_t i = 0; i < WARD_ARRAY_LEN(names); i++) {
		tuf_metafile mf;
		(void)!tuf_meta_file(&mf, m, names[i], NULL);
	}
	struct each_ctx c = { m, data, size };
	int rc = tuf_meta_each_file(m, check_file, &c);
	if (rc != 0 && rc != WARD_ENOMEM)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const tuf_type types[] = { TUF_ROOT, TUF_TIMESTAMP, TUF_SNAPSHOT, TUF_TARGETS };
	for (size_t i = 0; i < WARD_ARRAY_LEN(types); i++) {
		/* As the client hands it over: a buffer the parser takes. */
		WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(size);
		if (buf_append(&b, data, size) != 0)
			return 0;
		WARD_AUTO(tuf_meta_free) tuf_meta *m = NULL;
		ward_error err = { 0, "" };
		int rc = tuf_meta_parse(&m, &b, role_limit(types[i]), types[i], "fuzz", &err);
		if (rc) {
			/* ward.h: a failing call fills err with its code and a message. */
			if (rc > 0 || err.code != rc || err.msg[0] == '\0' || m)
				abort();
			continue;
		}
		if (m->type != types[i] || m->rawlen != size || memcmp(m->raw, data, size) != 0)
			abort();
		check_signed_bytes(m);
		(void)tuf_meta_is_expired(m, 0);
		switch (m->type) {
		case TUF_ROOT:
			for (size_t r = 0; r < 4; r++)
				(void)!tuf_meta_verify(m, &m->keys, &m->roles[r], "fuzz", "fuzz",
						       NULL);
			break;
		case TUF_TIMESTAMP:
		case TUF_SNAPSHOT: exercise_meta(m, data, size); break;
		case TUF_TARGETS: exercise_targets(m, data, size); break;
		}
	}
	return 0;
}
