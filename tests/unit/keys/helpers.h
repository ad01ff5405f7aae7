/*
 * helpers.h - what the key custody tests share: a scratch directory, file
 * reading, and running the openssl command line.
 */
#ifndef WARD_TEST_KEYS_HELPERS_H
#define WARD_TEST_KEYS_HELPERS_H

#include <stddef.h>

#include "util/buf.h"

/* A new directory under $TMPDIR (or /tmp); malloc'd path. */
char *scratch_dir(void);
/* Removes a scratch directory and everything in it. */
void scratch_remove(const char *dir);
/* dir/name, malloc'd. */
char *path_in(const char *dir, const char *name);
/* Reads a whole file into a fresh buffer (fails the test if it cannot). */
void read_whole(ward_buf *out, const char *path);
/* Writes a file (fails the test if it cannot). */
void write_whole(const char *path, const void *data, size_t len);
/* The openssl program meson found (WARD_OPENSSL), or NULL. */
const char *openssl_program(void);
/* Runs argv (argv[0] a path or a name on PATH) with stdin from /dev/null,
 * stdout to out_path if given; returns its exit status, -1 if it could not
 * run. */
int run_program(const char *const argv[], const char *out_path);

#endif
