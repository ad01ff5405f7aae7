/* cmd_repo.c - `ward repo`: the release side. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "keyref.h"
#include "keys/passphrase.h"
#include "util/fs.h"
#include "ward/key.h"
#include "repo/repo.h"
#include "tuf/time.h"

static const char usage[] =
	"usage: ward repo init DIR --root-key PUB... --root-threshold N\n"
	"                 --targets-key PUB... --targets-threshold N\n"
	"                 --timestamp-key KEY --snapshot-key KEY [--expiry ROLE=DAYS]...\n"
	"       ward repo init DIR --quick-start    (one development key for everything)\n"
	"       ward repo add-target DIR NAME FILE [--custom JSON] [--role ROLE]\n"
	"       ward repo add-targets DIR SOURCE_DIR [--prefix PATH] [--role ROLE]\n"
	"       ward repo remove-target DIR NAME [--role ROLE]\n"
	"       ward repo delegate DIR ROLE --key PUB... --threshold N --path PATTERN...\n"
	"                 [--from ROLE] [--terminating]\n"
	"       ward repo delegate-bins DIR --bits 8 --key PUB... --threshold N [--prefix NAME]\n"
	"       ward repo rotate DIR ROLE [--add-key PUB]... [--remove-key KEYID]... [--threshold N]\n"
	"       ward repo rotate DIR timestamp|snapshot --online-key KEY\n"
	"       ward repo sign CHANGE_FILE --key KEY\n"
	"       ward repo merge CHANGE_FILE OTHER_COPY...\n"
	"       ward repo publish DIR\n"
	"       ward repo refresh DIR [--force]\n"
	"       ward repo status DIR [--json]\n"
	"\n"
	"PUB is a public key file (`ward key generate` writes NAME.pub); KEY is a\n"
	"private key file or a pkcs11: URI.  Root and targets keys are offline:\n"
	"only their public halves are given to the repository.  Changes are staged\n"
	"in DIR/staged/change.json, a file each approver signs with `ward repo sign`\n"
	"on their own machine; `publish` refuses until every changed role meets\n"
	"its threshold.\n"
	"\n"
	"options:\n"
	"      --passphrase-fd N    read key passphrases from file descriptor N\n"
	"      --wait SECONDS       how long a command that changes the repository\n"
	"                           waits for another one to finish (default 60)\n"
	"  -t, --time TIME          reference time, RFC 3339 or @SECONDS (tests)\n"
	"\n" EXIT_STATUS_HELP;

#define MAXLIST 64

struct opts {
	const char *root_keys[MAXLIST], *targets_keys[MAXLIST], *keys[MAXLIST], *paths[MAXLIST];
	const char *remove[MAXLIST];
	size_t nroot, ntargets, nkeys, npaths, nremove;
	unsigned root_thr, targets_thr, thr, bits, wait;
	const char *ts_key, *snap_key, *custom, *role, *from, *key, *online, *prefix;
	unsigned expiry[5];
	bool terminating, json, force, quick;
	int64_t now;
	struct keyref_ctx kctx;
};

static int push(const char **list, size_t *n, const char *v)
{
	if (*n == MAXLIST) {
		fprintf(stderr, "ward: too many values\n");
		return -1;
	}
	list[(*n)++] = v;
	return 0;
}

static int parse_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v == 0 || v > 100000)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_expiry(const char *s, unsigned expiry[5])
{
	static const char *const names[5] = { "root", "timestamp", "snapshot", "targets", "delegated" };
	const char *eq = strchr(s, '=');
	for (int i = 0; eq && i < 5; i++)
		if (strlen(names[i]) == (size_t)(eq - s) && strncmp(s, names[i], (size_t)(eq - s)) == 0)
			return parse_uint(eq + 1, &expiry[i]);
	return -1;
}

static int bad(const char *what)
{
	fprintf(stderr, "ward repo: %s\n%s", what, usage);
	return EXIT_USAGE;
}

static int finish(int rc, const ward_error *e, const ward_buf *report, bool report_on_error)
{
	if (report->len && (rc == 0 || report_on_error))
		fwrite(report->ptr, 1, report->len, rc ? stderr : stdout);
	return rc ? cli_fail(e) : 0;
}

/* A repository for trying ward out: one development key, encrypted in
 * DIR/keys/dev.key, for every role with threshold 1, published at once.
 * It is marked as a development key, so `ward repo status` keeps saying so
 * until the keys are rotated. */
