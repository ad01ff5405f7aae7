/*
 * test_exposure.c - SVC-02 (listener inventory), SVC-04 (firewall) and
 * SEC-04 (secure storage), each with a silent twin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

#define ARRAY_LEN(x) (sizeof(x) / sizeof((x)[0]))

static const char NFT_DROP[] = "#!/usr/sbin/nft -f\nflush ruleset\ntable inet filter {\n"
			       "  chain input { type filter hook input priority 0; policy drop;\n"
			       "    ct state established,related accept\n    iif lo accept\n  }\n}\n";
/* Debian's default: chains with no rule and an accepting policy */
static const char NFT_DEBIAN[] = "#!/usr/sbin/nft -f\n\nflush ruleset\n\ntable inet filter {\n"
				 "\tchain input {\n\t\ttype filter hook input priority filter;\n\t}\n"
				 "\t# add \"policy drop\" and rules here\n}\n";
#define NFT_ENABLED                                                                       \
	{ "/etc/systemd/system/sysinit.target.wants/nftables.service", NULL,              \
	  "/lib/systemd/system/nftables.service" },                                       \
	{                                                                                 \
		"/lib/systemd/system/nftables.service", "[Service]\nExecStart=/usr/sbin/nft -f " \
							"/etc/nftables.conf\n", NULL      \
	}

static audit_ctx *run(const struct tentry *t, size_t n)
{
	audit_tree_keep_exposure = true;
	audit_ctx *a = audit_tree(t, n);
	audit_tree_keep_exposure = false;
	assert_non_null(a);
	return a;
}

static void firewall_rules_must_be_shipped_and_loaded(void **state)
{
	(void)state;
	struct tentry none[] = { { "/etc/hostname", "dev\n", NULL } };
	audit_ctx *a = run(none, ARRAY_LEN(none));
	assert_int_equal(count_id(a, "SVC-04", "/etc", "no firewall rules shipped"), 1);
	audit_ctx_free(a);

	struct tentry loaded[] = { { "/etc/nftables.conf", NFT_DROP, NULL }, NFT_ENABLED };
	a = run(loaded, ARRAY_LEN(loaded));
	assert_int_equal(count_id(a, "SVC-04", NULL, NULL), 0);
	audit_ctx_free(a);

	struct tentry unloaded[] = { { "/etc/nftables.conf", NFT_DROP, NULL } };
	a = run(unloaded, ARRAY_LEN(unloaded));
	assert_int_equal(count_id(a, "SVC-04", "/etc/nftables.conf", "nothing loads them"), 1);
	audit_ctx_free(a);

	/* Debian's default file is loaded but filters nothing; "drop" only in
	 * a comment is not a rule */
	struct tentry debian[] = { { "/etc/nftables.conf", NFT_DEBIAN, NULL }, NFT_ENABLED };
	a = run(debian, ARRAY_LEN(debian));
	assert_int_equal(count_id(a, "SVC-04", "/etc", "no firewall rules shipped"), 1);
	audit_ctx_free(a);

	/* iptables-persistent and ufw count; SysV links load them too */
	struct tentry ipt[] = {
		{ "/etc/iptables/rules.v4", "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n", NULL },
		{ "/etc/rcS.d/S01netfilter-persistent", NULL, "../init.d/netfilter-persistent" },
	};
	a = run(ipt, ARRAY_LEN(ipt));
	assert_int_equal(count_id(a, "SVC-04", NULL, NULL), 0);
	audit_ctx_free(a);
	struct tentry ufw[] = {
		{ "/etc/ufw/ufw.conf", "# ufw\nENABLED=yes\nLOGLEVEL=low\n", NULL },
		{ "/etc/systemd/system/multi-user.target.wants/ufw.service", NULL, "/lib/systemd/system/ufw.service" },
	};
	a = run(ufw, ARRAY_LEN(ufw));
	assert_int_equal(count_id(a, "SVC-04", NULL, NULL), 0);
	audit_ctx_free(a);
	ufw[0].text = "ENABLED=no\n";
	a = run(ufw, ARRAY_LEN(ufw));
	assert_int_equal(count_id(a, "SVC-04", NULL, NULL), 1);
	audit_ctx_free(a);
}

