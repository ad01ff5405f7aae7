/* boot.c - audit_boot_check: hands one boot-chain input to its module. */
#include "audit/boot/boot_int.h"

int audit_boot_check(audit_ctx *a, audit_kind kind, const char *file, const uint8_t *data,
		     size_t len, ward_error *err)
{
	if (!data && len)
		return ward_err(err, WARD_EINVAL, "%s: no data", file);
	switch (kind) {
	case AUDIT_K_UBOOT_CONFIG:
		return boot_uboot_config(a, file, data, len, err);
	case AUDIT_K_KERNEL_CONFIG:
		return boot_kernel_config(a, file, data, len, err);
	case AUDIT_K_ENV_IMAGE:
		return boot_env_image(a, file, data, len, err);
	case AUDIT_K_ENV_TEXT:
		return boot_env_text(a, file, data, len, err);
	case AUDIT_K_DTB:
	case AUDIT_K_FIT:
		return boot_dtb(a, file, data, len, false, err);
	case AUDIT_K_UBOOT_BIN:
		return boot_uboot_bin(a, file, data, len, err);
	case AUDIT_K_KEY:
		return audit_keys_scan(a, file, data, len, false, err);
	case AUDIT_K_EXTLINUX:
		return boot_extlinux(a, file, data, len, err);
	case AUDIT_K_FIP:
		return boot_fip(a, file, data, len, err);
	case AUDIT_K_TA:
		return boot_ta(a, file, data, len, err);
	case AUDIT_K_OPTEE: /* the TA-verification key: the key detector */
		return audit_keys_scan(a, file, data, len, false, err);
	default:
		return 0;
	}
}
