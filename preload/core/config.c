/*
 * config.c — reads the LEAKSTAMP_* variables once at start-up and prints the tool's own messages.
 *
 * Every variable is documented in docs/environment.md. Messages go to stderr with a "leakstamp: "
 * prefix, written with one write(2) so they never interleave with the job's own output mid-line; by
 * default the tool prints only when it cannot work (LEAKSTAMP_VERBOSE=1 adds progress lines).
 */
#include "core/core.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ls_config ls_config;

static void vsay(const char *fmt, va_list ap)
{
    static const char prefix[] = "leakstamp: ";
    char line[1024];
    size_t room = sizeof line - 1;   /* keep one byte for the newline */
    size_t len = sizeof prefix - 1;
    memcpy(line, prefix, len);
    int m = vsnprintf(line + len, room - len, fmt, ap);
    if (m < 0)
        return;
    len += (size_t)m < room - len ? (size_t)m : room - len - 1;
    line[len++] = '\n';
    ssize_t w = write(2, line, len);
    (void)w;
}

void ls_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
}

void ls_verbose(const char *fmt, ...)
{
    if (!ls_config.verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
}

/* A whole non-negative decimal number within [lo, hi]; anything else is a bad value. */
static int parse_int(const char *name, const char *v, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi) {
        ls_say("%s=%s: expected a whole number from %ld to %ld; job runs untracked", name, v, lo, hi);
        return -1;
    }
    *out = (int)n;
    return 0;
}

static int parse_bool(const char *name, const char *v, int *out)
{
    if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "true"))
        *out = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "false"))
        *out = 0;
    else {
        ls_say("%s=%s: expected 1, yes, on, true or 0, no, off, false; job runs untracked", name, v);
        return -1;
    }
    return 0;
}

/* A size with an optional unit: 4096, 512KiB, 1MiB, 2 GB (LEAKSTAMP_SAMPLE, LEAKSTAMP_INJECT). */
/* Made absolute now, before the job can chdir. */
static int load_out_dir(void)
{
    const char *v = getenv("LEAKSTAMP_OUT");
    if (!v || !*v)
        v = ".";
    char *abs = realpath(v, NULL);   /* under the tool guard: the real malloc */
    if (!abs) {
        ls_say("cannot write reports to %s: %s; job runs untracked", v, strerror(errno));
        return -1;
    }
    size_t n = strlen(abs);
    if (n >= sizeof ls_config.out_dir) {
        ls_say("LEAKSTAMP_OUT path is too long; job runs untracked");
        free(abs);
        return -1;
    }
    memcpy(ls_config.out_dir, abs, n + 1);
    free(abs);
    return 0;
}

int ls_config_load(void)
{
    const char *v;
    ls_config.depth = 64;
    ls_config.follow_exec = 1;
    if ((v = getenv("LEAKSTAMP_VERBOSE")) && *v && parse_bool("LEAKSTAMP_VERBOSE", v, &ls_config.verbose))
        return -1;
    if ((v = getenv("LEAKSTAMP_DEPTH")) && *v &&
        parse_int("LEAKSTAMP_DEPTH", v, 1, LS_MAX_DEPTH, &ls_config.depth))
        return -1;
    if ((v = getenv("LEAKSTAMP_FOLLOW_EXEC")) && *v &&
        parse_bool("LEAKSTAMP_FOLLOW_EXEC", v, &ls_config.follow_exec))
        return -1;
    if ((v = getenv("LEAKSTAMP_VERIFY_UNWIND")) && *v &&
        parse_bool("LEAKSTAMP_VERIFY_UNWIND", v, &ls_config.verify_unwind))
        return -1;
    if ((v = getenv("LEAKSTAMP_SAMPLE")) && *v) {
        if (ls_size_parse(v, &ls_config.sample)) {
            ls_say("LEAKSTAMP_SAMPLE=%s: expected a mean interval in bytes such as 524288 or 512KiB "
                   "(0 for exact); job runs untracked", v);
            return -1;
        }
        if (ls_config.sample)
            ls_sample_start();
    }
    int seed = 0;
    if ((v = getenv("LEAKSTAMP_SAMPLE_SEED")) && *v && parse_int("LEAKSTAMP_SAMPLE_SEED", v, 0, 2147483647, &seed))
        return -1;
    ls_config.sample_seed = (uint64_t)seed;
    ls_config.meta_env = getenv("LEAKSTAMP_META_ENV");
    return load_out_dir();
}
