/*
 * render_text.c — the report for people: the ranked table of allocation locations (human units,
 * aligned columns, one line per location ending in `function  file:line`; locations.c), each listed
 * location's stack cut to the job's frames (stack_cut.h) with its call paths and their shares of its
 * growth beneath (with how the location is spread over processes when there are several), the
 * whole-process view, the processes (listed when few, else summarised by host and program:
 * render_procs.c), and the timeline when asked for.
 */
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "render/stack_cut.h"
#include "model/timeline.h"
#include "render/units.h"
#include "base/util.h"

enum { COLS = 13, CELL = 96 };

static const char *const headers[COLS] = {
    "rank", "verdict", "kind", "bytes/event", "allocs/event", "grew", "since", "live at end", "live at exit",
    "lost at exit", "paths", "function", "file:line",
};

static void location(const ls_site *s, char *buf, size_t size)
{
    const ls_symframe *d = s->nframes ? &s->frames[s->display] : NULL;
    if (d && d->file)
        snprintf(buf, size, "%s:%d", d->file, d->line);
    else if (d && d->module)
        snprintf(buf, size, "(%s)", path_base(d->module));
    else
        snprintf(buf, size, "?");
}

static void site_cells(const ls_site *s, char cell[COLS][CELL])
{
    snprintf(cell[0], CELL, s->rank ? "%zu" : "-", s->rank);
    snprintf(cell[1], CELL, "%s", verdict_name(s->g.verdict));
    snprintf(cell[2], CELL, "%s", site_kind_name(s->kind));
    units_bytes_signed(s->g.bytes_per_event, cell[3], CELL);
    units_count_signed(s->g.allocs_per_event, cell[4], CELL);
    snprintf(cell[5], CELL, "%.0f%%", 100 * s->g.growth_fraction);
    snprintf(cell[6], CELL, s->since_event ? "%zu" : "-", s->since_event);
    units_bytes(s->live_bytes_end, cell[7], CELL);
    if (s->has_exit)
        units_bytes(s->live_bytes_exit, cell[8], CELL);
    else
        snprintf(cell[8], CELL, "-");
    if (s->reach.has_reach)   /* memcheck's "definitely" plus "indirectly" lost */
        units_bytes(s->reach.bytes[LS_DEFINITE] + s->reach.bytes[LS_INDIRECT], cell[9], CELL);
    else
        snprintf(cell[9], CELL, "-");
    snprintf(cell[10], CELL, "%zu", s->npaths);
    /* long C++ names are cut visibly; the full name is in the stack below the table and in JSON */
    if (strlen(s->function) > 72)
        snprintf(cell[11], CELL, "%.69s...", s->function);
    else
        snprintf(cell[11], CELL, "%s%s", s->function, s->runtime ? " [runtime]" : "");
    location(s, cell[12], CELL);
}

static void print_row(FILE *out, char cell[COLS][CELL], const size_t *width)
{
    for (int c = 0; c < COLS; c++) {
        int left = c == 1 || c == 2 || c >= 11; /* words left, numbers right */
        if (c == COLS - 1)
            fprintf(out, "%s\n", cell[c]);
        else if (left)
            fprintf(out, "%-*s  ", (int)width[c], cell[c]);
        else
            fprintf(out, "%*s  ", (int)width[c], cell[c]);
    }
}

static void site_table(FILE *out, const ls_view *v)
{
    size_t width[COLS];
    char (*cells)[COLS][CELL] = xcalloc(v->nloc_order + 1, sizeof *cells);
    for (int c = 0; c < COLS; c++)
        snprintf(cells[0][c], CELL, "%s", headers[c]);
    for (size_t i = 0; i < v->nloc_order; i++)
        site_cells(&v->locs[v->loc_order[i]], cells[i + 1]);
    for (int c = 0; c < COLS; c++) {
        width[c] = 0;
        for (size_t i = 0; i <= v->nloc_order; i++)
            if (strlen(cells[i][c]) > width[c])
                width[c] = strlen(cells[i][c]);
    }
    for (size_t i = 0; i <= v->nloc_order; i++)
        print_row(out, cells[i], width);
    free(cells);
}

