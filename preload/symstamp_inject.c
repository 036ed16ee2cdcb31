/*
 * symstamp_inject.c — the calibration leak (--inject SIZE, LEAKSTAMP_INJECT): at every entry into the
 * --event function the tool itself leaks SIZE bytes, so a user can check that leakstamp measures a
 * known leak as that many bytes per event, next to the job's own sites.
 *
 * The block comes from the real allocator and is written to (a real leak costs RSS too). Its call
 * site is made here explicitly: unwinding would strip every frame inside libleakstamp.so, so the site's
 * stack is a single frame, an address inside leakstamp_inject_calibration, and the block is counted on
 * that site the way track.c counts an allocation (site counters, live-pointer table), so it shows in
 * `site` lines and in the exit record's `live` lines like any other site. The analyzer labels a site
 * whose display function is leakstamp_inject_calibration `injected` (docs/named-stamps.md).
 * The function is exported so that the name survives a stripped libleakstamp.so.
 */
#include "symstamp.h"

#include <string.h>

/* Mirrors track.c's counting of one allocation on a given site (track.c offers no entry point that
 * takes a site instead of unwinding). */
static void count_on_site(void *p, size_t size, uint32_t site)
{
    struct ls_site *s = ls_stacks_get(site);
    if (!s)
        return;
    atomic_fetch_add_explicit(&s->live_allocs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->live_bytes, (int64_t)size, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->total_allocs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->total_bytes, (uint64_t)size, memory_order_relaxed);
    struct ls_live old;
    ls_livemap_put((uintptr_t)p, size, site, atomic_load_explicit(&ls_stamp_seq, memory_order_relaxed), &old);
    if (old.ptr)
        ls_track_forget(&old);
}

LS_EXPORT __attribute__((noinline)) void leakstamp_inject_calibration(size_t size)
{
    void *p = ls_real.malloc(size);
    if (!p)
        return;
    memset(p, 0xa5, size);
    /* Frames are return addresses, symbolized at frame - 1: the function's first byte + 1 names it. */
    uintptr_t frame = (uintptr_t)&leakstamp_inject_calibration + 1;
    uint32_t site = ls_stacks_intern(&frame, 1, 0);
    count_on_site(p, size, site);
}

void ls_inject_event(void)
{
    leakstamp_inject_calibration((size_t)ls_sym.inject);
}
