/* bytes.h - fixed-width integers read from byte buffers of untrusted
 * formats (TA headers, FIPs, kernel and boot image headers, environments,
 * SSH key blobs), without alignment or host byte-order assumptions.  The
 * caller has checked that the bytes are there. */
#ifndef WARD_UTIL_BYTES_H
#define WARD_UTIL_BYTES_H

#include <stdint.h>

static inline uint16_t bytes_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t bytes_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t bytes_le64(const uint8_t *p)
{
	return (uint64_t)bytes_le32(p) | (uint64_t)bytes_le32(p + 4) << 32;
}

static inline uint32_t bytes_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

#endif
