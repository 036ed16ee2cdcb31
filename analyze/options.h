/*
 * options.h — the analyzer's command line, parsed (options.c) into one struct that the analysis
 * and the renderers read. The command line is a contract (integration tests and the wrapper call
 * it): leakstamp-analyze [options] PATH...  — see docs/cli.md.
 */
#ifndef LS_OPTIONS_H
#define LS_OPTIONS_H

#include <regex.h>
#include <stdio.h>
#include <stddef.h>

#include "base/diag.h"

/* FORMAT_CSV and later are the exports (export.h, docs/exports.md). */
typedef enum {
    FORMAT_TEXT, FORMAT_JSON, FORMAT_TSV,
    FORMAT_CSV, FORMAT_COLLAPSED, FORMAT_PPROF, FORMAT_NPY, FORMAT_HTML,
} ls_format;

typedef struct ls_options {
    ls_format format;
    const char *event;        /* --event NAME; NULL: the most frequent stamp name */
    size_t skip;              /* --skip N */
    size_t top;               /* --top N; 0: no limit */
    int all;                  /* --all: list non-leak sites too */
    regex_t *skip_re;         /* --skip-frames REGEX, compiled */
    size_t nskip;
    int timeline;             /* --timeline [EVENT] */
    size_t timeline_event;    /* absolute event number; 0: the last complete event */
    const char *output;       /* -o FILE; NULL: stdout */
    size_t pprof_event;       /* --pprof-event N (absolute); 0: the last analysed event */
    size_t stack_depth;       /* --stack-depth N: frames shown from the site's frame out; 0: automatic */
    int full_stacks;          /* --full-stacks: every frame of a shown stack */
    const char **paths;
    size_t npaths;
    int recursive;            /* -r, --recursive: directories are read with their subdirectories */
    const char *files_from;   /* --files-from FILE|-: more report paths, one per line */
    int strict;               /* --strict: a bad report is an error (exit 2), not skipped */
    int partial;              /* --partial: write a partial (docs/scale.md) to -o, not a report */
    int per_process;          /* --per-process 1, --no-per-process 0, default -1: auto (scale.c) */
    int help, version;
} ls_options;

/* 0 on success; -1 with err set ("option: what is wrong") on a usage error. */
int options_parse(int argc, char **argv, ls_options *o, ls_error *err);
void options_free(ls_options *o);
void options_usage(FILE *out);

#endif
