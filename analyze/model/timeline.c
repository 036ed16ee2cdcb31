/*
 * timeline.c — stamp timeline of one event and per-interval growth (see timeline.h).
 *
 * An interval is a pair of consecutive stamps of a process (the last stamp of an event pairs with the
 * next event's boundary); intervals are grouped by their pair of names. Site growth per interval is
 * accumulated from the site histories: a site's value changes only at stamps where it has an update,
 * so the change of an update at stamp t belongs to interval (t-1, t). Each site's changes are gathered
 * per (interval kind, occurrence), so that its median growth per occurrence can be taken: most
 * occurrences have no change at all, and count as zeros without being stored.
 */
#include "model/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/fit.h"
#include "base/util.h"

void timeline_iso(uint64_t us, char *buf, size_t size)
{
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm)) {
        snprintf(buf, size, "-");
        return;
    }
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000));
}

static size_t pick_event(const ls_proc *p, size_t first_event, size_t wanted)
{
    if (!p->nbounds)
        return 0;
    if (wanted)
        return wanted >= first_event && wanted - first_event < p->nbounds ? wanted : 0;
    /* the last event that another boundary closes, so all of its stamps are there */
    return first_event + (p->nbounds >= 2 ? p->nbounds - 2 : 0);
}

static void event_stamps(const ls_proc *p, size_t idx, ls_timeline *t)
{
    /* From the event's boundary up to and including the next one: the changes shown are the event's
     * own intervals (the first stamp's change would belong to the event before). */
    const ls_report *r = p->r;
    size_t from = p->bounds[idx], to = idx + 1 < p->nbounds ? p->bounds[idx + 1] + 1 : r->nstamps;
    if (to > r->nstamps)
        to = r->nstamps;
    t->stamps = xcalloc(to - from, sizeof *t->stamps);
    for (size_t j = from; j < to; j++) {
        ls_tl_stamp s = { .stamp = j };
        if (j > from) {
            s.dt_us = (int64_t)(r->stamps[j].time_us - r->stamps[j - 1].time_us);
            s.dheap = (double)r->stamps[j].heap_bytes - (double)r->stamps[j - 1].heap_bytes;
            s.drss = (double)r->stamps[j].rss - (double)r->stamps[j - 1].rss;
        }
        t->stamps[t->nstamps++] = s;
    }
}

typedef struct interval_acc {
    double *heap, *rss;
    size_t n, cap_heap, cap_rss;
} interval_acc;

/* Interval kind of each stamp j (pair j, j+1) within the analysed range; -1 outside it. */
static long *interval_kinds(ls_analysis *a, const ls_proc *p, ls_timeline *t, interval_acc **acc)
{
    const ls_report *r = p->r;
    long *kind = xmalloc((r->nstamps + 1) * sizeof *kind);
    size_t cap = 0, nacc = 0, cap_acc = 0;
    for (size_t j = 0; j < r->nstamps; j++) {
        kind[j] = -1;
        if (!p->nbounds || j < p->bounds[0] || j + 1 >= r->nstamps)
            continue;
        const char *from = strpool_intern(&a->pool, r->names[r->stamps[j].name]);
        const char *to = strpool_intern(&a->pool, r->names[r->stamps[j + 1].name]);
        size_t k = 0;
        while (k < t->nintervals && (t->intervals[k].from != from || t->intervals[k].to != to))
            k++;
        if (k == t->nintervals) {
            VEC_PUSH(t->intervals, t->nintervals, cap, ((ls_tl_interval){ .from = from, .to = to }));
            VEC_PUSH(*acc, nacc, cap_acc, ((interval_acc){ 0 }));
        }
        kind[j] = (long)k;
        interval_acc *ia = &(*acc)[k];
        grow_array((void **)&ia->heap, &ia->cap_heap, ia->n + 1, sizeof *ia->heap);
        grow_array((void **)&ia->rss, &ia->cap_rss, ia->n + 1, sizeof *ia->rss);
        ia->heap[ia->n] = (double)r->stamps[j + 1].heap_bytes - (double)r->stamps[j].heap_bytes;
        ia->rss[ia->n] = (double)r->stamps[j + 1].rss - (double)r->stamps[j].rss;
        ia->n++;
    }
    return kind;
}

