/*
 * fs.h - bounded file reads and crash-safe writes.
 *
 * fs_write_atomic writes a temp file in the target directory, fsyncs it,
 * renames it over the target and fsyncs the directory, so that after a
 * crash at any point the target holds either the old or the new bytes.
 */
#ifndef WARD_UTIL_FS_H
#define WARD_UTIL_FS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Reads a whole regular file of at most max bytes into out (appended).
 * WARD_ENOTFOUND if absent, WARD_ELIMIT if larger than max, WARD_EIO. */
int fs_read_file(ward_buf *out, const char *path, size_t max, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Atomically replaces dir/name with data; mode applies to a new file. */
int fs_write_atomic(const char *dir, const char *name, const void *data, size_t len,
		    unsigned mode, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Removes dir/name if present and fsyncs dir.  Absent is not an error. */
/* Makes dir/to a second name of dir/from, replacing dir/to atomically (a
 * hard link under a temporary name, renamed into place), then fsyncs dir.
 * For two names of one immutable file without writing it twice. */
int fs_link_atomic(const char *dir, const char *from, const char *to, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Flushes every file of the file system holding dir (syncfs(2)): one
 * barrier after writing many files, instead of an fsync each. */
int fs_syncfs(const char *dir, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

int fs_remove(const char *dir, const char *name, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Removes the temp files fs_write_atomic (or a download) left behind when
 * a crash interrupted it: names starting with "." and containing `tag`. */
void fs_remove_stale_temps(const char *dir, const char *tag) WARD_INTERNAL;

/* fsync a directory by path. */
int fs_sync_dir(const char *dir, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* mkdir -p with mode 0700 for new components. */
int fs_mkdirs(const char *dir, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Joins dir and name into a malloc'd path; NULL on overflow or ENOMEM. */
char *fs_join(const char *dir, const char *name) WARD_INTERNAL;

#endif
