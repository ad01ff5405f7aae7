/*
 * fs.c - a root filesystem image, reached only through paths resolved inside
 * it.  Two backends: a directory (openat from a descriptor of the root) and a
 * tar archive (libarchive; an in-memory index of its entries, small files
 * kept when indexed, larger ones read by streaming the archive again).
 *
 * Resolution is done here, component by component, for both backends:
 * absolute link targets restart at the image root, ".." stops at the root,
 * at most AUDIT_LIMIT_SYMLINKS links are followed.  The directory backend
 * then opens the resolved path with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) where the kernel has it (so a tree changed under us
 * still cannot lead out), else openat with O_NOFOLLOW; and only regular files
 * are read: never a device, FIFO or socket of the host.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "audit/core/core.h"

enum fs_kind { FS_DIR, FS_TAR };

struct tar_entry {
	char *path; /* canonical: "/a/b" */
	char *link; /* symlink target as stored, or hardlink target (canonical) */
	uint8_t *cache;
	uint64_t size;
	size_t seq; /* header number in the archive */
	audit_ftype type;
	bool hard, cached;
};

struct audit_fs {
	enum fs_kind kind;
	int rootfd;
	char *archive;
	struct tar_entry *e;
	size_t n;
};

/* ---- paths -------------------------------------------------------------- */

/* Lexical normalisation of a path inside the image: "/a/b", ".." clamped at
 * the root, "." and empty components dropped.  Returns false if too long. */
static bool normalize(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t l = (size_t)(p - s);
		if (l == 1 && s[0] == '.')
			continue;
		if (l == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o + 1 + l + 1 > outlen)
			return false;
		out[o++] = '/';
		memcpy(out + o, s, l);
		o += l;
	}
	if (o == 0) {
		if (outlen < 2)
			return false;
		out[o++] = '/';
	}
	out[o] = '\0';
	return true;
}

/* ---- tar index ---------------------------------------------------------- */

static int cmp_entry(const void *x, const void *y)
{
	const struct tar_entry *a = x, *b = y;
	int c = strcmp(a->path, b->path);
	return c ? c : (a->seq < b->seq ? -1 : a->seq > b->seq);
}

