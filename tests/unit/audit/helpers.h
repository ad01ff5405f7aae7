/* helpers.h - shared by the audit core's unit tests: a temporary image
 * directory built from a table, and queries over the recorded findings. */
#ifndef WARD_TEST_AUDIT_HELPERS_H
#define WARD_TEST_AUDIT_HELPERS_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/core/core.h"

/* One entry of a tree: a file with text, or a symlink when link != NULL. */
struct tentry {
	const char *path, *text, *link;
};

/* Creates a fresh directory under $TMPDIR and fills it; returns its path
 * (static storage, valid until the next call). */
const char *tree_make(const struct tentry *e, size_t n);
void tree_remove(const char *dir);

/* Number of findings with this id (and, if non-NULL, file; evidence
 * containing `needle`). */
size_t count_id(const audit_ctx *a, const char *id, const char *file, const char *needle);

/* Opens the tree as an image and runs the rootfs checks into a new context.
 * Every small tree lacks a firewall and a secure-storage backend, and any
 * sshd is inventoried: the SVC-02, SVC-04 and SEC-04 findings that
 * test_exposure.c is about are dropped unless audit_tree_keep_exposure. */
extern bool audit_tree_keep_exposure;
audit_ctx *audit_tree(const struct tentry *e, size_t n);

#endif
