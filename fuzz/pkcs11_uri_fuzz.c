/*
 * pkcs11_uri_fuzz.c - fuzzes the RFC 7512 PKCS#11 URI parser
 * (src/crypto/pkcs11_uri.c): pkcs11_uri_parse on a NUL-terminated copy of
 * the input, as it receives a URI from the command line or a repository's
 * configuration, then pkcs11_uri_dispose.  The parser enforces the
 * production limit (PKCS11_URI_MAX) itself; max_len in scripts/fuzz.sh goes
 * past it so that the refusal runs too.
 *
 * Properties (abort = a bug in ward):
 *  - a failure is one of the documented codes, fills ward_error with a
 *    message of printable ASCII, returns the same code without a
 *    ward_error, and leaves *out untouched;
 *  - the PIN is never echoed: the input is parsed a second time with every
 *    pin-value changed (each letter and digit rotated, each valid escape of
 *    a non-zero byte turned into another non-zero byte; NUL escapes, other
 *    characters and every length kept, so the grammar sees the same
 *    classes).  Both parses must give the same code and the very same
 *    message, and the message must not contain the pin-value text;
 *  - a parsed URI keeps the documented invariants (no empty value, has_id
 *    with id bytes, not both PIN attributes, not both module attributes,
 *    an absolute module-path);
 *  - a parsed URI, written back with every byte outside RFC 3986's
 *    unreserved set percent-encoded, parses to the same fields;
 *  - pkcs11_uri_dispose leaves a zeroed struct.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/pkcs11_uri.h"
#include "fuzz.h"
#include "util/buf.h"

/* ---- the pin-value variant ---- */

static bool is_sep(char c)
{
	return c == '\0' || c == ';' || c == '&' || c == '?';
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char rotate(char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)('a' + (c - 'a' + 1) % 26);
	if (c >= 'A' && c <= 'Z')
		return (char)('A' + (c - 'A' + 1) % 26);
	if (c >= '0' && c <= '9')
		return (char)('0' + (c - '0' + 1) % 10);
	return c;
}

/* Changes the value after every "pin-value=" in s, up to the next
 * separator, as described above.  The text after "pin-value=" is always
 * inside a value: a name cannot hold '=', and the scheme comes first. */
static void change_pins(char *s)
{
	static const char key[] = "pin-value=";
	for (char *p = s; (p = strstr(p, key)) != NULL;) {
		p += sizeof(key) - 1;
		while (!is_sep(*p)) {
			int hi = *p == '%' ? hex_val(p[1]) : -1;
			int lo = hi >= 0 ? hex_val(p[2]) : -1;
			if (*p != '%') {
				*p = rotate(*p);
				p++;
			} else if (lo >= 0) {
				/* A valid escape: 1..255 -> 2..255, 1; 0 stays 0. */
				unsigned b = (unsigned)(hi << 4 | lo);
				b = b ? b % 255 + 1 : 0;
				p[1] = "0123456789ABCDEF"[b >> 4];
				p[2] = "0123456789ABCDEF"[b & 15];
				p += 3;
			} else {
				/* A bad escape refuses the value either way: keep
				 * it, so that it stays bad. */
				p++;
				for (int k = 0; k < 2 && !is_sep(*p); k++)
					p++;
			}
		}
	}
}

/* The first pin-value text of s, raw, as the input has it. */
static void first_pin(const char *s, char *pin, size_t pin_size)
{
	static const char key[] = "pin-value=";
	pin[0] = '\0';
	const char *p = strstr(s, key);
	if (!p)
		return;
	p += sizeof(key) - 1;
	size_t n = 0;
	while (!is_sep(p[n]))
		n++;
	if (n >= pin_size)
		n = pin_size - 1;
	memcpy(pin, p, n);
	pin[n] = '\0';
}

/* ---- invariants and the round trip ---- */

static void check_text(const char *s)
{
	if (s && s[0] == '\0')
		abort();
}

static void check_uri(const pkcs11_uri *u)
{
	check_text(u->token);
	check_text(u->manufacturer);
	check_text(u->serial);
	check_text(u->model);
	check_text(u->object);
	check_text(u->module_path);
	check_text(u->module_name);
	check_text(u->pin_value);
	check_text(u->pin_source);
	if (u->has_id ? !u->id || u->id_len == 0 : u->id || u->id_len)
		abort();
	if ((u->pin_value && u->pin_source) || (u->module_path && u->module_name))
		abort();
	if (u->module_path && u->module_path[0] != '/')
		abort();
}

