/*
 * compose_fuzz.c - fuzzes the container checks (src/audit/core/compose.c):
 * the input as a docker compose file (libyaml: the event pre-pass with its
 * depth, alias and event limits, then the loaded document; CTR-01..10) and
 * as a Docker daemon.json (jansson; CTR-11, SVC-03).  JSON is YAML, so one
 * corpus serves both.
 *
 * Properties: those of audit_fuzz.h.
 */
#include "audit_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	audit_ctx *a = afz_ctx();
	if (!a)
		return 0;
	ward_error err = { 0, "" };
	int rc = audit_check_compose(a, "/srv/app/docker-compose.yml", data, size, &err);
	afz_check_rc(rc, &err);
	rc = audit_check_daemon_json(a, "/etc/docker/daemon.json", data, size, &err);
	afz_check_rc(rc, &err);
	afz_check_report(a);
	audit_ctx_free(a);
	return 0;
}