static void not_shown(FILE *out, const ls_view *v)
{
    size_t counts[VERDICT_COUNT] = { 0 }, shown[VERDICT_COUNT] = { 0 }, hidden = 0;
    for (size_t i = 0; i < v->nlocs; i++)
        counts[v->locs[i].g.verdict]++;
    for (size_t i = 0; i < v->nloc_order; i++)
        shown[v->locs[v->loc_order[i]].g.verdict]++;
    for (int k = VERDICT_LEAK; k < VERDICT_COUNT; k++)
        hidden += counts[k] - shown[k];
    if (!hidden)
        return;
    fprintf(out, "(%zu more location%s not shown:", hidden, hidden == 1 ? "" : "s");
    for (int k = VERDICT_LEAK; k < VERDICT_COUNT; k++)
        if (counts[k] > shown[k])
            fprintf(out, " %zu %s", counts[k] - shown[k], verdict_name((ls_verdict)k));
    fprintf(out, "; --all lists them, --top limits)\n");
}

/* "4/200 processes, 64.0 KiB/event each (max rank 150)" */
static void spread_line(FILE *out, const ls_view *v, const ls_site *s)
{
    char med[32], max[32], who[48];
    fprintf(out, "  %zu/%zu processes", s->processes_growing, v->nprocs);
    if (!s->processes_growing) {
        fprintf(out, " leak on their own; it grows only summed over the %zu that have it\n", s->processes);
        return;
    }
    units_bytes(s->pp_median, med, sizeof med);
    units_bytes(s->pp_max, max, sizeof max);
    if (s->pp_max_rank >= 0)
        snprintf(who, sizeof who, "rank %lld", s->pp_max_rank);
    else
        snprintf(who, sizeof who, "pid %lld", s->pp_max_pid);
    if (s->pp_max == s->pp_median)
        fprintf(out, ", %s/event each (max %s)\n", med, who);
    else
        fprintf(out, ", %s/event each (median; max %s/event, %s)\n", med, max, who);
}

static void print_frames(FILE *out, const ls_site *s, const char *event_name, const ls_options *o,
                         const char *indent)
{
    stack_cut c = stack_cut_of(s, event_name, o);
    for (size_t f = c.first; f < c.end; f++) {
        const ls_symframe *fr = &s->frames[f];
        fprintf(out, "%s%s %s", indent, f == s->display ? ">" : " ", fr->function ? fr->function : "??");
        if (fr->file)
            fprintf(out, "  %s:%d", fr->file, fr->line);
        fprintf(out, "  (%s+0x%llx)%s\n", fr->module ? path_base(fr->module) : "?",
                (unsigned long long)fr->addr, fr->inlined ? " [inlined]" : "");
    }
    if (c.hidden)
        fprintf(out, "%s  (%zu more frame%s: --full-stacks shows them)\n", indent, c.hidden,
                c.hidden == 1 ? "" : "s");
}

/* A location's call paths, each with its share of the location's growth and its stack. */
static void print_paths(FILE *out, const ls_view *v, const ls_site *loc, const char *event_name,
                        const ls_options *o)
{
    fprintf(out, "  %zu call paths:\n", loc->npaths);
    for (size_t p = 0; p < loc->npaths; p++) {
        const ls_site *s = &v->sites[loc->paths[p]];
        char b[32], l[32];
        units_bytes_signed(s->g.bytes_per_event, b, sizeof b);
        units_bytes(s->live_bytes_end, l, sizeof l);
        fprintf(out, "  path %zu: %.0f%% of the growth (%s per event, %s live at end)\n", p + 1,
                100 * location_path_share(loc, s), b, l);
        print_frames(out, s, event_name, o, "    ");
    }
}

