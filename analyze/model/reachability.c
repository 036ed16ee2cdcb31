/*
 * reachability.c — sums each site's members' scan lines (reachability.h).
 *
 * Categories come from the exit scan of every member's process (a site without one in some process
 * has none). Retainers come from each member's latest event scan, or its exit scan when its process
 * scanned no event; holders are merged across members by what they name (the holding site's display
 * frame, the variable and module, the thread), so the same holder in two processes is one line.
 */
#include "model/reachability.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/analysis.h"
#include "model/frames.h"
#include "base/util.h"

static const char *const kind_names[] = { "heap", "global", "stack", "tls", "lost" };
static const char *const category_names[] = { "definite", "indirect", "possible", "reachable" };

const char *reachability_kind_name(ls_held_kind k) { return kind_names[k]; }
const char *reachability_category_name(int c) { return category_names[c]; }

static int same_text(const char *x, const char *y)
{
    return x == y || (x && y && !strcmp(x, y));
}

static ls_retainer *find(ls_reachability *r, const ls_retainer *k)
{
    for (size_t i = 0; i < r->nretainers; i++) {
        ls_retainer *h = &r->retainers[i];
        if (h->kind == k->kind && h->line == k->line && same_text(h->function, k->function) &&
            same_text(h->file, k->file) && same_text(h->symbol, k->symbol) && same_text(h->module, k->module))
            return h;
    }
    return NULL;
}

static void holder(ls_analysis *a, const ls_proc *p, const ls_held *h, ls_retainer *out)
{
    *out = (ls_retainer){ .kind = h->kind, .chain = h->chain, .allocs = (double)h->allocs,
                          .bytes = (double)h->bytes };
    if (h->kind == LS_HELD_HEAP) {
        long at = u64map_get(&p->r->stack_ids, h->holder_sid);
        if (at >= 0 && p->nframes[at]) {
            const ls_symframe *d = &p->frames[at][p->display[at]];
            out->function = frames_function_label(&a->pool, d);
            out->file = d->file;
            out->line = d->line;
        }
    }
    if (h->name)
        out->symbol = strpool_intern(&a->pool, h->name);
    if (h->module)
        out->module = strpool_intern(&a->pool, h->module);
}

static void add_held(ls_analysis *a, const ls_proc *p, const ls_stack_scan *s, ls_reachability *r)
{
    for (size_t i = 0; i < s->nheld; i++) {
        ls_retainer k, *h;
        holder(a, p, &s->held[i], &k);
        if ((h = find(r, &k))) {
            h->allocs += k.allocs, h->bytes += k.bytes;
            h->chain |= k.chain;
        } else {
            VEC_PUSH(r->retainers, r->nretainers, r->cap_retainers, k);
        }
    }
}

static int by_allocs(const void *x, const void *y)
{
    const ls_retainer *a = x, *b = y;
    if (a->allocs != b->allocs)
        return a->allocs > b->allocs ? -1 : 1;
    return a->bytes > b->bytes ? -1 : a->bytes < b->bytes;
}

void reachability_site(ls_analysis *a, ls_site *site)
{
    ls_reachability *r = &site->reach;
    r->has_reach = site->nmembers > 0 && site->kind == SITE_HEAP;   /* scans see heap blocks only */
    if (site->kind != SITE_HEAP)
        return;
    for (size_t m = 0; m < site->nmembers; m++) {
        const ls_proc *p = &a->procs[site->members[m].proc];
        const ls_stack *st = &p->r->stacks[site->members[m].stack];
        if (!p->r->exit_scan)
            r->has_reach = 0;
        for (int c = 0; c < LS_NREACH; c++)
            r->allocs[c] += (double)st->scan_exit.allocs[c], r->bytes[c] += (double)st->scan_exit.bytes[c];
        const ls_stack_scan *s = p->r->event_scan ? &st->scan_event : &st->scan_exit;
        if (!p->r->event_scan && !p->r->exit_scan)
            continue;
        r->has_retainers = 1;
        r->retainers_at_exit = !p->r->event_scan;
        if (p->r->event_scan)
            r->retainers_event = p->r->scans[p->r->event_scan - 1].event;
        add_held(a, p, s, r);
    }
    if (r->nretainers)
        qsort(r->retainers, r->nretainers, sizeof *r->retainers, by_allocs);
}

void reachability_free(ls_reachability *r)
{
    free(r->retainers);
}

void reachability_describe(const ls_retainer *h, char *buf, size_t size)
{
    if (h->kind == LS_HELD_LOST) {
        snprintf(buf, size, "lost: nothing reachable holds them");
        return;
    }
    int n = snprintf(buf, size, "%sheld by ", h->chain ? "a list of its own blocks, " : "");
    size_t at = n > 0 && (size_t)n < size ? (size_t)n : 0;
    if (h->kind == LS_HELD_HEAP && h->file)
        snprintf(buf + at, size - at, "blocks of %s  %s:%d", h->function ? h->function : "??", h->file, h->line);
    else if (h->kind == LS_HELD_HEAP)
        snprintf(buf + at, size - at, "blocks of %s", h->function ? h->function : "??");
    else if (h->kind == LS_HELD_GLOBAL)
        snprintf(buf + at, size - at, "global %s (%s)", h->symbol ? h->symbol : "?",
                 h->module ? path_base(h->module) : "?");
    else if (h->symbol && strcmp(h->symbol, "main"))
        snprintf(buf + at, size - at, "%s of thread %s", h->kind == LS_HELD_TLS ? "TLS" : "the stack", h->symbol);
    else
        snprintf(buf + at, size - at, "%s of the main thread", h->kind == LS_HELD_TLS ? "TLS" : "the stack");
}
