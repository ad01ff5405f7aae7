/*
 * core.h - internals of the audit core shared by its modules: the context
 * (findings, waivers), the per-file caps, and the rootfs helpers.
 */
#ifndef WARD_AUDIT_CORE_CORE_H
#define WARD_AUDIT_CORE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"

#include "util/limits.h" /* the AUDIT_LIMIT_* caps */

/* ---- context ------------------------------------------------------------ */

typedef enum audit_waiver_state {
	AUDIT_W_NONE,
	AUDIT_W_WAIVED,
	AUDIT_W_EXPIRED, /* a waiver matched but its date has passed: counts */
} audit_waiver_state;

typedef struct audit_finding {
	char *id, *file, *location, *remedy, *evidence;
	audit_severity sev;
	audit_class cls;
	audit_ota ota;
	audit_waiver_state waiver;
	char *waiver_reason, *waiver_expires; /* borrowed from the waiver list */
} audit_finding;

typedef struct audit_waiver {
	char *id, *path, *reason, *expires; /* expires: YYYY-MM-DD, valid through that day (UTC) */
	long long expires_at;               /* first second after that day */
} audit_waiver;

typedef void (*audit_progress_fn)(void *ctx, const char *what);

struct audit_ctx {
	audit_finding *f;
	size_t n, cap;
	bool failed_alloc, truncated;
	audit_waiver *w;
	size_t nw;
	long long now;
	audit_progress_fn progress;
	void *progress_ctx;
	audit_boot_state *boot; /* the boot checks' state across inputs */
	const audit_denyset *deny; /* --deny-keys, borrowed from the run */
};

int audit_ctx_new(audit_ctx **out, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
void audit_ctx_free(audit_ctx *a) WARD_INTERNAL;
/* Parses a waiver file (JSON or text) into the context. */
int audit_ctx_load_waivers(audit_ctx *a, const uint8_t *data, size_t len, ward_error *err)
	WARD_INTERNAL WARD_NODISCARD;
/* Matches waivers against the findings (at the context's `now`). */
void audit_ctx_apply_waivers(audit_ctx *a) WARD_INTERNAL;
void audit_progress(audit_ctx *a, const char *what) WARD_INTERNAL;
/* Counts findings at or above sev that are not waived. */
size_t audit_ctx_count(const audit_ctx *a, audit_severity sev) WARD_INTERNAL;

/* Renders the report (NUL-terminated, appended to out). */
int audit_render_human(const audit_ctx *a, ward_buf *out, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int audit_render_json(const audit_ctx *a, ward_buf *out, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int audit_render_sarif(const audit_ctx *a, ward_buf *out, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

const char *audit_severity_name(audit_severity s) WARD_INTERNAL;
/* "critical", "high"...; -1 if unknown. */
int audit_severity_parse(const char *s) WARD_INTERNAL;

/* ---- filesystem helpers ------------------------------------------------- */

/* Opens an image file as one format, without looking at its magic (what
 * audit_fs_open does after it): for tests and fuzzers of one backend. */
int audit_fs_open_tar(audit_fs **out, const char *path, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int audit_fs_open_ext4(audit_fs **out, const char *path, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int audit_fs_open_squashfs(audit_fs **out, const char *path, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Whether the path exists in the image (links followed inside it). */
bool audit_fs_exists(audit_fs *fs, const char *path) WARD_INTERNAL;
/* Type of an entry without following a final link; -1 if absent. */
int audit_fs_lstat(audit_fs *fs, const char *path, audit_ftype *type, uint64_t *size) WARD_INTERNAL;
/* Calls fn with the content of every regular file of the image of at most
 * max bytes, once each, in an order that reads the image sequentially; the
 * larger ones are not read and are counted in *skipped.  fn returns
 * non-zero to stop. */
typedef int (*audit_fs_content_fn)(void *ctx, const char *path, const uint8_t *data, size_t len);
int audit_fs_scan(audit_fs *fs, size_t max, audit_fs_content_fn fn, void *ctx, size_t *skipped,
		  ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* ---- checks ------------------------------------------------------------- */

/* CTR-01..10 of one compose file. */
int audit_check_compose(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
			ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* CTR-11 and SVC-03 of a daemon.json. */
int audit_check_daemon_json(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
			    ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* SEC-02: tokens and passwords in a text (data-driven patterns).  The
 * evidence names the pattern, never the secret. */
void audit_scan_tokens(audit_ctx *a, const char *id, const char *file, const uint8_t *data,
		       size_t len) WARD_INTERNAL;
/* Whether a value looks like a secret by the same patterns. */
bool audit_is_secret_assignment(const char *key, const char *value) WARD_INTERNAL;

/* AUTH-01..03 of /etc/passwd and /etc/shadow, bytes already read (the
 * rootfs check reads them through audit_fs). */
void audit_check_passwd(audit_ctx *a, const uint8_t *data, size_t len) WARD_INTERNAL;
void audit_check_shadow(audit_ctx *a, const uint8_t *data, size_t len) WARD_INTERNAL;

/* sshd's effective global settings (first match wins; OpenSSH defaults). */
typedef struct audit_sshd {
	char permit_root_login[32];      /* default "prohibit-password" */
	char password_authentication[8]; /* default "yes" */
	char permit_empty_passwords[8];  /* default "no" */
	char where_root[128], where_pass[128], where_empty[128]; /* "file:line" or "default" */
	/* Port and ListenAddress lines accumulate (sshd listens on each), as
	 * "22 2222" and "0.0.0.0 [::1]:22"; empty = sshd's defaults (22, all
	 * addresses).  Kept up to their size: a listener inventory, not a check. */
	char ports[64], listen[192];
	char where_listen[128];
} audit_sshd;
int audit_sshd_effective(audit_sshd *out, audit_fs *fs, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Configuration-file helpers shared by the rootfs checks. */
/* Reads a configuration file (capped at AUDIT_LIMIT_CONFIG_BYTES); *found
 * false if absent or not a regular file. */
int audit_read_conf(audit_fs *fs, const char *path, ward_buf *b, bool *found,
		    ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* The next line of b (NUL-terminated, cut at size, CR stripped) from *pos;
 * false at the end.  *lineno counts lines. */
bool audit_next_line(const ward_buf *b, size_t *pos, char *line, size_t size,
		     size_t *lineno) WARD_INTERNAL;

/* Walks what starts at boot: every entry under the systemd unit
 * directories (units sees the *.wants/ links among them) and under the SysV
 * and OpenWrt rc directories (rc_links); /lib is skipped when it is a link
 * to /usr/lib. */
int audit_walk_enabled(audit_fs *fs, audit_fs_visit units, audit_fs_visit rc_links, void *ctx,
		       ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Removes (and frees) the findings for which drop returns true. */
void audit_ctx_drop(audit_ctx *a, bool (*drop)(const audit_finding *f, const void *arg),
		    const void *arg) WARD_INTERNAL;

/* KEY-07: update-client trust roots against the denylist.  Runs after the
 * image-wide key scan: its KEY-07 replaces the scan's KEY-01 on the file. */
int audit_check_trust_roots(audit_ctx *a, audit_fs *fs, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* SVC-02 (listener inventory), SVC-04 (firewall), SEC-04 (secure storage). */
int audit_check_exposure(audit_ctx *a, audit_fs *fs, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

#endif
