/*
 * dispatch.c - weak stand-ins for the boot-chain checks and the key
 * detector (src/audit/boot/boot.h).  They find nothing and succeed.  When
 * src/audit/boot is built into libward, its strong definitions replace
 * these at link time; the core never needs to know which it got.
 */
#include "audit/boot/boot.h"

__attribute__((weak)) int audit_boot_check(audit_ctx *a, audit_kind kind, const char *file,
					   const uint8_t *data, size_t len, ward_error *err)
{
	(void)a;
	(void)kind;
	(void)file;
	(void)data;
	(void)len;
	(void)err;
	return 0;
}

__attribute__((weak)) int audit_boot_finish(audit_ctx *a, ward_error *err)
{
	(void)a;
	(void)err;
	return 0;
}

__attribute__((weak)) void audit_boot_state_free(audit_boot_state *st)
{
	(void)st;
}

__attribute__((weak)) int audit_keys_scan(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
					  bool in_rootfs, ward_error *err)
{
	(void)a;
	(void)file;
	(void)data;
	(void)len;
	(void)in_rootfs;
	(void)err;
	return 0;
}

__attribute__((weak)) int audit_denyset_load(audit_denyset **out, const char *file, const uint8_t *data,
					     size_t len, ward_error *err)
{
	(void)data;
	(void)len;
	*out = NULL;
	return ward_err(err, WARD_EINVAL, "%s: this build has no key checks", file);
}

__attribute__((weak)) void audit_denyset_free(audit_denyset *d)
{
	(void)d;
}
