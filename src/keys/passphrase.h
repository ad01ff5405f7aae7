/*
 * passphrase.h - getting a passphrase from a descriptor, the caller or a
 * no-echo terminal prompt (ward_passphrase_opts in ward/key.h), into a
 * fixed buffer that is wiped when disposed.
 */
#ifndef WARD_KEYS_PASSPHRASE_H
#define WARD_KEYS_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/common.h"
#include "util/limits.h"
#include "ward/key.h"

/* Caller-owned, usually on the stack:
 *     WARD_AUTO(passphrase_dispose) passphrase pw = { 0 };
 * A fixed array, so that no copy is ever left behind by a reallocation. */
typedef struct passphrase {
	size_t len;
	char buf[WARD_LIMIT_PASSPHRASE + 1]; /* NUL-terminated */
} passphrase;

/* Gets a passphrase for `what` (a file name, used in prompts and messages).
 * is_new: it will encrypt a new file, so it must have at least
 * WARD_LIMIT_PASSPHRASE_MIN bytes, and a terminal prompt asks twice.
 * opts NULL means WARD_PASSPHRASE_OPTS_INIT.  On failure *out is wiped.
 * WARD_EINVAL: empty, too short, not confirmed, no terminal, bad opts;
 * WARD_ELIMIT: over WARD_LIMIT_PASSPHRASE bytes; WARD_EIO: read error or
 * interrupted by a signal (which is re-raised once the terminal is
 * restored, as readpassphrase(3) does). */
int passphrase_get(passphrase *out, const ward_passphrase_opts *opts, const char *what, bool is_new,
		   ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Wipes the whole buffer. */
void passphrase_dispose(passphrase *p) WARD_INTERNAL;

static inline void ward_auto_passphrase_dispose(passphrase *p)
{
	passphrase_dispose(p);
}

#endif
