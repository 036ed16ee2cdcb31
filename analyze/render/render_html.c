/*
 * render_html.c — --format html: one self-contained page (no network, no scripts, no external fonts
 * or style sheets) for people who look at plots before tables:
 *
 *   - RSS, VM and heap live against event number, each with its robust fitted line and the line's
 *     slope and intercept (the "slope 3.62 MB per event, intercept 21284 MB" people fit by hand);
 *   - cumulative growth against event for the top listed locations, each labelled function +
 *     file:line, on a logarithmic axis (a 2 MiB-per-event leak does not flatten a 100 B one, and a
 *     late onset stays visible);
 *   - the stamps of one event as a bar (segment width = time between stamps, colour = heap change),
 *     and the interval-growth table of the text report's --timeline;
 *   - the ranked location table, as in the text report, and each listed location's stack (cut as in
 *     the text report: stack_cut.h) with its call paths, collapsed in <details>, opened on a click.
 *
 * Sized for a laptop screen: everything fits 1400 px wide. Pictures are drawn by render_svg.c.
 */
#include <stdlib.h>
#include <string.h>

#include "render/export.h"
#include "render/render.h"
#include "render/render_svg.h"
#include "render/stack_cut.h"
#include "model/series.h"
#include "model/timeline.h"
#include "render/units.h"
#include "base/util.h"

#define TOP_SITES 8

static const char *const palette[TOP_SITES] = {
    "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
};

static void html_escape(FILE *out, const char *s)
{
    svg_escape(out, s);
}

static void location(const ls_site *s, char *buf, size_t size)
{
    const ls_symframe *d = s->nframes ? &s->frames[s->display] : NULL;
    if (d && d->file)
        snprintf(buf, size, "%s:%d", path_base(d->file), d->line);
    else if (d && d->module)
        snprintf(buf, size, "(%s)", path_base(d->module));
    else
        snprintf(buf, size, "?");
}

/* file:line with the file's path as recorded (the table and the stacks; the chart's legend is short) */
static void full_location(const ls_site *s, char *buf, size_t size)
{
    const ls_symframe *d = s->nframes ? &s->frames[s->display] : NULL;
    if (d && d->file)
        snprintf(buf, size, "%s:%d", d->file, d->line);
    else
        location(s, buf, size);
}

static void write_head(FILE *out, const ls_analysis *a)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>leakstamp: ", out);
    const char *exe = a->nprocs ? a->procs[analysis_main_proc(a)].info.exe : NULL;
    html_escape(out, exe ? path_base(exe) : "report");
    fputs("</title>\n<style>\n"
          "body { font-family: sans-serif; margin: 16px 24px; color: #222; max-width: 1360px; }\n"
          "h1 { font-size: 22px; margin: 0 0 4px 0; } h2 { font-size: 17px; margin: 22px 0 8px 0; }\n"
          ".sub { color: #555; margin: 0 0 4px 0; } .warn { color: #a40; font-weight: bold; }\n"
          ".row { display: flex; flex-wrap: wrap; gap: 6px; }\n"
          "table { border-collapse: collapse; font-size: 13px; }\n"
          "th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; vertical-align: top;\n"
          "         white-space: nowrap; }\n"
          "th { background: #f3f3f3; } td.l, th.l { text-align: left; }\n"
          "td.fn { font-family: monospace; max-width: 560px; overflow-wrap: anywhere; white-space: normal; text-align: left; }\n"
          "td.loc { font-family: monospace; white-space: nowrap; text-align: left; }\n"
          ".leak { color: #b00; font-weight: bold; }\n"
          "details { margin: 2px 0; } summary { cursor: pointer; font-family: monospace; font-size: 13px; }\n"
          "pre { font-size: 12px; margin: 4px 0 8px 18px; }\n"
          "</style>\n</head>\n<body>\n", out);
}

