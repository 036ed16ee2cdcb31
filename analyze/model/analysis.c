/*
 * analysis.c — runs the pipeline described in analysis.h and owns its results.
 *
 * Sites are built per view by grouping stacks on their key (frames.h): the merged view groups the
 * stacks of all processes, each process's own view only its own. A site's series is the sum of its
 * members' series, computed one site at a time in a scratch buffer, so memory stays at the size of
 * the reports (not sites x events).
 */
#include "model/analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/frames.h"
#include "model/runtime.h"
#include "model/series.h"
#include "model/timeline.h"
#include "base/util.h"

/* ---- symbolizing ------------------------------------------------------------------------- */

/* The runtime's own block, allocated on the job's behalf (runtime.h), is a site of its own named
 * at the runtime's innermost frame: keyed from the job's frame it would join the job's allocations
 * made on the same line (pthread_create's TLS blocks with the malloc next to it). */
static size_t runtime_display(const ls_symframe *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].role != ROLE_ALLOCATOR)
            return i;
    return 0;
}

const char *analysis_kind_key(ls_analysis *a, int site_kind, const char *key)
{
    if (site_kind == SITE_HEAP)
        return key;
    const char *kind = site_kind_name(site_kind);
    size_t n = strlen(kind) + strlen(key) + 2;
    char *buf = xmalloc(n);
    snprintf(buf, n, "%s\x1f%s", kind, key);
    const char *k = strpool_intern(&a->pool, buf);
    free(buf);
    return k;
}

static void symbolize_proc(ls_analysis *a, ls_proc *p, const ls_options *o)
{
    const ls_report *r = p->r;
    p->frames = xcalloc(r->nstacks, sizeof *p->frames);
    p->nframes = xcalloc(r->nstacks, sizeof *p->nframes);
    p->display = xcalloc(r->nstacks, sizeof *p->display);
    p->keys = xcalloc(r->nstacks, sizeof *p->keys);
    p->site_in_own_view = xcalloc(r->nstacks, sizeof *p->site_in_own_view);
    p->runtime = xcalloc(r->nstacks, sizeof *p->runtime);
    for (size_t s = 0; s < r->nstacks; s++) {
        const ls_stack *st = &r->stacks[s];
        size_t n = 0, cap = 0;
        ls_symframe *f = NULL;
        for (uint32_t i = 0; i < st->nframes; i++)
            symbolize_frame(a->sym, r, &st->frames[i], &f, &n, &cap);
        frames_classify(f, n, o->skip_re, o->nskip);
        p->frames[s] = f;
        p->nframes[s] = n;
        p->display[s] = frames_display(f, n);
        p->runtime[s] = (unsigned char)runtime_stack(f, n, p->display[s]);
        if (p->runtime[s] == RUNTIME_BUILTIN)
            p->display[s] = runtime_display(f, n);
        p->keys[s] = analysis_kind_key(a, st->kind, frames_key(&a->pool, f, n, p->display[s]));
    }
}

/* ---- grouping stacks into sites ----------------------------------------------------------- */

static size_t site_for(ls_analysis *a, ls_view *v, const ls_proc *p, uint32_t s)
{
    const char *key = p->keys[s];
    long at = u64map_get(&v->by_key, (uint64_t)(uintptr_t)key);
    if (at >= 0)
        return (size_t)at;
    const ls_stack *st = &p->r->stacks[s];
    ls_site site = { .key = key, .kind = st->kind, .frames = p->frames[s], .nframes = p->nframes[s],
                     .display = p->display[s], .runtime = p->runtime[s] == RUNTIME_BUILTIN };
    site.function = p->nframes[s] ? frames_function_label(&a->pool, &p->frames[s][p->display[s]])
                                  : strpool_intern(&a->pool, "??");
    u64map_put(&v->by_key, (uint64_t)(uintptr_t)key, (uint32_t)v->nsites);
    VEC_PUSH(v->sites, v->nsites, v->cap_sites, site);
    return v->nsites - 1;
}

