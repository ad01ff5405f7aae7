/* keyref.c - see keyref.h. */
#include "keyref.h"

#include <string.h>

#include "keys/keyfile.h"

int keyref_load(crypto_signer **out, const char *ref, void *ctx, ward_error *err)
{
	const struct keyref_ctx *k = ctx;
	/* A PIN for a token comes from the URI (pin-source / pin-value). */
	if (strncmp(ref, "pkcs11:", 7) == 0)
		return crypto_signer_from_pkcs11(out, ref, NULL, err);
	ward_passphrase_opts pp = WARD_PASSPHRASE_OPTS_INIT;
	pp.fd = k ? k->passphrase_fd : -1;
	if (k && k->passphrase) {
		pp.fd = -1;
		pp.passphrase = k->passphrase;
	}
	return keyfile_load_signer(out, ref, &pp, err);
}
