/* cmd_client.c - `ward client`: init, refresh, download. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tuf/time.h"

static const char usage[] =
	"usage: ward client init -d DIR ROOT_FILE\n"
	"       ward client refresh -d DIR METADATA_URL\n"
	"       ward client download -d DIR -m METADATA_URL TARGET TARGETS_URL OUT_DIR\n"
	"\n"
	"options:\n"
	"  -d, --metadata-dir DIR   trusted metadata store (holds root.json)\n"
	"  -m, --metadata-url URL   repository metadata base URL (download)\n"
	"  -t, --time TIME          reference time, RFC 3339 or @SECONDS (tests)\n"
	"      --ca-file FILE       CA bundle for https\n"
	"      --cert FILE          client certificate for mutual TLS\n"
	"      --key FILE           client private key for mutual TLS\n"
	"  -q, --quiet              print nothing on success\n"
	"\n" EXIT_STATUS_HELP;

struct args {
	const char *dir, *metadata_url, *ca_file, *cert, *key;
	int64_t time;
	bool quiet;
};

static int parse_time(const char *s, int64_t *out)
{
	if (s[0] == '@') {
		char *end;
		long long v = strtoll(s + 1, &end, 10);
		if (!*(s + 1) || *end || v <= 0)
			return -1;
		*out = v;
		return 0;
	}
	return tuf_time_parse(out, s) == 0 ? 0 : -1;
}

static int cmd_init(struct args *a, int argc, char **argv)
{
	if (argc != 1 || !a->dir) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	ward_error e = { 0 };
	if (ward_client_init(a->dir, argv[0], &e) != 0)
		return cli_fail(&e);
	if (!a->quiet)
		printf("trusted root installed in %s/root.json\n", a->dir);
	return 0;
}

static int make_updater(ward_updater **u, struct args *a, const char *metadata_url,
			const char *targets_url, ward_error *e)
{
	ward_updater_opts o = WARD_UPDATER_OPTS_INIT;
	o.metadata_dir = a->dir;
	o.metadata_url = metadata_url;
	o.targets_url = targets_url;
	o.reference_time = a->time;
	o.ca_file = a->ca_file;
	o.client_cert = a->cert;
	o.client_key = a->key;
	int rc = ward_updater_new(u, &o, e);
	if (!rc)
		rc = ward_updater_refresh(*u, e);
	return rc;
}

static void print_versions(const ward_updater *u)
{
	printf("trusted: root v%lld, timestamp v%lld, snapshot v%lld, targets v%lld\n",
	       ward_updater_version(u, "root"), ward_updater_version(u, "timestamp"),
	       ward_updater_version(u, "snapshot"), ward_updater_version(u, "targets"));
}

static int cmd_refresh(struct args *a, int argc, char **argv)
{
	if (argc != 1 || !a->dir) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	ward_error e = { 0 };
	ward_updater *u = NULL;
	int rc = make_updater(&u, a, argv[0], NULL, &e);
	if (!rc && !a->quiet)
		print_versions(u);
	ward_updater_free(u);
	return rc ? cli_fail(&e) : 0;
}

static int cmd_download(struct args *a, int argc, char **argv)
{
	if (argc != 3 || !a->dir || !a->metadata_url) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	ward_error e = { 0 };
	ward_updater *u = NULL;
	int fetched = 0;
	int rc = make_updater(&u, a, a->metadata_url, argv[1], &e);
	if (!rc)
		rc = ward_updater_download(u, argv[0], argv[2], &fetched, &e);
	if (!rc && !a->quiet)
		printf("%s: %s %s/%s\n", argv[0], fetched ? "downloaded and verified" : "already up to date in",
		       argv[2], argv[0]);
	ward_updater_free(u);
	return rc ? cli_fail(&e) : 0;
}

int cmd_client(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "metadata-dir", required_argument, NULL, 'd' },
		{ "metadata-url", required_argument, NULL, 'm' },
		{ "time", required_argument, NULL, 't' },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct args a = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, "d:m:t:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a.dir = optarg; break;
		case 'm': a.metadata_url = optarg; break;
		case 't':
			if (parse_time(optarg, &a.time) != 0) {
				fprintf(stderr, "ward: --time %s: not RFC 3339 or @SECONDS\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'C': a.ca_file = optarg; break;
		case 'c': a.cert = optarg; break;
		case 'k': a.key = optarg; break;
		case 'q': a.quiet = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc >= 1) {
		if (strcmp(argv[0], "init") == 0)
			return cmd_init(&a, argc - 1, argv + 1);
		if (strcmp(argv[0], "refresh") == 0)
			return cmd_refresh(&a, argc - 1, argv + 1);
		if (strcmp(argv[0], "download") == 0)
			return cmd_download(&a, argc - 1, argv + 1);
	}
	fputs(usage, stderr);
	return EXIT_USAGE;
}
