/*
 * repo_stage.c - the staged target files: a copy of each file a change
 * adds, named by its SHA-256, that publish re-hashes and hard-links into
 * published/targets.
 *
 *   staged/files/SHA256          one file, from add-target (fsync'd alone)
 *   staged/files/BATCH/SHA256    the files of one add-targets command
 *
 * A batch is written in a new directory, staged/files/.incoming-XXXXXX:
 * hidden names are never read, so nothing half-written is ever visible.
 * When every file is written, one syncfs makes them durable and the
 * directory is renamed into place (then the change that names them is
 * saved).  Small files are hashed before they are written, so they are
 * created under their final name: no rename per file.
 *
 * Why a new directory per batch (measured, BENCHMARKS.md "Publishing a
 * release"): ext4 places a file's inode in its directory's block group and
 * searches that group's bitmap from the start.  Without a journal it skips
 * every free inode deleted in the last minute (five, while its inode table
 * block is dirty), one buffer-cache lookup each (recently_deleted() in
 * fs/ext4/ialloc.c): after many deletions nearby, a file costs 300-400 us of
 * kernel time instead of 20.  staged/files is marked FS_TOPDIR_FL, so that
 * ext4's Orlov allocator places each new batch directory in a block group
 * of its own choosing, away from its parent's, as it does for top-level
 * directories.  The flag is a placement hint only; file systems without it
 * ignore the request.
 */
#include "repo/repo_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util/fs.h"
#include "util/hex.h"

#define STAGE_CHUNK (1 << 16)
#define INCOMING ".incoming-"
#define BATCH "batch-"

struct repo_stage {
	char *files;       /* staged/files */
	char name[32];     /* the batch's directory: ".incoming-XXXXXX" until committed */
	int fd;            /* the batch's directory */
	size_t count;      /* files written */
	bool committed;
};

/* Both digests of a file, as it is copied. */
typedef struct stage_hash {
	EVP_MD_CTX *c256;
	EVP_MD_CTX *c512;
	uint64_t total;
} stage_hash;

