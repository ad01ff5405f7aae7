/* buf.c - bounded growable buffer. */
#include "util/buf.h"

#include <string.h>

#include <openssl/crypto.h>

void buf_init(ward_buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

int buf_reserve(ward_buf *b, size_t extra)
{
	size_t need;
	if (!size_add_ok(b->len, extra, &need) || need > b->max)
		return WARD_ELIMIT;
	if (!size_add_ok(need, 1, &need))
		return WARD_ELIMIT;
	if (need <= b->cap)
		return 0;
	size_t ncap = b->cap ? b->cap : 256;
	while (ncap < need) {
		if (!size_mul_ok(ncap, 2, &ncap)) {
			ncap = need;
			break;
		}
	}
	/* Never beyond the cap (plus the NUL): a buffer sized for an exact
	 * length gets exactly that, not the next power of two. */
	if (b->max < SIZE_MAX && ncap > b->max + 1)
		ncap = b->max + 1 > need ? b->max + 1 : need;
	uint8_t *p = realloc(b->ptr, ncap);
	if (!p)
		return WARD_ENOMEM;
	b->ptr = p;
	b->cap = ncap;
	return 0;
}

int buf_append(ward_buf *b, const void *data, size_t len)
{
	int rc = buf_reserve(b, len);
	if (rc)
		return rc;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int buf_putc(ward_buf *b, uint8_t c)
{
	if (b->len + 1 < b->cap && b->len < b->max) {
		b->ptr[b->len++] = c;
		b->ptr[b->len] = '\0';
		return 0;
	}
	return buf_append(b, &c, 1);
}

uint8_t *buf_detach(ward_buf *b, size_t *len)
{
	uint8_t *p = b->ptr;
	if (len)
		*len = b->len;
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_dispose(ward_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

void buf_dispose_secret(ward_buf *b)
{
	if (b->ptr)
		OPENSSL_cleanse(b->ptr, b->cap);
	buf_dispose(b);
}
