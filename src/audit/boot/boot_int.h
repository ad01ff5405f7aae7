/* boot_int.h - what the boot-check modules share: the embedded demo-key
 * denylist, the SPKI matcher, the Kconfig reader and each module's entry. */
#ifndef WARD_AUDIT_BOOT_INT_H
#define WARD_AUDIT_BOOT_INT_H

#include <openssl/evp.h>

#include "audit/boot/boot.h"

/* One published demo/development key: SHA-256 of its DER SPKI, the key
 * type, where it was published, the DER SPKI and, for RSA, the big-endian
 * modulus (no sign byte).  ta: a key OP-TEE verifies TAs with (SB-09).
 * Generated from data/demo-keys.tsv; --deny-keys adds the user's own. */
typedef struct boot_denykey {
	uint8_t sha256[32];
	const char *type;
	const char *where;
	const uint8_t *spki;
	size_t spki_len;
	const uint8_t *modulus;
	size_t modulus_len;
	bool ta;
	bool own; /* from --deny-keys, not a published key */
} boot_denykey;

/* "published" (a built-in demo key) or "denylisted" (--deny-keys), for
 * the evidence of a finding. */
#define BOOT_DENY_ADJ(d) ((d)->own ? "denylisted" : "published")

extern const boot_denykey boot_denylist[] WARD_INTERNAL;
extern const size_t boot_denylist_len WARD_INTERNAL;

/* The denylist entry for an SPKI fingerprint -- the built-in list, then the
 * run's --deny-keys -- or NULL. */
const boot_denykey *boot_deny_find(const audit_ctx *a, const uint8_t fp[static 32]) WARD_INTERNAL;
/* The i-th key of the whole denylist (built-in first), NULL past the end:
 * for checks that must try every key (KEY-05 signatures). */
const boot_denykey *boot_deny_at(const audit_ctx *a, size_t i) WARD_INTERNAL;

/* SHA-256 of the DER SPKI of pkey into fp; 0 or WARD_EINVAL/ENOMEM. */
int boot_spki_sha256(EVP_PKEY *pkey, uint8_t fp[static 32]) WARD_INTERNAL WARD_NODISCARD;

/* An RSA public key from big-endian modulus and exponent; NULL on error. */
EVP_PKEY *boot_rsa_from_ne(const uint8_t *n, size_t nlen, const uint8_t *e,
			   size_t elen) WARD_INTERNAL;

/* Kconfig (.config) lookup: the value of `name` ("CONFIG_X") as a pointer
 * into data and its length in *vlen, "n" for `# CONFIG_X is not set`, NULL
 * when absent.  Quotes are kept. */
const char *boot_kcfg_get(const uint8_t *data, size_t len, const char *name,
			  size_t *vlen) WARD_INTERNAL;
/* True when `name` is set to y (or m). */
bool boot_kcfg_is_on(const uint8_t *data, size_t len, const char *name) WARD_INTERNAL;

