/*
 * fetch.c - bounded downloads on libcurl (http, https, file).
 *
 * A fetcher owns one easy handle, configured once in fetcher_new and reused
 * for every request, so that keep-alive connections and TLS sessions carry
 * over between the metadata files of one refresh.  Per request only the
 * URL, the size ceiling and the write context change.
 *
 * The byte limit is enforced twice: CURLOPT_MAXFILESIZE_LARGE (and a check
 * of Content-Length on the first body chunk) refuses a declared size above
 * max_len before any body reaches the sink, and the write callback counts the
 * bytes actually delivered, because a server may send no Content-Length at
 * all and curl 7.88 checks MAXFILESIZE only against the declared size.
 */
#include "http/fetch.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "util/limits.h"

#define FETCH_URL_MAX WARD_LIMIT_URL
#define FETCH_CONNECT_TIMEOUT_S WARD_LIMIT_CONNECT_SECONDS
#define FETCH_USER_AGENT "ward/0.1"

/* Error messages quote at most this much of a URL, so that the reason after
 * it still fits in WARD_ERROR_MSG_MAX. */
#define URL_FMT "%.160s"

_Static_assert(sizeof(curl_off_t) == sizeof(int64_t), "curl_off_t is 64 bits");

#ifndef CURL_WRITEFUNC_ERROR
#define CURL_WRITEFUNC_ERROR ((size_t)0xFFFFFFFF)
#endif

struct fetcher {
	CURL *curl;
	long low_speed_bytes;
	long low_speed_seconds;
	long max_redirects;
	char errbuf[CURL_ERROR_SIZE]; /* curl's detail for the last failure */
};

/* State of one transfer, seen by the write callback. */
typedef struct xfer {
	fetcher *f;
	const char *url;
	uint64_t max_len;
	uint64_t got;
	fetch_sink sink;
	void *ctx;
	ward_error *err;
	bool started;
	int rc; /* set (with err) when the callback aborts the transfer */
} xfer;

WARD_DEFINE_AUTO(CURLU *, curl_url_cleanup)
WARD_DEFINE_AUTO(char *, curl_free)

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

/* curl_global_init is process-wide and never undone: a library cannot know
 * when the last user in the process is gone. */
static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int status_error(const char *url, long status, ward_error *err)
{
	int code = (status == 404 || status == 410) ? WARD_ENOTFOUND : WARD_ENET;
	return ward_err(err, code, URL_FMT ": HTTP %ld", url, status);
}

