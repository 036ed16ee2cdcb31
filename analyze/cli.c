/*
 * cli.c — the command: options -> input files -> reports -> analysis -> renderer.
 *
 * Every failure is one line on stderr, "leakstamp-analyze: " + the error (which names the file and
 * line, or the option), and exit code 2; nothing is written to the output then. Truncated reports
 * are analysed with one warning line each.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/analysis.h"
#include "render/export.h"
#include "gate/gate.h"
#include "read/inputs.h"
#include "options.h"
#include "progress.h"
#include "render/render.h"
#include "base/util.h"

static int print_bad_input(ls_error *err)
{
    fprintf(stderr, "leakstamp-analyze: %s\n", err->msg);
    return EXIT_BAD_INPUT;
}

static void warn_truncated(const ls_report *r)
{
    ls_warn("%s: truncated at line %zu (byte offset %llu): analysed up to the last complete record",
            r->path, r->truncated_line, (unsigned long long)r->truncated_offset);
}

static int read_reports(const ls_options *o, ls_report ***reports, size_t *n, ls_error *err)
{
    char **files;
    size_t nfiles;
    if (inputs_collect(o->paths, o->npaths, &files, &nfiles, err) < 0)
        return -1;
    *reports = xcalloc(nfiles, sizeof **reports);
    *n = 0;
    for (size_t i = 0; i < nfiles; i++) {
        ls_report *r = report_read_file(files[i], err);
        if (!r)
            break;
        (*reports)[(*n)++] = r;
        if (r->truncated)
            warn_truncated(r);
    }
    inputs_free(files, nfiles);
    return err->set ? -1 : 0;
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

static int analyze_and_write(const ls_options *o, ls_error *err)
{
    ls_report **reports = NULL;
    size_t n = 0;
    if (read_reports(o, &reports, &n, err) < 0) {
        for (size_t i = 0; i < n; i++)
            report_free(reports[i]);
        free(reports);
        return EXIT_BAD_INPUT;
    }
    ls_analysis *a = analysis_run(reports, n, o, err);
    free(reports);
    if (!a)
        return EXIT_BAD_INPUT;
    int rc = write_output(a, o, err);
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
