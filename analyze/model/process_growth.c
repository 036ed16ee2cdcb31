/*
 * process_growth.c — the whole-process view: RSS, VM, heap live and tracked mappings at each event
 * boundary, summed over the view's processes, with a robust slope and intercept each (people compare
 * "slope 3.62 MB per event, intercept 21284 MB"), and the part of the RSS slope that the heap and the
 * tracked mappings together do not explain (fragmentation, untracked mappings, a driver that maps by
 * system call). The tool's own tables grow with the job's live blocks and are in the process's RSS;
 * reports that record them (`toolmem`) have them fitted on their own and left out of the unexplained
 * part, which is then fitted on RSS less the tool's RSS at each stamp.
 * A process's own view sums its report's stamps; the merged view fits the series merge.c combined from
 * every process's own events.
 */
#include <string.h>

#include "model/analysis.h"
#include "model/fit.h"
#include "model/series.h"

static ls_fitline fit_line(const ls_view *v, const double *y, double *scratch)
{
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

/* fits: one per ls_metric */
static void set_growth(ls_view *v, const ls_fitline *fits, int has_tool)
{
    ls_process_growth *g = &v->growth;
    g->rss = fits[METRIC_RSS];
    g->vm = fits[METRIC_VM];
    g->heap = fits[METRIC_HEAP];
    g->mapped = fits[METRIC_MAPPED];
    g->has_tool = has_tool;
    g->tool_rss = has_tool ? fits[METRIC_TOOL_RSS] : (ls_fitline){ 0, 0 };
    g->tool_vm = has_tool ? fits[METRIC_TOOL_VM] : (ls_fitline){ 0, 0 };
    double job_rss = has_tool ? fits[METRIC_JOB_RSS].slope : g->rss.slope;
    g->unexplained = job_rss - g->heap.slope - g->mapped.slope;
}

/* scratch holds 2 * v->events doubles */
void process_growth_fit(const ls_analysis *a, ls_view *v, double *scratch)
{
    double *y = scratch + v->events;
    ls_fitline fits[LS_METRICS];
    int has_tool = 0;
    for (size_t i = 0; i < v->nprocs; i++)
        has_tool |= report_has_tool_memory(a->procs[v->procs[i]].r);
    for (int k = 0; k < LS_METRICS; k++) {
        memset(y, 0, v->events * sizeof *y);
        for (size_t i = 0; i < v->nprocs; i++) {
            const ls_proc *p = &a->procs[v->procs[i]];
            series_add_metric(p->r, p->bounds, p->nbounds, (ls_metric)k, y, v->events);
        }
        fits[k] = fit_line(v, y, scratch);
    }
    set_growth(v, fits, has_tool);
}

/* y: one series per ls_metric; scratch holds v->events doubles */
void process_growth_fit_series(ls_view *v, double *const y[LS_METRICS], int has_tool, double *scratch)
{
    ls_fitline fits[LS_METRICS];
    for (int k = 0; k < LS_METRICS; k++)
        fits[k] = fit_line(v, y[k], scratch);
    set_growth(v, fits, has_tool);
}
