/*
 * limits.h - the hard limits of ward's modules, each with the reason for
 * its value (after SQLite's sqliteLimit.h).  A parser's limits of its own
 * format (DTB depth, environment variables) sit at the top of its file,
 * also with their reasons.  Untrusted input larger than these is
 * refused with WARD_ELIMIT, never truncated or guessed at.
 */
#ifndef WARD_UTIL_LIMITS_H
#define WARD_UTIL_LIMITS_H

/* Root metadata: the same bound python-tuf and go-tuf use (512000 bytes), so
 * an oversized root from go-tuf's fixtures is refused identically. */
#define WARD_LIMIT_ROOT_BYTES ((size_t)512000)

/* Timestamp metadata is tiny (one snapshot reference); 16 KiB is generous
 * even with many signatures, and python-tuf uses the same figure. */
#define WARD_LIMIT_TIMESTAMP_BYTES ((size_t)16384)

/* Snapshot and targets without a length in the referring metadata.  2 MB is
 * python-tuf's default; real lengths from snapshot/timestamp override it. */
#define WARD_LIMIT_DEFAULT_ROLE_BYTES ((size_t)2000000)

/* Absolute ceiling on any one metadata file, even when the referring
 * metadata lists a larger length: a 100,000-target role is ~30 MB, so
 * 256 MiB leaves room while bounding memory on a device. */
#define WARD_LIMIT_METADATA_MAX_BYTES ((size_t)256 << 20)

/* Root rotations walked in one refresh (python-tuf: 256, go-tuf: 256). */
#define WARD_LIMIT_ROOT_ROTATIONS 256

/* Delegated roles visited in one target search (python-tuf: 32). */
#define WARD_LIMIT_DELEGATIONS_VISITED 32

/* JSON nesting: TUF metadata is at most ~6 deep; custom fields may nest a
 * little more.  64 bounds the parser's recursion. */
#define WARD_LIMIT_JSON_DEPTH 64

/* Keys and signatures per metadata file; Sigstore uses 5, large
 * organisations perhaps dozens.  A bound keeps threshold counting cheap. */
#define WARD_LIMIT_KEYS 1024
#define WARD_LIMIT_SIGNATURES 1024

/* Verified signers remembered per document (a cache; beyond it, signatures
 * are simply verified again). */
#define WARD_LIMIT_KEYS_VERIFIED 64

/* Thresholds and versions are JSON integers; TUF requires them positive.
 * Versions are kept as int64 and must fit in [1, 2^53) so that every JSON
 * implementation reads them exactly. */
#define WARD_LIMIT_VERSION_MAX ((long long)9007199254740991LL)

/* Target paths: longer names are refused (PATH_MAX on Linux is 4096). */
#define WARD_LIMIT_TARGET_NAME 4096

/* Role names become file names: no '/', no leading '.', at most 255 bytes. */
#define WARD_LIMIT_ROLE_NAME 255

/* Target files: 64 GiB bounds a download even if metadata lists more. */
#define WARD_LIMIT_TARGET_MAX_BYTES ((unsigned long long)64 << 30)

/* Slow retrieval: a transfer averaging under this many bytes per second over
 * WARD_LIMIT_LOW_SPEED_SECONDS is aborted. */
#define WARD_LIMIT_LOW_SPEED_BYTES 1024L
#define WARD_LIMIT_LOW_SPEED_SECONDS 10L

/* A keyval.public value longer than this is refused with WARD_ELIMIT before
 * any parsing.  An RSA-16384 SPKI in PEM is about 2.9 KB, so 16 KiB is
 * ample for every supported key while keeping hostile metadata from
 * feeding megabytes to the PEM and ASN.1 decoders. */
#define WARD_LIMIT_KEY_PUBLIC ((size_t)16384)

/* The same bound for a private key PEM: an unencrypted RSA-8192 PKCS#8 key
 * is about 6.4 KB. */
#define WARD_LIMIT_KEY_PRIVATE_PEM ((size_t)16384)

/* A URL is configuration, not content: 8 KiB is far above any real mirror
 * URL plus target path (WARD_LIMIT_TARGET_NAME is 4096) and bounds what we
 * hand to curl's parser. */
#define WARD_LIMIT_URL 8192

/* Connection set-up, TLS handshake included. */
#define WARD_LIMIT_CONNECT_SECONDS 30L

