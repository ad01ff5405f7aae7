/*
 * test_metadata.c - strict parsing of the metadata model (TUF 4) and the
 * delegation rules of the target search (TUF 5.7.3), as data tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tuf/metadata.h"
#include "util/limits.h"

#define KEY "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"" \
	    "8f3cb8e2b3a3d3f6f0a5b7c4e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e\"}}"
#define ROLE "{\"keyids\":[\"k\"],\"threshold\":1}"
#define ROOT_SIGNED(extra)                                                                  \
	"{\"signatures\":[],\"signed\":{\"_type\":\"root\",\"spec_version\":\"1.0.31\","   \
	"\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"consistent_snapshot\":true,"  \
	"\"keys\":{\"k\":" KEY "},\"roles\":{\"root\":" ROLE ",\"timestamp\":" ROLE           \
	",\"snapshot\":" ROLE ",\"targets\":" ROLE "}" extra "}}"
#define TS(meta)                                                                             \
	"{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0.0\"," \
	"\"version\":3,\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":" meta "}}"
#define TARGETS(body)                                                                      \
	"{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"1.0.0\"," \
	"\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\"," body "}}"
#define DELEG(roles) "\"targets\":{},\"delegations\":{\"keys\":{},\"roles\":[" roles "]}"

static const struct {
	const char *name;
	tuf_type type;
	const char *json;
	int rc;
} cases[] = {
	{ "valid root", TUF_ROOT, ROOT_SIGNED(""), 0 },
	{ "unknown fields are kept", TUF_ROOT, ROOT_SIGNED(",\"x-custom\":{\"a\":[1,2]}"), 0 },
	{ "floating point in signed", TUF_ROOT, ROOT_SIGNED(",\"x\":1.5"), WARD_EINVAL },
	{ "duplicate key", TUF_ROOT, ROOT_SIGNED(",\"version\":2"), WARD_EINVAL },
	{ "wrong type", TUF_TIMESTAMP, ROOT_SIGNED(""), WARD_EINVAL },
	{ "not an object", TUF_ROOT, "[]", WARD_EINVAL },
	{ "no signatures", TUF_ROOT, "{\"signed\":{}}", WARD_EINVAL },
	{ "spec version 2", TUF_TIMESTAMP,
	  "{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"2.0.0\","
	  "\"version\":3,\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{\"version\":1}}}}",
	  WARD_EINVAL },
	{ "version zero", TUF_TIMESTAMP,
	  "{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0.0\","
	  "\"version\":0,\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{\"version\":1}}}}",
	  WARD_EINVAL },
	{ "version beyond 2^53", TUF_TIMESTAMP,
	  "{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0.0\","
	  "\"version\":9007199254740992,\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{\"version\":1}}}}",
	  WARD_EINVAL },
	{ "version as string", TUF_TIMESTAMP,
	  "{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0.0\","
	  "\"version\":\"3\",\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"snapshot.json\":{\"version\":1}}}}",
	  WARD_EINVAL },
	{ "bad expiry", TUF_TIMESTAMP,
	  "{\"signatures\":[],\"signed\":{\"_type\":\"timestamp\",\"spec_version\":\"1.0.0\","
	  "\"version\":3,\"expires\":\"tomorrow\",\"meta\":{\"snapshot.json\":{\"version\":1}}}}",
	  WARD_EINVAL },
	{ "valid timestamp", TUF_TIMESTAMP, TS("{\"snapshot.json\":{\"version\":1,\"length\":5,\"hashes\":{\"sha256\":\"ab\"}}}"), 0 },
	{ "timestamp without snapshot", TUF_TIMESTAMP, TS("{}"), WARD_EINVAL },
	{ "timestamp with two entries", TUF_TIMESTAMP,
	  TS("{\"snapshot.json\":{\"version\":1},\"x.json\":{\"version\":1}}"), WARD_EINVAL },
	{ "negative length", TUF_TIMESTAMP, TS("{\"snapshot.json\":{\"version\":1,\"length\":-1}}"), WARD_EINVAL },
	{ "empty hashes", TUF_TIMESTAMP, TS("{\"snapshot.json\":{\"version\":1,\"hashes\":{}}}"), WARD_EINVAL },
	{ "missing roles", TUF_ROOT,
	  "{\"signatures\":[],\"signed\":{\"_type\":\"root\",\"spec_version\":\"1.0.31\","
	  "\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"keys\":{},\"roles\":{\"root\":" ROLE "}}}",
	  WARD_EINVAL },
	{ "threshold zero", TUF_ROOT,
	  "{\"signatures\":[],\"signed\":{\"_type\":\"root\",\"spec_version\":\"1.0.31\","
	  "\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"keys\":{},\"roles\":{"
	  "\"root\":{\"keyids\":[],\"threshold\":0},\"timestamp\":" ROLE ",\"snapshot\":" ROLE
	  ",\"targets\":" ROLE "}}}",
	  WARD_EINVAL },
	{ "duplicate keyids in a role", TUF_ROOT,
	  "{\"signatures\":[],\"signed\":{\"_type\":\"root\",\"spec_version\":\"1.0.31\","
	  "\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"keys\":{},\"roles\":{"
	  "\"root\":{\"keyids\":[\"k\",\"k\"],\"threshold\":2},\"timestamp\":" ROLE
	  ",\"snapshot\":" ROLE ",\"targets\":" ROLE "}}}",
	  WARD_EINVAL },
	{ "unsupported key type is kept, not fatal", TUF_ROOT,
	  "{\"signatures\":[],\"signed\":{\"_type\":\"root\",\"spec_version\":\"1.0.31\","
	  "\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"keys\":{\"k\":{\"keytype\":\"sphincs\","
	  "\"scheme\":\"x\",\"keyval\":{\"public\":\"00\"}}},\"roles\":{\"root\":" ROLE
	  ",\"timestamp\":" ROLE ",\"snapshot\":" ROLE ",\"targets\":" ROLE "}}}",
	  0 },
	{ "valid targets", TUF_TARGETS,
	  TARGETS("\"targets\":{\"a/b.img\":{\"length\":3,\"hashes\":{\"sha256\":\"00\"},\"custom\":{\"v\":1}}}"), 0 },
	{ "target without hashes", TUF_TARGETS, TARGETS("\"targets\":{\"a\":{\"length\":3}}"), WARD_EINVAL },
	{ "target with string length", TUF_TARGETS,
	  TARGETS("\"targets\":{\"a\":{\"length\":\"3\",\"hashes\":{\"sha256\":\"00\"}}}"), WARD_EINVAL },
	{ "target custom not an object", TUF_TARGETS,
	  TARGETS("\"targets\":{\"a\":{\"length\":3,\"hashes\":{\"sha256\":\"00\"},\"custom\":5}}"), WARD_EINVAL },
	{ "delegation", TUF_TARGETS,
	  TARGETS(DELEG("{\"name\":\"a\",\"keyids\":[],\"threshold\":1,\"terminating\":false,\"paths\":[\"x/*\"]}")), 0 },
	{ "delegation with both paths and prefixes", TUF_TARGETS,
	  TARGETS(DELEG("{\"name\":\"a\",\"keyids\":[],\"threshold\":1,\"terminating\":false,"
			"\"paths\":[\"x/*\"],\"path_hash_prefixes\":[\"ab\"]}")), WARD_EINVAL },
	{ "delegation without terminating", TUF_TARGETS,
	  TARGETS(DELEG("{\"name\":\"a\",\"keyids\":[],\"threshold\":1,\"paths\":[]}")), WARD_EINVAL },
	{ "delegated twice", TUF_TARGETS,
	  TARGETS(DELEG("{\"name\":\"a\",\"keyids\":[],\"threshold\":1,\"terminating\":false,\"paths\":[]},"
			"{\"name\":\"a\",\"keyids\":[],\"threshold\":1,\"terminating\":false,\"paths\":[]}")),
	  WARD_EINVAL },
	{ "delegation to dot-dot", TUF_TARGETS,
	  TARGETS(DELEG("{\"name\":\"..\",\"keyids\":[],\"threshold\":1,\"terminating\":false,\"paths\":[]}")),
	  WARD_EINVAL },
	{ "delegation to a top-level name", TUF_TARGETS,
	  TARGETS(DELEG("{\"name\":\"root\",\"keyids\":[],\"threshold\":1,\"terminating\":false,\"paths\":[]}")),
	  WARD_EINVAL },
	{ "succinct roles", TUF_TARGETS,
	  TARGETS("\"targets\":{},\"delegations\":{\"keys\":{},\"succinct_roles\":{\"keyids\":[],"
		  "\"threshold\":1,\"bit_length\":8,\"name_prefix\":\"bin\"}}"), 0 },
	{ "succinct bit_length 33", TUF_TARGETS,
	  TARGETS("\"targets\":{},\"delegations\":{\"keys\":{},\"succinct_roles\":{\"keyids\":[],"
		  "\"threshold\":1,\"bit_length\":33,\"name_prefix\":\"bin\"}}"), WARD_EINVAL },
};

static void metadata_is_parsed_strictly(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tuf_meta *m = NULL;
		ward_error e = { 0 };
		int rc = tuf_meta_parse_copy(&m, (const uint8_t *)cases[i].json, strlen(cases[i].json),
					1 << 20, cases[i].type, cases[i].name, &e);
		if (rc != cases[i].rc)
			fail_msg("%s: rc %d (%s), want %d", cases[i].name, rc, e.msg, cases[i].rc);
		if (rc == 0 && m->msglen == 0)
			fail_msg("%s: no canonical bytes", cases[i].name);
		tuf_meta_free(m);
	}
}

static void unknown_fields_stay_in_the_signed_bytes(void **state)
{
	(void)state;
	const char *in = ROOT_SIGNED(",\"x-tuf-on-ci-expiry-period\":\"91\"");
	tuf_meta *m = NULL;
	assert_int_equal(tuf_meta_parse_copy(&m, (const uint8_t *)in, strlen(in), 1 << 20, TUF_ROOT, "r", NULL), 0);
	assert_non_null(memmem(m->msg, m->msglen, "\"x-tuf-on-ci-expiry-period\":\"91\"", 32));
	tuf_meta_free(m);
}

static void role_size_limit_is_enforced(void **state)
{
	(void)state;
	const char *in = ROOT_SIGNED("");
	tuf_meta *m = NULL;
	assert_int_equal(tuf_meta_parse_copy(&m, (const uint8_t *)in, strlen(in), strlen(in) - 1, TUF_ROOT, "r", NULL),
			 WARD_ELIMIT);
}

/* TUF 5.7.3: which role is trusted for which path */
static void delegation_paths_match_like_other_clients(void **state)
{
	(void)state;
	static const struct {
		const char *pattern, *path;
		bool match;
	} t[] = {
		{ "targets/*.tgz", "targets/foo.tgz", true },
		{ "targets/*.tgz", "targets/sub/foo.tgz", false }, /* '*' stops at '/' */
		{ "targets/*", "targets/a", true },
		{ "*", "a/b", false },
		{ "*/*", "a/b", true },
		{ "foo-version-?.tgz", "foo-version-2.tgz", true },
		{ "foo-version-?.tgz", "foo-version-10.tgz", false },
		{ "apps/*", "firmware/x.img", false },
		{ "file[12].txt", "file2.txt", true },
		{ "exact/path.bin", "exact/path.bin", true },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *paths[] = { t[i].pattern };
		tuf_role r = { .name = "r", .paths = paths, .npaths = 1 };
		if (tuf_role_matches(&r, t[i].path) != t[i].match)
			fail_msg("%s vs %s: want %d", t[i].pattern, t[i].path, t[i].match);
	}
}

