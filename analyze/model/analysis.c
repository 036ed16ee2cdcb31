/*
 * analysis.c — one process at a time through the pipeline described in analysis.h, and the results.
 *
 * A process's own view groups its stacks into sites on their key (frames.h); a site's series is the
 * sum of its members' series, computed one site at a time in a scratch buffer. The merged view is not
 * built from the reports but from merge.c's accumulators, which each process adds to once.
 */
#include "model/analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/frames.h"
#include "model/merge.h"
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

/* ---- per-site numbers (a process's own view) ----------------------------------------------- */

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

/* A process's own view is one process: its spread is itself. */
static void own_spread(const ls_proc *p, ls_site *site)
{
    int growing = site->g.verdict == VERDICT_LEAK;
    site->stacks = site->nmembers;
    site->processes = 1;
    site->processes_growing = (size_t)growing;
    site->pp_median = site->pp_max = growing ? site->g.bytes_per_event : 0;
    site->pp_max_rank = growing ? p->info.rank : -1;
    site->pp_max_pid = growing ? p->info.pid : -1;
    site->worst = site->g.bytes_per_event;
}

void analysis_classify(const ls_view *v, ls_site *site, const double *bytes, const double *allocs,
                       double sample_interval, double *scratch)
{
    size_t n = v->events;
    if (n) {
        site->live_bytes_start = bytes[0];
        site->live_bytes_end = bytes[n - 1];
        site->live_allocs_end = allocs[n - 1];
    }
    double live = site->live_allocs_end > 1 ? site->live_allocs_end : 1;
    ls_series_in in = { bytes, allocs, n, (site->total_allocs - site->live_allocs_end) / live,
                        !strcmp(site->function, "leakstamp_inject_calibration"), sample_interval };
    verdict_classify(&in, scratch, &site->g);
    site->since_event = site->g.since >= 0 ? v->first_event + (size_t)site->g.since : 0;
}

void analysis_site_numbers(const ls_analysis *a, const ls_view *v, ls_site *site, double *buf)
{
    size_t n = v->events;
    double *bytes = buf, *allocs = buf + n, *scratch = buf + 2 * n;
    const ls_proc *p = &a->procs[v->procs[0]];
    memset(bytes, 0, n * sizeof *bytes);
    memset(allocs, 0, n * sizeof *allocs);
    for (size_t m = 0; m < site->nmembers; m++)
        series_add_site(&p->r->stacks[site->members[m].stack], p->bounds, p->nbounds, bytes, allocs, n);
    site_totals(a, site);
    analysis_classify(v, site, bytes, allocs, (double)p->r->sample_interval, scratch);
    own_spread(p, site);
}

