/* helpers.c - see helpers.h. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

static char root[512];

static void mkparents(const char *path)
{
	char tmp[1024];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
}

const char *tree_make(const struct tentry *e, size_t n)
{
	const char *t = getenv("TMPDIR");
	snprintf(root, sizeof(root), "%s/ward-audit-XXXXXX", t ? t : "/tmp");
	if (!mkdtemp(root))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char full[1024];
		snprintf(full, sizeof(full), "%s%s", root, e[i].path);
		mkparents(full);
		if (e[i].link) {
			if (symlink(e[i].link, full) != 0)
				return NULL;
			continue;
		}
		size_t l = strlen(full);
		if (full[l - 1] == '/') {
			mkdir(full, 0755);
			continue;
		}
		FILE *f = fopen(full, "we");
		if (!f)
			return NULL;
		fputs(e[i].text ? e[i].text : "", f);
		fclose(f);
	}
	return root;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void tree_remove(const char *dir)
{
	if (dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

size_t count_id(const audit_ctx *a, const char *id, const char *file, const char *needle)
{
	size_t n = 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->f[i].id, id) == 0 && (!file || strcmp(a->f[i].file, file) == 0) &&
		    (!needle || strstr(a->f[i].evidence, needle)))
			n++;
	return n;
}

bool audit_tree_keep_exposure;

static bool exposure_finding(const audit_finding *f, const void *arg)
{
	(void)arg;
	return strcmp(f->id, "SVC-02") == 0 || strcmp(f->id, "SVC-04") == 0 || strcmp(f->id, "SEC-04") == 0;
}

audit_ctx *audit_tree(const struct tentry *e, size_t n)
{
	const char *dir = tree_make(e, n);
	audit_ctx *a = NULL;
	audit_fs *fs = NULL;
	ward_error err = { 0 };
	if (!dir || audit_ctx_new(&a, &err) != 0)
		return NULL;
	if (audit_fs_open(&fs, dir, &err) != 0 || audit_check_rootfs(a, fs, &err) != 0) {
		fprintf(stderr, "audit_tree: %s\n", err.msg);
		audit_ctx_free(a);
		a = NULL;
	}
	audit_fs_free(fs);
	tree_remove(dir);
	if (a && !audit_tree_keep_exposure)
		audit_ctx_drop(a, exposure_finding, NULL);
	return a;
}
