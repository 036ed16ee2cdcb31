/*
 * merge.c — see merge.h.
 */
#include "model/merge.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/fit.h"
#include "model/series.h"

/* A series value (a double sum of counts) as an integer: saturated at ±2^61, the cast of a double out
 * of int64's range being undefined (and the difference of two such values must fit as well). */
static int64_t to_int(double v)
{
    return v >= 0x1p61 ? (int64_t)1 << 61 : v <= -0x1p61 ? -((int64_t)1 << 61) : (int64_t)v;
}

ls_merge *merge_new(void)
{
    return xcalloc(1, sizeof(ls_merge));
}

static void site_free(ls_acc_site *s)
{
    free(s->frames);
    free(s->bytes.d);
    free(s->allocs.d);
    free(s->grow);
}

static void table_free(ls_acc_table *t)
{
    for (size_t s = 0; s < t->n; s++)
        site_free(&t->v[s]);
    free(t->v);
    u64map_free(&t->by_key);
}

void merge_free(ls_merge *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        ls_group *g = &m->groups[i];
        table_free(&g->sites);
        table_free(&g->locs);
        for (int k = 0; k < LS_METRICS; k++)
            free(g->metric[k].d);
    }
    free(m->groups);
    u64map_free(&m->by_key);
    free(m);
}

ls_group *merge_group(ls_merge *m, const char *key, const char *exe)
{
    long at = u64map_get(&m->by_key, (uint64_t)(uintptr_t)key);
    if (at < 0) {
        ls_group g = { .key = key, .exe = exe };
        u64map_put(&m->by_key, (uint64_t)(uintptr_t)key, (uint32_t)m->n);
        VEC_PUSH(m->groups, m->n, m->cap, g);
        at = (long)m->n - 1;
    }
    ls_group *g = &m->groups[at];
    if (exe && (!g->exe || strcmp(exe, g->exe) < 0))
        g->exe = exe;
    return g;
}

ls_acc_site *merge_site(ls_acc_table *t, const char *key, const char *function)
{
    long at = u64map_get(&t->by_key, (uint64_t)(uintptr_t)key);
    if (at < 0) {
        ls_acc_site s = { .key = key, .function = function };
        u64map_put(&t->by_key, (uint64_t)(uintptr_t)key, (uint32_t)t->n);
        VEC_PUSH(t->v, t->n, t->cap, s);
        at = (long)t->n - 1;
    }
    return &t->v[at];
}

void merge_add_deltas(ls_deltas *acc, const int64_t *d, size_t n)
{
    if (n > acc->cap) {
        size_t cap = acc->cap ? acc->cap : 8;
        while (cap < n)
            cap *= 2;
        acc->d = xrealloc(acc->d, cap * sizeof *acc->d);
        memset(acc->d + acc->cap, 0, (cap - acc->cap) * sizeof *acc->d);
        acc->cap = cap;
    }
    if (n > acc->n)
        acc->n = n;
    for (size_t i = 0; i < n; i++)
        add_wrapping(&acc->d[i], d[i]);
}

void merge_offer_frames(ls_acc_site *s, const char *path, const ls_symframe *f, size_t n, size_t display)
{
    if (s->owner && strcmp(path, s->owner) >= 0)
        return;
    free(s->frames);
    s->frames = xcalloc(n + 1, sizeof *s->frames);
    if (n)   /* a stack of no frames comes with f == NULL: memcpy's arguments must not be */
        memcpy(s->frames, f, n * sizeof *f);
    s->nframes = n;
    s->display = display;
    s->owner = path;
}

/* ---- adding one process -------------------------------------------------------------------- */

static void to_deltas(const double *v, size_t n, int64_t *d)
{
    for (size_t i = 0; i < n; i++)
        d[i] = to_int(v[i]) - (i ? to_int(v[i - 1]) : 0);
}

