/*
 * fs_sqfs.c - the squashfs backend of audit_fs (libsquashfs, squashfs-tools-
 * ng).  libsquashfs reads the image through a file object of ours that only
 * preads a descriptor opened here, bounds-checked against the image's size.
 * The tree is indexed once, breadth first from the root inode; each
 * directory (by inode reference) is listed once, so a directory linked into
 * its own subtree is reported as a corrupt image.  Files are read through
 * libsquashfs's data reader, by inode reference, never beyond the size
 * bounded when indexed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir.h>
#include <sqfs/error.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_reader.h>
#include <sqfs/super.h>

#include "audit/core/fs_int.h"

/* ---- the image file, as libsquashfs sees it ----------------------------- */

struct img_file {
	sqfs_file_t base; /* first: libsquashfs casts to it */
	int fd;
	uint64_t size;
};

static int img_read_at(sqfs_file_t *f, sqfs_u64 offset, void *buffer, size_t size)
{
	struct img_file *x = (struct img_file *)f;
	uint64_t end;
	if (__builtin_add_overflow(offset, (uint64_t)size, &end) || end > x->size)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	uint8_t *p = buffer;
	while (size > 0) {
		ssize_t r = pread(x->fd, p, size, (off_t)offset);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return SQFS_ERROR_IO;
		p += r;
		size -= (size_t)r;
		offset += (uint64_t)r;
	}
	return 0;
}

static int img_write_at(sqfs_file_t *f, sqfs_u64 offset, const void *buffer, size_t size)
{
	(void)f, (void)offset, (void)buffer, (void)size;
	return SQFS_ERROR_UNSUPPORTED; /* read-only */
}

static sqfs_u64 img_get_size(const sqfs_file_t *f)
{
	return ((const struct img_file *)f)->size;
}

static int img_truncate(sqfs_file_t *f, sqfs_u64 size)
{
	(void)f, (void)size;
	return SQFS_ERROR_UNSUPPORTED;
}

static void img_destroy(sqfs_object_t *o)
{
	struct img_file *x = (struct img_file *)o;
	if (x->fd >= 0)
		close(x->fd);
	free(x);
}

/* ---- backend ------------------------------------------------------------ */

struct sqfs_img {
	struct img_file *file;
	sqfs_super_t super;
	sqfs_compressor_t *cmp;
	sqfs_meta_reader_t *inodes, *dirs;
	sqfs_data_reader_t *data;
};

static void sqfs_img_close(void *priv)
{
	struct sqfs_img *s = priv;
	sqfs_destroy(s->data);
	sqfs_destroy(s->dirs);
	sqfs_destroy(s->inodes);
	sqfs_destroy(s->cmp);
	if (s->file)
		img_destroy(&s->file->base.base);
	free(s);
}

static const char *sqfs_reason(int e)
{
	switch (e) {
	case SQFS_ERROR_IO:
		return "read error";
	case SQFS_ERROR_COMPRESSOR:
		return "a block does not decompress";
	case SQFS_ERROR_CORRUPTED:
		return "corrupt data";
	case SQFS_ERROR_UNSUPPORTED:
		return "unsupported feature or compressor";
	case SQFS_ERROR_OVERFLOW:
		return "a size overflows";
	case SQFS_ERROR_OUT_OF_BOUNDS:
		return "a table or block lies outside the image";
	case SFQS_ERROR_SUPER_MAGIC: /* sic: libsquashfs 1.2 spells them so */
		return "bad magic";
	case SFQS_ERROR_SUPER_VERSION:
		return "unsupported version";
	case SQFS_ERROR_SUPER_BLOCK_SIZE:
		return "bad block size";
	case SQFS_ERROR_NOT_DIR:
		return "a directory inode is not a directory";
	default:
		return "unreadable";
	}
}

/* A libsquashfs error as a ward code and one sentence. */
static int sqfs_err(audit_fs *fs, int e, const char *what, ward_error *err)
{
	if (e == SQFS_ERROR_ALLOC)
		return ward_err(err, WARD_ENOMEM, "%s: %s: out of memory", fs->image, what);
	return ward_err(err, WARD_EINVAL, "%s: corrupt or truncated squashfs image: %s: %s", fs->image, what,
			sqfs_reason(e));
}

static int read_inode(struct sqfs_img *s, uint64_t ref, sqfs_inode_generic_t **out)
{
	return sqfs_meta_reader_read_inode(s->inodes, &s->super, ref >> 16, (size_t)(ref & 0xFFFF), out);
}

