/*
 * time.h - TUF expiry timestamps.
 *
 * The spec says ISO 8601 "YYYY-MM-DDTHH:MM:SSZ"; real repositories also
 * write fractional seconds and numeric offsets (Sigstore roots 1-3:
 * "2021-12-18T13:28:12.99008-06:00").  Those are read exactly; anything
 * else is refused.  A fractional expiry rounds up to the next whole second,
 * so "now >= expires" (expired) stays exact on whole-second clocks.
 */
#ifndef WARD_TUF_TIME_H
#define WARD_TUF_TIME_H

#include <stdint.h>

#include "util/common.h"

/* Parses s into seconds since the epoch (UTC).  WARD_EINVAL if malformed. */
int tuf_time_parse(int64_t *out, const char *s) WARD_INTERNAL WARD_NODISCARD;

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into out (>= 21 bytes). */
void tuf_time_format(char out[static 32], int64_t t) WARD_INTERNAL;

#endif
