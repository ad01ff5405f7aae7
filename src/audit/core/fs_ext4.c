/*
 * fs_ext4.c - the ext2/3/4 backend of audit_fs (libext2fs).  The image is
 * opened read-only and only read: nothing is mounted, the journal is never
 * replayed (an image whose journal still holds changes is refused, since
 * the device would see a tree we cannot).  The tree is indexed once, breadth
 * first from the root inode; each directory is listed once, so a directory
 * linked into its own subtree is reported as a corrupt image instead of
 * being walked for ever.  Files are read through libext2fs by inode number,
 * never beyond the size that was bounded when indexed.
 */
#include <errno.h>
#include <et/com_err.h>
#include <ext2fs/ext2fs.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/core/fs_int.h"

/* A libext2fs error as a ward code and one sentence. */
static int ext4_err(audit_fs *fs, errcode_t ec, const char *what, ward_error *err)
{
	int code = ec == ENOENT                                   ? WARD_ENOTFOUND
		   : ec == ENOMEM || ec == EXT2_ET_NO_MEMORY      ? WARD_ENOMEM
		   : ec > 0 && ec < 4096 && ec != EXT2_ET_SHORT_READ ? WARD_EIO
								     : WARD_EINVAL;
	if (code == WARD_EINVAL)
		return ward_err(err, code, "%s: corrupt or truncated ext4 image: %s: %s", fs->image, what,
				error_message(ec));
	return ward_err(err, code, "%s: %s: %s", fs->image, what, error_message(ec));
}

struct ext4_list {
	audit_fs *fs;
	ext2_filsys e2;
	size_t parent; /* index position of the directory listed; SIZE_MAX: the root */
	int rc;
	ward_error *err;
};

/* The target of the symbolic link ino: in the inode itself (a fast link),
 * or in its data (inline or in blocks), at most AUDIT_LIMIT_PATH - 1 bytes. */
static int ext4_readlink(struct ext4_list *w, ext2_ino_t ino, struct ext2_inode *in, const char *name,
			 char *out, size_t *len)
{
	uint64_t sz = EXT2_I_SIZE(in);
	if (sz >= AUDIT_LIMIT_PATH)
		return ward_err(w->err, WARD_EINVAL, "%s: corrupt ext4 image: link %s of %llu bytes", w->fs->image,
				name, (unsigned long long)sz);
	if (ext2fs_is_fast_symlink(in)) {
		if (sz > sizeof(in->i_block))
			return ward_err(w->err, WARD_EINVAL, "%s: corrupt ext4 image: link %s", w->fs->image, name);
		memcpy(out, in->i_block, (size_t)sz);
		*len = (size_t)sz;
		return 0;
	}
	ext2_file_t f = NULL;
	errcode_t ec = ext2fs_file_open2(w->e2, ino, in, 0, &f);
	size_t got = 0;
	while (!ec && got < sz) {
		unsigned int r = 0;
		ec = ext2fs_file_read(f, out + got, (unsigned int)(sz - got), &r);
		if (!ec && r == 0)
			ec = EXT2_ET_SHORT_READ;
		got += r;
	}
	if (f)
		(void)ext2fs_file_close(f);
	if (ec)
		return ext4_err(w->fs, ec, name, w->err);
	*len = got;
	return 0;
}

static int ext4_dirent(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize,
		       char *buf, void *priv)
{
	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	struct ext4_list *w = priv;
	size_t nl = (size_t)ext2fs_dirent_name_len(d);
	if (d->inode == 0 || (nl == 1 && d->name[0] == '.') || (nl == 2 && d->name[0] == '.' && d->name[1] == '.'))
		return 0;
	char name[EXT2_NAME_LEN + 1];
	memcpy(name, d->name, nl);
	name[nl] = '\0';
	struct ext2_inode in;
	errcode_t ec = ext2fs_read_inode(w->e2, d->inode, &in);
	if (ec) {
		w->rc = ext4_err(w->fs, ec, name, w->err);
		return DIRENT_ABORT;
	}
	audit_ftype type = LINUX_S_ISREG(in.i_mode)   ? AUDIT_F_REG
			   : LINUX_S_ISDIR(in.i_mode) ? AUDIT_F_DIR
			   : LINUX_S_ISLNK(in.i_mode) ? AUDIT_F_LNK
						      : AUDIT_F_OTHER;
	char target[AUDIT_LIMIT_PATH];
	size_t tl = 0;
	if (type == AUDIT_F_LNK) {
		w->rc = ext4_readlink(w, d->inode, &in, name, target, &tl);
		if (w->rc)
			return DIRENT_ABORT;
	}
	w->rc = fs_index_add_child(w->fs, w->parent, d->name, nl, type, EXT2_I_SIZE(&in), d->inode,
				   type == AUDIT_F_LNK ? target : NULL, tl, w->err);
	return w->rc ? DIRENT_ABORT : 0;
}

