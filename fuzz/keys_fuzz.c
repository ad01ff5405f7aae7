/*
 * keys_fuzz.c - fuzzes the key detector (src/audit/boot/keys.c): PEM blocks
 * loaded with OpenSSL (private keys, public keys, certificates, the public
 * half of OpenSSH private keys), whole DER files, DER SPKI and PKCS#1 RSA
 * keys inside binaries, and the raw SPKI hashes of the demo-key denylist,
 * as audit_keys_scan does it for every file of a rootfs.
 *
 * Properties (abort = a bug in ward), besides those of audit_fuzz.h:
 *  - never more findings than the detector's per-file cap (64) plus the
 *    few that one key adds after it (KEY-01 and SEC-01, a PEM key and then
 *    the whole-file DER key);
 *  - no evidence holds a line of base64 from the input (the detector
 *    names keys by their SPKI fingerprint, never by their bytes).
 */
#include "audit/boot/boot_int.h"
#include "audit_fuzz.h"

/* Whether 24 bytes are part of where a denylisted key was published, which
 * the evidence quotes. */
static bool in_denylist(const char *s)
{
	for (size_t i = 0; i < boot_denylist_len; i++)
		if (memmem(boot_denylist[i].where, strlen(boot_denylist[i].where), s, 24))
			return true;
	return false;
}

/* Whether some evidence holds 24 bytes of base64 that are also in the
 * input: a piece of a key body. */
static bool echoes_body(const audit_ctx *a, const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < a->n; i++) {
		const char *ev = a->f[i].evidence;
		size_t n = strlen(ev), run = 0;
		for (size_t k = 0; k < n; k++) {
			char c = ev[k];
			bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
				   c == '+' || c == '/';
			run = b64 ? run + 1 : 0;
			if (run >= 24 && memmem(data, size, ev + k + 1 - 24, 24) && !in_denylist(ev + k + 1 - 24))
				return true;
		}
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	audit_ctx *a = afz_ctx();
	if (!a)
		return 0;
	ward_error err = { 0, "" };
	int rc = audit_keys_scan(a, "/etc/ssl/private/device.key", data, size, true, &err);
	afz_check_rc(rc, &err);
	if (a->n > 64 + 3 || echoes_body(a, data, size))
		abort();
	afz_check_report(a);
	audit_ctx_free(a);
	return 0;
}
