/*
 * fit.h - FIT signature checking (SB-06), shared by fitsig.c (the FIT side:
 * what each signature covers, the image hashes) and fitverify.c (the
 * control DTBs' keys and the verdict once every input of the run is read).
 *
 * A FIT and the control DTB that verifies it are separate inputs, given in
 * any order (or found inside a rootfs), so the FIT side keeps only what a
 * verification needs -- the digest of the signed regions and the signature
 * value -- and the keys are applied at the end of the run.  No FIT data is
 * held past its own check.
 */
#ifndef WARD_AUDIT_BOOT_FIT_H
#define WARD_AUDIT_BOOT_FIT_H

#include "audit/boot/boot_int.h"

/* Largest signature value kept: RSA-4096, U-Boot's RSA_MAX_SIG_BITS. */
#define BOOT_FIT_SIG_MAX 512
/* signature-* nodes kept per configuration or image (mkimage writes one). */
#define BOOT_FIT_UNIT_SIGS 4
/* Control DTBs kept per run (SPL's and U-Boot proper's, a few boards). */
#define BOOT_FIT_MAX_CTL 16
/* Largest control DTB kept (real ones are 20-100 KiB). */
#define BOOT_FIT_CTL_MAX_SIZE (1u << 20)
/* Configurations and images recorded per run, about 3.8 KiB each: a
 * hostile image full of FITs cannot make the run hold more than ~16 MiB. */
#define BOOT_FIT_MAX_UNITS 4096

/* One signature-* node, reduced to what verifying it needs. */
typedef struct fit_sigrec {
	char node[48];     /* "signature-1" */
	char algo[32];     /* "sha256,rsa2048" */
	char hint[64];     /* key-name-hint, or "" */
	bool pss;          /* padding = "pss" */
	uint8_t digest[64];
	size_t dlen;
	uint8_t value[BOOT_FIT_SIG_MAX];
	size_t vlen;
	char bad[128]; /* why it cannot verify with any key, or "" */
	bool ecdsa;     /* ecdsa256: value is r||s, checked with an EC key */
	bool unchecked; /* an ECDSA curve ward does not check (ecdsa384, ...) */
} fit_sigrec;

/* A configuration or an image of one FIT, with its signatures. */
typedef struct fit_unit {
	unsigned fit; /* which FIT of the run: units of one FIT are contiguous */
	bool is_image;
	char file[256];
	char name[64];
	unsigned nsig;
	fit_sigrec sig[BOOT_FIT_UNIT_SIGS];
} fit_unit;

typedef struct fit_ctl {
	char where[300];
	uint8_t *fdt; /* a copy, 8-byte aligned (malloc) */
} fit_ctl;

struct audit_boot_state {
	fit_ctl ctl[BOOT_FIT_MAX_CTL];
	size_t nctl;
	ward_buf units; /* fit_unit[] */
	unsigned nfit;
	bool dropped; /* a unit or a control DTB was not kept (limits) */
	/* OP-TEE (optee.c): TA-verification keys found in binaries, and the
	 * TAs seen on a filesystem (or given as inputs) */
	struct {
		char file[256];
		size_t offset;
		const boot_denykey *d;
	} takey[8];
	size_t ntakey;
	unsigned ree_tas;
	char ree_ta[256];
};

/* The run's state into *out, created on first use; *out is NULL when the
 * caller keeps none (audit_ctx_boot_state returned NULL).  0 or
 * WARD_ENOMEM. */
int fit_state(audit_ctx *a, audit_boot_state **out) WARD_INTERNAL WARD_NODISCARD;

/* The string value of prop when it is one NUL-terminated string, or NULL
 * (fitsig.c; the FIT side and the control-DTB side both read them). */
const char *fit_prop_str(const void *fdt, int node, const char *prop) WARD_INTERNAL;

/* "sha256,rsa2048" -> the digest, the signature's size in bytes (the RSA
 * key's; twice the curve's for ECDSA) and whether it is ECDSA; NULL when
 * U-Boot 2023.01 would not know the algorithm (it has rsa2048, rsa3072,
 * rsa4096 and ecdsa256, which is P-256 only). */
const EVP_MD *fit_algo(const char *algo, size_t *sig_bytes, bool *ecdsa) WARD_INTERNAL;

#endif
