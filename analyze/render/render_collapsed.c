/*
 * render_collapsed.c — "collapsed" (folded) stacks for flame graphs: one line per listed site,
 * its frames outermost first joined by ';', a space, and the bytes the site grows per event rounded
 * to a whole number (flamegraph.pl, inferno and speedscope all read this; the weight has to be an
 * integer for flamegraph.pl). So the flame graph's width is growth, not allocation volume: a site
 * that allocates a lot and frees it all is not in it.
 *
 * Sites with no growth (rounded weight below 1) are left out: a zero-width frame only adds noise.
 * Frame names are the symbolized function names, inlined frames included; ';' and line breaks
 * inside a name would break the format and become '_'. A mapping site (mmap outside malloc) gets its
 * kind as the outermost frame, `[mmap]`, `[mmap-file]` or `[mmap-shared]`, so its memory stands
 * apart from the heap's in the graph.
 */
#include <math.h>

#include "render/export.h"
#include "base/util.h"

static void frame_name(FILE *out, const ls_symframe *f)
{
    if (!f->function) {
        if (f->module)
            fprintf(out, "%s+0x%llx", path_base(f->module), (unsigned long long)f->addr);
        else
            fprintf(out, "0x%llx", (unsigned long long)f->addr);
        return;
    }
    for (const char *p = f->function; *p; p++)
        fputc(*p == ';' || *p == '\n' || *p == '\r' ? '_' : *p, out);
}

void render_collapsed(FILE *out, const ls_analysis *a, const ls_options *o)
{
    (void)o;
    const ls_view *v = &a->merged;
    for (size_t i = 0; i < v->norder; i++) {
        const ls_site *s = &v->sites[v->order[i]];
        double w = round(s->g.bytes_per_event);
        if (!(w >= 1) || !s->nframes)
            continue;
        if (s->kind != SITE_HEAP)
            fprintf(out, "[%s];", site_kind_name(s->kind));
        for (size_t f = s->nframes; f-- > 0;) {
            frame_name(out, &s->frames[f]);
            if (f)
                fputc(';', out);
        }
        fprintf(out, " %.0f\n", w);
    }
}
