/*
 * verdict.c — growth numbers and verdict of one site (see verdict.h and docs/statistics.md).
 *
 * The decision looks at the last third of the run (the "tail"): a leak is a site that still grows
 * there by clearly more than its own noise. Growth that stopped before the tail is warm-up (reached
 * within the first few events) or bounded (reached later); a level reached at once but made of
 * objects that are freed and replaced every event is lagged freeing, i.e. stable.
 */
#include "model/verdict.h"

#include <math.h>

#include "model/fit.h"

const char *verdict_name(ls_verdict v)
{
    static const char *const names[] = { "leak", "injected", "bounded", "warmup", "stable", "undecided" };
    return names[v];
}

static size_t clamp_size(size_t v, size_t lo, size_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

typedef struct tail_fit {
    size_t start, len;
    double slope, intercept, noise, rise;
} tail_fit;

static void fit_tail(const double *y, size_t n, double *scratch, tail_fit *t)
{
    t->len = clamp_size(n / 3, n < 3 ? n : 3, n);
    t->start = n - t->len;
    const double *tail = y + t->start;
    t->slope = fit_slope(tail, t->len, scratch);
    t->intercept = fit_intercept(tail, t->len, t->slope, 0, scratch);
    t->noise = fit_noise(tail, t->len, t->slope, scratch);
    t->rise = t->slope * (double)(t->len - 1);
}

/* A leak still grows over the tail, by more than twice its scatter around the tail's line and by at
 * least one byte (integer data: anything smaller is rounding). */
static int tail_grows(const tail_fit *t)
{
    return t->len >= 2 && t->slope > 0 && t->rise >= 1 && t->rise > 2 * t->noise;
}

/* Where the tail's line meets the level the series started from: the start of the growth. */
static long leak_since(const double *y, size_t n, const tail_fit *t)
{
    double early = y[0];
    for (size_t i = 1; i < n && i < 3; i++)
        early = fmin(early, y[i]);
    double x = (double)t->start + (early - t->intercept) / t->slope;
    if (!(x > 0))
        return 0;
    long since = (long)floor(x);
    return since > (long)n - 2 ? (long)n - 2 : since;
}

static long first_growth(const double *y, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (y[i + 1] > y[i])
            return (long)i;
    return -1;
}

static double growth_fraction(const double *y, size_t n)
{
    size_t grew = 0;
    for (size_t i = 0; i + 1 < n; i++)
        grew += y[i + 1] > y[i];
    return n > 1 ? (double)grew / (double)(n - 1) : 0;
}

static void leak_numbers(const ls_series_in *in, const tail_fit *t, double *scratch, ls_growth *g)
{
    size_t n = in->n;
    g->since = leak_since(in->bytes, n, t);
    size_t from = (size_t)g->since, len = n - from;
    g->bytes_per_event = fit_slope(in->bytes + from, len, scratch);
    g->allocs_per_event = fit_slope(in->allocs + from, len, scratch);
    double snr = t->rise / (t->rise + 2 * t->noise);
    g->confidence = snr * fmin(1.0, (double)len / 10.0);
}

static ls_verdict plateau_kind(const ls_series_in *in, const tail_fit *t, double *scratch)
{
    const double *y = in->bytes;
    size_t n = in->n;
    for (size_t i = 0; i < t->len; i++)
        scratch[i] = y[t->start + i];
    double level_end = fit_median(scratch, t->len);
    double net = level_end - y[0];
    if (!(net >= 1) || net <= 2 * t->noise)
        return VERDICT_STABLE;
    size_t reach = 0;
    while (reach < n && y[reach] < y[0] + 0.9 * net)
        reach++;
    size_t warm = clamp_size(n / 10, 2, 10);
    if (reach > warm)
        return VERDICT_BOUNDED;
    /* reached at once: held since then (warm-up) or renewed every event (lagged frees) */
    return in->turnover >= 2 ? VERDICT_STABLE : VERDICT_WARMUP;
}

/*
 * Sampled mode: a small site's series is a staircase of sparse jumps (each sample adds about one
 * sampling interval of bytes), so the tail's median slope is usually 0 even for a steady leak, and a
 * tail with few jumps says little. Here a site still grows if its tail gained, net, at least two
 * samples' worth of bytes. If it did not, the tail is a plateau only when growth at the rate seen
 * before it would, with 99% probability, have put more samples into it than it got (samples arrive as
 * a Poisson process); otherwise the data cannot tell, and a site that grew is reported as a leak, with
 * the low confidence its few samples deserve. A site whose whole net growth is under two samples is
 * `undecided`: one sample is what a small leak and a chance sample of short-lived blocks both give.
 */
static double poisson_cdf(double k, double lambda)
{
    double term = exp(-lambda), sum = term;
    for (int i = 1; i <= (int)k; i++) {
        term *= lambda / i;
        sum += term;
    }
    return sum;
}

static int sampled_tail_grows(const ls_series_in *in, const tail_fit *t)
{
    const double *y = in->bytes;
    double tail_samples = (y[in->n - 1] - y[t->start]) / in->sample_interval;
    if (tail_samples >= 2)
        return 1;
    double before = t->start ? (y[t->start] - y[0]) / (double)t->start : 0;
    double expected = before * (double)t->len / in->sample_interval;
    return poisson_cdf(floor(fmax(tail_samples, 0) + 0.5), expected) >= 0.01;
}

/* Growth per event of a sampled leak: the mean over the whole run. A median of slopes reads 0 on a
 * staircase, and a rate measured from the first sample overestimates whenever that sample came late;
 * the mean of unbiased estimates is unbiased for a leak that ran the whole time. */
static void sampled_leak_numbers(const ls_series_in *in, ls_growth *g)
{
    size_t n = in->n;
    long first = first_growth(in->bytes, n);
    g->bytes_per_event = (in->bytes[n - 1] - in->bytes[0]) / (double)(n - 1);
    g->allocs_per_event = (in->allocs[n - 1] - in->allocs[0]) / (double)(n - 1);
    /* the first sample of a leak that runs from the start arrives after about interval / rate events
     * (exponential wait): a first jump within three such waits is no evidence of a late start, and
     * reading it as one makes "since" wander from run to run */
    double wait = g->bytes_per_event > 0 ? in->sample_interval / g->bytes_per_event : 0;
    g->since = first < 0 || (double)first <= 3 * wait ? 0 : first;
    /* each sample carries about one interval of bytes: the count of samples bounds the confidence */
    double samples = (in->bytes[n - 1] - in->bytes[0]) / in->sample_interval;
    g->confidence = samples > 0 ? fmin(1.0, sqrt(samples) / 10.0) : 0;
}

void verdict_classify(const ls_series_in *in, double *scratch, ls_growth *g)
{
    size_t n = in->n;
    *g = (ls_growth){ .verdict = VERDICT_STABLE, .since = -1, .confidence = -1 };
    if (n < 2) {
        if (in->injected)
            g->verdict = VERDICT_INJECTED;
        return;
    }
    g->growth_fraction = growth_fraction(in->bytes, n);
    tail_fit t;
    fit_tail(in->bytes, n, scratch, &t);
    if (in->sample_interval > 0) {
        /* less than two samples' worth of net growth proves nothing either way */
        int enough = in->bytes[n - 1] - in->bytes[0] >= 2 * in->sample_interval;
        if (enough && (tail_grows(&t) || sampled_tail_grows(in, &t))) {
            g->verdict = in->injected ? VERDICT_INJECTED : VERDICT_LEAK;
            sampled_leak_numbers(in, g);
            return;
        }
        if (!in->injected) {
            /* grew by a sample or so: a small leak and a chance sample look alike */
            double net = in->bytes[n - 1] - in->bytes[0];
            g->verdict = !enough && net >= 0.5 * in->sample_interval ? VERDICT_UNDECIDED
                                                                     : plateau_kind(in, &t, scratch);
            g->bytes_per_event = (in->bytes[n - 1] - in->bytes[0]) / (double)(n - 1);
            g->allocs_per_event = (in->allocs[n - 1] - in->allocs[0]) / (double)(n - 1);
            if (g->verdict != VERDICT_STABLE && g->verdict != VERDICT_UNDECIDED)
                g->since = first_growth(in->bytes, n);
            return;
        }
    }
    if (tail_grows(&t) || in->injected) {
        g->verdict = in->injected ? VERDICT_INJECTED : VERDICT_LEAK;
        if (tail_grows(&t)) {
            leak_numbers(in, &t, scratch, g);
            return;
        }
    } else {
        g->verdict = plateau_kind(in, &t, scratch);
    }
    g->bytes_per_event = fit_slope(in->bytes, n, scratch);
    g->allocs_per_event = fit_slope(in->allocs, n, scratch);
    if (g->verdict != VERDICT_STABLE)
        g->since = first_growth(in->bytes, n);
}