static void add_metrics(ls_group *g, const ls_proc *p, double *v, int64_t *d)
{
    for (int k = 0; k < LS_METRICS; k++) {
        memset(v, 0, p->nbounds * sizeof *v);
        series_add_metric(p->r, p->bounds, p->nbounds, (ls_metric)k, v, p->nbounds);
        to_deltas(v, p->nbounds, d);
        merge_add_deltas(&g->metric[k], d, p->nbounds);
    }
}

/* The process has the site or location; remember its rate when it leaks there by its own verdict. */
static void add_grow(ls_acc_site *acc, const ls_proc *p, const ls_site *s)
{
    if (s->g.verdict == VERDICT_LEAK) {
        ls_acc_grow gr = { s->g.bytes_per_event, p->info.rank, p->info.pid, p->info.path };
        VEC_PUSH(acc->grow, acc->ngrow, acc->cap_grow, gr);
    }
}

static void add_site(ls_acc_site *acc, const ls_proc *p, const ls_site *s, double *v, double *w, int64_t *d)
{
    const ls_report *r = p->r;
    size_t n = p->nbounds;
    memset(v, 0, n * sizeof *v);
    memset(w, 0, n * sizeof *w);
    for (size_t m = 0; m < s->nmembers; m++) {
        const ls_stack *st = &r->stacks[s->members[m].stack];
        series_add_site(st, p->bounds, n, v, w, n);
        add_wrapping(&acc->total_allocs, st->total_allocs);
        add_wrapping(&acc->total_bytes, st->total_bytes);
        if (r->exit.present && st->has_exit) {
            add_wrapping(&acc->exit_bytes, st->exit_bytes);
            add_wrapping(&acc->exit_allocs, st->exit_allocs);
        }
    }
    to_deltas(v, n, d);
    merge_add_deltas(&acc->bytes, d, n);
    to_deltas(w, n, d);
    merge_add_deltas(&acc->allocs, d, n);
    acc->stacks += s->nmembers;
    acc->procs++;
    acc->exit_procs += r->exit.present != 0;
    acc->runtime = s->runtime;
    acc->kind = s->kind;
    if (!acc->owner || strcmp(p->info.path, acc->owner) < 0)
        acc->file = s->file;
    merge_offer_frames(acc, p->info.path, s->frames, s->nframes, s->display);
    add_grow(acc, p, s);
}

void merge_add_proc(ls_analysis *a, size_t pi, const ls_view *own)
{
    const ls_proc *p = &a->procs[pi];
    ls_group *g = merge_group(a->merge, p->info.group, p->info.exe);
    g->nprocs++;
    g->events_sum += p->nbounds;
    if (p->nbounds > g->events)
        g->events = p->nbounds;
    g->exit_procs += p->info.exit_present != 0;
    g->has_tool |= own->growth.has_tool;
    double *v = xcalloc(2 * p->nbounds + 1, sizeof *v);
    int64_t *d = xcalloc(p->nbounds + 1, sizeof *d);
    add_metrics(g, p, v, d);
    for (size_t i = 0; i < own->nsites; i++) {
        const ls_site *s = &own->sites[i];
        add_site(merge_site(&g->sites, s->key, s->function), p, s, v, v + p->nbounds, d);
    }
    for (size_t i = 0; i < own->nlocs; i++) {
        ls_acc_site *acc = merge_site(&g->locs, own->locs[i].key, own->locs[i].function);
        acc->procs++;
        add_grow(acc, p, &own->locs[i]);
    }
    free(v);
    free(d);
}

/* ---- choosing and finishing ---------------------------------------------------------------- */

const ls_group *merge_choose(const ls_merge *m)
{
    const ls_group *best = NULL;
    for (size_t i = 0; i < m->n; i++) {
        const ls_group *g = &m->groups[i];
        if (!g->events_sum)
            continue;
        if (!best || g->events_sum > best->events_sum ||
            (g->events_sum == best->events_sum &&
             (g->nprocs > best->nprocs || (g->nprocs == best->nprocs && strcmp(g->key, best->key) < 0))))
            best = g;
    }
    return best;
}

