/*
 * diag.c — formatting of errors (kept in an ls_error for the caller) and warnings (printed at once).
 */
#include "base/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int warn_quiet;

void ls_error_set(ls_error *err, const char *file, size_t line, const char *fmt, ...)
{
    if (!err || err->set)
        return;
    size_t n = 0;
    if (file && line)
        n = (size_t)snprintf(err->msg, sizeof err->msg, "%s:%zu: ", file, line);
    else if (file)
        n = (size_t)snprintf(err->msg, sizeof err->msg, "%s: ", file);
    if (n >= sizeof err->msg)
        n = sizeof err->msg - 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg + n, sizeof err->msg - n, fmt, ap);
    va_end(ap);
    /* The message must stay one line whatever a file name contains. */
    for (char *p = err->msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    err->set = 1;
}

void ls_warn(const char *fmt, ...)
{
    if (warn_quiet)
        return;
    /* One line of bounded length, as errors are, whatever a path in it holds (a newline, 30 MB) */
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(stderr, "leakstamp-analyze: warning: %s%s\n", msg, n >= (int)sizeof msg ? "..." : "");
}

void ls_warn_quiet(int quiet)
{
    warn_quiet = quiet;
}