static void summary(FILE *out, const ls_analysis *a)
{
    const ls_view *v = &a->merged;
    fputs("<h1>leakstamp report</h1>\n<p class=\"sub\">", out);
    fprintf(out, "%zu process%s, %zu events of stamp &#8220;", a->nprocs, a->nprocs == 1 ? "" : "es", v->events);
    html_escape(out, a->event_name ? a->event_name : "(none)");
    fprintf(out, "&#8221;");
    if (a->skip)
        fprintf(out, " (events %zu.. after skipping %zu)", v->first_event, a->skip);
    fprintf(out, "; leakstamp-analyze %s</p>\n", LEAKSTAMP_VERSION);
    /* the processes of the merged view (the job, not the shell shims it was started through) */
    for (size_t i = 0; i < v->nprocs && i < 8; i++) {
        const ls_proc_info *p = &a->procs[v->procs[i]].info;
        fprintf(out, "<p class=\"sub\">pid %lld: <code>", p->pid);
        html_escape(out, p->command);
        fputs("</code></p>\n", out);
    }
    if (v->nprocs > 8)
        fprintf(out, "<p class=\"sub\">and %zu more processes of this program</p>\n", v->nprocs - 8);
    if (a->nprocs > v->nprocs)
        fprintf(out, "<p class=\"sub\">%zu other process%s (helpers such as shell shims: not in the merged "
                "view)</p>\n", a->nprocs - v->nprocs, a->nprocs - v->nprocs == 1 ? "" : "es");
    uint64_t sampled = analysis_sample_interval(a);
    if (sampled)
        fprintf(out, "<p class=\"warn\">Sampled mode: site numbers are estimates (one allocation sampled per "
                "%llu bytes on average).</p>\n", (unsigned long long)sampled);
}

static void process_charts(FILE *out, const ls_analysis *a)
{
    const ls_view *v = &a->merged;
    const struct { const char *name; int metric; const ls_fitline *fit; const char *color; } m[] = {
        { "RSS", METRIC_RSS, &v->growth.rss, "#d62728" },
        { "VM", METRIC_VM, &v->growth.vm, "#1f77b4" },
        { "heap live", METRIC_HEAP, &v->growth.heap, "#2ca02c" },
        { "mapped", METRIC_MAPPED, &v->growth.mapped, "#9467bd" },
    };
    double *y = xcalloc(v->events + 1, sizeof *y);
    char us[32], ts[32], tool[96] = "";
    units_bytes_signed(v->growth.unexplained, us, sizeof us);
    if (v->growth.has_tool) {
        units_bytes_signed(v->growth.tool_rss.slope, ts, sizeof ts);
        snprintf(tool, sizeof tool, " leakstamp's own tables (left out of that): %s per event.", ts);
    }
    fprintf(out, "<h2>Whole process%s against event</h2>\n<p class=\"sub\">Dashed: robust fitted line. "
            "RSS growth not explained by heap and mappings: %s per event.%s</p>\n<div class=\"row\">\n",
            a->nprocs > 1 ? "es (summed)" : "", us, tool);
    for (size_t k = 0; k < sizeof m / sizeof *m; k++) {
        if (m[k].metric == METRIC_MAPPED && !m[k].fit->slope && !m[k].fit->intercept)
            continue;   /* no tracked mapping: no chart */
        export_metric_series(a, v, m[k].metric, y);
        char slope[32], icpt[32], sub[160];
        units_bytes_signed(m[k].fit->slope, slope, sizeof slope);
        units_bytes(m[k].fit->intercept, icpt, sizeof icpt);
        snprintf(sub, sizeof sub, "slope %s per event, intercept %s", slope, icpt);
        svg_series s = { m[k].name, m[k].color, y, v->events, 1, m[k].fit->slope, m[k].fit->intercept };
        svg_chart c = { 440, 300, m[k].name, sub, "event", (double)v->first_event, 0, 0 };
        svg_line_chart(out, &c, &s, 1);
    }
    fputs("</div>\n", out);
    free(y);
}

