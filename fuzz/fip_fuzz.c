/*
 * fip_fuzz.c - fuzzes the boot-image readers of `ward audit`
 * (src/audit/boot/bootimg.c): a TF-A FIP's table of contents and the TBB
 * certificates' NV counters (SB-07, RB-03), then the same bytes as an i.MX
 * image with an IVT (SB-07).
 *
 * Properties (abort = a bug in ward), besides those of audit_fuzz.h:
 *  - a FIP is refused only with WARD_EINVAL or WARD_ELIMIT (or ENOMEM),
 *    and a refused FIP adds no SB-07 or RB-03;
 *  - the IVT check reports at most one finding.
 */
#include "audit/boot/boot_int.h"
#include "audit_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	audit_ctx *a = afz_ctx();
	if (!a)
		return 0;
	ward_error err = { 0, "" };
	int rc = boot_fip(a, "fip.bin", data, size, &err);
	afz_check_rc(rc, &err);
	if (rc && rc != WARD_EINVAL && rc != WARD_ELIMIT && rc != WARD_ENOMEM)
		abort();
	for (size_t i = 0; rc && i < a->n; i++)
		if (strcmp(a->f[i].id, "SB-07") == 0 || strcmp(a->f[i].id, "RB-03") == 0)
			abort();
	size_t before = a->n;
	boot_imx_ivt(a, "u-boot.imx", data, size);
	if (a->n > before + 1)
		abort();
	afz_check_report(a);
	audit_ctx_free(a);
	return 0;
}
