/*
 * hooks_malloc.c — the interposed C allocation functions.
 *
 * malloc and free themselves are in hooks_fast.S (their sampled-mode common case in a few
 * instructions). Each exported hook notes where it was called from (LS_CALLER: its return address and CFA, which
 * the unwind cache uses as a key) and hands over to an internal function that calls the next allocator
 * (real.c) and then records the block; operator new (hooks_new.c) enters through the same internal
 * functions with its own caller. A free forgets the block before the real free, so no other thread
 * can be handed the same address while it is still in the table. Calls made while the tool itself runs
 * (ls_busy()), or before start-up, pass straight through. Before the real functions are known (dlsym
 * is running), requests are served from the bootstrap arena. malloc_usable_size is not interposed: the
 * blocks are the real allocator's own.
 */
#include "core/core.h"

#include <errno.h>
#include <string.h>

/* An allocation that is not recorded (start-up, bootstrap, the tool's own) took its size off the
 * sample countdown in the hook. Before sampling runs, and in exact mode, the size is given back. Once
 * this thread samples, a point that fell inside these bytes is dropped and the next one drawn: giving
 * the size back would leave the next allocation with a distance to the point known to be short, and
 * sample it more often than its size says. */
static void untracked_bytes(size_t size)
{
    if (ls_config.sample && ls_sample_until <= 0 && ls_sample_started())
        (void)ls_sample_crossed(size);
    else
        ls_sample_until += (int64_t)size;
}

/* Everything ls_malloc_from (core.h) and exact mode's fast path (fastpath.c) do not do: start-up and
 * bootstrap, calls from inside the tool, a thread's first sample point, deciding a sample (which
 * ls_track_sampled then records), and exact mode's uncommon cases. */
__attribute__((noinline, flatten)) void *ls_malloc_general(size_t size, struct ls_caller from)
{
    int u = ls_untracked();
    int lowered = (int64_t)size >= 0;   /* the hooks lower the word only by sizes below 2^63 */
    if (u && lowered)
        untracked_bytes(size);
    if (LS_UNLIKELY(u == 2))
        return ls_bootstrap_alloc(size, 16);
    if (u || !lowered)
        return ls_real.malloc(size);
    if (ls_config.sample && !ls_sample_crossed(size))   /* the hook took the size off already */
        return ls_real.malloc(size);
    void *p = ls_real.malloc(size);
    if (p && ls_config.sample)
        return ls_track_sampled(p, size, from);
    return p ? ls_track_alloc_slow(p, size, from) : p;
}

/* The tracked part of a free, inside the guard: one frame for the table, the counters, the filter. */
__attribute__((flatten)) void ls_free_tracked(void *p)
{
    struct ls_guard g = ls_enter();
    ls_track_free(p);
    ls_leave(g);
}

/* Every free that neither free (hooks_fast.S) hands straight to the real free nor exact mode's fast path
 * (fastpath.c) finishes. Not while the tool runs on this thread (a signal handler that frees while we
 * hold a lock must not wait for it): the block's entry then stays behind until its address is handed
 * out again, when the live-pointer table reports it replaced and its counts are undone. */
__attribute__((noinline)) void ls_free_general(void *p)
{
    if (!p || LS_UNLIKELY(ls_bootstrap_owns(p)))
        return;   /* a bootstrap block is never the real allocator's */
    if (LS_UNLIKELY(!ls_real.free))
        ls_real_ensure();
    if (atomic_load_explicit(&ls_active, memory_order_relaxed) && ls_track_may_own(p)) {
        if (LS_LIKELY(!ls_busy()))
            ls_free_tracked(p);
        else
            ls_livemap_note_skipped((uintptr_t)p);
    }
    ls_real.free(p);
}

/* A block from the bootstrap arena is moved out by copying; its old size is not kept, so copy as much
 * as can be there (bytes past it in the arena are zero or a later bootstrap block: harmless to read). */
static void *realloc_bootstrap(void *p, size_t size, struct ls_caller from)
{
    void *q = ls_malloc_from(size, from);
    if (q) {
        size_t room = ls_bootstrap_room(p);
        memcpy(q, p, size < room ? size : room);
    }
    return q;
}

static void *realloc_from(void *p, size_t size, struct ls_caller from)
{
    if (!p)
        return ls_malloc_from(size, from);
    if (LS_UNLIKELY(ls_bootstrap_owns(p)))
        return ls_busy() && !ls_real.realloc ? ls_bootstrap_alloc(size, 16) : realloc_bootstrap(p, size, from);
    int u = ls_untracked();
    if (u) {
        if (atomic_load_explicit(&ls_active, memory_order_relaxed))
            ls_livemap_note_skipped((uintptr_t)p);   /* a stale entry is repaired as in ls_free_general */
        return ls_real.realloc(p, size);
    }
    struct ls_live old;
    struct ls_guard g = ls_enter();
    int had = ls_track_take(p, &old);
    ls_leave(g);
    void *q = ls_real.realloc(p, size);
    if (!q && size) {
        /* failed: p is untouched and still the caller's */
        if (had) {
            g = ls_enter();
            ls_track_put_back(&old);
            ls_leave(g);
        }
        return NULL;
    }
    if (had)
        ls_track_forget(&old);
    ls_track_alloc(q, size, from);
    return q;
}

LS_EXPORT void *calloc(size_t n, size_t size)
{
    int u = ls_untracked();
    size_t total;
    if (LS_UNLIKELY(u == 2))
        return __builtin_mul_overflow(n, size, &total) ? NULL : ls_bootstrap_alloc(total, 16);
    void *p = ls_real.calloc(n, size);
    if (!u && p)
        ls_track_alloc(p, n * size, LS_CALLER());
    return p;
}

LS_EXPORT void *realloc(void *p, size_t size)
{
    return realloc_from(p, size, LS_CALLER());
}

LS_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc_from(p, total, LS_CALLER());
}

LS_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    return ls_memalign_from(out, align, size, LS_CALLER());
}

/* The remaining aligned forms share one shape: call the real one, track a non-null result. */
#define ALIGNED_HOOK(name, params, args, size_expr, align_expr)            \
    LS_EXPORT void *name params                                            \
    {                                                                      \
        int u = ls_untracked();                                               \
        if (LS_UNLIKELY(u == 2))                                           \
            return ls_bootstrap_alloc(size_expr, align_expr);              \
        void *p = ls_real.name args;                                       \
        if (!u)                                                            \
            ls_track_alloc(p, size_expr, LS_CALLER());                     \
        return p;                                                          \
    }

ALIGNED_HOOK(aligned_alloc, (size_t align, size_t size), (align, size), size, align)
ALIGNED_HOOK(memalign, (size_t align, size_t size), (align, size), size, align)
ALIGNED_HOOK(valloc, (size_t size), (size), size, 4096)
ALIGNED_HOOK(pvalloc, (size_t size), (size), size, 4096)
