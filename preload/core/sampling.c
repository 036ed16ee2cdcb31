/*
 * sampling.c — the sampled mode (LEAKSTAMP_SAMPLE=BYTES): byte-based Poisson sampling of allocations,
 * with unbiased per-site estimates, and a filter that lets a free skip the live-pointer table.
 *
 * Sample points fall on the stream of allocated bytes as a Poisson process with one point per BYTES
 * on average (as jemalloc and tcmalloc do). An allocation is sampled when a point falls inside it, so
 * an allocation of s bytes is sampled with probability p = 1 - exp(-s/BYTES), whatever came before
 * (the process has no memory). A sampled allocation stands for 1/p allocations and s/p bytes: the
 * expected sum of these weights over all allocations of a site is exactly the site's true count and
 * bytes. Large allocations (s >> BYTES) are always sampled with weight ~1. Each thread keeps its own
 * distance to the next point and its own random generator: nothing is shared on the allocation path.
 * Unsampled allocations cost a subtraction; unsampled frees a lookup in a counting filter (a byte per
 * bucket of pointers, incremented and decremented by sampled blocks): zero means "never sampled",
 * and the live-pointer table is not touched. The bootstrap arena's blocks pin their buckets at 255
 * (real.c), so their frees always reach the general path, which keeps them from the real free.
 */
#include "core/core.h"

#include <math.h>
#include <pthread.h>
#include <time.h>


/* Full until ls_sample_start: in exact mode, and before the real free is known, no free may skip the
 * slow path (free in hooks_fast.S). */
_Atomic uint8_t ls_sample_filter[1u << LS_FILTER_BITS] = {[0 ...(1u << LS_FILTER_BITS) - 1] = 255};
__thread int64_t ls_sample_until;    /* bytes to the next sample point (the hot path is in core.h) */
#define until ls_sample_until
static __thread uint64_t rng;

static _Atomic uint64_t threads_seeded;

/* LEAKSTAMP_SAMPLE_SEED makes runs repeatable (the n-th thread to sample gets seed + n); otherwise
 * each thread seeds from the clock and its own address. */
static void seed(void)
{
    uint64_t n = atomic_fetch_add(&threads_seeded, 1);
    if (ls_config.sample_seed) {
        rng = ls_config.sample_seed * 0x9e3779b97f4a7c15ull + n * 0xbf58476d1ce4e5b9ull;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)&until ^ (uint64_t)pthread_self();
    }
    rng |= 1;
}

static double uniform01(void)
{
    if (LS_UNLIKELY(!rng))
        seed();
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    uint64_t x = rng * 0x2545f4914f6cdd1dull;
    return ((double)(x >> 11) + 0.5) * (1.0 / 9007199254740992.0);   /* in (0, 1) */
}

static int64_t next_interval(void)
{
    double d = -log(uniform01()) * (double)ls_config.sample;
    return d < 1 ? 1 : d > 9e18 ? (int64_t)9e18 : (int64_t)d;
}

/* llround for the weights below, which are at least 1: glibc's llround cost a quarter of the
 * instructions of a sampled allocation and its free (they weigh the block twice). From 2^52 on a
 * double holds whole numbers only, and adding 0.5 could round up to the next even one. */
static int64_t round_weight(double x)
{
    return x < 4503599627370496.0 ? (int64_t)(x + 0.5) : (int64_t)x;
}

static void weigh(uint64_t size, int64_t *allocs, int64_t *bytes)
{
    double p = -expm1(-(double)size / (double)ls_config.sample);
    if (p <= 0) {
        *allocs = *bytes = 0;
        return;
    }
    *allocs = round_weight(1.0 / p);
    *bytes = round_weight((double)size / p);
}

/* The weights of the sizes the page map holds (docs/preload.md: blocks of up to 512 bytes, most of a
 * small-block job's samples), computed at start-up: a sampled block is weighed twice, in and out,
 * and two expm1 were a tenth of its instructions. Read-only once sampling runs. */
#define WEIGHED (LS_SMALL_MAX + 1)
static struct {
    int64_t allocs, bytes;
} weighed[WEIGHED];

/* At start-up, before any block is sampled, once the real allocator is known. */
void ls_sample_start(void)
{
    for (uint64_t s = 0; s < WEIGHED; s++)
        weigh(s, &weighed[s].allocs, &weighed[s].bytes);
    for (size_t i = 0; i < sizeof ls_sample_filter; i++)
        atomic_store_explicit(&ls_sample_filter[i], 0, memory_order_relaxed);
    ls_bootstrap_pin_filter();
}

void ls_sample_filter_pin(uintptr_t p)
{
    atomic_store(ls_sample_bucket(p), 255);
}

/* fork: the child must not draw the same points as its parent. */
void ls_sample_after_fork_child(void)
{
    rng = 0;
    until = 0;
}

/* ls_sample_take (core.h) found the next point inside this allocation, or a thread that has not drawn
 * its first point yet. */
int ls_sample_crossed(size_t size)
{
    if (LS_UNLIKELY(!rng)) {
        until = next_interval() - (int64_t)size;   /* a new thread (or a forked child) */
        if (until > 0)
            return 0;
    }
    /* Points further inside this allocation change nothing, and the process has no memory: the
     * distance from its end to the next point is a fresh interval. (Stepping through the points inside
     * it instead took size/BYTES draws: hours for a failed malloc(2^62).) */
    until = next_interval();
    return 1;
}

int ls_sample_started(void)
{
    return rng != 0;
}

void ls_sample_weight(uint64_t size, int64_t *allocs, int64_t *bytes)
{
    if (LS_LIKELY(size < WEIGHED)) {
        *allocs = weighed[size].allocs;
        *bytes = weighed[size].bytes;
        return;
    }
    weigh(size, allocs, bytes);
}

#define bucket ls_sample_bucket

/* A bucket that reaches 255 stays there ("maybe" forever): still correct, only slower. */
void ls_sample_filter_add(uintptr_t p)
{
    _Atomic uint8_t *b = bucket(p);
    uint8_t v = atomic_load_explicit(b, memory_order_relaxed);
    while (v < 255 && !atomic_compare_exchange_weak(b, &v, (uint8_t)(v + 1)))
        ;
}

void ls_sample_filter_remove(uintptr_t p)
{
    _Atomic uint8_t *b = bucket(p);
    uint8_t v = atomic_load_explicit(b, memory_order_relaxed);
    while (v > 0 && v < 255 && !atomic_compare_exchange_weak(b, &v, (uint8_t)(v - 1)))
        ;
}