static audit_ftype inode_type(const sqfs_inode_generic_t *in)
{
	switch (in->base.type) {
	case SQFS_INODE_DIR:
	case SQFS_INODE_EXT_DIR:
		return AUDIT_F_DIR;
	case SQFS_INODE_FILE:
	case SQFS_INODE_EXT_FILE:
		return AUDIT_F_REG;
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK:
		return AUDIT_F_LNK;
	default:
		return AUDIT_F_OTHER;
	}
}

/* Adds the entries of the directory whose inode is dir (at index position
 * parent; SIZE_MAX: the root). */
static int sqfs_list_dir(audit_fs *fs, struct sqfs_img *s, size_t parent, const sqfs_inode_generic_t *dir,
			 ward_error *err)
{
	const char *where = parent < fs->n ? fs->e[parent].path : "/";
	sqfs_readdir_state_t st;
	int e = sqfs_readdir_state_init(&st, &s->super, dir);
	if (e)
		return sqfs_err(fs, e, where, err);
	for (;;) {
		sqfs_dir_entry_t *ent = NULL;
		sqfs_u64 ref = 0;
		e = sqfs_meta_reader_readdir(s->dirs, &st, &ent, NULL, &ref);
		if (e > 0)
			return 0;
		if (e < 0)
			return sqfs_err(fs, e, parent < fs->n ? fs->e[parent].path : "/", err);
		sqfs_inode_generic_t *in = NULL;
		size_t nl = (size_t)ent->size + 1; /* stored off by one */
		int rc = 0;
		e = read_inode(s, ref, &in);
		if (e) {
			rc = sqfs_err(fs, e, parent < fs->n ? fs->e[parent].path : "/", err);
		} else {
			audit_ftype type = inode_type(in);
			sqfs_u64 size = 0;
			if (type == AUDIT_F_REG)
				(void)sqfs_inode_get_file_size(in, &size);
			const char *link = type == AUDIT_F_LNK ? (const char *)in->extra : NULL;
			size_t ll = type == AUDIT_F_LNK ? in->data.slink.target_size : 0;
			rc = fs_index_add_child(fs, parent, (const char *)ent->name, nl, type, size, ref, link, ll, err);
		}
		sqfs_free(in);
		sqfs_free(ent);
		if (rc)
			return rc;
	}
}

/* Breadth first: the index itself is the queue of directories to list. */
static int sqfs_index(audit_fs *fs, struct sqfs_img *s, ward_error *err)
{
	struct fs_keyset dirs = { 0 };
	sqfs_inode_generic_t *in = NULL;
	int rc = 0, e = read_inode(s, s->super.root_inode_ref, &in);
	if (e)
		rc = sqfs_err(fs, e, "root inode", err);
	else if (inode_type(in) != AUDIT_F_DIR)
		rc = ward_err(err, WARD_EINVAL, "%s: corrupt squashfs image: the root is not a directory", fs->image);
	else if (fs_keyset_add(&dirs, s->super.root_inode_ref) < 0)
		rc = ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->image);
	else
		rc = sqfs_list_dir(fs, s, SIZE_MAX, in, err);
	sqfs_free(in);
	for (size_t i = 0; !rc && i < fs->n; i++) {
		if (fs->e[i].type != AUDIT_F_DIR)
			continue;
		int added = fs_keyset_add(&dirs, fs->e[i].ref);
		if (added < 0) {
			rc = ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->image);
			break;
		}
		if (added == 0) {
			rc = ward_err(err, WARD_EINVAL, "%s: corrupt squashfs image: directory %s is linked twice "
				      "(a loop)", fs->image, fs->e[i].path);
			break;
		}
		in = NULL;
		e = read_inode(s, fs->e[i].ref, &in);
		rc = e ? sqfs_err(fs, e, fs->e[i].path, err) : sqfs_list_dir(fs, s, i, in, err);
		sqfs_free(in);
	}
	fs_keyset_dispose(&dirs);
	if (!rc)
		fs_index_finish(fs);
	return rc;
}

static int sqfs_read(audit_fs *fs, const struct fs_entry *t, size_t max, ward_buf *out, ward_error *err)
{
	struct sqfs_img *s = fs->priv;
	if (t->size > max)
		return ward_err(err, WARD_ELIMIT, "%s: %llu bytes, more than the %zu allowed", t->path,
				(unsigned long long)t->size, max);
	if (buf_reserve(out, (size_t)t->size) != 0)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", t->path);
	sqfs_inode_generic_t *in = NULL;
	int e = read_inode(s, t->ref, &in);
	if (e)
		return sqfs_err(fs, e, t->path, err);
	uint8_t chunk[65536];
	uint64_t off = 0;
	int rc = 0;
	while (!rc && off < t->size) {
		uint64_t left = t->size - off;
		sqfs_s32 r = sqfs_data_reader_read(s->data, in, off, chunk,
						   left < sizeof(chunk) ? (sqfs_u32)left : (sqfs_u32)sizeof(chunk));
		if (r < 0)
			rc = sqfs_err(fs, r, t->path, err);
		else if (r == 0) /* the inode says less than it did when indexed */
			rc = ward_err(err, WARD_EINVAL, "%s: corrupt squashfs image: %s is shorter than its size",
				      fs->image, t->path);
		else if (buf_append(out, chunk, (size_t)r) != 0)
			rc = ward_err(err, WARD_ENOMEM, "%s: out of memory", t->path);
		else
			off += (uint64_t)r;
	}
	sqfs_free(in);
	return rc;
}

