/*
 * kernel_fuzz.c - fuzzes the kernel-image reader of `ward audit`
 * (src/audit/core/kernel.c): the payload found from the bzImage, uImage
 * and EFI zboot headers or a compression magic, decompressed by libarchive
 * up to the per-file cap, and the key scan of the result (KEY-06).
 *
 * Properties (abort = a bug in ward), besides those of audit_fuzz.h:
 *  - a refusal is WARD_EINVAL (corrupt payload), WARD_ELIMIT (larger than
 *    the cap) or WARD_ENOMEM, and leaves no finding;
 *  - findings are the key detector's, relabelled: KEY-06 (never KEY-01,
 *    never SEC-01: nothing in a kernel is a file on the filesystem) or
 *    KEY-03.
 */
#include "audit_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	audit_ctx *a = afz_ctx();
	if (!a)
		return 0;
	ward_error err = { 0, "" };
	int rc = audit_check_kernel_image(a, "/boot/vmlinuz", data, size, &err);
	afz_check_rc(rc, &err);
	if (rc && (a->n != 0 || (rc != WARD_EINVAL && rc != WARD_ELIMIT && rc != WARD_ENOMEM)))
		abort();
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->f[i].id, "KEY-06") != 0 && strcmp(a->f[i].id, "KEY-03") != 0)
			abort();
	afz_check_report(a);
	audit_ctx_free(a);
	return 0;
}
