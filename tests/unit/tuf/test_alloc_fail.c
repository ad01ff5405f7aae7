/*
 * test_alloc_fail.c - every allocation of the verification core fails in
 * turn (curl's torture mode, SQLite's *fault.test).  The trusted set runs
 * python-tuf's repository (root, timestamp, snapshot, targets, a delegated
 * role) with allocation N failing, for every N until the run succeeds.
 * Each failing run must return an error, never crash; under ASan the suite
 * also proves no failure path leaks.
 *
 * ward's own allocations are wrapped at link time (-Wl,--wrap), OpenSSL's
 * through CRYPTO_set_mem_functions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "tuf/trusted.h"
#include "util/fs.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static long countdown = -1; /* fail when it reaches 0; -1 = never */
static long allocations;

static int should_fail(void)
{
	allocations++;
	if (countdown < 0)
		return 0;
	return countdown-- == 0;
}

void *__wrap_malloc(size_t n)
{
	return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	return should_fail() ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return should_fail() ? NULL : __real_strdup(s);
}

static void *ossl_malloc(size_t n, const char *f, int l)
{
	(void)f;
	(void)l;
	return __wrap_malloc(n);
}

static void *ossl_realloc(void *p, size_t n, const char *f, int l)
{
	(void)f;
	(void)l;
	return __wrap_realloc(p, n);
}

static void ossl_free(void *p, const char *f, int l)
{
	(void)f;
	(void)l;
	free(p);
}

#define META "/tuf-fixtures/python-tuf/tests/repository_data/repository/metadata/"
static ward_buf files[5];
static const char *names[] = { "1.root.json", "timestamp.json", "snapshot.json", "targets.json",
			       "role1.json" };

static int setup(void **state)
{
	(void)state;
	const char *shared = getenv("WARD_SHARED_DIR");
	for (int i = 0; i < 5; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s%s%s", shared ? shared : "../shared", META, names[i]);
		buf_init(&files[i], 1 << 20);
		if (fs_read_file(&files[i], path, 1 << 20, NULL) != 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++)
		buf_dispose(&files[i]);
	return 0;
}

/* The whole verification path; returns 0 or the first error. */
static int run_once(void)
{
	tuf_trusted *t = NULL;
	bool a;
	const int64_t now = 1780000000;
	/* copies: the update functions take the bytes */
	ward_buf c[5];
	int rc = 0;
	for (int i = 0; i < 5; i++) {
		buf_init(&c[i], files[i].len);
		if (!rc && buf_append(&c[i], files[i].ptr, files[i].len) != 0)
			rc = WARD_ENOMEM;
	}
	if (!rc)
		rc = trusted_new(&t, &c[0], now, NULL);
	if (!rc)
		rc = trusted_check_root_expiry(t, NULL);
	if (!rc)
		rc = trusted_update_timestamp(t, &c[1], &a, NULL);
	if (!rc)
		rc = trusted_update_snapshot(t, &c[2], false, NULL);
	if (!rc)
		rc = trusted_update_targets(t, &c[3], "targets", "root", NULL);
	if (!rc)
		rc = trusted_update_targets(t, &c[4], "role1", "targets", NULL);
	trusted_free(t);
	for (int i = 0; i < 5; i++)
		buf_dispose(&c[i]);
	return rc;
}

static void every_allocation_failure_is_reported_not_fatal(void **state)
{
	(void)state;
	countdown = -1;
	allocations = 0;
	assert_int_equal(run_once(), 0);
	long total = allocations;
	assert_true(total > 50);
	long failures = 0;
	for (long n = 0; n < total + 10; n++) {
		countdown = n;
		int rc = run_once();
		if (countdown >= 0) { /* the run ended before allocation n */
			assert_int_equal(rc, 0);
			break;
		}
		/* an allocation failed: the run must fail cleanly (or, where a
		 * failure only made one signature unverifiable, still meet the
		 * threshold with the others) */
		if (rc != 0)
			failures++;
	}
	countdown = -1;
	print_message("%ld allocations, %ld injected failures reported\n", total, failures);
	assert_true(failures > 0);
}

int main(void)
{
	CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_allocation_failure_is_reported_not_fatal),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
