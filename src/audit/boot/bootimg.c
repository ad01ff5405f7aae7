/*
 * bootimg.c - what a boot ROM and TF-A check before they run the next
 * stage, read from the images themselves.
 *
 * i.MX (SB-07): the ROM's HAB verifies an image only through the CSF its
 * Image Vector Table points to.  An IVT (tag 0xD1, length 32, version
 * 0x40-0x43; entry, reserved, DCD, boot data, self, CSF, reserved as
 * 32-bit little-endian words) whose CSF pointer is 0 is an image the ROM
 * boots unsigned: what U-Boot's `mkimage -T imximage` writes without a CSF
 * line.
 *
 * TF-A (SB-07, RB-03): a FIP (ToC name 0xAA640001, 40-byte entries of UUID,
 * offset, size, flags, ended by a null UUID) built with
 * TRUSTED_BOARD_BOOT carries X.509 certificates, each with a trusted or
 * non-trusted NV counter extension (1.3.6.1.4.1.4128.2100.1/.2) that
 * BL1/BL2 compare with the platform's anti-rollback counters.  A FIP with
 * images but no certificate was built without trusted board boot; one whose
 * certificates all carry counter 0 never advanced them, so every earlier
 * signed release still boots.
 */
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "audit/boot/boot_int.h"
#include "util/bytes.h"

WARD_DEFINE_AUTO(X509 *, X509_free)
WARD_DEFINE_AUTO(ASN1_OBJECT *, ASN1_OBJECT_free)
WARD_DEFINE_AUTO(ASN1_INTEGER *, ASN1_INTEGER_free)

#define FIP_TOC_NAME 0xaa640001u
#define FIP_HEADER 16
#define FIP_ENTRY 40
/* Entries read from one FIP (TF-A defines about 40 image types). */
#define FIP_MAX_ENTRIES 128

bool boot_is_fip(const uint8_t *data, size_t len)
{
	return len >= FIP_HEADER + FIP_ENTRY && bytes_le32(data) == FIP_TOC_NAME;
}

/* The NV counter of a TBB certificate, trusted or non-trusted world (-1:
 * none, or not an integer). */
static long nv_counter(X509 *x)
{
	static const char *const oids[] = { "1.3.6.1.4.1.4128.2100.1", "1.3.6.1.4.1.4128.2100.2" };
	for (size_t i = 0; i < WARD_ARRAY_LEN(oids); i++) {
		WARD_AUTO(ASN1_OBJECT_free) ASN1_OBJECT *o = OBJ_txt2obj(oids[i], 1);
		int at = o ? X509_get_ext_by_OBJ(x, o, -1) : -1;
		if (at < 0)
			continue;
		const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(x, at));
		const unsigned char *p = ASN1_STRING_get0_data(v);
		WARD_AUTO(ASN1_INTEGER_free) ASN1_INTEGER *n = d2i_ASN1_INTEGER(NULL, &p, ASN1_STRING_length(v));
		long val = n ? ASN1_INTEGER_get(n) : -1;
		ERR_clear_error();
		return val;
	}
	ERR_clear_error();
	return -1;
}

