/* error.c - filling a caller's ward_error without allocating. */
#include "util/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

const char *ward_strerror(int code)
{
	switch (code) {
	case WARD_OK: return "success";
	case WARD_EVERIFY: return "verification failed";
	case WARD_EEXPIRED: return "expired";
	case WARD_EROLLBACK: return "rollback refused";
	case WARD_ELIMIT: return "limit exceeded";
	case WARD_ENOTFOUND: return "not found";
	case WARD_EIO: return "I/O error";
	case WARD_ENET: return "network error";
	case WARD_ENOMEM: return "out of memory";
	case WARD_EINVAL: return "invalid input";
	default: return "unknown error";
	}
}

static int ward_errv(ward_error *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

int ward_err(ward_error *err, int code, const char *fmt, ...)
{
	/* Truncation is acceptable: the message stays NUL-terminated. */
	va_list ap;
	va_start(ap, fmt);
	int rc = ward_errv(err, code, fmt, ap);
	va_end(ap);
	return rc;
}

static int ward_errv(ward_error *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	if (vsnprintf(err->msg, sizeof(err->msg), fmt, ap) < 0)
		err->msg[0] = '\0';
	return code;
}

int ward_err_clear_ssl(ward_error *err, int code, const char *fmt, ...)
{
	ERR_clear_error();
	va_list ap;
	va_start(ap, fmt);
	int rc = ward_errv(err, code, fmt, ap);
	va_end(ap);
	return rc;
}

int ward_err_prefix(ward_error *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	char prefix[WARD_ERROR_MSG_MAX];
	char old[WARD_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	if (n < 0)
		return err->code;
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	/* prefix, then as much of the old message as fits */
	size_t plen = (size_t)n < sizeof(err->msg) - 1 ? (size_t)n : sizeof(err->msg) - 1;
	size_t olen = strlen(old);
	if (olen > sizeof(err->msg) - 1 - plen)
		olen = sizeof(err->msg) - 1 - plen;
	memcpy(err->msg, prefix, plen);
	memcpy(err->msg + plen, old, olen);
	err->msg[plen + olen] = '\0';
	if (err->code == 0)
		err->code = code;
	return err->code;
}

int ward_err_openssl(ward_error *err, int code, const char *what)
{
	char detail[160] = "";
	unsigned long e = ERR_peek_last_error();
	if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	ERR_clear_error();
	if (detail[0])
		return ward_err(err, code, "%s: %s", what, detail);
	return ward_err(err, code, "%s", what);
}