static int quick_start(const char *dir, struct opts *o)
{
	ward_error e = { 0 };
	WARD_AUTO(buf_dispose) ward_buf report = WARD_BUF_INIT(1 << 20);
	WARD_AUTO(passphrase_dispose) passphrase pw = { 0 };
	ward_passphrase_opts pp = WARD_PASSPHRASE_OPTS_INIT;
	pp.fd = o->kctx.passphrase_fd;
	char keydir[4096], key[4200], pub[4200], keyid[WARD_KEYID_SIZE];
	snprintf(keydir, sizeof(keydir), "%s/keys", dir);
	snprintf(key, sizeof(key), "%s/dev.key", keydir);
	snprintf(pub, sizeof(pub), "%s/dev.pub", keydir);
	/* one passphrase, asked once, for the key's whole quick-start life */
	int rc = passphrase_get(&pw, &pp, key, true, &e);
	if (!rc)
		rc = fs_mkdirs(keydir, &e);
	ward_passphrase_opts use = WARD_PASSPHRASE_OPTS_INIT;
	use.passphrase = pw.buf;
	if (!rc)
		rc = ward_key_generate(keyid, key, pub, "ed25519", &use, &e);
	if (rc)
		return cli_fail(&e);
	o->kctx.passphrase = pw.buf;
	const char *pubs[] = { pub };
	const char *dev[] = { keyid };
	repo_init_opts io = { .dir = dir, .root_pubs = pubs, .nroot = 1, .root_threshold = 1,
			      .targets_pubs = pubs, .ntargets = 1, .targets_threshold = 1,
			      .timestamp_key = key, .snapshot_key = key, .dev_keyids = dev, .ndev = 1,
			      .now = o->now };
	memcpy(io.expiry_days, o->expiry, sizeof(o->expiry));
	crypto_signer *s = NULL;
	char change[4200];
	snprintf(change, sizeof(change), "%s/staged/change.json", dir);
	rc = repo_init(&io, keyref_load, &o->kctx, &e);
	int lock = -1; /* held until ward exits */
	if (!rc)
		rc = repo_lock(dir, o->wait, &lock, &e);
	if (!rc)
		rc = keyref_load(&s, key, &o->kctx, &e);
	if (!rc)
		rc = repo_sign(change, s, &report, &e);
	crypto_signer_free(s);
	if (!rc)
		rc = repo_publish(dir, keyref_load, &o->kctx, o->now, &report, &e);
	o->kctx.passphrase = NULL;
	if (rc)
		return finish(rc, &e, &report, true);
	printf("quick-start repository published in %s/published\n"
	       "development key %.16s (%s) signs every role: fine for trying ward out,\n"
	       "wrong for production.  `ward repo status %s` lists what to fix first.\n",
	       dir, keyid, key, dir);
	return 0;
}

/* The repository whose staged change `change` is (".../DIR/staged/change.json"
 * with DIR/ward-repo.json beside it), into out; false for a change file
 * anywhere else (one that travelled to an approver). */
static bool staged_change_repo(const char *change, char *out, size_t outlen)
{
	static const char tail[] = "/staged/change.json";
	size_t n = strlen(change), t = sizeof(tail) - 1;
	if (strcmp(change, tail + 1) == 0) { /* run inside the repository */
		snprintf(out, outlen, ".");
	} else {
		if (n < t || strcmp(change + n - t, tail) != 0 || n - t + sizeof("/ward-repo.json") > outlen)
			return false;
		memcpy(out, change, n - t);
		out[n - t] = '\0';
		if (out[0] == '\0')
			snprintf(out, outlen, "/");
	}
	char cfg[4200];
	snprintf(cfg, sizeof(cfg), "%s/ward-repo.json", out);
	return access(cfg, F_OK) == 0;
}

