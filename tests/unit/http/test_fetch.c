/*
 * test_fetch.c - src/http/fetch: bounded downloads, run against the test
 * server tests/e2e/httpd.py on 127.0.0.1 (plain HTTP, HTTPS, and HTTPS that
 * requires a client certificate; see harness.h), plus file:// URLs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "http/fetch.h"

#define LIMIT 4096
#define BLOB_LEN 300000

static httpd_env T;
static uint8_t blob[BLOB_LEN];
static uint8_t exact[LIMIT + 1];

/* A URL in one of a few rotating static buffers: tests are single-threaded
 * and use at most a couple at a time. */
static const char *urlf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *urlf(const char *fmt, ...)
{
	static char bufs[4][1024];
	static unsigned next;
	char *b = bufs[next++ % 4];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(bufs[0]))
		fail_msg("URL too long for the test buffer");
	return b;
}

static int make_root(void)
{
	static const char hello[] = "hello, ward\n";
	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)((i * 7 + i / 251) & 0xff);
	for (size_t i = 0; i < sizeof(exact); i++)
		exact[i] = (uint8_t)(i & 0xff);

	char *hello_p = harness_pathf("%s/hello.txt", T.root);
	char *blob_p = harness_pathf("%s/blob.bin", T.root);
	char *exact_p = harness_pathf("%s/exact.bin", T.root);
	char *over_p = harness_pathf("%s/over.bin", T.root);
	char *empty_p = harness_pathf("%s/empty.bin", T.root);
	char *faults_p = harness_pathf("%s/.faults.json", T.root);
	char *faults = harness_pathf("{\"/_to_file\": {\"redirect\": \"file://%s/hello.txt\"},\n"
				     " \"/fault500\": {\"status\": 500}}\n",
				     T.root);
	int rc = -1;
	if (hello_p && blob_p && exact_p && over_p && empty_p && faults_p && faults &&
	    harness_write_file(hello_p, hello, strlen(hello)) == 0 &&
	    harness_write_file(blob_p, blob, sizeof(blob)) == 0 &&
	    harness_write_file(exact_p, exact, LIMIT) == 0 &&
	    harness_write_file(over_p, exact, LIMIT + 1) == 0 &&
	    harness_write_file(empty_p, "", 0) == 0 &&
	    harness_write_file(faults_p, faults, strlen(faults)) == 0)
		rc = 0;
	free(hello_p);
	free(blob_p);
	free(exact_p);
	free(over_p);
	free(empty_p);
	free(faults_p);
	free(faults);
	return rc;
}

static int group_setup(void **state)
{
	(void)state;
	if (harness_start(&T))
		return -1;
	if (make_root() == 0)
		return 0;
	harness_stop(&T);
	return -1;
}

static int group_teardown(void **state)
{
	(void)state;
	harness_stop(&T);
	return 0;
}

static fetch_opts test_opts(void)
{
	fetch_opts o = { .max_redirects = -1 };
	return o;
}

static fetcher *new_fetcher(const fetch_opts *o)
{
	fetcher *f = NULL;
	ward_error err = { 0 };
	int rc = fetcher_new(&f, o, &err);
	if (rc != 0)
		fail_msg("fetcher_new: %d %s", rc, err.msg);
	return f;
}

#define assert_msg_contains(err, text)                                                \
	do {                                                                          \
		if (!strstr((err).msg, (text)))                                       \
			fail_msg("message \"%s\" lacks \"%s\"", (err).msg, (text));   \
	} while (0)

static const char *http(const char *path)
{
	return urlf("http://127.0.0.1:%d/%s", T.plain.port, path);
}

/* Fetches url into a fresh buffer (64 MiB cap); the caller disposes it. */
static int fetch_into(fetcher *f, const char *url, uint64_t max_len, ward_buf *out, ward_error *err)
{
	buf_init(out, (size_t)64 << 20);
	return fetch_to_buf(f, url, max_len, out, err);
}

