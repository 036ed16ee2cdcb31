/*
 * export_series.c — per-event series for the exports (export.h). The analysis keeps only each
 * site's growth numbers, not its series (memory stays at the size of the reports); plots and the
 * NumPy matrix need the series, so they are rebuilt here from the site histories, one site at a time
 * (a process's own view), or copied from the merged view, which keeps its combined series.
 */
#include <stdlib.h>
#include <string.h>

#include "render/export.h"
#include "model/series.h"
#include "base/util.h"

void export_site_series(const ls_analysis *a, const ls_view *v, const ls_site *s, double *bytes)
{
    size_t n = v->events;
    if (s->series_bytes) {   /* the merged view keeps its combined series (merge.c) */
        memcpy(bytes, s->series_bytes, n * sizeof *bytes);
        return;
    }
    double *allocs = xcalloc(n + 1, sizeof *allocs);   /* series_add_site fills both */
    memset(bytes, 0, n * sizeof *bytes);
    for (size_t m = 0; m < s->nmembers; m++) {
        const ls_proc *p = &a->procs[s->members[m].proc];
        series_add_site(&p->r->stacks[s->members[m].stack], p->bounds, p->nbounds, bytes, allocs, n);
    }
    free(allocs);
}

void export_metric_series(const ls_analysis *a, const ls_view *v, int metric, double *out)
{
    if (v->series_metric[metric]) {
        memcpy(out, v->series_metric[metric], v->events * sizeof *out);
        return;
    }
    memset(out, 0, v->events * sizeof *out);
    for (size_t i = 0; i < v->nprocs; i++) {
        const ls_proc *p = &a->procs[v->procs[i]];
        series_add_metric(p->r, p->bounds, p->nbounds, (ls_metric)metric, out, v->events);
    }
}
