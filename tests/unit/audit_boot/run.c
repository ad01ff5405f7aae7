/*
 * run.c - audit-boot-run KIND FILE [--rootfs] [--as PATH] [--and KIND FILE]...:
 * runs the boot checks on the files through the test double, as one run
 * (a FIT and its control DTB: audit_boot_finish), and prints each finding as
 * "ID<TAB>SEVERITY<TAB>LOCATION<TAB>EVIDENCE".  For the end-to-end tests
 * until `ward audit` drives the same code.  Exit 0, or 1 on an error.
 */
#include <stdio.h>
#include <string.h>

#include "audit/boot/boot.h"
#include "double.h"

static const struct {
	const char *name;
	audit_kind kind;
} kinds[] = {
	{"uboot-config", AUDIT_K_UBOOT_CONFIG}, {"kernel-config", AUDIT_K_KERNEL_CONFIG},
	{"uboot-bin", AUDIT_K_UBOOT_BIN},       {"env-image", AUDIT_K_ENV_IMAGE},
	{"env-text", AUDIT_K_ENV_TEXT},         {"dtb", AUDIT_K_DTB},
	{"fit", AUDIT_K_FIT},                   {"key", AUDIT_K_KEY},
};

static const char *const sevs[] = {"info", "low", "medium", "high", "critical"};

static audit_kind kind_of(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(name, kinds[i].name) == 0)
			return kinds[i].kind;
	return AUDIT_K_UNKNOWN;
}

/* Checks one file; 0, or 1 after printing the error. */
static int check_one(const char *kname, const char *path, const char *as, bool rootfs)
{
	bool scan = strcmp(kname, "scan") == 0;
	audit_kind kind = kind_of(kname);
	if (kind == AUDIT_K_UNKNOWN && !scan) {
		fprintf(stderr, "audit-boot-run: unknown kind %s\n", kname);
		return 2;
	}
	FILE *f = fopen(path, "rbe");
	if (!f) {
		perror(path);
		return 1;
	}
	static uint8_t data[64 * 1024 * 1024];
	size_t len = fread(data, 1, sizeof(data), f);
	fclose(f);
	ward_error err = {0};
	int rc = scan ? audit_keys_scan(NULL, as, data, len, rootfs, &err)
		      : audit_boot_check(NULL, kind, as, data, len, &err);
	if (rc) {
		fprintf(stderr, "audit-boot-run: %s\n", err.msg);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: audit-boot-run KIND FILE [--rootfs] [--as PATH] "
				"[--and KIND FILE]...\n");
		return 2;
	}
	bool rootfs = false;
	const char *as = argv[2];
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--rootfs") == 0)
			rootfs = true;
		else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
			as = argv[++i];
	}
	int rc = check_one(argv[1], argv[2], as, rootfs);
	for (int i = 3; !rc && i < argc; i++)
		if (strcmp(argv[i], "--and") == 0 && i + 2 < argc) {
			rc = check_one(argv[i + 1], argv[i + 2], argv[i + 2], false);
			i += 2;
		}
	ward_error err = {0};
	if (!rc && audit_boot_finish(NULL, &err) != 0) {
		fprintf(stderr, "audit-boot-run: %s\n", err.msg);
		rc = 1;
	}
	for (size_t i = 0; i < double_count; i++)
		printf("%s\t%s\t%s\t%s\n", double_findings[i].id, sevs[double_findings[i].sev],
		       double_findings[i].location, double_findings[i].evidence);
	double_reset();
	return rc;
}
