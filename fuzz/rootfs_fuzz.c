/*
 * rootfs_fuzz.c - fuzzes the rootfs checks (src/audit/core/rootfs.c) on a
 * whole image made from the input (fuzz/audit_fuzz.h: "=== /path" lines
 * start files, "=== /path -> target" symbolic links): accounts, sshd and
 * dropbear, systemd units in *.wants/ and their contents (SVC-03), SysV rc
 * links, inetd.conf, inittab, host keys, authorized_keys, fw_env.config,
 * SWUpdate and aktualizr configuration, then the pass over every file
 * (keys, secrets, compose files, daemon.json, boot files under /boot), as
 * audit_check_rootfs runs them through the tar backend of audit_fs.
 *
 * Properties: those of audit_fuzz.h.
 */
#include "audit_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	afz_image im;
	if (!afz_image_make(&im, NULL, data, size))
		return 0;
	audit_ctx *a = afz_ctx();
	if (a) {
		ward_error err = { 0, "" };
		int rc = audit_check_rootfs(a, im.fs, &err);
		afz_check_rc(rc, &err);
		afz_check_report(a);
		audit_ctx_free(a);
	}
	afz_image_free(&im);
	return 0;
}
