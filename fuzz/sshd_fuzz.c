/*
 * sshd_fuzz.c - fuzzes the sshd_config reader (src/audit/core/sshd.c):
 * audit_sshd_effective on an image whose /etc/ssh/sshd_config is the input
 * up to its first "=== /path" line; the lines after it are more files
 * (fuzz/audit_fuzz.h), so that Include, its globs and sorted expansion,
 * nesting and symbolic links are reached through the real tar backend.
 *
 * Properties (abort = a bug in ward), besides those of audit_fuzz.h:
 *  - on success every setting has a value (at most the field's size, in
 *    lower case, as sshd_config values are compared) and says where it
 *    came from;
 *  - the same image gives the same settings twice.
 */
#include <ctype.h>

#include "audit_fuzz.h"

static void check_field(const char *v, size_t size, const char *where, size_t wsize)
{
	size_t n = strnlen(v, size), w = strnlen(where, wsize);
	if (n == size || w == 0 || w == wsize)
		abort();
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)v[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	afz_image im;
	if (!afz_image_make(&im, "/etc/ssh/sshd_config", data, size))
		return 0;
	audit_sshd s, again;
	ward_error err = { 0, "" };
	int rc = audit_sshd_effective(&s, im.fs, &err);
	afz_check_rc(rc, &err);
	if (rc == 0) {
		check_field(s.permit_root_login, sizeof(s.permit_root_login), s.where_root, sizeof(s.where_root));
		check_field(s.password_authentication, sizeof(s.password_authentication), s.where_pass,
			    sizeof(s.where_pass));
		check_field(s.permit_empty_passwords, sizeof(s.permit_empty_passwords), s.where_empty,
			    sizeof(s.where_empty));
		if (audit_sshd_effective(&again, im.fs, &err) != 0 || memcmp(&s, &again, sizeof(s)) != 0)
			abort();
	}
	afz_image_free(&im);
	return 0;
}
