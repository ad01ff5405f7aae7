/*
 * trusted.h - the trusted metadata set: the one place that decides whether
 * new TUF metadata is accepted (TUF 1.0.x, section 5 "Detailed client
 * workflow", steps 5.3 to 5.6 and delegated targets in 5.7).
 *
 * It does no I/O.  Each update_* takes the exact bytes received (it may
 * take them out of the ward_buf, so a large role is never held twice; the
 * caller disposes the buffer as usual), verifies them against what is already trusted and the
 * reference time, and on success replaces the trusted copy, whose raw
 * bytes the updater then persists.  On failure the trusted state is
 * unchanged, except as noted for rollback floors.
 */
#ifndef WARD_TUF_TRUSTED_H
#define WARD_TUF_TRUSTED_H

#include <stdbool.h>
#include <stdint.h>

#include "tuf/metadata.h"

typedef struct tuf_trusted tuf_trusted;

/* Starts from a trusted root, which must be signed by its own threshold
 * (TUF 5.2).  An expired root is accepted here: 5.3.10 checks expiry only
 * after the root update. */
int trusted_new(tuf_trusted **out, ward_buf *root, int64_t now,
		ward_error *err) WARD_INTERNAL WARD_NODISCARD;
void trusted_free(tuf_trusted *t) WARD_INTERNAL;
WARD_DEFINE_AUTO(tuf_trusted *, trusted_free)

const tuf_meta *trusted_get(const tuf_trusted *t, tuf_type type) WARD_INTERNAL;
const tuf_meta *trusted_delegated(const tuf_trusted *t, const char *role) WARD_INTERNAL;

/* TUF 5.3.4-5.3.9: the next root, version N+1, signed by the trusted
 * root's threshold and by its own.  *keys_rotated is set when the
 * timestamp or snapshot keys changed (5.3.11: forget those roles). */
int trusted_update_root(tuf_trusted *t, ward_buf *data, bool *ts_rotated,
			bool *snap_rotated, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* TUF 5.3.10: after the root walk, the final root must not be expired. */
int trusted_check_root_expiry(const tuf_trusted *t, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* TUF 5.4.  WARD_EROLLBACK for an older version; an equal version keeps
 * the trusted copy and returns 0 with *unchanged set. */
int trusted_update_timestamp(tuf_trusted *t, ward_buf *data, bool *unchanged,
			     ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* TUF 5.5.  local=true for a copy loaded from the trusted store: the
 * length and hashes from timestamp are not checked (they were when it was
 * stored) but the signature, version and rollback rules are. */
int trusted_update_snapshot(tuf_trusted *t, ward_buf *data, bool local,
			    ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* TUF 5.6 and 5.7: targets ("targets" delegated by root) or a delegated
 * role, delegated by `delegator` (already trusted). */
int trusted_update_targets(tuf_trusted *t, ward_buf *data, const char *role,
			   const char *delegator, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* The reference time: tests and the CLI's --time fix it. */
int64_t trusted_now(const tuf_trusted *t) WARD_INTERNAL;

/* Drops a trusted timestamp or snapshot (fast-forward recovery). */
void trusted_forget(tuf_trusted *t, tuf_type type) WARD_INTERNAL;

#endif
