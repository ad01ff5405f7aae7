/*
 * commands.h - the `ward` program's command groups.  Each cmd_<group>()
 * gets the arguments after its group name (argv[0] is the group name) and
 * returns the process exit status.
 */
#ifndef WARD_BIN_COMMANDS_H
#define WARD_BIN_COMMANDS_H

#include "ward/ward.h"

enum { EXIT_USAGE = 2 };

/* Library codes map to distinct exit codes: 9 - code (10 verify ... 18). */
static inline int exit_code(int code)
{
	return code == 0 ? 0 : 9 - code;
}

/* Prints "ward: <message>" to stderr and returns the exit status. */
int cli_fail(const ward_error *e);

int cmd_client(int argc, char **argv);
int cmd_repo(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_audit(int argc, char **argv);

#define EXIT_STATUS_HELP                                                          \
	"exit status: 0 ok, 2 usage, 10 verification failed, 11 expired,\n"       \
	"  12 rollback, 13 limit exceeded (size, speed), 14 not found, 15 I/O,\n" \
	"  16 network, 17 out of memory, 18 invalid input\n"

#endif
