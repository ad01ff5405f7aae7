/*
 * ward - the command line.  Thin: parse arguments, call libward, print.
 * Every trust decision is made in the library.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} groups[] = {
	{ "client", cmd_client, "update a device from a TUF repository" },
	{ "repo", cmd_repo, "publish signed releases with multi-person approval" },
	{ "key", cmd_key, "generate, back up and restore signing keys" },
	{ "audit", cmd_audit, "find security mistakes in a firmware before it ships" },
};

int cli_fail(const ward_error *e)
{
	fprintf(stderr, "ward: %s\n", e->msg[0] ? e->msg : ward_strerror(e->code));
	return exit_code(e->code);
}

static int usage(FILE *f, int status)
{
	fputs("usage: ward COMMAND ...\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		fprintf(f, "  %-8s %s\n", groups[i].name, groups[i].help);
	fputs("\n`ward COMMAND --help` describes each.\n\n" EXIT_STATUS_HELP, f);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout, 0);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		puts("ward " WARD_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(argv[1], groups[i].name) == 0)
			return groups[i].run(argc - 1, argv + 1);
	fprintf(stderr, "ward: unknown command \"%s\"\n", argv[1]);
	return usage(stderr, EXIT_USAGE);
}
