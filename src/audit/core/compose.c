/*
 * compose.c - container checks: docker compose files (CTR-01..10, read
 * with libyaml) and the Docker daemon's daemon.json (CTR-11, SVC-03).
 *
 * YAML from an image is hostile: before loading, one pass over the events
 * refuses nesting deeper than AUDIT_LIMIT_YAML_DEPTH, more than
 * AUDIT_LIMIT_YAML_ALIASES aliases (a "billion laughs" document needs many)
 * and more than AUDIT_LIMIT_YAML_EVENTS events.  The loaded document keeps
 * aliases as references, and the checks only look a fixed number of levels
 * deep, so no alias is ever expanded recursively.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "audit/core/core.h"

static int yaml_precheck(const char *file, const uint8_t *data, size_t len, ward_error *err)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
	yaml_parser_set_input_string(&p, data, len);
	int rc = 0;
	size_t depth = 0, aliases = 0, events = 0;
	for (bool done = false; !done && !rc;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			rc = ward_err(err, WARD_EINVAL, "%s: line %zu: %s", file, p.problem_mark.line + 1,
				      p.problem ? p.problem : "malformed YAML");
			break;
		}
		switch (ev.type) {
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (++depth > AUDIT_LIMIT_YAML_DEPTH)
				rc = ward_err(err, WARD_ELIMIT, "%s: nested more than %d deep", file,
					      AUDIT_LIMIT_YAML_DEPTH);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			depth--;
			break;
		case YAML_ALIAS_EVENT:
			if (++aliases > AUDIT_LIMIT_YAML_ALIASES)
				rc = ward_err(err, WARD_ELIMIT, "%s: more than %d aliases", file,
					      AUDIT_LIMIT_YAML_ALIASES);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		if (++events > AUDIT_LIMIT_YAML_EVENTS && !rc)
			rc = ward_err(err, WARD_ELIMIT, "%s: more than %d YAML events", file, AUDIT_LIMIT_YAML_EVENTS);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return rc;
}

/* ---- document access ---------------------------------------------------- */

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(d, p->key));
		if (k && strcmp(k, key) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static bool is_true(const char *s)
{
	return s && (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 || strcmp(s, "1") == 0 ||
		     strcasecmp(s, "on") == 0);
}

/* Calls fn for each scalar item of a sequence (or the scalar itself). */
typedef void (*item_fn)(void *ctx, yaml_document_t *d, yaml_node_t *item);
static void each_item(yaml_document_t *d, yaml_node_t *n, item_fn fn, void *ctx)
{
	if (!n)
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		fn(ctx, d, n);
		return;
	}
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
		fn(ctx, d, yaml_document_get_node(d, *i));
}

struct svc {
	audit_ctx *a;
	const char *file;
	char loc[160];
	bool no_new_priv;
};