static int hash_init(stage_hash *h)
{
	h->c256 = EVP_MD_CTX_new();
	h->c512 = EVP_MD_CTX_new();
	h->total = 0;
	if (!h->c256 || !h->c512 || !EVP_DigestInit_ex(h->c256, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(h->c512, EVP_sha512(), NULL))
		return WARD_ENOMEM;
	return 0;
}

static int hash_update(stage_hash *h, const uint8_t *p, size_t n)
{
	h->total += n;
	if (!EVP_DigestUpdate(h->c256, p, n) || !EVP_DigestUpdate(h->c512, p, n))
		return WARD_ENOMEM;
	return 0;
}

/* Finishes: h256 is the file's name in staged/files, *hashes its entry. */
static int hash_final(stage_hash *h, char h256[static 65], json_t **hashes)
{
	uint8_t d256[32], d512[64];
	char h512[129];
	if (!EVP_DigestFinal_ex(h->c256, d256, NULL) || !EVP_DigestFinal_ex(h->c512, d512, NULL))
		return WARD_ENOMEM;
	hex_encode(h256, d256, 32);
	hex_encode(h512, d512, 64);
	*hashes = json_pack("{s:s, s:s}", "sha256", h256, "sha512", h512);
	return *hashes ? 0 : WARD_ENOMEM;
}

static void hash_dispose(stage_hash *h)
{
	EVP_MD_CTX_free(h->c256);
	EVP_MD_CTX_free(h->c512);
}

static void ward_auto_hash_dispose(stage_hash *h)
{
	hash_dispose(h);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads until buf is full or the file ends; the bytes read, or -1. */
static ssize_t read_full(int fd, uint8_t *buf, size_t cap)
{
	size_t got = 0;
	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Copies the rest of in to out, hashing it; buf holds the first len bytes
 * already read. */
static int copy_rest(int in, int out, stage_hash *h, uint8_t *buf, size_t len)
{
	for (;;) {
		if (hash_update(h, buf, len) != 0)
			return WARD_ENOMEM;
		if (write_all(out, buf, len) != 0)
			return WARD_EIO;
		ssize_t n = read_full(in, buf, STAGE_CHUNK);
		if (n < 0)
			return WARD_EIO;
		if (n == 0)
			return 0;
		len = (size_t)n;
	}
}

/* Copies the open file in into directory dirfd as SHA256, hashing it on
 * the way.  In a private batch directory, a file that fits one chunk is
 * hashed first and created under its final name (the same bytes staged
 * twice are one file); otherwise it is written under a temporary name,
 * fsync'd if durable, and renamed over any earlier copy. */
static int stage_copy(int dirfd, int in, const char *file, bool private, bool durable,
		      json_int_t *length, json_t **hashes, ward_error *err)
{
	WARD_AUTO(free) uint8_t *buf = malloc(STAGE_CHUNK);
	WARD_AUTO(hash_dispose) stage_hash h = { 0 };
	if (!buf || hash_init(&h) != 0)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	ssize_t n = read_full(in, buf, STAGE_CHUNK);
	if (n < 0)
		return ward_err(err, WARD_EIO, "%s: %s", file, strerror(errno));
	char h256[65], tmp[40] = "";
	json_t *hs = NULL;
	int rc = 0, out;
	if (private && n < STAGE_CHUNK) {
		if (hash_update(&h, buf, (size_t)n) != 0 || hash_final(&h, h256, &hs) != 0)
			return ward_err(err, WARD_ENOMEM, "out of memory");
		out = openat(dirfd, h256, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (out < 0 && errno == EEXIST)
			goto done;
		if (out < 0 || write_all(out, buf, (size_t)n) != 0)
			rc = WARD_EIO;
	} else {
		snprintf(tmp, sizeof(tmp), INCOMING "%ld", (long)getpid());
		out = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
		rc = out < 0 ? WARD_EIO : copy_rest(in, out, &h, buf, (size_t)n);
		if (!rc && hash_final(&h, h256, &hs) != 0)
			rc = WARD_ENOMEM;
	}
	if (!rc && durable && fsync(out) != 0)
		rc = WARD_EIO;
	if (out >= 0 && close(out) != 0 && !rc)
		rc = WARD_EIO;
	if (!rc && tmp[0] && renameat(dirfd, tmp, dirfd, h256) != 0)
		rc = WARD_EIO;
	if (rc) {
		int e = errno;
		if (out >= 0)
			(void)unlinkat(dirfd, tmp[0] ? tmp : h256, 0);
		json_decref(hs);
		return ward_err(err, rc, "staging %s: %s", file,
				rc == WARD_EIO ? strerror(e) : "out of memory");
	}
done:
	*length = (json_int_t)h.total;
	*hashes = hs;
	return 0;
}

static int open_source(const char *file, ward_error *err)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ward_err(err, errno == ENOENT ? WARD_ENOTFOUND : WARD_EIO, "%s: %s", file,
				strerror(errno));
	return fd;
}

int repo_stage_file(const char *dir, const char *file, json_int_t *length, json_t **hashes,
		    ward_error *err)
{
	WARD_AUTO(free) char *files = repo_path(dir, "staged/files");
	int rc = files ? fs_mkdirs(files, err) : ward_err(err, WARD_ENOMEM, "out of memory");
	if (rc)
		return rc;
	int in = open_source(file, err);
	if (in < 0)
		return in;
	json_t *hs = NULL;
	int dfd = open(files, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		rc = ward_err(err, WARD_EIO, "staged/files: %s", strerror(errno));
	else
		rc = stage_copy(dfd, in, file, false, true, length, &hs, err);
	close(in);
	if (!rc && fsync(dfd) != 0)
		rc = ward_err(err, WARD_EIO, "fsync staged/files: %s", strerror(errno));
	if (dfd >= 0)
		close(dfd);
	if (rc) {
		json_decref(hs);
		return rc;
	}
	*hashes = hs;
	return 0;
}

/* Asks ext4 to place new subdirectories of fd as top-level ones (see the
 * top of this file).  Best effort: a file system without the flag, or a
 * directory we may not mark, only loses the placement. */
static void mark_topdir(int fd)
{
	int flags = 0;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0 || (flags & FS_TOPDIR_FL))
		return;
	flags |= FS_TOPDIR_FL;
	(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
}

int repo_stage_begin(repo_stage **out, const char *dir, ward_error *err)
{
	repo_stage *st = calloc(1, sizeof(*st));
	if (!st)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	st->fd = -1;
	st->files = repo_path(dir, "staged/files");
	int rc = st->files ? fs_mkdirs(st->files, err) : ward_err(err, WARD_ENOMEM, "out of memory");
	WARD_AUTO(free) char *tmpl = rc ? NULL : fs_join(st->files, INCOMING "XXXXXX");
	if (!rc && !tmpl)
		rc = ward_err(err, WARD_ENOMEM, "out of memory");
	if (!rc) {
		int pfd = open(st->files, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd >= 0) {
			mark_topdir(pfd);
			close(pfd);
		}
		if (!mkdtemp(tmpl))
			rc = ward_err(err, WARD_EIO, "staged/files: cannot create a directory: %s",
				      strerror(errno));
	}
	if (!rc) {
		snprintf(st->name, sizeof(st->name), "%s", strrchr(tmpl, '/') + 1);
		st->fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (st->fd < 0)
			rc = ward_err(err, WARD_EIO, "%s: %s", tmpl, strerror(errno));
	}
	if (rc) {
		repo_stage_free(st);
		return rc;
	}
	*out = st;
	return 0;
}

int repo_stage_add(repo_stage *st, const char *file, json_int_t *length, json_t **hashes,
		   ward_error *err)
{
	int in = open_source(file, err);
	if (in < 0)
		return in;
	int rc = stage_copy(st->fd, in, file, true, false, length, hashes, err);
	close(in);
	if (!rc)
		st->count++;
	return rc;
}

int repo_stage_commit(repo_stage *st, ward_error *err)
{
	/* One barrier for every file of the batch, before its name appears. */
	if (syncfs(st->fd) != 0)
		return ward_err(err, WARD_EIO, "sync the file system of %s: %s", st->files,
				strerror(errno));
	int pfd = open(st->files, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return ward_err(err, WARD_EIO, "%s: %s", st->files, strerror(errno));
	int rc = 0;
	char name[32];
	snprintf(name, sizeof(name), BATCH "%s", st->name + strlen(INCOMING));
	/* rename(2) replaces only an empty directory: no batch is lost. */
	if (st->count == 0)
		rc = unlinkat(pfd, st->name, AT_REMOVEDIR);
	else
		rc = renameat(pfd, st->name, pfd, name);
	if (rc != 0)
		rc = ward_err(err, WARD_EIO, "staged/files/%s: %s", name, strerror(errno));
	if (!rc && fsync(pfd) != 0)
		rc = ward_err(err, WARD_EIO, "fsync %s: %s", st->files, strerror(errno));
	close(pfd);
	if (!rc)
		st->committed = true;
	return rc;
}

/* Removes a batch that was not committed, and everything in it. */
static void stage_discard(repo_stage *st)
{
	DIR *d = fdopendir(st->fd);
	if (!d) {
		close(st->fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
	WARD_AUTO(free) char *p = fs_join(st->files, st->name);
	if (p)
		(void)rmdir(p);
}

void repo_stage_free(repo_stage *st)
{
	if (!st)
		return;
	if (st->fd >= 0 && !st->committed)
		stage_discard(st);
	else if (st->fd >= 0)
		close(st->fd);
	free(st->files);
	free(st);
}

/* --- reading: what publish links --- */

static bool is_sha_name(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static int cmp_staged(const void *a, const void *b)
{
	return memcmp(((const repo_staged *)a)->sha, ((const repo_staged *)b)->sha, 64);
}

static int set_push(repo_staged_set *set, size_t *cap, const char *sha, uint32_t batch)
{
	if (set->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		void *p = ncap < SIZE_MAX / sizeof(repo_staged) ? realloc(set->f, ncap * sizeof(repo_staged))
								 : NULL;
		if (!p)
			return WARD_ENOMEM;
		set->f = p;
		*cap = ncap;
	}
	memcpy(set->f[set->n].sha, sha, 65);
	set->f[set->n++].batch = batch;
	return 0;
}

/* Adds a committed batch directory (BATCH..., under 32 bytes) and its files. */
static int read_batch(repo_staged_set *set, size_t *cap, int files_fd, const char *name,
		      ward_error *err)
{
	if (set->nbatch >= UINT32_MAX - 1)
		return ward_err(err, WARD_ELIMIT, "staged/files: too many batches");
	char **nb = realloc(set->batch, (set->nbatch + 1) * sizeof(*nb));
	if (!nb)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	set->batch = nb;
	if (!(nb[set->nbatch] = strdup(name)))
		return ward_err(err, WARD_ENOMEM, "out of memory");
	uint32_t id = (uint32_t)++set->nbatch;
	int fd = openat(files_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return ward_err(err, WARD_EIO, "staged/files/%s: %s", name, strerror(errno));
	}
	int rc = 0;
	struct dirent *e;
	while (!rc && (e = readdir(d)) != NULL) {
		if (is_sha_name(e->d_name) && set_push(set, cap, e->d_name, id) != 0)
			rc = ward_err(err, WARD_ENOMEM, "out of memory");
	}
	closedir(d);
	return rc;
}

int repo_staged_read(repo_staged_set *set, const char *dir, ward_error *err)
{
	*set = (repo_staged_set){ 0 };
	WARD_AUTO(free) char *files = repo_path(dir, "staged/files");
	DIR *d = files ? opendir(files) : NULL;
	if (!d)
		return errno == ENOENT ? 0 : ward_err(err, WARD_EIO, "staged/files: %s", strerror(errno));
	size_t cap = 0;
	int rc = 0;
	struct dirent *e;
	while (!rc && (e = readdir(d)) != NULL) {
		if (is_sha_name(e->d_name)) {
			if (set_push(set, &cap, e->d_name, 0) != 0)
				rc = ward_err(err, WARD_ENOMEM, "out of memory");
		} else if (strncmp(e->d_name, BATCH, strlen(BATCH)) == 0 && strlen(e->d_name) < 32) {
			struct stat st;
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISDIR(st.st_mode))
				rc = read_batch(set, &cap, dirfd(d), e->d_name, err);
		}
	}
	closedir(d);
	if (!rc && set->n) /* qsort's base must not be NULL, even for none */
		qsort(set->f, set->n, sizeof(*set->f), cmp_staged);
	if (rc)
		repo_staged_dispose(set);
	return rc;
}

const repo_staged *repo_staged_find(const repo_staged_set *set, const char *sha)
{
	if (!set->n)
		return NULL;
	repo_staged key;
	memcpy(key.sha, sha, 64);
	return bsearch(&key, set->f, set->n, sizeof(*set->f), cmp_staged);
}

char *repo_staged_path(const char *dir, const repo_staged_set *set, const repo_staged *f)
{
	char rel[64 + 80];
	const char *b = f->batch ? set->batch[f->batch - 1] : NULL;
	int n = b ? snprintf(rel, sizeof(rel), "staged/files/%s/%.64s", b, f->sha)
		  : snprintf(rel, sizeof(rel), "staged/files/%.64s", f->sha);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return NULL;
	return repo_path(dir, rel);
}

void repo_staged_remove(const char *dir, const repo_staged_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		WARD_AUTO(free) char *p = repo_staged_path(dir, set, &set->f[i]);
		if (p)
			(void)unlink(p);
	}
	for (size_t i = 0; i < set->nbatch; i++) {
		char rel[80];
		int n = snprintf(rel, sizeof(rel), "staged/files/%s", set->batch[i]);
		WARD_AUTO(free) char *p = n > 0 && (size_t)n < sizeof(rel) ? repo_path(dir, rel) : NULL;
		if (p)
			(void)rmdir(p); /* fails, harmlessly, if a file came since */
	}
}

void repo_staged_dispose(repo_staged_set *set)
{
	for (size_t i = 0; i < set->nbatch; i++)
		free(set->batch[i]);
	free(set->batch);
	free(set->f);
	*set = (repo_staged_set){ 0 };
}
