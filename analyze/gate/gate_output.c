/*
 * gate_output.c — what the gate prints: a short table of the failing sites (function, file:line,
 * bytes and allocations per event and since which event, or what is live at exit), notes on what was
 * not checked, and GitHub Actions `::error` annotations. The verdict line is printed by gate.c.
 */
#include <stdlib.h>
#include <string.h>

#include "gate/gate.h"
#include "render/units.h"
#include "base/util.h"

void gate_item_summary(const gate_item *it, char *buf, size_t size)
{
    char b[32], n[32];
    /* a mapping site counts mapped ranges, not allocations */
    const char *what = it->site_kind == SITE_HEAP ? "allocations" : "mappings";
    const char *kind = it->site_kind == SITE_HEAP ? "" : site_kind_name(it->site_kind);
    if (it->kind == GATE_KIND_GROWTH) {
        units_bytes_signed(it->bytes_per_event, b, sizeof b);
        units_count_signed(it->allocs_per_event, n, sizeof n);
        if (it->since_event)
            snprintf(buf, size, "grows %s and %s %s%s%s per event since event %zu", b, n, kind, *kind ? " " : "",
                     what, it->since_event);
        else
            snprintf(buf, size, "grows %s and %s %s%s%s per event", b, n, kind, *kind ? " " : "", what);
    } else {
        units_bytes(it->exit_bytes, b, sizeof b);
        snprintf(buf, size, "%s in %.0f %s%s%s still live at exit", b, it->exit_allocs, kind, *kind ? " " : "",
                 what);
    }
    if (it->baselined) {
        size_t len = strlen(buf);
        if (it->base > 0) {
            if (it->kind == GATE_KIND_GROWTH)
                units_bytes_signed(it->base, b, sizeof b);
            else
                units_bytes(it->base, b, sizeof b);
            snprintf(buf + len, size - len, " (baseline: %s)", b);
        } else
            snprintf(buf + len, size - len, " (new: not in the baseline)");
    }
}

static void location(const gate_item *it, char *buf, size_t size)
{
    if (it->file && it->line)
        snprintf(buf, size, "%s:%d", it->file, it->line);
    else if (it->file)
        snprintf(buf, size, "%s", it->file);
    else
        snprintf(buf, size, "%s", it->module ? path_base(it->module) : "?");
}

char *gate_stack_text(const gate_item *it)
{
    size_t cap = 256, len = 0;
    char *s = xmalloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < it->nframes; i++) {
        const ls_symframe *f = &it->frames[i];
        char line[16] = "";
        if (f->line)
            snprintf(line, sizeof line, ":%d", f->line);
        const char *fn = f->function ? f->function : "??";
        const char *file = f->file ? f->file : f->module ? path_base(f->module) : "?";
        size_t need = len + strlen(fn) + strlen(file) + 48;
        if (need > cap)
            s = xrealloc(s, cap = need * 2);
        len += (size_t)snprintf(s + len, cap - len, "%s %s  %s%s%s\n", i == it->display ? ">" : " ", fn, file,
                                line, f->inlined ? "  [inlined]" : "");
    }
    return s;
}

