/*
 * passphrase.c - passphrases from a descriptor, the caller or the terminal.
 *
 * The terminal prompt follows OpenBSD's readpassphrase(3): open the
 * controlling terminal itself (not stdin, which may be a pipe), turn echo
 * off but echo the final newline, catch the signals that would otherwise
 * leave the terminal without echo, restore it, and only then re-raise a
 * caught signal.  Bytes are read one at a time straight into the caller's
 * fixed buffer, so no other copy exists, and a descriptor is never read past
 * the passphrase's line.
 */
#include "keys/passphrase.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

void passphrase_dispose(passphrase *p)
{
	if (p)
		OPENSSL_cleanse(p, sizeof(*p));
}

/* Set by the handler while a terminal prompt is up. */
static volatile sig_atomic_t caught_signal;

enum line_end { LINE_OK, LINE_TOO_LONG, LINE_EOF_EMPTY, LINE_ERROR };

/* Reads one line (without its '\n') into p from fd, one byte at a time.
 * Over-long input is drained to the end of its line, then refused. */
static enum line_end read_line(passphrase *p, int fd, int *saved_errno)
{
	enum line_end r = LINE_OK;
	bool any = false;
	char c = 0;
	p->len = 0;
	for (;;) {
		if (caught_signal) { /* arrived before the read began */
			*saved_errno = EINTR;
			r = LINE_ERROR;
			break;
		}
		ssize_t n = read(fd, &c, 1);
		if (n < 0) {
			if (errno == EINTR && !caught_signal)
				continue;
			*saved_errno = errno;
			r = LINE_ERROR;
			break;
		}
		if (n == 0) {
			if (!any)
				r = LINE_EOF_EMPTY;
			break;
		}
		any = true;
		if (c == '\n')
			break;
		if (p->len >= WARD_LIMIT_PASSPHRASE)
			r = LINE_TOO_LONG;
		else
			p->buf[p->len++] = c;
	}
	p->buf[p->len] = '\0';
	OPENSSL_cleanse(&c, sizeof(c));
	return r;
}

/* ---- the terminal ---- */

static const int TTY_SIGNALS[] = { SIGALRM, SIGHUP, SIGINT, SIGPIPE, SIGQUIT,
				   SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU };

static void on_signal(int sig)
{
	caught_signal = sig;
}

struct tty_state {
	int fd;
	struct termios saved;
	struct sigaction old[WARD_ARRAY_LEN(TTY_SIGNALS)];
};

static int tty_open(struct tty_state *t, const char *path, ward_error *err)
{
	t->fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->fd < 0)
		return ward_err(err, WARD_EINVAL, "no terminal to ask for a passphrase on (%s: %s)", path,
				strerror(errno));
	if (tcgetattr(t->fd, &t->saved) != 0) {
		close(t->fd);
		return ward_err(err, WARD_EINVAL, "%s is not a terminal to ask for a passphrase on",
				path);
	}
	caught_signal = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal; /* no SA_RESTART: a signal ends the read */
	for (size_t i = 0; i < WARD_ARRAY_LEN(TTY_SIGNALS); i++)
		(void)sigaction(TTY_SIGNALS[i], &sa, &t->old[i]);
	struct termios quiet = t->saved;
	quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL;
	/* TCSAFLUSH drops typed-ahead input, which was typed with echo on. */
	while (tcsetattr(t->fd, TCSAFLUSH, &quiet) != 0 && errno == EINTR)
		;
	return 0;
}

/* Restores the terminal and the signal handlers, then re-raises. */
static void tty_close(struct tty_state *t)
{
	while (tcsetattr(t->fd, TCSAFLUSH, &t->saved) != 0 && errno == EINTR && !caught_signal)
		;
	for (size_t i = 0; i < WARD_ARRAY_LEN(TTY_SIGNALS); i++)
		(void)sigaction(TTY_SIGNALS[i], &t->old[i], NULL);
	close(t->fd);
	int sig = caught_signal;
	caught_signal = 0;
	if (sig)
		(void)raise(sig);
}

