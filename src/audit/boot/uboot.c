/*
 * uboot.c - checks of a U-Boot .config: secure boot (SB-01..04), the
 * interactive console and dangerous commands (HW-06, HW-07), environment
 * storage (ENV-01) and hardware-backed anti-rollback (RB-04).
 */
#include <stdlib.h>
#include <string.h>

#include "audit/boot/boot_int.h"

/* Commands and boot paths that read or write memory, or boot from what an
 * attacker can plug in (Depthcharge's list, plus USB/DFU/UMS/fastboot/net). */
static const char *const uboot_dangerous[] = {
	"CONFIG_CMD_MEMORY", "CONFIG_CMD_I2C", "CONFIG_CMD_SETEXPR", "CONFIG_CMD_ITEST",
	"CONFIG_CMD_CRC32", "CONFIG_CMD_LOADB", "CONFIG_CMD_LOADS", "CONFIG_CMD_GO",
	"CONFIG_CMD_MEMTEST", "CONFIG_CMD_RANDOM", "CONFIG_CMD_DFU",
	"CONFIG_CMD_USB_MASS_STORAGE", "CONFIG_CMD_FASTBOOT", "CONFIG_CMD_TFTPBOOT",
	"CONFIG_CMD_DHCP", "CONFIG_CMD_PXE", "CONFIG_CMD_USB", "CONFIG_CMD_USB_SDP",
};

/* i.MX SoCs, whose ROM verifies the boot image only with HAB/AHAB (SB-07). */
static const char *const uboot_imx_socs[] = {
	"CONFIG_ARCH_MX6", "CONFIG_ARCH_MX7", "CONFIG_ARCH_MX7ULP", "CONFIG_ARCH_IMX8M",
	"CONFIG_ARCH_IMX8", "CONFIG_ARCH_IMX8ULP", "CONFIG_ARCH_IMX9",
};

/* Where an environment can be stored, and so edited. */
static const char *const uboot_env_stores[] = {
	"CONFIG_ENV_IS_IN_MMC", "CONFIG_ENV_IS_IN_SPI_FLASH", "CONFIG_ENV_IS_IN_FLASH",
	"CONFIG_ENV_IS_IN_FAT", "CONFIG_ENV_IS_IN_EXT4", "CONFIG_ENV_IS_IN_NAND",
	"CONFIG_ENV_IS_IN_UBI", "CONFIG_ENV_IS_IN_EEPROM",
};

#define ON(name) boot_kcfg_is_on(data, len, name)

/* The version from the "# U-Boot 2023.01 Configuration" header, as
 * year*100+month, or 0. */
static int config_version(const uint8_t *data, size_t len)
{
	static const char tag[] = "# U-Boot ";
	size_t window = len < 512 ? len : 512;
	const uint8_t *p = memmem(data, window, tag, sizeof(tag) - 1);
	if (!p)
		return 0;
	p += sizeof(tag) - 1;
	size_t left = window - (size_t)(p - data);
	if (left < 7 || p[4] != '.')
		return 0;
	int y = 0, m = 0;
	for (int i = 0; i < 4; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		y = y * 10 + (p[i] - '0');
	}
	for (int i = 5; i < 7; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		m = m * 10 + (p[i] - '0');
	}
	return y * 100 + m;
}

/* Lists the options of `opts` that are on, comma separated, into out. */
static const char *list_on(const uint8_t *data, size_t len, const char *const *opts, size_t n,
			   char *out, size_t outlen)
{
	size_t used = 0;
	const char *first = NULL;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!boot_kcfg_is_on(data, len, opts[i]))
			continue;
		if (!first)
			first = opts[i];
		int r = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", opts[i] + 7);
		if (r < 0 || (size_t)r >= outlen - used)
			break;
		used += (size_t)r;
	}
	return first;
}

