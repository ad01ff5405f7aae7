/*
 * change_fuzz.c - fuzzes the reading and editing of a staged change
 * (src/repo/repo_change.c, repo_edit.c).  A change travels between
 * approvers by mail or a shared folder, so its bytes are untrusted.
 *
 * For each input: repo_change_read (tokens and the light view, in which
 * every signed.targets is cut out), then for every role the publisher's
 * steps: the envelope and its parse as TUF metadata, the canonical bytes
 * of "signed", and the merge of fixed additions and removals into the
 * role's targets.
 *
 * Properties (abort = a bug in ward):
 *  - the light view has the roles the tokens have;
 *  - a merged targets object is valid JSON holding exactly the names
 *    expected: the old ones, minus the removed, plus the added.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "repo/repo_int.h"
#include "tuf/metadata.h"
#include "util/limits.h"

static int memfd = -1;

static void check_merge(const wj_doc *d, uint32_t t)
{
	static json_t *adds, *removes;
	if (!adds) {
		adds = json_pack("{s:{s:i}, s:{s:i}, s:{s:i}}", "a", "length", 1, "m/é.bin", "length", 2,
				 "zz", "length", 3);
		removes = json_pack("{s:b}", "b", 1);
		if (!adds || !removes)
			abort();
	}
	ward_buf out = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES * 2);
	ward_error err = { 0 };
	if (repo_edit_merge(&out, d, t, adds, removes, &err) != 0) {
		buf_dispose(&out);
		return; /* e.g. a name holding NUL: refused */
	}
	wj_doc m = { 0 };
	if (wj_parse(&m, out.ptr, out.len, out.len, "merged", &err) != 0 || wj_typeof(&m, 0) != WJ_OBJ)
		abort();
	size_t expect = json_object_size(adds);
	for (uint32_t k = t != WJ_NONE ? wj_first(d, t) : WJ_NONE; k != WJ_NONE; k = wj_next_member(d, t, k)) {
		char *name = wj_str_dup(d, k);
		if (!name)
			abort(); /* the merge refused these above */
		if (!json_object_get(adds, name) && !json_object_get(removes, name)) {
			expect++;
			if (wj_get(&m, 0, name) == WJ_NONE)
				abort();
		}
		if (json_object_get(removes, name) && wj_get(&m, 0, name) != WJ_NONE)
			abort();
		free(name);
	}
	const char *k;
	json_t *v;
	json_object_foreach(adds, k, v) if (wj_get(&m, 0, k) == WJ_NONE) abort();
	if (m.t[0].count != expect)
		abort();
	wj_dispose(&m);
	buf_dispose(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memfd < 0 && (memfd = memfd_create("change", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	repo_change c;
	ward_error err = { 0 };
	if (repo_change_read(&c, path, &err) != 0)
		return 0;
	const wj_doc *d = &c.doc;
	uint32_t roles = wj_get(d, 0, "roles");
	if ((size_t)d->t[roles].count != json_object_size(json_object_get(c.light, "roles")))
		abort();
	for (uint32_t k = wj_first(d, roles); k != WJ_NONE; k = wj_next_member(d, roles, k)) {
		char *role = wj_str_dup(d, k);
		if (!role)
			continue;
		ward_buf env = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
		if (repo_change_envelope(&c, role, &env, &err) == 0) {
			tuf_meta *m = NULL;
			if (tuf_meta_parse(&m, &env, WARD_LIMIT_METADATA_MAX_BYTES, TUF_TARGETS, role, &err) == 0)
				tuf_meta_free(m);
		}
		buf_dispose(&env);
		uint32_t s = repo_change_signed(&c, role);
		if (s != WJ_NONE) {
			ward_buf owned = WARD_BUF_INIT(WARD_LIMIT_METADATA_MAX_BYTES);
			const uint8_t *msg;
			size_t len;
			if (wj_canonical_bytes(d, s, &msg, &len, &owned) == 0 && !msg)
				abort();
			buf_dispose(&owned);
			uint32_t t = wj_get(d, s, "targets");
			if (t == WJ_NONE || wj_typeof(d, t) == WJ_OBJ)
				check_merge(d, t);
		}
		free(role);
	}
	repo_change_dispose(&c);
	return 0;
}
