/*
 * process_growth.c — the whole-process view: RSS, VM and heap live at each event boundary, summed
 * over the view's processes, with a robust slope and intercept each (people compare "slope 3.62 MB
 * per event, intercept 21284 MB"), and the part of the RSS slope the heap slope does not explain
 * (mmap outside malloc, fragmentation, a driver).
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
    v->growth.unexplained = v->growth.rss.slope - v->growth.heap.slope;
}
