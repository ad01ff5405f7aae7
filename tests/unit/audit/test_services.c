/*
 * test_services.c - enabled services (SVC-01) from systemd .wants links,
 * SysV rc links and inetd.conf; serial logins (AUTH-05); host keys and
 * authorized_keys (AUTH-06/07); ENV-02, RB-02, SEC-02, SEC-03 - each with a
 * silent twin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static void denylisted_units_fire_and_ordinary_ones_do_not(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/etc/systemd/system/multi-user.target.wants/telnet.socket", NULL, "/lib/systemd/system/telnet.socket" },
		{ "/etc/systemd/system/multi-user.target.wants/avahi-daemon.service", NULL, "/x" },
		{ "/etc/systemd/system/multi-user.target.wants/ssh.service", NULL, "/x" },
		{ "/etc/systemd/system/multi-user.target.wants/cron.service", NULL, "/x" },
		{ "/etc/rc3.d/S02vsftpd", NULL, "../init.d/vsftpd" },
		{ "/etc/rc3.d/K01snmpd", NULL, "../init.d/snmpd" },
		{ "/etc/inetd.conf", "# comment\ntelnet stream tcp nowait root /usr/sbin/telnetd telnetd\n", NULL },
	};
	audit_ctx *a = audit_tree(t, WARD_ARRAY_LEN(t));
	assert_int_equal(count_id(a, "SVC-01", NULL, "telnet"), 2); /* unit + inetd */
	assert_int_equal(count_id(a, "SVC-01", NULL, "avahi"), 1);
	assert_int_equal(count_id(a, "SVC-01", NULL, "FTP"), 1);
	assert_int_equal(count_id(a, "SVC-01", NULL, "SNMP"), 0); /* K: stopped, not started */
	assert_int_equal(count_id(a, "SVC-01", NULL, NULL), 4);
	audit_ctx_free(a);
}

static void serial_logins_fire_and_console_free_images_do_not(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/etc/systemd/system/getty.target.wants/serial-getty@ttymxc0.service", NULL, "/x" },
		{ "/etc/inittab", "::sysinit:/etc/init.d/rcS\nttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n"
				  "console::respawn:-/bin/sh\n", NULL },
	};
	audit_ctx *a = audit_tree(t, WARD_ARRAY_LEN(t));
	assert_int_equal(count_id(a, "AUTH-05", NULL, NULL), 3);
	assert_int_equal(count_id(a, "AUTH-05", "/etc/inittab", "root shell"), 1);
	audit_ctx_free(a);
	struct tentry good[] = {
		{ "/etc/systemd/system/getty.target.wants/getty@tty1.service", NULL, "/x" },
		{ "/etc/inittab", "::sysinit:/etc/init.d/rcS\n::shutdown:/bin/umount -a -r\n", NULL },
	};
	a = audit_tree(good, WARD_ARRAY_LEN(good));
	assert_int_equal(a->n, 0);
	audit_ctx_free(a);
}

static void host_keys_and_authorized_keys_fire(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/etc/ssh/ssh_host_rsa_key", "k", NULL },
		{ "/etc/ssh/ssh_host_rsa_key.pub", "k", NULL },
		{ "/etc/dropbear/dropbear_ed25519_host_key", "k", NULL },
		{ "/home/ops/.ssh/authorized_keys", "ssh-ed25519 AAAA", NULL },
		{ "/root/.ssh/known_hosts", "x", NULL },
	};
	audit_ctx *a = audit_tree(t, WARD_ARRAY_LEN(t));
	assert_int_equal(count_id(a, "AUTH-06", NULL, NULL), 2);
	assert_int_equal(count_id(a, "AUTH-07", "/home/ops/.ssh/authorized_keys", NULL), 1);
	assert_int_equal(a->n, 3);
	audit_ctx_free(a);
}

static void update_clients_env_and_secrets(void **state)
{
	(void)state;
	struct tentry t[] = {
		{ "/etc/fw_env.config", "/dev/mtd1 0 0x1000\n", NULL },
		{ "/usr/bin/swupdate", "", NULL },
		{ "/var/sota/sota.toml", "[import]\ntls_pkey_path = \"/var/sota/pkey.pem\"\n", NULL },
		{ "/etc/wpa_supplicant/wpa_supplicant.conf", "network={\n  ssid=\"x\"\n  psk=\"supersecret\"\n}\n", NULL },
		{ "/etc/systemd/system/app.service", "[Service]\nEnvironment=\"GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz\"\n", NULL },
		{ "/usr/lib/libfoo.so", "AKIAABCDEFGHIJKLMNOP is outside the scanned trees", NULL },
	};
	audit_ctx *a = audit_tree(t, WARD_ARRAY_LEN(t));
	assert_int_equal(count_id(a, "ENV-02", NULL, NULL), 1);
	assert_int_equal(count_id(a, "RB-02", NULL, NULL), 1);
	assert_int_equal(count_id(a, "SEC-03", "/var/sota/sota.toml", NULL), 1);
	assert_int_equal(count_id(a, "SEC-02", "/etc/wpa_supplicant/wpa_supplicant.conf", "psk"), 1);
	assert_int_equal(count_id(a, "SEC-02", "/etc/systemd/system/app.service", "GitHub"), 1);
	assert_int_equal(count_id(a, "SEC-02", "/usr/lib/libfoo.so", NULL), 0);
	audit_ctx_free(a);
	struct tentry good[] = {
		{ "/usr/bin/swupdate", "", NULL },
		{ "/etc/default/swupdate", "SWUPDATE_ARGS=\"-N 2.0.0 -v\"\n", NULL },
		{ "/var/sota/sota.toml", "[p11]\nmodule = \"/usr/lib/libckteec.so.0\"\ntls_pkey_id = \"01\"\n"
					 "[import]\ntls_pkey_path = \"\"\n", NULL },
		{ "/etc/app.conf", "password_file=/run/secrets/pw\ntoken=\npassword=${PASSWORD}\n", NULL },
	};
	a = audit_tree(good, WARD_ARRAY_LEN(good));
	assert_int_equal(a->n, 0);
	audit_ctx_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(denylisted_units_fire_and_ordinary_ones_do_not),
		cmocka_unit_test(serial_logins_fire_and_console_free_images_do_not),
		cmocka_unit_test(host_keys_and_authorized_keys_fire),
		cmocka_unit_test(update_clients_env_and_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
