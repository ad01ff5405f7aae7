/*
 * test_fit.c - SB-06's signature check: the region walk (what a
 * configuration signature covers), the RSA and ECDSA keys rebuilt from a
 * control DTB,
 * a FIT signed here and verified across two inputs, and malformed FITs.
 * The end-to-end test (audit_boot.py) checks the same against mkimage and
 * U-Boot's fit_check_sign.
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
#include <openssl/rsa.h>

#include "audit/boot/boot_int.h"
#include "double.h"

#define CAP 65536
static _Alignas(8) uint8_t fit[CAP];
static _Alignas(8) uint8_t ctl[CAP];
static EVP_PKEY *key_a, *key_b;

static const char kernel_data[] = "the kernel, 33 bytes of it......";

static void prop_str(void *t, const char *name, const char *v)
{
	assert_int_equal(fdt_property(t, name, v, (int)strlen(v) + 1), 0);
}

static void sha256(const void *d, size_t n, uint8_t out[32])
{
	assert_true(EVP_Digest(d, n, out, NULL, EVP_sha256(), NULL));
}

/* A FIT: kernel (hashed), other (not in conf-1), conf-1 signed with algo
 * (a zero value of value_len bytes until sign(); hashed-strings the whole
 * strings block), conf-2 loading other. */
static size_t build_fit(const char *algo, size_t value_len)
{
	void *t = fit;
	uint8_t h[32];
	sha256(kernel_data, sizeof(kernel_data), h);
	assert_int_equal(fdt_create(t, CAP), 0);
	assert_int_equal(fdt_finish_reservemap(t), 0);
	assert_int_equal(fdt_begin_node(t, ""), 0);
	prop_str(t, "description", "test FIT");
	assert_int_equal(fdt_begin_node(t, "images"), 0);
	assert_int_equal(fdt_begin_node(t, "kernel"), 0);
	assert_int_equal(fdt_property(t, "data", kernel_data, sizeof(kernel_data)), 0);
	prop_str(t, "type", "kernel");
	assert_int_equal(fdt_begin_node(t, "hash-1"), 0);
	prop_str(t, "algo", "sha256");
	assert_int_equal(fdt_property(t, "value", h, sizeof(h)), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_begin_node(t, "other"), 0);
	prop_str(t, "type", "ramdisk");
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_begin_node(t, "configurations"), 0);
	prop_str(t, "default", "conf-1");
	assert_int_equal(fdt_begin_node(t, "conf-1"), 0);
	prop_str(t, "kernel", "kernel");
	assert_int_equal(fdt_begin_node(t, "signature-1"), 0);
	prop_str(t, "algo", algo);
	prop_str(t, "key-name-hint", "a");
	prop_str(t, "sign-images", "kernel");
	static const uint8_t hs[8] = {0};
	assert_int_equal(fdt_property(t, "hashed-strings", hs, sizeof(hs)), 0);
	static uint8_t zero[1024];
	assert_int_equal(fdt_property(t, "value", zero, (int)value_len), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_begin_node(t, "conf-2"), 0);
	prop_str(t, "kernel", "other");
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_finish(t), 0);
	int sig = fdt_path_offset(t, "/configurations/conf-1/signature-1");
	fdt32_t cells[2] = {0, cpu_to_fdt32(fdt_size_dt_strings(t))};
	assert_int_equal(fdt_setprop_inplace(t, sig, "hashed-strings", cells, sizeof(cells)), 0);
	return fdt_totalsize(t);
}

static const char *const conf1_nodes[] = {"/", "/configurations/conf-1", "/images/kernel",
					  "/images/kernel/hash-1"};

static size_t regions(boot_region *r, size_t max)
{
	size_t n = 0;
	assert_int_equal(boot_fit_regions(fit, conf1_nodes, 4, r, max, &n), 0);
	return n;
}

static bool covered(const boot_region *r, size_t n, size_t off, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (off >= r[i].off && off + len <= (size_t)r[i].off + r[i].len)
			return true;
	return false;
}

/* Whether the property `name` of node `path` lies in a region. */
static bool prop_covered(const boot_region *r, size_t n, const char *path, const char *name)
{
	int node = fdt_path_offset(fit, path), off;
	assert_true(node >= 0);
	fdt_for_each_property_offset(off, fit, node) {
		const char *pn;
		int len;
		assert_non_null(fdt_getprop_by_offset(fit, off, &pn, &len));
		if (strcmp(pn, name) == 0)
			return covered(r, n, fdt_off_dt_struct(fit) + (size_t)off, 12 + (size_t)len);
	}
	fail_msg("no property %s in %s", name, path);
	return false;
}

