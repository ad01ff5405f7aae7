/* cmd_audit.c - `ward audit`: the production-readiness audit of a firmware. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "ward/audit.h"

/* Findings at or above --fail-on: the CI gate's status. */
enum { EXIT_AUDIT_FAILED = 1 };

static const char usage[] =
	"usage: ward audit [--format human|json|sarif] [--fail-on SEVERITY] [--waivers FILE]\n"
	"                  [--deny-keys FILE] [--time @SECONDS] INPUT...\n"
	"\n"
	"Audits a firmware before it ships.  Each INPUT is detected by content: a\n"
	"directory, tar archive, ext2/3/4 or squashfs image is a root filesystem\n"
	"(images are read in place, never mounted); U-Boot and kernel .config,\n"
	"U-Boot binaries, environments, DTB/FIT, compose files, daemon.json and key\n"
	"files, OP-TEE TAs and tee.bin, TF-A FIPs, i.MX boot images and kernel\n"
	"images (vmlinuz, Image.gz, bzImage, uImage: decompressed) are checked on\n"
	"their own.  All inputs of a run are one product.  docs/AUDIT.md lists the\n"
	"inputs, the finding ids and the key denylist.\n"
	"\n"
	"options:\n"
	"  -f, --format FMT     human (default), json, or sarif (SARIF 2.1.0)\n"
	"  -F, --fail-on SEV    exit 1 if a finding not waived is at or above SEV:\n"
	"                       info, low, medium, high, critical\n"
	"  -w, --waivers FILE   accepted findings: JSON {\"waivers\":[{\"id\",\"path\",\n"
	"                       \"reason\",\"expires\":\"YYYY-MM-DD\"}]} or text lines\n"
	"                       \"ID PATH YYYY-MM-DD REASON\" (PATH * for any); after\n"
	"                       its date a waiver no longer applies and is reported\n"
	"  -d, --deny-keys FILE your own keys that must never sign the product\n"
	"                       (development or leaked keys): PEM public keys,\n"
	"                       certificates or private keys (only the public half\n"
	"                       is used); they count like the built-in published\n"
	"                       demo keys in every key check\n"
	"  -t, --time @SECONDS  reference time for waiver expiry (tests)\n"
	"\n"
	"exit status: 0 no finding at or above --fail-on, 1 findings at or above it,\n"
	"  2 usage, 14 input not found, 15 I/O, 17 out of memory, 18 invalid input,\n"
	"  13 a limit was hit\n";

struct progress {
	time_t last;
	bool shown;
};

/* One line on stderr, rewritten at most once a second: only on a terminal. */
static void show_progress(void *ctx, const char *what)
{
	struct progress *p = ctx;
	time_t now = time(NULL);
	if (now == p->last)
		return;
	p->last = now;
	p->shown = true;
	fprintf(stderr, "\r\033[Kward audit: %.70s", what);
	fflush(stderr);
}

int cmd_audit(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "waivers", required_argument, NULL, 'w' },
		{ "deny-keys", required_argument, NULL, 'd' },
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	ward_audit_opts o = WARD_AUDIT_OPTS_INIT;
	int c;
	while ((c = getopt_long(argc, argv, "f:F:w:d:t:h", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "human") == 0)
				o.format = WARD_AUDIT_HUMAN;
			else if (strcmp(optarg, "json") == 0)
				o.format = WARD_AUDIT_JSON;
			else if (strcmp(optarg, "sarif") == 0)
				o.format = WARD_AUDIT_SARIF;
			else
				goto bad;
			break;
		case 'F':
			o.fail_on = ward_audit_severity_parse(optarg);
			if (o.fail_on < 0)
				goto bad;
			break;
		case 'w': o.waivers = optarg; break;
		case 'd': o.deny_keys = optarg; break;
		case 't': {
			char *end;
			errno = 0;
			long long v = optarg[0] == '@' ? strtoll(optarg + 1, &end, 10) : 0;
			if (optarg[0] != '@' || *end || errno || v <= 0)
				goto bad;
			o.now = v;
			break;
		}
		case 'h': fputs(usage, stdout); return 0;
		default: goto bad;
		}
	}
	if (optind >= argc)
		goto bad;
	struct progress p = { 0, false };
	if (isatty(STDERR_FILENO)) {
		o.progress = show_progress;
		o.progress_ctx = &p;
	}
	char *report = NULL;
	size_t len = 0;
	int failed = 0;
	ward_error e = { 0 };
	int rc = ward_audit_run(&report, &len, &failed, (const char *const *)(argv + optind),
				(size_t)(argc - optind), &o, &e);
	if (p.shown)
		fputs("\r\033[K", stderr);
	if (rc)
		return cli_fail(&e);
	fwrite(report, 1, len, stdout);
	free(report);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "ward: writing the report: %s\n", strerror(errno));
		return exit_code(WARD_EIO);
	}
	return failed ? EXIT_AUDIT_FAILED : 0;
bad:
	fputs(usage, stderr);
	return EXIT_USAGE;
}