typedef struct counting_sink {
	size_t bytes;
	size_t calls;
	int abort_with; /* returned from every call */
} counting_sink;

static int count_sink(void *ctx, const uint8_t *data, size_t len)
{
	counting_sink *c = ctx;
	(void)data;
	c->calls++;
	c->bytes += len;
	return c->abort_with;
}

/* ---- plain HTTP --------------------------------------------------------- */

static void fetch_returns_the_exact_bytes_of_a_file(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	assert_int_equal(fetch_into(f, http("hello.txt"), 1000, &b, &err), 0);
	assert_int_equal(b.len, 12);
	assert_memory_equal(b.ptr, "hello, ward\n", 12);
	buf_dispose(&b);

	assert_int_equal(fetch_into(f, http("blob.bin"), BLOB_LEN, &b, &err), 0);
	assert_int_equal(b.len, BLOB_LEN);
	assert_memory_equal(b.ptr, blob, BLOB_LEN);
	buf_dispose(&b);
}

static void empty_file_is_fetched_as_zero_bytes(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };

	assert_int_equal(fetch_stream(f, http("empty.bin"), 0, count_sink, &c, &err), 0);
	assert_int_equal(c.bytes, 0);
}

static void missing_file_over_http_is_not_found(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };

	assert_int_equal(fetch_stream(f, http("no/such.json"), 1000, count_sink, &c, &err), WARD_ENOTFOUND);
	assert_int_equal(err.code, WARD_ENOTFOUND);
	assert_msg_contains(err, "no/such.json: HTTP 404");
	assert_int_equal(c.calls, 0); /* the error page never reaches the sink */
}

static void gone_status_is_not_found(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	assert_int_equal(fetch_into(f, http("_status/410"), 1000, &b, &err), WARD_ENOTFOUND);
	assert_int_equal(b.len, 0);
	buf_dispose(&b);
}

static void server_error_status_is_a_network_error(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	assert_int_equal(fetch_into(f, http("_status/500"), 1000, &b, &err), WARD_ENET);
	assert_msg_contains(err, "_status/500: HTTP 500");
	buf_dispose(&b);

	/* The same through the faults file, which later tests rely on. */
	assert_int_equal(fetch_into(f, http("fault500"), 1000, &b, &err), WARD_ENET);
	assert_msg_contains(err, "HTTP 500");
	buf_dispose(&b);

	/* A non-2xx status without a body is an error too. */
	assert_int_equal(fetch_into(f, http("_status/304"), 1000, &b, &err), WARD_ENET);
	assert_msg_contains(err, "HTTP 304");
	buf_dispose(&b);
}

static void connection_refused_is_a_network_error(void **state)
{
	(void)state;
	/* A port that was free a moment ago: bind, read it back, close. */
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	close(s);

	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };
	const char *url = urlf("http://127.0.0.1:%d/x", ntohs(a.sin_port));
	assert_int_equal(fetch_stream(f, url, 1000, count_sink, &c, &err), WARD_ENET);
	assert_int_equal(err.code, WARD_ENET);
}

/* ---- size limits (endless data) ----------------------------------------- */

static void body_of_exactly_the_limit_is_accepted(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	assert_int_equal(fetch_into(f, http("exact.bin"), LIMIT, &b, &err), 0);
	assert_int_equal(b.len, LIMIT);
	assert_memory_equal(b.ptr, exact, LIMIT);
	buf_dispose(&b);
}

static void body_one_byte_over_the_limit_is_refused(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };

	assert_int_equal(fetch_stream(f, http("over.bin"), LIMIT, count_sink, &c, &err), WARD_ELIMIT);
	assert_int_equal(err.code, WARD_ELIMIT);
	assert_msg_contains(err, "over.bin: more than 4096 bytes (endless data)");
	assert_int_equal(c.bytes, 0); /* refused on Content-Length, before any body */

	assert_int_equal(fetch_stream(f, http("exact.bin"), LIMIT - 1, count_sink, &c, &err), WARD_ELIMIT);
}