static void summarise(ls_timeline *t, interval_acc *acc)
{
    for (size_t k = 0; k < t->nintervals; k++) {
        ls_tl_interval *iv = &t->intervals[k];
        interval_acc *ia = &acc[k];
        double sum = 0;
        for (size_t i = 0; i < ia->n; i++)
            sum += ia->heap[i];
        iv->count = ia->n;
        iv->heap_mean = ia->n ? sum / (double)ia->n : 0;
        iv->heap_median = fit_median(ia->heap, ia->n);
        iv->rss_median = fit_median(ia->rss, ia->n);
        free(ia->heap);
        free(ia->rss);
    }
}

int timeline_one_off(const ls_tl_site *s, size_t count)
{
    return s->grew == 1 && count > 1;
}

static int better(const ls_tl_site *x, const ls_tl_site *y)
{
    return x->median != y->median ? x->median > y->median : x->bytes_per_event > y->bytes_per_event;
}

static void add_top(ls_tl_interval *iv, ls_tl_site cand)
{
    if (!(cand.bytes_per_event > 0) && !(cand.median > 0))
        return;
    size_t at = iv->ntop < TL_TOP_SITES ? iv->ntop++ : TL_TOP_SITES;
    if (at == TL_TOP_SITES) {
        if (!better(&cand, &iv->top[TL_TOP_SITES - 1]))
            return;
        at = TL_TOP_SITES - 1;
    }
    iv->top[at] = cand;
    for (; at > 0 && better(&iv->top[at], &iv->top[at - 1]); at--) {
        ls_tl_site tmp = iv->top[at];
        iv->top[at] = iv->top[at - 1];
        iv->top[at - 1] = tmp;
    }
}

/* One change of one site in one occurrence of an interval kind. */
typedef struct change {
    uint32_t site;
    uint32_t kind;
    size_t stamp;             /* identifies the occurrence */
    double bytes;
} change;

