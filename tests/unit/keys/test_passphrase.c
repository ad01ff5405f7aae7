/*
 * test_passphrase.c - unit tests of src/keys/passphrase.c: passphrases from
 * a descriptor, from the caller, and typed at a terminal.  The terminal is a
 * pseudo-terminal; a second thread plays the user, and checks that echo is
 * off while it types and that nothing it types comes back.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "keys/passphrase.h"

/* ---- a descriptor ---- */

static int pipe_with(const char *text)
{
	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	size_t len = strlen(text);
	assert_int_equal(write(fds[1], text, len), (ssize_t)len);
	close(fds[1]);
	return fds[0];
}

static ward_passphrase_opts fd_opts(int fd)
{
	ward_passphrase_opts o = WARD_PASSPHRASE_OPTS_INIT;
	o.fd = fd;
	return o;
}

static void fd_gives_one_line_at_a_time_without_its_newline(void **state)
{
	(void)state;
	int fd = pipe_with("first passphrase\nsecond one\nlast without newline");
	ward_passphrase_opts o = fd_opts(fd);
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	assert_int_equal(passphrase_get(&p, &o, "k", false, NULL), 0);
	assert_string_equal(p.buf, "first passphrase");
	assert_int_equal(p.len, 16);
	assert_int_equal(passphrase_get(&p, &o, "k", false, NULL), 0);
	assert_string_equal(p.buf, "second one");
	assert_int_equal(passphrase_get(&p, &o, "k", true, NULL), 0);
	assert_string_equal(p.buf, "last without newline");
	ward_error err = { 0 };
	assert_int_equal(passphrase_get(&p, &o, "root.key", false, &err), WARD_EINVAL);
	char want[64];
	snprintf(want, sizeof(want), "root.key: no passphrase on descriptor %d", fd);
	assert_string_equal(err.msg, want);
	close(fd);
}

static void fd_refuses_an_empty_line_with_einval(void **state)
{
	(void)state;
	int fd = pipe_with("\n");
	ward_passphrase_opts o = fd_opts(fd);
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	ward_error err = { 0 };
	assert_int_equal(passphrase_get(&p, &o, "k", false, &err), WARD_EINVAL);
	assert_string_equal(err.msg, "k: empty passphrase");
	close(fd);
}

static void fd_refuses_an_overlong_line_with_elimit_and_reads_no_further(void **state)
{
	(void)state;
	char text[WARD_LIMIT_PASSPHRASE + 16];
	memset(text, 'a', WARD_LIMIT_PASSPHRASE + 1);
	memcpy(text + WARD_LIMIT_PASSPHRASE + 1, "\nnext line\n", 12);
	int fd = pipe_with(text);
	ward_passphrase_opts o = fd_opts(fd);
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	ward_error err = { 0 };
	assert_int_equal(passphrase_get(&p, &o, "k", false, &err), WARD_ELIMIT);
	assert_int_equal(p.len, 0);
	assert_int_equal(passphrase_get(&p, &o, "k", false, &err), 0);
	assert_string_equal(p.buf, "next line");
	close(fd);
	/* exactly the limit is fine */
	memset(text, 'b', WARD_LIMIT_PASSPHRASE);
	text[WARD_LIMIT_PASSPHRASE] = '\0';
	fd = pipe_with(text);
	o.fd = fd;
	assert_int_equal(passphrase_get(&p, &o, "k", false, &err), 0);
	assert_int_equal(p.len, WARD_LIMIT_PASSPHRASE);
	close(fd);
}

static void fd_reports_a_read_error_with_eio(void **state)
{
	(void)state;
	ward_passphrase_opts o = fd_opts(1000); /* not open */
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	ward_error err = { 0 };
	assert_int_equal(passphrase_get(&p, &o, "k", false, &err), WARD_EIO);
	assert_non_null(strstr(err.msg, "reading the passphrase from descriptor 1000"));
}

/* ---- the caller ---- */

static void a_new_passphrase_needs_at_least_8_bytes(void **state)
{
	(void)state;
	ward_passphrase_opts o = WARD_PASSPHRASE_OPTS_INIT;
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	ward_error err = { 0 };
	o.passphrase = "1234567";
	assert_int_equal(passphrase_get(&p, &o, "new.key", true, &err), WARD_EINVAL);
	assert_string_equal(err.msg, "new.key: a new passphrase needs at least 8 bytes");
	assert_int_equal(p.len, 0);
	/* an existing key's passphrase may be short (OpenSSL allows 4) */
	assert_int_equal(passphrase_get(&p, &o, "old.key", false, &err), 0);
	o.passphrase = "12345678";
	assert_int_equal(passphrase_get(&p, &o, "new.key", true, &err), 0);
	assert_string_equal(p.buf, "12345678");
}

