/*
 * series.c — sampling site histories and stamp metrics at event boundaries (see series.h).
 */
#include "model/series.h"

void series_add_site(const ls_stack *s, const uint32_t *bounds, size_t nb, double *bytes,
                     double *allocs, size_t n)
{
    ls_site_cursor c;
    site_cursor_init(&c, &s->history);
    int have = site_cursor_next(&c);
    double b = 0, a = 0;
    for (size_t i = 0; i < n; i++) {
        if (i < nb) {
            while (have && c.stamp <= bounds[i]) {
                b = (double)c.bytes;
                a = (double)c.allocs;
                have = site_cursor_next(&c);
            }
        }
        bytes[i] += b;
        allocs[i] += a;
    }
}

static double metric_of(const ls_stamp *st, ls_metric m)
{
    switch (m) {
    case METRIC_RSS: return (double)st->rss;
    case METRIC_VM: return (double)st->vm;
    case METRIC_HEAP: return (double)st->heap_bytes;
    case METRIC_MAPPED: return (double)st->mapped_bytes;
    case METRIC_JOB_RSS: return (double)st->rss - (double)st->tool_rss;
    case METRIC_TOOL_RSS: return (double)st->tool_rss;
    case METRIC_TOOL_VM: return (double)st->tool_vm;
    }
    return 0;
}

void series_add_metric(const ls_report *r, const uint32_t *bounds, size_t nb, ls_metric m,
                       double *out, size_t n)
{
    double last = 0;
    for (size_t i = 0; i < n; i++) {
        if (i < nb)
            last = metric_of(&r->stamps[bounds[i]], m);
        out[i] += last;
    }
}
