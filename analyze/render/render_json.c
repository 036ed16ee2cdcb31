/*
 * render_json.c — the JSON output, a contract documented key by key in docs/json-schema.md.
 * Keep the two in step: a key renamed here breaks every program that reads it.
 */
#include <string.h>

#include "render/json_writer.h"
#include "render/render.h"
#include "model/timeline.h"

static void frame_json(json_writer *w, const ls_symframe *f, int display)
{
    char addr[32];
    snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)f->addr);
    json_begin_object(w, NULL);
    json_string(w, "function", f->function);
    json_string(w, "file", f->file);
    if (f->line)
        json_int(w, "line", f->line);
    else
        json_null(w, "line");
    json_string(w, "module", f->module);
    json_string(w, "address", addr);
    json_bool(w, "inlined", f->inlined);
    json_bool(w, "display", display);
    json_end_object(w);
}


/* function, file and line of a site's display frame (null where unknown) */
static void site_location(json_writer *w, const ls_site *s, const ls_symframe *d)
{
    json_string(w, "function", s->function);
    json_string(w, "file", d ? d->file : NULL);
    if (d && d->line)
        json_int(w, "line", d->line);
    else
        json_null(w, "line");
}

static void stack_json(json_writer *w, const ls_site *s)
{
    json_begin_array(w, "stack");
    for (size_t i = 0; i < s->nframes; i++)
        frame_json(w, &s->frames[i], i == s->display);
    json_end_array(w);
}

/* SITE.reachability and SITE.retainers (heap scans; null without one) */
static void reachability_json(json_writer *w, const ls_reachability *r)
{
    if (r->has_reach) {
        json_begin_object(w, "reachability");
        for (int c = 0; c < LS_NREACH; c++) {
            json_begin_object(w, reachability_category_name(c));
            json_number(w, "bytes", r->bytes[c]);
            json_number(w, "allocs", r->allocs[c]);
            json_end_object(w);
        }
        json_end_object(w);
    } else {
        json_null(w, "reachability");
    }
    if (!r->has_retainers) {
        json_null(w, "retainers");
        json_null(w, "retainers_event");
        return;
    }
    json_begin_array(w, "retainers");
    for (size_t i = 0; i < r->nretainers; i++) {
        const ls_retainer *h = &r->retainers[i];
        json_begin_object(w, NULL);
        json_string(w, "function", h->function);
        json_string(w, "file", h->kind == LS_HELD_GLOBAL ? h->module : h->file);
        if (h->line)
            json_int(w, "line", h->line);
        else
            json_null(w, "line");
        json_string(w, "kind", reachability_kind_name(h->kind));
        json_string(w, "symbol", h->symbol);
        json_bool(w, "list", h->chain);
        json_number(w, "allocs", h->allocs);
        json_number(w, "bytes", h->bytes);
        json_end_object(w);
    }
    json_end_array(w);
    if (r->retainers_at_exit)
        json_null(w, "retainers_event");
    else
        json_int(w, "retainers_event", (long long)r->retainers_event);
}

static void int_or_null(json_writer *w, const char *key, long long v)
{
    if (v >= 0)
        json_int(w, key, v);
    else
        json_null(w, key);
}

/* how the site is spread over processes (docs/json-schema.md SITE) */
static void spread_json(json_writer *w, const ls_site *s)
{
    json_int(w, "processes", (long long)s->processes);
    json_int(w, "processes_growing", (long long)s->processes_growing);
    if (!s->processes_growing) {
        json_null(w, "bytes_per_event_per_process");
        return;
    }
    json_begin_object(w, "bytes_per_event_per_process");
    json_number(w, "median", s->pp_median);
    json_number(w, "max", s->pp_max);
    int_or_null(w, "max_rank", s->pp_max_rank);
    int_or_null(w, "max_pid", s->pp_max_pid);
    json_end_object(w);
}