static int limit_error(const char *url, uint64_t max_len, ward_error *err)
{
	return ward_err(err, WARD_ELIMIT, URL_FMT ": more than %" PRIu64 " bytes (endless data)", url,
			max_len);
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *userp)
{
	xfer *x = userp;
	size_t len = size * nmemb; /* curl documents size as always 1 */

	if (!x->started) {
		x->started = true;
		long status = 0;
		curl_off_t declared = -1;
		/* Error pages are not data: do not hand them to the sink. */
		if (curl_easy_getinfo(x->f->curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
		    status != 0 && (status < 200 || status > 299)) {
			x->rc = status_error(x->url, status, x->err);
			return CURL_WRITEFUNC_ERROR;
		}
		if (curl_easy_getinfo(x->f->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared) ==
			    CURLE_OK &&
		    declared >= 0 && (uint64_t)declared > x->max_len) {
			x->rc = limit_error(x->url, x->max_len, x->err);
			return CURL_WRITEFUNC_ERROR;
		}
	}
	/* TUF endless data attack: refuse the chunk that would cross the limit. */
	if (len > x->max_len - x->got) {
		x->rc = limit_error(x->url, x->max_len, x->err);
		return CURL_WRITEFUNC_ERROR;
	}
	x->got += len;
	if (len == 0)
		return 0;
	int rc = x->sink(x->ctx, (const uint8_t *)data, len);
	if (rc != 0) {
		/* A positive return is outside the sink contract: treat as misuse. */
		x->rc = ward_err(x->err, rc < 0 ? rc : WARD_EINVAL, URL_FMT ": aborted by receiver",
				 x->url);
		return CURL_WRITEFUNC_ERROR;
	}
	return len;
}

static int setopt_error(ward_error *err, const char *opt, CURLcode cc)
{
	int code = cc == CURLE_OUT_OF_MEMORY ? WARD_ENOMEM : WARD_EINVAL;
	return ward_err(err, code, "libcurl: %s: %s", opt, curl_easy_strerror(cc));
}

#define SETOPT(opt, val)                                          \
	do {                                                      \
		CURLcode cc_ = curl_easy_setopt(f->curl, opt, val); \
		if (cc_ != CURLE_OK)                              \
			return setopt_error(err, #opt, cc_);      \
	} while (0)

/* Options that hold for every request of this fetcher. */
static int configure(fetcher *f, const fetch_opts *opts, ward_error *err)
{
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_ERRORBUFFER, f->errbuf);
	SETOPT(CURLOPT_USERAGENT, FETCH_USER_AGENT);
	SETOPT(CURLOPT_WRITEFUNCTION, on_write);

	/* file only as the initial URL: a server must not redirect us into the
	 * local file system. */
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https,file");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(CURLOPT_MAXREDIRS, f->max_redirects);

	/* TUF slow retrieval attack: curl aborts below this average speed. */
	SETOPT(CURLOPT_LOW_SPEED_LIMIT, f->low_speed_bytes);
	SETOPT(CURLOPT_LOW_SPEED_TIME, f->low_speed_seconds);
	SETOPT(CURLOPT_CONNECTTIMEOUT,
	       opts->connect_timeout_s > 0 ? opts->connect_timeout_s : FETCH_CONNECT_TIMEOUT_S);

	/* No CURLOPT_ACCEPT_ENCODING: the byte limit counts what the server
	 * sent, so a compressed body cannot expand past it. */

	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (opts->ca_file)
		SETOPT(CURLOPT_CAINFO, opts->ca_file);
	if (opts->client_cert) {
		SETOPT(CURLOPT_SSLCERT, opts->client_cert);
		SETOPT(CURLOPT_SSLCERTTYPE, "PEM");
	}
	if (opts->client_key) {
		SETOPT(CURLOPT_SSLKEY, opts->client_key);
		SETOPT(CURLOPT_SSLKEYTYPE, "PEM");
	}
	return 0;
}

#undef SETOPT

int fetcher_new(fetcher **out, const fetch_opts *opts, ward_error *err)
{
	static const fetch_opts defaults = { .max_redirects = -1 };

	if (!out)
		return ward_err(err, WARD_EINVAL, "fetcher: no output pointer");
	if (!opts)
		opts = &defaults;
	if (opts->client_key && strncasecmp(opts->client_key, "pkcs11:", 7) == 0)
		return ward_err(err, WARD_EINVAL, "client key: pkcs11 keys not supported yet");
	if (opts->client_key && !opts->client_cert)
		return ward_err(err, WARD_EINVAL, "client key given without a client certificate");

	(void)pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return ward_err(err, global_rc == CURLE_OUT_OF_MEMORY ? WARD_ENOMEM : WARD_ENET,
				"libcurl: initialisation failed: %s", curl_easy_strerror(global_rc));

	WARD_AUTO(fetcher_free) fetcher *f = calloc(1, sizeof(*f));
	if (!f)
		return ward_err(err, WARD_ENOMEM, "fetcher: out of memory");
	f->low_speed_bytes = opts->low_speed_bytes > 0 ? opts->low_speed_bytes : WARD_LIMIT_LOW_SPEED_BYTES;
	f->low_speed_seconds =
		opts->low_speed_seconds > 0 ? opts->low_speed_seconds : WARD_LIMIT_LOW_SPEED_SECONDS;
	f->max_redirects = opts->max_redirects >= 0 ? opts->max_redirects : WARD_LIMIT_REDIRECTS;
	f->curl = curl_easy_init();
	if (!f->curl)
		return ward_err(err, WARD_ENOMEM, "fetcher: cannot create a curl handle");
	int rc = configure(f, opts, err);
	if (rc)
		return rc;
	*out = WARD_TAKE_PTR(f);
	return 0;
}

void fetcher_free(fetcher *f)
{
	if (!f)
		return;
	if (f->curl)
		curl_easy_cleanup(f->curl);
	free(f);
}

/* The initial URL must parse and name http, https or file; anything else is
 * the caller's mistake (WARD_EINVAL), not a network failure. */
static int check_url(const char *url, ward_error *err)
{
	if (strnlen(url, FETCH_URL_MAX + 1) > FETCH_URL_MAX)
		return ward_err(err, WARD_EINVAL, "%.64s...: URL longer than %d bytes", url, FETCH_URL_MAX);

	WARD_AUTO(curl_url_cleanup) CURLU *u = curl_url();
	if (!u)
		return ward_err(err, WARD_ENOMEM, URL_FMT ": out of memory", url);
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OUT_OF_MEMORY)
		return ward_err(err, WARD_ENOMEM, URL_FMT ": out of memory", url);
	if (uc != CURLUE_OK)
		return ward_err(err, WARD_EINVAL, URL_FMT ": malformed URL (%s)", url, curl_url_strerror(uc));

	WARD_AUTO(curl_free) char *scheme = NULL;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || !scheme)
		return ward_err(err, WARD_EINVAL, URL_FMT ": URL has no scheme", url);
	bool is_file = strcasecmp(scheme, "file") == 0;
	if (!is_file && strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
		return ward_err(err, WARD_EINVAL, URL_FMT ": unsupported scheme %.16s", url, scheme);

	/* curl reads a directory as an empty file; say what it is instead. */
	WARD_AUTO(curl_free) char *path = NULL;
	struct stat st;
	if (is_file && curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) == CURLUE_OK && path &&
	    stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return ward_err(err, WARD_ENOTFOUND, URL_FMT ": is a directory", url);
	return 0;
}

