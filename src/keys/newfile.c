/* newfile.c - create-only writes for key material (see newfile.h). */
#include "keys/newfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"

bool newfile_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory holding path, so that the new name survives a crash. */
static int sync_parent(const char *path, ward_error *err)
{
	WARD_AUTO(free) char *copy = strdup(path);
	if (!copy)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	return fs_sync_dir(dirname(copy), err);
}

int newfile_write(const char *path, const void *data, size_t len, unsigned mode, ward_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
	if (fd < 0) {
		if (errno == EEXIST || errno == ELOOP)
			return ward_err(err, WARD_EINVAL, "%s: already exists; not overwriting it", path);
		return ward_err(err, WARD_EIO, "create %s: %s", path, strerror(errno));
	}
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return ward_err(err, WARD_EIO, "write %s: %s", path, strerror(e));
	}
	if (close(fd) != 0) {
		int e = errno;
		unlink(path);
		return ward_err(err, WARD_EIO, "close %s: %s", path, strerror(e));
	}
	int rc = sync_parent(path, err);
	if (rc)
		unlink(path);
	return rc;
}