int cmd_repo(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "root-key", required_argument, NULL, 1 },
		{ "root-threshold", required_argument, NULL, 2 },
		{ "targets-key", required_argument, NULL, 3 },
		{ "targets-threshold", required_argument, NULL, 4 },
		{ "timestamp-key", required_argument, NULL, 5 },
		{ "snapshot-key", required_argument, NULL, 6 },
		{ "expiry", required_argument, NULL, 7 },
		{ "custom", required_argument, NULL, 8 },
		{ "role", required_argument, NULL, 9 },
		{ "key", required_argument, NULL, 10 },
		{ "threshold", required_argument, NULL, 11 },
		{ "path", required_argument, NULL, 12 },
		{ "from", required_argument, NULL, 13 },
		{ "terminating", no_argument, NULL, 14 },
		{ "add-key", required_argument, NULL, 15 },
		{ "remove-key", required_argument, NULL, 16 },
		{ "json", no_argument, NULL, 17 },
		{ "force", no_argument, NULL, 18 },
		{ "passphrase-fd", required_argument, NULL, 19 },
		{ "quick-start", no_argument, NULL, 20 },
		{ "online-key", required_argument, NULL, 21 },
		{ "prefix", required_argument, NULL, 22 },
		{ "bits", required_argument, NULL, 23 },
		{ "wait", required_argument, NULL, 24 },
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .kctx = { .passphrase_fd = -1 }, .wait = 60 };
	int c;
	unsigned fd = 0;
	while ((c = getopt_long(argc, argv, "t:h", lo, NULL)) != -1) {
		int r = 0;
		switch (c) {
		case 1: r = push(o.root_keys, &o.nroot, optarg); break;
		case 2: r = parse_uint(optarg, &o.root_thr); break;
		case 3: r = push(o.targets_keys, &o.ntargets, optarg); break;
		case 4: r = parse_uint(optarg, &o.targets_thr); break;
		case 5: o.ts_key = optarg; break;
		case 6: o.snap_key = optarg; break;
		case 7: r = parse_expiry(optarg, o.expiry); break;
		case 8: o.custom = optarg; break;
		case 9: o.role = optarg; break;
		case 10: o.key = optarg; r = push(o.keys, &o.nkeys, optarg); break;
		case 11: r = parse_uint(optarg, &o.thr); break;
		case 12: r = push(o.paths, &o.npaths, optarg); break;
		case 13: o.from = optarg; break;
		case 14: o.terminating = true; break;
		case 15: r = push(o.keys, &o.nkeys, optarg); break;
		case 16: r = push(o.remove, &o.nremove, optarg); break;
		case 17: o.json = true; break;
		case 18: o.force = true; break;
		case 19:
			r = strcmp(optarg, "0") == 0 ? (fd = 0, 0) : parse_uint(optarg, &fd);
			o.kctx.passphrase_fd = (int)fd;
			break;
		case 20: o.quick = true; break;
		case 21: o.online = optarg; break;
		case 22: o.prefix = optarg; break;
		case 23: r = parse_uint(optarg, &o.bits); break;
		case 24: r = strcmp(optarg, "0") == 0 ? (o.wait = 0, 0) : parse_uint(optarg, &o.wait); break;
		case 't':
			if (optarg[0] == '@')
				o.now = strtoll(optarg + 1, NULL, 10);
			else
				r = tuf_time_parse(&o.now, optarg) ? -1 : 0;
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: return bad("unknown option");
		}
		if (r)
			return bad("invalid option value");
	}
	if (!o.now)
		o.now = (int64_t)time(NULL);
	int n = argc - optind;
	char **a = argv + optind;
	if (n < 2)
		return bad("missing arguments");
	const char *sub = a[0], *dir = a[1];
	ward_error e = { 0 };
	WARD_AUTO(buf_dispose) ward_buf report = WARD_BUF_INIT(1 << 24);
	int rc;
	if (strcmp(sub, "init") == 0 && n == 2 && o.quick)
		return quick_start(dir, &o);
	if (strcmp(sub, "init") == 0 && n == 2) {
		repo_init_opts io = { .dir = dir, .root_pubs = o.root_keys, .nroot = o.nroot,
				      .root_threshold = o.root_thr, .targets_pubs = o.targets_keys,
				      .ntargets = o.ntargets, .targets_threshold = o.targets_thr,
				      .timestamp_key = o.ts_key, .snapshot_key = o.snap_key, .now = o.now };
		memcpy(io.expiry_days, o.expiry, sizeof(o.expiry));
		rc = repo_init(&io, keyref_load, &o.kctx, &e);
		if (!rc)
			printf("repository created in %s; root v1 and targets v1 are staged in %s/staged/change.json\n"
			       "sign it with the root and targets keys (`ward repo sign`), then `ward repo publish %s`\n",
			       dir, dir, dir);
		return finish(rc, &e, &report, false);
	}
	/* every command that changes the repository holds its lock until ward
	 * exits (a timer's refresh waits out a publish, --wait seconds) */
	static const char *const changes[] = { "add-target", "add-targets", "remove-target", "delegate",
					       "delegate-bins", "rotate", "publish", "refresh" };
	int lock = -1;
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]) && lock < 0; i++)
		if (strcmp(sub, changes[i]) == 0 && (rc = repo_lock(dir, o.wait, &lock, &e)) != 0)
			return finish(rc, &e, &report, false);
	/* sign and merge of a repository's own staged change (DIR/staged/
	 * change.json, where a publish may be reading it): the same lock */
	char repo_dir[4096];
	if ((strcmp(sub, "sign") == 0 || strcmp(sub, "merge") == 0) && staged_change_repo(dir, repo_dir, sizeof(repo_dir)) &&
	    (rc = repo_lock(repo_dir, o.wait, &lock, &e)) != 0)
		return finish(rc, &e, &report, false);
	if (strcmp(sub, "add-target") == 0 && n == 4)
		return finish(repo_add_target(dir, a[2], a[3], o.custom, o.role, o.now, &e), &e, &report, false);
	if (strcmp(sub, "add-targets") == 0 && n == 3) {
		size_t count = 0;
		rc = repo_add_targets_dir(dir, a[2], o.prefix, o.role, o.now, &count, &e);
		if (!rc)
			printf("staged %zu targets\n", count);
		return finish(rc, &e, &report, false);
	}
	if (strcmp(sub, "remove-target") == 0 && n == 3)
		return finish(repo_remove_target(dir, a[2], o.role, o.now, &e), &e, &report, false);
	if (strcmp(sub, "delegate") == 0 && n == 3)
		return finish(repo_delegate(dir, o.from ? o.from : "targets", a[2], o.keys, o.nkeys, o.thr,
					    o.paths, o.npaths, o.terminating, o.now, &e),
			      &e, &report, false);
	if (strcmp(sub, "delegate-bins") == 0 && n == 2)
		return finish(repo_delegate_bins(dir, o.from ? o.from : "targets",
						 o.prefix ? o.prefix : "bins", o.bits ? o.bits : 8,
						 o.keys, o.nkeys, o.thr, o.now, &e),
			      &e, &report, false);
	if (strcmp(sub, "rotate") == 0 && n == 3 && o.online)
		return finish(repo_rotate_online(dir, a[2], o.online, keyref_load, &o.kctx, o.now, &e),
			      &e, &report, false);
	if (strcmp(sub, "rotate") == 0 && n == 3)
		return finish(repo_rotate(dir, a[2], o.keys, o.nkeys, o.remove, o.nremove, o.thr, o.now, &e),
			      &e, &report, false);
	if (strcmp(sub, "sign") == 0 && n == 2) {
		if (!o.key)
			return bad("sign needs --key");
		crypto_signer *s = NULL;
		rc = keyref_load(&s, o.key, &o.kctx, &e);
		if (!rc)
			rc = repo_sign(dir, s, &report, &e);
		crypto_signer_free(s);
		return finish(rc, &e, &report, false);
	}
	if (strcmp(sub, "merge") == 0 && n >= 3)
		return finish(repo_merge(dir, (const char *const *)a + 2, (size_t)n - 2, &e), &e, &report, false);
	if (strcmp(sub, "publish") == 0 && n == 2) {
		rc = repo_publish(dir, keyref_load, &o.kctx, o.now, &report, &e);
		if (!rc)
			printf("published %s/published\n", dir);
		return finish(rc, &e, &report, true);
	}
	if (strcmp(sub, "refresh") == 0 && n == 2)
		return finish(repo_refresh(dir, keyref_load, &o.kctx, o.now, o.force, &report, &e), &e,
			      &report, false);
	if (strcmp(sub, "status") == 0 && n == 2) {
		size_t nf = 0;
		rc = repo_status(dir, o.now, o.json, &report, &nf, &e);
		return finish(rc, &e, &report, false);
	}
	return bad("unknown subcommand or wrong number of arguments");
}
