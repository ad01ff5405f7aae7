/* helpers.c - see helpers.h. */
#include "helpers.h"

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/fs.h"

extern char **environ;

char *scratch_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *p = NULL;
	assert_true(asprintf(&p, "%s/ward-keys-XXXXXX", tmp && *tmp ? tmp : "/tmp") > 0);
	assert_non_null(mkdtemp(p));
	return p;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void scratch_remove(const char *dir)
{
	if (dir)
		(void)nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *path_in(const char *dir, const char *name)
{
	char *p = fs_join(dir, name);
	assert_non_null(p);
	return p;
}

void read_whole(ward_buf *out, const char *path)
{
	ward_error err = { 0 };
	buf_init(out, 1u << 20);
	if (fs_read_file(out, path, 1u << 20, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
}

void write_whole(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

const char *openssl_program(void)
{
	const char *p = getenv("WARD_OPENSSL");
	return p && *p ? p : NULL;
}

int run_program(const char *const argv[], const char *out_path)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_path)
		posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC,
						 0600);
	pid_t pid;
	/* posix_spawnp's argv is not const-qualified but is not written */
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)(uintptr_t)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}
