/*
 * process_growth.c — the whole-process view: RSS, VM, heap live and tracked mappings at each event
 * boundary, summed over the view's processes, with a robust slope and intercept each (people compare
 * "slope 3.62 MB per event, intercept 21284 MB"), and the part of the RSS slope that the heap, the
 * tracked mappings and the tool's own memory together do not explain (fragmentation, untracked
 * mappings, a driver that maps by system call). The tool's own tables grow with the job's live blocks
 * and are in the process's RSS; reports that record them (`toolmem`) have them fitted on their own and
 * left out of the unexplained part, which is then fitted on RSS less the tool's RSS at each stamp.
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

static int report_has_tool_memory(const ls_report *r)
{
    for (size_t i = 0; i < r->nstamps; i++)
        if (r->stamps[i].has_tool)
            return 1;
    return 0;
}

/* scratch holds 2 * v->events doubles */
void process_growth_fit(const ls_analysis *a, ls_view *v, double *scratch)
{
    double *y = scratch + v->events;
    v->growth.rss = fit_metric(a, v, METRIC_RSS, y, scratch);
    v->growth.vm = fit_metric(a, v, METRIC_VM, y, scratch);
    v->growth.heap = fit_metric(a, v, METRIC_HEAP, y, scratch);
    v->growth.mapped = fit_metric(a, v, METRIC_MAPPED, y, scratch);
    v->growth.has_tool = 0;
    for (size_t i = 0; i < v->nprocs; i++)
        v->growth.has_tool |= report_has_tool_memory(a->procs[v->procs[i]].r);
    double job_rss = v->growth.rss.slope;
    if (v->growth.has_tool) {
        v->growth.tool_rss = fit_metric(a, v, METRIC_TOOL_RSS, y, scratch);
        v->growth.tool_vm = fit_metric(a, v, METRIC_TOOL_VM, y, scratch);
        job_rss = fit_metric(a, v, METRIC_JOB_RSS, y, scratch).slope;
    }
    v->growth.unexplained = job_rss - v->growth.heap.slope - v->growth.mapped.slope;
}
