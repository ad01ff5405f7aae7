/*
 * test_dtb.c - device trees, control DTBs, FITs and U-Boot binaries, built
 * here with libfdt's sequential-write API (the end-to-end test uses dtc,
 * fdtput and mkimage): each check fires, and its hardened twin is silent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "audit/boot/boot.h"
#include "double.h"

#define CAP 65536
static _Alignas(8) uint8_t tree[CAP];

static void begin(void)
{
	assert_int_equal(fdt_create(tree, CAP), 0);
	assert_int_equal(fdt_finish_reservemap(tree), 0);
	assert_int_equal(fdt_begin_node(tree, ""), 0);
}

static size_t finish(void)
{
	assert_int_equal(fdt_end_node(tree), 0);
	assert_int_equal(fdt_finish(tree), 0);
	return fdt_totalsize(tree);
}

static void prop_str(const char *name, const char *v)
{
	assert_int_equal(fdt_property(tree, name, v, (int)strlen(v) + 1), 0);
}

static void node(const char *name, const char *compat, const char *status)
{
	assert_int_equal(fdt_begin_node(tree, name), 0);
	if (compat)
		prop_str("compatible", compat);
	if (status)
		prop_str("status", status);
}

static int check(audit_kind kind, const char *file, const void *d, size_t n)
{
	double_reset();
	ward_error err = {0};
	return audit_boot_check(NULL, kind, file, d, n, &err);
}

static size_t board(bool hardened)
{
	const char *st = hardened ? "disabled" : NULL;
	begin();
	node("chosen", NULL, NULL);
	if (!hardened) {
		prop_str("stdout-path", "serial0:115200n8");
		prop_str("bootargs", "console=ttyS0 kgdboc=ttyS0");
	}
	fdt_end_node(tree);
	node("soc", "simple-bus", NULL);
	node("serial@1000", "ns16550a", st); /* no status: enabled */
	fdt_end_node(tree);
	node("serial@2000", "arm,pl011", "disabled");
	fdt_end_node(tree);
	node("usb@3000", "snps,dwc3", hardened ? "disabled" : "okay");
	prop_str("dr_mode", "otg");
	fdt_end_node(tree);
	node("usb-phy@3100", "acme,usb-phy", NULL); /* a PHY is not an interface */
	fdt_end_node(tree);
	node("hdmi@4000", "acme,hdmi-tx", st);
	fdt_end_node(tree);
	node("jtag@5000", "acme,jtag", st);
	fdt_end_node(tree);
	fdt_end_node(tree);
	return finish();
}

static void test_board_fires(void **state)
{
	(void)state;
	assert_int_equal(check(AUDIT_K_DTB, "board.dtb", tree, board(false)), 0);
	assert_int_equal(double_has("HW-01"), 1);
	assert_int_equal(double_has("HW-02"), 1);
	assert_int_equal(double_has("HW-03"), 1);
	assert_int_equal(double_has("HW-04"), 1);
	assert_int_equal(double_has("HW-05"), 1);
	assert_int_equal(double_has("SB-05"), 0); /* not a control DTB */
	for (size_t i = 0; i < double_count; i++) {
		finding *f = &double_findings[i];
		if (strcmp(f->id, "HW-01") == 0) {
			assert_string_equal(f->location, "/soc/serial@1000");
			assert_null(strstr(f->evidence, "serial@2000"));
			assert_non_null(strstr(f->evidence, "stdout-path serial0"));
		}
		if (strcmp(f->id, "HW-02") == 0)
			assert_non_null(strstr(f->evidence, "OTG"));
		if (strcmp(f->id, "HW-05") == 0)
			assert_int_equal(f->sev, AUDIT_HIGH); /* kgdboc */
	}
}

static void test_board_hardened_silent(void **state)
{
	(void)state;
	assert_int_equal(check(AUDIT_K_DTB, "board.dtb", tree, board(true)), 0);
	assert_int_equal(double_count, 0);
}

/* A control DTB with one /signature key (RSA modulus/exponent), or none. */
static size_t control(EVP_PKEY *k, const char *required, const char *hint)
{
	begin();
	if (k) {
		node("signature", NULL, NULL);
		node("key-x", NULL, NULL);
		BIGNUM *n = NULL;
		assert_true(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n));
		uint8_t mod[1024];
		int ml = BN_bn2bin(n, mod);
		BN_free(n);
		assert_int_equal(fdt_property(tree, "rsa,modulus", mod, ml), 0);
		static const uint8_t e[8] = {0, 0, 0, 0, 0, 1, 0, 1};
		assert_int_equal(fdt_property(tree, "rsa,exponent", e, 8), 0);
		if (required)
			prop_str("required", required);
		prop_str("key-name-hint", hint);
		fdt_end_node(tree);
		fdt_end_node(tree);
	}
	return finish();
}

