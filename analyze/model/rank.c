/*
 * rank.c — the order in which a view's sites are shown.
 *
 * Leaks first, ranked 1.. by bytes per event (then allocations per event, then live bytes, then key, so
 * the order is the same on every run); then calibration (`injected`) sites; with --all the rest,
 * bounded, warmup, stable, each by live bytes at the last event. --top N keeps the first N.
 */
#include <stdlib.h>
#include <string.h>

#include "model/analysis.h"
#include "base/util.h"

static const ls_site *sort_sites; /* qsort has no context argument in C11 */

static int cmp_double_desc(double a, double b)
{
    return a > b ? -1 : a < b ? 1 : 0;
}

static int cmp_sites(const void *pa, const void *pb)
{
    const ls_site *a = &sort_sites[*(const size_t *)pa], *b = &sort_sites[*(const size_t *)pb];
    if (a->g.verdict != b->g.verdict)
        return (int)a->g.verdict - (int)b->g.verdict;
    int c = 0;
    if (a->g.verdict == VERDICT_LEAK || a->g.verdict == VERDICT_INJECTED) {
        if (!(c = cmp_double_desc(a->g.bytes_per_event, b->g.bytes_per_event)))
            c = cmp_double_desc(a->g.allocs_per_event, b->g.allocs_per_event);
    }
    if (!c)
        c = cmp_double_desc(a->live_bytes_end, b->live_bytes_end);
    return c ? c : strcmp(a->key, b->key);
}

void rank_view(ls_view *v, const ls_options *o)
{
    free(v->order);
    v->order = xcalloc(v->nsites, sizeof *v->order);
    v->norder = 0;
    for (size_t i = 0; i < v->nsites; i++) {
        ls_verdict verdict = v->sites[i].g.verdict;
        v->sites[i].rank = 0;
        if (o->all || verdict == VERDICT_LEAK || verdict == VERDICT_INJECTED)
            v->order[v->norder++] = i;
    }
    sort_sites = v->sites;
    qsort(v->order, v->norder, sizeof *v->order, cmp_sites);
    sort_sites = NULL;
    size_t rank = 0;
    for (size_t i = 0; i < v->norder; i++)
        if (v->sites[v->order[i]].g.verdict == VERDICT_LEAK)
            v->sites[v->order[i]].rank = ++rank;
    if (o->top && v->norder > o->top)
        v->norder = o->top;
}
