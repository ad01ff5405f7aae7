/*
 * dtb_fuzz.c - fuzzes the device-tree walker (src/audit/boot/dtb.c): one
 * input as a DTB or FIT (boot_dtb, as `ward audit board.dtb` or a /boot
 * dtb of a rootfs), as a U-Boot control DTB (the /signature keys: SB-05,
 * KEY-02, KEY-04, RSA keys rebuilt with OpenSSL), and as a U-Boot binary
 * with an appended control DTB (boot_uboot_bin: the FDT search, the
 * version string, the default environment and the key scan), with the
 * production limits.
 *
 * Properties (abort = a bug in ward), besides those of audit_fuzz.h:
 *  - the same blob one byte off 8-byte alignment (libfdt needs alignment;
 *    dtb.c copies an unaligned blob) gives the same findings.
 */
#include "audit/boot/boot_int.h"
#include "audit_fuzz.h"

static void run(audit_ctx *a, const char *file, const uint8_t *data, size_t size, bool control)
{
	ward_error err = { 0, "" };
	int rc = boot_dtb(a, file, data, size, control, &err);
	afz_check_rc(rc, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	audit_ctx *a = afz_ctx(), *b = afz_ctx();
	uint8_t *shifted = malloc(size + 1);
	if (!a || !b || !shifted)
		goto out;
	memcpy(shifted + 1, data, size);
	run(a, "board.dtb", data, size, false);
	/* the copy is never 8-byte aligned when data is (malloc aligns) */
	run(b, "board.dtb", shifted + 1, size, false);
	if (a->n != b->n || a->failed_alloc != b->failed_alloc)
		abort();
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->f[i].id, b->f[i].id) != 0 || strcmp(a->f[i].evidence, b->f[i].evidence) != 0)
			abort();
	run(a, "u-boot.dtb", data, size, true);
	ward_error err = { 0, "" };
	int rc = boot_uboot_bin(a, "u-boot.bin", shifted + 1, size, &err);
	afz_check_rc(rc, &err);
	/* the verdicts across inputs: the FIT's signatures against the control
	 * DTB (the same bytes) and against every denylisted key */
	rc = audit_boot_finish(a, &err);
	afz_check_rc(rc, &err);
	afz_check_report(a);
out:
	free(shifted);
	audit_ctx_free(a);
	audit_ctx_free(b);
	return 0;
}