static void report(struct svc *s, const char *id, audit_severity sev, const char *remedy, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void report(struct svc *s, const char *id, audit_severity sev, const char *remedy, const char *fmt, ...)
{
	char ev[512];
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(ev, sizeof(ev), fmt, ap);
	va_end(ap);
	if (r < 0)
		ev[0] = '\0';
	audit_report(s->a, id, sev, AUDIT_CONFIG, AUDIT_OTA_YES, s->file, s->loc, remedy, "%s", ev);
}

static const char *const SOCKETS[] = { "/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
				       "/var/run/containerd/containerd.sock", "/run/podman/podman.sock" };
static const char *const SENSITIVE[] = { "/", "/etc", "/boot", "/var/lib", "/sys", "/proc", "/var/sota", "/dev",
					 "/root", "/usr" };

static void volume(void *ctx, yaml_document_t *d, yaml_node_t *n)
{
	struct svc *s = ctx;
	char src[512] = "", mode[64] = "";
	bool ro = false;
	const char *v = scalar(n);
	if (v) {
		/* SRC:DST[:MODE] */
		const char *c1 = strchr(v, ':');
		if (!c1)
			return; /* anonymous volume */
		size_t l = (size_t)(c1 - v) < sizeof(src) - 1 ? (size_t)(c1 - v) : sizeof(src) - 1;
		memcpy(src, v, l);
		src[l] = '\0';
		const char *c2 = strchr(c1 + 1, ':');
		if (c2) {
			snprintf(mode, sizeof(mode), "%s", c2 + 1);
			ro = strstr(mode, "ro") != NULL && strstr(mode, "rw") == NULL;
		}
	} else {
		const char *t = scalar(map_get(d, n, "source"));
		if (!t)
			return;
		snprintf(src, sizeof(src), "%s", t);
		ro = is_true(scalar(map_get(d, n, "read_only")));
	}
	size_t sl = strlen(src);
	while (sl > 1 && src[sl - 1] == '/')
		src[--sl] = '\0';
	for (size_t i = 0; i < WARD_ARRAY_LEN(SOCKETS); i++)
		if (strcmp(src, SOCKETS[i]) == 0) {
			report(s, "CTR-02", AUDIT_CRITICAL,
			       "Do not give containers the container engine's socket; it is root on the host.",
			       "container engine socket %s mounted", src);
			return;
		}
	for (size_t i = 0; i < WARD_ARRAY_LEN(SENSITIVE); i++)
		if (strcmp(src, SENSITIVE[i]) == 0 && !ro) {
			report(s, "CTR-07", AUDIT_HIGH,
			       "Mount only what the container needs, read-only (\":ro\").",
			       "host directory %s mounted read-write", src);
			return;
		}
}

static void cap(void *ctx, yaml_document_t *d, yaml_node_t *n)
{
	(void)d;
	struct svc *s = ctx;
	static const char *const bad[] = { "ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO", "SYS_PTRACE", "NET_ADMIN",
					   "DAC_READ_SEARCH", "SYS_BOOT" };
	const char *v = scalar(n);
	if (!v)
		return;
	const char *c = strncasecmp(v, "CAP_", 4) == 0 ? v + 4 : v;
	for (size_t i = 0; i < WARD_ARRAY_LEN(bad); i++)
		if (strcasecmp(c, bad[i]) == 0)
			report(s, "CTR-04", AUDIT_HIGH, "Drop the capability; grant only narrow ones the service needs.",
			       "cap_add: %s", v);
}

static void device(void *ctx, yaml_document_t *d, yaml_node_t *n)
{
	struct svc *s = ctx;
	const char *v = scalar(n);
	if (!v)
		v = scalar(map_get(d, n, "source"));
	if (!v)
		return;
	static const char *const bad[] = { "/dev/mem*", "/dev/kmem*", "/dev/port*", "/dev/mmcblk*", "/dev/mtd*",
					   "/dev/tpm*", "/dev/tee*", "/dev/sd*", "/dev/nvme*", "/dev:*", "/dev" };
	char host[256];
	size_t l = strcspn(v, ":");
	snprintf(host, sizeof(host), "%.*s", (int)(l < sizeof(host) - 1 ? l : sizeof(host) - 1), v);
	for (size_t i = 0; i < WARD_ARRAY_LEN(bad); i++) {
		size_t bl = strlen(bad[i]);
		bool star = bad[i][bl - 1] == '*';
		if (star ? strncmp(host, bad[i], bl - 1) == 0 : strcmp(host, bad[i]) == 0) {
			report(s, "CTR-05", AUDIT_HIGH, "Pass only the device nodes the service needs.",
			       "device %s passed to the container", host);
			return;
		}
	}
}

static void secopt(void *ctx, yaml_document_t *d, yaml_node_t *n)
{
	(void)d;
	struct svc *s = ctx;
	const char *v = scalar(n);
	if (!v)
		return;
	if (strstr(v, "no-new-privileges") && !strstr(v, "false"))
		s->no_new_priv = true;
	if (strstr(v, "unconfined") || strcmp(v, "label:disable") == 0 || strcmp(v, "label=disable") == 0)
		report(s, "CTR-06", AUDIT_MEDIUM, "Keep the default seccomp/AppArmor/SELinux confinement.",
		       "security_opt %s", v);
}

static void port(void *ctx, yaml_document_t *d, yaml_node_t *n)
{
	struct svc *s = ctx;
	const char *v = scalar(n);
	if (!v) {
		const char *ip = scalar(map_get(d, n, "host_ip"));
		const char *pub = scalar(map_get(d, n, "published"));
		if (pub && (!ip || strcmp(ip, "0.0.0.0") == 0))
			report(s, "CTR-09", AUDIT_MEDIUM, "Bind published ports to a specific address (127.0.0.1:...).",
			       "port %s published on every interface", pub);
		return;
	}
	/* "8080", "8080:80", "0.0.0.0:8080:80" expose on all interfaces; "127.0.0.1:8080:80" does not */
	size_t colons = 0;
	for (const char *c = v; *c; c++)
		colons += *c == ':';
	if (colons < 2 || strncmp(v, "0.0.0.0:", 8) == 0 || strncmp(v, "[::]:", 5) == 0 || strncmp(v, ":::", 3) == 0)
		report(s, "CTR-09", AUDIT_MEDIUM, "Bind published ports to a specific address (127.0.0.1:...).",
		       "port %s published on every interface", v);
}

static void env_entry(struct svc *s, const char *key, const char *val)
{
	if (key && val && audit_is_secret_assignment(key, val))
		report(s, "CTR-08", AUDIT_HIGH,
		       "Pass secrets with `secrets:` from secure storage, not in the compose file.",
		       "environment variable %s holds a secret in plain text", key);
}

static void env_item(void *ctx, yaml_document_t *d, yaml_node_t *n)
{
	(void)d;
	const char *v = scalar(n);
	if (!v)
		return;
	char key[128];
	size_t l = strcspn(v, "=");
	if (!v[l] || l >= sizeof(key))
		return;
	memcpy(key, v, l);
	key[l] = '\0';
	env_entry(ctx, key, v + l + 1);
}

static void check_service(audit_ctx *a, const char *file, yaml_document_t *d, const char *name, yaml_node_t *svc)
{
	struct svc s = { .a = a, .file = file };
	snprintf(s.loc, sizeof(s.loc), "services.%.120s", name);
	if (is_true(scalar(map_get(d, svc, "privileged"))))
		report(&s, "CTR-01", AUDIT_CRITICAL,
		       "Remove privileged: true; grant the specific devices and capabilities instead.",
		       "%s runs privileged: root on the host", name);
	static const char *const host_ns[] = { "network_mode", "pid", "ipc", "userns_mode" };
	for (size_t i = 0; i < WARD_ARRAY_LEN(host_ns); i++) {
		const char *v = scalar(map_get(d, svc, host_ns[i]));
		if (v && strcmp(v, "host") == 0)
			report(&s, "CTR-03", AUDIT_HIGH, "Use the container's own namespace.", "%s: host",
			       host_ns[i]);
	}
	each_item(d, map_get(d, svc, "volumes"), volume, &s);
	each_item(d, map_get(d, svc, "cap_add"), cap, &s);
	each_item(d, map_get(d, svc, "devices"), device, &s);
	each_item(d, map_get(d, svc, "security_opt"), secopt, &s);
	if (!s.no_new_priv)
		report(&s, "CTR-06", AUDIT_LOW, "Add security_opt: [\"no-new-privileges:true\"].",
		       "%s may gain privileges through setuid binaries (no no-new-privileges)", name);
	each_item(d, map_get(d, svc, "ports"), port, &s);
	yaml_node_t *env = map_get(d, svc, "environment");
	if (env && env->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = env->data.mapping.pairs.start; p < env->data.mapping.pairs.top; p++)
			env_entry(&s, scalar(yaml_document_get_node(d, p->key)),
				  scalar(yaml_document_get_node(d, p->value)));
	} else {
		each_item(d, env, env_item, &s);
	}
	const char *image = scalar(map_get(d, svc, "image"));
	if (image && !strchr(image, '@')) {
		const char *slash = strrchr(image, '/');
		const char *tag = strchr(slash ? slash : image, ':');
		if (!tag || strcmp(tag, ":latest") == 0)
			report(&s, "CTR-10", AUDIT_LOW,
			       "Pin the image by digest (image@sha256:...) so the device runs what was tested.",
			       "image %s is a mutable tag", image);
	}
}

