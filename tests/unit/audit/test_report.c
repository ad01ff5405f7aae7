/*
 * test_report.c - the context and reports: waivers (JSON and text, valid,
 * expired, malformed), counting for --fail-on, and the shape of the human,
 * JSON and SARIF 2.1.0 renderings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "helpers.h"

/* 2026-06-01T00:00:00Z */
#define JUNE_2026 1780272000LL

static audit_ctx *sample(void)
{
	audit_ctx *a = NULL;
	assert_int_equal(audit_ctx_new(&a, NULL), 0);
	a->now = JUNE_2026;
	audit_report(a, "AUTH-01", AUDIT_CRITICAL, AUDIT_CONFIG, AUDIT_OTA_YES, "/etc/shadow", "line 1",
		     "Lock it.", "root has an empty password");
	audit_report(a, "SB-01", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_BOOT, "u-boot/.config", "CONFIG_FIT_SIGNATURE",
		     "Enable it.", "FIT signatures are not verified");
	audit_report(a, "KEY-03", AUDIT_CRITICAL, AUDIT_PROCESS, AUDIT_OTA_NO, "flash.bin", "offset 0x1000",
		     "Factory rework.", "demo ROTPK hash %s", "abcd");
	return a;
}

static void waivers_json_valid_and_expired(void **state)
{
	(void)state;
	audit_ctx *a = sample();
	const char *w = "{\"waivers\":[{\"id\":\"AUTH-01\",\"path\":\"/etc/shadow\",\"reason\":\"lab\","
			"\"expires\":\"2026-06-01\"},{\"id\":\"KEY-03\",\"path\":\"*\",\"reason\":\"old\","
			"\"expires\":\"2026-05-31\"}]}";
	assert_int_equal(audit_ctx_load_waivers(a, (const uint8_t *)w, strlen(w), NULL), 0);
	audit_ctx_apply_waivers(a);
	assert_int_equal(a->f[0].waiver, AUDIT_W_WAIVED); /* valid through its day */
	assert_int_equal(a->f[1].waiver, AUDIT_W_NONE);
	assert_int_equal(a->f[2].waiver, AUDIT_W_EXPIRED);
	assert_int_equal(audit_ctx_count(a, AUDIT_CRITICAL), 1); /* the expired one counts */
	assert_int_equal(audit_ctx_count(a, AUDIT_INFO), 2);
	audit_ctx_free(a);
}

static void waivers_text_and_wrong_path(void **state)
{
	(void)state;
	audit_ctx *a = sample();
	const char *w = "# comment\n\nAUTH-01 /etc/passwd 2030-01-01 wrong file\n"
			"SB-01 u-boot/.config 2030-01-01 boot firmware replaced in rev B\n";
	assert_int_equal(audit_ctx_load_waivers(a, (const uint8_t *)w, strlen(w), NULL), 0);
	audit_ctx_apply_waivers(a);
	assert_int_equal(a->f[0].waiver, AUDIT_W_NONE);
	assert_int_equal(a->f[1].waiver, AUDIT_W_WAIVED);
	assert_string_equal(a->f[1].waiver_reason, "boot firmware replaced in rev B");
	audit_ctx_free(a);
}

static void malformed_waivers_are_invalid(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"AUTH-01 /etc/shadow 2030-13-01 month 13\n",
		"AUTH-01 /etc/shadow 30-01-01 short year\n",
		"AUTH-01 /etc/shadow 2030-01-01\n", /* no reason */
		"{\"waivers\":[{\"id\":\"AUTH-01\",\"path\":\"*\",\"reason\":\"r\"}]}",
		"{\"waivers\": 3}",
		"{ not json",
		/* a valid entry before a bad one: the file is refused whole */
		"AUTH-01 /etc/shadow 2030-01-01 fine\nSEC-02 /etc/app.conf on purpose\n",
		("{\"waivers\":[{\"id\":\"AUTH-01\",\"path\":\"*\",\"expires\":\"2030-01-01\",\"reason\":\"r\"},"
		 "{\"id\":\"SEC-02\"}]}"),
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(bad); i++) {
		audit_ctx *a = sample();
		ward_error err = { 0 };
		assert_int_equal(audit_ctx_load_waivers(a, (const uint8_t *)bad[i], strlen(bad[i]), &err), WARD_EINVAL);
		assert_true(strlen(err.msg) > 0);
		assert_int_equal(a->nw, 0);
		audit_ctx_free(a);
	}
}

