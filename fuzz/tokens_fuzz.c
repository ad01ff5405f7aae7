/*
 * tokens_fuzz.c - fuzzes the secret detector (src/audit/core/tokens.c,
 * SEC-02): audit_scan_tokens on the input as a configuration file (token
 * prefixes, then `key = value` assignments line by line), and
 * audit_is_secret_assignment on its first line split at the first '='.
 *
 * Properties (abort = a bug in ward), besides those of audit_fuzz.h:
 *  - each finding's location is "line N" with N a line of the input;
 *  - at most one finding per token pattern, and one per line for
 *    assignments.
 */
#include "audit_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	audit_ctx *a = afz_ctx();
	if (!a)
		return 0;
	audit_scan_tokens(a, "SEC-02", "/etc/app/app.conf", data, size);
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (a->n > lines + 13)
		abort();
	for (size_t i = 0; i < a->n; i++) {
		const char *loc = a->f[i].location;
		char *end;
		if (!loc || strncmp(loc, "line ", 5) != 0)
			abort();
		unsigned long n = strtoul(loc + 5, &end, 10);
		if (*end || n < 1 || n > lines)
			abort();
	}
	afz_check_report(a);
	audit_ctx_free(a);

	/* the first line as key=value, NUL-terminated */
	const uint8_t *nl = memchr(data, '\n', size);
	size_t l = nl ? (size_t)(nl - data) : size;
	char *line = strndup((const char *)data, l);
	if (line) {
		char *eq = strchr(line, '=');
		if (eq) {
			*eq = '\0';
			(void)audit_is_secret_assignment(line, eq + 1);
		}
		free(line);
	}
	return 0;
}
