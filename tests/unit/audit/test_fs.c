/*
 * test_fs.c - unit tests of src/audit/core/fs.c: every path resolves inside
 * the image.  Hostile trees link to a file of the host (absolute and by
 * ../ chains), to devices, in loops; the host file is never read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit/core/fs_int.h"
#include "helpers.h"

static char host_dir[512], host_file[600];

static int setup_host(void **state)
{
	(void)state;
	const char *t = getenv("TMPDIR");
	snprintf(host_dir, sizeof(host_dir), "%s/ward-host-XXXXXX", t ? t : "/tmp");
	if (!mkdtemp(host_dir))
		return -1;
	snprintf(host_file, sizeof(host_file), "%s/secret", host_dir);
	FILE *f = fopen(host_file, "we");
	if (!f)
		return -1;
	fputs("HOST-SECRET\n", f);
	fclose(f);
	return 0;
}

static int teardown_host(void **state)
{
	(void)state;
	tree_remove(host_dir);
	return 0;
}

/* Reads path from a tree; returns the code, fills out (NUL-terminated). */
static int read_in(const char *dir, const char *path, size_t max, char *out, size_t outlen)
{
	audit_fs *fs = NULL;
	ward_error err = { 0 };
	int rc = audit_fs_open(&fs, dir, &err);
	assert_int_equal(rc, 0);
	ward_buf b = WARD_BUF_INIT(max + 1);
	rc = audit_fs_read(fs, path, max, &b, &err);
	out[0] = '\0';
	if (rc == 0)
		snprintf(out, outlen, "%.*s", (int)b.len, b.ptr ? (const char *)b.ptr : "");
	buf_dispose(&b);
	audit_fs_free(fs);
	return rc;
}

static void absolute_link_resolves_against_the_image_root(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/etc/passwd", "IMAGE\n", NULL },
		{ "/etc/alias", NULL, "/etc/passwd" },
		{ "/usr/lib/os-release", NULL, "../../etc/passwd" },
	};
	const char *dir = tree_make(t, WARD_ARRAY_LEN(t));
	char out[64];
	assert_int_equal(read_in(dir, "/etc/alias", 100, out, sizeof(out)), 0);
	assert_string_equal(out, "IMAGE\n");
	assert_int_equal(read_in(dir, "/usr/lib/os-release", 100, out, sizeof(out)), 0);
	assert_string_equal(out, "IMAGE\n");
	tree_remove(dir);
}

static void link_to_a_host_file_is_never_followed_out(void **state)
{
	(void)state;
	char rel[1024];
	snprintf(rel, sizeof(rel), "../../../../../../../../../../..%s", host_file);
	struct tentry t[] = {
		{ "/etc/abs", NULL, host_file },
		{ "/etc/rel", NULL, rel },
		{ "/etc/dir", NULL, host_dir },
	};
	const char *dir = tree_make(t, WARD_ARRAY_LEN(t));
	char out[64];
	assert_int_equal(read_in(dir, "/etc/abs", 100, out, sizeof(out)), WARD_ENOTFOUND);
	assert_int_equal(read_in(dir, "/etc/rel", 100, out, sizeof(out)), WARD_ENOTFOUND);
	assert_int_equal(read_in(dir, "/etc/dir/secret", 100, out, sizeof(out)), WARD_ENOTFOUND);
	/* a path of the caller's own with .. never leaves either */
	char up[1024];
	snprintf(up, sizeof(up), "/../../../..%s", host_file);
	assert_int_equal(read_in(dir, up, 100, out, sizeof(out)), WARD_ENOTFOUND);
	tree_remove(dir);
}

static void dotdot_chain_stops_at_the_image_root(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/etc/shadow", "IMAGE-SHADOW\n", NULL },
		{ "/a/b/c", NULL, "../../../../../../../../etc/shadow" },
	};
	const char *dir = tree_make(t, WARD_ARRAY_LEN(t));
	char out[64];
	assert_int_equal(read_in(dir, "/a/b/c", 100, out, sizeof(out)), 0);
	assert_string_equal(out, "IMAGE-SHADOW\n");
	tree_remove(dir);
}