static bool begin_covered(const boot_region *r, size_t n, const char *path)
{
	int node = fdt_path_offset(fit, path);
	assert_true(node >= 0);
	return covered(r, n, fdt_off_dt_struct(fit) + (size_t)node, 4);
}

static void regions_cover_listed_nodes_and_skip_data(void **state)
{
	(void)state;
	build_fit("sha256,rsa2048", 256);
	boot_region r[64];
	size_t n = regions(r, 64);
	assert_true(prop_covered(r, n, "/", "description"));
	assert_true(prop_covered(r, n, "/images/kernel", "type"));
	assert_false(prop_covered(r, n, "/images/kernel", "data"));
	assert_true(prop_covered(r, n, "/images/kernel/hash-1", "value"));
	assert_true(prop_covered(r, n, "/configurations/conf-1", "kernel"));
	/* children of a listed node: begin and end tags, not properties */
	assert_true(begin_covered(r, n, "/images"));
	assert_true(begin_covered(r, n, "/configurations/conf-1/signature-1"));
	assert_false(prop_covered(r, n, "/configurations/conf-1/signature-1", "value"));
	assert_false(prop_covered(r, n, "/configurations", "default"));
	/* nodes neither listed nor a listed node's child */
	assert_false(begin_covered(r, n, "/images/other"));
	assert_false(prop_covered(r, n, "/images/other", "type"));
	assert_false(begin_covered(r, n, "/configurations/conf-2"));
	assert_false(prop_covered(r, n, "/configurations/conf-2", "kernel"));
	/* sorted, merged, and the last one ends with FDT_END */
	for (size_t i = 0; i + 1 < n; i++)
		assert_true(r[i].off + r[i].len < r[i + 1].off);
	assert_int_equal(r[n - 1].off + r[n - 1].len,
			 fdt_off_dt_struct(fit) + fdt_size_dt_struct(fit));
}

static void regions_refuse_too_many_deep_and_long(void **state)
{
	(void)state;
	build_fit("sha256,rsa2048", 256);
	boot_region r[64];
	size_t n = regions(r, 64), got = 0;
	assert_int_equal(boot_fit_regions(fit, conf1_nodes, 4, r, n - 1, &got), WARD_ELIMIT);
	/* 40 levels, and a 210-byte path */
	void *t = fit;
	char name[220];
	assert_int_equal(fdt_create(t, CAP), 0);
	assert_int_equal(fdt_finish_reservemap(t), 0);
	assert_int_equal(fdt_begin_node(t, ""), 0);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(fdt_begin_node(t, name), 0);
	}
	for (int i = 0; i <= 40; i++)
		assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_finish(t), 0);
	assert_int_equal(boot_fit_regions(fit, conf1_nodes, 4, r, 64, &got), WARD_ELIMIT);
	memset(name, 'x', 210);
	name[210] = '\0';
	assert_int_equal(fdt_create(t, CAP), 0);
	assert_int_equal(fdt_finish_reservemap(t), 0);
	assert_int_equal(fdt_begin_node(t, ""), 0);
	assert_int_equal(fdt_begin_node(t, name), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_finish(t), 0);
	assert_int_equal(boot_fit_regions(fit, conf1_nodes, 4, r, 64, &got), WARD_ELIMIT);
}

/* A control DTB holding k as U-Boot's mkimage -K writes it. */
static size_t build_ctl(EVP_PKEY *k, const char *name, int bits, int exp_len, bool rr)
{
	void *t = ctl;
	assert_int_equal(fdt_create(t, CAP), 0);
	assert_int_equal(fdt_finish_reservemap(t), 0);
	assert_int_equal(fdt_begin_node(t, ""), 0);
	assert_int_equal(fdt_begin_node(t, "signature"), 0);
	char node[32];
	snprintf(node, sizeof(node), "key-%s", name);
	assert_int_equal(fdt_begin_node(t, node), 0);
	BIGNUM *n = NULL;
	assert_true(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n));
	uint8_t mod[512];
	int ml = BN_bn2binpad(n, mod, EVP_PKEY_get_size(k));
	BN_free(n);
	assert_int_equal(fdt_property_u32(t, "rsa,num-bits", (uint32_t)bits), 0);
	assert_int_equal(fdt_property(t, "rsa,modulus", mod, ml), 0);
	static const uint8_t e[8] = {0, 0, 0, 0, 0, 1, 0, 1};
	assert_int_equal(fdt_property(t, "rsa,exponent", e + 8 - exp_len, exp_len), 0);
	if (rr)
		assert_int_equal(fdt_property(t, "rsa,r-squared", mod, ml), 0);
	prop_str(t, "algo", "sha256,rsa2048");
	prop_str(t, "required", "conf");
	prop_str(t, "key-name-hint", name);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_finish(t), 0);
	return fdt_totalsize(t);
}

