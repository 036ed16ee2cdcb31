/*
 * launch/run_options.c — the options `leakstamp run` and `leakstamp gate` share (docs/cli.md), each
 * turned into the LEAKSTAMP_* variable the library reads (docs/environment.md), and the check of the
 * command that follows them. Values are checked here, so that a typo is one line and exit 2 before the
 * job runs; sizes with the one SIZE grammar of common/size.c, as the library will read them.
 */
#include "launch.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "size.h"

static void set(const char *var, const char *value)
{
    if (setenv(var, value, 1) != 0)
        die_usage("out of memory");
}

/* A whole number from 1 to 256, digits only (leading zeros allowed, as the shell's test reads them). */
static int depth_ok(const char *s)
{
    unsigned long v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > 256)
            return 0;
    }
    return v >= 1;
}

static int size_ok(const char *s)
{
    uint64_t v;
    return ls_size_parse(s, &v) == 0;
}

/* Event numbers for --scan: "20" or "10,20", each from 1, no empty item. */
static int event_list_ok(const char *s)
{
    for (;;) {
        if (*s < '1' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
        if (!*s)
            return 1;
        if (*s++ != ',')
            return 0;
    }
}

static void add_stamp(struct run_opts *o, const char *name)
{
    const char **n = realloc(o->stamps, (o->nstamps + 1) * sizeof *n);
    if (!n)
        die_usage("out of memory");
    o->stamps = n;
    o->stamps[o->nstamps++] = name;
}

static int nonempty(const char *s)
{
    return s[0] != '\0';
}

/* The options that set one variable from their value. */
static const struct valued_opt {
    const char *name, *var;
    int (*ok)(const char *);        /* NULL: any value */
    const char *missing;            /* the message when the value is missing (or empty, with nonempty) */
    const char *bad;                /* "%s" is the value */
    int eq_form;                    /* --name=VALUE accepted too */
} valued[] = {
    { "--depth", "LEAKSTAMP_DEPTH", depth_ok, "--depth needs a number",
      "--depth %s: expected a whole number from 1 to 256", 0 },
    { "--sample", "LEAKSTAMP_SAMPLE", size_ok, "--sample needs a size in bytes (e.g. 64KiB)",
      "--sample %s: expected a size such as 65536, 64KiB or 1MiB", 0 },
    { "--meta-env", "LEAKSTAMP_META_ENV", NULL, "--meta-env needs a list of names", NULL, 0 },
    { "--event", "LEAKSTAMP_EVENT", nonempty, "--event needs a function name",
      "--event needs a function name", 1 },
    { "--inject", "LEAKSTAMP_INJECT", size_ok, "--inject needs a size",
      "--inject %s: expected a size such as 4096, 512KiB or 1MiB", 0 },
    { "--scan", "LEAKSTAMP_SCAN", event_list_ok, "--scan needs event numbers (e.g. 20 or 10,20)",
      "--scan %s: expected event numbers such as 20 or 10,20", 1 },
};

/* The options that set one variable to a fixed value. */
static const struct flag_opt { const char *short_name, *name, *var, *value; } flags[] = {
    { NULL, "--no-follow-exec", "LEAKSTAMP_FOLLOW_EXEC", "0" },
    { NULL, "--no-scan", "LEAKSTAMP_SCAN", "0" },
    { "-v", "--verbose", "LEAKSTAMP_VERBOSE", "1" },
};

/* The value after "--opt=", or NULL when arg is not that option in that form. */
static const char *eq_value(const char *arg, const char *opt)
{
    size_t n = strlen(opt);
    return strncmp(arg, opt, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

static int parse_valued(const struct valued_opt *d, const char *a, const char *v)
{
    const char *eq = d->eq_form ? eq_value(a, d->name) : NULL;
    if (eq) {
        set(d->var, eq);
        return 1;
    }
    if (strcmp(a, d->name))
        return 0;
    if (!v || (d->ok == nonempty && !v[0]))
        die_usage("%s", d->missing);
    if (d->ok && !d->ok(v))
        die_usage(d->bad, v);
    set(d->var, v);
    return 2;
}

int parse_run_opt(struct run_opts *o, int argc, char **argv)
{
    const char *a = argv[0], *v = argc >= 2 ? argv[1] : NULL, *eq;
    if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
        if (!v || !v[0] || !strcmp(v, "--"))
            die_usage("%s needs a directory", a);
        o->out = v;
        return 2;
    }
    if ((eq = eq_value(a, "--out"))) {
        o->out = eq[0] ? eq : NULL;
        return 1;
    }
    if (!strcmp(a, "--stamp")) {
        if (!v || !v[0])
            die_usage("--stamp needs a function name");
        add_stamp(o, v);
        return 2;
    }
    if ((eq = eq_value(a, "--stamp"))) {
        add_stamp(o, eq);
        return 1;
    }
    if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
        o->quiet = 1;
        return 1;
    }
    for (size_t k = 0; k < sizeof valued / sizeof *valued; k++) {
        int used = parse_valued(&valued[k], a, v);
        if (used)
            return used;
    }
    for (size_t k = 0; k < sizeof flags / sizeof *flags; k++)
        if (!strcmp(a, flags[k].name) || (flags[k].short_name && !strcmp(a, flags[k].short_name))) {
            set(flags[k].var, flags[k].value);
            return 1;
        }
    return 0;
}

/* --stamp names joined by ';': they may hold commas and spaces (C++ parameter lists). */
static void export_stamps(const struct run_opts *o)
{
    size_t len = 1;
    for (size_t i = 0; i < o->nstamps; i++)
        len += strlen(o->stamps[i]) + 1;
    char *joined = xmalloc(len), *p = joined;
    for (size_t i = 0; i < o->nstamps; i++) {
        if (i)
            *p++ = ';';
        size_t n = strlen(o->stamps[i]);
        memcpy(p, o->stamps[i], n);
        p += n;
    }
    *p = '\0';
    set("LEAKSTAMP_STAMPS", joined);
    free(joined);
}

static int nonempty_env(const char *var)
{
    const char *v = getenv(var);
    return v && v[0];
}

/* A path that exists but cannot be run is the shell's 126 with its reason; anything else is not found. */
static noreturn void refuse_command(const struct run_opts *o, const char *name)
{
    struct stat st;
    if (strchr(name, '/') && stat(name, &st) == 0) {
        say("%s: %s: %s", o->cmd, name, S_ISDIR(st.st_mode) ? "Is a directory" : strerror(EACCES));
        exit(126);
    }
    die_usage("%s: %s: command not found", o->cmd, name);
}

struct job prepare_job(struct run_opts *o, char **argv)
{
    struct job j = { .argv = argv };
    if (!argv[0])
        die_usage("%s: no command given (usage: leakstamp %s [options] -- COMMAND [ARGS])", o->cmd, o->cmd);
    if (o->nstamps)
        export_stamps(o);
    if (nonempty_env("LEAKSTAMP_INJECT") && !nonempty_env("LEAKSTAMP_EVENT"))
        die_usage("--inject needs --event (the injected leak happens at every entry of the event function)");
    j.exe = find_command(argv[0]);
    if (!j.exe)
        refuse_command(o, argv[0]);
    j.lib = find_lib();
    if (!j.lib)
        die_usage("%s: libleakstamp.so not found (run 'make' first)", o->cmd);
    j.untracked = untracked_reason(j.exe);
    return j;
}