/* Add every number of src to dst (the union of all groups when no process has events; it borrows
 * the groups' frames). */
static void group_absorb(ls_group *dst, const ls_group *src)
{
    dst->nprocs += src->nprocs;
    dst->events_sum += src->events_sum;
    dst->exit_procs += src->exit_procs;
    dst->has_tool |= src->has_tool;
    if (src->events > dst->events)
        dst->events = src->events;
    for (int k = 0; k < LS_METRICS; k++)
        merge_add_deltas(&dst->metric[k], src->metric[k].d, src->metric[k].n);
    for (size_t i = 0; i < src->locs.n; i++) {
        const ls_acc_site *s = &src->locs.v[i];
        ls_acc_site *t = merge_site(&dst->locs, s->key, s->function);
        t->procs += s->procs;
        for (size_t j = 0; j < s->ngrow; j++)
            VEC_PUSH(t->grow, t->ngrow, t->cap_grow, s->grow[j]);
    }
    for (size_t i = 0; i < src->sites.n; i++) {
        const ls_acc_site *s = &src->sites.v[i];
        ls_acc_site *t = merge_site(&dst->sites, s->key, s->function);
        t->runtime = s->runtime;
        t->kind = s->kind;
        merge_add_deltas(&t->bytes, s->bytes.d, s->bytes.n);
        merge_add_deltas(&t->allocs, s->allocs.d, s->allocs.n);
        add_wrapping(&t->total_allocs, s->total_allocs);
        add_wrapping(&t->total_bytes, s->total_bytes);
        add_wrapping(&t->exit_bytes, s->exit_bytes);
        add_wrapping(&t->exit_allocs, s->exit_allocs);
        t->stacks += s->stacks;
        t->procs += s->procs;
        t->exit_procs += s->exit_procs;
        if (s->owner && (!t->owner || strcmp(s->owner, t->owner) < 0)) {
            t->file = s->file;
            t->frames = s->frames;   /* borrowed: the union never frees them */
            t->nframes = s->nframes;
            t->display = s->display;
            t->owner = s->owner;
        }
        for (size_t j = 0; j < s->ngrow; j++)
            VEC_PUSH(t->grow, t->ngrow, t->cap_grow, s->grow[j]);
    }
}

/* The running sum of deltas over n events (carried past the accumulator's own length). */
static double *running_sum(const ls_deltas *acc, size_t n)
{
    double *out = xcalloc(n + 1, sizeof *out);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (i < acc->n)
            sum += acc->d[i];
        out[i] = (double)sum;
    }
    return out;
}

/* The process the max rate belongs to: highest rate, then lowest rank, then smallest path. */
static int grow_beats(const ls_acc_grow *x, const ls_acc_grow *y)
{
    if (x->rate != y->rate)
        return x->rate > y->rate;
    if (x->rank != y->rank)
        return y->rank < 0 || (x->rank >= 0 && x->rank < y->rank);
    return strcmp(x->path, y->path) < 0;
}

static void site_spread(ls_site *site, const ls_acc_site *acc)
{
    site->stacks = acc->stacks;
    site->processes = acc->procs;
    site->processes_growing = acc->ngrow;
    site->pp_max_rank = site->pp_max_pid = -1;
    if (acc->ngrow) {
        double *rates = xcalloc(acc->ngrow, sizeof *rates);
        const ls_acc_grow *best = &acc->grow[0];
        for (size_t i = 0; i < acc->ngrow; i++) {
            rates[i] = acc->grow[i].rate;
            if (grow_beats(&acc->grow[i], best))
                best = &acc->grow[i];
        }
        site->pp_median = fit_median(rates, acc->ngrow);
        site->pp_max = best->rate;
        site->pp_max_rank = best->rank;
        site->pp_max_pid = best->pid;
        free(rates);
    }
    double each = acc->procs ? site->g.bytes_per_event / (double)acc->procs : 0;
    site->worst = site->pp_max > each ? site->pp_max : each;
}

