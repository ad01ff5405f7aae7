/* repo_int.h - helpers shared by the repo_*.c files. */
#ifndef WARD_REPO_REPO_INT_H
#define WARD_REPO_REPO_INT_H

#include "json/json.h"
#include "repo/repo.h"

extern const char *const repo_role_names[4] WARD_INTERNAL;

char *repo_path(const char *dir, const char *rel) WARD_INTERNAL;
int repo_load_json(json_t **out, const char *path, size_t max, ward_error *err) WARD_INTERNAL;
int repo_save_json(const char *dir, const char *name, const json_t *v, ward_error *err) WARD_INTERNAL;
int repo_config_load(json_t **out, const char *dir, ward_error *err) WARD_INTERNAL;
unsigned repo_expiry_days(const json_t *cfg, const char *role) WARD_INTERNAL;
void repo_expires(char out[static 32], int64_t now, unsigned days) WARD_INTERNAL;
int repo_published(json_t **out, const char *dir, const char *role, ward_error *err) WARD_INTERNAL;
int repo_change_load(json_t **out, const char *dir, bool create, ward_error *err) WARD_INTERNAL;
int repo_change_save(const char *dir, const json_t *change, ward_error *err) WARD_INTERNAL;
int repo_change_role(json_t **out, json_t *change, const char *dir, const json_t *cfg,
		     const char *role, int64_t now, ward_error *err) WARD_INTERNAL;
int repo_read_pub(json_t **key, char keyid[static 65], char name[static 64], const char *path,
		  ward_error *err) WARD_INTERNAL;

/* Who may sign a role: keys and threshold, from the state that will be
 * trusted once the change is published. */
typedef struct repo_auth {
	const json_t *keys;   /* keyid -> key JSON */
	const json_t *keyids; /* array */
	unsigned threshold;
	char by[96];          /* "root v3" / "targets v7": who grants it */
} repo_auth;

/* The authorisations of `role` in the change: for root, both the trusted
 * root's and the new root's (n = 2); for others, one. */
int repo_authorisations(repo_auth out[2], size_t *n, json_t *refs, const char *dir,
			const json_t *change, const char *role, ward_error *err) WARD_INTERNAL;

/* Records in the change which keys may sign each role ("signers"), for
 * approvers who sign away from the repository.  Advisory only. */
void repo_change_annotate(const char *dir, json_t *change) WARD_INTERNAL;

/* Signs+checks the role in the change against one authorisation with the
 * verifier (tuf_meta_verify): 0 or WARD_EVERIFY with its message. */
int repo_verify_role(const json_t *entry, const repo_auth *a, const char *role,
		     ward_error *err) WARD_INTERNAL;

#endif