static bool unreserved(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Appends sep name=value (value percent-encoded); sep is skipped for the
 * first attribute of the path or query. */
static int put_attr(ward_buf *b, bool *first, char sep, const char *name, const uint8_t *v,
		    size_t n)
{
	if (!v)
		return 0;
	int rc = 0;
	if (!*first)
		rc = buf_putc(b, (uint8_t)sep);
	*first = false;
	if (!rc)
		rc = buf_append(b, name, strlen(name));
	if (!rc)
		rc = buf_putc(b, '=');
	for (size_t i = 0; !rc && i < n; i++) {
		if (unreserved(v[i])) {
			rc = buf_putc(b, v[i]);
		} else {
			char esc[4];
			snprintf(esc, sizeof(esc), "%%%02X", v[i]);
			rc = buf_append(b, esc, 3);
		}
	}
	return rc;
}

static int put_text(ward_buf *b, bool *first, char sep, const char *name, const char *v)
{
	return put_attr(b, first, sep, name, (const uint8_t *)v, v ? strlen(v) : 0);
}

static int render(ward_buf *b, const pkcs11_uri *u)
{
	bool first = true;
	int rc = buf_append(b, "pkcs11:", 7);
	if (!rc)
		rc = put_text(b, &first, ';', "token", u->token);
	if (!rc)
		rc = put_text(b, &first, ';', "manufacturer", u->manufacturer);
	if (!rc)
		rc = put_text(b, &first, ';', "serial", u->serial);
	if (!rc)
		rc = put_text(b, &first, ';', "model", u->model);
	if (!rc)
		rc = put_text(b, &first, ';', "object", u->object);
	if (!rc && u->has_id)
		rc = put_attr(b, &first, ';', "id", u->id, u->id_len);
	first = true;
	if (!rc)
		rc = buf_putc(b, '?');
	if (!rc)
		rc = put_text(b, &first, '&', "module-path", u->module_path);
	if (!rc)
		rc = put_text(b, &first, '&', "module-name", u->module_name);
	if (!rc)
		rc = put_text(b, &first, '&', "pin-value", u->pin_value);
	if (!rc)
		rc = put_text(b, &first, '&', "pin-source", u->pin_source);
	return rc;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_uri(const pkcs11_uri *a, const pkcs11_uri *b)
{
	return same_text(a->token, b->token) && same_text(a->manufacturer, b->manufacturer) &&
	       same_text(a->serial, b->serial) && same_text(a->model, b->model) &&
	       same_text(a->object, b->object) && a->has_id == b->has_id &&
	       a->id_len == b->id_len && (!a->has_id || memcmp(a->id, b->id, a->id_len) == 0) &&
	       same_text(a->module_path, b->module_path) &&
	       same_text(a->module_name, b->module_name) && same_text(a->pin_value, b->pin_value) &&
	       same_text(a->pin_source, b->pin_source);
}

static void check_round_trip(const pkcs11_uri *u)
{
	/* Percent-encoding triples a byte: longer results are not URIs. */
	WARD_AUTO(buf_dispose_secret) ward_buf b = WARD_BUF_INIT(PKCS11_URI_MAX);
	int rc = render(&b, u);
	if (rc == WARD_ELIMIT || rc == WARD_ENOMEM)
		return;
	if (rc)
		abort();
	WARD_AUTO(pkcs11_uri_dispose) pkcs11_uri again = { 0 };
	ward_error err = { 0, "" };
	rc = pkcs11_uri_parse(&again, (const char *)b.ptr, &err);
	if (rc == WARD_ENOMEM)
		return;
	if (rc || !same_uri(u, &again))
		abort();
}

static void check_disposed(const pkcs11_uri *u)
{
	static const pkcs11_uri zero = { 0 };
	if (u->token || u->manufacturer || u->serial || u->model || u->object || u->id ||
	    u->id_len || u->has_id || u->module_path || u->module_name || u->pin_value ||
	    u->pin_source || memcmp(u, &zero, sizeof(*u)) != 0)
		abort();
}

/* A message is one line of printable ASCII: the only text it quotes from
 * the URI is an attribute name, checked to be [A-Za-z0-9_-] first. */
static void check_failure(int rc, const ward_error *err)
{
	if (rc != WARD_EINVAL && rc != WARD_ELIMIT && rc != WARD_ENOMEM)
		abort();
	size_t n = strnlen(err->msg, sizeof(err->msg));
	if (err->code != rc || n == 0 || n == sizeof(err->msg))
		abort();
	for (size_t i = 0; i < n; i++)
		if (err->msg[i] < 0x20 || err->msg[i] > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	WARD_AUTO(free) char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	pkcs11_uri u, before;
	memset(&u, 0xa5, sizeof(u));
	memcpy(&before, &u, sizeof(u));
	ward_error err = { 0, "" };
	int rc = pkcs11_uri_parse(&u, s, &err);
	if (rc == WARD_ENOMEM)
		return 0;
	if (rc) {
		if (memcmp(&u, &before, sizeof(u)) != 0)
			abort();
		check_failure(rc, &err);
		if (pkcs11_uri_parse(&u, s, NULL) != rc)
			abort();
	} else {
		check_uri(&u);
		check_round_trip(&u);
		pkcs11_uri_dispose(&u);
		check_disposed(&u);
	}

	/* The same input with other pins. */
	char pin[PKCS11_URI_MAX + 1];
	first_pin(s, pin, sizeof(pin));
	if (!pin[0])
		return 0;
	change_pins(s);
	WARD_AUTO(pkcs11_uri_dispose) pkcs11_uri v = { 0 };
	ward_error verr = { 0, "" };
	int vrc = pkcs11_uri_parse(&v, s, &verr);
	if (vrc == WARD_ENOMEM)
		return 0;
	if (vrc != rc)
		abort();
	if (rc) {
		/* The pin text may appear in a message only where it is also
		 * text of the message for a different pin (pin-value=pkcs11). */
		if (strstr(err.msg, pin) && !strstr(verr.msg, pin))
			abort();
		if (strcmp(err.msg, verr.msg) != 0)
			abort();
	}
	return 0;
}