static EVP_PKEY *ctl_key(char *why, size_t wl)
{
	int key = fdt_path_offset(ctl, "/signature/key-a");
	assert_true(key >= 0);
	return boot_fit_rsa_key(ctl, key, why, wl);
}

static void rsa_key_is_rebuilt_from_the_control_dtb(void **state)
{
	(void)state;
	char why[128] = "";
	build_ctl(key_a, "a", 2048, 8, true);
	EVP_PKEY *k = ctl_key(why, sizeof(why));
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, key_a), 1);
	assert_int_equal(EVP_PKEY_eq(k, key_b), 0);
	EVP_PKEY_free(k);
	/* an exponent shorter than 64 bits: U-Boot takes 65537 */
	build_ctl(key_a, "a", 2048, 4, true);
	k = ctl_key(why, sizeof(why));
	assert_int_equal(EVP_PKEY_eq(k, key_a), 1);
	EVP_PKEY_free(k);
	/* no rsa,r-squared, which U-Boot needs; num-bits past the modulus */
	build_ctl(key_a, "a", 2048, 8, false);
	assert_null(ctl_key(why, sizeof(why)));
	assert_non_null(strstr(why, "r-squared"));
	build_ctl(key_a, "a", 4096, 8, true);
	assert_null(ctl_key(why, sizeof(why)));
	assert_non_null(strstr(why, "num-bits"));
	build_ctl(key_a, "a", 2047, 8, true);
	assert_null(ctl_key(why, sizeof(why)));
}

/* A control DTB holding an ECDSA key node as mkimage -K writes it
 * (/signature/NAME: ecdsa,curve, ecdsa,x-point, ecdsa,y-point). */
static EVP_PKEY *ec_ctl_key(EVP_PKEY *k, const char *curve, int xl, int yl, char *why, size_t wl)
{
	uint8_t pub[65 + 8] = { 0 }; /* room for the over-long points the test writes */
	size_t pl = 0;
	assert_true(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub, 65, &pl));
	assert_int_equal(pl, 65);
	void *t = ctl;
	assert_int_equal(fdt_create(t, CAP), 0);
	assert_int_equal(fdt_finish_reservemap(t), 0);
	assert_int_equal(fdt_begin_node(t, ""), 0);
	assert_int_equal(fdt_begin_node(t, "signature"), 0);
	assert_int_equal(fdt_begin_node(t, "prod"), 0);
	prop_str(t, "ecdsa,curve", curve);
	assert_int_equal(fdt_property(t, "ecdsa,x-point", pub + 1, xl), 0);
	assert_int_equal(fdt_property(t, "ecdsa,y-point", pub + 33, yl), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_finish(t), 0);
	int key = fdt_path_offset(ctl, "/signature/prod");
	assert_true(key >= 0);
	return boot_fit_ec_key(ctl, key, why, wl);
}