static int cmp_change(const void *pa, const void *pb)
{
    const change *a = pa, *b = pb;
    if (a->site != b->site)
        return a->site < b->site ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return (a->stamp > b->stamp) - (a->stamp < b->stamp);
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Median of `count` occurrences of which the m in v (sorted) are non-zero and the others are 0. */
static double median_with_zeros(const double *v, size_t m, size_t count)
{
    size_t neg = 0;
    while (neg < m && v[neg] < 0)
        neg++;
    size_t zeros = count - m;
    double lo, hi;
    size_t r[2] = { (count - 1) / 2, count / 2 };
    double out[2];
    for (int k = 0; k < 2; k++)
        out[k] = r[k] < neg ? v[r[k]] : r[k] < neg + zeros ? 0 : v[r[k] - zeros];
    lo = out[0];
    hi = out[1];
    return (lo + hi) / 2;
}

/* Occurrences of one (site, kind): changes[0..n), sorted by stamp; summed per occurrence. */
static ls_tl_site summarise_cell(const change *c, size_t n, size_t count, double *scratch)
{
    ls_tl_site t = { .site = c[0].site };
    size_t m = 0;
    double sum = 0;
    for (size_t i = 0; i < n;) {
        double occ = 0;
        size_t j = i;
        for (; j < n && c[j].stamp == c[i].stamp; j++)
            occ += c[j].bytes;
        i = j;
        sum += occ;
        if (occ != 0)
            scratch[m++] = occ;
        t.grew += occ > 0;
        if (occ > t.largest)
            t.largest = occ;
    }
    qsort(scratch, m, sizeof *scratch, cmp_double);
    t.bytes_per_event = sum / (double)count;
    t.median = median_with_zeros(scratch, m, count);
    return t;
}

static void site_intervals(const ls_analysis *a, size_t pi, const long *kind, ls_timeline *t)
{
    const ls_proc *p = &a->procs[pi];
    size_t nk = t->nintervals;
    if (!nk)
        return;
    change *ch = NULL;
    size_t nch = 0, cap = 0;
    for (size_t s = 0; s < p->r->nstacks; s++) {
        ls_site_cursor c;
        site_cursor_init(&c, &p->r->stacks[s].history);
        double prev = 0;
        while (site_cursor_next(&c)) {
            if (c.stamp > 0 && kind[c.stamp - 1] >= 0 && (double)c.bytes != prev)
                VEC_PUSH(ch, nch, cap, ((change){ p->site_in_own_view[s], (uint32_t)kind[c.stamp - 1],
                                                 c.stamp, (double)c.bytes - prev }));
            prev = (double)c.bytes;
        }
    }
    if (nch)   /* qsort(NULL, 0, ...) is undefined (found by fuzz_reader) */
        qsort(ch, nch, sizeof *ch, cmp_change);
    double *scratch = xcalloc(nch + 1, sizeof *scratch);
    for (size_t i = 0; i < nch;) {
        size_t j = i;
        while (j < nch && ch[j].site == ch[i].site && ch[j].kind == ch[i].kind)
            j++;
        ls_tl_interval *iv = &t->intervals[ch[i].kind];
        add_top(iv, summarise_cell(ch + i, j - i, iv->count, scratch));
        i = j;
    }
    free(scratch);
    free(ch);
}

/* Intervals by median heap growth per occurrence, then mean, then name: recurring growth first. */
static int cmp_interval(const void *pa, const void *pb)
{
    const ls_tl_interval *a = pa, *b = pb;
    if (a->heap_median != b->heap_median)
        return a->heap_median > b->heap_median ? -1 : 1;
    if (a->heap_mean != b->heap_mean)
        return a->heap_mean > b->heap_mean ? -1 : 1;
    int c = strcmp(a->from, b->from);
    return c ? c : strcmp(a->to, b->to);
}

static void build_one(ls_analysis *a, size_t pi, size_t event, ls_timeline *t)
{
    const ls_proc *p = &a->procs[pi];
    t->event = event;
    if (event)
        event_stamps(p, event - a->merged.first_event, t);
    interval_acc *acc = NULL;
    long *kind = interval_kinds(a, p, t, &acc);
    summarise(t, acc);
    free(acc);
    site_intervals(a, pi, kind, t);
    free(kind);
    if (t->nintervals)   /* qsort(NULL, 0, ...) is undefined (found by fuzz_reader) */
        qsort(t->intervals, t->nintervals, sizeof *t->intervals, cmp_interval);
}

int timeline_build(ls_analysis *a, const ls_options *o, ls_error *err)
{
    size_t found = 0, most = 0;
    a->timelines = xcalloc(a->nprocs, sizeof *a->timelines);
    for (size_t i = 0; i < a->nprocs; i++) {
        size_t ev = pick_event(&a->procs[i], a->merged.first_event, o->timeline_event);
        found += ev != 0;
        if (a->procs[i].nbounds > most)
            most = a->procs[i].nbounds;
        build_one(a, i, ev, &a->timelines[i]);
    }
    if (o->timeline_event && !found) {
        ls_error_set(err, NULL, 0, "--timeline %zu: no such event (analysed events are %zu..%zu)",
                     o->timeline_event, a->merged.first_event, a->merged.first_event + most - 1);
        return -1;
    }
    return 0;
}

void timeline_free(ls_analysis *a)
{
    for (size_t i = 0; a->timelines && i < a->nprocs; i++) {
        free(a->timelines[i].stamps);
        free(a->timelines[i].intervals);
    }
    free(a->timelines);
    a->timelines = NULL;
}
