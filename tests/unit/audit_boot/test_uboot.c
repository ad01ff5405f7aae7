/*
 * test_uboot.c - U-Boot and kernel .config checks: each with a case that
 * fires and a hardened twin that stays silent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "audit/boot/boot.h"
#include "double.h"

static void check(audit_kind kind, const char *cfg)
{
	double_reset();
	ward_error err = {0};
	assert_int_equal(audit_boot_check(NULL, kind, ".config", (const uint8_t *)cfg,
					  strlen(cfg), &err), 0);
}

/* What a development board ships (abridged from a real rpi_arm64 .config). */
static const char insecure[] =
	"#\n# Automatically generated file; DO NOT EDIT.\n# U-Boot 2023.01 Configuration\n#\n"
	"CONFIG_SPL=y\n# CONFIG_FIT_SIGNATURE is not set\nCONFIG_LEGACY_IMAGE_FORMAT=y\n"
	"CONFIG_BOOTDELAY=2\nCONFIG_CMDLINE=y\nCONFIG_CMD_MEMORY=y\nCONFIG_CMD_USB=y\n"
	"CONFIG_CMD_DHCP=y\nCONFIG_ENV_IS_IN_FAT=y\n";

static const char hardened[] =
	"# U-Boot 2023.01 Configuration\n"
	"CONFIG_SPL=y\nCONFIG_SPL_FIT_SIGNATURE=y\nCONFIG_FIT_SIGNATURE=y\nCONFIG_FIT_FULL_CHECK=y\n"
	"# CONFIG_LEGACY_IMAGE_FORMAT is not set\nCONFIG_BOOTDELAY=-2\nCONFIG_CMDLINE=y\n"
	"# CONFIG_CMD_MEMORY is not set\nCONFIG_ENV_IS_NOWHERE=y\nCONFIG_SUPPORT_EMMC_RPMB=y\n"
	"CONFIG_CMD_MEMORY_NOT_A_MATCH=y\n";

static void test_insecure_fires(void **state)
{
	(void)state;
	check(AUDIT_K_UBOOT_CONFIG, insecure);
	assert_int_equal(double_has("SB-01"), 1);
	assert_int_equal(double_has("SB-02"), 0); /* only meaningful with FIT_SIGNATURE */
	assert_int_equal(double_has("SB-04"), 1);
	assert_int_equal(double_has("HW-06"), 1);
	assert_int_equal(double_has("HW-07"), 1);
	assert_int_equal(double_has("ENV-01"), 1);
	assert_int_equal(double_has("RB-04"), 1);
	for (size_t i = 0; i < double_count; i++)
		if (strcmp(double_findings[i].id, "HW-07") == 0)
			assert_string_equal(double_findings[i].evidence,
					    "dangerous U-Boot commands enabled: CMD_MEMORY, CMD_DHCP, "
					    "CMD_USB");
}

static void test_hardened_silent(void **state)
{
	(void)state;
	check(AUDIT_K_UBOOT_CONFIG, hardened);
	assert_int_equal(double_count, 0);
}

static void test_fit_signature_weaknesses(void **state)
{
	(void)state;
	check(AUDIT_K_UBOOT_CONFIG, "CONFIG_FIT_SIGNATURE=y\nCONFIG_LEGACY_IMAGE_FORMAT=y\n"
				    "CONFIG_SUPPORT_EMMC_RPMB=y\n");
	assert_int_equal(double_has("SB-01"), 0);
	assert_int_equal(double_has("SB-02"), 1);
	assert_int_equal(double_has("SB-03"), 1);
	assert_int_equal(double_count, 2);
	/* FIT_FULL_CHECK set, but a version before the CVE fixes */
	check(AUDIT_K_UBOOT_CONFIG, "# U-Boot 2020.10 Configuration\nCONFIG_FIT_SIGNATURE=y\n"
				    "CONFIG_FIT_FULL_CHECK=y\nCONFIG_TPM=y\n");
	assert_int_equal(double_has("SB-03"), 1);
	assert_int_equal(double_count, 1);
	check(AUDIT_K_UBOOT_CONFIG, "# U-Boot 2021.04 Configuration\nCONFIG_FIT_SIGNATURE=y\n"
				    "CONFIG_FIT_FULL_CHECK=y\nCONFIG_TPM=y\n");
	assert_int_equal(double_count, 0);
}