static void human_report_groups_by_severity_and_class_with_ota(void **state)
{
	(void)state;
	audit_ctx *a = sample();
	ward_buf b = WARD_BUF_INIT(1 << 20);
	assert_int_equal(audit_render_human(a, &b, NULL), 0);
	assert_int_equal(buf_putc(&b, 0), 0);
	const char *s = (const char *)b.ptr;
	const char *crit = strstr(s, "== critical ==");
	const char *high = strstr(s, "== high ==");
	assert_non_null(crit);
	assert_non_null(high);
	assert_true(crit < high);
	assert_non_null(strstr(s, "-- operational process --"));
	assert_non_null(strstr(s, "-- basic security functions missing --"));
	assert_non_null(strstr(s, "no: fuse/ROM level, needs factory rework"));
	assert_non_null(strstr(s, "only if the boot firmware is updatable over the air"));
	buf_dispose(&b);
	audit_ctx_free(a);
}

static void sarif_has_rules_results_and_locations(void **state)
{
	(void)state;
	audit_ctx *a = sample();
	audit_report(a, "AUTH-01", AUDIT_CRITICAL, AUDIT_CONFIG, AUDIT_OTA_YES, "/etc/passwd", NULL, "r", "again");
	ward_buf b = WARD_BUF_INIT(1 << 20);
	assert_int_equal(audit_render_sarif(a, &b, NULL), 0);
	json_t *doc = json_loadb((const char *)b.ptr, b.len, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "version")), "2.1.0");
	assert_non_null(strstr(json_string_value(json_object_get(doc, "$schema")), "sarif-schema-2.1.0"));
	json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
	json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
	assert_string_equal(json_string_value(json_object_get(driver, "name")), "ward");
	assert_int_equal(json_array_size(json_object_get(driver, "rules")), 3); /* AUTH-01 once */
	json_t *results = json_object_get(run, "results");
	assert_int_equal(json_array_size(results), 4);
	json_t *r0 = json_array_get(results, 0);
	assert_string_equal(json_string_value(json_object_get(r0, "level")), "error");
	json_t *pl = json_object_get(json_array_get(json_object_get(r0, "locations"), 0), "physicalLocation");
	assert_string_equal(json_string_value(json_object_get(json_object_get(pl, "artifactLocation"), "uri")),
			    "etc/shadow");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(pl, "region"), "startLine")), 1);
	json_t *r1 = json_array_get(results, 1);
	json_t *ll = json_object_get(json_array_get(json_object_get(r1, "locations"), 0), "logicalLocations");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ll, 0), "name")), "CONFIG_FIT_SIGNATURE");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(results, 3), "ruleIndex")), 0);
	json_decref(doc);
	buf_dispose(&b);
	audit_ctx_free(a);
}

static void json_report_has_summary_and_waiver_state(void **state)
{
	(void)state;
	audit_ctx *a = sample();
	const char *w = "KEY-03 flash.bin 2020-01-01 expired long ago\n";
	assert_int_equal(audit_ctx_load_waivers(a, (const uint8_t *)w, strlen(w), NULL), 0);
	audit_ctx_apply_waivers(a);
	ward_buf b = WARD_BUF_INIT(1 << 20);
	assert_int_equal(audit_render_json(a, &b, NULL), 0);
	json_t *doc = json_loadb((const char *)b.ptr, b.len, 0, NULL);
	assert_non_null(doc);
	json_t *sum = json_object_get(doc, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "critical")), 2);
	json_t *f2 = json_array_get(json_object_get(doc, "findings"), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(f2, "waiver"), "state")), "expired");
	assert_true(json_is_true(json_object_get(f2, "counts")));
	assert_string_equal(json_string_value(json_object_get(f2, "ota")), "no");
	json_decref(doc);
	buf_dispose(&b);
	audit_ctx_free(a);
}

