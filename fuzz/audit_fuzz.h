/*
 * audit_fuzz.h - what the audit's fuzz targets share (fuzz/NAME_fuzz.c for the
 * parsers of `ward audit`): a fresh audit context, the checks that hold for
 * every run whatever the input, and a root filesystem image built from one
 * fuzz input.
 *
 * Properties checked after every run (abort = a bug in ward):
 *  - a failure is a negative WARD_E* code with the same code and a
 *    NUL-terminated, non-empty message in ward_error;
 *  - every finding has a check id of [A-Z0-9-], a severity, class and OTA
 *    value in range, a file, a remedy, and evidence shorter than
 *    audit_report's buffer;
 *  - the three renderings of the report succeed, and the JSON and SARIF
 *    ones are JSON (jansson reads them back: strings from the image that
 *    are not UTF-8 must not leak into the report) with one entry per
 *    finding.
 *
 * The image: the input is a list of files, each introduced by a line
 * "=== /path" (a symbolic link: "=== /path -> target"); bytes before the
 * first such line are the file `first` (or dropped when NULL).  The files
 * are written as a tar archive into a memfd, which audit_fs_open reads
 * through /proc/self/fd/N: the real tar backend, path resolution and all,
 * and nothing on the host's disk.
 */
#ifndef WARD_FUZZ_AUDIT_FUZZ_H
#define WARD_FUZZ_AUDIT_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "audit/core/core.h"
#include "fuzz.h"

/* Files per image: enough for an Include chain and a few units. */
#define AFZ_MAX_FILES 64

static inline audit_ctx *afz_ctx(void)
{
	audit_ctx *a = NULL;
	if (audit_ctx_new(&a, NULL) != 0)
		return NULL; /* out of memory: nothing to test */
	return a;
}

static inline void afz_check_rc(int rc, const ward_error *err)
{
	if (rc == 0)
		return;
	if (rc != WARD_EINVAL && rc != WARD_ELIMIT && rc != WARD_ENOMEM && rc != WARD_ENOTFOUND &&
	    rc != WARD_EIO)
		abort();
	size_t n = strnlen(err->msg, sizeof(err->msg));
	if (err->code != rc || n == 0 || n == sizeof(err->msg))
		abort();
}

static inline bool afz_id_ok(const char *id)
{
	if (!id || !id[0])
		return false;
	for (const char *c = id; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-'))
			return false;
	return true;
}

/* Reads a rendering back as JSON; the number of entries of the array at
 * key (SARIF: runs[0].results), or (size_t)-1 when it does not parse. */
static inline size_t afz_json_count(const ward_buf *b, bool sarif)
{
	json_error_t je;
	json_t *doc = json_loadb((const char *)b->ptr, b->len, 0, &je);
	if (!doc)
		return (size_t)-1;
	json_t *list = sarif ? json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "results")
			     : json_object_get(doc, "findings");
	size_t n = json_is_array(list) ? json_array_size(list) : (size_t)-1;
	json_decref(doc);
	return n;
}

static inline void afz_check_report(const audit_ctx *a)
{
	for (size_t i = 0; i < a->n; i++) {
		const audit_finding *f = &a->f[i];
		if (!afz_id_ok(f->id) || f->sev > AUDIT_CRITICAL || f->cls > AUDIT_CONFIG ||
		    f->ota > AUDIT_OTA_NA || !f->file || !f->remedy || !f->remedy[0] || !f->evidence ||
		    strlen(f->evidence) >= 1024 || f->waiver > AUDIT_W_EXPIRED ||
		    (f->waiver != AUDIT_W_NONE && (!f->waiver_reason || !f->waiver_expires)))
			abort();
	}
	ward_error err = { 0, "" };
	ward_buf out = WARD_BUF_INIT((size_t)64 << 20);
	int rc = audit_render_human(a, &out, &err);
	if (rc && rc != WARD_ENOMEM)
		abort();
	buf_dispose(&out);
	out = (ward_buf)WARD_BUF_INIT((size_t)64 << 20);
	rc = audit_render_json(a, &out, &err);
	if (rc == 0 && afz_json_count(&out, false) != a->n)
		abort();
	if (rc && rc != WARD_ENOMEM)
		abort();
	buf_dispose(&out);
	out = (ward_buf)WARD_BUF_INIT((size_t)64 << 20);
	rc = audit_render_sarif(a, &out, &err);
	if (rc == 0 && afz_json_count(&out, true) != a->n)
		abort();
	if (rc && rc != WARD_ENOMEM)
		abort();
	buf_dispose(&out);
}

