/*
 * render_csv.c — the ranked site table as RFC 4180 CSV: the TSV columns (docs/cli.md), CRLF line
 * ends, and a field quoted with "" doubling whenever it holds a comma, a quote, CR or LF. C++ names
 * are full of commas (std::map<int, std::vector<double>>), which is why TSV alone is not enough for
 * spreadsheet programs that guess the separator.
 */
#include <stdlib.h>
#include <string.h>

#include "render/export.h"
#include "base/util.h"

static void field(FILE *out, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* function@file:line frames joined by " <- ", innermost first (as in TSV), then quoted as one field */
static void stack_field(FILE *out, const ls_site *s)
{
    size_t len = 0, cap = 256;
    char *buf = malloc(cap);
    if (!buf)
        return;
    buf[0] = 0;
    for (size_t i = 0; i < s->nframes; i++) {
        const ls_symframe *f = &s->frames[i];
        char addr[32], piece[64];
        snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)f->addr);
        const char *fn = f->function ? f->function : addr;
        const char *file = f->file ? path_base(f->file) : NULL;
        snprintf(piece, sizeof piece, ":%d", f->line);
        size_t need = len + strlen(fn) + (file ? strlen(file) + 1 + strlen(piece) : 0) + 8;
        if (need > cap) {
            while (cap < need)
                cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                break;
            buf = nb;
        }
        len += (size_t)sprintf(buf + len, "%s%s%s%s%s", i ? " <- " : "", fn, file ? "@" : "",
                               file ? file : "", file ? piece : "");
    }
    field(out, buf);
    free(buf);
}

static void num(FILE *out, double v)
{
    fprintf(out, "%.10g,", v);
}

static void site_row(FILE *out, const ls_site *s, int estimated)
{
    const ls_symframe *d = s->nframes ? &s->frames[s->display] : NULL;
    if (s->rank)
        fprintf(out, "%zu", s->rank);
    fprintf(out, ",%s,", verdict_name(s->g.verdict));
    num(out, s->g.bytes_per_event);
    num(out, s->g.allocs_per_event);
    num(out, s->g.growth_fraction);
    if (s->since_event)
        fprintf(out, "%zu", s->since_event);
    fputc(',', out);
    num(out, s->live_bytes_end);
    num(out, s->live_allocs_end);
    if (s->has_exit)
        fprintf(out, "%.0f,%.0f,", s->live_bytes_exit, s->live_allocs_exit);
    else
        fputs(",,", out);
    field(out, s->function);
    fputc(',', out);
    field(out, d ? d->file : NULL);
    fputc(',', out);
    if (d && d->line)
        fprintf(out, "%d", d->line);
    fputc(',', out);
    field(out, d ? d->module : NULL);
    fputc(',', out);
    stack_field(out, s);
    fprintf(out, ",%d\r\n", estimated);
}

void render_csv(FILE *out, const ls_analysis *a, const ls_options *o)
{
    (void)o;
    const ls_view *v = &a->merged;
    fputs("rank,verdict,bytes_per_event,allocs_per_event,growth_fraction,since_event,"
          "live_bytes_end,live_allocs_end,live_bytes_exit,live_allocs_exit,function,file,line,"
          "module,stack,estimated\r\n", out);
    int estimated = analysis_sample_interval(a) != 0;
    for (size_t i = 0; i < v->norder; i++)
        site_row(out, &v->sites[v->order[i]], estimated);
}