/* The view of process pi alone. */
static void analyse_own_view(ls_analysis *a, ls_view *v, size_t pi, const ls_options *o)
{
    memset(v, 0, sizeof *v);
    v->procs = xcalloc(1, sizeof *v->procs);
    v->procs[0] = pi;
    v->nprocs = 1;
    v->first_event = a->skip + 1;
    v->events = a->procs[pi].nbounds;
    v->exit_procs = a->procs[pi].r->exit.present != 0;
    group_sites(a, v, 1);
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

/* ---- one process ---------------------------------------------------------------------------- */

/* Processes are grouped by their main executable's build-id, so one binary staged at different paths
 * is one program; the path when the report does not name the build-id. */
static const char *group_key(ls_analysis *a, const ls_report *r)
{
    const char *bid = NULL;
    for (size_t i = 0; r->exe && i < r->nmodules && !bid; i++)
        if (r->modules[i].build_id && r->modules[i].path && !strcmp(r->modules[i].path, r->exe))
            bid = r->modules[i].build_id;
    size_t len = 16 + strlen(bid ? bid : r->exe ? r->exe : "");
    char *key = xmalloc(len);
    snprintf(key, len, "%s%s", bid ? "build-id:" : "path:", bid ? bid : r->exe ? r->exe : "");
    const char *pooled = strpool_intern(&a->pool, key);
    free(key);
    return pooled;
}

static void fill_info(ls_analysis *a, ls_proc *p, const ls_view *own)
{
    const ls_report *r = p->r;
    ls_proc_info *in = &p->info;
    char cmd[4096];
    report_command_line(r, cmd, sizeof cmd);
    strpool *pool = &a->pool;
    in->path = strpool_intern(pool, r->path);
    in->host = strpool_intern(pool, r->host);
    in->exe = strpool_intern(pool, r->exe);
    in->mode = strpool_intern(pool, r->mode);
    in->command = strpool_intern(pool, cmd);
    in->exit_reason = r->exit.present ? strpool_intern(pool, r->exit.reason) : NULL;
    in->job = strpool_intern(pool, r->job);
    in->group = group_key(a, r);
    in->pid = r->pid;
    in->ppid = r->ppid;
    in->rank = r->rank;
    in->events = p->nbounds;
    in->total_events = p->total_events;
    in->stamps = r->nstamps;
    in->truncated = r->truncated;
    in->truncated_line = r->truncated_line;
    in->exit_present = r->exit.present;
    in->sample_interval = r->sample_interval;
    for (size_t s = 0; s < r->nstacks; s++)
        if (r->exit.present && r->stacks[s].has_exit)
            in->live_exit_bytes += (double)r->stacks[s].exit_bytes;
    if (own) {
        in->growth = own->growth;
        for (size_t i = 0; i < own->nsites; i++)
            if (own->sites[i].g.verdict == VERDICT_LEAK) {
                in->leaks++;
                if (own->sites[i].g.bytes_per_event > in->worst)
                    in->worst = own->sites[i].g.bytes_per_event;
            }
    }
}

static void proc_forget(ls_proc *p)
{
    for (size_t s = 0; p->frames && s < p->r->nstacks; s++)
        free(p->frames[s]);
    free(p->frames);
    free(p->nframes);
    free(p->display);
    free(p->keys);
    free(p->site_in_own_view);
    free(p->runtime);
    free(p->bounds);
    report_free(p->r);
    p->frames = NULL;
    p->nframes = p->display = NULL;
    p->keys = NULL;
    p->site_in_own_view = p->bounds = NULL;
    p->runtime = NULL;
    p->r = NULL;
}

static void view_free(ls_view *v)
{
    for (size_t i = 0; i < v->nsites; i++) {
        free(v->sites[i].members);
        reachability_free(&v->sites[i].reach);
        free(v->sites[i].series_bytes);
        free(v->sites[i].series_allocs);
    }
    for (int k = 0; k < LS_METRICS; k++)
        free(v->series_metric[k]);
    free(v->sites);
    for (size_t i = 0; i < v->nlocs; i++) {
        free(v->locs[i].members);
        free(v->locs[i].paths);
        reachability_free(&v->locs[i].reach);
        if (v->locs[i].npaths > 1)   /* one path: the location shares its path's series */
            free(v->locs[i].series_bytes), free(v->locs[i].series_allocs);
    }
    free(v->locs);
    free(v->loc_order);
    u64map_free(&v->loc_by_key);
    free(v->procs);
    free(v->order);
    u64map_free(&v->by_key);
}

ls_analysis *analysis_new(void)
{
    ls_analysis *a = xcalloc(1, sizeof *a);
    a->sym = symbolizer_new(&a->pool);
    a->merge = merge_new();
    return a;
}

ls_proc *analysis_new_proc(ls_analysis *a)
{
    if (a->nprocs == a->cap_procs) {
        size_t cap = a->cap_procs ? 2 * a->cap_procs : 64;
        a->procs = xrealloc(a->procs, cap * sizeof *a->procs);
        if (a->detail)
            a->per_proc = xrealloc(a->per_proc, cap * sizeof *a->per_proc);
        a->cap_procs = cap;
    }
    ls_proc *p = &a->procs[a->nprocs++];
    memset(p, 0, sizeof *p);
    return p;
}

void analysis_add_report(ls_analysis *a, ls_report *r, const ls_options *o)
{
    ls_proc *p = analysis_new_proc(a);
    size_t pi = a->nprocs - 1;
    p->r = r;
    if (r->sample_interval > a->sample_interval)
        a->sample_interval = r->sample_interval;
    events_bounds(p, a->event_name, a->skip);
    symbolize_proc(a, p, o);
    ls_view own;
    analyse_own_view(a, &own, pi, o);
    fill_info(a, p, &own);
    merge_add_proc(a, pi, &own);
    if (a->detail)
        a->per_proc[pi] = own;
    else {
        view_free(&own);
        proc_forget(p);
    }
}

/* With detail the merged sites list their member stacks too (the gate's exit check, pprof). */
static void merged_members(ls_analysis *a)
{
    ls_view *v = &a->merged;
    for (size_t i = 0; i < v->nprocs; i++) {
        ls_proc *p = &a->procs[v->procs[i]];
        for (uint32_t s = 0; p->r && s < p->r->nstacks; s++) {
            long at = u64map_get(&v->by_key, (uint64_t)(uintptr_t)p->keys[s]);
            if (at < 0)
                continue;
            ls_site *site = &v->sites[at];
            ls_member m = { (uint32_t)v->procs[i], s };
            VEC_PUSH(site->members, site->nmembers, site->cap_members, m);
            if (site->location < v->nlocs) {
                ls_site *loc = &v->locs[site->location];
                VEC_PUSH(loc->members, loc->nmembers, loc->cap_members, m);
            }
        }
    }
}

int analysis_finish(ls_analysis *a, const ls_options *o, ls_error *err)
{
    size_t most = 0;
    for (size_t i = 0; i < a->nprocs; i++)
        if (a->procs[i].info.total_events > most)
            most = a->procs[i].info.total_events;
    if (events_check_skip(a, most, err) < 0)
        return -1;
    merge_finish(a, o);
    if (!a->detail)
        return 0;
    merged_members(a);
    /* heap scans: read from the members' stacks, so only with the reports kept */
    for (size_t i = 0; i < a->merged.nsites; i++)
        reachability_site(a, &a->merged.sites[i]);
    for (size_t l = 0; l < a->merged.nlocs; l++)
        reachability_site(a, &a->merged.locs[l]);
    return o->timeline ? timeline_build(a, o, err) : 0;
}

void analysis_free(ls_analysis *a)
{
    if (!a)
        return;
    timeline_free(a);
    for (size_t i = 0; i < a->nprocs; i++) {
        if (a->per_proc)
            view_free(&a->per_proc[i]);
        if (a->procs[i].r)
            proc_forget(&a->procs[i]);
    }
    free(a->per_proc);
    view_free(&a->merged);
    free(a->procs);
    merge_free(a->merge);
    symbolizer_free(a->sym);
    strpool_free(&a->pool);
    free(a);
}

uint64_t analysis_sample_interval(const ls_analysis *a)
{
    return a->sample_interval;
}

size_t analysis_main_proc(const ls_analysis *a)
{
    size_t best = a->merged.nprocs ? a->merged.procs[0] : 0;
    for (size_t i = 0; i < a->merged.nprocs; i++)
        if (a->procs[a->merged.procs[i]].info.events > a->procs[best].info.events)
            best = a->merged.procs[i];
    return best;
}
