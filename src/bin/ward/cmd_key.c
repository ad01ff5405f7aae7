/* cmd_key.c - `ward key`: generate, public, backup, restore. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ward/key.h"

static const char usage[] =
	"usage: ward key generate [--scheme SCHEME] [--passphrase-fd N] OUT.key\n"
	"       ward key public [--passphrase-fd N] KEY\n"
	"       ward key backup --shares N --threshold K [--passphrase-fd N] KEY OUT_DIR\n"
	"       ward key restore [--passphrase-fd N] OUT.key SHARE...\n"
	"\n"
	"generate  makes a key, writes it encrypted to OUT.key and its TUF public key\n"
	"          to OUT.pub, prints its keyid\n"
	"public    prints {\"KEYID\": PUBLIC_KEY} as in root.json's \"keys\"\n"
	"backup    splits KEY into N shares OUT_DIR/NAME.share-I-of-N, any K of which\n"
	"          restore it; give each share to a different person or medium\n"
	"restore   rebuilds a key from K or more shares, encrypted with a new passphrase\n"
	"\n"
	"Private keys are encrypted PKCS#8 (scrypt, AES-256-CBC); `openssl pkey`\n"
	"reads them.  The passphrase is asked on the terminal without echo (twice\n"
	"for a new one), or read as one line from descriptor N.\n"
	"\n"
	"options:\n"
	"  -s, --scheme SCHEME      ed25519 (default), ecdsa-sha2-nistp256,\n"
	"                           ecdsa-sha2-nistp384, rsassa-pss-sha256\n"
	"  -p, --passphrase-fd N    read the passphrase from file descriptor N\n"
	"  -n, --shares N           number of shares (2..255)\n"
	"  -k, --threshold K        shares needed to restore (2..N)\n"
	"  -q, --quiet              print only the keyid\n"
	"\n" EXIT_STATUS_HELP;

struct args {
	const char *scheme;
	ward_passphrase_opts pp;
	unsigned shares, threshold;
	bool quiet;
};

static int usage_error(void)
{
	fputs(usage, stderr);
	return EXIT_USAGE;
}

/* A decimal in [lo, hi]. */
static bool parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *s == '-' || *end || errno || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* OUT.key -> OUT.pub; any other name gets ".pub" appended. */
static char *pub_path_for(const char *key_path)
{
	size_t len = strlen(key_path);
	if (len > 4 && strcmp(key_path + len - 4, ".key") == 0)
		len -= 4;
	char *p = malloc(len + 5);
	if (p) {
		memcpy(p, key_path, len);
		memcpy(p + len, ".pub", 5);
	}
	return p;
}

static int cmd_generate(struct args *a, int argc, char **argv)
{
	if (argc != 1)
		return usage_error();
	char *pub = pub_path_for(argv[0]);
	if (!pub) {
		ward_error e = { WARD_ENOMEM, "out of memory" };
		return cli_fail(&e);
	}
	ward_error e = { 0 };
	char keyid[WARD_KEYID_SIZE];
	int rc = ward_key_generate(keyid, argv[0], pub, a->scheme, &a->pp, &e);
	if (!rc) {
		puts(keyid);
		if (!a->quiet)
			fprintf(stderr, "ward: wrote %s (encrypted private key) and %s (public key)\n",
				argv[0], pub);
	}
	free(pub);
	return rc ? cli_fail(&e) : 0;
}

static int cmd_public(struct args *a, int argc, char **argv)
{
	if (argc != 1)
		return usage_error();
	ward_error e = { 0 };
	char keyid[WARD_KEYID_SIZE];
	char *json = NULL;
	if (ward_key_public(&json, keyid, argv[0], &a->pp, &e) != 0)
		return cli_fail(&e);
	if (a->quiet)
		puts(keyid);
	else
		printf("{\"%s\": %s}\n", keyid, json);
	free(json);
	return 0;
}

static int cmd_backup(struct args *a, int argc, char **argv)
{
	if (argc != 2 || !a->shares || !a->threshold)
		return usage_error();
	ward_error e = { 0 };
	char keyid[WARD_KEYID_SIZE];
	if (ward_key_backup(keyid, argv[0], argv[1], a->threshold, a->shares, &a->pp, &e) != 0)
		return cli_fail(&e);
	if (a->quiet)
		puts(keyid);
	else
		printf("key %s: %u shares in %s, any %u of which restore it\n", keyid, a->shares,
		       argv[1], a->threshold);
	return 0;
}

static int cmd_restore(struct args *a, int argc, char **argv)
{
	if (argc < 2)
		return usage_error();
	ward_error e = { 0 };
	char keyid[WARD_KEYID_SIZE];
	if (ward_key_restore(keyid, argv[0], (const char *const *)(argv + 1), (size_t)(argc - 1),
			     &a->pp, &e) != 0)
		return cli_fail(&e);
	if (a->quiet)
		puts(keyid);
	else
		printf("key %s restored to %s\n", keyid, argv[0]);
	return 0;
}

int cmd_key(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scheme", required_argument, NULL, 's' },
		{ "passphrase-fd", required_argument, NULL, 'p' },
		{ "shares", required_argument, NULL, 'n' },
		{ "threshold", required_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct args a = { .pp = WARD_PASSPHRASE_OPTS_INIT };
	unsigned long v;
	int c;
	while ((c = getopt_long(argc, argv, "s:p:n:k:qh", opts, NULL)) != -1) {
		switch (c) {
		case 's': a.scheme = optarg; break;
		case 'p':
			if (!parse_uint(optarg, 0, INT_MAX, &v)) {
				fprintf(stderr, "ward: --passphrase-fd %s: not a descriptor\n", optarg);
				return EXIT_USAGE;
			}
			a.pp.fd = (int)v;
			break;
		case 'n':
		case 'k':
			if (!parse_uint(optarg, 2, 255, &v)) {
				fprintf(stderr, "ward: --%s %s: not a number from 2 to 255\n",
					c == 'n' ? "shares" : "threshold", optarg);
				return EXIT_USAGE;
			}
			*(c == 'n' ? &a.shares : &a.threshold) = (unsigned)v;
			break;
		case 'q': a.quiet = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return usage_error();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc >= 1) {
		if (strcmp(argv[0], "generate") == 0)
			return cmd_generate(&a, argc - 1, argv + 1);
		if (strcmp(argv[0], "public") == 0)
			return cmd_public(&a, argc - 1, argv + 1);
		if (strcmp(argv[0], "backup") == 0)
			return cmd_backup(&a, argc - 1, argv + 1);
		if (strcmp(argv[0], "restore") == 0)
			return cmd_restore(&a, argc - 1, argv + 1);
	}
	return usage_error();
}