static int ext4_list_dir(audit_fs *fs, ext2_filsys e2, size_t parent, ext2_ino_t ino, ward_error *err)
{
	struct ext4_list w = { fs, e2, parent, 0, err };
	errcode_t ec = ext2fs_dir_iterate2(e2, ino, 0, NULL, ext4_dirent, &w); /* inline too */
	if (w.rc)
		return w.rc;
	return ec ? ext4_err(fs, ec, parent < fs->n ? fs->e[parent].path : "/", err) : 0;
}

/* Breadth first: the index itself is the queue of directories to list. */
static int ext4_index(audit_fs *fs, ext2_filsys e2, ward_error *err)
{
	struct fs_keyset dirs = { 0 };
	int rc = fs_keyset_add(&dirs, EXT2_ROOT_INO) < 0 ? ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->image)
							 : ext4_list_dir(fs, e2, SIZE_MAX, EXT2_ROOT_INO, err);
	for (size_t i = 0; !rc && i < fs->n; i++) {
		if (fs->e[i].type != AUDIT_F_DIR)
			continue;
		int added = fs_keyset_add(&dirs, fs->e[i].ref);
		if (added < 0)
			rc = ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->image);
		else if (added == 0)
			rc = ward_err(err, WARD_EINVAL, "%s: corrupt ext4 image: directory %s is linked twice (a loop)",
				      fs->image, fs->e[i].path);
		else
			rc = ext4_list_dir(fs, e2, i, (ext2_ino_t)fs->e[i].ref, err);
	}
	fs_keyset_dispose(&dirs);
	if (!rc)
		fs_index_finish(fs);
	return rc;
}

static int ext4_read(audit_fs *fs, const struct fs_entry *t, size_t max, ward_buf *out, ward_error *err)
{
	if (t->size > max)
		return ward_err(err, WARD_ELIMIT, "%s: %llu bytes, more than the %zu allowed", t->path,
				(unsigned long long)t->size, max);
	if (buf_reserve(out, (size_t)t->size) != 0)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", t->path);
	ext2_file_t f = NULL;
	errcode_t ec = ext2fs_file_open(fs->priv, (ext2_ino_t)t->ref, 0, &f);
	uint8_t chunk[65536];
	uint64_t left = t->size;
	int rc = 0;
	while (!ec && !rc && left > 0) {
		unsigned int r = 0;
		ec = ext2fs_file_read(f, chunk, left < sizeof(chunk) ? (unsigned int)left : sizeof(chunk), &r);
		if (!ec && r == 0)
			ec = EXT2_ET_SHORT_READ; /* the inode shrank since it was indexed */
		if (!ec && buf_append(out, chunk, r) != 0)
			rc = ward_err(err, WARD_ENOMEM, "%s: out of memory", t->path);
		left -= r;
	}
	if (f)
		(void)ext2fs_file_close(f);
	return rc ? rc : ec ? ext4_err(fs, ec, t->path, err) : 0;
}

static void ext4_close(void *priv)
{
	(void)ext2fs_close_free((ext2_filsys *)&priv);
}

static const struct fs_backend ext4_backend = {
	.what = "ext4 image",
	.read = ext4_read,
	.scan = NULL,
	.close = ext4_close,
};

int fs_ext4_open(audit_fs *fs, ward_error *err)
{
	fs->kind = FS_EXT4;
	fs->be = &ext4_backend;
	initialize_ext2_error_table(); /* error_message() names libext2fs's codes */
	ext2_filsys e2 = NULL;
	/* no EXT2_FLAG_RW: libext2fs opens the file O_RDONLY and writes nothing */
	errcode_t ec = ext2fs_open2(fs->image, NULL, EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &e2);
	if (ec)
		return ext4_err(fs, ec, "superblock", err);
	fs->priv = e2;
	if (ext2fs_has_feature_journal_needs_recovery(e2->super))
		return ward_err(err, WARD_EINVAL, "%s: ext4 image not cleanly unmounted: its journal holds "
				"changes; replay them on a copy (e2fsck -fy) and audit that", fs->image);
	/* mke2fs writes the whole size (sparse where empty): a shorter file was cut */
	struct stat st;
	uint64_t want;
	if (stat(fs->image, &st) != 0)
		return ward_err(err, WARD_EIO, "%s: %s", fs->image, strerror(errno));
	if (__builtin_mul_overflow(ext2fs_blocks_count(e2->super), (uint64_t)EXT2_BLOCK_SIZE(e2->super), &want) ||
	    want > (uint64_t)st.st_size)
		return ward_err(err, WARD_EINVAL, "%s: truncated ext4 image: %llu bytes of the %llu its superblock "
				"says", fs->image, (unsigned long long)st.st_size, (unsigned long long)want);
	return ext4_index(fs, e2, err);
}
