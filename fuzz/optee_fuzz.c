/*
 * optee_fuzz.c - fuzzes the OP-TEE readers of `ward audit`
 * (src/audit/boot/optee.c: a TA's signed header, KEY-05 and the hash over
 * its contents) and the --deny-keys file reader (src/audit/boot/denykeys.c).
 * The first byte picks the reader; the rest is the file.
 *
 * TAs are checked with a --deny-keys set holding FUZZ_KEY, so the signature
 * verification runs for real: the seed corpus has TAs signed with its
 * private half (PSS and PKCS#1 v1.5, every image type), which the fuzzer
 * mutates.
 *
 * Properties (abort = a bug in ward), besides those of audit_fuzz.h:
 *  - a TA gives at most two findings (KEY-05, INPUT-01) and is refused
 *    only with WARD_EINVAL;
 *  - a TA without the "HSTO" magic is refused;
 *  - a --deny-keys file loads into 1 to 256 keys, each with a fingerprint
 *    that is the SHA-256 of its SPKI, or is refused and leaves nothing.
 */
#include "audit/boot/boot_int.h"
#include "audit_fuzz.h"

/* A fresh RSA-2048 key made for this target; its private half signed the
 * seeds and was not kept. */
static const char FUZZ_KEY[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnHV3jIExAAA9DUYWzEoO\n"
	"b78d6dpAK7e+iwBGMd7jTwoFZWPzpLCU26qwlJZpp7j/nZMRpQeLYGShu+jSyH2C\n"
	"BhEaaYvRUt9aqLf6tC1bjcl3CbgaUWj7rY5OiN+XZlJeqypD2CNZpM2jiAplnix/\n"
	"LLGhJguMVR/LF06eU2GIZU8Gmeic2KUyxyv0/RkVnxVosTq8rOxHiNEEK8OlamsU\n"
	"aUV2LF+SNJFnxb/rPSV/UX0Rnx65wN6zwVwDBeKTiB7NH7nFBXrrRbJR3xZP+dw1\n"
	"GzUo4Mbcpxuv6Rd2gixBp2PfZGFHFqTyeZQLvzOuWmiHAu66BH6r4h8TUhkm3xm8\n"
	"uQIDAQAB\n"
	"-----END PUBLIC KEY-----\n";

static void check_set(const audit_ctx *a, size_t *n)
{
	const boot_denykey *k;
	size_t i = boot_denylist_len;
	for (; (k = boot_deny_at(a, i)) != NULL; i++) {
		uint8_t fp[32];
		if (!k->own || !EVP_Digest(k->spki, k->spki_len, fp, NULL, EVP_sha256(), NULL) ||
		    memcmp(fp, k->sha256, 32) != 0 || boot_deny_find(a, fp) == NULL)
			abort();
	}
	*n = i - boot_denylist_len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	audit_ctx *a = afz_ctx();
	if (!a)
		return 0;
	ward_error err = { 0, "" };
	audit_denyset *d = NULL;
	size_t n = 0;
	if (data[0] & 1) { /* a --deny-keys file */
		int rc = audit_denyset_load(&d, "keys.pem", data + 1, size - 1, &err);
		afz_check_rc(rc, &err);
		if (rc && d)
			abort();
		a->deny = d;
		check_set(a, &n);
		if (rc ? n != 0 : n == 0 || n > 256)
			abort();
	} else { /* a TA */
		int rc = audit_denyset_load(&d, "fuzz.pem", (const uint8_t *)FUZZ_KEY, sizeof(FUZZ_KEY) - 1,
					    &err);
		if (rc) {
			audit_ctx_free(a);
			return 0; /* out of memory */
		}
		a->deny = d;
		rc = boot_ta(a, "/lib/optee_armtz/x.ta", data + 1, size - 1, &err);
		afz_check_rc(rc, &err);
		if ((rc && rc != WARD_EINVAL && rc != WARD_ENOMEM) || a->n > 2 ||
		    (!boot_is_ta(data + 1, size - 1) && rc == 0))
			abort();
		rc = audit_boot_finish(a, &err);
		afz_check_rc(rc, &err);
	}
	afz_check_report(a);
	audit_ctx_free(a);
	audit_denyset_free(d);
	return 0;
}