static void group_sites(ls_analysis *a, ls_view *v, int own)
{
    for (size_t i = 0; i < v->nprocs; i++) {
        ls_proc *p = &a->procs[v->procs[i]];
        for (uint32_t s = 0; s < p->r->nstacks; s++) {
            if (!p->r->stacks[s].used)
                continue;   /* defined for its mapping sites only */
            size_t at = site_for(a, v, p, s);
            ls_site *site = &v->sites[at];
            if (!site->file && p->r->stacks[s].file)
                site->file = strpool_intern(&a->pool, p->r->stacks[s].file);
            VEC_PUSH(site->members, site->nmembers, site->cap_members,
                     ((ls_member){ (uint32_t)v->procs[i], s }));
            if (own)
                p->site_in_own_view[s] = (uint32_t)at;
        }
    }
}

/* ---- per-site numbers --------------------------------------------------------------------- */

static void site_totals(const ls_analysis *a, ls_site *site)
{
    site->has_exit = 1;
    for (size_t m = 0; m < site->nmembers; m++) {
        const ls_report *r = a->procs[site->members[m].proc].r;
        const ls_stack *st = &r->stacks[site->members[m].stack];
        if (!r->exit.present)
            site->has_exit = 0;
        else if (st->has_exit) {
            site->live_bytes_exit += (double)st->exit_bytes;
            site->live_allocs_exit += (double)st->exit_allocs;
        }
        site->total_allocs += (double)st->total_allocs;
        site->total_bytes += (double)st->total_bytes;
    }
}

void analysis_site_numbers(const ls_analysis *a, const ls_view *v, ls_site *site, double *buf)
{
    size_t n = v->events;
    double *bytes = buf, *allocs = buf + n, *scratch = buf + 2 * n;
    memset(bytes, 0, n * sizeof *bytes);
    memset(allocs, 0, n * sizeof *allocs);
    for (size_t m = 0; m < site->nmembers; m++) {
        const ls_proc *p = &a->procs[site->members[m].proc];
        series_add_site(&p->r->stacks[site->members[m].stack], p->bounds, p->nbounds, bytes, allocs, n);
    }
    site_totals(a, site);
    if (n) {
        site->live_bytes_start = bytes[0];
        site->live_bytes_end = bytes[n - 1];
        site->live_allocs_end = allocs[n - 1];
    }
    double live = site->live_allocs_end > 1 ? site->live_allocs_end : 1;
    ls_series_in in = { bytes, allocs, n, (site->total_allocs - site->live_allocs_end) / live,
                        !strcmp(site->function, "leakstamp_inject_calibration"),
                        (double)analysis_sample_interval(a) };
    verdict_classify(&in, scratch, &site->g);
    site->since_event = site->g.since >= 0 ? v->first_event + (size_t)site->g.since : 0;
}

static void analyse_view(ls_analysis *a, ls_view *v, const ls_options *o, int own)
{
    v->first_event = a->skip + 1;
    v->events = 0;
    for (size_t i = 0; i < v->nprocs; i++)
        if (a->procs[v->procs[i]].nbounds > v->events)
            v->events = a->procs[v->procs[i]].nbounds;
    group_sites(a, v, own);
    size_t n = v->events;
    double *buf = xcalloc(4 * n + 1, sizeof *buf);
    for (size_t s = 0; s < v->nsites; s++) {
        analysis_site_numbers(a, v, &v->sites[s], buf);
        reachability_site(a, &v->sites[s]);
    }
    locations_build(a, v, buf);
    for (size_t l = 0; l < v->nlocs; l++)   /* a location's blocks are its paths' members' */
        reachability_site(a, &v->locs[l]);
    process_growth_fit(a, v, buf);
    free(buf);
    rank_view(v, o);
}

/* ---- the whole run ------------------------------------------------------------------------ */

static void view_init(ls_view *v, size_t nprocs)
{
    memset(v, 0, sizeof *v);
    v->procs = xcalloc(nprocs, sizeof *v->procs);
    v->nprocs = nprocs;
}

