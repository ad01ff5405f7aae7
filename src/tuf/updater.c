/*
 * updater.c - the TUF client workflow's I/O: fetch, hand the bytes to the
 * trusted set (trusted.c decides), persist what it accepted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "http/fetch.h"
#include "tuf/trusted.h"
#include "util/fs.h"
#include "util/hex.h"
#include "util/limits.h"

struct ward_updater {
	char *metadata_dir;
	char *metadata_url;
	char *targets_url;
	int64_t reference_time;
	fetch_opts fopts;
	char *ca_file, *client_cert, *client_key;
	fetcher *fetch;
	tuf_trusted *trusted;
	/* the last target found, for ward_target_info's borrowed strings */
	char *info_path, *info_sha256, *info_custom, *info_role;
};

WARD_DEFINE_AUTO(ward_updater *, ward_updater_free)

void ward_updater_free(ward_updater *u)
{
	if (!u)
		return;
	free(u->metadata_dir);
	free(u->metadata_url);
	free(u->targets_url);
	free(u->ca_file);
	free(u->client_cert);
	free(u->client_key);
	fetcher_free(u->fetch);
	trusted_free(u->trusted);
	free(u->info_path);
	free(u->info_sha256);
	free(u->info_custom);
	free(u->info_role);
	free(u);
}

static int dup_opt(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : WARD_ENOMEM;
}

/* Strips trailing slashes so that base + "/" + name is well-formed. */
static int dup_url(char **out, const char *s)
{
	int rc = dup_opt(out, s);
	if (!rc && *out) {
		size_t n = strlen(*out);
		while (n > 0 && (*out)[n - 1] == '/')
			(*out)[--n] = '\0';
	}
	return rc;
}

int ward_updater_new(ward_updater **out, const ward_updater_opts *o, ward_error *err)
{
	if (!o || o->version != WARD_UPDATER_OPTS_VERSION)
		return ward_err(err, WARD_EINVAL, "updater options: unsupported version");
	if (!o->metadata_dir || !o->metadata_url)
		return ward_err(err, WARD_EINVAL, "updater options: metadata_dir and metadata_url are required");
	WARD_AUTO(ward_updater_free) ward_updater *u = calloc(1, sizeof(*u));
	if (!u)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	if (dup_opt(&u->metadata_dir, o->metadata_dir) || dup_url(&u->metadata_url, o->metadata_url) ||
	    dup_url(&u->targets_url, o->targets_url) || dup_opt(&u->ca_file, o->ca_file) ||
	    dup_opt(&u->client_cert, o->client_cert) || dup_opt(&u->client_key, o->client_key))
		return ward_err(err, WARD_ENOMEM, "out of memory");
	u->reference_time = o->reference_time;
	u->fopts = (fetch_opts){
		.ca_file = u->ca_file,
		.client_cert = u->client_cert,
		.client_key = u->client_key,
		.low_speed_bytes = o->low_speed_bytes,
		.low_speed_seconds = o->low_speed_seconds,
		.max_redirects = -1,
	};
	int rc = fetcher_new(&u->fetch, &u->fopts, err);
	if (rc)
		return rc;
	*out = WARD_TAKE_PTR(u);
	return 0;
}

int ward_client_init(const char *metadata_dir, const char *root_file, ward_error *err)
{
	WARD_AUTO(buf_dispose) ward_buf root = WARD_BUF_INIT(WARD_LIMIT_ROOT_BYTES);
	WARD_AUTO(trusted_free) tuf_trusted *t = NULL;
	WARD_AUTO(free) char *path = fs_join(metadata_dir, "root.json");
	if (!path)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	int rc = fs_read_file(&root, root_file, WARD_LIMIT_ROOT_BYTES, err);
	/* Validate before installing: parse and self-signature threshold. */
	if (!rc)
		rc = trusted_new(&t, &root, 0, err);
	if (!rc)
		rc = fs_mkdirs(metadata_dir, err);
	if (rc)
		return rc;
	if (access(path, F_OK) == 0)
		return ward_err(err, WARD_EINVAL,
				"%s already exists; refusing to replace a trusted root", path);
	const tuf_meta *m = trusted_get(t, TUF_ROOT);
	return fs_write_atomic(metadata_dir, "root.json", m->raw, m->rawlen, 0644, err);
}

