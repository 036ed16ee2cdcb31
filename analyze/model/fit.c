/*
 * fit.c — median by quickselect and the estimators built on it (see fit.h).
 */
#include "model/fit.h"

#include <math.h>

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* k-th smallest of v[0..n), Hoare's selection with median-of-three pivots. */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo])
            swap(&v[mid], &v[lo]);
        if (v[hi] < v[lo])
            swap(&v[hi], &v[lo]);
        if (v[hi] < v[mid])
            swap(&v[hi], &v[mid]);
        double pivot = v[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                swap(&v[i], &v[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

double fit_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    double upper = select_kth(v, n, n / 2);
    if (n % 2)
        return upper;
    /* even count: the lower middle is the largest of the lower half, which selection left there */
    double lower = v[0];
    for (size_t i = 1; i < n / 2; i++)
        if (v[i] > lower)
            lower = v[i];
    return (lower + upper) / 2;
}

double fit_slope(const double *y, size_t n, double *scratch)
{
    if (n < 2)
        return 0;
    size_t h = n / 2, m = n - h;
    for (size_t i = 0; i < m; i++)
        scratch[i] = (y[i + h] - y[i]) / (double)h;
    return fit_median(scratch, m);
}

double fit_intercept(const double *y, size_t n, double slope, double x0, double *scratch)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = y[i] - slope * (x0 + (double)i);
    return fit_median(scratch, n);
}

double fit_noise(const double *y, size_t n, double slope, double *scratch)
{
    if (n < 2)
        return 0;
    double c = fit_intercept(y, n, slope, 0, scratch);
    for (size_t i = 0; i < n; i++)
        scratch[i] = fabs(y[i] - slope * (double)i - c);
    return 1.4826 * fit_median(scratch, n);
}
