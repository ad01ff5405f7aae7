/* keyref.h - turning a key reference from the command line into a signer:
 * an encrypted key file (passphrase from --passphrase-fd or a prompt) or a
 * pkcs11: URI. */
#ifndef WARD_BIN_KEYREF_H
#define WARD_BIN_KEYREF_H

#include "crypto/key.h"

struct keyref_ctx {
	int passphrase_fd;      /* -1: prompt on the terminal */
	const char *passphrase; /* when set, used for every key (quick start) */
};

int keyref_load(crypto_signer **out, const char *ref, void *ctx, ward_error *err);

#endif
