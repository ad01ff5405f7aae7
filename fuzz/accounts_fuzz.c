/*
 * accounts_fuzz.c - fuzzes the account checks (AUTH-01..03 in
 * src/audit/core/rootfs.c): the input as /etc/passwd (audit_check_passwd)
 * and as /etc/shadow (audit_check_shadow: hash schemes, and crypt(3)
 * against the well-known passwords), as the rootfs check reads them.
 *
 * Properties (abort = a bug in ward), besides those of audit_fuzz.h:
 *  - no evidence holds a password hash of the input (the report names the
 *    account, never its hash): checked for every second field of 8 bytes
 *    or more that is not also part of an account name or of the fixed
 *    text of the checks.
 */
#include "audit_fuzz.h"

/* The fixed words of the findings' evidence, which a "hash" made of them
 * would match without being echoed. */
static bool fixed_text(const char *h, size_t n)
{
	static const char text[] = "account has UID 0 an empty password field in /etc/passwd: login "
				   "without a password hash world-readable root usable; it is a "
				   "well-known password: uses weak scheme (MD5 crypt) (DES crypt)";
	return memmem(text, sizeof(text) - 1, h, n) != NULL;
}

static void check_no_hash(const audit_ctx *a, const uint8_t *data, size_t size)
{
	for (size_t p = 0; p < size;) {
		const uint8_t *nl = memchr(data + p, '\n', size - p);
		size_t e = nl ? (size_t)(nl - data) : size;
		const uint8_t *c1 = memchr(data + p, ':', e - p);
		const uint8_t *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(data + e - c1 - 1)) : NULL;
		const uint8_t *he = c2 ? c2 : data + e;
		if (c1 && he - c1 - 1 >= 8 && !memchr(c1 + 1, '\0', (size_t)(he - c1 - 1)) &&
		    !memchr(c1 + 1, '\r', (size_t)(he - c1 - 1))) {
			const char *h = (const char *)c1 + 1;
			size_t n = (size_t)(he - c1 - 1);
			if (n > 256)
				n = 256;
			bool in_name = false;
			for (size_t i = 0; i < size && !in_name; i++) { /* part of some account's name? */
				size_t ne = i;
				while (ne < size && data[ne] != ':' && data[ne] != '\n')
					ne++;
				in_name = memmem(data + i, ne - i, h, n) != NULL;
				i = ne;
				while (i < size && data[i] != '\n')
					i++;
			}
			if (!in_name && !fixed_text(h, n) && afz_evidence_has(a, h, n))
				abort();
		}
		p = e + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	audit_ctx *a = afz_ctx();
	if (!a)
		return 0;
	audit_check_passwd(a, data, size);
	audit_check_shadow(a, data, size);
	check_no_hash(a, data, size);
	afz_check_report(a);
	audit_ctx_free(a);
	return 0;
}
