/*
 * fs.c - a root filesystem image, reached only through paths resolved inside
 * it.  Backends: a directory (openat from a descriptor of the root), and
 * image files indexed in memory when opened (fs_index.c): a tar archive
 * (fs_tar.c, libarchive), an ext2/3/4 image (fs_ext4.c, libext2fs) and a
 * squashfs image (fs_sqfs.c, libsquashfs), told apart by their magic.
 *
 * Resolution is done here, component by component, for every backend:
 * absolute link targets restart at the image root, ".." stops at the root,
 * at most AUDIT_LIMIT_SYMLINKS links are followed.  The directory backend
 * then opens the resolved path with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) where the kernel has it (so a tree changed under us
 * still cannot lead out), else openat with O_NOFOLLOW; and only regular files
 * are read: never a device, FIFO or socket of the host.  An image file's
 * backend reads only the image: nothing is mounted or extracted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "audit/core/fs_int.h"

/* ---- open/free ---------------------------------------------------------- */

void audit_fs_free(audit_fs *fs)
{
	if (!fs)
		return;
	if (fs->rootfd >= 0)
		close(fs->rootfd);
	if (fs->be && fs->be->close && fs->priv)
		fs->be->close(fs->priv);
	fs_index_dispose(fs);
	free(fs->image);
	free(fs);
}

static int image_open(audit_fs **out, const char *path, int (*backend)(audit_fs *, ward_error *),
		      ward_error *err)
{
	audit_fs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", path);
	fs->rootfd = -1;
	fs->image = strdup(path);
	int rc = fs->image ? backend(fs, err) : ward_err(err, WARD_ENOMEM, "%s: out of memory", path);
	if (rc) {
		audit_fs_free(fs);
		return rc;
	}
	*out = fs;
	return 0;
}

int audit_fs_open_tar(audit_fs **out, const char *path, ward_error *err)
{
	return image_open(out, path, fs_tar_open, err);
}

int audit_fs_open_ext4(audit_fs **out, const char *path, ward_error *err)
{
	return image_open(out, path, fs_ext4_open, err);
}

int audit_fs_open_squashfs(audit_fs **out, const char *path, ward_error *err)
{
	return image_open(out, path, fs_sqfs_open, err);
}

int audit_fs_open(audit_fs **out, const char *path, ward_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ward_err(err, errno == ENOENT ? WARD_ENOTFOUND : WARD_EIO, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return ward_err(err, WARD_EIO, "%s: %s", path, strerror(e));
	}
	if (S_ISDIR(st.st_mode)) {
		audit_fs *fs = calloc(1, sizeof(*fs));
		if (!fs) {
			close(fd);
			return ward_err(err, WARD_ENOMEM, "%s: out of memory", path);
		}
		fs->kind = FS_DIR;
		fs->rootfd = fd;
		*out = fs;
		return 0;
	}
	uint8_t head[1084];
	ssize_t got = S_ISREG(st.st_mode) ? pread(fd, head, sizeof(head), 0) : -1;
	close(fd);
	if (got < 0)
		return ward_err(err, WARD_EINVAL, "%s: neither a directory nor an image file", path);
	if (got >= 4 && memcmp(head, "hsqs", 4) == 0)
		return audit_fs_open_squashfs(out, path, err);
	if (got >= 1082 && head[1080] == 0x53 && head[1081] == 0xEF)
		return audit_fs_open_ext4(out, path, err);
	return audit_fs_open_tar(out, path, err);
}

/* ---- primitive lookups (no link following) ------------------------------ */

