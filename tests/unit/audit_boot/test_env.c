/*
 * test_env.c - U-Boot environments, binary (single and redundant, as
 * mkenvimage lays them out) and text.  The end-to-end test runs the real
 * mkenvimage (tests/e2e/audit_boot.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit/boot/boot.h"
#include "double.h"

static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

/* vars: "a=b\0c=d\0"; size: the image size; redundant: with a flag byte. */
static size_t make_image(uint8_t *img, size_t size, const char *vars, size_t vlen,
			 bool redundant)
{
	size_t hdr = redundant ? 5 : 4;
	memset(img, 0xff, size);
	memcpy(img + hdr, vars, vlen);
	img[hdr + vlen] = '\0';
	if (redundant)
		img[4] = 1;
	uint32_t c = crc32_ref(img + hdr, size - hdr);
	img[0] = (uint8_t)c, img[1] = (uint8_t)(c >> 8), img[2] = (uint8_t)(c >> 16);
	img[3] = (uint8_t)(c >> 24);
	return size;
}

static void run(audit_kind kind, const void *d, size_t n)
{
	double_reset();
	ward_error err = {0};
	assert_int_equal(audit_boot_check(NULL, kind, "env.bin", d, n, &err), 0);
}

static const char bad[] = "bootdelay=3\0bootcmd=run distro_bootcmd\0"
			  "bootargs=console=ttyS0,115200 root=/dev/mmcblk0p2\0"
			  "rollback_protection=0\0bootfirmware_version=1\0preboot=usb start\0";
static const char good[] = "bootdelay=-2\0bootcmd=run boot_fit\0"
			   "bootargs=root=/dev/mmcblk0p2 quiet\0rollback_protection=1\0"
			   "bootfirmware_version=1\0";

static void test_single_and_redundant(void **state)
{
	(void)state;
	static uint8_t img[8192];
	for (int r = 0; r < 2; r++) {
		make_image(img, sizeof(img), bad, sizeof(bad) - 1, r);
		run(AUDIT_K_ENV_IMAGE, img, sizeof(img));
		assert_int_equal(double_has("ENV-03"), 3);
		assert_int_equal(double_has("RB-01"), 1);
		assert_int_equal(double_has("HW-05"), 1);
		assert_int_equal(double_has("ENV-04"), 0);
		make_image(img, sizeof(img), good, sizeof(good) - 1, r);
		run(AUDIT_K_ENV_IMAGE, img, sizeof(img));
		assert_int_equal(double_count, 0);
	}
}

static void test_crc_mismatch(void **state)
{
	(void)state;
	static uint8_t img[4096];
	make_image(img, sizeof(img), good, sizeof(good) - 1, false);
	img[10] ^= 0x20;
	run(AUDIT_K_ENV_IMAGE, img, sizeof(img));
	assert_int_equal(double_has("ENV-04"), 1);
}

static void test_unterminated_and_tiny(void **state)
{
	(void)state;
	static uint8_t img[64];
	memset(img, 'A', sizeof(img)); /* no NUL anywhere */
	run(AUDIT_K_ENV_IMAGE, img, sizeof(img));
	assert_int_equal(double_has("ENV-04"), 1);
	ward_error err = {0};
	assert_int_equal(audit_boot_check(NULL, AUDIT_K_ENV_IMAGE, "e", img, 3, &err), WARD_EINVAL);
}

static void test_text_env(void **state)
{
	(void)state;
	static const char txt[] = "# uEnv.txt\r\nbootargs=earlycon init=/bin/sh\r\nbootdelay=0\n";
	run(AUDIT_K_ENV_TEXT, txt, sizeof(txt) - 1);
	assert_int_equal(double_count, 1);
	assert_int_equal(double_has("HW-05"), 1);
	assert_int_equal(double_findings[0].sev, AUDIT_HIGH);
	static const char ok[] = "bootargs=root=PARTUUID=1234 ro quiet\nbootdelay=0\n";
	run(AUDIT_K_ENV_TEXT, ok, sizeof(ok) - 1);
	assert_int_equal(double_count, 0);
}

static void test_default_env_in_binary(void **state)
{
	(void)state;
	static uint8_t bin[4096];
	static const char env_bad[] = "arch=arm\0bootdelay=2\0bootcmd=run distro_bootcmd\0";
	static const char env_good[] = "arch=arm\0bootdelay=-2\0bootcmd=run boot_fit\0";
	memset(bin, 0xe5, sizeof(bin));
	bin[999] = 0;
	memcpy(bin + 1000, env_bad, sizeof(env_bad));
	bin[1000 + sizeof(env_bad)] = 0;
	run(AUDIT_K_UBOOT_BIN, bin, sizeof(bin));
	assert_int_equal(double_has("ENV-03"), 2);
	memset(bin + 1000, 0xe5, sizeof(env_bad) + 1);
	memcpy(bin + 1000, env_good, sizeof(env_good));
	bin[1000 + sizeof(env_good)] = 0;
	run(AUDIT_K_UBOOT_BIN, bin, sizeof(bin));
	assert_int_equal(double_count, 0);
}

/* extlinux.conf (U-Boot distro boot): every entry's APPEND line, with the
 * line and the label in the location; comments and other keywords ignored. */
static void test_extlinux(void **state)
{
	(void)state;
	static const char conf[] = "## /boot/extlinux/extlinux.conf\n"
				   "default l0\nmenu title U-Boot menu\nprompt 0\ntimeout 0\n\n"
				   "label l0\n\tmenu label Debian\n\tlinux /boot/vmlinuz\n"
				   "\tappend root=/dev/mmcblk0p2 ro quiet\n\n"
				   "LABEL rescue\n  KERNEL /boot/vmlinuz\n"
				   "  APPEND console=ttyS0,115200 init=/bin/sh\n"
				   "# append kgdboc=ttyS0\n";
	run(AUDIT_K_EXTLINUX, conf, sizeof(conf) - 1);
	assert_int_equal(double_count, 1);
	assert_int_equal(double_has("HW-05"), 1);
	assert_int_equal(double_findings[0].sev, AUDIT_HIGH);
	assert_string_equal(double_findings[0].location, "line 14, label rescue");
	assert_non_null(strstr(double_findings[0].evidence, "init=/bin/sh"));
	assert_non_null(strstr(double_findings[0].evidence, "console="));
	static const char ok[] = "label l0\n linux /boot/vmlinuz\n append root=/dev/mmcblk0p2 ro quiet\n";
	run(AUDIT_K_EXTLINUX, ok, sizeof(ok) - 1);
	assert_int_equal(double_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_and_redundant),
		cmocka_unit_test(test_crc_mismatch),
		cmocka_unit_test(test_unterminated_and_tiny),
		cmocka_unit_test(test_text_env),
		cmocka_unit_test(test_default_env_in_binary),
		cmocka_unit_test(test_extlinux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
