/*
 * test_pkcs11.c - unit tests of src/crypto/pkcs11.c and pkcs11_uri.c
 * through crypto_signer: keys that stay on a PKCS#11 token.
 *
 * The group setup builds a private SoftHSM2 token in a fresh temporary
 * directory (SOFTHSM2_CONF points at a generated configuration), creates
 * the keys with OpenSC's pkcs11-tool, and exports their public halves;
 * the teardown removes it all.  Nothing outside the directory is touched,
 * so the tests run on a fresh machine with softhsm2 and opensc installed
 * (scripts/deps.sh).  meson passes the tools' paths in WARD_SOFTHSM2_UTIL
 * and WARD_PKCS11_TOOL.
 *
 * Error codes asserted here, as pkcs11.h documents them: a PIN the token
 * refuses is WARD_EVERIFY (a credential refused, which a caller acts on by
 * asking again); a missing PIN, a malformed or ambiguous URI WARD_EINVAL;
 * an absent token, key, module or PIN file WARD_ENOTFOUND.
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>

#include "crypto/key.h"
#include "crypto/pkcs11_uri.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/hex.h"

extern char **environ;

WARD_DEFINE_AUTO(EVP_PKEY *, EVP_PKEY_free)
WARD_DEFINE_AUTO(BIO *, BIO_free_all)

#define PIN "1234"
#define SO_PIN "5678"
#define TOKEN "ward-test"

static const uint8_t MSG[] = "{\"signed\":{\"_type\":\"root\",\"version\":1}}";

/* The keys the setup creates: id (hex), label, pkcs11-tool key type, and
 * the TUF description a file signer with the same key gives. */
static const struct test_key {
	const char *id;
	const char *label;
	const char *keygen;
	const char *keytype;
	const char *scheme;
} KEYS[] = {
	{ "01", "p256", "EC:prime256v1", "ecdsa", "ecdsa-sha2-nistp256" },
	{ "02", "p384", "EC:secp384r1", "ecdsa", "ecdsa-sha2-nistp384" },
	{ "03", "rsa", "rsa:3072", "rsa", "rsassa-pss-sha256" },
	{ "04", "ed", "EC:edwards25519", "ed25519", "ed25519" },
};
#define KEY_ED25519 3

static struct {
	char dir[PATH_MAX];
	char conf[PATH_MAX];
	char log[PATH_MAX];
	char pin_file[PATH_MAX];
	const char *module;
	const char *softhsm2_util;
	const char *pkcs11_tool;
	bool have_ed25519;
	bool exported[4]; /* KEYS[i]'s public key is in <id>.pub */
} T;

/* ---- helpers ---- */

/* Runs argv (NULL-terminated), output appended to T.log; exit status. */
static int run(const char *const *argv)
{
	posix_spawn_file_actions_t fa;
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	assert_int_equal(posix_spawn_file_actions_addopen(&fa, 1, T.log, O_WRONLY | O_CREAT | O_APPEND, 0600), 0);
	assert_int_equal(posix_spawn_file_actions_adddup2(&fa, 1, 2), 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)(uintptr_t)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	int status = 0;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void run_ok(const char *const *argv)
{
	if (run(argv) != 0) {
		char cmd[512] = "";
		for (size_t i = 0; argv[i]; i++) {
			size_t n = strlen(cmd);
			int w = snprintf(cmd + n, sizeof(cmd) - n, "%s ", argv[i]);
			if (w < 0 || (size_t)w >= sizeof(cmd) - n)
				break;
		}
		fail_msg("command failed (log in %s): %s", T.log, cmd);
	}
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static char *path_in(const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", T.dir, name) > 0);
	return p;
}

/* A URI for a key of the test token, through module-path, with a query
 * tail (may be ""). */
static char *key_uri(const char *path_attrs, const char *query)
{
	char *u = NULL;
	assert_true(asprintf(&u, "pkcs11:token=" TOKEN ";%s?module-path=%s%s", path_attrs, T.module,
			     query) > 0);
	return u;
}

static crypto_signer *open_key(const char *path_attrs, const char *query, const char *pin)
{
	WARD_AUTO(free) char *uri = key_uri(path_attrs, query);
	crypto_signer *s = NULL;
	ward_error err = { 0 };
	int rc = crypto_signer_from_pkcs11(&s, uri, pin, &err);
	if (rc)
		fail_msg("%s: %d %s", path_attrs, rc, err.msg);
	return s;
}

/* Signs MSG with s and verifies the signature with a key built from s's
 * public description only; a changed message must not verify. */
static void sign_and_verify(const crypto_signer *s)
{
	ward_error err = { 0 };
	WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(4096);
	int rc = crypto_signer_sign(s, MSG, sizeof(MSG) - 1, &sig, &err);
	if (rc)
		fail_msg("sign: %d %s", rc, err.msg);
	WARD_AUTO(crypto_key_free) crypto_key *k = NULL;
	rc = crypto_key_from_tuf(&k, crypto_signer_keytype(s), crypto_signer_scheme(s),
				 crypto_signer_public(s), &err);
	if (rc)
		fail_msg("from_tuf: %d %s", rc, err.msg);
	assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 1), 0);
	assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, MSG, sizeof(MSG) - 2), WARD_EVERIFY);
}