static struct tar_entry *tar_find(audit_fs *fs, const char *path)
{
	size_t lo = 0, hi = fs->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(fs->e[mid].path, path);
		if (c == 0)
			return &fs->e[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A directory implied by deeper entries ("/etc" when only "/etc/passwd"). */
static bool tar_implied_dir(audit_fs *fs, const char *path)
{
	if (strcmp(path, "/") == 0)
		return true;
	size_t pl = strlen(path);
	size_t lo = 0, hi = fs->n;
	while (lo < hi) { /* first entry >= path */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(fs->e[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < fs->n && strncmp(fs->e[i].path, path, pl) == 0; i++)
		if (fs->e[i].path[pl] == '/')
			return true;
	return false;
}

static int archive_open_path(struct archive **out, const char *path, ward_error *err)
{
	struct archive *ar = archive_read_new();
	if (!ar)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", path);
	archive_read_support_filter_all(ar);
	archive_read_support_format_tar(ar);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		archive_read_free(ar);
		return ward_err(err, errno == ENOENT ? WARD_ENOTFOUND : WARD_EIO, "%s: %s", path, strerror(errno));
	}
	if (archive_read_open_fd(ar, fd, 65536) != ARCHIVE_OK) {
		int rc = ward_err(err, WARD_EINVAL, "%s: not a tar archive: %s", path, archive_error_string(ar));
		archive_read_free(ar);
		close(fd);
		return rc;
	}
	/* libarchive does not close a descriptor it was given: archive_close_path does */
	*out = ar;
	return fd;
}

static void archive_close_path(struct archive *ar, int fd)
{
	archive_read_free(ar);
	close(fd);
}

static int read_entry_data(struct archive *ar, size_t size, size_t max, ward_buf *out, const char *name,
			   ward_error *err)
{
	if (size > max)
		return ward_err(err, WARD_ELIMIT, "%s: %zu bytes, more than the %zu allowed", name, size, max);
	if (buf_reserve(out, size) != 0)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", name);
	uint8_t chunk[65536];
	for (;;) {
		la_ssize_t r = archive_read_data(ar, chunk, sizeof(chunk));
		if (r == 0)
			return 0;
		if (r < 0)
			return ward_err(err, WARD_EINVAL, "%s: truncated or corrupt archive: %s", name,
					archive_error_string(ar));
		if (out->len + (size_t)r > max)
			return ward_err(err, WARD_ELIMIT, "%s: more than the %zu bytes allowed", name, max);
		if (buf_append(out, chunk, (size_t)r) != 0)
			return ward_err(err, WARD_ENOMEM, "%s: out of memory", name);
	}
}

static int tar_index(audit_fs *fs, ward_error *err)
{
	struct archive *ar = NULL;
	int fd = archive_open_path(&ar, fs->archive, err);
	if (fd < 0)
		return fd;
	size_t cap = 0, cache_total = 0, seq = 0;
	int rc = 0;
	struct archive_entry *ae;
	char norm[AUDIT_LIMIT_PATH];
	for (;;) {
		int r = archive_read_next_header(ar, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = ward_err(err, WARD_EINVAL, "%s: truncated or corrupt archive: %s", fs->archive,
				      archive_error_string(ar));
			break;
		}
		seq++;
		const char *name = archive_entry_pathname(ae);
		if (!name || !normalize(name, norm, sizeof(norm)) || strcmp(norm, "/") == 0)
			continue;
		if (fs->n >= AUDIT_LIMIT_ARCHIVE_ENTRIES) {
			rc = ward_err(err, WARD_ELIMIT, "%s: more than %zu entries", fs->archive,
				      AUDIT_LIMIT_ARCHIVE_ENTRIES);
			break;
		}
		if (fs->n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct tar_entry *ne = realloc(fs->e, ncap * sizeof(*ne));
			if (!ne) {
				rc = ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->archive);
				break;
			}
			fs->e = ne;
			cap = ncap;
		}
		struct tar_entry t = { .seq = seq };
		const char *hl = archive_entry_hardlink(ae);
		mode_t ft = archive_entry_filetype(ae);
		char hnorm[AUDIT_LIMIT_PATH];
		if (hl) {
			t.type = AUDIT_F_REG;
			t.hard = true;
			if (normalize(hl, hnorm, sizeof(hnorm)))
				t.link = strdup(hnorm);
		} else if (ft == AE_IFLNK) {
			t.type = AUDIT_F_LNK;
			const char *target = archive_entry_symlink(ae);
			t.link = strdup(target ? target : "");
		} else if (ft == AE_IFDIR) {
			t.type = AUDIT_F_DIR;
		} else if (ft == AE_IFREG) {
			t.type = AUDIT_F_REG;
			la_int64_t sz = archive_entry_size(ae);
			t.size = sz > 0 ? (uint64_t)sz : 0;
		} else {
			t.type = AUDIT_F_OTHER;
		}
		t.path = strdup(norm);
		if (!t.path || ((hl || ft == AE_IFLNK) && !t.link)) {
			free(t.path);
			free(t.link);
			rc = ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->archive);
			break;
		}
		if (t.type == AUDIT_F_REG && !t.hard && t.size <= AUDIT_LIMIT_ARCHIVE_CACHE_FILE &&
		    cache_total + t.size <= AUDIT_LIMIT_ARCHIVE_CACHE_TOTAL) {
			ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_ARCHIVE_CACHE_FILE);
			rc = read_entry_data(ar, (size_t)t.size, AUDIT_LIMIT_ARCHIVE_CACHE_FILE, &b, norm, err);
			if (rc) {
				buf_dispose(&b);
				free(t.path);
				free(t.link);
				break;
			}
			size_t l;
			t.cache = buf_detach(&b, &l);
			t.size = l;
			t.cached = true;
			cache_total += l;
		}
		fs->e[fs->n++] = t;
	}
	archive_close_path(ar, fd);
	if (rc)
		return rc;
	/* later entries of the same path replace earlier ones, as on extraction;
	 * an empty archive has no array, and qsort's base must not be NULL */
	if (fs->n)
		qsort(fs->e, fs->n, sizeof(*fs->e), cmp_entry);
	size_t o = 0;
	for (size_t i = 0; i < fs->n; i++) {
		if (i + 1 < fs->n && strcmp(fs->e[i].path, fs->e[i + 1].path) == 0) {
			free(fs->e[i].path);
			free(fs->e[i].link);
			free(fs->e[i].cache);
			continue;
		}
		fs->e[o++] = fs->e[i];
	}
	fs->n = o;
	return 0;
}

/* ---- open/free ---------------------------------------------------------- */

void audit_fs_free(audit_fs *fs)
{
	if (!fs)
		return;
	if (fs->rootfd >= 0)
		close(fs->rootfd);
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->e[i].path);
		free(fs->e[i].link);
		free(fs->e[i].cache);
	}
	free(fs->e);
	free(fs->archive);
	free(fs);
}

int audit_fs_open(audit_fs **out, const char *path, ward_error *err)
{
	audit_fs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", path);
	fs->rootfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fs->rootfd < 0) {
		int e = errno;
		free(fs);
		return ward_err(err, e == ENOENT ? WARD_ENOTFOUND : WARD_EIO, "%s: %s", path, strerror(e));
	}
	struct stat st;
	if (fstat(fs->rootfd, &st) != 0) {
		audit_fs_free(fs);
		return ward_err(err, WARD_EIO, "%s: %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		fs->kind = FS_DIR;
		*out = fs;
		return 0;
	}
	uint8_t head[1084];
	ssize_t got = S_ISREG(st.st_mode) ? pread(fs->rootfd, head, sizeof(head), 0) : -1;
	close(fs->rootfd);
	fs->rootfd = -1;
	if (got < 0) {
		audit_fs_free(fs);
		return ward_err(err, WARD_EINVAL, "%s: neither a directory nor an image file", path);
	}
	if (got >= 4 && memcmp(head, "hsqs", 4) == 0) {
		audit_fs_free(fs);
		return ward_err(err, WARD_EINVAL, "%s: squashfs images are not supported yet; unpack with "
				"sqfs2tar or unsquashfs", path);
	}
	if (got >= 1082 && head[1080] == 0x53 && head[1081] == 0xEF) {
		audit_fs_free(fs);
		return ward_err(err, WARD_EINVAL, "%s: ext4 images are not supported yet; unpack with "
				"debugfs -R rdump", path);
	}
	fs->kind = FS_TAR;
	fs->archive = strdup(path);
	if (!fs->archive) {
		audit_fs_free(fs);
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", path);
	}
	int rc = tar_index(fs, err);
	if (rc) {
		audit_fs_free(fs);
		return rc;
	}
	*out = fs;
	return 0;
}