/* curl reports both a connect timeout and the low-speed abort as
 * CURLE_OPERATION_TIMEDOUT; only the latter is slow retrieval.  Its message
 * ("Operation too slow. Less than N bytes/sec ...") has been stable since
 * curl 7.x's speedcheck.c was written. */
static bool is_slow_retrieval(const fetcher *f)
{
	return strncmp(f->errbuf, "Operation too slow", 18) == 0;
}

static int transport_error(const fetcher *f, const xfer *x, CURLcode cc, ward_error *err)
{
	switch (cc) {
	case CURLE_FILESIZE_EXCEEDED:
		return limit_error(x->url, x->max_len, err);
	case CURLE_OPERATION_TIMEDOUT:
		if (is_slow_retrieval(f))
			return ward_err(err, WARD_ELIMIT,
					URL_FMT ": slower than %ld bytes/s for %ld s (slow retrieval)", x->url,
					f->low_speed_bytes, f->low_speed_seconds);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		return ward_err(err, WARD_ENET, URL_FMT ": more than %ld redirects", x->url,
				f->max_redirects);
	case CURLE_FILE_COULDNT_READ_FILE:
	case CURLE_REMOTE_FILE_NOT_FOUND:
		return ward_err(err, WARD_ENOTFOUND, URL_FMT ": no such file", x->url);
	case CURLE_OUT_OF_MEMORY:
		return ward_err(err, WARD_ENOMEM, URL_FMT ": out of memory", x->url);
	default:
		break;
	}
	if (f->errbuf[0])
		return ward_err(err, WARD_ENET, URL_FMT ": %s (%s)", x->url, curl_easy_strerror(cc), f->errbuf);
	return ward_err(err, WARD_ENET, URL_FMT ": %s", x->url, curl_easy_strerror(cc));
}

int fetch_stream(fetcher *f, const char *url, uint64_t max_len, fetch_sink sink, void *ctx,
		 ward_error *err)
{
	if (!f || !url || !sink)
		return ward_err(err, WARD_EINVAL, "fetch: missing fetcher, URL or sink");
	int rc = check_url(url, err);
	if (rc)
		return rc;

	xfer x = {
		.f = f, .url = url, .max_len = max_len, .sink = sink, .ctx = ctx, .err = err,
	};
	/* 0 would mean "no limit" to curl; the write callback still enforces 0. */
	curl_off_t declared_max = max_len > (uint64_t)INT64_MAX ? (curl_off_t)INT64_MAX : (curl_off_t)max_len;
	f->errbuf[0] = '\0';
	CURLcode cc = curl_easy_setopt(f->curl, CURLOPT_URL, url);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, &x);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(f->curl, CURLOPT_MAXFILESIZE_LARGE, declared_max);
	if (cc == CURLE_OK)
		cc = curl_easy_perform(f->curl);
	/* The handle outlives this frame: leave no pointer to x behind. */
	(void)curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, NULL);

	if (x.rc)
		return x.rc; /* the callback already filled err */

	long status = 0;
	if (curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
		status = 0;
	/* An HTTP error status explains the failure better than whatever curl
	 * tripped over while refusing its body.  Status 0 means file://. */
	if ((cc == CURLE_OK || status >= 400) && status != 0 && (status < 200 || status > 299))
		return status_error(url, status, err);
	if (cc != CURLE_OK)
		return transport_error(f, &x, cc, err);
	return 0;
}

typedef struct buf_sink {
	ward_buf *out;
	int rc;
} buf_sink;

static int append_sink(void *ctx, const uint8_t *data, size_t len)
{
	buf_sink *s = ctx;
	s->rc = buf_append(s->out, data, len);
	return s->rc;
}

int fetch_to_buf(fetcher *f, const char *url, uint64_t max_len, ward_buf *out, ward_error *err)
{
	if (!out)
		return ward_err(err, WARD_EINVAL, "fetch: no output buffer");
	size_t start = out->len;
	buf_sink s = { out, 0 };
	int rc = fetch_stream(f, url, max_len, append_sink, &s, err);
	if (rc && rc == s.rc) {
		/* The sink failed: say why, which fetch_stream cannot know. */
		if (rc == WARD_ELIMIT)
			rc = ward_err(err, rc, URL_FMT ": more than %zu bytes (buffer cap)", url,
				      out->max - start);
		else if (rc == WARD_ENOMEM)
			rc = ward_err(err, rc, URL_FMT ": out of memory", url);
	}
	if (rc) {
		/* Outputs are written only on success: drop a partial body. */
		out->len = start;
		if (out->ptr)
			out->ptr[start] = '\0';
	}
	return rc;
}
