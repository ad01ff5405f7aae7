/*
 * kernel.c - the certificates built into a kernel image (KEY-06).
 *
 * A kernel carries its trusted keys -- the module-signing certificate and
 * CONFIG_SYSTEM_TRUSTED_KEYS -- as DER X.509 inside the image, which ships
 * compressed: arm64 Image.gz (Debian's vmlinuz), x86 bzImage (the payload
 * at the setup header's payload_offset), U-Boot's legacy uImage (a 64-byte
 * header), EFI zboot ("zimg").  The payload is found from those headers,
 * decompressed by libarchive (raw format: gzip, xz, lzma, zstd, lz4, bzip2)
 * up to AUDIT_LIMIT_FILE_BYTES, and handed to the key detector; a
 * published or denylisted key found there is KEY-06, since every key built
 * into the kernel can sign the modules (and kexec images) it loads.  An
 * uncompressed Image or vmlinux is scanned as it is.
 */
#include <archive.h>
#include <fnmatch.h>
#include <string.h>

#include "audit/boot/boot.h"
#include "audit/core/core.h"
#include "util/bytes.h"

WARD_DEFINE_AUTO(audit_ctx *, audit_ctx_free)

bool audit_kernel_name(const char *base)
{
	static const char *const names[] = { "vmlinuz*", "vmlinux*", "Image", "Image.*", "zImage*",
					     "bzImage*", "uImage*", "kernel*.img", "vmlinuz.efi" };
	for (size_t i = 0; i < WARD_ARRAY_LEN(names); i++)
		if (fnmatch(names[i], base, 0) == 0)
			return true;
	return false;
}

/* Where the compressed payload starts and how long it is; false when the
 * image is not one of the compressed shapes (an uncompressed Image or
 * vmlinux is scanned as it is). */
static bool payload(const uint8_t *d, size_t len, size_t *off, size_t *plen)
{
	/* Image.gz and the other compressed whole images: gzip, xz, zstd,
	 * lz4 (legacy frame, as the kernel writes it), bzip2 */
	static const struct {
		const char *magic;
		size_t n;
	} whole[] = { { "\x1f\x8b\x08", 3 }, { "\xfd\x37\x7a\x58\x5a\x00", 6 },
		      { "\x28\xb5\x2f\xfd", 4 }, { "\x02\x21\x4c\x18", 4 }, { "BZh", 3 } };
	for (size_t i = 0; i < WARD_ARRAY_LEN(whole); i++)
		if (len >= whole[i].n && memcmp(d, whole[i].magic, whole[i].n) == 0) {
			*off = 0, *plen = len;
			return true;
		}
	if (len >= 64 && bytes_be32(d) == 0x27051956u && d[31] != 0) { /* uImage, compressed */
		size_t n = bytes_be32(d + 12);
		if (n > len - 64)
			return false;
		*off = 64, *plen = n;
		return true;
	}
	if (len >= 16 && memcmp(d + 4, "zimg", 4) == 0) { /* EFI zboot */
		size_t o = bytes_le32(d + 8), n = bytes_le32(d + 12);
		if (o > len || n > len - o)
			return false;
		*off = o, *plen = n;
		return true;
	}
	if (len >= 0x250 && memcmp(d + 0x202, "HdrS", 4) == 0) { /* bzImage */
		size_t setup = d[0x1f1] ? d[0x1f1] : 4;
		size_t base = (setup + 1) * 512, o = bytes_le32(d + 0x248), n = bytes_le32(d + 0x24c);
		if (base > len || o > len - base || n > len - base - o)
			return false;
		*off = base + o, *plen = n;
		return true;
	}
	return false;
}

/* Decompresses d into out, at most max bytes.  A stream followed by
 * padding (bzImage, uImage payloads are exact; Image.gz may carry a
 * trailer) ends at the first error after output. */
static int inflate(const char *file, const uint8_t *d, size_t len, size_t max, ward_buf *out,
		   ward_error *err)
{
	struct archive *ar = archive_read_new();
	if (!ar)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
	archive_read_support_filter_all(ar);
	archive_read_support_format_raw(ar);
	struct archive_entry *e;
	int rc = 0;
	if (archive_read_open_memory(ar, d, len) != ARCHIVE_OK || archive_read_next_header(ar, &e) != ARCHIVE_OK) {
		const char *why = archive_error_string(ar);
		rc = ward_err(err, WARD_EINVAL, "%s: compressed kernel is corrupt or truncated: %s", file,
			      why ? why : "unreadable");
		goto out;
	}
	if (archive_filter_count(ar) < 2) { /* only the "none" filter */
		rc = ward_err(err, WARD_EINVAL, "%s: kernel payload is not in a compression ward reads", file);
		goto out;
	}
	uint8_t chunk[65536];
	for (;;) {
		la_ssize_t r = archive_read_data(ar, chunk, sizeof(chunk));
		if (r == 0 || (r < 0 && out->len > 0))
			break;
		if (r < 0) {
			rc = ward_err(err, WARD_EINVAL, "%s: corrupt compressed kernel: %s", file,
				      archive_error_string(ar));
			goto out;
		}
		if ((size_t)r > max - out->len) {
			rc = ward_err(err, WARD_ELIMIT, "%s: decompressed kernel larger than %zu MiB", file,
				      max >> 20);
			goto out;
		}
		if (buf_append(out, chunk, (size_t)r) != 0) {
			rc = ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
			goto out;
		}
	}
out:
	archive_read_free(ar);
	return rc;
}

int audit_check_kernel_image(audit_ctx *a, const char *file, const uint8_t *data, size_t len, ward_error *err)
{
	size_t off, plen;
	WARD_AUTO(buf_dispose) ward_buf img = WARD_BUF_INIT(AUDIT_LIMIT_FILE_BYTES);
	bool packed = payload(data, len, &off, &plen);
	int rc = packed ? inflate(file, data + off, plen, AUDIT_LIMIT_FILE_BYTES, &img, err) : 0;
	if (rc)
		return rc;
	WARD_AUTO(audit_ctx_free) audit_ctx *probe = NULL;
	rc = audit_ctx_new(&probe, err);
	if (rc)
		return rc;
	probe->deny = a->deny;
	/* uncompressed (Image, vmlinux): the file itself */
	rc = audit_keys_scan(probe, file, packed ? img.ptr : data, packed ? img.len : len, false, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < probe->n; i++) {
		const audit_finding *f = &probe->f[i];
		bool key01 = strcmp(f->id, "KEY-01") == 0;
		audit_report(a, key01 ? "KEY-06" : f->id, key01 ? AUDIT_HIGH : f->sev, f->cls,
			     key01 ? AUDIT_OTA_YES : f->ota, file, f->location,
			     key01 ? "Build the kernel with your own module-signing key (CONFIG_MODULE_SIG_KEY) "
				     "and trusted keys, kept offline, and ship the new kernel."
				   : f->remedy,
			     "%s%s%s", key01 ? "a key built into the kernel can sign the modules it loads and "
					       "it is not yours: " : "",
			     f->evidence, packed ? " (offset in the decompressed image)" : "");
	}
	return 0;
}