static int same_exe(const ls_report *x, const ls_report *y)
{
    return x->exe && y->exe ? !strcmp(x->exe, y->exe) : x->exe == y->exe;
}

/* The merged view joins the processes of one executable: the one whose processes recorded the most
 * events (ties: the first seen), so a shell that only starts the job, or a helper program it runs, does
 * not dilute the job's numbers. Without any events (a unit-test binary) every process is merged. */
static void choose_merged(ls_analysis *a)
{
    size_t best = 0, best_events = 0;
    for (size_t i = 0; i < a->nprocs; i++) {
        size_t events = 0;
        for (size_t j = 0; j < a->nprocs; j++)
            if (same_exe(a->procs[i].r, a->procs[j].r))
                events += a->procs[j].nbounds;
        if (events > best_events) {
            best = i;
            best_events = events;
        }
    }
    view_init(&a->merged, a->nprocs);
    a->merged.nprocs = 0;
    for (size_t i = 0; i < a->nprocs; i++) {
        a->procs[i].merged = !best_events || same_exe(a->procs[i].r, a->procs[best].r);
        if (a->procs[i].merged)
            a->merged.procs[a->merged.nprocs++] = i;
    }
}

ls_analysis *analysis_run(ls_report **reports, size_t n, const ls_options *o, ls_error *err)
{
    ls_analysis *a = xcalloc(1, sizeof *a);
    a->procs = xcalloc(n, sizeof *a->procs);
    a->nprocs = n;
    for (size_t i = 0; i < n; i++)
        a->procs[i].r = reports[i];
    a->sym = symbolizer_new(&a->pool);
    if (events_choose(a, o, err) < 0) {
        analysis_free(a);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        symbolize_proc(a, &a->procs[i], o);
    choose_merged(a);
    analyse_view(a, &a->merged, o, 0);
    a->per_proc = xcalloc(n, sizeof *a->per_proc);
    for (size_t i = 0; i < n; i++) {
        view_init(&a->per_proc[i], 1);
        a->per_proc[i].procs[0] = i;
        analyse_view(a, &a->per_proc[i], o, 1);
    }
    if (o->timeline && timeline_build(a, o, err) < 0) {
        analysis_free(a);
        return NULL;
    }
    return a;
}

static void view_free(ls_view *v)
{
    for (size_t i = 0; i < v->nsites; i++) {
        free(v->sites[i].members);
        reachability_free(&v->sites[i].reach);
    }
    free(v->sites);
    for (size_t i = 0; i < v->nlocs; i++) {
        free(v->locs[i].members);
        free(v->locs[i].paths);
        reachability_free(&v->locs[i].reach);
    }
    free(v->locs);
    free(v->loc_order);
    u64map_free(&v->loc_by_key);
    free(v->procs);
    free(v->order);
    u64map_free(&v->by_key);
}

void analysis_free(ls_analysis *a)
{
    if (!a)
        return;
    timeline_free(a);
    for (size_t i = 0; i < a->nprocs; i++) {
        ls_proc *p = &a->procs[i];
        for (size_t s = 0; p->frames && s < p->r->nstacks; s++)
            free(p->frames[s]);
        free(p->frames);
        free(p->nframes);
        free(p->display);
        free(p->keys);
        free(p->site_in_own_view);
        free(p->runtime);
        free(p->bounds);
        if (a->per_proc)
            view_free(&a->per_proc[i]);
        report_free(p->r);
    }
    free(a->per_proc);
    view_free(&a->merged);
    free(a->procs);
    symbolizer_free(a->sym);
    strpool_free(&a->pool);
    free(a);
}

uint64_t analysis_sample_interval(const ls_analysis *a)
{
    uint64_t most = 0;
    for (size_t i = 0; i < a->nprocs; i++)
        if (a->procs[i].r->sample_interval > most)
            most = a->procs[i].r->sample_interval;
    return most;
}