int audit_check_compose(audit_ctx *a, const char *file, const uint8_t *data, size_t len, ward_error *err)
{
	int rc = yaml_precheck(file, data, len, err);
	if (rc)
		return rc;
	yaml_parser_t p;
	yaml_document_t d;
	if (!yaml_parser_initialize(&p))
		return ward_err(err, WARD_ENOMEM, "%s: out of memory", file);
	yaml_parser_set_input_string(&p, data, len);
	if (!yaml_parser_load(&p, &d)) {
		rc = ward_err(err, WARD_EINVAL, "%s: %s", file, p.problem ? p.problem : "malformed YAML");
		yaml_parser_delete(&p);
		return rc;
	}
	yaml_node_t *services = map_get(&d, yaml_document_get_root_node(&d), "services");
	if (services && services->type == YAML_MAPPING_NODE)
		for (yaml_node_pair_t *pr = services->data.mapping.pairs.start; pr < services->data.mapping.pairs.top; pr++) {
			const char *name = scalar(yaml_document_get_node(&d, pr->key));
			yaml_node_t *svc = yaml_document_get_node(&d, pr->value);
			if (name && svc && svc->type == YAML_MAPPING_NODE)
				check_service(a, file, &d, name, svc);
		}
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
	return 0;
}

/* ---- daemon.json -------------------------------------------------------- */

