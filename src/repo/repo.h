/*
 * repo.h - the release side: a TUF repository on the publishing host, with
 * changes staged as a portable file, signed by each approver on their own
 * machine, and published only when every changed role meets its threshold.
 *
 * Layout of a repository directory:
 *   ward-repo.json          settings: expiry periods, online key references,
 *                           key names, development keys (nothing secret)
 *   published/metadata/     what clients fetch (consistent snapshots)
 *   published/targets/      target files as HASH.NAME
 *   staged/change.json      the pending change: proposed "signed" objects of
 *                           root, targets and delegated roles, and the
 *                           signatures collected so far
 *   staged/files/SHA256     target files waiting to be published (add-target)
 *   staged/files/batch-X/SHA256   the same, one directory per add-targets
 *                           (written as .incoming-X, renamed when durable;
 *                           see repo_stage.c)
 *
 * Root and targets keys are offline: this host only ever sees their public
 * halves (TUF key JSON files, as `ward key generate` writes them).  The
 * timestamp and snapshot keys are online: ward-repo.json names them (an
 * encrypted key file or a pkcs11: URI) and publish/refresh load them.
 */
#ifndef WARD_REPO_REPO_H
#define WARD_REPO_REPO_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "crypto/key.h"
#include "util/buf.h"
#include "util/common.h"

/* Loads the signer a key reference names (file path or pkcs11: URI). */
typedef int (*repo_load_fn)(crypto_signer **out, const char *ref, void *ctx, ward_error *err);

enum { REPO_ROOT, REPO_TIMESTAMP, REPO_SNAPSHOT, REPO_TARGETS, REPO_DELEGATED };

typedef struct repo_init_opts {
	const char *dir;
	const char *const *root_pubs; /* TUF key JSON files */
	size_t nroot;
	unsigned root_threshold;
	const char *const *targets_pubs;
	size_t ntargets;
	unsigned targets_threshold;
	const char *timestamp_key; /* online key reference */
	const char *snapshot_key;
	unsigned expiry_days[5]; /* by REPO_*; 0 = default (365, 1, 7, 90, 90) */
	const char *const *dev_keyids; /* keys marked as development keys */
	size_t ndev;
	int64_t now;
} repo_init_opts;

/* Creates the repository and stages root v1 and an empty targets v1. */
int repo_init(const repo_init_opts *o, repo_load_fn load, void *ctx, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Stages adding a target file (copied into staged/files) to `role`
 * ("targets" or a delegated role).  custom: a JSON object text or NULL. */
int repo_add_target(const char *dir, const char *name, const char *file, const char *custom,
		    const char *role, int64_t now, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* Stages every regular file under src_dir (recursively, symbolic links
 * not followed) as a target named prefix + its relative path.  *count gets
 * the number of files. */
int repo_add_targets_dir(const char *dir, const char *src_dir, const char *prefix,
			 const char *role, int64_t now, size_t *count, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int repo_remove_target(const char *dir, const char *name, const char *role, int64_t now,
		       ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Stages a delegation from `from` ("targets" or a delegated role) to a new
 * role `name` with the given keys, threshold and path patterns. */
int repo_delegate(const char *dir, const char *from, const char *name,
		  const char *const *pubs, size_t npubs, unsigned threshold,
		  const char *const *paths, size_t npaths, bool terminating, int64_t now,
		  ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Stages hash-bin delegation for very large repositories: `from` delegates
 * to 2^bits roles "PREFIX-XX" (bits 4, 8, 12 or 16), each responsible for
 * the target paths whose SHA-256 starts with its hex prefix
 * (path_hash_prefixes, which every TUF client reads), all signed by the
 * given keys.  Targets added afterwards without --role go to their bin. */
int repo_delegate_bins(const char *dir, const char *from, const char *prefix, unsigned bits,
		       const char *const *pubs, size_t npubs, unsigned threshold, int64_t now,
		       ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Stages a key change for a top-level role in a new root version: keys
 * added (TUF key JSON files), keys removed (keyids), a new threshold (0 =
 * keep).  The new root must be signed by the old and the new root
 * thresholds, so existing clients can walk to it. */
int repo_rotate(const char *dir, const char *role, const char *const *add_pubs, size_t nadd,
		const char *const *remove_keyids, size_t nremove, unsigned threshold, int64_t now,
		ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Stages a new online key for "timestamp" or "snapshot": the key `ref`
 * names (a key file or pkcs11: URI) replaces the role's keys in a new root,
 * and ward-repo.json points to it once that root is published. */
int repo_rotate_online(const char *dir, const char *role, const char *ref, repo_load_fn load,
		       void *ctx, int64_t now, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Signs a change file (anywhere: it travels by mail) with one key: every
 * role whose listed signers include the key gets its signature.  Appends a
 * human summary of what was signed to report.  WARD_ENOTFOUND if the key
 * signs nothing in the change. */
int repo_sign(const char *change_file, const crypto_signer *key, ward_buf *report,
	      ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Merges the signatures of other copies of the same change into change_file.
 * WARD_EVERIFY if a copy proposes different metadata. */
int repo_merge(const char *change_file, const char *const *others, size_t nothers,
	       ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Appends, per changed role, who has signed and what is missing.  Returns 0
 * if every changed role meets its threshold, WARD_EVERIFY otherwise. */
int repo_check_change(const char *dir, ward_buf *report, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Publishes the staged change: refuses (WARD_EVERIFY, with the report)
 * unless every changed role meets its threshold; then writes the roles,
 * a new snapshot and timestamp (online keys), atomically and in an order
 * that leaves the previously published repository servable if interrupted. */
int repo_publish(const char *dir, repo_load_fn load, void *ctx, int64_t now, ward_buf *report,
		 ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Re-signs snapshot (when it expires within half its period, or force) and
 * timestamp with the online keys.  For a systemd timer or cron. */
int repo_refresh(const char *dir, repo_load_fn load, void *ctx, int64_t now, bool force,
		 ward_buf *report, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* The repository's state and the field report's mistakes as findings,
 * human-readable or JSON.  *nfindings gets the number of warnings. */
int repo_status(const char *dir, int64_t now, bool as_json, ward_buf *out, size_t *nfindings,
		ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* The repository's lock (DIR/.lock, flock): held by every command that
 * changes the repository, so that a refresh from a timer and a publish by
 * hand never interleave.  Waits up to wait_s seconds for another holder,
 * then WARD_EIO naming the wait; WARD_ENOTFOUND when DIR is not there.
 * *fd is the lock, released by repo_unlock (or at exit). */
int repo_lock(const char *dir, unsigned wait_s, int *fd, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
void repo_unlock(int fd) WARD_INTERNAL;

#endif
