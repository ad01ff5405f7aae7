/*
 * error.h - error codes and the caller-owned error record.
 *
 * Each code means something a caller can act on; the CLI maps them to
 * distinct exit codes (see `ward --help`).
 */
#ifndef WARD_ERROR_H
#define WARD_ERROR_H

#if !defined(WARD_API)
#if defined(WARD_BUILDING)
#define WARD_API __attribute__((visibility("default")))
#else
#define WARD_API
#endif
#endif

enum {
	WARD_OK = 0,
	WARD_EVERIFY = -1,   /* trust refused: signature, threshold, hash, length, type */
	WARD_EEXPIRED = -2,  /* metadata expired at the reference time */
	WARD_EROLLBACK = -3, /* a version or a target went backwards */
	WARD_ELIMIT = -4,    /* a hard limit was hit (size, depth, count, speed) */
	WARD_ENOTFOUND = -5, /* no such target, role, file or key */
	WARD_EIO = -6,       /* local file system error */
	WARD_ENET = -7,      /* network or transport error */
	WARD_ENOMEM = -8,    /* out of memory */
	WARD_EINVAL = -9,    /* malformed input or misuse of the API */
};

#define WARD_ERROR_MSG_MAX 256

/* Filled by a failing call.  code is one of the WARD_E* values. */
typedef struct ward_error {
	int code;
	char msg[WARD_ERROR_MSG_MAX];
} ward_error;

/* A short static name for a code ("verification failed", ...). */
WARD_API const char *ward_strerror(int code);

#endif