static void hash_prefixes_match_the_sha256_of_the_path(void **state)
{
	(void)state;
	/* sha256("file1.txt") = 55ae75d9... */
	const char *yes[] = { "55", "ff" }, *no[] = { "56", "aa" };
	tuf_role r = { .name = "r", .prefixes = yes, .nprefixes = 2 };
	assert_true(tuf_role_matches(&r, "file1.txt"));
	r.prefixes = no;
	assert_false(tuf_role_matches(&r, "file1.txt"));
}

static void succinct_bins_name_the_role_from_the_hash(void **state)
{
	(void)state;
	tuf_succinct s = { .present = true, .bit_length = 8, .name_prefix = "bin" };
	char name[64];
	assert_int_equal(tuf_succinct_role_for(&s, "file1.txt", name, sizeof(name)), 0);
	assert_string_equal(name, "bin-55");
	s.bit_length = 3; /* first 3 bits of 0x55 = 010 -> 2, one hex digit */
	assert_int_equal(tuf_succinct_role_for(&s, "file1.txt", name, sizeof(name)), 0);
	assert_string_equal(name, "bin-2");
	s.bit_length = 16; /* 0x55ae */
	assert_int_equal(tuf_succinct_role_for(&s, "file1.txt", name, sizeof(name)), 0);
	assert_string_equal(name, "bin-55ae");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metadata_is_parsed_strictly),
		cmocka_unit_test(unknown_fields_stay_in_the_signed_bytes),
		cmocka_unit_test(role_size_limit_is_enforced),
		cmocka_unit_test(delegation_paths_match_like_other_clients),
		cmocka_unit_test(hash_prefixes_match_the_sha256_of_the_path),
		cmocka_unit_test(succinct_bins_name_the_role_from_the_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
