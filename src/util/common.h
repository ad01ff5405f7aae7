/*
 * common.h - small helpers every internal module uses: scope-bound cleanup
 * (WARD_AUTO / WARD_TAKE_PTR, after systemd's _cleanup_ and TAKE_PTR),
 * error reporting into a caller's ward_error, and checked size arithmetic.
 */
#ifndef WARD_UTIL_COMMON_H
#define WARD_UTIL_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ward/ward.h"

#define WARD_INTERNAL __attribute__((visibility("hidden")))

/* Scope-managed locals: `WARD_AUTO(free) char *s = ...;` calls free(s) on
 * every way out of the scope.  The named function takes the pointer value. */
#define WARD_AUTO(fn) __attribute__((cleanup(ward_auto_##fn)))
#define WARD_DEFINE_AUTO(type, fn)                                 \
	static inline void ward_auto_##fn(type *p)                 \
	{                                                          \
		if (*p)                                            \
			fn(*p);                                    \
	}

/* Hand a scope-managed pointer on: returns it and leaves NULL behind. */
#define WARD_TAKE_PTR(p)                       \
	__extension__({                        \
		__typeof__(p) ward_tmp_ = (p); \
		(p) = NULL;                    \
		ward_tmp_;                     \
	})

static inline void ward_auto_free(void *p)
{
	free(*(void **)p);
}

/* Record an error and return its code: `return ward_err(err, WARD_EVERIFY,
 * "root v3: signed by %zu of %u required keys", n, t);` */
int ward_err(ward_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4))) WARD_INTERNAL;

/* Prefix the existing message with context ("timestamp: "), once, where it
 * is known.  Keeps the code.  Returns err->code (or `code` if err is NULL). */
int ward_err_prefix(ward_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4))) WARD_INTERNAL;

/* ward_err after discarding whatever OpenSSL queued on the way here, for
 * failures whose reason is ours, not OpenSSL's. */
int ward_err_clear_ssl(ward_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4))) WARD_INTERNAL;

/* Drain OpenSSL's error queue into the message tail and clear it. */
int ward_err_openssl(ward_error *err, int code, const char *what) WARD_INTERNAL;

static inline bool size_add_ok(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool size_mul_ok(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

#define WARD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