static void listeners_are_inventoried_and_plain_text_on_every_address_flagged(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/usr/sbin/sshd", "", NULL },
		{ "/etc/ssh/sshd_config", "Port 2222\nListenAddress 10.0.0.1\nPasswordAuthentication no\n", NULL },
		{ "/etc/systemd/system/sockets.target.wants/telnet.socket", NULL, "/lib/systemd/system/telnet.socket" },
		{ "/lib/systemd/system/telnet.socket", "[Socket]\nListenStream=23\nAccept=yes\n", NULL },
		{ "/etc/systemd/system/sockets.target.wants/web.socket", NULL, "/lib/systemd/system/web.socket" },
		{ "/lib/systemd/system/web.socket", "[Socket]\nListenStream=127.0.0.1:80\n", NULL },
		{ "/etc/systemd/system/sockets.target.wants/local.socket", NULL, "/lib/systemd/system/local.socket" },
		{ "/lib/systemd/system/local.socket", "[Socket]\nListenStream=/run/local.sock\n", NULL },
		/* installed but not enabled: not a listener */
		{ "/lib/systemd/system/ftp.socket", "[Socket]\nListenStream=21\n", NULL },
		{ "/etc/nginx/sites-enabled/default", "server {\n  listen 80 default_server;\n  listen [::]:443 ssl;\n"
						      "  listen 127.0.0.1:8080;\n  # listen 8080;\n}\n", NULL },
		{ "/etc/mosquitto/conf.d/a.conf", "listener 1883\n", NULL },
		{ "/etc/mosquitto/conf.d/b.conf", "listener 8884 0.0.0.0\ncertfile /etc/mosquitto/c.pem\n", NULL },
		{ "/etc/inetd.conf", "telnet stream tcp nowait root /usr/sbin/telnetd telnetd\n", NULL },
	};
	audit_ctx *a = run(t, ARRAY_LEN(t));
	assert_int_equal(count_id(a, "SVC-02", "/etc/ssh/sshd_config", "10.0.0.1 port 2222"), 1);
	assert_int_equal(count_id(a, "SVC-02", "/etc/systemd/system/sockets.target.wants/telnet.socket",
				  "port 23 on every address, in plain text (telnet)"), 1);
	assert_int_equal(count_id(a, "SVC-02", "/etc/systemd/system/sockets.target.wants/web.socket",
				  "127.0.0.1 port 80"), 1);
	assert_int_equal(count_id(a, "SVC-02", "/etc/systemd/system/sockets.target.wants/local.socket", NULL), 0);
	assert_int_equal(count_id(a, "SVC-02", NULL, "ftp"), 0);
	assert_int_equal(count_id(a, "SVC-02", "/etc/nginx/sites-enabled/default", "in plain text (HTTP)"), 1);
	assert_int_equal(count_id(a, "SVC-02", "/etc/nginx/sites-enabled/default", "port 443 (encrypted)"), 1);
	assert_int_equal(count_id(a, "SVC-02", "/etc/nginx/sites-enabled/default", "127.0.0.1 port 8080"), 1);
	assert_int_equal(count_id(a, "SVC-02", "/etc/nginx/sites-enabled/default", NULL), 3);
	assert_int_equal(count_id(a, "SVC-02", "/etc/mosquitto/conf.d/a.conf", "(MQTT)"), 1);
	assert_int_equal(count_id(a, "SVC-02", "/etc/mosquitto/conf.d/b.conf", "port 8884 (encrypted)"), 1);
	assert_int_equal(count_id(a, "SVC-02", "/etc/inetd.conf", "port 23 on every address"), 1);
	size_t medium = 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->f[i].id, "SVC-02") == 0 && a->f[i].sev == AUDIT_MEDIUM)
			medium++;
	assert_int_equal(medium, 4); /* telnet.socket, nginx :80, mosquitto 1883, inetd telnet */
	audit_ctx_free(a);

	/* sshd's defaults: port 22 on every address, an inventory line only */
	struct tentry d[] = { { "/usr/sbin/sshd", "", NULL } };
	a = run(d, ARRAY_LEN(d));
	assert_int_equal(count_id(a, "SVC-02", "/etc/ssh/sshd_config", "every address port 22"), 1);
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->f[i].id, "SVC-02") == 0)
			assert_int_equal(a->f[i].sev, AUDIT_INFO);
	audit_ctx_free(a);
}

static void secure_storage_backend_is_looked_for(void **state)
{
	(void)state;
	struct tentry bare[] = { { "/etc/hostname", "dev\n", NULL } };
	audit_ctx *a = run(bare, ARRAY_LEN(bare));
	assert_int_equal(count_id(a, "SEC-04", "/usr/lib", "no secure-storage backend"), 1);
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->f[i].id, "SEC-04") == 0)
			assert_int_equal(a->f[i].sev, AUDIT_INFO);
	audit_ctx_free(a);

	/* an update client with nowhere safe for its credentials: medium */
	struct tentry client[] = { { "/usr/bin/aktualizr-lite", "", NULL } };
	a = run(client, ARRAY_LEN(client));
	assert_int_equal(count_id(a, "SEC-04", "/usr/bin/aktualizr-lite", "credentials can only live in files"), 1);
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->f[i].id, "SEC-04") == 0)
			assert_int_equal(a->f[i].sev, AUDIT_MEDIUM);
	audit_ctx_free(a);

	static const char *const backends[] = { "/usr/sbin/tee-supplicant",
						"/usr/lib/aarch64-linux-gnu/libtss2-esys.so.0.0.0",
						"/usr/lib/libckteec.so.0", "/usr/lib/libcryptoauth.so" };
	for (size_t i = 0; i < ARRAY_LEN(backends); i++) {
		struct tentry with[] = { { "/usr/bin/aktualizr-lite", "", NULL }, { backends[i], "", NULL } };
		a = run(with, ARRAY_LEN(with));
		assert_int_equal(count_id(a, "SEC-04", NULL, NULL), 0);
		audit_ctx_free(a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(firewall_rules_must_be_shipped_and_loaded),
		cmocka_unit_test(listeners_are_inventoried_and_plain_text_on_every_address_flagged),
		cmocka_unit_test(secure_storage_backend_is_looked_for),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
