/*
 * launch/diag.c — how the launcher speaks: a usage error is one line "leakstamp: what is wrong" on
 * stderr and exit status 2 (docs/cli.md); other notes are one line with the same prefix. The job's own
 * output is never touched. Allocation failure in the launcher is fatal (it has done nothing yet).
 */
#include "launch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void vsay(const char *fmt, va_list ap)
{
    fputs("leakstamp: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
}

void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
}

noreturn void die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
    exit(LS_EXIT_USAGE);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_usage("out of memory");
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        die_usage("out of memory");
    return s;
}