static const struct fs_backend sqfs_backend = {
	.what = "squashfs image",
	.read = sqfs_read,
	.scan = NULL,
	.close = sqfs_img_close,
};

/* The readers of the image's tables, after its superblock. */
static int sqfs_readers(audit_fs *fs, struct sqfs_img *s, ward_error *err)
{
	sqfs_file_t *file = &s->file->base;
	int e = sqfs_super_read(&s->super, file);
	if (e)
		return sqfs_err(fs, e, "superblock", err);
	if (s->super.bytes_used > s->file->size)
		return ward_err(err, WARD_EINVAL, "%s: truncated squashfs image: %llu bytes of the %llu it says it has",
				fs->image, (unsigned long long)s->file->size, (unsigned long long)s->super.bytes_used);
	/* the fragment table's index (a 64-bit location per 8 KiB metadata block
	 * of 512 entries) lies between its start and the image's end: bounded
	 * before libsquashfs allocates by the count */
	uint64_t frag_blocks = ((uint64_t)s->super.fragment_entry_count + 511) / 512;
	if (frag_blocks > 0 && (s->super.fragment_table_start >= s->super.bytes_used ||
				frag_blocks > (s->super.bytes_used - s->super.fragment_table_start) / 8))
		return ward_err(err, WARD_EINVAL, "%s: corrupt squashfs image: %u fragments do not fit in it",
				fs->image, (unsigned)s->super.fragment_entry_count);
	sqfs_compressor_config_t cfg;
	e = sqfs_compressor_config_init(&cfg, (SQFS_COMPRESSOR)s->super.compression_id, s->super.block_size,
					SQFS_COMP_FLAG_UNCOMPRESS);
	if (!e)
		e = sqfs_compressor_create(&cfg, &s->cmp);
	if (!e && (s->super.flags & SQFS_FLAG_COMPRESSOR_OPTIONS))
		e = s->cmp->read_options(s->cmp, file);
	if (e)
		return sqfs_err(fs, e, "compressor", err);
	/* each table is read only between its start and the next table's */
	uint64_t dir_end = s->super.id_table_start;
	if (s->super.fragment_table_start < dir_end)
		dir_end = s->super.fragment_table_start;
	if (s->super.export_table_start < dir_end)
		dir_end = s->super.export_table_start;
	s->inodes = sqfs_meta_reader_create(file, s->cmp, s->super.inode_table_start, s->super.directory_table_start);
	s->dirs = sqfs_meta_reader_create(file, s->cmp, s->super.directory_table_start, dir_end);
	s->data = sqfs_data_reader_create(file, s->super.block_size, s->cmp, 0);
	if (!s->inodes || !s->dirs || !s->data)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->image);
	e = sqfs_data_reader_load_fragment_table(s->data, &s->super);
	return e ? sqfs_err(fs, e, "fragment table", err) : 0;
}

int fs_sqfs_open(audit_fs *fs, ward_error *err)
{
	fs->kind = FS_SQFS;
	fs->be = &sqfs_backend;
	struct sqfs_img *s = calloc(1, sizeof(*s));
	struct img_file *f = calloc(1, sizeof(*f));
	if (!s || !f) {
		free(s);
		free(f);
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->image);
	}
	fs->priv = s;
	s->file = f;
	f->base.base.destroy = img_destroy;
	f->base.read_at = img_read_at;
	f->base.write_at = img_write_at;
	f->base.get_size = img_get_size;
	f->base.truncate = img_truncate;
	f->fd = open(fs->image, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (f->fd < 0)
		return ward_err(err, errno == ENOENT ? WARD_ENOTFOUND : WARD_EIO, "%s: %s", fs->image, strerror(errno));
	struct stat st;
	if (fstat(f->fd, &st) != 0)
		return ward_err(err, WARD_EIO, "%s: %s", fs->image, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ward_err(err, WARD_EINVAL, "%s: not a regular file", fs->image);
	f->size = (uint64_t)st.st_size;
	int rc = sqfs_readers(fs, s, err);
	return rc ? rc : sqfs_index(fs, s, err);
}