/* Redirects followed per request. */
#define WARD_LIMIT_REDIRECTS 3L

/* Key custody (src/keys).  A passphrase is at most 512 bytes: `openssl
 * pkey -passin` reads up to 1023, so every passphrase ward accepts also opens
 * the key with OpenSSL's tools, and 512 bytes is far beyond any diceware
 * phrase.  The bound also caps what is read from a --passphrase-fd. */
#define WARD_LIMIT_PASSPHRASE ((size_t)512)

/* A new passphrase has at least 8 bytes.  scrypt makes each guess cost, but
 * a short passphrase is still guessed; 8 is the floor NIST SP 800-63B sets
 * for memorised secrets. */
#define WARD_LIMIT_PASSPHRASE_MIN ((size_t)8)

/* Backup shares of one key: Shamir's scheme over GF(2^8) (libgfshare) gives
 * each share one of the 255 non-zero field elements. */
#define WARD_LIMIT_KEY_SHARES 255

/* A share file: the hex of at most a 16 KiB private key in 4-digit groups
 * (2.5 characters per byte) plus a header of a few hundred bytes. */
#define WARD_LIMIT_KEY_SHARE_BYTES ((size_t)65536)

/* ---- ward audit: firmware images are untrusted input ------------------ */

/* A configuration file read for a check (sshd_config, shadow, units...):
 * real ones are a few KiB; 1 MiB is far beyond any. */
#define AUDIT_LIMIT_CONFIG_BYTES ((size_t)1 << 20)
/* Any one file of an image scanned for keys and secrets: bounds memory by
 * the largest file read, not by the image (a kernel or libc is < 64 MiB). */
#define AUDIT_LIMIT_FILE_BYTES ((size_t)64 << 20)
/* One input file given on the command line (U-Boot binary, DTB, env). */
#define AUDIT_LIMIT_INPUT_BYTES ((size_t)256 << 20)
/* Entries indexed from one image (tar, ext4, squashfs): a debootstrap
 * rootfs has ~9,000. */
#define AUDIT_LIMIT_ARCHIVE_ENTRIES ((size_t)1 << 20)
/* Small files of an archive kept in memory when indexed, each and total, so
 * that configuration reads do not stream the whole archive again. */
#define AUDIT_LIMIT_ARCHIVE_CACHE_FILE ((size_t)256 << 10)
#define AUDIT_LIMIT_ARCHIVE_CACHE_TOTAL ((size_t)64 << 20)
/* Bytes of paths and link targets in one image's index: a debootstrap
 * rootfs needs ~1 MiB; bounds what a hostile image of a million deep
 * paths could make us hold. */
#define AUDIT_LIMIT_INDEX_BYTES ((size_t)256 << 20)
/* Symbolic links followed resolving one path (Linux's own limit). */
#define AUDIT_LIMIT_SYMLINKS 40
/* Path length inside an image. */
#define AUDIT_LIMIT_PATH 4096
/* Directory nesting walked inside an image. */
#define AUDIT_LIMIT_WALK_DEPTH 128
/* YAML: nesting depth, aliases and events of one compose file. */
#define AUDIT_LIMIT_YAML_DEPTH 64
#define AUDIT_LIMIT_YAML_ALIASES 64
#define AUDIT_LIMIT_YAML_EVENTS 1000000
/* AUTH-02/03 try each password hash of /etc/shadow against a few well-known
 * passwords with crypt(3), whose cost the hash itself chooses: SHA-512
 * crypt with rounds=999999999 takes minutes per try, bcrypt cost 31 hours.
 * Only hashes at a bounded cost are tried (the schemes' defaults, about 1 to
 * 25 ms a try), and only for the first accounts with a hash: an image has a
 * handful of accounts, and 16 x 20 tries of the dearest allowed hash stay
 * under ten seconds. */
#define AUDIT_LIMIT_CRYPT_ACCOUNTS 16
#define AUDIT_LIMIT_CRYPT_SHA_ROUNDS 10000 /* SHA-crypt's default is 5000 */
#define AUDIT_LIMIT_CRYPT_BCRYPT_COST 8    /* 2^8 rounds, ~20 ms */
/* Findings of one run: a hostile image cannot make the report unbounded. */
#define AUDIT_LIMIT_FINDINGS 100000

#endif