static void ec_key_is_rebuilt_from_the_control_dtb(void **state)
{
	(void)state;
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *ec2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(ec);
	assert_non_null(ec2);
	char why[128] = "";
	EVP_PKEY *k = ec_ctl_key(ec, "prime256v1", 32, 32, why, sizeof(why));
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, ec), 1);
	assert_int_equal(EVP_PKEY_eq(k, ec2), 0);
	EVP_PKEY_free(k);
	/* a point one byte short, or longer, as U-Boot refuses */
	assert_null(ec_ctl_key(ec, "prime256v1", 31, 32, why, sizeof(why)));
	assert_non_null(strstr(why, "32 bytes"));
	assert_null(ec_ctl_key(ec, "prime256v1", 32, 33, why, sizeof(why)));
	assert_non_null(strstr(why, "32 bytes"));
	/* a curve U-Boot 2023.01 does not know, even with a valid point */
	assert_null(ec_ctl_key(ec, "secp384r1", 32, 32, why, sizeof(why)));
	assert_non_null(strstr(why, "secp384r1"));
	assert_null(ec_ctl_key(ec, "P-256", 32, 32, why, sizeof(why)));
	/* x and y swapped: (almost surely) not on the curve */
	EVP_PKEY_free(ec2);
	uint8_t pub[65];
	size_t pl = 0;
	assert_true(EVP_PKEY_get_octet_string_param(ec, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
						    &pl));
	EVP_PKEY_free(ec_ctl_key(ec, "prime256v1", 32, 32, why, sizeof(why)));
	int key = fdt_path_offset(ctl, "/signature/prod");
	assert_int_equal(fdt_setprop_inplace(ctl, key, "ecdsa,x-point", pub + 33, 32), 0);
	assert_int_equal(fdt_setprop_inplace(ctl, key, "ecdsa,y-point", pub + 1, 32), 0);
	assert_null(boot_fit_ec_key(ctl, key, why, sizeof(why)));
	assert_non_null(strstr(why, "not on"));
	EVP_PKEY_free(ec);
}

/* Signs conf-1 of the FIT in fit[] with k, as mkimage does. */
static void sign(EVP_PKEY *k)
{
	const char *nodes[] = {"/", "/configurations/conf-1", "/images/kernel",
			       "/images/kernel/hash-1"};
	boot_region r[64];
	size_t n = 0;
	assert_int_equal(boot_fit_regions(fit, nodes, 4, r, 64, &n), 0);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	assert_true(EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k));
	for (size_t i = 0; i < n; i++)
		assert_true(EVP_DigestSignUpdate(c, fit + r[i].off, r[i].len));
	assert_true(EVP_DigestSignUpdate(c, fit + fdt_off_dt_strings(fit), fdt_size_dt_strings(fit)));
	uint8_t sig[512];
	size_t sl = sizeof(sig);
	assert_true(EVP_DigestSignFinal(c, sig, &sl));
	EVP_MD_CTX_free(c);
	int node = fdt_path_offset(fit, "/configurations/conf-1/signature-1");
	assert_int_equal(fdt_setprop_inplace(fit, node, "value", sig, (int)sl), 0);
}

/* Checks FIT then control DTB as one run; the number of high SB-06 of the
 * signature check (located by node path: the structural ones, such as
 * conf-2 being unsigned, name the node alone). */
static size_t run_pair(size_t fit_len, size_t ctl_len)
{
	double_reset();
	ward_error err = {0};
	assert_int_equal(audit_boot_check(NULL, AUDIT_K_FIT, "t.itb", fit, fit_len, &err), 0);
	if (ctl_len)
		assert_int_equal(audit_boot_check(NULL, AUDIT_K_DTB, "u-boot.dtb", ctl, ctl_len, &err), 0);
	assert_int_equal(audit_boot_finish(NULL, &err), 0);
	size_t high = 0;
	for (size_t i = 0; i < double_count; i++)
		high += strcmp(double_findings[i].id, "SB-06") == 0 &&
			double_findings[i].sev == AUDIT_HIGH && double_findings[i].location[0] == '/';
	return high;
}

/* Whether a recorded finding says this at this severity. */
static bool said(audit_severity sev, const char *needle)
{
	for (size_t i = 0; i < double_count; i++)
		if (double_findings[i].sev == sev && strstr(double_findings[i].evidence, needle))
			return true;
	return false;
}

static void signed_fit_verifies_with_its_key_only(void **state)
{
	(void)state;
	size_t fl = build_fit("sha256,rsa2048", 256);
	sign(key_a);
	size_t cl = build_ctl(key_a, "a", 2048, 8, true);
	assert_int_equal(run_pair(fl, cl), 0);
	assert_int_equal(run_pair(fl, 0), 0);
	assert_true(said(AUDIT_INFO, "signatures not checked"));
	cl = build_ctl(key_b, "b", 2048, 8, true);
	assert_int_equal(run_pair(fl, cl), 1);
	assert_true(said(AUDIT_HIGH, "another key"));
	/* a covered property changed after signing */
	cl = build_ctl(key_a, "a", 2048, 8, true);
	int kern = fdt_path_offset(fit, "/images/kernel");
	assert_int_equal(fdt_setprop_inplace(fit, kern, "type", "kernex", 7), 0);
	assert_int_equal(run_pair(fl, cl), 1);
	assert_true(said(AUDIT_HIGH, "changed after signing"));
	/* the data changed: the hash node no longer matches */
	build_fit("sha256,rsa2048", 256);
	sign(key_a);
	int off = fdt_path_offset(fit, "/images/kernel");
	assert_int_equal(fdt_setprop_inplace_namelen_partial(fit, off, "data", 4, 0, "THE", 3), 0);
	assert_int_equal(run_pair(fl, cl), 1);
	assert_true(said(AUDIT_HIGH, "does not match hash-1"));
}

