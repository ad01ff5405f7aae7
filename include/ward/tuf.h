/*
 * tuf.h - the TUF update client (The Update Framework, specification 1.0.x,
 * section 5 "Detailed client workflow").
 *
 * A ward_updater keeps trusted metadata in a directory, one file per
 * top-level or delegated role (ROLE.json, the exact bytes received), written
 * atomically so that a crash at any point leaves the previous trusted state
 * usable.  refresh() walks the root chain, then timestamp, snapshot and
 * targets; download() finds a target through delegations and streams it to
 * disk, verifying length and every listed hash before it is moved into
 * place.
 *
 * Typical use:
 *     ward_updater_opts o = WARD_UPDATER_OPTS_INIT;
 *     o.metadata_dir = "/var/lib/ward/metadata";
 *     o.metadata_url = "https://updates.example.com/metadata";
 *     o.targets_url = "https://updates.example.com/targets";
 *     ward_updater *u; ward_error e;
 *     if (ward_updater_new(&u, &o, &e) == 0 && ward_updater_refresh(u, &e) == 0)
 *             ward_updater_download(u, "firmware.img", "/var/lib/ward/dl", NULL, &e);
 *     ward_updater_free(u);
 */
#ifndef WARD_TUF_H
#define WARD_TUF_H

#include <stdint.h>

#include "ward/error.h"

#ifndef WARD_NODISCARD
#define WARD_NODISCARD __attribute__((warn_unused_result))
#endif

typedef struct ward_updater ward_updater;

#define WARD_UPDATER_OPTS_VERSION 1

typedef struct ward_updater_opts {
	unsigned version;         /* WARD_UPDATER_OPTS_VERSION */
	const char *metadata_dir; /* trusted metadata store; must hold root.json */
	const char *metadata_url; /* base URL of the repository's metadata */
	const char *targets_url;  /* base URL of targets; NULL if only refreshing */
	int64_t reference_time;   /* seconds since the epoch; 0 = system clock */
	const char *ca_file;      /* PEM CA bundle for https; NULL = system */
	const char *client_cert;  /* PEM client certificate (mutual TLS) or NULL */
	const char *client_key;   /* PEM client key or NULL */
	long low_speed_bytes;     /* slow-retrieval floor; 0 = default 1024 B/s */
	long low_speed_seconds;   /* ... over this many seconds; 0 = default 10 */
} ward_updater_opts;

#define WARD_UPDATER_OPTS_INIT { WARD_UPDATER_OPTS_VERSION, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0, 0 }

/* Installs a trusted root into a new metadata directory (mode 0700).  The
 * root must parse and be signed by its own threshold.  Refuses to replace an
 * existing root.json (WARD_EINVAL). */
WARD_API WARD_NODISCARD int ward_client_init(const char *metadata_dir, const char *root_file,
					     ward_error *err);

/* Creates an updater.  Copies the option strings.  Does no I/O. */
WARD_API WARD_NODISCARD int ward_updater_new(ward_updater **out, const ward_updater_opts *opts,
					     ward_error *err);

/* TUF 5.1-5.6: loads the trusted root, updates root, timestamp, snapshot and
 * targets.  WARD_EVERIFY, WARD_EEXPIRED, WARD_EROLLBACK on refused
 * metadata, WARD_ELIMIT on oversized or slow data, WARD_ENET, WARD_EIO. */
WARD_API WARD_NODISCARD int ward_updater_refresh(ward_updater *u, ward_error *err);

/* Target information, valid until the next call on the updater. */
typedef struct ward_target_info {
	const char *path;
	uint64_t length;
	const char *sha256;      /* lowercase hex, or NULL if not listed */
	const char *custom_json; /* canonical JSON of "custom", or NULL */
	const char *role;        /* the role that listed the target */
} ward_target_info;

/* TUF 5.7: finds a target by pre-order search of the delegation graph.
 * Refresh first.  WARD_ENOTFOUND if no role lists it. */
WARD_API WARD_NODISCARD int ward_updater_find_target(ward_updater *u, const char *path,
						     ward_target_info *out, ward_error *err);

/* Finds, downloads and verifies a target into out_dir/path (creating
 * subdirectories).  If a file with the right length and hashes is already
 * there, nothing is fetched and *fetched (if non-NULL) is set to 0. */
WARD_API WARD_NODISCARD int ward_updater_download(ward_updater *u, const char *path,
						  const char *out_dir, int *fetched,
						  ward_error *err);

/* The trusted version of a role after refresh ("root", "timestamp",
 * "snapshot", "targets" or a loaded delegated role), or -1. */
WARD_API long long ward_updater_version(const ward_updater *u, const char *role);

WARD_API void ward_updater_free(ward_updater *u);

#endif