/* Role names become file names and URL path segments.  Encode every byte
 * outside [A-Za-z0-9._-] as %XX, as python-tuf does, so a hostile name
 * cannot traverse directories or smuggle URL syntax. */
static int role_filename(char *out, size_t outlen, const char *prefix, const char *role)
{
	size_t n = 0;
	int w = snprintf(out, outlen, "%s", prefix);
	if (w < 0 || (size_t)w >= outlen)
		return WARD_ELIMIT;
	n = (size_t)w;
	for (const unsigned char *p = (const unsigned char *)role; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
		if (n + 4 >= outlen)
			return WARD_ELIMIT;
		if (plain) {
			out[n++] = (char)*p;
		} else {
			w = snprintf(out + n, outlen - n, "%%%02X", *p);
			n += 3;
		}
	}
	if (n + 6 >= outlen)
		return WARD_ELIMIT;
	memcpy(out + n, ".json", 6);
	return 0;
}

static int fetch_meta(ward_updater *u, const char *name, size_t max, bool exact, ward_buf *out,
		      ward_error *err)
{
	WARD_AUTO(free) char *url = fs_join(u->metadata_url, name);
	if (!url)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	buf_init(out, max);
	/* A length listed by trusted metadata is the exact size: allocate it
	 * once rather than doubling past it (a 26 MB role would take 32). */
	if (exact && buf_reserve(out, max) != 0)
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", name);
	return fetch_to_buf(u->fetch, url, max, out, err);
}

static int read_local(ward_updater *u, const char *name, ward_buf *out)
{
	WARD_AUTO(free) char *path = fs_join(u->metadata_dir, name);
	buf_init(out, WARD_LIMIT_METADATA_MAX_BYTES);
	if (!path)
		return WARD_ENOMEM;
	return fs_read_file(out, path, WARD_LIMIT_METADATA_MAX_BYTES, NULL);
}

/* Writes the exact bytes of trusted metadata m to the store. */
static int persist(ward_updater *u, const char *name, const tuf_meta *m, ward_error *err)
{
	return fs_write_atomic(u->metadata_dir, name, m->raw, m->rawlen, 0644, err);
}

/* TUF 5.3: walk the root chain from the trusted version. */
static int update_root(ward_updater *u, ward_error *err)
{
	bool ts_rotated = false, snap_rotated = false;
	for (int i = 0; i < WARD_LIMIT_ROOT_ROTATIONS; i++) {
		long long next = trusted_get(u->trusted, TUF_ROOT)->version + 1;
		char name[64];
		snprintf(name, sizeof(name), "%lld.root.json", next);
		ward_buf b;
		int rc = fetch_meta(u, name, WARD_LIMIT_ROOT_BYTES, false, &b, err);
		if (rc == WARD_ENOTFOUND) {
			buf_dispose(&b);
			break; /* TUF 5.3.3: no newer root */
		}
		if (rc == WARD_ELIMIT)
			rc = ward_err(err, rc, "%s is larger than the %zu byte root size limit", name,
				      WARD_LIMIT_ROOT_BYTES);
		bool ts = false, sn = false;
		if (!rc)
			rc = trusted_update_root(u->trusted, &b, &ts, &sn, err);
		if (!rc)
			rc = persist(u, "root.json", trusted_get(u->trusted, TUF_ROOT), err);
		buf_dispose(&b);
		if (rc)
			return rc;
		ts_rotated |= ts;
		snap_rotated |= sn;
	}
	/* TUF 5.3.11: rotated timestamp or snapshot keys invalidate the
	 * trusted copies (fast-forward attack recovery). */
	int rc = 0;
	if (ts_rotated || snap_rotated) {
		rc = fs_remove(u->metadata_dir, "timestamp.json", err);
		if (!rc)
			rc = fs_remove(u->metadata_dir, "snapshot.json", err);
	}
	if (!rc)
		rc = trusted_check_root_expiry(u->trusted, err);
	return rc;
}

