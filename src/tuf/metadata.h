/*
 * metadata.h - the TUF metadata model shared by the client and the
 * repository tools (TUF specification 1.0.x, section 4).
 *
 * A tuf_meta owns the exact bytes it was parsed from, the jansson document,
 * the canonical encoding of its "signed" object (including fields ward does
 * not know, which stay inside the signed bytes) and typed views of the
 * fields the workflow needs.  Parsing is strict: wrong types, missing
 * required fields, duplicate JSON keys, out-of-range integers and oversized
 * documents are refused with WARD_EINVAL or WARD_ELIMIT.
 *
 * Keys whose type or scheme ward does not support, or whose value does not
 * decode, are kept with key == NULL: they can never verify a signature, but
 * they do not make the whole document unreadable (other clients behave the
 * same, and real repositories list such keys).
 */
#ifndef WARD_TUF_METADATA_H
#define WARD_TUF_METADATA_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/key.h"
#include "json/tok.h"
#include "util/buf.h"
#include "util/common.h"
#include "util/limits.h"

typedef enum tuf_type {
	TUF_ROOT,
	TUF_TIMESTAMP,
	TUF_SNAPSHOT,
	TUF_TARGETS,
} tuf_type;

const char *tuf_type_name(tuf_type t) WARD_INTERNAL;

typedef struct tuf_keyref {
	const char *keyid; /* borrowed from the document */
	crypto_key *key;   /* owned; NULL when unsupported or undecodable */
} tuf_keyref;

typedef struct tuf_keyset {
	tuf_keyref *v;
	size_t n;
} tuf_keyset;

/* A role's authorisation: who signs, how many, and (for delegations) for
 * which target paths.  All strings are borrowed from the document. */
typedef struct tuf_role {
	const char *name;
	const char **keyids;
	size_t nkeyids;
	unsigned threshold;
	bool terminating;
	const char **paths; /* delegations with "paths" */
	size_t npaths;
	const char **prefixes; /* delegations with "path_hash_prefixes" */
	size_t nprefixes;
} tuf_role;

/* TUF 4.5 succinct hash-bin delegation (TAP 15). */
typedef struct tuf_succinct {
	bool present;
	unsigned bit_length;       /* 1..32 */
	const char *name_prefix;
	tuf_role role;             /* keyids, threshold; name/paths unused */
} tuf_succinct;

typedef struct tuf_sig {
	const char *keyid; /* borrowed */
	const char *hex;   /* borrowed; may be empty or malformed */
} tuf_sig;

/* A "hashes" object, copied out of the document: algorithm -> hex. */
#define TUF_MAX_HASHES 8
typedef struct tuf_hashes {
	size_t n;
	struct {
		char alg[16];
		char hex[129];
	} h[TUF_MAX_HASHES];
} tuf_hashes;

/* A METAFILES entry of timestamp or snapshot (TUF 4.4, 4.6). */
typedef struct tuf_metafile {
	long long version;
	long long length; /* -1 when absent */
	tuf_hashes hashes; /* n == 0 when absent */
} tuf_metafile;

/* A TARGETS entry (TUF 4.5). */
typedef struct tuf_targetfile {
	const char *path; /* as the caller asked for it */
	long long length;
	tuf_hashes hashes; /* n >= 1 */
	uint32_t custom;   /* token of "custom", or WJ_NONE */
} tuf_targetfile;

/* Public keys (by value) already seen to sign this document: root N+1 is
 * verified by root N's keys and by its own, mostly the same keys over the
 * same bytes, so each signature is checked once. */
typedef struct tuf_verified {
	char *pub[WARD_LIMIT_KEYS_VERIFIED]; /* owned copies */
	size_t n;
} tuf_verified;

