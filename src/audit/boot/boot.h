/* boot.h - the boot-chain checks of the audit (U-Boot, kernel config,
 * environments, device trees, FIT) and the key detector, called by the
 * core's dispatch (audit_check_file) and its rootfs walk. */
#ifndef WARD_AUDIT_BOOT_BOOT_H
#define WARD_AUDIT_BOOT_BOOT_H

#include "audit/audit.h"

/* Checks one boot-chain input: AUDIT_K_UBOOT_CONFIG, _KERNEL_CONFIG,
 * _UBOOT_BIN, _ENV_IMAGE, _ENV_TEXT, _DTB, _FIT, _KEY. */
int audit_boot_check(audit_ctx *a, audit_kind kind, const char *file, const uint8_t *data,
		     size_t len, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* After every input of the run: verifies the FITs' signatures against the
 * run's control DTBs (SB-06) and frees that state.  0. */
int audit_boot_finish(audit_ctx *a, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
/* Frees what the boot checks keep across the inputs of a run (NULL ok). */
void audit_boot_state_free(audit_boot_state *st) WARD_INTERNAL;

/* Parses a --deny-keys file (PEM public keys, certificates or private keys,
 * of which only the public half is kept; or one DER public key or
 * certificate) into *out.  WARD_EINVAL names the block that is not a key,
 * WARD_ELIMIT past 256 keys or 1 MiB. */
int audit_denyset_load(audit_denyset **out, const char *file, const uint8_t *data, size_t len,
		       ward_error *err) WARD_INTERNAL WARD_NODISCARD;
void audit_denyset_free(audit_denyset *d) WARD_INTERNAL;

/* Scans any blob (text or binary) for keys whose body parses: KEY-01 when a
 * key's SHA-256(SPKI) is a published demo/development key; SEC-01 when
 * in_rootfs and it is a private key outside the allowlist. */
int audit_keys_scan(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
		    bool in_rootfs, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

#endif