/* Loads a trusted copy from the store if it still verifies; a copy that
 * no longer verifies (e.g. its keys were rotated) is simply not trusted. */
static void load_local_timestamp(ward_updater *u)
{
	ward_buf b;
	bool unchanged;
	if (read_local(u, "timestamp.json", &b) == 0)
		(void)!trusted_update_timestamp(u->trusted, &b, &unchanged, NULL);
	buf_dispose(&b);
}

static int update_timestamp(ward_updater *u, ward_error *err)
{
	load_local_timestamp(u);
	ward_buf b;
	bool unchanged = false;
	int rc = fetch_meta(u, "timestamp.json", WARD_LIMIT_TIMESTAMP_BYTES, false, &b, err);
	if (!rc)
		rc = trusted_update_timestamp(u->trusted, &b, &unchanged, err);
	if (!rc && !unchanged)
		rc = persist(u, "timestamp.json", trusted_get(u->trusted, TUF_TIMESTAMP), err);
	buf_dispose(&b);
	return rc;
}

static size_t max_len(const tuf_metafile *mf)
{
	if (mf->length < 0)
		return WARD_LIMIT_DEFAULT_ROLE_BYTES;
	if ((unsigned long long)mf->length > WARD_LIMIT_METADATA_MAX_BYTES)
		return WARD_LIMIT_METADATA_MAX_BYTES;
	return (size_t)mf->length;
}

static int update_snapshot(ward_updater *u, ward_error *err)
{
	ward_buf b;
	if (read_local(u, "snapshot.json", &b) == 0 &&
	    trusted_update_snapshot(u->trusted, &b, true, NULL) == 0) {
		buf_dispose(&b);
		return 0; /* the trusted copy is the one timestamp names */
	}
	buf_dispose(&b);
	tuf_metafile mf;
	int rc = tuf_meta_file(&mf, trusted_get(u->trusted, TUF_TIMESTAMP), "snapshot.json", err);
	if (rc)
		return rc;
	char name[64];
	if (trusted_get(u->trusted, TUF_ROOT)->consistent_snapshot)
		snprintf(name, sizeof(name), "%lld.snapshot.json", mf.version);
	else
		snprintf(name, sizeof(name), "snapshot.json");
	rc = fetch_meta(u, name, max_len(&mf), mf.length >= 0, &b, err);
	if (!rc)
		rc = trusted_update_snapshot(u->trusted, &b, false, err);
	if (!rc)
		rc = persist(u, "snapshot.json", trusted_get(u->trusted, TUF_SNAPSHOT), err);
	buf_dispose(&b);
	return rc;
}

/* Loads targets or a delegated role: the trusted copy if it is still the
 * version snapshot names, otherwise from the repository. */
static int load_targets(ward_updater *u, const char *role, const char *delegator,
			ward_error *err)
{
	if (trusted_delegated(u->trusted, role))
		return 0;
	char file[WARD_LIMIT_ROLE_NAME * 3 + 16];
	if (role_filename(file, sizeof(file), "", role) != 0)
		return ward_err(err, WARD_ELIMIT, "role name too long");
	ward_buf b;
	if (read_local(u, file, &b) == 0 &&
	    trusted_update_targets(u->trusted, &b, role, delegator, NULL) == 0) {
		buf_dispose(&b);
		return 0;
	}
	buf_dispose(&b);
	char snapname[WARD_LIMIT_ROLE_NAME + 8];
	snprintf(snapname, sizeof(snapname), "%s.json", role);
	tuf_metafile mf;
	int rc = tuf_meta_file(&mf, trusted_get(u->trusted, TUF_SNAPSHOT), snapname, err);
	if (rc)
		return rc;
	char remote[WARD_LIMIT_ROLE_NAME * 3 + 48];
	char prefix[32] = "";
	if (trusted_get(u->trusted, TUF_ROOT)->consistent_snapshot)
		snprintf(prefix, sizeof(prefix), "%lld.", mf.version);
	if (role_filename(remote, sizeof(remote), prefix, role) != 0)
		return ward_err(err, WARD_ELIMIT, "role name too long");
	rc = fetch_meta(u, remote, max_len(&mf), mf.length >= 0, &b, err);
	if (!rc)
		rc = trusted_update_targets(u->trusted, &b, role, delegator, err);
	if (!rc)
		rc = persist(u, file, trusted_delegated(u->trusted, role), err);
	buf_dispose(&b);
	return rc;
}