static void endless_data_is_refused_quickly(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };

	double t0 = harness_now();
	assert_int_equal(fetch_stream(f, http("_endless"), 16384, count_sink, &c, &err), WARD_ELIMIT);
	assert_true(harness_now() - t0 < 5.0);
	assert_msg_contains(err, "_endless: more than 16384 bytes (endless data)");
	assert_true(c.bytes <= 16384);
}

static void lying_content_length_is_refused_before_any_body(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };

	double t0 = harness_now();
	assert_int_equal(fetch_stream(f, http("_endless_cl"), 16384, count_sink, &c, &err), WARD_ELIMIT);
	assert_true(harness_now() - t0 < 5.0);
	assert_int_equal(c.calls, 0);
	assert_msg_contains(err, "more than 16384 bytes");
}

static void fetch_to_buf_respects_the_buffer_cap(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b = WARD_BUF_INIT(8);

	assert_int_equal(buf_append(&b, "ab", 2), 0);
	assert_int_equal(fetch_to_buf(f, http("hello.txt"), 1000, &b, &err), WARD_ELIMIT);
	assert_msg_contains(err, "hello.txt: more than 6 bytes (buffer cap)");
	/* Written only on success: what was there before is left as it was. */
	assert_int_equal(b.len, 2);
	assert_memory_equal(b.ptr, "ab", 3);
	buf_dispose(&b);
}

/* ---- slow retrieval ----------------------------------------------------- */

static void slow_retrieval_is_refused(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	o.low_speed_seconds = 2; /* keep the test fast: abort after 2 s below 1 KiB/s */
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };

	double t0 = harness_now();
	assert_int_equal(fetch_stream(f, http("_slow"), 16384, count_sink, &c, &err), WARD_ELIMIT);
	assert_true(harness_now() - t0 < 15.0);
	assert_msg_contains(err, "_slow: slower than 1024 bytes/s for 2 s (slow retrieval)");
}

/* ---- redirects ---------------------------------------------------------- */

static void redirect_chain_within_the_limit_is_followed(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	o.max_redirects = 3;
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	assert_int_equal(fetch_into(f, http("_redirect/3"), 1000, &b, &err), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.ptr, "ok\n", 3);
	buf_dispose(&b);
}

static void redirect_chain_beyond_the_limit_is_refused(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	o.max_redirects = 3;
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	assert_int_equal(fetch_into(f, http("_redirect/4"), 1000, &b, &err), WARD_ENET);
	assert_msg_contains(err, "more than 3 redirects");
	buf_dispose(&b);

	assert_int_equal(fetch_into(f, http("_redirect_loop"), 1000, &b, &err), WARD_ENET);
	buf_dispose(&b);
}

static void zero_redirects_means_none_are_followed(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	o.max_redirects = 0;
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	assert_int_equal(fetch_into(f, http("_redirect/1"), 1000, &b, &err), WARD_ENET);
	buf_dispose(&b);
}

static void redirect_to_a_file_url_is_refused(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	/* .faults.json redirects /_to_file to file://ROOT/hello.txt */
	assert_int_equal(fetch_into(f, http("_to_file"), 1000, &b, &err), WARD_ENET);
	assert_int_equal(b.len, 0);
	buf_dispose(&b);
}

/* ---- file:// ------------------------------------------------------------ */

static void file_url_returns_the_exact_bytes(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	assert_int_equal(fetch_into(f, urlf("file://%s/blob.bin", T.root), BLOB_LEN, &b, &err), 0);
	assert_int_equal(b.len, BLOB_LEN);
	assert_memory_equal(b.ptr, blob, BLOB_LEN);
	buf_dispose(&b);

	assert_int_equal(fetch_into(f, urlf("file://%s/blob.bin", T.root), BLOB_LEN - 1, &b, &err),
			 WARD_ELIMIT);
	buf_dispose(&b);
}

