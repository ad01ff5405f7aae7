/*
 * waivers_fuzz.c - fuzzes the waiver file reader (audit_ctx_load_waivers in
 * src/audit/core/audit.c: JSON or text) and the input detection of
 * `ward audit` (audit_detect in src/audit/core/detect.c).  A waiver file
 * sits in a product's repository and is edited by hand; the inputs' names
 * and first bytes come from the firmware.
 *
 * Properties (abort = a bug in ward), besides those of audit_fuzz.h:
 *  - a failed load leaves no waiver behind;
 *  - a waiver applies only to a finding with its exact id and path (or the
 *    path "*"), and
 *    counts as waived only before its expiry: a finding is waived, expired
 *    or neither, never waived by a waiver for another id or path;
 *  - detection returns a kind ward knows, whatever the name and bytes.
 */
#include "audit_fuzz.h"

static const struct {
	const char *id, *file;
} FINDINGS[] = {
	{ "AUTH-01", "/etc/shadow" },
	{ "SEC-02", "/etc/app.conf" },
	{ "HW-01", "board.dtb" },
	{ "SVC-04", "/etc" },
};

static const char *const NAMES[] = { "x", "board.dtb", "uEnv.txt", "u-boot.bin", "extlinux.conf",
				     "docker-compose.yml", "daemon.json", "key.pem", "a.conf", "config-6.1" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < WARD_ARRAY_LEN(NAMES); i++) {
		audit_kind k = audit_detect(NAMES[i], data, size);
		if ((int)k < AUDIT_K_UNKNOWN || (int)k > AUDIT_K_FIP)
			abort();
	}
	audit_ctx *a = afz_ctx();
	if (!a)
		return 0;
	a->now = 1790000000; /* 2026-09-22: some waivers have expired, some not */
	ward_error err = { 0, "" };
	int rc = audit_ctx_load_waivers(a, data, size, &err);
	afz_check_rc(rc, &err);
	if (rc && a->nw)
		abort();
	for (size_t i = 0; i < WARD_ARRAY_LEN(FINDINGS); i++)
		audit_report(a, FINDINGS[i].id, AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_YES, FINDINGS[i].file, NULL,
			     "remedy", "finding %zu", i);
	audit_ctx_apply_waivers(a);
	for (size_t i = 0; i < a->n; i++) {
		const audit_finding *f = &a->f[i];
		if (f->waiver == AUDIT_W_NONE)
			continue;
		bool matched = false, live = false;
		for (size_t j = 0; j < a->nw; j++)
			if (strcmp(a->w[j].id, f->id) == 0 &&
			    (strcmp(a->w[j].path, "*") == 0 || strcmp(a->w[j].path, f->file) == 0)) {
				matched = true;
				live |= a->now < a->w[j].expires_at;
			}
		if (!matched || (f->waiver == AUDIT_W_WAIVED) != live || !f->waiver_reason || !f->waiver_expires)
			abort();
	}
	afz_check_report(a);
	audit_ctx_free(a);
	return 0;
}