int boot_fip(audit_ctx *a, const char *file, const uint8_t *data, size_t len, ward_error *err)
{
	if (!boot_is_fip(data, len))
		return ward_err(err, WARD_EINVAL, "%s: not a TF-A FIP (no ToC header)", file);
	static const uint8_t null_uuid[16] = { 0 };
	size_t images = 0, certs = 0, counted = 0, pos = FIP_HEADER;
	long max_ctr = -1;
	for (size_t i = 0;; i++, pos += FIP_ENTRY) {
		if (i == FIP_MAX_ENTRIES)
			return ward_err(err, WARD_ELIMIT, "%s: more than %d FIP entries", file, FIP_MAX_ENTRIES);
		if (len - pos < FIP_ENTRY)
			return ward_err(err, WARD_EINVAL, "%s: FIP table of contents runs past the end", file);
		const uint8_t *e = data + pos;
		if (memcmp(e, null_uuid, 16) == 0)
			break;
		uint64_t off = bytes_le64(e + 16), size = bytes_le64(e + 24);
		if (off > len || size > len - off)
			return ward_err(err, WARD_EINVAL, "%s: FIP entry %zu (offset %llu, %llu bytes) is outside "
					"the file", file, i, (unsigned long long)off, (unsigned long long)size);
		const unsigned char *p = data + off;
		WARD_AUTO(X509_free) X509 *x = size >= 2 && p[0] == 0x30 && size <= LONG_MAX ?
							d2i_X509(NULL, &p, (long)size) : NULL;
		ERR_clear_error();
		if (!x) {
			images++;
			continue;
		}
		certs++;
		long c = nv_counter(x);
		if (c >= 0) {
			counted++;
			max_ctr = c > max_ctr ? c : max_ctr;
		}
	}
	if (images > 0 && certs == 0)
		audit_report(a, "SB-07", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_NO, file, "FIP",
			     "Build TF-A with TRUSTED_BOARD_BOOT=1 (and GENERATE_COT=1), with the ROTPK "
			     "hash of your own root key fused.",
			     "the FIP holds %zu image%s and no certificate: TF-A was built without trusted "
			     "board boot, so BL2 runs whatever BL31, BL32 and BL33 it finds",
			     images, images == 1 ? "" : "s");
	if (counted > 0 && max_ctr == 0)
		audit_report(a, "RB-03", AUDIT_MEDIUM, AUDIT_PROCESS, AUDIT_OTA_BOOT, file, "FIP",
			     "Give each release higher NV counters (TFW_NVCTR_VAL, NTFW_NVCTR_VAL) and make "
			     "sure the platform's plat_set_nv_ctr writes real OTP or secure-storage "
			     "counters.",
			     "all %zu TBB certificates carry NV counter 0: the anti-rollback counters were "
			     "never advanced, so every earlier signed release still boots", counted);
	return audit_keys_scan(a, file, data, len, false, err);
}

/* The i.MX IVT at `at`, if there is one; its CSF pointer in *csf. */
static bool ivt_at(const uint8_t *d, size_t len, size_t at, uint32_t *csf)
{
	if (at > len || len - at < 32)
		return false;
	const uint8_t *p = d + at;
	if (p[0] != 0xd1 || p[1] != 0x00 || p[2] != 0x20 || p[3] < 0x40 || p[3] > 0x43)
		return false;
	/* reserved words zero, entry and self set: not random bytes */
	if (bytes_le32(p + 8) != 0 || bytes_le32(p + 28) != 0 || bytes_le32(p + 4) == 0 || bytes_le32(p + 20) == 0)
		return false;
	*csf = bytes_le32(p + 24);
	return true;
}

void boot_imx_ivt(audit_ctx *a, const char *file, const uint8_t *data, size_t len)
{
	/* the image itself (u-boot.imx, flash.bin) or a whole boot medium,
	 * where the ROM looks at 1 KiB (SD/eMMC) or 4 KiB (NOR, i.MX8M 33 KiB) */
	static const size_t offsets[] = { 0, 0x400, 0x1000, 0x8400 };
	for (size_t i = 0; i < WARD_ARRAY_LEN(offsets); i++) {
		uint32_t csf;
		if (!ivt_at(data, len, offsets[i], &csf))
			continue;
		if (csf == 0) {
			char loc[48];
			snprintf(loc, sizeof(loc), "IVT at offset %zu", offsets[i]);
			audit_report(a, "SB-07", AUDIT_HIGH, AUDIT_BASIC, AUDIT_OTA_NO, file, loc,
				     "Sign the boot image with NXP's CST (a CSF line in the imximage "
				     "configuration), fuse the SRK hash and close the device.",
				     "the i.MX boot image has no CSF (its IVT's CSF pointer is 0): the boot "
				     "ROM runs it unsigned");
		}
		return; /* the first IVT is the one the ROM reads */
	}
}