static void site_chart(FILE *out, const ls_analysis *a)
{
    const ls_view *v = &a->merged;
    /* growing sites only: with --all a 50 MB warm-up buffer would flatten every leak to the axis */
    size_t pick[TOP_SITES], n = 0;
    for (size_t i = 0; i < v->nloc_order && n < TOP_SITES; i++) {
        ls_verdict vd = v->locs[v->loc_order[i]].g.verdict;
        if (vd == VERDICT_LEAK || vd == VERDICT_INJECTED)
            pick[n++] = v->loc_order[i];
    }
    fputs("<h2>Cumulative growth of the top locations against event</h2>\n", out);
    if (!n || !v->events) {
        fputs("<p>No growing site (no leak found).</p>\n", out);
        return;
    }
    fputs("<p class=\"sub\">Live bytes of each location minus its live bytes at the first analysed event, "
          "on a logarithmic axis (each grid line is 32 times the one below; 1 B and less on the floor).</p>\n", out);
    double *y = xcalloc(n * v->events + 1, sizeof *y);
    svg_series s[TOP_SITES];
    char labels[TOP_SITES][400];
    for (size_t k = 0; k < n; k++) {
        const ls_site *site = &v->locs[pick[k]];
        double *row = y + k * v->events;
        export_site_series(a, v, site, row);
        for (size_t e = v->events; e-- > 0;)
            row[e] -= row[0];
        char loc[128], rate[32];
        location(site, loc, sizeof loc);
        units_bytes_signed(site->g.bytes_per_event, rate, sizeof rate);
        char fn[100];
        snprintf(fn, sizeof fn, "%s", site->function);
        if (strlen(site->function) >= sizeof fn)
            strcpy(fn + sizeof fn - 4, "...");
        snprintf(labels[k], sizeof labels[k], "%s%zu %s  %s  (%s/event, %s)", site->rank ? "#" : "",
                 site->rank ? site->rank : k + 1, fn, loc, rate, verdict_name(site->g.verdict));
        s[k] = (svg_series){ labels[k], palette[k], row, v->events, 0, 0, 0 };
    }
    svg_chart c = { 1340, 390 + (int)n * 17 + 8, "growing locations (leak, injected), log scale", NULL, "event",
                    (double)v->first_event, 1, 1 };
    svg_line_chart(out, &c, s, n);
    free(y);
}

static const char *change_color(double d)
{
    return d > 0 ? "#f4a6a6" : d < 0 ? "#a6c8f4" : "#d9d9d9";
}

static void timeline_section(FILE *out, const ls_analysis *a)
{
    if (!a->timelines)
        return;
    size_t pi = analysis_main_proc(a);
    const ls_timeline *t = &a->timelines[pi];
    const ls_report *r = a->procs[pi].r;
    if (!t->event || !t->nstamps)
        return;
    fprintf(out, "<h2>Stamps of event %zu (pid %lld)</h2>\n<p class=\"sub\">One segment per interval between "
            "stamps, width = time; red: heap grew, blue: heap shrank, grey: no change.</p>\n", t->event, r->pid);
    svg_segment *seg = xcalloc(t->nstamps, sizeof *seg);
    char (*tips)[256] = xcalloc(t->nstamps, sizeof *tips);
    size_t n = 0;
    fputs("<table>\n<tr><th class=\"l\">from</th><th class=\"l\">to</th><th>time</th><th>heap change</th>"
          "<th>RSS change</th></tr>\n", out);
    for (size_t i = 0; i < t->nstamps; i++) {
        size_t j = t->stamps[i].stamp;
        if (j + 1 >= r->nstamps)
            break;
        const ls_stamp *s0 = &r->stamps[j], *s1 = &r->stamps[j + 1];
        double dt = (double)(s1->time_us - s0->time_us);
        double dh = (double)s1->heap_bytes - (double)s0->heap_bytes, dr = (double)s1->rss - (double)s0->rss;
        char h[32], rs[32];
        units_bytes_signed(dh, h, sizeof h);
        units_bytes_signed(dr, rs, sizeof rs);
        snprintf(tips[n], sizeof tips[n], "%s -> %s: %.0f us, heap %s, RSS %s", r->names[s0->name],
                 r->names[s1->name], dt, h, rs);
        seg[n] = (svg_segment){ dt, r->names[s0->name], tips[n], change_color(dh) };
        n++;
        fputs("<tr><td class=\"l\">", out);
        html_escape(out, r->names[s0->name]);
        fputs("</td><td class=\"l\">", out);
        html_escape(out, r->names[s1->name]);
        fprintf(out, "</td><td>%.0f &#181;s</td><td>%s</td><td>%s</td></tr>\n", dt, h, rs);
    }
    fputs("</table>\n", out);
    svg_bar(out, 1340, seg, n);
    free(seg);
    free(tips);
}

