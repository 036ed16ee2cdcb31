/*
 * cli.h — the whole command, callable in-process: main.c only calls this, and the unit tests call it
 * with argument vectors to check exit codes and output without spawning the binary.
 */
#ifndef LS_CLI_H
#define LS_CLI_H

/* Exit codes (documented in docs/cli.md). */
enum { EXIT_OK = 0, EXIT_BAD_INPUT = 2, EXIT_FAILURE_INTERNAL = 3 };

int ls_cli_main(int argc, char **argv);

#endif