static int tty_write(int fd, const char *s)
{
	size_t len = strlen(s);
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0) {
			if (errno == EINTR && !caught_signal)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static int line_error(enum line_end r, int e, const char *what, const char *source,
		      ward_error *err)
{
	switch (r) {
	case LINE_TOO_LONG:
		return ward_err(err, WARD_ELIMIT, "%s: passphrase from %s exceeds %zu bytes", what,
				source, WARD_LIMIT_PASSPHRASE);
	case LINE_EOF_EMPTY:
		return ward_err(err, WARD_EINVAL, "%s: no passphrase on %s", what, source);
	case LINE_ERROR:
		if (e == EINTR)
			return ward_err(err, WARD_EIO, "%s: passphrase entry interrupted", what);
		return ward_err(err, WARD_EIO, "%s: reading the passphrase from %s: %s", what, source,
				strerror(e));
	case LINE_OK:
		break;
	}
	return 0;
}

static int tty_ask(passphrase *out, struct tty_state *t, const char *prompt, const char *what,
		   const char *path, ward_error *err)
{
	if (tty_write(t->fd, prompt) != 0)
		return ward_err(err, WARD_EIO, "%s: cannot write to %s: %s", what, path,
				strerror(errno));
	int e = 0;
	enum line_end r = read_line(out, t->fd, &e);
	if (caught_signal)
		return ward_err(err, WARD_EIO, "%s: passphrase entry interrupted", what);
	return line_error(r, e, what, path, err);
}

static int from_tty(passphrase *out, const char *path, const char *what, bool is_new,
		    ward_error *err)
{
	char prompt[WARD_ERROR_MSG_MAX];
	int n = snprintf(prompt, sizeof(prompt), "%s for %s: ",
			 is_new ? "New passphrase" : "Passphrase", what);
	if (n < 0 || (size_t)n >= sizeof(prompt))
		return ward_err(err, WARD_EINVAL, "key file name too long for a prompt");
	struct tty_state t;
	int rc = tty_open(&t, path, err);
	if (rc)
		return rc;
	rc = tty_ask(out, &t, prompt, what, path, err);
	/* Confirm before the length check: a mistyped first entry is the
	 * commoner reason for a short one, and both are reported alike. */
	if (!rc && is_new) {
		WARD_AUTO(passphrase_dispose) passphrase again = { 0 };
		rc = tty_ask(&again, &t, "Repeat the new passphrase: ", what, path, err);
		if (!rc && (again.len != out->len || CRYPTO_memcmp(again.buf, out->buf, out->len) != 0))
			rc = ward_err(err, WARD_EINVAL, "%s: the passphrases do not match", what);
	}
	tty_close(&t);
	return rc;
}

static int from_fd(passphrase *out, int fd, const char *what, ward_error *err)
{
	char source[32];
	int n = snprintf(source, sizeof(source), "descriptor %d", fd);
	if (n < 0 || (size_t)n >= sizeof(source))
		return ward_err(err, WARD_EINVAL, "%s: bad passphrase descriptor", what);
	int e = 0;
	enum line_end r = read_line(out, fd, &e);
	return line_error(r, e, what, source, err);
}

static int from_caller(passphrase *out, const char *s, const char *what, ward_error *err)
{
	size_t len = strnlen(s, WARD_LIMIT_PASSPHRASE + 1);
	if (len > WARD_LIMIT_PASSPHRASE)
		return ward_err(err, WARD_ELIMIT, "%s: passphrase exceeds %zu bytes", what,
				WARD_LIMIT_PASSPHRASE);
	memcpy(out->buf, s, len);
	out->buf[len] = '\0';
	out->len = len;
	return 0;
}

int passphrase_get(passphrase *out, const ward_passphrase_opts *opts, const char *what, bool is_new,
		   ward_error *err)
{
	static const ward_passphrase_opts defaults = WARD_PASSPHRASE_OPTS_INIT;
	if (!what)
		what = "key";
	if (!opts)
		opts = &defaults;
	if (!out || opts->version != WARD_PASSPHRASE_OPTS_VERSION)
		return ward_err(err, WARD_EINVAL, "ward_passphrase_opts: unknown version %u",
				opts->version);
	int rc;
	if (opts->fd >= 0)
		rc = from_fd(out, opts->fd, what, err);
	else if (opts->passphrase)
		rc = from_caller(out, opts->passphrase, what, err);
	else
		rc = from_tty(out, opts->tty ? opts->tty : "/dev/tty", what, is_new, err);
	if (!rc && out->len == 0)
		rc = ward_err(err, WARD_EINVAL, "%s: empty passphrase", what);
	if (!rc && is_new && out->len < WARD_LIMIT_PASSPHRASE_MIN)
		rc = ward_err(err, WARD_EINVAL, "%s: a new passphrase needs at least %zu bytes", what,
			      WARD_LIMIT_PASSPHRASE_MIN);
	if (rc)
		passphrase_dispose(out);
	return rc;
}
