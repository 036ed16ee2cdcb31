/*
 * process_growth.c — the whole-process view: RSS, VM, heap live and tracked mappings at each event
 * boundary, summed over the view's processes, with a robust slope and intercept each (people compare
 * "slope 3.62 MB per event, intercept 21284 MB"), and the part of the RSS slope that the heap, the
 * tracked mappings and the tool's own memory together do not explain (fragmentation, untracked
 * mappings, a driver that maps by system call). The tool's own slope stays 0 until reports carry the
 * tool's memory (a `tool` line: add its metric here and subtract it like the others).
 */
#include <string.h>

#include "model/analysis.h"
#include "model/fit.h"
#include "model/series.h"

static ls_fitline fit_metric(const ls_analysis *a, const ls_view *v, ls_metric m, double *y,
                             double *scratch)
{
    memset(y, 0, v->events * sizeof *y);
    for (size_t i = 0; i < v->nprocs; i++) {
        const ls_proc *p = &a->procs[v->procs[i]];
        series_add_metric(p->r, p->bounds, p->nbounds, m, y, v->events);
    }
    ls_fitline f = { 0, 0 };
    if (!v->events)
        return f;
    f.slope = fit_slope(y, v->events, scratch);
    f.intercept = fit_intercept(y, v->events, f.slope, (double)v->first_event, scratch);
    return f;
}

/* scratch holds 2 * v->events doubles */
void process_growth_fit(const ls_analysis *a, ls_view *v, double *scratch)
{
    double *y = scratch + v->events;
    v->growth.rss = fit_metric(a, v, METRIC_RSS, y, scratch);
    v->growth.vm = fit_metric(a, v, METRIC_VM, y, scratch);
    v->growth.heap = fit_metric(a, v, METRIC_HEAP, y, scratch);
    v->growth.mapped = fit_metric(a, v, METRIC_MAPPED, y, scratch);
    v->growth.tool = (ls_fitline){ 0, 0 };
    v->growth.unexplained =
        v->growth.rss.slope - v->growth.heap.slope - v->growth.mapped.slope - v->growth.tool.slope;
}
