/*
 * events.c — which stamp marks an event, and where each process's events are.
 *
 * The event stamp is --event NAME, else the name the run was told to stamp events with (header key
 * `event`, from the wrapper's --event; the first report that has one and whose name occurs), else the
 * stamp name seen most often over all reports (a job has one stamp per event at its event function,
 * plus rarer ones), ties going to the name seen first.
 * Every stamp with that name is a boundary: event k starts at the k-th one. --skip N drops each
 * process's first N boundaries.
 *
 * The choice is made over all reports before any is analysed (reports are analysed one at a time and
 * not kept, scale.c): each report adds its stamp names and hint to a census (from a quick scan,
 * read/stamp_scan.h, or from the report itself when it is kept), and the name is picked from that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/analysis.h"
#include "base/util.h"

void events_census_add(ls_event_census *c, strpool *pool, const ls_stamp_scan *s, const char *path)
{
    for (size_t k = 0; k < s->nnames; k++) {
        const char *name = strpool_intern(pool, s->names[k].name);
        size_t j = 0;
        while (j < c->n && c->counts[j].name != name)
            j++;
        if (j == c->n)
            VEC_PUSH(c->counts, c->n, c->cap, ((ls_name_count){ name, 0 }));
        c->counts[j].count += s->names[k].count;
    }
    if (!s->hint)
        return;
    const char *hint = strpool_intern(pool, s->hint);
    size_t j = 0;
    while (j < c->nhints && c->hints[j] != hint)
        j++;
    if (j == c->nhints)
        VEC_PUSH(c->hints, c->nhints, c->cap_hints, hint);
    int own = 0;
    for (size_t k = 0; k < s->nnames; k++)
        own |= !strcmp(s->names[k].name, s->hint);
    if (!own && !c->unentered_path) {
        c->unentered_path = strpool_intern(pool, path);
        c->unentered_hint = hint;
    }
}

void events_census_free(ls_event_census *c)
{
    free(c->counts);
    free(c->hints);
    memset(c, 0, sizeof *c);
}

void events_scan_of_report(const ls_report *r, ls_stamp_scan *s)
{
    memset(s, 0, sizeof *s);
    s->nnames = s->cap = r->nnames;
    s->names = xcalloc(r->nnames + 1, sizeof *s->names);
    for (size_t k = 0; k < r->nnames; k++)
        s->names[k].name = xstrdup(r->names[k]);
    for (size_t i = 0; i < r->nstamps; i++)
        s->names[r->stamps[i].name].count++;
    s->hint = r->event_hint ? xstrdup(r->event_hint) : NULL;
}

static void list_names(const ls_name_count *c, size_t n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len + 1 < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", c[i].name);
}

int events_pick(ls_analysis *a, const ls_options *o, const ls_event_census *c, ls_error *err)
{
    a->skip = o->skip;
    if (o->event) {
        for (size_t i = 0; i < c->n; i++)
            if (!strcmp(c->counts[i].name, o->event)) {
                a->event_name = c->counts[i].name;
                return 0;
            }
        char names[512];
        list_names(c->counts, c->n, names, sizeof names);
        ls_error_set(err, NULL, 0, "--event %s: no stamp of that name in the reports (stamps seen: %s)",
                     o->event, c->n ? names : "none");
        return -1;
    }
    for (size_t h = 0; h < c->nhints; h++)
        for (size_t i = 0; i < c->n; i++)
            if (c->counts[i].name == c->hints[h] && c->counts[i].count) {
                a->event_name = c->counts[i].name;
                return 0;
            }
    /* A named event function that never ran is a typo or an inlined function: say so, since the
     * analysis would otherwise quietly fall back to another stamp name or to no events at all. */
    if (c->unentered_path)
        ls_warn("%s: the event function \"%s\" named at run time was never entered (no stamp of that "
                "name: a misspelt name, or a function the compiler inlined)%s",
                c->unentered_path, c->unentered_hint, c->n ? "; using the most frequent stamp name instead" : "");
    size_t best = 0;
    for (size_t i = 1; i < c->n; i++)
        if (c->counts[i].count > c->counts[best].count)
            best = i;
    a->event_name = c->n ? c->counts[best].name : NULL;
    return 0;
}

void events_bounds(ls_proc *p, const char *name, size_t skip)
{
    const ls_report *r = p->r;
    long id = name ? report_name_index(r, name) : -1;
    p->bounds = xcalloc(r->nstamps + 1, sizeof *p->bounds);
    for (size_t i = 0; id >= 0 && i < r->nstamps; i++)
        if (r->stamps[i].name == (uint32_t)id) {
            if (p->total_events++ >= skip)
                p->bounds[p->nbounds++] = (uint32_t)i;
        }
}

int events_check_skip(const ls_analysis *a, size_t most_events, ls_error *err)
{
    if (a->skip && a->skip >= most_events) {
        ls_error_set(err, NULL, 0, "--skip %zu: the reports have only %zu events of stamp \"%s\"",
                     a->skip, most_events, a->event_name ? a->event_name : "(none)");
        return -1;
    }
    return 0;
}
