/* keyref.c - see keyref.h. */
#include "keyref.h"

#include <string.h>

#include "util/fs.h"
#include "util/limits.h"

int keyref_load(crypto_signer **out, const char *ref, void *ctx, ward_error *err)
{
	(void)ctx;
	if (strncmp(ref, "pkcs11:", 7) == 0)
		return ward_err(err, WARD_EINVAL, "%s: PKCS#11 keys are not supported yet", ref);
	WARD_AUTO(buf_dispose_secret) ward_buf pem = WARD_BUF_INIT(WARD_LIMIT_KEY_PRIVATE_PEM);
	int rc = fs_read_file(&pem, ref, WARD_LIMIT_KEY_PRIVATE_PEM, err);
	if (rc)
		return rc;
	return crypto_signer_from_pem(out, (const char *)pem.ptr, pem.len, NULL, err);
}
