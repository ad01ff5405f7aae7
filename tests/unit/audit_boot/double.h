/* double.h - the test double of the core's audit_report: it records every
 * finding so a test can ask which ids fired. */
#ifndef WARD_TEST_AUDIT_BOOT_DOUBLE_H
#define WARD_TEST_AUDIT_BOOT_DOUBLE_H

#include "audit/audit.h"

typedef struct finding {
	char id[16];
	audit_severity sev;
	char file[256];
	char location[128];
	char evidence[512];
} finding;

#define DOUBLE_MAX 256
extern finding double_findings[DOUBLE_MAX];
extern size_t double_count;

/* Forgets the findings and the boot checks' state across inputs. */
void double_reset(void);
/* How many findings with this id were recorded. */
size_t double_has(const char *id);
/* How many findings of any id at or above sev. */
size_t double_at_least(audit_severity sev);

#endif
