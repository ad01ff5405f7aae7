/*
 * audit.h - `ward audit`: the production-readiness audit of a firmware
 * before it ships (root filesystems, boot chain, device trees, containers).
 *
 * Inputs are auto-detected: a directory, tar archive, ext4 or squashfs image
 * is a root filesystem; other files are sniffed by name and content (U-Boot
 * and kernel .config, U-Boot binaries, environments, DTB/FIT, compose files,
 * daemon.json, key files).  All inputs of one run are one product: the report
 * covers them together.  Inputs are untrusted; nothing outside an image's
 * root is ever read through it.
 */
#ifndef WARD_AUDIT_H
#define WARD_AUDIT_H

#include <stddef.h>

#include "ward/error.h"

#ifndef WARD_NODISCARD
#define WARD_NODISCARD __attribute__((warn_unused_result))
#endif

typedef enum ward_audit_format {
	WARD_AUDIT_HUMAN, /* grouped by severity and class, with remedy and OTA column */
	WARD_AUDIT_JSON,
	WARD_AUDIT_SARIF, /* SARIF 2.1.0 */
} ward_audit_format;

/* Severities, lowest first; --fail-on compares against these. */
enum {
	WARD_AUDIT_INFO,
	WARD_AUDIT_LOW,
	WARD_AUDIT_MEDIUM,
	WARD_AUDIT_HIGH,
	WARD_AUDIT_CRITICAL,
	WARD_AUDIT_NEVER = 100, /* fail_on: never fail on findings */
};

/* Called with the path being read, often: throttle before printing. */
typedef void (*ward_audit_progress_fn)(void *ctx, const char *what);

typedef struct ward_audit_opts {
	unsigned version;
	ward_audit_format format;
	/* the run "fails" if a finding not waived is at or above this severity */
	int fail_on;
	/* a waiver file (JSON or text, see docs) or NULL */
	const char *waivers;
	/* reference time for waiver expiry, seconds since the epoch; 0: now */
	long long now;
	ward_audit_progress_fn progress;
	void *progress_ctx;
	/* version 2: a file of the product's own keys that must never sign it
	 * (development keys, leaked keys), PEM public keys, certificates or
	 * private keys (only the public half is used), or NULL.  They count
	 * like the built-in published demo keys in every key check. */
	const char *deny_keys;
} ward_audit_opts;

#define WARD_AUDIT_OPTS_VERSION 2
#define WARD_AUDIT_OPTS_INIT { WARD_AUDIT_OPTS_VERSION, WARD_AUDIT_HUMAN, WARD_AUDIT_NEVER, NULL, 0, NULL, NULL, NULL }

/* Parses "info", "low", "medium", "high", "critical" (any case); -1 if not. */
WARD_API int ward_audit_severity_parse(const char *name);

/* Audits the inputs and renders the report.  On success *report is a
 * NUL-terminated malloc'd string (the caller frees it), *report_len its
 * length, and *failed says whether a finding not waived reached
 * opts->fail_on.  Errors: WARD_EINVAL (bad option, waiver file, unknown or
 * malformed input), WARD_ENOTFOUND, WARD_EIO, WARD_ELIMIT, WARD_ENOMEM. */
WARD_API int ward_audit_run(char **report, size_t *report_len, int *failed, const char *const *inputs,
			    size_t n_inputs, const ward_audit_opts *opts, ward_error *err) WARD_NODISCARD;

#endif
