/*
 * shares.h - K-of-N backup shares of a private key: Shamir's secret sharing
 * over GF(2^8) (libgfshare) of the key's unencrypted PKCS#8 DER, each share
 * a self-describing text file with a checksum.
 *
 * A share file (one share each; '#' lines are comments):
 *     # ward key share 3 of 5: any 3 of the 5 shares restore the key.
 *     ward-key-share: 1                  format version
 *     keyid: 4e77...                     TUF keyid of the key (64 hex)
 *     scheme: ed25519                    TUF scheme of the key
 *     split: 9a0c...                     random id of this backup (32 hex)
 *     share: 3                           x coordinate, 1..shares
 *     threshold: 3
 *     shares: 5
 *     length: 48                         bytes of data
 *     data:
 *     2f1c 09e4 ...                      hex, 16 bytes a line, spaces ignored
 *     checksum: 5d2a...                  SHA-256 of the lines from
 *                                        "ward-key-share" to "length" as
 *                                        written here, then the data bytes
 *
 * Defences, in order: the checksum finds a corrupted or mistyped share
 * before anything is combined; keyid and split tell shares of another key,
 * or of another backup of the same key (whose polynomials differ), from the
 * rest; share numbers find duplicates; and after combining, the key must
 * parse, reproduce the keyid and sign a message its public key verifies.
 * The checksum is not a MAC: a forger can recompute it, and the last check
 * is what stops a forged share from producing a wrong key.
 */
#ifndef WARD_KEYS_SHARES_H
#define WARD_KEYS_SHARES_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "util/buf.h"
#include "util/common.h"

#define SHARES_FORMAT_VERSION 1
#define SHARES_SPLIT_ID_LEN 16

typedef struct share {
	const char *name; /* where it came from, for messages; borrowed */
	unsigned version;
	char keyid[65];
	char scheme[32];
	uint8_t split[SHARES_SPLIT_ID_LEN];
	unsigned number; /* x coordinate, 1..count */
	unsigned threshold;
	unsigned count;
	size_t len;
	uint8_t *data; /* len bytes; share_dispose wipes and frees */
} share;

/* Wipes and frees the share's data; the struct may be reused. */
void share_dispose(share *s) WARD_INTERNAL;

static inline void ward_auto_share_dispose(share *s)
{
	share_dispose(s);
}

/* An owned array of shares, for reading several: init allocates n zeroed
 * shares; dispose wipes each and frees the array. */
typedef struct share_set {
	share *v;
	size_t n;
} share_set;

int share_set_init(share_set *set, size_t n) WARD_INTERNAL WARD_NODISCARD;
void share_set_dispose(share_set *set) WARD_INTERNAL;

static inline void ward_auto_share_set_dispose(share_set *set)
{
	share_set_dispose(set);
}

/* Splits s's private key into `count` shares, any `threshold` of which
 * restore it (2 <= threshold <= count <= WARD_LIMIT_KEY_SHARES), and renders
 * them as texts[0..count-1] (share i+1), which this function initialises.
 * Before returning, the texts are parsed back and recombined to check they
 * restore the key.  On failure the texts are disposed.  Dispose of them with
 * buf_dispose_secret: threshold of them are the key.  WARD_EINVAL for bad
 * counts; WARD_ENOMEM; WARD_EVERIFY if the check fails. */
int shares_split(ward_buf *texts, unsigned threshold, unsigned count, const crypto_signer *s,
		 ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Parses one share text; name (borrowed; kept in out->name) names it in
 * messages.  WARD_EINVAL, naming the share and line, for anything malformed
 * or an unsupported version; WARD_EVERIFY if the checksum does not match;
 * WARD_ELIMIT over WARD_LIMIT_KEY_SHARE_BYTES; WARD_ENOMEM. */
int shares_parse(share *out, const char *text, size_t len, const char *name,
		 ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Renders a share as text (with a fresh checksum), appending to out. */
int shares_format(ward_buf *out, const share *s, ward_error *err) WARD_INTERNAL WARD_NODISCARD;

/* Recombines parsed shares into a signer; keyid_out gets its keyid.
 * WARD_EVERIFY, naming the shares, for shares of different keys or
 * different backups, fewer than the threshold, or a combination that does
 * not give the key the shares name; WARD_EINVAL for duplicates or none. */
int shares_recover(crypto_signer **out, char keyid_out[static 65], const share *shares, size_t n,
		   ward_error *err) WARD_INTERNAL WARD_NODISCARD;

#endif
