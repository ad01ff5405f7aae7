/*
 * fetch.h - the transport: bounded downloads over libcurl (http, https,
 * file).
 *
 * Every download has a hard byte limit enforced while reading (the endless
 * data attack), a minimum average speed (slow retrieval), a bounded number
 * of redirects, and TLS verification on by default with an optional CA
 * bundle and client certificate/key for mutual TLS.  Data is delivered to a
 * sink callback as it arrives, so a caller can hash and write to disk
 * without holding the whole body.
 */
#ifndef WARD_HTTP_FETCH_H
#define WARD_HTTP_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/common.h"

typedef struct fetch_opts {
	const char *ca_file;     /* CA bundle (PEM); NULL = system default */
	const char *client_cert; /* PEM client certificate for mutual TLS, or NULL */
	const char *client_key;  /* PEM private key, or a "pkcs11:" URI (later) */
	long low_speed_bytes;    /* abort below this many bytes/s ... */
	long low_speed_seconds;  /* ... averaged over this many seconds; 0 = defaults */
	long max_redirects;      /* < 0 = default (WARD_LIMIT_REDIRECTS) */
	long connect_timeout_s;  /* 0 = default (30) */
} fetch_opts;

/* A fetcher reuses one connection cache across requests and serves one
 * request at a time: use one per thread.  fetcher_new copies what it needs
 * from opts (NULL = all defaults); a "pkcs11:" client_key is refused with
 * WARD_EINVAL for now, as is a client_key without a client_cert. */
typedef struct fetcher fetcher;

/* Called with each chunk of body data; return 0 to continue, a negative
 * WARD_E* code to abort the transfer (it is returned by fetch_*). */
typedef int (*fetch_sink)(void *ctx, const uint8_t *data, size_t len);

int fetcher_new(fetcher **out, const fetch_opts *opts, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
void fetcher_free(fetcher *f) WARD_INTERNAL;
WARD_DEFINE_AUTO(fetcher *, fetcher_free)

/* Streams url into sink, refusing more than max_len bytes (WARD_ELIMIT,
 * checked against Content-Length up front and against the bytes actually
 * read).  HTTP 404 / file not found -> WARD_ENOTFOUND; other HTTP statuses,
 * DNS, TLS and connection failures -> WARD_ENET; too slow -> WARD_ELIMIT
 * ("... slower than N bytes/s for M s").  The message names the URL. */
int fetch_stream(fetcher *f, const char *url, uint64_t max_len, fetch_sink sink, void *ctx,
		 ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Convenience: appends the body to out (whose own cap also applies). */
int fetch_to_buf(fetcher *f, const char *url, uint64_t max_len, ward_buf *out,
		 ward_error *err) WARD_INTERNAL WARD_NODISCARD;

#endif
