/* fs.c - bounded reads, atomic writes (temp, fsync, rename, fsync dir). */
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *fs_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name), n;
	if (!size_add_ok(a, b, &n) || !size_add_ok(n, 2, &n))
		return NULL;
	char *p = malloc(n);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

int fs_read_file(ward_buf *out, const char *path, size_t max, ward_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return ward_err(err, WARD_ENOTFOUND, "%s: not found", path);
		return ward_err(err, WARD_EIO, "%s: %s", path, strerror(errno));
	}
	int rc = 0;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = ward_err(err, WARD_EIO, "%s: not a regular file", path);
		goto out;
	}
	if ((unsigned long long)st.st_size > max) {
		rc = ward_err(err, WARD_ELIMIT, "%s is %lld bytes > %zu byte limit", path,
			      (long long)st.st_size, max);
		goto out;
	}
	size_t base = out->len;
	if (buf_reserve(out, (size_t)st.st_size) != 0) {
		rc = ward_err(err, WARD_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		uint8_t chunk[65536];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = ward_err(err, WARD_EIO, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (out->len - base + (size_t)n > max) {
			rc = ward_err(err, WARD_ELIMIT, "%s exceeds %zu byte limit", path, max);
			goto out;
		}
		int brc = buf_append(out, chunk, (size_t)n);
		if (brc) {
			rc = ward_err(err, brc, "%s: cannot buffer", path);
			goto out;
		}
	}
out:
	close(fd);
	return rc;
}

int fs_sync_dir(const char *dir, ward_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ward_err(err, WARD_EIO, "%s: %s", dir, strerror(errno));
	int rc = 0;
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = ward_err(err, WARD_EIO, "fsync %s: %s", dir, strerror(errno));
	close(fd);
	return rc;
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

int fs_write_atomic(const char *dir, const char *name, const void *data, size_t len,
		    unsigned mode, ward_error *err)
{
	WARD_AUTO(free) char *path = fs_join(dir, name);
	char tmpname[300];
	int n = snprintf(tmpname, sizeof(tmpname), ".%s.tmp.XXXXXX", name);
	if (!path || n < 0 || (size_t)n >= sizeof(tmpname))
		return ward_err(err, WARD_EINVAL, "%s/%s: name too long", dir, name);
	WARD_AUTO(free) char *tmp = fs_join(dir, tmpname);
	if (!tmp)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return ward_err(err, WARD_EIO, "create temp file in %s: %s", dir, strerror(errno));
	int rc = 0;
	if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		rc = ward_err(err, WARD_EIO, "write %s: %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) != 0) {
		rc = ward_err(err, WARD_EIO, "close %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		rc = ward_err(err, WARD_EIO, "rename to %s: %s", path, strerror(errno));
		goto fail;
	}
	return fs_sync_dir(dir, err);
fail:
	unlink(tmp);
	return rc;
}

int fs_link_atomic(const char *dir, const char *from, const char *to, ward_error *err)
{
	WARD_AUTO(free) char *src = fs_join(dir, from);
	WARD_AUTO(free) char *dst = fs_join(dir, to);
	char tmpname[300];
	int n = snprintf(tmpname, sizeof(tmpname), ".%s.link.%ld", to, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmpname))
		return ward_err(err, WARD_EINVAL, "%s/%s: name too long", dir, to);
	WARD_AUTO(free) char *tmp = fs_join(dir, tmpname);
	if (!src || !dst || !tmp)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	if (unlink(tmp) != 0 && errno != ENOENT)
		return ward_err(err, WARD_EIO, "remove %s: %s", tmp, strerror(errno));
	if (link(src, tmp) != 0)
		return ward_err(err, WARD_EIO, "link %s: %s", src, strerror(errno));
	if (rename(tmp, dst) != 0) {
		int e = errno;
		unlink(tmp);
		return ward_err(err, WARD_EIO, "rename to %s: %s", dst, strerror(e));
	}
	return fs_sync_dir(dir, err);
}

int fs_syncfs(const char *dir, ward_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ward_err(err, WARD_EIO, "%s: %s", dir, strerror(errno));
	int rc = 0;
	if (syncfs(fd) != 0)
		rc = ward_err(err, WARD_EIO, "sync the file system of %s: %s", dir, strerror(errno));
	close(fd);
	return rc;
}

int fs_remove(const char *dir, const char *name, ward_error *err)
{
	WARD_AUTO(free) char *path = fs_join(dir, name);
	if (!path)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	if (unlink(path) != 0) {
		if (errno == ENOENT)
			return 0;
		return ward_err(err, WARD_EIO, "remove %s: %s", path, strerror(errno));
	}
	return fs_sync_dir(dir, err);
}

void fs_remove_stale_temps(const char *dir, const char *tag)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && strstr(e->d_name, tag) && e->d_type != DT_DIR)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

int fs_mkdirs(const char *dir, ward_error *err)
{
	WARD_AUTO(free) char *p = strdup(dir);
	if (!p)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST)
				return ward_err(err, WARD_EIO, "mkdir %s: %s", p, strerror(errno));
			*s = c;
			if (!c)
				break;
		}
	}
	return 0;
}
