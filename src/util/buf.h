/*
 * buf.h - the one growable byte buffer, with a cap fixed at creation
 * (after curl's dynbuf).  Appending past the cap fails with WARD_ELIMIT and
 * leaves the buffer unchanged.  The content is always NUL-terminated.
 */
#ifndef WARD_UTIL_BUF_H
#define WARD_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

typedef struct ward_buf {
	uint8_t *ptr;
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len */
} ward_buf;

#define WARD_BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }

void buf_init(ward_buf *b, size_t max) WARD_INTERNAL;
int buf_append(ward_buf *b, const void *data, size_t len) WARD_INTERNAL WARD_NODISCARD;
int buf_putc(ward_buf *b, uint8_t c) WARD_INTERNAL WARD_NODISCARD;
int buf_reserve(ward_buf *b, size_t extra) WARD_INTERNAL WARD_NODISCARD;
/* Takes ownership of the bytes out of the buffer; *len gets the length. */
uint8_t *buf_detach(ward_buf *b, size_t *len) WARD_INTERNAL;
void buf_dispose(ward_buf *b) WARD_INTERNAL;
/* Wipe, then dispose: for buffers that held secrets. */
void buf_dispose_secret(ward_buf *b) WARD_INTERNAL;

/* `WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(max);` */
static inline void ward_auto_buf_dispose(ward_buf *b)
{
	buf_dispose(b);
}
static inline void ward_auto_buf_dispose_secret(ward_buf *b)
{
	buf_dispose_secret(b);
}

#endif
