/*
 * custody.c - the key custody API of ward/key.h: generate, public, backup,
 * restore, over keyfile (encrypted PKCS#8), passphrase and shares.
 *
 * Every function checks that the files it will create do not exist before
 * it asks for a passphrase or does any work, and removes what it created
 * when a later step fails, so a failed command leaves the disk as it was.
 */
#include "ward/key.h"

#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crypto/key.h"
#include "keys/keyfile.h"
#include "keys/newfile.h"
#include "keys/shares.h"
#include "tuf/sign.h"
#include "util/buf.h"
#include "util/common.h"
#include "util/fs.h"
#include "util/limits.h"

WARD_DEFINE_AUTO(json_t *, json_decref)

#define DEFAULT_SCHEME "ed25519"

/* The TUF key object as compact JSON with sorted keys, malloc'd. */
static int key_json(char **out, const crypto_signer *s, ward_error *err)
{
	WARD_AUTO(json_decref) json_t *k = tuf_key_json(s);
	char *text = k ? json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (!text)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	*out = text;
	return 0;
}

static int keyid_of(char out[static WARD_KEYID_SIZE], const crypto_signer *s, ward_error *err)
{
	int rc = tuf_keyid(out, s);
	return rc ? ward_err(err, rc, "cannot compute the keyid") : 0;
}

int ward_key_generate(char keyid_out[static WARD_KEYID_SIZE], const char *key_path,
		      const char *pub_path, const char *scheme, const ward_passphrase_opts *pp,
		      ward_error *err)
{
	if (!key_path)
		return ward_err(err, WARD_EINVAL, "no key file given");
	if (newfile_exists(key_path))
		return ward_err(err, WARD_EINVAL, "%s: already exists; not overwriting it", key_path);
	if (pub_path && newfile_exists(pub_path))
		return ward_err(err, WARD_EINVAL, "%s: already exists; not overwriting it", pub_path);
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	int rc = crypto_signer_generate(&s, scheme ? scheme : DEFAULT_SCHEME, err);
	if (rc)
		return rc;
	char keyid[WARD_KEYID_SIZE];
	WARD_AUTO(free) char *json = NULL;
	rc = keyid_of(keyid, s, err);
	if (!rc)
		rc = key_json(&json, s, err);
	if (!rc)
		rc = keyfile_write(key_path, s, pp, err);
	if (rc)
		return rc;
	if (pub_path) {
		size_t len = strlen(json);
		json[len] = '\n'; /* json_dumps' NUL becomes the final newline */
		rc = newfile_write(pub_path, json, len + 1, 0644, err);
		json[len] = '\0';
		if (rc) {
			unlink(key_path);
			return rc;
		}
	}
	memcpy(keyid_out, keyid, sizeof(keyid));
	return 0;
}

int ward_key_public(char **json_out, char keyid_out[static WARD_KEYID_SIZE], const char *key_path,
		    const ward_passphrase_opts *pp, ward_error *err)
{
	if (!json_out || !key_path)
		return ward_err(err, WARD_EINVAL, "no key file given");
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	int rc = keyfile_load_signer(&s, key_path, pp, err);
	if (rc)
		return rc;
	char keyid[WARD_KEYID_SIZE];
	rc = keyid_of(keyid, s, err);
	if (rc)
		return rc;
	rc = key_json(json_out, s, err);
	if (rc)
		return rc;
	memcpy(keyid_out, keyid, sizeof(keyid));
	return 0;
}

/* ---- backup ---- */

/* out_dir/NAME.share-I-of-N for each share, NAME from key_path. */
struct share_paths {
	char *v[WARD_LIMIT_KEY_SHARES];
	unsigned n;
};

static void share_paths_dispose(struct share_paths *p)
{
	for (unsigned i = 0; i < p->n; i++)
		free(p->v[i]);
	p->n = 0;
}

static inline void ward_auto_share_paths_dispose(struct share_paths *p)
{
	share_paths_dispose(p);
}

static int make_share_paths(struct share_paths *out, const char *key_path, const char *out_dir,
			    unsigned count, ward_error *err)
{
	WARD_AUTO(free) char *copy = strdup(key_path);
	if (!copy)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	char *name = basename(copy);
	size_t len = strlen(name);
	if (len > 4 && strcmp(name + len - 4, ".key") == 0)
		name[len - 4] = '\0';
	for (unsigned i = 0; i < count; i++) {
		char file[256];
		int n = snprintf(file, sizeof(file), "%s.share-%u-of-%u", name, i + 1, count);
		if (n < 0 || (size_t)n >= sizeof(file))
			return ward_err(err, WARD_EINVAL, "%s: name too long for share files", key_path);
		if (!(out->v[i] = fs_join(out_dir, file)))
			return ward_err(err, WARD_ENOMEM, "out of memory");
		out->n = i + 1;
		if (newfile_exists(out->v[i]))
			return ward_err(err, WARD_EINVAL, "%s: already exists; not overwriting it",
					out->v[i]);
	}
	return 0;
}

