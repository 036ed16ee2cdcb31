/*
 * export.c — chooses and runs one export (export.h): opens the output, calls the renderer, and turns
 * a write failure into the analyzer's exit code 3 like cli.c does for text/JSON/TSV.
 *
 * The npy export writes several files, so -o names a directory there and is required: NumPy arrays
 * on standard output would be one unreadable stream.
 */
#include "render/export.h"

#include <errno.h>
#include <string.h>

#include "cli.h"

static const struct { const char *name; ls_format f; } formats[] = {
    { "csv", FORMAT_CSV }, { "collapsed", FORMAT_COLLAPSED }, { "pprof", FORMAT_PPROF },
    { "npy", FORMAT_NPY }, { "html", FORMAT_HTML },
};

int export_format(const char *name, ls_format *f)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (!strcmp(name, formats[i].name)) {
            *f = formats[i].f;
            return 1;
        }
    return 0;
}

int export_write(const ls_analysis *a, const ls_options *o, ls_error *err)
{
    if (o->format == FORMAT_NPY) {
        if (!o->output) {
            ls_error_set(err, NULL, 0, "--format npy: needs -o DIR (it writes several files)");
            return EXIT_BAD_INPUT;
        }
        return render_npy(o->output, a, o, err) < 0 ? EXIT_BAD_INPUT : EXIT_OK;
    }
    FILE *out = o->output ? fopen(o->output, "w") : stdout;
    if (!out) {
        ls_error_set(err, o->output, 0, "cannot write: %s", strerror(errno));
        return EXIT_BAD_INPUT;
    }
    int rc = 0;
    switch (o->format) {
    case FORMAT_CSV: render_csv(out, a, o); break;
    case FORMAT_COLLAPSED: render_collapsed(out, a, o); break;
    case FORMAT_PPROF: rc = render_pprof(out, a, o, err); break;
    case FORMAT_HTML: render_html(out, a, o); break;
    default: break;
    }
    int bad = fflush(out) != 0 || ferror(out);
    if (o->output && fclose(out) != 0)
        bad = 1;
    if (rc < 0) {
        if (o->output)
            remove(o->output);   /* nothing is written on a usage error (docs/cli.md) */
        return EXIT_BAD_INPUT;
    }
    if (bad) {
        ls_error_set(err, o->output ? o->output : "standard output", 0, "write error: %s",
                     strerror(errno));
        return EXIT_FAILURE_INTERNAL;
    }
    return EXIT_OK;
}
