/*
 * options.c — parses the command line into ls_options (see options.h, docs/cli.md).
 *
 * Hand-written rather than getopt_long: `--timeline` takes an optional event number that may follow
 * as a separate word (`--timeline 12 out/`), which getopt cannot express, and every bad value must
 * produce one line naming the option.
 */
#include "options.h"

#include <stdlib.h>
#include <string.h>

#include "render/export.h"
#include "base/util.h"

void options_usage(FILE *out)
{
    fputs("usage: leakstamp-analyze [options] PATH...\n"
          "Rank the call sites whose live memory grows per event in leakstamp reports.\n"
          "PATH is a report file, or a directory whose *.lsr files are all read.\n"
          "\n"
          "  --format FORMAT         text (default), json, tsv, or an export: csv, collapsed,\n"
          "                          pprof, npy (-o DIR), html (docs/exports.md)\n"
          "  --event NAME            stamp name that starts an event (default: the run's --event, else the most frequent)\n"
          "  --skip N                ignore each process's first N events\n"
          "  --top N                 show at most N sites\n"
          "  --all                   also list sites that are not leaks (warmup, bounded, stable)\n"
          "  --skip-frames REGEX     never name a site by a function matching this POSIX ERE\n"
          "                          (repeatable; e.g. pool allocators, '^std::')\n"
          "  --timeline [EVENT]      stamps of one event (default: the last complete one) and the\n"
          "                          intervals between stamps in which memory grows\n"
          "  --stack-depth N         text and html: show N frames of each stack from the site's\n"
          "                          frame outwards (default: up to the first frame outside the\n"
          "                          job's code past the event function)\n"
          "  --full-stacks           text and html: show every frame of each stack\n"
          "  --pprof-event N         --format pprof: the heap profile at event N (default: the\n"
          "                          last analysed event)\n"
          "  -o, --output FILE       write to FILE instead of standard output\n"
          "  -r, --recursive         read directories with their subdirectories\n"
          "  --files-from FILE       also read the report paths listed in FILE, one per line (- : stdin)\n"
          "  --strict                a corrupt or unreadable report is an error (default: skipped)\n"
          "  --partial               write a partial (-o FILE.lsp) to merge later (docs/scale.md)\n"
          "  --per-process, --no-per-process\n"
          "                          keep or drop each process's own site list (default: kept for\n"
          "                          up to 100 processes)\n"
          "  -h, --help              this help\n"
          "  -V, --version           print the version\n"
          "\n"
          "Exit status: 0 success, 2 bad input or usage, 3 out of memory or write error.\n",
          out);
}

static int parse_count(const char *opt, const char *s, size_t *out, int positive, ls_error *err)
{
    char *end;
    if (!s || !*s || *s < '0' || *s > '9') {
        ls_error_set(err, NULL, 0, "%s %s: not a %s integer", opt, s ? s : "(missing)",
                     positive ? "positive" : "non-negative");
        return -1;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || (positive && v == 0) || v > (unsigned long long)SIZE_MAX / 2) {
        ls_error_set(err, NULL, 0, "%s %s: not a %s integer", opt, s,
                     positive ? "positive" : "non-negative");
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

static int add_regex(ls_options *o, const char *src, ls_error *err)
{
    o->skip_re = xrealloc(o->skip_re, (o->nskip + 1) * sizeof *o->skip_re);
    int rc = regcomp(&o->skip_re[o->nskip], src, REG_EXTENDED | REG_NOSUB);
    if (rc) {
        char msg[256];
        regerror(rc, &o->skip_re[o->nskip], msg, sizeof msg);
        ls_error_set(err, NULL, 0, "--skip-frames %s: bad regular expression: %s", src, msg);
        return -1;
    }
    o->nskip++;
    return 0;
}

static int set_format(ls_options *o, const char *v, ls_error *err)
{
    if (v && !strcmp(v, "text"))
        o->format = FORMAT_TEXT;
    else if (v && !strcmp(v, "json"))
        o->format = FORMAT_JSON;
    else if (v && !strcmp(v, "tsv"))
        o->format = FORMAT_TSV;
    else if (v && export_format(v, &o->format)) {
        if (o->format == FORMAT_HTML)
            o->timeline = 1;   /* the HTML page draws one event's stamps */
    } else {
        ls_error_set(err, NULL, 0, "--format %s: expected text, json, tsv, csv, collapsed, pprof, npy or html",
                     v ? v : "(missing)");
        return -1;
    }
    return 0;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* An option with a value: "--name VALUE" or "--name=VALUE". Sets *value (NULL if missing). */
static int takes(const char *arg, const char *name, int argc, char **argv, int *i, const char **value)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n))
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n])
        return 0;
    *value = *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
}

