/*
 * ward.h - the umbrella header of libward and the conventions every public
 * function follows.  Read this once; the other headers do not repeat it.
 *
 * Conventions
 *  - Functions are named ward_<module>_<verb>.  Objects are opaque; create
 *    them with _new/_load, release them with _free (which accepts NULL).
 *  - A fallible function returns 0 on success or a negative WARD_E* code
 *    (error.h).  Outputs come first in the argument list and are written only
 *    on success.  The last argument is a caller-owned `ward_error *` that may
 *    be NULL; when given, it receives the code and a one-sentence message
 *    naming the object and the reason.  It never allocates, so even
 *    WARD_ENOMEM can be reported.
 *  - Library code never prints, logs, exits or aborts on bad input.
 *  - Option structs carry a `version` field; initialise them with the
 *    matching _INIT macro so that later fields get safe defaults.
 *  - All input from the network, from disk or from a caller is untrusted
 *    and parsed with the hard limits documented in docs/ARCHITECTURE.md.
 */
#ifndef WARD_WARD_H
#define WARD_WARD_H

#if defined(WARD_BUILDING)
#define WARD_API __attribute__((visibility("default")))
#else
#define WARD_API
#endif

#define WARD_NODISCARD __attribute__((warn_unused_result))

#define WARD_VERSION "0.1.0"

#include "ward/error.h"
#include "ward/key.h"
#include "ward/tuf.h"

#endif
