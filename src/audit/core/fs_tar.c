/*
 * fs_tar.c - the tar backend of audit_fs (libarchive, any compression it
 * reads): the archive is indexed once, small files kept in memory; larger
 * ones are read by streaming the archive again to their header, and the
 * content scan is one sequential pass.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/core/fs_int.h"

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
	int fd = archive_open_path(&ar, fs->image, err);
	if (fd < 0)
		return fd;
	size_t cache_total = 0, seq = 0;
	int rc = 0;
	struct archive_entry *ae;
	char norm[AUDIT_LIMIT_PATH];
	for (;;) {
		int r = archive_read_next_header(ar, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = ward_err(err, WARD_EINVAL, "%s: truncated or corrupt archive: %s", fs->image,
				      archive_error_string(ar));
			break;
		}
		seq++;
		const char *name = archive_entry_pathname(ae);
		if (!name || !fs_normalize(name, norm, sizeof(norm)) || strcmp(norm, "/") == 0)
			continue;
		struct fs_entry t = { .ref = seq };
		const char *hl = archive_entry_hardlink(ae);
		mode_t ft = archive_entry_filetype(ae);
		char hnorm[AUDIT_LIMIT_PATH];
		if (hl) {
			t.type = AUDIT_F_REG;
			t.hard = true;
			if (fs_normalize(hl, hnorm, sizeof(hnorm)))
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
			rc = ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->image);
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
		rc = fs_index_add(fs, &t, err);
		if (rc)
			break;
	}
	archive_close_path(ar, fd);
	if (rc)
		return rc;
	/* later entries of the same path replace earlier ones, as on extraction */
	fs_index_finish(fs);
	return 0;
}

static int tar_read(audit_fs *fs, const struct fs_entry *t, size_t max, ward_buf *out, ward_error *err)
{
	struct archive *ar = NULL;
	int fd = archive_open_path(&ar, fs->image, err);
	if (fd < 0)
		return fd;
	int rc = ward_err(err, WARD_EINVAL, "%s: archive changed while reading", t->path);
	struct archive_entry *ae;
	for (uint64_t seq = 1;; seq++) {
		int r = archive_read_next_header(ar, &ae);
		if (r == ARCHIVE_EOF || r < ARCHIVE_WARN)
			break;
		if (seq == t->ref) {
			rc = read_entry_data(ar, (size_t)t->size, max, out, t->path, err);
			break;
		}
	}
	archive_close_path(ar, fd);
	return rc;
}

/* One sequential pass, each path's final version only. */
static int tar_scan(audit_fs *fs, size_t max, audit_fs_content_fn fn, void *ctx, size_t *skipped,
		    ward_error *err)
{
	struct archive *ar = NULL;
	int fd = archive_open_path(&ar, fs->image, err);
	if (fd < 0)
		return fd;
	int rc = 0;
	struct archive_entry *ae;
	char norm[AUDIT_LIMIT_PATH];
	for (uint64_t seq = 1;; seq++) {
		int r = archive_read_next_header(ar, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = ward_err(err, WARD_EINVAL, "%s: truncated or corrupt archive: %s", fs->image,
				      archive_error_string(ar));
			break;
		}
		const char *name = archive_entry_pathname(ae);
		if (!name || !fs_normalize(name, norm, sizeof(norm)))
			continue;
		struct fs_entry *t = fs_index_find(fs, norm);
		if (!t || t->ref != seq || t->hard || t->type != AUDIT_F_REG)
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
			rc = read_entry_data(ar, (size_t)t->size, max, &b, t->path, err);
			if (rc) {
				buf_dispose(&b);
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

static const struct fs_backend tar_backend = {
	.what = "tar archive",
	.read = tar_read,
	.scan = tar_scan,
	.close = NULL,
};

int fs_tar_open(audit_fs *fs, ward_error *err)
{
	fs->kind = FS_TAR;
	fs->be = &tar_backend;
	return tar_index(fs, err);
}
