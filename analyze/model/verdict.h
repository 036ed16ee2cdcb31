/*
 * verdict.h — from one site's live-bytes series to its growth numbers and verdict.
 *
 *   leak      the end of the run still grows, steadily or in steps (also when growth starts late)
 *   warmup    growth confined to the first events, then flat
 *   bounded   grew over more than the first events, then plateaued
 *   stable    no net growth: churn, or objects freed an event or two later (a level reached at once
 *             and renewed every event, recognised by a high turnover of allocations)
 *   injected  the tool's own calibration leak (leakstamp_inject_calibration), numbers as for a leak
 *   undecided sampled mode only: the site grew, but by too few samples to tell a leak from a plateau
 *
 * The rules and their thresholds are explained in docs/statistics.md.
 */
#ifndef LS_VERDICT_H
#define LS_VERDICT_H

#include <stddef.h>

typedef enum {
    VERDICT_LEAK,
    VERDICT_INJECTED,
    VERDICT_BOUNDED,
    VERDICT_WARMUP,
    VERDICT_STABLE,
    VERDICT_UNDECIDED,
    VERDICT_COUNT
} ls_verdict;

const char *verdict_name(ls_verdict v);

typedef struct ls_growth {
    ls_verdict verdict;
    double bytes_per_event;   /* robust slope (over the growing part for a leak) */
    double allocs_per_event;
    double growth_fraction;   /* share of events in which live bytes grew */
    long since;               /* series index of the first event of growth; -1 when none */
    double confidence;        /* 0..1 for leak/injected, -1 for other verdicts */
} ls_growth;

typedef struct ls_series_in {
    const double *bytes, *allocs; /* live at each event boundary */
    size_t n;
    double turnover;          /* allocations freed per allocation live at the end (0 if unknown) */
    int injected;             /* the display frame is the calibration leak */
    double sample_interval;   /* bytes; > 0 when the series are estimates from sampled mode */
} ls_series_in;

/* scratch must hold 2 * n doubles. */
void verdict_classify(const ls_series_in *in, double *scratch, ls_growth *out);

#endif
