/*
 * fs_int.h - what the backends of audit_fs share.  fs.c resolves paths for
 * all of them and is the directory backend; an image file (tar, ext4,
 * squashfs) is indexed once when opened into a sorted table of its entries
 * (fs_index.c), so that lookups, link resolution and walks are the same code
 * for every image format, and only reading a file's bytes is the backend's.
 */
#ifndef WARD_AUDIT_CORE_FS_INT_H
#define WARD_AUDIT_CORE_FS_INT_H

#include "audit/core/core.h"

enum fs_kind { FS_DIR, FS_TAR, FS_EXT4, FS_SQFS };

/* One entry of an image's index. */
struct fs_entry {
	char *path;     /* canonical: "/a/b" */
	char *link;     /* symlink target as stored, or a tar hard link's canonical target */
	uint8_t *cache; /* tar: small file kept when indexed */
	uint64_t size;
	uint64_t ref;   /* the backend's handle: tar header number, ext4 inode number,
			 * squashfs inode reference */
	size_t seq;     /* order of indexing: of entries with one path, the later wins */
	audit_ftype type;
	bool hard, cached;
};

/* What an indexed backend does itself. */
struct fs_backend {
	const char *what; /* "tar archive", "ext4 image"...: for messages */
	/* Appends the bytes of the regular file e (not a hard link, not cached)
	 * to out; WARD_ELIMIT beyond max. */
	int (*read)(audit_fs *fs, const struct fs_entry *e, size_t max, ward_buf *out, ward_error *err);
	/* The content scan, when the format needs its own order (tar: one pass
	 * over the archive); NULL: each regular entry in ref order. */
	int (*scan)(audit_fs *fs, size_t max, audit_fs_content_fn fn, void *ctx, size_t *skipped,
		    ward_error *err);
	void (*close)(void *priv);
};

struct audit_fs {
	enum fs_kind kind;
	int rootfd;   /* FS_DIR: the root directory */
	char *image;  /* an image file's path */
	const struct fs_backend *be;
	void *priv;   /* the backend's handle */
	struct fs_entry *e;
	size_t n, cap, bytes; /* bytes: of paths and link targets held */
};

/* Lexical normalisation of a path inside the image: "/a/b", ".." clamped at
 * the root, "." and empty components dropped.  Returns false if too long. */
bool fs_normalize(const char *in, char *out, size_t outlen) WARD_INTERNAL;

/* Appends t to the index, which takes its path, link and cache on success
 * and on failure alike.  WARD_ELIMIT past AUDIT_LIMIT_ARCHIVE_ENTRIES
 * entries or AUDIT_LIMIT_INDEX_BYTES of names. */
int fs_index_add(audit_fs *fs, struct fs_entry *t, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Appends the entry `name` (name_len bytes, not NUL-terminated) of the
 * directory at index position parent, for the filesystem backends: refuses
 * a name that is empty or holds '/' or NUL as a corrupt image, skips "."
 * and "..", and bounds the path length and the depth. */
int fs_index_add_child(audit_fs *fs, size_t parent, const char *name, size_t name_len, audit_ftype type,
		       uint64_t size, uint64_t ref, const char *link, size_t link_len, ward_error *err)
	WARD_INTERNAL WARD_NODISCARD;

/* Sorts the index by path; of entries with one path, the last indexed wins. */
void fs_index_finish(audit_fs *fs) WARD_INTERNAL;
struct fs_entry *fs_index_find(audit_fs *fs, const char *path) WARD_INTERNAL;
/* A directory implied by deeper entries ("/etc" when only "/etc/passwd"). */
bool fs_index_implied_dir(audit_fs *fs, const char *path) WARD_INTERNAL;
void fs_index_dispose(audit_fs *fs) WARD_INTERNAL;

/* A set of 64-bit keys (directory inodes already listed: a directory linked
 * into its own subtree is a loop, not a deeper tree). */
struct fs_keyset {
	uint64_t *slot; /* key + 1; 0 is empty */
	size_t n, cap;
};
/* Adds key: 1 if added, 0 if it was there, negative WARD_ENOMEM. */
int fs_keyset_add(struct fs_keyset *s, uint64_t key) WARD_INTERNAL WARD_NODISCARD;
void fs_keyset_dispose(struct fs_keyset *s) WARD_INTERNAL;

/* The backends.  Each indexes fs->image into fs, sets fs->be and fs->priv,
 * and leaves cleanup to audit_fs_free on failure. */
int fs_tar_open(audit_fs *fs, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int fs_ext4_open(audit_fs *fs, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int fs_sqfs_open(audit_fs *fs, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

#endif
