/*
 * extlinux.c - extlinux.conf, the menu U-Boot's distro boot (sysboot)
 * reads: the kernel command line of every entry (HW-05).  Syslinux syntax:
 * one keyword and its argument per line, keywords case-insensitive; the
 * command line is APPEND (or its alias "append").
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit/boot/boot_int.h"

/* A line longer than this is not a boot menu line (the kernel's own
 * COMMAND_LINE_SIZE is 2048 on arm64, 4096 at most). */
enum { EXTLINUX_LINE_MAX = 4096 };

int boot_extlinux(audit_ctx *a, const char *file, const uint8_t *data, size_t len, ward_error *err)
{
	(void)err;
	size_t lineno = 0;
	char label[64] = "";
	for (size_t pos = 0; pos < len;) {
		const uint8_t *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		const char *p = (const char *)data + pos;
		size_t n = end - pos;
		pos = end + 1;
		lineno++;
		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (!n || *p == '#' || n > EXTLINUX_LINE_MAX)
			continue;
		size_t kw = 0;
		while (kw < n && !isspace((unsigned char)p[kw]))
			kw++;
		size_t arg = kw;
		while (arg < n && isspace((unsigned char)p[arg]))
			arg++;
		if (kw == 5 && strncasecmp(p, "label", 5) == 0) {
			snprintf(label, sizeof(label), "%.*s", (int)(n - arg < 63 ? n - arg : 63), p + arg);
		} else if (kw == 6 && strncasecmp(p, "append", 6) == 0) {
			char loc[96];
			int r = snprintf(loc, sizeof(loc), "line %zu%s%s", lineno, label[0] ? ", label " : "",
					 label);
			if (r < 0 || (size_t)r >= sizeof(loc))
				snprintf(loc, sizeof(loc), "line %zu", lineno);
			/* " opt" patterns match at the start too */
			char cmd[EXTLINUX_LINE_MAX + 2];
			cmd[0] = ' ';
			memcpy(cmd + 1, p + arg, n - arg);
			boot_cmdline_check(a, file, loc, cmd, n - arg + 1);
		}
	}
	return 0;
}
