/*
 * fs_index.c - the in-memory index of an image file's entries, shared by
 * the tar, ext4 and squashfs backends: a table sorted by canonical path,
 * bounded in entries and in bytes of names, built once when the image is
 * opened.  Path resolution (fs.c) works on it the same way for every format.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/core/fs_int.h"

bool fs_normalize(const char *in, char *out, size_t outlen)
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

static void entry_dispose(struct fs_entry *t)
{
	free(t->path);
	free(t->link);
	free(t->cache);
}

int fs_index_add(audit_fs *fs, struct fs_entry *t, ward_error *err)
{
	size_t bytes = fs->bytes;
	int rc = 0;
	if (fs->n >= AUDIT_LIMIT_ARCHIVE_ENTRIES) {
		rc = ward_err(err, WARD_ELIMIT, "%s: more than %zu entries", fs->image, AUDIT_LIMIT_ARCHIVE_ENTRIES);
	} else if (__builtin_add_overflow(bytes, strlen(t->path) + 1, &bytes) ||
		   (t->link && __builtin_add_overflow(bytes, strlen(t->link) + 1, &bytes)) ||
		   bytes > AUDIT_LIMIT_INDEX_BYTES) {
		rc = ward_err(err, WARD_ELIMIT, "%s: more than %zu bytes of names", fs->image,
			      AUDIT_LIMIT_INDEX_BYTES);
	} else if (fs->n == fs->cap) {
		size_t ncap = fs->cap ? fs->cap * 2 : 256;
		struct fs_entry *ne = reallocarray(fs->e, ncap, sizeof(*ne));
		if (!ne)
			rc = ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->image);
		else {
			fs->e = ne;
			fs->cap = ncap;
		}
	}
	if (rc) {
		entry_dispose(t);
		return rc;
	}
	t->seq = fs->n;
	fs->e[fs->n++] = *t;
	fs->bytes = bytes;
	return 0;
}

int fs_index_add_child(audit_fs *fs, size_t parent, const char *name, size_t name_len, audit_ftype type,
		       uint64_t size, uint64_t ref, const char *link, size_t link_len, ward_error *err)
{
	if ((name_len == 1 && name[0] == '.') || (name_len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	const char *dir = parent < fs->n ? fs->e[parent].path : "/";
	if (name_len == 0 || memchr(name, '/', name_len) || memchr(name, '\0', name_len))
		return ward_err(err, WARD_EINVAL, "%s: corrupt %s: a name in %s holds '/' or NUL or is empty",
				fs->image, fs->be->what, dir);
	if (link && (link_len >= AUDIT_LIMIT_PATH || memchr(link, '\0', link_len)))
		return ward_err(err, WARD_EINVAL, "%s: corrupt %s: a link in %s is too long or holds NUL",
				fs->image, fs->be->what, dir);
	size_t dl = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
	unsigned depth = 1;
	for (size_t i = 0; i < dl; i++)
		depth += dir[i] == '/';
	if (depth > AUDIT_LIMIT_WALK_DEPTH)
		return ward_err(err, WARD_ELIMIT, "%s: %s nested more than %d deep", fs->image, dir,
				AUDIT_LIMIT_WALK_DEPTH);
	if (dl + 1 + name_len + 1 > AUDIT_LIMIT_PATH)
		return ward_err(err, WARD_ELIMIT, "%s: a path in %s is longer than %d", fs->image, dir,
				AUDIT_LIMIT_PATH);
	struct fs_entry t = { .type = type, .size = size, .ref = ref };
	t.path = malloc(dl + 1 + name_len + 1);
	if (t.path) {
		memcpy(t.path, dir, dl);
		t.path[dl] = '/';
		memcpy(t.path + dl + 1, name, name_len);
		t.path[dl + 1 + name_len] = '\0';
	}
	if (link)
		t.link = strndup(link, link_len);
	if (!t.path || (link && !t.link)) {
		entry_dispose(&t);
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", fs->image);
	}
	return fs_index_add(fs, &t, err);
}

static int cmp_entry(const void *x, const void *y)
{
	const struct fs_entry *a = x, *b = y;
	int c = strcmp(a->path, b->path);
	return c ? c : (a->seq < b->seq ? -1 : a->seq > b->seq);
}

void fs_index_finish(audit_fs *fs)
{
	if (fs->n)
		qsort(fs->e, fs->n, sizeof(*fs->e), cmp_entry);
	size_t o = 0;
	for (size_t i = 0; i < fs->n; i++) {
		if (i + 1 < fs->n && strcmp(fs->e[i].path, fs->e[i + 1].path) == 0) {
			entry_dispose(&fs->e[i]);
			continue;
		}
		fs->e[o++] = fs->e[i];
	}
	fs->n = o;
}

struct fs_entry *fs_index_find(audit_fs *fs, const char *path)
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

bool fs_index_implied_dir(audit_fs *fs, const char *path)
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

void fs_index_dispose(audit_fs *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		entry_dispose(&fs->e[i]);
	free(fs->e);
	fs->e = NULL;
	fs->n = fs->cap = fs->bytes = 0;
}

/* ---- key set ------------------------------------------------------------ */

static size_t key_hash(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static bool keyset_insert(uint64_t *slot, size_t cap, uint64_t stored)
{
	for (size_t i = key_hash(stored, cap);; i = (i + 1) & (cap - 1)) {
		if (slot[i] == stored)
			return false;
		if (slot[i] == 0) {
			slot[i] = stored;
			return true;
		}
	}
}

int fs_keyset_add(struct fs_keyset *s, uint64_t key)
{
	if (key == UINT64_MAX)
		key = UINT64_MAX - 1; /* only a hostile image gets here; 0 must stay "empty" */
	if ((s->n + 1) * 2 > s->cap) { /* at most half full: probes stay short */
		size_t ncap = s->cap ? s->cap * 2 : 64;
		uint64_t *ns = calloc(ncap, sizeof(*ns));
		if (!ns)
			return WARD_ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				(void)keyset_insert(ns, ncap, s->slot[i]);
		free(s->slot);
		s->slot = ns;
		s->cap = ncap;
	}
	if (!keyset_insert(s->slot, s->cap, key + 1))
		return 0;
	s->n++;
	return 1;
}

void fs_keyset_dispose(struct fs_keyset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->n = s->cap = 0;
}
