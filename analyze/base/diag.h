/*
 * diag.h — the analyzer's error and warning reporting.
 *
 * Bad input must end the program with ONE line that names the file (and line or byte offset) and what
 * is wrong, and exit code 2. Library functions therefore never print errors: they fill an ls_error and
 * return failure, and only the command line (cli.c) prints it. Warnings (truncated report, build-id
 * mismatch) are not failures and go straight to stderr, at most once per cause.
 */
#ifndef LS_DIAG_H
#define LS_DIAG_H

#include <stddef.h>

typedef struct ls_error {
    int set;
    char msg[1024];
} ls_error;

/* "FILE:LINE: what" (LINE 0 leaves it out). Keeps the first error: later ones are consequences. */
void ls_error_set(ls_error *err, const char *file, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* One warning line on stderr, prefixed "leakstamp-analyze: warning: ". */
void ls_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Tests silence warnings with this (1 = quiet). */
void ls_warn_quiet(int quiet);

#endif