/* "at exit: definite ..." and the "held by" lines of a listed location (heap scans). */
static void reach_lines(FILE *out, const ls_reachability *r)
{
    char b[32], what[512];
    if (r->has_reach) {
        fprintf(out, "  at exit:");
        for (int c = 0; c < LS_NREACH; c++) {
            units_bytes(r->bytes[c], b, sizeof b);
            fprintf(out, "%s %s %s in %.0f", c ? "," : "", reachability_category_name(c), b, r->allocs[c]);
        }
        fprintf(out, "\n");
    }
    if (!r->nretainers)
        return;
    if (r->retainers_at_exit)
        fprintf(out, "  who holds them at exit:\n");
    else
        fprintf(out, "  who holds them at event %zu:\n", r->retainers_event);
    for (size_t i = 0; i < r->nretainers; i++) {
        units_bytes(r->retainers[i].bytes, b, sizeof b);
        reachability_describe(&r->retainers[i], what, sizeof what);
        fprintf(out, "    %.0f allocs (%s) %s\n", r->retainers[i].allocs, b, what);
    }
}

static void print_stacks(FILE *out, const ls_analysis *a, const ls_view *v, const ls_options *o)
{
    for (size_t i = 0; i < v->nloc_order; i++) {
        const ls_site *s = &v->locs[v->loc_order[i]];
        char loc[CELL];
        location(s, loc, sizeof loc);
        fprintf(out, "\n%s %s  %s  %s\n", s->rank ? "#" : "-", verdict_name(s->g.verdict), s->function, loc);
        if (s->kind != SITE_HEAP)
            fprintf(out, "  (%s%s%s)\n", site_kind_name(s->kind), s->file ? ": " : "", s->file ? s->file : "");
        if (v->nprocs > 1)
            spread_line(out, v, s);
        if (s->npaths > 1)
            print_paths(out, v, s, a->event_name, o);
        else
            print_frames(out, s, a->event_name, o, "  ");
        reach_lines(out, &s->reach);
    }
}

void growth_lines(FILE *out, const ls_process_growth *g, const char *indent)
{
    char s[32], c[32];
    const struct { const char *name; const ls_fitline *f; } rows[] = {
        { "RSS   ", &g->rss }, { "VM    ", &g->vm }, { "heap  ", &g->heap }, { "mapped", &g->mapped },
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        units_bytes_signed(rows[i].f->slope, s, sizeof s);
        units_bytes(rows[i].f->intercept, c, sizeof c);
        fprintf(out, "%s%s  %12s per event   intercept %s\n", indent, rows[i].name, s, c);
    }
    if (g->has_tool) {
        units_bytes_signed(g->tool_rss.slope, s, sizeof s);
        units_bytes(g->tool_rss.intercept, c, sizeof c);
        fprintf(out, "%sleakstamp's own tables: %s per event (RSS, intercept %s): in the RSS above, not in the line below\n",
                indent, s, c);
    }
    units_bytes_signed(g->unexplained, s, sizeof s);
    fprintf(out, "%sRSS growth not explained by heap and mappings: %s per event\n", indent, s);
}

/* The stamps of one event, with each change printed between the two stamps whose interval it is. */
static void timeline_stamps(FILE *out, const ls_timeline *t, const ls_report *r)
{
    char iso[40], dh[32], dr[32];
    if (t->nstamps)
        fprintf(out, "  %8s  %-24s  %16s  %s\n", "seq", "stamp", "time us", "time (UTC)");
    for (size_t i = 0; i < t->nstamps; i++) {
        const ls_stamp *st = &r->stamps[t->stamps[i].stamp];
        if (i > 0) {   /* the change from the stamp shown above */
            const ls_stamp *prev = &r->stamps[t->stamps[i - 1].stamp];
            units_bytes_signed(t->stamps[i].dheap, dh, sizeof dh);
            units_bytes_signed(t->stamps[i].drss, dr, sizeof dr);
            fprintf(out, "  %8s    %s \u2192 %s: %.6f s (%lld us), heap %s, RSS %s\n", "", r->names[prev->name],
                    r->names[st->name], (double)t->stamps[i].dt_us / 1e6, (long long)t->stamps[i].dt_us, dh, dr);
        }
        timeline_iso(st->time_us, iso, sizeof iso);
        fprintf(out, "  %8llu  %-24s  %16llu  %s\n", (unsigned long long)st->seq, r->names[st->name],
                (unsigned long long)st->time_us, iso);
    }
}

