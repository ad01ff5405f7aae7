/*
 * harness.c - test support for src/http: a temp directory, a throwaway CA
 * with server and client certificates (openssl CLI), and three instances of
 * tests/e2e/httpd.py on 127.0.0.1 (see harness.h).
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/common.h"

char *harness_pathf(const char *fmt, ...)
{
	char *p = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&p, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : p;
}

int harness_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wbe");
	if (!f)
		return -1;
	size_t n = fwrite(data, 1, len, f);
	return (fclose(f) == 0 && n == len) ? 0 : -1;
}

/* Starts argv[0] (looked up on PATH) with argv; the child's stdout and
 * stderr go to /dev/null when quiet.  Returns the pid, or -1. */
static pid_t spawn(const char *const argv[], bool quiet)
{
	/* execvp takes char *const[]; it does not write through the pointers. */
	char *v[40];
	size_t n = 0;
	while (argv[n] && n < WARD_ARRAY_LEN(v) - 1)
		n++;
	memcpy(v, argv, n * sizeof(v[0]));
	v[n] = NULL;
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* Should this test die without its teardown, take the servers along. */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (quiet) {
		int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)dup2(fd, STDOUT_FILENO);
			(void)dup2(fd, STDERR_FILENO);
		}
	}
	execvp(v[0], v);
	_exit(127);
}

/* Runs argv to completion with its output discarded; 0 on exit status 0. */
static int run(const char *const argv[])
{
	pid_t pid = spawn(argv, true);
	if (pid < 0)
		return -1;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0) ? 0 : -1;
}

double harness_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int read_port(const char *path)
{
	char text[16] = "";
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	char *end = NULL;
	long port = strtol(text, &end, 10);
	if (end == text || port <= 0 || port > 65535)
		return -1;
	return (int)port;
}

/* Starts httpd.py with the given extra arguments (NULL-terminated) and
 * waits up to 15 s for it to write its port file. */
static int start_server(const httpd_env *t, httpd_server *s, const char *name,
			const char *const extra[])
{
	const char *httpd = getenv("WARD_HTTPD");
	const char *python = getenv("WARD_PYTHON");
	if (!httpd) {
		fprintf(stderr, "WARD_HTTPD is not set (path of tests/e2e/httpd.py)\n");
		return -1;
	}
	if (!python || !*python)
		python = "python3";
	char *port_file = harness_pathf("%s/%s.port", t->dir, name);
	if (!port_file)
		return -1;

	const char *argv[16] = { python, httpd, "--root", t->root, "--port", "0", "--port-file", port_file };
	size_t i = 8;
	for (size_t k = 0; extra && extra[k] && i < WARD_ARRAY_LEN(argv) - 1; k++)
		argv[i++] = extra[k];
	argv[i] = NULL;

	pid_t pid = spawn(argv, false);
	if (pid < 0) {
		free(port_file);
		return -1;
	}
	s->pid = pid;
	s->port = -1;
	for (int tries = 0; tries < 300 && s->port < 0; tries++) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "httpd.py (%s) exited early\n", name);
			s->pid = 0;
			break;
		}
		s->port = read_port(port_file);
		if (s->port < 0)
			sleep_ms(50);
	}
	free(port_file);
	return s->port > 0 ? 0 : -1;
}

static void stop_server(httpd_server *s)
{
	if (s->pid <= 0)
		return;
	(void)kill(s->pid, SIGTERM);
	int status;
	for (int tries = 0; tries < 100; tries++) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			return;
		}
		sleep_ms(50);
	}
	(void)kill(s->pid, SIGKILL);
	(void)waitpid(s->pid, &status, 0);
	s->pid = 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char *openssl_bin(void)
{
	const char *o = getenv("WARD_OPENSSL");
	return (o && *o) ? o : "openssl";
}

/* A throwaway CA, a server certificate for IP 127.0.0.1 and a client
 * certificate, all P-256, valid for two days. */
