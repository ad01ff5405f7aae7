/*
 * run.c - ward_audit_run: the public entry.  Opens each input (a root
 * filesystem, or one file of a detected kind), runs its checks into one
 * context, applies the waivers and renders the report.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/boot/boot.h"
#include "audit/core/core.h"
#include "util/fs.h"
#include "ward/audit.h"

/* Waiver files are short lists. */
#define AUDIT_LIMIT_WAIVER_BYTES ((size_t)1 << 20)

WARD_DEFINE_AUTO(audit_ctx *, audit_ctx_free)
WARD_DEFINE_AUTO(audit_denyset *, audit_denyset_free)
WARD_DEFINE_AUTO(audit_fs *, audit_fs_free)

int ward_audit_severity_parse(const char *name)
{
	return name ? audit_severity_parse(name) : -1;
}

static bool is_rootfs(const uint8_t *head, size_t len)
{
	if (len >= 262 && memcmp(head + 257, "ustar", 5) == 0)
		return true; /* tar */
	if (len >= 4 && memcmp(head, "hsqs", 4) == 0)
		return true; /* squashfs */
	if (len >= 1082 && head[1080] == 0x53 && head[1081] == 0xEF)
		return true; /* ext2/3/4 */
	/* compressed tar: gzip, xz, zstd, bzip2 */
	return len >= 6 && ((head[0] == 0x1f && head[1] == 0x8b) || memcmp(head, "\xfd\x37\x7a\x58\x5a\x00", 6) == 0 ||
			    memcmp(head, "\x28\xb5\x2f\xfd", 4) == 0 || memcmp(head, "BZh", 3) == 0);
}

/* The first bytes of a file, to tell an image from a single input. */
static int read_head(const char *path, uint8_t *head, size_t n, size_t *got, ward_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ward_err(err, errno == ENOENT ? WARD_ENOTFOUND : WARD_EIO, "%s: %s", path, strerror(errno));
	ssize_t r = pread(fd, head, n, 0);
	int e = errno;
	close(fd);
	if (r < 0)
		return ward_err(err, WARD_EIO, "%s: %s", path, strerror(e));
	*got = (size_t)r;
	return 0;
}

static int audit_input(audit_ctx *a, const char *path, ward_error *err)
{
	audit_progress(a, path);
	struct stat st;
	if (stat(path, &st) != 0)
		return ward_err(err, errno == ENOENT ? WARD_ENOTFOUND : WARD_EIO, "%s: %s", path, strerror(errno));
	bool rootfs = S_ISDIR(st.st_mode);
	if (!rootfs) {
		if (!S_ISREG(st.st_mode))
			return ward_err(err, WARD_EINVAL, "%s: neither a directory nor a regular file", path);
		uint8_t head[2048];
		size_t got = 0;
		int rc = read_head(path, head, sizeof(head), &got, err);
		if (rc)
			return rc;
		const char *base = strrchr(path, '/');
		/* a compressed kernel (vmlinuz, Image.gz) is not a compressed tar */
		rootfs = is_rootfs(head, got) && !audit_kernel_name(base ? base + 1 : path);
	}
	if (rootfs) {
		WARD_AUTO(audit_fs_free) audit_fs *fs = NULL;
		int rc = audit_fs_open(&fs, path, err);
		if (rc)
			return rc;
		rc = audit_check_rootfs(a, fs, err);
		return rc ? ward_err_prefix(err, rc, "%s: ", path) : 0;
	}
	WARD_AUTO(buf_dispose) ward_buf b = WARD_BUF_INIT(AUDIT_LIMIT_INPUT_BYTES);
	int rc = fs_read_file(&b, path, AUDIT_LIMIT_INPUT_BYTES, err);
	if (rc)
		return rc;
	const uint8_t *data = b.ptr ? b.ptr : (const uint8_t *)"";
	audit_kind k = audit_detect(path, data, b.len);
	if (k == AUDIT_K_UNKNOWN)
		return ward_err(err, WARD_EINVAL, "%s: not a kind of input ward audit knows", path);
	return audit_check_file(a, k, path, data, b.len, err);
}

int ward_audit_run(char **report, size_t *report_len, int *failed, const char *const *inputs, size_t n_inputs,
		   const ward_audit_opts *opts, ward_error *err)
{
	if (!opts || opts->version < 1 || opts->version > WARD_AUDIT_OPTS_VERSION)
		return ward_err(err, WARD_EINVAL, "audit: options of an unknown version");
	if (opts->format != WARD_AUDIT_HUMAN && opts->format != WARD_AUDIT_JSON && opts->format != WARD_AUDIT_SARIF)
		return ward_err(err, WARD_EINVAL, "audit: unknown report format");
	if (n_inputs == 0)
		return ward_err(err, WARD_EINVAL, "audit: no input");
	WARD_AUTO(audit_ctx_free) audit_ctx *a = NULL;
	int rc = audit_ctx_new(&a, err);
	if (rc)
		return rc;
	if (opts->now)
		a->now = opts->now;
	a->progress = opts->progress;
	a->progress_ctx = opts->progress_ctx;
	if (opts->waivers) {
		WARD_AUTO(buf_dispose) ward_buf w = WARD_BUF_INIT(AUDIT_LIMIT_WAIVER_BYTES);
		rc = fs_read_file(&w, opts->waivers, AUDIT_LIMIT_WAIVER_BYTES, err);
		if (!rc)
			rc = audit_ctx_load_waivers(a, w.ptr ? w.ptr : (const uint8_t *)"", w.len, err);
		if (rc)
			return rc;
	}
	WARD_AUTO(audit_denyset_free) audit_denyset *deny = NULL;
	if (opts->version >= 2 && opts->deny_keys) {
		/* the file may hold private keys (a team's development key file) */
		WARD_AUTO(buf_dispose_secret) ward_buf k = WARD_BUF_INIT(AUDIT_LIMIT_CONFIG_BYTES);
		rc = fs_read_file(&k, opts->deny_keys, AUDIT_LIMIT_CONFIG_BYTES, err);
		if (!rc)
			rc = audit_denyset_load(&deny, opts->deny_keys, k.ptr ? k.ptr : (const uint8_t *)"",
						k.len, err);
		if (rc)
			return rc;
		a->deny = deny;
	}
	for (size_t i = 0; i < n_inputs; i++) {
		rc = audit_input(a, inputs[i], err);
		if (rc)
			return rc;
	}
	/* checks across inputs: a FIT and the control DTB that verifies it */
	rc = audit_boot_finish(a, err);
	if (rc)
		return rc;
	if (a->failed_alloc)
		return ward_err(err, WARD_ENOMEM, "audit: out of memory recording findings");
	audit_ctx_apply_waivers(a);
	WARD_AUTO(buf_dispose) ward_buf out = WARD_BUF_INIT((size_t)1 << 30);
	rc = opts->format == WARD_AUDIT_JSON    ? audit_render_json(a, &out, err)
	     : opts->format == WARD_AUDIT_SARIF ? audit_render_sarif(a, &out, err)
						: audit_render_human(a, &out, err);
	if (rc)
		return rc;
	if (buf_putc(&out, '\0') != 0)
		return ward_err(err, WARD_ENOMEM, "audit: out of memory");
	size_t len;
	*failed = opts->fail_on <= WARD_AUDIT_CRITICAL && audit_ctx_count(a, (audit_severity)opts->fail_on) > 0;
	*report = (char *)buf_detach(&out, &len);
	*report_len = len - 1;
	return 0;
}