static void site_json(json_writer *w, const ls_site *s)
{
    const ls_symframe *d = s->nframes ? &s->frames[s->display] : NULL;
    json_begin_object(w, NULL);
    if (s->rank)
        json_int(w, "rank", (long long)s->rank);
    else
        json_null(w, "rank");
    json_string(w, "verdict", verdict_name(s->g.verdict));
    site_location(w, s, d);
    json_string(w, "module", d ? d->module : NULL);
    json_bool(w, "runtime", s->runtime);
    json_string(w, "kind", site_kind_name(s->kind));
    json_string(w, "mapped_file", s->file);
    json_number(w, "bytes_per_event", s->g.bytes_per_event);
    json_number(w, "allocs_per_event", s->g.allocs_per_event);
    json_number(w, "growth_fraction", s->g.growth_fraction);
    if (s->since_event)
        json_int(w, "since_event", (long long)s->since_event);
    else
        json_null(w, "since_event");
    if (s->g.confidence >= 0)
        json_number(w, "confidence", s->g.confidence);
    else
        json_null(w, "confidence");
    json_number(w, "live_bytes_end", s->live_bytes_end);
    json_number(w, "live_allocs_end", s->live_allocs_end);
    if (s->has_exit) {
        json_number(w, "live_bytes_exit", s->live_bytes_exit);
        json_number(w, "live_allocs_exit", s->live_allocs_exit);
    } else {
        json_null(w, "live_bytes_exit");
        json_null(w, "live_allocs_exit");
    }
    json_number(w, "total_allocs", s->total_allocs);
    json_number(w, "total_bytes", s->total_bytes);
    reachability_json(w, &s->reach);
    json_int(w, "stacks", (long long)s->stacks);
    spread_json(w, s);
}

static void path_json(json_writer *w, const ls_site *loc, const ls_site *s)
{
    json_begin_object(w, NULL);
    json_number(w, "share", location_path_share(loc, s));
    json_string(w, "verdict", verdict_name(s->g.verdict));
    json_number(w, "bytes_per_event", s->g.bytes_per_event);
    json_number(w, "allocs_per_event", s->g.allocs_per_event);
    json_number(w, "live_bytes_end", s->live_bytes_end);
    json_number(w, "live_allocs_end", s->live_allocs_end);
    stack_json(w, s);
    json_end_object(w);
}

/* Allocation locations (docs/json-schema.md, "Locations"): the numbers of a site, and its paths. */
static void locations_json(json_writer *w, const ls_view *v)
{
    json_begin_array(w, "locations");
    for (size_t i = 0; i < v->nloc_order; i++) {
        const ls_site *loc = &v->locs[v->loc_order[i]];
        site_json(w, loc);
        json_begin_array(w, "paths");
        for (size_t p = 0; p < loc->npaths; p++)
            path_json(w, loc, &v->sites[loc->paths[p]]);
        json_end_array(w);
        json_end_object(w);
    }
    json_end_array(w);
}

static void sites_json(json_writer *w, const ls_view *v)
{
    json_begin_array(w, "sites");
    for (size_t i = 0; i < v->norder; i++) {
        site_json(w, &v->sites[v->order[i]]);
        stack_json(w, &v->sites[v->order[i]]);
        json_end_object(w);
    }
    json_end_array(w);
    locations_json(w, v);
    size_t counts[VERDICT_COUNT] = { 0 };
    for (size_t i = 0; i < v->nsites; i++)
        counts[v->sites[i].g.verdict]++;
    json_begin_object(w, "verdict_counts");
    for (int k = VERDICT_LEAK; k < VERDICT_COUNT; k++)
        json_int(w, verdict_name((ls_verdict)k), (long long)counts[k]);
    json_end_object(w);
}

static void growth_json(json_writer *w, const ls_process_growth *g)
{
    json_begin_object(w, "process_growth");
    json_number(w, "rss_bytes_per_event", g->rss.slope);
    json_number(w, "rss_intercept_bytes", g->rss.intercept);
    json_number(w, "vm_bytes_per_event", g->vm.slope);
    json_number(w, "vm_intercept_bytes", g->vm.intercept);
    json_number(w, "heap_bytes_per_event", g->heap.slope);
    json_number(w, "heap_intercept_bytes", g->heap.intercept);
    json_number(w, "mapped_bytes_per_event", g->mapped.slope);
    json_number(w, "mapped_intercept_bytes", g->mapped.intercept);
    json_number(w, "rss_unexplained_bytes_per_event", g->unexplained);
    json_bool(w, "tool_memory_recorded", g->has_tool);
    if (g->has_tool) {
        json_number(w, "tool_rss_bytes_per_event", g->tool_rss.slope);
        json_number(w, "tool_rss_intercept_bytes", g->tool_rss.intercept);
        json_number(w, "tool_vm_bytes_per_event", g->tool_vm.slope);
    }
    json_end_object(w);
}

