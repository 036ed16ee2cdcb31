/*
 * core/fastpath.c — exact mode's common case: an allocation from a stack the unwind cache holds, into
 * a leaf of the page map that exists, counted in this thread's own counters; and the free of such a
 * block. Sampled mode's samples take the same way, with their weights and the sample filter's count.
 * This is most of what an allocation-heavy job does under the tool, so it is one straight pass:
 * no call but the real allocator's, every uncommon case a tail call to the general path
 * (hooks_malloc.c, track.c), taken before anything is changed. Without calls the compiler needs no
 * saved registers and no frame, and the guard is only the flag: nothing here can touch errno, so it
 * is not saved (the general paths save it as always). A sample's pass also weighs it (expm1, which
 * sets errno only on overflow, impossible for a weight) and counts it in the filter: those calls need
 * a frame, so it is a function of its own, kept out of exact mode's free.
 *
 * The flag still matters: a signal handler that allocates while we are between a counter's load and
 * its store would have its count overwritten, and one that misses the unwind cache would refill the
 * way we are reading; with the flag set its allocation goes untracked, as everywhere else in the tool. The lookups below read only this thread's cache and counters and the
 * block's own entry, which no other thread touches while the block is live (livemap.c).
 */
#include "core/core.h"

/* The recursion flag, with compiler barriers: everything here is inlined, and without them the
 * compiler could move the flag's stores across the work they guard (a signal handler is invisible
 * to it). No instruction is emitted for the barriers. */
static inline void set_flag(int v)
{
    atomic_signal_fence(memory_order_seq_cst);
    ls_in_tool = v;
    atomic_signal_fence(memory_order_seq_cst);
}

/* A recorded block replaced a stale entry, or stale frees were seen (livemap.c): the general put's
 * follow-up, under the full guard. The block's own counts are in already. */
__attribute__((noinline)) static void *record_finish(void *p, uint64_t old)
{
    set_flag(0);
    struct ls_guard g = ls_enter();
    struct ls_live replaced;
    ls_livemap_put_finish((uintptr_t)p, old, &replaced);
    if (replaced.ptr)
        ls_track_forget(&replaced);
    ls_leave(g);
    return p;
}

/* A block from a stack the unwind cache holds, into a leaf that exists, counted in this thread's
 * counters; anything else through the general path. A sample (`sampled`, a constant at each call:
 * exact mode's copy has no weight and no filter) is counted with its weight, then in the sample
 * filter, after the stale entry's count went in record_finish: both can be the same bucket. The
 * caller is kept as two scalars (see ls_malloc_slow). */
static inline __attribute__((always_inline)) void *record(void *p, size_t size, uintptr_t ra, uintptr_t cfa,
                                                          int sampled)
{
    set_flag(1);   /* before the lookup: a handler's allocation must not refill the way we read */
    struct ls_counts *counts;
    uint32_t site = ls_site_cached(ra, cfa, &counts);
    uint32_t birth = atomic_load_explicit(&ls_stamp_seq, memory_order_relaxed);
    uint64_t old;
    int done = site ? ls_livemap_put_fast((uintptr_t)p, size, sampled, site, birth, &old) : 0;
    if (LS_UNLIKELY(!done)) {
        set_flag(0);
        return ls_track_alloc_slow(p, size | (sampled ? LS_SIZE_SAMPLED : 0), (struct ls_caller){ra, cfa});
    }
    int64_t allocs = 1, bytes = (int64_t)size;
    if (sampled)
        ls_sample_weight(size, &allocs, &bytes);
    ls_count_owned(counts, allocs, bytes);
    if (LS_UNLIKELY(done == 2))
        p = record_finish(p, old);   /* clears the flag */
    else
        set_flag(0);
    if (sampled)
        ls_sample_filter_add((uintptr_t)p);   /* atomic: a handler's sample in the same bucket counts too */
    return p;
}

/* Sampled mode: a sample, just returned by the real allocator; returns p. */
__attribute__((noinline, flatten)) void *ls_track_sampled(void *p, size_t size, struct ls_caller from)
{
    return record(p, size, from.ra, from.cfa, 1);
}

/* Exact mode: p was just returned by the real allocator for `size` bytes; returns p. */
__attribute__((flatten)) void *ls_track_alloc_exact(void *p, size_t size, struct ls_caller from)
{
    return record(p, size, from.ra, from.cfa, 0);
}

/* The entry for ls_malloc_from (core.h) when its inline test does not serve the call. */
__attribute__((noinline, flatten)) void *ls_malloc_slow(size_t size, struct ls_caller from)
{
    if (LS_UNLIKELY(!ls_exact_now()))
        return ls_malloc_general(size, from);
    ls_sample_until = 0;   /* exact mode: the hook took the size off a word that stays 0 */
    uintptr_t ra = from.ra, cfa = from.cfa;
    void *p = ls_real.malloc(size);
    /* Two words in registers, never one 16-byte value: kept as a struct across the call, the compiler
     * stored it in halves and loaded it whole (a vector load), a store-forwarding stall that cost
     * 40% of the fast path's time. */
    __asm__("" : "+r"(ra), "+r"(cfa));
    if (LS_UNLIKELY(!p))
        return p;
    return record(p, size, ra, cfa, 0);
}

/* The site's counters were never touched on this thread: count through the general path. */
__attribute__((noinline)) static void free_finish(void *p, uint32_t site, int64_t allocs, int64_t bytes)
{
    set_flag(0);
    struct ls_guard g = ls_enter();
    ls_count(site, -allocs, -bytes);
    ls_leave(g);
    ls_real.free(p);
}

/* The free of a block in the page map: its entry taken, counted out of the freeing thread's counters
 * (a sample with the weight it was counted in with; its filter count goes after its entry), then the
 * real free. Anything else (the side table, a bootstrap block, a bucket a sample shares): the general
 * path. `sampled` is a constant at each call: exact mode's copy has no weight and no filter. */
static inline __attribute__((always_inline)) void free_taken(void *p, int sampled)
{
    uint32_t site;
    uint64_t size;
    set_flag(1);
    if (LS_UNLIKELY(!ls_livemap_take_fast((uintptr_t)p, sampled, &site, &size))) {
        set_flag(0);
        return ls_free_general(p);
    }
    int64_t allocs = 1, bytes = (int64_t)size;
    if (sampled) {
        ls_sample_weight(size, &allocs, &bytes);
        ls_sample_filter_remove((uintptr_t)p);
    }
    struct ls_counts *c = ls_counts_mine(site);
    if (LS_UNLIKELY(!c))
        return free_finish(p, site, allocs, bytes);
    ls_count_owned(c, -allocs, -bytes);
    set_flag(0);
    ls_real.free(p);
}

/* Out of line: its calls must not give exact mode's free a frame. */
__attribute__((noinline)) static void free_sampled(void *p)
{
    free_taken(p, 1);
}

/* The entry for free and delete (hooks_fast.S) when the sample filter does not rule the block out (in exact mode:
 * every free). The block is forgotten before the real free, so no other thread can be handed the
 * same address while its entry is still there. */
__attribute__((noinline, flatten)) void ls_free_slow(void *p)
{
    if (LS_UNLIKELY(!p))
        return ls_free_general(p);
    if (LS_UNLIKELY(!ls_exact_now()))
        return ls_sampled_now() ? free_sampled(p) : ls_free_general(p);
    free_taken(p, 0);
}
