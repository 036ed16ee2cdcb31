/*
 * test_verdict_sampled.c — verdicts on series recorded in sampled mode, where a site's live bytes are
 * a staircase of jumps of about one sampling interval each (verdict.c, sampled_tail_grows).
 */
#include <criterion/criterion.h>

#include "model/verdict.h"

#define T 16384.0

static ls_growth classify(const double *bytes, size_t n, double interval)
{
    static double allocs[256], scratch[512];
    for (size_t i = 0; i < n; i++)
        allocs[i] = bytes[i] / 48;
    ls_series_in in = { bytes, allocs, n, 0, 0, interval };
    ls_growth g;
    verdict_classify(&in, scratch, &g);
    return g;
}

Test(verdict_sampled, sparse_steady_jumps_are_a_leak)
{
    /* a 4 KiB-per-event leak seen through 16 KiB sampling: one jump every ~4 events */
    double y[40];
    for (int i = 0; i < 40; i++)
        y[i] = T * (double)((i * 4096) / 16384);
    ls_growth exact = classify(y, 40, 0);
    ls_growth sampled = classify(y, 40, T);
    cr_expect_eq(sampled.verdict, VERDICT_LEAK, "sampled: %s", verdict_name(sampled.verdict));
    cr_expect(sampled.bytes_per_event > 3000 && sampled.bytes_per_event < 5500, "%f", sampled.bytes_per_event);
    (void)exact;
}

Test(verdict_sampled, a_quiet_tail_that_should_have_had_samples_is_bounded)
{
    /* grows by 16 KiB per event for 10 events (10 samples), then 50 events without one: at that rate
     * the tail would have had ~16 samples, so the plateau is real */
    double y[60];
    for (int i = 0; i < 60; i++)
        y[i] = T * (i < 10 ? i : 10);
    ls_growth g = classify(y, 60, T);
    cr_expect_eq(g.verdict, VERDICT_BOUNDED, "%s", verdict_name(g.verdict));
}

Test(verdict_sampled, one_sample_is_not_a_leak)
{
    double y[30] = {0};
    for (int i = 20; i < 30; i++)
        y[i] = T;
    ls_growth g = classify(y, 30, T);
    cr_expect_neq(g.verdict, VERDICT_LEAK, "a single sample must not make a leak");
}

Test(verdict_sampled, exact_mode_unchanged)
{
    double y[30];
    for (int i = 0; i < 30; i++)
        y[i] = 48.0 * i;
    ls_growth g = classify(y, 30, 0);
    cr_expect_eq(g.verdict, VERDICT_LEAK);
    cr_expect_float_eq(g.bytes_per_event, 48.0, 1e-9);
}

Test(verdict_sampled, one_sample_of_growth_is_undecided)
{
    /* a real leak of ~500 B per event under 16 KiB sampling: one sample in 30 events cannot tell a leak
     * from a plateau, so neither may be claimed */
    double y[30] = {0};
    for (int i = 20; i < 30; i++)
        y[i] = T;
    ls_growth g = classify(y, 30, T);
    cr_expect_eq(g.verdict, VERDICT_UNDECIDED, "%s", verdict_name(g.verdict));
    cr_expect_eq(g.since, -1, "an undecided site has no onset: %ld", g.since);
}

Test(verdict_sampled, no_sampled_growth_stays_stable)
{
    double y[30] = {0};
    ls_growth g = classify(y, 30, T);
    cr_expect_eq(g.verdict, VERDICT_STABLE, "%s", verdict_name(g.verdict));
}

Test(verdict_sampled, a_late_first_sample_of_a_steady_leak_is_not_a_late_start)
{
    /* 2 KiB per event under 16 KiB sampling: the first jump comes at event 8 by chance of sampling
     * (one every ~8 events); the leak ran from the start */
    double y[48];
    for (int i = 0; i < 48; i++)
        y[i] = T * (double)((i * 2048) / 16384);
    ls_growth g = classify(y, 48, T);
    cr_expect_eq(g.verdict, VERDICT_LEAK, "%s", verdict_name(g.verdict));
    cr_expect_eq(g.since, 0, "since %ld", g.since);
}