static void link_loop_hits_the_limit(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/l1", NULL, "l2" },
		{ "/l2", NULL, "/l1" },
		{ "/self", NULL, "self" },
	};
	const char *dir = tree_make(t, WARD_ARRAY_LEN(t));
	char out[64];
	assert_int_equal(read_in(dir, "/l1", 100, out, sizeof(out)), WARD_ELIMIT);
	assert_int_equal(read_in(dir, "/self", 100, out, sizeof(out)), WARD_ELIMIT);
	tree_remove(dir);
}

static void links_to_devices_and_proc_are_not_the_hosts(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/z", NULL, "/dev/zero" },
		{ "/p", NULL, "/proc/self/root/etc/passwd" },
		{ "/dev/", NULL, NULL },
	};
	const char *dir = tree_make(t, WARD_ARRAY_LEN(t));
	char out[64];
	assert_int_equal(read_in(dir, "/z", 100, out, sizeof(out)), WARD_ENOTFOUND);
	assert_int_equal(read_in(dir, "/p", 100, out, sizeof(out)), WARD_ENOTFOUND);
	/* a directory is not read as a file */
	assert_int_equal(read_in(dir, "/dev", 100, out, sizeof(out)), WARD_EINVAL);
	tree_remove(dir);
}

static void read_beyond_the_cap_is_a_limit(void **state)
{
	(void)state;
	struct tentry t[] = { { "/big", "0123456789abcdef", NULL } };
	const char *dir = tree_make(t, WARD_ARRAY_LEN(t));
	char out[64];
	assert_int_equal(read_in(dir, "/big", 8, out, sizeof(out)), WARD_ELIMIT);
	assert_int_equal(read_in(dir, "/big", 16, out, sizeof(out)), 0);
	tree_remove(dir);
}

static int count_visit(void *ctx, const char *path, audit_ftype type, uint64_t size)
{
	(void)size;
	size_t *n = ctx;
	assert_non_null(strstr(path, "/"));
	assert_null(strstr(path, "/up/"));  /* never descends into a link */
	(*n) += type == AUDIT_F_LNK ? 100 : 1;
	return 0;
}

static void walk_does_not_follow_links_and_readlink_gives_the_stored_target(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/etc/a", "x", NULL },
		{ "/etc/up", NULL, "/" },
	};
	const char *dir = tree_make(t, WARD_ARRAY_LEN(t));
	audit_fs *fs = NULL;
	assert_int_equal(audit_fs_open(&fs, dir, NULL), 0);
	size_t n = 0;
	assert_int_equal(audit_fs_walk(fs, "/", count_visit, &n, NULL), 0);
	assert_int_equal(n, 102); /* /etc, /etc/a, the link */
	char target[64];
	assert_int_equal(audit_fs_readlink(fs, "/etc/up", target, sizeof(target), NULL), 0);
	assert_string_equal(target, "/");
	audit_fs_free(fs);
	tree_remove(dir);
}

/* An image of dir in one format, made with the real tool; NULL (and the
 * test skips) where the tool is missing. */
static const char *image_make(const char *dir, const char *fmt)
{
	static char img[700];
	char cmd[2048];
	snprintf(img, sizeof(img), "%s.%s", dir, fmt);
	if (strcmp(fmt, "tar") == 0)
		snprintf(cmd, sizeof(cmd), "tar -C '%s' -cf '%s' . 2>/dev/null", dir, img);
	else if (strcmp(fmt, "ext4") == 0)
		snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext4 -d '%s' '%s' 4M >/dev/null 2>&1", dir, img);
	else
		snprintf(cmd, sizeof(cmd), "mksquashfs '%s' '%s' -quiet -noappend -no-progress -nopad >/dev/null 2>&1",
			 dir, img);
	return system(cmd) == 0 ? img : NULL;
}