int ward_updater_refresh(ward_updater *u, ward_error *err)
{
	trusted_free(u->trusted);
	u->trusted = NULL;
	ward_buf root;
	int rc = read_local(u, "root.json", &root);
	if (rc) {
		buf_dispose(&root);
		return ward_err(err, WARD_EINVAL, "no trusted root: %s/root.json %s", u->metadata_dir,
				rc == WARD_ENOTFOUND ? "does not exist" : "cannot be read");
	}
	fs_remove_stale_temps(u->metadata_dir, ".tmp.");
	int64_t now = u->reference_time ? u->reference_time : (int64_t)time(NULL);
	rc = trusted_new(&u->trusted, &root, now, err);
	buf_dispose(&root);
	if (!rc)
		rc = update_root(u, err);
	if (!rc)
		rc = update_timestamp(u, err);
	if (!rc)
		rc = update_snapshot(u, err);
	if (!rc)
		rc = load_targets(u, "targets", "root", err);
	return rc;
}

long long ward_updater_version(const ward_updater *u, const char *role)
{
	if (!u->trusted)
		return -1;
	for (int i = TUF_ROOT; i < TUF_TARGETS; i++)
		if (strcmp(role, tuf_type_name((tuf_type)i)) == 0)
			return trusted_get(u->trusted, (tuf_type)i)
				       ? trusted_get(u->trusted, (tuf_type)i)->version
				       : -1;
	const tuf_meta *m = trusted_delegated(u->trusted, role);
	return m ? m->version : -1;
}

struct visit {
	char role[WARD_LIMIT_ROLE_NAME + 1];
	char parent[WARD_LIMIT_ROLE_NAME + 1];
};

/* TUF 5.7: pre-order depth-first search of the delegation graph, bounded
 * by WARD_LIMIT_DELEGATIONS_VISITED roles. */
static int find_target(ward_updater *u, const char *path, tuf_targetfile *out, char *role_out,
		       ward_error *err)
{
	if (!u->trusted || !trusted_get(u->trusted, TUF_TARGETS))
		return ward_err(err, WARD_EINVAL, "refresh before looking up targets");
	if (!path[0] || strlen(path) > WARD_LIMIT_TARGET_NAME)
		return ward_err(err, WARD_EINVAL, "invalid target name");
	struct visit stack[WARD_LIMIT_DELEGATIONS_VISITED + 1];
	char visited[WARD_LIMIT_DELEGATIONS_VISITED][WARD_LIMIT_ROLE_NAME + 1];
	size_t sp = 0, nvisited = 0;
	snprintf(stack[0].role, sizeof(stack[0].role), "targets");
	snprintf(stack[0].parent, sizeof(stack[0].parent), "root");
	sp = 1;
	while (sp > 0 && nvisited < WARD_LIMIT_DELEGATIONS_VISITED) {
		struct visit v = stack[--sp];
		bool seen = false;
		for (size_t i = 0; i < nvisited && !seen; i++)
			seen = strcmp(visited[i], v.role) == 0;
		if (seen)
			continue;
		int rc = load_targets(u, v.role, v.parent, err);
		if (rc)
			return rc;
		snprintf(visited[nvisited++], WARD_LIMIT_ROLE_NAME + 1, "%s", v.role);
		const tuf_meta *m = trusted_delegated(u->trusted, v.role);
		rc = tuf_meta_target(out, m, path);
		if (rc == 0) {
			snprintf(role_out, WARD_LIMIT_ROLE_NAME + 1, "%s", v.role);
			return 0;
		}
		if (rc != WARD_ENOTFOUND)
			return ward_err(err, WARD_EINVAL, "%s: entry for %s is malformed", v.role, path);
		if (!m->has_delegations)
			continue;
		struct visit children[WARD_LIMIT_DELEGATIONS_VISITED];
		size_t nchildren = 0;
		bool terminate = false;
		if (m->succinct.present) {
			rc = tuf_succinct_role_for(&m->succinct, path, children[0].role,
						   sizeof(children[0].role));
			if (rc)
				return ward_err(err, rc, "%s: hash-bin role name too long", v.role);
			snprintf(children[0].parent, sizeof(children[0].parent), "%s", v.role);
			nchildren = 1;
		}
		for (size_t i = 0; i < m->ndelegations && nchildren < WARD_ARRAY_LEN(children); i++) {
			const tuf_role *r = &m->delegations[i];
			if (!tuf_role_matches(r, path))
				continue;
			snprintf(children[nchildren].role, sizeof(children[0].role), "%s", r->name);
			snprintf(children[nchildren].parent, sizeof(children[0].parent), "%s", v.role);
			nchildren++;
			if (r->terminating) {
				/* TUF 5.7.3.2.1: a terminating role ends the search
				 * below it: no backtracking to other roles. */
				terminate = true;
				break;
			}
		}
		if (terminate)
			sp = 0;
		/* Push in reverse so the first listed role is searched first. */
		while (nchildren > 0 && sp < WARD_ARRAY_LEN(stack))
			stack[sp++] = children[--nchildren];
	}
	if (sp > 0 && nvisited >= WARD_LIMIT_DELEGATIONS_VISITED)
		return ward_err(err, WARD_ELIMIT, "%s: more than %d delegated roles searched", path,
				WARD_LIMIT_DELEGATIONS_VISITED);
	return ward_err(err, WARD_ENOTFOUND, "%s: no trusted role lists this target", path);
}

