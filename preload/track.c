/*
 * track.c — what one allocation and one free do to the tool's state.
 *
 * An allocation: find its site (unwind_cache.c; a miss unwinds outside any lock of ours, so the
 * loader lock that libunwind may take can never nest inside one of ours), count it in the thread's own
 * counters (counters.c), remember the block in the live-pointer table. A free: take the block out of
 * the table and undo its counts;
 * a block the table does not know (made before start-up, or by another allocator) is left alone.
 */
#include "ls.h"

__thread int ls_in_tool;
_Atomic int ls_active;
_Atomic uint32_t ls_stamp_seq;

void ls_track_forget(struct ls_live *e)
{
    ls_count(e->site, -1, -(int64_t)e->size);
}

void ls_track_alloc(void *p, size_t size, struct ls_caller from)
{
    if (!p)
        return;
    ls_in_tool = 1;
    ls_track_alloc_at(p, size, ls_site_of_caller(from.ra, from.cfa));
    ls_in_tool = 0;
}

void ls_track_alloc_at(void *p, size_t size, uint32_t site)
{
    uint32_t birth = atomic_load_explicit(&ls_stamp_seq, memory_order_relaxed);
    ls_count(site, 1, (int64_t)size);
    struct ls_live old;
    ls_livemap_put((uintptr_t)p, size, site, birth, &old);
    if (old.ptr)
        ls_track_forget(&old);
}

void ls_track_free(void *p)
{
    struct ls_live e;
    if (ls_livemap_take((uintptr_t)p, &e))
        ls_track_forget(&e);
}
