/*
 * timeline.h — --timeline [EVENT]: the stamps of one event with their times, and "interval growth":
 * between which two consecutive named stamps the heap grows (median and mean over all analysed
 * events), and which sites grow there. Intervals and their sites are ranked by their median growth per
 * occurrence, so growth that recurs comes before a one-off however large. This is the "subtract the first stamp of each event from the
 * others" analysis people do by hand, done for every interval and every site at once.
 */
#ifndef LS_TIMELINE_H
#define LS_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "model/analysis.h"

typedef struct ls_tl_stamp {
    size_t stamp;             /* index into the report's stamps */
    int64_t dt_us;            /* since the previous stamp shown (0 for the first shown) */
    double dheap, drss;       /* change since the previous stamp */
} ls_tl_stamp;

typedef struct ls_tl_site {
    size_t site;              /* index into the process's own view */
    double bytes_per_event;   /* mean growth in this interval per occurrence */
    double median;            /* median growth per occurrence: what the sites are ranked by */
    size_t grew;              /* occurrences in which the site grew */
    double largest;           /* its largest growth in one occurrence */
} ls_tl_site;

/* Grew in one occurrence of an interval that occurred more than once: a one-off (a buffer made in
 * event 1), not growth that recurs; ranked by its median (usually 0) and marked. */
int timeline_one_off(const ls_tl_site *s, size_t count);

#define TL_TOP_SITES 3

typedef struct ls_tl_interval {
    const char *from, *to;    /* pooled stamp names */
    size_t count;             /* how many times the interval occurred */
    double heap_median, heap_mean, rss_median; /* change per occurrence */
    ls_tl_site top[TL_TOP_SITES];
    size_t ntop;
} ls_tl_interval;

typedef struct ls_timeline {
    size_t event;             /* absolute event number shown; 0: the process has no events */
    ls_tl_stamp *stamps;
    size_t nstamps;
    ls_tl_interval *intervals;
    size_t nintervals;
} ls_timeline;

/* Fills a->timelines (one per process). -1 with err set when --timeline EVENT exists in no process. */
int timeline_build(ls_analysis *a, const ls_options *o, ls_error *err);
void timeline_free(ls_analysis *a);

/* ISO 8601 UTC with microseconds of a time in µs since the epoch, into buf (>= 32 bytes). */
void timeline_iso(uint64_t us, char *buf, size_t size);

#endif