void gate_print_table(FILE *out, const gate_result *r, const gate_options *g)
{
    char b[32], n[32], loc[1024], lim[32];
    if (r->growth) {
        units_bytes((double)g->max_growth, lim, sizeof lim);
        fprintf(out, "leakstamp gate: growth check over %zu events of stamp \"%s\" (fails above %s/event)\n",
                r->events, r->event_name ? r->event_name : "(none)", lim);
    }
    if (r->exit) {
        units_bytes((double)g->max_live, lim, sizeof lim);
        fprintf(out, "leakstamp gate: exit check of %zu process%s (fails above %s live at exit per site)\n",
                r->procs, r->procs == 1 ? "" : "es", lim);
    }
    if (r->nitems) {
        fprintf(out, "  %-6s  %12s  %12s  %6s  %-10s  %s\n", "check", "bytes", "allocs", "since", "baseline",
                "function  file:line");
        for (size_t i = 0; i < r->nitems; i++) {
            const gate_item *it = &r->items[i];
            char base[32] = "-";
            if (it->baselined && it->base > 0)
                (it->kind == GATE_KIND_GROWTH ? units_bytes_signed : units_bytes)(it->base, base, sizeof base);
            else if (it->baselined)
                snprintf(base, sizeof base, "new");
            char since[24] = "-";
            if (it->kind == GATE_KIND_GROWTH) {
                units_bytes_signed(it->bytes_per_event, b, sizeof b);
                units_count_signed(it->allocs_per_event, n, sizeof n);
                strcat(b, "/ev");
                strcat(n, "/ev");
                if (it->since_event)
                    snprintf(since, sizeof since, "%zu", it->since_event);
            } else {
                units_bytes(it->exit_bytes, b, sizeof b);
                snprintf(n, sizeof n, "%.0f", it->exit_allocs);
                snprintf(since, sizeof since, "exit");
            }
            location(it, loc, sizeof loc);
            fprintf(out, "  %-6s  %12s  %12s  %6s  %-10s  %s%s%s%s  %s\n",
                    it->kind == GATE_KIND_GROWTH ? "growth" : "exit", b, n, since, base,
                    it->site_kind == SITE_HEAP ? "" : "[", it->site_kind == SITE_HEAP ? "" : site_kind_name(it->site_kind),
                    it->site_kind == SITE_HEAP ? "" : "] ", it->function, loc);
        }
    }
    if (r->suppressed || r->baselined)
        fprintf(out, "leakstamp gate: %zu site%s suppressed, %zu accepted by the baseline\n", r->suppressed,
                r->suppressed == 1 ? "" : "s", r->baselined);
    if (r->exit && (r->system_stacks || r->runtime_stacks))
        fprintf(out, "leakstamp gate: ignored at exit: %zu stack%s inside system libraries, programs or the interpreter, %zu "
                "in runtime "
                "internals (built-in suppressions)\n", r->system_stacks, r->system_stacks == 1 ? "" : "s",
                r->runtime_stacks);
    if (r->exit && r->procs_without_exit)
        fprintf(out, "leakstamp gate: note: %zu process%s wrote no exit record (killed, or _exit): "
                "%s live allocations were not checked\n", r->procs_without_exit,
                r->procs_without_exit == 1 ? "" : "es", r->procs_without_exit == 1 ? "its" : "their");
}

/* GitHub workflow commands: data escapes %, CR, LF; properties also ':' and ','. */
static void gh_escape(FILE *out, const char *s, int property)
{
    for (; s && *s; s++) {
        if (*s == '%')
            fputs("%25", out);
        else if (*s == '\r')
            fputs("%0D", out);
        else if (*s == '\n')
            fputs("%0A", out);
        else if (property && *s == ':')
            fputs("%3A", out);
        else if (property && *s == ',')
            fputs("%2C", out);
        else
            fputc(*s, out);
    }
}

void gate_print_github(FILE *out, const gate_result *r)
{
    const char *ws = getenv("GITHUB_WORKSPACE");
    size_t wslen = ws ? strlen(ws) : 0;
    for (size_t i = 0; i < r->nitems; i++) {
        const gate_item *it = &r->items[i];
        char summary[512];
        gate_item_summary(it, summary, sizeof summary);
        fputs("::error ", out);
        if (it->file) {
            const char *file = it->file;
            if (wslen && !strncmp(file, ws, wslen) && file[wslen] == '/')
                file += wslen + 1;   /* annotations want paths relative to the checkout */
            fputs("file=", out);
            gh_escape(out, file, 1);
            if (it->line)
                fprintf(out, ",line=%d", it->line);
            fputc(',', out);
        }
        fputs("title=leakstamp gate::", out);
        gh_escape(out, it->function, 0);
        fputs(" ", out);
        gh_escape(out, summary, 0);
        fputc('\n', out);
    }
}