static int make_certs(const httpd_env *t)
{
	static const char cnf_text[] =
		"[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = ward-test\n"
		"[ca]\nbasicConstraints = critical,CA:TRUE\n"
		"keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n"
		"[server]\nbasicConstraints = critical,CA:FALSE\nsubjectAltName = IP:127.0.0.1\n"
		"extendedKeyUsage = serverAuth\nkeyUsage = critical,digitalSignature\n"
		"[client]\nbasicConstraints = critical,CA:FALSE\n"
		"extendedKeyUsage = clientAuth\nkeyUsage = critical,digitalSignature\n";
	char *cnf = harness_pathf("%s/openssl.cnf", t->dir);
	char *server_csr = harness_pathf("%s/server.csr", t->dir);
	char *client_csr = harness_pathf("%s/client.csr", t->dir);
	const char *ossl = openssl_bin();
	const char *const ca[] = { ossl, "req", "-config", cnf, "-x509", "-newkey", "ec", "-pkeyopt",
				   "ec_paramgen_curve:P-256", "-nodes", "-keyout", t->ca_key, "-out", t->ca,
				   "-days", "2", "-subj", "/CN=ward-test-ca", "-extensions", "ca", NULL };
	const char *const srv_req[] = { ossl, "req", "-config", cnf, "-new", "-newkey", "ec", "-pkeyopt",
					"ec_paramgen_curve:P-256", "-nodes", "-keyout", t->server_key,
					"-out", server_csr, "-subj", "/CN=127.0.0.1", NULL };
	const char *const srv_sign[] = { ossl, "x509", "-req", "-in", server_csr, "-CA", t->ca,
					 "-CAkey", t->ca_key, "-set_serial", "2", "-days", "2",
					 "-out", t->server_cert, "-extfile", cnf, "-extensions",
					 "server", NULL };
	const char *const cli_req[] = { ossl, "req", "-config", cnf, "-new", "-newkey", "ec", "-pkeyopt",
					"ec_paramgen_curve:P-256", "-nodes", "-keyout", t->client_key,
					"-out", client_csr, "-subj", "/CN=ward-test-client", NULL };
	const char *const cli_sign[] = { ossl, "x509", "-req", "-in", client_csr, "-CA", t->ca,
					 "-CAkey", t->ca_key, "-set_serial", "3", "-days", "2",
					 "-out", t->client_cert, "-extfile", cnf, "-extensions",
					 "client", NULL };
	int rc = -1;
	if (cnf && server_csr && client_csr && harness_write_file(cnf, cnf_text, strlen(cnf_text)) == 0) {
		rc = (run(ca) || run(srv_req) || run(srv_sign) || run(cli_req) || run(cli_sign)) ? -1 : 0;
		if (rc)
			fprintf(stderr, "openssl failed to make the test certificates\n");
	}
	free(cnf);
	free(server_csr);
	free(client_csr);
	return rc;
}

int harness_start(httpd_env *t)
{
	memset(t, 0, sizeof(*t));
	/* The servers are on 127.0.0.1; no proxy from the environment. */
	static const char *const proxies[] = { "http_proxy", "https_proxy", "HTTP_PROXY",
					       "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
	for (size_t i = 0; i < WARD_ARRAY_LEN(proxies); i++)
		unsetenv(proxies[i]);

	const char *tmp = getenv("TMPDIR");
	int n = snprintf(t->dir, sizeof(t->dir), "%s/ward-http-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(t->dir) || !mkdtemp(t->dir)) {
		t->dir[0] = '\0';
		return -1;
	}
	t->root = harness_pathf("%s/www", t->dir);
	t->ca = harness_pathf("%s/ca.pem", t->dir);
	t->ca_key = harness_pathf("%s/ca.key", t->dir);
	t->server_cert = harness_pathf("%s/server.pem", t->dir);
	t->server_key = harness_pathf("%s/server.key", t->dir);
	t->client_cert = harness_pathf("%s/client.pem", t->dir);
	t->client_key = harness_pathf("%s/client.key", t->dir);
	int rc = -1;
	if (t->root && t->ca && t->ca_key && t->server_cert && t->server_key && t->client_cert &&
	    t->client_key && mkdir(t->root, 0700) == 0 && make_certs(t) == 0) {
		const char *const tls_args[] = { "--tls-cert", t->server_cert, "--tls-key",
						 t->server_key, NULL };
		const char *const mtls_args[] = { "--tls-cert", t->server_cert, "--tls-key",
						  t->server_key, "--client-ca", t->ca, NULL };
		if (start_server(t, &t->plain, "plain", NULL) == 0 &&
		    start_server(t, &t->tls, "tls", tls_args) == 0 &&
		    start_server(t, &t->mtls, "mtls", mtls_args) == 0)
			rc = 0;
	}
	if (rc)
		harness_stop(t);
	return rc;
}

void harness_stop(httpd_env *t)
{
	stop_server(&t->plain);
	stop_server(&t->tls);
	stop_server(&t->mtls);
	if (t->dir[0])
		(void)nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	t->dir[0] = '\0';
	char **paths[] = { &t->root, &t->ca, &t->ca_key, &t->server_cert, &t->server_key,
			   &t->client_cert, &t->client_key };
	for (size_t i = 0; i < WARD_ARRAY_LEN(paths); i++) {
		free(*paths[i]);
		*paths[i] = NULL;
	}
}
