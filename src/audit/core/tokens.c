/*
 * tokens.c - SEC-02: tokens, API keys and passwords in plain text.  The
 * patterns are data: a table of fixed prefixes with the alphabet and
 * length of what follows, and a list of key names that hold secrets in
 * assignments (`password=`, `Environment=API_TOKEN=...`, `psk=`).
 * Findings name the pattern and the line, never the secret.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "audit/core/core.h"

enum alpha { A_UPPER_DIGIT, A_ALNUM, A_ALNUM_DASH, A_ALNUM_UNDERSCORE };

static const struct token_pattern {
	const char *name, *prefix;
	enum alpha alpha;
	size_t min, max; /* length after the prefix */
} PATTERNS[] = {
	{ "AWS access key id", "AKIA", A_UPPER_DIGIT, 16, 16 },
	{ "AWS access key id", "ASIA", A_UPPER_DIGIT, 16, 16 },
	{ "GitHub token", "ghp_", A_ALNUM, 36, 255 },
	{ "GitHub token", "gho_", A_ALNUM, 36, 255 },
	{ "GitHub token", "ghu_", A_ALNUM, 36, 255 },
	{ "GitHub token", "ghs_", A_ALNUM, 36, 255 },
	{ "GitHub token", "ghr_", A_ALNUM, 36, 255 },
	{ "GitHub token", "github_pat_", A_ALNUM_UNDERSCORE, 22, 255 },
	{ "GitLab token", "glpat-", A_ALNUM_DASH, 20, 255 },
	{ "Slack token", "xoxb-", A_ALNUM_DASH, 10, 255 },
	{ "Slack token", "xoxp-", A_ALNUM_DASH, 10, 255 },
	{ "Slack token", "xoxa-", A_ALNUM_DASH, 10, 255 },
	{ "Azure SAS signature", "sig=", A_ALNUM_DASH, 40, 255 },
};

/* Key names (lower case, substring match) whose assigned value is a secret. */
static const char *const SECRET_KEYS[] = {
	"password", "passwd", "passphrase", "secret", "token", "api_key", "apikey", "access_key",
	"private_key", "psk", "credential",
};

/* Values that are not secrets: placeholders, references, empty. */
static bool is_placeholder(const char *v)
{
	static const char *const none[] = { "", "none", "null", "false", "true", "no", "yes", "*", "!", "xxx" };
	for (size_t i = 0; i < WARD_ARRAY_LEN(none); i++)
		if (strcasecmp(v, none[i]) == 0)
			return true;
	return v[0] == '$' || v[0] == '<' || v[0] == '%' || v[0] == '/' || strncmp(v, "{{", 2) == 0;
}

bool audit_is_secret_assignment(const char *key, const char *value)
{
	char lk[128];
	size_t i = 0;
	for (; key[i] && i + 1 < sizeof(lk); i++)
		lk[i] = (char)tolower((unsigned char)key[i]);
	lk[i] = '\0';
	/* "passwd" alone names the database (nsswitch.conf "passwd: files"), not a value */
	if (strcmp(lk, "passwd") == 0 || strcmp(lk, "shadow") == 0)
		return false;
	bool named = false;
	for (size_t k = 0; k < WARD_ARRAY_LEN(SECRET_KEYS) && !named; k++)
		named = strstr(lk, SECRET_KEYS[k]) != NULL;
	/* *_FILE and *_PATH name where a secret is, not the secret */
	size_t l = strlen(lk);
	if (l >= 5 && (strcmp(lk + l - 5, "_file") == 0 || strcmp(lk + l - 5, "_path") == 0))
		return false;
	return named && !is_placeholder(value) && strlen(value) >= 4;
}

static bool in_alpha(enum alpha a, unsigned char c)
{
	switch (a) {
	case A_UPPER_DIGIT: return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	case A_ALNUM: return isalnum(c);
	case A_ALNUM_DASH: return isalnum(c) || c == '-' || c == '%' || c == '_';
	case A_ALNUM_UNDERSCORE: return isalnum(c) || c == '_';
	}
	return false;
}

static size_t line_of(const uint8_t *data, size_t off)
{
	size_t n = 1;
	for (size_t i = 0; i < off; i++)
		n += data[i] == '\n';
	return n;
}