int ward_updater_find_target(ward_updater *u, const char *path, ward_target_info *out,
			     ward_error *err)
{
	tuf_targetfile tf;
	char role[WARD_LIMIT_ROLE_NAME + 1];
	int rc = find_target(u, path, &tf, role, err);
	if (rc)
		return rc;
	free(u->info_path);
	free(u->info_sha256);
	free(u->info_custom);
	free(u->info_role);
	u->info_path = strdup(tf.path);
	u->info_sha256 = u->info_custom = NULL;
	for (size_t i = 0; i < tf.hashes.n; i++)
		if (strcmp(tf.hashes.h[i].alg, "sha256") == 0)
			u->info_sha256 = strdup(tf.hashes.h[i].hex);
	if (tf.custom != WJ_NONE) {
		ward_buf c = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
		if (tuf_meta_custom_json(trusted_delegated(u->trusted, role), &tf, &c) != 0) {
			buf_dispose(&c);
			return ward_err(err, WARD_ENOMEM, "out of memory");
		}
		u->info_custom = (char *)buf_detach(&c, NULL);
	}
	u->info_role = strdup(role);
	if (!u->info_path || !u->info_role)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	*out = (ward_target_info){ u->info_path, (uint64_t)tf.length, u->info_sha256,
				   u->info_custom, u->info_role };
	return 0;
}

/* ---- target download ---------------------------------------------------- */

#define MAX_HASHES 8

struct hasher {
	size_t n;
	EVP_MD_CTX *ctx[MAX_HASHES];
	const char *want[MAX_HASHES];
	const char *alg[MAX_HASHES];
};

static void hasher_dispose(struct hasher *h)
{
	for (size_t i = 0; i < h->n; i++)
		EVP_MD_CTX_free(h->ctx[i]);
	h->n = 0;
}

static const EVP_MD *allowed_md(const char *alg)
{
	/* Only the SHA-2 family: the set TUF repositories use in practice. */
	if (strcmp(alg, "sha256") == 0)
		return EVP_sha256();
	if (strcmp(alg, "sha384") == 0)
		return EVP_sha384();
	if (strcmp(alg, "sha512") == 0)
		return EVP_sha512();
	if (strcmp(alg, "sha224") == 0)
		return EVP_sha224();
	return NULL;
}

