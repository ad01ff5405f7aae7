/*
 * harness.h - test support for src/http: a temp directory, a throwaway CA
 * with a server certificate for 127.0.0.1 and a client certificate (made
 * with the openssl CLI), and three instances of tests/e2e/httpd.py serving
 * ROOT on 127.0.0.1: plain HTTP, HTTPS, and HTTPS requiring a client
 * certificate from that CA.
 *
 * Environment: WARD_HTTPD (required) names httpd.py; WARD_PYTHON and
 * WARD_OPENSSL name the programs to run (default: python3 and openssl from
 * PATH).  Any proxy variables are unset, since the servers are local.
 */
#ifndef WARD_TESTS_HTTP_HARNESS_H
#define WARD_TESTS_HTTP_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

typedef struct httpd_server {
	pid_t pid;
	int port;
} httpd_server;

typedef struct httpd_env {
	char dir[64]; /* the temp directory, removed by harness_stop */
	char *root;   /* DIR/www: served by all three; write files here */
	char *ca, *ca_key, *server_cert, *server_key, *client_cert, *client_key;
	httpd_server plain, tls, mtls;
} httpd_env;

/* Makes the directory and certificates, starts the servers and waits for
 * their ports.  0, or -1 with the reason on stderr and nothing left behind. */
int harness_start(httpd_env *t);

/* Stops the servers (SIGTERM, then SIGKILL) and removes the directory. */
void harness_stop(httpd_env *t);

/* Small helpers. */
char *harness_pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* malloc'd */
int harness_write_file(const char *path, const void *data, size_t len);          /* 0 or -1 */
double harness_now(void); /* monotonic seconds */

#endif