static bool key_usable(size_t i)
{
	return i != KEY_ED25519 || T.have_ed25519;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char *find_module(void)
{
	static const char *const candidates[] = {
		"/usr/lib/softhsm/libsofthsm2.so",
		"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/local/lib/softhsm/libsofthsm2.so",
		"/usr/lib64/pkcs11/libsofthsm2.so",
	};
	const char *env = getenv("WARD_SOFTHSM2_MODULE");
	if (env && access(env, R_OK) == 0)
		return env;
	for (size_t i = 0; i < WARD_ARRAY_LEN(candidates); i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

/* A P-256 key pair whose private key demands a login before every
 * signature (CKA_ALWAYS_AUTHENTICATE, as PIV signature keys do).
 * pkcs11-tool cannot make one, so this talks PKCS#11 itself. */
static bool generate_always_authenticate_key(void)
{
	static const uint8_t p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	CK_FUNCTION_LIST *m = p11_kit_module_load(T.module, 0);
	if (!m)
		return false;
	bool ok = false;
	CK_SESSION_HANDLE session = 0;
	CK_SLOT_ID slots[8];
	CK_ULONG n = WARD_ARRAY_LEN(slots);
	if (p11_kit_module_initialize(m) != CKR_OK)
		goto out_release;
	if (m->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		goto out;
	for (CK_ULONG i = 0; i < n && !ok; i++) {
		CK_TOKEN_INFO info;
		if (m->C_GetTokenInfo(slots[i], &info) != CKR_OK ||
		    p11_kit_space_strlen(info.label, sizeof(info.label)) != strlen(TOKEN) ||
		    memcmp(info.label, TOKEN, strlen(TOKEN)) != 0)
			continue;
		if (m->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
				     &session) != CKR_OK)
			goto out;
		char pin[] = PIN, label[] = "always";
		uint8_t id[] = { 0x20 }, params[sizeof(p256)];
		memcpy(params, p256, sizeof(p256));
		CK_BBOOL yes = CK_TRUE;
		CK_MECHANISM mech = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
		CK_ATTRIBUTE pub[] = {
			{ CKA_EC_PARAMS, params, sizeof(params) }, { CKA_TOKEN, &yes, sizeof(yes) },
			{ CKA_VERIFY, &yes, sizeof(yes) },         { CKA_ID, id, sizeof(id) },
			{ CKA_LABEL, label, strlen(label) },
		};
		CK_ATTRIBUTE priv[] = {
			{ CKA_TOKEN, &yes, sizeof(yes) },     { CKA_PRIVATE, &yes, sizeof(yes) },
			{ CKA_SENSITIVE, &yes, sizeof(yes) }, { CKA_SIGN, &yes, sizeof(yes) },
			{ CKA_ID, id, sizeof(id) },           { CKA_LABEL, label, strlen(label) },
			{ CKA_ALWAYS_AUTHENTICATE, &yes, sizeof(yes) },
		};
		CK_OBJECT_HANDLE hpub, hpriv;
		if (m->C_Login(session, CKU_USER, (CK_UTF8CHAR *)pin, strlen(pin)) != CKR_OK)
			goto out;
		ok = m->C_GenerateKeyPair(session, &mech, pub, WARD_ARRAY_LEN(pub), priv,
					  WARD_ARRAY_LEN(priv), &hpub, &hpriv) == CKR_OK;
		m->C_Logout(session);
	}
out:
	if (session)
		m->C_CloseSession(session);
	p11_kit_module_finalize(m);
out_release:
	p11_kit_module_release(m);
	return ok;
}

/* ---- group setup: a private token with four keys ---- */

static int group_setup(void **state)
{
	(void)state;
	T.module = find_module();
	if (!T.module) {
		fprintf(stderr, "test_pkcs11: libsofthsm2.so not found (install softhsm2)\n");
		return -1;
	}
	T.softhsm2_util = getenv("WARD_SOFTHSM2_UTIL") ? getenv("WARD_SOFTHSM2_UTIL") : "softhsm2-util";
	T.pkcs11_tool = getenv("WARD_PKCS11_TOOL") ? getenv("WARD_PKCS11_TOOL") : "pkcs11-tool";
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int w = snprintf(T.dir, sizeof(T.dir), "%s/ward-p11-XXXXXX", tmp);
	if (w < 0 || (size_t)w >= sizeof(T.dir) || !mkdtemp(T.dir))
		return -1;
	WARD_AUTO(free) char *tokens = path_in("tokens");
	if (mkdir(tokens, 0700) != 0)
		return -1;
	w = snprintf(T.conf, sizeof(T.conf), "%s/softhsm2.conf", T.dir);
	if (w < 0 || (size_t)w >= sizeof(T.conf))
		return -1;
	w = snprintf(T.log, sizeof(T.log), "%s/tools.log", T.dir);
	if (w < 0 || (size_t)w >= sizeof(T.log))
		return -1;
	WARD_AUTO(free) char *conf = NULL;
	if (asprintf(&conf,
		     "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n",
		     tokens) < 0)
		return -1;
	write_file(T.conf, conf);
	/* The module reads this in every process: the tools' and ours. */
	setenv("SOFTHSM2_CONF", T.conf, 1);

	const char *init[] = { T.softhsm2_util, "--init-token", "--free", "--label", TOKEN,
			       "--so-pin", SO_PIN, "--pin", PIN, NULL };
	run_ok(init);
	for (size_t i = 0; i < WARD_ARRAY_LEN(KEYS); i++) {
		const char *gen[] = { T.pkcs11_tool, "--module", T.module, "--login", "--pin", PIN,
				      "--keypairgen", "--key-type", KEYS[i].keygen, "--label",
				      KEYS[i].label, "--id", KEYS[i].id, NULL };
		if (i == KEY_ED25519) {
			/* SoftHSM 2.6 with OpenSSL 1.1.1+ has CKM_EDDSA; older
			 * builds do not, and the ed25519 tests then skip. */
			T.have_ed25519 = run(gen) == 0;
			if (!T.have_ed25519)
				continue;
		} else {
			run_ok(gen);
		}
		WARD_AUTO(free) char *out = NULL;
		assert_true(asprintf(&out, "%s/%s.pub", T.dir, KEYS[i].id) > 0);
		const char *exp[] = { T.pkcs11_tool, "--module", T.module, "--read-object", "--type",
				      "pubkey", "--id", KEYS[i].id, "-o", out, NULL };
		/* OpenSC 0.23 (Debian 12) fails to export P-384 public keys
		 * ("cannot create EVP_PKEY"); that key's description is then
		 * proved by its token signatures verifying against it. */
		T.exported[i] = run(exp) == 0;
		if (i == 0 || i == 2)
			assert_true(T.exported[i]);
	}
	/* A label that needs percent-encoding, and two keys sharing a label. */
	const char *odd[] = { T.pkcs11_tool, "--module", T.module, "--login", "--pin", PIN,
			      "--keypairgen", "--key-type", "EC:prime256v1", "--label", "my key/1",
			      "--id", "0a0b", NULL };
	run_ok(odd);
	const char *dup1[] = { T.pkcs11_tool, "--module", T.module, "--login", "--pin", PIN,
			       "--keypairgen", "--key-type", "EC:prime256v1", "--label", "dup",
			       "--id", "10", NULL };
	run_ok(dup1);
	const char *dup2[] = { T.pkcs11_tool, "--module", T.module, "--login", "--pin", PIN,
			       "--keypairgen", "--key-type", "EC:prime256v1", "--label", "dup",
			       "--id", "11", NULL };
	run_ok(dup2);

	if (!generate_always_authenticate_key()) {
		fprintf(stderr, "test_pkcs11: cannot generate the always-authenticate key\n");
		return -1;
	}

	w = snprintf(T.pin_file, sizeof(T.pin_file), "%s/pin", T.dir);
	if (w < 0 || (size_t)w >= sizeof(T.pin_file))
		return -1;
	write_file(T.pin_file, PIN "\n");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unsetenv("SOFTHSM2_CONF");
	if (T.dir[0])
		nftw(T.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* ---- signing ---- */

static void each_key_type_signs_on_the_token_and_verifies_with_its_public_description(void **state)
{
	(void)state;
	for (size_t i = 0; i < WARD_ARRAY_LEN(KEYS); i++) {
		if (!key_usable(i))
			continue;
		WARD_AUTO(free) char *attrs = NULL;
		assert_true(asprintf(&attrs, "object=%s;type=private", KEYS[i].label) > 0);
		WARD_AUTO(crypto_signer_free) crypto_signer *s = open_key(attrs, "&pin-value=" PIN, NULL);
		assert_true(crypto_signer_is_pkcs11(s));
		assert_string_equal(crypto_signer_keytype(s), KEYS[i].keytype);
		assert_string_equal(crypto_signer_scheme(s), KEYS[i].scheme);
		sign_and_verify(s);
		/* ECDSA and RSA-PSS are randomised; ed25519 is not. */
		WARD_AUTO(buf_dispose) ward_buf a = WARD_BUF_INIT(4096);
		WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(4096);
		assert_int_equal(crypto_signer_sign(s, MSG, sizeof(MSG) - 1, &a, NULL), 0);
		assert_int_equal(crypto_signer_sign(s, MSG, sizeof(MSG) - 1, &b, NULL), 0);
		if (i == KEY_ED25519)
			assert_memory_equal(a.ptr, b.ptr, 64);
	}
}

static void ed25519_signs_with_ckm_eddsa(void **state)
{
	(void)state;
	if (!T.have_ed25519)
		skip();
	WARD_AUTO(crypto_signer_free) crypto_signer *s = open_key("id=%04", "&pin-value=" PIN, NULL);
	WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(4096);
	assert_int_equal(crypto_signer_sign(s, MSG, sizeof(MSG) - 1, &sig, NULL), 0);
	assert_int_equal(sig.len, 64);
	sign_and_verify(s);
}

static void ecdsa_signatures_are_der_as_the_verifier_expects(void **state)
{
	(void)state;
	WARD_AUTO(crypto_signer_free) crypto_signer *s = open_key("id=%02", "&pin-value=" PIN, NULL);
	WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(4096);
	assert_int_equal(crypto_signer_sign(s, MSG, sizeof(MSG) - 1, &sig, NULL), 0);
	/* SEQUENCE { INTEGER r, INTEGER s }, not the token's raw r||s (96). */
	assert_int_equal(sig.ptr[0], 0x30);
	assert_int_equal(sig.ptr[1], sig.len - 2);
	assert_int_not_equal(sig.len, 96);
	sign_and_verify(s);
}

static void empty_message_signs(void **state)
{
	(void)state;
	for (size_t i = 0; i < WARD_ARRAY_LEN(KEYS); i++) {
		if (!key_usable(i))
			continue;
		WARD_AUTO(free) char *attrs = NULL;
		assert_true(asprintf(&attrs, "object=%s", KEYS[i].label) > 0);
		WARD_AUTO(crypto_signer_free) crypto_signer *s = open_key(attrs, "&pin-value=" PIN, NULL);
		WARD_AUTO(buf_dispose) ward_buf sig = WARD_BUF_INIT(4096);
		assert_int_equal(crypto_signer_sign(s, NULL, 0, &sig, NULL), 0);
		WARD_AUTO(crypto_key_free) crypto_key *k = NULL;
		assert_int_equal(crypto_key_from_tuf(&k, crypto_signer_keytype(s), crypto_signer_scheme(s),
						     crypto_signer_public(s), NULL),
				 0);
		assert_int_equal(crypto_key_verify(k, sig.ptr, sig.len, (const uint8_t *)"", 0), 0);
	}
}

static void key_demanding_a_login_per_signature_signs_repeatedly(void **state)
{
	(void)state;
	WARD_AUTO(crypto_signer_free) crypto_signer *s = open_key("object=always", "&pin-value=" PIN, NULL);
	for (int i = 0; i < 3; i++)
		sign_and_verify(s);
}

/* ---- the public description ---- */

/* What a file signer holding the same key would publish, computed by
 * OpenSSL from the public key pkcs11-tool exported (DER; PEM for Ed25519
 * in OpenSC 0.23). */
static char *expected_public(const char *id)
{
	WARD_AUTO(free) char *path = NULL;
	assert_true(asprintf(&path, "%s/%s.pub", T.dir, id) > 0);
	WARD_AUTO(buf_dispose) ward_buf data = WARD_BUF_INIT(65536);
	assert_int_equal(fs_read_file(&data, path, 65536, NULL), 0);
	WARD_AUTO(EVP_PKEY_free) EVP_PKEY *pkey = NULL;
	if (data.len > 5 && memcmp(data.ptr, "-----", 5) == 0) {
		WARD_AUTO(BIO_free_all) BIO *bio = BIO_new_mem_buf(data.ptr, (int)data.len);
		pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	} else {
		const unsigned char *p = data.ptr;
		pkey = d2i_PUBKEY(NULL, &p, (long)data.len);
	}
	assert_non_null(pkey);
	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		uint8_t raw[32];
		size_t len = sizeof(raw);
		assert_int_equal(EVP_PKEY_get_raw_public_key(pkey, raw, &len), 1);
		char *hex = malloc(65);
		assert_non_null(hex);
		hex_encode(hex, raw, sizeof(raw));
		return hex;
	}
	WARD_AUTO(BIO_free_all) BIO *out = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PUBKEY(out, pkey), 1);
	char *text = NULL;
	long len = BIO_get_mem_data(out, &text);
	assert_true(len > 0);
	return strndup(text, (size_t)len);
}

static void public_description_matches_the_key_exported_from_the_token(void **state)
{
	(void)state;
	size_t compared = 0;
	for (size_t i = 0; i < WARD_ARRAY_LEN(KEYS); i++) {
		if (!key_usable(i) || !T.exported[i])
			continue;
		compared++;
		WARD_AUTO(free) char *attrs = NULL;
		assert_true(asprintf(&attrs, "id=%%%s", KEYS[i].id) > 0);
		WARD_AUTO(crypto_signer_free) crypto_signer *s = open_key(attrs, "&pin-value=" PIN, NULL);
		WARD_AUTO(free) char *want = expected_public(KEYS[i].id);
		assert_string_equal(crypto_signer_public(s), want);
	}
	assert_true(compared >= 2);
}

static void private_key_does_not_leave_the_token(void **state)
{
	(void)state;
	WARD_AUTO(crypto_signer_free) crypto_signer *s = open_key("object=p256", "&pin-value=" PIN, NULL);
	WARD_AUTO(buf_dispose) ward_buf pem = WARD_BUF_INIT(65536);
	ward_error err = { 0 };
	assert_int_equal(crypto_signer_to_pem(s, &pem, &err), WARD_EINVAL);
	assert_int_equal(err.code, WARD_EINVAL);
	assert_non_null(strstr(err.msg, "does not leave the token"));
	assert_int_equal(pem.len, 0);
}

static void file_signers_are_not_pkcs11(void **state)
{
	(void)state;
	WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
	assert_int_equal(crypto_signer_generate(&s, "ed25519", NULL), 0);
	assert_false(crypto_signer_is_pkcs11(s));
	assert_false(crypto_signer_is_pkcs11(NULL));
}

/* ---- PINs ---- */

static void wrong_pin_is_refused_with_everify(void **state)
{
	(void)state;
	WARD_AUTO(free) char *uri = key_uri("object=p256", "&pin-value=0000");
	crypto_signer *s = NULL;
	ward_error err = { 0 };
	assert_int_equal(crypto_signer_from_pkcs11(&s, uri, NULL, &err), WARD_EVERIFY);
	assert_null(s);
	assert_non_null(strstr(err.msg, "login refused"));
	assert_null(strstr(err.msg, "0000")); /* the PIN is never echoed */
	/* An explicit PIN overrides the URI's, in both directions. */
	assert_int_equal(crypto_signer_from_pkcs11(&s, uri, "9999", &err), WARD_EVERIFY);
	WARD_AUTO(crypto_signer_free) crypto_signer *ok = NULL;
	assert_int_equal(crypto_signer_from_pkcs11(&ok, uri, PIN, &err), 0);
	sign_and_verify(ok);
}

static void missing_pin_is_refused_with_einval(void **state)
{
	(void)state;
	WARD_AUTO(free) char *uri = key_uri("object=p256", "");
	crypto_signer *s = NULL;
	ward_error err = { 0 };
	assert_int_equal(crypto_signer_from_pkcs11(&s, uri, NULL, &err), WARD_EINVAL);
	assert_non_null(strstr(err.msg, "PIN is required"));
	/* The same URI with the PIN given by the caller. */
	WARD_AUTO(crypto_signer_free) crypto_signer *ok = NULL;
	assert_int_equal(crypto_signer_from_pkcs11(&ok, uri, PIN, &err), 0);
}

static void pin_source_file_supplies_the_pin(void **state)
{
	(void)state;
	const char *prefixes[] = { "", "file:", "file://" };
	for (size_t i = 0; i < WARD_ARRAY_LEN(prefixes); i++) {
		WARD_AUTO(free) char *query = NULL;
		assert_true(asprintf(&query, "&pin-source=%s%s", prefixes[i], T.pin_file) > 0);
		WARD_AUTO(crypto_signer_free) crypto_signer *s = open_key("object=rsa", query, NULL);
		sign_and_verify(s);
	}
	/* A missing file, and a file holding the wrong PIN. */
	WARD_AUTO(free) char *missing = key_uri("object=p256", "&pin-source=/nonexistent/ward-pin");
	crypto_signer *s = NULL;
	ward_error err = { 0 };
	assert_int_equal(crypto_signer_from_pkcs11(&s, missing, NULL, &err), WARD_ENOTFOUND);
	WARD_AUTO(free) char *bad_file = path_in("badpin");
	write_file(bad_file, "4321\r\n");
	WARD_AUTO(free) char *query = NULL;
	assert_true(asprintf(&query, "&pin-source=%s", bad_file) > 0);
	WARD_AUTO(free) char *bad = key_uri("object=p256", query);
	assert_int_equal(crypto_signer_from_pkcs11(&s, bad, NULL, &err), WARD_EVERIFY);
	/* Longer than any PIN: not a PIN file. */
	char big[PKCS11_PIN_MAX + 8];
	memset(big, '7', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	write_file(bad_file, big);
	assert_int_equal(crypto_signer_from_pkcs11(&s, bad, NULL, &err), WARD_ELIMIT);
	assert_null(s);
}

/* ---- selection ---- */

static void unknown_token_key_or_module_is_refused_with_enotfound(void **state)
{
	(void)state;
	/* Each URI is followed by the module path and then the tail. */
	static const struct {
		const char *head;
		const char *tail;
	} cases[] = {
		{ "pkcs11:token=" TOKEN ";object=nope?module-path=", "" },
		{ "pkcs11:token=" TOKEN ";id=%ff?module-path=", "" },
		{ "pkcs11:token=" TOKEN ";object=p256;id=%02?module-path=", "" },
		{ "pkcs11:token=no-such-token;object=p256?module-path=", "" },
		{ "pkcs11:token=" TOKEN ";serial=0000;object=p256?module-path=", "" },
		{ "pkcs11:token=" TOKEN ";object=p256?module-path=", ".missing" },
		{ "pkcs11:token=" TOKEN ";object=p256?module-name=no-such-module&x-module=", "" },
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
		WARD_AUTO(free) char *uri = NULL;
		assert_true(asprintf(&uri, "%s%s%s&pin-value=" PIN, cases[i].head, T.module,
				     cases[i].tail) > 0);
		crypto_signer *s = NULL;
		ward_error err = { 0 };
		int rc = crypto_signer_from_pkcs11(&s, uri, NULL, &err);
		if (rc != WARD_ENOTFOUND)
			fail_msg("case %zu: %d %s", i, rc, err.msg);
		assert_null(s);
		assert_int_equal(err.code, WARD_ENOTFOUND);
	}
}

static void uri_matching_several_keys_is_refused_with_einval(void **state)
{
	(void)state;
	const char *attrs[] = { "object=dup", "", "type=private" };
	for (size_t i = 0; i < WARD_ARRAY_LEN(attrs); i++) {
		WARD_AUTO(free) char *uri = NULL;
		assert_true(asprintf(&uri, "pkcs11:token=" TOKEN "%s%s?module-path=%s&pin-value=" PIN,
				     attrs[i][0] ? ";" : "", attrs[i], T.module) > 0);
		crypto_signer *s = NULL;
		ward_error err = { 0 };
		assert_int_equal(crypto_signer_from_pkcs11(&s, uri, NULL, &err), WARD_EINVAL);
		assert_non_null(strstr(err.msg, "several private keys"));
	}
	/* Narrowed by id, each of the pair opens. */
	WARD_AUTO(crypto_signer_free) crypto_signer *a = open_key("object=dup;id=%10", "&pin-value=" PIN, NULL);
	WARD_AUTO(crypto_signer_free) crypto_signer *b = open_key("object=dup;id=%11", "&pin-value=" PIN, NULL);
	assert_string_not_equal(crypto_signer_public(a), crypto_signer_public(b));
}

static void percent_encoded_label_and_id_select_the_key(void **state)
{
	(void)state;
	WARD_AUTO(crypto_signer_free) crypto_signer *a =
		open_key("object=my%20key%2F1", "&pin-value=" PIN, NULL);
	WARD_AUTO(crypto_signer_free) crypto_signer *b = open_key("id=%0A%0b", "&pin-value=" PIN, NULL);
	assert_string_equal(crypto_signer_public(a), crypto_signer_public(b));
	sign_and_verify(a);
}

static void registered_modules_are_searched_without_module_path(void **state)
{
	(void)state;
	/* SoftHSM2 registers itself with p11-kit as "softhsm2". */
	const char *uris[] = {
		"pkcs11:token=" TOKEN ";object=p256?pin-value=" PIN,
		"pkcs11:token=" TOKEN ";object=p256?module-name=softhsm2&pin-value=" PIN,
	};
	WARD_AUTO(free) char *want = expected_public("01");
	for (size_t i = 0; i < WARD_ARRAY_LEN(uris); i++) {
		WARD_AUTO(crypto_signer_free) crypto_signer *s = NULL;
		ward_error err = { 0 };
		int rc = crypto_signer_from_pkcs11(&s, uris[i], NULL, &err);
		if (rc)
			fail_msg("%s: %d %s", uris[i], rc, err.msg);
		assert_string_equal(crypto_signer_public(s), want);
		sign_and_verify(s);
	}
}

static void several_keys_of_one_token_sign_side_by_side(void **state)
{
	(void)state;
	/* Login is shared by the process; freeing one key must not log the
	 * other out. */
	crypto_signer *a = open_key("object=p256", "&pin-value=" PIN, NULL);
	WARD_AUTO(crypto_signer_free) crypto_signer *b = open_key("object=rsa", "&pin-value=" PIN, NULL);
	sign_and_verify(a);
	sign_and_verify(b);
	crypto_signer_free(a);
	sign_and_verify(b);
}

/* ---- malformed URIs ---- */

static const struct {
	const char *uri;
	const char *why; /* a word the message must contain */
} MALFORMED[] = {
	{ "", "pkcs11:" },
	{ "pkcs12:token=a", "pkcs11:" },
	{ "token=a", "pkcs11:" },
	{ "pkcs11:token", "=" },
	{ "pkcs11:token=a;", "empty" },
	{ "pkcs11:;token=a", "empty" },
	{ "pkcs11:token=a;;object=b", "empty" },
	{ "pkcs11:token=", "empty" },
	{ "pkcs11:=a", "name" },
	{ "pkcs11:tok en=a", "name" },
	{ "pkcs11:token=a b", "character" },
	{ "pkcs11:token=a/b", "character" },
	{ "pkcs11:token=a#frag", "character" },
	{ "pkcs11:token=%", "character" },
	{ "pkcs11:token=%4", "character" },
	{ "pkcs11:token=%zz", "character" },
	{ "pkcs11:token=a%00b", "NUL" },
	{ "pkcs11:token=a;token=b", "twice" },
	{ "pkcs11:object=a;object=a", "twice" },
	{ "pkcs11:id=", "empty" },
	{ "pkcs11:type=cert", "private" },
	{ "pkcs11:type=public", "private" },
	{ "pkcs11:slot-id=1", "not supported" },
	{ "pkcs11:library-description=x", "not supported" },
	{ "pkcs11:x-vendor=1", "unknown" },
	{ "pkcs11:label=a", "unknown" },
	{ "pkcs11:token=a?pin-value=1&pin-source=/p", "both" },
	{ "pkcs11:token=a?module-path=/m.so&module-name=m", "both" },
	{ "pkcs11:token=a?module-path=m.so", "absolute" },
	{ "pkcs11:token=a?pin-value=1&pin-value=1", "twice" },
	{ "pkcs11:token=a?pin-value=", "empty" },
	{ "pkcs11:token=a?pin-value=1;x", "character" },
	{ "pkcs11:token=a?&", "empty" },
	{ "pkcs11:token=a?pin-value=1&", "empty" },
	{ "pkcs11:token=a?x-unknown=a b", "character" },
	{ "pkcs11:token=a?pin-source=file://host/pin", "host" },
};

static void malformed_uris_are_refused_with_einval(void **state)
{
	(void)state;
	for (size_t i = 0; i < WARD_ARRAY_LEN(MALFORMED); i++) {
		crypto_signer *s = NULL;
		ward_error err = { 0 };
		int rc = crypto_signer_from_pkcs11(&s, MALFORMED[i].uri, NULL, &err);
		if (rc != WARD_EINVAL || !strstr(err.msg, MALFORMED[i].why))
			fail_msg("\"%s\": %d %s", MALFORMED[i].uri, rc, err.msg);
		assert_null(s);
	}
	/* NULL and oversized URIs. */
	crypto_signer *s = NULL;
	ward_error err = { 0 };
	assert_int_equal(crypto_signer_from_pkcs11(&s, NULL, NULL, &err), WARD_EINVAL);
	char *big = malloc(PKCS11_URI_MAX + 2);
	assert_non_null(big);
	memcpy(big, "pkcs11:token=", 13);
	memset(big + 13, 'a', PKCS11_URI_MAX + 1 - 13);
	big[PKCS11_URI_MAX + 1] = '\0';
	assert_int_equal(crypto_signer_from_pkcs11(&s, big, NULL, &err), WARD_ELIMIT);
	free(big);
}

static void malformed_uri_messages_never_echo_the_pin(void **state)
{
	(void)state;
	const char *uris[] = {
		"pkcs11:token=a?pin-value=s3cr3t&pin-value=s3cr3t",
		"pkcs11:token=a?pin-value=s3cr3t%zz",
		"pkcs11:token=a;slot-id=1?pin-value=s3cr3t",
	};
	for (size_t i = 0; i < WARD_ARRAY_LEN(uris); i++) {
		crypto_signer *s = NULL;
		ward_error err = { 0 };
		assert_int_equal(crypto_signer_from_pkcs11(&s, uris[i], NULL, &err), WARD_EINVAL);
		assert_null(strstr(err.msg, "s3cr3t"));
	}
}

static void uri_parser_decodes_every_attribute(void **state)
{
	(void)state;
	pkcs11_uri u = { 0 };
	ward_error err = { 0 };
	int rc = pkcs11_uri_parse(&u,
				  "PKCS11:token=My%20Token;manufacturer=SoftHSM%20project;serial=a1b2;"
				  "model=SoftHSM%20v2;object=root&key;id=%01%ff%00;type=private"
				  "?module-path=/usr/lib/x.so&pin-value=12%3b4&x-ignored=1&also=?/|",
				  &err);
	if (rc)
		fail_msg("%d %s", rc, err.msg);
	assert_string_equal(u.token, "My Token");
	assert_string_equal(u.manufacturer, "SoftHSM project");
	assert_string_equal(u.serial, "a1b2");
	assert_string_equal(u.model, "SoftHSM v2");
	assert_string_equal(u.object, "root&key");
	assert_true(u.has_id);
	assert_int_equal(u.id_len, 3);
	assert_memory_equal(u.id, "\x01\xff\x00", 3);
	assert_string_equal(u.module_path, "/usr/lib/x.so");
	assert_string_equal(u.pin_value, "12;4");
	assert_null(u.module_name);
	assert_null(u.pin_source);
	pkcs11_uri_dispose(&u);
	assert_null(u.token);

	/* The empty URI and the empty query are well-formed. */
	assert_int_equal(pkcs11_uri_parse(&u, "pkcs11:", &err), 0);
	assert_null(u.token);
	assert_false(u.has_id);
	pkcs11_uri_dispose(&u);
	assert_int_equal(pkcs11_uri_parse(&u, "pkcs11:object=a?", &err), 0);
	assert_string_equal(u.object, "a");
	pkcs11_uri_dispose(&u);
	assert_int_equal(pkcs11_uri_parse(&u, "pkcs11:?module-name=softhsm2&pin-source=file:/p", &err), 0);
	assert_string_equal(u.module_name, "softhsm2");
	assert_string_equal(u.pin_source, "file:/p");
	pkcs11_uri_dispose(&u);
	pkcs11_uri_dispose(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_key_type_signs_on_the_token_and_verifies_with_its_public_description),
		cmocka_unit_test(ed25519_signs_with_ckm_eddsa),
		cmocka_unit_test(ecdsa_signatures_are_der_as_the_verifier_expects),
		cmocka_unit_test(empty_message_signs),
		cmocka_unit_test(key_demanding_a_login_per_signature_signs_repeatedly),
		cmocka_unit_test(public_description_matches_the_key_exported_from_the_token),
		cmocka_unit_test(private_key_does_not_leave_the_token),
		cmocka_unit_test(file_signers_are_not_pkcs11),
		cmocka_unit_test(wrong_pin_is_refused_with_everify),
		cmocka_unit_test(missing_pin_is_refused_with_einval),
		cmocka_unit_test(pin_source_file_supplies_the_pin),
		cmocka_unit_test(unknown_token_key_or_module_is_refused_with_enotfound),
		cmocka_unit_test(uri_matching_several_keys_is_refused_with_einval),
		cmocka_unit_test(percent_encoded_label_and_id_select_the_key),
		cmocka_unit_test(registered_modules_are_searched_without_module_path),
		cmocka_unit_test(several_keys_of_one_token_sign_side_by_side),
		cmocka_unit_test(malformed_uris_are_refused_with_einval),
		cmocka_unit_test(malformed_uri_messages_never_echo_the_pin),
		cmocka_unit_test(uri_parser_decodes_every_attribute),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