int audit_check_daemon_json(audit_ctx *a, const char *file, const uint8_t *data, size_t len, ward_error *err)
{
	json_error_t je;
	json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		return ward_err(err, WARD_EINVAL, "%s: line %d: not a JSON object", file, je.line);
	}
	json_t *ir = json_object_get(root, "insecure-registries");
	if (json_is_array(ir) && json_array_size(ir) > 0)
		audit_report(a, "CTR-11", AUDIT_MEDIUM, AUDIT_CONFIG, AUDIT_OTA_YES, file, "insecure-registries",
			     "Pull only over TLS from registries with valid certificates.",
			     "%zu registr%s pulled without TLS verification", json_array_size(ir),
			     json_array_size(ir) == 1 ? "y" : "ies");
	if (!json_is_string(json_object_get(root, "userns-remap")))
		audit_report(a, "CTR-11", AUDIT_LOW, AUDIT_CONFIG, AUDIT_OTA_YES, file, "userns-remap",
			     "Set \"userns-remap\": \"default\" so root in a container is not root on the host.",
			     "no user-namespace remapping");
	json_t *icc = json_object_get(root, "icc");
	if (!json_is_false(icc))
		audit_report(a, "CTR-11", AUDIT_LOW, AUDIT_CONFIG, AUDIT_OTA_YES, file, "icc",
			     "Set \"icc\": false and connect containers through explicit networks.",
			     "inter-container communication is unrestricted");
	bool tls = json_is_true(json_object_get(root, "tlsverify"));
	json_t *hosts = json_object_get(root, "hosts");
	size_t i;
	json_t *h;
	json_array_foreach(hosts, i, h) {
		const char *s = json_string_value(h);
		if (s && strncmp(s, "tcp://", 6) == 0 && !tls) {
			audit_report(a, "SVC-03", AUDIT_CRITICAL, AUDIT_CONFIG, AUDIT_OTA_YES, file, "hosts",
				     "Use the local socket only, or set \"tlsverify\": true with client certificates.",
				     "dockerd listens on %s without TLS: anyone on the network is root", s);
			break;
		}
	}
	json_decref(root);
	return 0;
}