static void missing_file_url_is_not_found(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	assert_int_equal(fetch_into(f, urlf("file://%s/absent.json", T.root), 1000, &b, &err),
			 WARD_ENOTFOUND);
	assert_int_equal(err.code, WARD_ENOTFOUND);
	assert_msg_contains(err, "absent.json: no such file");
	buf_dispose(&b);

	/* curl would read a directory as an empty body. */
	assert_int_equal(fetch_into(f, urlf("file://%s", T.root), 1000, &b, &err), WARD_ENOTFOUND);
	assert_msg_contains(err, "is a directory");
	buf_dispose(&b);
}

/* ---- the sink and the handle -------------------------------------------- */

static void sink_abort_code_is_returned(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { .abort_with = WARD_EVERIFY };

	assert_int_equal(fetch_stream(f, http("blob.bin"), BLOB_LEN, count_sink, &c, &err), WARD_EVERIFY);
	assert_int_equal(err.code, WARD_EVERIFY);
	assert_msg_contains(err, "blob.bin: aborted by receiver");
	assert_int_equal(c.calls, 1);

	c = (counting_sink){ .abort_with = WARD_EIO };
	assert_int_equal(fetch_stream(f, urlf("file://%s/hello.txt", T.root), 1000, count_sink, &c, &err),
			 WARD_EIO);
}

static void fetcher_is_reusable_after_a_refused_transfer(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };
	ward_buf b;

	assert_int_equal(fetch_stream(f, http("_endless"), 1000, count_sink, &c, &err), WARD_ELIMIT);
	assert_int_equal(fetch_stream(f, http("missing"), 1000, count_sink, &c, &err), WARD_ENOTFOUND);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fetch_into(f, http("hello.txt"), 1000, &b, &err), 0);
		assert_int_equal(b.len, 12);
		buf_dispose(&b);
	}
}

/* ---- misuse ------------------------------------------------------------- */

static void unsupported_or_malformed_urls_are_invalid(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };
	static const char *const bad[] = {
		"ftp://127.0.0.1/x", "gopher://127.0.0.1/x", "127.0.0.1/no-scheme",
		"http://127.0.0.1/has space", "", "scp://127.0.0.1/x",
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(bad); i++) {
		err.code = 0;
		int rc = fetch_stream(f, bad[i], 1000, count_sink, &c, &err);
		if (rc != WARD_EINVAL)
			fail_msg("%s: got %d (%s)", bad[i], rc, err.msg);
	}
	assert_int_equal(c.calls, 0);
}

static void overlong_url_is_invalid(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };
	size_t n = 8193;
	char *url = malloc(n + 1);
	assert_non_null(url);
	memset(url, 'a', n);
	memcpy(url, "http://127.0.0.1/", 17);
	url[n] = '\0';
	int rc = fetch_stream(f, url, 1000, count_sink, &c, &err);
	free(url);
	assert_int_equal(rc, WARD_EINVAL);
	assert_msg_contains(err, "URL longer than 8192 bytes");
}

static void pkcs11_client_key_is_not_supported_yet(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	o.client_cert = T.client_cert;
	o.client_key = "pkcs11:token=ward;object=device";
	static char sentinel;
	fetcher *f = (fetcher *)(void *)&sentinel; /* must stay untouched on failure */
	ward_error err = { 0 };

	assert_int_equal(fetcher_new(&f, &o, &err), WARD_EINVAL);
	assert_ptr_equal(f, (fetcher *)(void *)&sentinel);
	assert_msg_contains(err, "pkcs11 keys not supported yet");
}

static void client_key_without_certificate_is_invalid(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	o.client_key = T.client_key;
	fetcher *f = NULL;
	ward_error err = { 0 };

	assert_int_equal(fetcher_new(&f, &o, &err), WARD_EINVAL);
	assert_null(f);
}

/* ---- TLS ---------------------------------------------------------------- */

