/*
 * site_row.c — the columns of the ranked site table (site_row.h): one walker, the field writers are
 * the formats'. Numbers are unformatted (%.10g; counts at exit %.0f); an empty field means "none".
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "render/site_row.h"

enum site_column {
    COL_RANK, COL_VERDICT, COL_BYTES_PER_EVENT, COL_ALLOCS_PER_EVENT, COL_GROWTH_FRACTION,
    COL_SINCE_EVENT, COL_LIVE_BYTES_END, COL_LIVE_ALLOCS_END, COL_LIVE_BYTES_EXIT, COL_LIVE_ALLOCS_EXIT,
    COL_FUNCTION, COL_FILE, COL_LINE, COL_MODULE, COL_STACK, COL_ESTIMATED, COL_KIND, COL_MAPPED_FILE,
    NCOLUMNS
};

static const char *const column_names[NCOLUMNS] = {
    "rank", "verdict", "bytes_per_event", "allocs_per_event", "growth_fraction", "since_event",
    "live_bytes_end", "live_allocs_end", "live_bytes_exit", "live_allocs_exit", "function", "file",
    "line", "module", "stack", "estimated", "kind", "mapped_file",
};

/* function@file:line frames joined by " <- ", innermost first; a malloc'd string (NULL without
 * memory: an empty field). */
static char *stack_text(const ls_site *s, const site_row_format *f)
{
    size_t len = 0, cap = 256;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    buf[0] = 0;
    for (size_t i = 0; i < s->nframes; i++) {
        const ls_symframe *fr = &s->frames[i];
        char addr[32], piece[64];
        snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)fr->addr);
        const char *fn = fr->function ? fr->function : addr;
        const char *file = fr->file ? path_base(fr->file) : NULL;
        snprintf(piece, sizeof piece, ":%d", fr->line);
        size_t need = len + strlen(fn) + (file ? strlen(file) + 1 + strlen(piece) : 0) + 8;
        if (need > cap) {
            while (cap < need)
                cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                break;
            buf = nb;
        }
        if (i) {
            memcpy(buf + len, " <- ", 4);
            len += 4;
        }
        for (const char *p = fn; *p; p++)
            buf[len++] = f->frame_name_char(*p);
        len += (size_t)sprintf(buf + len, "%s%s%s", file ? "@" : "", file ? file : "", file ? piece : "");
    }
    return buf;
}

/* The text of one cell, into num (numbers) or pointing into the site; NULL for an empty cell. */
static const char *cell_text(enum site_column c, const ls_site *s, int estimated, char *num, size_t size)
{
    const ls_symframe *d = s->nframes ? &s->frames[s->display] : NULL;
    switch (c) {
    case COL_RANK:
        return s->rank ? (snprintf(num, size, "%zu", s->rank), num) : NULL;
    case COL_VERDICT:
        return verdict_name(s->g.verdict);
    case COL_BYTES_PER_EVENT:
        return snprintf(num, size, "%.10g", s->g.bytes_per_event), num;
    case COL_ALLOCS_PER_EVENT:
        return snprintf(num, size, "%.10g", s->g.allocs_per_event), num;
    case COL_GROWTH_FRACTION:
        return snprintf(num, size, "%.10g", s->g.growth_fraction), num;
    case COL_SINCE_EVENT:
        return s->since_event ? (snprintf(num, size, "%zu", s->since_event), num) : NULL;
    case COL_LIVE_BYTES_END:
        return snprintf(num, size, "%.10g", s->live_bytes_end), num;
    case COL_LIVE_ALLOCS_END:
        return snprintf(num, size, "%.10g", s->live_allocs_end), num;
    case COL_LIVE_BYTES_EXIT:
        return s->has_exit ? (snprintf(num, size, "%.0f", s->live_bytes_exit), num) : NULL;
    case COL_LIVE_ALLOCS_EXIT:
        return s->has_exit ? (snprintf(num, size, "%.0f", s->live_allocs_exit), num) : NULL;
    case COL_FUNCTION:
        return s->function;
    case COL_FILE:
        return d ? d->file : NULL;
    case COL_LINE:
        return d && d->line ? (snprintf(num, size, "%d", d->line), num) : NULL;
    case COL_MODULE:
        return d ? d->module : NULL;
    case COL_ESTIMATED:
        return snprintf(num, size, "%d", estimated), num;
    case COL_KIND:
        return site_kind_name(s->kind);
    case COL_MAPPED_FILE:
        return s->file;
    case COL_STACK:
    case NCOLUMNS:
        break;
    }
    return NULL;
}

static void write_site_row(FILE *out, const ls_site *s, int estimated, const site_row_format *f)
{
    for (int c = 0; c < NCOLUMNS; c++) {
        if (c)
            fputc(f->sep, out);
        if (c == COL_STACK) {
            char *stack = stack_text(s, f);
            f->stack_field(out, stack);
            free(stack);
        } else {
            char num[64];
            f->field(out, cell_text((enum site_column)c, s, estimated, num, sizeof num));
        }
    }
    fputs(f->eol, out);
}

void site_table_write(FILE *out, const ls_analysis *a, const site_row_format *f)
{
    for (int c = 0; c < NCOLUMNS; c++) {
        if (c)
            fputc(f->sep, out);
        fputs(column_names[c], out);
    }
    fputs(f->eol, out);
    const ls_view *v = &a->merged;
    int estimated = analysis_sample_interval(a) != 0;
    for (size_t i = 0; i < v->norder; i++)
        write_site_row(out, &v->sites[v->order[i]], estimated, f);
}