static int hasher_init(struct hasher *h, const tuf_hashes *hashes, const char *what,
		       ward_error *err)
{
	h->n = 0;
	for (size_t i = 0; i < hashes->n; i++) {
		const char *alg = hashes->h[i].alg;
		const EVP_MD *md = allowed_md(alg);
		if (!md)
			return ward_err(err, WARD_EVERIFY, "%s: unsupported hash algorithm %.32s", what,
					alg);
		if (h->n == MAX_HASHES)
			return ward_err(err, WARD_ELIMIT, "%s: too many hashes", what);
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		if (!c || !EVP_DigestInit_ex(c, md, NULL)) {
			EVP_MD_CTX_free(c);
			return ward_err(err, WARD_ENOMEM, "out of memory");
		}
		h->ctx[h->n] = c;
		h->alg[h->n] = alg;
		h->want[h->n] = hashes->h[i].hex;
		h->n++;
	}
	return 0;
}

static int hasher_update(struct hasher *h, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < h->n; i++)
		if (!EVP_DigestUpdate(h->ctx[i], data, len))
			return WARD_ENOMEM;
	return 0;
}

static int hasher_check(struct hasher *h, const char *what, ward_error *err)
{
	for (size_t i = 0; i < h->n; i++) {
		uint8_t d[EVP_MAX_MD_SIZE];
		unsigned dlen;
		char hex[2 * EVP_MAX_MD_SIZE + 1];
		if (!EVP_DigestFinal_ex(h->ctx[i], d, &dlen))
			return ward_err(err, WARD_ENOMEM, "digest failed");
		hex_encode(hex, d, dlen);
		if (strlen(h->want[i]) != 2 * (size_t)dlen ||
		    CRYPTO_memcmp(hex, h->want[i], 2 * (size_t)dlen) != 0)
			return ward_err(err, WARD_EVERIFY, "%s: %s hash mismatch", what, h->alg[i]);
	}
	return 0;
}

struct dl_sink {
	int fd;
	uint64_t got;
	struct hasher h;
};

static int dl_write(void *ctx, const uint8_t *data, size_t len)
{
	struct dl_sink *s = ctx;
	if (hasher_update(&s->h, data, len))
		return WARD_ENOMEM;
	s->got += len;
	while (len) {
		ssize_t n = write(s->fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return WARD_EIO;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Target paths become file paths under out_dir: refuse anything that could
 * leave it (absolute, empty, "." or ".." components). */
static bool target_path_safe(const char *path)
{
	if (path[0] == '/' || !path[0])
		return false;
	const char *p = path;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!slash)
			break;
		p = slash + 1;
		if (!*p)
			return false;
	}
	return true;
}

/* Is out_dir/path already the verified target? */
static bool already_present(const char *file, const tuf_targetfile *tf)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	struct stat st;
	struct hasher h = { 0 };
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == tf->length &&
		  hasher_init(&h, &tf->hashes, file, NULL) == 0;
	while (ok) {
		uint8_t chunk[1 << 16];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ok = n == 0 && hasher_check(&h, file, NULL) == 0;
			break;
		}
		ok = hasher_update(&h, chunk, (size_t)n) == 0;
	}
	hasher_dispose(&h);
	close(fd);
	return ok;
}

/* Percent-encodes a target path for a URL, keeping '/'. */
static char *url_escape_path(const char *path)
{
	size_t len = strlen(path), cap;
	if (!size_mul_ok(len, 3, &cap) || !size_add_ok(cap, 1, &cap))
		return NULL;
	char *out = malloc(cap), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			*o++ = (char)*p;
		else
			o += snprintf(o, 4, "%%%02X", *p);
	}
	*o = '\0';
	return out;
}

