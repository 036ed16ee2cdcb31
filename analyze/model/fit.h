/*
 * fit.h — robust (median-based) estimators used for per-site and whole-process growth.
 *
 * Least squares is dragged by one big first event (a buffer allocated once); the median is not.
 * The slope estimator is the median of "half-span" slopes (y[i+h] - y[i]) / h with h = n/2: Theil–Sen
 * restricted to the n/2 pairs that are half the run apart. It keeps Theil–Sen's robustness against a
 * few outlying events (one outlier touches one pair), each pair averages over h events so stepwise
 * growth (pool chunks every few events) and noisy per-event counts come out at their true mean rate,
 * and it costs O(n) instead of O(n^2) — 10,000 events x 2,000 sites must take seconds, not hours.
 * docs/statistics.md gives the full argument.
 */
#ifndef LS_FIT_H
#define LS_FIT_H

#include <stddef.h>

/* Median of v[0..n) (reorders v). 0 for n == 0. */
double fit_median(double *v, size_t n);

/* Half-span median slope of y[0..n) per step; scratch must hold n doubles. 0 for n < 2. */
double fit_slope(const double *y, size_t n, double *scratch);

/* Median of y[i] - slope * (x0 + i): the value the line has at x = 0. */
double fit_intercept(const double *y, size_t n, double slope, double x0, double *scratch);

/* Median absolute deviation of the residuals y[i] - (c + slope * i), scaled by 1.4826 to estimate a
 * standard deviation under normal noise. */
double fit_noise(const double *y, size_t n, double slope, double *scratch);

#endif
