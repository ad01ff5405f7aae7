/*
 * detect.c - what kind of input a file is (from its name and first bytes),
 * and the dispatch of one file to its checks.
 */
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "audit/boot/boot.h"
#include "audit/core/core.h"

static bool has(const uint8_t *d, size_t len, const char *s)
{
	return memmem(d, len, s, strlen(s)) != NULL;
}

static bool has_nocase(const uint8_t *d, size_t len, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; n && i + n <= len; i++)
		if (strncasecmp((const char *)d + i, s, n) == 0)
			return true;
	return false;
}

static bool name_is(const char *base, const char *pattern)
{
	return fnmatch(pattern, base, FNM_CASEFOLD) == 0;
}

audit_kind audit_detect(const char *name, const uint8_t *data, size_t len)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	size_t head = len < 4096 ? len : 4096;

	if (len >= 40 && data[0] == 0xd0 && data[1] == 0x0d && data[2] == 0xfe && data[3] == 0xed) {
		/* a FIT is a DTB with /images and /configurations */
		size_t probe = len < (1u << 20) ? len : (1u << 20);
		return has(data, probe, "images") && has(data, probe, "configurations") ? AUDIT_K_FIT
											 : AUDIT_K_DTB;
	}
	if (audit_kernel_name(base) || (len >= 0x206 && memcmp(data + 0x202, "HdrS", 4) == 0) ||
	    (len >= 0x40 && memcmp(data + 0x38, "ARM\x64", 4) == 0) ||
	    (len >= 16 && data[0] == 'M' && data[1] == 'Z' && memcmp(data + 4, "zimg", 4) == 0) ||
	    (len >= 64 && memcmp(data, "\x27\x05\x19\x56", 4) == 0 && data[30] == 2 /* IH_TYPE_KERNEL */))
		return AUDIT_K_KERNEL_IMAGE;
	if (len >= 56 && memcmp(data, "\x01\x00\x64\xaa", 4) == 0)
		return AUDIT_K_FIP;
	if (len >= 20 && memcmp(data, "HSTO", 4) == 0)
		return AUDIT_K_TA;
	if ((len >= 4 && memcmp(data, "OPTE", 4) == 0) || name_is(base, "tee.bin") ||
	    name_is(base, "tee-*.bin") || name_is(base, "tee.elf"))
		return AUDIT_K_OPTEE;
	if (name_is(base, "extlinux.conf") || name_is(base, "syslinux.cfg") ||
	    (name_is(base, "*.conf") && has_nocase(data, head, "\nlabel ") && has_nocase(data, head, "append ")))
		return AUDIT_K_EXTLINUX;
	if (name_is(base, "daemon.json"))
		return AUDIT_K_DOCKER_DAEMON;
	if (name_is(base, "docker-compose*.y*ml") || name_is(base, "compose*.y*ml") ||
	    (name_is(base, "*.y*ml") && has(data, head, "services:") &&
	     (has(data, head, "image:") || has(data, head, "build:"))))
		return AUDIT_K_COMPOSE;
	if (has(data, head, "-----BEGIN ") || name_is(base, "*.pem") || name_is(base, "*.crt") ||
	    name_is(base, "*.der") || name_is(base, "*.key") || name_is(base, "*.p12") || name_is(base, "*.pfx"))
		return AUDIT_K_KEY;
	if (has(data, head, "CONFIG_")) {
		if (has(data, head, "U-Boot") || has(data, head, "CONFIG_SYS_"))
			return AUDIT_K_UBOOT_CONFIG;
		/* Zephyr's .config (MCUboot is a Zephyr application) is a kernel's */
		if (has(data, head, "Linux/") || has(data, head, "Kernel Configuration") || name_is(base, "config-*") ||
		    has(data, len, "CONFIG_BOOT_SIGNATURE_TYPE_") || has(data, head, "CONFIG_ZEPHYR"))
			return AUDIT_K_KERNEL_CONFIG;
	}
	if (name_is(base, "uEnv.txt") || name_is(base, "boot.cmd") || name_is(base, "*env*.txt"))
		return AUDIT_K_ENV_TEXT;
	if (name_is(base, "uboot.env") || name_is(base, "*env*.bin") || name_is(base, "*env*.img"))
		return AUDIT_K_ENV_IMAGE;
	if (name_is(base, "u-boot*") || name_is(base, "*spl*.bin") || name_is(base, "flash.bin") ||
	    name_is(base, "idbloader*") || has(data, len < ((size_t)4 << 20) ? len : ((size_t)4 << 20), "U-Boot SPL"))
		return AUDIT_K_UBOOT_BIN;
	return AUDIT_K_UNKNOWN;
}

int audit_check_file(audit_ctx *a, audit_kind kind, const char *file, const uint8_t *data, size_t len,
		     ward_error *err)
{
	switch (kind) {
	case AUDIT_K_COMPOSE:
		return audit_check_compose(a, file, data, len, err);
	case AUDIT_K_DOCKER_DAEMON:
		return audit_check_daemon_json(a, file, data, len, err);
	case AUDIT_K_KERNEL_IMAGE:
		return audit_check_kernel_image(a, file, data, len, err);
	case AUDIT_K_UBOOT_CONFIG:
	case AUDIT_K_KERNEL_CONFIG:
	case AUDIT_K_UBOOT_BIN:
	case AUDIT_K_ENV_IMAGE:
	case AUDIT_K_ENV_TEXT:
	case AUDIT_K_DTB:
	case AUDIT_K_FIT:
	case AUDIT_K_KEY:
	case AUDIT_K_EXTLINUX:
	case AUDIT_K_TA:
	case AUDIT_K_OPTEE:
	case AUDIT_K_FIP:
		return audit_boot_check(a, kind, file, data, len, err);
	case AUDIT_K_UNKNOWN:
		break;
	}
	return ward_err(err, WARD_EINVAL, "%s: not a kind of file ward audit knows", file);
}
