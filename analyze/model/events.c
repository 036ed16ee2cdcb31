/*
 * events.c — which stamp marks an event, and where each process's events are.
 *
 * The event stamp is --event NAME, else the name the run was told to stamp events with (header key
 * `event`, from the wrapper's --event; the first report that has one and whose name occurs), else the
 * stamp name seen most often over all reports (a job has one stamp per event at its event function,
 * plus rarer ones), ties going to the name seen first.
 * Every stamp with that name is a boundary: event k starts at the k-th one. --skip N drops each
 * process's first N boundaries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/analysis.h"
#include "base/util.h"

typedef struct name_count {
    const char *name; /* pooled */
    size_t count;
} name_count;

static void count_names(ls_analysis *a, name_count **counts, size_t *n)
{
    size_t cap = 0;
    for (size_t p = 0; p < a->nprocs; p++) {
        const ls_report *r = a->procs[p].r;
        size_t *per = xcalloc(r->nnames, sizeof *per);
        for (size_t i = 0; i < r->nstamps; i++)
            per[r->stamps[i].name]++;
        for (size_t k = 0; k < r->nnames; k++) {
            const char *name = strpool_intern(&a->pool, r->names[k]);
            size_t j = 0;
            while (j < *n && (*counts)[j].name != name)
                j++;
            if (j == *n)
                VEC_PUSH(*counts, *n, cap, ((name_count){ name, 0 }));
            (*counts)[j].count += per[k];
        }
        free(per);
    }
}

static void list_names(const name_count *c, size_t n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len + 1 < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", c[i].name);
}

static int pick_name(ls_analysis *a, const ls_options *o, name_count *c, size_t n, ls_error *err)
{
    if (o->event) {
        for (size_t i = 0; i < n; i++)
            if (!strcmp(c[i].name, o->event)) {
                a->event_name = c[i].name;
                return 0;
            }
        char names[512];
        list_names(c, n, names, sizeof names);
        ls_error_set(err, NULL, 0, "--event %s: no stamp of that name in the reports (stamps seen: %s)",
                     o->event, n ? names : "none");
        return -1;
    }
    for (size_t p = 0; p < a->nprocs; p++) {
        const char *hint = a->procs[p].r->event_hint;
        for (size_t i = 0; hint && i < n; i++)
            if (!strcmp(c[i].name, hint) && c[i].count) {
                a->event_name = c[i].name;
                return 0;
            }
    }
    /* A named event function that never ran is a typo or an inlined function: say so, since the
     * analysis would otherwise quietly fall back to another stamp name or to no events at all. */
    for (size_t p = 0; p < a->nprocs; p++) {
        const ls_report *r = a->procs[p].r;
        if (r->event_hint && report_name_index(r, r->event_hint) < 0) {
            ls_warn("%s: the event function \"%s\" named at run time was never entered (no stamp of that "
                    "name: a misspelt name, or a function the compiler inlined)%s",
                    r->path, r->event_hint, n ? "; using the most frequent stamp name instead" : "");
            break;
        }
    }
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (c[i].count > c[best].count)
            best = i;
    a->event_name = n ? c[best].name : NULL;
    return 0;
}

static void find_bounds(ls_proc *p, const char *name, size_t skip)
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

int events_choose(ls_analysis *a, const ls_options *o, ls_error *err)
{
    name_count *counts = NULL;
    size_t n = 0, most = 0;
    count_names(a, &counts, &n);
    int rc = pick_name(a, o, counts, n, err);
    free(counts);
    if (rc < 0)
        return -1;
    a->skip = o->skip;
    for (size_t p = 0; p < a->nprocs; p++) {
        find_bounds(&a->procs[p], a->event_name, o->skip);
        if (a->procs[p].total_events > most)
            most = a->procs[p].total_events;
    }
    if (o->skip && o->skip >= most) {
        ls_error_set(err, NULL, 0, "--skip %zu: the reports have only %zu events of stamp \"%s\"",
                     o->skip, most, a->event_name ? a->event_name : "(none)");
        return -1;
    }
    return 0;
}