static int parse_timeline(ls_options *o, const char *arg, int argc, char **argv, int *i, ls_error *err)
{
    o->timeline = 1;
    if (!strncmp(arg, "--timeline=", 11))
        return parse_count("--timeline", arg + 11, &o->timeline_event, 1, err);
    if (*i + 1 < argc && all_digits(argv[*i + 1]))
        return parse_count("--timeline", argv[++*i], &o->timeline_event, 1, err);
    return 0;
}

static int missing(const char *opt, const char *v, ls_error *err)
{
    if (v)
        return 0;
    ls_error_set(err, NULL, 0, "%s: missing value", opt);
    return -1;
}

static int parse_one(ls_options *o, int argc, char **argv, int *i, ls_error *err)
{
    const char *a = argv[*i], *v = NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help"))
        o->help = 1;
    else if (!strcmp(a, "-V") || !strcmp(a, "--version"))
        o->version = 1;
    else if (!strcmp(a, "--all"))
        o->all = 1;
    else if (!strcmp(a, "--full-stacks"))
        o->full_stacks = 1;
    else if (!strcmp(a, "-r") || !strcmp(a, "--recursive"))
        o->recursive = 1;
    else if (!strcmp(a, "--strict"))
        o->strict = 1;
    else if (!strcmp(a, "--partial"))
        o->partial = 1;
    else if (!strcmp(a, "--per-process") || !strcmp(a, "--no-per-process"))
        o->per_process = a[2] == 'p';
    else if (!strcmp(a, "--timeline") || !strncmp(a, "--timeline=", 11))
        return parse_timeline(o, a, argc, argv, i, err);
    else if (takes(a, "--format", argc, argv, i, &v))
        return set_format(o, v, err);
    else if (takes(a, "--event", argc, argv, i, &v)) {
        if (missing("--event", v, err) < 0)
            return -1;
        o->event = v;
    } else if (takes(a, "--files-from", argc, argv, i, &v)) {
        if (missing("--files-from", v, err) < 0)
            return -1;
        o->files_from = v;
    } else if (takes(a, "--skip-frames", argc, argv, i, &v))
        return missing("--skip-frames", v, err) < 0 ? -1 : add_regex(o, v, err);
    else if (takes(a, "--skip", argc, argv, i, &v))
        return parse_count("--skip", v, &o->skip, 0, err);
    else if (takes(a, "--pprof-event", argc, argv, i, &v))
        return parse_count("--pprof-event", v, &o->pprof_event, 1, err);
    else if (takes(a, "--stack-depth", argc, argv, i, &v))
        return parse_count("--stack-depth", v, &o->stack_depth, 1, err);
    else if (takes(a, "--top", argc, argv, i, &v))
        return parse_count("--top", v, &o->top, 1, err);
    else if (takes(a, "--output", argc, argv, i, &v) || takes(a, "-o", argc, argv, i, &v)) {
        if (missing("-o", v, err) < 0)
            return -1;
        o->output = v;
    } else {
        ls_error_set(err, NULL, 0, "%s: unknown option (--help lists them)", a);
        return -1;
    }
    return 0;
}

int options_parse(int argc, char **argv, ls_options *o, ls_error *err)
{
    memset(o, 0, sizeof *o);
    o->per_process = -1;
    o->paths = xcalloc((size_t)argc + 1, sizeof *o->paths);
    int only_paths = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_paths && !strcmp(a, "--"))
            only_paths = 1;
        else if (!only_paths && a[0] == '-' && a[1])
        {
            if (parse_one(o, argc, argv, &i, err) < 0)
                return -1;
        } else
            o->paths[o->npaths++] = a;
    }
    if (o->pprof_event && o->format != FORMAT_PPROF) {   /* no other output has one event's profile */
        ls_error_set(err, NULL, 0, "--pprof-event %zu: only with --format pprof", o->pprof_event);
        return -1;
    }
    if (o->partial && !o->output) {
        ls_error_set(err, NULL, 0, "--partial: needs -o FILE (the partial is not for a terminal)");
        return -1;
    }
    if (!o->npaths && !o->files_from && !o->help && !o->version) {
        ls_error_set(err, NULL, 0, "no report given (usage: leakstamp-analyze [options] PATH...)");
        return -1;
    }
    return 0;
}

void options_free(ls_options *o)
{
    for (size_t i = 0; i < o->nskip; i++)
        regfree(&o->skip_re[i]);
    free(o->skip_re);
    free(o->paths);
    memset(o, 0, sizeof *o);
}