static void caller_passphrase_over_the_limit_is_refused_with_elimit(void **state)
{
	(void)state;
	char big[WARD_LIMIT_PASSPHRASE + 2];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ward_passphrase_opts o = WARD_PASSPHRASE_OPTS_INIT;
	o.passphrase = big;
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	assert_int_equal(passphrase_get(&p, &o, "k", false, NULL), WARD_ELIMIT);
}

static void an_unknown_opts_version_is_refused_with_einval(void **state)
{
	(void)state;
	ward_passphrase_opts o = WARD_PASSPHRASE_OPTS_INIT;
	o.version = 99;
	o.passphrase = "whatever passphrase";
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	assert_int_equal(passphrase_get(&p, &o, "k", false, NULL), WARD_EINVAL);
}

static void the_descriptor_takes_precedence_over_the_caller_string(void **state)
{
	(void)state;
	int fd = pipe_with("from the descriptor\n");
	ward_passphrase_opts o = fd_opts(fd);
	o.passphrase = "from the caller";
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	assert_int_equal(passphrase_get(&p, &o, "k", false, NULL), 0);
	assert_string_equal(p.buf, "from the descriptor");
	close(fd);
}

/* ---- the terminal ---- */

static void no_terminal_is_refused_with_einval(void **state)
{
	(void)state;
	ward_passphrase_opts o = WARD_PASSPHRASE_OPTS_INIT;
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	ward_error err = { 0 };
	o.tty = "/nonexistent/tty";
	assert_int_equal(passphrase_get(&p, &o, "k", false, &err), WARD_EINVAL);
	assert_non_null(strstr(err.msg, "no terminal to ask for a passphrase on"));
	o.tty = "/dev/null";
	assert_int_equal(passphrase_get(&p, &o, "k", false, &err), WARD_EINVAL);
	assert_string_equal(err.msg, "/dev/null is not a terminal to ask for a passphrase on");
}

/* The user at the other end of a pseudo-terminal. */
struct typist {
	int master;
	const char *slave;
	const char *answers[2];
	size_t nanswers;
	bool interrupt;    /* send SIGINT to `victim` instead of the last answer */
	pthread_t victim;
	bool echo_was_off; /* at every prompt */
	char seen[1024];   /* everything the terminal showed */
	size_t seen_len;
};

static bool slave_echoes(const char *slave)
{
	int fd = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	bool echo = fd >= 0 && tcgetattr(fd, &t) == 0 && (t.c_lflag & ECHO);
	if (fd >= 0)
		close(fd);
	return echo;
}

/* Reads the terminal's output until it holds n prompts (": "). */
static bool wait_for_prompts(struct typist *t, size_t n)
{
	for (;;) {
		size_t found = 0;
		for (size_t i = 0; i + 1 < t->seen_len; i++)
			if (t->seen[i] == ':' && t->seen[i + 1] == ' ')
				found++;
		if (found >= n)
			return true;
		ssize_t r = read(t->master, t->seen + t->seen_len, sizeof(t->seen) - 1 - t->seen_len);
		if (r <= 0)
			return false;
		t->seen_len += (size_t)r;
		t->seen[t->seen_len] = '\0';
	}
}

static void *type(void *arg)
{
	struct typist *t = arg;
	t->echo_was_off = true;
	for (size_t i = 0; i < t->nanswers; i++) {
		if (!wait_for_prompts(t, i + 1))
			return NULL;
		if (slave_echoes(t->slave))
			t->echo_was_off = false;
		if (t->interrupt && i + 1 == t->nanswers) {
			usleep(100000); /* let it block in read() */
			pthread_kill(t->victim, SIGINT);
			break;
		}
		(void)!write(t->master, t->answers[i], strlen(t->answers[i]));
		(void)!write(t->master, "\n", 1);
	}
	/* the echoed final newline, and anything else the terminal shows */
	ssize_t r;
	while ((r = read(t->master, t->seen + t->seen_len, sizeof(t->seen) - 1 - t->seen_len)) > 0)
		t->seen_len += (size_t)r;
	t->seen[t->seen_len] = '\0';
	return NULL;
}

