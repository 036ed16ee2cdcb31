/*
 * symstamp_inject.c — the calibration leak (--inject SIZE, LEAKSTAMP_INJECT): at every entry into the
 * --event function the tool itself leaks SIZE bytes, so a user can check that leakstamp measures a
 * known leak as that many bytes per event, next to the job's own sites.
 *
 * The block comes from the real allocator and is written to (a real leak costs RSS too). Its call
 * site is made here explicitly: unwinding would strip every frame inside libleakstamp.so, so the site's
 * stack is a single frame, an address inside leakstamp_inject_calibration, and the block is counted on
 * that site by track.c like any allocation (site counters, live-pointer table), so it shows in
 * `site` lines and in the exit record's `live` lines like any other site. The analyzer labels a site
 * whose display function is leakstamp_inject_calibration `injected` (docs/named-stamps.md).
 * The function is exported so that the name survives a stripped libleakstamp.so.
 */
#include "trap/trap.h"

#include <string.h>

LS_EXPORT __attribute__((noinline)) void leakstamp_inject_calibration(size_t size)
{
    void *p = ls_real.malloc(size);
    if (!p)
        return;
    memset(p, 0xa5, size);
    /* Frames are return addresses, symbolized at frame - 1: the function's first byte + 1 names it. */
    uintptr_t frame = (uintptr_t)&leakstamp_inject_calibration + 1;
    uint32_t site = ls_stacks_intern(&frame, 1, 0);
    ls_track_alloc_at(p, size, site);
}

void ls_inject_event(void)
{
    leakstamp_inject_calibration((size_t)ls_sym.inject);
}
