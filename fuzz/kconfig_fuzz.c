/*
 * kconfig_fuzz.c - fuzzes the Kconfig .config reader (boot_kcfg_get in
 * src/audit/boot/kconfig.c) and the checks built on it: the input as a
 * U-Boot .config (src/audit/boot/uboot.c) and as a kernel .config.
 *
 * Properties (abort = a bug in ward), besides those of audit_fuzz.h:
 *  - a value found by boot_kcfg_get lies inside the input (or is the "n"
 *    of "# CONFIG_X is not set"), on the line that names it;
 *  - boot_kcfg_is_on agrees with the value.
 */
#include "audit/boot/boot_int.h"
#include "audit_fuzz.h"

static const char *const NAMES[] = {
	"CONFIG_MODULES", "CONFIG_FIT_SIGNATURE", "CONFIG_ENV_IS_NOWHERE", "CONFIG_BOOTDELAY",
	"CONFIG_X", "CONFIG_",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < WARD_ARRAY_LEN(NAMES); i++) {
		size_t vlen = 0;
		const char *v = boot_kcfg_get(data, size, NAMES[i], &vlen);
		bool on = boot_kcfg_is_on(data, size, NAMES[i]);
		if (!v) {
			if (on)
				abort();
			continue;
		}
		if (on != (vlen == 1 && (v[0] == 'y' || v[0] == 'm')))
			abort();
		if (v[0] == 'n' && vlen == 1 && !((const uint8_t *)v >= data && (const uint8_t *)v < data + size))
			continue; /* "# CONFIG_X is not set" */
		const uint8_t *p = (const uint8_t *)v;
		size_t nl = strlen(NAMES[i]);
		if (p < data + nl + 1 || p + vlen > data + size || p[-1] != '=' ||
		    memcmp(p - 1 - nl, NAMES[i], nl) != 0 || memchr(p, '\n', vlen))
			abort();
	}
	audit_ctx *a = afz_ctx();
	if (!a)
		return 0;
	ward_error err = { 0, "" };
	int rc = boot_uboot_config(a, ".config", data, size, &err);
	afz_check_rc(rc, &err);
	rc = boot_kernel_config(a, "config-6.1.0", data, size, &err);
	afz_check_rc(rc, &err);
	afz_check_report(a);
	audit_ctx_free(a);
	return 0;
}
