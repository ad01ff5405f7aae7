/* test_time.c - TUF expiry strings as real repositories write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tuf/time.h"

static const struct {
	const char *in;
	int rc;
	int64_t t;
} cases[] = {
	{ "1970-01-01T00:00:00Z", 0, 0 },
	{ "2026-08-28T19:25:56Z", 0, 1787945156 },
	/* Sigstore root v1: fractional seconds and -06:00; rounds up */
	{ "2021-12-18T13:28:12.99008-06:00", 0, 1639855693 },
	{ "2021-12-18T19:28:12Z", 0, 1639855692 },
	{ "2021-12-18T19:28:12.000Z", 0, 1639855692 },
	{ "2021-12-18T20:28:12+01:00", 0, 1639855692 },
	{ "2024-02-29T00:00:00Z", 0, 1709164800 },
	{ "2023-02-29T00:00:00Z", WARD_EINVAL, 0 },
	{ "2021-12-18 19:28:12Z", WARD_EINVAL, 0 },
	{ "2021-12-18T19:28:12", WARD_EINVAL, 0 },
	{ "2021-12-18T19:28:12z", WARD_EINVAL, 0 },
	{ "2021-12-18T19:28:12.Z", WARD_EINVAL, 0 },
	{ "2021-12-18T24:00:00Z", WARD_EINVAL, 0 },
	{ "2021-13-18T19:28:12Z", WARD_EINVAL, 0 },
	{ "2021-12-18T19:28:12+0100", WARD_EINVAL, 0 },
	{ "2021-12-18T19:28:12Zjunk", WARD_EINVAL, 0 },
	{ "", WARD_EINVAL, 0 },
};

static void expiry_strings_parse_exactly_or_are_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t t = -1;
		int rc = tuf_time_parse(&t, cases[i].in);
		if (rc != cases[i].rc || (rc == 0 && t != cases[i].t))
			fail_msg("%s: rc %d t %lld, want rc %d t %lld", cases[i].in, rc, (long long)t,
				 cases[i].rc, (long long)cases[i].t);
	}
}

static void format_round_trips(void **state)
{
	(void)state;
	char buf[32];
	tuf_time_format(buf, 1787945156);
	assert_string_equal(buf, "2026-08-28T19:25:56Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(expiry_strings_parse_exactly_or_are_refused),
		cmocka_unit_test(format_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
