/*
 * replay_main.c - runs a fuzz target's LLVMFuzzerTestOneInput over saved
 * inputs without libFuzzer, so that the corpus and every kept crash replay
 * in the ordinary test suite on each commit (libgit2, systemd do the same).
 *
 *   NAME_replay DIR_OR_FILE...
 *
 * Each argument is a file or a directory; a directory's regular files are
 * run in name order, skipping names that start with '.' (.gitkeep).  Each
 * input is copied into a buffer of exactly its size, so an over-read shows
 * under AddressSanitizer as it would under libFuzzer.  Exits 0 when every
 * input ran; a property failure inside the target aborts, after the name
 * of the input is printed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* Far above any corpus file; bounds what a stray argument can make us read. */
#define REPLAY_MAX_BYTES ((size_t)64 << 20)

/* The input being run, named by the crash handler. */
static const char *volatile current;

static void on_crash(int sig)
{
	static const char msg[] = "replay: crashed on ";
	const char *name = current ? current : "(no input)";
	size_t n = 0;
	while (name[n])
		n++;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)!write(STDERR_FILENO, name, n);
	(void)!write(STDERR_FILENO, "\n", 1);
	raise(sig); /* SA_RESETHAND: now the default action */
}

/* Only SIGABRT: the sanitizers keep their own SIGSEGV handlers, which
 * report far more than a name. */
static void name_crashes(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = (int)SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGABRT, &sa, NULL);
}

static int read_file(const char *path, uint8_t **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > REPLAY_MAX_BYTES) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	size_t n = (size_t)st.st_size;
	/* malloc(0) may return NULL; keep a real (empty) allocation instead. */
	uint8_t *p = malloc(n ? n : 1);
	if (!p) {
		close(fd);
		return -1;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(p);
			close(fd);
			errno = r == 0 ? EIO : errno;
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	*out = p;
	*len = n;
	return 0;
}

static int run_file(const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	if (read_file(path, &data, &len) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	current = path;
	(void)LLVMFuzzerTestOneInput(data, len);
	current = NULL;
	free(data);
	return 0;
}

static int only_visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int run_dir(const char *dir, size_t *count)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, only_visible, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char path[4096];
		int k = snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (k < 0 || (size_t)k >= sizeof(path)) {
			fprintf(stderr, "replay: %s/%s: path too long\n", dir, names[i]->d_name);
			rc = -1;
		} else {
			struct stat st;
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				if (run_file(path) != 0)
					rc = -1;
				else
					(*count)++;
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	name_crashes();
	size_t count = 0;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) != 0)
				rc = 1;
		} else if (run_file(argv[i]) != 0) {
			rc = 1;
		} else {
			count++;
		}
	}
	printf("replay: %zu inputs ran\n", count);
	return rc;
}
