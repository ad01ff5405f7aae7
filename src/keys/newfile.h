/*
 * newfile.h - writing a file that must be new: key files, public keys and
 * backup shares.  Never replaces an existing file and never follows a
 * symbolic link (O_EXCL|O_NOFOLLOW, as signify creates its key files), so a
 * key cannot be lost by overwriting it nor written through a planted link.
 */
#ifndef WARD_KEYS_NEWFILE_H
#define WARD_KEYS_NEWFILE_H

#include <stddef.h>

#include "util/common.h"

/* Creates path with mode (0600 for secrets; the umask may only narrow it),
 * writes data, fsyncs it and its directory.  WARD_EINVAL if path exists
 * (a symbolic link included), WARD_EIO otherwise.  On failure nothing is
 * left behind. */
int newfile_write(const char *path, const void *data, size_t len, unsigned mode,
		  ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* True if something (even a dangling symbolic link) is at path. */
bool newfile_exists(const char *path) WARD_INTERNAL;

#endif