static EVP_PKEY *demo_rsa(void)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/data/demo-public-keys/tfa-arm_rotprivk_rsa.pub.pem",
		 getenv("WARD_SHARED_DIR"));
	FILE *f = fopen(path, "re");
	assert_non_null(f);
	EVP_PKEY *k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(k);
	return k;
}

static void test_control_dtb(void **state)
{
	(void)state;
	EVP_PKEY *demo = demo_rsa();
	size_t n = control(demo, "conf", "tfa");
	assert_int_equal(check(AUDIT_K_DTB, "u-boot.dtb", tree, n), 0);
	assert_int_equal(double_has("KEY-02"), 1);
	assert_int_equal(double_has("SB-05"), 0);
	assert_int_equal(double_count, 1);

	EVP_PKEY *fresh = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	n = control(fresh, "conf", "prod");
	assert_int_equal(check(AUDIT_K_DTB, "u-boot.dtb", tree, n), 0);
	assert_int_equal(double_count, 0);
	/* a key that is not required does not enforce anything; "dev" names */
	n = control(fresh, NULL, "dev");
	assert_int_equal(check(AUDIT_K_DTB, "u-boot.dtb", tree, n), 0);
	assert_int_equal(double_has("SB-05"), 1);
	assert_int_equal(double_has("KEY-04"), 1);
	n = control(NULL, NULL, NULL);
	assert_int_equal(check(AUDIT_K_DTB, "u-boot.dtb", tree, n), 0);
	assert_int_equal(double_has("SB-05"), 1);
	assert_int_equal(check(AUDIT_K_DTB, "board.dtb", tree, n), 0); /* not a control DTB */
	assert_int_equal(double_count, 0);

	/* u-boot.bin: code, a version string, the control DTB appended at an
	 * odd offset (libfdt needs 8-byte alignment: the checker copies) */
	n = control(fresh, "conf", "prod");
	static uint8_t bin[CAP + 1024];
	memset(bin, 0x5a, 1000);
	memcpy(bin + 100, "U-Boot 2020.10 (Oct 05 2020)", 28);
	memcpy(bin + 1001, tree, n);
	assert_int_equal(check(AUDIT_K_UBOOT_BIN, "u-boot.bin", bin, 1001 + n), 0);
	assert_int_equal(double_has("SB-03"), 1);
	assert_int_equal(double_count, 1);
	memcpy(bin + 100, "U-Boot 2023.01 (Jan 01 2023)", 28);
	assert_int_equal(check(AUDIT_K_UBOOT_BIN, "u-boot.bin", bin, 1001 + n), 0);
	assert_int_equal(double_count, 0);
	EVP_PKEY_free(fresh);
	EVP_PKEY_free(demo);
}

/* mode 0: unsigned; 1: signed over kernel and fdt; 2: the fdt left out */
static size_t fit(int mode)
{
	bool signed_ = mode > 0;
	begin();
	node("images", NULL, NULL);
	node("kernel", NULL, NULL);
	prop_str("type", "kernel");
	static const char kernel[] = "a kernel";
	assert_int_equal(fdt_property(tree, "data", kernel, sizeof(kernel)), 0);
	if (signed_) {
		uint8_t h[32];
		assert_true(EVP_Digest(kernel, sizeof(kernel), h, NULL, EVP_sha256(), NULL));
		node("hash-1", NULL, NULL);
		prop_str("algo", "sha256");
		assert_int_equal(fdt_property(tree, "value", h, sizeof(h)), 0);
		fdt_end_node(tree);
	}
	fdt_end_node(tree);
	fdt_end_node(tree);
	node("configurations", NULL, NULL);
	node("conf-1", NULL, NULL);
	prop_str("kernel", "kernel");
	prop_str("fdt", "fdt-1");
	if (signed_) {
		node("signature-1", NULL, NULL);
		static const char both[] = "kernel\0fdt";
		assert_int_equal(fdt_property(tree, "sign-images", both,
					      mode == 1 ? (int)sizeof(both) : 7), 0);
		fdt_end_node(tree);
	}
	fdt_end_node(tree);
	fdt_end_node(tree);
	return finish();
}

