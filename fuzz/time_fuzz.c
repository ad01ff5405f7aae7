/*
 * time_fuzz.c - fuzzes the expiry timestamp parser (src/tuf/time.c) on a
 * NUL-terminated copy of the input, as it receives strings from jansson.
 *
 * Properties: a parsed time formats back without failing, and a time
 * written in the spec's own form "YYYY-MM-DDTHH:MM:SSZ" (what
 * tuf_time_format writes) parses back to the same second.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tuf/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Far longer than any valid time; keeps the copy small. */
	if (size > 256)
		return 0;
	char s[257];
	memcpy(s, data, size);
	s[size] = '\0';
	int64_t t;
	if (tuf_time_parse(&t, s) != 0)
		return 0;
	char out[32];
	tuf_time_format(out, t);
	if (strlen(out) >= sizeof(out))
		abort();
	/* Years 0000-9999 format back in the same shape only from year 1000
	 * to 9999 (strftime does not pad years to four digits). */
	if (size == 20 && s[19] == 'Z' && s[0] >= '1') {
		if (strcmp(out, s) != 0)
			abort();
		int64_t again;
		if (tuf_time_parse(&again, out) != 0 || again != t)
			abort();
	}
	return 0;
}