/* A config-style line "key = value", "key: value", "key=\"value\"" or
 * "Environment=KEY=value": copies key and unquoted value. */
static bool split_assignment(const char *line, char *key, size_t kl, char *val, size_t vl)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '#' || *line == ';' || !*line)
		return false;
	if (strncasecmp(line, "Environment=", 12) == 0) {
		line += 12;
		if (*line == '"' || *line == '\'')
			line++;
	}
	if (strncmp(line, "export ", 7) == 0)
		line += 7;
	size_t k = 0;
	while (line[k] && line[k] != '=' && line[k] != ':' && line[k] != ' ' && line[k] != '\t')
		k++;
	if (k == 0 || k >= kl)
		return false;
	memcpy(key, line, k);
	key[k] = '\0';
	const char *p = line + k;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=' && *p != ':')
		return false;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	char q = (*p == '"' || *p == '\'') ? *p++ : 0;
	size_t v = 0;
	while (p[v] && v + 1 < vl && (q ? p[v] != q : (p[v] != ' ' && p[v] != '\t' && p[v] != '\r')))
		v++;
	memcpy(val, p, v);
	val[v] = '\0';
	return true;
}

static bool config_name(const char *file)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	static const char *const ext[] = { ".conf", ".cfg", ".ini", ".env", ".service", ".toml", ".properties",
					   ".json", ".yml", ".yaml" };
	size_t bl = strlen(base);
	for (size_t i = 0; i < WARD_ARRAY_LEN(ext); i++) {
		size_t el = strlen(ext[i]);
		if (bl > el && strcmp(base + bl - el, ext[i]) == 0)
			return true;
	}
	return strcmp(base, ".env") == 0 || strstr(file, "/etc/default/") != NULL;
}

void audit_scan_tokens(audit_ctx *a, const char *id, const char *file, const uint8_t *data, size_t len)
{
	bool seen[WARD_ARRAY_LEN(PATTERNS)] = { false };
	for (size_t i = 0; i < len; i++) {
		for (size_t k = 0; k < WARD_ARRAY_LEN(PATTERNS); k++) {
			const struct token_pattern *t = &PATTERNS[k];
			size_t pl = strlen(t->prefix);
			if (seen[k] || data[i] != (uint8_t)t->prefix[0] || len - i < pl ||
			    memcmp(data + i, t->prefix, pl) != 0)
				continue;
			/* the token must start a word */
			if (i > 0 && (isalnum(data[i - 1]) || data[i - 1] == '_'))
				continue;
			size_t n = 0;
			while (i + pl + n < len && n <= t->max && in_alpha(t->alpha, data[i + pl + n]))
				n++;
			if (n < t->min || n > t->max)
				continue;
			seen[k] = true;
			char loc[32];
			snprintf(loc, sizeof(loc), "line %zu", line_of(data, i));
			audit_report(a, id, AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_YES, file, loc,
				     "Remove the credential from the image, revoke it, and provision per-device "
				     "credentials into secure storage.",
				     "%s (%s...) in plain text", t->name, t->prefix);
		}
	}
	if (!config_name(file))
		return;
	/* assignments, one line at a time */
	size_t lineno = 0;
	for (size_t p = 0; p < len;) {
		size_t e = p;
		while (e < len && data[e] != '\n')
			e++;
		lineno++;
		char line[1024], key[128], val[512];
		size_t l = e - p < sizeof(line) - 1 ? e - p : sizeof(line) - 1;
		memcpy(line, data + p, l);
		line[l] = '\0';
		p = e + 1;
		if (memchr(line, '\0', l))
			continue;
		if (split_assignment(line, key, sizeof(key), val, sizeof(val)) && audit_is_secret_assignment(key, val)) {
			char loc[32];
			snprintf(loc, sizeof(loc), "line %zu", lineno);
			audit_report(a, id, AUDIT_HIGH, AUDIT_CONFIG, AUDIT_OTA_YES, file, loc,
				     "Do not ship secrets in configuration files; provision them per device into "
				     "secure storage (TPM, secure element, OP-TEE) and rotate the exposed one.",
				     "\"%.64s\" is assigned a secret value in plain text", key);
		}
	}
}
