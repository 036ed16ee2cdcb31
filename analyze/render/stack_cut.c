/*
 * stack_cut.c — see stack_cut.h.
 */
#include "render/stack_cut.h"

#include <string.h>

#include "model/frames.h"
#include "model/runtime.h"

/* The event function's frame: its name as written (`execute`, `Alg::execute`, `Alg::execute(int)`) is
 * the demangled function, that function without its parameters, or its tail after a `::`. */
static int is_event_function(const char *fn, const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (!fn || !n)
        return 0;
    for (const char *at = fn; (at = strstr(at, name)); at++) {
        int head = at == fn || (at - fn >= 2 && at[-1] == ':' && at[-2] == ':');
        if (head && (at[n] == '\0' || at[n] == '('))
            return 1;
    }
    return 0;
}

static int job_code(const ls_symframe *f)
{
    return (f->role == ROLE_USER || f->role == ROLE_SKIPPED) && f->function && !runtime_module(f->module);
}

stack_cut stack_cut_of(const ls_site *s, const char *event_name, const ls_options *o)
{
    stack_cut c = { 0, s->nframes, 0 };
    if (o->full_stacks || !s->nframes)
        return c;
    size_t d = s->display;
    c.first = d ? d - 1 : 0;
    if (o->stack_depth) {
        c.end = d + o->stack_depth < s->nframes ? d + o->stack_depth : s->nframes;
    } else {
        size_t from = d + 1;
        for (size_t i = d; i < s->nframes; i++)
            if (is_event_function(s->frames[i].function, event_name)) {
                from = i + 1;
                break;
            }
        c.end = from;
        while (c.end < s->nframes && job_code(&s->frames[c.end]))
            c.end++;
        if (c.end > s->nframes)
            c.end = s->nframes;
    }
    c.hidden = s->nframes - (c.end - c.first);
    return c;
}
