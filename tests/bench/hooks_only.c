/*
 * hooks_only.c — the second floor for `make bench`: leakstamp's own malloc, free and delete
 * (preload/core/hooks_fast.S, linked in unchanged) with nothing behind them. Their fast path runs as
 * under the tool — the countdown lowered and tested, the sample filter's byte read — and the slow
 * paths only forward (the filter stays zero, so no free reaches its slow path; a malloc reaches it
 * once per thread and per 2^40 bytes). Between this row and "forward only" is what the hooks' own
 * instructions cost; between it and the sampled rows, everything else the tool does.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/hooks_fast.h"

#define HIDDEN __attribute__((visibility("hidden")))

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

/* What hooks_fast.S reads: the real functions at LS_REAL_MALLOC and LS_REAL_FREE, the countdown, the
 * filter. */
HIDDEN struct {
    void *(*malloc)(size_t);
    void (*free)(void *);
} ls_real = {__libc_malloc, __libc_free};
_Static_assert(LS_REAL_MALLOC == 0 && LS_REAL_FREE == 8, "the offsets hooks_fast.S uses");
HIDDEN __thread int64_t ls_sample_until __attribute__((tls_model("initial-exec")));
HIDDEN uint8_t ls_sample_filter[1u << LS_FILTER_BITS];

struct caller {
    uintptr_t ra, cfa;
};

HIDDEN void *ls_malloc_slow(size_t size, struct caller from)
{
    (void)from;
    ls_sample_until = (int64_t)1 << 40;
    return ls_real.malloc(size);
}

HIDDEN void ls_free_slow(void *p)
{
    ls_real.free(p);
}

void *_Znwm(size_t n) { return ls_real.malloc(n); }   /* operator new(size_t), as forward.c has it */