int boot_uboot_config(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		      ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int boot_kernel_config(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		       ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int boot_env_image(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		   ward_error *err) WARD_INTERNAL WARD_NODISCARD;
int boot_env_text(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		  ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* The default environment built into a U-Boot binary: ENV-03, RB-01, HW-05. */
int boot_env_default(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		     ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* extlinux.conf: HW-05 on every entry's command line. */
int boot_extlinux(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		  ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* HW-05: console and debugger options on a kernel command line. */
void boot_cmdline_check(audit_ctx *a, const char *file, const char *loc, const char *cmdline,
			size_t len) WARD_INTERNAL;
/* A DTB, DTBO or FIT; control: a U-Boot control DTB (SB-05, KEY-02). */
int boot_dtb(audit_ctx *a, const char *file, const uint8_t *data, size_t len, bool control,
	     ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* u-boot.bin / SPL: the appended control DTB and the version string. */
int boot_uboot_bin(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		   ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* bootimg.c.  A TF-A FIP: SB-07 without TBB certificates, RB-03 when their
 * NV counters are all 0, and the key scan of the whole file. */
bool boot_is_fip(const uint8_t *data, size_t len) WARD_INTERNAL;
int boot_fip(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
	     ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* SB-07: an i.MX boot image whose IVT has no CSF. */
void boot_imx_ivt(audit_ctx *a, const char *file, const uint8_t *data, size_t len) WARD_INTERNAL;

/* An OP-TEE signed TA (SHDR magic): KEY-05 against every denylisted RSA
 * key; counts it as a TA shipped on the filesystem (SB-09). */
bool boot_is_ta(const uint8_t *data, size_t len) WARD_INTERNAL;
int boot_ta(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
	    ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* OP-TEE, optee.c.  SB-09 or KEY-03 for a TA-verification key found in a
 * binary, now (no state) or at the end of the run; the verdict itself; the
 * verdicts of the run's keys once every input is read. */
void boot_optee_ta_key(audit_ctx *a, const char *file, size_t offset, const boot_denykey *d) WARD_INTERNAL;
void boot_optee_report(audit_ctx *a, const char *file, size_t offset, const boot_denykey *d,
		       unsigned ree_tas, const char *example) WARD_INTERNAL;
void boot_optee_finish(audit_ctx *a, const audit_boot_state *st) WARD_INTERNAL;

/* OP-TEE, optee.c.  SB-09 or KEY-03 for a TA-verification key found in a
 * binary, now (no state) or at the end of the run; the verdict itself; the
 * verdicts of the run's keys once every input is read. */
void boot_optee_ta_key(audit_ctx *a, const char *file, size_t offset, const boot_denykey *d) WARD_INTERNAL;
void boot_optee_report(audit_ctx *a, const char *file, size_t offset, const boot_denykey *d,
		       unsigned ree_tas, const char *example) WARD_INTERNAL;
void boot_optee_finish(audit_ctx *a, const audit_boot_state *st) WARD_INTERNAL;

/* ---- FIT signatures (SB-06): fitsig.c, fitverify.c ---------------------- */

/* A FIT already validated (fdt_check_full), len bytes of file (external
 * data follows the FDT): checks the hashes of every image a configuration
 * loads now, and records the digest each signature covers for
 * audit_boot_finish.  0, or WARD_ENOMEM. */
int boot_fit_sigs(audit_ctx *a, const char *file, const void *fit, size_t len,
		  ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* A control DTB of the run (validated): its /signature keys verify the
 * run's FITs at the end.  where names it in findings.  0, or WARD_ENOMEM. */
int boot_fit_control(audit_ctx *a, const char *where, const void *fdt,
		     ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* A byte range of a device tree, from the start of the blob. */
typedef struct boot_region {
	uint32_t off, len;
} boot_region;
/* The regions of fdt a configuration signature covers, as U-Boot's
 * fdt_find_regions() picks them: every node whose path is in inc with its
 * properties (less data, data-size, data-position, data-offset), the begin
 * and end tags of their children, and FDT_END.  Adjacent regions are
 * merged.  Up to max into out, the count in *n.  0; WARD_ELIMIT when more
 * than max regions, a path of 200 bytes or more, or nesting deeper than 32;
 * WARD_EINVAL when the structure block is malformed. */
int boot_fit_regions(const void *fdt, const char *const *inc, size_t ninc, boot_region *out,
		     size_t max, size_t *n) WARD_INTERNAL WARD_NODISCARD;
/* The RSA public key of /signature/key-* node `key` of a control DTB, as
 * U-Boot reads it (rsa,num-bits, rsa,modulus, rsa,exponent -- 65537 when
 * shorter than 64 bits -- and rsa,r-squared present); NULL with the reason
 * in why.  The caller frees it. */
EVP_PKEY *boot_fit_rsa_key(const void *ctl, int key, char *why, size_t whylen) WARD_INTERNAL;
/* The ECDSA public key of /signature/ key node `key` of a control DTB, as
 * U-Boot 2023.01 reads it (lib/ecdsa/ecdsa-verify.c): ecdsa,curve
 * "prime256v1" (the only curve it knows), ecdsa,x-point and ecdsa,y-point
 * big-endian, each exactly the curve's 32 bytes; NULL with the reason in
 * why, also when the point is not on the curve.  The caller frees it. */
EVP_PKEY *boot_fit_ec_key(const void *ctl, int key, char *why, size_t whylen) WARD_INTERNAL;

#endif
