/* hex.c - hex encode/decode. */
#include "util/hex.h"

void hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(uint8_t **out, size_t *outlen, const char *hex, size_t hexlen)
{
	if (hexlen % 2)
		return WARD_EINVAL;
	uint8_t *p = malloc(hexlen / 2 + 1);
	if (!p)
		return WARD_ENOMEM;
	for (size_t i = 0; i < hexlen / 2; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(p);
			return WARD_EINVAL;
		}
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = p;
	*outlen = hexlen / 2;
	return 0;
}