static void timeline_text(FILE *out, const ls_analysis *a, size_t pi)
{
    const ls_timeline *t = &a->timelines[pi];
    const ls_report *r = a->procs[pi].r;
    char m1[32], m2[32], m3[32];
    if (!a->procs[pi].nbounds)   /* a helper without events has no timeline to show */
        return;
    fprintf(out, "\ntimeline of event %zu, pid %lld:\n", t->event, r->pid);
    timeline_stamps(out, t, r);
    fprintf(out, "\ninterval growth over the analysed events, pid %lld (per occurrence; ranked by the median):\n",
            r->pid);
    for (size_t k = 0; k < t->nintervals; k++) {
        const ls_tl_interval *iv = &t->intervals[k];
        units_bytes_signed(iv->heap_median, m1, sizeof m1);
        units_bytes_signed(iv->heap_mean, m2, sizeof m2);
        units_bytes_signed(iv->rss_median, m3, sizeof m3);
        fprintf(out, "  %s \u2192 %s  (%zu time%s)  heap median %s, mean %s; RSS median %s\n", iv->from, iv->to,
                iv->count, iv->count == 1 ? "" : "s", m1, m2, m3);
        for (size_t j = 0; j < iv->ntop; j++) {
            const ls_tl_site *ts = &iv->top[j];
            const ls_site *s = &a->per_proc[pi].sites[ts->site];
            char loc[CELL], one[64] = "";
            location(s, loc, sizeof loc);
            units_bytes_signed(ts->median, m1, sizeof m1);
            units_bytes_signed(ts->bytes_per_event, m2, sizeof m2);
            if (timeline_one_off(ts, iv->count)) {
                units_bytes_signed(ts->largest, m3, sizeof m3);
                snprintf(one, sizeof one, "  [one-off: %s once]", m3);
            }
            fprintf(out, "      median %12s  mean %12s  %s  %s%s\n", m1, m2, s->function, loc, one);
        }
    }
}

void render_text(FILE *out, const ls_analysis *a, const ls_options *o)
{
    const ls_view *v = &a->merged;
    fprintf(out, "leakstamp-analyze %s: %zu process%s, %zu events of stamp \"%s\"", LEAKSTAMP_VERSION,
            a->nprocs, a->nprocs == 1 ? "" : "es", v->events, a->event_name ? a->event_name : "(none)");
    if (a->skip)
        fprintf(out, " (events %zu.. after --skip %zu)", v->first_event, a->skip);
    fprintf(out, "\n");
    uint64_t sampled = analysis_sample_interval(a);
    if (a->skipped)
        fprintf(out, "%zu report%s skipped as empty or unreadable (warnings above)\n", a->skipped,
                a->skipped == 1 ? "" : "s");
    if (v->nprocs > 1 && v->exit_procs < v->nprocs)
        fprintf(out, "live at exit: counted over the %zu of %zu process%s with an exit record\n", v->exit_procs,
                v->nprocs, v->nprocs == 1 ? "" : "es");
    if (sampled)
        fprintf(out, "sampled mode: site numbers are ESTIMATES from allocations sampled every %llu bytes on "
                "average\n(relative error about sqrt(%llu / total growth in bytes); docs/preload.md)\n",
                (unsigned long long)sampled, (unsigned long long)sampled);
    fprintf(out, "\n");
    if (v->events < 2)
        fprintf(out, "no events to compare: %zu stamp%s of \"%s\" in the report%s, so nothing can grow per event.\n"
                "Mark event boundaries with `leakstamp run --event NAME` (the job's event function),\n"
                "LEAKSTAMP_EVENT=NAME, or leakstamp_stamp(\"name\") in the job; `leakstamp gate` checks a job\n"
                "without stamps for allocations still live at exit.\n\n",
                v->events, v->events == 1 ? "" : "s", a->event_name ? a->event_name : "any name",
                a->nprocs == 1 ? "" : "s");
    if (v->nloc_order)
        site_table(out, v);
    else if (v->events >= 2)
        fprintf(out, "no leaking site found\n");
    not_shown(out, v);
    print_stacks(out, a, v, o);
    fprintf(out, "\nwhole process%s (robust fit over events):\n", a->nprocs > 1 ? "es, summed" : "");
    growth_lines(out, &v->growth, "  ");
    render_processes(out, a);
    for (size_t i = 0; a->timelines && i < a->nprocs; i++)
        timeline_text(out, a, i);
}