static char *target_url(const ward_updater *u, const tuf_targetfile *tf)
{
	WARD_AUTO(free) char *esc = url_escape_path(tf->path);
	if (!esc)
		return NULL;
	ward_buf b = WARD_BUF_INIT(WARD_LIMIT_TARGET_NAME * 4);
	int rc = buf_append(&b, u->targets_url, strlen(u->targets_url));
	if (!rc)
		rc = buf_putc(&b, '/');
	if (!rc && trusted_get(u->trusted, TUF_ROOT)->consistent_snapshot) {
		/* TUF 5.7.4: consistent targets are HASH.NAME in the same dir;
		 * prefer sha256, else the first listed hash. */
		const char *h = tf->hashes.h[0].hex;
		for (size_t i = 0; i < tf->hashes.n; i++)
			if (strcmp(tf->hashes.h[i].alg, "sha256") == 0)
				h = tf->hashes.h[i].hex;
		const char *slash = strrchr(esc, '/');
		size_t dirlen = slash ? (size_t)(slash - esc) + 1 : 0;
		rc = buf_append(&b, esc, dirlen);
		if (!rc)
			rc = buf_append(&b, h, strlen(h));
		if (!rc)
			rc = buf_putc(&b, '.');
		if (!rc)
			rc = buf_append(&b, esc + dirlen, strlen(esc + dirlen));
	} else if (!rc) {
		rc = buf_append(&b, esc, strlen(esc));
	}
	if (rc) {
		buf_dispose(&b);
		return NULL;
	}
	return (char *)buf_detach(&b, NULL);
}

int ward_updater_download(ward_updater *u, const char *path, const char *out_dir, int *fetched,
			  ward_error *err)
{
	if (!u->targets_url)
		return ward_err(err, WARD_EINVAL, "no targets URL configured");
	if (!target_path_safe(path))
		return ward_err(err, WARD_EINVAL, "%s: unsafe target path", path);
	tuf_targetfile tf;
	char role[WARD_LIMIT_ROLE_NAME + 1];
	int rc = find_target(u, path, &tf, role, err);
	if (rc)
		return rc;
	if ((unsigned long long)tf.length > WARD_LIMIT_TARGET_MAX_BYTES)
		return ward_err(err, WARD_ELIMIT, "%s: %lld bytes exceeds the target size limit", path,
				tf.length);
	WARD_AUTO(free) char *file = fs_join(out_dir, path);
	WARD_AUTO(free) char *dir = file ? strdup(file) : NULL;
	if (!dir)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	*strrchr(dir, '/') = '\0';
	rc = fs_mkdirs(dir, err);
	if (rc)
		return rc;
	fs_remove_stale_temps(dir, ".ward-download.");
	if (already_present(file, &tf)) {
		if (fetched)
			*fetched = 0;
		return 0;
	}
	WARD_AUTO(free) char *url = target_url(u, &tf);
	WARD_AUTO(free) char *tmp = fs_join(dir, ".ward-download.XXXXXX");
	if (!url || !tmp)
		return ward_err(err, WARD_ENOMEM, "out of memory");
	struct dl_sink s = { .fd = mkostemp(tmp, O_CLOEXEC) };
	if (s.fd < 0)
		return ward_err(err, WARD_EIO, "create temp file in %s: %s", dir, strerror(errno));
	rc = hasher_init(&s.h, &tf.hashes, path, err);
	/* TUF 5.7.4: never accept more than the trusted length ... */
	if (!rc)
		rc = fetch_stream(u->fetch, url, (uint64_t)tf.length, dl_write, &s, err);
	if (rc == WARD_ELIMIT)
		ward_err_prefix(err, rc, "%s: ", path);
	/* ... nor less, and every listed hash must match. */
	if (!rc && s.got != (uint64_t)tf.length)
		rc = ward_err(err, WARD_EVERIFY, "%s: got %llu bytes, trusted length is %lld", path,
			      (unsigned long long)s.got, tf.length);
	if (!rc)
		rc = hasher_check(&s.h, path, err);
	if (!rc && (fsync(s.fd) != 0 || fchmod(s.fd, 0644) != 0))
		rc = ward_err(err, WARD_EIO, "%s: %s", tmp, strerror(errno));
	hasher_dispose(&s.h);
	if (close(s.fd) != 0 && !rc)
		rc = ward_err(err, WARD_EIO, "%s: %s", tmp, strerror(errno));
	if (!rc && rename(tmp, file) != 0)
		rc = ward_err(err, WARD_EIO, "rename to %s: %s", file, strerror(errno));
	if (rc) {
		unlink(tmp);
		return rc;
	}
	if (fetched)
		*fetched = 1;
	return fs_sync_dir(dir, err);
}
