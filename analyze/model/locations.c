/*
 * locations.c — allocation locations: a view's sites grouped by their display frame (function, file,
 * line, module), the rows the report ranks, as heaptrack's bottom-up view and pprof --lines do.
 *
 * A site is one call path to its display frame. Code that allocates for whoever calls it first — a
 * pool whose Grow() refills the free list when it runs dry — spreads one steady growth over several
 * paths in turns, and no path on its own shows it; their sum at the location does. A location is an
 * ls_site of its own (members: its paths' members), analysed like any site, so every verdict rule and
 * renderer applies to it; its paths keep their own numbers and show their share of its growth.
 * --skip-frames moves display frames, and with them the locations.
 */
#include <stdlib.h>

#include "model/analysis.h"
#include "model/frames.h"
#include "base/util.h"

static size_t location_for(ls_analysis *a, ls_view *v, size_t si)
{
    const ls_site *s = &v->sites[si];
    const char *key = s->nframes ? frames_key(&a->pool, s->frames, s->display + 1, s->display) : s->key;
    key = analysis_kind_key(a, s->kind, key);   /* a mapping location stands apart from the heap's */
    long at = u64map_get(&v->loc_by_key, (uint64_t)(uintptr_t)key);
    if (at >= 0)
        return (size_t)at;
    ls_site loc = { .key = key, .kind = s->kind, .file = s->file, .frames = s->frames, .nframes = s->nframes,
                    .display = s->display, .function = s->function, .runtime = s->runtime };
    u64map_put(&v->loc_by_key, (uint64_t)(uintptr_t)key, (uint32_t)v->nlocs);
    VEC_PUSH(v->locs, v->nlocs, v->cap_locs, loc);
    return v->nlocs - 1;
}

double location_path_share(const ls_site *loc, const ls_site *path)
{
    double total = loc->live_bytes_end - loc->live_bytes_start;
    double part = path->live_bytes_end - path->live_bytes_start;
    if (!(total > 0))
        return loc->npaths == 1 ? 1 : 0;
    return part / total;
}

static const ls_site *sort_loc;    /* qsort has no context argument in C11 */
static const ls_site *sort_paths;

static int cmp_paths(const void *pa, const void *pb)
{
    const ls_site *x = &sort_paths[*(const size_t *)pa], *y = &sort_paths[*(const size_t *)pb];
    double sx = location_path_share(sort_loc, x), sy = location_path_share(sort_loc, y);
    if (sx != sy)
        return sx > sy ? -1 : 1;
    if (x->live_bytes_end != y->live_bytes_end)
        return x->live_bytes_end > y->live_bytes_end ? -1 : 1;
    return (*(const size_t *)pa > *(const size_t *)pb) - (*(const size_t *)pa < *(const size_t *)pb);
}

/* A location of one path has that path's series: its numbers are the site's. The whole struct is
 * copied (numbers added to ls_site later come along) and the location's own fields put back. */
static void copy_numbers(ls_site *loc, const ls_site *s)
{
    ls_site own = *loc;
    *loc = *s;
    loc->key = own.key;
    loc->members = own.members;
    loc->nmembers = own.nmembers;
    loc->cap_members = own.cap_members;
    loc->paths = own.paths;
    loc->npaths = own.npaths;
    loc->cap_paths = own.cap_paths;
    loc->location = 0;
    loc->rank = 0;
    loc->reach = own.reach;   /* its own, summed over its members later (reachability.c) */
}

/* The merged view keeps each site's combined series (merge.c) and no members without per-process
 * detail: a location of several paths sums its paths' series and totals. */
static void sum_paths(const ls_analysis *a, const ls_view *v, ls_site *loc, double *scratch)
{
    size_t n = v->events;
    loc->series_bytes = xcalloc(n + 1, sizeof *loc->series_bytes);
    loc->series_allocs = xcalloc(n + 1, sizeof *loc->series_allocs);
    for (size_t i = 0; i < loc->npaths; i++) {
        const ls_site *s = &v->sites[loc->paths[i]];
        for (size_t k = 0; k < n; k++) {
            loc->series_bytes[k] += s->series_bytes[k];
            loc->series_allocs[k] += s->series_allocs[k];
        }
        loc->has_exit |= s->has_exit;
        loc->live_bytes_exit += s->live_bytes_exit;
        loc->live_allocs_exit += s->live_allocs_exit;
        loc->total_allocs += s->total_allocs;
        loc->total_bytes += s->total_bytes;
    }
    analysis_classify(v, loc, loc->series_bytes, loc->series_allocs, (double)analysis_sample_interval(a), scratch);
}

void locations_build(ls_analysis *a, ls_view *v, double *scratch)
{
    for (size_t i = 0; i < v->nsites; i++) {
        size_t at = location_for(a, v, i);
        ls_site *loc = &v->locs[at];
        v->sites[i].location = at;
        VEC_PUSH(loc->paths, loc->npaths, loc->cap_paths, i);
        for (size_t m = 0; m < v->sites[i].nmembers; m++)
            VEC_PUSH(loc->members, loc->nmembers, loc->cap_members, v->sites[i].members[m]);
    }
    for (size_t l = 0; l < v->nlocs; l++) {
        ls_site *loc = &v->locs[l];
        if (loc->npaths == 1)
            copy_numbers(loc, &v->sites[loc->paths[0]]);  /* most locations: the same series */
        else if (v->sites[loc->paths[0]].series_bytes)
            sum_paths(a, v, loc, scratch);
        else
            analysis_site_numbers(a, v, loc, scratch);
        sort_loc = loc;
        sort_paths = v->sites;
        qsort(loc->paths, loc->npaths, sizeof *loc->paths, cmp_paths);
        /* the stack shown for the location is its largest path's */
        const ls_site *top = &v->sites[loc->paths[0]];
        loc->frames = top->frames;
        loc->nframes = top->nframes;
        loc->display = top->display;
    }
    sort_loc = sort_paths = NULL;
}