static void site_row(FILE *out, const ls_site *s)
{
    char b[32], c[32], e[32], x[32], lost[32], loc[256];
    units_bytes_signed(s->g.bytes_per_event, b, sizeof b);
    units_count_signed(s->g.allocs_per_event, c, sizeof c);
    units_bytes(s->live_bytes_end, e, sizeof e);
    if (s->has_exit)
        units_bytes(s->live_bytes_exit, x, sizeof x);
    else
        snprintf(x, sizeof x, "-");
    if (s->reach.has_reach)   /* memcheck's "definitely" plus "indirectly" lost */
        units_bytes(s->reach.bytes[LS_DEFINITE] + s->reach.bytes[LS_INDIRECT], lost, sizeof lost);
    else
        snprintf(lost, sizeof lost, "-");
    full_location(s, loc, sizeof loc);
    if (s->rank)
        fprintf(out, "<tr><td>%zu</td>", s->rank);
    else
        fputs("<tr><td>-</td>", out);
    fprintf(out, "<td class=\"l%s\">%s</td><td>%s</td><td>%s</td><td>%.0f%%</td><td>",
            s->g.verdict == VERDICT_LEAK ? " leak" : "", verdict_name(s->g.verdict), b, c,
            100 * s->g.growth_fraction);
    if (s->since_event)
        fprintf(out, "%zu", s->since_event);
    else
        fputs("-", out);
    fprintf(out, "</td><td>%s</td><td>%s</td><td>%s</td><td>%zu</td><td class=\"fn\">", e, x, lost, s->npaths);
    html_escape(out, s->function);
    fputs("</td><td class=\"loc\">", out);
    html_escape(out, loc);
    fputs("</td></tr>\n", out);
}

static void site_table(FILE *out, const ls_analysis *a)
{
    const ls_view *v = &a->merged;
    fputs("<h2>Ranked allocation locations</h2>\n", out);
    if (!v->nloc_order) {
        fputs("<p>No leaking site found.</p>\n", out);
        return;
    }
    fputs("<table>\n<tr><th>rank</th><th class=\"l\">verdict</th><th>bytes/event</th><th>allocs/event</th>"
          "<th>grew</th><th>since</th><th>live at end</th><th>live at exit</th><th>lost at exit</th><th>paths</th>"
          "<th class=\"l\">function</th><th class=\"l\">file:line</th></tr>\n", out);
    for (size_t i = 0; i < v->nloc_order; i++)
        site_row(out, &v->locs[v->loc_order[i]]);
    fputs("</table>\n", out);
}

static void frames_pre(FILE *out, const ls_site *s, const char *event_name, const ls_options *o)
{
    stack_cut c = stack_cut_of(s, event_name, o);
    fputs("<pre>", out);
    for (size_t f = c.first; f < c.end; f++) {
        const ls_symframe *fr = &s->frames[f];
        char line[64] = "";
        fputs(f == s->display ? "&gt; " : "  ", out);
        html_escape(out, fr->function ? fr->function : "??");
        if (fr->file) {
            fputs("  ", out);
            html_escape(out, fr->file);
            snprintf(line, sizeof line, ":%d", fr->line);
            fputs(line, out);
        }
        fputs("  (", out);
        html_escape(out, fr->module ? path_base(fr->module) : "?");
        fprintf(out, ")%s\n", fr->inlined ? " [inlined]" : "");
    }
    if (c.hidden)
        fprintf(out, "  (%zu more frame%s: --full-stacks shows them)\n", c.hidden, c.hidden == 1 ? "" : "s");
    fputs("</pre>\n", out);
}

/* The heap scans' split at exit and the "held by" lines of a location, as the text report has them. */
static void holders_list(FILE *out, const ls_reachability *r)
{
    if (!r->has_reach && !r->nretainers)
        return;
    char b[32], what[512];
    fputs("<ul>\n", out);
    if (r->has_reach) {
        fputs("<li>at exit:", out);
        for (int c = 0; c < LS_NREACH; c++) {
            units_bytes(r->bytes[c], b, sizeof b);
            fprintf(out, "%s %s %s in %.0f", c ? "," : "", reachability_category_name(c), b, r->allocs[c]);
        }
        fputs("</li>\n", out);
    }
    for (size_t k = 0; k < r->nretainers; k++) {
        units_bytes(r->retainers[k].bytes, b, sizeof b);
        reachability_describe(&r->retainers[k], what, sizeof what);
        if (r->retainers_at_exit)
            fprintf(out, "<li>at exit, %.0f allocs (%s) ", r->retainers[k].allocs, b);
        else
            fprintf(out, "<li>at event %zu, %.0f allocs (%s) ", r->retainers_event, r->retainers[k].allocs, b);
        html_escape(out, what);
        fputs("</li>\n", out);
    }
    fputs("</ul>\n", out);
}

