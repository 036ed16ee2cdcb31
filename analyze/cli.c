/*
 * cli.c — the command: options -> input files -> reports -> analysis -> renderer.
 *
 * Every failure is one line on stderr, "leakstamp-analyze: " + the error (which names the file and
 * line, or the option), and exit code 2; nothing is written to the output then. Reading the inputs
 * (skipped and truncated reports, partials) is analyze_paths.c's; --partial writes a partial instead.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/analysis.h"
#include "model/analyze_paths.h"
#include "model/partial.h"
#include "render/export.h"
#include "gate/gate.h"
#include "options.h"
#include "progress.h"
#include "render/render.h"
#include "base/util.h"

static int print_bad_input(ls_error *err)
{
    fprintf(stderr, "leakstamp-analyze: %s\n", err->msg);
    return EXIT_BAD_INPUT;
}

static int write_output(const ls_analysis *a, const ls_options *o, ls_error *err)
{
    if (o->format >= FORMAT_CSV)      /* the exports: export.c */
        return export_write(a, o, err);
    FILE *out = o->output ? fopen(o->output, "w") : stdout;
    if (!out) {
        ls_error_set(err, o->output, 0, "cannot write: %s", strerror(errno));
        return EXIT_BAD_INPUT;
    }
    if (o->format == FORMAT_JSON)
        render_json(out, a, o);
    else if (o->format == FORMAT_TSV)
        render_tsv(out, a, o);
    else
        render_text(out, a, o);
    int bad = fflush(out) != 0 || ferror(out);
    if (o->output && fclose(out) != 0)
        bad = 1;
    if (bad) {
        ls_error_set(err, o->output ? o->output : "standard output", 0, "write error: %s",
                     strerror(errno));
        return EXIT_FAILURE_INTERNAL;
    }
    return EXIT_OK;
}

static int write_partial(const ls_analysis *a, const ls_options *o, ls_error *err)
{
    FILE *out = fopen(o->output, "w");
    if (!out) {
        ls_error_set(err, o->output, 0, "cannot write: %s", strerror(errno));
        return EXIT_BAD_INPUT;
    }
    int bad = partial_write(out, a) < 0;
    if (fclose(out) != 0 || bad) {
        ls_error_set(err, o->output, 0, "write error: %s", strerror(errno));
        return EXIT_FAILURE_INTERNAL;
    }
    return EXIT_OK;
}

static int analyze_and_write(const ls_options *o, ls_error *err)
{
    ls_analysis *a = analyze_paths(o->paths, o->npaths, o, err);
    if (!a)
        return EXIT_BAD_INPUT;
    int rc = o->partial ? write_partial(a, o, err) : write_output(a, o, err);
    analysis_free(a);
    return rc;
}

int ls_cli_main(int argc, char **argv)
{
    if (gate_requested(argc, argv))   /* the CI gate: gate.c */
        return gate_main(argc, argv);
    if (progress_requested(argc, argv)) /* leakstamp run --progress: progress.c */
        return progress_main(argc, argv);
    ls_options o;
    ls_error err = { 0 };
    if (options_parse(argc, argv, &o, &err) < 0) {
        options_free(&o);
        return print_bad_input(&err);
    }
    int rc = EXIT_OK;
    if (o.help)
        options_usage(stdout);
    else if (o.version)
        printf("leakstamp-analyze %s\n", LEAKSTAMP_VERSION);
    else if ((rc = analyze_and_write(&o, &err)) != EXIT_OK) {
        fprintf(stderr, "leakstamp-analyze: %s\n", err.msg);
    }
    options_free(&o);
    return rc;
}