/* Whether some finding's evidence contains s (n bytes). */
static inline bool afz_evidence_has(const audit_ctx *a, const char *s, size_t n)
{
	for (size_t i = 0; i < a->n; i++)
		if (memmem(a->f[i].evidence, strlen(a->f[i].evidence), s, n))
			return true;
	return false;
}

/* ---- an image from one input ------------------------------------------- */

typedef struct afz_image {
	int fd; /* the memfd holding the tar archive */
	char path[64];
	audit_fs *fs;
} afz_image;

static inline void afz_image_free(afz_image *im)
{
	audit_fs_free(im->fs);
	if (im->fd >= 0)
		close(im->fd);
	im->fs = NULL;
	im->fd = -1;
}

static inline bool afz_add(struct archive *ar, const char *path, size_t pl, const char *link,
			   size_t ll, const uint8_t *data, size_t len)
{
	char name[AUDIT_LIMIT_PATH], target[AUDIT_LIMIT_PATH];
	if (pl == 0 || pl >= sizeof(name) || ll >= sizeof(target))
		return true; /* skipped */
	memcpy(name, path, pl);
	name[pl] = '\0';
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return false;
	archive_entry_set_pathname(e, name);
	archive_entry_set_mtime(e, 0, 0);
	if (link) {
		memcpy(target, link, ll);
		target[ll] = '\0';
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_perm(e, 0777);
		archive_entry_set_symlink(e, target);
		len = 0;
	} else {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)len);
	}
	bool ok = archive_write_header(ar, e) == ARCHIVE_OK &&
		  (len == 0 || archive_write_data(ar, data, len) == (la_ssize_t)len);
	archive_entry_free(e);
	return ok;
}

/* The offset of the next "=== " at the start of a line, from `from`; size
 * when there is none. */
static inline size_t afz_next_header(const uint8_t *data, size_t size, size_t from)
{
	for (size_t i = from; i + 4 <= size; i++)
		if (memcmp(data + i, "=== ", 4) == 0 && (i == 0 || data[i - 1] == '\n'))
			return i;
	return size;
}

/* Builds the image of an input (see the top of this file).  Returns false
 * when the harness itself could not (memory, memfd): the input is skipped.
 * im->fs is NULL when audit_fs_open refused the archive, which it must not
 * do for an archive written by libarchive. */
static inline bool afz_image_make(afz_image *im, const char *first, const uint8_t *data, size_t size)
{
	im->fd = -1;
	im->fs = NULL;
	im->fd = memfd_create("ward-fuzz-image", MFD_CLOEXEC);
	if (im->fd < 0)
		return false;
	struct archive *ar = archive_write_new();
	if (!ar || archive_write_set_format_pax_restricted(ar) != ARCHIVE_OK ||
	    archive_write_open_fd(ar, im->fd) != ARCHIVE_OK) {
		archive_write_free(ar);
		afz_image_free(im);
		return false;
	}
	const char *path = first, *link = NULL;
	size_t pl = first ? strlen(first) : 0, ll = 0, body = 0, files = 0;
	bool ok = true;
	for (;;) {
		size_t h = afz_next_header(data, size, body);
		/* the '\n' before a header line ends that line, not the file */
		size_t end = h < size && h > body ? h - 1 : h;
		if (path && files++ < AFZ_MAX_FILES)
			ok = afz_add(ar, path, pl, link, ll, data + body, end - body);
		if (!ok || h >= size)
			break;
		const uint8_t *nl = memchr(data + h, '\n', size - h);
		size_t le = nl ? (size_t)(nl - data) : size;
		path = (const char *)data + h + 4;
		pl = le - h - 4;
		const char *arrow = memmem(path, pl, " -> ", 4);
		link = arrow ? arrow + 4 : NULL;
		ll = arrow ? pl - (size_t)(arrow - path) - 4 : 0;
		if (arrow)
			pl = (size_t)(arrow - path);
		if (memchr(path, '\0', pl) || (link && memchr(link, '\0', ll)))
			path = NULL; /* not a name tar can carry */
		body = nl ? le + 1 : size;
	}
	if (archive_write_close(ar) != ARCHIVE_OK)
		ok = false;
	archive_write_free(ar);
	if (!ok) {
		afz_image_free(im);
		return false;
	}
	int r = snprintf(im->path, sizeof(im->path), "/proc/self/fd/%d", im->fd);
	if (r < 0 || (size_t)r >= sizeof(im->path))
		abort();
	ward_error err = { 0, "" };
	int rc = audit_fs_open(&im->fs, im->path, &err);
	if (rc == WARD_ENOMEM) {
		afz_image_free(im);
		return false;
	}
	if (rc) /* libarchive wrote it: the tar backend must read it */
		abort();
	return true;
}

#endif
