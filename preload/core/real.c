/*
 * real.c — finds the next allocator (the one the job would use without us) and serves the bootstrap.
 *
 * The real functions are looked up with dlsym(RTLD_NEXT), so a job linked with jemalloc or tcmalloc
 * keeps its allocator. dlsym itself calls calloc before we know where calloc is; those few early
 * requests are served from a static arena, and pointers from that arena are never passed to the real
 * free (free() asks ls_bootstrap_owns first).
 */
#include "core/core.h"

#include <dlfcn.h>
#include <string.h>

struct ls_real ls_real;

_Alignas(64) char ls_boot_arena[LS_BOOT_BYTES];
#define boot_arena ls_boot_arena
static _Atomic size_t boot_used;

size_t ls_bootstrap_room(const void *p)
{
    return (size_t)(boot_arena + sizeof boot_arena - (const char *)p);
}

void *ls_bootstrap_alloc(size_t size, size_t align)
{
    if (align < 16)
        align = 16;
    size_t old = atomic_load(&boot_used), start;
    do {
        start = (old + align - 1) & ~(align - 1);
        if (start + size > sizeof boot_arena || start + size < start)
            return NULL;
    } while (!atomic_compare_exchange_weak(&boot_used, &old, start + size));
    return boot_arena + start;   /* static storage: already zero */
}

static void *next_symbol(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

/* Called with ls_in_tool set, so the allocations inside dlsym come back to the bootstrap arena. */
void ls_real_resolve(void)
{
    static _Atomic int done;
    if (atomic_load(&done))
        return;
    struct ls_real r;
    r.malloc = next_symbol("malloc");
    r.free = next_symbol("free");
    r.calloc = next_symbol("calloc");
    r.realloc = next_symbol("realloc");
    r.posix_memalign = next_symbol("posix_memalign");
    r.aligned_alloc = next_symbol("aligned_alloc");
    r.memalign = next_symbol("memalign");
    r.valloc = next_symbol("valloc");
    r.pvalloc = next_symbol("pvalloc");
    ls_real = r;
    atomic_store(&done, 1);
}

/* The first hook call or the library constructor, whichever comes first, resolves the real allocator;
 * only the constructor goes on to start tracking (report/lifecycle.c). */
void ls_real_ensure(void)
{
    static _Atomic int state;   /* 0 not started, 1 running, 2 done */
    int expected = 0;
    if (atomic_compare_exchange_strong(&state, &expected, 1)) {
        struct ls_guard g = ls_enter();
        ls_real_resolve();
        ls_leave(g);
        atomic_store(&state, 2);
        return;
    }
    while (atomic_load(&state) != 2)
        __builtin_ia32_pause();
}