static int prim_lstat(audit_fs *fs, const char *canon, audit_ftype *type, uint64_t *size)
{
	if (fs->kind != FS_DIR) {
		struct fs_entry *t = fs_index_find(fs, canon);
		if (t) {
			*type = t->type;
			*size = t->size;
			if (t->hard) {
				struct fs_entry *h = t->link ? fs_index_find(fs, t->link) : NULL;
				*size = h && h->type == AUDIT_F_REG ? h->size : 0;
			}
			return 0;
		}
		if (fs_index_implied_dir(fs, canon)) {
			*type = AUDIT_F_DIR;
			*size = 0;
			return 0;
		}
		return -1;
	}
	struct stat st;
	const char *rel = canon[1] ? canon + 1 : ".";
	if (fstatat(fs->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return -1;
	*type = S_ISREG(st.st_mode) ? AUDIT_F_REG
		: S_ISDIR(st.st_mode) ? AUDIT_F_DIR
		: S_ISLNK(st.st_mode) ? AUDIT_F_LNK
				      : AUDIT_F_OTHER;
	*size = (uint64_t)st.st_size;
	return 0;
}

static int prim_readlink(audit_fs *fs, const char *canon, char *out, size_t outlen)
{
	if (fs->kind != FS_DIR) {
		struct fs_entry *t = fs_index_find(fs, canon);
		if (!t || t->type != AUDIT_F_LNK || strlen(t->link) >= outlen)
			return -1;
		memcpy(out, t->link, strlen(t->link) + 1);
		return 0;
	}
	ssize_t r = readlinkat(fs->rootfd, canon + 1, out, outlen);
	if (r < 0 || (size_t)r >= outlen)
		return -1;
	out[r] = '\0';
	return 0;
}

/* Resolves path inside the image into canon (no link left in it, except the
 * last component when !follow_last). */
static int resolve(audit_fs *fs, const char *path, bool follow_last, char *canon, size_t canonlen,
		   ward_error *err)
{
	char rest[AUDIT_LIMIT_PATH * 2], cur[AUDIT_LIMIT_PATH] = "";
	size_t cl = 0, links = 0;
	if (strlen(path) >= sizeof(rest))
		return ward_err(err, WARD_ELIMIT, "%.64s...: path too long", path);
	memcpy(rest, path, strlen(path) + 1);
	char *p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *s = p;
		while (*p && *p != '/')
			p++;
		size_t l = (size_t)(p - s);
		bool last = true;
		for (const char *q = p; *q; q++)
			if (*q != '/') {
				last = false;
				break;
			}
		if (l == 1 && s[0] == '.')
			continue;
		if (l == 2 && s[0] == '.' && s[1] == '.') {
			while (cl > 0 && cur[cl - 1] != '/')
				cl--;
			if (cl > 0)
				cl--; /* the root is its own parent: ".." never leaves the image */
			cur[cl] = '\0';
			continue;
		}
		if (cl + 1 + l + 1 > sizeof(cur))
			return ward_err(err, WARD_ELIMIT, "%s: path too long", path);
		size_t saved = cl;
		cur[cl++] = '/';
		memcpy(cur + cl, s, l);
		cl += l;
		cur[cl] = '\0';
		audit_ftype t;
		uint64_t sz;
		if (prim_lstat(fs, cur, &t, &sz) != 0)
			return ward_err(err, WARD_ENOTFOUND, "%s: not found in the image", path);
		if (t == AUDIT_F_LNK && (!last || follow_last)) {
			if (++links > AUDIT_LIMIT_SYMLINKS)
				return ward_err(err, WARD_ELIMIT, "%s: more than %d symbolic links", path,
						AUDIT_LIMIT_SYMLINKS);
			char target[AUDIT_LIMIT_PATH];
			if (prim_readlink(fs, cur, target, sizeof(target)) != 0)
				return ward_err(err, WARD_EINVAL, "%s: unreadable symbolic link", path);
			size_t tl = strlen(target), rl = strlen(p);
			if (tl + 1 + rl + 1 > sizeof(rest))
				return ward_err(err, WARD_ELIMIT, "%s: path too long", path);
			memmove(rest + tl + 1, p, rl + 1);
			memcpy(rest, target, tl);
			rest[tl] = '/';
			p = rest;
			if (target[0] == '/')
				cl = 0; /* absolute: from the image root, not the host's */
			else
				cl = saved;
			cur[cl] = '\0';
			continue;
		}
		if (!last && t != AUDIT_F_DIR)
			return ward_err(err, WARD_ENOTFOUND, "%s: not found in the image", path);
	}
	if (cl == 0) {
		cur[0] = '/';
		cur[1] = '\0';
		cl = 1;
	}
	if (cl + 1 > canonlen)
		return ward_err(err, WARD_ELIMIT, "%s: path too long", path);
	memcpy(canon, cur, cl + 1);
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* Opens a resolved path of a directory image: a regular file or nothing. */
static int dir_open_regular(audit_fs *fs, const char *canon, ward_error *err)
{
	const char *rel = canon[1] ? canon + 1 : ".";
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, fs->rootfd, rel, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		fd = openat(fs->rootfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return ward_err(err, errno == ENOENT ? WARD_ENOTFOUND : WARD_EIO, "%s: %s", canon, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ward_err(err, WARD_EINVAL, "%s: not a regular file", canon);
	}
	return fd;
}

static int fd_read_all(int fd, const char *canon, size_t max, ward_buf *out, ward_error *err)
{
	uint8_t chunk[65536];
	size_t total = 0;
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return ward_err(err, WARD_EIO, "%s: %s", canon, strerror(errno));
		if (r == 0)
			return 0;
		total += (size_t)r;
		if (total > max)
			return ward_err(err, WARD_ELIMIT, "%s: more than the %zu bytes allowed", canon, max);
		if (buf_append(out, chunk, (size_t)r) != 0)
			return ward_err(err, WARD_ENOMEM, "%s: out of memory", canon);
	}
}

/* Reads an entry of an image file's index: a hard link's target, a cached
 * copy, or through the backend. */
static int index_read(audit_fs *fs, const struct fs_entry *t, size_t max, ward_buf *out, ward_error *err)
{
	if (t->hard) {
		const struct fs_entry *h = t->link ? fs_index_find(fs, t->link) : NULL;
		if (!h || h->hard || h->type != AUDIT_F_REG)
			return ward_err(err, WARD_ENOTFOUND, "%s: hard link to a missing file", t->path);
		t = h;
	}
	if (t->type != AUDIT_F_REG)
		return ward_err(err, WARD_EINVAL, "%s: not a regular file", t->path);
	if (t->size > max)
		return ward_err(err, WARD_ELIMIT, "%s: %llu bytes, more than the %zu allowed", t->path,
				(unsigned long long)t->size, max);
	if (t->cached)
		return buf_append(out, t->cache, (size_t)t->size) ? ward_err(err, WARD_ENOMEM, "out of memory") : 0;
	return fs->be->read(fs, t, max, out, err);
}

int audit_fs_read(audit_fs *fs, const char *path, size_t max, ward_buf *out, ward_error *err)
{
	char canon[AUDIT_LIMIT_PATH];
	int rc = resolve(fs, path, true, canon, sizeof(canon), err);
	if (rc)
		return rc;
	if (fs->kind != FS_DIR) {
		struct fs_entry *t = fs_index_find(fs, canon);
		if (!t)
			return ward_err(err, WARD_EINVAL, "%s: not a regular file", path);
		return index_read(fs, t, max, out, err);
	}
	int fd = dir_open_regular(fs, canon, err);
	if (fd < 0)
		return fd;
	rc = fd_read_all(fd, path, max, out, err);
	close(fd);
	return rc;
}

bool audit_fs_exists(audit_fs *fs, const char *path)
{
	char canon[AUDIT_LIMIT_PATH];
	return resolve(fs, path, true, canon, sizeof(canon), NULL) == 0;
}

int audit_fs_lstat(audit_fs *fs, const char *path, audit_ftype *type, uint64_t *size)
{
	char canon[AUDIT_LIMIT_PATH];
	if (resolve(fs, path, false, canon, sizeof(canon), NULL) != 0)
		return -1;
	return prim_lstat(fs, canon, type, size);
}

int audit_fs_readlink(audit_fs *fs, const char *path, char *out, size_t outlen, ward_error *err)
{
	char canon[AUDIT_LIMIT_PATH];
	int rc = resolve(fs, path, false, canon, sizeof(canon), err);
	if (rc)
		return rc;
	if (prim_readlink(fs, canon, out, outlen) != 0)
		return ward_err(err, WARD_EINVAL, "%s: not a symbolic link", path);
	return 0;
}

/* ---- walking ------------------------------------------------------------ */

static int dir_walk(audit_fs *fs, int dfd, char *path, size_t pl, unsigned depth, audit_fs_visit fn,
		    void *ctx, ward_error *err)
{
	if (depth > AUDIT_LIMIT_WALK_DEPTH)
		return ward_err(err, WARD_ELIMIT, "%s: nested more than %d deep", path, AUDIT_LIMIT_WALK_DEPTH);
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return ward_err(err, WARD_EIO, "%s: %s", path, strerror(errno));
	}
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		size_t nl = strlen(de->d_name);
		if (pl + 1 + nl + 1 > AUDIT_LIMIT_PATH)
			continue;
		size_t np = pl;
		if (!(pl == 1 && path[0] == '/'))
			path[np++] = '/';
		memcpy(path + np, de->d_name, nl + 1);
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			path[pl] = '\0';
			continue;
		}
		audit_ftype t = S_ISREG(st.st_mode) ? AUDIT_F_REG
				: S_ISDIR(st.st_mode) ? AUDIT_F_DIR
				: S_ISLNK(st.st_mode) ? AUDIT_F_LNK
						      : AUDIT_F_OTHER;
		rc = fn(ctx, path, t, (uint64_t)st.st_size);
		if (!rc && t == AUDIT_F_DIR) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				rc = dir_walk(fs, sub, path, np + nl, depth + 1, fn, ctx, err);
		}
		path[pl] = '\0';
	}
	closedir(d);
	return rc;
}

