/*
 * audit.h - the production-readiness audit: finds the field report's
 * mistakes in a firmware before it ships (../shared/design/audit-checks.md).
 *
 * Inputs are untrusted images.  Every check reports through audit_report();
 * the context collects findings, applies waivers and renders human, JSON and
 * SARIF 2.1.0 reports.  A root filesystem is reached only through audit_fs,
 * which resolves every path inside the image (symbolic links included) and
 * never touches the host.
 */
#ifndef WARD_AUDIT_AUDIT_H
#define WARD_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/common.h"

typedef enum audit_severity {
	AUDIT_INFO,
	AUDIT_LOW,
	AUDIT_MEDIUM,
	AUDIT_HIGH,
	AUDIT_CRITICAL,
} audit_severity;

/* The field report's three classes of mistake. */
typedef enum audit_class {
	AUDIT_BASIC,     /* basic security functions missing (secure boot...) */
	AUDIT_PROCESS,   /* operational process (keys, rollback policy...) */
	AUDIT_CONFIG,    /* configuration of the capabilities (services, HW...) */
} audit_class;

/* Whether an update over the air can fix it (audit-checks.md "OTA"). */
typedef enum audit_ota {
	AUDIT_OTA_YES,   /* a rootfs/app update fixes it */
	AUDIT_OTA_BOOT,  /* only if the boot firmware is updatable over the air */
	AUDIT_OTA_NO,    /* fuse/ROM level: factory rework */
	AUDIT_OTA_NA,
} audit_ota;

typedef struct audit_ctx audit_ctx;

/* What the boot checks keep across the inputs of one run (the control
 * DTBs' keys and the FITs' signatures: audit/boot/fit.h), held by the
 * context and freed with it.  The slot, or NULL when there is none. */
typedef struct audit_boot_state audit_boot_state;
audit_boot_state **audit_ctx_boot_state(audit_ctx *a) WARD_INTERNAL;

/* The product team's own keys that must never sign it (--deny-keys), on
 * top of the compiled-in published demo keys: audit/boot/denykeys.c.  The
 * context borrows the set (the run owns it); NULL when there is none. */
typedef struct audit_denyset audit_denyset;
const audit_denyset *audit_ctx_denyset(const audit_ctx *a) WARD_INTERNAL;

/* Records a finding.  id: stable check id ("AUTH-01"); file: the input file
 * or the image path ("/etc/shadow"); location: line, node or offset (may be
 * NULL); remedy: one sentence.  The evidence never contains a secret: say
 * "root has a password hash", not the hash. */
void audit_report(audit_ctx *a, const char *id, audit_severity sev, audit_class cls,
		  audit_ota ota, const char *file, const char *location, const char *remedy,
		  const char *evidence_fmt, ...) __attribute__((format(printf, 9, 10))) WARD_INTERNAL;

/* ---- the root filesystem of an image ------------------------------------ */

typedef struct audit_fs audit_fs;

typedef enum audit_ftype { AUDIT_F_REG, AUDIT_F_DIR, AUDIT_F_LNK, AUDIT_F_OTHER } audit_ftype;

/* Opens a root filesystem: a directory, a tar archive (libarchive), an ext4
 * image (libext2fs) or a squashfs image (libsquashfs), detected by content. */
int audit_fs_open(audit_fs **out, const char *path, ward_error *err) WARD_INTERNAL WARD_NODISCARD;
void audit_fs_free(audit_fs *fs) WARD_INTERNAL;

/* Reads an absolute image path (symlinks resolved inside the image, never
 * escaping it; at most 40 links) into out, at most max bytes
 * (WARD_ELIMIT beyond).  WARD_ENOTFOUND if absent. */
int audit_fs_read(audit_fs *fs, const char *path, size_t max, ward_buf *out,
		  ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Calls fn for every entry under dir (recursively, links not followed),
 * with its absolute image path, type and size; fn returns non-zero to stop. */
typedef int (*audit_fs_visit)(void *ctx, const char *path, audit_ftype type, uint64_t size);
int audit_fs_walk(audit_fs *fs, const char *dir, audit_fs_visit fn, void *ctx,
		  ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* The target of a symbolic link, as stored (for systemd .wants/ links). */
int audit_fs_readlink(audit_fs *fs, const char *path, char *out, size_t outlen,
		      ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* ---- the checks --------------------------------------------------------- */

/* rootfs: AUTH, SVC, SEC, CTR (compose files and daemon.json found inside),
 * ENV-02, update-client configuration (RB-02, SEC-03), and the boot files
 * found inside (/boot dtbs, extlinux.conf), handed to the boot checks. */
int audit_check_rootfs(audit_ctx *a, audit_fs *fs, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* A single input file of a known kind, bytes already read (bounded). */
typedef enum audit_kind {
	AUDIT_K_UNKNOWN,
	AUDIT_K_UBOOT_CONFIG,  /* U-Boot .config */
	AUDIT_K_KERNEL_CONFIG, /* kernel .config */
	AUDIT_K_UBOOT_BIN,     /* u-boot.bin / SPL, maybe with the control DTB appended */
	AUDIT_K_ENV_IMAGE,     /* binary environment (single or redundant) */
	AUDIT_K_ENV_TEXT,      /* uEnv.txt or a mkenvimage source */
	AUDIT_K_DTB,           /* flattened device tree / overlay */
	AUDIT_K_FIT,           /* FIT image (a DTB with /images and /configurations) */
	AUDIT_K_COMPOSE,       /* docker compose YAML */
	AUDIT_K_DOCKER_DAEMON, /* daemon.json */
	AUDIT_K_KEY,           /* key or certificate file */
	AUDIT_K_EXTLINUX,      /* extlinux.conf (U-Boot distro boot, syslinux syntax) */
	AUDIT_K_TA,            /* OP-TEE trusted application (signed header "HSTO") */
	AUDIT_K_OPTEE,         /* OP-TEE OS binary (tee.bin, tee-pager*.bin) */
	AUDIT_K_KERNEL_IMAGE,  /* Linux kernel image (vmlinuz, Image.gz, bzImage, uImage) */
	AUDIT_K_FIP,           /* TF-A firmware image package (fip.bin) */
} audit_kind;

/* Sniffs the kind of a file from its name and first bytes. */
audit_kind audit_detect(const char *name, const uint8_t *data, size_t len) WARD_INTERNAL;

/* Whether a file name is a kernel image's (vmlinuz*, Image.gz, bzImage...). */
bool audit_kernel_name(const char *base) WARD_INTERNAL;
/* KEY-06 for the keys built into a compressed kernel image: the payload is
 * decompressed (bounded) and scanned; an uncompressed image is left to the
 * key scan of the file itself.  WARD_EINVAL when the payload is corrupt. */
int audit_check_kernel_image(audit_ctx *a, const char *file, const uint8_t *data, size_t len,
			     ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Runs the checks for one file of a known kind.  `file` names it in
 * findings (an input path, or an image path for files inside a rootfs). */
int audit_check_file(audit_ctx *a, audit_kind kind, const char *file, const uint8_t *data,
		     size_t len, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

#endif
