/*
 * env_fuzz.c - fuzzes the U-Boot environment readers (src/audit/boot/env.c):
 * the input as a binary environment image (boot_env_image: single or
 * redundant, CRC32 checked), as a text environment (boot_env_text:
 * uEnv.txt, mkenvimage input) and as a binary holding a default
 * environment (boot_env_default), with the production limits.
 *
 * A random CRC32 almost never matches, so the input is also run with its
 * CRC rewritten, once for the single layout (CRC over bytes 4..) and once
 * for the redundant one (CRC over bytes 5.., byte 4 the flag): that is how
 * mkenvimage writes them, and it reaches the path of a valid image.
 *
 * Properties (abort = a bug in ward), besides those of audit_fuzz.h:
 *  - an image whose CRC matches is never reported as corrupt (ENV-04
 *    "CRC32 mismatch").
 */
#include "audit/boot/boot_int.h"
#include "audit_fuzz.h"

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffu;
}

static size_t crc_mismatches(const audit_ctx *a, size_t from)
{
	size_t n = 0;
	for (size_t i = from; i < a->n; i++)
		n += strcmp(a->f[i].id, "ENV-04") == 0 && strstr(a->f[i].evidence, "CRC32 mismatch");
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	audit_ctx *a = afz_ctx();
	uint8_t *copy = malloc(size ? size : 1);
	if (!a || !copy)
		goto out;
	ward_error err = { 0, "" };
	int rc = boot_env_image(a, "uboot.env", data, size, &err);
	afz_check_rc(rc, &err);
	rc = boot_env_text(a, "uEnv.txt", data, size, &err);
	afz_check_rc(rc, &err);
	rc = boot_env_default(a, "u-boot.bin", data, size, &err);
	afz_check_rc(rc, &err);
	for (size_t hdr = 4; hdr <= 5 && size >= 8; hdr++) {
		memcpy(copy, data, size);
		uint32_t crc = crc32_ieee(copy + hdr, size - hdr);
		for (int i = 0; i < 4; i++)
			copy[i] = (uint8_t)(crc >> (8 * i));
		size_t before = a->n;
		rc = boot_env_image(a, "uboot.env", copy, size, &err);
		afz_check_rc(rc, &err);
		if (!a->failed_alloc && !a->truncated && crc_mismatches(a, before) != 0)
			abort();
	}
	afz_check_report(a);
out:
	free(copy);
	audit_ctx_free(a);
	return 0;
}