/* The same hostile tree in every image format: resolution is one code. */
static void image_resolves_links_inside_it(const char *fmt)
{
	char rel[1024];
	snprintf(rel, sizeof(rel), "../../../../../..%s", host_file);
	struct tentry t[] = {
		{ "/etc/passwd", "IN-IMAGE\n", NULL },
		{ "/etc/abs", NULL, "/etc/passwd" },
		{ "/etc/up", NULL, "/../../etc/passwd" },
		{ "/a/b/c", NULL, "../../../../../../../../etc/passwd" },
		{ "/etc/host", NULL, host_file },
		{ "/etc/hostrel", NULL, rel },
		{ "/etc/loop", NULL, "loop" },
		{ "/l1", NULL, "l2" },
		{ "/l2", NULL, "/l1" },
		{ "/z", NULL, "/dev/zero" },
	};
	const char *dir = tree_make(t, WARD_ARRAY_LEN(t));
	const char *img = image_make(dir, fmt);
	if (!img) {
		tree_remove(dir);
		skip();
	}
	char out[64];
	assert_int_equal(read_in(img, "/etc/abs", 100, out, sizeof(out)), 0);
	assert_string_equal(out, "IN-IMAGE\n");
	assert_int_equal(read_in(img, "/etc/up", 100, out, sizeof(out)), 0);
	assert_string_equal(out, "IN-IMAGE\n");
	assert_int_equal(read_in(img, "/a/b/c", 100, out, sizeof(out)), 0);
	assert_string_equal(out, "IN-IMAGE\n");
	assert_int_equal(read_in(img, "/etc/host", 100, out, sizeof(out)), WARD_ENOTFOUND);
	assert_int_equal(read_in(img, "/etc/hostrel", 100, out, sizeof(out)), WARD_ENOTFOUND);
	assert_int_equal(read_in(img, "/z", 100, out, sizeof(out)), WARD_ENOTFOUND);
	assert_int_equal(read_in(img, "/etc/loop", 100, out, sizeof(out)), WARD_ELIMIT);
	assert_int_equal(read_in(img, "/l1", 100, out, sizeof(out)), WARD_ELIMIT);
	assert_int_equal(read_in(img, "/etc/passwd", 4, out, sizeof(out)), WARD_ELIMIT);
	assert_int_equal(read_in(img, "/etc", 100, out, sizeof(out)), WARD_EINVAL);
	audit_fs *fs = NULL;
	assert_int_equal(audit_fs_open(&fs, img, NULL), 0);
	char target[64];
	assert_int_equal(audit_fs_readlink(fs, "/etc/up", target, sizeof(target), NULL), 0);
	assert_string_equal(target, "/../../etc/passwd");
	audit_ftype ty;
	uint64_t sz;
	assert_int_equal(audit_fs_lstat(fs, "/a/b/c", &ty, &sz), 0);
	assert_int_equal(ty, AUDIT_F_LNK);
	assert_int_equal(audit_fs_lstat(fs, "/a/b", &ty, &sz), 0);
	assert_int_equal(ty, AUDIT_F_DIR);
	assert_false(audit_fs_exists(fs, "/etc/loop"));
	audit_fs_free(fs);
	unlink(img);
	tree_remove(dir);
}

static void tar_image_resolves_links_inside_it(void **state)
{
	(void)state;
	image_resolves_links_inside_it("tar");
}

static void ext4_image_resolves_links_inside_it(void **state)
{
	(void)state;
	image_resolves_links_inside_it("ext4");
}

static void squashfs_image_resolves_links_inside_it(void **state)
{
	(void)state;
	image_resolves_links_inside_it("sqfs");
}