static void malformed_fits_are_reported_not_crashed_on(void **state)
{
	(void)state;
	size_t cl = build_ctl(key_a, "a", 2048, 8, true);
	/* an unsupported algorithm, a signature value too long */
	size_t fl = build_fit("sha256,ecdsa999", 256);
	assert_int_equal(run_pair(fl, cl), 1);
	assert_true(said(AUDIT_HIGH, "unsupported algo"));
	/* ECDSA on a curve ward does not check: not checked, said so */
	fl = build_fit("sha256,ecdsa384", 96);
	assert_int_equal(run_pair(fl, cl), 0);
	assert_true(said(AUDIT_INFO, "does not verify"));
	/* ecdsa256, which ward checks: an RSA key cannot verify it */
	fl = build_fit("sha256,ecdsa256", 64);
	assert_int_equal(run_pair(fl, cl), 1);
	assert_true(said(AUDIT_HIGH, "ecdsa,curve is missing"));
	fl = build_fit("sha256,rsa2048", 600);
	assert_int_equal(run_pair(fl, cl), 1);
	/* hashed-strings past the strings block */
	fl = build_fit("sha256,rsa2048", 256);
	int sig = fdt_path_offset(fit, "/configurations/conf-1/signature-1");
	fdt32_t cells[2] = {0, cpu_to_fdt32(1u << 30)};
	assert_int_equal(fdt_setprop_inplace(fit, sig, "hashed-strings", cells, 8), 0);
	assert_int_equal(run_pair(fl, cl), 1);
	assert_true(said(AUDIT_HIGH, "hashed-strings"));
	/* external data past the end of the file */
	fl = build_fit("sha256,rsa2048", 256);
	sign(key_a);
	int kern = fdt_path_offset(fit, "/images/kernel");
	assert_int_equal(fdt_open_into(fit, fit, CAP), 0);
	assert_int_equal(fdt_delprop(fit, kern, "data"), 0);
	assert_int_equal(fdt_setprop_u32(fit, kern, "data-offset", 0xfffffff0u), 0);
	assert_int_equal(fdt_setprop_u32(fit, kern, "data-size", 64), 0);
	assert_int_equal(fdt_pack(fit), 0);
	fl = fdt_totalsize(fit);
	assert_true(run_pair(fl, cl) >= 1);
	assert_true(said(AUDIT_HIGH, "past the end"));
	/* every single-byte corruption of a signed FIT: no crash, an error or
	 * findings (ASan and UBSan watch this in CI) */
	fl = build_fit("sha256,rsa2048", 256);
	sign(key_a);
	static _Alignas(8) uint8_t orig[CAP];
	memcpy(orig, fit, fl);
	for (size_t i = 0; i < fl; i++) {
		memcpy(fit, orig, fl);
		fit[i] ^= (uint8_t)(0x80 | i);
		double_reset();
		ward_error err = {0};
		int rc = audit_boot_check(NULL, AUDIT_K_FIT, "t.itb", fit, fl, &err);
		assert_true(rc == 0 || rc == WARD_EINVAL || rc == WARD_ELIMIT);
		assert_int_equal(audit_boot_check(NULL, AUDIT_K_DTB, "u-boot.dtb", ctl, cl, &err), 0);
		assert_int_equal(audit_boot_finish(NULL, &err), 0);
	}
	double_reset();
}

static int setup(void **state)
{
	(void)state;
	key_a = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	key_b = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return key_a && key_b ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key_a);
	EVP_PKEY_free(key_b);
	double_reset();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(regions_cover_listed_nodes_and_skip_data),
		cmocka_unit_test(regions_refuse_too_many_deep_and_long),
		cmocka_unit_test(rsa_key_is_rebuilt_from_the_control_dtb),
		cmocka_unit_test(ec_key_is_rebuilt_from_the_control_dtb),
		cmocka_unit_test(signed_fit_verifies_with_its_key_only),
		cmocka_unit_test(malformed_fits_are_reported_not_crashed_on),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
