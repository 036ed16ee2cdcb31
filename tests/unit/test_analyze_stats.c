/*
 * test_analyze_stats.c — the robust estimators (fit.c) and the verdict rules (verdict.c) on series
 * shaped like the cases the analyzer must tell apart: steady leak, stepwise pool leak, one big
 * first-event allocation, a cache that fills and plateaus, lagged frees, a leak that starts halfway,
 * and noisy per-event counts.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "model/fit.h"
#include "model/verdict.h"

#define N 200

static double bytes[N], allocs[N], scratch[2 * N];

static ls_growth classify(size_t n, double turnover)
{
    ls_series_in in = { bytes, allocs, n, turnover, 0, 0 };
    ls_growth g;
    verdict_classify(&in, scratch, &g);
    return g;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

Test(fit, median_matches_sorting)
{
    srand(7);
    for (size_t n = 1; n < 60; n++) {
        double v[60], s[60];
        for (size_t i = 0; i < n; i++)
            v[i] = s[i] = (double)(rand() % 10);
        qsort(s, n, sizeof *s, cmp_double);
        double want = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        cr_assert_float_eq(fit_median(v, n), want, 1e-12, "n=%zu", n);
    }
}

Test(fit, slope_ignores_one_big_first_event)
{
    for (size_t i = 0; i < N; i++)
        bytes[i] = (i ? 100e6 : 0) + 1000.0 * (double)i;
    cr_assert_float_eq(fit_slope(bytes, N, scratch), 1000.0, 1e-9);
    double c = fit_intercept(bytes, N, 1000.0, 1, scratch);
    cr_assert_float_eq(c, 100e6 - 1000.0, 1e-6);
}

Test(verdict, steady_leak)
{
    for (size_t i = 0; i < N; i++) {
        bytes[i] = 4096.0 * (double)i;
        allocs[i] = (double)i;
    }
    ls_growth g = classify(N, 0);
    cr_assert_eq(g.verdict, VERDICT_LEAK);
    cr_assert_float_eq(g.bytes_per_event, 4096, 1e-9);
    cr_assert_float_eq(g.allocs_per_event, 1, 1e-9);
    cr_assert_eq(g.since, 0);
    cr_assert_float_eq(g.growth_fraction, 1.0, 1e-9);
    cr_assert_gt(g.confidence, 0.9);
}

Test(verdict, stepwise_pool_chunks_are_a_leak)
{
    for (size_t i = 0; i < N; i++) {
        bytes[i] = 65536.0 * (double)((i + 4) / 5); /* a 64 KiB chunk every 5 events */
        allocs[i] = (double)((i + 4) / 5);
    }
    ls_growth g = classify(N, 0);
    cr_assert_eq(g.verdict, VERDICT_LEAK);
    cr_assert_float_eq(g.bytes_per_event, 65536.0 / 5, 65536.0 / 5 * 0.05);
    cr_assert_lt(g.growth_fraction, 0.25);
}

Test(verdict, one_big_first_event_is_warmup)
{
    for (size_t i = 0; i < N; i++) {
        bytes[i] = i ? 64.0 * 1024 * 1024 : 0;
        allocs[i] = i ? 1 : 0;
    }
    ls_growth g = classify(N, 0);
    cr_assert_eq(g.verdict, VERDICT_WARMUP, "got %s", verdict_name(g.verdict));
    cr_assert_float_eq(g.bytes_per_event, 0, 1e-9);
    cr_assert_eq(g.since, 0);
}

Test(verdict, cache_that_fills_then_plateaus_is_bounded)
{
    for (size_t i = 0; i < N; i++) {
        bytes[i] = 4096.0 * (double)(i < 60 ? i : 60);
        allocs[i] = (double)(i < 60 ? i : 60);
    }
    ls_growth g = classify(N, 3);
    cr_assert_eq(g.verdict, VERDICT_BOUNDED, "got %s", verdict_name(g.verdict));
}

Test(verdict, objects_freed_one_event_later_are_stable)
{
    srand(3);
    for (size_t i = 0; i < N; i++) {
        /* what the previous event allocated is live at the boundary, and freed during this event */
        bytes[i] = i ? 1000.0 + (double)(rand() % 200) : 0;
        allocs[i] = i ? 10 : 0;
    }
    ls_growth g = classify(N, 199);
    cr_assert_eq(g.verdict, VERDICT_STABLE, "got %s", verdict_name(g.verdict));
    cr_assert_eq(g.since, -1);
}

Test(verdict, churn_without_net_growth_is_stable)
{
    srand(5);
    for (size_t i = 0; i < N; i++) {
        bytes[i] = (double)(rand() % 100000);
        allocs[i] = (double)(rand() % 100);
    }
    ls_growth g = classify(N, 50);
    cr_assert_eq(g.verdict, VERDICT_STABLE, "got %s", verdict_name(g.verdict));
}

Test(verdict, leak_that_starts_halfway)
{
    for (size_t i = 0; i < N; i++) {
        bytes[i] = i < N / 2 ? 0 : 512.0 * (double)(i - N / 2);
        allocs[i] = i < N / 2 ? 0 : (double)(i - N / 2);
    }
    ls_growth g = classify(N, 0);
    cr_assert_eq(g.verdict, VERDICT_LEAK, "got %s", verdict_name(g.verdict));
    cr_assert_float_eq(g.bytes_per_event, 512, 1e-6);
    cr_assert(g.since >= N / 2 - 1 && g.since <= N / 2 + 1, "since %ld", g.since);
}

Test(verdict, noisy_hits_within_two_percent)
{
    /* 48 bytes per hit, 1701 +- 100 hits per event, a 10 MiB buffer in the first event */
    srand(11);
    double live = 0, n_allocs = 0;
    for (size_t i = 0; i < N; i++) {
        bytes[i] = live + (i ? 10.0 * 1024 * 1024 : 0);
        allocs[i] = n_allocs;
        double hits = 1701 + (double)(rand() % 201) - 100;
        live += 48 * hits;
        n_allocs += hits;
    }
    ls_growth g = classify(N, 0);
    double truth = 48 * 1701.0;
    cr_assert_eq(g.verdict, VERDICT_LEAK);
    cr_assert(fabs(g.bytes_per_event - truth) <= 0.02 * truth, "%.1f vs %.1f", g.bytes_per_event, truth);
    cr_assert(fabs(g.allocs_per_event - 1701) <= 0.02 * 1701, "%.1f", g.allocs_per_event);
}

Test(verdict, injected_calibration_keeps_its_numbers)
{
    for (size_t i = 0; i < N; i++) {
        bytes[i] = 10.0 * 1024 * 1024 * (double)i;
        allocs[i] = (double)i;
    }
    ls_series_in in = { bytes, allocs, N, 0, 1, 0 };
    ls_growth g;
    verdict_classify(&in, scratch, &g);
    cr_assert_eq(g.verdict, VERDICT_INJECTED);
    cr_assert_float_eq(g.bytes_per_event, 10.0 * 1024 * 1024, 1e-6);
}

Test(verdict, short_and_empty_series_do_not_crash)
{
    for (size_t n = 0; n < 5; n++) {
        for (size_t i = 0; i < n; i++)
            bytes[i] = allocs[i] = (double)i;
        ls_growth g = classify(n, 0);
        cr_assert(g.verdict <= VERDICT_STABLE);
    }
}