int boot_uboot_config(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		      ward_error *err)
{
	(void)err;
	bool fitsig = ON("CONFIG_FIT_SIGNATURE");
	if (!fitsig)
		audit_report(a, "SB-01", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_BOOT, file,
			     "CONFIG_FIT_SIGNATURE",
			     "Build U-Boot with CONFIG_FIT_SIGNATURE=y and a required signing key in "
			     "its control DTB.",
			     "U-Boot does not verify signed FIT images (FIT_SIGNATURE unset)");
	if (fitsig && ON("CONFIG_LEGACY_IMAGE_FORMAT"))
		audit_report(a, "SB-02", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_BOOT, file,
			     "CONFIG_LEGACY_IMAGE_FORMAT",
			     "Unset CONFIG_LEGACY_IMAGE_FORMAT: legacy images bypass FIT signature "
			     "verification.",
			     "unsigned legacy uImages still boot although FIT_SIGNATURE=y");
	int ver = config_version(data, len);
	if (fitsig && (!ON("CONFIG_FIT_FULL_CHECK") || (ver && ver < 202104)))
		audit_report(a, "SB-03", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_BOOT, file,
			     "CONFIG_FIT_FULL_CHECK",
			     "Use U-Boot 2021.04 or later with CONFIG_FIT_FULL_CHECK=y.",
			     "FIT verification is open to CVE-2020-10648/CVE-2021-27097/"
			     "CVE-2021-27138 (%s)",
			     ver && ver < 202104 ? "U-Boot older than 2021.04" : "FIT_FULL_CHECK unset");
	if (ON("CONFIG_SPL") && !ON("CONFIG_SPL_FIT_SIGNATURE"))
		audit_report(a, "SB-04", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_BOOT, file,
			     "CONFIG_SPL_FIT_SIGNATURE",
			     "Set CONFIG_SPL_FIT_SIGNATURE=y so SPL verifies what it loads.",
			     "SPL loads U-Boot proper without verifying it (SPL_FIT_SIGNATURE unset)");

	char soc[128];
	const char *imx = list_on(data, len, uboot_imx_socs, WARD_ARRAY_LEN(uboot_imx_socs), soc,
				  sizeof(soc));
	if (imx && !ON("CONFIG_IMX_HAB") && !ON("CONFIG_AHAB_BOOT"))
		audit_report(a, "SB-07", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_NO, file, "CONFIG_IMX_HAB",
			     "Build with CONFIG_IMX_HAB (AHAB_BOOT on i.MX8/9), sign the boot image "
			     "with CST, and close the device (SEC_CONFIG fuse).",
			     "the %s boot ROM does not verify U-Boot: HAB support is not built in",
			     soc);

	size_t vlen;
	const char *bd = boot_kcfg_get(data, len, "CONFIG_BOOTDELAY", &vlen);
	long delay = 0;
	if (bd && vlen > 0 && vlen < 12) {
		char tmp[16];
		memcpy(tmp, bd, vlen);
		tmp[vlen] = '\0';
		delay = strtol(tmp, NULL, 10);
	}
	/* -2: autoboot without checking for a key; -1: no autoboot (console) */
	if (ON("CONFIG_CMDLINE") && bd && delay >= -1 && !ON("CONFIG_AUTOBOOT_KEYED") &&
	    !ON("CONFIG_AUTOBOOT_ENCRYPTION"))
		audit_report(a, "HW-06", AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_BOOT, file,
			     "CONFIG_BOOTDELAY",
			     "Set CONFIG_BOOTDELAY=-2, or require a password with "
			     "CONFIG_AUTOBOOT_KEYED/AUTOBOOT_ENCRYPTION, or unset CONFIG_CMDLINE.",
			     "any key on the console stops autoboot into the U-Boot shell "
			     "(BOOTDELAY=%ld, no AUTOBOOT_KEYED)", delay);

	char on[512];
	const char *first = list_on(data, len, uboot_dangerous, WARD_ARRAY_LEN(uboot_dangerous),
				    on, sizeof(on));
	if (first)
		audit_report(a, "HW-07", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_BOOT, file, first,
			     "Remove memory, loader and removable/network boot commands from the "
			     "production U-Boot.",
			     "dangerous U-Boot commands enabled: %s", on);

	first = list_on(data, len, uboot_env_stores, WARD_ARRAY_LEN(uboot_env_stores), on,
			sizeof(on));
	if (first && !(ON("CONFIG_ENV_WRITEABLE_LIST") && ON("CONFIG_ENV_ACCESS_IGNORE_FORCE")))
		audit_report(a, "ENV-01", AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_BOOT, file, first,
			     "Use CONFIG_ENV_IS_NOWHERE, or CONFIG_ENV_WRITEABLE_LIST with "
			     "CONFIG_ENV_ACCESS_IGNORE_FORCE, so the stored environment cannot "
			     "change the boot.",
			     "the environment is loaded from storage, protected only by a CRC32 "
			     "(%s)", on);

	if (!ON("CONFIG_SUPPORT_EMMC_RPMB") && !ON("CONFIG_TPM") && !ON("CONFIG_TPM_V2"))
		audit_report(a, "RB-04", AUDIT_MEDIUM, AUDIT_PROCESS, AUDIT_OTA_BOOT, file, NULL,
			     "Keep the rollback watermark in eMMC RPMB or a TPM.",
			     "no hardware-backed anti-rollback store (SUPPORT_EMMC_RPMB and TPM "
			     "unset)");
	return 0;
}
