/*
 * key.h - custody of signing keys: generated locally, kept only encrypted,
 * backed up as K-of-N shares.
 *
 * A private key file is standard encrypted PKCS#8 PEM ("ENCRYPTED PRIVATE
 * KEY": PBES2, scrypt, AES-256-CBC), so OpenSSL's tools read it too:
 *     openssl pkey -in root.key -passin fd:3
 * Key files and share files are created new (never replacing a file, never
 * through a symbolic link) with mode 0600.  Secrets (passphrases, the
 * decrypted key, the shares) are wiped from memory after use.
 *
 * Backup: the unencrypted PKCS#8 key is split with Shamir's secret sharing
 * (libgfshare, GF(2^8)) into N shares of which any K restore it.  Each share
 * is a text file, NAME.share-I-of-N, that names the key (TUF keyid), its
 * number, K and N, the split it belongs to and a format version, and carries
 * a SHA-256 checksum.  A corrupted, duplicated, foreign or mixed share is
 * refused; after combining, the key is parsed, its keyid recomputed and a
 * signature made and verified, so a restore never yields a wrong key.
 *
 * Passphrases come from a file descriptor (automation), from the caller, or
 * from a no-echo prompt on the terminal, in that order of precedence.
 */
#ifndef WARD_KEY_H
#define WARD_KEY_H

#include <stddef.h>

#include "ward/error.h"

#ifndef WARD_NODISCARD
#define WARD_NODISCARD __attribute__((warn_unused_result))
#endif

/* A TUF keyid: 64 lowercase hex digits and a NUL. */
#define WARD_KEYID_SIZE 65

#define WARD_PASSPHRASE_OPTS_VERSION 1

/* Where a passphrase comes from.  With fd >= 0, one line is read from it (up
 * to a newline, which is not part of the passphrase, or end of file); the
 * descriptor is neither closed nor read past that line.  Else, when
 * passphrase is set, it is used (the caller wipes it).  Else the user is
 * asked on the terminal `tty` with echo off; a new passphrase is asked
 * twice.  Passphrases are bytes (UTF-8 as typed), 8 to 512 of them. */
typedef struct ward_passphrase_opts {
	unsigned version;       /* WARD_PASSPHRASE_OPTS_VERSION */
	int fd;                 /* read the passphrase from this descriptor; -1: no */
	const char *passphrase; /* NUL-terminated, caller-owned; NULL: none */
	const char *tty;        /* terminal to prompt on; NULL: "/dev/tty" */
} ward_passphrase_opts;

#define WARD_PASSPHRASE_OPTS_INIT { WARD_PASSPHRASE_OPTS_VERSION, -1, NULL, NULL }

/* Generates a key for `scheme` ("ed25519", "ecdsa-sha2-nistp256",
 * "ecdsa-sha2-nistp384", "rsassa-pss-sha256"; NULL: ed25519), writes it
 * encrypted with a new passphrase to key_path and, if pub_path is not NULL,
 * its TUF public key JSON to pub_path (mode 0644).  keyid_out receives the
 * keyid.  Neither file may exist (WARD_EINVAL); if the second cannot be
 * written, the first is removed.  WARD_EINVAL also for an unknown scheme, a
 * passphrase that is too short or not confirmed; WARD_ELIMIT, WARD_EIO,
 * WARD_ENOMEM. */
WARD_API WARD_NODISCARD int ward_key_generate(char keyid_out[static WARD_KEYID_SIZE],
					      const char *key_path, const char *pub_path,
					      const char *scheme, const ward_passphrase_opts *pp,
					      ward_error *err);

/* Decrypts key_path and gives its public half: *json_out receives the TUF
 * key object {"keytype", "keyval": {"public"}, "scheme"} as compact JSON
 * with sorted keys, the content of the .pub file without its newline
 * (release with free()), keyid_out its keyid.
 * WARD_EVERIFY for a wrong passphrase (or a corrupted file), WARD_EINVAL for
 * a file that is not an encrypted PKCS#8 key, WARD_ENOTFOUND, WARD_EIO. */
WARD_API WARD_NODISCARD int ward_key_public(char **json_out,
					    char keyid_out[static WARD_KEYID_SIZE],
					    const char *key_path, const ward_passphrase_opts *pp,
					    ward_error *err);

/* Splits the key in key_path into `shares` shares, any `threshold` of which
 * restore it (2 <= threshold <= shares <= 255), written to out_dir (created
 * with mode 0700 if missing) as NAME.share-I-of-N, where NAME is key_path's
 * file name without ".key".  No share file may exist yet (WARD_EINVAL); if
 * one cannot be written, those already written are removed.  keyid_out
 * receives the key's keyid.  Errors as ward_key_public, and WARD_EINVAL for
 * bad counts. */
WARD_API WARD_NODISCARD int ward_key_backup(char keyid_out[static WARD_KEYID_SIZE],
					    const char *key_path, const char *out_dir,
					    unsigned threshold, unsigned shares,
					    const ward_passphrase_opts *pp, ward_error *err);

/* Restores a key from share files and writes it, encrypted with a new
 * passphrase, to key_path (which must not exist).  keyid_out receives the
 * keyid.  WARD_EVERIFY, naming the share, for a share whose checksum fails
 * or that belongs to another key or another split, for fewer shares than the
 * threshold, and when the combined key does not reproduce the shares'
 * keyid; WARD_EINVAL for a malformed or duplicated share; WARD_ELIMIT,
 * WARD_ENOTFOUND, WARD_EIO, WARD_ENOMEM. */
WARD_API WARD_NODISCARD int ward_key_restore(char keyid_out[static WARD_KEYID_SIZE],
					     const char *key_path, const char *const *share_paths,
					     size_t nshares, const ward_passphrase_opts *pp,
					     ward_error *err);

#endif