/* Cuts or patches a copy of an image; returns its path. */
static const char *image_damage(const char *img, long keep, long at, const char *bytes, size_t n)
{
	static char bad[800];
	snprintf(bad, sizeof(bad), "%s.bad", img);
	FILE *in = fopen(img, "rbe"), *out = fopen(bad, "wbe");
	assert_non_null(in);
	assert_non_null(out);
	int c;
	for (long i = 0; (keep < 0 || i < keep) && (c = fgetc(in)) != EOF; i++)
		fputc(at >= 0 && i >= at && (size_t)(i - at) < n ? (unsigned char)bytes[i - at] : c, out);
	fclose(in);
	fclose(out);
	return bad;
}

static void damaged_images_are_refused_as_invalid(const char *fmt, long sb_at, const char *sb, size_t sbn)
{
	struct tentry t[] = { { "/etc/passwd", "x\n", NULL }, { "/usr/bin/big", "0123456789", NULL } };
	const char *dir = tree_make(t, WARD_ARRAY_LEN(t));
	char img[800];
	const char *made = image_make(dir, fmt);
	if (!made) {
		tree_remove(dir);
		skip();
	}
	snprintf(img, sizeof(img), "%s", made);
	FILE *f = fopen(img, "rbe");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	audit_fs *fs = NULL;
	ward_error err = { 0 };
	const long cuts[] = { 64, size / 3, size / 2, size - 1 };
	for (size_t i = 0; i < WARD_ARRAY_LEN(cuts); i++) {
		const char *bad = image_damage(img, cuts[i], -1, NULL, 0);
		assert_int_equal(audit_fs_open(&fs, bad, &err), WARD_EINVAL);
		/* cut before its magic, an image is no longer told from a tar */
		assert_non_null(strstr(err.msg, cuts[i] > 1100 ? "image" : ""));
		unlink(bad);
	}
	const char *bad = image_damage(img, -1, sb_at, sb, sbn);
	assert_int_equal(audit_fs_open(&fs, bad, &err), WARD_EINVAL);
	unlink(bad);
	/* one backend does not take the other's image */
	assert_int_equal(strcmp(fmt, "ext4") == 0 ? audit_fs_open_squashfs(&fs, img, &err)
						  : audit_fs_open_ext4(&fs, img, &err),
			 WARD_EINVAL);
	unlink(img);
	tree_remove(dir);
}

static void damaged_ext4_images_are_refused_as_invalid(void **state)
{
	(void)state;
	/* s_inodes_count: the superblock's checksum no longer matches */
	damaged_images_are_refused_as_invalid("ext4", 1024, "\0\0\0\0", 4);
}

static void damaged_squashfs_images_are_refused_as_invalid(void **state)
{
	(void)state;
	/* the root inode reference points outside the inode table */
	damaged_images_are_refused_as_invalid("sqfs", 32, "\xff\xff\xff\xff\xff\0\0\0", 8);
}

static void index_refuses_names_with_a_slash_and_skips_dot_entries(void **state)
{
	(void)state;
	static const struct fs_backend be = { .what = "test image" };
	char name[] = "img";
	audit_fs fs = { .kind = FS_EXT4, .rootfd = -1, .image = name, .be = &be };
	ward_error err = { 0 };
	assert_int_equal(fs_index_add_child(&fs, SIZE_MAX, "..", 2, AUDIT_F_DIR, 0, 1, NULL, 0, &err), 0);
	assert_int_equal(fs_index_add_child(&fs, SIZE_MAX, ".", 1, AUDIT_F_DIR, 0, 1, NULL, 0, &err), 0);
	assert_int_equal(fs.n, 0);
	assert_int_equal(fs_index_add_child(&fs, SIZE_MAX, "../etc", 6, AUDIT_F_REG, 0, 1, NULL, 0, &err),
			 WARD_EINVAL);
	assert_int_equal(fs_index_add_child(&fs, SIZE_MAX, "a\0b", 3, AUDIT_F_REG, 0, 1, NULL, 0, &err),
			 WARD_EINVAL);
	assert_int_equal(fs_index_add_child(&fs, SIZE_MAX, "", 0, AUDIT_F_REG, 0, 1, NULL, 0, &err), WARD_EINVAL);
	assert_int_equal(fs_index_add_child(&fs, SIZE_MAX, "etc", 3, AUDIT_F_DIR, 0, 2, NULL, 0, &err), 0);
	assert_int_equal(fs_index_add_child(&fs, 0, "l", 1, AUDIT_F_LNK, 0, 3, "/x", 2, &err), 0);
	assert_int_equal(fs.n, 2);
	assert_string_equal(fs.e[1].path, "/etc/l");
	assert_string_equal(fs.e[1].link, "/x");
	fs_index_dispose(&fs);
}