/* Writes every share, or none: on failure the ones written are removed. */
static int write_shares(const struct share_paths *paths, const ward_buf *texts, ward_error *err)
{
	for (unsigned i = 0; i < paths->n; i++) {
		int rc = newfile_write(paths->v[i], texts[i].ptr, texts[i].len, 0600, err);
		if (rc) {
			while (i-- > 0)
				unlink(paths->v[i]);
			return rc;
		}
	}
	return 0;
}

struct share_texts {
	ward_buf v[WARD_LIMIT_KEY_SHARES];
	unsigned n;
};

static void share_texts_dispose(struct share_texts *t)
{
	for (unsigned i = 0; i < t->n; i++)
		buf_dispose_secret(&t->v[i]);
	t->n = 0;
}

static inline void ward_auto_share_texts_dispose(struct share_texts *t)
{
	share_texts_dispose(t);
}

int ward_key_backup(char keyid_out[static WARD_KEYID_SIZE], const char *key_path,
		    const char *out_dir, unsigned threshold, unsigned shares,
		    const ward_passphrase_opts *pp, ward_error *err)
{
	if (!key_path || !out_dir)
		return ward_err(err, WARD_EINVAL, "no key file or share directory given");
	if (threshold < 2 || threshold > shares || shares > WARD_LIMIT_KEY_SHARES)
		return ward_err(err, WARD_EINVAL,
				"threshold %u of %u shares: need 2 <= threshold <= shares <= %d",
				threshold, shares, WARD_LIMIT_KEY_SHARES);
	WARD_AUTO(share_paths_dispose) struct share_paths paths = { .n = 0 };
	int rc = make_share_paths(&paths, key_path, out_dir, shares, err);
	if (rc)
		return rc;
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	rc = keyfile_load_signer(&s, key_path, pp, err);
	if (rc)
		return rc;
	char keyid[WARD_KEYID_SIZE];
	rc = keyid_of(keyid, s, err);
	if (rc)
		return rc;
	WARD_AUTO(share_texts_dispose) struct share_texts texts = { .n = 0 };
	rc = shares_split(texts.v, threshold, shares, s, err);
	if (rc)
		return ward_err_prefix(err, rc, "%s: ", key_path);
	texts.n = shares;
	rc = fs_mkdirs(out_dir, err);
	if (!rc)
		rc = write_shares(&paths, texts.v, err);
	if (rc)
		return rc;
	memcpy(keyid_out, keyid, sizeof(keyid));
	return 0;
}

/* ---- restore ---- */

static int read_share(share *out, const char *path, ward_error *err)
{
	WARD_AUTO(buf_dispose_secret) ward_buf text = WARD_BUF_INIT(WARD_LIMIT_KEY_SHARE_BYTES);
	int rc = fs_read_file(&text, path, WARD_LIMIT_KEY_SHARE_BYTES, err);
	if (rc)
		return rc;
	return shares_parse(out, (const char *)text.ptr, text.len, path, err);
}

int ward_key_restore(char keyid_out[static WARD_KEYID_SIZE], const char *key_path,
		     const char *const *share_paths, size_t nshares, const ward_passphrase_opts *pp,
		     ward_error *err)
{
	if (!key_path || (!share_paths && nshares))
		return ward_err(err, WARD_EINVAL, "no key file given");
	if (nshares == 0)
		return ward_err(err, WARD_EINVAL, "no shares given");
	if (nshares > WARD_LIMIT_KEY_SHARES)
		return ward_err(err, WARD_EINVAL, "%zu shares given; a key has at most %d", nshares,
				WARD_LIMIT_KEY_SHARES);
	if (newfile_exists(key_path))
		return ward_err(err, WARD_EINVAL, "%s: already exists; not overwriting it", key_path);
	WARD_AUTO(share_set_dispose) share_set set = { 0 };
	if (share_set_init(&set, nshares) != 0)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	for (size_t i = 0; i < nshares; i++) {
		int rc = read_share(&set.v[i], share_paths[i], err);
		if (rc)
			return rc;
	}
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	char keyid[WARD_KEYID_SIZE];
	int rc = shares_recover(&s, keyid, set.v, set.n, err);
	if (rc)
		return rc;
	rc = keyfile_write(key_path, s, pp, err);
	if (rc)
		return rc;
	memcpy(keyid_out, keyid, sizeof(keyid));
	return 0;
}