static void detect_sniffs_kinds(void **state)
{
	(void)state;
	static const uint8_t dtb[64] = { 0xd0, 0x0d, 0xfe, 0xed };
	assert_int_equal(audit_detect("x.dtb", dtb, sizeof(dtb)), AUDIT_K_DTB);
	const char *uc = "#\n# Automatically generated file; DO NOT EDIT.\n# U-Boot 2023.01 Configuration\nCONFIG_ARM=y\n";
	assert_int_equal(audit_detect(".config", (const uint8_t *)uc, strlen(uc)), AUDIT_K_UBOOT_CONFIG);
	const char *kc = "# Linux/arm64 6.1.0 Kernel Configuration\nCONFIG_MODULES=y\n";
	assert_int_equal(audit_detect("config-6.1", (const uint8_t *)kc, strlen(kc)), AUDIT_K_KERNEL_CONFIG);
	const char *pem = "-----BEGIN PRIVATE KEY-----\n";
	assert_int_equal(audit_detect("id", (const uint8_t *)pem, strlen(pem)), AUDIT_K_KEY);
	assert_int_equal(audit_detect("/opt/docker-compose.yaml", (const uint8_t *)"a: 1", 4), AUDIT_K_COMPOSE);
	assert_int_equal(audit_detect("/etc/docker/daemon.json", (const uint8_t *)"{}", 2), AUDIT_K_DOCKER_DAEMON);
	assert_int_equal(audit_detect("uEnv.txt", (const uint8_t *)"a=b", 3), AUDIT_K_ENV_TEXT);
	assert_int_equal(audit_detect("notes.txt", (const uint8_t *)"hello", 5), AUDIT_K_UNKNOWN);
	/* MCUboot's Zephyr .config is a kernel configuration */
	const char *mcu = "CONFIG_BOOT_SIGNATURE_TYPE_RSA=y\nCONFIG_BOOT_MAX_IMG_SECTORS=128\n";
	assert_int_equal(audit_detect(".config", (const uint8_t *)mcu, strlen(mcu)), AUDIT_K_KERNEL_CONFIG);
	/* extlinux.conf: by name, and by its syntax under another .conf name */
	const char *ext = "label l0\n linux /boot/vmlinuz\n append root=/dev/mmcblk0p2\n";
	assert_int_equal(audit_detect("/boot/extlinux/extlinux.conf", (const uint8_t *)ext, strlen(ext)),
			 AUDIT_K_EXTLINUX);
	const char *ext2 = "menu title x\nlabel l0\n linux /boot/vmlinuz\n append quiet\n";
	assert_int_equal(audit_detect("boot.conf", (const uint8_t *)ext2, strlen(ext2)), AUDIT_K_EXTLINUX);
	const char *unit = "[Service]\nExecStart=/bin/true\n";
	assert_int_not_equal(audit_detect("x.conf", (const uint8_t *)unit, strlen(unit)), AUDIT_K_EXTLINUX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(waivers_json_valid_and_expired),
		cmocka_unit_test(waivers_text_and_wrong_path),
		cmocka_unit_test(malformed_waivers_are_invalid),
		cmocka_unit_test(human_report_groups_by_severity_and_class_with_ota),
		cmocka_unit_test(sarif_has_rules_results_and_locations),
		cmocka_unit_test(json_report_has_summary_and_waiver_state),
		cmocka_unit_test(detect_sniffs_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