int audit_fs_walk(audit_fs *fs, const char *dir, audit_fs_visit fn, void *ctx, ward_error *err)
{
	char canon[AUDIT_LIMIT_PATH];
	int rc = resolve(fs, dir, true, canon, sizeof(canon), err);
	if (rc)
		return rc == WARD_ENOTFOUND ? 0 : rc;
	if (fs->kind != FS_DIR) {
		size_t cl = strlen(canon);
		bool root = strcmp(canon, "/") == 0;
		for (size_t i = 0; i < fs->n; i++) {
			struct fs_entry *t = &fs->e[i];
			if (!root && (strncmp(t->path, canon, cl) != 0 || t->path[cl] != '/'))
				continue;
			uint64_t sz = t->size;
			audit_ftype ty;
			if (t->hard)
				(void)prim_lstat(fs, t->path, &ty, &sz);
			rc = fn(ctx, t->path, t->type, sz);
			if (rc)
				return rc;
		}
		return 0;
	}
	const char *rel = canon[1] ? canon + 1 : ".";
	int dfd = openat(fs->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	char path[AUDIT_LIMIT_PATH];
	memcpy(path, canon, strlen(canon) + 1);
	return dir_walk(fs, dfd, path, strlen(path), 0, fn, ctx, err);
}

/* ---- content scan ------------------------------------------------------- */

struct scan_ctx {
	audit_fs *fs;
	size_t max;
	audit_fs_content_fn fn;
	void *ctx;
	ward_error *err;
	size_t *skipped;
};

static int scan_visit(void *vctx, const char *path, audit_ftype type, uint64_t size)
{
	struct scan_ctx *s = vctx;
	if (type != AUDIT_F_REG)
		return 0;
	if (size > s->max) {
		(*s->skipped)++;
		return 0;
	}
	ward_buf b = WARD_BUF_INIT(s->max);
	int fd = dir_open_regular(s->fs, path, NULL);
	int r = 0;
	if (fd >= 0) {
		if (fd_read_all(fd, path, s->max, &b, NULL) == 0)
			r = s->fn(s->ctx, path, b.ptr ? b.ptr : (const uint8_t *)"", b.len);
		close(fd);
	}
	buf_dispose(&b);
	return r;
}

static int cmp_ref(const void *x, const void *y)
{
	const struct fs_entry *a = *(const struct fs_entry *const *)x, *b = *(const struct fs_entry *const *)y;
	return a->ref < b->ref ? -1 : a->ref > b->ref;
}

/* Each regular entry once, in the order of the backend's references (inode
 * numbers, inode table positions), which follows the image's layout. */
static int index_scan(audit_fs *fs, size_t max, audit_fs_content_fn fn, void *ctx, size_t *skipped,
		      ward_error *err)
{
	WARD_AUTO(free) const struct fs_entry **order = calloc(fs->n ? fs->n : 1, sizeof(*order));
	if (!order)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->image);
	size_t m = 0;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->e[i].type == AUDIT_F_REG && !fs->e[i].hard)
			order[m++] = &fs->e[i];
	qsort(order, m, sizeof(*order), cmp_ref);
	for (size_t i = 0; i < m; i++) {
		const struct fs_entry *t = order[i];
		if (t->size > max) {
			(*skipped)++;
			continue;
		}
		ward_buf b = WARD_BUF_INIT(max);
		int rc = index_read(fs, t, max, &b, err);
		int stop = rc ? 0 : fn(ctx, t->path, b.ptr ? b.ptr : (const uint8_t *)"", b.len);
		buf_dispose(&b);
		if (rc)
			return rc;
		if (stop)
			break;
	}
	return 0;
}

int audit_fs_scan(audit_fs *fs, size_t max, audit_fs_content_fn fn, void *ctx, size_t *skipped,
		  ward_error *err)
{
	*skipped = 0;
	if (fs->kind == FS_DIR) {
		struct scan_ctx s = { fs, max, fn, ctx, err, skipped };
		int rc = audit_fs_walk(fs, "/", scan_visit, &s, err);
		return rc < 0 ? rc : 0;
	}
	if (fs->be->scan)
		return fs->be->scan(fs, max, fn, ctx, skipped, err);
	return index_scan(fs, max, fn, ctx, skipped, err);
}