/* Each listed location's stack, or its call paths with their shares, one <details> each. */
static void stacks_section(FILE *out, const ls_analysis *a, const ls_options *o)
{
    const ls_view *v = &a->merged;
    if (!v->nloc_order)
        return;
    fputs("<h2>Stacks</h2>\n<p class=\"sub\">Click a location to open its stack.</p>\n", out);
    for (size_t i = 0; i < v->nloc_order; i++) {
        const ls_site *s = &v->locs[v->loc_order[i]];
        char loc[256], head[64];
        full_location(s, loc, sizeof loc);
        if (s->rank)
            snprintf(head, sizeof head, "#%zu %s", s->rank, verdict_name(s->g.verdict));
        else
            snprintf(head, sizeof head, "- %s", verdict_name(s->g.verdict));
        fprintf(out, "<details><summary>%s  ", head);
        html_escape(out, s->function);
        fputs("  ", out);
        html_escape(out, loc);
        if (s->npaths > 1)
            fprintf(out, "  (%zu call paths)", s->npaths);
        fputs("</summary>\n", out);
        if (s->npaths == 1)
            frames_pre(out, s, a->event_name, o);
        for (size_t p = 0; s->npaths > 1 && p < s->npaths; p++) {
            const ls_site *path = &v->sites[s->paths[p]];
            char b[32];
            units_bytes_signed(path->g.bytes_per_event, b, sizeof b);
            fprintf(out, "<p class=\"sub\">path %zu: %.0f%% of the growth (%s per event)</p>\n", p + 1,
                    100 * location_path_share(s, path), b);
            frames_pre(out, path, a->event_name, o);
        }
        holders_list(out, &s->reach);
        fputs("</details>\n", out);
    }
}

/* The text report's interval growth (timeline.h): per pair of consecutive stamps, by median growth. */
static void interval_table(FILE *out, const ls_analysis *a)
{
    if (!a->timelines)
        return;
    size_t pi = analysis_main_proc(a);
    const ls_timeline *t = &a->timelines[pi];
    if (!t->nintervals)
        return;
    fprintf(out, "<h2>Interval growth (pid %lld)</h2>\n<p class=\"sub\">Per occurrence of each interval between "
            "two consecutive stamps, over the analysed events; ranked by the median.</p>\n", a->procs[pi].r->pid);
    fputs("<table>\n<tr><th class=\"l\">interval</th><th>times</th><th>heap median</th><th>heap mean</th>"
          "<th>RSS median</th><th class=\"l\">sites growing there (median, mean per occurrence)</th></tr>\n", out);
    for (size_t k = 0; k < t->nintervals; k++) {
        const ls_tl_interval *iv = &t->intervals[k];
        char m1[32], m2[32], m3[32];
        units_bytes_signed(iv->heap_median, m1, sizeof m1);
        units_bytes_signed(iv->heap_mean, m2, sizeof m2);
        units_bytes_signed(iv->rss_median, m3, sizeof m3);
        fputs("<tr><td class=\"l\">", out);
        html_escape(out, iv->from);
        fputs(" &#8594; ", out);
        html_escape(out, iv->to);
        fprintf(out, "</td><td>%zu</td><td>%s</td><td>%s</td><td>%s</td><td class=\"fn\">", iv->count, m1, m2, m3);
        for (size_t j = 0; j < iv->ntop; j++) {
            const ls_tl_site *ts = &iv->top[j];
            const ls_site *s = &a->per_proc[pi].sites[ts->site];
            units_bytes_signed(ts->median, m1, sizeof m1);
            units_bytes_signed(ts->bytes_per_event, m2, sizeof m2);
            fprintf(out, "%s%s, %s ", j ? "<br/>" : "", m1, m2);
            html_escape(out, s->function);
            if (timeline_one_off(ts, iv->count)) {
                units_bytes_signed(ts->largest, m3, sizeof m3);
                fprintf(out, " <b>[one-off: %s once]</b>", m3);
            }
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

void render_html(FILE *out, const ls_analysis *a, const ls_options *o)
{
    write_head(out, a);
    summary(out, a);
    process_charts(out, a);
    site_chart(out, a);
    timeline_section(out, a);
    interval_table(out, a);
    site_table(out, a);
    stacks_section(out, a, o);
    fputs("</body>\n</html>\n", out);
}
