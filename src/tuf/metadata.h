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

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "crypto/key.h"
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

/* A METAFILES entry of timestamp or snapshot (TUF 4.4, 4.6). */
typedef struct tuf_metafile {
	long long version;
	long long length; /* -1 when absent */
	const json_t *hashes; /* NULL when absent; object of alg -> hex */
} tuf_metafile;

/* A TARGETS entry (TUF 4.5). */
typedef struct tuf_targetfile {
	const char *path;
	long long length;
	const json_t *hashes; /* object of alg -> hex, non-empty */
	const json_t *custom; /* NULL when absent */
} tuf_targetfile;

/* Public keys (by value) already seen to sign this document: root N+1 is
 * verified by root N's keys and by its own, mostly the same keys over the
 * same bytes, so each signature is checked once. */
typedef struct tuf_verified {
	const char *pub[WARD_LIMIT_KEYS_VERIFIED];
	size_t n;
} tuf_verified;

typedef struct tuf_meta {
	tuf_type type;
	tuf_verified *verified; /* a cache, so verification takes a const tuf_meta */
	uint8_t *raw; /* exact bytes received */
	size_t rawlen;
	json_t *doc;
	const json_t *signed_obj; /* borrowed from doc */
	ward_buf canonical;       /* canonical JSON of signed_obj */
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

	/* timestamp / snapshot */
	const json_t *meta;

	/* targets */
	const json_t *targets;
	bool has_delegations;
	tuf_role *delegations;
	size_t ndelegations;
	tuf_succinct succinct;
} tuf_meta;

/* Parses metadata of the expected type.  Copies data.  `what` names it in
 * messages ("2.root.json").  Type mismatch, malformed fields -> WARD_EINVAL;
 * len > max -> WARD_ELIMIT. */
int tuf_meta_parse(tuf_meta **out, const uint8_t *data, size_t len, size_t max,
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

/* Looks up a target.  WARD_ENOTFOUND if absent (no message set). */
int tuf_meta_target(tuf_targetfile *out, const tuf_meta *m, const char *path) WARD_INTERNAL WARD_NODISCARD;

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

/* Checks a metadata or target byte string against a hashes object: every
 * listed algorithm must be known and match.  WARD_EVERIFY on mismatch,
 * WARD_EINVAL on an unknown algorithm or malformed digest. */
int tuf_check_hashes(const json_t *hashes, const uint8_t *data, size_t len, const char *what,
		     ward_error *err) WARD_INTERNAL WARD_NODISCARD;

#endif