static void test_fit(void **state)
{
	(void)state;
	assert_int_equal(check(AUDIT_K_FIT, "image.itb", tree, fit(0)), 0);
	assert_int_equal(double_has("SB-06"), 2); /* conf-1 unsigned, kernel unhashed */
	assert_int_equal(check(AUDIT_K_FIT, "image.itb", tree, fit(2)), 0);
	assert_int_equal(double_has("SB-06"), 1);
	assert_non_null(strstr(double_findings[0].evidence, "fdt is not covered"));
	assert_int_equal(check(AUDIT_K_FIT, "image.itb", tree, fit(1)), 0);
	assert_int_equal(double_count, 0);
}

static void test_malformed(void **state)
{
	(void)state;
	size_t n = board(false);
	static _Alignas(8) uint8_t copy[CAP];
	for (size_t cut = 0; cut < n; cut += 3) {
		memcpy(copy, tree, cut);
		assert_int_equal(check(AUDIT_K_DTB, "cut.dtb", copy, cut), WARD_EINVAL);
	}
	/* deeper than the walker goes */
	begin();
	char name[16];
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		node(name, NULL, NULL);
	}
	for (int i = 0; i < 40; i++)
		fdt_end_node(tree);
	n = finish();
	assert_int_equal(check(AUDIT_K_DTB, "deep.dtb", tree, n), WARD_ELIMIT);
	/* a binary with no FDT in it, and one with a bare magic */
	memset(copy, 0, 4096);
	memcpy(copy + 77, "\xd0\x0d\xfe\xed\xff\xff\xff\xff", 8);
	assert_int_equal(check(AUDIT_K_UBOOT_BIN, "u-boot.bin", copy, 4096), 0);
	assert_int_equal(double_count, 0);
}

/* FDT headers every 48 bytes, each claiming a blob to the end of the file:
 * checking each in full cost O(n^2) (42 s for 8 MiB, found reviewing
 * dtb.c).  The search stops at 4 times the file's size in
 * candidates and says so (INPUT-01); a real appended DTB is still found. */
static void test_uboot_bin_fdt_candidates_are_bounded(void **state)
{
	(void)state;
	static _Alignas(8) uint8_t bin[8192];
	memset(bin, 0, sizeof(bin));
	for (size_t at = 0; at + 40 <= 4096; at += 48) {
		uint32_t h[10] = { 0xd00dfeed, (uint32_t)(sizeof(bin) - at), 56, 56, 40, 17, 16, 0, 0, 0 };
		for (int i = 0; i < 10; i++)
			for (int b = 0; b < 4; b++)
				bin[at + 4 * (size_t)i + (size_t)b] = (uint8_t)(h[i] >> (24 - 8 * b));
	}
	assert_int_equal(check(AUDIT_K_UBOOT_BIN, "u-boot.bin", bin, sizeof(bin)), 0);
	assert_int_equal(double_has("INPUT-01"), 1);
	/* a few junk candidates, then the real control DTB: found */
	size_t n = board(false);
	assert_true(4096 + n <= sizeof(bin));
	memset(bin, 0, sizeof(bin));
	memcpy(bin + 100, "\xd0\x0d\xfe\xed\x00\x00\x00\x40", 8);
	memcpy(bin + 4096, tree, n);
	assert_int_equal(check(AUDIT_K_UBOOT_BIN, "u-boot.bin", bin, 4096 + n), 0);
	assert_int_equal(double_has("INPUT-01"), 0);
	assert_true(double_has("HW-01") >= 1);
}

/* 200 enabled UARTs: counted, the first three listed.  Each node's path
 * was computed from the root, O(n^2) (95 s for 20,000, found reviewing
 * dtb.c); only the listed ones are now. */
static void test_many_nodes_counted_first_listed(void **state)
{
	(void)state;
	begin();
	char name[32];
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "serial@%x", i);
		node(name, "ns16550a", NULL);
		fdt_end_node(tree);
	}
	size_t n = finish();
	assert_int_equal(check(AUDIT_K_DTB, "many.dtb", tree, n), 0);
	assert_int_equal(double_has("HW-01"), 1);
	assert_non_null(strstr(double_findings[0].evidence,
			       "200 UART nodes enabled: /serial@0, /serial@1, /serial@2"));
	assert_null(strstr(double_findings[0].evidence, "/serial@3"));
	assert_string_equal(double_findings[0].location, "/serial@0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_fires),
		cmocka_unit_test(test_board_hardened_silent),
		cmocka_unit_test(test_control_dtb),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_uboot_bin_fdt_candidates_are_bounded),
		cmocka_unit_test(test_many_nodes_counted_first_listed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