static void finish_site(const ls_analysis *a, ls_view *v, ls_site *site, const ls_acc_site *acc,
                        double *scratch)
{
    size_t n = v->events;
    *site = (ls_site){ .key = acc->key, .function = acc->function, .frames = acc->frames,
                       .nframes = acc->nframes, .display = acc->display, .runtime = acc->runtime,
                       .kind = acc->kind, .file = acc->file };
    site->series_bytes = running_sum(&acc->bytes, n);
    site->series_allocs = running_sum(&acc->allocs, n);
    site->has_exit = acc->exit_procs > 0;
    site->live_bytes_exit = (double)acc->exit_bytes;
    site->live_allocs_exit = (double)acc->exit_allocs;
    site->total_allocs = (double)acc->total_allocs;
    site->total_bytes = (double)acc->total_bytes;
    analysis_classify(v, site, site->series_bytes, site->series_allocs, (double)a->sample_interval, scratch);
    site_spread(site, acc);
}

/* A location's spread is over the processes' own locations (their verdicts at the location, not at
 * each path), kept in the group's location table. */
static void location_spread(ls_site *loc, const ls_view *v, const ls_group *g)
{
    long at = u64map_get(&g->locs.by_key, (uint64_t)(uintptr_t)loc->key);
    size_t stacks = 0;
    for (size_t i = 0; i < loc->npaths; i++)
        stacks += v->sites[loc->paths[i]].stacks;
    if (at >= 0)
        site_spread(loc, &g->locs.v[at]);
    loc->stacks = stacks;
}

static void mark_procs(ls_analysis *a, ls_view *v, const ls_group *best)
{
    v->procs = xcalloc(a->nprocs + 1, sizeof *v->procs);
    v->nprocs = 0;
    for (size_t i = 0; i < a->nprocs; i++) {
        ls_proc_info *in = &a->procs[i].info;
        in->merged = !best || in->group == best->key;
        if (in->merged)
            v->procs[v->nprocs++] = i;
    }
}

void merge_finish(ls_analysis *a, const ls_options *o)
{
    const ls_group *best = merge_choose(a->merge);
    ls_group all = { 0 };
    if (!best)
        for (size_t i = 0; i < a->merge->n; i++)
            group_absorb(&all, &a->merge->groups[i]);
    const ls_group *g = best ? best : &all;
    ls_view *v = &a->merged;
    memset(v, 0, sizeof *v);
    mark_procs(a, v, best);
    v->first_event = a->skip + 1;
    v->events = g->events;
    v->exit_procs = g->exit_procs;
    double *scratch = xcalloc(4 * v->events + 1, sizeof *scratch);
    v->sites = xcalloc(g->sites.n + 1, sizeof *v->sites);
    v->cap_sites = g->sites.n + 1;
    for (size_t i = 0; i < g->sites.n; i++) {
        finish_site(a, v, &v->sites[v->nsites], &g->sites.v[i], scratch);
        u64map_put(&v->by_key, (uint64_t)(uintptr_t)v->sites[v->nsites].key, (uint32_t)v->nsites);
        v->nsites++;
    }
    locations_build(a, v, scratch);   /* numbers from the paths' series (locations.c) */
    for (size_t l = 0; l < v->nlocs; l++)
        location_spread(&v->locs[l], v, g);
    for (int k = 0; k < LS_METRICS; k++)
        v->series_metric[k] = running_sum(&g->metric[k], v->events);
    process_growth_fit_series(v, v->series_metric, g->has_tool, scratch);
    free(scratch);
    rank_view(v, o);
    if (!best) {
        for (size_t s = 0; s < all.sites.n; s++)
            all.sites.v[s].frames = NULL;
        table_free(&all.sites);
        table_free(&all.locs);
        for (int k = 0; k < LS_METRICS; k++)
            free(all.metric[k].d);
    }
}