static void keyset_tells_a_key_seen_before(void **state)
{
	(void)state;
	struct fs_keyset s = { 0 };
	for (uint64_t k = 0; k < 1000; k++)
		assert_int_equal(fs_keyset_add(&s, k * 7919), 1);
	for (uint64_t k = 0; k < 1000; k++)
		assert_int_equal(fs_keyset_add(&s, k * 7919), 0);
	assert_int_equal(fs_keyset_add(&s, UINT64_MAX - 5), 1);
	assert_int_equal(s.n, 1001);
	fs_keyset_dispose(&s);
}

/* An archive with no entries (only its end blocks): the index is empty and
 * was sorted from a NULL array, undefined for qsort (found by
 * fuzz/rootfs_fuzz.c under UBSan). */
static void empty_tar_image_opens_and_holds_nothing(void **state)
{
	(void)state;
	char path[] = "/tmp/ward-empty-tar-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const uint8_t zeros[10240];
	assert_int_equal(write(fd, zeros, sizeof(zeros)), (ssize_t)sizeof(zeros));
	close(fd);
	char out[16];
	assert_int_equal(read_in(path, "/etc/passwd", 100, out, sizeof(out)), WARD_ENOTFOUND);
	unlink(path);
}

static int count_content(void *ctx, const char *path, const uint8_t *data, size_t len)
{
	(void)data;
	size_t *n = ctx;
	assert_string_equal(path, "/small");
	assert_int_equal(len, 2);
	(*n)++;
	return 0;
}

static void scan_reads_each_file_once_and_counts_those_over_the_cap(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/small", "12", NULL },
		{ "/big", "123456789", NULL },
		{ "/link", NULL, "/small" },
	};
	const char *dir = tree_make(t, WARD_ARRAY_LEN(t));
	audit_fs *fs = NULL;
	assert_int_equal(audit_fs_open(&fs, dir, NULL), 0);
	size_t n = 0, skipped = 0;
	assert_int_equal(audit_fs_scan(fs, 4, count_content, &n, &skipped, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(skipped, 1);
	audit_fs_free(fs);
	tree_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(absolute_link_resolves_against_the_image_root),
		cmocka_unit_test(link_to_a_host_file_is_never_followed_out),
		cmocka_unit_test(dotdot_chain_stops_at_the_image_root),
		cmocka_unit_test(link_loop_hits_the_limit),
		cmocka_unit_test(links_to_devices_and_proc_are_not_the_hosts),
		cmocka_unit_test(read_beyond_the_cap_is_a_limit),
		cmocka_unit_test(walk_does_not_follow_links_and_readlink_gives_the_stored_target),
		cmocka_unit_test(tar_image_resolves_links_inside_it),
		cmocka_unit_test(ext4_image_resolves_links_inside_it),
		cmocka_unit_test(squashfs_image_resolves_links_inside_it),
		cmocka_unit_test(damaged_ext4_images_are_refused_as_invalid),
		cmocka_unit_test(damaged_squashfs_images_are_refused_as_invalid),
		cmocka_unit_test(index_refuses_names_with_a_slash_and_skips_dot_entries),
		cmocka_unit_test(keyset_tells_a_key_seen_before),
		cmocka_unit_test(empty_tar_image_opens_and_holds_nothing),
		cmocka_unit_test(scan_reads_each_file_once_and_counts_those_over_the_cap),
	};
	return cmocka_run_group_tests(tests, setup_host, teardown_host);
}