typedef struct tuf_meta {
	tuf_type type;
	tuf_verified *verified; /* a cache, so verification takes a const tuf_meta */
	uint8_t *raw; /* exact bytes received (owned) */
	size_t rawlen;
	wj_doc doc;   /* tokens over raw */
	uint32_t signed_obj;
	const uint8_t *msg; /* canonical bytes of "signed": a slice of raw, */
	size_t msglen;      /* or canonical.ptr when raw is not canonical */
	ward_buf canonical;
	char **strs; /* decoded strings the typed views point into */
	size_t nstrs, capstrs;
	tuf_sig *sigs;
	size_t nsigs;

	long long version;
	int64_t expires;
	const char *expires_str;
	const char *spec_version;

	/* root */
	bool consistent_snapshot;
	tuf_keyset keys;      /* root keys; or targets' delegation keys */
	tuf_role roles[4];    /* root: indexed by tuf_type */

	/* timestamp / snapshot: the "meta" object */
	uint32_t meta;

	/* targets */
	uint32_t targets;
	bool has_delegations;
	tuf_role *delegations;
	size_t ndelegations;
	tuf_succinct succinct;
} tuf_meta;

/* Parses metadata of the expected type.  Takes the bytes out of *data
 * (the buffer is left empty; disposing it stays harmless), so a large role
 * is never held twice.  `what` names it in messages ("2.root.json").  Type mismatch,
 * malformed fields -> WARD_EINVAL; larger than max -> WARD_ELIMIT. */
int tuf_meta_parse(tuf_meta **out, ward_buf *data, size_t max, tuf_type expected,
		   const char *what, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Convenience for tests and tools: parses a copy of data. */
int tuf_meta_parse_copy(tuf_meta **out, const uint8_t *data, size_t len, size_t max,
			tuf_type expected, const char *what, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

void tuf_meta_free(tuf_meta *m) WARD_INTERNAL;
WARD_DEFINE_AUTO(tuf_meta *, tuf_meta_free)

/* Counts distinct authorised keys of `role` (looked up in `keys`) that
 * signed m's canonical bytes, and returns 0 when the count reaches the
 * role's threshold.  Empty, malformed or unknown signatures are ignored; a
 * keyid counts once however many signatures carry it, and two keyids that
 * name the same public key count once.  Otherwise WARD_EVERIFY:
 * "<what>: signed by N of T required keys of <by>". */
int tuf_meta_verify(const tuf_meta *m, const tuf_keyset *keys, const tuf_role *role,
		    const char *what, const char *by, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Looks up a METAFILES entry ("snapshot.json", "targets.json", ...). */
int tuf_meta_file(tuf_metafile *out, const tuf_meta *m, const char *name, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Calls fn for every METAFILES entry name (NUL-terminated copy) in order;
 * stops at the first non-zero return and returns it. */
int tuf_meta_each_file(const tuf_meta *m, int (*fn)(void *ctx, const char *name), void *ctx) WARD_INTERNAL WARD_NODISCARD;

/* Looks up a target.  WARD_ENOTFOUND if absent (no message set),
 * WARD_EINVAL if the entry is malformed. */
int tuf_meta_target(tuf_targetfile *out, const tuf_meta *m, const char *path) WARD_INTERNAL WARD_NODISCARD;

/* Appends the canonical JSON of a target's "custom" object to out. */
int tuf_meta_custom_json(const tuf_meta *m, const tuf_targetfile *tf, ward_buf *out) WARD_INTERNAL WARD_NODISCARD;

/* Whether a delegated role is responsible for a target path (TUF 5.7.3):
 * shell-style patterns where '*' does not cross '/', or hash prefixes of
 * the hex SHA-256 of the path. */
bool tuf_role_matches(const tuf_role *role, const char *path) WARD_INTERNAL;

/* The succinct hash-bin role name for a path (TAP 15), into out. */
int tuf_succinct_role_for(const tuf_succinct *s, const char *path, char *out, size_t outlen) WARD_INTERNAL;

/* Is the expiry at or before now (expires == now counts as expired)? */
static inline bool tuf_meta_is_expired(const tuf_meta *m, int64_t now)
{
	return now >= m->expires;
}

/* Checks a metadata byte string against listed hashes: every listed
 * algorithm must be known and match.  WARD_EVERIFY on mismatch or an
 * unknown algorithm. */
int tuf_check_hashes(const tuf_hashes *hashes, const uint8_t *data, size_t len, const char *what,
		     ward_error *err) WARD_INTERNAL WARD_NODISCARD;

#endif