static void timeline_json(json_writer *w, const ls_analysis *a, size_t pi)
{
    const ls_timeline *t = &a->timelines[pi];
    const ls_report *r = a->procs[pi].r;
    char iso[40];
    json_begin_object(w, "timeline");
    if (t->event)
        json_int(w, "event", (long long)t->event);
    else
        json_null(w, "event");
    json_begin_array(w, "stamps");
    for (size_t i = 0; i < t->nstamps; i++) {
        const ls_stamp *st = &r->stamps[t->stamps[i].stamp];
        timeline_iso(st->time_us, iso, sizeof iso);
        json_begin_object(w, NULL);
        json_int(w, "seq", (long long)st->seq);
        json_string(w, "name", r->names[st->name]);
        json_number(w, "time_us", (double)st->time_us);
        json_string(w, "time_iso", iso);
        json_number(w, "since_previous_s", (double)t->stamps[i].dt_us / 1e6);
        json_int(w, "since_previous_us", (long long)t->stamps[i].dt_us);
        json_number(w, "heap_change_bytes", t->stamps[i].dheap);
        json_number(w, "rss_change_bytes", t->stamps[i].drss);
        json_end_object(w);
    }
    json_end_array(w);
    json_begin_array(w, "intervals");
    for (size_t k = 0; k < t->nintervals; k++) {
        const ls_tl_interval *iv = &t->intervals[k];
        json_begin_object(w, NULL);
        json_string(w, "from", iv->from);
        json_string(w, "to", iv->to);
        json_int(w, "count", (long long)iv->count);
        json_number(w, "heap_median_bytes", iv->heap_median);
        json_number(w, "heap_mean_bytes", iv->heap_mean);
        json_number(w, "rss_median_bytes", iv->rss_median);
        json_begin_array(w, "sites");
        for (size_t j = 0; j < iv->ntop; j++) {
            const ls_site *s = &a->per_proc[pi].sites[iv->top[j].site];
            const ls_symframe *d = s->nframes ? &s->frames[s->display] : NULL;
            json_begin_object(w, NULL);
            site_location(w, s, d);
            json_number(w, "bytes_per_event", iv->top[j].bytes_per_event);
            json_number(w, "median_bytes", iv->top[j].median);
            json_int(w, "grew_occurrences", (long long)iv->top[j].grew);
            json_bool(w, "one_off", timeline_one_off(&iv->top[j], iv->count));
            json_end_object(w);
        }
        json_end_array(w);
        json_end_object(w);
    }
    json_end_array(w);
    json_end_object(w);
}

static void process_json(json_writer *w, const ls_analysis *a, size_t pi)
{
    const ls_proc_info *p = &a->procs[pi].info;
    json_begin_object(w, NULL);
    json_int(w, "pid", p->pid);
    json_int(w, "ppid", p->ppid);
    int_or_null(w, "rank", p->rank);
    json_string(w, "job", p->job);
    json_string(w, "command", p->command);
    json_string(w, "exe", p->exe);
    json_string(w, "host", p->host);
    json_string(w, "file", p->path);
    json_string(w, "mode", p->mode);
    json_int(w, "events", (long long)p->events);
    json_int(w, "total_events", (long long)p->total_events);
    json_bool(w, "in_merged_view", p->merged);
    json_int(w, "stamps", (long long)p->stamps);
    json_bool(w, "truncated", p->truncated);
    if (p->truncated)
        json_int(w, "truncated_at_line", (long long)p->truncated_line);
    json_string(w, "exit_reason", p->exit_reason);
    json_int(w, "leaks", (long long)p->leaks);
    growth_json(w, &p->growth);
    if (a->per_proc)       /* per-process detail (docs/json-schema.md PROCESS) */
        sites_json(w, &a->per_proc[pi]);
    if (a->timelines && p->events)
        timeline_json(w, a, pi);
    json_end_object(w);
}

void render_json(FILE *out, const ls_analysis *a, const ls_options *o)
{
    (void)o;
    json_writer w = { .out = out };
    json_begin_object(&w, NULL);
    json_begin_object(&w, "tool");
    json_string(&w, "name", "leakstamp");
    json_string(&w, "version", LEAKSTAMP_VERSION);
    json_end_object(&w);
    json_int(&w, "events", (long long)a->merged.events);
    json_int(&w, "first_event", (long long)a->merged.first_event);
    json_int(&w, "skipped", (long long)a->skip);
    json_string(&w, "event_stamp", a->event_name);
    json_bool(&w, "estimated", analysis_sample_interval(a) != 0);
    json_int(&w, "sample_interval_bytes", (long long)analysis_sample_interval(a));
    json_int(&w, "merged_processes", (long long)a->merged.nprocs);
    json_int(&w, "processes_with_exit", (long long)a->merged.exit_procs);
    json_int(&w, "skipped_reports", (long long)a->skipped);
    json_bool(&w, "per_process_detail", a->per_proc != NULL);
    json_begin_array(&w, "processes");
    for (size_t i = 0; i < a->nprocs; i++)
        process_json(&w, a, i);
    json_end_array(&w);
    growth_json(&w, &a->merged.growth);
    sites_json(&w, &a->merged);
    json_end_object(&w);
}
