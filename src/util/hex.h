/* hex.h - lowercase hex encoding and strict decoding. */
#ifndef WARD_UTIL_HEX_H
#define WARD_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

/* Writes 2*len chars and a NUL into out (size >= 2*len+1). */
void hex_encode(char *out, const uint8_t *in, size_t len) WARD_INTERNAL;
/* Decodes an even-length hex string (either case) into a malloc'd buffer.
 * Returns 0, WARD_EINVAL on a bad digit or odd length, WARD_ENOMEM. */
int hex_decode(uint8_t **out, size_t *outlen, const char *hex, size_t hexlen) WARD_INTERNAL WARD_NODISCARD;

#endif