/* Runs passphrase_get against a typist on a fresh pseudo-terminal. */
static int at_terminal(passphrase *p, bool is_new, struct typist *t, ward_error *err)
{
	int slave;
	char name[128];
	assert_int_equal(openpty(&t->master, &slave, name, NULL, NULL), 0);
	t->slave = name;
	t->victim = pthread_self();
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, type, t), 0);
	ward_passphrase_opts o = WARD_PASSPHRASE_OPTS_INIT;
	o.tty = name;
	int rc = passphrase_get(p, &o, "root.key", is_new, err);
	bool echo_restored = slave_echoes(name);
	close(slave); /* the typist's reads now end */
	assert_int_equal(pthread_join(th, NULL), 0);
	close(t->master);
	assert_true(echo_restored);
	assert_true(t->echo_was_off);
	for (size_t i = 0; i < t->nanswers; i++)
		assert_null(strstr(t->seen, t->answers[i]));
	return rc;
}

static void terminal_prompt_reads_without_echo_and_restores_echo(void **state)
{
	(void)state;
	struct typist t = { .answers = { "typed at the terminal" }, .nanswers = 1 };
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	ward_error err = { 0 };
	if (at_terminal(&p, false, &t, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(p.buf, "typed at the terminal");
	assert_non_null(strstr(t.seen, "Passphrase for root.key: "));
}

static void terminal_asks_a_new_passphrase_twice(void **state)
{
	(void)state;
	struct typist t = { .answers = { "a new passphrase", "a new passphrase" }, .nanswers = 2 };
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	ward_error err = { 0 };
	if (at_terminal(&p, true, &t, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(p.buf, "a new passphrase");
	assert_non_null(strstr(t.seen, "New passphrase for root.key: "));
	assert_non_null(strstr(t.seen, "Repeat the new passphrase: "));
}

static void terminal_refuses_a_new_passphrase_not_repeated_exactly(void **state)
{
	(void)state;
	struct typist t = { .answers = { "a new passphrase", "a new passphrasE" }, .nanswers = 2 };
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	ward_error err = { 0 };
	assert_int_equal(at_terminal(&p, true, &t, &err), WARD_EINVAL);
	assert_string_equal(err.msg, "root.key: the passphrases do not match");
	assert_int_equal(p.len, 0);
}

static volatile sig_atomic_t sigint_seen;

static void on_sigint(int sig)
{
	(void)sig;
	sigint_seen = 1;
}

static void terminal_interrupted_restores_echo_then_re_raises_the_signal(void **state)
{
	(void)state;
	struct sigaction sa = { 0 }, old;
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGINT, &sa, &old), 0);
	sigint_seen = 0;
	struct typist t = { .answers = { "never typed" }, .nanswers = 1, .interrupt = true };
	WARD_AUTO(passphrase_dispose) passphrase p = { 0 };
	ward_error err = { 0 };
	assert_int_equal(at_terminal(&p, false, &t, &err), WARD_EIO);
	assert_string_equal(err.msg, "root.key: passphrase entry interrupted");
	assert_true(sigint_seen);
	struct sigaction now;
	assert_int_equal(sigaction(SIGINT, &old, &now), 0);
	assert_ptr_equal(now.sa_handler, on_sigint); /* ours again, not the prompt's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fd_gives_one_line_at_a_time_without_its_newline),
		cmocka_unit_test(fd_refuses_an_empty_line_with_einval),
		cmocka_unit_test(fd_refuses_an_overlong_line_with_elimit_and_reads_no_further),
		cmocka_unit_test(fd_reports_a_read_error_with_eio),
		cmocka_unit_test(a_new_passphrase_needs_at_least_8_bytes),
		cmocka_unit_test(caller_passphrase_over_the_limit_is_refused_with_elimit),
		cmocka_unit_test(an_unknown_opts_version_is_refused_with_einval),
		cmocka_unit_test(the_descriptor_takes_precedence_over_the_caller_string),
		cmocka_unit_test(no_terminal_is_refused_with_einval),
		cmocka_unit_test(terminal_prompt_reads_without_echo_and_restores_echo),
		cmocka_unit_test(terminal_asks_a_new_passphrase_twice),
		cmocka_unit_test(terminal_refuses_a_new_passphrase_not_repeated_exactly),
		cmocka_unit_test(terminal_interrupted_restores_echo_then_re_raises_the_signal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
