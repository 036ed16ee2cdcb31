/*
 * render_tsv.c — one header row, then one row per listed site, TAB-separated, numbers unformatted
 * (for spreadsheets, pandas, awk). Empty fields stand for "none". With --timeline a blank line and a
 * second table of intervals follow. The site columns are site_row.c's (listed in docs/cli.md).
 */
#include "render/render.h"
#include "render/site_row.h"
#include "model/timeline.h"

/* TAB and newline would break the table: replace them. */
static void tsv_field(FILE *out, const char *s)
{
    for (; s && *s; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, out);
}

/* The stack arrives with its function names cleaned (tsv_frame_name_char): written as it is. */
static void tsv_stack_field(FILE *out, const char *s)
{
    if (s)
        fputs(s, out);
}

static char tsv_frame_name_char(char c)
{
    return c == '\t' || c == '\n' ? ' ' : c;
}

static const site_row_format tsv_format = {
    .sep = '\t', .eol = "\n", .field = tsv_field, .stack_field = tsv_stack_field,
    .frame_name_char = tsv_frame_name_char,
};

static void interval_text(FILE *out, const char *s, char after)
{
    tsv_field(out, s);
    fputc(after, out);
}

static void interval_number(FILE *out, double v)
{
    fprintf(out, "%.10g\t", v);
}

static void intervals(FILE *out, const ls_analysis *a)
{
    fputs("\npid\tfrom\tto\tcount\theap_median_bytes\theap_mean_bytes\trss_median_bytes\ttop_function\n", out);
    for (size_t p = 0; p < a->nprocs; p++) {
        const ls_timeline *t = &a->timelines[p];
        for (size_t k = 0; k < t->nintervals; k++) {
            const ls_tl_interval *iv = &t->intervals[k];
            fprintf(out, "%lld\t", a->procs[p].info.pid);
            interval_text(out, iv->from, '\t');
            interval_text(out, iv->to, '\t');
            fprintf(out, "%zu\t", iv->count);
            interval_number(out, iv->heap_median);
            interval_number(out, iv->heap_mean);
            interval_number(out, iv->rss_median);
            interval_text(out, iv->ntop ? a->per_proc[p].sites[iv->top[0].site].function : NULL, '\n');
        }
    }
}

void render_tsv(FILE *out, const ls_analysis *a, const ls_options *o)
{
    (void)o;
    site_table_write(out, a, &tsv_format);
    if (a->timelines)
        intervals(out, a);
}
