/*
 * kconfig.c - the Kconfig .config reader shared by the U-Boot and kernel
 * checks, and the kernel checks themselves (SB-08, HW-08; a subset of
 * kernel-hardening-checker).
 */
#include <string.h>

#include "audit/boot/boot_int.h"

/* Kernel options that hand an attacker memory, a debugger or a new kernel
 * (HW-08).  Data-driven: add a row to add a check. */
static const char *const kernel_debug_opts[] = {
	"CONFIG_DEVMEM", "CONFIG_DEBUG_FS", "CONFIG_KGDB", "CONFIG_MAGIC_SYSRQ",
	"CONFIG_PROC_KCORE", "CONFIG_KEXEC",
};

const char *boot_kcfg_get(const uint8_t *data, size_t len, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *p = (const char *)data, *end = p + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t l = (size_t)(eol - p);
		if (l > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=') {
			*vlen = l - nlen - 1;
			return p + nlen + 1;
		}
		/* "# CONFIG_X is not set" */
		if (l == nlen + 13 && memcmp(p, "# ", 2) == 0 && memcmp(p + 2, name, nlen) == 0 &&
		    memcmp(p + 2 + nlen, " is not set", 11) == 0) {
			*vlen = 1;
			return "n";
		}
		p = eol + 1;
	}
	return NULL;
}

bool boot_kcfg_is_on(const uint8_t *data, size_t len, const char *name)
{
	size_t vlen;
	const char *v = boot_kcfg_get(data, len, name, &vlen);
	return v && vlen == 1 && (v[0] == 'y' || v[0] == 'm');
}

/* RB-03: MCUboot (the Zephyr build of the bootloader: its .config names a
 * signature type) boots an older signed image unless downgrade prevention
 * is on; without a hardware security counter the check compares with the
 * image in the other slot only, so an attacker who erases that slot can
 * still install an old, vulnerable image.  The bootloader is usually not
 * updatable in the field. */
static void mcuboot_rollback(audit_ctx *a, const char *file, const uint8_t *data, size_t len)
{
	if (!memmem(data, len, "CONFIG_BOOT_SIGNATURE_TYPE_", 27))
		return;
	if (!boot_kcfg_is_on(data, len, "CONFIG_MCUBOOT_DOWNGRADE_PREVENTION"))
		audit_report(a, "RB-03", AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_NO, file,
			     "CONFIG_MCUBOOT_DOWNGRADE_PREVENTION",
			     "Set CONFIG_MCUBOOT_DOWNGRADE_PREVENTION=y, with "
			     "CONFIG_MCUBOOT_HW_DOWNGRADE_PREVENTION=y where the SoC has a security "
			     "counter, before the bootloader is flashed.",
			     "MCUboot boots older signed images: downgrade prevention is not set");
	else if (!boot_kcfg_is_on(data, len, "CONFIG_MCUBOOT_HW_DOWNGRADE_PREVENTION"))
		audit_report(a, "RB-03", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_NO, file,
			     "CONFIG_MCUBOOT_HW_DOWNGRADE_PREVENTION",
			     "Set CONFIG_MCUBOOT_HW_DOWNGRADE_PREVENTION=y on a SoC with a hardware "
			     "security counter.",
			     "MCUboot's downgrade prevention compares with the image in the other slot "
			     "only (no hardware security counter): erasing that slot lets an old image in");
}

int boot_kernel_config(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		       ward_error *err)
{
	(void)err;
	if (boot_kcfg_is_on(data, len, "CONFIG_MODULES") &&
	    !boot_kcfg_is_on(data, len, "CONFIG_MODULE_SIG_FORCE")) {
		bool sig = boot_kcfg_is_on(data, len, "CONFIG_MODULE_SIG");
		audit_report(a, "SB-08", AUDIT_MEDIUM, AUDIT_BASIC, AUDIT_OTA_YES, file,
			     sig ? "CONFIG_MODULE_SIG_FORCE" : "CONFIG_MODULE_SIG",
			     "Set CONFIG_MODULE_SIG=y and CONFIG_MODULE_SIG_FORCE=y so the kernel "
			     "loads only modules signed with your key.",
			     sig ? "modules are signed but unsigned modules still load "
				   "(MODULE_SIG_FORCE unset)"
				 : "loadable modules are not signed (MODULE_SIG unset)");
	}
	char on[160] = "";
	size_t used = 0;
	const char *first = NULL;
	for (size_t i = 0; i < WARD_ARRAY_LEN(kernel_debug_opts); i++) {
		if (!boot_kcfg_is_on(data, len, kernel_debug_opts[i]))
			continue;
		if (!first)
			first = kernel_debug_opts[i];
		int r = snprintf(on + used, sizeof(on) - used, "%s%s", used ? ", " : "",
				 kernel_debug_opts[i] + 7);
		if (r < 0 || (size_t)r >= sizeof(on) - used)
			break;
		used += (size_t)r;
	}
	if (first)
		audit_report(a, "HW-08", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_YES, file, first,
			     "Disable these debug interfaces in the production kernel configuration.",
			     "kernel debug interfaces enabled: %s", on);
	mcuboot_rollback(a, file, data, len);
	return 0;
}