static void test_console_keyed_or_writeable_list(void **state)
{
	(void)state;
	check(AUDIT_K_UBOOT_CONFIG,
	      "CONFIG_FIT_SIGNATURE=y\nCONFIG_FIT_FULL_CHECK=y\nCONFIG_TPM=y\nCONFIG_BOOTDELAY=3\n"
	      "CONFIG_CMDLINE=y\nCONFIG_AUTOBOOT_KEYED=y\nCONFIG_ENV_IS_IN_MMC=y\n"
	      "CONFIG_ENV_WRITEABLE_LIST=y\nCONFIG_ENV_ACCESS_IGNORE_FORCE=y\n");
	assert_int_equal(double_count, 0);
	/* -1: no autoboot at all, the shell waits */
	check(AUDIT_K_UBOOT_CONFIG, "CONFIG_FIT_SIGNATURE=y\nCONFIG_FIT_FULL_CHECK=y\nCONFIG_TPM=y\n"
				    "CONFIG_BOOTDELAY=-1\nCONFIG_CMDLINE=y\n");
	assert_int_equal(double_has("HW-06"), 1);
}

static void test_imx_hab(void **state)
{
	(void)state;
	static const char base[] = "CONFIG_FIT_SIGNATURE=y\nCONFIG_FIT_FULL_CHECK=y\nCONFIG_TPM=y\n"
				   "CONFIG_ARCH_IMX8M=y\n";
	check(AUDIT_K_UBOOT_CONFIG, base);
	assert_int_equal(double_has("SB-07"), 1);
	assert_int_equal(double_count, 1);
	check(AUDIT_K_UBOOT_CONFIG, "CONFIG_FIT_SIGNATURE=y\nCONFIG_FIT_FULL_CHECK=y\nCONFIG_TPM=y\n"
				    "CONFIG_ARCH_IMX8M=y\nCONFIG_IMX_HAB=y\n");
	assert_int_equal(double_count, 0);
}

static void test_kernel_config(void **state)
{
	(void)state;
	check(AUDIT_K_KERNEL_CONFIG, "CONFIG_MODULES=y\nCONFIG_MODULE_SIG=y\n"
				     "# CONFIG_MODULE_SIG_FORCE is not set\nCONFIG_DEVMEM=y\n"
				     "CONFIG_DEBUG_FS=y\nCONFIG_MAGIC_SYSRQ=y\n");
	assert_int_equal(double_has("SB-08"), 1);
	assert_int_equal(double_has("HW-08"), 1);
	assert_non_null(strstr(double_findings[1].evidence, "DEVMEM, DEBUG_FS, MAGIC_SYSRQ"));
	check(AUDIT_K_KERNEL_CONFIG, "CONFIG_MODULES=y\nCONFIG_MODULE_SIG=y\n"
				     "CONFIG_MODULE_SIG_FORCE=y\n# CONFIG_DEVMEM is not set\n"
				     "CONFIG_DEBUG_FS_ALLOW_NONE=y\n");
	assert_int_equal(double_count, 0);
}

/* RB-03: an MCUboot (Zephyr) .config without downgrade prevention is high,
 * with it but no hardware counter medium, with both silent; a Zephyr
 * application that is not the bootloader is not judged. */
static void test_mcuboot_rollback(void **state)
{
	(void)state;
	static const char base[] = "CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y\nCONFIG_BOOT_UPGRADE_ONLY=y\n";
	check(AUDIT_K_KERNEL_CONFIG, base);
	assert_int_equal(double_count, 1);
	assert_int_equal(double_has("RB-03"), 1);
	assert_int_equal(double_findings[0].sev, AUDIT_HIGH);
	check(AUDIT_K_KERNEL_CONFIG, "CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y\n"
				     "CONFIG_MCUBOOT_DOWNGRADE_PREVENTION=y\n"
				     "# CONFIG_MCUBOOT_HW_DOWNGRADE_PREVENTION is not set\n");
	assert_int_equal(double_has("RB-03"), 1);
	assert_int_equal(double_findings[0].sev, AUDIT_MEDIUM);
	check(AUDIT_K_KERNEL_CONFIG, "CONFIG_BOOT_SIGNATURE_TYPE_RSA=y\nCONFIG_MCUBOOT_DOWNGRADE_PREVENTION=y\n"
				     "CONFIG_MCUBOOT_HW_DOWNGRADE_PREVENTION=y\n");
	assert_int_equal(double_count, 0);
	check(AUDIT_K_KERNEL_CONFIG, "CONFIG_ZEPHYR=y\nCONFIG_BOOTLOADER_MCUBOOT=y\n");
	assert_int_equal(double_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mcuboot_rollback),
		cmocka_unit_test(test_insecure_fires),
		cmocka_unit_test(test_hardened_silent),
		cmocka_unit_test(test_fit_signature_weaknesses),
		cmocka_unit_test(test_console_keyed_or_writeable_list),
		cmocka_unit_test(test_imx_hab),
		cmocka_unit_test(test_kernel_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
