/* repo_int.h - helpers shared by the repo_*.c files. */
#ifndef WARD_REPO_REPO_INT_H
#define WARD_REPO_REPO_INT_H

#include "json/json.h"
#include "json/tok.h"
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

/* Checks the staged role m (parsed from its envelope) against one
 * authorisation with the client's verifier (tuf_meta_verify): 0 or
 * WARD_EVERIFY with its message. */
struct tuf_meta;
int repo_verify_role(const struct tuf_meta *m, const repo_auth *a, const char *role,
		     ward_error *err) WARD_INTERNAL;


/* The staged target files (repo_stage.c; layout there).  One file, for
 * add-target: copied into staged/files/SHA256 and fsync'd. */
int repo_stage_file(const char *dir, const char *file, json_int_t *length, json_t **hashes,
		    ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* A batch, for add-targets: begin, add each file (its length and hashes
 * object, the caller's), commit (durable, then visible).  A batch freed
 * uncommitted is removed. */
typedef struct repo_stage repo_stage;
int repo_stage_begin(repo_stage **out, const char *dir, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int repo_stage_add(repo_stage *st, const char *file, json_int_t *length, json_t **hashes,
		   ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int repo_stage_commit(repo_stage *st, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
void repo_stage_free(repo_stage *st) WARD_INTERNAL;
static inline void ward_auto_repo_stage_free(repo_stage **st)
{
	repo_stage_free(*st);
}

/* The staged files publish may link, sorted by SHA-256 (a file may be
 * staged in more than one batch: any copy will do, publish re-hashes it). */
typedef struct repo_staged {
	char sha[65];
	uint32_t batch; /* 0: staged/files itself, else batch[batch - 1] */
} repo_staged;
typedef struct repo_staged_set {
	repo_staged *f;
	size_t n;
	char **batch;
	size_t nbatch;
} repo_staged_set;
int repo_staged_read(repo_staged_set *set, const char *dir, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* The staged file of sha (64 hex digits, not terminated), or NULL. */
const repo_staged *repo_staged_find(const repo_staged_set *set, const char *sha) WARD_INTERNAL;
/* Its path (malloc'd), or NULL if out of memory. */
char *repo_staged_path(const char *dir, const repo_staged_set *set, const repo_staged *f) WARD_INTERNAL;
/* Unlinks every file of the set and removes the batches left empty. */
void repo_staged_remove(const char *dir, const repo_staged_set *set) WARD_INTERNAL;
void repo_staged_dispose(repo_staged_set *set) WARD_INTERNAL;
static inline void ward_auto_repo_staged_dispose(repo_staged_set *set)
{
	repo_staged_dispose(set);
}

/* A staged change read for signing, checking or publishing (repo_change.c):
 * the file's bytes, their tokens, and the "light" view, in which every
 * role's signed.targets is {}.  Editing commands use repo_change_load. */
typedef struct repo_change {
	ward_buf bytes;
	wj_doc doc;
	json_t *light;
} repo_change;

int repo_change_read(repo_change *c, const char *path, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
void repo_change_dispose(repo_change *c) WARD_INTERNAL;
static inline void ward_auto_repo_change_dispose(repo_change *c)
{
	repo_change_dispose(c);
}
/* The "signed" object at token s of d as jansson, its targets left out
 * ({}): the small fields of a role of any size. */
int repo_light_signed(json_t **out, const wj_doc *d, uint32_t s, const char *what,
		      ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* The published role's "signed" without its targets, or NULL if none. */
int repo_published_light(json_t **out, const char *dir, const char *role,
			 ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* Token of roles.ROLE.signed in c->doc, or WJ_NONE. */
uint32_t repo_change_signed(const repo_change *c, const char *role) WARD_INTERNAL;
/* Appends {"signatures":…,"signed":…} of the role, as staged, to out. */
int repo_change_envelope(const repo_change *c, const char *role, ward_buf *out,
			 ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Replaces bytes [begin, end) of the change with text. */
typedef struct repo_splice {
	size_t begin, end;
	char *text;
} repo_splice;
/* Writes the change's bytes with the splices applied to path, atomically. */
int repo_change_write_spliced(const repo_change *c, const char *path, repo_splice *sp, size_t n,
			      ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* repo_check_change on a change already read. */
int repo_check_read(const char *dir, const repo_change *c, ward_buf *report,
		    ward_error *err) WARD_INTERNAL;

/* Editing the targets of staged roles without a tree of them
 * (repo_edit.c): begin, add/remove (each role's first edit starts its next
 * version from the published one and voids its signatures), commit writes
 * staged/change.json atomically. */
typedef struct repo_edit repo_edit;
int repo_edit_begin(repo_edit **out, const char *dir, const json_t *cfg, int64_t now,
		    ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int repo_edit_role(repo_edit *e, const char *role, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* Takes entry ({"length","hashes",...}) in all cases. */
int repo_edit_add(repo_edit *e, const char *role, const char *name, json_t *entry,
		  ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int repo_edit_remove(repo_edit *e, const char *role, const char *name,
		     ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int repo_edit_commit(repo_edit *e, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* Appends the targets object at token t of d (WJ_NONE: none) with adds
 * ({name: entry}) merged in by key and removes ({name: true}) left out:
 * existing members copied as they are when in key order, else through
 * jansson. */
int repo_edit_merge(ward_buf *out, const wj_doc *d, uint32_t t, const json_t *adds,
		    const json_t *removes, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
void repo_edit_free(repo_edit *e) WARD_INTERNAL;
WARD_DEFINE_AUTO(repo_edit *, repo_edit_free)

/* Is name acceptable as a target path (relative, no "." or ".." segments,
 * no control characters)? */
bool repo_target_name_ok(const char *name) WARD_INTERNAL;

#endif
