/*
 * test_compose.c - CTR-01..10 of compose files and CTR-11/SVC-03 of
 * daemon.json, each with a silent twin; hostile YAML (alias bombs, deep
 * nesting, malformed) refused with the exact code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static audit_ctx *compose(const char *yaml, int want)
{
	audit_ctx *a = NULL;
	assert_int_equal(audit_ctx_new(&a, NULL), 0);
	ward_error err = { 0 };
	assert_int_equal(audit_check_compose(a, "c.yml", (const uint8_t *)yaml, strlen(yaml), &err), want);
	return a;
}

static const struct {
	const char *id, *fire, *silent;
} CASES[] = {
	{ "CTR-01", "    privileged: true\n", "    privileged: false\n" },
	{ "CTR-02", "    volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]\n",
	  "    volumes: [\"data:/data\"]\n" },
	{ "CTR-03", "    network_mode: host\n", "    network_mode: bridge\n" },
	{ "CTR-03", "    pid: host\n", "    pid: \"service:db\"\n" },
	{ "CTR-04", "    cap_add: [SYS_ADMIN]\n", "    cap_add: [NET_BIND_SERVICE]\n" },
	{ "CTR-04", "    cap_add: [CAP_SYS_MODULE]\n", "    cap_drop: [ALL]\n" },
	{ "CTR-05", "    devices: [\"/dev/mem:/dev/mem\"]\n", "    devices: [\"/dev/ttyACM0:/dev/ttyACM0\"]\n" },
	{ "CTR-06", "    security_opt: [\"no-new-privileges:true\", \"seccomp:unconfined\"]\n", "" },
	{ "CTR-07", "    volumes:\n      - type: bind\n        source: /etc\n        target: /h\n",
	  "    volumes:\n      - type: bind\n        source: /etc\n        target: /h\n        read_only: true\n" },
	{ "CTR-07", "    volumes: [\"/:/host\"]\n", "    volumes: [\"/:/host:ro\"]\n" },
	{ "CTR-08", "    environment:\n      DB_PASSWORD: hunter2hunter2\n",
	  "    environment:\n      DB_PASSWORD_FILE: /run/secrets/db\n" },
	{ "CTR-08", "    environment: [\"API_TOKEN=abcdefgh\"]\n", "    environment: [\"API_TOKEN=${TOKEN}\"]\n" },
	{ "CTR-09", "    ports: [\"8080:80\"]\n", "    ports: [\"127.0.0.1:8080:80\"]\n" },
	{ "CTR-09", "    ports: [\"0.0.0.0:8080:80\"]\n", "    ports: [\"10.1.2.3:8080:80\"]\n" },
};

#define HARDENED "services:\n  app:\n    image: reg.example/app@sha256:00\n"
#define NNP "    security_opt: [\"no-new-privileges:true\"]\n"

static void each_compose_check_fires_and_its_twin_is_silent(void **state)
{
	(void)state;
	for (size_t i = 0; i < WARD_ARRAY_LEN(CASES); i++) {
		char y[1024];
		snprintf(y, sizeof(y), HARDENED "%s%s", CASES[i].fire, strstr(CASES[i].fire, "security_opt") ? "" : NNP);
		audit_ctx *a = compose(y, 0);
		if (count_id(a, CASES[i].id, NULL, NULL) == 0)
			fail_msg("case %zu (%s) did not fire", i, CASES[i].id);
		audit_ctx_free(a);
		snprintf(y, sizeof(y), HARDENED "%s" NNP, CASES[i].silent);
		a = compose(y, 0);
		if (a->n != 0)
			fail_msg("case %zu (%s) twin: %s %s", i, CASES[i].id, a->f[0].id, a->f[0].evidence);
		audit_ctx_free(a);
	}
}

static void mutable_image_tag_and_missing_no_new_privileges_are_low(void **state)
{
	(void)state;
	audit_ctx *a = compose("services:\n  app:\n    image: app:latest\n  b:\n    image: registry:5000/b\n", 0);
	assert_int_equal(count_id(a, "CTR-10", NULL, NULL), 2);
	assert_int_equal(count_id(a, "CTR-06", NULL, "no-new-privileges"), 2);
	for (size_t i = 0; i < a->n; i++)
		assert_int_equal(a->f[i].sev, AUDIT_LOW);
	audit_ctx_free(a);
}

static void alias_bomb_is_refused(void **state)
{
	(void)state;
	char y[8192] = "a: &a [x, x, x, x, x, x, x, x, x]\n";
	size_t o = strlen(y);
	for (int i = 0; i < 70; i++)
		o += (size_t)snprintf(y + o, sizeof(y) - o, "b%d: &b%d [*a, *a]\n", i, i);
	audit_ctx *a = compose(y, WARD_ELIMIT);
	audit_ctx_free(a);
}

static void deep_nesting_is_refused(void **state)
{
	(void)state;
	char y[512];
	memset(y, '[', 200);
	y[200] = '\0';
	audit_ctx *a = compose(y, WARD_ELIMIT);
	audit_ctx_free(a);
}

static void malformed_yaml_is_invalid(void **state)
{
	(void)state;
	audit_ctx *a = compose("services:\n  app: [unclosed\n", WARD_EINVAL);
	audit_ctx_free(a);
	/* valid YAML of the wrong shape: nothing to report, no error */
	a = compose("- just\n- a list\n", 0);
	assert_int_equal(a->n, 0);
	audit_ctx_free(a);
	a = compose("services: 7\n", 0);
	assert_int_equal(a->n, 0);
	audit_ctx_free(a);
}

static audit_ctx *daemon(const char *json, int want)
{
	audit_ctx *a = NULL;
	assert_int_equal(audit_ctx_new(&a, NULL), 0);
	assert_int_equal(audit_check_daemon_json(a, "daemon.json", (const uint8_t *)json, strlen(json), NULL), want);
	return a;
}

static void daemon_json_fires_and_hardened_is_silent(void **state)
{
	(void)state;
	audit_ctx *a = daemon("{\"insecure-registries\":[\"r:5000\"],\"hosts\":[\"tcp://0.0.0.0:2375\"]}", 0);
	assert_int_equal(count_id(a, "CTR-11", NULL, "without TLS"), 1);
	assert_int_equal(count_id(a, "CTR-11", NULL, "remapping"), 1);
	assert_int_equal(count_id(a, "CTR-11", NULL, "inter-container"), 1);
	assert_int_equal(count_id(a, "SVC-03", NULL, NULL), 1);
	audit_ctx_free(a);
	a = daemon("{\"userns-remap\":\"default\",\"icc\":false,\"tlsverify\":true,"
		   "\"hosts\":[\"unix:///run/docker.sock\",\"tcp://0.0.0.0:2376\"]}", 0);
	assert_int_equal(a->n, 0);
	audit_ctx_free(a);
	a = daemon("{\"a\":1,\"a\":2}", WARD_EINVAL);
	audit_ctx_free(a);
	a = daemon("[]", WARD_EINVAL);
	audit_ctx_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_compose_check_fires_and_its_twin_is_silent),
		cmocka_unit_test(mutable_image_tag_and_missing_no_new_privileges_are_low),
		cmocka_unit_test(alias_bomb_is_refused),
		cmocka_unit_test(deep_nesting_is_refused),
		cmocka_unit_test(malformed_yaml_is_invalid),
		cmocka_unit_test(daemon_json_fires_and_hardened_is_silent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