static void https_with_the_test_ca_succeeds(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	o.ca_file = T.ca;
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	int rc = fetch_into(f, urlf("https://127.0.0.1:%d/blob.bin", T.tls.port), BLOB_LEN, &b, &err);
	if (rc != 0)
		fail_msg("%d %s", rc, err.msg);
	assert_int_equal(b.len, BLOB_LEN);
	assert_memory_equal(b.ptr, blob, BLOB_LEN);
	buf_dispose(&b);
}

static void https_without_the_test_ca_is_refused(void **state)
{
	(void)state;
	fetch_opts o = test_opts(); /* system trust store: does not know our CA */
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };

	assert_int_equal(fetch_stream(f, urlf("https://127.0.0.1:%d/hello.txt", T.tls.port), 1000,
				      count_sink, &c, &err),
			 WARD_ENET);
	assert_int_equal(c.calls, 0);
}

static void mutual_tls_with_a_client_certificate_succeeds(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	o.ca_file = T.ca;
	o.client_cert = T.client_cert;
	o.client_key = T.client_key;
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	ward_buf b;

	int rc = fetch_into(f, urlf("https://127.0.0.1:%d/hello.txt", T.mtls.port), 1000, &b, &err);
	if (rc != 0)
		fail_msg("%d %s", rc, err.msg);
	assert_int_equal(b.len, 12);
	buf_dispose(&b);
}

static void mutual_tls_without_a_client_certificate_is_refused(void **state)
{
	(void)state;
	fetch_opts o = test_opts();
	o.ca_file = T.ca;
	WARD_AUTO(fetcher_free) fetcher *f = new_fetcher(&o);
	ward_error err = { 0 };
	counting_sink c = { 0 };

	assert_int_equal(fetch_stream(f, urlf("https://127.0.0.1:%d/hello.txt", T.mtls.port), 1000,
				      count_sink, &c, &err),
			 WARD_ENET);
	assert_int_equal(c.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fetch_returns_the_exact_bytes_of_a_file),
		cmocka_unit_test(empty_file_is_fetched_as_zero_bytes),
		cmocka_unit_test(missing_file_over_http_is_not_found),
		cmocka_unit_test(gone_status_is_not_found),
		cmocka_unit_test(server_error_status_is_a_network_error),
		cmocka_unit_test(connection_refused_is_a_network_error),
		cmocka_unit_test(body_of_exactly_the_limit_is_accepted),
		cmocka_unit_test(body_one_byte_over_the_limit_is_refused),
		cmocka_unit_test(endless_data_is_refused_quickly),
		cmocka_unit_test(lying_content_length_is_refused_before_any_body),
		cmocka_unit_test(fetch_to_buf_respects_the_buffer_cap),
		cmocka_unit_test(slow_retrieval_is_refused),
		cmocka_unit_test(redirect_chain_within_the_limit_is_followed),
		cmocka_unit_test(redirect_chain_beyond_the_limit_is_refused),
		cmocka_unit_test(zero_redirects_means_none_are_followed),
		cmocka_unit_test(redirect_to_a_file_url_is_refused),
		cmocka_unit_test(file_url_returns_the_exact_bytes),
		cmocka_unit_test(missing_file_url_is_not_found),
		cmocka_unit_test(sink_abort_code_is_returned),
		cmocka_unit_test(fetcher_is_reusable_after_a_refused_transfer),
		cmocka_unit_test(unsupported_or_malformed_urls_are_invalid),
		cmocka_unit_test(overlong_url_is_invalid),
		cmocka_unit_test(pkcs11_client_key_is_not_supported_yet),
		cmocka_unit_test(client_key_without_certificate_is_invalid),
		cmocka_unit_test(https_with_the_test_ca_succeeds),
		cmocka_unit_test(https_without_the_test_ca_is_refused),
		cmocka_unit_test(mutual_tls_with_a_client_certificate_succeeds),
		cmocka_unit_test(mutual_tls_without_a_client_certificate_is_refused),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
