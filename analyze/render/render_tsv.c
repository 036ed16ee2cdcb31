/*
 * render_tsv.c — one header row, then one row per listed site, TAB-separated, numbers unformatted
 * (for spreadsheets, pandas, awk). Empty fields stand for "none". With --timeline a blank line and a
 * second table of intervals follow. Columns are listed in docs/cli.md.
 */
#include <string.h>

#include "render/render.h"
#include "model/timeline.h"
#include "base/util.h"

/* TAB and newline would break the table: replace them. */
static void field(FILE *out, const char *s, int last)
{
    for (; s && *s; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, out);
    fputc(last ? '\n' : '\t', out);
}

static void num(FILE *out, double v)
{
    fprintf(out, "%.10g\t", v);
}

static void stack_field(FILE *out, const ls_site *s)
{
    for (size_t i = 0; i < s->nframes; i++) {
        const ls_symframe *f = &s->frames[i];
        char buf[64];
        if (i)
            fputs(" <- ", out);
        snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)f->addr);
        for (const char *p = f->function ? f->function : buf; *p; p++)
            fputc(*p == '\t' || *p == '\n' ? ' ' : *p, out);
        if (f->file)
            fprintf(out, "@%s:%d", path_base(f->file), f->line);
    }
    fputc('\t', out);
}

static void site_row(FILE *out, const ls_site *s, int estimated)
{
    const ls_symframe *d = s->nframes ? &s->frames[s->display] : NULL;
    if (s->rank)
        fprintf(out, "%zu", s->rank);
    fputc('\t', out);
    field(out, verdict_name(s->g.verdict), 0);
    num(out, s->g.bytes_per_event);
    num(out, s->g.allocs_per_event);
    num(out, s->g.growth_fraction);
    if (s->since_event)
        fprintf(out, "%zu", s->since_event);
    fputc('\t', out);
    num(out, s->live_bytes_end);
    num(out, s->live_allocs_end);
    if (s->has_exit)
        fprintf(out, "%.0f\t%.0f\t", s->live_bytes_exit, s->live_allocs_exit);
    else
        fputs("\t\t", out);
    field(out, s->function, 0);
    field(out, d ? d->file : NULL, 0);
    if (d && d->line)
        fprintf(out, "%d", d->line);
    fputc('\t', out);
    field(out, d ? d->module : NULL, 0);
    stack_field(out, s);
    fprintf(out, "%d\n", estimated);
}

static void intervals(FILE *out, const ls_analysis *a)
{
    fputs("\npid\tfrom\tto\tcount\theap_median_bytes\theap_mean_bytes\trss_median_bytes\ttop_function\n", out);
    for (size_t p = 0; p < a->nprocs; p++) {
        const ls_timeline *t = &a->timelines[p];
        for (size_t k = 0; k < t->nintervals; k++) {
            const ls_tl_interval *iv = &t->intervals[k];
            fprintf(out, "%lld\t", a->procs[p].r->pid);
            field(out, iv->from, 0);
            field(out, iv->to, 0);
            fprintf(out, "%zu\t", iv->count);
            num(out, iv->heap_median);
            num(out, iv->heap_mean);
            num(out, iv->rss_median);
            field(out, iv->ntop ? a->per_proc[p].sites[iv->top[0].site].function : NULL, 1);
        }
    }
}

void render_tsv(FILE *out, const ls_analysis *a, const ls_options *o)
{
    (void)o;
    const ls_view *v = &a->merged;
    fputs("rank\tverdict\tbytes_per_event\tallocs_per_event\tgrowth_fraction\tsince_event\t"
          "live_bytes_end\tlive_allocs_end\tlive_bytes_exit\tlive_allocs_exit\tfunction\tfile\tline\t"
          "module\tstack\testimated\n", out);
    int estimated = analysis_sample_interval(a) != 0;
    for (size_t i = 0; i < v->norder; i++)
        site_row(out, &v->sites[v->order[i]], estimated);
    if (a->timelines)
        intervals(out, a);
}
