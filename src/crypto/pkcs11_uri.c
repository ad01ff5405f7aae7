/*
 * pkcs11_uri.c - the RFC 7512 PKCS#11 URI parser and the PIN a URI
 * supplies (pin-value, or a pin-source file).  Everything here is
 * configuration, but typed by people, so the grammar is checked strictly
 * and every failure names the attribute without echoing a value.
 */
#include "crypto/pkcs11_uri.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define fail ward_err

static bool is_unreserved(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* RFC 7512: pk11-pchar (path values) and pk11-qchar (query values), less
 * the percent escapes, which the decoder checks. */
static bool value_char_ok(int c, bool path)
{
	if (c == '\0')
		return false;
	if (is_unreserved(c) || strchr(":[]@!$'()*+,=", c))
		return true;
	return path ? c == '&' : (c == '/' || c == '?' || c == '|');
}

static int hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..len) into a malloc'd, NUL-terminated buffer.
 * WARD_EINVAL for a character the grammar forbids or a bad escape. */
static int pct_decode(uint8_t **out, size_t *outlen, const char *s, size_t len, bool path)
{
	uint8_t *d = malloc(len + 1);
	if (!d)
		return WARD_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			int hi = i + 2 < len ? hex_val((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < len ? hex_val((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				OPENSSL_cleanse(d, len + 1);
				free(d);
				return WARD_EINVAL;
			}
			d[n++] = (uint8_t)(hi << 4 | lo);
			i += 2;
		} else if (value_char_ok(c, path)) {
			d[n++] = (uint8_t)c;
		} else {
			OPENSSL_cleanse(d, len + 1);
			free(d);
			return WARD_EINVAL;
		}
	}
	d[n] = '\0';
	*out = d;
	*outlen = n;
	return 0;
}

enum attr_id {
	A_TOKEN,
	A_MANUFACTURER,
	A_SERIAL,
	A_MODEL,
	A_OBJECT,
	A_ID,
	A_TYPE,
	A_PIN_VALUE,
	A_PIN_SOURCE,
	A_MODULE_NAME,
	A_MODULE_PATH,
};

/* The attributes we act on.  The bit of each in a `seen` mask catches
 * repeats. */
static const struct {
	const char *name;
	bool path;
	enum attr_id id;
} ATTRS[] = {
	{ "token", true, A_TOKEN },
	{ "manufacturer", true, A_MANUFACTURER },
	{ "serial", true, A_SERIAL },
	{ "model", true, A_MODEL },
	{ "object", true, A_OBJECT },
	{ "id", true, A_ID },
	{ "type", true, A_TYPE },
	{ "pin-value", false, A_PIN_VALUE },
	{ "pin-source", false, A_PIN_SOURCE },
	{ "module-name", false, A_MODULE_NAME },
	{ "module-path", false, A_MODULE_PATH },
};

/* RFC 7512 path attributes that we do not select by.  Refused rather than
 * ignored: ignoring one would widen the match beyond what the URI says. */
static const char *const PATH_UNSUPPORTED[] = {
	"library-manufacturer", "library-description", "library-version",
	"slot-description",     "slot-manufacturer",   "slot-id",
};

static char **text_field(pkcs11_uri *u, enum attr_id id)
{
	switch (id) {
	case A_TOKEN:
		return &u->token;
	case A_MANUFACTURER:
		return &u->manufacturer;
	case A_SERIAL:
		return &u->serial;
	case A_MODEL:
		return &u->model;
	case A_OBJECT:
		return &u->object;
	case A_PIN_VALUE:
		return &u->pin_value;
	case A_PIN_SOURCE:
		return &u->pin_source;
	case A_MODULE_NAME:
		return &u->module_name;
	case A_MODULE_PATH:
		return &u->module_path;
	case A_ID:
	case A_TYPE:
		break;
	}
	return NULL;
}

static void secret_free(void *p, size_t len)
{
	if (p)
		OPENSSL_cleanse(p, len);
	free(p);
}

/* One "name=value" of the path (path) or the query. */
static int parse_attr(pkcs11_uri *u, const char *s, size_t len, bool path, unsigned *seen,
		      ward_error *err)
{
	const char *part = path ? "path" : "query";
	const char *eq = memchr(s, '=', len);
	if (!eq)
		return fail(err, WARD_EINVAL, "pkcs11 URI: %s attribute without \"=\"", part);
	size_t nlen = (size_t)(eq - s);
	if (nlen == 0)
		return fail(err, WARD_EINVAL, "pkcs11 URI: malformed %s attribute name", part);
	for (size_t i = 0; i < nlen; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return fail(err, WARD_EINVAL, "pkcs11 URI: malformed %s attribute name", part);
	int name_len = nlen > 40 ? 40 : (int)nlen; /* for messages */

	size_t a = 0;
	while (a < WARD_ARRAY_LEN(ATTRS) &&
	       !(ATTRS[a].path == path && strlen(ATTRS[a].name) == nlen &&
		 memcmp(ATTRS[a].name, s, nlen) == 0))
		a++;
	if (a == WARD_ARRAY_LEN(ATTRS) && path) {
		for (size_t i = 0; i < WARD_ARRAY_LEN(PATH_UNSUPPORTED); i++)
			if (strlen(PATH_UNSUPPORTED[i]) == nlen && memcmp(PATH_UNSUPPORTED[i], s, nlen) == 0)
				return fail(err, WARD_EINVAL,
					    "pkcs11 URI: path attribute \"%.*s\" is not supported", name_len, s);
		return fail(err, WARD_EINVAL, "pkcs11 URI: unknown path attribute \"%.*s\"", name_len, s);
	}

	uint8_t *val = NULL;
	size_t vlen = 0;
	size_t rawlen = len - nlen - 1;
	int rc = pct_decode(&val, &vlen, eq + 1, rawlen, path);
	if (rc == WARD_ENOMEM)
		return fail(err, rc, "pkcs11 URI: out of memory");
	if (rc)
		return fail(err, rc, "pkcs11 URI: attribute \"%.*s\" has a character or escape RFC 7512 does not allow",
			    name_len, s);
	/* RFC 7512 section 2.3: unknown query attributes are ignored (after
	 * the syntax check above). */
	if (a == WARD_ARRAY_LEN(ATTRS)) {
		secret_free(val, vlen);
		return 0;
	}
	enum attr_id id = ATTRS[a].id;
	const char *name = ATTRS[a].name;
	if (*seen & (1u << id)) {
		secret_free(val, vlen);
		return fail(err, WARD_EINVAL, "pkcs11 URI: attribute \"%s\" appears twice", name);
	}
	*seen |= 1u << id;
	if (vlen == 0) {
		secret_free(val, vlen);
		return fail(err, WARD_EINVAL, "pkcs11 URI: attribute \"%s\" is empty", name);
	}
	if (id == A_ID) {
		u->id = val;
		u->id_len = vlen;
		u->has_id = true;
		return 0;
	}
	if (memchr(val, '\0', vlen)) {
		secret_free(val, vlen);
		return fail(err, WARD_EINVAL, "pkcs11 URI: attribute \"%s\" holds a NUL byte", name);
	}
	if (id == A_TYPE) {
		bool is_private = strcmp((char *)val, "private") == 0;
		free(val);
		if (!is_private)
			return fail(err, WARD_EINVAL,
				    "pkcs11 URI: type must be \"private\": only private keys sign");
		return 0;
	}
	char **field = text_field(u, id);
	if (!field) {
		free(val);
		return fail(err, WARD_EINVAL, "pkcs11 URI: attribute \"%s\" is misplaced", name);
	}
	*field = (char *)val;
	return 0;
}

/* A ';'-separated path or '&'-separated query; empty is allowed. */
static int parse_list(pkcs11_uri *u, const char *s, size_t len, bool path, unsigned *seen,
		      ward_error *err)
{
	if (len == 0)
		return 0;
	const char *end = s + len;
	for (;;) {
		const char *sep = memchr(s, path ? ';' : '&', (size_t)(end - s));
		const char *stop = sep ? sep : end;
		if (stop == s)
			return fail(err, WARD_EINVAL, "pkcs11 URI: empty %s attribute",
				    path ? "path" : "query");
		int rc = parse_attr(u, s, (size_t)(stop - s), path, seen, err);
		if (rc)
			return rc;
		if (!sep)
			return 0;
		s = sep + 1;
	}
}

void pkcs11_uri_dispose(pkcs11_uri *u)
{
	if (!u)
		return;
	free(u->token);
	free(u->manufacturer);
	free(u->serial);
	free(u->model);
	free(u->object);
	free(u->id);
	free(u->module_path);
	free(u->module_name);
	if (u->pin_value)
		secret_free(u->pin_value, strlen(u->pin_value));
	free(u->pin_source);
	memset(u, 0, sizeof(*u));
}

int pkcs11_uri_parse(pkcs11_uri *out, const char *uri, ward_error *err)
{
	static const char scheme[] = "pkcs11:";
	if (!out || !uri)
		return fail(err, WARD_EINVAL, "pkcs11 URI: none given");
	size_t len = strnlen(uri, PKCS11_URI_MAX + 1);
	if (len > PKCS11_URI_MAX)
		return fail(err, WARD_ELIMIT, "pkcs11 URI: longer than %zu bytes", PKCS11_URI_MAX);
	/* RFC 3986: the scheme name is case-insensitive. */
	if (len < sizeof(scheme) - 1 || strncasecmp(uri, scheme, sizeof(scheme) - 1) != 0)
		return fail(err, WARD_EINVAL, "pkcs11 URI: does not start with \"pkcs11:\"");
	const char *p = uri + sizeof(scheme) - 1;
	const char *end = uri + len;
	const char *q = memchr(p, '?', (size_t)(end - p));

	WARD_AUTO(pkcs11_uri_dispose) pkcs11_uri u = { 0 };
	unsigned seen = 0;
	int rc = parse_list(&u, p, (size_t)((q ? q : end) - p), true, &seen, err);
	if (rc)
		return rc;
	if (q && (rc = parse_list(&u, q + 1, (size_t)(end - q - 1), false, &seen, err)))
		return rc;
	/* RFC 7512 section 2.3: both PIN attributes make the URI invalid.  Both
	 * module attributes are refused too: they could name different modules. */
	if (u.pin_value && u.pin_source)
		return fail(err, WARD_EINVAL, "pkcs11 URI: both pin-value and pin-source given");
	if (u.module_path && u.module_name)
		return fail(err, WARD_EINVAL, "pkcs11 URI: both module-path and module-name given");
	if (u.module_path && u.module_path[0] != '/')
		return fail(err, WARD_EINVAL, "pkcs11 URI: module-path is not an absolute path");
	*out = u;
	memset(&u, 0, sizeof(u));
	return 0;
}

/* ---- the PIN ---- */

void pkcs11_pin_wipe(pkcs11_pin *pin)
{
	OPENSSL_cleanse(pin, sizeof(*pin));
}

static int pin_set(pkcs11_pin *pin, const char *s, ward_error *err)
{
	size_t len = strnlen(s, PKCS11_PIN_MAX + 1);
	if (len > PKCS11_PIN_MAX)
		return fail(err, WARD_ELIMIT, "pkcs11: PIN longer than %zu bytes", PKCS11_PIN_MAX);
	memcpy(pin->buf, s, len);
	pin->len = len;
	pin->set = true;
	return 0;
}

/* pin-source: a path, or a file: URI without a host (RFC 8089). */
static int pin_from_file(pkcs11_pin *pin, const char *source, ward_error *err)
{
	const char *path = source;
	if (strncmp(path, "file:", 5) == 0) {
		path += 5;
		if (strncmp(path, "//", 2) == 0) {
			path += 2;
			if (strncmp(path, "localhost/", 10) == 0)
				path += 9;
			else if (path[0] != '/')
				return fail(err, WARD_EINVAL, "pkcs11 URI: pin-source names a remote host");
		}
	}
	if (!*path)
		return fail(err, WARD_EINVAL, "pkcs11 URI: pin-source names no file");
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		return fail(err, e == ENOENT ? WARD_ENOTFOUND : WARD_EIO, "pkcs11 pin-source \"%.200s\": %s",
			    path, strerror(e));
	}
	size_t n = 0;
	int rc = 0;
	while (n < sizeof(pin->buf)) {
		ssize_t r = read(fd, pin->buf + n, sizeof(pin->buf) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = fail(err, WARD_EIO, "pkcs11 pin-source \"%.200s\": %s", path, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (rc)
		return rc;
	/* One final newline is not part of the PIN (echo pin > file). */
	if (n && pin->buf[n - 1] == '\n')
		n--;
	if (n && pin->buf[n - 1] == '\r')
		n--;
	if (n > PKCS11_PIN_MAX)
		return fail(err, WARD_ELIMIT, "pkcs11 pin-source \"%.200s\": longer than a %zu-byte PIN",
			    path, PKCS11_PIN_MAX);
	if (memchr(pin->buf, '\0', n))
		return fail(err, WARD_EINVAL, "pkcs11 pin-source \"%.200s\": holds a NUL byte", path);
	pin->len = n;
	pin->set = true;
	return 0;
}

/* The explicit PIN wins over the URI's; pin-value over pin-source (the
 * parser already refused both). */
int pkcs11_pin_resolve(pkcs11_pin *pin, const pkcs11_uri *u, const char *explicit_pin,
		       ward_error *err)
{
	if (explicit_pin)
		return pin_set(pin, explicit_pin, err);
	if (u->pin_value)
		return pin_set(pin, u->pin_value, err);
	if (u->pin_source)
		return pin_from_file(pin, u->pin_source, err);
	return 0;
}