/* ---- primitive lookups (no link following) ------------------------------ */

static int prim_lstat(audit_fs *fs, const char *canon, audit_ftype *type, uint64_t *size)
{
	if (fs->kind == FS_TAR) {
		struct tar_entry *t = tar_find(fs, canon);
		if (t) {
			*type = t->type;
			*size = t->size;
			if (t->hard) {
				struct tar_entry *h = t->link ? tar_find(fs, t->link) : NULL;
				*size = h && h->type == AUDIT_F_REG ? h->size : 0;
			}
			return 0;
		}
		if (tar_implied_dir(fs, canon)) {
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
	if (fs->kind == FS_TAR) {
		struct tar_entry *t = tar_find(fs, canon);
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

static int tar_read_entry(audit_fs *fs, struct tar_entry *t, size_t max, ward_buf *out, ward_error *err)
{
	if (t->hard) {
		struct tar_entry *h = t->link ? tar_find(fs, t->link) : NULL;
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
	struct archive *ar = NULL;
	int fd = archive_open_path(&ar, fs->archive, err);
	if (fd < 0)
		return fd;
	int rc = ward_err(err, WARD_EINVAL, "%s: archive changed while reading", t->path);
	struct archive_entry *ae;
	for (size_t seq = 1;; seq++) {
		int r = archive_read_next_header(ar, &ae);
		if (r == ARCHIVE_EOF || r < ARCHIVE_WARN)
			break;
		if (seq == t->seq) {
			rc = read_entry_data(ar, (size_t)t->size, max, out, t->path, err);
			break;
		}
	}
	archive_close_path(ar, fd);
	return rc;
}

int audit_fs_read(audit_fs *fs, const char *path, size_t max, ward_buf *out, ward_error *err)
{
	char canon[AUDIT_LIMIT_PATH];
	int rc = resolve(fs, path, true, canon, sizeof(canon), err);
	if (rc)
		return rc;
	if (fs->kind == FS_TAR) {
		struct tar_entry *t = tar_find(fs, canon);
		if (!t)
			return ward_err(err, WARD_EINVAL, "%s: not a regular file", path);
		return tar_read_entry(fs, t, max, out, err);
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
	if (fs->kind == FS_TAR) {
		size_t cl = strlen(canon);
		bool root = strcmp(canon, "/") == 0;
		for (size_t i = 0; i < fs->n; i++) {
			struct tar_entry *t = &fs->e[i];
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

int audit_fs_scan(audit_fs *fs, size_t max, audit_fs_content_fn fn, void *ctx, size_t *skipped,
		  ward_error *err)
{
	*skipped = 0;
	if (fs->kind == FS_DIR) {
		struct scan_ctx s = { fs, max, fn, ctx, err, skipped };
		int rc = audit_fs_walk(fs, "/", scan_visit, &s, err);
		return rc < 0 ? rc : 0;
	}
	/* tar: one sequential pass, each path's final version only */
	struct archive *ar = NULL;
	int fd = archive_open_path(&ar, fs->archive, err);
	if (fd < 0)
		return fd;
	int rc = 0;
	struct archive_entry *ae;
	char norm[AUDIT_LIMIT_PATH];
	for (size_t seq = 1;; seq++) {
		int r = archive_read_next_header(ar, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = ward_err(err, WARD_EINVAL, "%s: truncated or corrupt archive: %s", fs->archive,
				      archive_error_string(ar));
			break;
		}
		const char *name = archive_entry_pathname(ae);
		if (!name || !normalize(name, norm, sizeof(norm)))
			continue;
		struct tar_entry *t = tar_find(fs, norm);
		if (!t || t->seq != seq || t->hard || t->type != AUDIT_F_REG)
			continue;
		if (t->size > max) {
			(*skipped)++;
			continue;
		}
		int stop;
		if (t->cached) {
			stop = fn(ctx, t->path, t->cache ? t->cache : (const uint8_t *)"", (size_t)t->size);
		} else {
			ward_buf b = WARD_BUF_INIT(max);
			if (read_entry_data(ar, (size_t)t->size, max, &b, t->path, err) != 0) {
				buf_dispose(&b);
				rc = err ? err->code : WARD_EINVAL;
				break;
			}
			stop = fn(ctx, t->path, b.ptr ? b.ptr : (const uint8_t *)"", b.len);
			buf_dispose(&b);
		}
		if (stop)
			break;
	}
	archive_close_path(ar, fd);
	return rc;
}
