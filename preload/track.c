/*
 * track.c — what one allocation and one free do to the tool's state.
 *
 * An allocation: unwind (outside any lock of ours, so the loader lock that libunwind may take can never
 * nest inside one of ours), intern the stack, bump the site's counters with relaxed atomics, remember
 * the block in the live-pointer table. A free: take the block out of the table and undo its counts;
 * a block the table does not know (made before start-up, or by another allocator) is left alone.
 */
#include "ls.h"

__thread int ls_in_tool;
_Atomic int ls_active;
_Atomic uint32_t ls_stamp_seq;

static void count(uint32_t site, int64_t allocs, int64_t bytes)
{
    struct ls_site *s = ls_stacks_get(site);
    if (!s)
        return;
    atomic_fetch_add_explicit(&s->live_allocs, allocs, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->live_bytes, bytes, memory_order_relaxed);
    if (allocs > 0) {
        atomic_fetch_add_explicit(&s->total_allocs, (uint64_t)allocs, memory_order_relaxed);
        atomic_fetch_add_explicit(&s->total_bytes, (uint64_t)bytes, memory_order_relaxed);
    }
}

void ls_track_forget(struct ls_live *e)
{
    count(e->site, -1, -(int64_t)e->size);
}

void ls_track_alloc(void *p, size_t size)
{
    if (!p)
        return;
    ls_in_tool = 1;
    uintptr_t frames[LS_MAX_DEPTH];
    int truncated;
    int n = ls_unwind(frames, ls_config.depth, &truncated);
    uint32_t site = ls_stacks_intern(frames, n, truncated);
    uint32_t birth = atomic_load_explicit(&ls_stamp_seq, memory_order_relaxed);
    count(site, 1, (int64_t)size);
    struct ls_live old;
    ls_livemap_put((uintptr_t)p, size, site, birth, &old);
    if (old.ptr)
        ls_track_forget(&old);
    ls_in_tool = 0;
}

void ls_track_free(void *p)
{
    struct ls_live e;
    if (ls_livemap_take((uintptr_t)p, &e))
        ls_track_forget(&e);
}
