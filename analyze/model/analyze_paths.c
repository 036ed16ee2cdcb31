/*
 * analyze_paths.c — see analyze_paths.h.
 */
#include "model/analyze_paths.h"

#include <stdlib.h>

#include "read/inputs.h"
#include "base/util.h"

ls_analysis *analyze_paths(const char *const *paths, size_t npaths, const ls_options *o, ls_error *err)
{
    char **files;
    size_t nfiles, n = 0;
    if (inputs_collect(paths, npaths, &files, &nfiles, err) < 0)
        return NULL;
    ls_report **reports = xcalloc(nfiles + 1, sizeof *reports);
    for (size_t i = 0; i < nfiles; i++) {
        ls_report *r = report_read_file(files[i], err);
        if (!r)
            break;
        reports[n++] = r;
        if (r->truncated)
            ls_warn("%s: truncated at line %zu (byte offset %llu): analysed up to the last complete record",
                    r->path, r->truncated_line, (unsigned long long)r->truncated_offset);
    }
    inputs_free(files, nfiles);
    if (err->set) {
        for (size_t i = 0; i < n; i++)
            report_free(reports[i]);
        free(reports);
        return NULL;
    }
    ls_analysis *a = analysis_run(reports, n, o, err);
    free(reports);
    return a;
}
