/*
 * track.c — what one allocation and one free do to the tool's state.
 *
 * An allocation: find its site (unwind_cache.c; a miss unwinds outside any lock of ours, so the
 * loader lock that libunwind may take can never nest inside one of ours), count it in the thread's own
 * counters (counters.c), remember the block in the live-pointer table. A free: take the block out of
 * the table and undo its counts; a block the table does not know (made before start-up, or by another
 * allocator) is left alone. In sampled mode (sampling.c) only sampled allocations get this far; they
 * count with their weights, and a free whose pointer was never sampled stops at the filter.
 */
#include "core/core.h"

__thread int ls_in_tool;   /* core/guard.h */
__thread int *ls_errno_at;
_Atomic int ls_active;
_Atomic uint32_t ls_stamp_seq;

void ls_live_weight(const struct ls_live *e, int64_t *allocs, int64_t *bytes)
{
    if (e->size & LS_SIZE_SAMPLED) {
        ls_sample_weight(e->size & ~LS_SIZE_SAMPLED, allocs, bytes);
    } else {
        *allocs = 1;
        *bytes = (int64_t)e->size;
    }
}

void ls_track_forget(struct ls_live *e)
{
    int64_t allocs, bytes;
    ls_live_weight(e, &allocs, &bytes);
    ls_count(e->site, -allocs, -bytes);
    if (e->size & LS_SIZE_SAMPLED)
        ls_sample_filter_remove(e->ptr);
}

/* `sampled` is a constant at each call (it equals size & LS_SIZE_SAMPLED): the exact path is compiled
 * without the weight and filter branches. */
static inline __attribute__((always_inline)) void record_block(void *p, uint64_t size, uint32_t site, int sampled)
{
    uint32_t birth = atomic_load_explicit(&ls_stamp_seq, memory_order_relaxed);
    int64_t allocs = 1, bytes = (int64_t)size;
    if (sampled)
        ls_sample_weight(size & ~LS_SIZE_SAMPLED, &allocs, &bytes);
    ls_count(site, allocs, bytes);
    struct ls_live old;
    ls_livemap_put((uintptr_t)p, size, site, birth, &old);
    if (LS_UNLIKELY(old.ptr != 0))
        ls_track_forget(&old);
    /* after the stale entry's filter count went: both can be the same address */
    if (sampled)
        ls_sample_filter_add((uintptr_t)p);
}

/* A block to record that the fast paths (fastpath.c) could not take; `size` carries LS_SIZE_SAMPLED.
 * Returns p (they hand their uncommon cases here as a tail call). */
__attribute__((noinline, flatten)) void *ls_track_alloc_slow(void *p, uint64_t size, struct ls_caller from)
{
    struct ls_guard g = ls_enter();
    uint32_t site = ls_site_of_caller(from.ra, from.cfa);
    if (size & LS_SIZE_SAMPLED)
        record_block(p, size, site, 1);
    else
        record_block(p, size, site, 0);
    ls_leave(g);
    return p;
}

/* Always counted in full, also in sampled mode: the tool's own calibration leak. */
void ls_track_alloc_at(void *p, size_t size, uint32_t site)
{
    record_block(p, size, site, 0);
}

int ls_track_take(void *p, struct ls_live *out)
{
    return ls_track_may_own(p) && ls_livemap_take((uintptr_t)p, out);
}

void ls_track_put_back(const struct ls_live *e)
{
    struct ls_live gone;
    ls_livemap_put(e->ptr, e->size, e->site, e->birth, &gone);
}

/* The caller asked ls_track_may_own(p) already. */
void ls_track_free(void *p)
{
    struct ls_live e;
    if (ls_livemap_take((uintptr_t)p, &e))
        ls_track_forget(&e);
}
