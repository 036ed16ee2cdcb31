/*
 * rank.c — the order in which a view's sites and locations are shown.
 *
 * Leaks first, ranked 1.. by the worst single process's bytes per event (ls_site.worst: what fails
 * first; a process's own view and a one-process run: its bytes per event; docs/statistics.md "Many
 * processes"), then bytes per event, allocations per event, live bytes, key (so the order is the same
 * on every run); then calibration (`injected`) sites; with --all the rest, bounded, warmup, stable,
 * undecided, each by live bytes at the last event. --top N keeps the first N.
 * Sites and locations (locations.c) are ranked by the same rules, each among their own kind.
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
        if (!(c = cmp_double_desc(a->worst, b->worst)) &&
            !(c = cmp_double_desc(a->g.bytes_per_event, b->g.bytes_per_event)))
            c = cmp_double_desc(a->g.allocs_per_event, b->g.allocs_per_event);
    }
    if (!c)
        c = cmp_double_desc(a->live_bytes_end, b->live_bytes_end);
    return c ? c : strcmp(a->key, b->key);
}

static void rank_sites(ls_site *sites, size_t nsites, size_t **order, size_t *norder, const ls_options *o)
{
    free(*order);
    *order = xcalloc(nsites + 1, sizeof **order);
    *norder = 0;
    for (size_t i = 0; i < nsites; i++) {
        ls_verdict verdict = sites[i].g.verdict;
        sites[i].rank = 0;
        if (o->all || verdict == VERDICT_LEAK || verdict == VERDICT_INJECTED)
            (*order)[(*norder)++] = i;
    }
    sort_sites = sites;
    qsort(*order, *norder, sizeof **order, cmp_sites);
    sort_sites = NULL;
    size_t rank = 0;
    for (size_t i = 0; i < *norder; i++)
        if (sites[(*order)[i]].g.verdict == VERDICT_LEAK)
            sites[(*order)[i]].rank = ++rank;
    if (o->top && *norder > o->top)
        *norder = o->top;
}

void rank_view(ls_view *v, const ls_options *o)
{
    rank_sites(v->sites, v->nsites, &v->order, &v->norder, o);
    rank_sites(v->locs, v->nlocs, &v->loc_order, &v->nloc_order, o);
}
